package github

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gogithub "github.com/google/go-github/v62/github"
)

func TestRateLimitWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		status      int
		header      map[string]string
		body        string
		wantLimited bool
		wantWait    time.Duration
	}{
		{name: "403 permission", status: 403, body: `{"message":"Resource not accessible by integration"}`},
		{name: "404", status: 404, header: map[string]string{"Retry-After": "5"}},
		{name: "Retry-After seconds", status: 403, header: map[string]string{"Retry-After": "7"}, wantLimited: true, wantWait: 7 * time.Second},
		{name: "Retry-After date", status: 429, header: map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, wantLimited: true, wantWait: 90 * time.Second},
		{name: "Retry-After before reset", status: 403, header: map[string]string{"Retry-After": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1772449200"}, wantLimited: true, wantWait: 3 * time.Second},
		{name: "reset", status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1772445630"}, wantLimited: true, wantWait: 31 * time.Second},
		{name: "reset already past", status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1772445000"}, wantLimited: true, wantWait: time.Second},
		{name: "remaining 0 without reset", status: 403, header: map[string]string{"X-RateLimit-Remaining": "0"}, wantLimited: true, wantWait: time.Minute},
		{name: "429 bare", status: 429, wantLimited: true, wantWait: time.Minute},
		{name: "abuse body", status: 403, body: `{"documentation_url":"https://docs.github.com/rest#abuse-rate-limits"}`, wantLimited: true, wantWait: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}
			for k, v := range tt.header {
				resp.Header.Set(k, v)
			}
			backoff := time.Minute
			wait, _, limited := rateLimitWait(resp, []byte(tt.body), now, &backoff)
			if limited != tt.wantLimited || wait != tt.wantWait {
				t.Errorf("rateLimitWait = %v, %t; want %v, %t", wait, limited, tt.wantWait, tt.wantLimited)
			}
		})
	}
}

// Rate limits that give no end back off a minute, then two, then four.
func TestRateLimitBackoffDoubles(t *testing.T) {
	t.Parallel()
	resp := &http.Response{StatusCode: 429, Header: http.Header{}}
	backoff := time.Minute
	var got []time.Duration
	for range 3 {
		d, _, _ := rateLimitWait(resp, nil, time.Now(), &backoff)
		got = append(got, d)
	}
	if want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("waits %v, want %v", got, want)
	}
}

func TestTruncateRunes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 140, "short"},
		{"", 140, ""},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"ééééééé", 6, "ééééé…"},
		{"👩‍⚕️👩‍⚕️👩‍⚕️", 4, "👩\u200d⚕…"},
	}
	for _, tt := range tests {
		if got := truncateRunes(tt.in, tt.n); got != tt.want {
			t.Errorf("truncateRunes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if !strings.HasPrefix(tt.in, strings.TrimSuffix(truncateRunes(tt.in, tt.n), "…")) {
			t.Errorf("truncateRunes(%q) is not a prefix", tt.in)
		}
	}
}

// A Link header pointing back to an earlier page must not loop for ever.
func TestPaginateStopsOnBackwardLink(t *testing.T) {
	t.Parallel()
	calls := 0
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		calls++
		return &gogithub.Response{NextPage: 1}, nil
	})
	if err == nil || calls != 1 {
		t.Errorf("paginate = %v after %d calls, want an error after 1", err, calls)
	}
}

// TestEndpoint: the points limit is per endpoint, so every path the client
// asks for is named by its route, whatever its values; a path no route
// knows shares its resource's budget rather than getting one of its own.
func TestEndpoint(t *testing.T) {
	t.Parallel()
	const r = "/repos/o/r"
	tests := []struct{ path, want string }{
		{r + "/contents/safety/hazard-log.md", "/repos/{owner}/{repo}/contents/{path}"},
		{r + "/contents/docs", "/repos/{owner}/{repo}/contents/{path}"},
		{r + "/compare/v2.3.0...v2.4.0", "/repos/{owner}/{repo}/compare/{basehead}"},
		{r + "/git/trees/0123abc", "/repos/{owner}/{repo}/git/trees/{tree_sha}"},
		{r + "/git/ref/heads/release/2.4", "/repos/{owner}/{repo}/git/ref/{ref}"},
		{r + "/statuses/0123abc", "/repos/{owner}/{repo}/statuses/{sha}"},
		{r + "/commits/0123abc/pulls", "/repos/{owner}/{repo}/commits/{ref}/pulls"},
		{r + "/commits/v2.4.0/status", "/repos/{owner}/{repo}/commits/{ref}/status"},
		{r + "/commits/0123abc/statuses", "/repos/{owner}/{repo}/commits/{ref}/statuses"},
		{r + "/commits/0123abc", "/repos/{owner}/{repo}/commits/{ref}"},
		{r + "/pulls/12", "/repos/{owner}/{repo}/pulls/{pull_number}"},
		{r + "/pulls/12/reviews", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"},
		{r + "/pulls/12/requested_reviewers", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"},
		{r + "/issues/comments/99", "/repos/{owner}/{repo}/issues/comments/{comment_id}"},
		{r + "/issues/12", "/repos/{owner}/{repo}/issues/{issue_number}"},
		{r + "/issues/12/events", "/repos/{owner}/{repo}/issues/{issue_number}/events"},
		{r + "/issues", "/repos/{owner}/{repo}/issues"},
		{r + "/tags", "/repos/{owner}/{repo}/tags"},
		{r + "/pulls/12/reviews/5/comments", "/repos/{owner}/{repo}/pulls/..."},
		{"/user", "other"},
	}
	for _, tt := range tests {
		if got := endpoint(tt.path); got != tt.want {
			t.Errorf("endpoint(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
