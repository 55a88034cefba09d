package action

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestGitHubFailures injects GitHub's faults. Every run must end blocked,
// never with a success status, with a message saying what to fix.
func TestGitHubFailures(t *testing.T) {
	t.Parallel()
	repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	tests := []struct {
		name    string
		setup   func(f *fixture)
		code    int
		state   string // "" when no status can be posted
		message []string
		waits   func(t *testing.T, waits []time.Duration)
	}{
		{
			name:    "server errors on every try",
			setup:   func(f *fixture) { f.srv.FailAlways("GET", repo+"/pulls/7/reviews", githubtest.BadGateway()) },
			code:    3,
			state:   "error",
			message: []string{"GITHUB_UNAVAILABLE", "502 Bad Gateway after 5 attempts"},
			waits: func(t *testing.T, w []time.Duration) {
				if len(w) != 4 {
					t.Errorf("waited %v, want 4 backoffs", w)
				}
			},
		},
		{
			name: "a server error, then an answer",
			setup: func(f *fixture) {
				f.srv.Fail("GET", repo+"/pulls/7/files", githubtest.BadGateway(), githubtest.ServerError(http.StatusServiceUnavailable))
				f.approve(alice, aliceID)
			},
			code:  0,
			state: "success",
		},
		{
			name: "a secondary rate limit with Retry-After is waited out",
			setup: func(f *fixture) {
				f.srv.Fail("GET", repo+"/pulls/7/commits", githubtest.TooManyRequests(7*time.Second))
				f.approve(alice, aliceID)
			},
			code:  0,
			state: "success",
			waits: func(t *testing.T, w []time.Duration) {
				if !slices.Contains(w, 7*time.Second) {
					t.Errorf("waited %v, want Retry-After's 7s", w)
				}
			},
		},
		{
			name: "a 403 secondary rate limit is waited out too",
			setup: func(f *fixture) {
				f.srv.Fail("GET", repo+"/issues/7/events", githubtest.SecondaryRateLimit(3*time.Second))
				f.approve(alice, aliceID)
			},
			code:  0,
			state: "success",
		},
		{
			name: "a rate limit lasting beyond the bounded wait",
			setup: func(f *fixture) {
				f.srv.FailAlways("GET", repo+"/pulls/7/reviews", githubtest.RateLimitExceeded(time.Now().Add(time.Hour)))
			},
			code:    3,
			state:   "error",
			message: []string{"GITHUB_UNAVAILABLE", "rate limit"},
		},
		{
			name:    "no permission to read the trusted files",
			setup:   func(f *fixture) { f.srv.FailAlways("GET", repo+"/contents/", githubtest.Forbidden()) },
			code:    3,
			state:   "error",
			message: []string{"GITHUB_UNAVAILABLE", `"contents: read"`, "permissions: {contents: read, pull-requests: write, statuses: write, issues: write}"},
		},
		{
			name: "no permission to post the status",
			setup: func(f *fixture) {
				f.srv.FailAlways("POST", repo+"/statuses/", githubtest.Forbidden())
				f.approve(alice, aliceID)
			},
			code:    3,
			message: []string{"GITHUB_UNAVAILABLE", `"statuses: write"`},
		},
		{
			name: "no permission to post the status on a fork's pull request",
			setup: func(f *fixture) {
				f.pullEvent("pull_request", "synchronize", func(pr map[string]any) {
					pr["head"].(map[string]any)["repo"].(map[string]any)["full_name"] = "someone/clinical-app"
				})
				f.srv.FailAlways("POST", repo+"/statuses/", githubtest.Forbidden())
			},
			code:    3,
			message: []string{`"statuses: write"`, "from a fork gets a read-only token"},
		},
		{
			name: "the comment cannot be written after an approval: the status is not success",
			setup: func(f *fixture) {
				f.srv.FailAlways("POST", repo+"/issues/7/comments", githubtest.Forbidden())
				f.approve(alice, aliceID)
			},
			code:    3,
			state:   "error",
			message: []string{"writing the comment on #7", `"pull-requests: write"`},
		},
		{
			name:    "the comment cannot be written on a blocked change: the status turns from pending to error",
			setup:   func(f *fixture) { f.srv.FailAlways("POST", repo+"/issues/7/comments", githubtest.Forbidden()) },
			code:    3,
			state:   "error",
			message: []string{"writing the comment on #7"},
		},
		{
			name: "the comment create answers 502 after GitHub created it: no duplicate",
			setup: func(f *fixture) {
				f.srv.Fail("POST", repo+"/issues/7/comments", githubtest.Response{Status: http.StatusBadGateway, Body: `{"message":"Server Error"}`, Apply: true})
				f.approve(alice, aliceID)
			},
			code:  0,
			state: "success",
		},
		{
			name: "a refused review request is a warning, not a different decision",
			setup: func(f *fixture) {
				f.srv.FailAlways("POST", repo+"/pulls/7/requested_reviewers", githubtest.Response{Status: http.StatusUnprocessableEntity,
					Body: `{"message":"Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the octo-org/clinical-app repository."}`})
			},
			code:    1,
			state:   "pending",
			message: []string{"::warning::Could not ask @alice-gp, @nurse-niamh to review #7", "only from collaborators"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(f)
			o := f.run()
			if o.code != tc.code {
				t.Errorf("exit code = %d, want %d\n%s", o.code, tc.code, o.stdout)
			}
			if tc.code != 0 && o.outputs["decision"] != "blocked" {
				t.Errorf("decision = %q, want blocked", o.outputs["decision"])
			}
			st, ok := f.status(headSHA)
			switch {
			case tc.state == "" && ok:
				t.Errorf("a status was posted: %+v", st)
			case tc.state != "" && (!ok || st.State != tc.state):
				t.Errorf("status = %+v (found %v), want %s", st, ok, tc.state)
			}
			for _, m := range tc.message {
				if !strings.Contains(o.stdout, m) {
					t.Errorf("the log lacks %q:\n%s", m, o.stdout)
				}
			}
			if n := len(f.srv.Comments(prNumber)); n > 1 {
				t.Errorf("%d comments, want at most one", n)
			}
			if tc.waits != nil {
				tc.waits(t, f.sleeps.All())
			}
			for _, out := range []string{o.stdout, o.stderr, o.summary, o.outputs["violations"]} {
				if strings.Contains(strings.TrimPrefix(out, "::add-mask::"+testToken+"\n"), testToken) {
					t.Errorf("the token appears in the output")
				}
			}
		})
	}
}

// TestRunnerFilesUnwritable checks that when the job's own files cannot be
// written after GitHub was told success, the status is taken back.
func TestRunnerFilesUnwritable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	f.env["GITHUB_STEP_SUMMARY"] = f.dir // a directory: appending to it fails
	o := f.run()
	if o.code != 3 {
		t.Errorf("exit %d, want 3\n%s", o.code, o.stdout)
	}
	if !strings.Contains(o.stdout, "::error::csogate: writing the job summary (GITHUB_STEP_SUMMARY)") {
		t.Errorf("the log does not say the summary failed:\n%s", o.stdout)
	}
	statuses := f.srv.Statuses()
	if len(statuses) != 3 || statuses[0].State != "pending" || statuses[1].State != "success" || statuses[2].State != "error" {
		t.Errorf("statuses = %+v, want pending, then success taken back by error", statuses)
	}
	if o.outputs["decision"] != "blocked" || !strings.Contains(o.outputs["violations"], "GATE_ERROR") {
		t.Errorf("outputs %v, want blocked with GATE_ERROR", o.outputs)
	}
}

// TestRecordHoldsTheFinalDecision: a write that fails after the record was
// written (here the job summary) turns the run into a block; the record
// must say so, not keep the approval the run did not end with.
func TestRecordHoldsTheFinalDecision(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	f.env["GITHUB_STEP_SUMMARY"] = f.dir // a directory: appending to it fails
	o := f.run()
	rec := o.record(t)
	if rec.Decision.Decision != "blocked" || rec.ExitCode != 3 {
		t.Errorf("the record says %s (exit %d); the run ended blocked (exit %d)", rec.Decision.Decision, rec.ExitCode, o.code)
	}
	if o.decision["decision"] != "blocked" {
		t.Errorf("the decision file says %v; the run ended blocked", o.decision["decision"])
	}
}
