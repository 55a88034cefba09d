package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestActionEndToEnd builds the binary as the Dockerfile does and runs
// "csogate action" as the runner would — its environment only, an event
// file, output and summary files — against a fake GitHub, checking the
// statuses posted (pending, then the decision), the one sticky comment, the
// outputs and the exit code. The head's files are served by the fake at the
// head commit; the workspace, which needs no checkout, holds none of them.
// CSOGATE_TODAY names a day before the CSO was trained: the action ignores
// it, as an earlier step could set it through GITHUB_ENV.
func TestActionEndToEnd(t *testing.T) {
	t.Parallel()
	bin := buildActionBinary(t)

	const (
		token  = "ghs_e2eTokenThatMustNeverBePrinted000000"
		number = 12
		alice  = "alice-gp"
	)
	head, base := githubtest.SHA("e2e-head"), githubtest.SHA("e2e-base")
	repoPath := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	example := "../../examples/example-epr"

	tests := []struct {
		name     string
		setup    func(srv *githubtest.Server)
		files    []string
		code     int
		decision string
		state    string
		clinical string
	}{
		{
			name: "approved",
			setup: func(srv *githubtest.Server) {
				srv.AddReview(number, githubtest.Review{Login: alice, UserID: 583231, State: "APPROVED"})
			},
			code: 0, decision: "approved", state: "success", clinical: "2",
		},
		{
			name:  "blocked",
			setup: func(srv *githubtest.Server) {},
			code:  1, decision: "blocked", state: "pending", clinical: "2",
		},
		{
			name: "not required",
			setup: func(srv *githubtest.Server) {
				srv.SetContent(base, "safety/changes.yaml", readTestFile(t, example+"/safety/changes.yaml"))
			},
			files: []string{"docs/search.md", "README.md"},
			code:  0, decision: "not_required", state: "success", clinical: "0",
		},
		{
			name: "error",
			setup: func(srv *githubtest.Server) {
				srv.FailAlways("GET", repoPath+"/contents/", githubtest.Forbidden())
			},
			code: 3, decision: "blocked", state: "error", clinical: "0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := exampleServer(t, token, number, head, base, tc.files)
			tc.setup(srv)

			run := runActionBinary(t, bin, srv.URL(), token, pullEvent(t, number, head, base))
			code, stdout, stderr, output, summary, temp := run.code, run.stdout, run.stderr, run.outputFile, run.summaryFile, run.temp
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}

			outputs := readOutputs(t, string(readTestFile(t, output)))
			if outputs["decision"] != tc.decision || outputs["clinical-changes"] != tc.clinical {
				t.Errorf("outputs %v, want decision %s and %s clinical changes", outputs, tc.decision, tc.clinical)
			}
			var doc struct {
				Decision string `json:"decision"`
				HeadSHA  string `json:"head_sha"`
			}
			if err := json.Unmarshal(readTestFile(t, outputs["decision-file"]), &doc); err != nil || doc.Decision != tc.decision {
				t.Errorf("decision file %s: %+v, %v", outputs["decision-file"], doc, err)
			}
			if !strings.HasPrefix(outputs["decision-file"], temp) {
				t.Errorf("decision file %s is not under RUNNER_TEMP", outputs["decision-file"])
			}
			var record struct {
				Decision struct {
					Decision string `json:"decision"`
				} `json:"decision"`
				ExitCode int `json:"exit_code"`
			}
			if err := json.Unmarshal(readTestFile(t, outputs["record-file"]), &record); err != nil ||
				record.Decision.Decision != tc.decision || record.ExitCode != tc.code || !strings.HasPrefix(outputs["record-file"], temp) {
				t.Errorf("decision record %s: %+v, %v; want %s, exit %d, under RUNNER_TEMP", outputs["record-file"], record, err, tc.decision, tc.code)
			}
			if s := string(readTestFile(t, summary)); !strings.Contains(s, "Clinical safety gate") {
				t.Errorf("job summary:\n%s", s)
			}

			st, ok := srv.LatestStatus(head, "clinical-safety/cso-approval")
			if !ok || st.State != tc.state || st.TargetURL != "https://github.com/octo-org/clinical-app/actions/runs/99" {
				t.Errorf("status on the head commit = %+v (found %v), want %s linking to the run", st, ok, tc.state)
			}
			if all := srv.Statuses(); len(all) != 2 || all[0].State != "pending" || all[0].SHA != head {
				t.Errorf("statuses %+v, want pending on the head, then the decision", all)
			}
			comments := srv.Comments(number)
			if len(comments) != 1 || !strings.Contains(comments[0].Body, "<!-- csogate:clinical-safety/cso-approval -->") {
				t.Errorf("comments %+v, want one sticky comment", comments)
			}
			all := stdout + stderr + string(readTestFile(t, output)) + string(readTestFile(t, summary))
			if strings.Count(all, token) != 1 || !strings.HasPrefix(stdout, "::add-mask::"+token+"\n") {
				t.Errorf("the token is not masked first, or appears again")
			}
		})
	}
}

// exampleServer is a fake GitHub holding pull request number of the bundled
// example: its trusted files at base (also main's tip), its head-side files
// at head, its changed files (files, or the example's list), and no review.
func exampleServer(t *testing.T, token string, number int, head, base string, files []string) *githubtest.Server {
	t.Helper()
	const example = "../../examples/example-epr"
	srv := githubtest.New(t, githubtest.WithToken(token))
	srv.AddPull(githubtest.Pull{Number: number, Author: "dev-dan", HeadSHA: head, BaseSHA: base})
	srv.AddCommits(number, githubtest.Commit{SHA: head, AuthorLogin: "dev-dan"})
	if files == nil {
		files = strings.Fields(string(readTestFile(t, example+"/changed-files.txt")))
	}
	for _, f := range files {
		srv.AddFiles(number, githubtest.File{Path: f})
	}
	for _, name := range []string{"cso-register.yaml", "csogate.yaml", "hazard-log.yaml"} {
		srv.SetContent(base, "safety/"+name, readTestFile(t, example+"/safety/"+name))
	}
	srv.SetBranch("main", base)
	for _, name := range []string{"hazard-log.yaml", "changes.yaml", "cso-register.yaml", "csogate.yaml"} {
		srv.SetContent(head, "safety/"+name, readTestFile(t, example+"/safety/"+name))
	}
	return srv
}

// actionRun is what one run of the built binary left behind.
type actionRun struct {
	code                    int
	stdout, stderr          string
	outputFile, summaryFile string
	temp                    string
	outputs                 map[string]string
	summary                 string
}

// runActionBinary runs "csogate action" on a pull_request event as the runner
// runs a Docker action: its environment only (CSOGATE_TODAY included, which
// the action must ignore), an empty workspace (no checkout), and files for
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP.
func runActionBinary(t *testing.T, bin, apiURL, token string, event []byte) actionRun {
	t.Helper()
	// The runner's layout: the repository's directory under RUNNER_WORKSPACE
	// (empty: the gate needs no checkout), its temporary directory beside it
	// holding the event file and the files behind GITHUB_OUTPUT and
	// GITHUB_STEP_SUMMARY — what it mounts into a Docker action.
	dir := t.TempDir()
	runnerWorkspace := filepath.Join(dir, "work", githubtest.DefaultRepo)
	workspace := filepath.Join(runnerWorkspace, githubtest.DefaultRepo)
	if err := os.MkdirAll(workspace, 0o755); err != nil {
		t.Fatal(err)
	}
	temp := filepath.Join(dir, "work", "_temp")
	eventFile := filepath.Join(temp, "_github_workflow", "event.json")
	writeTestFile(t, eventFile, event)
	r := actionRun{temp: temp,
		outputFile:  filepath.Join(temp, "_runner_file_commands", "set_output_e2e"),
		summaryFile: filepath.Join(temp, "_runner_file_commands", "step_summary_e2e")}
	writeTestFile(t, r.outputFile, nil)
	writeTestFile(t, r.summaryFile, nil)
	cmd := launchAction(t, bin, workspace, []string{
		"GITHUB_ACTIONS=true",
		"GITHUB_EVENT_NAME=pull_request",
		"GITHUB_EVENT_PATH=" + eventFile,
		"GITHUB_REPOSITORY=" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo,
		"GITHUB_WORKSPACE=" + workspace,
		"GITHUB_API_URL=" + apiURL,
		"GITHUB_SERVER_URL=https://github.com",
		"GITHUB_SHA=" + githubtest.SHA("e2e-test-merge"),
		"GITHUB_RUN_ID=99",
		"GITHUB_OUTPUT=" + r.outputFile,
		"GITHUB_STEP_SUMMARY=" + r.summaryFile,
		"RUNNER_TEMP=" + temp,
		"RUNNER_WORKSPACE=" + runnerWorkspace,
		"CSOGATE_TODAY=2020-01-01",
		"INPUT_TOKEN=" + token,
		"INPUT_HAZARD-LOG=safety/hazard-log.yaml",
		"INPUT_MANIFEST=safety/changes.yaml",
		"INPUT_REGISTER=safety/cso-register.yaml",
		"INPUT_CONFIG=safety/csogate.yaml",
		"INPUT_POLICIES=",
		"INPUT_STATUS-CONTEXT=clinical-safety/cso-approval",
		"INPUT_COMMENT=true",
		"INPUT_REQUEST-REVIEW=true",
		"INPUT_FAIL-ON-BLOCK=true",
		"INPUT_RELEASE-REF=",
		"INPUT_SINCE=",
	})
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("the gate ran in %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		r.code = exit.ExitCode()
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	r.outputs = readOutputs(t, string(readTestFile(t, r.outputFile)))
	r.summary = string(readTestFile(t, r.summaryFile))
	return r
}

// launchAction is how the end-to-end tests start the gate: the built binary
// in the workspace, given env and nothing else. Built with -tags imagee2e
// (.ci/image-e2e) it runs the release image instead, as the runner runs a
// Docker action (image_e2e_test.go).
var launchAction = func(t *testing.T, bin, workspace string, env []string) *exec.Cmd {
	cmd := exec.Command(bin, "action")
	cmd.Dir = workspace
	cmd.Env = env
	return cmd
}

// actionBinary is the binary built once, as the Dockerfile builds it, for
// every end-to-end test of the action.
var actionBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// buildActionBinary builds csogate once per test process.
func buildActionBinary(t *testing.T) string {
	t.Helper()
	actionBinary.once.Do(func() {
		actionBinary.dir, actionBinary.err = os.MkdirTemp("", "csogate-e2e-")
		if actionBinary.err != nil {
			return
		}
		actionBinary.path = filepath.Join(actionBinary.dir, "csogate")
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=e2e", "-o", actionBinary.path, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		actionBinary.out, actionBinary.err = build.CombinedOutput()
	})
	if actionBinary.err != nil {
		t.Fatalf("go build: %v\n%s", actionBinary.err, actionBinary.out)
	}
	return actionBinary.path
}

// pullEvent is octokit's pull_request.synchronize example pointed at the
// fake GitHub's repository and pull request.
func pullEvent(t *testing.T, number int, head, base string) []byte {
	t.Helper()
	var payload map[string]any
	if err := json.Unmarshal(readTestFile(t, "testdata/action/pull_request.synchronize.json"), &payload); err != nil {
		t.Fatal(err)
	}
	full := githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	repo := payload["repository"].(map[string]any)
	repo["name"], repo["full_name"] = githubtest.DefaultRepo, full
	pr := payload["pull_request"].(map[string]any)
	pr["number"] = number
	pr["user"].(map[string]any)["login"] = "dev-dan"
	for side, sha := range map[string]string{"head": head, "base": base} {
		ref := pr[side].(map[string]any)
		ref["sha"] = sha
		ref["repo"].(map[string]any)["full_name"] = full
	}
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readOutputs reads GITHUB_OUTPUT's name<<DELIMITER entries.
func readOutputs(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %q is not name<<DELIMITER", lines[i])
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}

func readTestFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeTestFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
