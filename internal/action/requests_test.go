package action

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestRequestsForATypicalPullRequest counts the API calls of a typical pull
// request and holds them to the minimum: the pull request itself, a pending
// status on its head, the base branch's tip, one contents read per head-side
// file (hazard log, manifest, components map) at the head; one page each of
// reviews, files, commits and events; one contents read per trusted file
// (configuration, register and hazard log, whose product officer scope is
// checked against) and of the base manifest at the tip; the
// comment found and written; the pull request read again before a success;
// the final status; the requested reviewers only when a review request is
// considered; the head's file tree (one recursive read) when the change
// touches a hazard or the hazard log.
//
// The pull request, the pending status, the tip and the head's files (six
// requests, seven before a success) are new with judging the head the API
// reports through the API, not the event's head in the workspace.
func TestRequestsForATypicalPullRequest(t *testing.T) {
	t.Parallel()
	repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	// Each step's reads go at once, so in no fixed order among themselves;
	// the steps come one after another.
	steps := [][]string{
		{"GET " + repo + "/pulls/7"},
		{"POST " + repo + "/statuses/" + headSHA},
		{"GET " + repo + "/git/ref/heads/main"},
		// The head's workspace files, together.
		{
			"GET " + repo + "/contents/safety/hazard-log.yaml?ref=" + headSHA,
			"GET " + repo + "/contents/safety/changes.yaml?ref=" + headSHA,
			"GET " + repo + "/contents/safety/hazard-components.yaml?ref=" + headSHA,
		},
		// The pull request's facts, together.
		{
			"GET " + repo + "/pulls/7/reviews?per_page=100",
			"GET " + repo + "/pulls/7/files?per_page=100",
			"GET " + repo + "/pulls/7/commits?per_page=100",
			"GET " + repo + "/issues/7/events?per_page=100",
			"GET " + repo + "/contents/safety/changes.yaml?ref=" + baseSHA,
		},
		// The comments as they stand now, for emergency overrides.
		{"GET " + repo + "/issues/7/comments?per_page=100"},
		{"GET " + repo + "/contents/safety/csogate.yaml?ref=" + baseSHA},
		{"GET " + repo + "/contents/safety/cso-register.yaml?ref=" + baseSHA},
		// The base's hazard log names the product officer scope is checked against.
		{"GET " + repo + "/contents/safety/hazard-log.yaml?ref=" + baseSHA},
		// The head's file tree, one recursive read, asked only because the
		// change touches a hazard: are its components and its controls'
		// evidence still in the repository (HAZARD_COMPONENT_ORPHANED,
		// CONTROL_EVIDENCE_MISSING)?
		{"GET " + repo + "/git/trees/" + headSHA + "?recursive=1"},
	}
	var reads []string
	for _, step := range steps {
		reads = append(reads, step...)
	}
	status := "POST " + repo + "/statuses/" + headSHA
	recheck := "GET " + repo + "/pulls/7"
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
			want:  append(slices.Clone(reads), listComments, "POST "+repo+"/issues/7/comments", recheck, status),
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
			want:  append(slices.Clone(reads), recheck, status),
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
			// Within a step of reads, the order is the order they answered in.
			at := 0
			for _, step := range steps {
				if at+len(step) <= len(got) {
					slices.SortFunc(got[at:at+len(step)], func(a, b string) int {
						return slices.Index(step, a) - slices.Index(step, b)
					})
				}
				at += len(step)
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

// TestLargePullRequest pages through every list to its end, and fails closed
// on a pull request with more files than GitHub lists.
func TestLargePullRequest(t *testing.T) {
	t.Parallel()
	t.Run("every page is read", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		for i := range 230 {
			f.changed = append(f.changed, fmt.Sprintf("docs/page-%03d.md", i))
		}
		for i := range 120 {
			f.srv.AddReview(prNumber, githubtest.Review{Login: fmt.Sprintf("commenter-%d", i), State: "COMMENTED"})
		}
		for i := range 101 {
			f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA(fmt.Sprint("c", i)), AuthorLogin: author})
		}
		// The CSO's approval and a co-authoring CSO sit on the last pages.
		f.approve(alice, aliceID)
		f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA("late"), AuthorLogin: author,
			Message: "Late fix\n\nCo-authored-by: Niamh <nurse-niamh@users.noreply.github.com>"})
		for i := range 101 {
			f.srv.AddEvent(prNumber, githubtest.Event{Event: "labeled", Actor: fmt.Sprintf("bot-%d", i)})
		}
		o := f.run()
		if o.code != 0 || o.outputs["decision"] != "approved" {
			t.Fatalf("exit %d, decision %q\n%s", o.code, o.outputs["decision"], o.stdout)
		}
		pages := map[string]int{}
		for _, r := range f.srv.Requests() {
			if r.Method == "GET" && r.Query.Get("per_page") == "100" {
				pages[r.Path]++
			}
		}
		repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
		for path, want := range map[string]int{repo + "/pulls/7/files": 3, repo + "/pulls/7/reviews": 2,
			repo + "/pulls/7/commits": 2, repo + "/issues/7/events": 2} {
			if pages[path] != want {
				t.Errorf("%s: %d pages read, want %d", path, pages[path], want)
			}
		}
		var niamhEligible bool
		for _, a := range o.decision["eligible_approvers"].([]any) {
			niamhEligible = niamhEligible || a.(map[string]any)["login"] == niamh
		}
		if niamhEligible {
			t.Errorf("nurse-niamh co-authored a commit on the last page but is listed as eligible")
		}
	})
	t.Run("more files than GitHub lists", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.changed = nil
		for i := range 3001 {
			f.changed = append(f.changed, fmt.Sprintf("src/gen/file-%04d.go", i))
		}
		f.approve(alice, aliceID)
		o := f.run()
		if o.code != 3 || o.outputs["decision"] != "blocked" {
			t.Fatalf("exit %d, decision %q; want 3, blocked", o.code, o.outputs["decision"])
		}
		if !strings.Contains(o.stdout, "GitHub lists only 3000 of the pull request's 3001 changed files") {
			t.Errorf("the log does not explain the cap:\n%s", o.stdout)
		}
		if st, ok := f.status(headSHA); !ok || st.State != "error" {
			t.Errorf("status %+v (found %v), want error", st, ok)
		}
	})
}

// TestStickyCommentNotHijacked: a comment someone wrote with the gate's
// marker in it is not the gate's comment. The gate leaves it alone and keeps
// its own, so nobody can have their words shown as the gate's decision, or
// edit the decision afterwards.
func TestStickyCommentNotHijacked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	planted := "<!-- csogate:clinical-safety/cso-approval -->\n# ✅ Clinical safety gate: approved"
	id := f.srv.AddComment(prNumber, githubtest.Comment{Login: author, Body: planted})
	for range 2 {
		if o := f.run(); o.code != 1 {
			t.Fatalf("exit %d, want 1", o.code)
		}
	}
	comments := f.srv.Comments(prNumber)
	if len(comments) != 2 || comments[0].ID != id || comments[0].Body != planted {
		t.Fatalf("comments = %+v, want the planted one untouched and one of the gate's", comments)
	}
	if c := comments[1]; c.Login != githubtest.ActionsBot || !strings.Contains(c.Body, "Clinical safety gate: blocked") {
		t.Errorf("the gate's comment = %+v", c)
	}
}
