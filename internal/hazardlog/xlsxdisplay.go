package hazardlog

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/csogate/csogate/internal/safetyfile"
)

// A CSO reviews the workbook in Excel; the gate reads what the file stores.
// Where the two differ, the gate must not judge what nobody saw. The sheet
// scan (scanSheetDisplay) notes, in a sheetDisplay, the cells Excel does not
// show as stored: in a hidden row or column (or one too small to read), or
// shown through a number format that hides the value or adds words or digits
// of its own (formatShows), directly or by conditional formatting. Once the
// hazard table is found, displayProblems refuses those among the cells the
// gate reads: the title block above the header, and the table's recognised
// columns from the header down. What the scan does not judge (font and fill
// colours, Excel 2010 conditional formats kept in extLst) is listed in
// docs/security.md.

// Sizes below which Excel's row or column cannot be read: a row a few points
// high, a column under a character wide.
const (
	minReadableRowHeight = 4.0 // points
	minReadableColWidth  = 1.0 // characters
	// maxDisplayIssues bounds what one sheet's scan keeps; past it every
	// cell is treated as unreadable rather than some being forgotten.
	maxDisplayIssues = 10000
)

// cellFormats is what the workbook's styles say of each cell format's
// number format: the code of a custom one ("" for a built-in, which shows
// the value), and of the differential formats conditional formatting uses.
type cellFormats struct {
	codes   []string // by cell format (xf) index
	custom  []bool
	dxfCode map[int]string // differential format index → its number format code, when it sets one
	// unreadable says, by cell format, why its text cannot be read on its
	// fill ("" when it can); dxfUnreadable the same of a differential format.
	unreadable    []string
	dxfUnreadable map[int]string
}

// workbookFormats reads the cell and differential formats' number formats.
func workbookFormats(f *excelize.File) cellFormats {
	var cf cellFormats
	if f.Styles == nil {
		return cf
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			if nf != nil {
				custom[nf.NumFmtID] = nf.FormatCode
			}
		}
	}
	if f.Styles.CellXfs != nil {
		for _, xf := range f.Styles.CellXfs.Xf {
			code, isCustom := "", false
			if xf.NumFmtID != nil {
				if c, ok := custom[*xf.NumFmtID]; ok {
					code, isCustom = c, true
				} else if *xf.NumFmtID >= 164 || *xf.NumFmtID < 0 {
					// Custom ids start at 164; one the workbook does not
					// define shows what Excel decides when it repairs the file.
					code, isCustom = `"undefined number format `+strconv.Itoa(*xf.NumFmtID)+`"`, true
				}
			}
			cf.codes = append(cf.codes, code)
			cf.custom = append(cf.custom, isCustom)
			cf.unreadable = append(cf.unreadable, xfUnreadable(f, xf.FontID, xf.FillID))
		}
	}
	if f.Styles.Dxfs != nil {
		cf.dxfCode, cf.dxfUnreadable = map[int]string{}, map[int]string{}
		for i, dxf := range f.Styles.Dxfs.Dxfs {
			if dxf == nil {
				continue
			}
			if dxf.NumFmt != nil {
				cf.dxfCode[i] = dxf.NumFmt.FormatCode
			}
			// A differential format changes only what it sets: the text
			// colour (else taken as black), the fill (else none, white). Its
			// solid fill's colour is bgColor, as Excel writes it.
			text, fill := "", ""
			if dxf.Font != nil && dxf.Font.Color != nil {
				c := dxf.Font.Color
				text = colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, "000000")
			}
			if dxf.Fill != nil && dxf.Fill.PatternFill != nil {
				pf := dxf.Fill.PatternFill
				if c := pf.BgColor; c != nil {
					fill = colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, "")
				} else if c := pf.FgColor; c != nil {
					fill = colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, "")
				}
			}
			if text != "" || fill != "" {
				cf.dxfUnreadable[i] = unreadableOn(cmp.Or(text, "000000"), cmp.Or(fill, "FFFFFF"))
			}
		}
	}
	return cf
}

// xfUnreadable says why text of the cell format's font cannot be read on
// its fill; "" when it can, or when the fill is a pattern or gradient whose
// look the gate does not work out.
func xfUnreadable(f *excelize.File, fontID, fillID *int) string {
	text, fill := "000000", "FFFFFF" // Excel's defaults: automatic text, no fill
	if fontID != nil && f.Styles.Fonts != nil && *fontID >= 0 && *fontID < len(f.Styles.Fonts.Font) {
		if font := f.Styles.Fonts.Font[*fontID]; font != nil && font.Color != nil {
			c := font.Color
			text = colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, "000000")
		}
	}
	if fillID != nil && f.Styles.Fills != nil && *fillID >= 0 && *fillID < len(f.Styles.Fills.Fill) {
		fl := f.Styles.Fills.Fill[*fillID]
		switch {
		case fl == nil:
		case fl.GradientFill != nil:
			return ""
		case fl.PatternFill != nil:
			switch pf := fl.PatternFill; pf.PatternType {
			case "", "none":
			case "solid":
				if c := pf.FgColor; c != nil {
					if fill = colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, ""); fill == "" {
						return ""
					}
				}
			default:
				return ""
			}
		}
	}
	return unreadableOn(text, fill)
}

// unreadableOn says why text of one colour cannot be read on a fill of
// another; "" when it can.
func unreadableOn(text, fill string) string {
	if r, ok := contrast(text, fill); ok && r < minContrast {
		return fmt.Sprintf("its text colour #%s on its fill #%s cannot be read (contrast %.2f to 1)", text, fill, r)
	}
	return ""
}

// sheetDisplay collects, while a sheet is scanned, where Excel shows a cell
// otherwise than the file stores it.
type sheetDisplay struct {
	formats    cellFormats
	zeroHeight bool // rows are hidden unless they say their height
	hiddenRows map[int]bool
	hiddenCols [][2]int // 0-based, inclusive
	issues     []displayIssue
	condRange  string // the sqref of the <conditionalFormatting> being read
	conds      []condIssue
	overflow   bool
	parsed     map[int][]formatSection // by cell format, parsed once
}

// displayIssue is a cell whose number format does not show what it stores.
type displayIssue struct {
	row, col int
	why, fix string
}

// condIssue is a conditional format that can show cells of its range
// through a number format that does not show their value.
type condIssue struct {
	sqref, why string
}

func newSheetDisplay(formats cellFormats) *sheetDisplay {
	return &sheetDisplay{formats: formats, hiddenRows: map[int]bool{}}
}

func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func xmlTrue(v string) bool {
	v = strings.TrimSpace(v)
	return v == "1" || v == "true"
}

// formatPr reads <sheetFormatPr>: zeroHeight hides every row that does
// not give its own height.
func (s *sheetDisplay) formatPr(attrs []xml.Attr) {
	s.zeroHeight = xmlTrue(attr(attrs, "zeroHeight"))
}

// row notes a hidden row, or one too low to read.
func (s *sheetDisplay) row(r int, attrs []xml.Attr) {
	hidden := xmlTrue(attr(attrs, "hidden"))
	ht, err := strconv.ParseFloat(strings.TrimSpace(attr(attrs, "ht")), 64)
	hasHeight := err == nil && xmlTrue(attr(attrs, "customHeight"))
	if hasHeight && ht < minReadableRowHeight {
		hidden = true
	}
	if s.zeroHeight && !hasHeight {
		hidden = true
	}
	if hidden {
		s.hiddenRows[r] = true
	}
}

// col notes a hidden column range, or one too narrow to read.
func (s *sheetDisplay) col(attrs []xml.Attr) error {
	hidden := xmlTrue(attr(attrs, "hidden"))
	if w, err := strconv.ParseFloat(strings.TrimSpace(attr(attrs, "width")), 64); err == nil && w < minReadableColWidth {
		hidden = true
	}
	if !hidden {
		return nil
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(attr(attrs, "min")))
	hi, err2 := strconv.Atoi(strings.TrimSpace(attr(attrs, "max")))
	if err1 != nil || err2 != nil || lo < 1 || hi < lo || hi > excelize.MaxColumns {
		return fmt.Errorf("a hidden column range <col min=%q max=%q> Excel would not open", attr(attrs, "min"), attr(attrs, "max"))
	}
	s.hiddenCols = append(s.hiddenCols, [2]int{lo - 1, hi - 1})
	return nil
}

// condRule notes a conditional format whose differential format sets a
// number format that does not always show the value.
func (s *sheetDisplay) condRule(attrs []xml.Attr) error {
	v := strings.TrimSpace(attr(attrs, "dxfId"))
	if v == "" {
		return nil
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("conditional format dxfId %q is not a number", v)
	}
	if why := s.formats.dxfUnreadable[id]; why != "" {
		s.conds = append(s.conds, condIssue{sqref: s.condRange, why: "conditional formatting gives it text that cannot be read: " + why})
	}
	code, ok := s.formats.dxfCode[id]
	if !ok {
		return nil
	}
	if why := formatAlwaysShows(code); why != "" {
		s.conds = append(s.conds, condIssue{sqref: s.condRange, why: fmt.Sprintf("conditional formatting shows it through the number format %q, which %s", code, why)})
	}
	return nil
}

// cell notes a cell with a value whose format does not show it.
func (s *sheetDisplay) cell(r, c, style int, value, typ string) error {
	if style < 0 || style >= len(s.formats.codes) {
		if style == 0 && len(s.formats.codes) == 0 {
			return nil // no cell formats at all: every cell is General
		}
		return fmt.Errorf("style %d is not one of the workbook's %d cell formats", style, len(s.formats.codes))
	}
	if why := s.formats.unreadable[style]; why != "" {
		s.note(r, c, why, "set the cell's font colour to Automatic (Home > Font Color > Automatic) or clear its fill")
	}
	if !s.formats.custom[style] {
		return nil
	}
	code := s.formats.codes[style]
	text := typ == "s" || typ == "inlineStr" || typ == "str"
	if s.parsed == nil {
		s.parsed = map[int][]formatSection{}
	}
	sections, ok := s.parsed[style]
	if !ok {
		sections = parseFormat(code)
		s.parsed[style] = sections
	}
	if ok, why := sectionsShow(sections, value, text); !ok {
		s.note(r, c, fmt.Sprintf("its number format %q %s", code, why), "give the cell the General format (Home > Number > General)")
	}
	return nil
}

// note keeps a cell Excel does not show as stored, up to maxDisplayIssues.
func (s *sheetDisplay) note(r, c int, why, fix string) {
	if len(s.issues) == maxDisplayIssues {
		s.overflow = true
		return
	}
	s.issues = append(s.issues, displayIssue{row: r, col: c, why: why, fix: fix})
}

// formatAlwaysShows says why a format might not show a cell's value ("" when
// it always does): a conditional format applies to numbers and text alike.
func formatAlwaysShows(code string) string {
	for i, s := range parseFormat(code) {
		switch {
		case i == 3 && !s.textAt:
			return "shows no text"
		case i == 3 && s.ownText != "":
			return fmt.Sprintf("adds %q to the text", s.ownText)
		case i < 3 && !s.placeholder && !(i == 0 && s.textAt):
			return "shows nothing of some numbers"
		case i < 3 && s.ownText != "":
			return fmt.Sprintf("adds %q of its own", s.ownText)
		}
	}
	return ""
}

func (s *sheetDisplay) colHidden(c int) bool {
	for _, span := range s.hiddenCols {
		if c >= span[0] && c <= span[1] {
			return true
		}
	}
	return false
}

// displayProblems refuses the cells the gate reads that Excel does not show
// as stored: above the header (the title block: product, review date), any
// cell; from the header down, the recognised columns.
func displayProblems(g *grid, h *header, s *sheetDisplay) safetyfile.Problems {
	if s == nil {
		return nil
	}
	top := h.row
	if h.twoRows {
		top--
	}
	read := map[int]bool{}
	for _, hc := range h.cols {
		if hc.ok {
			read[hc.col] = true
		}
	}
	reads := func(r, c int) bool { return r < top || read[c] }
	const most = 5 // cells named; the rest counted
	var out safetyfile.Problems
	more := 0
	add := func(r, c int, format string, args ...any) {
		if len(out) == most {
			more++
			return
		}
		out = append(out, invalid(g.cellLoc(r, c), format, args...))
	}
	for r, row := range g.rows {
		for c, v := range row {
			if cleanCell(v) == "" || !reads(r, c) {
				continue
			}
			switch {
			case s.hiddenRows[r]:
				add(r, c, "this cell is in a row Excel hides (or too low to read), so a person reviewing the workbook does not see what the gate would read; unhide the row (Format > Hide & Unhide > Unhide Rows, and clear any filter)")
			case s.colHidden(c):
				add(r, c, "this cell is in a column Excel hides (or too narrow to read), so a person reviewing the workbook does not see what the gate would read; unhide the column (Format > Hide & Unhide > Unhide Columns)")
			}
		}
	}
	for _, is := range s.issues {
		if is.row < len(g.rows) && reads(is.row, is.col) {
			add(is.row, is.col, "Excel does not show this cell as stored: %s; %s", is.why, is.fix)
		}
	}
	for _, ci := range s.conds {
		rects, err := mergeRects(strings.Fields(ci.sqref))
		covers := err != nil || len(rects) == 0 // a range the gate cannot place may cover anything
		for _, rc := range rects {
			c1, r1, c2, r2 := min(rc[0], rc[2])-1, min(rc[1], rc[3])-1, max(rc[0], rc[2])-1, max(rc[1], rc[3])-1
			if r1 < top {
				covers = true
			}
			for c := range read {
				if c >= c1 && c <= c2 && r2 >= top {
					covers = true
				}
			}
		}
		if covers {
			out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q range %s", g.sheet, ci.sqref)},
				"Excel may not show these cells as stored: %s; change that conditional formatting rule (Home > Conditional Formatting > Manage Rules)", ci.why))
		}
	}
	if s.overflow {
		out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q", g.sheet)},
			"more than %d cells are shown through number formats or colours that hide their value or add text of their own; give the sheet's cells the General format and automatic font colour", maxDisplayIssues))
	}
	if more > 0 {
		out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q", g.sheet)},
			"%d more cells the gate reads are hidden or shown otherwise than stored", more))
	}
	return out
}

// minContrast is the contrast ratio (as WCAG computes it, 1 to 21) under
// which text is taken as unreadable on its background: white on white is 1,
// pale yellow on white about 1.07, black on white 21.
const minContrast = 1.5

// colourRGB is a colour of the workbook's styles as six hex digits, as
// Excel shows it: an ARGB value, a theme colour with its tint, or a legacy
// palette index (64 is the system's text colour, 65 its background).
// fallback stands for an automatic colour, or one that cannot be told.
func colourRGB(f *excelize.File, auto bool, argb string, indexed int, theme *int, tint float64, fallback string) string {
	switch {
	case auto:
		return fallback
	case theme == nil && argb == "" && indexed == 64:
		return "000000"
	case theme == nil && argb == "" && indexed == 65:
		return "FFFFFF"
	}
	base := f.GetBaseColor(argb, indexed, theme)
	if len(base) == 8 {
		base = base[2:]
	}
	if len(base) != 6 {
		return fallback
	}
	if _, err := strconv.ParseUint(base, 16, 32); err != nil {
		return fallback
	}
	if tint != 0 {
		if t := excelize.ThemeColor(base, tint); len(t) == 8 {
			base = t[2:]
		}
	}
	return strings.ToUpper(base)
}

// relativeLuminance of six hex digits, as WCAG defines it.
func relativeLuminance(hex string) (float64, bool) {
	if len(hex) != 6 {
		return 0, false
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return 0, false
	}
	channel := func(x uint64) float64 {
		s := float64(x) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(v>>16&0xff) + 0.7152*channel(v>>8&0xff) + 0.0722*channel(v&0xff), true
}

// contrast is the WCAG contrast ratio of two colours (six hex digits each).
func contrast(a, b string) (float64, bool) {
	la, ok1 := relativeLuminance(a)
	lb, ok2 := relativeLuminance(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05), true
}
