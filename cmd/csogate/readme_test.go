package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMEShowsRealOutput keeps the README's "Why is my build blocked?"
// honest: its text excerpt and its rendered summary must be what the gate
// prints for the command the README shows above them (the bundled example
// with the stale approval), which must fix the day with --today: the output
// counts days ("55 days ago") and checks registrations against the day.
func TestREADMEShowsRealOutput(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, c := range readmeCommands(t) {
		if strings.Contains(c.text, "reviews-stale.json") && strings.Contains(c.comment, "BLOCKED") {
			shown = strings.Fields(c.text)
		}
	}
	if len(shown) < 4 || shown[2] != "./cmd/csogate" || !slices.Contains(shown, "--today") {
		t.Fatalf("README shows no `go run ./cmd/csogate ... --reviews reviews-stale.json --today DAY   # BLOCKED` command: %q", shown)
	}
	gate := func(format string) string {
		args := append(slices.Clone(shown[3:]), "--format", format)
		if i := slices.Index(args, "-C"); i >= 0 {
			args[i+1] = filepath.Join("../..", args[i+1]) // the README runs from the repository's root
		}
		var stdout, stderr bytes.Buffer
		run(context.Background(), args, os.Getenv, strings.NewReader(""), &stdout, &stderr)
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

// TestREADMEListsEveryFlag: the synopsis of the README's Command line
// section, and of docs/reference.md's, names every subcommand the usage lists and, on that subcommand's
// own lines, every flag its -h prints, so none is added without its
// documentation. Both lists come from the program itself.
func TestREADMEListsEveryFlag(t *testing.T) {
	t.Parallel()
	commands := usageCommands()
	if len(commands) < 8 {
		t.Fatalf("the usage lists %d commands: %v", len(commands), commands)
	}
	for _, doc := range []struct{ file, heading string }{
		{"../../README.md", "## Command line"},
		{"../../docs/reference.md", "## 7. The command line"},
	} {
		synopsis := readmeSynopsis(t, doc.file, doc.heading)
		for _, cmd := range commands {
			lines, ok := synopsis[cmd]
			if !ok {
				t.Errorf("csogate %s is not in the synopsis of %s, %s", cmd, doc.file, doc.heading)
				continue
			}
			var stdout, stderr bytes.Buffer
			run(context.Background(), []string{cmd, "-h"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
			for _, name := range helpFlags(stdout.String() + stderr.String()) {
				if !regexp.MustCompile(`--` + regexp.QuoteMeta(name) + `\b`).MatchString(lines) {
					t.Errorf("csogate %s --%s is not on its lines of the synopsis of %s:\n%s", cmd, name, doc.file, lines)
				}
			}
		}
	}
	// A flag every command has a flag set for: the test reads them.
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"check", "-h"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
	if n := len(helpFlags(stderr.String())); n < 15 {
		t.Fatalf("csogate check -h listed %d flags:\n%s", n, stderr.String())
	}
}

// usageCommands are the subcommands the usage text lists, in its order.
func usageCommands() []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^  csogate (?:\[-C DIR\] )?([a-z]+)`).FindAllStringSubmatch(usage, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// helpFlags are the flags a -h output names: the flag package's "  -name"
// lines or, for a command with a usage text of its own (schema), each
// "--name" in it.
func helpFlags(help string) []string {
	var out []string
	matches := regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`).FindAllStringSubmatch(help, -1)
	if len(matches) == 0 {
		matches = regexp.MustCompile(`--([a-z][a-z-]*)`).FindAllStringSubmatch(help, -1)
	}
	for _, m := range matches {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// readmeSynopsis maps each subcommand to its lines (continuations
// included) in the first fenced block of the section of file under heading.
func readmeSynopsis(t *testing.T, file, heading string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no section %q", file, heading)
	}
	_, block, ok := strings.Cut(section, "```\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok || block == "" {
		t.Fatalf("%s, %s, has no fenced synopsis", file, heading)
	}
	out := map[string]string{}
	cmd := ""
	start := regexp.MustCompile(`^csogate (?:\[-C DIR\] )?([a-z]+)`)
	for _, line := range strings.Split(block, "\n") {
		if m := start.FindStringSubmatch(line); m != nil {
			cmd = m[1]
		}
		if cmd != "" {
			out[cmd] += line + "\n"
		}
	}
	return out
}

// TestExamplesPointAtTheReference: the bundled example's safety files, which
// people copy, name the repository's own reference for their format, not a
// document a reader of the repository does not have.
func TestExamplesPointAtTheReference(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../examples/example-epr/safety/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("example safety files: %v %v", files, err)
	}
	reference, err := os.ReadFile("../../docs/reference.md")
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile(`docs/reference\.md, section (\d+(?:\.\d+)*)`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(bytes.ToLower(data), []byte("contract")) {
			t.Errorf("%s mentions a contract; point at docs/reference.md", f)
		}
		m := section.FindSubmatch(data)
		if m == nil {
			t.Errorf("%s does not point at docs/reference.md, section N", f)
			continue
		}
		// The section's heading names the file's default path, so a
		// renumbering that leaves a pointer at another file's section fails.
		heading := regexp.MustCompile(`\n### ` + regexp.QuoteMeta(string(m[1])) + ` [^\n]*`).Find(reference)
		if heading == nil {
			t.Errorf("%s points at section %s, which docs/reference.md does not have", f, m[1])
		} else if want := "safety/" + filepath.Base(f); !bytes.Contains(heading, []byte(want)) {
			t.Errorf("%s points at section %s, whose heading %q is not about %s", f, m[1], bytes.TrimSpace(heading), want)
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

// TestReplayFormatsDocumented: the synopsis of check --replay, in the README
// and in docs/reference.md, names every format a replay writes, the safety
// case addendum's included.
func TestReplayFormatsDocumented(t *testing.T) {
	t.Parallel()
	const synopsis = "check --replay DIR [--format text|json|markdown|safety-case|safety-case-html]"
	for _, file := range []string{"../../README.md", "../../docs/reference.md"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), synopsis) {
			t.Errorf("%s does not show %q", file, synopsis)
		}
	}
	for _, format := range []string{"text", "json", "markdown", "safety-case", "safety-case-html"} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"check", "--replay", t.TempDir(), "--format", format}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
		if strings.Contains(stderr.String(), "is not known") {
			t.Errorf("--format %s is documented but refused (exit %d): %s", format, code, stderr.String())
		}
	}
}
