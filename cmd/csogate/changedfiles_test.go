package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/csogate/csogate/internal/changedfiles"
)

// docsOnly is a product whose manifest declares only a documentation change:
// a list of docs files is not_required, and any file under
// src/prescribing/dose/ (a hazard's component) must block.
var docsOnly = []string{"-C", "testdata/scenarios/not-required", "check",
	"--hazard-log", "../_base/safety/hazard-log.yaml", "--register", "../_base/safety/cso-register.yaml",
	"--config", "../_base/safety/csogate.yaml", "--today", "2026-11-25", "--head-sha", scenarioHead}

// checkJSON runs check with the list on standard input and returns the exit
// code, the decision ("" when none was printed) and standard error.
func checkJSON(t *testing.T, list []byte, args ...string) (int, string, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	all := append(append(append([]string{}, docsOnly...), args...), "--format", "json")
	code := run(context.Background(), all, os.Getenv, bytes.NewReader(list), &stdout, &stderr)
	var d struct {
		Decision string `json:"decision"`
	}
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
			t.Fatalf("decision JSON: %v\n%s", err, stdout.String())
		}
	}
	return code, d.Decision, stdout.String(), stderr.String()
}

func utf16LEWithBOM(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// TestChangedFilesAttacks: every way a list of changed files can be written
// that today's reader got wrong. A clinical file the gate misreads matches no
// glob and passes as not_required; a list it cannot read exactly must block.
func TestChangedFilesAttacks(t *testing.T) {
	t.Parallel()
	const clinical = "src/prescribing/dose/calc.go"
	tests := []struct {
		name         string
		list         []byte
		args         []string
		wantCode     int
		wantDecision string
		wantOut      string // in the decision JSON (or standard error when there is none)
	}{
		{name: "docs only is not required", list: []byte("docs/search.md\n"), wantCode: 0, wantDecision: "not_required"},
		{name: "C-quoted non-ASCII clinical path", list: []byte("docs/search.md\n\"src/prescribing/dose/dos\\303\\251.go\"\n"),
			wantCode: 1, wantDecision: "blocked", wantOut: "src/prescribing/dose/dosé.go"},
		{name: "UTF-8 BOM before a clinical path", list: []byte("\xEF\xBB\xBF" + clinical + "\n"), wantCode: 1, wantDecision: "blocked", wantOut: clinical},
		{name: "UTF-16LE with BOM", list: utf16LEWithBOM("docs/search.md\r\n" + clinical + "\r\n"), wantCode: 1, wantDecision: "blocked", wantOut: clinical},
		{name: "CRLF", list: []byte("docs/search.md\r\n" + clinical + "\r\n"), wantCode: 1, wantDecision: "blocked", wantOut: clinical},
		{name: "-z with --null", list: []byte("docs/search.md\x00" + clinical + "\x00"), args: []string{"--null"}, wantCode: 1, wantDecision: "blocked", wantOut: clinical},
		{name: "backslash path is INPUT_INVALID", list: []byte("docs/search.md\r\nsrc\\prescribing\\dose\\calc.go\r\n"),
			wantCode: 2, wantDecision: "blocked", wantOut: "standard input:2: has a backslash"},
		{name: "NUL byte is INPUT_INVALID", list: []byte("docs/search.md\x00" + clinical + "\x00"),
			wantCode: 2, wantDecision: "blocked", wantOut: "pass --null"},
		{name: "control byte is INPUT_INVALID", list: []byte("docs/search.md\n" + clinical + "\x1b\n"),
			wantCode: 2, wantDecision: "blocked", wantOut: "standard input:2: has the control character U+001B"},
		{name: "UTF-16 without BOM is INPUT_INVALID", list: utf16LEWithBOM(clinical + "\n")[2:],
			wantCode: 2, wantDecision: "blocked", wantOut: "UTF-16 text without a byte-order mark"},
		{name: "git status output is INPUT_INVALID", list: []byte(" M " + clinical + "\n?? docs/new.md\n"),
			wantCode: 2, wantDecision: "blocked", wantOut: "git status --short"},
		{name: "git diff --stat output is INPUT_INVALID", list: []byte(" " + clinical + " | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)\n"),
			wantCode: 2, wantDecision: "blocked", wantOut: "git diff --stat"},
		{name: "empty list is an error", list: nil, wantCode: 2, wantDecision: "blocked", wantOut: "--allow-empty-changes"},
		{name: "blank list is an error", list: []byte("\n\r\n"), wantCode: 2, wantDecision: "blocked", wantOut: "the list of changed files is empty"},
		{name: "empty list allowed", list: nil, args: []string{"--allow-empty-changes"}, wantCode: 0, wantDecision: "not_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, got, stdout, stderr := checkJSON(t, tt.list, append([]string{"--changed-files", "-"}, tt.args...)...)
			if code != tt.wantCode || got != tt.wantDecision {
				t.Errorf("exit %d, decision %q; want exit %d, %q\n%s%s", code, got, tt.wantCode, tt.wantDecision, stdout, stderr)
			}
			if tt.wantOut != "" && !strings.Contains(stdout, tt.wantOut) {
				t.Errorf("the decision does not say %q:\n%s", tt.wantOut, stdout)
			}
		})
	}
}

// TestChangedFilesRequired: with no list, the change set is unknown, and an
// unknown change set must never be not_required.
func TestChangedFilesRequired(t *testing.T) {
	t.Parallel()
	code, got, stdout, stderr := checkJSON(t, nil)
	if code != 2 || got != "" || stdout != "" {
		t.Errorf("exit %d, decision %q; want exit 2 and no decision\n%s", code, got, stdout)
	}
	for _, want := range []string{"--changed-files is required", "git diff --name-only origin/main...HEAD"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// FuzzChangedFiles: whatever bytes arrive as the list, the gate decides
// approved or not_required only when the list parsed cleanly into at least
// one path; a list that does not parse cleanly is INPUT_INVALID, exit 2.
// (What "cleanly" means — every entry is a path exactly as git writes it —
// is FuzzParse's property in internal/changedfiles.)
func FuzzChangedFiles(f *testing.F) {
	for _, seed := range []string{
		"docs/search.md\n", "\"src/prescribing/dose/dos\\303\\251.go\"\n", "\xEF\xBB\xBFdocs/a.md\n",
		string(utf16LEWithBOM("docs/a.md\r\n")), "docs/a.md\r\n", "docs/a.md\x00src/x.go\x00", "src\\prescribing\\dose\\calc.go\n",
		"", "\n", "\"docs/a\\tb.md\"\n", "./src/prescribing/dose/calc.go\n", "docs/\x1b.md\n", "\"docs/\\351.md\"\n",
		" M src/prescribing/dose/calc.go\n",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, list []byte, null bool) {
		args := []string{"--changed-files", "-"}
		if null {
			args = append(args, "--null")
		}
		code, got, stdout, stderr := checkJSON(t, list, args...)
		paths, problems := changedfiles.Parse("standard input", list, null)
		if (len(problems) > 0 || len(paths) == 0) && (code != 2 || got != "blocked") {
			t.Fatalf("list %q parses to %q with problems %v, but the gate exited %d with %q\n%s%s", list, paths, problems, code, got, stdout, stderr)
		}
		if (got == "approved" || got == "not_required") && (len(problems) > 0 || len(paths) == 0) {
			t.Fatalf("list %q decided %s but parses with problems %v, paths %q", list, got, problems, paths)
		}
	})
}
