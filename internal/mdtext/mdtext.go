// Package mdtext writes text that comes from a file or from GitHub (hazard
// titles, change summaries, ids, logins, reasons, messages) into the gate's
// GitHub-flavoured Markdown as literal text, so that no input can speak in
// the gate's voice: it cannot start a heading or a list, add an image, a
// link or HTML, mention a person or team, or reference an issue.
//
// Markdown syntax (and GitHub's $math$) is backslash-escaped where it would
// take effect, which renders as the character itself; "<", ">" and "&" become
// entities. GitHub's mentions (@org/team), issue references (#123, GH-123)
// and bare links (https://…, www.…) are not Markdown syntax: GitHub finds
// them in the rendered text, where a backslash no longer is. Those get a
// zero-width space (&#8203;) after the "@", the "#", the "GH-" or the "www"
// and inside "://", the way Dependabot and Renovate quote logins: the text
// reads the same and links and notifies nothing.
package mdtext

import (
	"strings"
	"unicode"
)

// zeroWidthSpace separates what GitHub would otherwise link.
const zeroWidthSpace = "&#8203;"

// Inline returns s as literal text on one Markdown line, safe in running
// text, a heading, a list item or a table cell. Line breaks and other
// control characters become spaces, so s cannot start a block of its own.
func Inline(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\u2028' || r == '\u2029' || r == '\u0085' || unicode.IsControl(r):
			return ' '
		case bidiControl(r):
			// Right-to-left overrides reorder what the reader sees.
			return '\uFFFD'
		}
		return r
	}, s))
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range rs {
		prev, next := at(rs, i-1), at(rs, i+1)
		switch r {
		case '\\', '`', '*', '~', '|', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '_':
			// An underscore inside a word never emphasises (CSO_APPROVAL_REQUIRED).
			if isWord(prev) && isWord(next) {
				b.WriteRune(r)
			} else {
				b.WriteString(`\_`)
			}
		case '[':
			// A link needs "](" or a reference definition, which starts a
			// line; "[" mid-text links nothing without one ("[opened, closed]").
			if i == 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case ']':
			if next == '(' || next == '[' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '!':
			// "![" begins an image; "[" is escaped anyway, "!" only for clarity.
			if next == '[' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@':
			b.WriteString("@" + zeroWidthSpace)
		case '#':
			if isWord(next) {
				b.WriteString("#" + zeroWidthSpace)
			} else {
				b.WriteString(`\#`)
			}
		case ':':
			b.WriteRune(r)
			if next == '/' && at(rs, i+2) == '/' {
				b.WriteString(zeroWidthSpace)
			}
		case 'w', 'W':
			b.WriteRune(r)
			if i >= 2 && next == '.' && strings.EqualFold(string(rs[i-2:i+1]), "www") {
				b.WriteString(zeroWidthSpace)
			}
		case '-', '+', '=':
			// At the start of a line "- ", "+ ", "--" or "==" begin a list,
			// a rule or a heading's underline.
			if i == 0 && (next == 0 || next == ' ' || next == r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
			// "GH-26" is an issue reference, as "#26" is.
			if r == '-' && i >= 2 && strings.EqualFold(string(rs[i-2:i]), "gh") && !isWord(at(rs, i-3)) && next >= '0' && next <= '9' {
				b.WriteString(zeroWidthSpace)
			}
		case '.', ')':
			// "1. " or "1) " at the start of a line begins a numbered list.
			if isDigits(rs[:i]) && (next == 0 || next == ' ') {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Message is Inline for a finding's message, except that the "#N: " with
// which the gate names the pull request a release finding came from stays a
// reference GitHub links.
func Message(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "#"); ok {
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n > 0 && strings.HasPrefix(rest[n:], ": ") {
			return "#" + rest[:n] + ": " + Inline(rest[n+2:])
		}
	}
	return Inline(s)
}

func at(rs []rune, i int) rune {
	if i < 0 || i >= len(rs) {
		return 0
	}
	return rs[i]
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigits(rs []rune) bool {
	if len(rs) == 0 || len(rs) > 9 {
		return false
	}
	for _, r := range rs {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func bidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// Code returns s as a code span for a table cell: GitHub links nothing and
// renders no markup in code, the span stays on one line, and a "|" cannot
// end the cell. Backticks, which would end the span, are dropped: Code is
// for logins and file names, where GitHub and git allow none or few.
func Code(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '`':
			return -1
		case r == '\u2028' || r == '\u2029' || unicode.IsControl(r):
			return ' '
		case bidiControl(r):
			return '\uFFFD'
		}
		return r
	}, s))
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}
