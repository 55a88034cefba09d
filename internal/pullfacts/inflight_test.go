package pullfacts

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestConcurrentReadsAskOnce: pull requests evaluated concurrently that share
// a base commit read its files at the same moment; GitHub is asked once, and
// each gets the file.
func TestConcurrentReadsAskOnce(t *testing.T) {
	srv := githubtest.New(t, githubtest.WithLatency(50*time.Millisecond))
	srv.SetContent(base, "safety/changes.yaml", []byte("release: 2.3.0\nchanges: []\n"))
	srv.SetContent(base, "safety/hazards/HAZ-001.md", []byte("# HAZ-001\n"))
	c, err := github.New(github.Options{BaseURL: srv.URL(), Token: "ghs_test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(c, srv.Owner(), srv.Repo())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			data, found, err := r.File(context.Background(), base, "safety/changes.yaml")
			if err != nil || !found || string(data) != "release: 2.3.0\nchanges: []\n" {
				t.Errorf("File = %q, %v, %v; want the manifest", data, found, err)
			}
			files, err := r.Dir(context.Background(), base, "safety/hazards")
			if err != nil || len(files) != 1 {
				t.Errorf("Dir = %v, %v; want HAZ-001.md", files, err)
			}
		})
	}
	wg.Wait()
	if got := requestStrings(srv); len(got) != 3 {
		t.Errorf("requests = %q, want the file, and the directory and its one file, once each", got)
	}
}

// TestRequestReadsAtOnce: a pull request's reviews, files, commits,
// dismissals and base manifest do not depend on each other, so they are all
// in flight together: a request's facts cost one round trip, not five.
func TestRequestReadsAtOnce(t *testing.T) {
	t.Parallel()
	srv := githubtest.New(t, githubtest.WithLatency(50*time.Millisecond))
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev-dan", HeadSHA: head, BaseSHA: base})
	srv.SetContent(base, "safety/changes.yaml", []byte("release: 2.3.0\nchanges: []\n"))
	if _, err := newReader(t, srv).Request(context.Background(), Pull{Number: 7, HeadSHA: head, BaseSHA: base, Paths: gate.DefaultPaths()}); err != nil {
		t.Fatal(err)
	}
	if got := srv.MaxInFlight(); got != 5 {
		t.Errorf("%d reads in flight at once, want all 5 (reviews, files, commits, dismissals, base manifest); requests %q", got, requestStrings(srv))
	}
}

// TestCheckoutReadsAtOnce: the head's hazard log, manifest and components
// map are read together.
func TestCheckoutReadsAtOnce(t *testing.T) {
	t.Parallel()
	srv := githubtest.New(t, githubtest.WithLatency(50*time.Millisecond))
	srv.SetContent(head, "safety/changes.yaml", []byte("release: 2.3.0\nchanges: []\n"))
	if _, err := newReader(t, srv).Checkout(context.Background(), head, t.TempDir(), gate.DefaultPaths()); err != nil {
		t.Fatal(err)
	}
	if got := srv.MaxInFlight(); got != 3 {
		t.Errorf("%d reads in flight at once, want the hazard log, manifest and components map together; requests %q", got, requestStrings(srv))
	}
}

// TestRequestFailureIsDeterministic: two of a pull request's reads fail,
// and whichever answers first, the error names the first in Request's order
// (the reviews), and every read is asked once — the same requests on every
// run, so a run's record does not depend on timing.
func TestRequestFailureIsDeterministic(t *testing.T) {
	t.Parallel()
	for run := range 5 {
		srv := newServer(t)
		// The base manifest fails at once; the reviews only after a wait.
		srv.FailAlways("GET", srv.RepoPath()+"/contents/safety/changes.yaml", githubtest.Forbidden())
		slow := githubtest.Forbidden()
		slow.Delay = 30 * time.Millisecond
		srv.FailAlways("GET", srv.RepoPath()+"/pulls/7/reviews", slow)
		_, err := newReader(t, srv).Request(context.Background(), Pull{Number: 7, HeadSHA: head, BaseSHA: base, Paths: gate.DefaultPaths()})
		if err == nil || !strings.HasPrefix(err.Error(), "reading the reviews of #7: ") {
			t.Errorf("run %d: error = %v, want the reviews of #7 named, though the base manifest failed first", run, err)
		}
		if got := requestStrings(srv); len(got) != 5 {
			t.Errorf("run %d: requests = %q, want the five reads, each once", run, got)
		}
	}
}
