package safetyfile

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestMessagesQuoteOnlyAnExcerpt is the attack of a file whose bad value is
// a 10 KB line, or carries a forged approval line for the pull-request
// comment: the message quotes at most maxExcerpt characters of it, escaped,
// so it stays one line and cannot start a heading of its own. The gate and
// the hazard-log readers Clean every problem they return; the scenario
// input-excerpt-capped checks that wiring in every output format.
func TestMessagesQuoteOnlyAnExcerpt(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("A", 10_000)
	tests := []struct {
		name string
		yaml string
	}{
		{name: "10 KB date", yaml: "product: P\nreviewed: \"" + long + "\"\nhazards: []\n"},
		{name: "forged approval in a date", yaml: "product: P\nreviewed: \"x\\n## ✅ approved\\n" + long + "\"\nhazards: []\n"},
		{name: "10 KB unknown key", yaml: "product: P\n" + long + ": 1\nhazards: []\n"},
		{name: "10 KB single value", yaml: long + " \n"},
		{name: "10 KB id without quotes", yaml: "product: P\nhazards:\n  - id: HAZ-" + long + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, problems := LoadHazardLog("safety/hazard-log.yaml", []byte(tt.yaml), Options{})
			if len(problems) == 0 {
				t.Fatal("no problem reported")
			}
			problems.Clean()
			for _, p := range problems {
				if strings.Contains(p.Message, strings.Repeat("A", maxExcerpt+1)) {
					t.Errorf("message quotes more than %d characters: %.300s", maxExcerpt, p.Message)
				}
				if n := len(p.Message); n > maxMessage+4*maxExcerpt+40 {
					t.Errorf("message is %d characters long", n)
				}
				if strings.ContainsAny(p.Message, "\n\r") {
					t.Errorf("message spans lines: %q", p.Message)
				}
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"offten", `"offten"`},
		{"a\nb\x00", `"a\nb\x00"`},
		{strings.Repeat("é", 81), `"` + strings.Repeat("é", 80) + `"… (162 bytes)`},
		{"\xe9t\xe9", `"\xe9t\xe9"`},
	}
	for _, tt := range tests {
		if got := Excerpt(tt.in); got != tt.want {
			t.Errorf("Excerpt(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestBadBytesAreLocated checks that a Latin-1 byte or a NUL in a YAML file
// is reported at its line and column, not as yaml.v3's unplaced complaint.
func TestBadBytesAreLocated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		data       string
		line, col  int
		wantInText string
	}{
		{name: "latin-1 e acute", data: "product: P\nhazards:\n  - id: HAZ-1\n    title: Caf\xe9 menu\n", line: 4, col: 15, wantInText: "0xE9 is not UTF-8"},
		{name: "NUL", data: "product: P\nreviewed: 2026-01-01\x00\n", line: 2, col: 21, wantInText: "NUL"},
		{name: "bell", data: "product: \a\n", line: 1, col: 10, wantInText: "U+0007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, problems := LoadHazardLog("safety/hazard-log.yaml", []byte(tt.data), Options{})
			if len(problems) != 1 {
				t.Fatalf("problems = %v, want one", problems)
			}
			p := problems[0]
			if p.Line != tt.line || p.Column != tt.col || !strings.Contains(p.Message, tt.wantInText) {
				t.Errorf("got %s, want line %d column %d saying %q", p, tt.line, tt.col, tt.wantInText)
			}
		})
	}
}

// FuzzClean checks what Clean promises for any message: one line, no
// control character or invalid byte, every quoted value a Go literal of at
// most maxExcerpt characters, and a bounded length.
func FuzzClean(f *testing.F) {
	f.Add(`unknown key "` + strings.Repeat("k", 200) + `"; did you mean "title"?`)
	f.Add("reviewed \"x\\n## ✅ approved\" is not a date")
	f.Add("HAZ-" + strings.Repeat("A", 300) + " has no title\n## ✅ approved")
	f.Add("byte \xe9 and \x00 and \"unterminated " + strings.Repeat("z", 100))
	f.Add(`glob "src/[a" does not compile: missing closing bracket "]" (to match a literal "[" write \[)`)
	f.Fuzz(func(t *testing.T, msg string) {
		ps := Problems{{Message: msg}}
		ps.Clean()
		got := ps[0].Message
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 in %q", got)
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %q", r, got)
			}
		}
		// The value that reaches maxMessage is kept whole: at most
		// maxExcerpt escaped characters (\xNN each) and its length.
		if n := len(got); n > maxMessage+4*maxExcerpt+len(`""… (99999 bytes)… (message shortened)`) {
			t.Fatalf("%d bytes", n)
		}
		for i := 0; i < len(got); i++ {
			if got[i] != '"' {
				continue
			}
			q, err := strconv.QuotedPrefix(got[i:])
			if err != nil {
				t.Fatalf("a quote at %d opens no Go literal in %q", i, got)
			}
			if v, _ := strconv.Unquote(q); utf8.RuneCountInString(v) > maxExcerpt {
				t.Fatalf("quoted value of %d characters in %q", utf8.RuneCountInString(v), got)
			}
			i += len(q) - 1
		}
	})
}
