package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/hazarddiff"
	"github.com/csogate/csogate/internal/policy"
)

// TestHazardLogSectionIsBounded: a log rewritten wholesale does not push
// the approvals and warnings out of the comment; the first hazards are
// detailed, the rest named.
func TestHazardLogSectionIsBounded(t *testing.T) {
	t.Parallel()
	d := &decision.Decision{Decision: decision.Blocked, HazardLogComparedWith: "base commit abc1234",
		Warnings: []policy.Finding{{Code: "RISK_REDUCED_WITHOUT_CONTROL", Message: "HAZ-00001 lowered"}}}
	for i := range 400 {
		d.HazardLogChanges = append(d.HazardLogChanges, hazarddiff.HazardChange{ID: fmt.Sprintf("HAZ-%05d", i+1), Change: hazarddiff.Modified,
			Title: strings.Repeat("long title ", 20), Fields: []hazarddiff.Field{{Field: "harm", Before: strings.Repeat("a ", 200), After: strings.Repeat("b ", 200)}}})
	}
	md := Markdown(d, Links{})
	if n := strings.Count(md, "\n#### "); n != maxHazardsShown {
		t.Errorf("%d hazards detailed, want %d", n, maxHazardsShown)
	}
	if !strings.Contains(md, "…and 375 more hazards changed: HAZ-00026 (modified)") {
		t.Errorf("the hazards left out are not named")
	}
	if !strings.Contains(md, "### Warnings") || len(md) > 65536 {
		t.Errorf("the comment is %d characters; warnings shown: %v", len(md), strings.Contains(md, "### Warnings"))
	}
	if i := strings.Index(md, "Residual risk lowered with no new control"); i < 0 || i > strings.Index(md, "### What changed") {
		t.Errorf("the risk-reduction warning is not first")
	}
}
