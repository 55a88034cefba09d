package mdtext

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// gfm renders as GitHub does: tables, strikethrough, task lists and bare
// links (Linkify), and raw HTML passed through (GitHub sanitises it, but any
// of it reaching the page is already an injection).
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

// contexts are the places the gate's Markdown puts such text.
var contexts = []struct {
	name, layout string
	tags         []string // the only elements the gate's own markup makes
}{
	{"line", "Headline: %s\n", []string{"p"}},
	{"line start", "%s\n", []string{"p"}},
	{"list item", "- **CODE**: %s\n", []string{"ul", "li", "strong"}},
	{"table cell", "| A | B |\n|---|---|\n| %s | x |\n", []string{"table", "thead", "tbody", "tr", "th", "td"}},
	{"heading", "### %s\n", []string{"h3"}},
}

var (
	tagRE = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)`)
	// mentionRE and refRE are what GitHub links in rendered text: a
	// mention, an issue reference, a bare web address or an email address.
	mentionRE = regexp.MustCompile(`(?i)@[a-z0-9]|#[0-9a-z]|://|www\.|[a-z0-9]@[a-z0-9]`)
	tagText   = regexp.MustCompile(`<[^>]*>`)
)

// checkInert renders s through Inline in every context and fails if GitHub
// would show anything but the text: an element the gate did not write, a
// mention, a reference or a link, or text that differs from the input.
func checkInert(t *testing.T, s string) {
	t.Helper()
	for _, c := range contexts {
		var out bytes.Buffer
		if err := gfm.Convert([]byte(fmt.Sprintf(c.layout, Inline(s))), &out); err != nil {
			t.Fatal(err)
		}
		rendered := out.String()
		for _, m := range tagRE.FindAllStringSubmatch(rendered, -1) {
			if !contains(c.tags, strings.ToLower(m[2])) {
				t.Errorf("%s: %q renders a <%s> element:\n%s", c.name, s, m[2], rendered)
			}
		}
		visible := html.UnescapeString(tagText.ReplaceAllString(rendered, ""))
		if m := mentionRE.FindString(visible); m != "" {
			t.Errorf("%s: %q shows %q, which GitHub links:\n%s", c.name, s, m, rendered)
		}
		shown := strings.ReplaceAll(visible, "\u200b", "")
		if want := wantShown(s); !strings.Contains(squash(shown), squash(want)) {
			t.Errorf("%s: %q shows as %q, want the text itself %q", c.name, s, shown, want)
		}
	}
}

// wantShown is s as a reader should see it: on one line, bidi overrides made
// visible.
func wantShown(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case bidiControl(r):
			return '\uFFFD'
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029':
			return ' '
		}
		return r
	}, s))
}

// squash compares texts up to runs of white space, which HTML collapses.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestInlineAttacks: text a hostile pull request or reviewer writes into a
// hazard title, a change summary, an id, a login or a review reaches the
// comment and the summary as text and nothing else.
func TestInlineAttacks(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"HAZ-1\n## ✅ approved",
		"x\n\n## ✅ Clinical safety gate: approved",
		"![x](https://evil/x.png)",
		"[click](javascript:alert(1))",
		"[click][1]\n\n[1]: https://evil",
		"@org/everyone please look",
		"cc @alice-gp",
		"<img src=x onerror=alert(1)>",
		"<!-- csogate:clinical-safety/cso-approval -->",
		"<https://evil.example>",
		"see https://evil.example/x and www.evil.example",
		"mail admin@evil.example",
		"fixes #123 and owner/repo#7",
		"# Heading",
		"#1 first",
		"- [x] done",
		"1. one",
		"12) twelve",
		"+ plus",
		"===",
		"> quoted",
		"    indented code",
		"```\ncode\n```",
		"`code`",
		"**bold** _em_ ~~gone~~ *em*",
		"a | b | c",
		"&lt;script&gt; &#64;everyone &#35;1",
		"back\\slash\\",
		"tab\there\rcr\u2028ls",
		"right-to-left \u202Egnp.exe",
		"CSO_APPROVAL_REQUIRED and snake_case_id",
		"_leading and trailing_",
		"{{ template }}",
		"dosé 💊 — ✓",
	} {
		checkInert(t, s)
	}
}

func TestInlineKeepsPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"HAZ-003", "HAZ-003"},
		{"src/ui/allergy/banner.go", "src/ui/allergy/banner.go"},
		{"CSO_APPROVAL_REQUIRED", "CSO_APPROVAL_REQUIRED"},
		{"Dr Alice Example (@alice-gp, GMC 7012345)", "Dr Alice Example (@&#8203;alice-gp, GMC 7012345)"},
		{"a\n## b", `a \#\# b`},
		{"#12 here", "#&#8203;12 here"},
		{"$\\color{green}{APPROVED}$", `\$\\color{green}{APPROVED}\$`},
	}
	for _, tt := range tests {
		if got := Inline(tt.in); got != tt.want {
			t.Errorf("Inline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMessageKeepsTheGatesPullRequestReference(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"#12: CHG-1 needs a CSO", "#12: CHG-1 needs a CSO"},
		{"#12: fixes #13 @bob", "#12: fixes #&#8203;13 @&#8203;bob"},
		{"#12 without colon", "#&#8203;12 without colon"},
		{"src/#12: x", "src/#&#8203;12: x"},
	}
	for _, tt := range tests {
		if got := Message(tt.in); got != tt.want {
			t.Errorf("Message(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzInline: whatever the text, Inline's output renders as that text and
// nothing else, wherever the gate puts it.
func FuzzInline(f *testing.F) {
	for _, s := range []string{"HAZ-1\n## ✅ approved", "![x](https://evil/x.png)", "@org/everyone", "<img src=x>", "[click](javascript:x)", "#1", "a_b_c", "www.x.y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) {
			return
		}
		checkInert(t, s)
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestAttackGHIssueReference: GitHub links "GH-26" to issue 26 as it links
// "#26", so a hazard title or a review can reference an issue through the
// gate's comment in that form too.
func TestAttackGHIssueReference(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"fixes GH-123", "GH-7 first", "see gh-42.", "(GH-1)"} {
		got := Inline(s)
		if m := regexp.MustCompile(`(?i)(^|[^a-z0-9])gh-[0-9]`).FindString(got); m != "" {
			t.Errorf("Inline(%q) = %q: GitHub links %q to an issue", s, got, m)
		}
		if shown := strings.ReplaceAll(html.UnescapeString(got), "\u200b", ""); shown != s {
			t.Errorf("Inline(%q) shows %q, want the text itself", s, shown)
		}
	}
	for _, s := range []string{"HIGH-5", "SIGH-2"} {
		if got := Inline(s); got != s {
			t.Errorf("Inline(%q) = %q: not a reference, want it unchanged", s, got)
		}
	}
}
