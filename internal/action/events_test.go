package action

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestEventsNotGated checks the events and activities the action does not
// gate: each ends blocked with exit 2, says why, and writes nothing to GitHub
// (the status already on a head commit stands).
func TestEventsNotGated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(f *fixture)
		message string
	}{
		{
			name:    "a tag deletion (release mode)",
			setup:   func(f *fixture) { f.rawEvent("push", "push.json") },
			message: "the push deletes the tag simple-tag (deleted: true): a deleted tag is not a release",
		},
		{
			name: "a branch push (release mode)",
			setup: func(f *fixture) {
				f.editEvent("push", "push.json", func(p map[string]any) { p["ref"], p["deleted"] = "refs/heads/main", false })
			},
			message: "a push to refs/heads/main is not a release: release mode gates the push of a tag",
		},
		{
			name: "a release created, not published (release mode)",
			setup: func(f *fixture) {
				f.editEvent("release", "release.published.json", func(p map[string]any) { p["action"] = "created" })
			},
			message: `the release event's "created" activity is not gated; list only types: [published]`,
		},
		{
			name: "a tag push with a release-ref naming another tag (release mode)",
			setup: func(f *fixture) {
				f.editEvent("push", "push.json", func(p map[string]any) { p["ref"], p["deleted"] = "refs/tags/v2.4.0", false })
				f.input("release-ref", "v2.3.0")
			},
			message: "release-ref names v2.3.0, but this push event releases the tag v2.4.0",
		},
		{
			name:    "a manual run without release-ref (release mode)",
			setup:   func(f *fixture) { f.rawEvent("workflow_dispatch", "workflow_dispatch.json") },
			message: "release mode on workflow_dispatch needs the tag to gate: set the release-ref input",
		},
		{
			name:    "an event the action does not know",
			setup:   func(f *fixture) { f.rawEvent("schedule", "push.json") },
			message: "the schedule event is not one csogate gates; run it on merge_group, pull_request, pull_request_review, pull_request_target, push, release, workflow_dispatch",
		},
		{
			name:    "a closed pull request",
			setup:   func(f *fixture) { f.pullEvent("pull_request", "closed", nil) },
			message: `the pull_request event's "closed" activity is not gated; list only types: [opened, synchronize, reopened, ready_for_review, edited]`,
		},
		{
			name:    "an edited review",
			setup:   func(f *fixture) { f.pullEvent("pull_request_review", "edited", nil) },
			message: `the pull_request_review event's "edited" activity is not gated; list only types: [submitted, dismissed]`,
		},
		{
			name:    "no event file",
			setup:   func(f *fixture) { f.env["GITHUB_EVENT_PATH"] = filepath.Join(f.dir, "missing.json") },
			message: "reading the event payload (GITHUB_EVENT_PATH)",
		},
		{
			name: "a payload that is not the event's",
			setup: func(f *fixture) {
				writeFile(t, f.env["GITHUB_EVENT_PATH"], []byte(`{"action": "opened", "pull_request": "not an object"}`))
			},
			message: "the pull_request event payload cannot be read",
		},
		{
			name:    "an event file that is not JSON",
			setup:   func(f *fixture) { writeFile(t, f.env["GITHUB_EVENT_PATH"], []byte("{not json")) },
			message: "reading the runner environment: failed to unmarshal event payload",
		},
		{
			name:    "outside a workflow",
			setup:   func(f *fixture) { delete(f.env, "GITHUB_EVENT_NAME") },
			message: "GITHUB_EVENT_NAME is not set",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(f)
			o := f.run()
			if o.code != 2 || o.outputs["decision"] != "blocked" {
				t.Errorf("exit %d, decision %q; want 2, blocked", o.code, o.outputs["decision"])
			}
			if !strings.Contains(o.stdout, "::error title=INPUT_INVALID::"+tc.message) {
				t.Errorf("no error annotation saying %q:\n%s", tc.message, o.stdout)
			}
			if !strings.Contains(o.summary, tc.message) {
				t.Errorf("the job summary does not say %q", tc.message)
			}
			if w := f.srv.Writes(); len(w) > 0 {
				t.Errorf("wrote to GitHub: %v", w)
			}
			if rec := o.record(t); rec.Decision.Decision != "blocked" || rec.ExitCode != 2 {
				t.Errorf("the decision record says %s, exit %d; want blocked, exit 2", rec.Decision.Decision, rec.ExitCode)
			}
		})
	}
}

// TestBadSetup checks inputs and environment the action cannot work with:
// blocked, exit 2, every problem named at once, and a status that is not
// success on the head commit when one can be posted.
func TestBadSetup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(f *fixture)
		messages []string
		status   bool // whether a failure status can be posted
	}{
		{
			name: "inputs that cannot be used",
			setup: func(f *fixture) {
				f.input("comment", "yes please")
				f.input("fail-on-block", "maybe")
				f.input("register", "../../etc/cso-register.yaml")
				f.input("policies", "safety/policies\n/abs/policies")
			},
			messages: []string{
				`input comment: "yes please" is not a boolean; write true or false`,
				`input fail-on-block: "maybe" is not a boolean`,
				`input register: "../../etc/cso-register.yaml" is not a path inside the repository`,
				`input policies: "/abs/policies" is not a path inside the repository`,
			},
			status: true,
		},
		{
			name:     "no token",
			setup:    func(f *fixture) { f.input("token", "") },
			messages: []string{"input token: is empty"},
		},
		{
			name:     "an API URL that is not one",
			setup:    func(f *fixture) { f.env["GITHUB_API_URL"] = "ftp://ghes.example/api/v3" },
			messages: []string{`GITHUB_API_URL: GitHub API URL "ftp://ghes.example/api/v3" is not an http(s) URL`},
		},
		{
			name:     "a repository that is not owner/name",
			setup:    func(f *fixture) { f.env["GITHUB_REPOSITORY"] = "clinical-app" },
			messages: []string{`GITHUB_REPOSITORY "clinical-app" is not owner/name`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(f)
			o := f.run()
			if o.code != 2 || o.outputs["decision"] != "blocked" {
				t.Errorf("exit %d, decision %q; want 2, blocked\n%s", o.code, o.outputs["decision"], o.stdout)
			}
			for _, m := range tc.messages {
				if !strings.Contains(o.stdout, m) {
					t.Errorf("the log does not say %q:\n%s", m, o.stdout)
				}
			}
			st, ok := f.status(headSHA)
			if tc.status && (!ok || st.State != "failure") {
				t.Errorf("status = %+v (found %v), want failure", st, ok)
			}
			if !tc.status && ok {
				t.Errorf("a status was posted without a usable setup: %+v", st)
			}
			// The pull request is read to find the head to post on, and
			// nothing else.
			for _, r := range f.srv.Requests() {
				if !r.IsWrite() && !strings.HasSuffix(r.Path, "/issues/7/comments") && !strings.HasSuffix(r.Path, "/pulls/7") {
					t.Errorf("evaluated despite the bad setup: %s", r)
				}
			}
		})
	}
}

// TestInputFileProblemsAnnotated checks that a hazard log with mistakes ends
// blocked (exit 2) with error annotations at the file, line and column of
// each, and a failure status.
func TestInputFileProblemsAnnotated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	log := string(readFile(t, "testdata/repo/safety/hazard-log.yaml"))
	log = strings.Replace(log, "    residual: {severity: major, likelihood: low}", "    residul: {severity: major, likelihood: low}", 1)
	f.headFile("safety/hazard-log.yaml", []byte(log))
	f.approve(alice, aliceID)
	o := f.run()
	if o.code != 2 || o.outputs["decision"] != "blocked" {
		t.Fatalf("exit %d, decision %q; want 2, blocked\n%s", o.code, o.outputs["decision"], o.stdout)
	}
	if !strings.Contains(o.stdout, "::error col=5,file=safety/hazard-log.yaml,line=53,title=INPUT_INVALID::") {
		t.Errorf("no annotation at safety/hazard-log.yaml:53:5:\n%s", o.stdout)
	}
	if st, ok := f.status(headSHA); !ok || st.State != "failure" {
		t.Errorf("status = %+v (found %v), want failure", st, ok)
	}
}

// TestAnnotationsBounded checks that no more error annotations are raised
// than the runner shows, the last saying how many more there are.
func TestAnnotationsBounded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var changes strings.Builder
	changes.WriteString("release: 2.4.0\nchanges:\n")
	for i := range 14 {
		changes.WriteString("  - id: CHG-9" + string(rune('a'+i)) + "\n    summary: x\n    clinical: true\n    hazards: [HAZ-404]\n    bogus: 1\n")
	}
	f.headFile("safety/changes.yaml", []byte(changes.String()))
	o := f.run()
	if n := strings.Count(o.stdout, "::error "); n != maxAnnotations {
		t.Errorf("%d error annotations, want %d:\n%s", n, maxAnnotations, o.stdout)
	}
	if !strings.Contains(o.stdout, "::error title=csogate::5 more problems: see the job summary") {
		t.Errorf("no closing annotation counting the rest:\n%s", o.stdout)
	}
}

// TestTokenNeverShown runs the action on the paths that print the most and
// checks the token is masked first and never printed or written.
func TestTokenNeverShown(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"approved", "blocked", "forbidden", "unavailable"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
			switch name {
			case "approved":
				f.approve(alice, aliceID)
			case "forbidden":
				f.srv.FailAlways("", repo+"/contents/", githubtest.Forbidden())
			case "unavailable":
				f.srv.FailAlways("", repo+"/pulls/7/files", githubtest.BadGateway())
			}
			o := f.run()
			mask := "::add-mask::" + testToken + "\n"
			if !strings.HasPrefix(o.stdout, mask) {
				t.Fatalf("the log does not start by masking the token:\n%s", o.stdout)
			}
			texts := map[string]string{"log": strings.TrimPrefix(o.stdout, mask), "stderr": o.stderr, "summary": o.summary,
				"decision file": o.outputs["decision-file"] + string(readFile(t, o.outputs["decision-file"]))}
			for k, v := range o.outputs {
				texts["output "+k] = v
			}
			for _, c := range f.srv.Comments(prNumber) {
				texts["comment"] += c.Body
			}
			for _, s := range f.srv.Statuses() {
				texts["status"] += s.Description + s.TargetURL
			}
			for what, text := range texts {
				if strings.Contains(text, testToken) {
					t.Errorf("the token appears in the %s", what)
				}
			}
		})
	}
}
