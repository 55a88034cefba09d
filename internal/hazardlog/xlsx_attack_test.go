package hazardlog

import (
	"bytes"
	"fmt"
	"github.com/csogate/csogate/internal/safetyfile"
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
