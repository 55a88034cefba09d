package decision

import (
	"encoding/json"
	"testing"

	"github.com/csogate/csogate/internal/facts"
)

// TestControlDocument: a control in the decision document carries the
// gate's findings, not the hazard log's text; test fields only when test
// results were given, and then every count; and it reads back (a record's
// decision replayed) to the same bytes.
func TestControlDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Control
		want string
	}{
		{
			name: "no test results: no test fields, no description or kind",
			c: Control{Hazard: "HAZ-1", Control: "CTL-1", Description: "Banner shows the NHS number", Kind: "design",
				Evidence: "tests/banner_test.go", EvidenceStatus: EvidenceNotChecked, TestOutcome: facts.TestsNotChecked},
			want: `{"hazard":"HAZ-1","control":"CTL-1","evidence":"tests/banner_test.go","evidence_status":"not_checked"}`,
		},
		{
			name: "test results given: every count, zero ones too",
			c: Control{Hazard: "HAZ-1", Control: "CTL-1", Kind: "test", Evidence: "tests/banner_test.go", EvidenceStatus: EvidenceFound,
				TestOutcome: "passed", TestsPassed: 2},
			want: `{"hazard":"HAZ-1","control":"CTL-1","evidence":"tests/banner_test.go","evidence_status":"found","test_outcome":"passed","tests_passed":2,"tests_failed":0,"tests_skipped":0}`,
		},
		{
			name: "missing tests with results given",
			c:    Control{Hazard: "HAZ-1", Control: "", Evidence: "test:banner", EvidenceStatus: EvidenceTest, TestOutcome: "missing"},
			want: `{"hazard":"HAZ-1","control":"","evidence":"test:banner","evidence_status":"test","test_outcome":"missing","tests_passed":0,"tests_failed":0,"tests_skipped":0}`,
		},
		{
			name: "failed tests named",
			c: Control{Hazard: "HAZ-1", Control: "CTL-1", TestOutcome: "failed", TestsFailed: 4,
				FailingTests: []facts.FailingTest{{Name: "Banner.TestShown", File: "r.xml", Line: 3, Message: "no banner"}}},
			want: `{"hazard":"HAZ-1","control":"CTL-1","test_outcome":"failed","tests_passed":0,"tests_failed":4,"tests_skipped":0,"failing_tests":[{"name":"Banner.TestShown","file":"r.xml","line":3,"message":"no banner"}]}`,
		},
		{
			name: "no evidence recorded",
			c:    Control{Hazard: "HAZ-1", Control: "CTL-1", Description: "Training", TestOutcome: facts.TestsNotChecked},
			want: `{"hazard":"HAZ-1","control":"CTL-1"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			var back Control
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := json.Marshal(back)
			if string(again) != tt.want {
				t.Errorf("read back and written again: %s", again)
			}
		})
	}
}
