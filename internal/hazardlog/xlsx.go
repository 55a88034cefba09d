package hazardlog

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csogate/csogate/internal/safetyfile"
)

// Limits on what a workbook may unpack to: real hazard logs are a few
// megabytes; these stop a hostile file from exhausting memory.
const (
	xlsxUnzipLimit    = 256 << 20
	xlsxUnzipXMLLimit = 64 << 20
	// mergeFillLimit bounds the cells that merged ranges may cover.
	mergeFillLimit = 4 << 20
)

// loadXLSX reads an XLSX copy of the NHS template: the sheet whose header
// row matches (or the one named), with merged cells understood.
func loadXLSX(file string, data []byte, sheet string, cfg *safetyfile.Config) Result {
	fail := func(format string, args ...any) Result {
		return Result{Log: &safetyfile.HazardLog{Product: productName(file, cfg), Hazards: []safetyfile.Hazard{}},
			Problems: safetyfile.Problems{invalid(safetyfile.Location{File: file}, format, args...)}}
	}
	if dup := duplicatePart(data); dup != "" {
		return fail("the workbook has more than one part named %q (part names ignore case): which one Excel opens is not which one the gate would read; save the file from Excel again", dup)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipXMLLimit,
	})
	if err != nil {
		return fail("cannot read the workbook: %v; save it from Excel as an .xlsx workbook (without a password)", err)
	}
	defer f.Close()
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	sheets := f.GetSheetList()
	// Excel refuses two sheets of one name (in any case) until it repairs
	// the file; which of them excelize reads is not what anyone saw.
	for i, a := range sheets {
		for _, b := range sheets[:i] {
			if strings.EqualFold(a, b) {
				return fail("the workbook has more than one sheet named %q (Excel repairs such a file before showing it, so which one the gate would read is not what Excel shows); rename them in xl/workbook.xml, or save the file from Excel again", a)
			}
		}
	}
	if sheet != "" {
		found := ""
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(sheet)) {
				found = s
			}
		}
		if found == "" {
			return fail("the workbook has no sheet %q; its sheets are %s", sheet, quoteAll(sheets))
		}
		if hiddenSheet(f, found) {
			return fail("sheet %q is hidden in Excel, so a person reviewing the workbook does not see what the gate would read; unhide it (Format > Hide & Unhide > Unhide Sheet) or keep the hazards on a visible sheet", found)
		}
		sheets = []string{found}
	}
	// A hidden sheet is never read: a person reviewing the workbook in
	// Excel does not see it, so a tamer copy of the log kept there must not
	// be what the gate judges.
	var hidden []string
	sheets = slices.DeleteFunc(sheets, func(s string) bool {
		if hiddenSheet(f, s) {
			hidden = append(hidden, s)
			return true
		}
		return false
	})
	hiddenWarnings := func() (w safetyfile.Problems) {
		for _, name := range hidden {
			w = append(w, warning(safetyfile.Location{File: file, Cell: fmt.Sprintf("sheet %q", name)},
				"this sheet is hidden in Excel, so it is not read; unhide it if it holds hazards"))
		}
		return w
	}
	m := newMatcher(cfg)
	sst := &sharedStringTable{f: f}
	formats := workbookFormats(f)
	var (
		bestGrid   *grid
		bestHeader *header
		readErrs   safetyfile.Problems
		unreadable safetyfile.Problems // of sheets without a header found
		tables     []string
	)
	for _, name := range sheets {
		g, perr := xlsxGrid(f, data, sst, formats, file, name, date1904)
		h, ok := m.findHeader(g)
		if !ok {
			// A sheet that cannot be read may hold the hazards: say why.
			unreadable = append(unreadable, perr...)
			continue
		}
		tables = append(tables, name)
		if bestHeader == nil || h.better(bestHeader) {
			bestGrid, bestHeader, readErrs = g, h, perr
		}
	}
	if bestHeader == nil && len(unreadable) > 0 {
		res := fail("no hazard table found in the sheets that could be read")
		res.Problems = append(res.Problems, unreadable...)
		return res
	}
	if bestHeader == nil {
		where := "no sheet"
		if sheet != "" {
			where = fmt.Sprintf("sheet %q", sheets[0])
		}
		hiddenNote := ""
		if len(hidden) > 0 {
			hiddenNote = fmt.Sprintf(" (hidden sheets are not read: sheet %s is hidden in Excel; unhide it if it holds the hazards)", strings.Join(quoteAllSlice(hidden), ", "))
		}
		return fail("no hazard table found: %s of %s has a header row naming the template's columns (e.g. %q, %q, %q, %q) in its first %d rows; name the sheet with --sheet, or map its headers under columns: in the gate configuration%s",
			where, quoteAll(f.GetSheetList()), "Hazard number", "Hazard name", "Initial Severity", "Residual Likelihood", headerScanRows, hiddenNote)
	}
	res := readTable(bestGrid, bestHeader, m, cfg)
	res.Problems = append(res.Problems, readErrs...)
	res.Problems = append(res.Problems, displayProblems(bestGrid, bestHeader, bestGrid.display)...)
	res.Problems = append(res.Problems, unreadable...)
	res.Warnings = append(res.Warnings, hiddenWarnings()...)
	// Hazards kept on a second sheet (closed ones, say) are not read; say so.
	for _, name := range tables {
		if name != bestGrid.sheet {
			res.Warnings = append(res.Warnings, warning(safetyfile.Location{File: file, Cell: fmt.Sprintf("sheet %q", name)},
				"this sheet also holds a hazard table, but only sheet %q is read; move its hazards there, or name the sheet to read with --sheet", bestGrid.sheet))
		}
	}
	return res
}

// xlsxGrid reads one sheet's raw cell values (numbers as stored, dates as
// serial numbers, formulas as their cached results) and its merged ranges.
// A read error is a problem: a half-read sheet must not pass.
func xlsxGrid(f *excelize.File, data []byte, sst *sharedStringTable, formats cellFormats, file, sheet string, date1904 bool) (*grid, safetyfile.Problems) {
	g := &grid{file: file, sheet: sheet, origin: map[cellRef]cellRef{}, width: map[cellRef]int{}, serialDates: true, date1904: date1904,
		display: newSheetDisplay(formats)}
	g.display.sharedRuns = sst.runColours
	var problems safetyfile.Problems
	where := safetyfile.Location{File: file, Cell: fmt.Sprintf("sheet %q", sheet)}
	var (
		all    [][]string
		merges []mergeRange
	)
	if part, content, ok := inMemorySheet(f, data, sheet); ok {
		// One pass over the sheet's XML reads its cells and merged ranges.
		rows, refs, err := scanSheetDisplay(bytes.NewReader(content), f.CharsetReader, sst.lookup, g.display)
		if err != nil {
			return g, append(problems, invalid(where, "cannot read the sheet (%s): %v; Excel never writes this: open the file in Excel and save it again as .xlsx", part, err))
		}
		if merges, err = mergeRects(refs); err != nil {
			return g, append(problems, invalid(where, "cannot read the sheet's merged cells: %v", err))
		}
		all = rows
	} else {
		// A sheet or shared strings part past the XML limit, which excelize
		// keeps in a temporary file: its row reader, then the merged ranges.
		var rowProblems safetyfile.Problems
		if all, rowProblems = excelizeRows(f, file, sheet); len(rowProblems) > 0 {
			return g, rowProblems
		}
		var err error
		if merges, err = sheetMergeRanges(f, data, sheet); err != nil {
			return g, append(problems, invalid(where, "cannot read the sheet's merged cells: %v", err))
		}
		// What Excel hides or shows otherwise, from the part as stored.
		if err := scanDisplay(f, data, sst, sheet, g.display); err != nil {
			return g, append(problems, invalid(where, "cannot read how the sheet shows its cells: %v", err))
		}
	}
	// What is drawn over the cells: pictures, shapes, text boxes.
	drawings, err := sheetDrawings(f, data, sheet)
	if err != nil {
		return g, append(problems, invalid(where, "cannot read the sheet's drawings: %v; open the file in Excel and save it again as .xlsx", err))
	}
	g.display.drawings = drawings
	last := -1
	for i, cols := range all {
		for j := range cols {
			cols[j] = unescapeFormula(cleanCell(cols[j]))
		}
		if len(cols) > 0 {
			last = i
		}
	}
	g.rows = all[:last+1]
	budget, width := mergeFillLimit, maxWidth(g.rows)
	for _, mc := range merges {
		c1, r1, c2, r2 := mc[0], mc[1], mc[2], mc[3]
		top := cellRef{min(r1, r2) - 1, min(c1, c2) - 1}
		left, bottom, right := top.c, max(r1, r2)-1, max(c1, c2)-1
		g.width[top] = right - left + 1
		// Only cells inside the read area matter; a range reaching to the
		// sheet's last row must not be walked cell by cell.
		bottom = min(bottom, len(g.rows)-1)
		right = min(right, width)
		for r := top.r; r <= bottom; r++ {
			for c := left; c <= right; c++ {
				if budget--; budget < 0 {
					return g, append(problems, invalid(where, "the sheet's merged cells cover too many cells to read"))
				}
				if r != top.r || c != left {
					g.origin[cellRef{r, c}] = top
				}
			}
		}
	}
	return g, problems
}

func maxWidth(rows [][]string) int {
	w := 0
	for _, r := range rows {
		w = max(w, len(r))
	}
	return w
}

// duplicatePart names a zip entry that another one repeats, in any case
// and with either slash, as OPC part names compare; "" when none does (or
// the file is no zip, which excelize then reports).
func duplicatePart(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	seen := make(map[string]bool, len(zr.File))
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		if seen[name] {
			return zf.Name
		}
		seen[name] = true
	}
	return ""
}

// hiddenSheet says whether Excel hides the sheet: any state but visible
// (hidden, veryHidden, or a value Excel would not open as visible).
func hiddenSheet(f *excelize.File, sheet string) bool {
	if f.WorkBook == nil {
		return true
	}
	for _, s := range f.WorkBook.Sheets.Sheet {
		if s.Name == sheet {
			return s.State != "" && s.State != "visible"
		}
	}
	return true
}

func quoteAllSlice(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return q
}

func quoteAll(names []string) string {
	return strings.Join(quoteAllSlice(names), ", ")
}

// excelizeRows reads a sheet's raw cell values with excelize's row reader.
func excelizeRows(f *excelize.File, file, sheet string) ([][]string, safetyfile.Problems) {
	var problems safetyfile.Problems
	where := safetyfile.Location{File: file, Cell: fmt.Sprintf("sheet %q", sheet)}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, append(problems, invalid(where, "cannot read the sheet: %v", err))
	}
	var all [][]string
	for rows.Next() {
		cols, err := rows.Columns() // raw values: the file was opened with RawCellValue
		if err != nil {
			problems = append(problems, invalid(safetyfile.Location{File: file, Cell: fmt.Sprintf("sheet %q row %d", sheet, len(all)+1)}, "cannot read this row: %v", err))
			break
		}
		all = append(all, cols)
	}
	if err := rows.Error(); err != nil {
		problems = append(problems, invalid(where, "cannot read the sheet to its end: %v", err))
	}
	if err := rows.Close(); err != nil {
		problems = append(problems, invalid(where, "cannot read the sheet: %v", err))
	}
	return all, problems
}
