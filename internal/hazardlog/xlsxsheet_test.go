package hazardlog

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// withPart returns the workbook with one part's XML changed by edit (every
// other entry copied as it was), to build what Excel never writes but a
// crafted file can hold.
func withPart(t testing.TB, wb []byte, part string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(wb), int64(len(wb)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == part {
			content, found = []byte(edit(string(content))), true
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("no part %s in the workbook", part)
	}
	return out.Bytes()
}

// withMerges replaces the first sheet's <mergeCells> (or adds one after
// <sheetData>) with the given XML.
func withMerges(t testing.TB, wb []byte, mergeXML string) []byte {
	return withPart(t, wb, "xl/worksheets/sheet1.xml", func(s string) string {
		if i, j := strings.Index(s, "<mergeCells"), strings.Index(s, "</mergeCells>"); i >= 0 && j > i {
			return s[:i] + mergeXML + s[j+len("</mergeCells>"):]
		}
		if i := strings.Index(s, "</sheetData>"); i >= 0 {
			return s[:i+len("</sheetData>")] + mergeXML + s[i+len("</sheetData>"):]
		}
		return strings.Replace(s, "<sheetData/>", "<sheetData/>"+mergeXML, 1)
	})
}

// excelizeMerges is what excelize's GetMergeCells gives for the sheet, as
// coordinates (corners as it writes them).
func excelizeMerges(wb []byte, sheet string) ([]mergeRange, error) {
	f, err := excelize.OpenReader(bytes.NewReader(wb), excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipXMLLimit})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mcs, err := f.GetMergeCells(sheet, true)
	if err != nil {
		return nil, err
	}
	out := []mergeRange{}
	for _, mc := range mcs {
		c1, r1, err := excelize.CellNameToCoordinates(mc.GetStartAxis())
		if err != nil {
			return nil, err
		}
		c2, r2, err := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err != nil {
			return nil, err
		}
		out = append(out, mergeRange{c1, r1, c2, r2})
	}
	return out, nil
}

func scannedMerges(wb []byte, sheet string) ([]mergeRange, error) {
	f, err := excelize.OpenReader(bytes.NewReader(wb), excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipXMLLimit})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	f.GetSheetList() // as loadXLSX does, which reads the workbook part
	got, err := sheetMergeRanges(f, wb, sheet)
	if got == nil && err == nil {
		got = []mergeRange{}
	}
	return got, err
}

// TestMergeScanMatchesExcelize: the streaming scan of <mergeCells> gives
// exactly the ranges excelize's GetMergeCells gave, in its order, for the
// example workbooks and for ranges Excel never writes but a crafted file
// can hold (overlapping, crossing, reversed, single cells, "$", prefixed
// names); a second <mergeCells>, or one before <sheetData>, is refused
// (TestMergeScanRejects).
func TestMergeScanMatchesExcelize(t *testing.T) {
	valid := validWorkbook(t)
	exported, err := exportXLSX(loadData("hazard-log.xlsx", valid, FormatXLSX, config(underReview)).Log)
	if err != nil {
		t.Fatal(err)
	}
	plain := buildXLSX(t, xlsxSheet{name: "Hazard Log", cells: map[string]any{"A1": "Hazard number", "B1": "Hazard name", "A2": 1, "B2": "x"}})
	cases := []struct {
		name string
		wb   []byte
		want []mergeRange // checked as well as excelize's answer, when set
	}{
		{name: "valid workbook", wb: valid},
		{name: "invalid workbook", wb: invalidWorkbook(t)},
		{name: "exported workbook (merged two-row header)", wb: exported},
		{name: "no merged cells", wb: plain, want: []mergeRange{}},
		{name: "empty mergeCells", wb: withMerges(t, plain, `<mergeCells count="0"></mergeCells>`), want: []mergeRange{}},
		{name: "overlapping pair", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="A1:B2"/><mergeCell ref="B2:C3"/></mergeCells>`),
			want: []mergeRange{{1, 1, 3, 3}}},
		{name: "overlaps found only after a first merge", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="E5:F6"/><mergeCell ref="A1:B2"/><mergeCell ref="B2:D4"/><mergeCell ref="H8:H9"/></mergeCells>`)},
		{name: "chain needing several passes", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="A1:A2"/><mergeCell ref="C3:C4"/><mergeCell ref="A2:B3"/><mergeCell ref="B4:D5"/><mergeCell ref="D5:E6"/></mergeCells>`)},
		{name: "ranges crossing like a plus sign stay apart", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="A2:E2"/><mergeCell ref="C1:C3"/></mergeCells>`),
			want: []mergeRange{{1, 2, 5, 2}, {3, 1, 3, 3}}},
		{name: "contained range", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="A1:D4"/><mergeCell ref="B2:C3"/></mergeCells>`),
			want: []mergeRange{{1, 1, 4, 4}}},
		{name: "reversed corners", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="C3:A1"/></mergeCells>`), want: []mergeRange{{3, 3, 1, 1}}},
		{name: "reversed corners overlapping", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="C3:A1"/><mergeCell ref="B2:D4"/></mergeCells>`)},
		{name: "single cell and absolute refs", wb: withMerges(t, plain, `<mergeCells count="2"><mergeCell ref="B5"/><mergeCell ref="$A$7:$C$8"/></mergeCells>`),
			want: []mergeRange{{2, 5, 2, 5}, {1, 7, 3, 8}}},
		{name: "lower case and a third part", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="a1:b1:z9"/></mergeCells>`), want: []mergeRange{{1, 1, 2, 1}}},
		{name: "merge across the header row", wb: withMerges(t, plain, `<mergeCells><mergeCell ref="A1:B1"/><mergeCell ref="A2:A3"/></mergeCells>`)},
		{name: "mergeCell outside mergeCells and mergeCells inside another element are not merges",
			wb:   withMerges(t, plain, `<extLst><mergeCells><mergeCell ref="A1:C3"/></mergeCells></extLst><mergeCells><mergeCell ref="A5:B5"/><x><mergeCell ref="A9:B9"/></x></mergeCells>`),
			want: []mergeRange{{1, 5, 2, 5}}},
		{name: "prefixed names", wb: withMerges(t, plain, `<m:mergeCells xmlns:m="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><m:mergeCell m:ref="A5:B6"/></m:mergeCells>`),
			want: []mergeRange{{1, 5, 2, 6}}},
		{name: "entities and CDATA in the cells before", wb: withPart(t, plain, "xl/worksheets/sheet1.xml", func(s string) string {
			return strings.Replace(s, "</sheetData>", `<row r="9"><c r="A9" t="inlineStr"><is><t><![CDATA[</sheetData><mergeCells><mergeCell ref="A1:Z99"/></mergeCells>]]>&lt;&amp;</t></is></c></row><!-- <mergeCells><mergeCell ref="A1:Z99"/></mergeCells> --></sheetData><mergeCells><mergeCell ref="A3:B3"/></mergeCells>`, 1)
		}), want: []mergeRange{{1, 3, 2, 3}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := excelize.OpenReader(bytes.NewReader(tc.wb))
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			f.Close()
			for _, sheet := range sheets {
				want, werr := excelizeMerges(tc.wb, sheet)
				got, gerr := scannedMerges(tc.wb, sheet)
				if werr != nil || gerr != nil {
					t.Fatalf("sheet %q: excelize error %v, scan error %v", sheet, werr, gerr)
				}
				if !slices.Equal(got, want) {
					t.Errorf("sheet %q: scan gives %v, excelize %v", sheet, got, want)
				}
				if tc.want != nil && sheet == sheets[0] && !slices.Equal(got, tc.want) {
					t.Errorf("sheet %q: scan gives %v, want %v", sheet, got, tc.want)
				}
			}
		})
	}
}

// TestMergeScanRejects: a crafted sheet whose merged ranges cannot be
// read, or which is not well-formed XML anywhere (excelize's row reader
// stops silently at a syntax error: the hazards after it would vanish),
// is a problem naming the sheet, never a partly read log.
func TestMergeScanRejects(t *testing.T) {
	plain := validWorkbook(t)
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("<mergeCells>")
		for i := range n {
			fmt.Fprintf(&b, `<mergeCell ref="Z%d"/>`, 100+i)
		}
		b.WriteString("</mergeCells>")
		return b.String()
	}
	overlapping := func(n int) string {
		var b strings.Builder
		b.WriteString("<mergeCells>")
		for i := range n {
			fmt.Fprintf(&b, `<mergeCell ref="Z%d:Z%d"/>`, 100+i, 101+i)
		}
		b.WriteString("</mergeCells>")
		return b.String()
	}
	sheetXML := "xl/worksheets/sheet2.xml" // the "Hazard Log" sheet
	edit := func(old, new string) []byte {
		return withPart(t, plain, sheetXML, func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("no %q in the sheet", old)
			}
			return strings.Replace(s, old, new, 1)
		})
	}
	mergesXML := func(x string) []byte {
		return withPart(t, plain, sheetXML, func(s string) string {
			i, j := strings.Index(s, "<mergeCells"), strings.Index(s, "</mergeCells>")
			return s[:i] + x + s[j+len("</mergeCells>"):]
		})
	}
	cases := []struct {
		name     string
		wb       []byte
		want     string
		excelize bool // excelize's GetMergeCells fails on it too
	}{
		{name: "ref that is no cell", wb: mergesXML(`<mergeCells><mergeCell ref="A1:B2"/><mergeCell ref="HAZ:1"/></mergeCells>`), want: `merged range "HAZ:1"`, excelize: true},
		{name: "mergeCell without a ref", wb: mergesXML(`<mergeCells><mergeCell/></mergeCells>`), want: `merged range ""`, excelize: true},
		{name: "count not a number", wb: mergesXML(`<mergeCells count="many"><mergeCell ref="A1:B2"/></mergeCells>`), want: `<mergeCells count="many">: not a number`, excelize: true},
		{name: "column past XFD", wb: mergesXML(`<mergeCells><mergeCell ref="A1:XFE1"/></mergeCells>`), want: `merged range "A1:XFE1"`, excelize: true},
		{name: "over-long ref", wb: mergesXML(`<mergeCells><mergeCell ref="A1:B` + strings.Repeat("1", 80) + `"/></mergeCells>`), want: "longer than 64 characters"},
		{name: "too many ranges", wb: mergesXML(many(maxMergeRanges + 1)), want: fmt.Sprintf("more than %d merged ranges", maxMergeRanges)},
		{name: "too many ranges, some overlapping", wb: mergesXML(overlapping(maxOverlappingMerges + 1)), want: "some overlapping"},
		{name: "unknown entity in a later row", wb: edit(`<row r="10"`, `<row r="10" note="&bogus;"`), want: "invalid character entity &bogus;", excelize: true},
		{name: "row left open", wb: edit(`</row></sheetData>`, `</sheetData>`), want: "unexpected end element </sheetData>", excelize: true},
		// Excel writes one <mergeCells>, after <sheetData>, and repairs a
		// file with more or misplaced ones: what it shows then is not known.
		{name: "two mergeCells elements", wb: mergesXML(`<mergeCells><mergeCell ref="A5:B5"/></mergeCells><mergeCells><mergeCell ref="A7:B7"/></mergeCells>`), want: "a second <mergeCells>"},
		{name: "mergeCells before sheetData", wb: withPart(t, plain, sheetXML, func(s string) string {
			return strings.Replace(s, "<sheetData>", `<mergeCells><mergeCell ref="A2:B2"/></mergeCells><sheetData>`, 1)
		}), want: "a <mergeCells> before <sheetData>"},
		{name: "not a worksheet", wb: withPart(t, plain, sheetXML, func(s string) string {
			return strings.Replace(strings.Replace(s, "<worksheet", "<chartsheet", 1), "</worksheet>", "</chartsheet>", 1)
		}), want: "the root element is <chartsheet>", excelize: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scannedMerges(tc.wb, "Hazard Log")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("scan error %v, want one containing %q", err, tc.want)
			}
			if tc.excelize {
				if _, werr := excelizeMerges(tc.wb, "Hazard Log"); werr == nil {
					t.Errorf("excelize reads it without an error")
				}
			}
			res := loadData("hazard-log.xlsx", tc.wb, FormatXLSX, config(underReview))
			checkResult(t, res)
			found := false
			for _, p := range res.Problems {
				found = found || p.Cell == `sheet "Hazard Log"` && strings.Contains(p.Message, "cannot read the sheet") && strings.Contains(p.Message, tc.want)
			}
			if !found {
				t.Errorf("problems %v: none says sheet \"Hazard Log\" cannot be read (%s)", res.Problems, tc.want)
			}
		})
	}
}

// FuzzMergeScan: whatever a worksheet part holds, the scan ends without a
// panic, within its bounds, and whenever it reads ranges they are the ones
// excelize's GetMergeCells reads from the same part.
func FuzzMergeScan(f *testing.F) {
	wb := buildXLSX(f, xlsxSheet{name: "Sheet", cells: map[string]any{"A1": "Hazard number", "B1": "Hazard name", "A2": 1, "B2": "x"}})
	zr, err := zip.NewReader(bytes.NewReader(wb), int64(len(wb)))
	if err != nil {
		f.Fatal(err)
	}
	var sheet1 string
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			sheet1 = string(b)
		}
	}
	f.Add(sheet1)
	withM := func(m string) string {
		return strings.Replace(sheet1, "</sheetData>", "</sheetData>"+m, 1)
	}
	f.Add(withM(`<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="B2:C3"/></mergeCells>`))
	f.Add(withM(`<mergeCells><mergeCell ref="A2:E2"/><mergeCell ref="C1:C3"/><mergeCell ref="C3:A1"/><mergeCell ref="$B$5"/></mergeCells>`))
	f.Add(withM(`<mergeCells><mergeCell ref="A1:A2"/><mergeCell ref="C3:C4"/><mergeCell ref="A2:B3"/><mergeCell ref="B4:D5"/></mergeCells><mergeCells><mergeCell ref="D5:E6"/></mergeCells>`))
	f.Add(withM(`<mergeCells count="x"><mergeCell ref="HAZ:1"/></mergeCells>`))
	f.Fuzz(func(t *testing.T, part string) {
		refs, err := scanMergeRefs(strings.NewReader(part), nil)
		if err != nil {
			return
		}
		if len(refs) > maxMergeRanges {
			t.Fatalf("%d ranges read, over the bound", len(refs))
		}
		for _, r := range refs {
			if len(r) > maxMergeRefLen {
				t.Fatalf("ref %q over the bound", r)
			}
		}
		got, gerr := mergeRects(refs)
		crafted := withPart(t, wb, "xl/worksheets/sheet1.xml", func(string) string { return part })
		want, werr := excelizeMerges(crafted, "Sheet")
		if werr != nil || gerr != nil {
			// excelize decodes every field of the sheet and fails on more
			// than the merged ranges; the scan fails only on those.
			if gerr != nil && werr == nil {
				t.Fatalf("scan fails (%v) where excelize reads %v", gerr, want)
			}
			return
		}
		if !slices.Equal(got, want) {
			t.Fatalf("scan gives %v, excelize %v", got, want)
		}
	})
}

// TestAnyIntersect: the sweep agrees with comparing every pair, on random
// small ranges (many touching, crossing, nested, reversed).
func TestAnyIntersect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 1 + rng.IntN(6)
		rects := make([]mergeRange, n)
		for i := range rects {
			rects[i] = mergeRange{1 + rng.IntN(8), 1 + rng.IntN(8), 1 + rng.IntN(8), 1 + rng.IntN(8)}
		}
		want := false
		for i := range rects {
			for j := i + 1; j < n; j++ {
				a, b := rects[i], rects[j]
				if max(min(a[0], a[2]), min(b[0], b[2])) <= min(max(a[0], a[2]), max(b[0], b[2])) &&
					max(min(a[1], a[3]), min(b[1], b[3])) <= min(max(a[1], a[3]), max(b[1], b[3])) {
					want = true
				}
			}
		}
		if got := anyIntersect(rects); got != want {
			t.Fatalf("anyIntersect(%v) = %v, comparing pairs %v", rects, got, want)
		}
		if !want && !slices.Equal(mergeOverlaps(slices.Clone(rects)), rects) {
			t.Fatalf("excelize's merging changes %v, which do not intersect", rects)
		}
	}
}

// trimRows drops trailing empty rows and makes empty rows nil, as
// xlsxGrid keeps them.
func trimRows(rows [][]string) [][]string {
	last := -1
	for i, r := range rows {
		if len(r) == 0 {
			rows[i] = nil
		} else {
			last = i
		}
	}
	return rows[:last+1]
}

// bothRowReaders reads the sheet with excelize's row reader and with the
// one-pass scan, each on a freshly opened workbook.
func bothRowReaders(t testing.TB, wb []byte, sheet string) (want [][]string, wantErr bool, got [][]string, gotErr error) {
	t.Helper()
	open := func() *excelize.File {
		f, err := excelize.OpenReader(bytes.NewReader(wb), excelize.Options{RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipXMLLimit})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := open()
	rows, problems := excelizeRows(f, "x.xlsx", sheet)
	f.Close()
	want, wantErr = trimRows(rows), len(problems) > 0
	f = open()
	defer f.Close()
	f.GetSheetList()
	_, content, ok := inMemorySheet(f, wb, sheet)
	if !ok {
		t.Fatalf("sheet %q is not in memory", sheet)
	}
	got, _, gotErr = scanSheet(bytes.NewReader(content), f.CharsetReader, (&sharedStringTable{f: f}).lookup)
	return want, wantErr, trimRows(got), gotErr
}

// TestSheetScanMatchesExcelizeRows: the one-pass scan reads every cell
// value excelize's row reader (RawCellValue) read, at the same row and
// column, for the example workbooks, the large benchmark workbook and
// cells written every way a workbook can hold them.
func TestSheetScanMatchesExcelizeRows(t *testing.T) {
	valid := validWorkbook(t)
	exported, err := exportXLSX(loadData("hazard-log.xlsx", valid, FormatXLSX, config(underReview)).Log)
	if err != nil {
		t.Fatal(err)
	}
	kinds := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		set := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		set(f.SetCellValue("Sheet1", "A1", "Hazard number"))
		set(f.SetCellValue("Sheet1", "C1", true))
		set(f.SetCellValue("Sheet1", "D1", 3.25))
		set(f.SetCellValue("Sheet1", "E1", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
		set(f.SetCellFormula("Sheet1", "F1", "=1+1"))
		set(f.SetCellRichText("Sheet1", "A3", []excelize.RichTextRun{{Text: "Wrong "}, {Text: "patient", Font: &excelize.Font{Bold: true}}}))
		set(f.SetCellStr("Sheet1", "B3", "line one\nline two _x0008_ and _x005F_x0041_"))
		set(f.SetCellStr("Sheet1", "C3", "  spaced  "))
		set(f.SetCellInt("Sheet1", "Z7", 12))
		set(f.SetCellValue("Sheet1", "B9", "=not a formula"))
		set(f.SetCellStyle("Sheet1", "A9", "A9", 0))
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	crafted := func(rowsXML string) []byte {
		return withPart(t, kinds, "xl/worksheets/sheet1.xml", func(s string) string {
			i, j := strings.Index(s, "<sheetData>"), strings.Index(s, "</sheetData>")
			return s[:i] + "<sheetData>" + rowsXML + s[j:]
		})
	}
	cases := []struct {
		name string
		wb   []byte
	}{
		{"valid workbook", valid},
		{"invalid workbook", invalidWorkbook(t)},
		{"exported workbook", exported},
		{"benchmark workbook", benchWorkbook()},
		{"every kind of cell", kinds},
		{"inline strings with runs and escapes", crafted(`<row r="1"><c r="A1" t="inlineStr"><is><t>Hazard</t><r><rPr><b/></rPr><t xml:space="preserve"> number</t></r><rPh><t>ignored</t></rPh></is></c><c r="B1" t="inlineStr"><is><r><t>a</t></r><t>c</t></is></c><c r="C1" t="inlineStr"><v>from v</v></c><c r="D1" t="inlineStr"><is><t>_x0041__x005F__xD800_x</t></is></c></row>`)},
		{"rows and cells without r, gaps, formulas without values", crafted(`<row><c><v>1</v></c><c t="str"><f>A1</f></c><c t="str"><f>A1</f><v></v></c></row><row r="4"><c r="C4"><v>2</v></c><c><v>3</v></c></row><row><c r="B5" t="s"><v> 0 </v></c><c t="s"><v></v></c><c t="b"><v>1</v></c></row>`)},
		{"CDATA, entities and comments in values", crafted(`<row r="2"><c r="A2" t="str"><v><![CDATA[<x>]]>&amp;&#65;<!-- no --></v></c><c r="B2" t="e"><v>#N/A</v></c><c r="C2" t="d"><v>2026-01-02T00:00:00Z</v></c></row>`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := excelize.OpenReader(bytes.NewReader(tc.wb))
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			f.Close()
			for _, sheet := range sheets {
				want, wantErr, got, gotErr := bothRowReaders(t, tc.wb, sheet)
				if wantErr || gotErr != nil {
					t.Fatalf("sheet %q: excelize error %v, scan error %v", sheet, wantErr, gotErr)
				}
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("sheet %q:\nscan     %q\nexcelize %q", sheet, got, want)
				}
			}
		})
	}
}

// TestSheetScanRejects: cells a crafted file places where excelize would
// read them into the wrong row or column, or read as blank, are errors.
func TestSheetScanRejects(t *testing.T) {
	wb := buildXLSX(t, xlsxSheet{name: "Sheet1", cells: map[string]any{"A1": "Hazard number", "B1": "Hazard name"}})
	crafted := func(rowsXML string) []byte {
		return withPart(t, wb, "xl/worksheets/sheet1.xml", func(s string) string {
			i, j := strings.Index(s, "<sheetData>"), strings.Index(s, "</sheetData>")
			return s[:i] + "<sheetData>" + rowsXML + s[j:]
		})
	}
	cases := []struct{ name, rows, want string }{
		{"rows out of order", `<row r="5"><c r="A5"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>`, "row 3 comes after row 5"},
		{"row repeated", `<row r="5"/><row r="5"/>`, "row 5 comes after row 5"},
		{"row number not a number", `<row r="x"/>`, `row number "x"`},
		{"row number past the sheet", `<row r="1048577"/>`, "row number"},
		{"cell left of the one before", `<row r="1"><c r="C1"><v>1</v></c><c r="B1"><v>2</v></c></row>`, "cell B1 comes after a cell to its right"},
		{"cell ref not a cell", `<row r="1"><c r="HAZ"><v>1</v></c></row>`, `cell "HAZ"`},
		{"style not a number", `<row r="1"><c r="A1" s="x"><v>1</v></c></row>`, `style "x" is not a number`},
		{"shared string that does not exist", `<row r="1"><c r="A1" t="s"><v>99</v></c></row>`, "shared string 99 does not exist"},
		{"shared string index not a number", `<row r="1"><c r="A1" t="s"><v>one</v></c></row>`, `shared string index "one"`},
		{"value nested in another element", `<row r="1"><c r="A1"><extLst><v>1</v></extLst></c></row>`, "a <v> outside its place"},
		{"element inside a value", `<row r="1"><c r="A1"><v>1<b/>2</v></c></row>`, "an element <b> inside a cell's text"},
		{"cell outside a row", `<c r="A1"><v>1</v></c>`, "a cell <c> outside a <row>"},
		{"row inside a row", `<row r="1"><row r="2"/></row>`, "a <row> outside <sheetData>"},
		{"values far to the right on many rows", strings.Repeat(`<row><c r="XFD1"><v>1</v></c></row>`, maxSheetCells/16384+1), "more than 8388608 cells"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := loadData("hazard-log.xlsx", crafted(tc.rows), FormatXLSX, config(underReview))
			checkResult(t, res)
			found := false
			for _, p := range res.Problems {
				found = found || p.Cell == `sheet "Sheet1"` && strings.Contains(p.Message, "cannot read the sheet") && strings.Contains(p.Message, tc.want)
			}
			if !found {
				t.Errorf("problems %v: none says sheet \"Sheet1\" cannot be read (%s)", res.Problems, tc.want)
			}
		})
	}
}

// FuzzSheetScan: whatever a sheet's rows hold, the one-pass scan ends
// without a panic, and whenever both it and excelize's row reader read
// the sheet, they read the same values at the same places.
func FuzzSheetScan(f *testing.F) {
	wb := buildXLSX(f, xlsxSheet{name: "Sheet1", cells: map[string]any{"A1": "Hazard number", "B1": "Hazard name", "A2": 1.5, "B2": "x"}})
	f.Add(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2"><v>1.5</v></c></row>`)
	f.Add(`<row><c t="inlineStr"><is><t>a</t><r><t>b</t></r></is></c><c><f>1</f></c></row><row r="4"><c r="C4" t="str"><v><![CDATA[x]]>&amp;</v></c></row>`)
	f.Add(`<row r="2"><c r="B2" t="s"><v> 1 </v></c><c t="b"><v>1</v><v>0</v></c></row>`)
	f.Fuzz(func(t *testing.T, rowsXML string) {
		crafted := withPart(t, wb, "xl/worksheets/sheet1.xml", func(s string) string {
			i, j := strings.Index(s, "<sheetData>"), strings.Index(s, "</sheetData>")
			return s[:i] + "<sheetData>" + rowsXML + s[j:]
		})
		if _, err := excelize.OpenReader(bytes.NewReader(crafted)); err != nil {
			return
		}
		want, wantErr, got, gotErr := bothRowReaders(t, crafted, "Sheet1")
		if wantErr || gotErr != nil {
			return // either refused it: the scan is stricter than excelize, by design
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("scan %q, excelize %q", got, want)
		}
		// Noting what Excel hides changes nothing of what is read.
		wf, err := excelize.OpenReader(bytes.NewReader(crafted))
		if err != nil {
			t.Fatal(err)
		}
		defer wf.Close()
		_, content, ok := inMemorySheet(wf, crafted, "Sheet1")
		if !ok {
			return
		}
		shown, _, err := scanSheetDisplay(bytes.NewReader(content), wf.CharsetReader, (&sharedStringTable{f: wf}).lookup, newSheetDisplay(workbookFormats(wf)))
		if err == nil && !slices.EqualFunc(shown, got, slices.Equal) {
			t.Fatalf("with the display noted %q, without %q", shown, got)
		}
	})
}

// TestXLSXSheetPastXMLLimit: a sheet whose XML is over the limit excelize
// keeps in memory (it unpacks it to a temporary file) is read by excelize's
// row reader and the merged-range scan of that file, to the same log.
func TestXLSXSheetPastXMLLimit(t *testing.T) {
	valid := validWorkbook(t)
	padded := withPart(t, valid, "xl/worksheets/sheet2.xml", func(s string) string {
		return strings.Replace(s, "<sheetData>", "<!--"+strings.Repeat(" ", xlsxUnzipXMLLimit)+"--><sheetData>", 1)
	})
	f, err := excelize.OpenReader(bytes.NewReader(padded), excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipXMLLimit})
	if err != nil {
		t.Fatal(err)
	}
	f.GetSheetList()
	_, _, inMemory := inMemorySheet(f, padded, "Hazard Log")
	f.Close()
	if inMemory {
		t.Fatal("the padded sheet is still held in memory; the test reads nothing new")
	}
	want := loadData("hazard-log.xlsx", valid, FormatXLSX, config(underReview))
	got := loadData("hazard-log.xlsx", padded, FormatXLSX, config(underReview))
	if !reflect.DeepEqual(got.Log, want.Log) || !reflect.DeepEqual(got.Problems, want.Problems) || !reflect.DeepEqual(got.Warnings, want.Warnings) {
		t.Errorf("the padded workbook reads differently:\n got %+v %v %v\nwant %+v %v %v", got.Log, got.Problems, got.Warnings, want.Log, want.Problems, want.Warnings)
	}
	if len(want.Log.Hazards) == 0 {
		t.Fatal("the valid workbook read no hazards")
	}
}

// excelizeSharedStrings is excelize's own reading of the shared strings,
// which its row reader makes on the first row with a cell.
func excelizeSharedStrings(t *testing.T, wb []byte) ([]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(wb))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			return nil, err
		}
		for f.SharedStrings == nil && rows.Next() {
			if _, err := rows.Columns(); err != nil {
				rows.Close()
				return nil, err
			}
		}
		rows.Close()
	}
	if f.SharedStrings == nil {
		t.Fatal("excelize read no shared strings")
	}
	texts := []string{}
	for _, si := range f.SharedStrings.SI {
		texts = append(texts, si.String())
	}
	return texts, nil
}

// TestSharedStringsScanMatchesExcelize: the streaming read of the shared
// strings gives the texts excelize gave, for the example and benchmark
// workbooks and for tables with rich text runs, phonetic runs, escapes and
// CDATA (a second <t> where Excel shows one is refused:
// TestSharedStringExcelDoesNotShowIsRefused).
func TestSharedStringsScanMatchesExcelize(t *testing.T) {
	valid := validWorkbook(t)
	exported, err := exportXLSX(loadData("hazard-log.xlsx", valid, FormatXLSX, config(underReview)).Log)
	if err != nil {
		t.Fatal(err)
	}
	crafted := func(sis string) []byte {
		return withPart(t, valid, "xl/sharedStrings.xml", func(s string) string {
			i, j := strings.Index(s, "<si>"), strings.LastIndex(s, "</si>")
			return s[:i] + sis + s[j+len("</si>"):]
		})
	}
	cases := []struct {
		name string
		wb   []byte
	}{
		{"valid workbook", valid},
		{"invalid workbook", invalidWorkbook(t)},
		{"exported workbook", exported},
		{"benchmark workbook", benchWorkbook()},
		{"rich text, phonetic runs, escapes", crafted(`<si><t>Hazard number</t></si><si><r><rPr><b/></rPr><t>Hazard </t></r><r><t>name</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh><phoneticPr fontId="1"/></si>` +
			`<si><t xml:space="preserve"> second </t></si><si><t>_x0041__x005F_x0042__xD800_z</t></si><si/><si><t><![CDATA[<cdata>]]> &amp; &#x263A;</t></si><si><r><t>run</t></r><t>then t</t></si>`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, err := excelizeSharedStrings(t, tc.wb)
			if err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(bytes.NewReader(tc.wb))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			table := &sharedStringTable{f: f}
			got := []string{}
			for i := 0; ; i++ {
				text, err := table.lookup(i)
				if err != nil {
					if !strings.Contains(err.Error(), "does not exist") {
						t.Fatal(err)
					}
					break
				}
				got = append(got, text)
			}
			if !slices.Equal(got, want) {
				t.Errorf("scan %q\nexcelize %q", got, want)
			}
		})
	}
}

// FuzzSharedStrings: whatever a shared strings part holds, the scan ends
// without a panic, and whenever both it and excelize read it, the texts
// are the same.
func FuzzSharedStrings(f *testing.F) {
	wb := buildXLSX(f, xlsxSheet{name: "Sheet1", cells: map[string]any{"A1": "Hazard number", "B1": "Hazard name"}})
	f.Add(`<si><t>Hazard number</t></si><si><r><t>Hazard </t></r><r><t>name</t></r><rPh><t>x</t></rPh></si>`)
	f.Add(`<si><t>a</t><t>b</t></si><si><t>_x0041_&amp;<![CDATA[<c>]]></t></si><si/>`)
	f.Fuzz(func(t *testing.T, sis string) {
		crafted := withPart(t, wb, "xl/sharedStrings.xml", func(s string) string {
			i, j := strings.Index(s, "<si>"), strings.LastIndex(s, "</si>")
			return s[:i] + sis + s[j+len("</si>"):]
		})
		xf, err := excelize.OpenReader(bytes.NewReader(crafted))
		if err != nil {
			return
		}
		defer xf.Close()
		content, _ := xf.Pkg.Load(sharedStringsPart)
		got, gerr := scanSharedStrings(bytes.NewReader(content.([]byte)), nil)
		want, werr := excelizeSharedStrings(t, crafted)
		if gerr != nil || werr != nil {
			return // either refused it: the scan is stricter than excelize, by design
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !slices.Equal(got, want) {
			t.Fatalf("scan %q, excelize %q", got, want)
		}
	})
}
