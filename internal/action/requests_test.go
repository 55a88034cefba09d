package action

import (
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestRequestsForATypicalPullRequest counts the API calls of a typical pull
// request and holds them to the minimum: one page each of reviews, files,
// commits and events; one contents read per trusted file (configuration and
// register) and of the base manifest; the comment found and written; one
// status; the requested reviewers only when a review request is considered.
func TestRequestsForATypicalPullRequest(t *testing.T) {
	t.Parallel()
	repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	reads := []string{
		"GET " + repo + "/pulls/7/reviews?per_page=100",
		"GET " + repo + "/pulls/7/files?per_page=100",
		"GET " + repo + "/pulls/7/commits?per_page=100",
		"GET " + repo + "/issues/7/events?per_page=100",
		"GET " + repo + "/contents/safety/changes.yaml?ref=" + baseSHA,
		"GET " + repo + "/contents/safety/csogate.yaml?ref=" + baseSHA,
		"GET " + repo + "/contents/safety/cso-register.yaml?ref=" + baseSHA,
	}
	status := "POST " + repo + "/statuses/" + headSHA
	listComments := "GET " + repo + "/issues/7/comments?per_page=100"
	tests := []struct {
		name  string
		setup func(f *fixture)
		runs  int
		want  []string // of the last run
	}{
		{
			name:  "approved",
			setup: func(f *fixture) { f.approve(alice, aliceID) },
			runs:  1,
			want:  append(slices.Clone(reads), listComments, "POST "+repo+"/issues/7/comments", status),
		},
		{
			name: "waiting for a CSO: the CSOs are asked",
			runs: 1,
			want: append(slices.Clone(reads), status, listComments, "POST "+repo+"/issues/7/comments",
				"GET "+repo+"/pulls/7/requested_reviewers", "POST "+repo+"/pulls/7/requested_reviewers"),
		},
		{
			name: "still waiting on the next run: the comment says the same, nobody is asked again",
			runs: 2,
			want: append(slices.Clone(reads), status, listComments, "GET "+repo+"/pulls/7/requested_reviewers"),
		},
		{
			name: "blocked by a CSO's stop, approved otherwise: no review request is considered",
			setup: func(f *fixture) {
				f.approve(alice, aliceID)
				f.srv.AddReview(prNumber, githubtest.Review{Login: niamh, UserID: niamhID, State: "CHANGES_REQUESTED"})
			},
			runs: 1,
			want: append(slices.Clone(reads), status, listComments, "POST "+repo+"/issues/7/comments"),
		},
		{
			name:  "comment false",
			setup: func(f *fixture) { f.approve(alice, aliceID); f.input("comment", "false") },
			runs:  1,
			want:  append(slices.Clone(reads), status),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			for i := range tc.runs {
				if i == tc.runs-1 {
					f.srv.ResetRequests()
				}
				f.run()
			}
			var got []string
			for _, r := range f.srv.Requests() {
				got = append(got, r.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("requests:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "))
			}
		})
	}
}

// TestOneStickyComment runs the gate several times on one pull request: it
// keeps a single comment of its own, updated in place, beside people's.
func TestOneStickyComment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.srv.AddComment(prNumber, githubtest.Comment{Login: "lead-larry", Body: "Please hurry"})
	f.srv.AddComment(prNumber, githubtest.Comment{Login: "lead-larry", Body: "Another remark"})
	if o := f.run(); o.code != 1 {
		t.Fatalf("first run: exit %d, want 1", o.code)
	}
	f.approve(alice, aliceID)
	f.pullEvent("pull_request_review", "submitted", nil)
	if o := f.run(); o.code != 0 {
		t.Fatalf("second run: exit %d, want 0:\n%s", o.code, o.stdout)
	}
	if o := f.run(); o.code != 0 {
		t.Fatalf("third run: exit %d, want 0", o.code)
	}
	var ours []githubtest.Comment
	for _, c := range f.srv.Comments(prNumber) {
		if c.Login == githubtest.ActionsBot {
			ours = append(ours, c)
		}
	}
	if len(ours) != 1 {
		t.Fatalf("%d comments by the gate, want 1: %+v", len(ours), ours)
	}
	if !strings.Contains(ours[0].Body, "Clinical safety gate: approved") {
		t.Errorf("the comment was not updated to the approval:\n%s", ours[0].Body)
	}
	if n := strings.Count(ours[0].Body, "<!-- csogate:"); n != 1 {
		t.Errorf("the comment carries %d markers, want 1", n)
	}
	if got := f.srv.Comments(prNumber); len(got) != 3 || got[0].Body != "Please hurry" {
		t.Errorf("people's comments were touched: %+v", got)
	}
}
