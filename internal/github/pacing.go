package github

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// The client keeps itself within GitHub's documented secondary rate limits
// ("About secondary rate limits" in GitHub's REST API documentation) rather
// than waiting to be told off:
//
//   - at most MaxInFlight requests at once (GitHub allows 100, shared by
//     every job and step of the workflow using the same token);
//   - at most 900 points a minute per endpoint, a read (GET, HEAD, OPTIONS)
//     counting 1 point and a write 5;
//   - at most 80 content-creating requests a minute and 500 an hour, every
//     write counting as one.
//
// Not paced: the limit of 90 s of GitHub's CPU time per 60 s, which GitHub
// says can be estimated only roughly, by response time. Response time is
// mostly network and queueing, not GitHub's CPU; pacing on it would hold the
// gate to about 1.5 requests in flight, slower than one after another on a
// slow network, and still not know GitHub's CPU. GitHub answers that limit
// like the others, with a 403 or 429 and Retry-After, which the transport
// waits out within MaxWait.
const (
	// MaxInFlight is how many requests a Client has in flight at once, over
	// all its callers: release mode evaluates four pull requests at a time,
	// each with up to eight independent reads, and the cap keeps them to
	// eight — an eighth of what GitHub allows, so the workflow's other jobs
	// and steps on the same token keep the rest, and with a 50 ms answer
	// eight at once already read faster than the points limit lets a run
	// keep up.
	MaxInFlight = 8

	pointsPerMinute  = 900 // per endpoint
	readPoints       = 1
	writePoints      = 5
	writesPerMinute  = 80
	writesPerHour    = 500
	pointsWindow     = time.Minute
	writesHourWindow = time.Hour
)

// pacer decides when each request may be sent: the earliest time at which
// sending it keeps every window it counts in within its limit. Each window
// is sliding (any 60 s, not the clock's minutes), the strictest reading of
// GitHub's "per minute". A request's time is reserved when it asks, so
// requests go in the order they asked, and a reservation is kept even if
// the request then fails: it may have reached GitHub.
type pacer struct {
	mu      sync.Mutex
	windows map[string]*window
}

// window is one limit: at most limit points sent within any span.
type window struct {
	limit int
	span  time.Duration
	sent  []mark // reservations, oldest first, none older than the span before the last
}

type mark struct {
	at     time.Time
	points int
}

// earliest is the first time from from on at which points more keep w
// within its limit. Reservations are never before the last one, so that
// time is found by dropping the oldest until the rest fit.
func (w *window) earliest(from time.Time, points int) time.Time {
	at := from
	if n := len(w.sent); n > 0 && w.sent[n-1].at.After(at) {
		at = w.sent[n-1].at
	}
	used := 0
	for _, m := range w.sent {
		if m.at.After(at.Add(-w.span)) {
			used += m.points
		}
	}
	for _, m := range w.sent {
		if used+points <= w.limit {
			break
		}
		if !m.at.After(at.Add(-w.span)) {
			continue // already out of the window
		}
		// Once m is a span old it no longer counts.
		at = m.at.Add(w.span)
		used -= m.points
	}
	return at
}

// keep reserves points at at, which earliest allowed, and forgets the
// reservations that can no longer count.
func (w *window) keep(at time.Time, points int) {
	drop := 0
	for drop < len(w.sent) && !w.sent[drop].at.After(at.Add(-w.span)) {
		drop++
	}
	w.sent = append(w.sent[drop:], mark{at: at, points: points})
}

// reserve returns how long a request must wait before it is sent, and
// counts it then in every window it belongs to: its endpoint's points and,
// for a write, the writes a minute and an hour. The time is read under the
// lock, so reservations follow one another in time as in order, and a
// request the limits do not hold back never waits.
func (p *pacer) reserve(clock func() time.Time, method, endpoint string) time.Duration {
	points, write := readPoints, false
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		points, write = writePoints, true
	}
	type use struct {
		w      *window
		points int
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := clock()
	uses := []use{{p.window("points "+endpoint, pointsPerMinute, pointsWindow), points}}
	if write {
		uses = append(uses,
			use{p.window("writes a minute", writesPerMinute, pointsWindow), 1},
			use{p.window("writes an hour", writesPerHour, writesHourWindow), 1})
	}
	at := now
	for _, u := range uses {
		// A later time suits every window as well: its older
		// reservations only leave it.
		if e := u.w.earliest(at, u.points); e.After(at) {
			at = e
		}
	}
	for _, u := range uses {
		u.w.keep(at, u.points)
	}
	return at.Sub(now)
}

func (p *pacer) window(key string, limit int, span time.Duration) *window {
	if p.windows == nil {
		p.windows = map[string]*window{}
	}
	w := p.windows[key]
	if w == nil {
		w = &window{limit: limit, span: span}
		p.windows[key] = w
	}
	return w
}

// routes are the REST API's endpoints the client calls, as GitHub's
// documentation names them: a request's endpoint is the first route that
// matches its path. The points limit is per endpoint, so all files read
// through the contents API share one budget, whatever their path, and so
// do all pull requests' reviews. The method is left out: a route's reads
// and writes (listing and posting comments) share one budget, which counts
// more together than GitHub may, never less.
var routes = []struct {
	re       *regexp.Regexp
	endpoint string
}{
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/contents(/.*)?$`), "/repos/{owner}/{repo}/contents/{path}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/compare/.+$`), "/repos/{owner}/{repo}/compare/{basehead}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/git/trees/.+$`), "/repos/{owner}/{repo}/git/trees/{tree_sha}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/git/ref/.+$`), "/repos/{owner}/{repo}/git/ref/{ref}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/statuses/.+$`), "/repos/{owner}/{repo}/statuses/{sha}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/commits/.+/(status|statuses|pulls)$`), "/repos/{owner}/{repo}/commits/{ref}/$1"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/commits/.+$`), "/repos/{owner}/{repo}/commits/{ref}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/pulls/[0-9]+$`), "/repos/{owner}/{repo}/pulls/{pull_number}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/pulls/[0-9]+/([a-z_]+)$`), "/repos/{owner}/{repo}/pulls/{pull_number}/$1"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/issues/comments/[0-9]+$`), "/repos/{owner}/{repo}/issues/comments/{comment_id}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/issues/[0-9]+$`), "/repos/{owner}/{repo}/issues/{issue_number}"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/issues/[0-9]+/([a-z_]+)$`), "/repos/{owner}/{repo}/issues/{issue_number}/$1"},
	{regexp.MustCompile(`^/repos/[^/]+/[^/]+/([a-z_]+)$`), "/repos/{owner}/{repo}/$1"},
}

// endpoint names the endpoint of an API path (without the GHES prefix). A
// path none of the routes knows is counted with the others under its
// repository's first segment ("/repos/{owner}/{repo}/pulls/..."): more
// requests share that budget than GitHub counts together, never fewer.
func endpoint(path string) string {
	for _, r := range routes {
		if m := r.re.FindStringSubmatchIndex(path); m != nil {
			return string(r.re.ExpandString(nil, r.endpoint, path, m))
		}
	}
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 5)
	if len(parts) >= 4 && parts[0] == "repos" {
		return "/repos/{owner}/{repo}/" + parts[3] + "/..."
	}
	return "other"
}
