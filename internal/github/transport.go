package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// transport is the gate's retry policy, an http.RoundTripper under go-github.
//
// It must sit below go-github rather than around its calls: go-github v62
// turns only 403s into rate-limit errors, passes 429s on as plain errors, and
// after a secondary-limit 403 it refuses further calls without sending them
// until the reset. So rate-limit answers never reach go-github: the transport
// waits and retries them itself, or gives up with an *UnavailableError, which
// go-github hands back unchanged (wrapped in a *url.Error).
type transport struct {
	base       http.RoundTripper
	token      string
	host       string // the token is sent to this host only, never on a redirect elsewhere
	basePath   string // API path prefix ("/api/v3" on GHES), left out of operation names
	timeout    time.Duration
	maxRetries int
	maxWait    time.Duration
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time

	// slots holds a token for each request in flight (MaxInFlight), and
	// pace times each attempt within GitHub's per-minute limits (pacing.go).
	slots chan struct{}
	pace  pacer

	mu     sync.Mutex
	waited time.Duration // rate-limit waiting spent so far, across all requests
}

// Retry timing. Server errors back off exponentially from serverBackoff up to
// maxServerBackoff; a rate limit that says nothing about when it ends is
// waited out a minute at a time (doubling), as GitHub's documentation asks.
const (
	serverBackoff    = time.Second
	maxServerBackoff = 30 * time.Second
	rateLimitBackoff = time.Minute
)

type ctxKey int

// sendOnceKey marks a request that must not be re-sent when it may already
// have been carried out (a POST that creates something): only answers that
// prove it was not (rate limits) are retried.
const sendOnceKey ctxKey = 0

func sendOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, sendOnceKey, true)
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	getBody, err := replayableBody(req)
	if err != nil {
		return nil, err
	}
	op := t.operation(req)
	route := endpoint(strings.TrimPrefix(op, req.Method+" "))
	once := ctx.Value(sendOnceKey) != nil

	var (
		last       string
		lastErr    error
		serverWait = serverBackoff
		limitWait  = rateLimitBackoff
	)
	for attempt := 1; ; attempt++ {
		resp, body, err := t.send(ctx, req, getBody, route)
		if ctx.Err() != nil {
			// The caller gave up; its context error says more than ours.
			return nil, ctx.Err()
		}

		var wait time.Duration
		rateLimited := false
		switch {
		case err != nil:
			last, lastErr = t.describe(err), err
			wait = serverWait
			serverWait = min(2*serverWait, maxServerBackoff)
		case isServerError(resp.StatusCode):
			last, lastErr = resp.Status, nil
			wait = serverWait
			serverWait = min(2*serverWait, maxServerBackoff)
		default:
			d, why, limited := rateLimitWait(resp, body, t.now(), &limitWait)
			if !limited {
				return t.deliver(resp, body), nil
			}
			last, lastErr = fmt.Sprintf("%s (%s)", resp.Status, why), nil
			wait, rateLimited = d, true
		}

		if attempt > t.maxRetries || (once && !rateLimited) {
			return nil, &UnavailableError{Operation: op, Last: last, Attempts: attempt, Err: lastErr}
		}
		if rateLimited && !t.spend(wait) {
			return nil, &UnavailableError{Operation: op, Last: last, Attempts: attempt,
				Reason: fmt.Sprintf("waiting %s more would exceed the %s the gate may wait for rate limits", wait.Round(time.Second), t.maxWait)}
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// send sends the request once when a slot is free and its pace allows. The
// slot is held while it waits for its time, so the time it was given is the
// time it goes; a wait for a retry holds none.
func (t *transport) send(ctx context.Context, req *http.Request, getBody func() (io.ReadCloser, error), route string) (*http.Response, []byte, error) {
	select {
	case t.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-t.slots }()
	if wait := t.pace.reserve(t.now, req.Method, route); wait > 0 {
		if err := t.sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
	}
	return t.attempt(ctx, req, getBody)
}

// attempt sends the request once, with its own timeout, and reads the whole
// answer so that a connection cut or a timeout half-way through the body is
// retried like any other network error.
func (t *transport) attempt(ctx context.Context, req *http.Request, getBody func() (io.ReadCloser, error)) (*http.Response, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()

	r := req.Clone(actx)
	r.Body = nil
	if getBody != nil {
		body, err := getBody()
		if err != nil {
			return nil, nil, err
		}
		r.Body = body
	}
	if t.token != "" && r.URL.Host == t.host {
		r.Header.Set("Authorization", "Bearer "+t.token)
	}

	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// deliver hands an answer to go-github. A successful answer that used up the
// rate limit (X-RateLimit-Remaining: 0) loses its reset time, or go-github
// would refuse every later call until the reset without asking GitHub; the
// transport deals with the limit when GitHub actually enforces it.
func (t *transport) deliver(resp *http.Response, body []byte) *http.Response {
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		resp.Header.Del("X-RateLimit-Reset")
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp
}

// spend takes d from the rate-limit waiting budget, or reports that it would
// exceed MaxWait.
func (t *transport) spend(d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waited+d > t.maxWait {
		return false
	}
	t.waited += d
	return true
}

// operation names a request for error messages: method and API path, without
// the GHES prefix or the query (which holds only paging).
func (t *transport) operation(req *http.Request) string {
	path := req.URL.Path
	if t.basePath != "" && strings.HasPrefix(path, t.basePath+"/") {
		path = path[len(t.basePath):]
	}
	return req.Method + " " + path
}

// describe turns a network error into a short phrase, masking the token in
// case some layer below ever quotes a header.
func (t *transport) describe(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no response within %s", t.timeout)
	}
	return redact(err.Error(), t.token)
}

func isServerError(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// rateLimitWait reports whether an answer is a rate limit and how long to
// wait before trying again, in GitHub's documented order of precedence:
// Retry-After, then X-RateLimit-Remaining: 0 with X-RateLimit-Reset, then a
// backoff of a minute (doubling each time, via *backoff) for a 429 or a 403
// whose body says it is a secondary limit. A 403 with none of these is a
// permission problem, not a limit.
func rateLimitWait(resp *http.Response, body []byte, now time.Time, backoff *time.Duration) (time.Duration, string, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, "", false
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		return d, fmt.Sprintf("rate limited, Retry-After %s", d.Round(time.Second)), true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			// The reset is in whole seconds; a second more avoids arriving just before it.
			d := max(time.Unix(reset, 0).Sub(now)+time.Second, time.Second)
			return d, fmt.Sprintf("rate limit used up until %s", time.Unix(reset, 0).UTC().Format(time.RFC3339)), true
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.Header.Get("X-RateLimit-Remaining") == "0" || mentionsRateLimit(body) {
		d := *backoff
		*backoff *= 2
		return d, "rate limited", true
	}
	return 0, "", false
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// mentionsRateLimit recognises GitHub's secondary-limit error bodies, which
// sometimes come without any header saying so.
func mentionsRateLimit(body []byte) bool {
	b := bytes.ToLower(body)
	for _, s := range []string{"secondary rate limit", "secondary-rate-limits", "abuse-rate-limits", "abuse detection", "rate limit exceeded"} {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// replayableBody returns a function giving a fresh copy of the request body
// for every attempt, reading the body into memory when the request cannot
// replay it itself. The original body is closed, as RoundTrip must.
func replayableBody(req *http.Request) (func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		req.Body.Close()
		return req.GetBody, nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, nil
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
