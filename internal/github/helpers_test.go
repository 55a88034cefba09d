package github_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// testToken is what the tests authenticate with; it must never show up in an
// error.
const testToken = "ghs_TestTokenThatMustNeverBeSeen0123456789"

// fixedNow is the clock the tests give the client, for X-RateLimit-Reset.
var fixedNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// newClient returns a client of srv that records its waits instead of
// sleeping; opts may adjust the options.
func newClient(t *testing.T, srv *githubtest.Server, opts ...func(*github.Options)) (*github.Client, *githubtest.Sleeps) {
	t.Helper()
	rec := &githubtest.Sleeps{}
	o := github.Options{
		BaseURL: srv.URL(),
		Token:   testToken,
		Timeout: 5 * time.Second,
		Sleep:   rec.Sleep,
		Now:     func() time.Time { return fixedNow },
	}
	for _, f := range opts {
		f(&o)
	}
	c, err := github.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, rec
}

// newFake starts a fake GitHub requiring the test token.
func newFake(t *testing.T, opts ...githubtest.Option) *githubtest.Server {
	t.Helper()
	return githubtest.New(t, append([]githubtest.Option{githubtest.WithToken(testToken)}, opts...)...)
}

// serveFile starts a server answering every request with a testdata file,
// for checking the mapping against GitHub's own examples.
func serveFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func paths(reqs []githubtest.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.String()
	}
	return out
}
