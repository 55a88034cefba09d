package hazardlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/safetyfile"
)

// TestMarkdownHazardFilesBoundedTogether: a directory of hazard files is
// one log, so max_input_bytes bounds their sum, before any is read; many
// files each under the limit do not pass it.
func TestMarkdownHazardFilesBoundedTogether(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"hazard-1.md", "hazard-2.md", "hazard-3.md"} {
		body := "# HAZ-1: t\n\n" + strings.Repeat("text ", 100_000) + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := safetyfile.DefaultConfig()
	cfg.MaxInputBytes = 1 << 20
	res := Load(dir, Options{Format: FormatMarkdown, Config: &cfg})
	if len(res.Problems) != 1 || !res.Refused || res.Valid() {
		t.Fatalf("want one problem and the log refused, got refused %v, %v", res.Refused, res.Problems)
	}
	p := res.Problems[0]
	if p.File != dir || !strings.Contains(p.Message, "the hazard files together are 1500") || !strings.Contains(p.Message, "raise max_input_bytes") {
		t.Errorf("got %s: %s", p.Location, p.Message)
	}
}
