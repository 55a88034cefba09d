package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// sendTimes is a transport that notes the (virtual) time each request went,
// by its method and path.
type sendTimes struct {
	clock *githubtest.Clock
	mu    sync.Mutex
	at    []sent
}

type sent struct {
	what string
	at   time.Time
}

func (s *sendTimes) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.at = append(s.at, sent{r.Method + " " + r.URL.Path, s.clock.Now()})
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// pacedClient is a client of srv on a virtual clock, noting when each
// request went.
func pacedClient(t *testing.T, srv *githubtest.Server) (*github.Client, *githubtest.Clock, *sendTimes) {
	t.Helper()
	clock := githubtest.NewClock(fixedNow)
	times := &sendTimes{clock: clock}
	c, _ := newClient(t, srv, func(o *github.Options) {
		o.Now, o.Sleep, o.Transport = clock.Now, clock.Sleep, times
	})
	return c, clock, times
}

// maxInWindow is the most of times within any span (a sliding window).
func maxInWindow(times []time.Time, span time.Duration) int {
	most := 0
	for i := range times {
		n := 0
		for _, u := range times[i:] {
			if u.Sub(times[i]) < span {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// TestPacingPerEndpoint: a run that reads 1,000 files through the contents
// API — each a different path, as a large release's are — sends the first
// 900 at once and the rest only as the first leave the minute: GitHub
// allows 900 points a minute per endpoint, and its endpoint is the route,
// not the path. Reads of another endpoint in between do not wait.
func TestPacingPerEndpoint(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	const files = 1000
	for i := range files {
		srv.SetContent("main", fmt.Sprintf("docs/%d.md", i), []byte("x"))
	}
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev"})
	c, clock, times := pacedClient(t, srv)
	ctx := context.Background()
	var contents []time.Time
	for i := range files {
		if _, found, err := c.FileAt(ctx, owner, repo, "main", fmt.Sprintf("docs/%d.md", i)); err != nil || !found {
			t.Fatalf("FileAt %d = %t, %v", i, found, err)
		}
		contents = append(contents, times.at[len(times.at)-1].at)
		if i == 899 || i == 900 {
			before := clock.Now()
			if _, err := c.Reviews(ctx, owner, repo, 7); err != nil {
				t.Fatal(err)
			}
			if got := times.at[len(times.at)-1].at; !got.Equal(before) {
				t.Errorf("reviews after %d contents reads went at %s, want at once (%s): another endpoint has its own budget", i+1, got, before)
			}
		}
	}
	if !contents[899].Equal(fixedNow) {
		t.Errorf("contents read 900 went at %s, want at once (%s)", contents[899], fixedNow)
	}
	if want := fixedNow.Add(time.Minute); !contents[900].Equal(want) {
		t.Errorf("contents read 901 went at %s, want %s: a minute after the first, no sooner and no later", contents[900], want)
	}
	if got := maxInWindow(contents, time.Minute); got != 900 {
		t.Errorf("at most %d contents reads within a minute, want 900", got)
	}
}

// TestPacingWrites: writes count 5 points on their endpoint and, as
// content-creating requests, at most 80 a minute and 500 an hour across
// every endpoint. 501 commit statuses go 80 a minute, and the 501st waits
// for the first to be an hour old.
func TestPacingWrites(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for i := range 2 {
		srv.AddCommit(githubtest.Commit{SHA: githubtest.SHA(fmt.Sprintf("commit-%d", i)), AuthorLogin: "dev"})
	}
	c, _, times := pacedClient(t, srv)
	ctx := context.Background()
	const writes = 501
	var at []time.Time
	for i := range writes {
		// Statuses on two commits: two paths, one endpoint, and one
		// budget of writes.
		sha := githubtest.SHA(fmt.Sprintf("commit-%d", i%2))
		if err := c.SetStatus(ctx, owner, repo, sha, github.Status{State: "success", Context: "clinical-safety/cso-approval"}); err != nil {
			t.Fatalf("SetStatus %d: %v", i, err)
		}
		at = append(at, times.at[len(times.at)-1].at)
	}
	if !at[79].Equal(fixedNow) || !at[80].Equal(fixedNow.Add(time.Minute)) {
		t.Errorf("writes 80 and 81 went at %s and %s, want %s and a minute later", at[79], at[80], fixedNow)
	}
	if got := maxInWindow(at, time.Minute); got != 80 {
		t.Errorf("at most %d writes within a minute, want 80", got)
	}
	if got := maxInWindow(at, time.Hour); got != 500 {
		t.Errorf("at most %d writes within an hour, want 500", got)
	}
	if want := fixedNow.Add(time.Hour); !at[500].Equal(want) {
		t.Errorf("write 501 went at %s, want %s, an hour after the first", at[500], want)
	}
}

// TestPacingWaitEndsWithContext: a request waiting for its turn gives up
// when its caller does, rather than holding the run for the minute.
func TestPacingWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev"})
	ctx, cancel := context.WithCancel(context.Background())
	c, err := github.New(github.Options{BaseURL: srv.URL(), Token: testToken, Now: func() time.Time { return fixedNow },
		Sleep: func(ctx context.Context, d time.Duration) error {
			cancel() // the caller gives up while the request waits
			<-ctx.Done()
			return ctx.Err()
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 900 {
		if _, err := c.Reviews(context.Background(), owner, repo, 7); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	_, err = c.Reviews(ctx, owner, repo, 7)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("read 901 = %v, want the caller's cancellation", err)
	}
	if got := len(srv.Requests()); got != 900 {
		t.Errorf("%d requests reached GitHub, want 900: the 901st was never sent", got)
	}
}

// TestInFlightCap: however many callers read at once, no more than
// MaxInFlight requests are in flight together, and that many are.
func TestInFlightCap(t *testing.T) {
	t.Parallel()
	srv := newFake(t, githubtest.WithLatency(20*time.Millisecond))
	for i := range 64 {
		srv.SetContent("main", fmt.Sprintf("docs/%d.md", i), []byte("x"))
	}
	c, _ := newClient(t, srv)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			if _, _, err := c.FileAt(context.Background(), owner, repo, "main", fmt.Sprintf("docs/%d.md", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := srv.MaxInFlight(); got != github.MaxInFlight {
		t.Errorf("%d requests in flight at once, want %d (github.MaxInFlight)", got, github.MaxInFlight)
	}
}
