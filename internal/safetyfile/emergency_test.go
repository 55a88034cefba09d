package safetyfile

import (
	"fmt"
	"strings"
	"testing"
)

// TestEmergencyConfig: the emergency section is optional (overrides off),
// takes its defaults, and refuses an approver who is not pinned to a GitHub
// id or lacks a name or role, at the line.
func TestEmergencyConfig(t *testing.T) {
	t.Parallel()
	const approver = "emergency:\n  approvers:\n    - {github: medical-director, github_id: 7001, name: Dr Jo Example, role: Medical Director}\n"
	tests := []struct {
		name, doc, want string // want: a problem saying this; "" valid
	}{
		{name: "absent", doc: "stale_hazard_log: warn\n"},
		{name: "defaults", doc: approver},
		{name: "no github_id", doc: "emergency:\n  approvers:\n    - {github: medical-director, name: Dr Jo, role: MD}\n", want: "github_id is required"},
		{name: "no role", doc: "emergency:\n  approvers:\n    - {github: medical-director, github_id: 7001, name: Dr Jo}\n", want: "role is required"},
		{name: "no approvers", doc: "emergency:\n  review_within_days: 3\n", want: "emergency.approvers is empty"},
		{name: "listed twice", doc: approver + "    - {github: Medical-Director, github_id: 7002, name: Dr Jo, role: MD}\n", want: "listed twice"},
		{name: "negative days", doc: approver + "  review_within_days: -1\n", want: "review_within_days is -1"},
		{name: "unknown key", doc: approver + "  reviewers: [x]\n", want: "reviewers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, _, problems := LoadConfig("safety/csogate.yaml", []byte(tt.doc))
			if tt.want == "" {
				if len(problems) > 0 {
					t.Fatalf("problems: %v", problems)
				}
				if tt.name == "defaults" && (cfg.Emergency == nil || cfg.Emergency.ReviewWithinDays != 3 || cfg.Emergency.MinReasonLength != 20) {
					t.Errorf("emergency = %+v", cfg.Emergency)
				}
				if tt.name == "absent" && cfg.Emergency != nil {
					t.Errorf("overrides are on without the section: %+v", cfg.Emergency)
				}
				return
			}
			if len(problems) == 0 || !strings.Contains(fmt.Sprint(problems), tt.want) || problems[0].Line == 0 {
				t.Errorf("problems %v; want one at a line saying %q", problems, tt.want)
			}
		})
	}
}
