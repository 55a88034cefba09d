package hazarddiff

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/golden"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

const exampleLog = "../../examples/example-epr/safety/hazard-log.yaml"

func loadExample(t *testing.T) *safetyfile.HazardLog {
	t.Helper()
	res := hazardlog.Load(exampleLog, hazardlog.Options{})
	if !res.Valid() {
		t.Fatalf("the example hazard log does not read: %v", res.Problems)
	}
	return res.Log
}

// edit makes the changes a CSO must see: a residual risk lowered by a
// likelihood with no new control and the hazard closed, a control's evidence
// changed, a harm reworded, a component added, one hazard removed, one added.
func edit(t *testing.T, log *safetyfile.HazardLog) *safetyfile.HazardLog {
	t.Helper()
	out := *log
	out.Hazards = nil
	for _, h := range log.Hazards {
		h.Controls = append([]safetyfile.Control{}, h.Controls...)
		h.Components = append([]string{}, h.Components...)
		switch h.ID {
		case "HAZ-001":
			h.Harm = "Treatment decided on another patient's history; the wrong medication is given."
			h.Controls[1].Evidence = "tests/search/ranking_exact_test.go"
			h.Components = append(h.Components, "src/api/search.go")
		case "HAZ-002":
			h.Residual.Likelihood = risk.VeryLow
			h.Risk = &safetyfile.Stated{Initial: int(h.InitialRisk()), Residual: int(h.ResidualRisk())}
			h.Status = "closed"
		case "HAZ-003":
			continue
		}
		out.Hazards = append(out.Hazards, h)
	}
	out.Hazards = append(out.Hazards, safetyfile.Hazard{
		ID: "HAZ-010", Title: "Referral sent without the clinical summary",
		Harm: "Delayed treatment.", Components: []string{"src/referrals/**"},
		Controls: []safetyfile.Control{{ID: "CTL-100", Description: "Referral cannot be sent without a summary", Kind: "design"}},
		Initial:  safetyfile.Assessment{Severity: risk.Significant, Likelihood: risk.Medium},
		Residual: safetyfile.Assessment{Severity: risk.Significant, Likelihood: risk.Low},
		Status:   "open", Owner: "Dr Alice Example",
	})
	return &out
}

// TestExampleDiffIsTheSameInEveryLayout exports the example and its edit to
// each layout, reads both back and diffs them: the diff is one golden,
// whatever the layout, and across layouts (base YAML, head in another).
func TestExampleDiffIsTheSameInEveryLayout(t *testing.T) {
	t.Parallel()
	base := loadExample(t)
	head := edit(t, base)
	want := render(t, Diff(base, head))
	golden.Check(t, "testdata/example.golden", want)
	for _, format := range hazardlog.Formats {
		t.Run(string(format), func(t *testing.T) {
			b := roundTrip(t, base, format)
			h := roundTrip(t, head, format)
			if got := render(t, Diff(b, h)); !bytes.Equal(got, want) {
				t.Errorf("%s → %s differs from the golden:\n%s", format, format, got)
			}
			if got := render(t, Diff(base, h)); !bytes.Equal(got, want) {
				t.Errorf("yaml → %s differs from the golden:\n%s", format, got)
			}
			if got := Diff(h, roundTrip(t, head, hazardlog.FormatYAML)); len(got) != 0 {
				t.Errorf("%s → yaml of the same log shows changes: %+v", format, got)
			}
		})
	}
}

func roundTrip(t *testing.T, log *safetyfile.HazardLog, format hazardlog.Format) *safetyfile.HazardLog {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hazard-log."+string(format))
	if format == hazardlog.FormatYAML {
		path = filepath.Join(filepath.Dir(path), "hazard-log.yaml")
	}
	if lost, err := hazardlog.Export(log, format, path); err != nil || len(lost) > 0 {
		t.Fatalf("export to %s: %v %v", format, err, lost)
	}
	res := hazardlog.Load(path, hazardlog.Options{Format: format})
	if !res.Valid() {
		t.Fatalf("the %s export does not read back: %v", format, res.Problems)
	}
	return res.Log
}

func render(t *testing.T, changes []HazardChange) []byte {
	t.Helper()
	js, err := json.MarshalIndent(changes, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(Text(changes) + "\n" + Markdown(changes, "####") + "\n" + string(js) + "\n")
}

func TestRenamedIDIsShownAsRemovedAndAdded(t *testing.T) {
	t.Parallel()
	base := loadExample(t)
	head := *base
	head.Hazards = append([]safetyfile.Hazard{}, base.Hazards...)
	head.Hazards[0].ID = "HAZ-101"
	got := Diff(base, &head)
	if len(got) != 2 || got[0].ID != "HAZ-101" || got[0].Change != Added || got[1].ID != "HAZ-001" || got[1].Change != Removed {
		t.Fatalf("a renamed id gives %+v, want HAZ-101 added and HAZ-001 removed", got)
	}
}

func TestResidualRiskLoweredWithoutControl(t *testing.T) {
	t.Parallel()
	base := loadExample(t)
	tests := []struct {
		name        string
		edit        func(h *safetyfile.Hazard)
		lowered     bool
		withControl bool
	}{
		{"likelihood lowered", func(h *safetyfile.Hazard) { h.Residual.Likelihood = risk.VeryLow }, true, false},
		{"severity lowered", func(h *safetyfile.Hazard) { h.Residual.Severity = risk.Significant }, true, false},
		{"lowered with a control added", func(h *safetyfile.Hazard) {
			h.Residual.Likelihood = risk.VeryLow
			h.Controls = append(h.Controls, safetyfile.Control{ID: "CTL-099", Description: "Weight re-measured on admission"})
		}, true, true},
		{"lowered with a control's evidence changed", func(h *safetyfile.Hazard) {
			h.Residual.Likelihood = risk.VeryLow
			h.Controls[1].Evidence = "docs/sop/paediatric-weights.md"
		}, true, true},
		{"lowered with a control removed only", func(h *safetyfile.Hazard) {
			h.Residual.Likelihood = risk.VeryLow
			h.Controls = h.Controls[:1]
		}, true, false},
		{"raised", func(h *safetyfile.Hazard) { h.Residual.Likelihood = risk.High }, false, false},
		{"same rating, other words", func(h *safetyfile.Hazard) {
			h.Residual = safetyfile.Assessment{Severity: risk.Considerable, Likelihood: risk.Medium}
		}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := *base
			head.Hazards = append([]safetyfile.Hazard{}, base.Hazards...)
			h := &head.Hazards[1] // HAZ-002, residual 3
			h.Controls = append([]safetyfile.Control{}, h.Controls...)
			tt.edit(h)
			got := Diff(base, &head)
			if len(got) != 1 {
				t.Fatalf("got %d changes, want 1: %+v", len(got), got)
			}
			if got[0].ResidualRiskLowered() != tt.lowered || got[0].ControlAddedOrChanged() != tt.withControl {
				t.Errorf("lowered %v, control %v; want %v, %v", got[0].ResidualRiskLowered(), got[0].ControlAddedOrChanged(), tt.lowered, tt.withControl)
			}
		})
	}
}

// TestMarkdownEscapesTheLog: a hazard's text cannot speak in the gate's voice.
func TestMarkdownEscapesTheLog(t *testing.T) {
	t.Parallel()
	base := loadExample(t)
	head := *base
	head.Hazards = append([]safetyfile.Hazard{}, base.Hazards...)
	head.Hazards[0].Harm = "ok | ![x](https://evil.example/x.png) @org/team #12 <script>"
	head.Hazards[0].Title = "## Approved ✅ [click](https://evil.example)"
	md := Markdown(Diff(base, &head), "####")
	for _, bad := range []string{"](https://evil", "<script>", "@org/team", "| ![x]", "\n## "} {
		if bytes.Contains([]byte(md), []byte(bad)) {
			t.Errorf("the Markdown carries %q unescaped:\n%s", bad, md)
		}
	}
}

func TestIdenticalLogsHaveNoDiff(t *testing.T) {
	t.Parallel()
	base := loadExample(t)
	if got := Diff(base, base); len(got) != 0 {
		t.Fatalf("diff(a, a) = %+v", got)
	}
	if got := Diff(nil, nil); len(got) != 0 {
		t.Fatalf("diff(nil, nil) = %+v", got)
	}
	if !reflect.DeepEqual(Text(nil), "No hazard changed.\n") {
		t.Fatal(Text(nil))
	}
}

// TestAttackCosmeticControlEditIsNoControlChange: under
// risk_reduction_without_control: block no approval clears a residual risk
// lowered without a control added or changed. An attacker lowers the risk
// and touches a control only cosmetically (whitespace, the case of its
// kind or description, the case of its id, or a new id for the same
// control): none of these is a control added or changed.
func TestAttackCosmeticControlEditIsNoControlChange(t *testing.T) {
	t.Parallel()
	base := loadExample(t)
	tests := []struct {
		name string
		edit func(c *safetyfile.Control)
	}{
		{"trailing space in the description", func(c *safetyfile.Control) { c.Description += " " }},
		{"doubled space in the description", func(c *safetyfile.Control) { c.Description = strings.Replace(c.Description, " ", "  ", 1) }},
		{"description upper-cased", func(c *safetyfile.Control) { c.Description = strings.ToUpper(c.Description) }},
		{"kind capitalised", func(c *safetyfile.Control) { c.Kind = strings.ToUpper(c.Kind) }},
		{"id lower-cased", func(c *safetyfile.Control) { c.ID = strings.ToLower(c.ID) }},
		{"id renamed, same control", func(c *safetyfile.Control) { c.ID = "CTL-999" }},
		{"evidence with a trailing newline", func(c *safetyfile.Control) { c.Evidence += "\n" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := *base
			head.Hazards = append([]safetyfile.Hazard{}, base.Hazards...)
			h := &head.Hazards[1] // HAZ-002, residual 3
			h.Controls = append([]safetyfile.Control{}, h.Controls...)
			h.Residual.Likelihood = risk.VeryLow
			tt.edit(&h.Controls[0])
			got := Diff(base, &head)
			if len(got) != 1 || !got[0].ResidualRiskLowered() {
				t.Fatalf("want HAZ-002's residual risk lowered, got %+v", got)
			}
			if got[0].ControlAddedOrChanged() {
				t.Errorf("a cosmetic edit counts as a control added or changed: %+v", got[0].Controls)
			}
		})
	}
}
