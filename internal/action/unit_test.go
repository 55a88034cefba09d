package action

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/policy"
)

func TestRepoPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"safety/hazard-log.yaml", "safety/hazard-log.yaml", true},
		{"./safety//changes.yaml", "safety/changes.yaml", true},
		{"safety/../other/reg.yaml", "other/reg.yaml", true},
		{"docs/hazards", "docs/hazards", true},
		{"../reg.yaml", "", false},
		{"/etc/passwd", "", false},
		{"", "", false},
		{".", "", false},
	}
	for _, tc := range tests {
		got, err := repoPath(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("repoPath(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseBool(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false} {
		if got, err := parseBool(in); err != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"yes", "1", "on", "", "tru"} {
		if _, err := parseBool(in); err == nil {
			t.Errorf("parseBool(%q) accepted", in)
		}
	}
}

func TestStatusStateAndDescription(t *testing.T) {
	t.Parallel()
	blocked := func(exit int, codes ...string) *decision.Decision {
		d := &decision.Decision{Decision: decision.Blocked, ExitCode: exit, HeadSHA: strings.Repeat("ab", 20), RequiredApprovals: 2}
		for _, c := range codes {
			d.Violations = append(d.Violations, policy.Finding{Code: c, Message: c})
		}
		return d
	}
	tests := []struct {
		name       string
		d          *decision.Decision
		mergeQueue bool
		state      string
		desc       string
	}{
		{"approved", &decision.Decision{Decision: decision.Approved, CountedApprovals: 1, ClinicalChanges: []policy.ClinicalChange{{ID: "C"}}},
			false, "success", "Approved: 1 counted CSO approval for 1 clinical change"},
		{"not required", &decision.Decision{Decision: decision.NotRequired}, false, "success", "No clinically relevant change: CSO approval not required"},
		{"awaiting approval", blocked(1, "CSO_APPROVAL_REQUIRED"), false, "pending", "Waiting for CSO approval of abababa: 0 of 2 counted"},
		{"awaiting approval in a merge queue", blocked(1, "CSO_APPROVAL_REQUIRED"), true, "failure", "Blocked: CSO_APPROVAL_REQUIRED"},
		{"a rule broken", blocked(1, "CSO_APPROVAL_REQUIRED", "UNACCEPTABLE_RESIDUAL_RISK"), false, "failure", "Blocked: CSO_APPROVAL_REQUIRED, UNACCEPTABLE_RESIDUAL_RISK"},
		{"invalid input", blocked(2, "INPUT_INVALID"), false, "failure", "Blocked: INPUT_INVALID"},
		{"operational failure", blocked(3, "GITHUB_UNAVAILABLE"), false, "error", "Gate could not decide (GITHUB_UNAVAILABLE): see the run"},
		{"no violations but blocked", &decision.Decision{Decision: decision.Blocked, ExitCode: 1}, false, "failure", "Blocked: "},
	}
	for _, tc := range tests {
		if got := statusState(tc.d, tc.mergeQueue); got != tc.state {
			t.Errorf("%s: state = %s, want %s", tc.name, got, tc.state)
		}
		if got := statusDescription(tc.d, tc.mergeQueue); got != tc.desc {
			t.Errorf("%s: description = %q, want %q", tc.name, got, tc.desc)
		}
	}
	long := blocked(1)
	for i := range 30 {
		long.Violations = append(long.Violations, policy.Finding{Code: "CUSTOM_RULE_" + strings.Repeat("X", i)})
	}
	if n := utf8.RuneCountInString(statusDescription(long, false)); n > 140 {
		t.Errorf("description of %d characters", n)
	}
}

func TestHeredocDelimiterNeverInValue(t *testing.T) {
	t.Parallel()
	value := "line one\ncsogate_\nEOF\n_GitHubActionsFileCommandDelimeter_\nx<<y"
	h := heredoc("violations", value)
	lines := strings.Split(h, "\n")
	name, delim, _ := strings.Cut(lines[0], "<<")
	if name != "violations" || !strings.HasPrefix(delim, "csogate_") || lines[len(lines)-1] != delim {
		t.Fatalf("heredoc = %q", h)
	}
	if got := strings.Join(lines[1:len(lines)-1], "\n"); got != value {
		t.Errorf("value = %q, want %q", got, value)
	}
	if strings.Contains(value, delim) {
		t.Errorf("delimiter %q occurs in the value", delim)
	}
}

func TestTruncation(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("a line of the report ✓\n", 5000)
	got := truncateAtLine(s, 1000, "\n[cut %d]\n")
	if kept := strings.Count(got, "\n") - 1; !strings.HasSuffix(got, fmt.Sprintf("\n[cut %d]\n", 5000-kept)) {
		t.Errorf("truncateAtLine kept %d lines and ended %q, want the count of the other %d", kept, got[len(got)-20:], 5000-kept)
	}
	if utf8.RuneCountInString(got) > 1000 || !strings.Contains(got, "\n[cut ") || !strings.HasPrefix(got, "a line") {
		t.Errorf("truncateAtLine gave %d characters ending %q", utf8.RuneCountInString(got), got[len(got)-20:])
	}
	if got := truncateAtLine("short", 1000, "x"); got != "short" {
		t.Errorf("a short text was changed: %q", got)
	}
	got = truncateBytes(s, 4096, "\n[cut %d]\n")
	if len(got) > 4096 || !strings.HasSuffix(got, "]\n") || !utf8.ValidString(got) {
		t.Errorf("truncateBytes gave %d bytes", len(got))
	}
	body := commentBody("<!-- m -->", strings.Repeat("x\n", maxCommentChars), runURL)
	if utf8.RuneCountInString(body) > maxCommentChars || !strings.HasPrefix(body, "<!-- m -->\n") || !strings.Contains(body, runURL) {
		t.Errorf("comment body of %d characters, marker first %v", utf8.RuneCountInString(body), strings.HasPrefix(body, "<!-- m -->"))
	}
}

func TestMaskingWriter(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := &maskingWriter{w: &buf, secret: "s3cr%t"}
	for _, s := range []string{"::add-mask::s3cr%25t\n", "token s3cr%t here\n", "nothing\n"} {
		if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got, want := buf.String(), "::add-mask::s3cr%25t\ntoken *** here\nnothing\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}

func TestOutputPath(t *testing.T) {
	t.Parallel()
	temp := t.TempDir()
	tests := []struct {
		name string
		env  runnerEnv
		want string
	}{
		{"RUNNER_TEMP as the runner gives it to a step", runnerEnv{RunnerTemp: temp}, temp + "/csogate-decision.json"},
		{"RUNNER_TEMP unset: the working directory", runnerEnv{}, "csogate-decision.json"},
		{"RUNNER_TEMP not in this container: the working directory", runnerEnv{RunnerTemp: temp + "/absent"}, "csogate-decision.json"},
	}
	for _, tc := range tests {
		if got := tc.env.outputPath(DecisionFile); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// In a Docker action RUNNER_TEMP is the mount /github/runner_temp; the
	// steps after it see the runner's _temp beside RUNNER_WORKSPACE.
	e := runnerEnv{RunnerTemp: containerTemp, RunnerWorkspace: "/home/runner/work/clinical-app"}
	if got, want := e.stepPath(containerTemp, DecisionFile), "/home/runner/work/_temp/csogate-decision.json"; got != want {
		t.Errorf("in a container: %q, want %q", got, want)
	}
	e.RunnerWorkspace = ""
	if got, want := e.stepPath(containerTemp, DecisionFile), "/github/runner_temp/csogate-decision.json"; got != want {
		t.Errorf("in a container without RUNNER_WORKSPACE: %q, want %q", got, want)
	}
}
