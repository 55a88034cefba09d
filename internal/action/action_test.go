package action

import (
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestPullRequestDecisions runs the action on pull-request events against the
// fake GitHub and checks everything it leaves: exit code, decision, the
// status on the head commit, the one sticky comment, review requests and the
// outputs.
func TestPullRequestDecisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		event     string // "event/activity"; default pull_request/synchronize
		setup     func(f *fixture)
		code      int
		decision  string
		state     string
		codes     []string // violation codes
		requested []string // review requests left on the pull request
		clinical  string
	}{
		{
			name:     "approved by a CSO on the head commit",
			setup:    func(f *fixture) { f.approve(alice, aliceID) },
			code:     0,
			decision: "approved",
			state:    "success",
			clinical: "2",
		},
		{
			name:      "no CSO approval yet: pending, and the CSOs who could approve are asked",
			code:      1,
			decision:  "blocked",
			state:     "pending",
			codes:     []string{"CSO_APPROVAL_REQUIRED"},
			requested: []string{alice, niamh},
			clinical:  "2",
		},
		{
			name:      "a CSO already asked is not asked again, nor anyone else",
			setup:     func(f *fixture) { f.requestedBefore(niamh) },
			code:      1,
			decision:  "blocked",
			state:     "pending",
			codes:     []string{"CSO_APPROVAL_REQUIRED"},
			requested: []string{niamh},
			clinical:  "2",
		},
		{
			name:     "request-review false asks nobody",
			setup:    func(f *fixture) { f.input("request-review", "false") },
			code:     1,
			decision: "blocked",
			state:    "pending",
			codes:    []string{"CSO_APPROVAL_REQUIRED"},
			clinical: "2",
		},
		{
			name: "a draft is gated but nobody is asked to review it yet",
			setup: func(f *fixture) {
				f.pullEvent("pull_request", "opened", nil)
				f.srv.EditPull(prNumber, func(p *githubtest.Pull) { p.Draft = true })
			},
			code:     1,
			decision: "blocked",
			state:    "pending",
			codes:    []string{"CSO_APPROVAL_REQUIRED"},
			clinical: "2",
		},
		{
			name: "documentation only: not required",
			setup: func(f *fixture) {
				f.changed = []string{"docs/search.md", "README.md"}
				f.srv.SetContent(baseSHA, "safety/changes.yaml", readFile(t, "testdata/repo/safety/changes.yaml"))
			},
			code:     0,
			decision: "not_required",
			state:    "success",
			clinical: "0",
		},
		{
			name:      "fail-on-block false passes the job, not the status",
			setup:     func(f *fixture) { f.input("fail-on-block", "false") },
			code:      0,
			decision:  "blocked",
			state:     "pending",
			codes:     []string{"CSO_APPROVAL_REQUIRED"},
			requested: []string{alice, niamh},
			clinical:  "2",
		},
		{
			name: "a CSO's request for changes blocks whoever approved",
			setup: func(f *fixture) {
				f.approve(alice, aliceID)
				f.srv.AddReview(prNumber, githubtest.Review{Login: niamh, UserID: niamhID, State: "CHANGES_REQUESTED"})
			},
			code:     1,
			decision: "blocked",
			state:    "failure",
			codes:    []string{"CSO_CHANGES_REQUESTED"},
			clinical: "2",
		},
		{
			name: "a CSO's stop dismissed by someone not a CSO still blocks",
			setup: func(f *fixture) {
				id := f.srv.AddReview(prNumber, githubtest.Review{Login: niamh, UserID: niamhID, State: "CHANGES_REQUESTED"})
				f.srv.DismissReview(prNumber, githubtest.Dismissal{ReviewID: id, By: "lead-larry", Message: "ship it"})
				f.approve(alice, aliceID)
			},
			event:    "pull_request_review/dismissed",
			code:     1,
			decision: "blocked",
			state:    "failure",
			codes:    []string{"CSO_BLOCK_DISMISSED"},
			clinical: "2",
		},
		{
			name: "a CSO's stop dismissed by a CSO no longer blocks",
			setup: func(f *fixture) {
				id := f.srv.AddReview(prNumber, githubtest.Review{Login: niamh, UserID: niamhID, State: "CHANGES_REQUESTED"})
				f.srv.DismissReview(prNumber, githubtest.Dismissal{ReviewID: id, By: alice, ByID: aliceID})
				f.approve(alice, aliceID)
			},
			event:    "pull_request_review/dismissed",
			code:     0,
			decision: "approved",
			state:    "success",
			clinical: "2",
		},
		{
			name: "a dismissed review does not bring back its author's earlier approval",
			setup: func(f *fixture) {
				f.approve(alice, aliceID)
				id := f.srv.AddReview(prNumber, githubtest.Review{Login: alice, UserID: aliceID, State: "CHANGES_REQUESTED"})
				f.srv.DismissReview(prNumber, githubtest.Dismissal{ReviewID: id, By: "lead-larry"})
			},
			event:     "pull_request_review/dismissed",
			code:      1,
			decision:  "blocked",
			state:     "failure",
			codes:     []string{"CSO_APPROVAL_REQUIRED", "CSO_BLOCK_DISMISSED"},
			requested: []string{alice, niamh},
			clinical:  "2",
		},
		{
			name:     "opened",
			event:    "pull_request/opened",
			setup:    func(f *fixture) { f.approve(alice, aliceID) },
			decision: "approved", state: "success", clinical: "2",
		},
		{
			name:     "reopened",
			event:    "pull_request/reopened",
			setup:    func(f *fixture) { f.approve(alice, aliceID) },
			decision: "approved", state: "success", clinical: "2",
		},
		{
			name:     "ready for review",
			event:    "pull_request/ready_for_review",
			setup:    func(f *fixture) { f.approve(alice, aliceID) },
			decision: "approved", state: "success", clinical: "2",
		},
		{
			name:     "review submitted",
			event:    "pull_request_review/submitted",
			setup:    func(f *fixture) { f.approve(alice, aliceID) },
			decision: "approved", state: "success", clinical: "2",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.event != "" {
				event, activity, _ := strings.Cut(tc.event, "/")
				f.pullEvent(event, activity, nil)
			}
			if tc.setup != nil {
				tc.setup(f)
			}
			o := f.run()
			if o.code != tc.code {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", o.code, tc.code, o.stdout, o.stderr)
			}
			if got := o.outputs["decision"]; got != tc.decision {
				t.Errorf("decision output = %q, want %q", got, tc.decision)
			}
			if got := o.decision["decision"]; got != tc.decision {
				t.Errorf("decision file says %v, want %q", got, tc.decision)
			}
			if got := o.outputs["clinical-changes"]; got != tc.clinical {
				t.Errorf("clinical-changes output = %q, want %q", got, tc.clinical)
			}
			if got := o.violationCodes(); !sameSet(got, tc.codes) {
				t.Errorf("violations = %v, want %v", got, tc.codes)
			}
			st, ok := f.status(headSHA)
			if !ok {
				t.Fatalf("no status on the head commit; statuses: %+v", f.srv.Statuses())
			}
			if st.State != tc.state {
				t.Errorf("status = %s (%s), want %s", st.State, st.Description, tc.state)
			}
			if st.TargetURL != runURL {
				t.Errorf("status links to %q, want the run %q", st.TargetURL, runURL)
			}
			if n := len([]rune(st.Description)); n == 0 || n > 140 {
				t.Errorf("status description has %d characters: %q", n, st.Description)
			}
			// The run says it is deciding first, so that a run cut short
			// cannot leave an earlier status standing.
			if got := f.srv.Statuses(); len(got) != 2 || got[0].State != "pending" || got[0].SHA != headSHA ||
				!strings.HasPrefix(got[0].Description, "Evaluating ") {
				t.Errorf("statuses posted: %+v, want pending (Evaluating ...) on the head, then the decision", got)
			}
			if _, ok := f.status(githubtest.SHA("test-merge-7")); ok {
				t.Errorf("a status was posted on GITHUB_SHA, the test merge commit")
			}
			comments := f.srv.Comments(prNumber)
			if len(comments) != 1 || !strings.HasPrefix(comments[0].Body, "<!-- csogate:clinical-safety/cso-approval -->") {
				t.Fatalf("comments = %+v, want one sticky comment", comments)
			}
			if o.summary == "" || !strings.Contains(comments[0].Body, strings.TrimSpace(o.summary)) {
				t.Errorf("the job summary and the comment differ:\nsummary:\n%s\ncomment:\n%s", o.summary, comments[0].Body)
			}
			if got := f.srv.RequestedReviewers(prNumber); !sameSet(got, tc.requested) {
				t.Errorf("requested reviewers = %v, want %v", got, tc.requested)
			}
		})
	}
}

// requestedBefore records a review request made before the run.
func (f *fixture) requestedBefore(logins ...string) {
	f.t.Helper()
	// The fake takes requests through its API only, as GitHub does.
	f.srv.ResetRequests()
	c := newClientFor(f)
	if err := c.RequestReviewers(f.t.Context(), githubtest.DefaultOwner, githubtest.DefaultRepo, prNumber, logins); err != nil {
		f.t.Fatal(err)
	}
	f.srv.ResetRequests()
}

// sameSet compares two lists as sets (nil and empty alike).
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	a, b = slices.Compact(a), slices.Compact(b)
	return slices.Equal(a, b)
}
