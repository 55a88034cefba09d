package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayJudgesTheRecordedTestResults: a run given test results with a
// failing linked test records the reports; the replay, with the reports gone
// from the checkout, blocks with CONTROL_TEST_FAILED again, and a record
// whose copy of a report was edited to pass is refused.
func TestReplayJudgesTheRecordedTestResults(t *testing.T) {
	t.Parallel()
	scenario := "testdata/scenarios/tests-failed"
	work := t.TempDir()
	copyTree(t, "testdata/scenarios/_base", work)
	copyTree(t, scenario, work)
	record := filepath.Join(t.TempDir(), "record")
	args := []string{"-C", work, "check", "--today", "2026-11-25", "--head-sha", scenarioHead, "--author", "dev-dan",
		"--changed-files", "changed-files.txt", "--reviews", "reviews.json", "--test-results", "reports/*.xml",
		"--record", record, "--format", "json"}
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, os.Getenv, strings.NewReader(""), &out, &errb); code != 1 {
		t.Fatalf("check exit %d, want 1: %s %s", code, out.String(), errb.String())
	}
	note, err := os.ReadFile(filepath.Join(record, "release-note.md"))
	if err != nil || !strings.Contains(string(note), "| Control | Kind | Description | Evidence | Tests in this run |") ||
		!strings.Contains(string(note), "| failed: 1 passed, 1 failed, 0 skipped |") {
		t.Errorf("the release note does not say what the tests showed (%v):\n%s", err, note)
	}
	// The reports were the run's output, not the checkout's: gone now.
	if err := os.RemoveAll(filepath.Join(work, "reports")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code := run(context.Background(), []string{"-C", work, "check", "--replay", record, "--format", "text"}, os.Getenv, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(out.String(), "CONTROL_TEST_FAILED") {
		t.Fatalf("replay exit %d, want 1 with CONTROL_TEST_FAILED:\n%s\n%s", code, out.String(), errb.String())
	}
	copies, _ := filepath.Glob(filepath.Join(record, "test-results", "*"))
	if len(copies) != 1 {
		t.Fatalf("%d copies of test results in the record, want 1", len(copies))
	}
	data, _ := os.ReadFile(copies[0])
	forged := strings.Replace(string(data), "<failure ", "<skipped ", 1)
	if err := os.WriteFile(copies[0], []byte(forged), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code = run(context.Background(), []string{"-C", work, "check", "--replay", record}, os.Getenv, strings.NewReader(""), &out, &errb)
	if code != 2 || !strings.Contains(out.String()+errb.String(), "test results") {
		t.Fatalf("replay of a forged copy: exit %d, want 2 naming the test results:\n%s\n%s", code, out.String(), errb.String())
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
