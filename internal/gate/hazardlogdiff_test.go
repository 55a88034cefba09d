package gate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// TestHazardLogComparedInEveryLayout: the trusted side's log is read through
// the trusted Source in the head's layout (a spreadsheet file, a directory
// of Markdown files), recorded as a trusted input, and compared hazard by
// hazard; the same edit gives the same changes and the same findings in
// every layout.
func TestHazardLogComparedInEveryLayout(t *testing.T) {
	t.Parallel()
	res := hazardlog.Load("testdata/product/safety/hazard-log.yaml", hazardlog.Options{})
	if !res.Valid() {
		t.Fatal(res.Problems)
	}
	base := res.Log
	extra := base.Hazards[0]
	extra.ID, extra.Title = "HAZ-009", "Printed label shows the wrong ward"
	base.Hazards = append(base.Hazards, extra)
	head := *base
	head.Hazards = nil
	for _, h := range base.Hazards {
		switch h.ID {
		case "HAZ-002": // 3 → 2 by a likelihood, no control: the attacker's edit
			h.Residual.Likelihood = risk.VeryLow
			h.Risk = nil
		case "HAZ-009": // deleted
			continue
		}
		head.Hazards = append(head.Hazards, h)
	}
	cfg, err := os.ReadFile("testdata/product/safety/csogate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Spreadsheets and Markdown carry no product: the configuration names it.
	named := map[string][]byte{"safety/csogate.yaml": append(cfg, "\nproduct: Example EPR\n"...)}
	var want string
	for _, format := range hazardlog.Formats {
		t.Run(string(format), func(t *testing.T) {
			req := product(t, named)
			trusted := product(t, named).WorkspaceRoot
			name := "safety/hazard-log." + string(format)
			if format == hazardlog.FormatMarkdown {
				name = "safety/hazards"
			}
			for root, log := range map[string]*safetyfile.HazardLog{trusted: base, req.WorkspaceRoot: &head} {
				if lost, err := hazardlog.Export(log, format, filepath.Join(root, filepath.FromSlash(name))); err != nil || len(lost) > 0 {
					t.Fatal(err, lost)
				}
			}
			req.Paths.HazardLog = name
			req.Trusted = DirSource{Root: trusted, Name: "base commit abc1234"}
			req.ChangedFiles = append(req.ChangedFiles, name+map[bool]string{true: "/HAZ-002.md", false: ""}[format == hazardlog.FormatMarkdown])
			out := Evaluate(context.Background(), req)
			d := out.Decision
			if d.Decision != decision.Approved || d.HazardLogComparedWith != "base commit abc1234" {
				t.Fatalf("decision %s compared with %q: %+v %+v", d.Decision, d.HazardLogComparedWith, d.Violations, d.Problems)
			}
			var codes []string
			for _, w := range d.Warnings {
				codes = append(codes, w.Code+" "+w.Hazard)
			}
			for _, code := range []string{"RISK_REDUCED_WITHOUT_CONTROL HAZ-002", "HAZARD_REMOVED HAZ-009"} {
				if !slices.Contains(codes, code) {
					t.Errorf("warnings %v lack %s", codes, code)
				}
			}
			got, err := json.Marshal(d.HazardLogChanges)
			if err != nil {
				t.Fatal(err)
			}
			if want == "" {
				want = string(got)
			} else if string(got) != want {
				t.Errorf("%s changes differ from yaml's:\n%s\nwant\n%s", format, got, want)
			}
			trustedLog := 0
			for _, f := range out.Files {
				if f.Role == "hazard_log" && f.Side == "trusted" && strings.HasPrefix(f.Path, name) {
					trustedLog++
				}
			}
			if trustedLog == 0 {
				t.Errorf("the trusted hazard log is not among the recorded inputs: %+v", out.Files)
			}
		})
	}
}

// TestHazardLogNotReadWhenUntouched: a change set whose files leave the log
// alone compares nothing and reads no trusted log (for a configuration that
// names the product, officer scope reads none either).
func TestHazardLogNotReadWhenUntouched(t *testing.T) {
	t.Parallel()
	cfg, err := os.ReadFile("testdata/product/safety/csogate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	req := product(t, map[string][]byte{"safety/csogate.yaml": append(cfg, "\nproduct: Example EPR\n"...)})
	out := Evaluate(context.Background(), req)
	for _, f := range out.Files {
		if f.Role == "hazard_log" && f.Side == "trusted" {
			t.Errorf("the trusted hazard log was read though no changed file is the log: %+v", f)
		}
	}
	if out.Input == nil || !out.Input.HazardLogChanges.Compared || len(out.Input.HazardLogChanges.Changes) != 0 {
		t.Errorf("hazard_log_changes = %+v, want compared with no change", out.Input)
	}
}

// TestNamedBaseLogAlwaysCompared: with --base-hazard-log the log is compared
// even when the changed-files list does not name it (a list spelt otherwise,
// or made before the log was edited), so the rules cannot be skipped by it.
func TestNamedBaseLogAlwaysCompared(t *testing.T) {
	t.Parallel()
	req := product(t, nil)
	data, err := os.ReadFile(filepath.Join(req.WorkspaceRoot, "safety/hazard-log.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	lowered := strings.Replace(string(data), "residual: {severity: major, likelihood: low}\n    risk: {initial: 4, residual: 3}",
		"residual: {severity: major, likelihood: very-low}\n    risk: {initial: 4, residual: 2}", 1)
	if lowered == string(data) {
		t.Fatal("the test product's HAZ-002 is not at residual 3")
	}
	base := filepath.Join(t.TempDir(), "base.yaml")
	if err := os.WriteFile(base, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(req.WorkspaceRoot, "safety/hazard-log.yaml"), []byte(lowered), 0o644); err != nil {
		t.Fatal(err)
	}
	req.BaseHazardLog = PathSource{Path: base, As: req.Paths.HazardLog, Name: "base.yaml"}
	out := Evaluate(context.Background(), req)
	if len(out.Decision.HazardLogChanges) != 1 || out.Decision.HazardLogChanges[0].ID != "HAZ-002" {
		t.Fatalf("hazard_log_changes = %+v, want HAZ-002; %+v", out.Decision.HazardLogChanges, out.Decision.Problems)
	}
}
