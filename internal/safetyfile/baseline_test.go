package safetyfile

import (
	"strings"
	"testing"
)

// TestConfigBaseline reads the release baseline, a tag name, and refuses a
// value that cannot be one, at its line and column.
func TestConfigBaseline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want, wantProblem string
	}{
		{"absent", "product: Example EPR\n", "", ""},
		{"tag", "baseline: v2.3.0\n", "v2.3.0", ""},
		{"quoted", "baseline: \"release-2.3\"\n", "release-2.3", ""},
		{"commit sha", "baseline: 3f2a9c1e0b7d4a6f8c2e1d0b9a8f7e6d5c4b3a21\n", "3f2a9c1e0b7d4a6f8c2e1d0b9a8f7e6d5c4b3a21", ""},
		{"words", "baseline: \"v2.3.0 and later\"\n", "", "c.yaml:1:11: baseline \"v2.3.0 and later\" is not a tag name"},
		{"revision syntax", "baseline: v2.3.0^\n", "", "c.yaml:1:11: baseline \"v2.3.0^\" is not a tag name"},
		{"typo of the key", "basline: v2.3.0\n", "", "unknown key \"basline\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, _, problems := LoadConfig("c.yaml", []byte(tt.doc))
			if tt.wantProblem == "" {
				if len(problems) != 0 || cfg.Baseline != tt.want {
					t.Errorf("baseline = %q, problems %v; want %q and none", cfg.Baseline, problems, tt.want)
				}
				return
			}
			if len(problems) != 1 || !strings.Contains(problems[0].String(), tt.wantProblem) {
				t.Errorf("problems = %v, want one containing %q", problems, tt.wantProblem)
			}
		})
	}
}
