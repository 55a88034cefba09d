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
