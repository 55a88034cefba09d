package hazardlog

import (
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// scored is a minimal valid hazard body, for tests about other sections.
const scored = "### Hazard name\nWrong patient\n\n### Likelihood scoring\n2 - Low\n\n### Severity scoring\n4 - Major\n\n"

func TestMarkdownHazard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		file         string
		text         string
		prefix       string
		wantProblems []string
		wantWarnings []string
		check        func(t *testing.T, h safetyfile.Hazard)
	}{
		{
			name: "id from the file name with the configured prefix", file: "hazards/hazard-7.md", prefix: "RISK-", text: scored,
			check: func(t *testing.T, h safetyfile.Hazard) { wantEqual(t, "id", h.ID, "RISK-7") },
		},
		{
			name: "zero-padded file name", file: "hazards/Hazard-0012.md", text: scored,
			check: func(t *testing.T, h safetyfile.Hazard) { wantEqual(t, "id", h.ID, "HAZ-0012") },
		},
		{
			name: "an id section wins over the file name", file: "hazards/hazard-7.md", text: "### Hazard ID\nRX-003\n\n" + scored,
			check: func(t *testing.T, h safetyfile.Hazard) { wantEqual(t, "id", h.ID, "RX-003") },
		},
		{
			name: "a bare id in front matter gets the prefix", file: "hazards/wrong-patient.md", text: "---\ntitle: Hazard\nid: 12\n---\n" + scored,
			check: func(t *testing.T, h safetyfile.Hazard) { wantEqual(t, "id", h.ID, "HAZ-12") },
		},
		{
			name: "a file name that is no id", file: "hazards/wrong patient.md", text: scored,
			wantProblems: []string{"hazards/wrong patient.md:1: cannot tell this hazard's id"},
		},
		{
			name: "level-2 headings, icons and HTML ignored", file: "hazard-1.md",
			text: "<!-- [icon] -->\n<div class=\"right\">\n<img src=\"risk-3.png\" alt=\"Risk icon\">\n</div>\n\n" +
				"## Hazard name\n**Wrong patient**\n\n## Likelihood scoring\n<img src=\"likelihood-2.png\"> 2 - Low\n\n## Severity scoring\n- 4 - Major\n",
			check: func(t *testing.T, h safetyfile.Hazard) {
				wantEqual(t, "title", h.Title, "**Wrong patient**")
				wantEqual(t, "initial", pair(h.Initial), "major/low")
			},
		},
		{
			name: "one scoring is both initial and residual", file: "hazard-1.md",
			text:         scored + "### Residual Hazard Risk Assessment\nControls reduce the likelihood.\n",
			wantWarnings: []string{"hazard-1.md:10: the residual assessment is prose"},
			check: func(t *testing.T, h safetyfile.Hazard) {
				wantEqual(t, "residual", pair(h.Residual), "major/low")
				if h.Risk == nil || h.Risk.Residual != 3 {
					t.Errorf("risk = %+v, want residual 3", h.Risk)
				}
			},
		},
		{
			name: "residual scoring sections, severity higher than initial", file: "hazard-1.md",
			text: scored + "### Residual likelihood scoring\n1 - Very low\n\n### Residual severity scoring\n5 - Catastrophic\n\n### Residual risk scoring\n3 - Undesirable\n",
			check: func(t *testing.T, h safetyfile.Hazard) {
				wantEqual(t, "residual", pair(h.Residual), "catastrophic/very-low")
				if h.Risk == nil || *h.Risk != (safetyfile.Stated{Initial: 3, Residual: 3}) {
					t.Errorf("risk = %+v, want 3/3", h.Risk)
				}
			},
		},
		{
			name: "half a residual scoring", file: "hazard-1.md",
			text:         scored + "### Residual likelihood scoring\n1 - Very low\n",
			wantProblems: []string{"hazard-1.md:10: no ### Residual severity scoring section"},
		},
		{
			name: "headings repeated: lists joined, texts joined", file: "hazard-1.md",
			text: scored + "### Cause(s)\n- Similar names\n\n### Description\nFirst part.\n\n### Cause(s)\n- Stale cache\n- Similar names\n\n### Description\nSecond part.\n",
			check: func(t *testing.T, h safetyfile.Hazard) {
				wantEqual(t, "causes", strings.Join(h.Causes, "|"), "Similar names|Stale cache")
				wantEqual(t, "description", h.Description, "First part.\n\nSecond part.")
			},
		},
		{
			name: "a scoring repeated with another value", file: "hazard-1.md",
			text:         scored + "### Severity scoring\n3 - Considerable\n",
			wantProblems: []string{`hazard-1.md:11: ### Severity scoring has a second value "3 - Considerable" (the first, "4 - Major", is on line 8)`},
		},
		{
			name: "a divider without a blank line keeps the text above it", file: "hazard-1.md",
			text: scored + "### Existing controls\nAudit trail of record views\n-----\n\n### Hazard status\nopen\n",
			check: func(t *testing.T, h safetyfile.Hazard) {
				if len(h.Controls) != 1 || !strings.HasPrefix(h.Controls[0].Description, "Audit trail of record views") {
					t.Errorf("controls = %+v", h.Controls)
				}
			},
		},
		{
			name: "control kinds from sub-headings", file: "hazard-1.md",
			text: scored + "### Existing controls\n- Banner\n\n### New hazard controls\n- Review rota\n\n#### Design controls (manufacturer)\n- Show DOB\n\n#### Testing controls\n- Search tests\n\n#### Business process controls\n1. Second check\n",
			check: func(t *testing.T, h safetyfile.Hazard) {
				var got []string
				for _, c := range h.Controls {
					got = append(got, c.Kind+":"+c.Description)
				}
				// In the file's order: a log written back keeps it.
				wantEqual(t, "controls", strings.Join(got, "|"), ":Banner|other:Review rota|design:Show DOB|test:Search tests|procedure:Second check")
			},
		},
		{
			name: "code section: paths and globs are components, links are references", file: "hazard-1.md",
			text: scored + "### Code associated with hazard\n<!-- [code] -->\n[bmi_calculator.BMI](../../code/functions/bmi_calculator.md#BMI_hazard)\n\n" +
				"https://github.com/org/repo/blob/main/src/a.go\n\n`src/search/**`\n\n- app/functions/bmi.py:12-30\n- ./src/api/*.go\n- go.mod\n\nThe search module\n<!-- [codeend] -->\n",
			wantWarnings: []string{`hazard-1.md:22: "The search module" is not a repository path or glob`},
			check: func(t *testing.T, h safetyfile.Hazard) {
				wantEqual(t, "components", strings.Join(h.Components, "|"), "src/search/**|app/functions/bmi.py|src/api/*.go|go.mod")
			},
		},
		{
			name: "a component that is not a usable glob", file: "hazard-1.md",
			text:         scored + "### Code associated with hazard\n- /etc/passwd\n",
			wantProblems: []string{`hazard-1.md:11: HAZ-1: component glob "/etc/passwd" is absolute`},
		},
		{
			name: "unknown sections are reported, known extras ignored", file: "hazard-1.md",
			text:         scored + "### General Utility label\n1 - Hazard\n\n### Labelling\nx\n\n### Hazard type\nWrongPatient\n\n### Reviewer notes\nAsk pharmacy\n",
			wantWarnings: []string{`hazard-1.md:19: section "Reviewer notes" is not a hazard-log section`},
		},
		{
			name: "missing sections", file: "hazard-1.md",
			text:         "### Hazard name\nWrong patient\n",
			wantProblems: []string{"hazard-1.md:1: no ### Likelihood scoring section", "hazard-1.md:1: no ### Severity scoring section"},
		},
		{
			name: "an empty scoring section", file: "hazard-1.md",
			text:         "### Hazard name\nWrong patient\n\n### Likelihood scoring\n\n### Severity scoring\nMajor\n",
			wantProblems: []string{`hazard-1.md:4: likelihood "" is not assessed`},
		},
		{
			name: "statuses: unknown, and the template's instruction left in", file: "hazard-1.md",
			text:         scored + "### Hazard Status\nEither 'open', 'transferred' or 'closed'.\n",
			wantProblems: []string{`hazard-1.md:11: HAZ-1: status "Either 'open', 'transferred' or 'closed'." is not known`},
		},
		{
			name: "a name wrapped over two lines", file: "hazard-1.md",
			text: "### Hazard name\nWrong patient\nshown after search\n\n### Likelihood scoring\nLow\n\n### Severity scoring\nMajor\n",
			check: func(t *testing.T, h safetyfile.Hazard) {
				wantEqual(t, "title", h.Title, "Wrong patient shown after search")
			},
		},
		{
			name: "headings inside a code fence are not sections", file: "hazard-1.md",
			text: scored + "### Description\n```\n### Severity scoring\n1 - Minor\n```\n",
			check: func(t *testing.T, h safetyfile.Hazard) {
				wantEqual(t, "initial", pair(h.Initial), "major/low")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(nil)
			if tt.prefix != "" {
				cfg.HazardIDPrefix = tt.prefix
			}
			res := loadData(tt.file, []byte(tt.text), FormatMarkdown, cfg)
			expectMessages(t, "problem", res.Problems, tt.wantProblems)
			expectMessages(t, "warning", res.Warnings, tt.wantWarnings)
			if tt.check != nil {
				if len(res.Log.Hazards) != 1 {
					t.Fatalf("got %d hazards, want 1", len(res.Log.Hazards))
				}
				tt.check(t, res.Log.Hazards[0])
			}
		})
	}
}

func wantEqual(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// TestDCSPRiskWords reads the Digital Clinical Safety Platform's risk
// scoring lines. Its template calls both 1 and 2 "Acceptable" and 4
// "Mandatory-risk-elimination"; risk.ParseRatingScore rejected "2 -
// Acceptable" and "4 - Mandatory-risk-elimination" until it was fixed.
func TestDCSPRiskWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cell    string
		want    risk.Rating
		wantErr string
	}{
		{name: "1 acceptable", cell: "1 - Acceptable: Acceptable, no further action required", want: 1},
		{name: "2 acceptable", cell: "2 - Acceptable: Acceptable if cost of further reduction > benefits", want: 2},
		{name: "3 undesirable", cell: "3 - Undesirable: Undesirable level of risk", want: 3},
		{name: "4 mandatory", cell: "4 - Mandatory-risk-elimination: Mandatory elimination of hazard", want: 4},
		{name: "5 unacceptable", cell: "5 - Unacceptable: Unacceptable level of risk", want: 5},
		{name: "word that fits neither number", cell: "3 - Acceptable", wantErr: `names 3 but its word means 1`},
		{name: "ambiguous word alone", cell: "Acceptable", wantErr: `can mean 1 or 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := risk.ParseRatingScore(tt.cell)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %d, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}
