package decision

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/safetyfile"
)

func TestFromPolicy(t *testing.T) {
	t.Parallel()
	in := &facts.Input{Product: "P", Release: "1.0", HeadSHA: "abc",
		Hazards:  map[string]facts.Hazard{"HAZ-1": {ID: "HAZ-1", ResidualRisk: 2, ResidualSeverity: "major", ResidualLikelihood: "very-low"}},
		Officers: []facts.Officer{{Login: "a", Eligible: true}, {Login: "b", Ineligible: "APPROVER_NOT_TRAINED"}}}
	tests := []struct {
		name     string
		r        policy.Result
		want     string
		wantExit int
	}{
		{name: "violation blocks even when relevant", r: policy.Result{ClinicallyRelevant: true, Violations: []policy.Finding{{Code: "CSO_APPROVAL_REQUIRED"}}}, want: Blocked, wantExit: ExitBlocked},
		{name: "relevant and clean approves", r: policy.Result{ClinicallyRelevant: true, TouchedHazards: []string{"HAZ-1"}}, want: Approved, wantExit: ExitAllowed},
		{name: "nothing relevant", r: policy.Result{}, want: NotRequired, wantExit: ExitAllowed},
		{name: "a warning alone does not block", r: policy.Result{Warnings: []policy.Finding{{Code: "HAZARD_LOG_STALE"}}}, want: NotRequired, wantExit: ExitAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := FromPolicy(in, tt.r)
			if d.Decision != tt.want || d.ExitCode != tt.wantExit {
				t.Errorf("decision = %s exit %d, want %s exit %d", d.Decision, d.ExitCode, tt.want, tt.wantExit)
			}
			if len(d.EligibleApprovers) != 1 || d.EligibleApprovers[0].Login != "a" {
				t.Errorf("eligible approvers = %+v, want only a", d.EligibleApprovers)
			}
			if d.Violations == nil || d.Warnings == nil || d.Approvals == nil || d.ClinicalChanges == nil {
				t.Error("empty lists must be [] in JSON, not null")
			}
		})
	}
}

func TestFailuresAreBlocked(t *testing.T) {
	t.Parallel()
	inv := InvalidInput("P", "1", "abc", safetyfile.Problems{
		{Location: safetyfile.Location{File: "b.yaml", Line: 2}, Message: "y"},
		{Location: safetyfile.Location{File: "a.yaml", Line: 9}, Code: safetyfile.CodeUnknownHazard, Message: "x"},
	})
	if inv.Decision != Blocked || inv.ExitCode != ExitInvalid || inv.Allowed() {
		t.Errorf("invalid input: %s exit %d", inv.Decision, inv.ExitCode)
	}
	if inv.Violations[0].Code != safetyfile.CodeUnknownHazard || inv.Violations[1].Code != CodeInputInvalid {
		t.Errorf("violations = %+v, want sorted by file with codes kept and INPUT_INVALID as the default", inv.Violations)
	}
	f := Failure("P", "1", "abc", CodeGitHubUnavailable, errors.New("GET /x: 502"))
	if f.Decision != Blocked || f.ExitCode != ExitOperational || f.Allowed() || f.Violations[0].Code != CodeGitHubUnavailable {
		t.Errorf("failure: %+v", f)
	}
	if got := f.Summary(); got != "Blocked: GITHUB_UNAVAILABLE" {
		t.Errorf("summary = %q", got)
	}
}

// TestInvalidInputCapsProblems checks that a file producing a flood of
// problems gives a decision of bounded size that still says how many there
// were, and that the first problems in file order are the ones kept.
func TestInvalidInputCapsProblems(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, MaxProblems, MaxProblems + 1, 285377} {
		var problems safetyfile.Problems
		for i := n; i >= 1; i-- { // reverse order: the cap must sort first
			problems = append(problems, safetyfile.Problem{Location: safetyfile.Location{File: "safety/hazard-log.yaml", Line: i, Column: 1},
				Code: CodeInputInvalid, Message: "the same problem again"})
		}
		d := InvalidInput("p", "1.0", "", problems)
		if d.Allowed() || d.ExitCode != ExitInvalid {
			t.Fatalf("%d problems: decision %s exit %d, want blocked exit %d", n, d.Decision, d.ExitCode, ExitInvalid)
		}
		wantShown := min(n, MaxProblems)
		if len(d.Problems) != wantShown {
			t.Errorf("%d problems: %d listed, want %d", n, len(d.Problems), wantShown)
		}
		if d.Problems[0].Line != 1 {
			t.Errorf("%d problems: first listed is line %d, want line 1", n, d.Problems[0].Line)
		}
		wantViolations := wantShown
		if n > MaxProblems {
			wantViolations++
			last := d.Violations[len(d.Violations)-1]
			if want := fmt.Sprintf("%d more problems not listed", n-MaxProblems); !strings.Contains(last.Message, want) {
				t.Errorf("%d problems: last violation %q lacks %q", n, last.Message, want)
			}
		}
		if len(d.Violations) != wantViolations {
			t.Errorf("%d problems: %d violations, want %d", n, len(d.Violations), wantViolations)
		}
	}
}

// TestControlEvidenceStatus: each control of the traceability list says what
// the repository check found of its evidence. A control whose evidence
// lists two files, one gone, is missing (a hurried engineer deleting one of
// two test files must not show as found); an unnamed control is matched by
// its place in the hazard; a hazard the check did not cover is not_checked,
// never found.
func TestControlEvidenceStatus(t *testing.T) {
	t.Parallel()
	ev := facts.TestEvidence{Controls: []facts.ControlEvidence{
		{Hazard: "HAZ-1", Control: "CTL-1", Evidence: "tests/a_test.go"},
		{Hazard: "HAZ-1", Control: "CTL-2", Evidence: "tests/a_test.go, tests/gone_test.go"},
		{Hazard: "HAZ-1", Control: "", Evidence: "tests/*_test.go"},
		{Hazard: "HAZ-1", Control: "CTL-4", Evidence: "https://example.org/study"},
		{Hazard: "HAZ-1", Control: "CTL-5", Evidence: "test:TestBanner"},
		{Hazard: "HAZ-1", Control: "CTL-6", Evidence: "Usability study 2024"},
		{Hazard: "HAZ-1", Control: "CTL-7", Evidence: ""},
		{Hazard: "HAZ-1", Control: "CTL-8", Evidence: "/etc/passwd"},
		{Hazard: "HAZ-2", Control: "", Evidence: "docs/x.pdf"},
		{Hazard: "HAZ-3", Control: "CTL-9", Evidence: "docs/closed.pdf"},
	}}
	repo := facts.Repository{Checked: true, Evidence: []repofiles.Evidence{
		{Hazard: "HAZ-1", Control: "CTL-1", Evidence: "tests/a_test.go", Kind: repofiles.EvidencePath, Status: "present"},
		{Hazard: "HAZ-1", Control: "CTL-2", Evidence: "tests/a_test.go", Kind: repofiles.EvidencePath, Status: "present"},
		{Hazard: "HAZ-1", Control: "CTL-2", Evidence: "tests/gone_test.go", Kind: repofiles.EvidencePath, Status: "missing"},
		{Hazard: "HAZ-1", Control: "control 3", Evidence: "tests/*_test.go", Kind: repofiles.EvidenceGlob, Status: "present"},
		{Hazard: "HAZ-1", Control: "CTL-4", Kind: repofiles.EvidenceURL, Status: "not_checked"},
		{Hazard: "HAZ-1", Control: "CTL-8", Evidence: "/etc/passwd", Kind: repofiles.EvidencePath, Status: "refused"},
		{Hazard: "HAZ-2", Control: "control 1", Evidence: "docs/x.pdf", Kind: repofiles.EvidencePath, Status: "missing"},
	}}
	want := []string{"found", "missing", "found", "url", "test", "text", "", "missing", "missing", "not_checked"}
	got, _ := controlsOf(ev, repo)
	for i, c := range got {
		if c.EvidenceStatus != want[i] {
			t.Errorf("%s %s %q: evidence status %q, want %q", c.Hazard, c.Control, c.Evidence, c.EvidenceStatus, want[i])
		}
	}
	// No file list read: every path is not_checked, the other kinds still say what they are.
	unchecked, _ := controlsOf(ev, facts.Repository{Why: "no list of the repository's files"})
	want = []string{"not_checked", "not_checked", "not_checked", "url", "test", "text", "", "not_checked", "not_checked", "not_checked"}
	for i, c := range unchecked {
		if c.EvidenceStatus != want[i] {
			t.Errorf("unchecked %s %s: evidence status %q, want %q", c.Hazard, c.Control, c.EvidenceStatus, want[i])
		}
	}
}
