package release

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/safetyfile"
)

// A release at scale: 200 merged pull requests of 10 commits each, merged
// with merge commits (so all 2,000 branch commits are in the range), and 3
// direct pushes of documentation.
const (
	scalePulls   = 200
	scaleCommits = 10
	scalePushes  = 3
	firstScalePR = 101
)

// buildAtScale builds the release v2.4.0: the first pull request is
// clinically relevant (CHG-101, approved by a CSO on its head), the last
// prepares the release (signed off by a CSO), the others change
// documentation; a direct push of a document follows every 50th.
func buildAtScale(t testing.TB, opts ...githubtest.Option) *repo {
	t.Helper()
	r := newRepo(t, "product", "2.3.0", "v2.3.0", opts...)
	authors := []string{"dev-dana", "dev-eve"}
	for i := range scalePulls {
		n := firstScalePR + i
		p := pull{number: n, title: fmt.Sprintf("Change %d", n), author: authors[i%2], commits: scaleCommits, mergeCommit: true,
			files: files(fmt.Sprintf("docs/notes/%d.md", n))}
		switch i {
		case 0:
			p.files, p.adds = files("src/ui/allergy/banner.go"), []string{"CHG-101"}
			p.reviews = []review{{login: "alice-gp"}}
		case scalePulls - 1:
			p.files, p.prepares = files(safetyfile.ManifestPath), "2.4.0"
			p.reviews = []review{{login: "alice-gp"}}
		}
		if i > 0 && i%50 == 0 {
			p.pushAfter = []push{{author: "dev-dana", files: files(fmt.Sprintf("docs/pushed-%d.md", n))}}
		}
		r.merge(p)
	}
	r.tag("v2.4.0")
	return r
}

// requestKind names what a request to the fake GitHub asks for.
func requestKind(q githubtest.Request) string {
	for _, k := range []struct {
		kind string
		re   *regexp.Regexp
	}{
		{"tags", regexp.MustCompile(`/tags$`)},
		{"status", regexp.MustCompile(`/commits/[0-9a-f]+/status$`)},
		{"compare", regexp.MustCompile(`/compare/`)},
		{"commit pulls", regexp.MustCompile(`/commits/[0-9a-f]+/pulls$`)},
		{"commit files", regexp.MustCompile(`/commits/[0-9a-f]+$`)},
		{"pull", regexp.MustCompile(`/pulls/[0-9]+$`)},
		{"reviews", regexp.MustCompile(`/pulls/[0-9]+/reviews$`)},
		{"files", regexp.MustCompile(`/pulls/[0-9]+/files$`)},
		{"commits", regexp.MustCompile(`/pulls/[0-9]+/commits$`)},
		{"events", regexp.MustCompile(`/issues/[0-9]+/events$`)},
		{"comments", regexp.MustCompile(`/issues/[0-9]+/comments$`)},
		{"issues", regexp.MustCompile(`/issues$`)},
		{"contents", regexp.MustCompile(`/contents/`)},
		{"trees", regexp.MustCompile(`/git/trees/`)},
	} {
		if k.re.MatchString(q.Path) {
			return k.kind
		}
	}
	return "other: " + q.String()
}

// scaleRequests is what gating buildAtScale's release asks GitHub, by kind.
func scaleRequests() map[string]int {
	inRange := scalePulls*(scaleCommits+1) + scalePushes
	return map[string]int{
		"tags":   1,
		"status": 1, // did v2.3.0 pass?
		// pages of 100 commits
		"compare": (inRange + 99) / 100,
		// newest first, a merge commit names its pull request, whose
		// commits are then known: one lookup per merge commit and per push
		"commit pulls": scalePulls + scalePushes,
		// every merge commit on the first-parent line (does it change more
		// than its pull request?) and every direct push
		"commit files": scalePulls + scalePushes,
		"reviews":      scalePulls,
		"files":        scalePulls,
		"commits":      scalePulls,
		"events":       scalePulls, // dismissals
		// emergency overrides and retrospective reviews (the release's
		// configuration has no emergency section, so no retrospective
		// issues are listed)
		"comments": scalePulls,
		// hazard log, manifest and components map at each head; manifest,
		// configuration, register and hazard log (the product scope is
		// checked against) at each base; configuration, register and hazard
		// log at the released commit (the checkout holds the rest)
		"contents": scalePulls*(3+4) + 3,
		// the file tree of each evaluated commit whose evaluation touches
		// a hazard: the first pull request's head (src/ui/allergy/) and
		// the released commit; the documentation changes touch none, so
		// their trees are never asked for
		"trees": 2,
	}
}

// TestReleaseAtScale gates a release of 200 pull requests and 2,000 commits,
// and pins what it asks GitHub: each question once, each kind counted.
func TestReleaseAtScale(t *testing.T) {
	t.Parallel()
	r := buildAtScale(t)
	// The client records its waits rather than sleeping: the run's pacing
	// within GitHub's per-minute limits costs the test no time.
	c, sleeps := r.client(t)
	start := time.Now()
	res := Evaluate(context.Background(), c, r.request(t, "v2.4.0", ""))
	t.Logf("gated %d pull requests in %s", len(res.Pulls), time.Since(start))

	d := res.Release.Decision
	if d.Decision != decision.Approved || d.ExitCode != 0 {
		t.Fatalf("decision = %s (exit %d), want approved; violations %+v", d.Decision, d.ExitCode, d.Violations)
	}
	if len(res.Pulls) != scalePulls {
		t.Fatalf("%d pull requests, want %d", len(res.Pulls), scalePulls)
	}
	for i, p := range res.Pulls {
		if p.Number != firstScalePR+i || p.Outcome == nil {
			t.Fatalf("pull request %d = #%d (outcome %v), want #%d evaluated, in merge order", i, p.Number, p.Outcome != nil, firstScalePR+i)
		}
	}
	if res.Preparing == nil || res.Preparing.Number != firstScalePR+scalePulls-1 {
		t.Errorf("preparing pull request = %+v, want #%d", res.Preparing, firstScalePR+scalePulls-1)
	}
	if len(res.DirectPushes) != scalePushes || len(findings(d.Warnings, CodeDirectPush)) != scalePushes {
		t.Errorf("direct pushes = %+v, warnings %+v; want %d documentation pushes, warned of", res.DirectPushes, d.Warnings, scalePushes)
	}

	got := map[string]int{}
	seen := map[string]bool{}
	for _, q := range r.srv.Requests() {
		got[requestKind(q)]++
		if q.IsWrite() {
			t.Errorf("release mode wrote: %s", q)
		}
		// Pages of one list differ by their page parameter; anything else
		// asked twice is a wasted call against the rate limit.
		if seen[q.String()] {
			t.Errorf("repeated request: %s", q)
		}
		seen[q.String()] = true
	}
	want := scaleRequests()
	if !maps.Equal(got, want) {
		var lines []string
		for _, k := range slices.Sorted(maps.Keys(got)) {
			lines = append(lines, fmt.Sprintf("%s: %d (want %d)", k, got[k], want[k]))
		}
		t.Errorf("requests by kind differ:\n%s", strings.Join(lines, "\n"))
	}
	if total, wantTotal := len(r.srv.Requests()), sum(want); total != wantTotal {
		t.Errorf("%d requests, want %d", total, wantTotal)
	}
	// GitHub allows 900 points a minute per endpoint: the contents reads
	// past the 900th each waited for its turn (the run takes seconds), and
	// no other endpoint reached its limit.
	if got, wantWaits := len(sleeps.All()), want["contents"]-900; got != wantWaits {
		t.Errorf("%d waits, want %d: one for each contents read past GitHub's 900 a minute", got, wantWaits)
	}
	for _, d := range sleeps.All() {
		if d <= 0 || d > time.Minute {
			t.Errorf("waited %s, want a wait within the minute", d)
		}
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// BenchmarkReleaseAtScale gates the release of TestReleaseAtScale against a
// fake GitHub that takes 50 ms to answer each call, and reports the wall
// time and the number of calls. "paced" sleeps for real, so the client's
// pacing within GitHub's per-minute limits takes the time it would, and
// reports paced-s/op: the part of the wall time during which at least one
// request waited for its turn. "unpaced" skips those waits (GitHub would
// have refused the run's excess): what the run's concurrency alone costs.
func BenchmarkReleaseAtScale(b *testing.B) {
	for _, paced := range []bool{true, false} {
		name := map[bool]string{true: "paced", false: "unpaced"}[paced]
		b.Run(name, func(b *testing.B) {
			r := buildAtScale(b, githubtest.WithLatency(50*time.Millisecond))
			pacing := &pacingClock{real: paced}
			c, err := github.New(github.Options{BaseURL: r.srv.URL(), Token: "ghs_test", Timeout: 5 * time.Second, Sleep: pacing.sleep})
			if err != nil {
				b.Fatal(err)
			}
			req := r.request(b, "v2.4.0", "")
			b.ResetTimer()
			var elapsed time.Duration
			for range b.N {
				r.srv.ResetRequests()
				start := time.Now()
				res := Evaluate(context.Background(), c, req)
				elapsed += time.Since(start)
				if d := res.Release.Decision; d.Decision != decision.Approved {
					b.Fatalf("decision = %s, want approved; violations %+v", d.Decision, d.Violations)
				}
			}
			b.ReportMetric(float64(len(r.srv.Requests())), "requests/op")
			b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/op")
			if paced {
				b.ReportMetric(pacing.paced().Seconds()/float64(b.N), "paced-s/op")
			}
		})
	}
}

// pacingClock sleeps for real (or not at all) and measures the wall time
// during which at least one request was asleep. The fake GitHub of the
// benchmark never fails, so every sleep is the client's pacing.
type pacingClock struct {
	real     bool
	mu       sync.Mutex
	sleeping int
	since    time.Time
	total    time.Duration
}

func (p *pacingClock) sleep(ctx context.Context, d time.Duration) error {
	p.mu.Lock()
	if p.sleeping == 0 {
		p.since = time.Now()
	}
	p.sleeping++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		if p.sleeping--; p.sleeping == 0 {
			p.total += time.Since(p.since)
		}
		p.mu.Unlock()
	}()
	if !p.real {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pacingClock) paced() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// TestConcurrentFailureIsDeterministic: pull requests are evaluated four at
// a time, and two of a group fail. The release names the first in merge
// order, never starts the next group, and asks GitHub the same questions on
// every run, so the record's transcript is the same and its replay asks
// nothing it does not hold.
func TestConcurrentFailureIsDeterministic(t *testing.T) {
	t.Parallel()
	r := build(t, standardPulls())
	for _, n := range []int{13, 12} {
		r.srv.FailAlways("GET", fmt.Sprintf("%s/pulls/%d/reviews", r.srv.RepoPath(), n), githubtest.BadGateway())
	}
	var first *Transcript
	for run := range 5 {
		r.srv.ResetRequests()
		c, _ := r.client(t)
		rec := NewRecorder(c)
		req := r.request(t, "v2.4.0", "")
		d := Evaluate(context.Background(), rec, req).Release.Decision
		if d.Decision != decision.Blocked || len(d.Violations) != 1 || !strings.Contains(d.Violations[0].Message, "reading the reviews of #12") {
			t.Fatalf("run %d: decision = %s %+v, want blocked on the reviews of #12", run, d.Decision, d.Violations)
		}
		for _, q := range r.srv.Requests() {
			// (#15's commits are read before evaluation, with the range.)
			if strings.HasSuffix(q.Path, "/pulls/15/reviews") || strings.HasSuffix(q.Path, "/pulls/15/files") {
				t.Errorf("run %d asked %s: #15 is in the group after the failure", run, q)
			}
		}
		sameAsFirstRun(t, run, &first, rec.Transcript(), req, d.Violations[0].Message)
	}
}

// TestConcurrentLookupFailureIsDeterministic: the commits of the
// first-parent line are looked up four at a time, and two lookups of one
// group fail. The release names the newer commit (the one a lookup after
// another would have reached first), never asks the next group, and asks
// GitHub the same questions on every run; the replay of its record asks
// nothing it does not hold.
func TestConcurrentLookupFailureIsDeterministic(t *testing.T) {
	t.Parallel()
	r := build(t, standardPulls())
	for _, n := range []int{14, 12} {
		sha := githubtest.SHA(fmt.Sprintf("pr-%d-merge", n))
		r.srv.FailAlways("GET", fmt.Sprintf("%s/commits/%s/pulls", r.srv.RepoPath(), sha), githubtest.BadGateway())
	}
	want := "listing the pull requests of commit " + decision.ShortSHA(githubtest.SHA("pr-14-merge"))
	var first *Transcript
	for run := range 5 {
		r.srv.ResetRequests()
		c, _ := r.client(t)
		rec := NewRecorder(c)
		req := r.request(t, "v2.4.0", "")
		d := Evaluate(context.Background(), rec, req).Release.Decision
		if d.Decision != decision.Blocked || len(d.Violations) != 1 || !strings.Contains(d.Violations[0].Message, want) {
			t.Fatalf("run %d: decision = %s %+v, want blocked on %q", run, d.Decision, d.Violations, want)
		}
		for _, q := range r.srv.Requests() {
			if strings.Contains(q.Path, githubtest.SHA("pr-11-merge")) {
				t.Errorf("run %d asked %s: #11's merge commit is in the group after the failure", run, q)
			}
		}
		sameAsFirstRun(t, run, &first, rec.Transcript(), req, d.Violations[0].Message)
	}
}

// TestPullReadsAtOnce: one pull request's independent reads — its head's
// hazard log, manifest and components map, its reviews, files, dismissals
// and base manifest, its comments — are all in flight together, and with
// four pull requests at a time the client still never has more than
// github.MaxInFlight requests in flight.
func TestPullReadsAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		pulls []pull
		want  int
	}{
		{"one pull request: its eight reads at once", standardPulls()[4:], 3 + 4 + 1},
		{"five: capped", standardPulls(), github.MaxInFlight},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRepo(t, "product", "2.3.0", "v2.3.0", githubtest.WithLatency(50*time.Millisecond))
			for _, p := range tc.pulls {
				r.merge(p)
			}
			r.tag("v2.4.0")
			c, _ := r.client(t)
			res := Evaluate(context.Background(), c, r.request(t, "v2.4.0", ""))
			if len(res.Pulls) != len(tc.pulls) || res.Pulls[0].Outcome == nil {
				t.Fatalf("pull requests = %+v, want %d evaluated; decision %+v", res.Pulls, len(tc.pulls), res.Release.Decision)
			}
			if got := r.srv.MaxInFlight(); got != tc.want {
				t.Errorf("%d requests in flight at once, want %d", got, tc.want)
			}
		})
	}
}

// TestPullFailureIsDeterministic: two reads of one pull request's
// evaluation fail — its comments at once, its head's manifest only after a
// wait. Whichever answers first, the release names the head's files (the
// first in order), and every run asks GitHub the same questions, so the
// record's transcript is the same and its replay asks nothing it does not
// hold.
func TestPullFailureIsDeterministic(t *testing.T) {
	t.Parallel()
	r := build(t, standardPulls())
	slow := githubtest.Forbidden()
	slow.Delay = 30 * time.Millisecond
	r.srv.FailAlways("GET", r.srv.RepoPath()+"/contents/"+safetyfile.ManifestPath, slow)
	r.srv.FailAlways("GET", r.srv.RepoPath()+"/issues/11/comments$", githubtest.Forbidden())
	want := "reading the hazard log and manifest of #11 at its head"
	var first *Transcript
	for run := range 5 {
		r.srv.ResetRequests()
		c, _ := r.client(t)
		rec := NewRecorder(c)
		req := r.request(t, "v2.4.0", "")
		d := Evaluate(context.Background(), rec, req).Release.Decision
		if d.Decision != decision.Blocked || len(d.Violations) != 1 || !strings.Contains(d.Violations[0].Message, want) {
			t.Fatalf("run %d: decision = %s %+v, want blocked on %q", run, d.Decision, d.Violations, want)
		}
		sameAsFirstRun(t, run, &first, rec.Transcript(), req, d.Violations[0].Message)
	}
}

// sameAsFirstRun checks one run of a release that fails: the first run's
// transcript replays to the same single failure, every question answered
// and asked; every later run asks GitHub exactly what the first asked.
func sameAsFirstRun(t *testing.T, run int, first **Transcript, tr *Transcript, req Request, msg string) {
	t.Helper()
	if *first == nil {
		*first = tr
		p, err := NewReplayer(tr)
		if err != nil {
			t.Fatal(err)
		}
		rd := Evaluate(context.Background(), p, req).Release.Decision
		if len(rd.Violations) != 1 || rd.Violations[0].Message != msg || len(p.Unanswered()) > 0 || len(p.Unasked()) > 0 {
			t.Errorf("replay = %+v, unanswered %q, unasked %q; want the recorded failure, every question answered and asked",
				rd.Violations, p.Unanswered(), p.Unasked())
		}
		return
	}
	if !slices.EqualFunc(tr.Exchanges, (*first).Exchanges, func(a, b Exchange) bool {
		return a.Call == b.Call && slices.Equal(a.Args, b.Args) && string(a.Answer) == string(b.Answer)
	}) {
		t.Errorf("run %d asked GitHub other questions than run 0: %d exchanges, want %d", run, len(tr.Exchanges), len((*first).Exchanges))
	}
}
