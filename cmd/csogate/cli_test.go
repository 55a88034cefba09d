package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestCLI(t *testing.T) {
	t.Parallel()
	example := "../../examples/example-epr"
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    []string
		wantErrOut []string
	}{
		{name: "no command", args: nil, wantCode: 2, wantErrOut: []string{"Usage:"}},
		{name: "unknown command", args: []string{"approve"}, wantCode: 2, wantErrOut: []string{`unknown command "approve"`}},
		{name: "version", args: []string{"version"}, wantCode: 0, wantOut: []string{"csogate dev"}},
		{name: "validate example", args: []string{"-C", example, "validate"}, wantCode: 0, wantOut: []string{"valid: safety/csogate.yaml, safety/hazard-log.yaml"}},
		{name: "validate names unknown hazard", args: []string{"-C", "testdata/scenarios/unknown-hazard", "validate", "--hazard-log", "../_base/safety/hazard-log.yaml", "--register", "../_base/safety/cso-register.yaml"},
			wantCode: 2, wantOut: []string{"safety/changes.yaml:6:15: change CHG-401 names hazard HAZ-404, which is not in the hazard log"}},
		{name: "validate every problem at once", args: []string{"-C", "testdata/scenarios/input-invalid", "validate"}, wantCode: 2,
			wantOut: []string{"safety/hazard-log.yaml:6:44: unknown likelihood", `safety/hazard-log.yaml:7:5: unknown key "residul"`, "stated initial risk 2 disagrees with the DCB0129 matrix", "problem(s) found"}},
		{name: "validate nothing found", args: []string{"-C", t.TempDir(), "validate"}, wantCode: 2, wantErrOut: []string{"no safety files found"}},
		{name: "reviews without head sha", args: []string{"-C", example, "check", "--reviews", "reviews.json"}, wantCode: 2, wantErrOut: []string{"--reviews needs --head-sha"}},
		{name: "bad format", args: []string{"-C", example, "check", "--format", "yaml"}, wantCode: 2, wantErrOut: []string{`--format "yaml" is not known`}},
		{name: "bad today", args: []string{"-C", example, "check", "--changed-files", "changed-files.txt", "--today", "25/11/2026"}, wantCode: 2, wantErrOut: []string{"--today"}},
		{name: "malformed reviews fail closed", args: []string{"-C", example, "check", "--reviews", "-", "--head-sha", "abc", "--changed-files", "changed-files.txt"}, stdin: `{"not": "an array"}`,
			wantCode: 2, wantOut: []string{"BLOCKED", "INPUT_INVALID", "not a JSON array of reviews"}},
		{name: "changed files from stdin", args: []string{"-C", example, "check", "--changed-files", "-", "--today", "2026-11-25"}, stdin: "docs/a.md\nsrc/tools/x.go\n",
			wantCode: 1, wantOut: []string{"BLOCKED", "CSO_APPROVAL_REQUIRED"}},
		{name: "missing changed-files file", args: []string{"-C", example, "check", "--changed-files", "nope.txt"}, wantCode: 2, wantErrOut: []string{"--changed-files"}},
		{name: "two lists from standard input", args: []string{"-C", example, "check", "--changed-files", "-", "--reviews", "-", "--head-sha", "abc"}, wantCode: 2, wantErrOut: []string{"--changed-files and --reviews cannot all read standard input"}},
		{name: "explicit config must exist", args: []string{"-C", example, "check", "--changed-files", "changed-files.txt", "--config", "safety/nope.yaml"}, wantCode: 2, wantOut: []string{"safety/nope.yaml: file not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, os.Getenv, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantErrOut {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

// TestValidateCompilesPolicies: a custom policy that does not compile would
// block every run, so validate reports it at its line.
func TestValidateCompilesPolicies(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyDir(t, "../../examples/example-epr", dir)
	if err := os.MkdirAll(dir+"/safety/policies", 0o755); err != nil {
		t.Fatal(err)
	}
	bad := "package csogate.custom.broken\n\nviolation contains {\"code\": \"X\", \"message\": m} if {\n\tm := undefined_thing\n}\n"
	if err := os.WriteFile(dir+"/safety/policies/broken.rego", []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-C", dir, "validate", "--policies", "safety/policies"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
	if code != 2 || !strings.Contains(stdout.String(), "safety/policies/broken.rego:4:2: policy does not compile") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
}
