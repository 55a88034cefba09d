package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsRealOutput keeps the README's "Why is my build blocked?"
// honest: its text excerpt and its rendered summary must be what the gate
// prints for the bundled example with the stale approval.
func TestREADMEShowsRealOutput(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	gate := func(format string) string {
		var stdout, stderr bytes.Buffer
		run(context.Background(), []string{"-C", "../../examples/example-epr", "check", "--changed-files", "changed-files.txt",
			"--reviews", "reviews-stale.json", "--head-sha", "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b", "--author", "dev-dan",
			"--today", "2026-11-25", "--format", format}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
		return stdout.String()
	}

	md := gate("markdown")
	md = strings.TrimPrefix(strings.NewReplacer("\n### ", "\n##### ", "\n## ", "\n#### ").Replace("\n"+md), "\n")
	if !bytes.Contains(readme, []byte(strings.TrimSpace(md))) {
		t.Errorf("README's rendered summary differs from the gate's Markdown (headings demoted):\n%s", md)
	}

	text := gate("text")
	start := bytes.Index(readme, []byte("```text\nBLOCKED: Example EPR"))
	if start < 0 {
		t.Fatal("README has no text excerpt of the blocked example")
	}
	block := readme[start+len("```text\n"):]
	block = block[:bytes.Index(block, []byte("```"))]
	for _, line := range strings.Split(string(block), "\n") {
		if strings.TrimSpace(line) == "..." || line == "" {
			continue
		}
		if !strings.Contains(text, line) {
			t.Errorf("README's excerpt line is not in the gate's output:\n%q\ngate printed:\n%s", line, text)
		}
	}
}

// TestREADMEListsEveryFlag: every flag of check and validate appears in the
// README's command-line section, so none is added without its documentation.
func TestREADMEListsEveryFlag(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(readme, []byte("## Command line"))
	if start < 0 {
		t.Fatal("README has no Command line section")
	}
	section := string(readme[start:])
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	for _, cmd := range []string{"check", "validate"} {
		var stdout, stderr bytes.Buffer
		run(context.Background(), []string{cmd, "-h"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
		n := 0
		for _, line := range strings.Split(stderr.String(), "\n") {
			name, ok := strings.CutPrefix(line, "  -")
			if !ok {
				continue
			}
			name, _, _ = strings.Cut(name, " ")
			n++
			if !strings.Contains(section, "--"+name) {
				t.Errorf("csogate %s --%s is not in the README's Command line section", cmd, name)
			}
		}
		if n < 5 {
			t.Fatalf("csogate %s -h listed %d flags:\n%s", cmd, n, stderr.String())
		}
	}
}

// TestREADMEShowsRealHazardLogDiff keeps the CSO section's "What changed in
// the hazard log" honest: it is what csogate diff prints for the example's
// log and the edited copy in testdata/readme, headings demoted.
func TestREADMEShowsRealHazardLogDiff(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-C", "../../examples/example-epr", "diff", "--base", "safety/hazard-log.yaml",
		"--head", "../../cmd/csogate/testdata/readme/hazard-log-edited.yaml", "--format", "markdown"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || stderr.Len() > 0 {
		t.Fatalf("csogate diff exited %d: %s", code, stderr.String())
	}
	md := strings.TrimPrefix(strings.NewReplacer("\n#### ", "\n###### ", "\n### ", "\n##### ").Replace("\n"+stdout.String()), "\n")
	if !strings.Contains(md, "↓ lowered") {
		t.Fatalf("the edited log no longer lowers a residual risk:\n%s", md)
	}
	if !bytes.Contains(readme, []byte(strings.TrimSpace(md))) {
		t.Errorf("README's hazard-log diff differs from what csogate diff prints (headings demoted):\n%s", md)
	}
}
