package decision

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/policy"
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
