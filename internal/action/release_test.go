package action

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// The release history of the release-mode tests: v2.3.0 on the initial
// commit; #11 changes the allergy banner (CHG-101, HAZ-003); #15 sets the
// manifest's release: to 2.4.0; v2.4.0 on #15's merge commit.
var (
	initialSHA = githubtest.SHA("release-initial")
	v240SHA    = githubtest.SHA("pr-15-merge")
)

// releaseContext is the status context of release runs with the default
// status-context input.
const releaseContext = DefaultStatusContext + ReleaseContextSuffix

// releaseFixture is the fixture's repository with that history, and a
// workspace that is a checkout of the released commit.
type releaseFixture struct {
	*fixture
	trees map[string]map[string][]byte
	// mergedAt is when merge merges (zero: the fake's clock).
	mergedAt time.Time
}

// newReleaseFixture builds the history. The CSO approves #15 on its head,
// and #11 too when bannerApproved.
func newReleaseFixture(t *testing.T, bannerApproved bool) *releaseFixture {
	t.Helper()
	return newReleaseFixtureWith(t, bannerApproved, time.Time{}, nil)
}

// newReleaseFixtureWith is newReleaseFixture with the pull requests merged
// at mergedAt (zero: the fake's clock), and extra added to every tree's files.
func newReleaseFixtureWith(t *testing.T, bannerApproved bool, mergedAt time.Time, extra map[string][]byte) *releaseFixture {
	t.Helper()
	f := &releaseFixture{fixture: newFixture(t), trees: map[string]map[string][]byte{}, mergedAt: mergedAt}
	tree := map[string][]byte{}
	for _, name := range []string{"hazard-log.yaml", "cso-register.yaml", "csogate.yaml"} {
		tree["safety/"+name] = readFile(t, "testdata/repo/safety/"+name)
	}
	tree["safety/changes.yaml"] = []byte("release: 2.3.0\nchanges: []\n")
	maps.Copy(tree, extra)
	f.srv.AddCommit(githubtest.Commit{SHA: initialSHA, AuthorLogin: author, Message: "Initial commit"})
	f.setTree(initialSHA, tree)
	f.srv.AddTag("v2.3.0", initialSHA)
	// v2.3.0's release passed the gate, so v2.4.0's range starts there.
	f.srv.AddStatus(githubtest.Status{SHA: initialSHA, Context: releaseContext, State: "success"})

	banner := "release: %s\nchanges:\n" + `  - id: CHG-101
    summary: Allergy banner colour and wording
    clinical: true
    hazards: [HAZ-003]
    paths: ["src/ui/allergy/**"]
    assessment: Banner stays non-collapsible (CTL-020); no change to HAZ-003's residual risk.
`
	var bannerReviews []githubtest.Review
	if bannerApproved {
		bannerReviews = append(bannerReviews, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED"})
	}
	tip := f.merge(11, "Allergy banner colour and wording", initialSHA, tree,
		map[string][]byte{"safety/changes.yaml": fmt.Appendf(nil, banner, "2.3.0")},
		[]githubtest.File{{Path: "src/ui/allergy/banner.go"}}, bannerReviews)
	tip = f.merge(15, "Release 2.4.0", tip, f.trees[tip],
		map[string][]byte{"safety/changes.yaml": fmt.Appendf(nil, banner, "2.4.0")},
		[]githubtest.File{{Path: "safety/changes.yaml"}}, []githubtest.Review{{Login: alice, UserID: aliceID, State: "APPROVED"}})
	if tip != v240SHA {
		t.Fatalf("the release's tip is %s, want %s", tip, v240SHA)
	}
	f.srv.AddTag("v2.4.0", v240SHA)

	// The job runs on the tag and checks it out.
	if err := os.RemoveAll(f.workspace); err != nil {
		t.Fatal(err)
	}
	for name, data := range f.trees[v240SHA] {
		writeFile(t, filepath.Join(f.workspace, filepath.FromSlash(name)), data)
	}
	f.env["GITHUB_SHA"] = v240SHA
	f.srv.ResetRequests()
	return f
}

// merge adds a pull request based on base whose head changes edit, squash
// merged into base, and returns the merge commit.
func (f *releaseFixture) merge(number int, title, base string, baseTree, edit map[string][]byte, files []githubtest.File, reviews []githubtest.Review) string {
	head := githubtest.SHA(fmt.Sprintf("pr-%d-head", number))
	merged := githubtest.SHA(fmt.Sprintf("pr-%d-merge", number))
	f.srv.AddPull(githubtest.Pull{Number: number, Title: title, Author: author, HeadSHA: head, BaseSHA: base, Merged: true, MergeCommitSHA: merged,
		MergedAt: f.mergedAt})
	f.srv.AddCommits(number, githubtest.Commit{SHA: head, AuthorLogin: author, Message: title})
	f.srv.AddFiles(number, files...)
	f.srv.AddCommit(githubtest.Commit{SHA: merged, AuthorLogin: author, CommitterLogin: "web-flow", Parents: []string{base},
		Files: files, Message: fmt.Sprintf("%s (#%d)", title, number)})
	for _, r := range reviews {
		f.srv.AddReview(number, r)
	}
	tree := maps.Clone(baseTree)
	maps.Copy(tree, edit)
	f.setTree(head, tree)
	f.setTree(merged, tree)
	return merged
}

// releaseStatus returns the latest release status on sha.
func (f *fixture) releaseStatus(sha string) (githubtest.Status, bool) {
	return f.srv.LatestStatus(sha, releaseContext)
}

// statusesOn are the statuses posted on sha, in order.
func (f *fixture) statusesOn(sha string) []githubtest.Status {
	var out []githubtest.Status
	for _, st := range f.srv.Statuses() {
		if st.SHA == sha {
			out = append(out, st)
		}
	}
	return out
}

func (f *releaseFixture) setTree(sha string, tree map[string][]byte) {
	f.trees[sha] = tree
	for name, data := range tree {
		f.srv.SetContent(sha, name, data)
	}
}

// pushTag writes the push event of a new tag.
func (f *releaseFixture) pushTag(tag, sha string) {
	f.editEvent("push", "push.json", func(p map[string]any) {
		p["ref"], p["after"], p["created"], p["deleted"] = "refs/tags/"+tag, sha, true, false
	})
}

// publish writes the release event of a published release of tag.
func (f *releaseFixture) publish(tag string) {
	f.editEvent("release", "release.published.json", func(p map[string]any) {
		p["release"].(map[string]any)["tag_name"] = tag
	})
}

// dispatch writes a manual run on the main branch, whose tip is not the
// release (a later commit), naming tag in release-ref.
func (f *releaseFixture) dispatch(tag string) {
	f.rawEvent("workflow_dispatch", "workflow_dispatch.json")
	f.input("release-ref", tag)
	f.env["GITHUB_SHA"] = githubtest.SHA("main-after-release")
}

// TestReleaseApproved gates a clean release on each release event: approved,
// the job passes, the status says success on the released commit, and every
// output is set, with the decision record and the release note written.
func TestReleaseApproved(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		event func(f *releaseFixture)
		// checkout is whether the workspace is the released commit's
		// checkout; else the release's files are read through the API.
		checkout bool
	}{
		{name: "a tag push", event: func(f *releaseFixture) { f.pushTag("v2.4.0", v240SHA) }, checkout: true},
		{name: "a published release", event: func(f *releaseFixture) { f.publish("v2.4.0") }, checkout: true},
		{name: "a manual run on another commit", event: func(f *releaseFixture) { f.dispatch("refs/tags/v2.4.0") }},
		{name: "a tag push without a checkout", event: func(f *releaseFixture) {
			f.pushTag("v2.4.0", v240SHA)
			if err := os.RemoveAll(f.workspace); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newReleaseFixture(t, true)
			tc.event(f)
			o := f.run()
			if o.code != 0 {
				t.Fatalf("exit %d, want 0\n%s", o.code, o.stdout)
			}
			if o.outputs["decision"] != "approved" || o.outputs["clinical-changes"] != "1" || o.outputs["violations"] != "[]" {
				t.Errorf("outputs %v, want approved with 1 clinical change and no violations", o.outputs)
			}
			if o.decision["decision"] != "approved" || o.decision["head_sha"] != v240SHA || o.decision["release"] != "2.4.0" {
				t.Errorf("decision file: %v %v %v, want approved, the released commit, 2.4.0", o.decision["decision"], o.decision["head_sha"], o.decision["release"])
			}
			st, ok := f.releaseStatus(v240SHA)
			if !ok || st.State != "success" || st.TargetURL != runURL {
				t.Errorf("status %s on the released commit = %+v (found %v), want success linking to the run", releaseContext, st, ok)
			}
			if n := len(f.statusesOn(v240SHA)); n != 1 {
				t.Errorf("%d statuses, want 1: the release's, not the pull-request gate's %s", n, DefaultStatusContext)
			}
			for _, want := range []string{"Clinical safety release gate: approved", "| #11 Allergy banner colour and wording |", "## Release sign-off"} {
				if !strings.Contains(o.summary, want) {
					t.Errorf("the job summary lacks %q:\n%s", want, o.summary)
				}
			}
			if !strings.Contains(o.stdout, "Clinical safety decision for release v2.4.0 at "+v240SHA[:7]+": approved") {
				t.Errorf("the log does not name the release:\n%s", o.stdout)
			}
			rec := o.record(t)
			if rec.Decision.Decision != "approved" || rec.Context.EventName != f.env["GITHUB_EVENT_NAME"] || rec.Context.RunURL != runURL ||
				rec.Request.HeadSHA != githubtest.SHA("pr-15-head") || rec.Request.TrustedSide != "the released commit "+v240SHA[:7] {
				t.Errorf("record: decision %s, context %+v, head %s, trusted side %q", rec.Decision.Decision, rec.Context, rec.Request.HeadSHA, rec.Request.TrustedSide)
			}
			note := string(readFile(t, o.outputs["release-note"]))
			for _, want := range []string{"# Clinical safety release note: Example EPR 2.4.0", "**approved**", "octo-org/clinical-app", runURL, "CHG-101", "HAZ-003"} {
				if !strings.Contains(note, want) {
					t.Errorf("the release note lacks %q:\n%s", want, note)
				}
			}
			if filepath.Base(o.outputs["release-note"]) != ReleaseNoteFile || !strings.HasPrefix(o.outputs["release-note"], f.env["RUNNER_TEMP"]) {
				t.Errorf("release-note = %s, want %s under RUNNER_TEMP", o.outputs["release-note"], ReleaseNoteFile)
			}
			for out, name := range map[string]string{"safety-case": SafetyCaseFile, "safety-case-html": SafetyCaseHTMLFile} {
				if filepath.Dir(o.outputs[out]) != filepath.Dir(o.outputs["release-note"]) || filepath.Base(o.outputs[out]) != name {
					t.Errorf("%s = %s, want %s beside the release note", out, o.outputs[out], name)
				}
			}
			if sc := string(readFile(t, o.outputs["safety-case"])); !strings.Contains(sc, "# Clinical Safety Case Report addendum: Example EPR v2.4.0") || !strings.Contains(sc, "**SIGNED OFF**") {
				t.Errorf("the safety case addendum of an approved release:\n%s", sc)
			}
			if c := f.srv.Comments(prNumber); len(c) > 0 {
				t.Errorf("release mode commented: %+v", c)
			}
			logAtTag, manifestAtTag := 0, false
			for _, r := range f.srv.Requests() {
				if strings.HasSuffix(r.Path, "/contents/safety/hazard-log.yaml") && r.Query.Get("ref") == v240SHA {
					logAtTag++
				}
				manifestAtTag = manifestAtTag || (strings.HasSuffix(r.Path, "/contents/safety/changes.yaml") && r.Query.Get("ref") == v240SHA)
			}
			if manifestAtTag == tc.checkout {
				t.Errorf("manifest read at the tag through the API: %v; want %v", manifestAtTag, !tc.checkout)
			}
			// The trusted side (the released commit) names the product
			// officer scope is checked against: one read of its hazard log,
			// which the release's files reuse without a checkout.
			if logAtTag != 1 {
				t.Errorf("hazard log read at the tag through the API %d times; want once", logAtTag)
			}
		})
	}
}

// TestReleaseRequests counts a release's API calls: tags 1, whether v2.3.0's
// release passed 1, compare 1, the pull requests of #15's and #11's merge
// commits 2 (their branch commits are known from them), per pull request its
// reviews, files, commits and events 2×4, the hazard log, manifest and
// components map at each head 2×3, the manifest, configuration and register
// at each base 2×3, the files of the two merge commits on the first-parent
// line 2 (do they change more than their pull requests?), the configuration
// and register at the released commit 2, the trusted hazard log (the
// product officer scope is checked against) at each base and at the released
// commit 3, the file tree of each evaluated commit whose evaluation touches
// a hazard (#11's head and the released commit; #15 touches none, so its
// tree is never asked for) 2, each pull request's comments (emergency
// overrides and retrospective reviews) 2, and the status 1: 37. Before the
// range rule it was 27; before the hazard-component and control-evidence
// checks and the comments, 33. The configuration has no emergency section,
// so neither the retrospective issues nor the previous release's statuses
// (the retrospective chain) are read, and no chain status is written: a
// release that allows overrides adds one list of statuses when an earlier
// release passed, and one write per outstanding override when it passes
// (TestReleasePostsTheRetrospectiveChain, TestRetrospectiveChainOutlivesTheReminder).
func TestReleaseRequests(t *testing.T) {
	t.Parallel()
	f := newReleaseFixture(t, true)
	f.pushTag("v2.4.0", v240SHA)
	if o := f.run(); o.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", o.code, o.stdout)
	}
	var got []string
	seen := map[string]bool{}
	for _, r := range f.srv.Requests() {
		if seen[r.String()] {
			t.Errorf("repeated request: %s", r)
		}
		seen[r.String()] = true
		got = append(got, r.String())
	}
	if len(got) != 37 {
		t.Errorf("%d requests, want 37:\n%s", len(got), strings.Join(got, "\n"))
	}
	if w := f.srv.Writes(); len(w) != 1 || w[0].Path != f.srv.RepoPath()+"/statuses/"+v240SHA {
		t.Errorf("writes %v, want the status on the released commit only", w)
	}
}

// TestReleaseBlocked: a pull request of the release without a CSO's approval
// blocks the release and fails the job, so the deployment does not run; the
// status on the released commit is failure, never pending.
func TestReleaseBlocked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		failOnBlock string
		code        int
	}{
		{name: "the job fails", failOnBlock: "true", code: 1},
		{name: "fail-on-block false passes the job, not the status", failOnBlock: "false", code: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newReleaseFixture(t, false)
			f.pushTag("v2.4.0", v240SHA)
			f.input("fail-on-block", tc.failOnBlock)
			o := f.run()
			if o.code != tc.code {
				t.Errorf("exit %d, want %d\n%s", o.code, tc.code, o.stdout)
			}
			if o.outputs["decision"] != "blocked" || !slices.Contains(o.violationCodes(), "CSO_APPROVAL_REQUIRED") {
				t.Errorf("decision %q, violations %v; want blocked with CSO_APPROVAL_REQUIRED", o.outputs["decision"], o.violationCodes())
			}
			var violations []map[string]any
			if err := json.Unmarshal([]byte(o.outputs["violations"]), &violations); err != nil || len(violations) == 0 ||
				!strings.HasPrefix(violations[0]["message"].(string), "#11: ") {
				t.Errorf("violations output %s (%v), want #11's missing approval", o.outputs["violations"], err)
			}
			if st, ok := f.releaseStatus(v240SHA); !ok || st.State != "failure" || !strings.HasPrefix(st.Description, "Blocked: CSO_APPROVAL_REQUIRED") {
				t.Errorf("status on the released commit = %+v (found %v), want failure naming CSO_APPROVAL_REQUIRED", st, ok)
			}
			if !strings.Contains(o.summary, "### What #11 is missing") {
				t.Errorf("the summary does not say what #11 is missing:\n%s", o.summary)
			}
			if !strings.Contains(o.stdout, "::error title=CSO_APPROVAL_REQUIRED::#11: ") {
				t.Errorf("no error annotation for #11:\n%s", o.stdout)
			}
			if rec := o.record(t); rec.Decision.Decision != "blocked" || rec.ExitCode != 1 {
				t.Errorf("record: %s exit %d, want blocked exit 1", rec.Decision.Decision, rec.ExitCode)
			}
			if note := string(readFile(t, o.outputs["release-note"])); !strings.Contains(note, "**blocked**") {
				t.Errorf("the release note does not say blocked:\n%s", note)
			}
		})
	}
}

// TestReleaseFailures: a release the gate cannot evaluate or report is
// blocked, fails the job, and says why; a status goes on the released commit
// when it is known.
func TestReleaseFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(f *releaseFixture)
		code    int
		state   string // "" for no status
		message []string
	}{
		{
			name: "GitHub fails while listing the release's commits",
			setup: func(f *releaseFixture) {
				f.srv.FailAlways("GET", f.srv.RepoPath()+"/compare/", githubtest.BadGateway())
			},
			code:    3,
			state:   "error",
			message: []string{"GITHUB_UNAVAILABLE", "comparing v2.3.0 with v2.4.0"},
		},
		{
			name: "no permission to read whether the previous release passed",
			setup: func(f *releaseFixture) {
				f.srv.FailAlways("GET", f.srv.RepoPath()+"/commits/"+initialSHA+"/status", githubtest.Forbidden())
			},
			code:    3,
			state:   "error",
			message: []string{"reading whether the release v2.3.0 passed the gate", `"statuses: read"`, releasePermissionsBlock},
		},
		{
			name: "no permission to post the status",
			setup: func(f *releaseFixture) {
				f.srv.FailAlways("POST", f.srv.RepoPath()+"/statuses/", githubtest.Forbidden())
			},
			code:    3,
			message: []string{`"statuses: write"`, releasePermissionsBlock},
		},
		{
			name:    "no permission to read the pull requests",
			setup:   func(f *releaseFixture) { f.srv.FailAlways("GET", f.srv.RepoPath()+"/pulls/", githubtest.Forbidden()) },
			code:    3,
			state:   "error",
			message: []string{`"pull-requests: read"`, releasePermissionsBlock},
		},
		{
			name:    "a tag that does not exist",
			setup:   func(f *releaseFixture) { f.dispatch("v9.9.9") },
			code:    2,
			message: []string{"INPUT_INVALID", "v9.9.9 is not a tag of octo-org/clinical-app"},
		},
		{
			name:    "since names neither a tag nor a commit",
			setup:   func(f *releaseFixture) { f.input("since", "last-release") },
			code:    2,
			state:   "failure",
			message: []string{"since: last-release is neither a tag"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newReleaseFixture(t, true)
			f.pushTag("v2.4.0", v240SHA)
			tc.setup(f)
			o := f.run()
			if o.code != tc.code || o.outputs["decision"] != "blocked" {
				t.Errorf("exit %d, decision %q; want %d, blocked\n%s", o.code, o.outputs["decision"], tc.code, o.stdout)
			}
			st, ok := f.releaseStatus(v240SHA)
			switch {
			case tc.state == "" && ok:
				t.Errorf("a status was posted: %+v", st)
			case tc.state != "" && (!ok || st.State != tc.state):
				t.Errorf("status = %+v (found %v), want %s", st, ok, tc.state)
			}
			for _, m := range tc.message {
				if !strings.Contains(o.stdout, m) {
					t.Errorf("the log lacks %q:\n%s", m, o.stdout)
				}
			}
			if o.outputs["record-file"] == "" || o.outputs["release-note"] == "" || o.outputs["safety-case"] == "" || o.outputs["safety-case-html"] == "" {
				t.Errorf("outputs %v, want the record, the release note and the safety case addendum of the failed release", o.outputs)
			} else if sc := string(readFile(t, o.outputs["safety-case"])); !strings.Contains(sc, "NOT SIGNED OFF") {
				t.Errorf("the safety case addendum of a failed release does not say NOT SIGNED OFF:\n%s", sc)
			}
		})
	}
}

// TestEvidenceUnwritable: a decision record that cannot be written is an
// operational failure, and a success already posted is taken back.
func TestEvidenceUnwritable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T) *fixture
		sha   string
	}{
		{name: "a pull request", sha: headSHA, setup: func(t *testing.T) *fixture {
			f := newFixture(t)
			f.approve(alice, aliceID)
			return f
		}},
		{name: "a release", sha: v240SHA, setup: func(t *testing.T) *fixture {
			f := newReleaseFixture(t, true)
			f.pushTag("v2.4.0", v240SHA)
			return f.fixture
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := tc.setup(t)
			writeFile(t, filepath.Join(f.env["RUNNER_TEMP"], RecordDir), []byte("a file where the record's directory goes"))
			o := f.run()
			if o.code != 3 || o.outputs["decision"] != "blocked" || !strings.Contains(o.outputs["violations"], "GATE_ERROR") {
				t.Errorf("exit %d, outputs %v; want 3, blocked with GATE_ERROR", o.code, o.outputs)
			}
			if !strings.Contains(o.stdout, "::error::csogate: writing the evidence: ") {
				t.Errorf("the log does not say the record failed:\n%s", o.stdout)
			}
			if _, ok := o.outputs["record-file"]; ok {
				t.Errorf("record-file is set to %q although no record was written", o.outputs["record-file"])
			}
			statuses := f.statusesOn(tc.sha)
			if tc.sha == headSHA && len(statuses) > 0 && statuses[0].State == "pending" {
				statuses = statuses[1:] // a pull-request run starts pending
			}
			if len(statuses) != 2 || statuses[0].State != "success" || statuses[1].State != "error" || statuses[1].SHA != tc.sha {
				t.Errorf("statuses = %+v, want success taken back by error", statuses)
			}
		})
	}
}

// TestPullRequestRecordReplays: the decision record of a pull-request run is
// what an auditor replays offline, from a checkout of the head, to the same
// decision.
func TestPullRequestRecordReplays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	o := f.run()
	if o.code != 0 {
		t.Fatalf("exit %d\n%s", o.code, o.stdout)
	}
	rec := o.record(t)
	if rec.Context.PullRequest != prNumber || rec.Context.EventName != "pull_request" || rec.Context.Repository != "octo-org/clinical-app" ||
		rec.Tool.Version != "test" || rec.Request.HeadSHA != headSHA || len(rec.Approvals) != 1 || rec.Approvals[0].ReviewerID != aliceID {
		t.Errorf("record: context %+v, tool %+v, head %s, approvals %+v", rec.Context, rec.Tool, rec.Request.HeadSHA, rec.Approvals)
	}
	for _, out := range []string{"safety-case", "safety-case-html"} {
		if _, ok := o.outputs[out]; ok {
			t.Errorf("a pull request run set %s", out)
		}
	}
	if _, ok := o.outputs["release-note"]; ok {
		t.Errorf("a pull request run set release-note")
	}
	replay, err := evidence.Replay(context.Background(), filepath.Dir(o.outputs["record-file"]), f.workspace)
	if err != nil {
		t.Fatal(err)
	}
	if !replay.Matches() || replay.ExitCode() != 0 {
		t.Errorf("the replay differs: %v", replay.Differences)
	}
}

// TestReleaseStatusStartsTheNextRange closes the loop: the status a release
// run posts is what the next release reads. A v2.4.0 that passed starts
// v2.5.0's range; a v2.4.0 that was blocked does not, so #11, which blocked
// it, is judged again in v2.5.0.
func TestReleaseStatusStartsTheNextRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		bannerApproved bool
		wantDecision   string
		wantRange      string
	}{
		{"v2.4.0 passed", true, "approved", "Range: the commits after v2.4.0 (" + v240SHA[:7] + ")"},
		{"v2.4.0 was blocked", false, "blocked", "Range: the commits after v2.3.0 (" + initialSHA[:7] + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newReleaseFixture(t, tc.bannerApproved)
			f.pushTag("v2.4.0", v240SHA)
			f.run()

			docs := f.merge(16, "Developer notes", v240SHA, f.trees[v240SHA], map[string][]byte{"docs/notes.md": []byte("notes\n")},
				[]githubtest.File{{Path: "docs/notes.md"}}, nil)
			manifest := strings.Replace(string(f.trees[docs]["safety/changes.yaml"]), "release: 2.4.0", "release: 2.5.0", 1)
			v250 := f.merge(17, "Release 2.5.0", docs, f.trees[docs], map[string][]byte{"safety/changes.yaml": []byte(manifest)},
				[]githubtest.File{{Path: "safety/changes.yaml"}}, []githubtest.Review{{Login: alice, UserID: aliceID, State: "APPROVED"}})
			f.srv.AddTag("v2.5.0", v250)
			f.pushTag("v2.5.0", v250)
			f.env["GITHUB_SHA"] = v250
			if err := os.RemoveAll(f.workspace); err != nil { // the job's checkout is of v2.4.0: read v2.5.0 through the API
				t.Fatal(err)
			}
			o := f.run()
			if o.outputs["decision"] != tc.wantDecision || !strings.Contains(o.summary, tc.wantRange) {
				t.Errorf("v2.5.0: decision %s, violations %v; want %s, and the summary to say %q:\n%s",
					o.outputs["decision"], o.violationCodes(), tc.wantDecision, tc.wantRange, o.summary)
			}
			if st, ok := f.releaseStatus(v250); !ok || st.State != map[bool]string{true: "success", false: "failure"}[tc.bannerApproved] {
				t.Errorf("v2.5.0's release status = %+v (found %v)", st, ok)
			}
		})
	}
}
