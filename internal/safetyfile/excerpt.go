package safetyfile

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxExcerpt is how many characters of an input value a message may quote:
// enough to find the line, too few to carry a file's content (a link to
// /etc/passwd, a 10 KB line) into a log, a pull-request comment or JSON.
const maxExcerpt = 80

// maxMessage bounds a whole problem message, in bytes, whatever it quotes:
// a message is cut after the value that reaches it, never inside one.
const maxMessage = 600

// Excerpt quotes an input value for a message: Go-escaped (no newline,
// control character or invalid byte survives, so it cannot start a line
// of its own) and cut to maxExcerpt characters, saying how long it was.
func Excerpt(s string) string {
	cut, n := len(s), 0
	for i := range s {
		if n == maxExcerpt {
			cut = i
			break
		}
		n++
	}
	if cut == len(s) {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// Clean makes every message safe to print, in one place for every reader:
// quoted values ("...", as %q writes them) are quoted again, as excerpts of
// at most maxExcerpt characters; any other run of more than maxExcerpt
// characters without a space is cut; control characters and invalid bytes
// are escaped; a stray quote becomes an apostrophe (so every quote left
// opens or closes a short, escaped value); and the whole message is
// bounded. Readers quote input values with %q; Clean holds them to that
// even where a value reached a message some other way (a yaml.v3 error, an
// id printed with %s).
func (ps Problems) Clean() {
	for i := range ps {
		ps[i].Message = cleanMessage(ps[i].Message)
	}
}

func cleanMessage(msg string) string {
	var b strings.Builder
	word := 0 // characters since the last space
	for i := 0; i < len(msg); {
		if b.Len() >= maxMessage {
			b.WriteString("… (message shortened)")
			break
		}
		if msg[i] == '"' {
			if q, err := strconv.QuotedPrefix(msg[i:]); err == nil {
				i += len(q)
				if v, err := strconv.Unquote(q); err == nil {
					// Quoted again, so a raw byte the literal held is escaped.
					q = Excerpt(v)
				}
				b.WriteString(q)
				word = 0
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(msg[i:])
		switch {
		case r == '"':
			b.WriteByte('\'')
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, msg[i])
		case r == ' ':
			word = -1
			b.WriteRune(r)
		case unicode.IsControl(r):
			b.WriteString(strings.Trim(strconv.QuoteRune(r), "'"))
		case word == maxExcerpt:
			// Skip to the next space or quote, past this character at least.
			end := strings.IndexAny(msg[i+size:], " \"")
			if end < 0 {
				end = len(msg) - i - size
			}
			end += size
			fmt.Fprintf(&b, "… (%d bytes more)", end)
			i += end
			word = 0
			continue
		default:
			b.WriteRune(r)
		}
		word++
		i += size
	}
	return b.String()
}
