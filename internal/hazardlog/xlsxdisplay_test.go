package hazardlog

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// displayTable is a two-hazard sheet with a title block: the review date
// above the header, a control in column I with its evidence in H.
func displayTable() xlsxSheet {
	return xlsxSheet{name: "Hazard Log", cells: map[string]any{
		"A1": "Last reviewed", "B1": "2026-11-01",
		"A3": "Hazard number", "B3": "Hazard name", "C3": "Initial Severity", "D3": "Initial Likelihood",
		"E3": "Residual Severity", "F3": "Residual Likelihood", "G3": "Hazard Status", "H3": "Evidence", "I3": "Existing controls",
		"A4": 1, "B4": "Wrong patient record shown", "C4": "Major", "D4": "Medium", "E4": "Major", "F4": "Low", "G4": "Open", "H4": "tests/search_test.go", "I4": "Search shows the NHS number",
		"A5": 2, "B5": "Allergy not shown", "C5": "Catastrophic", "D5": "Medium", "E5": "Catastrophic", "F5": "Low", "G5": "Open",
		"J4": "helper list", "J5": "Minor",
	}}
}

// displaySheet is displayTable's sheet.
const displaySheet = "Hazard Log"

// editXLSX opens the workbook, lets edit change it and writes it again.
func editXLSX(t *testing.T, wb []byte, edit func(f *excelize.File) error) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(wb))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := edit(f); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// numFmtStyle is a cell style with a custom number format.
func numFmtStyle(f *excelize.File, code string) (int, error) {
	return f.NewStyle(&excelize.Style{CustomNumFmt: &code})
}

// TestDisplayedNotStoredIsRefused: a pull request edits the workbook so
// that Excel shows a CSO one thing while the file stores another — a hidden
// row or column, a number format that shows other words, a conditional
// format that does — and the gate refuses the log, naming the cell and how
// to show it; the same edits outside what the gate reads change nothing.
func TestDisplayedNotStoredIsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(f *excelize.File) error
		want string // "" when the log must be read as before
	}{
		{
			name: "a hidden row holds a hazard",
			edit: func(f *excelize.File) error { return f.SetRowVisible(displaySheet, 5, false) },
			want: `sheet "Hazard Log" cell A5: this cell is in a row Excel hides`,
		},
		{
			name: "a row too low to read",
			edit: func(f *excelize.File) error { return f.SetRowHeight(displaySheet, 4, 0.5) },
			want: `cell A4: this cell is in a row Excel hides (or too low to read)`,
		},
		{
			name: "the hidden title row carries the review date",
			edit: func(f *excelize.File) error { return f.SetRowVisible(displaySheet, 1, false) },
			want: `cell A1: this cell is in a row Excel hides`,
		},
		{
			name: "the evidence column is hidden",
			edit: func(f *excelize.File) error { return f.SetColVisible(displaySheet, "H", false) },
			want: `cell H3: this cell is in a column Excel hides`,
		},
		{
			name: "the residual severity column is a sliver",
			edit: func(f *excelize.File) error { return f.SetColWidth(displaySheet, "E", "E", 0.2) },
			want: `cell E3: this cell is in a column Excel hides (or too narrow to read)`,
		},
		{
			name: "every row hidden by the sheet's default",
			edit: func(f *excelize.File) error {
				yes := true
				return f.SetSheetProps(displaySheet, &excelize.SheetPropsOptions{ZeroHeight: &yes})
			},
			want: `this cell is in a row Excel hides`,
		},
		{
			name: "text shown as another word",
			edit: func(f *excelize.File) error {
				st, err := numFmtStyle(f, `;;;"Catastrophic"`)
				if err == nil {
					err = f.SetCellStyle(displaySheet, "E4", "E4", st)
				}
				return err
			},
			want: `cell E4: Excel does not show this cell as stored: its number format ";;;\"Catastrophic\"" shows no text at all`,
		},
		{
			name: "text hidden",
			edit: func(f *excelize.File) error {
				st, err := numFmtStyle(f, `;;;`)
				if err == nil {
					err = f.SetCellStyle(displaySheet, "G5", "G5", st)
				}
				return err
			},
			want: `cell G5: Excel does not show this cell as stored`,
		},
		{
			// A careless user, not an attacker: the sheet shows HAZ-001
			// while the gate would read 1, which no manifest names.
			name: "the hazard number shown with a prefix",
			edit: func(f *excelize.File) error {
				st, err := numFmtStyle(f, `"HAZ-"000`)
				if err == nil {
					err = f.SetCellStyle(displaySheet, "A4", "A5", st)
				}
				return err
			},
			want: `cell A4: Excel does not show this cell as stored: its number format "\"HAZ-\"000" adds "HAZ-" to the number; give the cell the General format (Home > Number > General), and type in it what it should say`,
		},
		{
			name: "the hazard number shown as another number",
			edit: func(f *excelize.File) error {
				st, err := numFmtStyle(f, `"7"`)
				if err == nil {
					err = f.SetCellStyle(displaySheet, "A4", "A4", st)
				}
				return err
			},
			want: `cell A4: Excel does not show this cell as stored: its number format "\"7\"" shows "7" instead of the number`,
		},
		{
			name: "a conditional format shows severity as another word",
			edit: func(f *excelize.File) error {
				code := `;;;"Minor"`
				st, err := f.NewConditionalStyle(&excelize.Style{CustomNumFmt: &code})
				if err != nil {
					return err
				}
				return f.SetConditionalFormat(displaySheet, "E4:E5", []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "!=", Format: &st, Value: `"x"`}})
			},
			want: `sheet "Hazard Log" range E4:E5: Excel may not show these cells as stored: conditional formatting shows it through the number format ";;;\"Minor\""`,
		},
		{
			name: "white text on no fill",
			edit: func(f *excelize.File) error {
				st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "FFFFFF"}})
				if err == nil {
					err = f.SetCellStyle(displaySheet, "I4", "I4", st)
				}
				return err
			},
			want: `cell I4: Excel does not show this cell as stored: its text colour #FFFFFF on its fill #FFFFFF cannot be read`,
		},
		{
			name: "text the colour of its fill",
			edit: func(f *excelize.File) error {
				st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "C00000"},
					Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}}})
				if err == nil {
					err = f.SetCellStyle(displaySheet, "E5", "E5", st)
				}
				return err
			},
			want: `cell E5: Excel does not show this cell as stored: its text colour #C00000 on its fill #C00000`,
		},
		{
			name: "the theme's background colour as text",
			edit: func(f *excelize.File) error {
				st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{ColorTheme: intPtr(0)}})
				if err == nil {
					err = f.SetCellStyle(displaySheet, "B1", "B1", st)
				}
				return err
			},
			want: `cell B1: Excel does not show this cell as stored: its text colour #FFFFFF`,
		},
		{
			name: "a conditional format turns the text white",
			edit: func(f *excelize.File) error {
				st, err := f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "FFFFFF"}})
				if err != nil {
					return err
				}
				return f.SetConditionalFormat(displaySheet, "H4:I5", []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "!=", Format: &st, Value: `"x"`}})
			},
			want: `sheet "Hazard Log" range H4:I5: Excel may not show these cells as stored: conditional formatting gives it text that cannot be read`,
		},
		{
			name: "a text box over the residual severity shows another word",
			edit: func(f *excelize.File) error {
				return f.AddShape(displaySheet, &excelize.Shape{Cell: "E4", Type: "rect", Width: 60, Height: 18,
					Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFFFF"}}, Paragraph: []excelize.RichTextRun{{Text: "Minor"}}})
			},
			want: `cell E4: a picture, shape or text box lies over this cell`,
		},
		{
			name: "a white rectangle hides a control",
			edit: func(f *excelize.File) error {
				return f.AddShape(displaySheet, &excelize.Shape{Cell: "H4", Type: "rect", Width: 300, Height: 18,
					Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFFFF"}}, Line: excelize.LineOptions{Width: 0}})
			},
			want: `cell H4: a picture, shape or text box lies over this cell`,
		},
		// What the gate does not read, or formats that show the value.
		{
			name: "a note that shows only when pointed at",
			edit: func(f *excelize.File) error {
				return f.AddComment(displaySheet, excelize.Comment{Cell: "D4", Author: "CSO", Text: "Checked"})
			},
		},
		{
			name: "a logo beside the title block, over no value",
			edit: func(f *excelize.File) error {
				return f.AddShape(displaySheet, &excelize.Shape{Cell: "E1", Type: "ellipse", Width: 60, Height: 18,
					Paragraph: []excelize.RichTextRun{{Text: "NHS"}}})
			},
		},
		{
			name: "white text on a red risk fill",
			edit: func(f *excelize.File) error {
				st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "FFFFFF"},
					Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}}})
				if err == nil {
					err = f.SetCellStyle(displaySheet, "E5", "E5", st)
				}
				return err
			},
		},
		{
			name: "a conditional format with a red fill and white text",
			edit: func(f *excelize.File) error {
				st, err := f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "FFFFFF"},
					Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}}})
				if err != nil {
					return err
				}
				return f.SetConditionalFormat(displaySheet, "E4:E5", []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "==", Format: &st, Value: `"Catastrophic"`}})
			},
		},
		{
			name: "white text in the helper column",
			edit: func(f *excelize.File) error {
				st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "FFFFFF"}})
				if err == nil {
					err = f.SetCellStyle(displaySheet, "J4", "J5", st)
				}
				return err
			},
		},
		{
			name: "a hidden helper column outside the table",
			edit: func(f *excelize.File) error { return f.SetColVisible(displaySheet, "J", false) },
		},
		{
			name: "an empty hidden row below the table",
			edit: func(f *excelize.File) error { return f.SetRowVisible(displaySheet, 9, false) },
		},
		{
			name: "a words-only format on the helper column",
			edit: func(f *excelize.File) error {
				st, err := numFmtStyle(f, `;;;"Catastrophic"`)
				if err == nil {
					err = f.SetCellStyle(displaySheet, "J5", "J5", st)
				}
				return err
			},
		},
		{
			name: "a number format that shows the number",
			edit: func(f *excelize.File) error {
				st, err := numFmtStyle(f, `0;-0;;@`)
				if err == nil {
					err = f.SetCellStyle(displaySheet, "A4", "G5", st)
				}
				return err
			},
		},
		{
			name: "a conditional format that only colours",
			edit: func(f *excelize.File) error {
				st, err := f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "9A0511"}})
				if err != nil {
					return err
				}
				return f.SetConditionalFormat(displaySheet, "E4:E5", []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "==", Format: &st, Value: `"Catastrophic"`}})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := editXLSX(t, buildXLSX(t, displayTable()), tt.edit)
			expectDisplayVerdict(t, data, tt.want)
		})
	}
}

// expectDisplayVerdict loads the display table's workbook: with want "" its
// two hazards must be read, else the log refused with a problem containing
// want.
func expectDisplayVerdict(t *testing.T, data []byte, want string) {
	t.Helper()
	res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
	if want == "" {
		if !res.Valid() || len(res.Log.Hazards) != 2 {
			t.Fatalf("got %v, %d hazards; want the log read", res.Problems, len(res.Log.Hazards))
		}
		return
	}
	if res.Valid() || !strings.Contains(problemText(res.Problems), want) {
		t.Fatalf("got %v\nwant a problem containing %q", res.Problems, want)
	}
}

// TestDisplayedNotStoredPastXMLLimit: a sheet padded past the size excelize
// keeps in memory is read another way; what Excel hides is still found.
func TestDisplayedNotStoredPastXMLLimit(t *testing.T) {
	data := editXLSX(t, buildXLSX(t, displayTable()), func(f *excelize.File) error { return f.SetRowVisible(displaySheet, 5, false) })
	padded := withPart(t, data, "xl/worksheets/sheet1.xml", func(s string) string {
		return strings.Replace(s, "<sheetData>", "<!--"+strings.Repeat(" ", xlsxUnzipXMLLimit)+"--><sheetData>", 1)
	})
	res := loadData("hazard-log.xlsx", padded, FormatXLSX, config(nil))
	if want := `cell A5: this cell is in a row Excel hides`; res.Valid() || !strings.Contains(problemText(res.Problems), want) {
		t.Fatalf("got %v\nwant a problem containing %q", res.Problems, want)
	}
}

func intPtr(i int) *int { return &i }
