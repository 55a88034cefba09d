package gate

import (
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/override"
	"github.com/csogate/csogate/internal/policy"
)

// TestJudgeRetrospective: the retrospective review is a counted approval of
// the head, or a retrospective comment whose author the policy counts, and
// never the emergency approver's own; what did not count is said.
func TestJudgeRetrospective(t *testing.T) {
	t.Parallel()
	const head = "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b"
	at := "2026-11-26T09:00:00Z"
	// The override was posted before every review and comment below but
	// the one marked early.
	overrideAt, early := "2026-11-24T02:00:00Z", "2026-11-24T01:00:00Z"
	retro := func(id int64, login string) override.Comment {
		return override.Comment{ID: id, Login: login, UserID: id, UserType: "User", CreatedAt: at, UpdatedAt: at,
			Body: "/csogate retrospective " + head + ": wording ambiguous, follow-up raised"}
	}
	overridden := func() *decision.Decision {
		return &decision.Decision{Decision: decision.Approved, Override: &decision.Override{By: "medical-director", Commit: head}}
	}
	// counts stands for the policy: which logins' approvals count.
	counts := func(logins ...string) func([]facts.Review) ([]policy.Approval, error) {
		return func(rs []facts.Review) ([]policy.Approval, error) {
			var out []policy.Approval
			for _, r := range rs {
				a := policy.Approval{Login: r.Login, ReviewID: r.ID, Commit: r.CommitID, SubmittedAt: at, WhyNot: "APPROVER_NOT_REGISTERED"}
				for _, l := range logins {
					if l == r.Login {
						a.Counted, a.WhyNot = true, ""
					}
				}
				out = append(out, a)
			}
			return out, nil
		}
	}
	tests := []struct {
		name     string
		d        *decision.Decision
		comments []override.Comment
		policy   func([]facts.Review) ([]policy.Approval, error)
		by, via  string
		refused  string
	}{
		{name: "a counted approval of the head", d: func() *decision.Decision {
			d := overridden()
			d.Approvals = []policy.Approval{{Login: "alice-gp", Counted: true, ReviewID: 9, SubmittedAt: at}}
			return d
		}(), policy: counts(), by: "alice-gp", via: "review"},
		{name: "the emergency approver's own approval is not the review", d: func() *decision.Decision {
			d := overridden()
			d.Approvals = []policy.Approval{{Login: "medical-director", Counted: true, ReviewID: 9}}
			return d
		}(), policy: counts()},
		{name: "a counted CSO's comment", d: overridden(), comments: []override.Comment{retro(5, "nurse-niamh")}, policy: counts("nurse-niamh"),
			by: "nurse-niamh", via: "comment"},
		{name: "a comment by someone the policy does not count", d: overridden(), comments: []override.Comment{retro(6, "dev-bob")}, policy: counts(),
			refused: "@dev-bob is not a counted CSO"},
		{name: "the emergency approver's own comment", d: overridden(), comments: []override.Comment{retro(7, "medical-director")}, policy: counts("medical-director"),
			refused: "cannot review their own override"},
		// Two CSOs must approve; one did before the override, which let the
		// head through for the missing second. That approval is what the
		// override overrode, not a review after it: the retrospective
		// review is still due.
		{name: "an approval given before the override is not its retrospective review", d: func() *decision.Decision {
			d := overridden()
			d.Approvals = []policy.Approval{{Login: "alice-gp", Counted: true, ReviewID: 9, SubmittedAt: early}}
			return d
		}(), policy: counts()},
		{name: "an approval with no readable time is not the review", d: func() *decision.Decision {
			d := overridden()
			d.Approvals = []policy.Approval{{Login: "alice-gp", Counted: true, ReviewID: 9, SubmittedAt: "yesterday"}}
			return d
		}(), policy: counts()},
		{name: "the same CSO approving again after the override is the review", d: func() *decision.Decision {
			d := overridden()
			d.Approvals = []policy.Approval{{Login: "alice-gp", Counted: true, ReviewID: 9, SubmittedAt: early},
				{Login: "alice-gp", Counted: true, ReviewID: 10, SubmittedAt: at}}
			return d
		}(), policy: counts(), by: "alice-gp", via: "review"},
		{name: "a retrospective comment posted before the override", d: overridden(), comments: func() []override.Comment {
			c := retro(11, "nurse-niamh")
			c.CreatedAt, c.UpdatedAt = early, early
			return []override.Comment{c}
		}(), policy: counts("nurse-niamh"), refused: "posted before the override"},
		{name: "a blocked decision records nothing", d: &decision.Decision{Decision: decision.Blocked}, comments: []override.Comment{retro(8, "nurse-niamh")},
			policy: counts("nurse-niamh")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			applies := &decision.Override{By: "medical-director", Commit: head, Time: overrideAt}
			if err := judgeRetrospective(tt.d, applies, tt.comments, head, tt.policy); err != nil {
				t.Fatal(err)
			}
			var r *decision.Retrospective
			if tt.d.Override != nil {
				r = tt.d.Override.Retrospective
			}
			if (r != nil) != (tt.by != "") || r != nil && (r.By != tt.by || r.Via != tt.via) {
				t.Errorf("retrospective %+v; want by %q via %q", r, tt.by, tt.via)
			}
			if r != nil && r.Via == "comment" && r.Finding != "wording ambiguous, follow-up raised" {
				t.Errorf("finding %q", r.Finding)
			}
			found := tt.refused == ""
			for _, x := range tt.d.OverridesRefused {
				found = found || strings.Contains(x.Why, tt.refused)
			}
			if !found {
				t.Errorf("refusals %+v; want one saying %q", tt.d.OverridesRefused, tt.refused)
			}
		})
	}
}
