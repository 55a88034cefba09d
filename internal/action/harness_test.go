package action

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// The tests' pull request, people and day.
const (
	testToken = "ghs_csogateTestTokenNeverPrinted0123456789"
	prNumber  = 7
	testToday = "2026-11-25"
	author    = "dev-dan"
	alice     = "alice-gp" // CSO, github_id 583231 in the register
	aliceID   = 583231
	niamh     = "nurse-niamh" // CSO, github_id 1021937
	niamhID   = 1021937
	priya     = "pharm-priya" // CSO whose registration expired
	runURL    = "https://github.com/octo-org/clinical-app/actions/runs/4242"
)

var (
	headSHA = githubtest.SHA("head-7")
	baseSHA = githubtest.SHA("base-7")
)

// withToday fixes the clock at the tests' day (or at today, YYYY-MM-DD,
// when given): the action reads no clock override from its environment.
func withToday(today ...string) Option {
	day := testToday
	if len(today) > 0 && today[0] != "" {
		day = today[0]
	}
	return func(o *options) {
		day, err := time.Parse(time.DateOnly, day)
		if err != nil {
			panic(err)
		}
		o.now = func() time.Time { return day.Add(10 * time.Hour) }
	}
}

// withSleep makes the client record its waits instead of sleeping.
func withSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *options) { o.sleep = f }
}

// fixture is a repository on a fake GitHub, a runner environment as a Docker
// action sees it, and a pull request #7 by dev-dan into main whose head is
// the bundled example product (testdata/repo, served at the head commit and
// also copied into the workspace, which the pull-request gate must not read)
// and whose base, main's tip, has the register, the configuration and an
// earlier manifest (testdata/base).
type fixture struct {
	t         *testing.T
	srv       *githubtest.Server
	dir       string
	workspace string
	env       map[string]string
	sleeps    *githubtest.Sleeps
	// changed are the pull request's files, added to the server at the
	// first run (a test may replace them before).
	changed []string
	added   bool
	// today is the day the runs see (YYYY-MM-DD; "" for testToday).
	today string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := githubtest.New(t, githubtest.WithToken(testToken))
	dir := t.TempDir()
	f := &fixture{t: t, srv: srv, dir: dir, workspace: filepath.Join(dir, "workspace"), sleeps: &githubtest.Sleeps{}}
	copyDir(t, "testdata/repo", f.workspace)

	srv.AddPull(githubtest.Pull{Number: prNumber, Author: author})
	srv.AddCommits(prNumber, githubtest.Commit{SHA: headSHA, AuthorLogin: author})
	f.changed = strings.Fields(string(readFile(t, "testdata/repo/changed-files.txt")))
	for _, name := range []string{"cso-register.yaml", "csogate.yaml", "hazard-log.yaml"} {
		srv.SetContent(baseSHA, "safety/"+name, readFile(t, "testdata/repo/safety/"+name))
	}
	srv.SetContent(baseSHA, "safety/changes.yaml", readFile(t, "testdata/base/safety/changes.yaml"))
	srv.SetBranch("main", baseSHA)
	for _, name := range []string{"cso-register.yaml", "csogate.yaml", "hazard-log.yaml", "changes.yaml"} {
		srv.SetContent(headSHA, "safety/"+name, readFile(t, "testdata/repo/safety/"+name))
	}
	// The code the hazard log's components name and the files its controls
	// give as evidence are at the head, as in a real repository: the gate
	// looks them up in the head's file tree.
	for _, name := range headCode {
		srv.SetContent(headSHA, name, []byte("package x\n"))
	}

	mkdir(t, filepath.Join(dir, "temp"))
	f.env = map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_EVENT_NAME":   "pull_request",
		"GITHUB_EVENT_PATH":   filepath.Join(dir, "event.json"),
		"GITHUB_REPOSITORY":   githubtest.DefaultOwner + "/" + githubtest.DefaultRepo,
		"GITHUB_WORKSPACE":    f.workspace,
		"GITHUB_API_URL":      srv.URL(),
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_SHA":          githubtest.SHA("test-merge-7"),
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"RUNNER_TEMP":         filepath.Join(dir, "temp"),
	}
	// Inputs as a Docker action receives them: every input, with action.yml's
	// defaults, names upper-cased with their hyphens kept.
	for name, def := range inputDefaults {
		f.env["INPUT_"+strings.ToUpper(name)] = def
	}
	f.env["INPUT_TOKEN"] = testToken
	for _, name := range []string{"output", "summary"} {
		writeFile(t, filepath.Join(dir, name), nil)
	}
	f.pullEvent("pull_request", "synchronize", nil)
	return f
}

// headCode is the code and evidence the fixture's hazard log names.
var headCode = []string{
	"src/search/index.go", "src/prescribing/dose/calc.go", "src/api/weights.go", "src/ui/allergy/banner.go",
	"src/api/allergies.go", "tests/search/banner_test.go", "tests/search/ranking_test.go",
	"tests/prescribing/weight_age_test.go", "tests/ui/allergy_banner_test.go", "tests/prescribing/allergy_stop_test.go",
}

// headFile puts a file at the pull request's head commit, where the gate
// reads the head's hazard log, manifest and components map.
func (f *fixture) headFile(name string, data []byte) { f.srv.SetContent(headSHA, name, data) }

// input sets an action input.
func (f *fixture) input(name, value string) { f.env["INPUT_"+strings.ToUpper(name)] = value }

// pullEvent writes the event payload: GitHub's example for the event and
// activity, rewritten to the fixture's repository and pull request; edit may
// change the pull request further.
func (f *fixture) pullEvent(event, activity string, edit func(pr map[string]any)) {
	f.t.Helper()
	file := map[string]string{
		"pull_request/opened":           "pull_request.opened.json",
		"pull_request/synchronize":      "pull_request.synchronize.json",
		"pull_request/reopened":         "pull_request.reopened.json",
		"pull_request/ready_for_review": "pull_request.ready_for_review.json",
		"pull_request/closed":           "pull_request.closed.json",
		// GitHub sends an edit as the pull request with the changes made;
		// pullEdited adds them.
		"pull_request/edited":             "pull_request.synchronize.json",
		"pull_request_target/synchronize": "pull_request.synchronize.json",
		"pull_request_target/edited":      "pull_request.synchronize.json",
		"pull_request_review/submitted":   "derived.pull_request_review.submitted.approved.json",
		"pull_request_review/dismissed":   "pull_request_review.dismissed.json",
		"pull_request_review/edited":      "derived.pull_request_review.submitted.approved.json",
	}[event+"/"+activity]
	if file == "" {
		f.t.Fatalf("no payload for %s/%s", event, activity)
	}
	payload := readJSON(f.t, "testdata/payloads/"+file)
	payload["action"] = activity
	f.setRepository(payload)
	pr := payload["pull_request"].(map[string]any)
	pr["number"] = prNumber
	pr["draft"] = false
	pr["user"].(map[string]any)["login"] = author
	pr["user"].(map[string]any)["id"] = githubtest.UserID(author)
	for side, sha := range map[string]string{"head": headSHA, "base": baseSHA} {
		ref := pr[side].(map[string]any)
		ref["sha"] = sha
		ref["repo"].(map[string]any)["full_name"] = githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	}
	if edit != nil {
		edit(pr)
	}
	f.env["GITHUB_EVENT_NAME"] = event
	f.writeEvent(payload)
}

// mergeGroupEvent writes a merge_group payload for a group made for the pull
// request number, with head groupHead.
func (f *fixture) mergeGroupEvent(headRef, groupHead string) {
	f.t.Helper()
	payload := readJSON(f.t, "testdata/payloads/merge_group.checks_requested.json")
	f.setRepository(payload)
	g := payload["merge_group"].(map[string]any)
	g["head_sha"] = groupHead
	g["head_ref"] = headRef
	g["base_sha"] = baseSHA
	g["base_ref"] = "refs/heads/main"
	g["head_commit"].(map[string]any)["id"] = groupHead
	f.env["GITHUB_EVENT_NAME"] = "merge_group"
	f.writeEvent(payload)
}

// rawEvent writes one of the payloads unchanged but for the repository.
func (f *fixture) rawEvent(event, file string) { f.editEvent(event, file, nil) }

// editEvent writes one of the payloads for the repository, changed by edit.
func (f *fixture) editEvent(event, file string, edit func(payload map[string]any)) {
	f.t.Helper()
	payload := readJSON(f.t, "testdata/payloads/"+file)
	f.setRepository(payload)
	if edit != nil {
		edit(payload)
	}
	f.env["GITHUB_EVENT_NAME"] = event
	f.writeEvent(payload)
}

func (f *fixture) setRepository(payload map[string]any) {
	repo := payload["repository"].(map[string]any)
	repo["name"] = githubtest.DefaultRepo
	repo["full_name"] = githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	repo["owner"].(map[string]any)["login"] = githubtest.DefaultOwner
	repo["default_branch"] = "main"
}

func (f *fixture) writeEvent(payload map[string]any) {
	data, err := json.MarshalIndent(payload, "", "  ")
	if err != nil {
		f.t.Fatal(err)
	}
	writeFile(f.t, f.env["GITHUB_EVENT_PATH"], data)
}

// approve adds an approving review of the head commit.
func (f *fixture) approve(login string, id int64) int64 {
	return f.srv.AddReview(prNumber, githubtest.Review{Login: login, UserID: id, State: "APPROVED"})
}

// newClientFor is a client of the fixture's fake GitHub, for setting it up
// through its API.
func newClientFor(f *fixture) *github.Client {
	f.t.Helper()
	c, err := github.New(github.Options{BaseURL: f.srv.URL(), Token: testToken, Sleep: f.sleeps.Sleep})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// outcome is what a run left behind.
type outcome struct {
	code     int
	stdout   string
	stderr   string
	outputs  map[string]string
	summary  string
	decision map[string]any
}

// run runs the action as the runner would and collects what it wrote.
func (f *fixture) run() *outcome {
	f.t.Helper()
	if !f.added {
		f.added = true
		for _, p := range f.changed {
			f.srv.AddFiles(prNumber, githubtest.File{Path: p})
		}
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), func(k string) string { return f.env[k] }, &stdout, &stderr,
		WithVersion("test"), withSleep(f.sleeps.Sleep), withToday(f.today))
	// A test may point the runner's files somewhere unwritable: read what is there.
	output, _ := os.ReadFile(f.env["GITHUB_OUTPUT"])
	summary, _ := os.ReadFile(f.env["GITHUB_STEP_SUMMARY"])
	o := &outcome{code: code, stdout: stdout.String(), stderr: stderr.String(),
		outputs: parseOutputs(f.t, string(output)), summary: string(summary)}
	if name := o.outputs["decision-file"]; name != "" {
		if err := json.Unmarshal(readFile(f.t, name), &o.decision); err != nil {
			f.t.Fatalf("decision file %s: %v", name, err)
		}
	}
	// Each run appends; the next run of the same fixture starts afresh.
	for _, name := range []string{f.env["GITHUB_OUTPUT"], f.env["GITHUB_STEP_SUMMARY"]} {
		if info, err := os.Stat(name); err == nil && info.Mode().IsRegular() {
			writeFile(f.t, name, nil)
		}
	}
	return o
}

// status returns the latest status on sha with the default context.
func (f *fixture) status(sha string) (githubtest.Status, bool) {
	return f.srv.LatestStatus(sha, DefaultStatusContext)
}

// record loads the decision record the run wrote, checked as an auditor's
// replay reads it.
func (o *outcome) record(t *testing.T) *evidence.Record {
	t.Helper()
	name := o.outputs["record-file"]
	if name == "" {
		t.Fatalf("the record-file output is not set; outputs %v", o.outputs)
	}
	if filepath.Base(name) != evidence.RecordFile || filepath.Base(filepath.Dir(name)) != RecordDir {
		t.Errorf("record-file = %s, want %s/%s", name, RecordDir, evidence.RecordFile)
	}
	rec, err := evidence.Load(filepath.Dir(name))
	if err != nil {
		t.Fatalf("the decision record: %v", err)
	}
	return rec
}

// violationCodes lists the codes of the decision file's violations.
func (o *outcome) violationCodes() []string {
	var codes []string
	vs, _ := o.decision["violations"].([]any)
	for _, v := range vs {
		codes = append(codes, v.(map[string]any)["code"].(string))
	}
	return codes
}

// parseOutputs reads GITHUB_OUTPUT entries written as name<<DELIM ... DELIM.
func parseOutputs(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %d is not name<<DELIMITER: %q", i+1, lines[i])
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("GITHUB_OUTPUT: %s's delimiter %s never closes", name, delim)
		}
		if _, dup := out[name]; dup {
			t.Errorf("GITHUB_OUTPUT sets %s twice", name)
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(readFile(t, name), &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(name))
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(to, rel), readFile(t, p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
