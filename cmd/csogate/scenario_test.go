package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/golden"
)

// scenarioHead is the head commit every scenario's reviews are measured against.
const scenarioHead = "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b"

// TestScenarios runs csogate check on each directory under
// testdata/scenarios and compares the decision JSON, the text explanation and
// the exit code with the golden files want.json, want.txt and want.exit.
// A scenario holds only what differs from _base: files it lacks are taken from
// there, its optional "args" file adds flags (one per line), and its optional
// base-hazard-log.yaml is passed as --base-hazard-log.
func TestScenarios(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("testdata/scenarios/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		if strings.HasPrefix(name, "_") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := scenarioArgs(t, dir)
			for _, format := range []string{"json", "text", "markdown"} {
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), append(args, "--format", format), os.Getenv, strings.NewReader(""), &stdout, &stderr)
				wantFile := filepath.Join(dir, map[string]string{"json": "want.json", "text": "want.txt", "markdown": "want.md"}[format])
				golden.Check(t, wantFile, stdout.Bytes())
				golden.Check(t, filepath.Join(dir, "want.exit"), []byte(strconv.Itoa(code)+"\n"))
				if stderr.Len() > 0 {
					t.Errorf("stderr: %s", stderr.String())
				}
			}
		})
	}
}

func scenarioArgs(t *testing.T, dir string) []string {
	t.Helper()
	args := []string{"-C", dir, "check", "--today", "2026-11-25", "--head-sha", scenarioHead, "--author", "dev-dan"}
	for flagName, file := range map[string]string{
		"hazard-log": "safety/hazard-log.yaml", "manifest": "safety/changes.yaml",
		"register": "safety/cso-register.yaml", "config": "safety/csogate.yaml",
	} {
		if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
			args = append(args, "--"+flagName, "../_base/"+file)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "changed-files.txt")); err == nil {
		args = append(args, "--changed-files", "changed-files.txt")
	} else {
		args = append(args, "--changed-files", "../_base/changed-files.txt")
	}
	if _, err := os.Stat(filepath.Join(dir, "reviews.json")); err == nil {
		args = append(args, "--reviews", "reviews.json")
	}
	// base-hazard-log.yaml is the hazard log the change started from: the
	// gate compares the head's log with it hazard by hazard.
	if _, err := os.Stat(filepath.Join(dir, "base-hazard-log.yaml")); err == nil {
		args = append(args, "--base-hazard-log", "base-hazard-log.yaml")
	}
	if extra, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		for _, line := range strings.Split(string(extra), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				args = append(args, line)
			}
		}
	}
	return args
}
