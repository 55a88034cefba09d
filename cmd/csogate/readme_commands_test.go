package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeCommandsSkipped are the README's commands this test does not run,
// by the start of the command, each with why. A command that is neither
// here nor marked with its exit status fails the test, and so does an
// entry here the README no longer shows.
var readmeCommandsSkipped = map[string]string{
	"go install github.com/csogate/csogate/cmd/csogate@": "needs the network (the Go module proxy)",
	"go test ./...":                                    "runs every test, this one included",
	"gh attestation verify":                            "needs GitHub and a signed release",
	"gh api --paginate 'repos/OWNER/REPO/issues":       "needs GitHub; its output is examples/example-epr/hazard-issues.json, which the lines after it use",
	"sha256sum --check --ignore-missing checksums.txt": "checks a downloaded release's files (setup/install_test.go checks the same against a fake release)",
	"csogate verify --artifact app.tar.gz":             "needs the attestation gh downloads on the line before, and names placeholders",
	"csogate check --replay path/to/record":            "names a record of the reader's (record and replay are tested in verify_test.go and internal/evidence)",
	"go run ./cmd/csogate-fixture -out /tmp/large":     "bash .ci/bench runs it: it writes 5,000 hazards under /tmp",
	"go run ./cmd/csogate -C /tmp/large":               "bash .ci/bench runs it, on the product the line before writes",
}

// readmeCommand is one command of a ```sh block of the README.
type readmeCommand struct {
	line    int    // where it starts in README.md
	text    string // the command, continuation lines joined, comment cut
	comment string // the text after " # ", if any
}

// readmeCommands returns every command of the README's ```sh blocks.
func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeCommand
	inBlock, pending := false, readmeCommand{}
	for i, line := range strings.Split(string(readme), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			inBlock = true
			continue
		case strings.HasPrefix(line, "```"):
			inBlock = false
			continue
		case !inBlock || strings.TrimSpace(line) == "":
			continue
		}
		if pending.text == "" {
			pending.line = i + 1
		}
		code, comment, _ := strings.Cut(line, "   # ")
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if c, ok := strings.CutSuffix(strings.TrimSpace(code), "\\"); ok {
			pending.text += strings.TrimSpace(c) + " "
			continue
		}
		pending.text += strings.TrimSpace(code)
		pending.comment = strings.TrimSpace(comment)
		out = append(out, pending)
		pending = readmeCommand{}
	}
	return out
}

// TestREADMECommandsRun runs every command the README shows, as shown, in
// a fresh copy of the repository, and checks the exit status its comment
// states ("# APPROVED (exit 0)"). `go run ./cmd/csogate` runs from the
// repository's root, as the README says; a bare `csogate` runs in the
// bundled example product, examples/example-epr, the reader's stand-in
// for their own repository. Both run the binary built from this tree.
func TestREADMECommandsRun(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "csogate")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo := filepath.Join(dir, "repo")
	copyRepo(t, "../..", repo)

	exitMark := regexp.MustCompile(`\bexit (\d)\b`)
	seen := map[string]bool{}
	ran := 0
	for _, c := range readmeCommands(t) {
		if prefix, skipped := skippedPrefix(c.text); skipped {
			seen[prefix] = true
			continue
		}
		m := exitMark.FindStringSubmatch(c.comment)
		if m == nil {
			t.Errorf("README.md:%d: %q states no exit status (end it with \"   # exit N\") and is not among the commands skipped by name", c.line, c.text)
			continue
		}
		want, _ := strconv.Atoi(m[1])
		args := strings.Fields(c.text)
		var cmd *exec.Cmd
		switch {
		case len(args) > 3 && args[0] == "go" && args[1] == "run" && args[2] == "./cmd/csogate":
			cmd = exec.Command(bin, args[3:]...)
			cmd.Dir = repo
		case args[0] == "csogate":
			cmd = exec.Command(bin, args[1:]...)
			cmd.Dir = filepath.Join(repo, "examples", "example-epr")
		default:
			t.Errorf("README.md:%d: %q is not a csogate command; run it here or skip it by name with the reason", c.line, c.text)
			continue
		}
		if strings.ContainsAny(c.text, "$`|<>;&") {
			t.Errorf("README.md:%d: %q uses the shell; this test runs commands without one", c.line, c.text)
			continue
		}
		out, err := cmd.CombinedOutput()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("README.md:%d: %v", c.line, err)
		}
		ran++
		if code != want {
			t.Errorf("README.md:%d: %q exited %d; the README says %d\n%.3000s", c.line, c.text, code, want, out)
		}
		for _, word := range []string{"APPROVED", "BLOCKED", "NOT REQUIRED"} {
			if strings.Contains(c.comment, word) && !strings.Contains(string(out), word) {
				t.Errorf("README.md:%d: %q does not print %s, as the README says\n%.3000s", c.line, c.text, word, out)
			}
		}
	}
	for prefix := range readmeCommandsSkipped {
		if !seen[prefix] {
			t.Errorf("the README no longer shows %q: drop it from readmeCommandsSkipped", prefix)
		}
	}
	if ran < 4 {
		t.Errorf("ran %d of the README's commands", ran)
	}
}

// skippedPrefix finds the readmeCommandsSkipped entry command starts with.
func skippedPrefix(command string) (string, bool) {
	for prefix := range readmeCommandsSkipped {
		if strings.HasPrefix(command, prefix) {
			return prefix, true
		}
	}
	return "", false
}

// copyRepo copies the repository's tree, but .git, to dst.
func copyRepo(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.Name() == ".git" { // a directory, or a worktree's file
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
