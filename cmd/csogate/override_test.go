package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/evidence"
)

// TestOverrideRecordReplays: the decision record of an emergency override
// keeps the override comments; a replay judges the override again and
// agrees, and a record whose comment was edited afterwards is refused.
func TestOverrideRecordReplays(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	copyInto := func(from, to string) {
		t.Helper()
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, to)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"hazard-log.yaml", "changes.yaml", "cso-register.yaml"} {
		copyInto("testdata/scenarios/_base/safety/"+name, "safety/"+name)
	}
	copyInto("testdata/scenarios/_override/safety/csogate.yaml", "safety/csogate.yaml")
	copyInto("testdata/scenarios/_base/changed-files.txt", "changed-files.txt")
	copyInto("testdata/scenarios/override-approved/comments.json", "comments.json")

	check := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"-C", root, "check"}, args...), os.Getenv, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	code, out := check("--today", "2026-11-25", "--head-sha", scenarioHead, "--author", "dev-dan", "--changed-files", "changed-files.txt",
		"--comments", "comments.json", "--record", "evidence")
	if code != 0 || !strings.Contains(out, "APPROVED BY EMERGENCY OVERRIDE") {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	if code, out = check("--replay", "evidence"); code != 0 || !strings.Contains(out, "APPROVED BY EMERGENCY OVERRIDE") {
		t.Fatalf("replay: exit %d\n%s", code, out)
	}

	name := filepath.Join(root, "evidence", evidence.RecordFile)
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["request"].(map[string]any)["comments"].([]any)[0].(map[string]any)["body"] = "/csogate override 3f2a9c1: a different reason, written after the event"
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out = check("--replay", "evidence"); code != 2 || !strings.Contains(out, "request.comments") {
		t.Errorf("replay of an edited record: exit %d, want 2 naming request.comments\n%s", code, out)
	}
}
