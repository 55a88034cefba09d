package action

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// The emergency approver the trusted configuration names in these tests.
const (
	director   = "medical-director"
	directorID = 7001
	emergency  = "emergency:\n  approvers:\n    - {github: medical-director, github_id: 7001, name: Dr Jo Example, role: Medical Director}\n"
	overReason = "Sepsis alert outage in ED; the hotfix restores it and cannot wait for the CSO."
)

var overrideTime = time.Date(2026, 11, 24, 2, 10, 0, 0, time.UTC)

// withEmergency puts the emergency section into the trusted configuration.
func (f *fixture) withEmergency() {
	f.srv.SetContent(baseSHA, "safety/csogate.yaml", append(readFile(f.t, "testdata/repo/safety/csogate.yaml"), emergency...))
}

// overrideComment adds a comment by login (with user id) overriding sha.
func (f *fixture) overrideComment(login string, id int64, sha string, edited bool) int64 {
	c := githubtest.Comment{Login: login, UserID: id, Body: fmt.Sprintf("/csogate override %s: %s", sha, overReason), CreatedAt: overrideTime, UpdatedAt: overrideTime}
	if edited {
		c.UpdatedAt = overrideTime.Add(3 * time.Minute)
	}
	return f.srv.AddComment(prNumber, c)
}

// TestEmergencyOverride: the Action reads the pull request's comments (every
// page) and lets the head through on a named approver's override, loudly;
// everything else an attacker might try is refused and still blocks.
func TestEmergencyOverride(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(f *fixture)
		code     int
		decision string
		refused  string // what the refusal says, when one is expected
	}{
		{name: "a named approver overrides the head, behind three pages of other comments", code: 0, decision: "approved", setup: func(f *fixture) {
			f.withEmergency()
			for i := range 75 {
				f.srv.AddComment(prNumber, githubtest.Comment{Login: author, Body: fmt.Sprintf("chatter %d", i)})
			}
			f.overrideComment(director, directorID, headSHA, false)
		}},
		{name: "the pull request adds the emergency section itself: the head's configuration is not trusted", code: 1, decision: "blocked", refused: "overrides are off", setup: func(f *fixture) {
			f.srv.SetContent(headSHA, "safety/csogate.yaml", append(readFile(f.t, "testdata/repo/safety/csogate.yaml"), emergency...))
			f.overrideComment(director, directorID, headSHA, false)
		}},
		{name: "the approver is the pull request's author", code: 1, decision: "blocked", refused: "nobody may override their own change", setup: func(f *fixture) {
			f.withEmergency()
			f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA("director-commit"), AuthorLogin: director})
			f.overrideComment(director, directorID, headSHA, false)
		}},
		{name: "a different account with the approver's login", code: 1, decision: "blocked", refused: "github_id 7001", setup: func(f *fixture) {
			f.withEmergency()
			f.overrideComment(director, 31337, headSHA, false)
		}},
		{name: "the override comment was edited", code: 1, decision: "blocked", refused: "edited", setup: func(f *fixture) {
			f.withEmergency()
			f.overrideComment(director, directorID, headSHA, true)
		}},
		{name: "an override of an earlier commit", code: 1, decision: "blocked", refused: "a new push", setup: func(f *fixture) {
			f.withEmergency()
			f.overrideComment(director, directorID, githubtest.SHA("earlier-7"), false)
		}},
		{name: "a bot's override command is not read", code: 1, decision: "blocked", setup: func(f *fixture) {
			f.withEmergency()
			f.overrideComment("csogate-helper[bot]", 99, headSHA, false)
		}},
		{name: "a CSO requested changes: the override cannot clear it", code: 1, decision: "blocked", refused: "never CSO_CHANGES_REQUESTED", setup: func(f *fixture) {
			f.withEmergency()
			f.srv.AddReview(prNumber, githubtest.Review{Login: niamh, UserID: niamhID, State: "CHANGES_REQUESTED"})
			f.overrideComment(director, directorID, headSHA, false)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tt.setup(f)
			o := f.run()
			if o.code != tt.code || o.decision["decision"] != tt.decision {
				t.Fatalf("exit %d, decision %v; want %d, %s\n%s%s", o.code, o.decision["decision"], tt.code, tt.decision, o.stdout, o.stderr)
			}
			st, _ := f.status(headSHA)
			rec := o.record(t)
			if tt.decision == "approved" {
				want := "EMERGENCY OVERRIDE by @medical-director — retrospective CSO review due by 2026-11-27"
				if st.State != "success" || st.Description != want {
					t.Errorf("status %s %q; want success %q", st.State, st.Description, want)
				}
				if rec.Decision.Override == nil || rec.Decision.Override.Reason != overReason || len(rec.Request.Comments) != 1 {
					t.Errorf("record: override %+v, comments %+v", rec.Decision.Override, rec.Request.Comments)
				}
				comments := f.srv.Comments(prNumber)
				sticky := comments[len(comments)-1].Body
				if !strings.Contains(sticky, "**EMERGENCY OVERRIDE** by Dr Jo Example") || !strings.Contains(sticky, "Sepsis alert outage in ED") {
					t.Errorf("sticky comment does not open with the override:\n%s", sticky)
				}
				if !strings.Contains(o.summary, "APPROVED BY EMERGENCY OVERRIDE") {
					t.Errorf("summary:\n%s", o.summary)
				}
				return
			}
			if st.State == "success" || rec.Decision.Override != nil {
				t.Errorf("status %s, override %+v", st.State, rec.Decision.Override)
			}
			var whys []string
			for _, r := range rec.Decision.OverridesRefused {
				whys = append(whys, r.Why)
			}
			if tt.refused == "" && len(whys) > 0 || tt.refused != "" && !slices.ContainsFunc(whys, func(w string) bool { return strings.Contains(w, tt.refused) }) {
				t.Errorf("refusals %q; want one saying %q", whys, tt.refused)
			}
		})
	}
}

// TestReleaseAfterAnOverrideNeedsTheCSO: an override lets a pull request
// merge, never a release past its CSO for long. #11 merged on an override in
// January; by the tests' day its retrospective review is long overdue, so the
// release that contains it is blocked (EMERGENCY_REVIEW_OVERDUE, naming #11)
// until a counted CSO approves #11's final head, and passes once one has.
func TestReleaseAfterAnOverrideNeedsTheCSO(t *testing.T) {
	t.Parallel()
	f := newReleaseFixture(t, false)
	for sha, tree := range f.trees {
		tree["safety/csogate.yaml"] = append(readFile(t, "testdata/repo/safety/csogate.yaml"), emergency...)
		f.setTree(sha, tree)
	}
	f.srv.AddComment(11, githubtest.Comment{Login: director, UserID: directorID, CreatedAt: overrideTime, UpdatedAt: overrideTime,
		Body: fmt.Sprintf("/csogate override %s: %s", githubtest.SHA("pr-11-head"), overReason)})
	f.pushTag("v2.4.0", v240SHA)
	o := f.run()
	if o.code != 1 || o.outputs["decision"] != "blocked" || !strings.Contains(o.outputs["violations"], "EMERGENCY_REVIEW_OVERDUE") ||
		!strings.Contains(o.outputs["violations"], "#11 (in this release") {
		t.Fatalf("release with the overridden #11: exit %d, decision %s, violations %s", o.code, o.outputs["decision"], o.outputs["violations"])
	}

	f.srv.AddReview(11, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("pr-11-head")})
	if o = f.run(); o.code != 0 || o.outputs["decision"] != "approved" {
		t.Errorf("release after the CSO's retrospective approval of #11: exit %d, decision %s, violations %s", o.code, o.outputs["decision"], o.outputs["violations"])
	}
}
