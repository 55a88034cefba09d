package safetyfile

import (
	"strings"
	"testing"
)

// TestManifestHazardIDForm: a manifest's hazards entries reach the gate's
// comment and summary, so each must have the hazard id form; a hostile
// entry is INPUT_INVALID at its line and column.
func TestManifestHazardIDForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, entry string
		wantAt      string // "" when valid
	}{
		{name: "hazard id", entry: `HAZ-003`},
		{name: "dotted id", entry: `haz.3_b-1`},
		{name: "heading after a newline", entry: `"HAZ-003\n## ✅ approved"`, wantAt: "changes.yaml:6:20"},
		{name: "image", entry: `"![x](https://evil/x.png)"`, wantAt: "changes.yaml:6:20"},
		{name: "team mention", entry: `"@org/everyone"`, wantAt: "changes.yaml:6:20"},
		{name: "HTML", entry: `"<img src=x>"`, wantAt: "changes.yaml:6:20"},
		{name: "leading digit", entry: `"3-HAZ"`, wantAt: "changes.yaml:6:20"},
		{name: "space", entry: `"HAZ 3"`, wantAt: "changes.yaml:6:20"},
		{name: "empty", entry: `""`, wantAt: "changes.yaml:6:20"},
		{name: "long", entry: strings.Repeat("x ", 5000), wantAt: "changes.yaml:6:20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := "release: 1.0.0\nchanges:\n  - id: CHG-1\n    summary: s\n    clinical: true\n    hazards: [X-1, " + tt.entry + "]\n"
			_, _, problems := LoadManifest("changes.yaml", []byte(doc))
			if tt.wantAt == "" {
				if len(problems) > 0 {
					t.Errorf("problems: %v", problems)
				}
				return
			}
			if len(problems) != 1 || problems[0].Location.String() != tt.wantAt || problems[0].Code != CodeInputInvalid ||
				!strings.Contains(problems[0].Message, "is not a hazard id") || len(problems[0].Message) > 300 {
				t.Errorf("problems = %v, want one INPUT_INVALID at %s", problems, tt.wantAt)
			}
		})
	}
}
