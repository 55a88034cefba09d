package release

import (
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/policy"
)

// TestOverrideErased: an earlier overridden pull request, judged again,
// blocks every release when its override comment was deleted or edited
// after the merge (the override's own author could otherwise erase its
// retrospective review), and not when the configuration changed since (an
// approver rotated out, a longer minimum reason), nor when a CSO approved.
func TestOverrideErased(t *testing.T) {
	t.Parallel()
	needsCSO := []policy.Finding{{Code: codeApprovalRequired}}
	refusal := func(why string) []decision.OverrideRefusal {
		return []decision.OverrideRefusal{{CommentID: 1, By: "director", Why: why}}
	}
	for _, tc := range []struct {
		name string
		d    decision.Decision
		want bool
	}{
		{"the override comment deleted", decision.Decision{Violations: needsCSO}, true},
		{"the override comment edited", decision.Decision{Violations: needsCSO,
			OverridesRefused: refusal("the comment was edited after it was posted: an edited override does not count; post a new comment")}, true},
		{"only a retrospective comment refused", decision.Decision{Violations: needsCSO,
			OverridesRefused: refusal(retrospectivePrefix + "the comment was edited after it was posted")}, true},
		{"the approver rotated out of the configuration", decision.Decision{Violations: needsCSO,
			OverridesRefused: refusal("@director is not an emergency approver in the trusted configuration")}, false},
		{"a longer minimum reason configured since", decision.Decision{Violations: needsCSO,
			OverridesRefused: refusal("the reason has 12 characters; write a sentence of at least 40 saying why the commit cannot wait for a CSO")}, false},
		{"a CSO approved the merged head since", decision.Decision{Decision: decision.Approved}, false},
		{"the override still applies", decision.Decision{Override: &decision.Override{By: "director"}, Violations: needsCSO}, false},
	} {
		if got := overrideErased(&tc.d); got != tc.want {
			t.Errorf("%s: overrideErased = %v, want %v", tc.name, got, tc.want)
		}
	}
}
