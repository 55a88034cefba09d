package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pathsRepo lays out the custom-policy scenario with every file at its
// default place in a fresh directory "repo", next to an empty "elsewhere".
func pathsRepo(t *testing.T) (repo, elsewhere string) {
	t.Helper()
	dir := t.TempDir()
	repo, elsewhere = filepath.Join(dir, "repo"), filepath.Join(dir, "elsewhere")
	copyDir(t, "testdata/scenarios/_base", repo)
	copyDir(t, "testdata/scenarios/custom-policy", repo)
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	return repo, elsewhere
}

// TestPathFlags: each path flag names its file relative to the working
// directory, through "..", or absolutely, and the gate reads that file.
func TestPathFlags(t *testing.T) {
	t.Parallel()
	files := []struct{ flag, file string }{
		{"hazard-log", "safety/hazard-log.yaml"},
		{"manifest", "safety/changes.yaml"},
		{"register", "safety/cso-register.yaml"},
		{"config", "safety/csogate.yaml"},
		{"policies", "policies"},
		{"changed-files", "changed-files.txt"},
		{"reviews", "reviews.json"},
	}
	// What the scenario says when every file was read: the custom policy
	// blocks CHG-701 (manifest, changed files) on HAZ-005 (hazard log) with
	// Dr Alice's approval counted (register, reviews), and the configuration
	// ignores docs/**.
	want := []string{"TWO_CSOS_CATASTROPHIC", "CHG-701", "Critical lab result alert not delivered",
		"✓ counted: Dr Alice Example", "1 counted of 1 required"}
	for _, f := range files {
		for _, form := range []string{"absolute", "dotdot", "in place"} {
			t.Run(f.flag+" "+form, func(t *testing.T) {
				t.Parallel()
				repo, elsewhere := pathsRepo(t)
				name := f.file
				if form != "in place" {
					moved := filepath.Join(elsewhere, filepath.Base(f.file))
					if err := os.Rename(filepath.Join(repo, f.file), moved); err != nil {
						t.Fatal(err)
					}
					name = "../elsewhere/" + filepath.Base(f.file)
					if form == "absolute" {
						name = moved
					}
				}
				args := map[string]string{"hazard-log": "safety/hazard-log.yaml", "manifest": "safety/changes.yaml",
					"register": "safety/cso-register.yaml", "config": "safety/csogate.yaml", "policies": "policies",
					"changed-files": "changed-files.txt", "reviews": "reviews.json"}
				args[f.flag] = name
				cmd := []string{"-C", repo, "check", "--today", "2026-11-25", "--head-sha", scenarioHead, "--author", "dev-dan"}
				for flag, value := range args {
					cmd = append(cmd, "--"+flag, value)
				}
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), cmd, os.Getenv, strings.NewReader(""), &stdout, &stderr)
				if code != 1 {
					t.Errorf("exit %d, want 1 (blocked by the custom policy)\n%s%s", code, stdout.String(), stderr.String())
				}
				for _, w := range want {
					if !strings.Contains(stdout.String(), w) {
						t.Errorf("--%s %s: the decision lacks %q, so the file was not read:\n%s%s", f.flag, name, w, stdout.String(), stderr.String())
					}
				}
			})
		}
	}
}

// TestAbsoluteHazardLogIsStillASafetyFile: the gate knows a change to its own
// inputs by their repository-relative names. An absolute --hazard-log inside
// the working directory must still make a change to that file
// SAFETY_FILE_CHANGED, not an unremarkable file.
func TestAbsoluteHazardLogIsStillASafetyFile(t *testing.T) {
	t.Parallel()
	repo, _ := pathsRepo(t)
	if err := os.WriteFile(filepath.Join(repo, "changed-files.txt"), []byte("docs/a.md\nsafety/hazard-log.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "safety/changes.yaml"), []byte("release: 2.4.1\nchanges:\n  - id: CHG-1\n    summary: Docs\n    clinical: false\n    paths: [\"docs/**\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(filepath.Join(repo, "safety/hazard-log.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-C", repo, "check", "--today", "2026-11-25", "--hazard-log", abs,
		"--changed-files", filepath.Join(repo, "changed-files.txt")}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "SAFETY_FILE_CHANGED") || strings.Contains(stdout.String(), "NOT REQUIRED") {
		t.Errorf("exit %d, want 1 with SAFETY_FILE_CHANGED:\n%s%s", code, stdout.String(), stderr.String())
	}
}

// TestBaseManifest: with the base manifest, the CLI puts only the changes a
// pull request adds or modifies under review, as the Action does.
func TestBaseManifest(t *testing.T) {
	t.Parallel()
	repo, _ := pathsRepo(t)
	base := "release: 2.4.0\nchanges:\n  - id: CHG-1\n    summary: Dose rounding\n    clinical: true\n    hazards: [HAZ-002]\n"
	head := base + "  - id: CHG-2\n    summary: Docs\n    clinical: false\n    paths: [\"docs/**\"]\n"
	for name, content := range map[string]string{"base.yaml": base, "safety/changes.yaml": head, "changed-files.txt": "docs/a.md\n"} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "every manifest change under review", wantCode: 1, want: "CHG-1"},
		{name: "only what the change adds", args: []string{"--base-manifest", "base.yaml"}, wantCode: 0, want: "NOT REQUIRED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			args := append([]string{"-C", repo, "check", "--today", "2026-11-25", "--changed-files", "changed-files.txt"}, tt.args...)
			code := run(context.Background(), args, os.Getenv, strings.NewReader(""), &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("exit %d, want %d with %q:\n%s%s", code, tt.wantCode, tt.want, stdout.String(), stderr.String())
			}
		})
	}
}

// TestValidateAbsolutePaths: validate reads absolute and ../ paths as check does.
func TestValidateAbsolutePaths(t *testing.T) {
	t.Parallel()
	repo, elsewhere := pathsRepo(t)
	for _, f := range []string{"safety/hazard-log.yaml", "safety/cso-register.yaml"} {
		if err := os.Rename(filepath.Join(repo, f), filepath.Join(elsewhere, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-C", repo, "validate", "--hazard-log", filepath.Join(elsewhere, "hazard-log.yaml"),
		"--register", "../elsewhere/cso-register.yaml"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "../elsewhere/hazard-log.yaml") || !strings.Contains(stdout.String(), "../elsewhere/cso-register.yaml") {
		t.Errorf("exit %d, want 0 naming both files:\n%s%s", code, stdout.String(), stderr.String())
	}
}
