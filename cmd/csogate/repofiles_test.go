package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckLooksUpTheWorkTree: in a git work tree the CLI checks the touched
// hazards' components and their controls' evidence against the files under
// the working directory — .git skipped, a link never taken for its target —
// and a record of the run replays to the same decision.
func TestCheckLooksUpTheWorkTree(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "banner_test.go"), []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		setup    func(t *testing.T, root string)
		config   string
		exit     int
		want     []string // in the text output
		wantNone []string
	}{
		{
			name:     "every file the log names is there",
			exit:     0,
			want:     []string{"passed          HAZARD_COMPONENT_ORPHANED", "passed          CONTROL_EVIDENCE_MISSING"},
			wantNone: []string{"! CONTROL_EVIDENCE_MISSING", "! HAZARD_COMPONENT_ORPHANED"},
		},
		{
			name: "evidence only in .git, and code moved: both found missing",
			setup: func(t *testing.T, root string) {
				mv(t, root, "tests/search/banner_test.go", ".git/banner_test.go")
				mv(t, root, "src/search/index.go", "src/find/index.go")
			},
			exit: 0,
			want: []string{`HAZ-001 control CTL-001: its evidence "tests/search/banner_test.go" names no file (checked against the working directory)`,
				"HAZ-001 \"Wrong patient's record shown after search\" (status open, residual risk 2 (low)): its component src/search/** matches no file in the working directory"},
		},
		{
			name: "evidence a link out of the repository, control_evidence: required: blocked whoever approves",
			setup: func(t *testing.T, root string) {
				if err := os.Remove(filepath.Join(root, "tests/search/banner_test.go")); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Join(outside, "banner_test.go"), filepath.Join(root, "tests/search/banner_test.go")); err != nil {
					t.Fatal(err)
				}
			},
			config: "control_evidence: required\n",
			exit:   1,
			want:   []string{`✗ CONTROL_EVIDENCE_MISSING: HAZ-001 control CTL-001: its evidence "tests/search/banner_test.go" is a symbolic link`},
		},
		{
			name:   "evidence in the wrong case: no file",
			config: "control_evidence: required\n",
			setup: func(t *testing.T, root string) {
				mv(t, root, "tests/search/banner_test.go", "tests/search/Banner_test.go")
			},
			exit: 1,
			want: []string{"names no file; tests/search/Banner_test.go differs only in letter case"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			copyDir(t, "../../examples/example-epr", root)
			for _, p := range []string{".git/HEAD", "src/search/index.go", "src/ui/allergy/banner.go", "src/api/allergies.go",
				"tests/search/banner_test.go", "tests/search/ranking_test.go", "tests/ui/allergy_banner_test.go",
				"tests/prescribing/allergy_stop_test.go"} {
				write(t, root, p, "package x\n")
			}
			if tc.config != "" {
				cfg, err := os.ReadFile(filepath.Join(root, "safety/csogate.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				write(t, root, "safety/csogate.yaml", string(cfg)+tc.config)
			}
			if tc.setup != nil {
				tc.setup(t, root)
			}
			args := []string{"-C", root, "check", "--changed-files", "changed-files.txt", "--reviews", "reviews.json",
				"--head-sha", "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b", "--author", "dev-dan", "--today", "2026-11-25"}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(args, "--record", "record"), os.Getenv, strings.NewReader(""), &stdout, &stderr)
			if code != tc.exit {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.exit, stdout.String(), stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tc.wantNone {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("output has %q:\n%s", w, stdout.String())
				}
			}
			// The record holds what the check stood on: its replay, in a
			// copy of the safety files alone, decides the same.
			bare := t.TempDir()
			copyDir(t, filepath.Join(root, "safety"), filepath.Join(bare, "safety"))
			stdout.Reset()
			if got := run(context.Background(), []string{"-C", bare, "check", "--replay", filepath.Join(root, "record"), "--format", "json"},
				os.Getenv, strings.NewReader(""), &stdout, &stderr); got != code {
				t.Errorf("replay exit %d, run %d: %s%s", got, code, stdout.String(), stderr.String())
			}
		})
	}
}

// TestRepoFilesFlag: --repo-files reads git ls-files output, from a file or
// standard input; an empty or unreadable list is refused, never taken as an
// empty repository.
func TestRepoFilesFlag(t *testing.T) {
	t.Parallel()
	base := []string{"-C", "../../examples/example-epr", "check", "--changed-files", "changed-files.txt",
		"--head-sha", "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b", "--author", "dev-dan", "--today", "2026-11-25", "--format", "input"}
	listed := "src/search/index.go\nsrc/ui/allergy/banner.go\nsrc/api/allergies.go\ntests/search/banner_test.go\ntests/search/ranking_test.go\n"
	var stdout, stderr bytes.Buffer
	run(context.Background(), append(base, "--repo-files", "-"), os.Getenv, strings.NewReader(listed), &stdout, &stderr)
	var in struct {
		Repository struct {
			Checked  bool
			Source   string
			Orphaned []struct{ ID string }
			Evidence []struct{ Control, Status string }
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &in); err != nil {
		t.Fatalf("%v: %s%s", err, stdout.String(), stderr.String())
	}
	r := in.Repository
	if !r.Checked || r.Source != "--repo-files standard input" || len(r.Orphaned) != 0 {
		t.Errorf("repository facts %+v", r)
	}
	status := map[string]string{}
	for _, e := range r.Evidence {
		status[e.Control] = e.Status
	}
	if status["CTL-001"] != "present" || status["CTL-002"] != "present" || status["CTL-020"] != "missing" {
		t.Errorf("evidence %+v", r.Evidence)
	}

	for name, c := range map[string]struct {
		args  []string
		stdin string
		exit  int
		msg   string
	}{
		"empty list":                 {[]string{"--repo-files", "-"}, "", 2, "lists no file"},
		"a Windows path":             {[]string{"--repo-files", "-"}, "src\\search\\index.go\n", 2, "backslash"},
		"two flags reading stdin":    {[]string{"--repo-files", "-", "--reviews", "-"}, "[]", 2, "cannot all read standard input"},
		"a list that does not exist": {[]string{"--repo-files", "nowhere.txt"}, "", 2, "--repo-files"},
	} {
		stdout.Reset()
		stderr.Reset()
		code := run(context.Background(), append(append([]string{}, base...), c.args...), os.Getenv, strings.NewReader(c.stdin), &stdout, &stderr)
		if code != c.exit || !strings.Contains(stdout.String()+stderr.String(), c.msg) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s%s", name, code, c.exit, c.msg, stdout.String(), stderr.String())
		}
	}
}

func write(t *testing.T, root, name, content string) {
	t.Helper()
	full := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mv(t *testing.T, root, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(root, to)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, from), filepath.Join(root, to)); err != nil {
		t.Fatal(err)
	}
}

// TestTraceabilityCoversBothChecks: the decision's controls[] is one list
// for the test evidence and the repository check — every control of the
// touched hazards and of the hazard the change adds to the log, each hazard
// once (the log-wide repository check does not add the untouched HAZ-002),
// each control with what the head holds of its evidence. A hurried engineer
// who adds a hazard whose control names a test file never written sees it
// missing in the table the CSO reads.
func TestTraceabilityCoversBothChecks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	copyDir(t, "../../examples/example-epr", root)
	for _, p := range []string{".git/HEAD", "src/search/index.go", "src/ui/allergy/banner.go", "src/api/allergies.go", "src/prescribing/dose/calc.go",
		"tests/search/banner_test.go", "tests/search/ranking_test.go", "tests/ui/allergy_banner_test.go",
		"tests/prescribing/allergy_stop_test.go", "tests/prescribing/weight_age_test.go"} {
		write(t, root, p, "package x\n")
	}
	base, err := os.ReadFile(filepath.Join(root, "safety/hazard-log.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, root, "base-hazard-log.yaml", string(base))
	write(t, root, "safety/hazard-log.yaml", string(base)+`  - id: HAZ-009
    title: Discharge letter sent to the wrong GP
    description: The letter goes to the practice recorded before the patient moved.
    harm: Follow-up missed.
    components: ["src/letters/**"]
    controls:
      - id: CTL-090
        description: The letter's practice is checked against the national record before sending
        kind: test
        evidence: tests/letters/practice_test.go
      - description: Discharge checklist
        kind: procedure
        evidence: https://intranet.example/discharge-checklist
    initial: {severity: major, likelihood: high}
    residual: {severity: major, likelihood: very-low}
    risk: {initial: 4, residual: 2}
    status: open
    owner: Dr Alice Example
    updated: 2026-11-20
`)
	write(t, root, "changed-files.txt", "src/ui/allergy/banner.go\nsrc/search/index.go\nsafety/hazard-log.yaml\n")
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-C", root, "check", "--changed-files", "changed-files.txt", "--reviews", "reviews.json",
		"--base-hazard-log", "base-hazard-log.yaml", "--head-sha", "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b", "--author", "dev-dan",
		"--today", "2026-11-25", "--format", "json"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
	var d struct {
		Controls []struct {
			Hazard         string `json:"hazard"`
			Control        string `json:"control"`
			EvidenceStatus string `json:"evidence_status"`
		} `json:"controls"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	var got []string
	for _, c := range d.Controls {
		got = append(got, c.Hazard+" "+c.Control+" "+c.EvidenceStatus)
	}
	want := []string{"HAZ-001 CTL-001 found", "HAZ-001 CTL-002 found", "HAZ-003 CTL-020 found", "HAZ-003 CTL-021 found",
		"HAZ-009 CTL-090 missing", "HAZ-009  url"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("controls:\n%s\nwant:\n%s\n%s%s", strings.Join(got, "\n"), strings.Join(want, "\n"), stdout.String(), stderr.String())
	}
}
