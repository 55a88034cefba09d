package action

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/release"
)

const retroTitle7 = "Retrospective CSO review due: #7"

// retroIssues are the server's issues titled title.
func retroIssuesTitled(f *fixture, title string) []githubtest.Issue {
	var out []githubtest.Issue
	for _, is := range f.srv.Issues() {
		if is.Title == title {
			out = append(out, is)
		}
	}
	return out
}

// TestRetrospectiveIssueOnOverride: the run that lets a head through on an
// override opens one issue, labelled and assigned to the CSOs who could
// review it (not the emergency approver), saying who overrode, as what,
// why, which commit and by when; a re-run finds and keeps that issue
// rather than opening another; a token without issues: write gets a
// warning, and the decision stands.
func TestRetrospectiveIssueOnOverride(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withEmergency()
	f.overrideComment(director, directorID, headSHA, false)
	o := f.run()
	if o.code != 0 || o.decision["decision"] != "approved" {
		t.Fatalf("exit %d, decision %v\n%s", o.code, o.decision["decision"], o.stdout)
	}
	issues := retroIssuesTitled(f.fixture(), retroTitle7)
	if len(issues) != 1 {
		t.Fatalf("issues %+v; want one titled %q", f.srv.Issues(), retroTitle7)
	}
	is := issues[0]
	if is.State != "open" || !slices.Equal(is.Labels, []string{release.RetrospectiveLabel}) || is.Author != githubtest.ActionsBot {
		t.Errorf("issue %+v", is)
	}
	if !slices.Contains(is.Assignees, alice) || slices.Contains(is.Assignees, director) {
		t.Errorf("assignees %q; want the CSOs who could review, %s among them, and not the emergency approver", is.Assignees, alice)
	}
	if is.Body == nil {
		t.Fatal("issue has no body")
	}
	for _, want := range []string{"Dr Jo Example", "Medical Director", "Sepsis alert outage in ED", headSHA, "2026-11-27", "/csogate retrospective " + headSHA} {
		if !strings.Contains(*is.Body, want) {
			t.Errorf("issue body lacks %q:\n%s", want, *is.Body)
		}
	}

	// A re-run (the same event again) keeps the one issue.
	f.srv.ResetRequests()
	if o = f.run(); o.code != 0 {
		t.Fatalf("re-run: exit %d", o.code)
	}
	if n := len(retroIssuesTitled(f.fixture(), retroTitle7)); n != 1 {
		t.Errorf("%d issues after a re-run; want the one", n)
	}
	for _, w := range f.srv.Writes() {
		if strings.Contains(w.Path, "/issues") && !strings.Contains(w.Path, "/comments") {
			t.Errorf("the re-run wrote %s; the issue already says it all", w)
		}
	}
}

// fixture returns the fixture itself (for helpers shared with releases).
func (f *fixture) fixture() *fixture { return f }

// TestRetrospectiveIssueWithoutPermission: GitHub refuses the issue (the job
// has no issues: write): the run warns, naming the permission, and the
// override's approval stands, with its success status.
func TestRetrospectiveIssueWithoutPermission(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withEmergency()
	f.overrideComment(director, directorID, headSHA, false)
	f.srv.FailAlways("POST", f.srv.RepoPath()+"/issues$", githubtest.Forbidden())
	o := f.run()
	if o.code != 0 || o.decision["decision"] != "approved" {
		t.Fatalf("exit %d, decision %v\n%s", o.code, o.decision["decision"], o.stdout)
	}
	if st, _ := f.status(headSHA); st.State != "success" {
		t.Errorf("status %s; want success", st.State)
	}
	if !strings.Contains(o.stdout, "::warning") || !strings.Contains(o.stdout, "issues: write") || !strings.Contains(o.summary, "could not be written") {
		t.Errorf("no warning naming issues: write:\n%s\nsummary:\n%s", o.stdout, o.summary)
	}
	if len(f.srv.Issues()) != 0 {
		t.Errorf("issues %+v", f.srv.Issues())
	}
}

// TestOverrideRunRequests pins what a pull-request run with an override
// asks GitHub beyond a run without one: the issues with the label once (for
// overdue reviews, and to find this pull request's issue), then the issue
// created and its assignees added: 3.
func TestOverrideRunRequests(t *testing.T) {
	t.Parallel()
	count := func(override bool) int {
		f := newFixture(t)
		f.withEmergency()
		if override {
			f.overrideComment(director, directorID, headSHA, false)
		}
		f.run()
		return len(f.srv.Requests())
	}
	plain, overridden := count(false), count(true)
	if testing.Verbose() {
		for _, o := range []bool{false, true} {
			f := newFixture(t)
			f.withEmergency()
			if o {
				f.overrideComment(director, directorID, headSHA, false)
			}
			f.run()
			for _, r := range f.srv.Requests() {
				t.Logf("override %v: %s", o, r)
			}
		}
	}
	// Without an override the emergency section still costs the one list.
	withoutEmergency := func() int { f := newFixture(t); f.run(); return len(f.srv.Requests()) }()
	if plain != withoutEmergency+1 {
		t.Errorf("with the emergency section and no override: %d requests; want %d + 1 (the issues list)", plain, withoutEmergency)
	}
	// The override approves: no review request is made (the blocked run
	// asks for the requested reviewers and requests them: 2 fewer), the
	// head is read again before the success (1 more), and the issue is
	// created and assigned (2 more).
	if overridden != plain-2+1+2 {
		t.Errorf("with an override: %d requests; want %d", overridden, plain-2+1+2)
	}
}

// retroAt is when the retrospective comments of the release fixtures are
// posted: after the override and the merge.
var retroAt = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// retroDay is when the release fixtures' pull requests merge.
var retroMerged = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

// overriddenRelease is a release fixture whose #11 (a clinical change with
// no CSO approval) merged on 2026-11-24 on the medical director's override
// of its head, under a configuration with review_within_days 3: the review
// is due by 2026-11-27.
func overriddenRelease(t *testing.T) *releaseFixture {
	t.Helper()
	cfg := append(readFile(t, "testdata/repo/safety/csogate.yaml"), emergency...)
	f := newReleaseFixtureWith(t, false, retroMerged, map[string][]byte{"safety/csogate.yaml": cfg})
	f.srv.AddComment(11, githubtest.Comment{Login: director, UserID: directorID, CreatedAt: overrideTime, UpdatedAt: overrideTime,
		Body: fmt.Sprintf("/csogate override %s: %s", githubtest.SHA("pr-11-head"), overReason)})
	return f
}

// releaseNote reads the release note the run wrote.
func releaseNote(t *testing.T, o *outcome) string {
	t.Helper()
	return string(readFile(t, o.outputs["release-note"]))
}

// nextRelease merges #16, preparing release 2.5.0 (a CSO approves it), and
// pushes its tag: #11 is outside its range.
func (f *releaseFixture) nextRelease() string {
	tree := maps.Clone(f.trees[v240SHA])
	manifest := bytes.Replace(tree["safety/changes.yaml"], []byte("release: 2.4.0"), []byte("release: 2.5.0"), 1)
	tip := f.merge(16, "Release 2.5.0", v240SHA, tree, map[string][]byte{"safety/changes.yaml": manifest},
		[]githubtest.File{{Path: "safety/changes.yaml"}}, []githubtest.Review{{Login: alice, UserID: aliceID, State: "APPROVED"}})
	f.srv.AddTag("v2.5.0", tip)
	f.pushTag("v2.5.0", tip)
	return tip
}

func violationsOf(o *outcome) string { return o.outputs["violations"] }

func overridesOf(t *testing.T, o *outcome) []map[string]any {
	t.Helper()
	var out []map[string]any
	list, _ := o.decision["overrides"].([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// replays checks that the run's record replays offline to its decision.
func replays(t *testing.T, o *outcome) {
	t.Helper()
	res, err := evidence.Replay(context.Background(), filepath.Dir(o.outputs["record-file"]), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Matches() || res.ExitCode() != o.code || res.Decision.Decision != o.outputs["decision"] || len(res.Decision.Overrides) != len(overridesOf(t, o)) {
		t.Errorf("the replay derives %s exit %d (%d overrides), the run %s exit %d; differences %q",
			res.Decision.Decision, res.ExitCode(), len(res.Decision.Overrides), o.outputs["decision"], o.code, res.Differences)
	}
}

// TestReleaseWithAnOverrideNotYetDue: the release containing the overridden
// #11 passes, warns EMERGENCY_OVERRIDE, and lists the override with its
// review due by 2026-11-27 (merged_at + 3 calendar days, UTC) in the
// decision and the release note; the run opens #11's issue; the record
// replays to the same decision.
func TestReleaseWithAnOverrideNotYetDue(t *testing.T) {
	t.Parallel()
	f := overriddenRelease(t)
	f.pushTag("v2.4.0", v240SHA)
	o := f.run()
	if o.code != 0 || o.outputs["decision"] != "approved" {
		t.Fatalf("exit %d, decision %s, violations %s\n%s", o.code, o.outputs["decision"], violationsOf(o), o.stdout)
	}
	ov := overridesOf(t, o)
	if len(ov) != 1 || ov[0]["pull"] != float64(11) || ov[0]["status"] != "due" || ov[0]["in_range"] != true ||
		ov[0]["override"].(map[string]any)["review_due"] != "2026-11-27" {
		t.Errorf("overrides %v; want #11 due by 2026-11-27", ov)
	}
	warned := false
	for _, w := range o.decision["warnings"].([]any) {
		w := w.(map[string]any)
		warned = warned || w["code"] == "EMERGENCY_OVERRIDE" && strings.Contains(w["message"].(string), "#11: ") && strings.Contains(w["message"].(string), "due by 2026-11-27")
	}
	if !warned {
		t.Errorf("no EMERGENCY_OVERRIDE warning for #11: %v", o.decision["warnings"])
	}
	if note := releaseNote(t, o); !strings.Contains(note, "## Emergency overrides") || !strings.Contains(note, "due by 2026-11-27") {
		t.Errorf("release note:\n%s", note)
	}
	if is := retroIssuesTitled(f.fixture, "Retrospective CSO review due: #11"); len(is) != 1 || is[0].State != "open" || !strings.Contains(is[0].BodyText(), "Review due by: 2026-11-27") {
		t.Errorf("#11's issue: %+v", is)
	}
	f.srv.Close()
	replays(t, o)
}

// overdueRelease is overriddenRelease after v2.4.0 passed on 2026-11-25
// (opening #11's issue), with release 2.5.0 tagged and gated on 2026-12-01:
// #11 is outside its range and its review is overdue.
func overdueRelease(t *testing.T) *releaseFixture {
	t.Helper()
	f := overriddenRelease(t)
	f.pushTag("v2.4.0", v240SHA)
	if o := f.run(); o.code != 0 {
		t.Fatalf("v2.4.0: exit %d, violations %s", o.code, violationsOf(o))
	}
	f.nextRelease()
	f.today = "2026-12-01"
	return f
}

// TestReleaseBlockedByAnOverdueReview: a later release, whose range does
// not hold #11, is blocked by #11's overdue review, found through its issue
// and re-checked on #11 itself; the violation names the pull request, the
// override, the deadline and how to clear it; the record replays.
func TestReleaseBlockedByAnOverdueReview(t *testing.T) {
	t.Parallel()
	f := overdueRelease(t)
	o := f.run()
	v := violationsOf(o)
	if o.code != 1 || o.outputs["decision"] != "blocked" || !strings.Contains(v, "EMERGENCY_REVIEW_OVERDUE") {
		t.Fatalf("exit %d, decision %s, violations %s", o.code, o.outputs["decision"], v)
	}
	for _, want := range []string{"#11", "Dr Jo Example", "by 2026-11-27", "approves #11", "/csogate retrospective " + githubtest.SHA("pr-11-head")} {
		if !strings.Contains(v, want) {
			t.Errorf("the violation does not say %q: %s", want, v)
		}
	}
	ov := overridesOf(t, o)
	if len(ov) != 1 || ov[0]["in_range"] != false || ov[0]["status"] != "overdue" {
		t.Errorf("overrides %v", ov)
	}
	if is := retroIssuesTitled(f.fixture, "Retrospective CSO review due: #11"); len(is) != 1 || !strings.Contains(is[0].BodyText(), "OVERDUE") {
		t.Errorf("#11's issue: %+v", is)
	}
	f.srv.Close()
	replays(t, o)
}

// TestRetrospectiveReviewClearsTheOverdue: a counted CSO's approving review
// of #11's merged head, or their retrospective comment on it, clears the
// overdue review: the release passes, says who reviewed, and the issue is
// closed.
func TestRetrospectiveReviewClearsTheOverdue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		review func(f *releaseFixture)
		via    string
	}{
		{"an approving review of the merged head", func(f *releaseFixture) {
			f.srv.AddReview(11, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("pr-11-head")})
		}, "review"},
		{"a retrospective comment reporting a problem", func(f *releaseFixture) {
			f.srv.AddComment(11, githubtest.Comment{Login: niamh, UserID: niamhID, CreatedAt: retroAt, UpdatedAt: retroAt,
				Body: "/csogate retrospective " + githubtest.SHA("pr-11-head") + ": banner wording is ambiguous; follow-up CHG-140 raised"})
		}, "comment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			tc.review(f)
			o := f.run()
			if o.code != 0 || o.outputs["decision"] != "approved" {
				t.Fatalf("exit %d, decision %s, violations %s", o.code, o.outputs["decision"], violationsOf(o))
			}
			is := retroIssuesTitled(f.fixture, "Retrospective CSO review due: #11")
			if len(is) != 1 || is[0].State != "closed" || !strings.Contains(is[0].BodyText(), "**Reviewed** by") {
				t.Errorf("#11's issue: %+v", is)
			}
			if tc.via == "comment" && !strings.Contains(is[0].BodyText(), "banner wording is ambiguous") {
				t.Errorf("the finding is not quoted:\n%s", is[0].BodyText())
			}
		})
	}
}

// TestRetrospectiveThatDoesNotCount: the release stays blocked when the
// issue is closed by hand, or the retrospective comment is by someone who is
// not a counted CSO for #11 (not registered; a CSO who committed to #11),
// was edited, or names another commit; the violation says why each did not
// count.
func TestRetrospectiveThatDoesNotCount(t *testing.T) {
	t.Parallel()
	head11 := githubtest.SHA("pr-11-head")
	for _, tc := range []struct {
		name  string
		setup func(f *releaseFixture)
		why   string
	}{
		{"the issue closed by hand", func(f *releaseFixture) {
			f.srv.CloseIssue(retroIssuesTitled(f.fixture, "Retrospective CSO review due: #11")[0].Number)
		}, ""},
		{"a comment by a developer, not a CSO", func(f *releaseFixture) {
			f.srv.AddComment(11, githubtest.Comment{Login: "dev-bob", CreatedAt: retroAt, UpdatedAt: retroAt, Body: "/csogate retrospective " + head11 + ": looks fine to me"})
		}, "@dev-bob is not a counted CSO"},
		{"a comment by the pull request's author", func(f *releaseFixture) {
			f.srv.AddComment(11, githubtest.Comment{Login: author, CreatedAt: retroAt, UpdatedAt: retroAt, Body: "/csogate retrospective " + head11 + ": I checked my own change"})
		}, "@" + author + " is not a counted CSO"},
		{"a comment by a CSO who committed to the pull request", func(f *releaseFixture) {
			f.srv.AddCommits(11, githubtest.Commit{SHA: githubtest.SHA("pr-11-niamh"), AuthorLogin: niamh, Message: "Tweak wording"})
			f.srv.AddComment(11, githubtest.Comment{Login: niamh, UserID: niamhID, CreatedAt: retroAt, UpdatedAt: retroAt, Body: "/csogate retrospective " + head11 + ": fine"})
		}, "@" + niamh + " is not a counted CSO"},
		{"an edited comment", func(f *releaseFixture) {
			at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
			f.srv.AddComment(11, githubtest.Comment{Login: niamh, UserID: niamhID, CreatedAt: at, UpdatedAt: at.Add(time.Hour),
				Body: "/csogate retrospective " + head11 + ": fine"})
		}, "edited"},
		// A CSO's approval or comment before the override is part of what
		// it overrode, not a review after it.
		{"a counted CSO's comment posted before the override", func(f *releaseFixture) {
			early := overrideTime.Add(-time.Minute)
			f.srv.AddComment(11, githubtest.Comment{Login: niamh, UserID: niamhID, CreatedAt: early, UpdatedAt: early, Body: "/csogate retrospective " + head11 + ": fine"})
		}, "posted before the override"},
		{"a comment naming a short sha", func(f *releaseFixture) {
			f.srv.AddComment(11, githubtest.Comment{Login: niamh, UserID: niamhID, CreatedAt: retroAt, UpdatedAt: retroAt, Body: "/csogate retrospective " + head11[:7] + ": fine"})
		}, "not a full commit sha"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			if o := f.run(); o.code != 1 {
				t.Fatalf("v2.5.0 before: exit %d", o.code)
			}
			tc.setup(f)
			o := f.run()
			v := violationsOf(o)
			if o.code != 1 || !strings.Contains(v, "EMERGENCY_REVIEW_OVERDUE") || !strings.Contains(v, tc.why) {
				t.Errorf("exit %d, violations %s; want EMERGENCY_REVIEW_OVERDUE saying %q", o.code, v, tc.why)
			}
			if tc.why == "" {
				// The gate reopens the reminder it finds closed without a review.
				if is := retroIssuesTitled(f.fixture, "Retrospective CSO review due: #11"); len(is) != 1 || is[0].State != "open" {
					t.Errorf("#11's issue: %+v", is)
				}
			}
		})
	}
}

// TestCSOStopsAnOverriddenPullRequestAfterItShipped: the retrospective
// reviewer finds a problem and requests changes on #11, shipped in an
// earlier release: every later release is blocked by it (no override
// clears a CSO's stop), naming #11.
func TestCSOStopsAnOverriddenPullRequestAfterItShipped(t *testing.T) {
	t.Parallel()
	f := overdueRelease(t)
	f.srv.AddReview(11, githubtest.Review{Login: niamh, UserID: niamhID, State: "CHANGES_REQUESTED", CommitID: githubtest.SHA("pr-11-head")})
	o := f.run()
	if v := violationsOf(o); o.code != 1 || !strings.Contains(v, "CSO_CHANGES_REQUESTED") || !strings.Contains(v, "#11 (merged in an earlier release") {
		t.Errorf("exit %d, violations %s", o.code, v)
	}
}

// TestPullRequestWarnsOfAnOverdueReview: while #11's review is overdue by
// its open issue, every pull request's decision warns
// EMERGENCY_REVIEW_OVERDUE; the warning does not block it.
func TestPullRequestWarnsOfAnOverdueReview(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.withEmergency()
	f.srv.AddReview(prNumber, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED"})
	f.srv.AddIssue(githubtest.Issue{Title: "Retrospective CSO review due: #3", Labels: []string{release.RetrospectiveLabel}, Author: githubtest.ActionsBot,
		Body: githubtest.Text("<!-- csogate-retrospective pull=3 due=2026-11-20 status=overdue -->\nreminder")})
	// A person's issue with the same words is not the gate's, and is not read.
	f.srv.AddIssue(githubtest.Issue{Title: "Retrospective CSO review due: #4", Labels: []string{release.RetrospectiveLabel}, Author: "dev-bob",
		Body: githubtest.Text("<!-- csogate-retrospective pull=4 due=2026-11-20 status=overdue -->\nreminder")})
	o := f.run()
	if o.code != 0 || o.decision["decision"] != "approved" {
		t.Fatalf("exit %d, decision %v", o.code, o.decision["decision"])
	}
	var got []string
	for _, w := range o.decision["warnings"].([]any) {
		if w := w.(map[string]any); w["code"] == "EMERGENCY_REVIEW_OVERDUE" {
			got = append(got, w["message"].(string))
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "#3") || !strings.Contains(got[0], "2026-11-20") {
		t.Errorf("EMERGENCY_REVIEW_OVERDUE warnings %q; want one for #3", got)
	}
	// The record keeps what the issues said, so its replay warns alike.
	replay, err := evidence.Replay(context.Background(), filepath.Dir(o.outputs["record-file"]), f.workspace)
	if err != nil {
		t.Fatal(err)
	}
	if !replay.Matches() || len(replay.Decision.Warnings) != len(o.decision["warnings"].([]any)) {
		t.Errorf("the replay differs: %v", replay.Differences)
	}
}

// TestRetrospectiveIssueEditedByHandStillFound: a colleague with triage
// rights edits the title of #11's reminder (it is a reminder, editable by
// anyone who may label), so that it names another pull request or none: the
// gate's own marker in the body still names #11, so the release stays
// blocked by #11's overdue review. A GitHub outage while listing the
// reminders blocks the release (never a release judged without them),
// saying which permission to give.
func TestRetrospectiveIssueEditedByHandStillFound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		title string
	}{
		{"titled as another pull request", "Retrospective CSO review due: #3"},
		{"titled as nothing the gate reads", "Done (see chat)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			is := retroIssuesTitled(f.fixture, retroTitle11)
			if len(is) != 1 {
				t.Fatalf("#11's issue: %+v", is)
			}
			edited := is[0]
			edited.Title = tc.title
			f.srv.AddIssue(edited)
			o := f.run()
			if v := violationsOf(o); o.code != 1 || !strings.Contains(v, "EMERGENCY_REVIEW_OVERDUE") || !strings.Contains(v, "#11") {
				t.Errorf("exit %d, violations %s; want #11's EMERGENCY_REVIEW_OVERDUE", o.code, v)
			}
			// The run titles the reminder again rather than opening a second.
			if is := retroIssuesTitled(f.fixture, retroTitle11); len(is) != 1 || is[0].Number != edited.Number {
				t.Errorf("#11's issues after the run: %+v", is)
			}
		})
	}
	for _, tc := range []struct {
		name string
		resp githubtest.Response
		want string
	}{
		{"403", githubtest.Forbidden(), "issues: read"},
		{"502", githubtest.BadGateway(), "retrospective review issues"},
	} {
		t.Run("listing fails "+tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			f.srv.FailAlways("GET", f.srv.RepoPath()+"/issues$", tc.resp)
			o := f.run()
			if o.code < 2 || o.outputs["decision"] != "blocked" || !strings.Contains(o.stdout+violationsOf(o), tc.want) {
				t.Errorf("exit %d, decision %s, violations %s; want blocked saying %q\n%s", o.code, o.outputs["decision"], violationsOf(o), tc.want, o.stdout)
			}
		})
	}
}

const retroTitle11 = "Retrospective CSO review due: #11"

// TestOverrideCommentEditedAfterTheMerge: the emergency approver (or a
// maintainer, who may edit anyone's comment) edits or deletes the override
// comment of #11 after it shipped. Judged again, #11 has no override that
// applies and no counted CSO approval of its merged head; it must not drop
// out of the releases that follow, or the override's own author could erase
// its retrospective review. The release is blocked naming #11 until a
// counted CSO approves #11's merged head, which clears it.
func TestOverrideCommentEditedAfterTheMerge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"edited", "/csogate override " + githubtest.SHA("pr-11-head") + ": typo fixed in the reason, nothing else changed"},
		{"deleted", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			var id int64
			for _, c := range f.srv.Comments(11) {
				if strings.HasPrefix(c.Body, "/csogate override ") {
					id = c.ID
				}
			}
			f.srv.EditComment(11, id, tc.body)
			o := f.run()
			v := violationsOf(o)
			if o.code != 1 || !strings.Contains(v, "EMERGENCY_REVIEW_OVERDUE") || !strings.Contains(v, "#11") || !strings.Contains(v, "approves #11") {
				t.Fatalf("exit %d, violations %s; want EMERGENCY_REVIEW_OVERDUE naming #11 and how to clear it", o.code, v)
			}
			f.srv.Close()
			replays(t, o)
		})
	}
	t.Run("then a CSO approves the merged head", func(t *testing.T) {
		t.Parallel()
		f := overdueRelease(t)
		for _, c := range f.srv.Comments(11) {
			if strings.HasPrefix(c.Body, "/csogate override ") {
				f.srv.EditComment(11, c.ID, "")
			}
		}
		f.srv.AddReview(11, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("pr-11-head")})
		if o := f.run(); o.code != 0 {
			t.Errorf("exit %d, violations %s", o.code, violationsOf(o))
		}
	})
}

// TestPersonsRetrospectiveIssueCannotBlockReleases: anyone with triage
// rights may open an issue with the retrospective label. One that names a
// pull request merged before the gate judged anything (#4: a clinical
// change no CSO approved, and no override) must not hold every release
// hostage as an "overdue" review: the release reads the pull requests to
// judge again from its previous release's statuses and from the issues the
// gate itself opened (a bot's), never from a person's. The same issue opened
// by the gate's bot is still read.
func TestPersonsRetrospectiveIssueCannotBlockReleases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		author    string
		wantBlock bool
	}{
		{"opened by a person", "dev-bob", false},
		{"opened by the gate's bot", githubtest.ActionsBot, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := overdueRelease(t)
			// #11's review is done, so only #4 could block.
			f.srv.AddReview(11, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("pr-11-head")})
			head4 := githubtest.SHA("pr-4-head")
			f.srv.AddPull(githubtest.Pull{Number: 4, Title: "Banner tweak before the gate", Author: author, HeadSHA: head4, BaseSHA: initialSHA,
				Merged: true, MergeCommitSHA: githubtest.SHA("pr-4-merge"), MergedAt: retroMerged.Add(-30 * 24 * time.Hour)})
			f.srv.AddCommits(4, githubtest.Commit{SHA: head4, AuthorLogin: author, Message: "Banner tweak"})
			f.srv.AddFiles(4, githubtest.File{Path: "src/ui/allergy/banner.go"})
			tree := maps.Clone(f.trees[initialSHA])
			tree["safety/changes.yaml"] = []byte("release: 2.3.0\nchanges:\n  - id: CHG-099\n    summary: Banner tweak\n    clinical: true\n    hazards: [HAZ-003]\n    paths: [\"src/ui/allergy/**\"]\n    assessment: none\n")
			f.setTree(head4, tree)
			f.srv.AddIssue(githubtest.Issue{Title: "Retrospective CSO review due: #4", Labels: []string{release.RetrospectiveLabel}, Author: tc.author,
				Body: githubtest.Text("Please review.")})
			o := f.run()
			v := violationsOf(o)
			blocked := o.code == 1 && strings.Contains(v, "#4")
			if blocked != tc.wantBlock {
				t.Fatalf("exit %d, decision %s, violations %s; want blocked by #4: %v", o.code, o.outputs["decision"], v, tc.wantBlock)
			}
			if !tc.wantBlock && (o.code != 0 || o.outputs["decision"] != "approved") {
				t.Errorf("exit %d, decision %s, violations %s; want approved", o.code, o.outputs["decision"], v)
			}
		})
	}
}
