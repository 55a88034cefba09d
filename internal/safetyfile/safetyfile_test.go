package safetyfile

import (
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/risk"
)

const validLog = `product: Example EPR
standard: DCB0129
reviewed: 2026-10-01
hazards:
  - id: HAZ-001
    title: Wrong patient
    components: ["src/search/**"]
    controls:
      - {id: CTL-1, description: Banner, kind: design, evidence: tests/x}
    initial:  {severity: major, likelihood: medium}
    residual: {severity: Major, likelihood: VERY LOW}
    risk: {initial: 3, residual: 2}
    status: Open
    updated: "2026-09-12"
`

func TestLoadHazardLogValid(t *testing.T) {
	t.Parallel()
	log, _, problems := LoadHazardLog("hazard-log.yaml", []byte(validLog), Options{})
	if len(problems) != 0 {
		t.Fatalf("problems = %v, want none", problems)
	}
	h := log.Hazards[0]
	if h.Residual.Likelihood != risk.VeryLow || h.ResidualRisk() != 2 || h.InitialRisk() != 3 {
		t.Errorf("residual = %v/%v risk %d, initial risk %d; want very-low, 2, 3", h.Residual.Severity, h.Residual.Likelihood, h.ResidualRisk(), h.InitialRisk())
	}
	if h.Status != "open" {
		t.Errorf("status = %q, want normalised %q", h.Status, "open")
	}
	if log.Reviewed.String() != "2026-10-01" || h.Updated.String() != "2026-09-12" {
		t.Errorf("dates = %s, %s; want unquoted and quoted dates read alike", log.Reviewed, h.Updated)
	}
}

// TestProblems checks that each kind of mistake is reported at its line and
// column with a fix, and that all problems in a file come out at once.
func TestProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		load    func([]byte) Problems
		in      string
		want    []string // each a substring of one problem's String()
		notWant []string
	}{
		{
			name: "unknown key with suggestion",
			load: hazardLog,
			in:   strings.Replace(validLog, "    residual: {", "    residul: {", 1),
			want: []string{`hazard-log.yaml:11:5: unknown key "residul"; did you mean "residual"?`, "HAZ-001 has no residual assessment"},
		},
		{
			name: "risk disagrees with matrix",
			load: hazardLog,
			in:   strings.Replace(validLog, "residual: 2}", "residual: 1}", 1),
			want: []string{"hazard-log.yaml:12:", "stated residual risk 1 disagrees with the DCB0129 matrix: major severity with very-low likelihood is 2"},
		},
		{
			name:    "unknown likelihood and bad date at once",
			load:    hazardLog,
			in:      strings.Replace(strings.Replace(validLog, "likelihood: medium", "likelihood: offten", 1), "2026-09-12", "12/09/2026", 1),
			want:    []string{`hazard-log.yaml:10:45: unknown likelihood "offten"; write one of very-low, low, medium, high, very-high`, `hazard-log.yaml:14:14: updated "12/09/2026" is not a date; write YYYY-MM-DD`},
			notWant: []string{"initial likelihood is not assessed"},
		},
		{
			name: "duplicate hazard id",
			load: hazardLog,
			in:   validLog + "  - {id: HAZ-001, title: Again, initial: {severity: minor, likelihood: low}, residual: {severity: minor, likelihood: low}}\n",
			want: []string{`hazard-log.yaml:15:10: hazard id "HAZ-001" is used twice (first at hazard-log.yaml:5:9)`},
		},
		{
			name: "glob does not compile",
			load: hazardLog,
			in:   strings.Replace(validLog, `"src/search/**"`, `"src/[search"`, 1),
			want: []string{"hazard-log.yaml:7:18: HAZ-001: component glob \"src/[search\" does not compile"},
		},
		{
			name: "unknown status",
			load: hazardLog,
			in:   strings.Replace(validLog, "status: Open", "status: Under review", 1),
			want: []string{`status "Under review" is not known; write one of open, transferred, closed, mitigated`},
		},
		{
			name: "missing product and hazards",
			load: hazardLog,
			in:   "standard: DCB0129\n",
			want: []string{"hazard-log.yaml:1:1: product is required", "hazards is required"},
		},
		{
			name:    "syntax error",
			load:    hazardLog,
			in:      "product: [unclosed\n",
			want:    []string{"hazard-log.yaml:1: YAML syntax error"},
			notWant: []string{"product is required"},
		},
		{
			name: "empty file",
			load: hazardLog,
			in:   "",
			want: []string{"hazard-log.yaml:1:1: the file is empty"},
		},
		{
			name: "manifest clinical word and duplicate id",
			load: manifest,
			in:   "release: 2.4.0\nchanges:\n  - {id: CHG-1, summary: a, clinical: maybe}\n  - {id: CHG-1, summary: b}\n",
			want: []string{`changes.yaml:3:39: clinical must be true, false or unsure, not "maybe"`, `changes.yaml:4:10: change id "CHG-1" is used twice`},
		},
		{
			name: "manifest missing release",
			load: manifest,
			in:   "changes: []\n",
			want: []string{"changes.yaml:1:1: release is required"},
		},
		{
			name: "register problems",
			load: register,
			in:   "officers:\n  - github: alice-gp\n    name: Dr A\n    body: GMCC\n    registration: \"1\"\n    trainde: 2024-01-01\n",
			want: []string{`cso-register.yaml:4:11: alice-gp: professional body "GMCC" is not known`, `cso-register.yaml:6:5: unknown key "trainde"; did you mean "trained"?`, "alice-gp has no trained date"},
		},
		{
			name: "register emails: not an address, and one address for two officers",
			load: register,
			in: "officers:\n" +
				"  - {github: alice-gp, name: Dr A, body: GMC, registration: \"1\", trained: 2024-01-01, emails: [Alice <alice@trust.nhs.uk>, alice@trust.nhs.uk]}\n" +
				"  - {github: bob-rn, name: Bob, body: NMC, registration: \"2\", trained: 2024-01-01, emails: [ALICE@Trust.NHS.uk]}\n",
			want: []string{`cso-register.yaml:2:96: alice-gp: "Alice <alice@trust.nhs.uk>" is not an email address`,
				"cso-register.yaml:3:93: bob-rn: email ALICE@Trust.NHS.uk is already listed at cso-register.yaml:2:124; an address belongs to one officer"},
		},
		{
			name: "config out of range",
			load: config,
			in:   "acceptable_residual_risk: 5\napprovals: {minimum: 0}\nstale_hazard_log: ignore\nstatuses: {Under review: pending}\n",
			want: []string{"csogate.yaml:1:27: acceptable_residual_risk 5 is out of range", "csogate.yaml:2:22: approvals.minimum is 0", `stale_hazard_log "ignore" is not known`, `"Under review" maps to "pending"`},
		},
		{
			name: "control_evidence misspelt",
			load: config,
			in:   "hazard_log_max_age_days: 365\ncontrol_evidence: require\n",
			want: []string{`csogate.yaml:2:19: control_evidence "require" is not known; write warn or required`},
		},
		{
			name: "components map bad glob",
			load: components,
			in:   "HAZ-001: [\"/abs/**\"]\n",
			want: []string{"hazard-components.yaml:1:11: HAZ-001: glob \"/abs/**\" is absolute"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			problems := tt.load([]byte(tt.in))
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			all := strings.Join(got, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems do not mention %q; got:\n%s", w, all)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(all, nw) {
					t.Errorf("problems mention %q, which only repeats another problem; got:\n%s", nw, all)
				}
			}
			for _, p := range problems {
				if p.Code == "" || p.File == "" {
					t.Errorf("problem %q lacks a code or file", p)
				}
			}
		})
	}
}

func hazardLog(b []byte) Problems {
	_, _, p := LoadHazardLog("hazard-log.yaml", b, Options{})
	return p
}

func manifest(b []byte) Problems {
	_, _, p := LoadManifest("changes.yaml", b)
	return p
}

func register(b []byte) Problems {
	_, _, p := LoadRegister("cso-register.yaml", b)
	return p
}

func config(b []byte) Problems {
	_, _, p := LoadConfig("csogate.yaml", b)
	return p
}

func components(b []byte) Problems {
	_, _, p := LoadComponentsMap("hazard-components.yaml", b)
	return p
}

func TestStatusMapping(t *testing.T) {
	t.Parallel()
	in := strings.Replace(validLog, "status: Open", "status: Under review", 1)
	log, _, problems := LoadHazardLog("h.yaml", []byte(in), Options{Statuses: map[string]string{"under review": "open"}})
	if len(problems) != 0 {
		t.Fatalf("problems = %v, want the mapping to accept the status", problems)
	}
	if log.Hazards[0].Status != "open" {
		t.Errorf("status = %q, want open", log.Hazards[0].Status)
	}
}

func TestCheckHazardRefs(t *testing.T) {
	t.Parallel()
	log, _, _ := LoadHazardLog("h.yaml", []byte(validLog), Options{})
	m, locate, problems := LoadManifest("changes.yaml", []byte("release: 1.0.0\nchanges:\n  - id: CHG-1\n    summary: x\n    hazards: [HAZ-001, HAZ-404]\n"))
	if len(problems) != 0 {
		t.Fatalf("manifest problems = %v", problems)
	}
	got := CheckHazardRefs(m, locate, log, "h.yaml")
	if len(got) != 1 || got[0].Code != CodeUnknownHazard || !strings.HasPrefix(got[0].String(), "changes.yaml:5:24: change CHG-1 names hazard HAZ-404") {
		t.Errorf("CheckHazardRefs = %v, want one UNKNOWN_HAZARD at changes.yaml:5:24", got)
	}
}

func TestConfigDefaultsAndRequiredApprovals(t *testing.T) {
	t.Parallel()
	cfg, _, problems := LoadConfig("c.yaml", []byte("approvals:\n  by_residual_risk: {3: 2, 4: 3}\n"))
	if len(problems) != 0 {
		t.Fatalf("problems = %v", problems)
	}
	if cfg.AcceptableResidualRisk != 3 || cfg.HazardLogMaxAgeDays != 365 || cfg.StaleHazardLog != "warn" || cfg.HazardIDPrefix != "HAZ-" {
		t.Errorf("defaults not kept: %+v", cfg)
	}
	for risk, want := range map[int]int{0: 1, 2: 1, 3: 2, 4: 3, 5: 3} {
		if got := cfg.RequiredApprovals(risk); got != want {
			t.Errorf("RequiredApprovals(%d) = %d, want %d", risk, got, want)
		}
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("product: x\nhazards: []\nstandard: &a0 DCB0129\n")
	// Each level repeats the previous one ten times: 10^9 values if expanded.
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	_, _, problems := LoadHazardLog("bomb.yaml", []byte(b.String()), Options{})
	if len(problems) == 0 {
		t.Fatal("alias bomb accepted")
	}
}
