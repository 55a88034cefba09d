package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// aliasBombLog is the example's hazard log with one more hazard of some
// 360 KB, whose one control, with a 100 KB description, is repeated through
// 20,000 aliases: 2 GB once decoded. Before the decoder counted decoded
// bytes, validate accepted it, and check --record wrote a record that said
// approved and then ran out of memory at ~5 GB, as did export.
func aliasBombLog(t *testing.T, example string) []byte {
	log, err := os.ReadFile(filepath.Join(example, "safety/hazard-log.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(bytes.TrimRight(log, "\n"))
	b.WriteString("\n\n  - id: HAZ-999\n    title: t\n    description: d\n    causes: [c]\n    effects: [e]\n    harm: h\n")
	b.WriteString("    components: [\"src/nothing-changed/**\"]\n")
	b.WriteString("    initial: {severity: major, likelihood: medium}\n    residual: {severity: major, likelihood: very-low}\n")
	b.WriteString("    risk: {initial: 3, residual: 2}\n    status: open\n    owner: o\n    updated: 2026-09-12\n")
	b.WriteString("    controls:\n      - &c\n        id: CTL-999\n        kind: design\n        evidence: e\n        description: ")
	b.WriteString(strings.Repeat("x", 100_000))
	b.WriteString("\n")
	for range 20_000 {
		b.WriteString("      - *c\n")
	}
	return b.Bytes()
}

// TestAliasBombBlocksEveryCommand: validate, check --record and export each
// refuse the bomb with one INPUT_INVALID problem, and no record says
// anything but blocked.
func TestAliasBombBlocksEveryCommand(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../../examples/example-epr", dir)
	writeTestFile(t, filepath.Join(dir, "safety/hazard-log.yaml"), aliasBombLog(t, dir))
	const want = "once its aliases are expanded"
	for _, args := range [][]string{
		{"validate"},
		// The approved example: only the bomb stands between it and approved.
		{"check", "--changed-files", "changed-files.txt", "--reviews", "reviews.json", "--head-sha", "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b",
			"--author", "dev-dan", "--today", "2026-11-25", "--record", "rec"},
		{"export", "--format", "csv", "--out", "out.csv"},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, stdout, stderr := runIn(t, dir, args...)
			if code != 2 || strings.Count(stdout, want) != 1 || !strings.Contains(stdout, "safety/hazard-log.yaml:") || strings.Contains(stdout, "not in the hazard log") {
				t.Errorf("exit %d, want 2 and one problem saying %q\nstdout:\n%.2000s\nstderr:\n%.2000s", code, want, stdout, stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
		t.Error("export wrote out.csv from a log it refused")
	}
	record, err := os.ReadFile(filepath.Join(dir, "rec", "record.json"))
	if err != nil || !bytes.Contains(record, []byte(`"decision": "blocked"`)) || !bytes.Contains(record, []byte(`"exit_code": 2,`)) {
		t.Errorf("the record of the refused bomb is missing (%v) or does not say blocked, exit 2:\n%.2000s", err, record)
	}
}

// TestHugeLogIsOneTrueMessage: a 70 MB hazard log without a single alias
// was refused with a message blaming aliases, repeated 285,377 times. Now
// it is refused before it is read, once, for its size.
func TestHugeLogIsOneTrueMessage(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../../examples/example-epr", dir)
	log, err := os.ReadFile(filepath.Join(dir, "safety/hazard-log.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, hazards, _ := bytes.Cut(log, []byte("\nhazards:\n"))
	var b bytes.Buffer
	b.Write(head)
	b.WriteString("\nhazards:\n")
	for b.Len() < 70<<20 {
		b.Write(hazards)
	}
	writeTestFile(t, filepath.Join(dir, "safety/hazard-log.yaml"), b.Bytes())
	code, stdout, stderr := runIn(t, dir, "validate")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	want := "safety/hazard-log.yaml:1:1: the file is "
	if code != 2 || strings.Count(stdout, want) != 1 || strings.Contains(stdout, "alias") ||
		!strings.Contains(stdout, "over the 64 MiB (67108864 bytes) csogate reads from one safety file; if the file really needs more, raise max_input_bytes") || len(lines) > 3 {
		t.Errorf("exit %d, want 2 and one message about the size\nstdout:\n%.3000s\nstderr:\n%.2000s", code, stdout, stderr)
	}
}

// endless is a standard input that never ends: `yes | csogate check
// --changed-files -` by mistake, or a hostile pipe.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestEndlessStandardInputEnds: an input read from a pipe is bounded like a
// file, so a pipe that never ends is an error (exit 2), not a run that
// holds ever more memory.
func TestEndlessStandardInputEnds(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-C", "../../examples/example-epr", "check", "--changed-files", "-"}, os.Getenv, endless{}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--changed-files: standard input is over the 64 MiB csogate reads from one input") {
		t.Errorf("exit %d\nstdout:\n%.2000s\nstderr:\n%.2000s", code, stdout.String(), stderr.String())
	}
}
