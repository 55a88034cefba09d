package release

import (
	"strconv"
	"strings"
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

// TestChainPull reads the pull request a retrospective chain status names,
// and nothing from a context that only looks like one.
func TestChainPull(t *testing.T) {
	t.Parallel()
	const sc = "clinical-safety/cso-approval/release"
	for _, tt := range []struct {
		context string
		want    int
	}{
		{RetrospectiveContext(sc, 11), 11},
		{"Clinical-Safety/CSO-Approval/Release/Retrospective/#7", 7}, // GitHub compares contexts case-insensitively
		{sc + "/retrospective/#123456789", 123456789},
		{sc + "/retrospective/#1234567890", 0}, // too long to be a pull request number
		{sc + "/retrospective/#", 0},
		{sc + "/retrospective/#011", 0},
		{sc + "/retrospective/#11 ", 0},
		{sc + "/retrospective/#-1", 0},
		{sc + "/retrospective/11", 0},
		{sc, 0},
		{"clinical-safety/cso-approval/retrospective/#11", 0}, // the pull-request context, not the release's
		{"other/release/retrospective/#11", 0},
	} {
		if got := chainPull(sc, tt.context); got != tt.want {
			t.Errorf("chainPull(%q) = %d, want %d", tt.context, got, tt.want)
		}
	}
}

// FuzzChainPull: whatever the context, a pull request read from it is
// positive and writes back to the same context (up to case).
func FuzzChainPull(f *testing.F) {
	const sc = "gate/release"
	f.Add(sc + "/retrospective/#11")
	f.Add(sc + "/retrospective/#0")
	f.Add("GATE/RELEASE/retrospective/#99")
	f.Add(sc + "/retrospective/#١٢")
	f.Fuzz(func(t *testing.T, context string) {
		n := chainPull(sc, context)
		if n < 0 {
			t.Fatalf("chainPull(%q) = %d", context, n)
		}
		if n > 0 && !strings.EqualFold(RetrospectiveContext(sc, n), context) {
			t.Fatalf("chainPull(%q) = %d, which writes back as %q", context, n, RetrospectiveContext(sc, n))
		}
		if n > 0 && strconv.Itoa(n) != context[len(context)-len(strconv.Itoa(n)):] {
			t.Fatalf("chainPull(%q) = %d", context, n)
		}
	})
}

// TestOutstanding lists each override whose review is not done once, by
// number, with its due date and link; a reviewed one is not carried.
func TestOutstanding(t *testing.T) {
	t.Parallel()
	o := func(due string) *decision.Override { return &decision.Override{ReviewDue: due} }
	r := &Result{
		Pulls:   []Pull{{Number: 12, URL: "https://github.com/o/r/pull/12"}, {Number: 9, URL: "https://github.com/o/r/pull/9"}},
		Earlier: []Pull{{Number: 3, URL: "https://github.com/o/r/pull/3"}},
		Overrides: []decision.OverrideStatus{
			{Pull: 12, Status: decision.RetrospectiveDue, Override: o("2026-12-04")},
			{Pull: 9, Status: decision.RetrospectiveReviewed, Override: o("2026-12-01")},
			{Pull: 3, Status: decision.RetrospectiveDue, Override: o("2026-11-30")},
		},
	}
	got := r.Outstanding()
	want := []ChainStatus{{Pull: 3, Due: "2026-11-30", URL: "https://github.com/o/r/pull/3"}, {Pull: 12, Due: "2026-12-04", URL: "https://github.com/o/r/pull/12"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Outstanding() = %+v, want %+v", got, want)
	}
	if d := got[0].Description(); len([]rune(d)) > 140 || !strings.Contains(d, "#3") || !strings.Contains(d, "2026-11-30") {
		t.Errorf("description %q", d)
	}
}
