package action

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// The tests of what a pull-request run trusts (contract section 4.1): the
// commit it posts on is the commit it judged, read at that commit through the
// API; the trusted side is the base branch's tip; the clock is the clock.

// serveHeadAt puts the fixture head's safety files at sha too, as a commit
// that changes none of them would.
func (f *fixture) serveHeadAt(sha string) {
	f.t.Helper()
	for _, name := range []string{"cso-register.yaml", "csogate.yaml", "hazard-log.yaml", "changes.yaml"} {
		f.srv.SetContent(sha, "safety/"+name, readFile(f.t, "testdata/repo/safety/"+name))
	}
}

// serveTrustedAt puts a trusted side at sha: the fixture base's register,
// configuration, hazard log and manifest, with the files in replace instead.
func (f *fixture) serveTrustedAt(sha string, replace map[string]string) {
	f.t.Helper()
	files := map[string][]byte{"safety/changes.yaml": readFile(f.t, "testdata/base/safety/changes.yaml")}
	for _, name := range []string{"cso-register.yaml", "csogate.yaml", "hazard-log.yaml"} {
		files["safety/"+name] = readFile(f.t, "testdata/repo/safety/"+name)
	}
	for name, data := range replace {
		files[name] = []byte(data)
	}
	for name, data := range files {
		f.srv.SetContent(sha, name, data)
	}
}

// editEventPayload changes the event file the fixture wrote last.
func (f *fixture) editEventPayload(edit func(payload map[string]any)) {
	f.t.Helper()
	var payload map[string]any
	if err := json.Unmarshal(readFile(f.t, f.env["GITHUB_EVENT_PATH"]), &payload); err != nil {
		f.t.Fatal(err)
	}
	edit(payload)
	f.writeEvent(payload)
}

// statesOn lists the states of the statuses posted on sha, in order.
func (f *fixture) statesOn(sha string) []string {
	var out []string
	for _, st := range f.srv.Statuses() {
		if st.SHA == sha {
			out = append(out, st.State)
		}
	}
	return out
}

// TestRerunOfAnOldEvent: the event names head A, blocked (clinical changes,
// no approval); the author force-pushed B, documentation only, and re-runs
// A's run, whose event still names A. The run judges B, posts on B, and
// never posts on A: before, it read B's files and judged them as A's,
// posting success on A.
func TestRerunOfAnOldEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	forced := githubtest.SHA("head-7-force-pushed")
	f.serveHeadAt(forced)
	f.srv.EditPull(prNumber, func(p *githubtest.Pull) { p.HeadSHA = forced })
	f.changed = []string{"docs/search.md", "README.md"}
	f.srv.SetContent(baseSHA, "safety/changes.yaml", readFile(t, "testdata/repo/safety/changes.yaml"))
	o := f.run()
	if o.code != 0 || o.outputs["decision"] != "not_required" || o.decision["head_sha"] != forced {
		t.Errorf("exit %d, decision %q on %v; want 0, not_required on the pull request's head %s\n%s",
			o.code, o.outputs["decision"], o.decision["head_sha"], forced, o.stdout)
	}
	if got := f.statesOn(headSHA); len(got) != 0 {
		t.Errorf("statuses on the event's head %s: %v, want none", decision.ShortSHA(headSHA), got)
	}
	if got := f.statesOn(forced); !slices.Equal(got, []string{"pending", "success"}) {
		t.Errorf("statuses on the head %s: %v, want pending, success", decision.ShortSHA(forced), got)
	}
	said := "but the head of #7 is now " + decision.ShortSHA(forced)
	if !strings.Contains(o.stdout, said) || !strings.Contains(o.summary, said) {
		t.Errorf("the log and the summary do not say the heads differ (%q):\nlog:\n%s\nsummary:\n%s", said, o.stdout, o.summary)
	}
}

// TestForcePushDuringTheRun: the head moves right after the run read it; the
// CSO approved the old head, which is judged approved. The run reads the
// head again before posting: no success goes on the old head, which says it
// is superseded, and the run fails closed.
func TestForcePushDuringTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	pushed := githubtest.SHA("head-7-pushed-during-the-run")
	f.srv.MoveHeadAfterRead(prNumber, pushed)
	o := f.run()
	if o.code != decision.ExitOperational || o.outputs["decision"] != "blocked" || !strings.Contains(o.outputs["violations"], "GATE_ERROR") {
		t.Errorf("exit %d, outputs %v; want 3, blocked with GATE_ERROR", o.code, o.outputs)
	}
	for _, st := range f.srv.Statuses() {
		if st.State == "success" {
			t.Errorf("a success was posted: %+v", st)
		}
	}
	st, ok := f.status(headSHA)
	if !ok || st.State != "pending" || !strings.HasPrefix(st.Description, "Superseded by "+decision.ShortSHA(pushed)) {
		t.Errorf("status on the judged head = %+v (found %v), want pending, superseded by %s", st, ok, decision.ShortSHA(pushed))
	}
	if got := f.statesOn(pushed); len(got) != 0 {
		t.Errorf("statuses on the new head: %v, want none (its own run decides)", got)
	}
	moved := "moved from " + decision.ShortSHA(headSHA) + " to " + decision.ShortSHA(pushed)
	if c := f.srv.Comments(prNumber); len(c) != 1 || !strings.Contains(c[0].Body, moved) {
		t.Errorf("the comment does not say the head %s: %+v", moved, c)
	}
}

// TestHeadFilesReadAtTheHead: the hazard log and manifest are the head
// commit's, read through the API, whatever the workspace holds (a checkout
// of something else, or files an earlier step wrote there).
func TestHeadFilesReadAtTheHead(t *testing.T) {
	t.Parallel()
	unknownHazard := strings.Replace(string(readFile(t, "testdata/repo/safety/changes.yaml")), "hazards: [HAZ-003]", "hazards: [HAZ-404]", 1)
	tests := []struct {
		name      string
		head      map[string]string // files at the head commit, over the fixture's
		workspace map[string]string // files in the workspace, over the fixture's
		code      int
		decision  string
		violation string
	}{
		{
			name:      "the head names an unknown hazard; the workspace is clean",
			head:      map[string]string{"safety/changes.yaml": unknownHazard},
			code:      1,
			decision:  "blocked",
			violation: "UNKNOWN_HAZARD",
		},
		{
			name:      "the workspace's hazard log is not one; the head's is",
			workspace: map[string]string{"safety/hazard-log.yaml": "not: a hazard log\n", "safety/changes.yaml": unknownHazard},
			code:      0,
			decision:  "approved",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for name, data := range tc.head {
				f.headFile(name, []byte(data))
			}
			for name, data := range tc.workspace {
				writeFile(t, filepath.Join(f.workspace, filepath.FromSlash(name)), []byte(data))
			}
			f.approve(alice, aliceID)
			o := f.run()
			if o.code != tc.code || o.outputs["decision"] != tc.decision {
				t.Errorf("exit %d, decision %q; want %d, %s\n%s", o.code, o.outputs["decision"], tc.code, tc.decision, o.stdout)
			}
			if tc.violation != "" && !slices.Contains(o.violationCodes(), tc.violation) {
				t.Errorf("violations %v lack %s", o.violationCodes(), tc.violation)
			}
			for _, name := range []string{"safety/hazard-log.yaml", "safety/changes.yaml"} {
				atHead := false
				for _, r := range f.srv.Requests() {
					atHead = atHead || (strings.HasSuffix(r.Path, "/contents/"+name) && r.Query.Get("ref") == headSHA)
				}
				if !atHead {
					t.Errorf("%s was not read at the head commit through the API", name)
				}
			}
		})
	}
}

// TestPendingPostedFirst: every run that finds its pull request posts
// pending on the head before anything else it writes, so a run that fails
// or is cancelled cannot leave an earlier success standing; the decision
// follows on the same commit.
func TestPendingPostedFirst(t *testing.T) {
	t.Parallel()
	repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	tests := []struct {
		name   string
		setup  func(f *fixture)
		states []string
	}{
		{name: "approved", setup: func(f *fixture) { f.approve(alice, aliceID) }, states: []string{"pending", "success"}},
		{name: "awaiting a CSO", setup: func(f *fixture) {}, states: []string{"pending", "pending"}},
		{name: "a CSO's stop", setup: func(f *fixture) {
			f.srv.AddReview(prNumber, githubtest.Review{Login: niamh, UserID: niamhID, State: "CHANGES_REQUESTED"})
		}, states: []string{"pending", "failure"}},
		{name: "GitHub fails after the start", setup: func(f *fixture) {
			f.approve(alice, aliceID)
			f.srv.FailAlways("GET", repo+"/pulls/7/reviews", githubtest.BadGateway())
		}, states: []string{"pending", "error"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			// An earlier run's success on this head must not stand while
			// this one decides.
			if err := newClientFor(f).SetStatus(t.Context(), githubtest.DefaultOwner, githubtest.DefaultRepo, headSHA,
				githubStatus("success")); err != nil {
				t.Fatal(err)
			}
			f.srv.ResetRequests()
			tc.setup(f)
			f.run()
			writes := f.srv.Writes()
			if len(writes) == 0 || writes[0].String() != "POST "+repo+"/statuses/"+headSHA || !strings.Contains(string(writes[0].Body), `"state":"pending"`) {
				t.Fatalf("first write %v, want the pending status on the head", writes)
			}
			if got := f.statesOn(headSHA)[1:]; !slices.Equal(got, tc.states) {
				t.Errorf("statuses on the head after the earlier success: %v, want %v", got, tc.states)
			}
		})
	}
}

// TestTrustedSideIsTheBaseBranchTip: the register, configuration and base
// manifest are read at the base branch's tip as the API reports it, not at
// the base commit the event names.
func TestTrustedSideIsTheBaseBranchTip(t *testing.T) {
	t.Parallel()
	register := string(readFile(t, "testdata/repo/safety/cso-register.yaml"))
	withoutAlice := "officers:\n" + register[strings.Index(register, "  - github: nurse-niamh"):]
	tests := []struct {
		name string
		// eventBase is the base commit the event names, with its files.
		eventBase      string
		eventBaseFiles map[string]string
		// tip is main's tip, with its files.
		tip      string
		tipFiles map[string]string
		code     int
		decision string
		whyNot   string // alice's approval's
	}{
		{
			name:      "the event's base is a branch the author controls, ignoring src/**; main is strict",
			eventBase: githubtest.SHA("attacker-branch"),
			eventBaseFiles: map[string]string{
				"safety/csogate.yaml": "ignore_paths: [\"src/**\", \"docs/**\", \"**/*.md\"]\n",
				"safety/changes.yaml": string(readFile(t, "testdata/repo/safety/changes.yaml")),
			},
			tip:      baseSHA,
			code:     1,
			decision: "blocked",
		},
		{
			name:      "alice was removed from the register on main after the event",
			eventBase: baseSHA,
			tip:       githubtest.SHA("main-after-removal"),
			tipFiles:  map[string]string{"safety/cso-register.yaml": withoutAlice},
			code:      1,
			decision:  "blocked",
			whyNot:    "APPROVER_NOT_REGISTERED",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.eventBase != baseSHA {
				f.serveTrustedAt(tc.eventBase, tc.eventBaseFiles)
				f.srv.AddCommit(githubtest.Commit{SHA: tc.eventBase})
			}
			if tc.tip != baseSHA {
				f.serveTrustedAt(tc.tip, tc.tipFiles)
			}
			f.srv.SetBranch("main", tc.tip)
			f.pullEvent("pull_request", "synchronize", func(pr map[string]any) {
				pr["base"].(map[string]any)["sha"] = tc.eventBase
			})
			if tc.whyNot != "" {
				f.approve(alice, aliceID)
			}
			o := f.run()
			if o.code != tc.code || o.outputs["decision"] != tc.decision {
				t.Errorf("exit %d, decision %q; want %d, %s\n%s", o.code, o.outputs["decision"], tc.code, tc.decision, o.stdout)
			}
			if st, ok := f.status(headSHA); !ok || st.State == "success" {
				t.Errorf("status %+v (found %v), want one that is not success", st, ok)
			}
			for _, r := range f.srv.Requests() {
				if strings.Contains(r.Path, "/contents/safety/") && r.Query.Get("ref") == tc.eventBase && tc.eventBase != tc.tip {
					t.Errorf("read %s at the event's base commit", r.Path)
				}
			}
			if tc.whyNot != "" {
				approvals, _ := o.decision["approvals"].([]any)
				if len(approvals) != 1 || approvals[0].(map[string]any)["why_not"] != tc.whyNot {
					t.Errorf("approvals %v, want alice's not counted: %s", approvals, tc.whyNot)
				}
			}
		})
	}
}

// TestStatusContextNamesTheBranch: a pull request into a branch other than
// the repository's default gets the status context with the branch named,
// so that its success cannot satisfy the default branch's required check;
// into the default branch the context is the input's.
func TestStatusContextNamesTheBranch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, defaultBranch, context string
	}{
		{"into the default branch", "main", "main", "clinical-safety/cso-approval"},
		{"into a release branch", "release/2.x", "main", "clinical-safety/cso-approval (release/2.x)"},
		{"into main where develop is the default", "main", "develop", "clinical-safety/cso-approval (main)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.srv.SetDefaultBranch(tc.defaultBranch)
			f.srv.SetBranch(tc.base, baseSHA)
			f.srv.EditPull(prNumber, func(p *githubtest.Pull) { p.BaseRef = tc.base })
			f.approve(alice, aliceID)
			if o := f.run(); o.code != 0 {
				t.Fatalf("exit %d, want 0\n%s", o.code, o.stdout)
			}
			statuses := f.srv.Statuses()
			if len(statuses) != 2 {
				t.Fatalf("statuses %+v, want pending and success", statuses)
			}
			for _, st := range statuses {
				if st.Context != tc.context {
					t.Errorf("status %s has context %q, want %q", st.State, st.Context, tc.context)
				}
			}
			// One sticky comment whatever the branch, so a retargeted
			// pull request keeps its comment.
			if c := f.srv.Comments(prNumber); len(c) != 1 || !strings.HasPrefix(c[0].Body, "<!-- csogate:clinical-safety/cso-approval -->") {
				t.Errorf("comments %+v, want the one sticky comment", c)
			}
		})
	}
}

// TestMergeGroupStatusContextNamesTheBranch: a merge queue of a branch other
// than the default requires what its pull requests require.
func TestMergeGroupStatusContextNamesTheBranch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	group := githubtest.SHA("merge-group-head")
	f.srv.AddCommit(githubtest.Commit{SHA: group})
	f.approve(alice, aliceID)
	f.mergeGroupEvent("refs/heads/gh-readonly-queue/release/2.x/pr-7-"+baseSHA, group)
	f.editEventPayload(func(p map[string]any) { p["merge_group"].(map[string]any)["base_ref"] = "refs/heads/release/2.x" })
	if o := f.run(); o.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", o.code, o.stdout)
	}
	if st, ok := f.srv.LatestStatus(group, "clinical-safety/cso-approval (release/2.x)"); !ok || st.State != "success" {
		t.Errorf("status %+v (found %v), want success under the branch's context; statuses %+v", st, ok, f.srv.Statuses())
	}
}

// TestEditedActivity: an edit that changes the base branch is gated, against
// the new base; any other edit (a title) changes nothing the gate reads and
// is not gated.
func TestEditedActivity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		baseChange bool
		code       int
		gated      bool
	}{
		{name: "retargeted to main from a branch the author controls", baseChange: true, code: 1, gated: true},
		{name: "the title edited", baseChange: false, code: 2, gated: false},
	}
	for _, event := range []string{"pull_request", "pull_request_target"} {
		for _, tc := range tests {
			t.Run(event+": "+tc.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				f.pullEvent(event, "edited", nil)
				f.editEventPayload(func(p map[string]any) {
					p["changes"] = map[string]any{"title": map[string]any{"from": "WIP"}}
					if tc.baseChange {
						p["changes"] = map[string]any{"base": map[string]any{
							"ref": map[string]any{"from": "dev-dan-playground"},
							"sha": map[string]any{"from": githubtest.SHA("attacker-branch")},
						}}
					}
				})
				o := f.run()
				if o.code != tc.code {
					t.Errorf("exit %d, want %d\n%s", o.code, tc.code, o.stdout)
				}
				writes := f.srv.Writes()
				if tc.gated {
					if got := f.statesOn(headSHA); !slices.Equal(got, []string{"pending", "pending"}) {
						t.Errorf("statuses %v, want pending while the CSOs are asked", got)
					}
					return
				}
				if len(writes) > 0 {
					t.Errorf("a title edit wrote to GitHub: %v", writes)
				}
				if !strings.Contains(o.stdout, `"edited" activity changed no base branch`) {
					t.Errorf("the log does not say why the edit is not gated:\n%s", o.stdout)
				}
			})
		}
	}
}

// TestClockOverrideIgnored: the clock override is the CLI's testing aid;
// an earlier step can set any variable through GITHUB_ENV, and a day before
// priya's registration lapsed must not bring her approval back. A value that
// is no date is no problem either: it is not read.
func TestClockOverrideIgnored(t *testing.T) {
	t.Parallel()
	for _, today := range []string{"2025-01-01", "25/11/2026"} {
		t.Run(today, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.env["CSOGATE_TODAY"] = today
			f.approve(priya, githubtest.UserID(priya))
			o := f.run()
			if o.code != 1 || o.outputs["decision"] != "blocked" {
				t.Errorf("exit %d, decision %q; want 1, blocked\n%s", o.code, o.outputs["decision"], o.stdout)
			}
			approvals, _ := o.decision["approvals"].([]any)
			if len(approvals) != 1 || approvals[0].(map[string]any)["why_not"] != "APPROVER_REGISTRATION_EXPIRED" {
				t.Errorf("approvals %v, want priya's not counted: APPROVER_REGISTRATION_EXPIRED", approvals)
			}
			if strings.Contains(o.stdout, "CSOGATE_TODAY") {
				t.Errorf("the log mentions CSOGATE_TODAY:\n%s", o.stdout)
			}
		})
	}
}

// TestPullRequestTargetFromAFork: on pull_request_target a fork's pull
// request is judged exactly as on pull_request, with nothing read from the
// workspace (which on that event is the base branch's checkout, or nothing).
func TestPullRequestTargetFromAFork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		approve  bool
		code     int
		decision string
		state    string
	}{
		{name: "approved", approve: true, code: 0, decision: "approved", state: "success"},
		{name: "awaiting a CSO", code: 1, decision: "blocked", state: "pending"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			results := map[string]*outcome{}
			for _, event := range []string{"pull_request", "pull_request_target"} {
				f := newFixture(t)
				f.srv.EditPull(prNumber, func(p *githubtest.Pull) { p.HeadRepo = "someone/clinical-app" })
				f.pullEvent(event, "synchronize", func(pr map[string]any) {
					pr["head"].(map[string]any)["repo"].(map[string]any)["full_name"] = "someone/clinical-app"
				})
				if event == "pull_request_target" {
					// Nothing of the head is checked out; what is there must
					// not be read.
					if err := os.RemoveAll(f.workspace); err != nil {
						t.Fatal(err)
					}
					writeFile(t, filepath.Join(f.workspace, "safety/hazard-log.yaml"), []byte("not: a hazard log\n"))
				}
				if tc.approve {
					f.approve(alice, aliceID)
				}
				o := f.run()
				results[event] = o
				if o.code != tc.code || o.outputs["decision"] != tc.decision {
					t.Errorf("%s: exit %d, decision %q; want %d, %s\n%s", event, o.code, o.outputs["decision"], tc.code, tc.decision, o.stdout)
				}
				if st, ok := f.status(headSHA); !ok || st.State != tc.state {
					t.Errorf("%s: status %+v (found %v), want %s", event, st, ok, tc.state)
				}
			}
			a, b := results["pull_request"], results["pull_request_target"]
			if a.outputs["violations"] != b.outputs["violations"] || a.outputs["clinical-changes"] != b.outputs["clinical-changes"] {
				t.Errorf("pull_request and pull_request_target differ:\n%v\n%v", a.outputs, b.outputs)
			}
		})
	}
}

// githubStatus is a status of the default context.
func githubStatus(state string) github.Status {
	return github.Status{State: state, Context: DefaultStatusContext, Description: "an earlier run"}
}

// TestExampleWorkflowsCheckOutNothing holds the pull-request workflows to
// what the gate needs and what pull_request_target allows: no step checks
// anything out or runs anything but the gate and the artifact upload, and
// an edit that changes the base branch is gated.
func TestExampleWorkflowsCheckOutNothing(t *testing.T) {
	t.Parallel()
	type step struct {
		Uses string `yaml:"uses"`
		Run  string `yaml:"run"`
	}
	type workflow struct {
		On   map[string]struct{ Types []string } `yaml:"on"`
		Jobs map[string]struct {
			If    string `yaml:"if"`
			Steps []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	for file, event := range map[string]string{"pull-request.yml": "pull_request", "pull-request-target.yml": "pull_request_target"} {
		var w workflow
		if err := yaml.Unmarshal(readFile(t, "../../examples/workflows/"+file), &w); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !slices.Contains(w.On[event].Types, "edited") {
			t.Errorf("%s: %s types %v lack edited", file, event, w.On[event].Types)
		}
		for name, job := range w.Jobs {
			if !strings.Contains(job.If, "github.event.changes.base") {
				t.Errorf("%s: job %s does not skip edits that leave the base alone: if: %q", file, name, job.If)
			}
			for _, s := range job.Steps {
				if s.Run != "" || (s.Uses != "csogate/csogate@v1" && !strings.HasPrefix(s.Uses, "actions/upload-artifact@")) {
					t.Errorf("%s: job %s runs %q%q: nothing but the gate may run on a pull request's event", file, name, s.Uses, s.Run)
				}
			}
		}
	}
}

// TestBadSetupPostsOnTheJudgedHead: a run whose inputs cannot be used
// cannot judge, and says so on the head it would have judged, under its
// branch's context, so that no earlier success there stands; the event's
// old head gets nothing.
func TestBadSetupPostsOnTheJudgedHead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pushed := githubtest.SHA("head-7-pushed")
	f.srv.SetBranch("release/2.x", baseSHA)
	f.srv.EditPull(prNumber, func(p *githubtest.Pull) { p.HeadSHA, p.BaseRef = pushed, "release/2.x" })
	f.input("fail-on-block", "maybe")
	if o := f.run(); o.code != 2 {
		t.Errorf("exit %d, want 2\n%s", o.code, o.stdout)
	}
	st, ok := f.srv.LatestStatus(pushed, "clinical-safety/cso-approval (release/2.x)")
	if !ok || st.State != "failure" {
		t.Errorf("status %+v (found %v), want failure under the branch's context; statuses %+v", st, ok, f.srv.Statuses())
	}
	if got := f.statesOn(headSHA); len(got) != 0 {
		t.Errorf("statuses on the event's head: %v, want none", got)
	}
}
