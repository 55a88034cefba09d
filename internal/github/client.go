// Package github is the gate's only door to the GitHub REST API: it reads the
// facts a decision needs (the pull request, its reviews, files, commits and
// review dismissals, files at a trusted commit, tags and comparisons for
// releases) and writes the results (commit status, sticky comment, review
// requests), with GitHub's quirks handled in one place.
//
// It wraps go-github v62 behind a small, plain-data API, keeps within
// GitHub's documented secondary rate limits (at most MaxInFlight requests at
// once, paced per endpoint and for writes; see pacing.go), and owns the retry
// policy (see transport.go): server errors, timeouts and rate limits are
// retried within fixed bounds; what still fails becomes an *UnavailableError,
// a missing workflow permission a *PermissionError naming the permissions:
// entry to add, and any other refusal a *StatusError. The token never appears
// in an error.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gogithub "github.com/google/go-github/v62/github"
)

// DefaultBaseURL is GitHub.com's API, used when Options.BaseURL is empty.
const DefaultBaseURL = "https://api.github.com"

// Defaults for Options fields left zero.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 4
	DefaultMaxWait    = 60 * time.Second
)

// Options configures a Client. Only Token usually needs setting; zero values
// take the defaults.
type Options struct {
	// BaseURL is the REST API root, as the runner's GITHUB_API_URL gives it:
	// https://api.github.com, or https://ghes.example/api/v3 on GitHub
	// Enterprise Server. Empty means api.github.com.
	BaseURL string
	// Token authenticates every request (as "Authorization: Bearer"). It is
	// sent only to BaseURL's host. Empty sends no credentials.
	Token string
	// Transport sends the requests; nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Timeout bounds each attempt of each request (DefaultTimeout).
	Timeout time.Duration
	// MaxRetries is how many times a failed request is re-sent
	// (DefaultMaxRetries); negative means never.
	MaxRetries int
	// MaxWait bounds the total time the client spends waiting for rate limits
	// to lift, over its whole life (DefaultMaxWait). A limit that would take
	// longer fails at once with an *UnavailableError. The client's own pacing
	// within GitHub's per-minute limits (pacing.go) is not counted: it waits
	// only as long as the limits say.
	MaxWait time.Duration
	// Sleep waits between attempts, and for a request's turn under GitHub's
	// per-minute limits; tests inject one that records and returns (or a
	// githubtest.Clock's, which moves a virtual clock on).
	Sleep func(ctx context.Context, d time.Duration) error
	// Now tells the time, for X-RateLimit-Reset and the pacing; time.Now by
	// default.
	Now func() time.Time
	// UserAgent identifies the gate to GitHub ("csogate" by default).
	UserAgent string
}

// Client reads from and writes to one GitHub (github.com or a GHES instance).
// It is safe for concurrent use.
type Client struct {
	gh    *gogithub.Client
	token string
}

// New builds a Client from opts.
func New(opts Options) (*Client, error) {
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("GitHub API URL %q is not an http(s) URL such as %s or https://ghes.example/api/v3", base, DefaultBaseURL)
	}
	if u.User != nil {
		return nil, errors.New("GitHub API URL must not carry credentials; pass the token separately")
	}
	u.RawQuery, u.Fragment = "", ""
	// go-github resolves relative paths against BaseURL, which must end in "/".
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}

	t := &transport{
		base:       opts.Transport,
		token:      opts.Token,
		host:       u.Host,
		basePath:   strings.TrimSuffix(u.Path, "/"),
		timeout:    opts.Timeout,
		maxRetries: opts.MaxRetries,
		maxWait:    opts.MaxWait,
		sleep:      opts.Sleep,
		now:        opts.Now,
		slots:      make(chan struct{}, MaxInFlight),
	}
	if t.base == nil {
		t.base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if t.timeout <= 0 {
		t.timeout = DefaultTimeout
	}
	switch {
	case t.maxRetries == 0:
		t.maxRetries = DefaultMaxRetries
	case t.maxRetries < 0:
		t.maxRetries = 0
	}
	if t.maxWait <= 0 {
		t.maxWait = DefaultMaxWait
	}
	if t.sleep == nil {
		t.sleep = sleepContext
	}
	if t.now == nil {
		t.now = time.Now
	}

	gh := gogithub.NewClient(&http.Client{Transport: t})
	gh.BaseURL = u
	gh.UserAgent = opts.UserAgent
	if gh.UserAgent == "" {
		gh.UserAgent = "csogate"
	}
	return &Client{gh: gh, token: opts.Token}, nil
}

// op describes an API operation for error messages: what the gate was doing
// and which permissions: entry allows it.
type op struct {
	what  string // e.g. "creating a commit status"
	perm  string // e.g. "statuses: write"
	alt   string // another entry that also allows it, if any
	write bool   // a 404 on a write means no access, not a missing object
}

// The permissions each operation needs, as a workflow's permissions: block
// spells them.
const (
	permPullsRead     = "pull-requests: read"
	permPullsWrite    = "pull-requests: write"
	permIssuesRead    = "issues: read"
	permIssuesWrite   = "issues: write"
	permContentsRead  = "contents: read"
	permStatusesRead  = "statuses: read"
	permStatusesWrite = "statuses: write"
)

// fail turns what go-github returned into the package's error types.
func (c *Client) fail(o op, err error) error {
	if err == nil {
		return nil
	}
	var unavailable *UnavailableError
	if errors.As(err, &unavailable) {
		return unavailable // unwrapped from *url.Error: its message names the request already
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", o.what, err)
	}
	var rate *gogithub.RateLimitError
	var abuse *gogithub.AbuseRateLimitError
	if errors.As(err, &rate) || errors.As(err, &abuse) {
		// The transport keeps rate limits from go-github, so this means
		// go-github refused on its own; still, it is a rate limit.
		return &UnavailableError{Operation: o.what, Last: redact(err.Error(), c.token), Attempts: 1, Err: err}
	}
	var resp *gogithub.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		code := resp.Response.StatusCode
		msg := redact(resp.Message, c.token)
		if code == http.StatusForbidden || (o.write && code == http.StatusNotFound) {
			return &PermissionError{Operation: o.what, Permission: o.perm, Alternative: o.alt, StatusCode: code, GitHubMessage: msg}
		}
		return &StatusError{Operation: o.what, StatusCode: code, Status: resp.Response.Status, GitHubMessage: msg}
	}
	return &redactedError{msg: redact(fmt.Sprintf("%s: %v", o.what, err), c.token), err: err}
}

// isNotFound reports whether err is GitHub's 404 answer.
func isNotFound(err error) bool {
	var resp *gogithub.ErrorResponse
	return errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode == http.StatusNotFound
}

// perPage is the largest page GitHub's list endpoints give, so a typical pull
// request needs one request per list.
const perPage = 100

// paginate calls fetch for page 1, 2, ... until GitHub's Link header has no
// next page.
func paginate(fetch func(opts *gogithub.ListOptions) (*gogithub.Response, error)) error {
	opts := &gogithub.ListOptions{PerPage: perPage}
	for page := 1; ; page = opts.Page {
		resp, err := fetch(opts)
		if err != nil {
			return err
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		if resp.NextPage <= page {
			// A Link header pointing backwards would loop for ever.
			return fmt.Errorf("GitHub's Link header points from page %d back to page %d", page, resp.NextPage)
		}
		opts.Page = resp.NextPage
	}
}

func timeOf(ts *gogithub.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.Time
}
