package hazardlog

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// A sheet's cells and merged ranges are read in one streaming pass over its
// XML part, as tokens: excelize's GetMergeCells decoded the whole worksheet
// (every row and cell) into structs to return a few ranges, and its row
// reader decoded every cell through reflection; together they made a
// workbook cost five times the same log in YAML. excelize still opens the
// workbook, names the sheet's part and decodes the shared strings. What
// the scan reads is what excelize read (TestMergeScanMatchesExcelize,
// TestSheetScanMatchesExcelizeRows, FuzzMergeScan, FuzzSheetScan), except
// where excelize read what Excel does not show (a second <v>, <is> or <t>
// in a cell or string, an element in another namespace, a second
// <sheetData>): those are refused.

// Bounds on what a hostile sheet may make the scan hold or do.
const (
	// maxMergeRanges bounds the <mergeCell> elements read; real hazard
	// logs have hundreds.
	maxMergeRanges = 100_000
	// maxMergeRefLen bounds one ref ("$XFD$1048576:$XFD$1048576" is 25).
	maxMergeRefLen = 64
	// maxOverlappingMerges bounds excelize's quadratic overlap merging,
	// which runs only when ranges overlap (Excel never writes that).
	maxOverlappingMerges = 2_000
	// maxSheetCells bounds the cells a sheet's rows may hold, counting the
	// blank ones left of each value: a 40-byte row can place a value in
	// column XFD, 16,384 cells, and a million such rows would need 256 GB.
	maxSheetCells = 8 << 20
)

// mergeRange is one merged range as excelize's Rect gives it: first and
// last cell of the ref as written, {col1, row1, col2, row2}, 1-based; the
// corners may be reversed.
type mergeRange [4]int

// sheetMergeRanges reads the merged ranges of the named sheet of f, whose
// file bytes are data.
func sheetMergeRanges(f *excelize.File, data []byte, sheet string) ([]mergeRange, error) {
	part, err := sheetPart(f, data, sheet)
	if err != nil {
		return nil, err
	}
	r, closePart, err := openPart(f, data, part)
	if err != nil {
		return nil, err
	}
	defer closePart()
	refs, err := scanMergeRefs(r, f.CharsetReader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", part, err)
	}
	return mergeRects(refs)
}

// scanDisplay scans the named sheet's part, streamed from the file, for
// what Excel hides or shows otherwise than stored (sheetDisplay), when the
// sheet is too large to hold in memory.
func scanDisplay(f *excelize.File, data []byte, sst *sharedStringTable, sheet string, disp *sheetDisplay) error {
	part, err := sheetPart(f, data, sheet)
	if err != nil {
		return err
	}
	r, closePart, err := openPart(f, data, part)
	if err != nil {
		return err
	}
	defer closePart()
	if _, _, err := scanSheetDisplay(r, f.CharsetReader, sst.lookup, disp); err != nil {
		return fmt.Errorf("%s: %w", part, err)
	}
	return nil
}

// sheetPart finds the worksheet part excelize reads for sheet, as it does:
// the office document relationship of _rels/.rels names the workbook, the
// sheet's r:id names a relationship in the workbook's .rels whose target,
// relative to the workbook's folder, is the part.
func sheetPart(f *excelize.File, data []byte, sheet string) (string, error) {
	rootRels, err := readRels(f, "_rels/.rels")
	if err != nil {
		return "", err
	}
	workbook := ""
	for _, rel := range rootRels {
		if rel.Type == excelize.SourceRelationshipOfficeDocument || rel.Type == excelize.StrictSourceRelationshipOfficeDocument {
			workbook = strings.TrimPrefix(rel.Target, "/")
			break
		}
	}
	dir := path.Dir(workbook)
	relsPath := "_rels/" + path.Base(workbook) + ".rels"
	if dir != "." {
		relsPath = strings.TrimPrefix(dir+"/_rels/"+path.Base(workbook)+".rels", "/")
	}
	wbRels, err := readRels(f, relsPath)
	if err != nil {
		return "", err
	}
	if f.WorkBook == nil {
		return "", errors.New("the workbook part was not read")
	}
	part, matches := "", 0
	for _, s := range f.WorkBook.Sheets.Sheet {
		if !strings.EqualFold(s.Name, sheet) {
			continue
		}
		if s.Name != sheet {
			matches++ // excelize would pick one of these at random
		}
		for _, rel := range wbRels {
			if rel.ID != s.ID {
				continue
			}
			p := path.Clean(dir + "/" + rel.Target)
			if strings.HasPrefix(rel.Target, "/") {
				p = path.Clean(rel.Target)
			}
			p = strings.TrimPrefix(p, "/")
			if partExists(f, data, p) {
				part = p
			}
		}
	}
	if matches > 0 {
		return "", fmt.Errorf("the workbook has more than one sheet named %q (differing only in case); rename them", sheet)
	}
	if part == "" {
		return "", fmt.Errorf("the workbook has no worksheet part for sheet %q", sheet)
	}
	return part, nil
}

// inMemorySheet gives the sheet's XML when excelize holds it, and its
// shared strings, in memory (every workbook under the XML limit).
func inMemorySheet(f *excelize.File, data []byte, sheet string) (part string, content []byte, ok bool) {
	part, err := sheetPart(f, data, sheet)
	if err != nil {
		return "", nil, false
	}
	stored, ok := f.Pkg.Load(part)
	if !ok {
		return "", nil, false
	}
	if _, ok := f.Pkg.Load(sharedStringsPart); !ok && hasPart(data, sharedStringsPart) {
		return "", nil, false
	}
	content, _ = stored.([]byte)
	return part, content, true
}

// sharedStringsPart is where excelize reads shared strings, whatever the
// case of the entry's name.
const sharedStringsPart = "xl/sharedStrings.xml"

func hasPart(data []byte, name string) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, zf := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(zf.Name, "\\", "/"), name) {
			return true
		}
	}
	return false
}

// sharedStringTable is the workbook's shared strings, read on first use
// in one streaming pass over xl/sharedStrings.xml (where excelize reads
// them, whatever the workbook's relationships say): decoding the table
// into excelize's structs cost an eighth of reading a workbook.
type sharedStringTable struct {
	f      *excelize.File
	texts  []string
	runs   [][]runColour // by string, the colours its rich text runs set
	err    error
	loaded bool
}

// lookup is the text of shared string i; an index outside the table is an
// error (excelize's row reader showed such a cell as blank).
func (t *sharedStringTable) lookup(i int) (string, error) {
	if !t.loaded {
		t.loaded = true
		if stored, ok := t.f.Pkg.Load(sharedStringsPart); ok {
			b, _ := stored.([]byte)
			t.texts, t.runs, t.err = scanSharedStringLooks(bytes.NewReader(b), t.f.CharsetReader)
		}
	}
	if t.err != nil {
		return "", fmt.Errorf("cannot read the shared strings (%s): %w", sharedStringsPart, t.err)
	}
	if i < 0 || i >= len(t.texts) {
		return "", fmt.Errorf("shared string %d does not exist (the workbook has %d)", i, len(t.texts))
	}
	return t.texts[i], nil
}

// runColours are the colours shared string i's rich text runs set (none
// when it has no such runs, or cannot be read: lookup says so).
func (t *sharedStringTable) runColours(i int) []runColour {
	if _, err := t.lookup(i); err != nil || i >= len(t.runs) {
		return nil
	}
	return t.runs[i]
}

// runColour is a rich text run's <color>, as its attributes give it, or
// (when isSize) its <sz>.
type runColour struct {
	isSize  bool
	size    float64 // points; NaN when not a number
	auto    bool
	rgb     string
	indexed int
	theme   *int
	tint    float64
}

// readRunLook reads a run's <color> or <sz>.
func readRunLook(elem string, attrs []xml.Attr) runColour {
	if elem == "sz" {
		v, err := strconv.ParseFloat(strings.TrimSpace(attr(attrs, "val")), 64)
		if err != nil {
			v = math.NaN()
		}
		return runColour{isSize: true, size: v}
	}
	return readRunColour(attrs)
}

// readRunColour reads a run's <color> attributes; a number that is none
// stands for a colour that cannot be told (a palette index past any).
func readRunColour(attrs []xml.Attr) runColour {
	rc := runColour{auto: xmlTrue(attr(attrs, "auto")), rgb: strings.TrimSpace(attr(attrs, "rgb"))}
	if v := strings.TrimSpace(attr(attrs, "indexed")); v != "" {
		var err error
		if rc.indexed, err = strconv.Atoi(v); err != nil {
			rc.indexed = -1
		}
	}
	if v := strings.TrimSpace(attr(attrs, "theme")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		rc.theme = &n
	}
	if v := strings.TrimSpace(attr(attrs, "tint")); v != "" {
		rc.tint, _ = strconv.ParseFloat(v, 64)
	}
	return rc
}

// scanSharedStrings is scanSharedStringLooks without the run colours.
func scanSharedStrings(r io.Reader, charset func(string, io.Reader) (io.Reader, error)) ([]string, error) {
	texts, _, err := scanSharedStringLooks(r, charset)
	return texts, err
}

// scanSharedStringLooks reads each <si> of a shared strings part as excelize's
// xlsxSI.String gives it: the text of its direct <t>, then of each rich
// text run's <t> (a second <t> in either is refused), with _xHHHH_ escapes undone; phonetic runs
// are not text. Like the sheet scan it takes only well-formed XML and no
// element inside a text.
func scanSharedStringLooks(r io.Reader, charset func(string, io.Reader) (io.Reader, error)) ([]string, [][]runColour, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset
	var (
		colours           [][]runColour
		siColours         []runColour
		texts             []string
		stack             []xml.Name
		root, inText      bool
		text, t, runs, rt []byte
		textTo            *[]byte
		seenT, seenRunT   bool
		ns                namespaces
	)
	where := func() string { return fmt.Sprintf("line %d", lineOf(d)) }
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth := len(stack)
			switch {
			case inText:
				return nil, nil, fmt.Errorf("%s: an element <%s> inside a string's text", where(), e.Name.Local)
			case depth == 0:
				if root {
					return nil, nil, fmt.Errorf("%s: a second root element <%s>", where(), e.Name.Local)
				}
				root = true
				if e.Name.Local != "sst" {
					return nil, nil, fmt.Errorf("%s: the root element is <%s>, not <sst>", where(), e.Name.Local)
				}
				for _, a := range e.Attr {
					// excelize decodes these as ints and fails if they are not.
					if a.Name.Local == "count" || a.Name.Local == "uniqueCount" {
						if v := strings.TrimSpace(a.Value); v != "" {
							if _, err := strconv.ParseInt(v, 10, 64); err != nil {
								return nil, nil, fmt.Errorf("%s: <sst %s=%q>: not a number", where(), a.Name.Local, a.Value)
							}
						}
					}
				}
			}
			ns.start(e, depth)
			if depth == 1 && e.Name.Local == "si" || depth > 1 && stack[1].Local == "si" {
				// An element Excel would not show (another namespace) or a
				// second text where Excel shows one is refused, not read.
				if err := ns.check(e); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			}
			switch {
			case depth == 1 && e.Name.Local == "si":
				t, runs, seenT, siColours = t[:0], runs[:0], false, nil
			case depth == 4 && stack[1].Local == "si" && stack[2].Local == "r" && stack[3].Local == "rPr" && (e.Name.Local == "color" || e.Name.Local == "sz"):
				siColours = append(siColours, readRunLook(e.Name.Local, e.Attr))
			case depth == 2 && stack[1].Local == "si" && e.Name.Local == "t":
				if seenT {
					return nil, nil, fmt.Errorf("%s: a second <t> in a string", where())
				}
				seenT, inText, text, textTo = true, true, text[:0], &t
			case depth == 2 && stack[1].Local == "si" && e.Name.Local == "r":
				seenRunT = false
			case depth == 3 && stack[1].Local == "si" && stack[2].Local == "r" && e.Name.Local == "t":
				if seenRunT {
					return nil, nil, fmt.Errorf("%s: a second <t> in a run of a string", where())
				}
				seenRunT, inText, text, textTo = true, true, text[:0], &rt
			}
			stack = append(stack, e.Name)
		case xml.CharData:
			if inText {
				text = append(text, e...)
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != e.Name {
				return nil, nil, fmt.Errorf("%s: unexpected end element </%s>", where(), e.Name.Local)
			}
			stack = stack[:len(stack)-1]
			ns.end(len(stack))
			depth := len(stack)
			switch {
			case inText:
				inText = false
				*textTo = append((*textTo)[:0], text...) // the last <t> counts
			case depth == 2 && stack[1].Local == "si" && e.Name.Local == "r":
				runs, rt = append(runs, rt...), rt[:0]
			case depth == 1 && e.Name.Local == "si":
				texts = append(texts, decodeOOXMLEscapes(string(t)+string(runs)))
				colours = append(colours, siColours)
			}
		}
	}
	if len(stack) > 0 {
		return nil, nil, fmt.Errorf("%s: unexpected end of the part inside <%s>", where(), stack[len(stack)-1].Local)
	}
	return texts, colours, nil
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Target string `xml:",attr"`
	Type   string `xml:",attr"`
}

// readRels decodes a relationships part (a few hundred bytes; excelize has
// already decoded it without error when the workbook opened).
func readRels(f *excelize.File, name string) ([]relationship, error) {
	content, _ := f.Pkg.Load(name)
	b, _ := content.([]byte)
	if len(b) == 0 {
		return nil, nil
	}
	var rels struct {
		Relationships []relationship `xml:"Relationship"`
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = f.CharsetReader
	if err := d.Decode(&rels); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rels.Relationships, nil
}

// partExists: excelize keeps parts in memory, except worksheets larger
// than its XML limit, which it unpacks to temporary files.
func partExists(f *excelize.File, data []byte, name string) bool {
	if _, ok := f.Pkg.Load(name); ok {
		return true
	}
	return spilledPart(data, name) != nil
}

// spilledPart is the zip entry excelize unpacked to a temporary file for
// name: the last worksheet entry of that name over the XML limit.
func spilledPart(data []byte, name string) *zip.File {
	if !strings.HasPrefix(strings.ToLower(name), "xl/worksheets/sheet") {
		return nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	var found *zip.File
	for _, zf := range zr.File {
		if strings.ReplaceAll(zf.Name, "\\", "/") == name && zf.FileInfo().Size() > xlsxUnzipXMLLimit && !zf.FileInfo().IsDir() {
			found = zf
		}
	}
	return found
}

// openPart gives the bytes excelize's row reader reads for the part.
func openPart(f *excelize.File, data []byte, name string) (io.Reader, func(), error) {
	if content, ok := f.Pkg.Load(name); ok {
		b, _ := content.([]byte)
		return bytes.NewReader(b), func() {}, nil
	}
	zf := spilledPart(data, name)
	if zf == nil {
		return nil, nil, fmt.Errorf("the workbook has no part %s", name)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return io.LimitReader(rc, xlsxUnzipLimit), func() { rc.Close() }, nil
}

// scanMergeRefs streams a worksheet's XML and returns the ref of every
// <mergeCell> directly inside a <mergeCells> that is a child of the root,
// in document order — what decoding the worksheet into excelize's structs
// keeps (several <mergeCells> elements add up; names match whatever their
// prefix). Everything else, <sheetData> included, is read as tokens and
// dropped. The whole part must be well-formed XML.
func scanMergeRefs(r io.Reader, charset func(string, io.Reader) (io.Reader, error)) ([]string, error) {
	_, refs, err := scanSheet(r, charset, nil)
	return refs, err
}

// sharedStrings gives the text of a shared string by its index.
type sharedStrings func(index int) (string, error)

// scanSheet reads a worksheet's XML in one pass: its merged ranges (as
// scanMergeRefs) and, when cells is not nil, every row's raw cell values
// as excelize's row reader with RawCellValue gives them: rows by their
// number (missing rows empty), each cell at its column, blank cells
// without a formula left out, shared strings looked up, inline strings
// joined from their runs. What Excel never writes and excelize would read
// in a way no one can see in Excel (rows out of order, a cell left of the
// one before it, a row or value outside its place, a style or shared
// string index that is no number) is an error, not a guess.
func scanSheet(r io.Reader, charset func(string, io.Reader) (io.Reader, error), cells sharedStrings) ([][]string, []string, error) {
	return scanSheetDisplay(r, charset, cells, nil)
}

// scanSheetDisplay is scanSheet that also notes, in disp when not nil, what
// Excel hides or shows otherwise than stored (sheetDisplay).
func scanSheetDisplay(r io.Reader, charset func(string, io.Reader) (io.Reader, error), cells sharedStrings, disp *sheetDisplay) ([][]string, []string, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset
	var (
		refs  []string
		rows  [][]string
		stack []xml.Name // open elements, to check they close in order
		root  bool
		// the cell being read
		cell                   cellScan
		rowNum, col            int
		sheetDatas             int
		mergeCellsSeen         bool
		ns                     namespaces
		cellCount              int // cells held so far, blanks included
		inRow                  bool
		text                   []byte // the <v> or <t> being read
		textTo                 *[]byte
		inlineT, inlineRuns    []byte
		runT                   []byte
		inV, inT, inRunT, inIS bool
	)
	where := func() string { return fmt.Sprintf("line %d", lineOf(d)) }
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth := len(stack)
			if depth == 0 {
				if root {
					return nil, nil, fmt.Errorf("%s: a second root element <%s>", where(), t.Name.Local)
				}
				root = true
				if t.Name.Local != "worksheet" {
					return nil, nil, fmt.Errorf("%s: the root element is <%s>, not <worksheet>", where(), t.Name.Local)
				}
			}
			ns.start(t, depth)
			// Inside <sheetData> and <mergeCells>, an element in another
			// namespace is one Excel ignores (or refuses): the gate must not
			// read what Excel does not show.
			if depth == 1 && (t.Name.Local == "sheetData" || t.Name.Local == "mergeCells") || depth > 1 && (stack[1].Local == "sheetData" || stack[1].Local == "mergeCells") {
				if err := ns.check(t); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			}
			if depth == 1 && t.Name.Local == "sheetData" {
				if sheetDatas++; sheetDatas > 1 {
					return nil, nil, fmt.Errorf("%s: a second <sheetData> (Excel reads one)", where())
				}
			}
			parent := ""
			if depth > 0 {
				parent = stack[depth-1].Local
			}
			switch {
			case depth == 1 && t.Name.Local == "mergeCells":
				// Excel writes one, after the cells, and repairs a file with
				// more or a misplaced one: what it then shows is not known.
				if mergeCellsSeen {
					return nil, nil, fmt.Errorf("%s: a second <mergeCells> (Excel reads one)", where())
				}
				if sheetDatas == 0 {
					return nil, nil, fmt.Errorf("%s: a <mergeCells> before <sheetData> (Excel writes it after)", where())
				}
				mergeCellsSeen = true
				for _, a := range t.Attr {
					// excelize decodes count as an int and fails if it is not one.
					if a.Name.Local == "count" {
						if v := strings.TrimSpace(a.Value); v != "" {
							if _, err := strconv.ParseInt(v, 10, 64); err != nil {
								return nil, nil, fmt.Errorf("%s: <mergeCells count=%q>: not a number", where(), a.Value)
							}
						}
					}
				}
			case depth == 2 && t.Name.Local == "mergeCell" && parent == "mergeCells":
				if len(refs) == maxMergeRanges {
					return nil, nil, fmt.Errorf("%s: more than %d merged ranges", where(), maxMergeRanges)
				}
				ref := ""
				for _, a := range t.Attr {
					if a.Name.Local == "ref" { // the last one counts, as in encoding/xml
						ref = a.Value
					}
				}
				if len(ref) > maxMergeRefLen {
					return nil, nil, fmt.Errorf("%s: merged range %.20q… is longer than %d characters", where(), ref, maxMergeRefLen)
				}
				refs = append(refs, ref)
			case disp != nil && depth == 2 && parent == "cols" && t.Name.Local == "col":
				if err := disp.col(t.Attr); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			case disp != nil && depth == 1 && t.Name.Local == "sheetFormatPr":
				if err := disp.formatPr(t.Attr); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			case disp != nil && depth == 1 && t.Name.Local == "conditionalFormatting":
				if err := disp.conditionalFormatting(t.Attr); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			case disp != nil && depth >= 2 && stack[1].Local == "extLst":
				disp.extStart(depth, parent, t)
			case disp != nil && depth == 3 && parent == "cfRule" && (t.Name.Local == "dataBar" || t.Name.Local == "iconSet"):
				if err := disp.condBarOrIcons(t.Name.Local, t.Attr); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			case disp != nil && depth == 2 && parent == "sheetViews" && t.Name.Local == "sheetView":
				if err := disp.sheetView(t.Attr); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			case disp != nil && depth == 2 && parent == "conditionalFormatting" && t.Name.Local == "cfRule":
				if err := disp.condRule(t.Attr); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
			case cells == nil:
			case t.Name.Local == "row":
				if depth != 2 || parent != "sheetData" {
					return nil, nil, fmt.Errorf("%s: a <row> outside <sheetData>", where())
				}
				if err := plainAttrs("row", t.Attr, "r", "hidden", "ht", "customHeight"); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
				n := rowNum + 1
				for _, a := range t.Attr {
					if a.Name.Local == "r" {
						if n, err = strconv.Atoi(a.Value); err != nil || n < 1 || n > excelize.TotalRows {
							return nil, nil, fmt.Errorf("%s: row number %q is not one from 1 to %d", where(), a.Value, excelize.TotalRows)
						}
					}
				}
				if n <= rowNum {
					return nil, nil, fmt.Errorf("%s: row %d comes after row %d", where(), n, rowNum)
				}
				if disp != nil {
					disp.row(n-1, t.Attr)
				}
				for len(rows) < n-1 {
					rows = append(rows, nil)
				}
				rows = append(rows, nil)
				rowNum, col, inRow = n, 0, true
			case t.Name.Local == "c":
				if parent != "row" || !inRow || depth != 3 {
					return nil, nil, fmt.Errorf("%s: a cell <c> outside a <row>", where())
				}
				c := col + 1
				cell = cellScan{v: cell.v[:0]} // the value's buffer is reused
				if err := plainAttrs("c", t.Attr, "r", "t", "s"); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where(), err)
				}
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						cell.ref = a.Value
					case "t":
						cell.typ = a.Value
					case "s":
						style, err := strconv.ParseInt(a.Value, 10, 64)
						if err != nil {
							return nil, nil, fmt.Errorf("%s: cell %s: style %q is not a number", where(), cell.ref, a.Value)
						}
						cell.style = int(min(max(style, -1), math.MaxInt32))
					}
				}
				if cell.ref != "" {
					if c, _, err = excelize.CellNameToCoordinates(cell.ref); err != nil {
						return nil, nil, fmt.Errorf("%s: cell %q: %w", where(), cell.ref, err)
					}
				}
				if c <= col {
					return nil, nil, fmt.Errorf("%s: cell %s comes after a cell to its right", where(), cell.ref)
				}
				col = c
			case parent == "c" && depth == 4:
				// Excel writes each of these once in a cell, and shows that
				// one: a second is what Excel would not show.
				switch t.Name.Local {
				case "v":
					if cell.seenV {
						return nil, nil, fmt.Errorf("%s: cell %s: a second <v>", where(), cell.ref)
					}
					cell.seenV, inV, text = true, true, text[:0]
					textTo = &cell.v
				case "f":
					if cell.formula {
						return nil, nil, fmt.Errorf("%s: cell %s: a second <f>", where(), cell.ref)
					}
					cell.formula = true
				case "is":
					if cell.inline {
						return nil, nil, fmt.Errorf("%s: cell %s: a second <is>", where(), cell.ref)
					}
					inIS, cell.inline = true, true
				}
			case inIS && parent == "is" && depth == 5 && t.Name.Local == "t":
				if cell.seenT {
					return nil, nil, fmt.Errorf("%s: cell %s: a second <t> in its inline string", where(), cell.ref)
				}
				cell.seenT, inT, text = true, true, text[:0]
				textTo = &inlineT
			case inIS && parent == "is" && depth == 5 && t.Name.Local == "r":
				cell.seenRunT = false
			case inIS && parent == "r" && depth == 6 && stack[4].Local == "is" && t.Name.Local == "t":
				if cell.seenRunT {
					return nil, nil, fmt.Errorf("%s: cell %s: a second <t> in a run of its inline string", where(), cell.ref)
				}
				cell.seenRunT, inRunT, text = true, true, text[:0]
				textTo = &runT
			case disp != nil && inIS && parent == "rPr" && depth == 7 && stack[5].Local == "r" && (t.Name.Local == "color" || t.Name.Local == "sz"):
				cell.runColours = append(cell.runColours, readRunLook(t.Name.Local, t.Attr))
			case inV || inT || inRunT:
				return nil, nil, fmt.Errorf("%s: an element <%s> inside a cell's text", where(), t.Name.Local)
			case (t.Name.Local == "v" || t.Name.Local == "f" || t.Name.Local == "is") && depth > 2 && stack[2].Local == "row":
				return nil, nil, fmt.Errorf("%s: a <%s> outside its place in a cell", where(), t.Name.Local)
			}
			stack = append(stack, t.Name)
		case xml.CharData:
			if inV || inT || inRunT {
				text = append(text, t...)
			}
			if disp != nil {
				disp.extText(t)
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				return nil, nil, fmt.Errorf("%s: unexpected end element </%s>", where(), t.Name.Local)
			}
			stack = stack[:len(stack)-1]
			ns.end(len(stack))
			if disp != nil && len(stack) >= 2 && stack[1].Local == "extLst" {
				disp.extEnd(len(stack), t.Name.Local)
			}
			if cells == nil {
				continue
			}
			depth := len(stack)
			switch {
			case inV && depth == 4:
				inV = false
				*textTo = append((*textTo)[:0], text...)
			case inT && depth == 5:
				inT = false
				*textTo = append((*textTo)[:0], text...)
			case inRunT && depth == 6:
				inRunT = false
				*textTo = append((*textTo)[:0], text...) // a run's last <t> counts
			case inIS && depth == 5 && t.Name.Local == "r":
				inlineRuns = append(inlineRuns, runT...)
				runT = runT[:0]
			case inIS && depth == 4:
				inIS = false
			case depth == 3 && t.Name.Local == "c":
				if cell.inline && cell.seenV {
					// Which of the two a spreadsheet shows depends on its type
					// and the program; Excel never writes both.
					return nil, nil, fmt.Errorf("%s: cell %s holds both an inline string and a <v>", where(), cell.ref)
				}
				v, err := cell.value(cells, inlineT, inlineRuns)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: cell %s: %w", where(), cell.ref, err)
				}
				if disp != nil && v != "" {
					runs := cell.runColours
					if cell.typ == "s" && disp.sharedRuns != nil {
						if i, err := strconv.Atoi(strings.TrimSpace(string(cell.v))); err == nil {
							runs = disp.sharedRuns(i)
						}
					}
					if err := disp.cell(len(rows)-1, col-1, cell.style, v, cell.typ, runs); err != nil {
						return nil, nil, fmt.Errorf("%s: cell %s: %w", where(), cell.ref, err)
					}
				}
				if v != "" || cell.formula {
					row := rows[len(rows)-1]
					if cellCount += col - len(row); cellCount > maxSheetCells {
						return nil, nil, fmt.Errorf("%s: the sheet holds more than %d cells, counting the blank ones left of each value; delete its unused rows and columns", where(), maxSheetCells)
					}
					for len(row) < col-1 {
						row = append(row, "")
					}
					rows[len(rows)-1] = append(row, v)
				}
				inlineT, inlineRuns = inlineT[:0], inlineRuns[:0]
			case depth == 2 && t.Name.Local == "row":
				inRow = false
			}
		}
	}
	if !root {
		return nil, nil, errors.New("no <worksheet> element")
	}
	if len(stack) > 0 {
		return nil, nil, fmt.Errorf("%s: unexpected end of the part inside <%s>", where(), stack[len(stack)-1].Local)
	}
	return rows, refs, nil
}

// cellScan is what a <c> element held.
type cellScan struct {
	ref, typ               string
	style                  int         // index into the workbook's cell formats; 0 when the cell names none
	runColours             []runColour // the colours its inline string's runs set
	v                      []byte
	formula, inline        bool
	seenV, seenT, seenRunT bool
}

// namespaces tracks which prefixes are bound to the SpreadsheetML
// namespace (transitional or strict), scope by scope, as RawToken leaves
// prefixes unresolved: an element in another namespace is one Excel
// ignores (or refuses), and the gate must not read what Excel does not show.
type namespaces struct {
	scopes []nsScope
}

type nsScope struct {
	depth int             // of the element that declared them
	main  map[string]bool // prefix ("" the default) → bound to SpreadsheetML
}

func isMainNamespace(uri string) bool {
	return uri == "http://schemas.openxmlformats.org/spreadsheetml/2006/main" || uri == "http://purl.oclc.org/ooxml/spreadsheetml/main"
}

// start records the declarations of an element at depth.
func (ns *namespaces) start(e xml.StartElement, depth int) {
	var m map[string]bool
	for _, a := range e.Attr {
		prefix, ok := "", false
		switch {
		case a.Name.Space == "xmlns":
			prefix, ok = a.Name.Local, true
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			ok = true
		}
		if ok {
			if m == nil {
				m = map[string]bool{}
			}
			m[prefix] = isMainNamespace(a.Value)
		}
	}
	if m != nil {
		ns.scopes = append(ns.scopes, nsScope{depth, m})
	}
}

// end drops the declarations of the element closing at depth.
func (ns *namespaces) end(depth int) {
	for len(ns.scopes) > 0 && ns.scopes[len(ns.scopes)-1].depth >= depth {
		ns.scopes = ns.scopes[:len(ns.scopes)-1]
	}
}

// check refuses an element (start already recorded) that is not in the
// SpreadsheetML namespace; unprefixed names with no default namespace
// declared count as SpreadsheetML, as in a hand-made part.
func (ns *namespaces) check(e xml.StartElement) error {
	for i := len(ns.scopes) - 1; i >= 0; i-- {
		if main, ok := ns.scopes[i].main[e.Name.Space]; ok {
			if !main {
				break
			}
			return nil
		}
	}
	if e.Name.Space == "" && !ns.declaresDefault() {
		return nil
	}
	return fmt.Errorf("<%s> is not in the SpreadsheetML namespace, so Excel does not show it", qualified(e.Name))
}

func (ns *namespaces) declaresDefault() bool {
	for _, sc := range ns.scopes {
		if _, ok := sc.main[""]; ok {
			return true
		}
	}
	return false
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// value is the cell's raw value as excelize's getValueFrom with
// RawCellValue gives it.
func (c *cellScan) value(sst sharedStrings, inlineT, inlineRuns []byte) (string, error) {
	switch c.typ {
	case "s":
		if len(c.v) == 0 {
			return "", nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(string(c.v)))
		if err != nil {
			return "", fmt.Errorf("shared string index %q is not a number", c.v)
		}
		return sst(i)
	case "inlineStr":
		if c.inline {
			return decodeOOXMLEscapes(string(inlineT) + string(inlineRuns)), nil
		}
	}
	return string(c.v), nil
}

// decodeOOXMLEscapes undoes the escapes spreadsheet writers use for
// characters XML 1.0 cannot hold: _xHHHH_ is the character U+HHHH, and
// _x005F_ an underscore (which is how a literal "_x0041_" is written, as
// "_x005F_x0041_"). Escapes are read left to right without overlapping, as
// the writers produce them; one naming a surrogate half stands for nothing,
// as in excelize's reader, which TestSheetScanMatchesExcelizeRows compares.
func decodeOOXMLEscapes(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return ooxmlEscape.ReplaceAllStringFunc(s, func(esc string) string {
		code, err := strconv.ParseUint(esc[2:6], 16, 32)
		if err != nil || !utf8.ValidRune(rune(code)) {
			return ""
		}
		return string(rune(code))
	})
}

var ooxmlEscape = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

func lineOf(d *xml.Decoder) int {
	line, _ := d.InputPos()
	return line
}

// mergeRects turns refs into ranges as GetMergeCells does: a single cell
// ref is a one-cell range, "$" is ignored, anything after a second ":" is
// ignored, a ref that is not a range fails the lot, and ranges that
// overlap are merged into their bounding range (excelize's algorithm,
// which tests corners, so two ranges crossing like a plus sign stay apart).
func mergeRects(refs []string) ([]mergeRange, error) {
	rects := make([]mergeRange, 0, len(refs))
	for _, ref := range refs {
		full := ref
		if !strings.Contains(full, ":") {
			full += ":" + full
		}
		parts := strings.Split(strings.ReplaceAll(full, "$", ""), ":")
		c1, r1, err := excelize.CellNameToCoordinates(parts[0])
		if err != nil {
			return nil, fmt.Errorf("merged range %q: %w", ref, err)
		}
		c2, r2, err := excelize.CellNameToCoordinates(parts[1])
		if err != nil {
			return nil, fmt.Errorf("merged range %q: %w", ref, err)
		}
		rects = append(rects, mergeRange{c1, r1, c2, r2})
	}
	if !anyIntersect(rects) {
		return rects, nil
	}
	if len(rects) > maxOverlappingMerges {
		return nil, fmt.Errorf("%d merged ranges, some overlapping; Excel never writes overlapping merged ranges: unmerge them and merge again", len(rects))
	}
	return mergeOverlaps(rects), nil
}

// anyIntersect says whether any two ranges share a cell (a superset of
// excelize's corner test), in O(n log n) whatever the ranges: a sweep
// across columns keeps, in a segment tree over the rows the ranges start
// or end on, how many open ranges cover each row.
func anyIntersect(rects []mergeRange) bool {
	type event struct{ col, r1, r2, delta int }
	events := make([]event, 0, 2*len(rects))
	rows := make([]int, 0, 2*len(rects))
	for _, r := range rects {
		c1, r1, c2, r2 := min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])
		events = append(events, event{c1, r1, r2, 1}, event{c2 + 1, r1, r2, -1})
		rows = append(rows, r1, r2)
	}
	slices.Sort(rows)
	rows = slices.Compact(rows)
	// Ranges leave before others arrive at the same column.
	slices.SortFunc(events, func(a, b event) int {
		if a.col != b.col {
			return a.col - b.col
		}
		return a.delta - b.delta
	})
	t := newCoverTree(len(rows))
	for _, e := range events {
		lo, _ := slices.BinarySearch(rows, e.r1)
		hi, _ := slices.BinarySearch(rows, e.r2)
		if e.delta > 0 && t.max(lo, hi) > 0 {
			return true
		}
		t.add(lo, hi, e.delta)
	}
	return false
}

// coverTree is a segment tree over n places: add a value to a span, and
// the greatest value in a span.
type coverTree struct {
	n             int
	most, pending []int
}

func newCoverTree(n int) *coverTree {
	size := 1
	for size < n {
		size *= 2
	}
	return &coverTree{n: size, most: make([]int, 2*size), pending: make([]int, 2*size)}
}

func (t *coverTree) add(lo, hi, v int) { t.update(1, 0, t.n-1, lo, hi, v) }

func (t *coverTree) update(node, l, r, lo, hi, v int) {
	if hi < l || r < lo {
		return
	}
	if lo <= l && r <= hi {
		t.most[node] += v
		t.pending[node] += v
		return
	}
	m := (l + r) / 2
	t.update(2*node, l, m, lo, hi, v)
	t.update(2*node+1, m+1, r, lo, hi, v)
	t.most[node] = t.pending[node] + max(t.most[2*node], t.most[2*node+1])
}

func (t *coverTree) max(lo, hi int) int { return t.query(1, 0, t.n-1, lo, hi) }

func (t *coverTree) query(node, l, r, lo, hi int) int {
	if hi < l || r < lo {
		return 0
	}
	if lo <= l && r <= hi {
		return t.most[node]
	}
	m := (l + r) / 2
	return t.pending[node] + max(t.query(2*node, l, m, lo, hi), t.query(2*node+1, m+1, r, lo, hi))
}

// mergeOverlaps is excelize's mergeOverlapCells on coordinates.
func mergeOverlaps(rects []mergeRange) []mergeRange {
	for merged := true; merged; {
		merged = false
		var out []mergeRange
		used := make([]bool, len(rects))
		for i := range rects {
			if used[i] {
				continue
			}
			r1 := rects[i]
			for j := i + 1; j < len(rects); j++ {
				if used[j] {
					continue
				}
				if r2 := rects[j]; excelizeOverlap(r1, r2) {
					r1 = mergeRange{min(r1[0], r2[0]), min(r1[1], r2[1]), max(r1[2], r2[2]), max(r1[3], r2[3])}
					merged, used[j] = true, true
				}
			}
			out = append(out, r1)
		}
		rects = out
	}
	return rects
}

// excelizeOverlap is excelize's isOverlap: a corner of one range inside
// the other, on the coordinates as written.
func excelizeOverlap(a, b mergeRange) bool {
	in := func(col, row int, r mergeRange) bool {
		return col >= r[0] && col <= r[2] && row >= r[1] && row <= r[3]
	}
	return in(a[0], a[1], b) || in(a[2], a[1], b) || in(a[0], a[3], b) || in(a[2], a[3], b) ||
		in(b[0], b[1], a) || in(b[2], b[1], a) || in(b[0], b[3], a) || in(b[2], b[3], a)
}
