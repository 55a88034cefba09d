package changedfiles

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16LE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func utf16BE(s string) []byte {
	out := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
		null bool
		want []string
		// wantProblem is part of the one problem expected (and its location).
		wantProblem, wantAt string
	}{
		{name: "plain lines", data: []byte("src/a.go\ndocs/b.md\n"), want: []string{"src/a.go", "docs/b.md"}},
		{name: "no final newline", data: []byte("src/a.go"), want: []string{"src/a.go"}},
		{name: "empty", data: nil, want: nil},
		{name: "blank lines and spaces", data: []byte("\n  src/a.go  \n\n"), want: []string{"src/a.go"}},
		{name: "C-quoted non-ASCII clinical path", data: []byte(`"src/dose/dos\303\251.go"` + "\n"), want: []string{"src/dose/dosé.go"}},
		{name: "every git escape", data: []byte(`"a\a\b\t\n\v\f\r\"\\\001\177\303\251.go"`), want: []string{"a\a\b\t\n\v\f\r\"\\\x01\x7fé.go"}},
		{name: "octal for a printable byte", data: []byte(`"src/\101.go"`), wantProblem: `\101, which git writes as 'A'`, wantAt: "list:1"},
		{name: "octal for a lettered byte", data: []byte(`"src/\007.go"`), wantProblem: `\007, which git writes as '\a'`, wantAt: "list:1"},
		{name: "raw UTF-8 (core.quotePath=false)", data: []byte("src/dose/dosé.go\n"), want: []string{"src/dose/dosé.go"}},
		{name: "quoted raw UTF-8 (core.quotePath=false)", data: []byte(`"src/dose/dosé\tx.go"`), want: []string{"src/dose/dosé\tx.go"}},
		{name: "UTF-8 byte-order mark", data: []byte("\xEF\xBB\xBFsrc/dose/calc.go\n"), want: []string{"src/dose/calc.go"}},
		{name: "UTF-16LE with BOM", data: utf16LE("src/dose/calc.go\r\nsrc/dose/dosé.go\r\n", true), want: []string{"src/dose/calc.go", "src/dose/dosé.go"}},
		{name: "UTF-16BE with BOM", data: utf16BE("src/dose/calc.go\n"), want: []string{"src/dose/calc.go"}},
		{name: "UTF-16 astral character", data: utf16LE("src/dose/💊.go\n", true), want: []string{"src/dose/💊.go"}},
		{name: "CRLF", data: []byte("docs/a.md\r\nsrc/dose/calc.go\r\n"), want: []string{"docs/a.md", "src/dose/calc.go"}},
		{name: "-z with --null", data: []byte("docs/a.md\x00src/dose/dosé.go\x00"), null: true, want: []string{"docs/a.md", "src/dose/dosé.go"}},
		{name: "-z without final NUL", data: []byte("docs/a.md\x00src/x.go"), null: true, want: []string{"docs/a.md", "src/x.go"}},
		{name: "-z UTF-16 with BOM", data: utf16LE("src/x.go\x00docs/a.md\x00", true), null: true, want: []string{"src/x.go", "docs/a.md"}},
		{name: "directory with trailing slash", data: []byte("vendor/lib/\n"), want: []string{"vendor/lib/"}},

		{name: "backslash path", data: []byte("docs/a.md\nsrc\\dose\\calc.go\n"), wantProblem: "use forward slashes", wantAt: "list:2"},
		{name: "-z backslash path", data: []byte("src\\dose\\calc.go\x00"), null: true, wantProblem: "use forward slashes", wantAt: "list: entry 1"},
		{name: "NUL byte in lines", data: []byte("docs/a.md\nsrc/x.go\x00docs/b.md\x00"), wantProblem: "pass --null", wantAt: "list:2"},
		{name: "UTF-16LE without BOM", data: utf16LE("src/dose/calc.go\n", false), wantProblem: "UTF-16 text without a byte-order mark", wantAt: "list"},
		{name: "UTF-16LE without BOM with --null", data: utf16LE("src/dose/calc.go\n", false), null: true, wantProblem: "UTF-16 text without a byte-order mark", wantAt: "list"},
		{name: "UTF-16BE without BOM with --null", data: []byte("\x00s\x00r\x00c"), null: true, wantProblem: "UTF-16 text without a byte-order mark", wantAt: "list"},
		{name: "tab", data: []byte("src/x.go\tM\n"), wantProblem: "control character U+0009", wantAt: "list:1"},
		{name: "raw control character inside quotes", data: []byte("\"src/\x18\\a.go\"\n"), wantProblem: "control character U+0018", wantAt: "list:1"},
		{name: "escape character", data: []byte("src/\x1b[2Kx.go\n"), wantProblem: "control character U+001B", wantAt: "list:1"},
		{name: "lone CR (old Mac line ends)", data: []byte("docs/a.md\rsrc/dose/calc.go\r"), wantProblem: "control character U+000D", wantAt: "list:1"},
		{name: "lines given with --null", data: []byte("docs/a.md\nsrc/dose/calc.go\n"), null: true, wantProblem: "drop --null", wantAt: "list: entry 1"},
		{name: "-z empty entry", data: []byte("a.go\x00\x00b.go\x00"), null: true, wantProblem: "two NULs in a row", wantAt: "list: entry 2"},
		{name: "not UTF-8", data: []byte("src/dose/dos\xe9.go\n"), wantProblem: "not UTF-8", wantAt: "list:1"},
		{name: "quoted Latin-1", data: []byte(`"src/dose/dos\351.go"`), wantProblem: "not UTF-8", wantAt: "list:1"},
		{name: "quoted NUL", data: []byte(`"src/\000.go"`), wantProblem: "NUL character", wantAt: "list:1"},
		{name: "unknown escape", data: []byte(`"src/\q.go"`), wantProblem: `unknown escape \q`, wantAt: "list:1"},
		{name: "short octal", data: []byte(`"src/\30.go"`), wantProblem: "unknown escape", wantAt: "list:1"},
		{name: "octal above a byte", data: []byte(`"src/\400.go"`), wantProblem: "unknown escape", wantAt: "list:1"},
		{name: "no closing quote", data: []byte(`"src/\tx.go`), wantProblem: "no closing quote", wantAt: "list:1"},
		{name: "quote inside", data: []byte(`"src/"x\t.go"`), wantProblem: "unescaped quote", wantAt: "list:1"},
		{name: "backslash at end", data: []byte(`"src/x.go\"`), wantProblem: "a backslash at the end", wantAt: "list:1"},
		{name: "quoted with nothing to escape", data: []byte(`"src/x.go"`), wantProblem: "nothing in it needs quoting", wantAt: "list:1"},
		{name: "lone quote", data: []byte(`"`), wantProblem: "no closing quote", wantAt: "list:1"},
		{name: "git status --short", data: []byte(" M src/dose/calc.go\n"), wantProblem: "looks like `git status --short` output", wantAt: "list:1"},
		{name: "git status untracked", data: []byte("?? src/dose/new.go\n"), wantProblem: "git status --short", wantAt: "list:1"},
		{name: "git diff --stat", data: []byte(" src/dose/calc.go | 3 ++-\n"), wantProblem: "git diff --stat", wantAt: "list:1"},
		{name: "git diff --stat summary", data: []byte(" 1 file changed, 2 insertions(+)\n"), wantProblem: "git diff --stat", wantAt: "list:1"},
		{name: "a patch", data: []byte("diff --git a/src/x.go b/src/x.go\n"), wantProblem: "a patch", wantAt: "list:1"},
		{name: "file name with spaces", data: []byte("docs/Release notes 2.4.md\n"), want: []string{"docs/Release notes 2.4.md"}},
		{name: "leading ./", data: []byte("./src/dose/calc.go\n"), wantProblem: "not a repository-relative path", wantAt: "list:1"},
		{name: "absolute", data: []byte("/src/dose/calc.go\n"), wantProblem: "not a repository-relative path", wantAt: "list:1"},
		{name: "dot dot", data: []byte("src/../dose/calc.go\n"), wantProblem: "not a repository-relative path", wantAt: "list:1"},
		{name: "double slash", data: []byte("src//dose/calc.go\n"), wantProblem: "not a repository-relative path", wantAt: "list:1"},
		{name: "UTF-16 odd length", data: append(utf16LE("a.go", true), 'x'), wantProblem: "odd number of bytes", wantAt: "list"},
		{name: "UTF-16 lone surrogate", data: []byte{0xFF, 0xFE, 'a', 0, '\n', 0, 0x00, 0xD8, 'b', 0}, wantProblem: "lone surrogate", wantAt: "list:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, problems := Parse("list", tt.data, tt.null)
			if tt.wantProblem == "" {
				if len(problems) > 0 {
					t.Fatalf("problems: %v", problems)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("paths = %q, want %q", got, tt.want)
				}
				return
			}
			if got != nil {
				t.Errorf("paths = %q, want none: a list with a problem must not be half read", got)
			}
			if len(problems) != 1 {
				t.Fatalf("problems = %v, want one containing %q", problems, tt.wantProblem)
			}
			p := problems[0]
			if !strings.Contains(p.Message, tt.wantProblem) || p.Location.String() != tt.wantAt || p.Code != "INPUT_INVALID" {
				t.Errorf("problem = %s [%s], want %q at %s", p, p.Code, tt.wantProblem, tt.wantAt)
			}
		})
	}
}

func TestParseCapsProblems(t *testing.T) {
	t.Parallel()
	_, problems := Parse("list", []byte(strings.Repeat("a\\b\n", 50)), false)
	if len(problems) != maxProblems+1 || !strings.Contains(problems[maxProblems].Message, "40 more problem(s) from here on") ||
		problems[maxProblems].Line != maxProblems+1 {
		t.Errorf("problems = %d, last %v", len(problems), problems[len(problems)-1])
	}
}

// BenchmarkParse reads a list of 100,000 paths, one in ten C-quoted.
func BenchmarkParse(b *testing.B) {
	var list strings.Builder
	for i := range 100_000 {
		if i%10 == 0 {
			fmt.Fprintf(&list, "\"src/module%d/dos\\303\\251_%d.go\"\n", i%97, i)
		} else {
			fmt.Fprintf(&list, "src/module%d/file_%d.go\n", i%97, i)
		}
	}
	data := []byte(list.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, problems := Parse("list", data, false); len(problems) > 0 {
			b.Fatal(problems)
		}
	}
}
