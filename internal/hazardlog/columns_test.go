package hazardlog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/safetyfile"
	"github.com/csogate/csogate/internal/schema"
)

func TestRecogniseHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		header  string
		group   string
		columns map[string]string
		want    field
		wantHow matchHow
		wantOK  bool
	}{
		{name: "template name", header: "Hazard number", want: fieldID, wantHow: howExact, wantOK: true},
		{name: "hash sign", header: "Hazard #", want: fieldID, wantHow: howExact, wantOK: true},
		{name: "odd case and spacing", header: "  hazard   NAME ", want: fieldTitle, wantHow: howExact, wantOK: true},
		{name: "punctuation ignored", header: "Potential Clinical-Impact:", want: fieldEffects, wantHow: howExact, wantOK: true},
		{name: "I. Consequence", header: "I. Consequence", want: fieldInitialSeverity, wantHow: howExact, wantOK: true},
		{name: "I. Risk score", header: "I. Risk score", want: fieldInitialRisk, wantHow: howExact, wantOK: true},
		{name: "cause(s)", header: "Cause(s)", want: fieldCauses, wantHow: howExact, wantOK: true},
		{name: "bracketed note", header: "Initial Risk (1-5)", want: fieldInitialRisk, wantHow: howExact, wantOK: true},
		{name: "line break in header", header: "Residual\nLikelihood", want: fieldResidualLikelihood, wantHow: howExact, wantOK: true},
		{name: "known typo likelihoos", header: "Initial Likelihoos", want: fieldInitialLikelihood, wantHow: howTypo, wantOK: true},
		{name: "known typo intial", header: "Intial Risk", want: fieldInitialRisk, wantHow: howTypo, wantOK: true},
		{name: "known typo contrpl", header: "Training Contrpl", want: fieldTraining, wantHow: howTypo, wantOK: true},
		{name: "one edit away", header: "Residual Severty", want: fieldResidualSeverity, wantHow: howFuzzy, wantOK: true},
		{name: "short words are not guessed", header: "Onwer", wantOK: false},
		{name: "matches nothing", header: "Clinical specialty", wantOK: false},
		{name: "a known column no field holds", header: "Date raised", want: fieldNotes, wantHow: howExact, wantOK: true},
		{name: "configured header", header: "Risk Cause", columns: map[string]string{"risk cause": "causes"}, want: fieldCauses, wantHow: howConfig, wantOK: true},
		{name: "configured to a template name", header: "Sev (pre)", columns: map[string]string{"Sev (pre)": "Initial Severity"}, want: fieldInitialSeverity, wantHow: howConfig, wantOK: true},
		{name: "configured ignore", header: "Comments", columns: map[string]string{"Comments": "ignore"}, want: fieldIgnore, wantHow: howConfig, wantOK: true},
		{name: "configuration wins over the template", header: "Owner", columns: map[string]string{"Owner": "ignore"}, want: fieldIgnore, wantHow: howConfig, wantOK: true},
		{name: "bare severity alone", header: "Severity", want: fieldSeverity, wantHow: howExact, wantOK: true},
		{name: "severity under initial group", header: "Severity", group: "initial", want: fieldInitialSeverity, wantHow: howExact, wantOK: true},
		{name: "risk score under residual group", header: "Risk score", group: "residual", want: fieldResidualRisk, wantHow: howExact, wantOK: true},
		{name: "design under controls group", header: "Design", group: "controls", want: fieldDesign, wantHow: howExact, wantOK: true},
		{name: "consequence under residual group", header: "Consequence", group: "residual", want: fieldResidualSeverity, wantHow: howExact, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := safetyfile.DefaultConfig()
			cfg.Columns = tt.columns
			got, ok, _ := newMatcher(&cfg).recognise(tt.header, tt.group, true)
			if ok != tt.wantOK {
				t.Fatalf("recognise(%q) ok = %v, want %v (got %v)", tt.header, ok, tt.wantOK, got)
			}
			if ok && (got.field != tt.want || got.how != tt.wantHow) {
				t.Fatalf("recognise(%q) = %v/%v, want %v/%v", tt.header, got.field, got.how, tt.want, tt.wantHow)
			}
		})
	}
}

func TestGroupKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, label, want string
	}{
		{name: "initial", label: "Initial hazard risk assessment", want: "initial"},
		{name: "misspelt initial", label: "Intial", want: "initial"},
		{name: "residual", label: "RESIDUAL", want: "residual"},
		{name: "post mitigation", label: "Post-mitigation risk", want: "residual"},
		{name: "pre mitigation", label: "Pre-mitigation", want: "initial"},
		{name: "controls", label: "Additional controls", want: "controls"},
		{name: "title row", label: "Clinical safety hazard log", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := groupKind(tt.label); got != tt.want {
				t.Fatalf("groupKind(%q) = %q, want %q", tt.label, got, tt.want)
			}
		})
	}
}

// TestHeaderLayouts reads whole header rows as real copies lay them out.
func TestHeaderLayouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		csv          string
		columns      map[string]string
		wantProblems []string
		wantWarnings []string
		check        func(t *testing.T, log *safetyfile.HazardLog)
	}{
		{
			name: "two header rows in csv, group labels on the first",
			csv: ",,Initial,,,Residual,,,\n" +
				"Hazard number,Hazard name,Severity,Likelihood,Risk,Severity,Likelihood,Risk,Status\n" +
				"1,Wrong patient,Major,Medium,3,Major,Very low,2,Open\n",
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				h := log.Hazards[0]
				if h.Initial.Likelihood.String() != "medium" || h.Residual.Likelihood.String() != "very-low" {
					t.Fatalf("got initial %v residual %v", h.Initial, h.Residual)
				}
			},
		},
		{
			name: "bare scores take the phase of their neighbours",
			csv: "Hazard number,Hazard name,Initial Severity,Initial Likelihood,Risk,Residual Severity,Residual Likelihood,Risk rating\n" +
				"1,Wrong patient,Major,Medium,3,Major,Low,3\n",
			wantWarnings: []string{`header "Risk" read as "Initial Risk"`, `header "Risk rating" read as "Residual Risk"`},
		},
		{
			name: "two bare scorings without groups are initial then residual",
			csv: "Hazard number,Hazard name,Severity,Likelihood,Controls,Severity,Likelihood\n" +
				"1,Wrong patient,Major,Medium,Banner,Major,Very low\n",
			wantWarnings: []string{`header "Severity" read as "Initial Severity"`, `header "Likelihood" read as "Residual Likelihood"`},
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				if got := log.Hazards[0].ResidualRisk(); got != 2 {
					t.Fatalf("got residual risk %d, want 2", got)
				}
			},
		},
		{
			name: "one scoring stands for both",
			csv: "Hazard number,Hazard name,Severity,Likelihood,Risk\n" +
				"1,Wrong patient,Major,Medium,3\n",
			wantWarnings: []string{"scores each hazard once"},
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				h := log.Hazards[0]
				if h.Initial != h.Residual || h.ResidualRisk() != 3 {
					t.Fatalf("got initial %v residual %v, want the same", h.Initial, h.Residual)
				}
			},
		},
		{
			name: "header that matches nothing",
			csv: "Hazard number,Hazard name,Risk Cause,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood\n" +
				"1,Wrong patient,Search,Major,Medium,Major,Low\n",
			wantProblems: []string{`hazard-log.csv:1:27: header "Risk Cause" matches no hazard-log column (the nearest is "Possible causes")`},
		},
		{
			name:    "header mapped by the configuration",
			columns: map[string]string{"Risk Cause": "causes"},
			csv: "Hazard number,Hazard name,Risk Cause,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood\n" +
				"1,Wrong patient,Search,Major,Medium,Major,Low\n",
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				if got := log.Hazards[0].Causes; len(got) != 1 || got[0] != "Search" {
					t.Fatalf("got causes %q, want [Search]", got)
				}
			},
		},
		{
			name:    "configuration naming no field",
			columns: map[string]string{"Risk Cause": "reason"},
			csv: "Hazard number,Hazard name,Risk Cause,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood\n" +
				"1,Wrong patient,Search,Major,Medium,Major,Low\n",
			wantProblems: []string{`columns: maps it to "reason", which is not a hazard-log field`},
		},
		{
			name: "missing required columns",
			csv: "Hazard number,Hazard name,Initial Severity,Initial Likelihood\n" +
				"1,Wrong patient,Major,Medium\n",
			wantProblems: []string{`hazard-log.csv:1: the header row has no "Residual Severity" column`, `hazard-log.csv:1: the header row has no "Residual Likelihood" column`},
		},
		{
			name: "a second status column",
			csv: "Hazard number,Hazard name,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood,Status,Hazard Status\n" +
				"1,Wrong patient,Major,Medium,Major,Low,Open,Closed\n",
			wantProblems: []string{`header "Hazard Status" is a second "Hazard Status" column (the first is column G)`},
		},
		{
			name: "only a description column: it is title and description",
			csv: "Hazard ID,Hazard description,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood\n" +
				"7,Wrong patient shown,Major,Medium,Major,Low\n",
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				h := log.Hazards[0]
				if h.ID != "HAZ-7" || h.Title != "Wrong patient shown" || h.Description != "Wrong patient shown" {
					t.Fatalf("got %q %q %q", h.ID, h.Title, h.Description)
				}
			},
		},
		{
			name: "name and description: title and description",
			csv: "Hazard ID,Hazard name,Hazard description,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood\n" +
				"7,Wrong patient,Search shows a similar name first,Major,Medium,Major,Low\n",
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				h := log.Hazards[0]
				if h.Title != "Wrong patient" || h.Description != "Search shows a similar name first" {
					t.Fatalf("got %q %q", h.Title, h.Description)
				}
			},
		},
		{
			name: "data under a blank header is reported",
			csv: "Hazard number,Hazard name,Initial Severity,Initial Likelihood,Residual Severity,Residual Likelihood,\n" +
				"1,Wrong patient,Major,Medium,Major,Low,see email\n",
			wantWarnings: []string{"hazard-log.csv:2:40: this cell is in a column with no header"},
		},
		{
			name: "semicolon delimiter and Excel's sep line",
			csv: "sep=;\nHazard number;Hazard name;Initial Severity;Initial Likelihood;Residual Severity;Residual Likelihood\n" +
				"1;Wrong patient;Major;Medium;Major;Low\n",
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				if len(log.Hazards) != 1 || log.Hazards[0].Title != "Wrong patient" {
					t.Fatalf("got %+v", log.Hazards)
				}
			},
		},
		{
			name: "tab delimited",
			csv: "Hazard number\tHazard name\tInitial Severity\tInitial Likelihood\tResidual Severity\tResidual Likelihood\n" +
				"1\tWrong patient\tMajor\tMedium\tMajor\tLow\n",
			check: func(t *testing.T, log *safetyfile.HazardLog) {
				if len(log.Hazards) != 1 || log.Hazards[0].Residual.Likelihood.String() != "low" {
					t.Fatalf("got %+v", log.Hazards)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(nil)
			cfg.Columns = tt.columns
			res := loadData("hazard-log.csv", []byte(tt.csv), FormatCSV, cfg)
			expectMessages(t, "problem", res.Problems, tt.wantProblems)
			expectMessages(t, "warning", res.Warnings, tt.wantWarnings)
			if tt.check != nil {
				tt.check(t, res.Log)
			}
		})
	}
}

// expectMessages checks that each wanted text starts or is contained in
// one of the problems, and that there are none when none are wanted.
func expectMessages(t *testing.T, kind string, got safetyfile.Problems, want []string) {
	t.Helper()
	if len(want) == 0 && len(got) > 0 && kind == "problem" {
		t.Fatalf("got %ss %v, want none", kind, got)
	}
	for _, w := range want {
		found := false
		for _, p := range got {
			if strings.Contains(p.String(), w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s contains %q; got:\n%v", kind, w, got)
		}
	}
}

// TestColumnTable keeps the documented alias table in step with the code.
func TestColumnTable(t *testing.T) {
	t.Parallel()
	seen := map[string]field{}
	for _, s := range fieldSpecs {
		for _, name := range append([]string{s.name}, s.aliases...) {
			if prev, ok := seen[headerKey(name)]; ok && prev != s.field {
				t.Errorf("header %q reads as both %s and %s", name, prev, s.field)
			}
			seen[headerKey(name)] = s.field
		}
	}
	for typo, f := range knownTypos {
		if prev, ok := seen[headerKey(typo)]; ok && prev != f {
			t.Errorf("typo %q shadows the alias of %s", typo, prev)
		}
	}
	checkGolden(t, "columns.txt", []byte(describeColumns()))
}

func TestDistanceWithin(t *testing.T) {
	t.Parallel()
	words := []string{"", "a", "initiallikelihood", "initiallikelihoos", "intialrisk", "initialrisk", "residualseverty",
		"residualseverity", "trainingcontrpl", "trainingcontrol", "abc", "cab", "hazardname", "hazardno", "ﬁnal", "final"}
	for _, a := range words {
		for _, b := range words {
			for limit := 0; limit <= 3; limit++ {
				want := min(editDistance(a, b), limit+1)
				if got := distanceWithin(a, b, limit); got != want {
					t.Errorf("distanceWithin(%q, %q, %d) = %d, want %d", a, b, limit, got, want)
				}
			}
		}
	}
}

// TestConfigSchemaOffersEveryField: the configuration schema's completions
// for columns: name every field a column may be mapped to.
func TestConfigSchemaOffersEveryField(t *testing.T) {
	t.Parallel()
	data, ok := schema.Get("config")
	if !ok {
		t.Fatal("no config schema")
	}
	var doc struct {
		Properties struct {
			Columns struct {
				AdditionalProperties struct {
					AnyOf []struct {
						Enum []string `json:"enum"`
					} `json:"anyOf"`
				} `json:"additionalProperties"`
			} `json:"columns"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var offered []string
	for _, a := range doc.Properties.Columns.AdditionalProperties.AnyOf {
		offered = append(offered, a.Enum...)
	}
	for _, f := range fieldNames() {
		if !slices.Contains(offered, f) {
			t.Errorf("the config schema's columns: values lack %q", f)
		}
	}
}
