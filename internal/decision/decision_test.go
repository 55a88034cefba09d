package decision

import (
	"errors"
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
