package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/schema"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSchemaCommand(t *testing.T) {
	code, out, _ := runCLI(t, "schema")
	if code != 0 || out != "hazard-log\nmanifest\ncso-register\nconfig\nhazard-components\n" {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "schema", "manifest")
	want, _ := schema.Get("manifest")
	if code != 0 || out != string(want) || !json.Valid([]byte(out)) {
		t.Fatalf("print: %d", code)
	}
	code, _, errOut := runCLI(t, "schema", "nope")
	if code != 2 || !strings.Contains(errOut, "hazard-log") {
		t.Fatalf("unknown: %d %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "schema", "manifest", "config")
	if code != 2 {
		t.Fatalf("two names: %d %q", code, errOut)
	}
	dir := filepath.Join(t.TempDir(), "a", "schemas")
	code, out, errOut = runCLI(t, "schema", "--write", dir)
	if code != 0 {
		t.Fatalf("write: %d %q", code, errOut)
	}
	t.Log(out)
	for _, n := range schema.Names() {
		got, err := os.ReadFile(filepath.Join(dir, n+".schema.json"))
		want, _ := schema.Get(n)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %v", n, err)
		}
	}
	dir2 := t.TempDir()
	code, out, _ = runCLI(t, "schema", "-write", dir2, "config")
	entries, _ := os.ReadDir(dir2)
	if code != 0 || len(entries) != 1 || entries[0].Name() != "config.schema.json" {
		t.Fatalf("write one: %d %q %v", code, out, entries)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	code, _, errOut = runCLI(t, "schema", "--write", filepath.Join(blocker, "x"))
	if code != 3 {
		t.Fatalf("unwritable: %d %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "schema", "-h")
	t.Logf("help exit %d:\n%s", code, errOut)
}
