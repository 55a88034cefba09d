package release

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/safetyfile"
)

// issuesRelease is the standard release 2.4.0 with its hazard log kept as
// GitHub issues (#101 HAZ-001 … #104 HAZ-004, the test product's log as the
// template keeps it), every issue last updated a day before v2.3.0's
// release passed the gate; passedAt is when it did.
func issuesRelease(t *testing.T, pulls []pull) (r *repo, req Request, created []hazardlog.NewIssue, passedAt time.Time) {
	t.Helper()
	r = build(t, pulls)
	// Issues name no product, and have no log-wide review date: the
	// configuration gives both.
	for sha, tree := range r.trees {
		if strings.Contains(string(tree[safetyfile.ConfigPath]), "hazard_log_reviewed:") {
			r.setTree(sha, tree) // a tree two commits share
			continue
		}
		tree[safetyfile.ConfigPath] = append(slices.Clone(tree[safetyfile.ConfigPath]), "product: Example EPR\nhazard_log_reviewed: 2026-10-01\n"...)
		r.setTree(sha, tree)
	}
	st, ok := r.srv.LatestStatus(r.tags["v2.3.0"], releaseContext)
	if !ok {
		t.Fatal("v2.3.0 has no release status")
	}
	passedAt = st.CreatedAt
	data, err := os.ReadFile(filepath.Join("testdata", "product", "safety", "hazard-log.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	log, _, problems := safetyfile.LoadHazardLog("hazard-log.yaml", data, safetyfile.Options{})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	exported, _, err := hazardlog.ExportIssues(log, "hazard")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(exported, &created); err != nil {
		t.Fatal(err)
	}
	before := passedAt.Add(-24 * time.Hour)
	for i, is := range created {
		body := is.Body
		r.srv.AddIssue(githubtest.Issue{Number: 101 + i, Title: is.Title, Body: &body, State: is.State, Labels: is.Labels,
			CreatedAt: before, UpdatedAt: before})
	}
	req = r.request(t, "v2.4.0", "")
	req.Paths.HazardLog, req.Paths.HazardLogFormat = "github-issues", "github-issues"
	r.srv.ResetRequests()
	return r, req, created, passedAt
}

// relabel replaces the issue's labels of one family (e.g. "severity-") by
// label, and drops its risk-level label, as a person lowering the risk by
// hand would.
func relabel(labels []string, family, label string) []string {
	out := slices.DeleteFunc(slices.Clone(labels), func(l string) bool {
		return strings.HasPrefix(l, family) || strings.HasPrefix(l, "risk-level-")
	})
	return append(out, label)
}

// hazardListings counts the requests that listed the hazard issues.
func hazardListings(r *repo) int {
	n := 0
	for _, q := range r.srv.Requests() {
		if strings.HasSuffix(q.Path, "/issues") && q.Query.Get("labels") == "hazard" {
			n++
		}
	}
	return n
}

// TestIssuesReleaseNoEdits: no hazard issue changed since v2.3.0 passed:
// the release passes on the preparing pull request's sign-off as usual, the
// issues are listed once for the whole release, and the note says none was
// edited.
func TestIssuesReleaseNoEdits(t *testing.T) {
	t.Parallel()
	r, req, _, passedAt := issuesRelease(t, standardPulls())
	c, _ := r.client(t)
	res := Evaluate(context.Background(), c, req)
	d := res.Release.Decision
	if d.Decision != decision.Approved {
		t.Fatalf("decision %s, want approved; violations %+v", d.Decision, d.Violations)
	}
	if slices.ContainsFunc(d.Warnings, func(w policy.Finding) bool { return w.Code == "HAZARD_LOG_STALE" }) {
		t.Errorf("HAZARD_LOG_STALE warns although hazard_log_reviewed says the log was reviewed on 2026-10-01: %+v", d.Warnings)
	}
	if len(res.HazardIssueEdits) != 0 || len(d.HazardIssueEdits) != 0 {
		t.Errorf("edits %+v, want none", res.HazardIssueEdits)
	}
	if !res.HazardIssuesSince.Equal(passedAt) || d.HazardIssuesSince != passedAt.UTC().Format(time.RFC3339) {
		t.Errorf("since %v / %q, want v2.3.0's release status time %v", res.HazardIssuesSince, d.HazardIssuesSince, passedAt)
	}
	if n := hazardListings(r); n != 1 {
		t.Errorf("the hazard issues were listed %d times, want once for the whole release", n)
	}
	// TestRequests' 79 with a checkout, less the hazard log file at each
	// pull request's head (5) and the trusted one at each base and at the
	// released commit (6), which issues replace, plus the one listing of
	// the hazard issues and the one listing of every issue updated since
	// v2.3.0 passed (a hazard whose label was removed is only there). v2.3.0's
	// release status is read once, with its time; no issue was updated, so
	// no timeline is read.
	seen := map[string]bool{}
	for _, q := range r.srv.Requests() {
		if seen[q.String()] {
			t.Errorf("repeated request: %s", q)
		}
		seen[q.String()] = true
	}
	if n := len(r.srv.Requests()); n != 70 {
		t.Errorf("%d requests, want 70", n)
	}
	for _, p := range res.Pulls {
		if p.Request == nil || p.Request.HazardLogIssues == nil {
			t.Errorf("#%d was not judged on the release's listing", p.Number)
		}
	}
	if md := Markdown(res); !strings.Contains(md, "No hazard issue (label hazard) was updated since the previous release v2.3.0 passed the gate") {
		t.Errorf("the note does not say no issue was edited:\n%s", md)
	}
	for _, q := range r.srv.Requests() {
		if strings.Contains(q.Path, "/contents/github-issues") {
			t.Errorf("asked for a file named after the layout: %s", q)
		}
	}
}

// TestIssuesReleaseRelabelled: a hazard issue relabelled to a lower
// severity after v2.3.0 passed, outside any pull request, is listed in the
// release decision and note (issue, time, labels, URL), and the release is
// blocked until the CSO signs it off; with the sign-off it passes, still
// listing it.
func TestIssuesReleaseRelabelled(t *testing.T) {
	t.Parallel()
	for _, signed := range []bool{false, true} {
		t.Run(map[bool]string{false: "without sign-off", true: "with sign-off"}[signed], func(t *testing.T) {
			t.Parallel()
			pulls := standardPulls()
			if !signed {
				pullNumber(pulls, 15).reviews = nil
			}
			r, req, created, passedAt := issuesRelease(t, pulls)
			edited := passedAt.Add(3 * time.Hour)
			var remove []string
			for _, l := range created[1].Labels {
				if strings.HasPrefix(l, "severity-") || strings.HasPrefix(l, "risk-level-") {
					remove = append(remove, l)
				}
			}
			r.srv.RelabelIssue(102, "dev-dana", remove, []string{"severity-minor"}, edited)
			r.srv.ResetRequests()
			c, _ := r.client(t)
			res := Evaluate(context.Background(), c, req)
			d := res.Release.Decision
			if len(d.HazardIssueEdits) != 1 {
				t.Fatalf("edits %+v, want #102", d.HazardIssueEdits)
			}
			e := d.HazardIssueEdits[0]
			if e.Issue != 102 || !slices.Contains(e.Labels, "severity-minor") || e.UpdatedAt != edited.UTC().Format(time.RFC3339) ||
				!strings.HasSuffix(e.URL, "/issues/102") || !strings.Contains(e.What, "labeled severity-minor (@dev-dana, ") ||
				!strings.Contains(e.What, "compare in the issue's history") {
				t.Errorf("edit %+v", e)
			}
			// The labels as they were, from the issue's timeline: HAZ-002's
			// residual severity lowered with no control added.
			if !slices.ContainsFunc(d.Warnings, func(w policy.Finding) bool { return w.Code == "RISK_REDUCED_WITHOUT_CONTROL" && w.Hazard == "HAZ-002" }) {
				t.Errorf("no RISK_REDUCED_WITHOUT_CONTROL for HAZ-002: warnings %+v", d.Warnings)
			}
			lowered := false
			for _, c := range d.HazardLogChanges {
				for _, f := range c.Fields {
					lowered = lowered || (c.ID == "HAZ-002" && f.Field == "residual_severity" && fmt.Sprint(f.Before) == "major" && fmt.Sprint(f.After) == "minor")
				}
			}
			if !lowered {
				t.Errorf("hazard log changes %+v, want HAZ-002's residual severity major → minor", d.HazardLogChanges)
			}
			if c := res.HazardLogChanges; c == nil || !c.Compared || len(c.Changes) != 1 || !strings.Contains(c.Base, "bodies as they are now") {
				t.Errorf("the addendum's hazard log changes %+v, want HAZ-002 compared with the issues as they stood", c)
			}
			if sc := SafetyCaseMarkdown(res); !strings.Contains(sc, "Hazard issues edited outside pull requests since: #&#8203;102.") || !strings.Contains(sc, "| HAZ-002 |") {
				t.Errorf("the safety case addendum does not name #102 and HAZ-002's change:\n%s", sc)
			}
			md := Markdown(res)
			if !strings.Contains(md, "## Hazard issues edited outside pull requests") || !strings.Contains(md, "/issues/102) ") {
				t.Errorf("the note does not list #102 with its link:\n%s", md)
			}
			if !signed {
				if d.Decision != decision.Blocked || !slices.Contains(d.ViolationCodes(), CodeReleaseSignoffRequired) {
					t.Fatalf("decision %s %v, want blocked for the sign-off", d.Decision, d.ViolationCodes())
				}
				for _, v := range d.Violations {
					if v.Code == CodeReleaseSignoffRequired && !strings.Contains(v.Message, "1 hazard issue updated since the previous release v2.3.0 passed the gate (#102)") {
						t.Errorf("the sign-off message does not name the edited issue: %s", v.Message)
					}
				}
				return
			}
			if d.Decision != decision.Approved {
				t.Fatalf("decision %s, want approved on the CSO's sign-off; violations %+v", d.Decision, d.Violations)
			}
			// alice-gp approved #15 before the relabelling: the edit says her
			// sign-off did not see it.
			if !strings.Contains(e.What, "updated after the CSO's sign-off (@alice-gp, ") {
				t.Errorf("the edit does not say it came after the sign-off: %s", e.What)
			}
		})
	}
}

// TestIssuesReleaseClosed: a hazard issue closed after the previous release
// is listed as closed, with when.
func TestIssuesReleaseClosed(t *testing.T) {
	t.Parallel()
	r, req, created, passedAt := issuesRelease(t, standardPulls())
	// Closed by hand, its body's status set to closed first (an edit the
	// timeline does not show).
	body := strings.Replace(created[3].Body, "### Hazard status\n\nopen", "### Hazard status\n\nclosed", 1)
	if body == created[3].Body {
		t.Fatalf("the issue's body has no open status to close:\n%s", body)
	}
	r.srv.AddIssue(githubtest.Issue{Number: 104, Title: created[3].Title, Body: &body, State: "open", Labels: created[3].Labels,
		CreatedAt: passedAt.Add(-24 * time.Hour), UpdatedAt: passedAt.Add(time.Hour)})
	r.srv.CloseIssue(104)
	closedAt := r.srv.Issues()[3].ClosedAt
	c, _ := r.client(t)
	res := Evaluate(context.Background(), c, req)
	d := res.Release.Decision
	edits := d.HazardIssueEdits
	if len(edits) != 1 || edits[0].Issue != 104 || edits[0].State != "closed" ||
		!strings.Contains(edits[0].What, "closed (@developer, "+closedAt.UTC().Format("2006-01-02 15:04 UTC")+")") {
		t.Fatalf("edits %+v, want #104 closed on %v", edits, closedAt)
	}
	// HAZ-004's residual risk 4 is above the acceptable 3: closing it is
	// a violation no sign-off clears.
	if !slices.Contains(d.ViolationCodes(), "HAZARD_CLOSED_ABOVE_ACCEPTABLE") {
		t.Errorf("violations %+v, want HAZARD_CLOSED_ABOVE_ACCEPTABLE", d.Violations)
	}
}

// TestIssuesReleaseFromBaseline: with no earlier release that passed the
// gate, no gate run is known to have read the issues: every hazard issue is
// listed under the release's sign-off.
func TestIssuesReleaseFromBaseline(t *testing.T) {
	t.Parallel()
	r, req, created, _ := issuesRelease(t, append([]pull{setBaseline(t, 40, "v2.3.0")}, standardPulls()...))
	// v2.3.0's release is now said to have failed: the baseline starts the range.
	r.srv.AddStatus(githubtest.Status{SHA: r.tags["v2.3.0"], Context: releaseContext, State: "failure"})
	c, _ := r.client(t)
	res := Evaluate(context.Background(), c, req)
	if res.Err != nil || res.PreviousBy != PreviousBaseline {
		t.Fatalf("error %v, previous by %s; want the baseline", res.Err, res.PreviousBy)
	}
	if !res.HazardIssuesSince.IsZero() || len(res.HazardIssueEdits) != len(created) {
		t.Fatalf("since %v, %d edits; want every one of the %d issues", res.HazardIssuesSince, len(res.HazardIssueEdits), len(created))
	}
	if !strings.Contains(res.HazardIssueEdits[0].What, "no earlier release that passed the gate read the hazard issues") {
		t.Errorf("what: %s", res.HazardIssueEdits[0].What)
	}
}

// TestIssuesReleaseListingFails: GitHub failing to list the hazard issues
// blocks the release as GitHub's failure (exit 3), never passes it.
func TestIssuesReleaseListingFails(t *testing.T) {
	t.Parallel()
	r, req, _, _ := issuesRelease(t, standardPulls())
	r.srv.FailAlways("GET", r.srv.RepoPath()+"/issues", githubtest.Response{Status: 502, Body: `{"message":"Server Error"}`})
	c, _ := r.client(t)
	res := Evaluate(context.Background(), c, req)
	d := res.Release.Decision
	if d.Decision != decision.Blocked || d.ExitCode != decision.ExitOperational || !slices.Contains(d.ViolationCodes(), decision.CodeGitHubUnavailable) {
		t.Fatalf("decision %s exit %d %v, want blocked, 3, GITHUB_UNAVAILABLE", d.Decision, d.ExitCode, d.ViolationCodes())
	}
	if !strings.Contains(d.Violations[0].Message, `listing the hazard log kept as issues labelled "hazard"`) {
		t.Errorf("message: %s", d.Violations[0].Message)
	}
}

// TestIssuesReleaseReplays: the release's transcript holds the listing and
// the previous release's status time, and answers a replay offline with
// the same decision, edits included.
func TestIssuesReleaseReplays(t *testing.T) {
	t.Parallel()
	r, req, created, passedAt := issuesRelease(t, standardPulls())
	var remove []string
	for _, l := range created[2].Labels {
		if strings.HasPrefix(l, "likelihood-") || strings.HasPrefix(l, "risk-level-") {
			remove = append(remove, l)
		}
	}
	r.srv.RelabelIssue(103, "dev-dana", remove, []string{"likelihood-very-low"}, passedAt.Add(time.Hour))
	c, _ := r.client(t)
	rec := NewRecorder(c)
	res := Evaluate(context.Background(), rec, req)
	tr := rec.Transcript()
	r.srv.Close()
	p, err := NewReplayer(tr)
	if err != nil {
		t.Fatal(err)
	}
	again := Evaluate(context.Background(), p, req)
	if u := p.Unanswered(); len(u) > 0 {
		t.Fatalf("the replay asked what the record does not hold: %v", u)
	}
	if u := p.Unasked(); len(u) > 0 {
		t.Errorf("the replay did not ask %v", u)
	}
	want, _ := json.Marshal(res.Release.Decision)
	got, _ := json.Marshal(again.Release.Decision)
	if string(want) != string(got) {
		t.Errorf("the replay decides\n%s\nthe run\n%s", got, want)
	}
	if len(again.HazardIssueEdits) != 1 || again.HazardIssueEdits[0].Number != 103 {
		t.Errorf("replayed edits %+v", again.HazardIssueEdits)
	}
}

// TestIssuesReleaseTimelineFails: GitHub failing to give an edited issue's
// timeline blocks the release as GitHub's failure (exit 3): the labels the
// issue had at the previous release would be unknown.
func TestIssuesReleaseTimelineFails(t *testing.T) {
	t.Parallel()
	r, req, _, passedAt := issuesRelease(t, standardPulls())
	r.srv.RelabelIssue(101, "dev-dana", nil, []string{"needs-review"}, passedAt.Add(time.Minute))
	r.srv.FailAlways("GET", r.srv.RepoPath()+"/issues/101/events", githubtest.Response{Status: 503, Body: `{"message":"Service Unavailable"}`})
	c, _ := r.client(t)
	d := Evaluate(context.Background(), c, req).Release.Decision
	if d.ExitCode != decision.ExitOperational || !slices.Contains(d.ViolationCodes(), decision.CodeGitHubUnavailable) ||
		!strings.Contains(d.Violations[0].Message, "reading the timeline of issue #101") {
		t.Fatalf("exit %d %+v, want 3, GITHUB_UNAVAILABLE naming #101's timeline", d.ExitCode, d.Violations)
	}
}

// TestIssuesReleaseLabelRemoved: a hazard issue whose hazard label was
// removed since the previous release is no longer in the hazard listing,
// but the issues updated since and its timeline find it: listed as an edit,
// HAZARD_REMOVED, and under the release's sign-off. An issue that never was
// a hazard (another label removed) is not listed.
func TestIssuesReleaseLabelRemoved(t *testing.T) {
	t.Parallel()
	pulls := standardPulls()
	pullNumber(pulls, 15).reviews = nil
	r, req, _, passedAt := issuesRelease(t, pulls)
	r.srv.RelabelIssue(103, "dev-dana", []string{"hazard"}, nil, passedAt.Add(time.Hour))
	bug := r.srv.AddIssue(githubtest.Issue{Title: "Typo on the login page", Labels: []string{"bug", "triage"},
		CreatedAt: passedAt.Add(-time.Hour), UpdatedAt: passedAt.Add(-time.Hour)})
	r.srv.RelabelIssue(bug, "dev-dana", []string{"triage"}, nil, passedAt.Add(2*time.Hour))
	c, _ := r.client(t)
	res := Evaluate(context.Background(), c, req)
	d := res.Release.Decision
	if len(d.HazardIssueEdits) != 1 || d.HazardIssueEdits[0].Issue != 103 || !strings.Contains(d.HazardIssueEdits[0].What, "the label hazard was removed (@dev-dana, ") {
		t.Fatalf("edits %+v, want #103 with its label removed", d.HazardIssueEdits)
	}
	if !slices.ContainsFunc(d.Warnings, func(w policy.Finding) bool { return w.Code == "HAZARD_REMOVED" && w.Hazard == "HAZ-003" }) {
		t.Errorf("no HAZARD_REMOVED for HAZ-003: %+v", d.Warnings)
	}
	if d.Decision != decision.Blocked || !slices.Contains(d.ViolationCodes(), CodeReleaseSignoffRequired) {
		t.Errorf("decision %s %v, want blocked for the sign-off", d.Decision, d.ViolationCodes())
	}
}
