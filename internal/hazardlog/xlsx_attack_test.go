package hazardlog

import (
	"archive/zip"
	"bytes"
	"fmt"
	"github.com/csogate/csogate/internal/safetyfile"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// hazardTable is a one-hazard sheet in the template's columns.
func hazardTable(name, title, residualSeverity string) xlsxSheet {
	return xlsxSheet{name: name, cells: map[string]any{
		"A1": "Hazard number", "B1": "Hazard name", "C1": "Initial Severity", "D1": "Initial Likelihood",
		"E1": "Residual Severity", "F1": "Residual Likelihood", "G1": "Hazard Status",
		"A2": 1, "B2": title, "C2": "Major", "D2": "Low", "E2": residualSeverity, "F2": "Low", "G2": "Open",
	}}
}

// hideSheet returns the workbook with sheet hidden (veryHidden: only a
// macro or an XML editor can show it again).
func hideSheet(t *testing.T, wb []byte, sheet string, veryHidden bool) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(wb))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Excel keeps a visible sheet active.
	for i, name := range f.GetSheetList() {
		if name != sheet {
			f.SetActiveSheet(i)
			break
		}
	}
	if err := f.SetSheetVisible(sheet, false, veryHidden); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A hidden sheet is not what a person reviewing the workbook in Excel sees:
// a pull request that adds a hidden sheet holding a tamer copy of the log
// must not have the gate read the copy instead of the visible log.
func TestHiddenSheetIsNotRead(t *testing.T) {
	t.Parallel()
	for _, veryHidden := range []bool{false, true} {
		// The hidden copy comes first, so it wins any tie.
		data := buildXLSX(t, hazardTable("Log", "Tame copy", "Minor"), hazardTable("Hazard Log", "Wrong patient", "Catastrophic"))
		data = hideSheet(t, data, "Log", veryHidden)
		res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
		if !res.Valid() || len(res.Log.Hazards) != 1 || res.Log.Hazards[0].Title != "Wrong patient" {
			t.Fatalf("veryHidden=%v: got %v, %+v; want the visible sheet's hazard", veryHidden, res.Problems, res.Log.Hazards)
		}
		expectMessages(t, "warning", res.Warnings, []string{`hazard-log.xlsx: sheet "Log": this sheet is hidden in Excel, so it is not read`})
	}
}

// Only a hidden sheet holds the table, or the hidden sheet is named:
// refused, saying to unhide it.
func TestHiddenSheetOnlyIsRefused(t *testing.T) {
	t.Parallel()
	data := buildXLSX(t, xlsxSheet{name: "Cover", cells: map[string]any{"A1": "Cover"}}, hazardTable("Log", "Tame copy", "Minor"))
	data = hideSheet(t, data, "Log", true)
	res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
	if res.Valid() || !strings.Contains(problemText(res.Problems), `sheet "Log" is hidden in Excel`) {
		t.Fatalf("got %v; want a problem naming the hidden sheet", res.Problems)
	}
	res = loadBytes("hazard-log.xlsx", data, FormatXLSX, "log", config(nil))
	res.finish()
	if res.Valid() || !strings.Contains(problemText(res.Problems), `sheet "Log" is hidden in Excel`) {
		t.Fatalf("--sheet log: got %v; want a problem naming the hidden sheet", res.Problems)
	}
}

// Two sheets of the same name (Excel refuses to open such a file without
// repairing it): which one excelize reads is not what anyone sees.
func TestDuplicateSheetNamesAreRefused(t *testing.T) {
	t.Parallel()
	data := buildXLSX(t, hazardTable("Hazard Log", "Wrong patient", "Catastrophic"), hazardTable("Copy", "Tame copy", "Minor"))
	data = withPart(t, data, "xl/workbook.xml", func(s string) string {
		return strings.Replace(s, `name="Copy"`, `name="Hazard Log"`, 1)
	})
	res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
	if res.Valid() || !strings.Contains(problemText(res.Problems), `more than one sheet named "Hazard Log"`) {
		t.Fatalf("got %v, %+v; want the duplicate names refused", res.Problems, res.Log.Hazards)
	}
}

func problemText(ps safetyfile.Problems) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s: %s\n", p.Location, p.Message)
	}
	return b.String()
}

// A cell Excel shows one way and the gate would read another: a second
// value in a namespace Excel ignores (or a second value at all, which Excel
// never writes), a cell or a <sheetData> Excel does not read. Each is
// refused, naming the sheet, rather than read.
func TestSheetValueExcelDoesNotShowIsRefused(t *testing.T) {
	t.Parallel()
	wb := buildXLSX(t, hazardTable("Hazard Log", "Wrong patient", "Catastrophic"))
	const head = `<row r="1"><c r="A1" t="inlineStr"><is><t>Hazard number</t></is></c><c r="B1" t="inlineStr"><is><t>Hazard name</t></is></c><c r="C1" t="inlineStr"><is><t>Initial Severity</t></is></c><c r="D1" t="inlineStr"><is><t>Initial Likelihood</t></is></c><c r="E1" t="inlineStr"><is><t>Residual Severity</t></is></c><c r="F1" t="inlineStr"><is><t>Residual Likelihood</t></is></c></row>`
	row := func(residual string) string {
		return `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>Wrong patient</t></is></c><c r="C2" t="inlineStr"><is><t>Major</t></is></c><c r="D2" t="inlineStr"><is><t>Low</t></is></c>` +
			residual + `<c r="F2" t="inlineStr"><is><t>Low</t></is></c></row>`
	}
	cases := []struct{ name, sheetData, want string }{
		{"a second value in an ignored namespace", `<sheetData>` + head + row(`<c r="E2" t="str"><v>Catastrophic</v><x:v xmlns:x="urn:ignored">Minor</x:v></c>`) + `</sheetData>`, "<x:v> is not in the SpreadsheetML namespace"},
		{"a second value", `<sheetData>` + head + row(`<c r="E2" t="str"><v>Catastrophic</v><v>Minor</v></c>`) + `</sheetData>`, "a second <v>"},
		{"a second inline text in an ignored namespace", `<sheetData>` + head + row(`<c r="E2" t="inlineStr"><is><t>Catastrophic</t><x:t xmlns:x="urn:ignored">Minor</x:t></is></c>`) + `</sheetData>`, "<x:t> is not in the SpreadsheetML namespace"},
		{"a second run text", `<sheetData>` + head + row(`<c r="E2" t="inlineStr"><is><r><t>Catastrophic</t><t>Minor</t></r></is></c>`) + `</sheetData>`, "a second <t>"},
		{"a second inline string", `<sheetData>` + head + row(`<c r="E2" t="inlineStr"><is><t>Catastrophic</t></is><is><t>Minor</t></is></c>`) + `</sheetData>`, "a second <is>"},
		{"an inline string and a value", `<sheetData>` + head + row(`<c r="E2" t="inlineStr"><v>Minor</v><is><t>Catastrophic</t></is></c>`) + `</sheetData>`, "both an inline string and a <v>"},
		{"a cell in an ignored namespace", `<sheetData>` + head + row(`<x:c xmlns:x="urn:ignored" r="E2" t="inlineStr"><x:is><x:t>Minor</x:t></x:is></x:c>`) + `</sheetData>`, "namespace"},
		{"rows in an ignored namespace", `<x:sheetData xmlns:x="urn:ignored">` + head + row(`<c r="E2" t="inlineStr"><is><t>Minor</t></is></c>`) + `</x:sheetData><sheetData/>`, "namespace"},
		{"a second sheetData", `<sheetData>` + head + `</sheetData><sheetData>` + row(`<c r="E2" t="inlineStr"><is><t>Minor</t></is></c>`) + `</sheetData>`, "a second <sheetData>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := withPart(t, wb, "xl/worksheets/sheet1.xml", func(s string) string {
				i, j := strings.Index(s, "<sheetData>"), strings.Index(s, "</sheetData>")
				return s[:i] + tc.sheetData + s[j+len("</sheetData>"):]
			})
			res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
			text := problemText(res.Problems)
			if res.Valid() || !strings.Contains(text, `sheet "Hazard Log"`) || !strings.Contains(text, tc.want) {
				t.Fatalf("got problems %q, hazards %+v; want the sheet refused (%s)", text, res.Log.Hazards, tc.want)
			}
		})
	}
}

// The same in the shared strings: Excel shows an <si>'s one <t>.
func TestSharedStringExcelDoesNotShowIsRefused(t *testing.T) {
	t.Parallel()
	wb := buildXLSX(t, hazardTable("Hazard Log", "Wrong patient", "Catastrophic"))
	for _, si := range []string{`<si><t>Catastrophic</t><x:t xmlns:x="urn:ignored">Minor</x:t></si>`, `<si><t>Catastrophic</t><t>Minor</t></si>`} {
		data := withPart(t, wb, "xl/sharedStrings.xml", func(s string) string {
			return strings.Replace(s, `<si><t>Catastrophic</t></si>`, si, 1)
		})
		res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
		text := problemText(res.Problems)
		if res.Valid() || !strings.Contains(text, "shared strings") {
			t.Fatalf("%s: got problems %q, hazards %+v; want the shared strings refused", si, text, res.Log.Hazards)
		}
	}
}

// Two zip entries of one part name (OPC names are case-insensitive): which
// one Excel opens is not which one excelize keeps (the last), so the file
// is refused.
func TestDuplicatePartsAreRefused(t *testing.T) {
	t.Parallel()
	wb := buildXLSX(t, hazardTable("Hazard Log", "Wrong patient", "Catastrophic"))
	tame := buildXLSX(t, hazardTable("Hazard Log", "Wrong patient", "Minor"))
	for _, name := range []string{"xl/worksheets/sheet1.xml", "xl/worksheets/SHEET1.xml", `xl\worksheets\sheet1.xml`} {
		data := withExtraEntry(t, wb, name, sheetXML(t, tame))
		res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
		text := problemText(res.Problems)
		if res.Valid() || !strings.Contains(text, "more than one part named") {
			t.Fatalf("%s: got problems %q, hazards %+v; want the workbook refused", name, text, res.Log.Hazards)
		}
	}
}

func sheetXML(t *testing.T, wb []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(wb), int64(len(wb)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no sheet1.xml")
	return nil
}

// withExtraEntry appends a zip entry after the workbook's own.
func withExtraEntry(t *testing.T, wb []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(wb), int64(len(wb)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if err := zw.Copy(zf); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
