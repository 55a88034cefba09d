package action

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/safetyfile"
)

// issuesFixture is the fixture product with its hazard log kept as GitHub
// issues (input hazard-log: github-issues): the fixture's YAML log,
// exported as the issues the template keeps, in the fake GitHub, with a
// labelled pull request that the issues endpoint lists too.
func issuesFixture(t *testing.T) (*fixture, []hazardlog.NewIssue) {
	t.Helper()
	f := newFixture(t)
	log, _, problems := safetyfile.LoadHazardLog("hazard-log.yaml", readFile(t, "testdata/repo/safety/hazard-log.yaml"), safetyfile.Options{})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	data, _, err := hazardlog.ExportIssues(log, "hazard")
	if err != nil {
		t.Fatal(err)
	}
	var created []hazardlog.NewIssue
	mustUnmarshal(t, data, &created)
	f.input(inHazardLog, "github-issues")
	return f, created
}

func addIssues(f *fixture, created []hazardlog.NewIssue) {
	for i, is := range created {
		body := is.Body
		f.srv.AddIssue(githubtest.Issue{Number: i + 1, Title: is.Title, Body: &body, State: is.State, Labels: is.Labels})
	}
	f.srv.AddIssue(githubtest.Issue{Number: 40, Title: "Faster search", Labels: []string{"hazard"}, PullRequest: true})
}

// TestHazardIssuesPullRequest: the pull-request gate reads the hazard log
// kept as issues through the issues API, as it is now, and judges the
// pull request on it; the record keeps the listing.
func TestHazardIssuesPullRequest(t *testing.T) {
	t.Parallel()
	f, created := issuesFixture(t)
	addIssues(f, created)
	o := f.run()
	if o.code != 1 || !strings.Contains(strings.Join(o.violationCodes(), " "), "CSO_APPROVAL_REQUIRED") {
		t.Fatalf("exit %d, violations %v; want 1, blocked for a CSO:\n%s", o.code, o.violationCodes(), o.stdout)
	}
	if !strings.Contains(o.summary, "Wrong patient") {
		t.Errorf("the summary does not name the touched hazard read from the issues:\n%s", o.summary)
	}
	listed := 0
	for _, r := range f.srv.Requests() {
		if strings.HasSuffix(r.Path, "/issues") {
			listed++
			if r.Query.Get("labels") != "hazard" || r.Query.Get("state") != "all" {
				t.Errorf("the issues were listed with %s", r.Query.Encode())
			}
		}
		if strings.Contains(r.Path, "/contents/github-issues") {
			t.Errorf("the gate asked for a file named after the layout: %s", r.Path)
		}
	}
	if listed != 1 {
		t.Errorf("the issues were listed %d times, want once", listed)
	}
	rec := o.record(t)
	kept := false
	for _, in := range rec.Inputs {
		kept = kept || (in.Role == "hazard_log" && in.Side == "github" && in.Copy != "")
	}
	if !kept {
		t.Errorf("the record does not keep the issues: %+v", rec.Inputs)
	}
	// GitHub is gone and the issues may have changed since: the replay
	// judges the listing the record kept, with the head's checkout.
	f.srv.Close()
	res, err := evidence.Replay(context.Background(), filepath.Dir(o.outputs["record-file"]), f.workspace)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Matches() || res.ExitCode() != o.code {
		t.Errorf("the replay derives exit %d, the run %d; differences: %v", res.ExitCode(), o.code, res.Differences)
	}
}

// TestHazardIssuesForgedLabels: an issue edited to carry two severity
// labels (the CSO's and a lower one) is INPUT_INVALID naming the issue,
// never a choice of the lower.
func TestHazardIssuesForgedLabels(t *testing.T) {
	t.Parallel()
	f, created := issuesFixture(t)
	created[0].Labels = append(created[0].Labels, "severity-minor")
	addIssues(f, created)
	o := f.run()
	if o.code != 2 || !strings.Contains(o.stdout+o.summary, `issue #1 label "severity-minor"`) {
		t.Fatalf("exit %d, want 2 naming issue #1's second severity label:\n%s\n%s", o.code, o.stdout, o.summary)
	}
	if st, ok := f.status(headSHA); !ok || st.State == "success" {
		t.Errorf("status %+v: a forged log must never pass", st)
	}
}

func mustUnmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// issuesReleaseFixture is the release fixture (v2.3.0 passed; #11 and #15,
// which prepared v2.4.0, approved by a CSO) with its hazard log kept as
// GitHub issues (input hazard-log: github-issues), each issue last updated
// a day before v2.3.0's release passed; passedAt is when it did. The
// configuration names the product and the log's review date, which issues
// do not carry.
func issuesReleaseFixture(t *testing.T) (f *releaseFixture, created []hazardlog.NewIssue, passedAt time.Time) {
	t.Helper()
	cfg := append(readFile(t, "testdata/repo/safety/csogate.yaml"), "product: Example EPR\nhazard_log_reviewed: 2026-10-01\n"...)
	f = newReleaseFixtureWith(t, true, time.Time{}, map[string][]byte{"safety/csogate.yaml": cfg})
	st, ok := f.releaseStatus(initialSHA)
	if !ok {
		t.Fatal("v2.3.0 has no release status")
	}
	passedAt = st.CreatedAt
	_, created = issuesFixture(t)
	for i, is := range created {
		body := is.Body
		f.srv.AddIssue(githubtest.Issue{Number: 101 + i, Title: is.Title, Body: &body, State: is.State, Labels: is.Labels,
			CreatedAt: passedAt.Add(-24 * time.Hour), UpdatedAt: passedAt.Add(-24 * time.Hour)})
	}
	f.input(inHazardLog, "github-issues")
	f.srv.ResetRequests()
	return f, created, passedAt
}

// TestHazardIssuesRelease: release mode lists the hazard issues once for
// the whole release; an issue relabelled to a lower severity since the
// previous release passed is listed in the summary and the decision with
// its link, and the release passes only on the CSO's sign-off (#15's
// approval); the record replays offline to the same decision.
func TestHazardIssuesRelease(t *testing.T) {
	t.Parallel()
	f, created, passedAt := issuesReleaseFixture(t)
	var remove []string
	for _, l := range created[0].Labels {
		if strings.HasPrefix(l, "severity-") || strings.HasPrefix(l, "risk-level-") {
			remove = append(remove, l)
		}
	}
	f.srv.RelabelIssue(1+100, "developer", remove, []string{"severity-minor"}, passedAt.Add(2*time.Hour))
	f.pushTag("v2.4.0", v240SHA)
	o := f.run()
	if o.code != 0 {
		t.Fatalf("exit %d, want 0 on #15's sign-off:\n%s\n%s", o.code, o.stdout, o.summary)
	}
	if !strings.Contains(o.summary, "## Hazard issues edited outside pull requests") || !strings.Contains(o.summary, "/issues/101) ") ||
		!strings.Contains(o.summary, "RISK_REDUCED_WITHOUT_CONTROL") {
		t.Errorf("the summary does not list #101:\n%s", o.summary)
	}
	var got []string
	listed := 0
	seen := map[string]bool{}
	for _, r := range f.srv.Requests() {
		if seen[r.String()] {
			t.Errorf("repeated request: %s", r)
		}
		seen[r.String()] = true
		got = append(got, r.String())
		if strings.HasSuffix(r.Path, "/issues") && r.Query.Get("labels") == "hazard" {
			listed++
		}
		if strings.Contains(r.Path, "/contents/github-issues") {
			t.Errorf("asked for a file named after the layout: %s", r)
		}
	}
	if listed != 1 {
		t.Errorf("the hazard issues were listed %d times, want once for the release", listed)
	}
	// TestReleaseRequests' 37, less the hazard log file at the released
	// commit, at the two heads and at the two bases (issues have no
	// commit): 5, plus the one listing of the hazard issues, the one
	// listing of every issue updated since v2.3.0 passed, and the timeline
	// of the one issue edited since. v2.3.0's release status is read once,
	// with its time.
	if len(got) != issuesReleaseRequests {
		t.Errorf("%d requests, want %d:\n%s", len(got), issuesReleaseRequests, strings.Join(got, "\n"))
	}
	rec := o.record(t)
	if !strings.Contains(string(mustJSON(t, rec)), `"hazard_issue_edits"`) {
		t.Errorf("the record's decision does not list the edited issue")
	}
	f.srv.Close()
	res, err := evidence.Replay(context.Background(), filepath.Dir(o.outputs["record-file"]), f.workspace)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Matches() || res.ExitCode() != o.code {
		t.Errorf("the replay derives exit %d, the run %d; differences: %v", res.ExitCode(), o.code, res.Differences)
	}
}

// issuesReleaseRequests is what an issue-backed release asks GitHub: the
// evaluation's 35, and the listing of the issues updated since the hazard
// issues were listed, asked again just before the success is posted.
const issuesReleaseRequests = 36

// TestHazardIssuesEditedDuringRelease: a hazard issue edited after the
// release run listed the hazard issues, and before it posts its status, is
// in neither this release's listing nor (its time being before this
// release's success) the next release's: the run posts no success, but an
// error naming the issue, and exits 3, so the release gate is run again. An
// issue outside the hazard log edited meanwhile changes nothing.
func TestHazardIssuesEditedDuringRelease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// during edits the issues after the run listed them.
		during      func(f *releaseFixture, created []hazardlog.NewIssue, at time.Time)
		wantCode    int
		wantChanged string // the issue the error names; "" for a success
		// extraRequests: the evaluation reads the timeline of an issue
		// updated since v2.3.0 that does not carry the label (it may have
		// lost it), when the edit lands before that listing.
		extraRequests int
	}{
		{name: "hazard issue relabelled", wantCode: 3, wantChanged: "#102",
			during: func(f *releaseFixture, created []hazardlog.NewIssue, at time.Time) {
				var remove []string
				for _, l := range created[1].Labels {
					if strings.HasPrefix(l, "severity-") {
						remove = append(remove, l)
					}
				}
				f.srv.RelabelIssueAfterListing(2+100, "developer", remove, []string{"severity-minor"}, at)
			}},
		{name: "issue labelled into the hazard log", wantCode: 3, wantChanged: "#120",
			during: func(f *releaseFixture, created []hazardlog.NewIssue, at time.Time) {
				f.srv.AddIssue(githubtest.Issue{Number: 120, Title: "Dose rounding", CreatedAt: at.Add(-48 * time.Hour), UpdatedAt: at.Add(-48 * time.Hour)})
				f.srv.RelabelIssueAfterListing(120, "developer", nil, []string{"hazard"}, at)
			}},
		{name: "other issue edited", wantCode: 0, extraRequests: 1,
			during: func(f *releaseFixture, created []hazardlog.NewIssue, at time.Time) {
				f.srv.AddIssue(githubtest.Issue{Number: 120, Title: "Typo in the footer", Labels: []string{"bug"}, CreatedAt: at.Add(-48 * time.Hour), UpdatedAt: at.Add(-48 * time.Hour)})
				f.srv.RelabelIssueAfterListing(120, "developer", nil, []string{"good first issue"}, at)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, created, passedAt := issuesReleaseFixture(t)
			var remove []string
			for _, l := range created[0].Labels {
				if strings.HasPrefix(l, "severity-") || strings.HasPrefix(l, "risk-level-") {
					remove = append(remove, l)
				}
			}
			f.srv.RelabelIssue(1+100, "developer", remove, []string{"severity-minor"}, passedAt.Add(2*time.Hour))
			tc.during(f, created, passedAt.Add(3*time.Hour))
			f.srv.ResetRequests()
			f.pushTag("v2.4.0", v240SHA)
			o := f.run()
			if o.code != tc.wantCode {
				t.Fatalf("exit %d, want %d:\n%s\n%s", o.code, tc.wantCode, o.stdout, o.summary)
			}
			st, ok := f.releaseStatus(v240SHA)
			if tc.wantChanged == "" {
				if !ok || st.State != "success" {
					t.Errorf("release status %+v (posted: %v), want success", st, ok)
				}
			} else {
				for _, st := range f.statusesOn(v240SHA) {
					if st.Context == releaseContext && st.State == "success" {
						t.Errorf("a success was posted on the release: %+v", st)
					}
				}
				if !ok || st.State != "error" || !strings.Contains(st.Description, tc.wantChanged) || strings.Contains(st.Description, "#101") {
					t.Errorf("release status %+v (posted: %v), want error naming %s only", st, ok, tc.wantChanged)
				}
				if !strings.Contains(o.summary, tc.wantChanged) || !strings.Contains(o.summary, "run the release gate again") {
					t.Errorf("the summary does not say %s changed during the run:\n%s", tc.wantChanged, o.summary)
				}
				// The record keeps the evaluation's transcript; its decision
				// says why no success was posted.
				if rec := string(mustJSON(t, o.record(t))); !strings.Contains(rec, "GATE_ERROR") || !strings.Contains(rec, "hazard issues changed during the run") {
					t.Errorf("the record's decision does not say the hazard issues changed during the run")
				}
			}
			if got := len(f.srv.Requests()); got != issuesReleaseRequests+tc.extraRequests {
				var all []string
				for _, r := range f.srv.Requests() {
					all = append(all, r.String())
				}
				t.Errorf("%d requests, want %d:\n%s", got, issuesReleaseRequests+tc.extraRequests, strings.Join(all, "\n"))
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestHazardIssuesPermission: a job whose token cannot list issues is
// blocked as GitHub's failure, naming the permission to add.
func TestHazardIssuesPermission(t *testing.T) {
	t.Parallel()
	f, created := issuesFixture(t)
	addIssues(f, created)
	f.srv.FailAlways("GET", f.srv.RepoPath()+"/issues", githubtest.Response{Status: 403,
		Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/issues#list-repository-issues"}`})
	o := f.run()
	if o.code != 3 || !strings.Contains(o.stdout+o.summary, "issues: read") {
		t.Fatalf("exit %d, want 3 naming issues: read:\n%s\n%s", o.code, o.stdout, o.summary)
	}
}
