package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
)

// runIn runs the CLI at dir and returns its exit code, stdout and stderr.
func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"-C", dir}, args...), os.Getenv, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// exampleWithSheet is the bundled example with its log exported to CSV.
func exampleWithSheet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, "../../examples/example-epr", dir)
	if code, out, errOut := runIn(t, dir, "export", "--format", "csv", "--out", "hazard-log.csv"); code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	return dir
}

// TestImportOntoExistingLogAsksForForce: an import onto the hazard log in
// use (the default --out) must not silently replace it.
func TestImportOntoExistingLogAsksForForce(t *testing.T) {
	t.Parallel()
	dir := exampleWithSheet(t)
	logPath := filepath.Join(dir, "safety", "hazard-log.yaml")
	before, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runIn(t, dir, "import", "--from", "hazard-log.csv")
	if code != decision.ExitInvalid || !strings.Contains(errOut, "safety/hazard-log.yaml already exists; give --force to replace it") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if after, _ := os.ReadFile(logPath); !bytes.Equal(after, before) {
		t.Fatal("the existing log was changed without --force")
	}
	if code, out, errOut := runIn(t, dir, "import", "--from", "hazard-log.csv", "--force"); code != 0 {
		t.Fatalf("with --force: exit %d\n%s%s", code, out, errOut)
	}
}

// TestImportKeepsSchemaLine: replacing a log keeps the first line that
// points the editor at its schema; a new log gets one, as the example has.
func TestImportKeepsSchemaLine(t *testing.T) {
	t.Parallel()
	dir := exampleWithSheet(t)
	logPath := filepath.Join(dir, "safety", "hazard-log.yaml")
	// A schema line of the user's own, which a generated one would not match.
	custom := "# yaml-language-server: $schema=../../shared-schemas/hazard-log.schema.json\n"
	before, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(before), "\n")
	if err := os.WriteFile(logPath, []byte(custom+rest), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runIn(t, dir, "import", "--from", "hazard-log.csv", "--force"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	got, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), custom) || strings.Count(string(got), "yaml-language-server") != 1 {
		t.Fatalf("the replaced log does not keep its schema line:\n%s", got)
	}

	if code, out, errOut := runIn(t, dir, "import", "--from", "hazard-log.csv", "--out", "safety/new/hazard-log.yaml"); code != 0 {
		t.Fatalf("new file: exit %d\n%s%s", code, out, errOut)
	}
	fresh, err := os.ReadFile(filepath.Join(dir, "safety", "new", "hazard-log.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "# yaml-language-server: $schema=../../schemas/hazard-log.schema.json\n"; !strings.HasPrefix(string(fresh), want) {
		t.Fatalf("a new log starts %q, want %q", strings.SplitN(string(fresh), "\n", 2)[0], want)
	}
	// The log imported again validates: the schema line is only a comment.
	if code, out, errOut := runIn(t, dir, "validate", "--hazard-log", "safety/new/hazard-log.yaml", "--today", "2026-11-25"); code != 0 {
		t.Fatalf("validate: exit %d\n%s%s", code, out, errOut)
	}
}

// TestExportWarnsOfWhatItCannotKeep: the CLI prints every field a layout
// would change, on stderr, and says importing again would change them.
func TestExportWarnsOfWhatItCannotKeep(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyDir(t, "../../examples/example-epr", dir)
	logPath := filepath.Join(dir, "safety", "hazard-log.yaml")
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// A harm with an indented line: Markdown prose keeps no indentation.
	edited := strings.Replace(string(data), "    harm: Treatment decided", "    harm: \"see below\\n  indented\"\n    #", 1)
	if edited == string(data) {
		t.Fatal("the example's first hazard is not where the test expects it")
	}
	if err := os.WriteFile(logPath, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runIn(t, dir, "export", "--format", "markdown", "--out", "hazards")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		`csogate export: warning: markdown HAZ-001 harm: "see below\n  indented" reads back as "see below\nindented"`,
		"csogate export: warning: hazards does not keep the log exactly",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
