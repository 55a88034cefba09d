// Package githubtest runs a fake GitHub REST API for tests: an httptest
// server that answers, from an in-memory model of one repository, the calls
// the gate makes, in GitHub's real JSON shapes (built from GitHub's own
// documented examples), with Link-header pagination honouring per_page and
// page.
//
// A test builds the model (AddPull, AddReview, AddFiles, AddCommits,
// DismissReview, AddComment, SetContent, AddTag, ...), points the code under
// test at URL() (as GITHUB_API_URL), and afterwards reads back what was
// written (Statuses, Comments, RequestedReviewers) and what was asked
// (Requests, Writes). Fail and FailAlways inject faults on a path: server
// errors, rate limits with GitHub's headers and bodies, slow answers for
// timeouts, even an error answer after the write was done. WithLatency holds
// every answer back, and MaxInFlight says how many requests the client had
// in flight at once; Sleeps and Clock stand in for the client's sleep and
// clock, so retries and pacing cost a test no time.
//
//	srv := githubtest.New(t)
//	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev"})
//	srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "APPROVED"})
//	srv.Fail("GET", "/repos/octo-org/clinical-app/pulls/7/reviews", githubtest.BadGateway())
//	// ... run the gate against srv.URL() ...
//	st, _ := srv.LatestStatus(githubtest.SHA("head-7"), "clinical-safety/cso-approval")
//
// Served: pulls/{n} (get, reviews, files, commits, requested_reviewers get
// and post), issues/{n}/events, issues/{n}/comments (list, create),
// issues/comments/{id} (update), issues (list by state and labels, create),
// issues/{n} (update), issues/{n}/assignees (add), statuses/{sha}, contents/{path}, tags,
// compare/{base}...{head}, commits/{sha}, commits/{sha}/pulls,
// git/ref/heads/{branch}, commits/{ref}/status, commits/{ref}/statuses. Anything else is GitHub's
// JSON 404, and recorded like every request.
package githubtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Default repository of the model.
const (
	DefaultOwner = "octo-org"
	DefaultRepo  = "clinical-app"
)

// Server is a fake GitHub serving one repository. Its methods are safe to
// call while requests are being served.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	mux    *http.ServeMux
	owner  string
	repo   string
	prefix string
	token  string

	replOnce sync.Once
	repl     *strings.Replacer

	mu          sync.Mutex
	clock       time.Time
	lastID      int64
	pulls       map[int]*pull
	issues      map[int]*Issue // issues.go
	issueEvents map[int][]event
	commits     map[string]*Commit
	commitOrder []string
	contents    map[string]map[string][]byte // ref -> path -> data
	links       map[string]map[string]string // ref -> path -> symlink target (symlinks.go)
	submodules  map[string]map[string]string // ref -> path -> commit (trees.go)
	treeSHAs    map[string][2]string         // a directory's tree sha -> (ref, dir), as served
	treeLimit   int                          // truncate tree listings past this many entries; 0 never
	branches    map[string]string
	// defaultBranch is the repository's default branch ("main" unless set).
	defaultBranch string
	tags          []Tag
	statuses      []Status
	deleted       int // the highest number of a deleted issue
	faults        []*fault
	requests      []Request
	// latency holds every answer back (latency.go); inFlight counts the
	// requests being served, maxInFlight the most at once.
	latency               time.Duration
	inFlight, maxInFlight int

	// afterIssueListing are the edits RelabelIssueAfterListing queued.
	afterIssueListing []func()
}

// Option configures New.
type Option func(*Server)

// WithRepo sets the repository the server models (default octo-org/clinical-app).
func WithRepo(owner, repo string) Option {
	return func(s *Server) { s.owner, s.repo = owner, repo }
}

// WithPathPrefix serves the API under a path prefix, as GitHub Enterprise
// Server does under "/api/v3"; URL() then includes it, and requests without
// it get a 404.
func WithPathPrefix(prefix string) Option {
	return func(s *Server) { s.prefix = "/" + strings.Trim(prefix, "/") }
}

// WithToken makes the server require this token ("Authorization: Bearer" or
// "token"), answering 401 Bad credentials otherwise.
func WithToken(token string) Option {
	return func(s *Server) { s.token = token }
}

// New starts a fake GitHub, closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t:             t,
		owner:         DefaultOwner,
		repo:          DefaultRepo,
		clock:         epoch,
		lastID:        1000,
		pulls:         map[int]*pull{},
		commits:       map[string]*Commit{},
		contents:      map[string]map[string][]byte{},
		branches:      map[string]string{},
		defaultBranch: "main",
	}
	for _, o := range opts {
		o(s)
	}
	s.mux = s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API root to give the client (GITHUB_API_URL), with the path
// prefix if there is one.
func (s *Server) URL() string { return s.srv.URL + s.prefix }

// Owner names the modelled repository's owner.
func (s *Server) Owner() string { return s.owner }

// Repo names the modelled repository.
func (s *Server) Repo() string { return s.repo }

// RepoPath is "/repos/{owner}/{repo}", the start of every path the server
// serves, for Fail and for comparing Requests.
func (s *Server) RepoPath() string { return "/repos/" + s.owner + "/" + s.repo }

// Close stops the server before the test ends (it is closed then anyway).
func (s *Server) Close() { s.srv.Close() }

// Request is a request the server received.
type Request struct {
	Method string
	Path   string     // without the path prefix, e.g. /repos/octo-org/clinical-app/pulls/7
	Query  url.Values // e.g. per_page, page, ref
	Header http.Header
	Body   []byte
	Status int // the status the server answered
}

// String gives "GET /repos/o/r/pulls/7/reviews?per_page=100".
func (r Request) String() string {
	if q := r.Query.Encode(); q != "" {
		return r.Method + " " + r.Path + "?" + q
	}
	return r.Method + " " + r.Path
}

// IsWrite reports whether the request asks to change something.
func (r Request) IsWrite() bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Writes returns the requests that ask to change something.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.IsWrite() {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the requests received so far, and the most served
// at once (MaxInFlight).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.maxInFlight = s.inFlight
}

// Response is an answer to inject with Fail. Status 0 serves the request
// normally (after Delay, with Header added): a slow but correct answer, or
// one with unusual headers.
type Response struct {
	Status int
	Header map[string]string
	Body   string
	// Delay holds the answer back (until the client gives up, if sooner).
	Delay time.Duration
	// Apply carries the request out on the model before answering with this
	// response: GitHub did the work but the answer got lost (a 502 from a
	// proxy after a comment was created).
	Apply bool
}

type fault struct {
	method    string
	prefix    string
	responses []Response
	always    bool
}

// Fail makes the next requests with method (empty: any) whose path starts
// with pathPrefix (without the server's path prefix) get responses, one each,
// in order; after them, requests are served normally again. A pathPrefix
// ending in "$" matches that path only (".../issues$" fails creating an
// issue, not commenting on one).
func (s *Server) Fail(method, pathPrefix string, responses ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, prefix: pathPrefix, responses: slices.Clone(responses)})
}

// FailAlways makes every request with method (empty: any) whose path starts
// with pathPrefix get r, for the rest of the test.
func (s *Server) FailAlways(method, pathPrefix string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, prefix: pathPrefix, responses: []Response{r}, always: true})
}

// nextFault takes the response to inject for a request, if any.
func (s *Server) nextFault(method, path string) (Response, bool) {
	for i, f := range s.faults {
		if f.method != "" && !strings.EqualFold(f.method, method) {
			continue
		}
		if exact, ok := strings.CutSuffix(f.prefix, "$"); ok && path != exact || !ok && !strings.HasPrefix(path, f.prefix) {
			continue
		}
		r := f.responses[0]
		if !f.always {
			f.responses = f.responses[1:]
			if len(f.responses) == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return r, true
	}
	return Response{}, false
}

// Ready-made faults, with GitHub's headers and bodies.

// ServerError answers with a 5xx status and GitHub's error body.
func ServerError(status int) Response {
	return Response{Status: status, Body: `{"message":"Server Error"}`}
}

// BadGateway answers 502, GitHub's usual transient failure.
func BadGateway() Response { return ServerError(http.StatusBadGateway) }

// SecondaryRateLimit answers 403 with Retry-After and GitHub's
// secondary-limit body.
func SecondaryRateLimit(retryAfter time.Duration) Response {
	return Response{
		Status: http.StatusForbidden,
		Header: map[string]string{"Retry-After": strconv.Itoa(int(retryAfter / time.Second))},
		Body:   secondaryLimitBody,
	}
}

// TooManyRequests answers 429 with GitHub's secondary-limit body, and with
// Retry-After unless retryAfter is zero.
func TooManyRequests(retryAfter time.Duration) Response {
	r := Response{Status: http.StatusTooManyRequests, Body: secondaryLimitBody}
	if retryAfter > 0 {
		r.Header = map[string]string{"Retry-After": strconv.Itoa(int(retryAfter / time.Second))}
	}
	return r
}

// RateLimitExceeded answers 403 with the primary limit used up until reset.
func RateLimitExceeded(reset time.Time) Response {
	return Response{
		Status: http.StatusForbidden,
		Header: map[string]string{
			"X-RateLimit-Limit":     "5000",
			"X-RateLimit-Remaining": "0",
			"X-RateLimit-Used":      "5000",
			"X-RateLimit-Reset":     strconv.FormatInt(reset.Unix(), 10),
		},
		Body: `{"message":"API rate limit exceeded for installation ID 1000.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`,
	}
}

// Forbidden answers 403 as GitHub does when the workflow token lacks a
// permission.
func Forbidden() Response {
	return Response{Status: http.StatusForbidden, Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}`}
}

// NotFound answers GitHub's 404.
func NotFound() Response {
	return Response{Status: http.StatusNotFound, Body: notFoundBody}
}

// Slow serves the request normally, but only after d.
func Slow(d time.Duration) Response { return Response{Delay: d} }

const (
	secondaryLimitBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:00000:0000000:0000000:00000000.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	notFoundBody       = `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`
)

// statusRecorder remembers the status written.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// serve records the request, checks prefix and token, injects a fault if one
// matches, and otherwise hands the request to the routes.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))

	path, hasPrefix := strings.CutPrefix(r.URL.Path, s.prefix)
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body,
	})
	index := len(s.requests) - 1
	s.mu.Unlock()

	defer s.enter()()
	s.wait(r)
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.requests[index].Status = rec.status
		s.mu.Unlock()
	}()

	h := rec.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("0000:%05d:0000000:0000000:00000000", index))
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "4999")
	h.Set("X-RateLimit-Used", "1")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")

	if s.prefix != "" && (!hasPrefix || (path != "" && path[0] != '/')) {
		writeJSONError(rec, http.StatusNotFound, notFoundBody)
		return
	}
	if s.token != "" {
		auth := r.Header.Get("Authorization")
		if auth != "Bearer "+s.token && auth != "token "+s.token {
			writeJSONError(rec, http.StatusUnauthorized, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`)
			return
		}
	}

	s.mu.Lock()
	f, faulted := s.nextFault(r.Method, path)
	s.mu.Unlock()
	if faulted && f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range f.Header {
		h.Set(k, v)
	}
	if !faulted || f.Status == 0 {
		s.route(rec, r, path)
		return
	}
	if f.Apply {
		s.route(httptest.NewRecorder(), r, path)
	}
	writeJSONError(rec, f.Status, f.Body)
}

// route serves path (already without the prefix) from the model.
func (s *Server) route(w http.ResponseWriter, r *http.Request, path string) {
	r2 := r.Clone(r.Context())
	r2.URL.Path = path
	r2.URL.RawPath = ""
	if r.URL.RawPath != "" {
		r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, s.prefix)
	}
	s.mux.ServeHTTP(w, r2)
}

func writeJSONError(w http.ResponseWriter, status int, body string) {
	w.WriteHeader(status)
	io.WriteString(w, body)
}
