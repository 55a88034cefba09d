package gate

import (
	"context"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/fixture"
	"github.com/csogate/csogate/internal/report"
)

// TestDecisionDocumentUnderOneMegabyte: on the 5,000-hazard product where
// each hazard has its own component (1,000 changes, 3,000 changed files,
// 300 reviews, 1,750 touched hazards with 2,898 controls), the decision
// document stays under 1 MB while still listing every clinical change with
// every hazard id, every touched hazard and every control of them. Shapes
// where most of the log's 5,000 hazards are touched cannot: the hazard ids
// the changes list, and the touched hazards, alone pass 1 MB there
// (README, "Cost on every shape").
func TestDecisionDocumentUnderOneMegabyte(t *testing.T) {
	t.Parallel()
	out := Evaluate(context.Background(), fixtureRequest(t, fixture.Large))
	d := out.Decision
	if d.Decision != decision.Approved {
		t.Fatalf("decision %s: %+v", d.Decision, d.Problems)
	}
	if len(d.ClinicalChanges) != fixture.Large.Changes || len(d.Controls) != len(out.Input.TestEvidence.Controls) || len(d.Controls) < 2000 {
		t.Fatalf("%d clinical changes and %d controls (of %d): the document must list them all",
			len(d.ClinicalChanges), len(d.Controls), len(out.Input.TestEvidence.Controls))
	}
	var b strings.Builder
	if err := report.JSON(&b, d); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= 1_000_000 {
		t.Errorf("the decision document is %d bytes, want under 1 MB", b.Len())
	}
	t.Logf("%d bytes: %d changes, %d touched hazards, %d controls", b.Len(), len(d.ClinicalChanges), len(d.TouchedHazards), len(d.Controls))
}
