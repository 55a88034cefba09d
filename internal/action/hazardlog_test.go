package action

import (
	"strings"
	"testing"
)

// TestHazardLogChangeJudgedAgainstTheBaseBranch is the attacker's edit a CSO
// exists to catch: a pull request lowers HAZ-002's residual risk from 3 to 2
// by changing its likelihood, with no control added. The gate compares the
// head's log with the base branch's, hazard by hazard, reading the base's
// log once (the read officer scope makes anyway), and the change needs a
// CSO's approval — or, with risk_reduction_without_control: block at the
// base, is refused whoever approves.
func TestHazardLogChangeJudgedAgainstTheBaseBranch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		block       bool
		approve     bool
		wantCode    int
		wantBlocked string // the violation that blocks, "" when approved
	}{
		{"lowered without a CSO is not approved", false, false, 1, "CSO_APPROVAL_REQUIRED"},
		{"lowered with a CSO's approval passes with the warning", false, true, 0, ""},
		{"lowered under block is refused though a CSO approves", true, true, 1, "RISK_REDUCED_WITHOUT_CONTROL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			log := string(readFile(t, "testdata/repo/safety/hazard-log.yaml"))
			lowered := strings.Replace(log, "    residual: {severity: major, likelihood: low}\n    risk: {initial: 4, residual: 3}",
				"    residual: {severity: major, likelihood: very-low}\n    risk: {initial: 4, residual: 2}", 1)
			if lowered == log {
				t.Fatal("the fixture's HAZ-002 is not at residual 3")
			}
			f.headFile("safety/hazard-log.yaml", []byte(lowered))
			f.changed = []string{"safety/hazard-log.yaml"}
			if tc.block {
				cfg := string(readFile(t, "testdata/repo/safety/csogate.yaml")) + "risk_reduction_without_control: block\n"
				f.srv.SetContent(baseSHA, "safety/csogate.yaml", []byte(cfg))
			}
			if tc.approve {
				f.approve(alice, aliceID)
			}
			o := f.run()
			if o.code != tc.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", o.code, tc.wantCode, o.stdout)
			}
			if tc.wantBlocked != "" && !strings.Contains(strings.Join(o.violationCodes(), " "), tc.wantBlocked) {
				t.Errorf("violations %v, want %s", o.violationCodes(), tc.wantBlocked)
			}
			changes, _ := o.decision["hazard_log_changes"].([]any)
			if len(changes) != 1 || changes[0].(map[string]any)["id"] != "HAZ-002" {
				t.Fatalf("hazard_log_changes = %v, want HAZ-002 modified", changes)
			}
			if !strings.Contains(o.summary, "What changed in the hazard log") || !strings.Contains(o.summary, "3 (medium) | **2 (low)** ↓ lowered") {
				t.Errorf("the job summary does not show the change:\n%s", o.summary)
			}
			if i := strings.Index(o.summary, "Residual risk lowered with no new control"); i < 0 || i > strings.Index(o.summary, "What changed in the hazard log") {
				t.Errorf("the warning is not shown first:\n%s", o.summary)
			}
			reads := 0
			for _, r := range f.srv.Requests() {
				if strings.Contains(r.Path, "/contents/safety/hazard-log.yaml") && r.Query.Get("ref") == baseSHA {
					reads++
				}
			}
			if reads != 1 {
				t.Errorf("the base branch's hazard log was read %d times, want once (shared with officer scope)", reads)
			}
		})
	}
}
