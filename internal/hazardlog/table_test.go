package hazardlog

import (
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

const scoreHeader = "Hazard number,Hazard name,Initial Severity,Initial Likelihood,Initial Risk,Residual Severity,Residual Likelihood,Residual Risk,Hazard Status\n"

func TestScoreCells(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		row          string
		wantInitial  string // "severity/likelihood"
		wantResidual string
		wantRisk     *safetyfile.Stated
		wantProblems []string
	}{
		{
			name:        "words in any case and spacing",
			row:         "1,x,MAJOR, very   HIGH ,,major,Very_Low,,open",
			wantInitial: "major/very-high", wantResidual: "major/very-low",
			wantRisk: &safetyfile.Stated{Initial: 5, Residual: 2},
		},
		{
			name:        "N - Word: description",
			row:         `1,x,"4 - Major: Death or permanent life-changing incapacity","2 - Low: Could occur, but in most cases will not",3 - Medium,"5 - Catastrophic: Death, 2+",1 - Very low: Negligible,3,open`,
			wantInitial: "major/low", wantResidual: "catastrophic/very-low",
			wantRisk: &safetyfile.Stated{Initial: 3, Residual: 3},
		},
		{
			name:        "bare numbers and floats",
			row:         "1,x,3.0,3,3.0,3,1.0,2,open",
			wantInitial: "considerable/medium", wantResidual: "considerable/very-low",
			wantRisk: &safetyfile.Stated{Initial: 3, Residual: 2},
		},
		{
			name:        "residual severity higher than initial, residual risk lower",
			row:         "1,x,Major,High,4,Catastrophic,Very low,3,open",
			wantInitial: "major/high", wantResidual: "catastrophic/very-low",
			wantRisk: &safetyfile.Stated{Initial: 4, Residual: 3},
		},
		{
			name:        "blank risk: the matrix gives it",
			row:         "1,x,Minor,Low,,Minor,Very low,,open",
			wantInitial: "minor/low", wantResidual: "minor/very-low",
			wantRisk: &safetyfile.Stated{Initial: 1, Residual: 1},
		},
		{
			name:         "TBC is not assessed",
			row:          "1,x,TBC,Low,,Minor,tbc,,open",
			wantProblems: []string{`hazard-log.csv:2:5: severity "TBC" is not assessed`, `hazard-log.csv:2:20: likelihood "tbc" is not assessed`},
		},
		{
			name:         "a blank score next to a filled one",
			row:          "1,x,Major,,,Major,Low,,open",
			wantProblems: []string{`hazard-log.csv:2:11: likelihood "" is not assessed`},
		},
		{
			name:         "unknown words",
			row:          "1,x,Severe,Offten,,Major,Low,,open",
			wantProblems: []string{`hazard-log.csv:2:5: unknown severity "Severe"`, `hazard-log.csv:2:12: unknown likelihood "Offten"; write one of very-low, low, medium, high, very-high`},
		},
		{
			name:         "number and word disagree",
			row:          "1,x,2 - Major,Low,,Major,Low,,open",
			wantProblems: []string{`severity "2 - Major" names 2 but its word means 4`},
		},
		{
			name:         "out of range",
			row:          "1,x,6,Low,,Major,Low,,open",
			wantProblems: []string{`severity "6" is out of range`},
		},
		{
			name:         "stated risk disagrees with the matrix, naming both",
			row:          "1,x,Major,Low,4,Major,Low,3,open",
			wantProblems: []string{`hazard-log.csv:2:15: HAZ-1: stated initial risk 4 disagrees with the DCB0129 matrix: major severity with low likelihood is 3 (undesirable`},
		},
		{
			name:         "an unreadable risk",
			row:          "1,x,Major,Low,High-ish,Major,Low,3,open",
			wantProblems: []string{`unknown risk "High-ish"`},
		},
		{
			name:         "a 1-25 score is not a DCB0129 rating",
			row:          "1,x,Major,Low,8,Major,Low,3,open",
			wantProblems: []string{`risk "8" is out of range`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := loadData("hazard-log.csv", []byte(scoreHeader+tt.row+"\n"), FormatCSV, config(nil))
			expectMessages(t, "problem", res.Problems, tt.wantProblems)
			if len(tt.wantProblems) > 0 {
				return
			}
			h := res.Log.Hazards[0]
			if got := pair(h.Initial); got != tt.wantInitial {
				t.Errorf("initial = %s, want %s", got, tt.wantInitial)
			}
			if got := pair(h.Residual); got != tt.wantResidual {
				t.Errorf("residual = %s, want %s", got, tt.wantResidual)
			}
			if h.Risk == nil || *h.Risk != *tt.wantRisk {
				t.Errorf("risk = %+v, want %+v", h.Risk, tt.wantRisk)
			}
		})
	}
}

func pair(a safetyfile.Assessment) string { return a.Severity.String() + "/" + a.Likelihood.String() }

// TestRepeatedRows: several rows with one hazard number are one hazard
// with several causes and controls, rated by its worst row.
func TestRepeatedRows(t *testing.T) {
	t.Parallel()
	header := "Hazard number,Hazard name,Possible causes,Design controls,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood,Residual Risk,Hazard Status\n"
	tests := []struct {
		name         string
		rows         string
		wantHazards  int
		wantResidual risk.Rating
		wantInitial  risk.Rating
		wantCauses   []string
		wantControls int
		wantSource   string
		wantProblems []string
		wantWarnings []string
	}{
		{
			name: "number repeated on each row; residual is the highest row",
			rows: "1,Wrong patient,Similar names,Show DOB,Major,Medium,Major,Very low,2,Open\n" +
				"1,,Stale cache,Key cache by NHS number,Major,High,Major,Low,3,\n" +
				"1,Wrong patient,Merged records,,Minor,Low,Minor,Low,1,\n",
			wantHazards: 1, wantInitial: 4, wantResidual: 3, wantControls: 2,
			wantCauses: []string{"Similar names", "Stale cache", "Merged records"},
			wantSource: "hazard-log.csv lines 2-4",
		},
		{
			name: "number only on the first row, blank rows between",
			rows: "1,Wrong patient,Similar names,Show DOB,Major,Medium,Major,Low,3,Open\n" +
				",,,,,,,,,\n" +
				",,Stale cache,,,,,,,\n" +
				",,,Key cache by NHS number,,,,,,\n",
			wantHazards: 1, wantInitial: 3, wantResidual: 3, wantControls: 2,
			wantCauses: []string{"Similar names", "Stale cache"},
			wantSource: "hazard-log.csv lines 2, 4-5",
		},
		{
			name: "a continuation row's partial score is an error at its cell",
			rows: "1,Wrong patient,Similar names,,Major,Medium,Major,Low,3,Open\n" +
				",,Stale cache,,,,Major,,,\n",
			wantProblems: []string{`hazard-log.csv:3:24: likelihood "" is not assessed`},
		},
		{
			name: "the same number further down is a second hazard",
			rows: "1,Wrong patient,,,Major,Medium,Major,Low,3,Open\n" +
				"2,Allergy hidden,,,Major,Medium,Major,Low,3,Open\n" +
				"1,Wrong patient again,,,Major,Medium,Major,Low,3,Open\n",
			wantProblems: []string{`hazard-log.csv:4:1: hazard id "HAZ-1" is used twice (first at hazard-log.csv:2:1)`},
		},
		{
			name: "a different name on a continuation row",
			rows: "1,Wrong patient,,,Major,Medium,Major,Low,3,Open\n" +
				"1,Allergy hidden,,,Major,Medium,Major,Low,3,\n",
			wantProblems: []string{`hazard-log.csv:3:3: hazard HAZ-1 is named "Allergy hidden" here but "Wrong patient" on line 2`},
		},
		{
			name: "statuses that disagree: the most open stands",
			rows: "1,Wrong patient,,,Major,Medium,Major,Low,3,Closed\n" +
				"1,,,,,,,,,Open\n",
			wantHazards: 1, wantInitial: 3, wantResidual: 3,
			wantSource:   "hazard-log.csv lines 2-3",
			wantWarnings: []string{`hazard-log.csv:2:44: hazard HAZ-1 has status "Closed" here but "Open" elsewhere`},
		},
		{
			name: "section and note rows are skipped with a warning",
			rows: "Section 2 - Prescribing,,,,,,,,,\n" +
				"1,Wrong patient,,,Major,Medium,Major,Low,3,Open\n" +
				",See the risk matrix on the next tab,,,,,,,,\n",
			wantHazards: 1, wantInitial: 3, wantResidual: 3,
			wantSource:   "hazard-log.csv line 3",
			wantWarnings: []string{`hazard-log.csv:2: read as a note, not a hazard: "Section 2 - Prescribing"`, `hazard-log.csv:4: read as a note`},
		},
		{
			name: "a repeated header row is skipped",
			rows: "1,Wrong patient,,,Major,Medium,Major,Low,3,Open\n" + strings.TrimSuffix(header, "\n") + "\n" +
				"2,Allergy hidden,,,Major,Medium,Major,Low,3,Open\n",
			wantHazards: 2, wantInitial: 3, wantResidual: 3,
			wantSource:   "hazard-log.csv line 2",
			wantWarnings: []string{"hazard-log.csv:3: this row repeats the header"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := loadData("hazard-log.csv", []byte(header+tt.rows), FormatCSV, config(nil))
			expectMessages(t, "problem", res.Problems, tt.wantProblems)
			expectMessages(t, "warning", res.Warnings, tt.wantWarnings)
			if len(tt.wantProblems) > 0 {
				return
			}
			if got := len(res.Log.Hazards); got != tt.wantHazards {
				t.Fatalf("got %d hazards, want %d", got, tt.wantHazards)
			}
			h := res.Log.Hazards[0]
			if got := h.InitialRisk(); got != tt.wantInitial {
				t.Errorf("initial risk = %d, want %d", got, tt.wantInitial)
			}
			if got := h.ResidualRisk(); got != tt.wantResidual {
				t.Errorf("residual risk = %d, want %d", got, tt.wantResidual)
			}
			if tt.wantCauses != nil && strings.Join(h.Causes, "|") != strings.Join(tt.wantCauses, "|") {
				t.Errorf("causes = %q, want %q", h.Causes, tt.wantCauses)
			}
			if len(h.Controls) != tt.wantControls {
				t.Errorf("controls = %v, want %d", h.Controls, tt.wantControls)
			}
			if h.Source != tt.wantSource {
				t.Errorf("source = %q, want %q", h.Source, tt.wantSource)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   string
		mapping  map[string]string
		want     string
		wantProb string
	}{
		{name: "open in any case", status: "OPEN", want: "open"},
		{name: "closed", status: " Closed ", want: "closed"},
		{name: "transferred", status: "Transferred", want: "transferred"},
		{name: "mitigated", status: "mitigated", want: "mitigated"},
		{name: "blank is open", status: "", want: "open"},
		{name: "outside the list, mapped", status: "Under review", mapping: underReview, want: "open"},
		{name: "mapped in another case", status: "under REVIEW", mapping: underReview, want: "open"},
		{
			name: "outside the list, not mapped", status: "Under review",
			wantProb: `hazard-log.csv:2:44: HAZ-1: status "Under review" is not known; write one of open, transferred, closed, mitigated, or map it under statuses: in the gate configuration (e.g. "Under review": open)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			row := "1,Wrong patient,Major,Medium,3,Major,Low,3," + tt.status + "\n"
			res := loadData("hazard-log.csv", []byte(scoreHeader+row), FormatCSV, config(tt.mapping))
			if tt.wantProb != "" {
				if len(res.Problems) != 1 || res.Problems[0].String() != tt.wantProb {
					t.Fatalf("got %v, want exactly\n%s", res.Problems, tt.wantProb)
				}
				return
			}
			if !res.Valid() || res.Log.Hazards[0].Status != tt.want {
				t.Fatalf("got status %q, problems %v; want %q", res.Log.Hazards[0].Status, res.Problems, tt.want)
			}
		})
	}
}

func TestIDsAndProduct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		id          string
		prefix      string
		product     string
		wantID      string
		wantProduct string
		wantProb    string
	}{
		{name: "bare number gets the prefix", id: "7", prefix: "HAZ-", wantID: "HAZ-7", wantProduct: "hazard-log"},
		{name: "float number", id: "7.0", prefix: "HAZ-", wantID: "HAZ-7", wantProduct: "hazard-log"},
		{name: "dotted number", id: "1.10", prefix: "H", wantID: "H1.10", wantProduct: "hazard-log"},
		{name: "id kept as written", id: "RX-007", prefix: "HAZ-", wantID: "RX-007", wantProduct: "hazard-log"},
		{name: "configured product", id: "1", prefix: "HAZ-", product: "Example EPR", wantID: "HAZ-1", wantProduct: "Example EPR"},
		{name: "no prefix leaves an invalid id", id: "3", prefix: "", wantProb: `hazard id "3" must start with a letter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(nil)
			cfg.HazardIDPrefix, cfg.Product = tt.prefix, tt.product
			res := loadData("safety/hazard-log.csv", []byte(scoreHeader+tt.id+",x,Major,Low,3,Major,Low,3,open\n"), FormatCSV, cfg)
			if tt.wantProb != "" {
				expectMessages(t, "problem", res.Problems, []string{tt.wantProb})
				return
			}
			if !res.Valid() {
				t.Fatalf("got problems %v", res.Problems)
			}
			if got := res.Log.Hazards[0].ID; got != tt.wantID {
				t.Errorf("id = %q, want %q", got, tt.wantID)
			}
			if got := res.Log.Product; got != tt.wantProduct {
				t.Errorf("product = %q, want %q", got, tt.wantProduct)
			}
		})
	}
}

func TestTextEncodings(t *testing.T) {
	t.Parallel()
	body := scoreHeader + "1,Caf\xe9 \x96 wrong patient,Major,Low,3,Major,Low,3,open\n"
	tests := []struct {
		name        string
		data        []byte
		wantTitle   string
		wantWarning string
	}{
		{name: "utf-8 with a byte-order mark", data: []byte("\ufeff" + scoreHeader + "1,Café – wrong patient,Major,Low,3,Major,Low,3,open\n"), wantTitle: "Café – wrong patient"},
		{name: "windows-1252", data: []byte(body), wantTitle: "Café – wrong patient", wantWarning: "read as Windows-1252"},
		{name: "windows line ends and a line break in a cell", data: []byte(strings.ReplaceAll(scoreHeader, "\n", "\r\n") + "1,\"Wrong\r\npatient\",Major,Low,3,Major,Low,3,open\r\n"), wantTitle: "Wrong patient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := loadData("hazard-log.csv", tt.data, FormatCSV, config(nil))
			if !res.Valid() {
				t.Fatalf("got problems %v", res.Problems)
			}
			if got := res.Log.Hazards[0].Title; got != tt.wantTitle {
				t.Errorf("title = %q, want %q", got, tt.wantTitle)
			}
			if tt.wantWarning != "" {
				expectMessages(t, "warning", res.Warnings, []string{tt.wantWarning})
			}
		})
	}
}

func TestPreamble(t *testing.T) {
	t.Parallel()
	text := "Example EPR hazard log\nStandard,DCB 0129\nVersion,1.7\nDate,Summary of changes\nLast reviewed,8 Apr 2025\n\n" +
		scoreHeader + "1,x,Major,Low,3,Major,Low,3,open\n"
	res := loadData("hazard-log.csv", []byte(text), FormatCSV, config(nil))
	if !res.Valid() {
		t.Fatalf("got problems %v", res.Problems)
	}
	if got := res.Log.Standard; got != "DCB0129" {
		t.Errorf("standard = %q, want DCB0129", got)
	}
	if got := res.Log.Reviewed.String(); got != "2025-04-08" {
		t.Errorf("reviewed = %q, want 2025-04-08", got)
	}
}
