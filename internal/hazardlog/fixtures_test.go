package hazardlog

import (
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The XLSX fixtures are built here, cell by cell, rather than stored as
// binary files: the code shows exactly what each cell holds (a float stored
// as 3.0, a date serial, a formula without a cached value, merged ranges).

// floatCell is a number written with a fixed precision (3.0, as some
// exporters store whole numbers).
type floatCell struct {
	v    float64
	prec int
}

// formulaCell is a formula with no cached result, as files written by
// libraries (not Excel) hold them.
type formulaCell string

type xlsxSheet struct {
	name   string
	cells  map[string]any // "G12" → value
	merges [][2]string
}

func buildXLSX(t testing.TB, sheets ...xlsxSheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for ref, v := range s.cells {
			var err error
			switch v := v.(type) {
			case floatCell:
				err = f.SetCellFloat(s.name, ref, v.v, v.prec, 64)
			case formulaCell:
				err = f.SetCellFormula(s.name, ref, string(v))
			default:
				err = f.SetCellValue(s.name, ref, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range s.merges {
			if err := f.MergeCell(s.name, m[0], m[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// validWorkbook is a hazard log as a CSO keeps it in the NHS template: a
// cover sheet with a version table, then the hazard sheet with a title
// block, merged "Initial" / "Residual" group headers, an empty first data
// row, a hazard number merged down its cause rows, numbers stored as
// floats, a date serial, a cell with a line break, a key row merged across
// the table, and a matrix sheet after it.
func validWorkbook(t testing.TB) []byte {
	reviewed := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	cover := xlsxSheet{name: "Cover", cells: map[string]any{
		"A1": "Example EPR clinical safety hazard log",
		"A3": "Version", "B3": "Date", "C3": "Summary of changes",
		"A4": floatCell{1.3, 1}, "B4": reviewed, "C4": "Annual review",
	}}
	log := xlsxSheet{name: "Hazard Log", cells: map[string]any{
		"A1": "Example EPR — Clinical safety hazard log",
		"A2": "Standard", "B2": "DCB0129",
		"A3": "Last reviewed", "B3": reviewed,
		"A4": "Version", "B4": floatCell{1.3, 1},
		"A6": "Hazard number", "B6": "Hazard name", "C6": "Hazard description", "D6": "Potential Clinical impact",
		"E6": "Possible causes", "F6": "Existing controls", "G6": "Initial", "J6": "Additional controls",
		"N6": "Residual", "Q6": "Owner", "R6": "Status", "S6": "Components", "T6": "Comments",
		"G7": "Severity", "H7": "Likelihood", "I7": "Risk score", "J7": "Design", "K7": "Test",
		"L7": "Training", "M7": "Business process change", "N7": "Severity", "O7": "Likelihood", "P7": "Risk score",
		// Row 8 is the template's empty first data row.
		"A9": floatCell{1, 1}, "B9": "Wrong patient's record shown after search",
		"C9": "Search shows a patient with a similar name first", "D9": "Clinician reviews another patient's record",
		"E9": "Search ranks by name only", "F9": "Patient banner shows NHS number",
		"G9": "Major", "H9": "Medium", "I9": floatCell{3, 1}, "J9": "Results show date of birth",
		"N9": "Major", "O9": "Low", "P9": floatCell{3, 1}, "Q9": "Dr A Example", "R9": "Open", "S9": "src/search/**", "T9": "Discussed at the CSO panel",
		"E10": "Stale cache after records are merged", "K10": "Search tests cover similar names",
		"N10": "major", "O10": "VERY LOW", "P10": formulaCell("=2"),
		"L11": "Training on the merge procedure",
		"A12": floatCell{2, 1}, "B12": "Allergy banner hides a severe allergy",
		"D12": "Severe allergy not seen;\ncontraindicated drug given", "E12": "Banner truncates a long allergy list",
		"G12": floatCell{4, 1}, "H12": floatCell{2, 1}, "I12": 3, "J12": "Banner wraps and never truncates",
		"M12": "Second check for high-risk drugs", "N12": "5 - Catastrophic: Death of several patients",
		"O12": "1 - Very low: Negligible", "P12": "3 - Medium", "R12": "Under review",
		"S12": "src/ui/allergy/**\nsrc/api/allergies.go", "U12": "",
		"A13": "HAZ-003", "B13": "Lab results delayed", "E13": "Interface queue backs up",
		"G13": "Considerable", "H13": "High", "N13": "Significant", "O13": "Very low", "R13": "Closed", "U13": "",
		"A15": "Key: scores follow the DCB0129 risk matrix",
	}, merges: [][2]string{
		{"A1", "H1"}, {"G6", "I6"}, {"J6", "M6"}, {"N6", "P6"},
		{"A6", "A7"}, {"B6", "B7"}, {"C6", "C7"}, {"D6", "D7"}, {"E6", "E7"}, {"F6", "F7"},
		{"Q6", "Q7"}, {"R6", "R7"}, {"S6", "S7"}, {"T6", "T7"},
		{"A9", "A11"}, {"B9", "B11"}, {"C9", "C11"}, {"D9", "D11"},
		{"A15", "S15"},
	}}
	matrix := xlsxSheet{name: "Matrix", cells: map[string]any{
		"A1": "Likelihood \\ Severity", "B1": "Minor", "C1": "Significant", "D1": "Considerable", "E1": "Major", "F1": "Catastrophic",
		"A2": "Very high", "B2": 3, "C2": 4, "D2": 4, "E2": 5, "F2": 5,
	}}
	return buildXLSX(t, cover, log, matrix)
}

// invalidWorkbook holds one of each fault a real log has, on the rows a
// CSO would find them; G12 is the contract's example cell.
func invalidWorkbook(t testing.TB) []byte {
	log := xlsxSheet{name: "Hazard Log", cells: map[string]any{
		"A1": "Hazard log",
		"A5": "Hazard number", "B5": "Hazard name", "C5": "Potential Clinical impact", "D5": "Possible causes",
		"E5": "Existing controls", "F5": "Initial Severity", "G5": "Initial Likelihood", "H5": "Initial Risk",
		"I5": "Residual Severity", "J5": "Residual Likelihood", "K5": "Residual Risk", "L5": "Hazard Status", "M5": "Clinical specialty",
		"A6": 1, "B6": "Unscored hazard", "F6": "TBC", "G6": "TBC", "I6": "TBC", "J6": "TBC", "L6": "Open",
		"A7": 2, "B7": "Stated risk disagrees", "F7": "Major", "G7": "Low", "H7": 4, "I7": "Major", "J7": "Low", "K7": 3, "L7": "Open",
		"A8": 3, "B8": "Status outside the list", "F8": "Minor", "G8": "Low", "I8": "Minor", "J8": "Low", "L8": "Under review",
		"A9": 4, "B9": "Residual severity above initial", "F9": "Major", "G9": "Medium", "H9": 3, "I9": "Catastrophic", "J9": "Very low", "K9": 3, "L9": "Open",
		"A10": 5, "B10": "Repeated rows", "D10": "First cause", "F10": "Minor", "G10": "Low", "I10": "Minor", "J10": "Low", "L10": "Open",
		"A11": 5, "D11": "Second cause", "F11": "Major", "G11": "High", "I11": "Major", "J11": "Medium", "K11": 3,
		"A12": 6, "B12": "Typo in a likelihood", "F12": "Major", "G12": "Offten", "I12": "Major", "J12": "Low", "L12": "Open",
		"A13": 7, "B13": "Name conflict", "F13": "Minor", "G13": "Low", "I13": "Minor", "J13": "Low", "L13": "Open",
		"B14": "Another hazard without its own number", "D14": "Copied row",
	}}
	return buildXLSX(t, log)
}
