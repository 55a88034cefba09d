package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/hazardlog"
)

// TestDiffCommandAcrossLayouts: csogate diff prints the same change whatever
// layout the head is kept in, and refuses a log it cannot read (exit 2).
func TestDiffCommandAcrossLayouts(t *testing.T) {
	t.Parallel()
	res := hazardlog.Load("testdata/readme/hazard-log-edited.yaml", hazardlog.Options{})
	if !res.Valid() {
		t.Fatal(res.Problems)
	}
	diff := func(head string, format string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"diff", "--base", "../../examples/example-epr/safety/hazard-log.yaml",
			"--head", head, "--format", format}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
		return stdout.String() + stderr.String(), code
	}
	want, code := diff("testdata/readme/hazard-log-edited.yaml", "text")
	if code != 0 || !strings.Contains(want, "Residual risk: 3 (medium) → 2 (low) ↓ lowered") {
		t.Fatalf("exit %d:\n%s", code, want)
	}
	for _, format := range []hazardlog.Format{hazardlog.FormatCSV, hazardlog.FormatXLSX, hazardlog.FormatMarkdown} {
		head := filepath.Join(t.TempDir(), "hazard-log."+string(format))
		if lost, err := hazardlog.Export(res.Log, format, head); err != nil || len(lost) > 0 {
			t.Fatal(err, lost)
		}
		if got, code := diff(head, "text"); code != 0 || got != want {
			t.Errorf("%s head: exit %d\n%s\nwant\n%s", format, code, got, want)
		}
	}
	out, code := diff("testdata/readme/hazard-log-edited.yaml", "json")
	var doc struct {
		Changes []struct {
			ID     string `json:"id"`
			Change string `json:"change"`
			Fields []struct {
				Field  string `json:"field"`
				Before any    `json:"before"`
				After  any    `json:"after"`
			} `json:"fields"`
		} `json:"hazard_log_changes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	found := false
	for _, c := range doc.Changes {
		for _, f := range c.Fields {
			if c.ID == "HAZ-002" && f.Field == "residual_risk" && f.Before == 3.0 && f.After == 2.0 {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the JSON lacks HAZ-002's residual_risk 3 → 2 as numbers:\n%s", out)
	}
	broken := filepath.Join(t.TempDir(), "hazard-log.yaml")
	if err := os.WriteFile(broken, []byte("product: P\nhazards:\n  - id: HAZ-001\n    residual: {severity: huge}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := diff(broken, "text"); code != 2 {
		t.Errorf("an invalid head log exits %d, want 2:\n%s", code, out)
	}
}

// TestBaseHazardLogRecordReplays: a decision made with --base-hazard-log is
// recorded with the base log among the trusted copies, and replays to the
// same decision offline.
func TestBaseHazardLogRecordReplays(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs("testdata/scenarios/hazard-log-risk-reduced-cso-approved")
	if err != nil {
		t.Fatal(err)
	}
	rec := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := append(scenarioArgs(t, dir), "--record", rec, "--format", "json")
	if code := run(context.Background(), args, os.Getenv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("check exited %d: %s %s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), `"hazard_log_compared_with": "base-hazard-log.yaml"`) {
		t.Fatalf("the decision does not say what it compared with:\n%s", stdout.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"-C", dir, "check", "--replay", rec}, os.Getenv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("replay exited %d:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	// A pull request's record has no release, so no safety case addendum.
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"-C", dir, "check", "--replay", rec, "--format", "safety-case"}, os.Getenv, strings.NewReader(""), &stdout, &stderr); code != 2 ||
		stdout.Len() != 0 || !strings.Contains(stderr.String(), "needs the record of a release run") {
		t.Errorf("--format safety-case on a pull request's record exits %d, want 2 saying it needs a release record:\n%s\n%s", code, stdout.String(), stderr.String())
	}
}
