package changedfiles

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

// FuzzParse: whatever the bytes, Parse either reports problems or returns
// paths such that every line (or -z entry) of the input is exactly one of
// them, in order, written raw or as git quotes it: no byte of the list was
// dropped, guessed or misread. The oracle below splits and quotes the way
// git does, independently of Parse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"docs/a.md\n", "\"src/dose/dos\\303\\251.go\"\n", "\xEF\xBB\xBFdocs/a.md\n", "docs/a.md\r\n",
		"docs/a.md\x00src/x.go\x00", "src\\dose\\calc.go\n", "\"docs/a\\tb.md\"\n", "\"0\"", "\"\\0070\"", "\"\x18\\a\"",
		"\xFF\xFEa\x00\n\x00", " M src/x.go\n",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, list []byte, null bool) {
		paths, problems := Parse("list", list, null)
		if len(problems) > 0 {
			if paths != nil {
				t.Fatalf("list %q: problems %v and paths %q", list, problems, paths)
			}
			return
		}
		entries := listEntries(list, null)
		if len(entries) != len(paths) {
			t.Fatalf("list %q has %d entries %q, Parse read %d paths %q", list, len(entries), entries, len(paths), paths)
		}
		for i, e := range entries {
			if e != paths[i] && (null || (e != gitQuote(paths[i], true) && e != gitQuote(paths[i], false))) {
				t.Fatalf("list %q entry %q is neither the path %q nor git's quoting of it %q", list, e, paths[i], gitQuote(paths[i], true))
			}
		}
	})
}

// listEntries splits a list the simplest way that agrees with git's output:
// a leading byte-order mark dropped, CRLF as LF, blank lines skipped.
func listEntries(list []byte, null bool) []string {
	text := string(bytes.TrimPrefix(list, []byte("\xEF\xBB\xBF")))
	if bytes.HasPrefix(list, []byte{0xFF, 0xFE}) || bytes.HasPrefix(list, []byte{0xFE, 0xFF}) {
		units := make([]uint16, (len(list)-2)/2)
		for i := range units {
			lo, hi := list[2+2*i], list[3+2*i]
			if list[0] == 0xFE {
				lo, hi = hi, lo
			}
			units[i] = uint16(lo) | uint16(hi)<<8
		}
		text = string(utf16.Decode(units))
	}
	if null {
		if text == "" {
			return nil
		}
		return strings.Split(strings.TrimSuffix(text, "\x00"), "\x00")
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.Trim(strings.TrimSuffix(line, "\r"), " "); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// gitQuote is git's quote_c_style: a path with a control character, a
// quote, a backslash or (with core.quotePath, git's default) a byte above
// 0x7F is quoted.
func gitQuote(p string, quotePath bool) string {
	named := map[byte]string{'\a': `\a`, '\b': `\b`, '\t': `\t`, '\n': `\n`, '\v': `\v`, '\f': `\f`, '\r': `\r`, '"': `\"`, '\\': `\\`}
	var b strings.Builder
	quote := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case named[c] != "":
			b.WriteString(named[c])
			quote = true
		case c < 0x20 || c == 0x7f || (c > 0x7f && quotePath):
			fmt.Fprintf(&b, `\%03o`, c)
			quote = true
		default:
			b.WriteByte(c)
		}
	}
	if !quote {
		return p
	}
	return `"` + b.String() + `"`
}
