package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/schema"
)

// TestEveryLayoutSameDecision exports the bundled example's hazard log to
// each layout a CSO may keep it in, then gates the same change on each: the
// decision document must be identical to the YAML log's.
func TestEveryLayoutSameDecision(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyDir(t, "../../examples/example-epr", dir)
	for _, layout := range []struct{ format, out string }{{"xlsx", "hazard-log.xlsx"}, {"csv", "hazard-log.csv"}, {"markdown", "hazards"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"-C", dir, "export", "--format", layout.format, "--out", layout.out}, os.Getenv, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("export %s: exit %d\n%s%s", layout.format, code, stdout.String(), stderr.String())
		}
	}
	check := func(reviews, log string) string {
		var stdout, stderr bytes.Buffer
		args := []string{"-C", dir, "check", "--hazard-log", log, "--changed-files", "changed-files.txt", "--reviews", reviews,
			"--head-sha", "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b", "--author", "dev-dan", "--today", "2026-11-25", "--format", "json"}
		run(context.Background(), args, os.Getenv, strings.NewReader(""), &stdout, &stderr)
		if stderr.Len() > 0 {
			t.Errorf("%s: stderr %s", log, stderr.String())
		}
		return stdout.String()
	}
	for _, reviews := range []string{"reviews.json", "reviews-stale.json"} {
		want := check(reviews, "safety/hazard-log.yaml")
		if !strings.Contains(want, `"decision": "approved"`) && !strings.Contains(want, `"decision": "blocked"`) {
			t.Fatalf("unexpected YAML decision:\n%s", want)
		}
		for _, log := range []string{"hazard-log.xlsx", "hazard-log.csv", "hazards"} {
			if got := check(reviews, log); got != want {
				t.Errorf("%s with %s: decision differs from the YAML log's\n--- got\n%s\n--- want\n%s", log, reviews, got, want)
			}
		}
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExampleSchemasCurrent keeps the copies the bundled example's files
// point their editors at identical to the schemas the binary prints.
func TestExampleSchemasCurrent(t *testing.T) {
	t.Parallel()
	for _, name := range schema.Names() {
		want, _ := schema.Get(name)
		got, err := os.ReadFile(filepath.Join("../../examples/example-epr/schemas", schema.FileName(name)))
		if err != nil || !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
			t.Errorf("examples/example-epr/schemas/%s is missing or stale (%v); run: go run ./cmd/csogate schema --write examples/example-epr/schemas", schema.FileName(name), err)
		}
	}
}
