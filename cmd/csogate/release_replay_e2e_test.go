package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestReleaseRecordEndToEnd runs the built binary as a release job would —
// "csogate action" on a manual run naming v2.4.0, against a fake GitHub —
// then stops the fake and, with no GitHub and no checkout, runs
// "csogate check --replay" and "csogate verify --record" on what the job
// left: the replay re-derives the whole release decision, #11 included,
// and exits as the run did; verify accepts the approved release only.
func TestReleaseRecordEndToEnd(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "csogate")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=e2e", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const (
		token   = "ghs_e2eReleaseTokenThatMustNeverBePrinted"
		example = "../../examples/example-epr"
	)
	tests := []struct {
		name     string
		reviewer githubtest.Review
		code     int
		decision string
	}{
		{name: "approved by the CSO", reviewer: githubtest.Review{Login: "alice-gp", UserID: 583231, State: "APPROVED"}, code: 0, decision: "approved"},
		{name: "approved only by a non-CSO", reviewer: githubtest.Review{Login: "dev-bob", State: "APPROVED"}, code: 1, decision: "blocked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := githubtest.New(t, githubtest.WithToken(token))
			tree := map[string][]byte{"safety/changes.yaml": []byte("release: 2.3.0\nchanges: []\n")}
			for _, name := range []string{"cso-register.yaml", "csogate.yaml", "hazard-log.yaml"} {
				tree["safety/"+name] = readTestFile(t, example+"/safety/"+name)
			}
			// The controls' evidence files, which the release's repository
			// check finds at the released commit.
			for _, name := range []string{"tests/search/banner_test.go", "tests/search/ranking_test.go", "tests/ui/allergy_banner_test.go", "tests/prescribing/allergy_stop_test.go"} {
				tree[name] = []byte("package tests\n")
			}
			setTree := func(sha string) {
				for name, data := range tree {
					srv.SetContent(sha, name, data)
				}
			}
			initial, head, merged := githubtest.SHA("e2e-initial"), githubtest.SHA("e2e-pr-11-head"), githubtest.SHA("e2e-pr-11-merge")
			srv.AddCommit(githubtest.Commit{SHA: initial, AuthorLogin: "dev-dan", Message: "Initial commit"})
			setTree(initial)
			srv.AddTag("v2.3.0", initial)
			srv.AddStatus(githubtest.Status{SHA: initial, Context: "clinical-safety/cso-approval/release", State: "success"})
			var files []githubtest.File
			for _, f := range strings.Fields(string(readTestFile(t, example+"/changed-files.txt"))) {
				files = append(files, githubtest.File{Path: f})
			}
			files = append(files, githubtest.File{Path: "safety/changes.yaml"})
			srv.AddPull(githubtest.Pull{Number: 11, Title: "Release 2.4.0", Author: "dev-dan", HeadSHA: head, BaseSHA: initial, Merged: true, MergeCommitSHA: merged})
			srv.AddCommits(11, githubtest.Commit{SHA: head, AuthorLogin: "dev-dan", Message: "Release 2.4.0"})
			srv.AddFiles(11, files...)
			srv.AddCommit(githubtest.Commit{SHA: merged, AuthorLogin: "dev-dan", Parents: []string{initial}, Files: files, Message: "Release 2.4.0 (#11)"})
			srv.AddReview(11, tc.reviewer)
			tree["safety/changes.yaml"] = readTestFile(t, example+"/safety/changes.yaml")
			setTree(head)
			setTree(merged)
			srv.AddTag("v2.4.0", merged)

			dir := t.TempDir()
			workspace, temp := filepath.Join(dir, "workspace"), filepath.Join(dir, "temp")
			output, summary, event := filepath.Join(dir, "output"), filepath.Join(dir, "summary"), filepath.Join(dir, "event.json")
			for _, d := range []string{workspace, temp} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			writeTestFile(t, output, nil)
			writeTestFile(t, summary, nil)
			writeTestFile(t, event, []byte(`{"inputs": {"release-ref": "v2.4.0"}}`))
			// The release workflow ran the tests at the released commit.
			writeTestFile(t, filepath.Join(workspace, "reports", "junit.xml"), []byte(releaseTestReport))

			action := exec.Command(bin, "action")
			action.Dir = workspace
			action.Env = []string{
				"GITHUB_ACTIONS=true",
				"GITHUB_EVENT_NAME=workflow_dispatch",
				"GITHUB_EVENT_PATH=" + event,
				"GITHUB_REPOSITORY=" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo,
				"GITHUB_WORKSPACE=" + workspace,
				"GITHUB_API_URL=" + srv.URL(),
				"GITHUB_SERVER_URL=https://github.com",
				"GITHUB_SHA=" + githubtest.SHA("e2e-main-tip"),
				"GITHUB_RUN_ID=7",
				"GITHUB_WORKFLOW_REF=" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo + "/.github/workflows/release.yml@refs/heads/main",
				"GITHUB_OUTPUT=" + output,
				"GITHUB_STEP_SUMMARY=" + summary,
				"RUNNER_TEMP=" + temp,
				"INPUT_TOKEN=" + token,
				"INPUT_RELEASE-REF=v2.4.0",
				"INPUT_FAIL-ON-BLOCK=true",
				"INPUT_TEST-RESULTS=reports/*.xml",
			}
			code, stdout, stderr := runBinary(t, action)
			if code != tc.code {
				t.Fatalf("the release job exits %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			outputs := readOutputs(t, string(readTestFile(t, output)))
			if outputs["decision"] != tc.decision {
				t.Fatalf("decision %q, want %s", outputs["decision"], tc.decision)
			}
			if !strings.Contains(string(readTestFile(t, outputs["decision-file"])), `"pull_requests"`) {
				t.Errorf("the decision file has no pull_requests")
			}
			srv.Close()

			// Offline: no GitHub, no token, an empty directory to run in.
			record := filepath.Dir(outputs["record-file"])
			audit := t.TempDir()
			replay := exec.Command(bin, "check", "--replay", record, "--format", "json")
			replay.Dir, replay.Env = audit, []string{"GITHUB_API_URL=http://127.0.0.1:1"}
			code, stdout, stderr = runBinary(t, replay)
			var replayed struct {
				Decision     string `json:"decision"`
				PullRequests []struct {
					Number int `json:"number"`
				} `json:"pull_requests"`
			}
			jsonErr := json.Unmarshal([]byte(stdout), &replayed)
			if code != tc.code || !strings.Contains(stderr, "replay: the decision matches the record") || jsonErr != nil ||
				replayed.Decision != tc.decision || len(replayed.PullRequests) == 0 || replayed.PullRequests[0].Number != 11 {
				t.Errorf("check --replay exits %d, want %d with decision %s and #11 (%v)\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.decision, jsonErr, stdout, stderr)
			}

			// The safety case addendum, offline from the record, is the
			// job's file byte for byte, Markdown and HTML.
			for format, output := range map[string]string{"safety-case": "safety-case", "safety-case-html": "safety-case-html"} {
				replay := exec.Command(bin, "check", "--replay", record, "--format", format)
				replay.Dir, replay.Env = audit, []string{"GITHUB_API_URL=http://127.0.0.1:1"}
				code, stdout, stderr := runBinary(t, replay)
				written := string(readTestFile(t, outputs[output]))
				if code != tc.code || stdout != written || !strings.Contains(stderr, "replay: the decision matches the record") {
					t.Errorf("check --replay --format %s exits %d (want %d), and prints the job's %s: %v\nstderr:\n%s", format, code, tc.code, output, stdout == written, stderr)
				}
				if tc.code == 0 && format == "safety-case" {
					checkREADMEExcerpt(t, written)
				}
			}

			verify := exec.Command(bin, "verify", "--commit", merged, "--attestation", outputs["in-toto"], "--unsigned",
				"--repo", githubtest.DefaultOwner+"/"+githubtest.DefaultRepo, "--workflow", ".github/workflows/release.yml@refs/heads/main", // a manual run from main, not the tag's
				"--release", "v2.4.0", "--record", record, "--release-note", outputs["release-note"],
				"--safety-case", outputs["safety-case"], "--safety-case", outputs["safety-case-html"])
			verify.Dir, verify.Env = audit, []string{"GITHUB_API_URL=http://127.0.0.1:1"}
			code, stdout, stderr = runBinary(t, verify)
			if code != tc.code || (code == 0 && (!strings.Contains(stdout, "replays to the same decision") || !strings.Contains(stdout, "safety case "+outputs["safety-case-html"]+": the one signed"))) {
				t.Errorf("verify --record exits %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if code != 0 && strings.Contains(stdout, "the replay differs") {
				t.Errorf("verify refuses the blocked release for a replay difference, not for its decision:\n%s", stdout)
			}
		})
	}
}

// releaseTestReport is go-junit-report's report of the release workflow's
// test run: the touched hazards' controls' tests, linked by name, pass;
// CTL-002's ranking test was skipped, which is no evidence.
const releaseTestReport = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="4" failures="0" skipped="1">
	<testsuite name="example.org/epr/tests" tests="4" failures="0" errors="0" skipped="1" time="0.412">
		<testcase name="TestPatientBanner/CTL-001_nhs_number_and_dob" classname="example.org/epr/tests/search" time="0.101"></testcase>
		<testcase name="TestExactMatchFirst/CTL-002" classname="example.org/epr/tests/search" time="0.000"><skipped message="index fixture not built"></skipped></testcase>
		<testcase name="TestAllergyBanner/CTL-020_not_collapsible" classname="example.org/epr/tests/ui" time="0.150"></testcase>
		<testcase name="TestAllergyHardStop/CTL-021" classname="example.org/epr/tests/prescribing" time="0.161"></testcase>
	</testsuite>
</testsuites>
`

// runBinary runs cmd and returns its exit code and output.
func runBinary(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		code = exit.ExitCode()
	}
	return code, stdout.String(), stderr.String()
}

// checkREADMEExcerpt checks that the README's excerpts of the safety case
// addendum (the fenced blocks after "<!-- safety-case-excerpt -->" and
// "<!-- safety-case-controls-excerpt -->") are, line for line, part of the
// addendum the job wrote for the bundled example.
func checkREADMEExcerpt(t *testing.T, addendum string) {
	t.Helper()
	readme := string(readTestFile(t, "../../README.md"))
	for _, marker := range []string{"<!-- safety-case-excerpt -->", "<!-- safety-case-controls-excerpt -->"} {
		_, after, ok := strings.Cut(readme, marker+"\n```markdown\n")
		if !ok {
			t.Fatalf("README.md has no safety case excerpt (%s and a markdown block)", marker)
		}
		excerpt, _, _ := strings.Cut(after, "```\n")
		if strings.TrimSpace(excerpt) == "" || !strings.Contains(addendum, excerpt) {
			t.Errorf("README.md's safety case excerpt after %s is not part of the addendum csogate writes for the bundled example; the addendum is:\n%s", marker, addendum)
		}
	}
}
