package github_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	const reviews = repoPath + "/pulls/7/reviews"
	tests := []struct {
		name         string
		faults       []githubtest.Response
		always       *githubtest.Response
		opts         func(*github.Options)
		wantWaits    []time.Duration
		wantAttempts int
		wantErr      string // substring of an *UnavailableError's message; empty: success
	}{
		{
			name:         "502 then success",
			faults:       []githubtest.Response{githubtest.BadGateway()},
			wantWaits:    []time.Duration{time.Second},
			wantAttempts: 2,
		},
		{
			name: "500, 503, 504 back off exponentially",
			faults: []githubtest.Response{
				githubtest.ServerError(http.StatusInternalServerError),
				githubtest.ServerError(http.StatusServiceUnavailable),
				githubtest.ServerError(http.StatusGatewayTimeout),
			},
			wantWaits:    []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			wantAttempts: 4,
		},
		{
			name:         "persistent 502",
			always:       ptr(githubtest.BadGateway()),
			wantWaits:    []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second},
			wantAttempts: 5,
			wantErr:      "GET " + reviews + ": 502 Bad Gateway after 5 attempts",
		},
		{
			name:         "MaxRetries bounds the attempts",
			always:       ptr(githubtest.BadGateway()),
			opts:         func(o *github.Options) { o.MaxRetries = 1 },
			wantWaits:    []time.Duration{time.Second},
			wantAttempts: 2,
			wantErr:      "502 Bad Gateway after 2 attempts",
		},
		{
			name:         "negative MaxRetries never retries",
			always:       ptr(githubtest.BadGateway()),
			opts:         func(o *github.Options) { o.MaxRetries = -1 },
			wantAttempts: 1,
			wantErr:      "502 Bad Gateway after 1 attempt",
		},
		{
			name:         "403 secondary rate limit honours Retry-After",
			faults:       []githubtest.Response{githubtest.SecondaryRateLimit(time.Second)},
			wantWaits:    []time.Duration{time.Second},
			wantAttempts: 2,
		},
		{
			name:         "429 honours Retry-After",
			faults:       []githubtest.Response{githubtest.TooManyRequests(3 * time.Second)},
			wantWaits:    []time.Duration{3 * time.Second},
			wantAttempts: 2,
		},
		{
			name:         "429 without Retry-After backs off a minute",
			faults:       []githubtest.Response{githubtest.TooManyRequests(0)},
			wantWaits:    []time.Duration{time.Minute},
			wantAttempts: 2,
		},
		{
			name: "403 secondary limit by body alone backs off a minute",
			faults: []githubtest.Response{{
				Status: http.StatusForbidden,
				Body:   `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
			}},
			wantWaits:    []time.Duration{time.Minute},
			wantAttempts: 2,
		},
		{
			name:   "primary limit waits until X-RateLimit-Reset",
			faults: []githubtest.Response{githubtest.RateLimitExceeded(fixedNow.Add(10 * time.Second))},
			// One second past the reset, which GitHub gives in whole seconds.
			wantWaits:    []time.Duration{11 * time.Second},
			wantAttempts: 2,
		},
		{
			name:         "rate limit beyond MaxWait",
			faults:       []githubtest.Response{githubtest.RateLimitExceeded(fixedNow.Add(10 * time.Minute))},
			wantAttempts: 1,
			wantErr:      "GET " + reviews + ": 403 Forbidden (rate limit used up until 2026-03-02T10:10:00Z) after 1 attempt; waiting 10m1s more would exceed the 1m0s the gate may wait for rate limits",
		},
		{
			name:         "Retry-After beyond a smaller MaxWait",
			faults:       []githubtest.Response{githubtest.SecondaryRateLimit(30 * time.Second)},
			opts:         func(o *github.Options) { o.MaxWait = 10 * time.Second },
			wantAttempts: 1,
			wantErr:      "403 Forbidden (rate limited, Retry-After 30s) after 1 attempt; waiting 30s more would exceed the 10s the gate may wait",
		},
		{
			name:         "timeout then success",
			faults:       []githubtest.Response{githubtest.Slow(10 * time.Second)},
			opts:         func(o *github.Options) { o.Timeout = 100 * time.Millisecond },
			wantWaits:    []time.Duration{time.Second},
			wantAttempts: 2,
		},
		{
			name:         "persistent timeout",
			always:       ptr(githubtest.Slow(10 * time.Second)),
			opts:         func(o *github.Options) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = 2 },
			wantWaits:    []time.Duration{time.Second, 2 * time.Second},
			wantAttempts: 3,
			wantErr:      "GET " + reviews + ": no response within 50ms after 3 attempts",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			srv.AddPull(githubtest.Pull{Number: 7})
			srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "APPROVED"})
			if len(tt.faults) > 0 {
				srv.Fail("GET", reviews, tt.faults...)
			}
			if tt.always != nil {
				srv.FailAlways("GET", reviews, *tt.always)
			}
			opts := tt.opts
			if opts == nil {
				opts = func(*github.Options) {}
			}
			c, rec := newClient(t, srv, opts)

			got, err := c.Reviews(context.Background(), owner, repo, 7)
			if tt.wantErr == "" {
				if err != nil || len(got) != 1 {
					t.Fatalf("Reviews = %v, %v; want the one review", got, err)
				}
			} else {
				var unavailable *github.UnavailableError
				if !errors.As(err, &unavailable) {
					t.Fatalf("Reviews error = %T %v, want *UnavailableError", err, err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				if unavailable.Attempts != tt.wantAttempts {
					t.Errorf("Attempts = %d, want %d", unavailable.Attempts, tt.wantAttempts)
				}
			}
			if waits := rec.All(); !slices.Equal(waits, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", waits, tt.wantWaits)
			}
			if n := len(srv.Requests()); n != tt.wantAttempts {
				t.Errorf("%d requests sent, want %d", n, tt.wantAttempts)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// MaxWait is a budget for the client's whole life, not per request.
func TestRateLimitWaitIsBoundedInTotal(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.Fail("GET", repoPath+"/pulls/7/reviews", githubtest.SecondaryRateLimit(40*time.Second))
	srv.Fail("GET", repoPath+"/pulls/7/files", githubtest.SecondaryRateLimit(40*time.Second))
	c, rec := newClient(t, srv)
	ctx := context.Background()
	if _, err := c.Reviews(ctx, owner, repo, 7); err != nil {
		t.Fatalf("first limit (40s of 60s): %v", err)
	}
	_, err := c.Files(ctx, owner, repo, 7)
	var unavailable *github.UnavailableError
	if !errors.As(err, &unavailable) {
		t.Fatalf("second limit (40s more) = %v, want *UnavailableError", err)
	}
	if waits := rec.All(); !slices.Equal(waits, []time.Duration{40 * time.Second}) {
		t.Errorf("waits = %v, want just the first 40s", waits)
	}
}

// After a secondary limit, go-github would refuse further calls itself until
// the reset; the transport keeps the limit from it, so the next call goes out.
func TestGoGitHubDoesNotGetStuckAfterRateLimits(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.Fail("GET", repoPath+"/pulls/7/reviews", githubtest.SecondaryRateLimit(time.Second))
	// A successful answer that uses up the primary limit.
	srv.Fail("GET", repoPath+"/pulls/7/files", githubtest.Response{Header: map[string]string{
		"X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset":     "4102444800", // 2100-01-01
	}})
	c, _ := newClient(t, srv)
	ctx := context.Background()
	if _, err := c.Reviews(ctx, owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Files(ctx, owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Commits(ctx, owner, repo, 7); err != nil {
		t.Fatalf("call after the limit was used up: %v", err)
	}
	if _, err := c.Reviews(ctx, owner, repo, 7); err != nil {
		t.Fatalf("call after the secondary limit: %v", err)
	}
	if n := len(srv.Requests()); n != 5 {
		t.Errorf("%d requests reached GitHub, want 5: %q", n, paths(srv.Requests()))
	}
}

// A retried write sends the same body again.
func TestRetriedWriteReplaysBody(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	sha := githubtest.SHA("head-7")
	srv.Fail("POST", repoPath+"/statuses/", githubtest.BadGateway(), githubtest.TooManyRequests(time.Second))
	c, _ := newClient(t, srv)
	err := c.SetStatus(context.Background(), owner, repo, sha, github.Status{State: "pending", Context: "clinical-safety/cso-approval", Description: "Checking"})
	if err != nil {
		t.Fatal(err)
	}
	w := srv.Writes()
	if len(w) != 3 {
		t.Fatalf("%d writes, want 3", len(w))
	}
	for _, r := range w[1:] {
		if string(r.Body) != string(w[0].Body) || len(r.Body) == 0 {
			t.Errorf("retry body %q differs from first %q", r.Body, w[0].Body)
		}
	}
	if got := srv.Statuses(); len(got) != 1 || got[0].State != "pending" {
		t.Errorf("statuses = %+v, want one pending", got)
	}
}

// A 403 without any rate-limit signal is a permission problem: not retried,
// and the message names the permissions: entry to add.
func TestPermissionErrors(t *testing.T) {
	t.Parallel()
	sha := githubtest.SHA("head-7")
	tests := []struct {
		name       string
		method     string
		path       string
		fault      githubtest.Response
		call       func(c *github.Client) error
		permission string
		message    string
	}{
		{
			name: "statuses", method: "POST", path: repoPath + "/statuses/" + sha, fault: githubtest.Forbidden(),
			call: func(c *github.Client) error {
				return c.SetStatus(context.Background(), owner, repo, sha, github.Status{State: "success", Context: "x"})
			},
			permission: "statuses: write",
			message:    `creating a commit status needs "statuses: write" in the workflow's permissions: block`,
		},
		{
			name: "comment", method: "POST", path: repoPath + "/issues/7/comments", fault: githubtest.Forbidden(),
			call: func(c *github.Client) error {
				return c.UpsertComment(context.Background(), owner, repo, 7, "<!-- csogate -->", "hello")
			},
			permission: "pull-requests: write",
			message:    `writing the pull request comment needs "pull-requests: write" in the workflow's permissions: block ("issues: write" also works)`,
		},
		{
			name: "request reviewers (404 on a write)", method: "POST", path: repoPath + "/pulls/7/requested_reviewers", fault: githubtest.NotFound(),
			call: func(c *github.Client) error {
				return c.RequestReviewers(context.Background(), owner, repo, 7, []string{"alice-gp"})
			},
			permission: "pull-requests: write",
			message:    `requesting reviewers needs "pull-requests: write" in the workflow's permissions: block`,
		},
		{
			name: "reviews", method: "GET", path: repoPath + "/pulls/7/reviews", fault: githubtest.Forbidden(),
			call: func(c *github.Client) error {
				_, err := c.Reviews(context.Background(), owner, repo, 7)
				return err
			},
			permission: "pull-requests: read",
			message:    `listing the pull request's reviews needs "pull-requests: read" in the workflow's permissions: block`,
		},
		{
			name: "contents", method: "GET", path: repoPath + "/contents/", fault: githubtest.Forbidden(),
			call: func(c *github.Client) error {
				_, _, err := c.FileAt(context.Background(), owner, repo, sha, "safety/cso-register.yaml")
				return err
			},
			permission: "contents: read",
			message:    `reading repository contents needs "contents: read" in the workflow's permissions: block`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			srv.AddPull(githubtest.Pull{Number: 7})
			srv.FailAlways(tt.method, tt.path, tt.fault)
			c, rec := newClient(t, srv)
			err := tt.call(c)
			var perm *github.PermissionError
			if !errors.As(err, &perm) {
				t.Fatalf("error = %T %v, want *PermissionError", err, err)
			}
			if perm.Permission != tt.permission {
				t.Errorf("Permission = %q, want %q", perm.Permission, tt.permission)
			}
			if err.Error() != tt.message {
				t.Errorf("message:\n got %s\nwant %s", err, tt.message)
			}
			if len(rec.All()) != 0 {
				t.Errorf("waited %v before giving up on a permission error", rec.All())
			}
			n := 0
			for _, r := range srv.Requests() {
				if r.Method == tt.method && strings.HasPrefix(r.Path, tt.path) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s %s sent %d times, want once", tt.method, tt.path, n)
			}
		})
	}
}

// The caller's cancellation stops retrying at once.
func TestCancelledContextStopsRetrying(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.FailAlways("GET", repoPath+"/pulls/7", githubtest.BadGateway())
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := newClient(t, srv, func(o *github.Options) {
		o.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	})
	_, err := c.PullRequest(ctx, owner, repo, 7)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
