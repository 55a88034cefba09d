package hazardlog

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"maps"
	"math"
	"slices"
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
// columns from the header down. What the scan does not judge (patterned
// fills, strike-through, indents) is listed in docs/security.md.

// Sizes below which Excel's row or column cannot be read: a row a few points
// high, a column under a character wide.
const (
	minReadableRowHeight = 4.0 // points
	minReadableColWidth  = 1.0 // characters
	minReadableFontSize  = 4.0 // points
	// maxDisplayIssues bounds what one sheet's scan keeps; past it every
	// cell is treated as unreadable rather than some being forgotten.
	maxDisplayIssues = 10000
	// maxCondSearches bounds how many conditional formats' ranges are
	// searched for a cell whose own colours theirs make unreadable; past
	// it the sheet is refused rather than searched without end.
	maxCondSearches = 100
	// maxCondWork bounds the comparisons of conditional formats' ranges
	// with cells (some 0.1 s of work).
	maxCondWork = 50_000_000
)

// cellFormats is what the workbook's styles say of how each cell format
// (xf) and differential format (dxf, of conditional formatting) shows a
// cell, where Excel's choice is open, every choice it may make.
type cellFormats struct {
	xfs  []xfLook
	dxfs map[int]dxfLook
	file *excelize.File // for the colours of rich text runs
	// palette is the workbook's legacy colours by index (its own
	// indexedColors, else Excel's), for a number format's [ColorN].
	palette []string
}

// xfLook is how a cell format may show a cell.
type xfLook struct {
	codes []string // custom number formats Excel may show it through (none: a built-in, which shows the value)
	texts []string // text colours (six hex digits) Excel may give it
	fills []string // fill colours; "" a pattern or gradient whose look the gate does not work out
	// bad says why Excel's look of the cell cannot be told ("" when it can).
	bad string
	// tiny says its font is too small to read ("" when it is not).
	tiny string
	// own says its colours are not automatic text on no fill.
	own bool
}

// dxfLook is what a differential format changes: nil where it sets nothing.
type dxfLook struct {
	code         *string
	texts, fills []string
	bad          string
}

// builtinFormats are Excel's own number formats that show a number other
// than as it is (scaled, or as a date or time), by id: the rest show the
// value. The dates Excel defines per locale (27-36, 50-58) are judged as
// dates.
var builtinFormats = func() map[int]string {
	m := map[int]string{9: "0%", 10: "0.00%", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0"}
	for _, id := range []int{14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58} {
		m[id] = "yyyy-mm-dd"
	}
	for _, id := range []int{18, 19, 20, 21, 32, 33, 55, 56} {
		m[id] = "h:mm:ss"
	}
	return m
}()

// workbookFormats reads how the cell and differential formats show a cell.
func workbookFormats(f *excelize.File) cellFormats {
	cf := cellFormats{file: f}
	cf.palette = make([]string, 66)
	for i := range cf.palette {
		cf.palette[i], _ = indexedRGB(f, i)
	}
	if f.Styles == nil {
		return cf
	}
	// Custom ids start at 164; an id the workbook defines twice may show
	// either (both are judged).
	custom := map[int][]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			if nf != nil && !slices.Contains(custom[nf.NumFmtID], nf.FormatCode) {
				custom[nf.NumFmtID] = append(custom[nf.NumFmtID], nf.FormatCode)
			}
		}
	}
	codes := func(id *int) []string {
		switch {
		case id == nil:
			return nil
		case custom[*id] != nil:
			return custom[*id]
		case builtinFormats[*id] != "":
			return []string{builtinFormats[*id]}
		case *id >= 164 || *id < 0:
			// One the workbook does not define shows what Excel decides
			// when it repairs the file.
			return []string{`"undefined number format ` + strconv.Itoa(*id) + `"`}
		}
		return nil
	}
	if f.Styles.CellXfs != nil {
		for _, xf := range f.Styles.CellXfs.Xf {
			// A cell format that says it does not apply its own number
			// format, font or fill may be shown with its cell style's
			// (xfId): both are judged.
			hasParent := false
			var parentNumFmt, parentFont, parentFill *int
			if st := f.Styles.CellStyleXfs; st != nil && xf.XfID != nil && *xf.XfID >= 0 && *xf.XfID < len(st.Xf) {
				p := st.Xf[*xf.XfID]
				hasParent, parentNumFmt, parentFont, parentFill = true, p.NumFmtID, p.FontID, p.FillID
			}
			notApplied := func(apply *bool) bool { return hasParent && apply != nil && !*apply }
			var look xfLook
			look.codes = slices.Clone(codes(xf.NumFmtID))
			fonts, fills := []*int{xf.FontID}, []*int{xf.FillID}
			if notApplied(xf.ApplyNumberFormat) {
				for _, c := range codes(parentNumFmt) {
					look.codes = appendNew(look.codes, c)
				}
			}
			if notApplied(xf.ApplyFont) {
				fonts = append(fonts, parentFont)
			}
			if notApplied(xf.ApplyFill) {
				fills = append(fills, parentFill)
			}
			for _, id := range fonts {
				if size, ok := fontSize(f, id); ok && !(size >= minReadableFontSize) {
					look.tiny = fmt.Sprintf("its font is too small to read (%g pt)", size)
				}
				text, why := fontRGB(f, id)
				look.texts = appendNew(look.texts, text)
				look.bad = cmp.Or(look.bad, why)
			}
			for _, id := range fills {
				fill, why := fillRGB(f, id)
				look.fills = appendNew(look.fills, fill)
				look.bad = cmp.Or(look.bad, why)
			}
			look.own = !slices.Equal(look.texts, []string{"000000"}) || !slices.Equal(look.fills, []string{"FFFFFF"})
			cf.xfs = append(cf.xfs, look)
		}
	}
	if f.Styles.Dxfs != nil {
		cf.dxfs = map[int]dxfLook{}
		for i, dxf := range f.Styles.Dxfs.Dxfs {
			if dxf == nil {
				continue
			}
			var look dxfLook
			if dxf.NumFmt != nil {
				look.code = &dxf.NumFmt.FormatCode
			}
			// A differential format changes only what it sets. Excel
			// paints its solid fill in bgColor; a fgColor it also carries
			// is judged too.
			if dxf.Font != nil && dxf.Font.Color != nil {
				c := dxf.Font.Color
				text, ok := colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, "000000")
				if !ok {
					look.bad = "conditional formatting gives it a text colour whose look cannot be told"
				}
				look.texts = []string{text}
			}
			if dxf.Fill != nil && dxf.Fill.PatternFill != nil {
				pf := dxf.Fill.PatternFill
				fill := func(auto bool, rgb string, indexed int, theme *int, tint float64) {
					c, ok := colourRGB(f, auto, rgb, indexed, theme, tint, "000000")
					if !ok {
						look.bad = "conditional formatting gives it a fill whose look cannot be told"
					}
					look.fills = appendNew(look.fills, c)
				}
				if pf.PatternType == "none" {
					// It may clear the cell's own fill: judged on none (white).
					look.fills = appendNew(look.fills, "FFFFFF")
				}
				if c := pf.BgColor; c != nil {
					fill(c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint)
				}
				if c := pf.FgColor; c != nil {
					fill(c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint)
				}
			}
			cf.dxfs[i] = look
		}
	}
	return cf
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// sheetDisplay collects, while a sheet is scanned, where Excel shows a cell
// otherwise than the file stores it.
type sheetDisplay struct {
	formats    cellFormats
	zeroHeight bool // rows are hidden unless they say their height
	lowRows    bool // rows that do not say their height are too low to read
	hideZeros  bool // the sheet shows a zero as a blank
	// narrowCols: columns no <col> gives a width are too narrow to read
	// (the sheet's default width is under a character).
	narrowCols bool
	hiddenRows map[int]bool
	hiddenCols [][2]int // 0-based, inclusive
	sizedCols  [][2]int // given a readable width of their own
	issues     []displayIssue
	condRange  string // the sqref of the <conditionalFormatting> being read
	conds      []condIssue
	overflow   bool
	parsed     map[string][]formatSection // by number format code, parsed once
	shows      map[string]string          // formatAlwaysShows by code
	drawings   []drawingBox               // the cells pictures, shapes and text boxes lie over
	ext        extCond
	extRules   int // Excel 2010 rules read, for their looks' keys
	// sharedRuns gives the colours a shared string's rich text runs set.
	sharedRuns func(i int) []runColour
	// looks holds the cell format of each cell with colours of its own,
	// for the conditional formats over it.
	// (12 bytes a cell, in sheet order).
	looks []cellLook
}

// cellLook is a cell shown with colours of its own: its cell format.
type cellLook struct{ r, c, style int32 }

// displayIssue is a cell whose number format does not show what it stores.
type displayIssue struct {
	row, col int
	why, fix string
}

// condIssue is a conditional format over sqref: why, when it does not show
// its cells' values whatever their own look, else the differential format
// to judge with each cell's own colours.
type condIssue struct {
	sqref, why string
	dxf        int      // a key for the look: the dxf index, or negative for an Excel 2010 rule's own
	look       *dxfLook // what the rule changes
}

// extCond is an Excel 2010 conditional format (kept in the sheet's extLst)
// being read: its rules carry their differential formats inline.
type extCond struct {
	in, inSqref bool
	sqref       []byte
	rules       []extRule
}

type extRule struct {
	look  dxfLook
	hides bool // an icon set or data bar that shows no value
}

func newSheetDisplay(formats cellFormats) *sheetDisplay {
	return &sheetDisplay{formats: formats, hiddenRows: map[int]bool{}}
}

// attr is an attribute's value ("" when absent); plainAttrs has made sure
// there is at most one.
func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// plainAttrs refuses, among the named attributes Excel reads, one given
// twice (not well-formed XML, which Go's decoder lets through) or one in
// another namespace: Excel reads only its own, and the gate must read the
// same one. Excel's own prefixed attributes (x14ac:dyDescent) have other
// names.
func plainAttrs(elem string, attrs []xml.Attr, names ...string) error {
	for i, a := range attrs {
		if !slices.Contains(names, a.Name.Local) || a.Name.Space == "xmlns" {
			continue
		}
		if a.Name.Space != "" {
			return fmt.Errorf("<%s> has an attribute %s:%s in another namespace, which Excel ignores; Excel never writes this", elem, a.Name.Space, a.Name.Local)
		}
		for _, b := range attrs[:i] {
			if b.Name.Space == "" && b.Name.Local == a.Name.Local {
				return fmt.Errorf("<%s> has the attribute %s twice; Excel never writes this", elem, a.Name.Local)
			}
		}
	}
	return nil
}

func xmlTrue(v string) bool {
	v = strings.TrimSpace(v)
	return v == "1" || v == "true"
}

// formatPr reads <sheetFormatPr>: zeroHeight hides every row that does
// not give its own height; a default column width (or, without one, a
// base width) under a character leaves every column without a width of
// its own unreadable.
func (s *sheetDisplay) formatPr(attrs []xml.Attr) error {
	if err := plainAttrs("sheetFormatPr", attrs, "zeroHeight", "defaultColWidth", "baseColWidth", "defaultRowHeight"); err != nil {
		return err
	}
	s.zeroHeight = xmlTrue(attr(attrs, "zeroHeight"))
	if v := strings.TrimSpace(attr(attrs, "defaultRowHeight")); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		s.lowRows = err != nil || !(h >= minReadableRowHeight)
	}
	width := attr(attrs, "defaultColWidth")
	if width == "" {
		width = attr(attrs, "baseColWidth")
	}
	if width != "" {
		w, err := strconv.ParseFloat(strings.TrimSpace(width), 64)
		s.narrowCols = err != nil || !(w >= minReadableColWidth)
	}
	return nil
}

// row notes a hidden row, or one too low to read: a height under 4
// points hides the row whether or not it says it was set by hand.
func (s *sheetDisplay) row(r int, attrs []xml.Attr) {
	hidden := xmlTrue(attr(attrs, "hidden"))
	htText := strings.TrimSpace(attr(attrs, "ht"))
	ht, err := strconv.ParseFloat(htText, 64)
	if htText != "" && (err != nil || !(ht >= minReadableRowHeight)) {
		hidden = true
	}
	hasHeight := err == nil && xmlTrue(attr(attrs, "customHeight"))
	if s.zeroHeight && !hasHeight || s.lowRows && htText == "" {
		hidden = true
	}
	if hidden {
		s.hiddenRows[r] = true
	}
}

// col notes a hidden column range, or one too narrow to read, and one given
// a readable width of its own.
func (s *sheetDisplay) col(attrs []xml.Attr) error {
	if err := plainAttrs("col", attrs, "min", "max", "width", "hidden", "customWidth"); err != nil {
		return err
	}
	hidden := xmlTrue(attr(attrs, "hidden"))
	widthText := strings.TrimSpace(attr(attrs, "width"))
	w, err := strconv.ParseFloat(widthText, 64)
	if widthText != "" && (err != nil || !(w >= minReadableColWidth)) {
		hidden = true
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(attr(attrs, "min")))
	hi, err2 := strconv.Atoi(strings.TrimSpace(attr(attrs, "max")))
	if err1 != nil || err2 != nil || lo < 1 || hi < lo || hi > excelize.MaxColumns {
		if !hidden && widthText == "" {
			return nil // says nothing of how the columns show
		}
		return fmt.Errorf("a column range <col min=%q max=%q> Excel would not open", attr(attrs, "min"), attr(attrs, "max"))
	}
	switch {
	case hidden:
		s.hiddenCols = append(s.hiddenCols, [2]int{lo - 1, hi - 1})
	case widthText != "":
		s.sizedCols = append(s.sizedCols, [2]int{lo - 1, hi - 1})
	}
	return nil
}

// sheetView notes a view that shows zeros as blanks.
func (s *sheetDisplay) sheetView(attrs []xml.Attr) error {
	if err := plainAttrs("sheetView", attrs, "showZeros"); err != nil {
		return err
	}
	if v := strings.TrimSpace(attr(attrs, "showZeros")); v == "0" || v == "false" {
		s.hideZeros = true
	}
	return nil
}

// condBarOrIcons notes a data bar or icon set that shows no value.
func (s *sheetDisplay) condBarOrIcons(elem string, attrs []xml.Attr) error {
	if err := plainAttrs(elem, attrs, "showValue"); err != nil {
		return err
	}
	if v := strings.TrimSpace(attr(attrs, "showValue")); v == "0" || v == "false" {
		if len(s.conds) >= maxDisplayIssues {
			s.overflow = true
			return nil
		}
		s.conds = append(s.conds, condIssue{sqref: s.condRange, why: "conditional formatting shows a bar or icons instead of the value"})
	}
	return nil
}

// conditionalFormatting starts a conditional format's rules over sqref.
func (s *sheetDisplay) conditionalFormatting(attrs []xml.Attr) error {
	if err := plainAttrs("conditionalFormatting", attrs, "sqref"); err != nil {
		return err
	}
	s.condRange = attr(attrs, "sqref")
	return nil
}

// condRule notes a conditional format whose differential format sets a
// number format that does not always show the value, or colours that
// (on some cell of its range) cannot be read.
func (s *sheetDisplay) condRule(attrs []xml.Attr) error {
	if err := plainAttrs("cfRule", attrs, "dxfId"); err != nil {
		return err
	}
	v := strings.TrimSpace(attr(attrs, "dxfId"))
	if v == "" {
		return nil
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("conditional format dxfId %q is not a number", v)
	}
	if len(s.conds) >= maxDisplayIssues {
		s.overflow = true // past it, refused rather than judged
		return nil
	}
	look, ok := s.formats.dxfs[id]
	if !ok {
		// What Excel makes of it when it repairs the file cannot be told.
		s.conds = append(s.conds, condIssue{sqref: s.condRange, why: fmt.Sprintf("conditional formatting names a differential format (dxfId %d) the workbook does not have", id)})
		return nil
	}
	if look.bad != "" {
		s.conds = append(s.conds, condIssue{sqref: s.condRange, why: look.bad})
	}
	if look.code != nil {
		if why := s.alwaysShows(*look.code); why != "" {
			s.conds = append(s.conds, condIssue{sqref: s.condRange, why: fmt.Sprintf("conditional formatting shows it through the number format %q, which %s", *look.code, why)})
		}
	}
	if look.texts != nil || look.fills != nil || look.code != nil {
		s.conds = append(s.conds, condIssue{sqref: s.condRange, dxf: id, look: &look})
	}
	return nil
}

// extStart reads an element of the sheet's extLst at depth (its parent's
// name given): Excel 2010 conditional formats, whose rules carry their
// differential formats, and icon sets, inline.
func (s *sheetDisplay) extStart(depth int, parent string, t xml.StartElement) {
	name := t.Name.Local
	switch {
	case depth == 4 && name == "conditionalFormatting":
		s.ext = extCond{in: true}
		return
	case !s.ext.in:
		return
	case depth == 5 && name == "cfRule":
		s.ext.rules = append(s.ext.rules, extRule{})
		return
	case depth == 5 && name == "sqref":
		s.ext.inSqref = true
		return
	case len(s.ext.rules) == 0:
		return
	}
	rule := &s.ext.rules[len(s.ext.rules)-1]
	colour := func(fallback string) string {
		rc := readRunColour(t.Attr)
		c, ok := colourRGB(s.formats.file, rc.auto, rc.rgb, rc.indexed, rc.theme, rc.tint, fallback)
		if !ok {
			rule.look.bad = "conditional formatting gives it a colour whose look cannot be told"
		}
		return c
	}
	switch {
	case depth == 6 && (name == "iconSet" || name == "dataBar"):
		if v := strings.TrimSpace(attr(t.Attr, "showValue")); v == "0" || v == "false" {
			rule.hides = true
		}
	case depth == 7 && parent == "dxf" && name == "numFmt":
		code := attr(t.Attr, "formatCode")
		rule.look.code = &code
	case depth == 8 && parent == "font" && name == "color":
		rule.look.texts = appendNew(rule.look.texts, colour("000000"))
	case depth == 9 && parent == "patternFill" && (name == "bgColor" || name == "fgColor"):
		rule.look.fills = appendNew(rule.look.fills, colour("000000"))
	}
}

// extText takes the text of an Excel 2010 conditional format's range.
func (s *sheetDisplay) extText(b []byte) {
	if s.ext.inSqref && len(s.ext.sqref) < maxMergeRefLen {
		s.ext.sqref = append(s.ext.sqref, b...)
	}
}

// extEnd closes an element of the sheet's extLst at depth; closing an
// Excel 2010 conditional format notes its rules as condRule does.
func (s *sheetDisplay) extEnd(depth int, name string) {
	switch {
	case name == "sqref":
		s.ext.inSqref = false
	case depth == 4 && name == "conditionalFormatting" && s.ext.in:
		sqref := strings.TrimSpace(string(s.ext.sqref))
		for _, rule := range s.ext.rules {
			if len(s.conds) >= maxDisplayIssues {
				s.overflow = true
				break
			}
			s.extRules++
			look := rule.look
			switch {
			case rule.hides:
				s.conds = append(s.conds, condIssue{sqref: sqref, why: "conditional formatting shows a bar or icons instead of the value"})
			case look.bad != "":
				s.conds = append(s.conds, condIssue{sqref: sqref, why: look.bad})
			case look.code != nil && s.alwaysShows(*look.code) != "":
				s.conds = append(s.conds, condIssue{sqref: sqref, why: fmt.Sprintf("conditional formatting shows it through the number format %q, which %s", *look.code, s.alwaysShows(*look.code))})
			case look.texts != nil || look.fills != nil || look.code != nil:
				s.conds = append(s.conds, condIssue{sqref: sqref, dxf: -s.extRules, look: &look})
			}
		}
		s.ext = extCond{}
	}
}

// cell notes a cell with a value whose format does not show it. runColours
// are the colours its rich text runs set (of a shared string).
func (s *sheetDisplay) cell(r, c, style int, value, typ string, runs []runColour) error {
	if style < 0 || style >= len(s.formats.xfs) {
		if style == 0 && len(s.formats.xfs) == 0 {
			return nil // no cell formats at all: every cell is General
		}
		return fmt.Errorf("style %d is not one of the workbook's %d cell formats", style, len(s.formats.xfs))
	}
	look := &s.formats.xfs[style]
	const colourFix = "set the cell's font colour to Automatic (Home > Font Color > Automatic) or clear its fill"
	if look.bad != "" {
		s.note(r, c, look.bad, colourFix)
		return nil
	}
	if look.own {
		s.looks = append(s.looks, cellLook{int32(min(r, math.MaxInt32)), int32(min(c, math.MaxInt32)), int32(style)})
	}
	if why := unreadableAny(look.texts, look.fills); why != "" {
		s.note(r, c, why, colourFix)
	}
	const sizeFix = "set the font size to 8 points or more (Home > Font Size)"
	if look.tiny != "" {
		s.note(r, c, look.tiny, sizeFix)
	}
	if s.hideZeros && (typ == "" || typ == "n") {
		if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil && v == 0 {
			s.note(r, c, "the sheet does not show zeros, so Excel shows this cell blank", "show them (File > Options > Advanced > Show a zero in cells that have zero value)")
		}
	}
	var runColours []string
	for _, rc := range runs {
		if rc.isSize {
			if !(rc.size >= minReadableFontSize) {
				s.note(r, c, fmt.Sprintf("part of its text is too small to read (%g pt)", rc.size), "select the text and "+sizeFix)
			}
			continue
		}
		// A run's colour Excel cannot show is taken as white: it fails closed.
		text, ok := colourRGB(s.formats.file, rc.auto, rc.rgb, rc.indexed, rc.theme, rc.tint, "000000")
		if !ok {
			text = "FFFFFF"
		}
		runColours = appendNew(runColours, text)
	}
	if why := unreadableAny(runColours, look.fills); why != "" {
		s.note(r, c, "part of its text is coloured so that it cannot be read: "+why, "select the text and set its font colour to Automatic (Home > Font Color > Automatic)")
	}
	text := typ == "s" || typ == "inlineStr" || typ == "str"
	for _, code := range look.codes {
		sections := s.sections(code)
		if ok, why := sectionsShow(sections, value, text); !ok {
			s.note(r, c, fmt.Sprintf("its number format %q %s", code, why), "give the cell the General format (Home > Number > General), and type in it what it should say (HAZ-007, not 7 shown as HAZ-007)")
			continue
		}
		texts := s.formatColours(sections, value, text)
		if why := unreadableAny(texts, look.fills); why != "" {
			s.note(r, c, fmt.Sprintf("its number format %q paints it: %s", code, why), "give the cell the General format (Home > Number > General)")
		}
	}
	return nil
}

// formatColours are the colours (six hex digits) a number format may paint
// a cell holding value in; a [ColorN] the palette does not have is taken
// as white, which fails closed.
func (s *sheetDisplay) formatColours(sections []formatSection, value string, text bool) []string {
	var out []string
	for _, c := range sectionColours(sections, value, text) {
		if strings.HasPrefix(c, "#") {
			n, err := strconv.Atoi(c[1:])
			if err != nil || n+7 >= len(s.formats.palette) || s.formats.palette[n+7] == "" {
				c = "FFFFFF"
			} else {
				c = s.formats.palette[n+7] // [Color1] is the palette's 8th colour
			}
		}
		out = appendNew(out, c)
	}
	return out
}

// note keeps a cell Excel does not show as stored, up to maxDisplayIssues.
func (s *sheetDisplay) note(r, c int, why, fix string) {
	if len(s.issues) == maxDisplayIssues {
		s.overflow = true
		return
	}
	s.issues = append(s.issues, displayIssue{row: r, col: c, why: why, fix: fix})
}

// sections is a number format parsed, once per sheet: a long code named by
// many cells or rules costs its length once.
func (s *sheetDisplay) sections(code string) []formatSection {
	if s.parsed == nil {
		s.parsed = map[string][]formatSection{}
	}
	sections, ok := s.parsed[code]
	if !ok {
		sections = parseFormat(code)
		s.parsed[code] = sections
	}
	return sections
}

// alwaysShows is formatAlwaysShows, once per sheet and code.
func (s *sheetDisplay) alwaysShows(code string) string {
	if s.shows == nil {
		s.shows = map[string]string{}
	}
	why, ok := s.shows[code]
	if !ok {
		why = formatAlwaysShows(code)
		s.shows[code] = why
	}
	return why
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
		case i == 3 && s.textAts > 1:
			return "shows the text more than once"
		case i < 3 && !s.placeholder && !(i == 0 && s.textAt):
			return "shows nothing of some numbers"
		case i < 3 && s.ownText != "":
			return fmt.Sprintf("adds %q of its own", s.ownText)
		case i == 0 && s.textAts > 1:
			return "shows the text more than once"
		}
	}
	return ""
}

// condUnreadable says why a differential format's colours, over a cell shown
// with the given text and fill colours, cannot be read ("" when they can):
// what it does not set stays the cell's own; a colour its number format may
// paint counts as a text colour.
func (s *sheetDisplay) condUnreadable(look *dxfLook, texts, fills []string) string {
	if look.texts != nil {
		texts = look.texts
	}
	if look.fills != nil {
		fills = look.fills
	}
	if look.code != nil {
		sections := s.sections(*look.code)
		for _, v := range []struct {
			value string
			text  bool
		}{{"1", false}, {"-1", false}, {"0", false}, {"x", true}} {
			texts = append(slices.Clip(texts), s.formatColours(sections, v.value, v.text)...)
		}
	}
	return unreadableAny(texts, fills)
}

func (s *sheetDisplay) colHidden(c int) bool {
	inside := func(spans [][2]int) bool {
		for _, span := range spans {
			if c >= span[0] && c <= span[1] {
				return true
			}
		}
		return false
	}
	return inside(s.hiddenCols) || s.narrowCols && !inside(s.sizedCols)
}

// plainCellIn says whether a read, non-empty cell with no colours of its own
// lies in one of the rectangles (1-based column, row, column, row): in the
// title block above top, or in a read column (cols, with their non-empty
// rows from top down in readRows).
func (s *sheetDisplay) plainCellIn(g *grid, rects []mergeRange, top int, cols []int, readRows map[int][]int, spend func(int) bool) bool {
	plain := func(r, c int) bool {
		_, found := slices.BinarySearchFunc(s.looks, cellLook{int32(r), int32(c), 0}, func(a, b cellLook) int {
			return cmp.Or(cmp.Compare(a.r, b.r), cmp.Compare(a.c, b.c))
		})
		return !found
	}
	for _, rc := range rects {
		c1, r1, c2, r2 := min(rc[0], rc[2])-1, min(rc[1], rc[3])-1, max(rc[0], rc[2])-1, max(rc[1], rc[3])-1
		for r := max(r1, 0); r <= min(r2, top-1, len(g.rows)-1); r++ {
			for c := max(c1, 0); c <= min(c2, len(g.rows[r])-1); c++ {
				if !spend(1) {
					return true // refused by the caller
				}
				if cleanCell(g.rows[r][c]) != "" && plain(r, c) {
					return true
				}
			}
		}
		for _, c := range cols {
			if c < c1 || c > c2 {
				continue
			}
			rows := readRows[c]
			for i, _ := slices.BinarySearch(rows, max(r1, top)); i < len(rows) && rows[i] <= r2; i++ {
				if !spend(1) {
					return true
				}
				if plain(rows[i], c) {
					return true
				}
			}
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
			if o, ok := g.origin[cellRef{r, c}]; ok {
				// Excel shows the merged range's top-left value over the
				// whole range; a value stored under it is not seen (the
				// gate reads one merged across from the left as it is).
				if len(out) == most {
					more++
					continue
				}
				out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q cell %s%d", g.sheet, columnName(c), r+1)},
					"this cell lies under the merged cell %s%d, so Excel shows that cell's value here and not this one's, which the gate would read; unmerge the cells (Home > Merge & Center > Unmerge Cells) and keep the value where it can be seen",
					columnName(o.c), o.r+1))
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
	// Each read column's non-empty rows from the header down, in order, to
	// find a drawing's or conditional format's first cell without walking
	// its whole range.
	readRows := map[int][]int{}
	if len(s.drawings) > 0 || len(s.conds) > 0 {
		for r := top; r < len(g.rows); r++ {
			for c, v := range g.rows[r] {
				if read[c] && cleanCell(v) != "" {
					readRows[c] = append(readRows[c], r)
				}
			}
		}
	}
	cols := slices.Sorted(maps.Keys(read))
	if len(s.drawings) > 0 {
		for _, b := range s.drawings {
			hit, hr, hc := false, 0, 0
			for r := max(b.r1, 0); !hit && r <= min(b.r2, top-1, len(g.rows)-1); r++ {
				for c := max(b.c1, 0); c <= min(b.c2, len(g.rows[r])-1); c++ {
					if cleanCell(g.rows[r][c]) != "" {
						hit, hr, hc = true, r, c
						break
					}
				}
			}
			for _, c := range cols {
				if hit || c < b.c1 || c > b.c2 {
					continue
				}
				rows := readRows[c]
				if i, _ := slices.BinarySearch(rows, max(b.r1, top)); i < len(rows) && rows[i] <= b.r2 {
					hit, hr, hc = true, rows[i], c
				}
			}
			if hit {
				add(hr, hc, "a picture, shape or text box lies over this cell, so Excel may show it instead of the value the gate reads; move it off the cells the gate reads, or delete it")
			}
		}
	}
	for _, is := range s.issues {
		if is.row < len(g.rows) && reads(is.row, is.col) {
			add(is.row, is.col, "Excel does not show this cell as stored: %s; %s", is.why, is.fix)
		}
	}
	lookStyles := map[int]bool{}
	for _, l := range s.looks {
		lookStyles[int(l.style)] = true
	}
	pairs := map[[2]int]string{} // differential and cell format → why unreadable
	searches := 0
	// work bounds the comparisons the conditional formats cost; past it
	// the sheet is refused rather than checked without end.
	work := maxCondWork
	spend := func(n int) bool { work -= n; return work >= 0 }
	for _, ci := range s.conds {
		if !spend(1) {
			break
		}
		rects, err := mergeRects(strings.Fields(ci.sqref))
		unplaced := err != nil || len(rects) == 0 // a range the gate cannot place may cover anything
		inRange := func(r, c int) bool {
			if !spend(len(rects)) {
				return true // refused below
			}
			for _, rc := range rects {
				if c >= min(rc[0], rc[2])-1 && c <= max(rc[0], rc[2])-1 && r >= min(rc[1], rc[3])-1 && r <= max(rc[1], rc[3])-1 {
					return true
				}
			}
			return unplaced
		}
		covers := unplaced
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
		why := ci.why
		if why == "" {
			// Over a read cell of no colours of its own, then over each
			// read cell that has them.
			if u := s.condUnreadable(ci.look, []string{"000000"}, []string{"FFFFFF"}); u != "" && covers {
				if searches++; searches > maxCondSearches {
					why = fmt.Sprintf("more than %d conditional formatting rules give some cells text that cannot be read", maxCondSearches)
				} else if unplaced || s.plainCellIn(g, rects, top, cols, readRows, spend) {
					why = "conditional formatting gives it text that cannot be read: " + u
				}
			}
			// Judged once per differential and cell format; the cells
			// are searched only for a pair that cannot be read.
			var styles []int
			for st := range lookStyles {
				if !spend(1) {
					break
				}
				if _, ok := pairs[[2]int{ci.dxf, st}]; !ok {
					look := s.formats.xfs[st]
					pairs[[2]int{ci.dxf, st}] = s.condUnreadable(ci.look, look.texts, look.fills)
				}
				if pairs[[2]int{ci.dxf, st}] != "" {
					styles = append(styles, st)
				}
			}
			if why == "" && len(styles) > 0 {
				if searches++; searches > maxCondSearches {
					why = fmt.Sprintf("more than %d conditional formatting rules give some cells text that cannot be read", maxCondSearches)
				}
			}
			for _, l := range s.looks {
				if why != "" || len(styles) == 0 {
					break
				}
				st, r, c := int(l.style), int(l.r), int(l.c)
				if !slices.Contains(styles, st) || !reads(r, c) || !inRange(r, c) || cleanCell(g.cell(r, c)) == "" {
					continue
				}
				why = "conditional formatting gives it text that cannot be read: " + pairs[[2]int{ci.dxf, st}]
			}
			if why == "" {
				continue
			}
			covers = true
		}
		if covers {
			out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q range %s", g.sheet, ci.sqref)},
				"Excel may not show these cells as stored: %s; change that conditional formatting rule (Home > Conditional Formatting > Manage Rules)", why))
		}
	}
	if work < 0 {
		out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q", g.sheet)},
			"the sheet's conditional formatting is too large to check (more than %d comparisons of its ranges and cells); remove the rules it does not need (Home > Conditional Formatting > Manage Rules)", maxCondWork))
	}
	if s.overflow {
		out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q", g.sheet)},
			"more than %d cells (or conditional formatting rules) are shown through number formats or colours that hide their value or add text of their own; give the sheet's cells the General format and automatic font colour", maxDisplayIssues))
	}
	if more > 0 {
		out = append(out, invalid(safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q", g.sheet)},
			"%d more cells the gate reads are hidden or shown otherwise than stored", more))
	}
	return out
}
