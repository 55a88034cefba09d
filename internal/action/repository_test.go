package action

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// findings lists a decision's warnings or violations with the given code.
func (o *outcome) findings(list, code string) []map[string]any {
	var out []map[string]any
	vs, _ := o.decision[list].([]any)
	for _, v := range vs {
		if m := v.(map[string]any); m["code"] == code {
			out = append(out, m)
		}
	}
	return out
}

// ruleStatus is a rule's status in the decision.
func (o *outcome) ruleStatus(code string) string {
	rules, _ := o.decision["rules"].([]any)
	for _, r := range rules {
		if m := r.(map[string]any); m["code"] == code {
			s, _ := m["status"].(string)
			return s
		}
	}
	return ""
}

// TestHeadFilesAreCheckedInTheAction: the head's file tree, read through
// the git trees API, decides HAZARD_COMPONENT_ORPHANED and
// CONTROL_EVIDENCE_MISSING; what GitHub cannot give blocks, never passes.
func TestHeadFilesAreCheckedInTheAction(t *testing.T) {
	t.Parallel()
	repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	requireEvidence := func(f *fixture) {
		cfg := string(readFile(t, "testdata/repo/safety/csogate.yaml")) + "control_evidence: required\n"
		f.srv.SetContent(baseSHA, "safety/csogate.yaml", []byte(cfg))
	}
	tests := []struct {
		name     string
		setup    func(f *fixture)
		decision string
		check    func(t *testing.T, o *outcome)
	}{
		{
			name:     "everything the log names is there",
			setup:    func(f *fixture) { f.approve(alice, aliceID) },
			decision: "approved",
			check: func(t *testing.T, o *outcome) {
				for _, code := range []string{"HAZARD_COMPONENT_ORPHANED", "CONTROL_EVIDENCE_MISSING"} {
					if s := o.ruleStatus(code); s != "passed" {
						t.Errorf("%s is %q, want passed", code, s)
					}
				}
			},
		},
		{
			name: "the search code moved and the log did not follow",
			setup: func(f *fixture) {
				f.srv.DeleteContent(headSHA, "src/search/index.go")
				f.srv.SetContent(headSHA, "src/find/index.go", []byte("package find\n"))
				f.changed = append(f.changed, "src/find/index.go")
				f.approve(alice, aliceID)
			},
			decision: "approved", // a warning: the CSO updates the components
			check: func(t *testing.T, o *outcome) {
				w := o.findings("warnings", "HAZARD_COMPONENT_ORPHANED")
				if len(w) != 1 || w[0]["hazard"] != "HAZ-001" || !strings.Contains(w[0]["message"].(string), "src/search/** matches no file in GitHub's file tree of") ||
					!strings.Contains(w[0]["message"].(string), "no longer gated") {
					t.Errorf("orphaned warnings = %v", w)
				}
			},
		},
		{
			name: "evidence deleted: a warning by default",
			setup: func(f *fixture) {
				f.srv.DeleteContent(headSHA, "tests/search/banner_test.go")
				f.approve(alice, aliceID)
			},
			decision: "approved",
			check: func(t *testing.T, o *outcome) {
				w := o.findings("warnings", "CONTROL_EVIDENCE_MISSING")
				if len(w) != 1 || !strings.Contains(w[0]["message"].(string), `HAZ-001 control CTL-001: its evidence "tests/search/banner_test.go" names no file`) {
					t.Errorf("evidence warnings = %v", w)
				}
			},
		},
		{
			name: "evidence deleted under control_evidence: required: blocked whoever approves",
			setup: func(f *fixture) {
				requireEvidence(f)
				f.srv.DeleteContent(headSHA, "tests/search/banner_test.go")
				f.approve(alice, aliceID)
			},
			decision: "blocked",
			check: func(t *testing.T, o *outcome) {
				if v := o.findings("violations", "CONTROL_EVIDENCE_MISSING"); len(v) != 1 {
					t.Errorf("violations = %v, want CONTROL_EVIDENCE_MISSING", o.violationCodes())
				}
			},
		},
		{
			name: "evidence replaced by a symbolic link out of the repository",
			setup: func(f *fixture) {
				requireEvidence(f)
				f.srv.DeleteContent(headSHA, "tests/search/banner_test.go")
				f.srv.SetSymlink(headSHA, "tests/search/banner_test.go", "/etc/passwd")
				f.approve(alice, aliceID)
			},
			decision: "blocked",
			check: func(t *testing.T, o *outcome) {
				v := o.findings("violations", "CONTROL_EVIDENCE_MISSING")
				if len(v) != 1 || !strings.Contains(v[0]["message"].(string), "is a symbolic link") {
					t.Errorf("violations = %v", v)
				}
			},
		},
		{
			name: "a truncated tree is read directory by directory, not taken as the whole",
			setup: func(f *fixture) {
				requireEvidence(f)
				f.srv.SetTreeLimit(6)
				f.approve(alice, aliceID)
			},
			decision: "approved",
			check: func(t *testing.T, o *outcome) {
				if s := o.ruleStatus("CONTROL_EVIDENCE_MISSING"); s != "passed" {
					t.Errorf("CONTROL_EVIDENCE_MISSING is %q, want passed", s)
				}
			},
		},
		{
			name: "a tree truncated even directory by directory fails closed",
			setup: func(f *fixture) {
				f.srv.SetTreeLimit(3)
				f.approve(alice, aliceID)
			},
			decision: "blocked",
			check: func(t *testing.T, o *outcome) {
				if o.code != 3 || !strings.Contains(o.outputs["violations"], "GitHub truncates") {
					t.Errorf("exit %d, violations %s; want exit 3 saying GitHub truncates the tree", o.code, o.outputs["violations"])
				}
			},
		},
		{
			name: "the tree API fails on every try: blocked, GitHub named",
			setup: func(f *fixture) {
				f.srv.FailAlways("GET", repo+"/git/trees/", githubtest.BadGateway())
				f.approve(alice, aliceID)
			},
			decision: "blocked",
			check: func(t *testing.T, o *outcome) {
				if o.code != 3 || !strings.Contains(o.outputs["violations"], "GITHUB_UNAVAILABLE") || !strings.Contains(o.outputs["violations"], "file tree") {
					t.Errorf("exit %d, violations %s; want exit 3, GITHUB_UNAVAILABLE naming the file tree", o.code, o.outputs["violations"])
				}
			},
		},
		{
			name: "the tree API is rate limited: blocked",
			setup: func(f *fixture) {
				f.srv.FailAlways("GET", repo+"/git/trees/", githubtest.RateLimitExceeded(time.Now().Add(time.Hour)))
				f.approve(alice, aliceID)
			},
			decision: "blocked",
			check: func(t *testing.T, o *outcome) {
				if o.code != 3 || !strings.Contains(o.outputs["violations"], "GITHUB_UNAVAILABLE") {
					t.Errorf("exit %d, violations %s; want exit 3, GITHUB_UNAVAILABLE", o.code, o.outputs["violations"])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(f)
			o := f.run()
			if o.outputs["decision"] != tc.decision {
				t.Fatalf("decision %q, violations %s; want %s\n%s", o.outputs["decision"], o.outputs["violations"], tc.decision, o.stdout)
			}
			if st, ok := f.status(headSHA); tc.decision == "blocked" && (!ok || st.State == "success") {
				t.Errorf("status %+v on a blocked head", st)
			}
			if tc.check != nil {
				tc.check(t, o)
			}
			if o.code == 3 {
				return
			}
			// The record keeps the entries the check stood on: it replays
			// to the same decision with GitHub gone, against a checkout of
			// the head's safety files only.
			f.srv.Close()
			res, err := evidence.Replay(context.Background(), filepath.Dir(o.outputs["record-file"]), f.workspace)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Matches() {
				for _, d := range res.Differences {
					t.Errorf("replay differs: %s", d)
				}
			}
		})
	}
}
