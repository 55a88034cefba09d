package release

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/safetyfile"
)

// unreviewed is a clinically relevant pull request that no CSO approved:
// what an attacker wants to ship by narrowing the release's range.
func unreviewed(n int) pull {
	return pull{number: n, title: "Allergy icon, unreviewed", author: "dev-eve",
		files: files("src/ui/allergy/icon/icon.svg"), adds: []string{"CHG-106"}, reviews: []review{{login: "bob-dev"}}}
}

// wantUnreviewedBlocks checks that pull request n is in the release and
// blocks it for want of a CSO approval.
func wantUnreviewedBlocks(t *testing.T, res *Result, n int) {
	t.Helper()
	if !slices.Contains(numbers(res.Pulls), n) {
		t.Fatalf("pull requests = %v, want #%d in the range: its change ships in this release", numbers(res.Pulls), n)
	}
	d := res.Release.Decision
	if d.Decision != decision.Blocked {
		t.Fatalf("decision = %s, want blocked by #%d; violations %+v", d.Decision, n, d.Violations)
	}
	v := findings(d.Violations, codeApprovalRequired)
	if len(v) != 1 || !strings.HasPrefix(v[0].Message, fmt.Sprintf("#%d: ", n)) {
		t.Errorf("violations = %+v, want #%d's missing CSO approval", d.Violations, n)
	}
}

// rangeRequests counts the requests that chose the range: release statuses
// read and comparisons.
func rangeRequests(r *repo) (statuses, compares int) {
	for _, q := range r.srv.Requests() {
		switch {
		case strings.HasSuffix(q.Path, "/status"):
			statuses++
		case strings.Contains(q.Path, "/compare/"):
			compares++
		}
	}
	return statuses, compares
}

// skippedWhy is why tag was not taken as the previous release, or "".
func skippedWhy(res *Result, tag string) string {
	for _, s := range res.Skipped {
		if s.Tag == tag {
			return s.Why
		}
	}
	return ""
}

// withUnreviewedThenTag builds v2.3.0 (passed), #11, an unreviewed clinical
// merge #41, the tag between (given a status by mark), the rest of the
// standard release and v2.4.0.
func withUnreviewedThenTag(t *testing.T, between string, mark func(r *repo)) *repo {
	t.Helper()
	ps := standardPulls()
	r := newRepo(t, "product", "2.3.0", "v2.3.0")
	r.merge(ps[0])
	r.merge(unreviewed(41))
	r.tag(between)
	mark(r)
	for _, p := range ps[1:] {
		r.merge(p)
	}
	r.tag("v2.4.0")
	return r
}

// Attacker scenario 1: an unreviewed clinical merge, then a throw-away
// pre-release tag, then the final release. A pre-release never starts a
// final release's range, whether or not its own gate run passed.
func TestPreReleaseDoesNotNarrowFinalRelease(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mark func(r *repo)
	}{
		{"pre-release never gated", func(*repo) {}},
		{"pre-release with a success status", func(r *repo) { r.passed("v2.4.0-rc.1") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := withUnreviewedThenTag(t, "v2.4.0-rc.1", tt.mark)
			res := r.gate(t, "v2.4.0", "")
			if res.PreviousTag != "v2.3.0" || res.PreviousBy != PreviousPassed {
				t.Errorf("previous = %s (%s), want v2.3.0, the last final release that passed", res.PreviousTag, res.PreviousBy)
			}
			if why := skippedWhy(res, "v2.4.0-rc.1"); !strings.Contains(why, "pre-release") {
				t.Errorf("v2.4.0-rc.1 skipped because %q, want: a pre-release", why)
			}
			wantUnreviewedBlocks(t, res, 41)
			if md := Markdown(res); !strings.Contains(md, "v2.4.0-rc.1") {
				t.Errorf("the summary does not say why v2.4.0-rc.1 was passed over:\n%s", md)
			}
		})
	}
}

// A pre-release's own range may start at an earlier pre-release, when that
// one passed and is an ancestor; otherwise at the last passed release.
func TestPreReleaseRange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		rc1Passed bool
		wantPrev  string
		wantPulls []int
	}{
		{"previous pre-release passed", true, "v2.4.0-rc.1", []int{12}},
		{"previous pre-release never passed", false, "v2.3.0", []int{11, 12}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := standardPulls()
			r := newRepo(t, "product", "2.3.0", "v2.3.0")
			r.merge(ps[0])
			r.tag("v2.4.0-rc.1")
			if tt.rc1Passed {
				r.passed("v2.4.0-rc.1")
			}
			r.merge(ps[1])
			r.tag("v2.4.0-rc.2")
			res := r.gate(t, "v2.4.0-rc.2", "")
			if res.PreviousTag != tt.wantPrev || !slices.Equal(numbers(res.Pulls), tt.wantPulls) {
				t.Errorf("previous = %s, pulls = %v; want %s, %v", res.PreviousTag, numbers(res.Pulls), tt.wantPrev, tt.wantPulls)
			}
		})
	}
}

// Attacker scenario 4: a final tag pushed on the main branch after an
// unreviewed merge, whose release never passed the gate (never ran, failed,
// or carries only the pull-request gate's success, e.g. from a merge queue),
// is skipped: its changes are judged again in this release.
func TestUnpassedReleaseIsSkipped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		mark    func(r *repo)
		wantWhy string
	}{
		{"release never ran", func(*repo) {}, "never passed the gate (no " + releaseContext + " status on "},
		{"release failed", func(r *repo) { r.status("v2.3.1", "failure") }, releaseContext + " is failure on "},
		{"release errored", func(r *repo) { r.status("v2.3.1", "error") }, releaseContext + " is error on "},
		{"passed, then failed on a re-run", func(r *repo) { r.passed("v2.3.1"); r.status("v2.3.1", "failure") }, "is failure"},
		{"only the pull-request gate's success on the commit", func(r *repo) {
			r.srv.AddStatus(githubtest.Status{SHA: r.tags["v2.3.1"], Context: "clinical-safety/cso-approval", State: "success"})
		}, "never passed the gate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := withUnreviewedThenTag(t, "v2.3.1", tt.mark)
			res := r.gate(t, "v2.4.0", "")
			if res.PreviousTag != "v2.3.0" {
				t.Errorf("previous = %s, want v2.3.0: v2.3.1's release did not pass", res.PreviousTag)
			}
			if why := skippedWhy(res, "v2.3.1"); !strings.Contains(why, tt.wantWhy) {
				t.Errorf("v2.3.1 skipped because %q, want it to say %q", why, tt.wantWhy)
			}
			wantUnreviewedBlocks(t, res, 41)
			// A tag that did not pass costs one request: it is not compared.
			if st, cmp := rangeRequests(r); st != 2 || cmp != 1 {
				t.Errorf("%d release statuses read and %d comparisons, want 2 (v2.3.1, v2.3.0) and 1 (v2.3.0...v2.4.0)", st, cmp)
			}
		})
	}
}

// Attacker scenario 5: a tag on a hotfix branch that branched off after an
// unreviewed merge is not an ancestor of the release (GitHub compares it as
// diverged), so it does not start the range even though its release passed.
func TestHotfixTagIsNotPrevious(t *testing.T) {
	t.Parallel()
	ps := standardPulls()
	r := newRepo(t, "product", "2.3.0", "v2.3.0")
	r.merge(ps[0])
	r.merge(unreviewed(41))
	mainTip := r.tip
	r.push(push{author: "dev-dana", files: files("src/search/hotfix.go")})
	r.tag("v2.3.1")
	r.passed("v2.3.1")
	r.tip = mainTip
	for _, p := range ps[1:] {
		r.merge(p)
	}
	r.tag("v2.4.0")

	res := r.gate(t, "v2.4.0", "")
	if res.PreviousTag != "v2.3.0" {
		t.Errorf("previous = %s, want v2.3.0: v2.3.1 is on another line", res.PreviousTag)
	}
	if why := skippedWhy(res, "v2.3.1"); !strings.Contains(why, "not an ancestor of v2.4.0 (GitHub compares them as diverged)") {
		t.Errorf("v2.3.1 skipped because %q, want: not an ancestor, diverged", why)
	}
	if st, cmp := rangeRequests(r); st != 2 || cmp != 2 {
		t.Errorf("%d release statuses read and %d comparisons, want 2 and 2 (v2.3.1 passed, so it is compared too)", st, cmp)
	}
	wantUnreviewedBlocks(t, res, 41)
}

// Attacker scenario 2: since naming a later commit or tag than the default
// previous release would leave commits out; refused, naming them.
func TestSinceMayNotNarrow(t *testing.T) {
	t.Parallel()
	ps := standardPulls()
	r := newRepo(t, "product", "2.3.0", "v2.3.0")
	r.merge(ps[0])
	r.merge(unreviewed(41))
	r.tag("later-tag")
	for _, p := range ps[1:] {
		r.merge(p)
	}
	r.tag("v2.4.0")
	left := []string{short(githubtest.SHA("pr-11-merge")), short(githubtest.SHA("pr-41-merge"))}
	for _, tt := range []struct{ name, since string }{
		{"a later tag", "later-tag"},
		{"a later commit", r.tags["later-tag"]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := r.gate(t, "v2.4.0", tt.since)
			d := res.Release.Decision
			if d.Decision != decision.Blocked || d.ExitCode != decision.ExitInvalid || !slices.Equal(codes(d.Violations), []string{"INPUT_INVALID"}) {
				t.Fatalf("decision = %s (exit %d) %+v, want blocked, exit 2, INPUT_INVALID", d.Decision, d.ExitCode, d.Violations)
			}
			msg := d.Violations[0].Message
			want := "would leave out 2 commits of the default range: " + strings.Join(left, ", ")
			if !strings.Contains(msg, "may only widen the range, which starts after v2.3.0") || !strings.Contains(msg, want) {
				t.Errorf("message = %q, want it to say since may only widen and %q", msg, want)
			}
		})
	}
	// A since on another line is no widening either, even when it leaves
	// out nothing of this release.
	hotfix := githubtest.SHA("elsewhere")
	r.srv.AddCommit(githubtest.Commit{SHA: hotfix, Parents: []string{githubtest.SHA("initial product 2.3.0")}})
	res := r.gate(t, "v2.4.0", hotfix)
	if d := res.Release.Decision; d.ExitCode != decision.ExitInvalid || !strings.Contains(d.Violations[0].Message, "not an earlier commit on the released commit's line") {
		t.Errorf("since on another line: exit %d, %+v; want INPUT_INVALID saying it is not on the line", d.ExitCode, d.Violations)
	}
}

// Attacker scenario 3: since naming an older release that passed, an
// ancestor of the default start, widens the range, and is allowed. (This
// already worked before the range rule; it must keep working.)
func TestSinceMayWiden(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "product", "2.2.0", "v2.2.0")
	r.merge(pull{number: 20, title: "Search ranking", files: files("src/search/rank.go"), adds: []string{"CHG-102"}, reviews: []review{{login: "alice-gp"}}})
	r.merge(pull{number: 21, title: "Release 2.3.0", files: files(safetyfile.ManifestPath), prepares: "2.3.0", reviews: []review{{login: "alice-gp"}}})
	r.tag("v2.3.0")
	r.passed("v2.3.0")
	for _, p := range standardPulls() {
		r.merge(p)
	}
	r.tag("v2.4.0")
	for _, tt := range []struct {
		name, since, wantPrev, wantBy string
		wantPulls                     []int
	}{
		{"default", "", "v2.3.0", PreviousPassed, []int{11, 12, 13, 14, 15}},
		{"since the default start", "v2.3.0", "v2.3.0", PreviousPassed, []int{11, 12, 13, 14, 15}},
		{"since an older passed release", "v2.2.0", "v2.2.0", PreviousSince, []int{20, 21, 11, 12, 13, 14, 15}},
		{"since an older commit", r.tags["v2.2.0"], r.tags["v2.2.0"], PreviousSince, []int{20, 21, 11, 12, 13, 14, 15}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := r.gate(t, "v2.4.0", tt.since)
			if res.PreviousTag != tt.wantPrev || res.PreviousBy != tt.wantBy || !slices.Equal(numbers(res.Pulls), tt.wantPulls) {
				t.Errorf("previous = %s (%s), pulls = %v; want %s (%s), %v", res.PreviousTag, res.PreviousBy, numbers(res.Pulls), tt.wantPrev, tt.wantBy, tt.wantPulls)
			}
			// Widened, the range still has one pull request that sets
			// release: 2.4.0; CHG-102 of 2.3.0 is no longer in the manifest.
			if res.Preparing == nil || res.Preparing.Number != 15 {
				t.Errorf("preparing = %+v, want #15", res.Preparing)
			}
		})
	}
}

// configWithBaseline is the test product's configuration with baseline set.
func configWithBaseline(t *testing.T, tag string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/product/safety/csogate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, []byte("baseline: "+tag+"\n")...)
}

// setBaseline is the CSO-approved pull request that adopts the gate.
func setBaseline(t *testing.T, n int, tag string) pull {
	return pull{number: n, title: "Adopt the clinical safety gate", author: "dev-dana", files: files(safetyfile.ConfigPath),
		edit: map[string][]byte{safetyfile.ConfigPath: configWithBaseline(t, tag)}, reviews: []review{{login: "alice-gp"}}}
}

// Attacker scenario 6: the gate's first release. No earlier release passed,
// so the trusted configuration's baseline starts the range, skipping a tag
// pushed after an unreviewed merge; without a baseline the release is
// invalid input that says how to set one, and since cannot stand in for it.
func TestFirstAdoption(t *testing.T) {
	t.Parallel()
	build := func(t *testing.T, baseline bool) *repo {
		r := newRepo(t, "product", "2.3.0", "")
		r.tag("v2.3.0")
		ps := standardPulls()
		if baseline {
			ps = append([]pull{setBaseline(t, 40, "v2.3.0")}, ps...)
		}
		r.merge(ps[0])
		r.merge(unreviewed(41))
		r.tag("v2.3.1")
		for _, p := range ps[1:] {
			r.merge(p)
		}
		r.tag("v2.4.0")
		return r
	}

	t.Run("baseline", func(t *testing.T) {
		t.Parallel()
		res := build(t, true).gate(t, "v2.4.0", "")
		if res.PreviousTag != "v2.3.0" || res.PreviousBy != PreviousBaseline {
			t.Errorf("previous = %s (%s), want the baseline v2.3.0", res.PreviousTag, res.PreviousBy)
		}
		if why := skippedWhy(res, "v2.3.1"); !strings.Contains(why, "never passed") {
			t.Errorf("v2.3.1 skipped because %q, want: never passed", why)
		}
		if !slices.Contains(numbers(res.Pulls), 40) {
			t.Errorf("pulls = %v, want #40, which set the baseline, in the range", numbers(res.Pulls))
		}
		wantUnreviewedBlocks(t, res, 41)
		if md := Markdown(res); !strings.Contains(md, "baseline") {
			t.Errorf("the summary does not say the range starts at the baseline:\n%s", md)
		}
	})

	t.Run("baseline, everything reviewed", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t, "product", "2.3.0", "")
		r.tag("v2.3.0")
		r.merge(setBaseline(t, 40, "v2.3.0"))
		for _, p := range standardPulls() {
			r.merge(p)
		}
		r.tag("v2.4.0")
		res := r.gate(t, "v2.4.0", "")
		if d := res.Release.Decision; d.Decision != decision.Approved || res.PreviousTag != "v2.3.0" || len(res.Pulls) != 6 {
			t.Errorf("decision = %s from %s with %d pull requests, want approved from the baseline v2.3.0 with 6; violations %+v",
				d.Decision, res.PreviousTag, len(res.Pulls), d.Violations)
		}
	})

	// The baseline is for the first release only: once any earlier release
	// passed, even one older than the baseline, the range starts there.
	t.Run("a passed release older than the baseline", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t, "product", "2.3.0", "v2.2.0")
		r.push(push{author: "dev-dana", files: files("docs/a.md")})
		r.tag("v2.2.1")
		r.push(push{author: "dev-dana", files: files("docs/b.md")})
		r.tag("v2.3.0")
		r.merge(setBaseline(t, 40, "v2.3.0"))
		r.tag("v2.3.1")
		for _, p := range standardPulls() {
			r.merge(p)
		}
		r.tag("v2.4.0")
		res := r.gate(t, "v2.4.0", "")
		if d := res.Release.Decision; d.Decision != decision.Approved || res.PreviousTag != "v2.2.0" || res.PreviousBy != PreviousPassed {
			t.Errorf("decision = %s from %s (%s), want approved from v2.2.0, which passed; violations %+v", d.Decision, res.PreviousTag, res.PreviousBy, d.Violations)
		}
		if len(res.DirectPushes) != 2 {
			t.Errorf("direct pushes = %+v, want the two documentation pushes after v2.2.0", res.DirectPushes)
		}
	})

	for _, since := range []string{"", "v2.3.0"} {
		t.Run("no baseline, since "+orNone(since), func(t *testing.T) {
			t.Parallel()
			res := build(t, false).gate(t, "v2.4.0", since)
			d := res.Release.Decision
			if d.Decision != decision.Blocked || d.ExitCode != decision.ExitInvalid || !slices.Equal(codes(d.Violations), []string{"INPUT_INVALID"}) {
				t.Fatalf("decision = %s (exit %d) %+v, want blocked, exit 2, INPUT_INVALID", d.Decision, d.ExitCode, d.Violations)
			}
			msg := d.Violations[0].Message
			for _, want := range []string{"no earlier release passed the gate", "v2.3.1", "add baseline: <tag> to safety/csogate.yaml"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message = %q, want it to contain %q", msg, want)
				}
			}
			if md := Markdown(res); !strings.Contains(md, "add baseline: &lt;tag&gt; to safety/csogate.yaml") {
				t.Errorf("the summary does not say how to set the baseline:\n%s", md)
			}
		})
	}

	// A baseline already named at the commit it names: the change that set
	// it (here, with an unreviewed clinical change before the tag) would
	// never be judged.
	t.Run("baseline set before its own tag", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t, "product", "2.3.0", "")
		r.merge(unreviewed(41))
		r.push(push{author: "dev-eve", files: files(safetyfile.ConfigPath), edit: map[string][]byte{safetyfile.ConfigPath: configWithBaseline(t, "v2.3.9")}})
		r.tag("v2.3.9")
		for _, p := range standardPulls() {
			r.merge(p)
		}
		r.tag("v2.4.0")
		d := r.gate(t, "v2.4.0", "").Release.Decision
		if d.ExitCode != decision.ExitInvalid || !strings.Contains(d.Violations[0].Message, "baseline: v2.3.9 is already set in safety/csogate.yaml at v2.3.9 itself") {
			t.Errorf("exit %d, %+v; want INPUT_INVALID: the baseline names a commit that already names it", d.ExitCode, d.Violations)
		}
	})

	t.Run("baseline that is no tag", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t, "product", "2.3.0", "")
		r.merge(setBaseline(t, 40, "v2.2.9"))
		for _, p := range standardPulls() {
			r.merge(p)
		}
		r.tag("v2.4.0")
		d := r.gate(t, "v2.4.0", "").Release.Decision
		if d.ExitCode != decision.ExitInvalid || !strings.Contains(d.Violations[0].Message, "baseline: v2.2.9 in safety/csogate.yaml is not a tag") {
			t.Errorf("exit %d, %+v; want INPUT_INVALID naming the unknown baseline", d.ExitCode, d.Violations)
		}
	})
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Attacker scenario 7: a merge (or squash) commit that changes a clinical
// file its pull request did not: no review saw that part, so it is a
// DIRECT_PUSH violation for that file; a non-clinical extra is a warning.
func TestMergeCommitChangesMoreThanItsPullRequest(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		number      int
		mergeCommit bool
	}{
		{"merge commit", 12, true},
		{"squash commit", 14, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := standardPulls()
			p := pullNumber(ps, tt.number)
			p.mergeCommit = tt.mergeCommit
			p.mergeExtra = files("src/ui/allergy/colours.go", "NOTES.txt")
			r := build(t, ps)
			res := r.gate(t, "v2.4.0", "")
			merge := githubtest.SHA(fmt.Sprintf("pr-%d-merge", tt.number))
			if len(res.DirectPushes) != 1 {
				t.Fatalf("direct pushes = %+v, want the part of #%d's merge commit beyond its files", res.DirectPushes, tt.number)
			}
			dp := res.DirectPushes[0]
			if dp.SHA != merge || dp.Pull != tt.number || !dp.Clinical || !slices.Equal(dp.Files, []string{"src/ui/allergy/colours.go", "NOTES.txt"}) {
				t.Errorf("direct push = %+v, want %s of #%d with colours.go and NOTES.txt, clinical", dp, short(merge), tt.number)
			}
			d := res.Release.Decision
			if d.Decision != decision.Blocked || !slices.Equal(codes(d.Violations), []string{CodeDirectPush}) {
				t.Fatalf("decision = %s %+v, want blocked by DIRECT_PUSH", d.Decision, d.Violations)
			}
			msg := d.Violations[0].Message
			for _, want := range []string{short(merge), fmt.Sprintf("the merge of #%d", tt.number), "clinically relevant files: src/ui/allergy/colours.go"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message = %q, want it to contain %q", msg, want)
				}
			}
			if md := Markdown(res); !strings.Contains(md, fmt.Sprintf("| %s (merge of #%d: files beyond its own) |", short(merge), tt.number)) {
				t.Errorf("the summary does not show the merge commit's extra files:\n%s", md)
			}
			if d.Violations[0].File != "src/ui/allergy/colours.go" {
				t.Errorf("violation file = %q, want src/ui/allergy/colours.go", d.Violations[0].File)
			}
		})
	}

	ps := standardPulls()
	pullNumber(ps, 13).mergeExtra = files("docs/extra.md")
	res := build(t, ps).gate(t, "v2.4.0", "")
	if d := res.Release.Decision; d.Decision != decision.Approved || len(findings(d.Warnings, CodeDirectPush)) != 1 {
		t.Errorf("a documentation file beyond #13's own: %s, warnings %+v; want approved with a DIRECT_PUSH warning", d.Decision, d.Warnings)
	}
}

// Attacker scenario 7b: an evil merge. Someone who may push to the main
// branch merges a CSO-approved pull request by hand and, while merging,
// edits a clinical file the pull request also changed: the merge commit's
// file list is the pull request's own, but its content is not what any
// review saw. The merge left the file otherwise than the reviewed head and
// the base branch had not changed it, so it is a DIRECT_PUSH violation of
// that file. The same difference where the base branch had also changed the
// file (a pull request merged without being brought up to date) is the
// rightful merge of both sides: a MERGE_RESULT_UNCHECKED warning only.
func TestMergeCommitAltersItsPullRequest(t *testing.T) {
	t.Parallel()
	for _, tt := range mergeKinds {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := standardPulls()
			pullNumber(ps, tt.number).mergeAlters = []string{tt.file}
			res := build(t, ps).gate(t, "v2.4.0", "")
			merge := githubtest.SHA(fmt.Sprintf("pr-%d-merge", tt.number))
			d := expectAlteredMerge(t, res, tt.number, tt.file)
			if !slices.Equal(res.DirectPushes[0].Files, []string{tt.file}) {
				t.Errorf("direct push files = %v, want only %s", res.DirectPushes[0].Files, tt.file)
			}
			for _, want := range []string{short(merge), fmt.Sprintf("leaves #%d's own files otherwise than its reviewed head (%s", tt.number, tt.file),
				"clinically relevant files: " + tt.file} {
				if !strings.Contains(d.Violations[0].Message, want) {
					t.Errorf("message = %q, want it to contain %q", d.Violations[0].Message, want)
				}
			}
			if got := d.DirectPushes[0].Altered; !slices.Equal(got, []string{tt.file}) {
				t.Errorf("decision's direct push altered = %v", got)
			}
			if md := Markdown(res); !strings.Contains(md, fmt.Sprintf("| %s (merge of #%d: its files left otherwise than its reviewed head) |", short(merge), tt.number)) {
				t.Errorf("the summary does not show the altered merge:\n%s", md)
			}
		})
	}

	t.Run("the base branch changed the file too", func(t *testing.T) {
		t.Parallel()
		ps := insertBefore(standardPulls(), 13, pull{number: 16, title: "Search ranking by NHS number", author: "dev-dana",
			files: files("src/search/index.go"), adds: []string{"CHG-104"}, reviews: []review{{login: "alice-gp"}},
			branchedBefore: 1, mergeAlters: []string{"src/search/index.go"}})
		res := build(t, ps).gate(t, "v2.4.0", "")
		d := res.Release.Decision
		if len(res.DirectPushes) != 0 || len(findings(d.Violations, CodeDirectPush)) != 0 {
			t.Fatalf("direct pushes %+v, violations %+v; a merge of both sides is no direct push", res.DirectPushes, d.Violations)
		}
		w := findings(d.Warnings, CodeMergeUnchecked)
		if len(w) != 1 || w[0].File != "src/search/index.go" || !strings.Contains(w[0].Message, "the merge of #16") ||
			!strings.Contains(w[0].Message, "the base branch had also changed it since #16 branched") {
			t.Fatalf("warnings = %+v, want one MERGE_RESULT_UNCHECKED on src/search/index.go", d.Warnings)
		}
	})
}

// Attacker scenario 8: a commit whose file list GitHub cuts at 3,000 could
// hide a clinical file past the cut; the release fails closed.
func TestTruncatedCommitFiles(t *testing.T) {
	t.Parallel()
	var many []githubtest.File
	for i := range 3000 {
		many = append(many, githubtest.File{Path: fmt.Sprintf("docs/generated/page-%04d.md", i)})
	}
	for _, tt := range []struct {
		name string
		pull func(ps []pull)
	}{
		{"direct push", func(ps []pull) {
			pullNumber(ps, 13).pushAfter = []push{{author: "dev-eve", files: append(slices.Clone(many), githubtest.File{Path: "src/ui/allergy/colours.go"})}}
		}},
		{"merge commit", func(ps []pull) {
			pullNumber(ps, 13).mergeExtra = append(slices.Clone(many), githubtest.File{Path: "src/ui/allergy/colours.go"})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := standardPulls()
			tt.pull(ps)
			res := build(t, ps).gate(t, "v2.4.0", "")
			d := res.Release.Decision
			if d.Decision != decision.Blocked || d.ExitCode != decision.ExitOperational || !slices.Equal(codes(d.Violations), []string{decision.CodeGitHubUnavailable}) {
				t.Fatalf("decision = %s (exit %d) %+v, want blocked, exit 3, GITHUB_UNAVAILABLE", d.Decision, d.ExitCode, d.Violations)
			}
			if msg := d.Violations[0].Message; !strings.Contains(msg, "only the first 3000 files") {
				t.Errorf("message = %q, want it to say the list is cut at 3,000", msg)
			}
		})
	}
}

// TestMergeCheckFailsClosed: the question the content check asks of a
// pull request merged while behind (what the base changed since it
// branched) fails: the release is blocked as GitHub unavailable (exit 3),
// naming the pull request, never judged without the answer.
func TestMergeCheckFailsClosed(t *testing.T) {
	t.Parallel()
	ps := insertBefore(standardPulls(), 13, pull{number: 16, title: "Search ranking by NHS number", author: "dev-dana",
		files: files("src/search/index.go"), adds: []string{"CHG-104"}, reviews: []review{{login: "alice-gp"}},
		branchedBefore: 1, mergeAlters: []string{"src/search/index.go"}})
	r := build(t, ps)
	r.srv.FailAlways("GET", r.srv.RepoPath()+"/compare/"+githubtest.SHA("pr-16-commit-1"), githubtest.BadGateway())
	d := r.gate(t, "v2.4.0", "").Release.Decision
	if d.Decision != decision.Blocked || d.ExitCode != decision.ExitOperational || !slices.Equal(codes(d.Violations), []string{decision.CodeGitHubUnavailable}) {
		t.Fatalf("decision = %s (exit %d) %+v, want blocked, exit 3, GITHUB_UNAVAILABLE", d.Decision, d.ExitCode, d.Violations)
	}
	if !strings.Contains(d.Violations[0].Message, "#16") {
		t.Errorf("message = %q, want it to name #16", d.Violations[0].Message)
	}
}

// mergeKinds are a pull request merged with a merge commit and one
// squashed, each with the clinical file an altered merge leaves otherwise.
var mergeKinds = []struct {
	name   string
	number int
	file   string
}{
	{"merge commit", 12, "src/search/index.go"},
	{"squash commit", 11, "src/ui/allergy/banner.go"},
}

// expectAlteredMerge requires the release blocked by one DIRECT_PUSH: the
// pull request's merge commit, clinical, with file altered; it returns the
// release decision.
func expectAlteredMerge(t *testing.T, res *Result, number int, file string) *decision.Decision {
	t.Helper()
	merge := githubtest.SHA(fmt.Sprintf("pr-%d-merge", number))
	if len(res.DirectPushes) != 1 {
		t.Fatalf("direct pushes = %+v, want #%d's merge with its altered file", res.DirectPushes, number)
	}
	if dp := res.DirectPushes[0]; dp.SHA != merge || dp.Pull != number || !dp.Clinical || !slices.Equal(dp.Altered, []string{file}) {
		t.Errorf("direct push = %+v, want %s of #%d, %s altered, clinical", dp, short(merge), number, file)
	}
	d := res.Release.Decision
	if d.Decision != decision.Blocked || !slices.Equal(codes(d.Violations), []string{CodeDirectPush}) {
		t.Fatalf("decision = %s %+v, want blocked by DIRECT_PUSH", d.Decision, d.Violations)
	}
	return d
}
