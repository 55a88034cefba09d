package action

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// groupHead is the merge group's head commit (GitHub's merge of the queue).
var groupHead = githubtest.SHA("merge-group-7")

// newMergeGroupFixture is the fixture's pull request #7 in a merge queue: the
// group's head commit exists, and the pull request's head has the example's
// hazard log and manifest (read through the contents API, since the checkout
// is the group's merge).
func newMergeGroupFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.srv.AddCommit(githubtest.Commit{SHA: groupHead, Message: "Merge pull request #7", Parents: []string{baseSHA, headSHA}})
	for _, name := range []string{"hazard-log.yaml", "changes.yaml"} {
		f.srv.SetContent(headSHA, "safety/"+name, readFile(t, "testdata/repo/safety/"+name))
	}
	// What the checkout holds does not count: it is the group's merge.
	writeFile(t, filepath.Join(f.workspace, "safety/hazard-log.yaml"), []byte("not: a hazard log\n"))
	f.mergeGroupEvent("refs/heads/gh-readonly-queue/main/pr-7-"+baseSHA, groupHead)
	return f
}

// TestMergeGroup re-evaluates the pull request of a merge group on its own
// head commit and posts on the group's head: success only when approved,
// failure (never pending) otherwise.
func TestMergeGroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(f *fixture)
		code    int
		state   string
		message string
	}{
		{
			name:  "approved on the pull request's head",
			setup: func(f *fixture) { f.approve(alice, aliceID) },
			code:  0,
			state: "success",
		},
		{
			name:    "no approval: failure, not pending, so the queue does not wait",
			code:    1,
			state:   "failure",
			message: "CSO_APPROVAL_REQUIRED",
		},
		{
			name: "an approval of an earlier head does not carry into the queue",
			setup: func(f *fixture) {
				f.srv.AddReview(prNumber, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("older")})
			},
			code:    1,
			state:   "failure",
			message: "APPROVAL_STALE",
		},
		{
			name: "a group whose head ref names no pull request",
			setup: func(f *fixture) {
				f.mergeGroupEvent("refs/heads/gh-readonly-queue/main/something-else", groupHead)
			},
			code:    2,
			state:   "failure",
			message: "names no pull request",
		},
		{
			name: "a pull request GitHub cannot find",
			setup: func(f *fixture) {
				f.mergeGroupEvent("refs/heads/gh-readonly-queue/release/2.4/pr-8-"+baseSHA, groupHead)
			},
			code:    3,
			state:   "error",
			message: "reading pull request #8 in the merge group",
		},
		{
			name: "the pull request's head files cannot be read",
			setup: func(f *fixture) {
				f.srv.FailAlways("GET", "/repos/"+githubtest.DefaultOwner+"/"+githubtest.DefaultRepo+"/contents/safety/hazard-log.yaml", githubtest.Forbidden())
			},
			code:    3,
			state:   "error",
			message: `"contents: read"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newMergeGroupFixture(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			o := f.run()
			if o.code != tc.code {
				t.Errorf("exit %d, want %d\n%s", o.code, tc.code, o.stdout)
			}
			st, ok := f.status(groupHead)
			if !ok || st.State != tc.state {
				t.Errorf("status on the group's head = %+v (found %v), want %s", st, ok, tc.state)
			}
			if _, ok := f.status(headSHA); ok {
				t.Errorf("a status was posted on the pull request's head; the queue reads the group's")
			}
			if tc.message != "" && !strings.Contains(o.stdout, tc.message) {
				t.Errorf("the log does not say %q:\n%s", tc.message, o.stdout)
			}
			if c := f.srv.Comments(prNumber); len(c) > 0 {
				t.Errorf("commented in the merge queue: %+v", c)
			}
			if rec := o.record(t); rec.Decision.Decision != o.outputs["decision"] || rec.ExitCode != tc.code || rec.Context.EventName != "merge_group" {
				t.Errorf("record: %s, exit %d, event %q; want %s, exit %d, merge_group", rec.Decision.Decision, rec.ExitCode, rec.Context.EventName, o.outputs["decision"], tc.code)
			}
			for _, r := range f.srv.Requests() {
				if strings.Contains(r.Path, "/contents/safety/cso-register.yaml") && r.Query.Get("ref") != baseSHA {
					t.Errorf("register read at %q, want the group's base", r.Query.Get("ref"))
				}
				// The group's base is read too: its hazard log names the
				// product officer scope is checked against.
				if strings.Contains(r.Path, "/contents/safety/hazard-log.yaml") && r.Query.Get("ref") != headSHA && r.Query.Get("ref") != baseSHA {
					t.Errorf("hazard log read at %q, want the pull request's head (or, as the trusted side, the group's base)", r.Query.Get("ref"))
				}
			}
		})
	}
}
