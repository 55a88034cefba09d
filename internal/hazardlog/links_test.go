package hazardlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMarkdownDirectoryRefusesLinks is the attack of a hazard file that is
// a symbolic link, in a directory log: to a secret elsewhere on disk, or to
// another hazard file whose later edits would not show as edits of the log.
// The link is an error at the link naming its target; its target is not
// read, so nothing of it is quoted.
func TestMarkdownDirectoryRefusesLinks(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "hazards")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	valid, err := os.ReadFile("testdata/markdown/valid/hazard-1.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hazard-1.md"), valid, 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(secret, []byte("### Hazard name\nSECRET-CONTENT\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "hazard-2.md")); err != nil {
		t.Fatal(err)
	}
	res := Load(dir, Options{})
	if res.Valid() {
		t.Fatal("a directory with a linked hazard file was accepted")
	}
	var hit bool
	for _, p := range append(res.Problems, res.Warnings...) {
		if strings.Contains(p.Message, "SECRET-CONTENT") {
			t.Errorf("problem quotes the link's target: %s", p)
		}
		if p.File == filepath.Join(dir, "hazard-2.md") && strings.Contains(p.Message, "symbolic link to ") {
			hit = true
		}
	}
	if !hit {
		t.Errorf("no problem at the link hazard-2.md: %v", res.Problems)
	}
	if _, read := res.Files[filepath.Join(dir, "hazard-2.md")]; read {
		t.Error("the link's target was read")
	}
}
