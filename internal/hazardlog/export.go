package hazardlog

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// ExportSheet is the name of the sheet Export writes.
const ExportSheet = "Hazard Log"

// Export writes the log to path in the NHS template's layout so a CSO can
// keep working in a spreadsheet or in the Digital Clinical Safety Platform:
// xlsx (title block, two header rows with merged "Initial" / "Residual"
// group cells, risk cells filled by level), csv (one header row), markdown
// (a new directory with one hazard-N.md per hazard) or yaml (as Import).
// It reads what it wrote back with the layout's own reader and returns
// every field that would not come back exactly as in log (see losses): a
// layout is meant to keep everything, and must never lose a field silently.
func Export(log *safetyfile.HazardLog, format Format, path string) ([]string, error) {
	if log == nil {
		return nil, fmt.Errorf("export: no hazard log")
	}
	var data []byte
	var err error
	switch format {
	case FormatXLSX:
		data, err = exportXLSX(log)
	case FormatCSV:
		data, err = exportCSV(log)
	case FormatMarkdown:
		return exportMarkdown(log, path)
	case FormatYAML:
		data, err = Import(log)
	default:
		return nil, fmt.Errorf("export: format %q is not known; write one of %s", format, formatList())
	}
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", path, err)
	}
	back := loadBytes(path, data, format, "", verifyConfig())
	lost := losses(format, log, back.Log)
	return lost, writeFile(path, data)
}

// writeFile replaces path in one step, so a failed export leaves no half file.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// exportColumn is one column of the exported sheet.
type exportColumn struct {
	group string // the merged label above it (XLSX), or ""
	name  string // its header under the group, or alone
	full  string // its header when there is no group row (CSV)
	width float64
	// risk marks a risk column, filled by level in XLSX.
	risk bool
	// list names the dropdown values of a score or status column (XLSX).
	list []string
	// value is the cell on the k-th row of a hazard ("" for none).
	value func(h *safetyfile.Hazard, k int) string
}

const (
	groupInitial  = "Initial hazard risk assessment"
	groupControls = "Additional controls"
	groupResidual = "Residual hazard risk assessment"
)

// exportLayout is the template's columns, plus the columns this log needs
// to keep every field (a description, harm, other controls, dates).
func exportLayout(log *safetyfile.HazardLog) []exportColumn {
	var hasDesc, hasHarm, hasOther, hasUpdated, hasControlID, hasEvidence bool
	for _, h := range log.Hazards {
		hasDesc = hasDesc || h.Description != ""
		hasHarm = hasHarm || h.Harm != ""
		hasUpdated = hasUpdated || h.Updated.IsSet()
		for _, c := range h.Controls {
			hasOther = hasOther || exportKind(c.Kind) == "other"
			hasControlID = hasControlID || c.ID != ""
			hasEvidence = hasEvidence || c.Evidence != ""
		}
	}
	first := func(get func(h *safetyfile.Hazard) string) func(*safetyfile.Hazard, int) string {
		return func(h *safetyfile.Hazard, k int) string {
			if k == 0 {
				return get(h)
			}
			return ""
		}
	}
	nth := func(get func(h *safetyfile.Hazard) []string) func(*safetyfile.Hazard, int) string {
		return func(h *safetyfile.Hazard, k int) string {
			if list := get(h); k < len(list) {
				return list[k]
			}
			return ""
		}
	}
	// One control a row, in the log's order, in its kind's column; the
	// row's Control ID and Control evidence cells are that control's.
	controls := func(kind string) func(*safetyfile.Hazard, int) string {
		return func(h *safetyfile.Hazard, k int) string {
			if k < len(h.Controls) && exportKind(h.Controls[k].Kind) == kind {
				return h.Controls[k].Description
			}
			return ""
		}
	}
	control := func(get func(c safetyfile.Control) string) func(*safetyfile.Hazard, int) string {
		return func(h *safetyfile.Hazard, k int) string {
			if k < len(h.Controls) {
				return get(h.Controls[k])
			}
			return ""
		}
	}
	sevWords, likWords := titleWords(risk.SeverityWords), titleWords(risk.LikelihoodWords)
	cols := []exportColumn{
		{name: "Hazard number", width: 11, value: func(h *safetyfile.Hazard, _ int) string { return h.ID }},
		{name: "Hazard name", width: 32, value: first(func(h *safetyfile.Hazard) string { return h.Title })},
	}
	if hasDesc {
		cols = append(cols, exportColumn{name: "Hazard description", width: 40, value: first(func(h *safetyfile.Hazard) string { return h.Description })})
	}
	cols = append(cols, exportColumn{name: "Potential Clinical impact", width: 34, value: nth(func(h *safetyfile.Hazard) []string { return h.Effects })})
	if hasHarm {
		cols = append(cols, exportColumn{name: "Harm", width: 30, value: first(func(h *safetyfile.Hazard) string { return h.Harm })})
	}
	cols = append(cols,
		exportColumn{name: "Possible causes", width: 34, value: nth(func(h *safetyfile.Hazard) []string { return h.Causes })},
		exportColumn{name: "Existing controls", width: 34, value: controls("")},
		exportColumn{group: groupInitial, name: "Severity", full: "Initial Severity", width: 13, list: sevWords,
			value: first(func(h *safetyfile.Hazard) string { return severityCell(h.Initial.Severity) })},
		exportColumn{group: groupInitial, name: "Likelihood", full: "Initial Likelihood", width: 13, list: likWords,
			value: first(func(h *safetyfile.Hazard) string { return likelihoodCell(h.Initial.Likelihood) })},
		exportColumn{group: groupInitial, name: "Risk", full: "Initial Risk", width: 8, risk: true,
			value: first(func(h *safetyfile.Hazard) string { return riskCell(h, false) })},
		exportColumn{group: groupControls, name: "Design controls", width: 30, value: controls("design")},
		exportColumn{group: groupControls, name: "Test controls", width: 30, value: controls("test")},
		exportColumn{group: groupControls, name: "Training Control", width: 30, value: controls("training")},
		exportColumn{group: groupControls, name: "Business Process Change", width: 30, value: controls("procedure")},
	)
	if hasOther {
		cols = append(cols, exportColumn{group: groupControls, name: "Other controls", width: 30, value: controls("other")})
	}
	cols = append(cols,
		exportColumn{group: groupResidual, name: "Severity", full: "Residual Severity", width: 13, list: sevWords,
			value: first(func(h *safetyfile.Hazard) string { return severityCell(h.Residual.Severity) })},
		exportColumn{group: groupResidual, name: "Likelihood", full: "Residual Likelihood", width: 13, list: likWords,
			value: first(func(h *safetyfile.Hazard) string { return likelihoodCell(h.Residual.Likelihood) })},
		exportColumn{group: groupResidual, name: "Risk", full: "Residual Risk", width: 8, risk: true,
			value: first(func(h *safetyfile.Hazard) string { return riskCell(h, true) })},
		exportColumn{name: "Actions", width: 24, value: func(*safetyfile.Hazard, int) string { return "" }},
		exportColumn{name: "Owner", width: 18, value: first(func(h *safetyfile.Hazard) string { return h.Owner })},
		exportColumn{name: "Hazard Status", width: 13, list: titleWords(safetyfile.Statuses),
			value: first(func(h *safetyfile.Hazard) string { return statusCell(h.Status) })},
		exportColumn{name: "Components", width: 30, value: first(func(h *safetyfile.Hazard) string { return strings.Join(h.Components, "\n") })},
	)
	if hasUpdated {
		cols = append(cols, exportColumn{name: "Last updated", width: 13, value: first(func(h *safetyfile.Hazard) string { return h.Updated.String() })})
	}
	if hasControlID {
		cols = append(cols, exportColumn{name: "Control ID", width: 14, value: control(func(c safetyfile.Control) string { return c.ID })})
	}
	if hasEvidence {
		cols = append(cols, exportColumn{name: "Control evidence", width: 34, value: control(func(c safetyfile.Control) string { return c.Evidence })})
	}
	for i := range cols {
		if cols[i].full == "" {
			cols[i].full = cols[i].name
		}
	}
	return cols
}

// exportKind is the column a control goes to: its kind, with no kind read
// as an existing control and an unknown kind as other.
func exportKind(kind string) string {
	k := strings.ToLower(strings.TrimSpace(kind))
	switch k {
	case "", "design", "test", "training", "procedure", "other":
		return k
	}
	return "other"
}

// rowsOf is how many sheet rows a hazard takes: one per cause, impact or
// control, as the template's hazard → cause → control rows do.
func rowsOf(h *safetyfile.Hazard) int {
	return max(1, len(h.Causes), len(h.Effects), len(h.Controls))
}

func titleWords(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = titleCase(w)
	}
	return out
}

func severityCell(s risk.Severity) string {
	if !s.Valid() {
		return ""
	}
	return titleCase(s.String())
}

func likelihoodCell(l risk.Likelihood) string {
	if !l.Valid() {
		return ""
	}
	return titleCase(l.String())
}

// riskCell is the stated risk, or the matrix's when none is stated.
func riskCell(h *safetyfile.Hazard, residual bool) string {
	r := 0
	if h.Risk != nil {
		r = h.Risk.Initial
		if residual {
			r = h.Risk.Residual
		}
	}
	if r == 0 {
		if residual {
			r = int(h.ResidualRisk())
		} else {
			r = int(h.InitialRisk())
		}
	}
	if r == 0 {
		return ""
	}
	return strconv.Itoa(r)
}

// statusCell writes a known status as the template's dropdown does ("Open");
// any other is kept as written.
func statusCell(s string) string {
	if slices.Contains(safetyfile.Statuses, s) {
		return titleCase(s)
	}
	return s
}

// preambleRows is the template's title block: what the log is, and the
// facts of contract 1.1 the columns cannot hold.
func preambleRows(log *safetyfile.HazardLog) [][]string {
	rows := [][]string{{"Clinical safety hazard log"}, {"Product", csvSafe(log.Product)}}
	if log.Standard != "" {
		rows = append(rows, []string{"Standard", log.Standard})
	}
	if log.Reviewed.IsSet() {
		rows = append(rows, []string{"Last reviewed", log.Reviewed.String()})
	}
	return append(rows, []string{})
}

func exportCSV(log *safetyfile.HazardLog) ([]byte, error) {
	cols := exportLayout(log)
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // so Excel opens it as UTF-8
	w := csv.NewWriter(&buf)
	for _, row := range preambleRows(log) {
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.full
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	for i := range log.Hazards {
		h := &log.Hazards[i]
		for k := 0; k < rowsOf(h); k++ {
			row := make([]string, len(cols))
			for j, c := range cols {
				row[j] = csvSafe(c.value(h, k))
			}
			if err := w.Write(row); err != nil {
				return nil, err
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// formulaStarts are the characters that make a spreadsheet read a cell as a
// formula when it is opened (CSV) or edited (XLSX).
const formulaStarts = "=+-@\t\r"

// startsLikeFormula says whether v, less any leading apostrophes, starts
// like a formula.
func startsLikeFormula(v string) bool {
	v = strings.TrimLeft(v, "'")
	return v != "" && strings.ContainsRune(formulaStarts, rune(v[0]))
}

// csvSafe keeps a cell from running as a formula in a spreadsheet (the text
// comes from a repository anyone may propose changes to): a cell starting
// like a formula gets a leading apostrophe, which Excel shows as text and
// the readers remove again. Text that already starts with apostrophes
// before a formula character gets one more, so it too reads back as written.
func csvSafe(v string) string {
	if startsLikeFormula(v) {
		return "'" + v
	}
	return v
}

// riskFills are the DCB0129 levels' colours, 1 green to 5 red.
var riskFills = [5]string{"00B050", "92D050", "FFFF00", "FFC000", "FF0000"}

func exportXLSX(log *safetyfile.HazardLog) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ExportSheet); err != nil {
		return nil, err
	}
	cols := exportLayout(log)
	st, err := newExportStyles(f)
	if err != nil {
		return nil, err
	}
	sheet := ExportSheet
	cell := func(c, r int) string { return columnName(c) + strconv.Itoa(r) }
	var errs []error
	set := func(ref string, v any) {
		if err := f.SetCellValue(sheet, ref, v); err != nil {
			errs = append(errs, err)
		}
	}
	style := func(from, to string, id int) {
		if err := f.SetCellStyle(sheet, from, to, id); err != nil {
			errs = append(errs, err)
		}
	}
	// Title block.
	pre := preambleRows(log)
	for r, row := range pre {
		for c, v := range row {
			set(cell(c, r+1), v)
		}
		if len(row) > 1 {
			style(cell(0, r+1), cell(0, r+1), st.label)
		}
	}
	style("A1", "A1", st.title)
	// Two header rows: group labels merged across their columns above, the
	// other headers merged down across both rows.
	top := len(pre) + 1
	sub := top + 1
	for c := 0; c < len(cols); {
		col := cols[c]
		if col.group == "" {
			set(cell(c, top), col.name)
			if err := f.MergeCell(sheet, cell(c, top), cell(c, sub)); err != nil {
				errs = append(errs, err)
			}
			c++
			continue
		}
		end := c
		for end+1 < len(cols) && cols[end+1].group == col.group {
			end++
		}
		set(cell(c, top), col.group)
		if end > c {
			if err := f.MergeCell(sheet, cell(c, top), cell(end, top)); err != nil {
				errs = append(errs, err)
			}
		}
		for k := c; k <= end; k++ {
			set(cell(k, sub), cols[k].name)
		}
		c = end + 1
	}
	style(cell(0, top), cell(len(cols)-1, sub), st.header)
	// Data rows.
	r := sub + 1
	for i := range log.Hazards {
		h := &log.Hazards[i]
		for k := 0; k < rowsOf(h); k++ {
			for c, col := range cols {
				v := col.value(h, k)
				if v == "" {
					continue
				}
				if n, err := strconv.Atoi(v); err == nil && col.risk {
					set(cell(c, r), n)
				} else {
					set(cell(c, r), csvSafe(v))
				}
			}
			style(cell(0, r), cell(len(cols)-1, r), st.body)
			for c, col := range cols {
				if !col.risk {
					continue
				}
				if n, err := strconv.Atoi(col.value(h, k)); err == nil && n >= 1 && n <= 5 {
					style(cell(c, r), cell(c, r), st.risk[n-1])
				}
			}
			r++
		}
	}
	last := max(r-1, sub+1)
	for c, col := range cols {
		if err := f.SetColWidth(sheet, columnName(c), columnName(c), col.width); err != nil {
			errs = append(errs, err)
		}
		if len(col.list) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s:%s", cell(c, sub+1), cell(c, max(last, sub+200)))
			if err := dv.SetDropList(col.list); err != nil {
				errs = append(errs, err)
			} else if err := f.AddDataValidation(sheet, dv); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: sub, XSplit: 2, TopLeftCell: cell(2, sub+1), ActivePane: "bottomRight"}); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type exportStyles struct {
	title, label, header, body int
	risk                       [5]int
}

func newExportStyles(f *excelize.File) (*exportStyles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	var st exportStyles
	var err error
	defs := []struct {
		id *int
		s  *excelize.Style
	}{
		{&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&st.label, &excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&st.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.body, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
	}
	for i, fill := range riskFills {
		defs = append(defs, struct {
			id *int
			s  *excelize.Style
		}{&st.risk[i], &excelize.Style{Border: border, Font: &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}})
	}
	for _, d := range defs {
		if *d.id, err = f.NewStyle(d.s); err != nil {
			return nil, err
		}
	}
	return &st, nil
}

// ratingWords are the Digital Clinical Safety Platform's words for each risk level.
var ratingWords = [5]string{"Acceptable", "Acceptable", "Undesirable", "Mandatory-risk-elimination", "Unacceptable"}

// exportMarkdown writes one hazard file per hazard into a new (or empty)
// directory: it will not mix its files with hazard files already there,
// which would be read back as hazards too.
func exportMarkdown(log *safetyfile.HazardLog, dir string) ([]string, error) {
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if strings.EqualFold(filepath.Ext(e.Name()), ".md") {
				return nil, fmt.Errorf("export: %s already holds Markdown files (%s); export into a new or empty directory", dir, e.Name())
			}
		}
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("export: %w", err)
	}
	files := []mdInput{{filepath.Join(dir, "index.md"), markdownIndex(log)}}
	used := map[string]bool{}
	for i := range log.Hazards {
		h := &log.Hazards[i]
		files = append(files, mdInput{filepath.Join(dir, markdownFileName(h.ID, used)), markdownHazard(h)})
	}
	// Read back as loadMarkdown reads a directory: in file-name order.
	byName := map[string][]byte{}
	names := make([]string, len(files))
	for i, f := range files {
		byName[f.file], names[i] = f.data, f.file
	}
	sortNatural(names)
	inOrder := make([]mdInput, len(names))
	for i, n := range names {
		inOrder[i] = mdInput{n, byName[n]}
	}
	back := markdownResult(dir, true, inOrder, verifyConfig())
	lost := losses(FormatMarkdown, log, back.Log)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for _, f := range files {
		if err := writeFile(f.file, f.data); err != nil {
			return nil, err
		}
	}
	return lost, nil
}

// markdownIndex is the log's front page: what the hazard files cannot say
// about the log as a whole (product, standard, date of the last CSO review),
// in lines the Markdown reader takes back (see readMarkdownIndex).
func markdownIndex(log *safetyfile.HazardLog) []byte {
	var b strings.Builder
	b.WriteString("# Hazard log\n\n")
	if log.Product != "" {
		fmt.Fprintf(&b, "**Product:** %s\n\n", log.Product)
	}
	if log.Standard != "" {
		fmt.Fprintf(&b, "**Standard:** %s\n\n", log.Standard)
	}
	if log.Reviewed.IsSet() {
		fmt.Fprintf(&b, "**Last reviewed:** %s\n\n", log.Reviewed)
	}
	fmt.Fprintf(&b, "%d hazards, one file each.\n", len(log.Hazards))
	return []byte(b.String())
}

var (
	trailingNumber = regexp.MustCompile(`[0-9]+$`)
	unsafeName     = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
)

// markdownFileName is hazard-N.md for an id ending in a number (HAZ-7 →
// hazard-7.md), else hazard-<id>.md; the file also states the id, so a
// different prefix reads back the same.
func markdownFileName(id string, used map[string]bool) string {
	base := ""
	if n := trailingNumber.FindString(id); n != "" {
		base = "hazard-" + n
	}
	if base == "" || used[strings.ToLower(base)] {
		base = "hazard-" + strings.Trim(unsafeName.ReplaceAllString(id, "-"), "-.")
	}
	name := base
	for k := 2; used[strings.ToLower(name)]; k++ {
		name = fmt.Sprintf("%s-%d", base, k)
	}
	used[strings.ToLower(name)] = true
	return name + ".md"
}

// markdownHazard writes a hazard in the Digital Clinical Safety Platform's
// layout, with the residual scoring sections when the residual differs.
func markdownHazard(h *safetyfile.Hazard) []byte {
	var b strings.Builder
	section := func(heading, body string) {
		fmt.Fprintf(&b, "### %s\n", heading)
		if body != "" {
			b.WriteString(body)
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	list := func(items []string) string {
		var out []string
		for _, it := range items {
			lines := strings.Split(it, "\n")
			if needsItemEscape(lines[0]) {
				lines[0] = `\` + lines[0]
			}
			for i := 1; i < len(lines); i++ {
				if lines[i] != "" {
					lines[i] = "  " + lines[i]
				}
			}
			out = append(out, "- "+strings.Join(lines, "\n"))
		}
		return strings.Join(out, "\n")
	}
	section("Hazard ID", h.ID)
	section("Hazard name", escapeProse(h.Title))
	section("Likelihood scoring", likelihoodScore(h.Initial.Likelihood))
	section("Severity scoring", severityScore(h.Initial.Severity))
	section("Risk scoring", ratingScore(riskCell(h, false)))
	residualRisk, initialRisk := riskCell(h, true), riskCell(h, false)
	if h.Residual != h.Initial || residualRisk != initialRisk {
		section("Residual likelihood scoring", likelihoodScore(h.Residual.Likelihood))
		section("Residual severity scoring", severityScore(h.Residual.Severity))
		section("Residual risk scoring", ratingScore(residualRisk))
	}
	section("Description", escapeProse(h.Description))
	section("Cause(s)", list(h.Causes))
	section("Effect", list(h.Effects))
	section("Harm", escapeProse(h.Harm))
	// Controls keep the log's order: the leading existing controls under
	// their own section, the rest under New hazard controls with a
	// sub-heading for each run of one kind (mdcontrol.go writes each item).
	i := 0
	var existing []string
	for ; i < len(h.Controls) && exportKind(h.Controls[i].Kind) == ""; i++ {
		existing = append(existing, controlItem(h.Controls[i]))
	}
	section("Existing controls", list(existing))
	var runs []string
	for i < len(h.Controls) {
		kind := exportKind(h.Controls[i].Kind)
		var items []string
		for ; i < len(h.Controls) && exportKind(h.Controls[i].Kind) == kind; i++ {
			items = append(items, controlItem(h.Controls[i]))
		}
		runs = append(runs, "#### "+kindHeadings[kind]+"\n"+list(items))
	}
	section("New hazard controls", strings.Join(runs, "\n\n"))
	section("Hazard status", h.Status)
	section("Assignment", escapeProse(h.Owner))
	if h.Updated.IsSet() {
		section("Last updated", h.Updated.String())
	}
	var code []string
	for _, c := range h.Components {
		code = append(code, "- `"+c+"`")
	}
	section("Code associated with hazard", strings.Join(code, "\n"))
	return []byte(strings.TrimRight(b.String(), "\n") + "\n")
}

// kindHeadings are the sub-headings of New hazard controls, by kind.
var kindHeadings = map[string]string{
	"": "Existing controls", "design": "Design controls", "test": "Test controls",
	"training": "Training controls", "procedure": "Business process change", "other": "Other controls",
}

func likelihoodScore(l risk.Likelihood) string {
	if !l.Valid() {
		return ""
	}
	return fmt.Sprintf("%d - %s", int(l), titleCase(l.String()))
}

func severityScore(s risk.Severity) string {
	if !s.Valid() {
		return ""
	}
	return fmt.Sprintf("%d - %s", int(s), titleCase(s.String()))
}

func ratingScore(cell string) string {
	n, err := strconv.Atoi(cell)
	if err != nil || n < 1 || n > 5 {
		return cell
	}
	return fmt.Sprintf("%d - %s", n, ratingWords[n-1])
}
