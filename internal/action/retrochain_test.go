package action

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/release"
)

// chainContext11 is the retrospective chain status of #11 under the default
// status context.
var chainContext11 = release.RetrospectiveContext(releaseContext, 11)

// releaseAfter merges pull request number, preparing version from the
// commit from (whose manifest says release: prev), with a CSO's approval,
// and pushes its tag v<version>; it returns the released commit.
func (f *releaseFixture) releaseAfter(number int, from, prev, version string) string {
	tree := maps.Clone(f.trees[from])
	manifest := bytes.Replace(tree["safety/changes.yaml"], []byte("release: "+prev), []byte("release: "+version), 1)
	tip := f.merge(number, "Release "+version, from, tree, map[string][]byte{"safety/changes.yaml": manifest},
		[]githubtest.File{{Path: "safety/changes.yaml"}}, []githubtest.Review{{Login: alice, UserID: aliceID, State: "APPROVED"}})
	f.srv.AddTag("v"+version, tip)
	f.pushTag("v"+version, tip)
	return tip
}

// chainStatuses are the retrospective chain statuses on sha, in order.
func (f *releaseFixture) chainStatuses(sha string) []githubtest.Status {
	var out []githubtest.Status
	for _, st := range f.statusesOn(sha) {
		if strings.HasPrefix(st.Context, releaseContext+"/retrospective/") {
			out = append(out, st)
		}
	}
	return out
}

// statusesRead counts the run's reads of sha's statuses list.
func statusesRead(f *releaseFixture, sha string) int {
	n := 0
	for _, r := range f.srv.Requests() {
		if r.Method == "GET" && r.Path == f.srv.RepoPath()+"/commits/"+sha+"/statuses" {
			n++
		}
	}
	return n
}

// TestReleasePostsTheRetrospectiveChain: the release that passes holding
// #11, whose override's review is due, posts one pending status for it on
// the released commit before its success (so a success never stands
// without its chain), saying by when, linking #11; the context fits
// GitHub's 255 characters even for the longest status-context input.
func TestReleasePostsTheRetrospectiveChain(t *testing.T) {
	t.Parallel()
	f := overriddenRelease(t)
	f.pushTag("v2.4.0", v240SHA)
	o := f.run()
	if o.code != 0 {
		t.Fatalf("exit %d, violations %s", o.code, violationsOf(o))
	}
	chain := f.chainStatuses(v240SHA)
	if len(chain) != 1 {
		t.Fatalf("chain statuses on v2.4.0: %+v; want #11's", chain)
	}
	st := chain[0]
	if st.Context != "clinical-safety/cso-approval/release/retrospective/#11" || st.State != "pending" ||
		st.Description != "Emergency override of #11: retrospective CSO review due by 2026-11-27" ||
		!strings.HasSuffix(st.TargetURL, "/pull/11") || st.Creator != githubtest.ActionsBot {
		t.Errorf("chain status %+v", st)
	}
	var order []string
	for _, s := range f.statusesOn(v240SHA) {
		order = append(order, s.Context+"="+s.State)
	}
	if !slices.Equal(order, []string{chainContext11 + "=pending", releaseContext + "=success"}) {
		t.Errorf("statuses on v2.4.0 in order %q; want the chain before the success", order)
	}
	// Writes pinned: the chain status, the release's success, #11's
	// reminder issue and its assignees. A release with no outstanding
	// override writes no chain status (TestReleaseRequests: 1 write).
	var writes []string
	for _, w := range f.srv.Writes() {
		writes = append(writes, w.Method+" "+strings.TrimPrefix(w.Path, f.srv.RepoPath()))
	}
	if len(writes) != 4 || writes[0] != "POST /statuses/"+v240SHA || writes[1] != "POST /statuses/"+v240SHA {
		t.Errorf("writes %q; want the chain status and the success first, then the reminder issue and its assignees", writes)
	}
	if n := len(release.RetrospectiveContext(strings.Repeat("x", maxStatusContext)+ReleaseContextSuffix, 999_999_999)); n > 255 {
		t.Errorf("the longest chain context is %d characters; GitHub takes 255", n)
	}
}

// TestRetrospectiveChainOutlivesTheReminder: after v2.4.0 passed with #11's
// review due, someone with triage rights deletes or relabels #11's reminder
// issue, or edits both its title and its marker. The next release, on
// 2026-12-01, finds #11 through v2.4.0's chain status all the same and is
// blocked by its overdue review; the record replays offline to the same
// decision. Before the chain, each of these let v2.5.0 pass.
func TestRetrospectiveChainOutlivesTheReminder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func(f *releaseFixture, is githubtest.Issue)
	}{
		{"the issue deleted", func(f *releaseFixture, is githubtest.Issue) { f.srv.DeleteIssue(is.Number) }},
		{"the label removed", func(f *releaseFixture, is githubtest.Issue) { is.Labels = nil; f.srv.AddIssue(is) }},
		{"title and marker edited", func(f *releaseFixture, is githubtest.Issue) {
			is.Title, is.Body = "Done (see chat)", githubtest.Text("Reviewed on the call.")
			f.srv.AddIssue(is)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			is := retroIssuesTitled(f.fixture, retroTitle11)
			if len(is) != 1 {
				t.Fatalf("#11's issue: %+v", is)
			}
			tc.tamper(f, is[0])
			f.srv.ResetRequests()
			o := f.run()
			v := violationsOf(o)
			if o.code != 1 || o.outputs["decision"] != "blocked" || !strings.Contains(v, "EMERGENCY_REVIEW_OVERDUE") || !strings.Contains(v, "#11 (in an earlier release") {
				t.Fatalf("exit %d, decision %s, violations %s; want #11's EMERGENCY_REVIEW_OVERDUE", o.code, o.outputs["decision"], v)
			}
			if n := statusesRead(f, v240SHA); n != 1 {
				t.Errorf("v2.4.0's statuses read %d times; want once", n)
			}
			f.srv.Close()
			replays(t, o)
		})
	}
}

// TestRetrospectiveChainCarriedAcrossReleases: v2.4.0 passes with #11's
// review due; v2.5.0 passes on 2026-11-26, before it is due, and carries
// #11 forward on its own commit; the reminder issue is then deleted; v2.6.0
// on 2026-12-01 reads only v2.5.0's chain (its previous passed release) and
// is blocked by #11's overdue review. Once a counted CSO approves #11's
// merged head, v2.6.0 passes and posts no chain status: the chain ends, and
// v2.7.0 passes carrying nothing. The blocked v2.6.0 run opens #11's
// reminder again.
func TestRetrospectiveChainCarriedAcrossReleases(t *testing.T) {
	t.Parallel()
	f := overriddenRelease(t)
	f.pushTag("v2.4.0", v240SHA)
	if o := f.run(); o.code != 0 {
		t.Fatalf("v2.4.0: exit %d, violations %s", o.code, violationsOf(o))
	}
	v250 := f.releaseAfter(16, v240SHA, "2.4.0", "2.5.0")
	f.today = "2026-11-26"
	o := f.run()
	if o.code != 0 {
		t.Fatalf("v2.5.0: exit %d, violations %s", o.code, violationsOf(o))
	}
	for _, want := range []string{"as named by v2.4.0's retrospective statuses: #11.", "Retrospective CSO review outstanding for #11"} {
		if !strings.Contains(o.summary, want) {
			t.Errorf("v2.5.0's summary does not say %q:\n%s", want, o.summary)
		}
	}
	if chain := f.chainStatuses(v250); len(chain) != 1 || chain[0].Context != chainContext11 || chain[0].State != "pending" ||
		!strings.Contains(chain[0].Description, "due by 2026-11-27") {
		t.Fatalf("v2.5.0 carries %+v; want #11's chain status", chain)
	}
	for _, is := range retroIssuesTitled(f.fixture, retroTitle11) {
		f.srv.DeleteIssue(is.Number)
	}

	v260 := f.releaseAfter(17, v250, "2.5.0", "2.6.0")
	f.today = "2026-12-01"
	f.srv.ResetRequests()
	o = f.run()
	if v := violationsOf(o); o.code != 1 || !strings.Contains(v, "EMERGENCY_REVIEW_OVERDUE") || !strings.Contains(v, "#11") {
		t.Fatalf("v2.6.0: exit %d, violations %s; want #11's EMERGENCY_REVIEW_OVERDUE", o.code, v)
	}
	if statusesRead(f, v250) != 1 || statusesRead(f, v240SHA) != 0 {
		t.Errorf("v2.6.0 read v2.5.0's statuses %d times and v2.4.0's %d; want only its previous passed release's, once",
			statusesRead(f, v250), statusesRead(f, v240SHA))
	}
	if chain := f.chainStatuses(v260); len(chain) != 0 {
		t.Errorf("the blocked v2.6.0 posted %+v; a blocked release carries nothing", chain)
	}
	replays(t, o)
	// The blocked run, having found #11 through the chain, opened its
	// reminder again.
	if is := retroIssuesTitled(f.fixture, retroTitle11); len(is) != 1 || is[0].State != "open" || !strings.Contains(is[0].BodyText(), "OVERDUE") {
		t.Errorf("#11's reminder after v2.6.0: %+v", is)
	}

	// The CSO reviews #11: v2.6.0 passes and the chain ends.
	f.srv.AddReview(11, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("pr-11-head")})
	if o := f.run(); o.code != 0 {
		t.Fatalf("v2.6.0 after the review: exit %d, violations %s", o.code, violationsOf(o))
	}
	if chain := f.chainStatuses(v260); len(chain) != 0 {
		t.Errorf("v2.6.0 carries %+v after #11's review; want nothing", chain)
	}
	v270 := f.releaseAfter(18, v260, "2.6.0", "2.7.0")
	if o := f.run(); o.code != 0 {
		t.Fatalf("v2.7.0: exit %d, violations %s", o.code, violationsOf(o))
	}
	if chain := f.chainStatuses(v270); len(chain) != 0 {
		t.Errorf("v2.7.0 carries %+v; want nothing", chain)
	}
}

// TestForgedRetrospectiveStatus: a status anyone with statuses: write
// posts on v2.4.0 can only add a pull request to judge again. One naming
// #15 (approved by a CSO, no override) changes nothing; a success posted on
// #11's chain context does not take #11 out of the chain, whose review is
// read from #11 itself.
func TestForgedRetrospectiveStatus(t *testing.T) {
	t.Parallel()
	f := overdueRelease(t)
	f.srv.AddStatus(githubtest.Status{SHA: v240SHA, Context: release.RetrospectiveContext(releaseContext, 15), State: "pending", Creator: "mallory"})
	f.srv.AddStatus(githubtest.Status{SHA: v240SHA, Context: chainContext11, State: "success", Description: "reviewed", Creator: "mallory"})
	for _, is := range retroIssuesTitled(f.fixture, retroTitle11) {
		f.srv.DeleteIssue(is.Number)
	}
	f.srv.ResetRequests()
	o := f.run()
	v := violationsOf(o)
	if o.code != 1 || !strings.Contains(v, "EMERGENCY_REVIEW_OVERDUE") || !strings.Contains(v, "#11") || strings.Contains(v, "#15 (") {
		t.Fatalf("exit %d, violations %s; want #11's EMERGENCY_REVIEW_OVERDUE and nothing of #15", o.code, v)
	}
	asked15 := false
	for _, r := range f.srv.Requests() {
		asked15 = asked15 || r.Path == f.srv.RepoPath()+"/pulls/15"
	}
	if !asked15 {
		t.Errorf("#15, named by the forged status, was not judged again")
	}
}

// TestRetrospectiveChainFailsClosed: reading the previous release's
// statuses fails (GitHub down, or a token without statuses: read): the
// release is blocked, GITHUB_UNAVAILABLE, exit 3, never judged without its
// chain. Posting #11's chain status fails after a pass: the release's
// status is error, not success, exit 3, so the next release starts at the
// previous passed one, whose chain is whole.
func TestRetrospectiveChainFailsClosed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		resp githubtest.Response
		want string
	}{
		{"502", githubtest.BadGateway(), "retrospective statuses of the previous release v2.4.0"},
		{"403", githubtest.Forbidden(), "statuses"},
	} {
		t.Run("reading fails "+tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			f.srv.FailAlways("GET", f.srv.RepoPath()+"/commits/"+v240SHA+"/statuses", tc.resp)
			o := f.run()
			v := violationsOf(o)
			if o.code != 3 || o.outputs["decision"] != "blocked" || !strings.Contains(v, "GITHUB_UNAVAILABLE") || !strings.Contains(o.stdout+v, tc.want) {
				t.Errorf("exit %d, decision %s, violations %s; want blocked, exit 3, GITHUB_UNAVAILABLE saying %q", o.code, o.outputs["decision"], v, tc.want)
			}
		})
	}
	t.Run("writing fails", func(t *testing.T) {
		t.Parallel()
		f := overriddenRelease(t)
		f.pushTag("v2.4.0", v240SHA)
		f.srv.Fail("POST", f.srv.RepoPath()+"/statuses/"+v240SHA, githubtest.Forbidden())
		o := f.run()
		v := violationsOf(o)
		if o.code != 3 || o.outputs["decision"] != "blocked" || !strings.Contains(v, "GITHUB_UNAVAILABLE") || !strings.Contains(v, chainContext11) {
			t.Errorf("exit %d, decision %s, violations %s; want blocked, exit 3, naming the chain status", o.code, o.outputs["decision"], v)
		}
		if st, _ := f.releaseStatus(v240SHA); st.State != "error" {
			t.Errorf("release status %q; want error, never success without the chain", st.State)
		}
	})
}

// TestStatusContextLeavesRoomForTheChain: a status-context input too long
// for a release's chain status to fit GitHub's 255 characters is refused
// before anything is posted, naming the limit; the longest allowed is taken.
func TestStatusContextLeavesRoomForTheChain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.input("status-context", strings.Repeat("x", maxStatusContext+1))
	o := f.run()
	if o.code != 2 || !strings.Contains(o.stdout+violationsOf(o), "at most 222 characters") {
		t.Errorf("exit %d, violations %s; want INPUT_INVALID naming the limit\n%s", o.code, violationsOf(o), o.stdout)
	}
	f = newFixture(t)
	f.input("status-context", strings.Repeat("x", maxStatusContext))
	if o := f.run(); o.code == 2 {
		t.Errorf("a status-context of %d characters refused: %s", maxStatusContext, violationsOf(o))
	}
}

// TestRetrospectiveChainFlood: someone with statuses: write posts, on the
// previous passed release v2.4.0, more retrospective statuses than any
// passing release ever posts (release.MaxChainPulls pull requests),
// naming numbers that are no pull requests. The next release is refused at
// once, INPUT_INVALID, naming the commit, the count, who posted them and
// the way out, without asking GitHub for one of them (before, it read
// every number in turn, spending the token's hourly requests, shared with
// every pull-request run of the repository). A status naming an issue
// rather than a pull request, among few, changes nothing.
func TestRetrospectiveChainFlood(t *testing.T) {
	t.Parallel()
	t.Run("flood", func(t *testing.T) {
		t.Parallel()
		f := overdueRelease(t)
		for n := 5000; n <= 5000+release.MaxChainPulls; n++ {
			f.srv.AddStatus(githubtest.Status{SHA: v240SHA, Context: release.RetrospectiveContext(releaseContext, n), State: "pending", Creator: "mallory"})
		}
		f.srv.ResetRequests()
		o := f.run()
		v := violationsOf(o)
		if o.code != 2 || !strings.Contains(v, "INPUT_INVALID") || !strings.Contains(v, "v2.4.0") || !strings.Contains(v, "@mallory") ||
			!strings.Contains(v, "error") {
			t.Fatalf("exit %d, violations %s; want INPUT_INVALID naming v2.4.0, @mallory and the way out", o.code, v)
		}
		for _, r := range f.srv.Requests() {
			if strings.HasPrefix(r.Path, f.srv.RepoPath()+"/pulls/5") {
				t.Fatalf("the forged #%s was read: %s", strings.TrimPrefix(r.Path, f.srv.RepoPath()+"/pulls/"), r)
			}
		}
		if st, _ := f.releaseStatus(v240SHA); st.State != "success" {
			t.Errorf("v2.4.0's status is %q", st.State)
		}
	})
	t.Run("an issue, not a pull request", func(t *testing.T) {
		t.Parallel()
		f := overriddenRelease(t)
		f.pushTag("v2.4.0", v240SHA)
		if o := f.run(); o.code != 0 {
			t.Fatalf("v2.4.0: exit %d, violations %s", o.code, violationsOf(o))
		}
		issue := f.srv.AddIssue(githubtest.Issue{Title: "Printer on ward 3", Body: githubtest.Text("Jams.")})
		f.srv.AddStatus(githubtest.Status{SHA: v240SHA, Context: release.RetrospectiveContext(releaseContext, issue), State: "pending", Creator: "mallory"})
		f.srv.AddReview(11, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("pr-11-head")})
		f.nextRelease()
		f.today = "2026-12-01"
		if o := f.run(); o.code != 0 {
			t.Fatalf("exit %d, violations %s; a status naming issue #%d changes nothing", o.code, violationsOf(o), issue)
		}
	})
}

// forgeRecord edits record.json in dir as a forger would, and, when
// reseal, recomputes its integrity digest as csogate.record-digest/v1
// says (SHA-256 over the canonical JSON of the record and of each part):
// the digest proves integrity, not origin.
func forgeRecord(t *testing.T, dir string, reseal bool, edit func(m map[string]any)) {
	t.Helper()
	name := filepath.Join(dir, evidence.RecordFile)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(readFile(t, name)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	canonical := func(v any) []byte {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	}
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	if reseal {
		delete(m, "integrity")
		fields := map[string]any{}
		for k, v := range m {
			if obj, ok := v.(map[string]any); ok && len(obj) > 0 {
				for k2, v2 := range obj {
					fields[k+"."+k2] = sum(canonical(v2))
				}
				continue
			}
			fields[k] = sum(canonical(v))
		}
		whole := "sha256:" + sum(canonical(m))
		m["integrity"] = map[string]any{"algorithm": evidence.DigestAlgorithm, "fields": fields, "digest": whole}
	}
	writeFile(t, name, canonical(m))
}

// withoutChainStatus drops #11's chain status from the recorded answer
// to the previous release's statuses.
func withoutChainStatus(m map[string]any) {
	for _, x := range m["release"].(map[string]any)["github"].([]any) {
		x := x.(map[string]any)
		if x["call"] != "commit_statuses" {
			continue
		}
		var kept []any
		for _, st := range x["answer"].([]any) {
			if st.(map[string]any)["context"] != chainContext11 {
				kept = append(kept, st)
			}
		}
		x["answer"] = kept
	}
}

// TestReleaseRecordChainForged: v2.5.0 passes on 2026-11-26 carrying #11's
// outstanding review, read from v2.4.0's chain; its record says so
// (release.chain) and replays. A forger drops #11's chain status from the
// recorded answer of GitHub: without re-sealing, the digest refuses the
// record naming release.github; re-sealed, the replay reads no chain and
// names release.chain (#11, still found through its issue, is judged alike,
// so before the record stated its chain the forgery replayed as matching).
func TestReleaseRecordChainForged(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) (*releaseFixture, *outcome) {
		f := overriddenRelease(t)
		f.pushTag("v2.4.0", v240SHA)
		if o := f.run(); o.code != 0 {
			t.Fatalf("v2.4.0: exit %d, violations %s", o.code, violationsOf(o))
		}
		f.releaseAfter(16, v240SHA, "2.4.0", "2.5.0")
		f.today = "2026-11-26"
		o := f.run()
		if o.code != 0 {
			t.Fatalf("v2.5.0: exit %d, violations %s", o.code, violationsOf(o))
		}
		return f, o
	}
	f, o := setup(t)
	dir := filepath.Dir(o.outputs["record-file"])
	rec, err := evidence.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := rec.Release.Chain; c == nil || c.From != "v2.4.0" || !slices.Equal(c.Read, []int{11}) || len(c.Outstanding) != 1 ||
		c.Outstanding[0].Pull != 11 || c.Outstanding[0].Due != "2026-11-27" {
		t.Fatalf("release.chain %+v; want read #11 from v2.4.0, #11 outstanding due 2026-11-27", c)
	}
	f.srv.Close()
	replays(t, o)

	t.Run("not re-sealed", func(t *testing.T) {
		_, o := setup(t)
		dir := filepath.Dir(o.outputs["record-file"])
		forgeRecord(t, dir, false, withoutChainStatus)
		_, err := evidence.Replay(context.Background(), dir, t.TempDir())
		if !errors.Is(err, evidence.ErrInvalidRecord) || !strings.Contains(err.Error(), "release.github") {
			t.Errorf("replay error %v; want the record refused naming release.github", err)
		}
	})
	t.Run("re-sealed", func(t *testing.T) {
		_, o := setup(t)
		dir := filepath.Dir(o.outputs["record-file"])
		forgeRecord(t, dir, true, withoutChainStatus)
		got, err := evidence.Replay(context.Background(), dir, t.TempDir())
		if err != nil {
			t.Fatalf("the re-sealed forgery is refused before its replay: %v", err)
		}
		var fields []string
		for _, d := range got.Differences {
			fields = append(fields, d.Field)
		}
		if got.Matches() || !strings.Contains(strings.Join(fields, " "), "release.chain.read") {
			t.Errorf("replay matches %v, differences %v; want release.chain.read named", got.Matches(), got.Differences)
		}
	})
}
