// Package changedfiles reads the list of changed files the CLI is given, as
// git writes it: `git diff --name-only` (one path per line, unusual names in
// git's C-quoted form) or `git diff -z` (NUL-separated, unquoted). A path the
// gate misreads matches no glob and lets a clinical change through as not
// required, so anything it cannot read exactly is a problem at its line,
// never a guess.
package changedfiles

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/safetyfile"
)

// maxProblems bounds the problems reported for one list: a binary file
// given by mistake would otherwise produce one per line.
const maxProblems = 10

// Parse reads the list in file name (for messages). With null the list is
// NUL-separated (`git diff -z`); otherwise one path per line. It accepts a
// UTF-8 byte-order mark, UTF-16 (little or big endian) with a byte-order
// mark, and CRLF line ends. It returns the paths in order, or the problems
// that stop the list being read exactly; an empty list is not a problem here
// (the caller decides whether an empty change set is plausible).
func Parse(name string, data []byte, null bool) ([]string, safetyfile.Problems) {
	r := &reader{name: name, null: null}
	text, ok := r.decode(data)
	if !ok {
		return nil, r.problems
	}
	var paths []string
	if null {
		paths = r.records(text)
	} else {
		paths = r.lines(text)
	}
	if len(r.problems) > 0 {
		if len(r.problems) > maxProblems {
			// The note stands where the first unlisted problem is, so it
			// sorts after the listed ones.
			more := len(r.problems) - maxProblems
			r.problems = append(r.problems[:maxProblems], safetyfile.Problem{Location: r.problems[maxProblems].Location,
				Code: safetyfile.CodeInputInvalid, Message: fmt.Sprintf("%d more problem(s) from here on are not listed; fix those above and run again", more)})
		}
		return nil, r.problems
	}
	return paths, nil
}

type reader struct {
	name     string
	null     bool
	problems safetyfile.Problems
}

func (r *reader) problem(loc safetyfile.Location, format string, args ...any) {
	loc.File = r.name
	r.problems = append(r.problems, safetyfile.Problem{Location: loc, Code: safetyfile.CodeInputInvalid, Message: fmt.Sprintf(format, args...)})
}

// at locates the n-th path (1-based): a line, or an entry of a -z list,
// which has no lines.
func (r *reader) at(n int) safetyfile.Location {
	if r.null {
		return safetyfile.Location{Cell: fmt.Sprintf("entry %d", n)}
	}
	return safetyfile.Location{Line: n}
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decode turns the bytes into text: UTF-8 without its byte-order mark, or
// UTF-16 with one (as PowerShell's redirection writes it).
func (r *reader) decode(data []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return string(data[len(bomUTF8):]), true
	case bytes.HasPrefix(data, bomUTF16LE):
		return r.decodeUTF16(data[2:], func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 })
	case bytes.HasPrefix(data, bomUTF16BE):
		return r.decodeUTF16(data[2:], func(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) })
	}
	return string(data), true
}

func (r *reader) decodeUTF16(data []byte, unit func([]byte) uint16) (string, bool) {
	if len(data)%2 != 0 {
		r.problem(safetyfile.Location{}, "the list starts with a UTF-16 byte-order mark but has an odd number of bytes, so it is cut short; write it again (git diff --name-only > FILE) or save it as UTF-8")
		return "", false
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = unit(data[2*i:])
	}
	// utf16.Decode turns a lone surrogate into U+FFFD silently; a path with
	// a character replaced would match nothing, so find them first.
	line := 1
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u == '\n':
			line++
		case utf16.IsSurrogate(rune(u)):
			if u < 0xDC00 && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] <= 0xDFFF {
				i++
				continue
			}
			r.problem(r.at(line), "the UTF-16 text has a broken character (a lone surrogate 0x%04X); write the list again or save it as UTF-8", u)
			return "", false
		}
	}
	return string(utf16.Decode(units)), true
}

// lines reads one path per line.
func (r *reader) lines(text string) []string {
	if looksUTF16(text) {
		r.problem(safetyfile.Location{}, "looks like UTF-16 text without a byte-order mark (every second byte is NUL); save the list as UTF-8, or as UTF-16 with a byte-order mark")
		return nil
	}
	var paths []string
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		n := i + 1
		line = strings.TrimSuffix(line, "\r")
		line = strings.Trim(line, " ")
		if line == "" {
			continue
		}
		if what := otherGitOutput(lines[i]); what != "" {
			r.problem(r.at(n), "%s looks like %s, not a path: give the list `git diff --name-only origin/main...HEAD` prints", excerpt(line), what)
			continue
		}
		if p, ok := r.line(n, line); ok {
			paths = append(paths, p)
		}
	}
	return paths
}

func (r *reader) line(n int, line string) (string, bool) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		r.problem(r.at(n), "has a NUL byte: this is `git diff -z` output (pass --null with it) or UTF-16 text without a byte-order mark (save the list as UTF-8, or as UTF-16 with a byte-order mark)")
		return "", false
	}
	if !utf8.ValidString(line) {
		r.problem(r.at(n), "is not UTF-8 text (%s); write the list as `git diff --name-only` prints it, which quotes such names", excerpt(line))
		return "", false
	}
	if c, ok := control(line); ok {
		r.problem(r.at(n), "has the control character %U in %s: git quotes names with control characters, so this is not what `git diff --name-only` prints; give the list exactly as git writes it (or use `git diff -z` with --null)", c, excerpt(line))
		return "", false
	}
	if strings.HasPrefix(line, `"`) {
		return r.quoted(n, line)
	}
	if strings.Contains(line, `\`) {
		r.problem(r.at(n), "has a backslash in %s: use forward slashes as git does (run `git diff --name-only`, or `git diff -z` with --null, rather than listing Windows paths)", excerpt(line))
		return "", false
	}
	return r.clean(n, line)
}

// quoted reads a path git wrote in its C-quoted form: "src/dos\303\251.go".
func (r *reader) quoted(n int, line string) (string, bool) {
	p, err := unquote(line)
	if err != nil {
		r.problem(r.at(n), "starts with a quote but is not a path as git quotes it (%v) in %s; give the list exactly as `git diff --name-only` prints it", err, excerpt(line))
		return "", false
	}
	if strings.IndexByte(p, 0) >= 0 {
		r.problem(r.at(n), "names a path with a NUL character in %s, which no git path has", excerpt(line))
		return "", false
	}
	if !utf8.ValidString(p) {
		r.problem(r.at(n), "names a path that is not UTF-8 (%s): the gate cannot compare it with the hazard log's globs; rename the file to a UTF-8 name", excerpt(line))
		return "", false
	}
	return r.clean(n, p)
}

// records reads a NUL-separated list: git writes each path raw, ending it
// with a NUL.
func (r *reader) records(text string) []string {
	if looksUTF16(text) {
		r.problem(safetyfile.Location{}, "looks like UTF-16 text without a byte-order mark (every second byte is NUL), not `git diff -z` output; save the list as UTF-8, or as UTF-16 with a byte-order mark")
		return nil
	}
	if text == "" {
		return nil
	}
	records := strings.Split(strings.TrimSuffix(text, "\x00"), "\x00")
	var paths []string
	for i, rec := range records {
		n := i + 1
		switch {
		case rec == "":
			r.problem(r.at(n), "is empty (two NULs in a row): `git diff -z` never writes that; give the list exactly as git writes it")
			continue
		case !utf8.ValidString(rec):
			r.problem(r.at(n), "is not UTF-8 text (%s): the gate cannot compare it with the hazard log's globs; rename the file to a UTF-8 name", excerpt(rec))
			continue
		}
		if c, ok := control(rec); ok {
			hint := "a path with control characters cannot be checked reliably; rename the file"
			if c == '\n' || c == '\r' {
				hint = "this looks like one path per line: drop --null, or produce the list with `git diff -z`"
			}
			r.problem(r.at(n), "has the control character %U in %s: %s", c, excerpt(rec), hint)
			continue
		}
		if strings.Contains(rec, `\`) {
			r.problem(r.at(n), "has a backslash in %s: use forward slashes as git does (`git diff -z` writes them)", excerpt(rec))
			continue
		}
		if p, ok := r.clean(n, rec); ok {
			paths = append(paths, p)
		}
	}
	return paths
}

// clean checks that p is a repository-relative path as git prints it: a
// path written "./src/x" or "/src/x" would match none of the hazard log's
// globs. A trailing slash (a directory) is allowed.
func (r *reader) clean(n int, p string) (string, bool) {
	bad := strings.HasPrefix(p, "/")
	for rest := strings.TrimSuffix(p, "/"); !bad; {
		part, more, found := strings.Cut(rest, "/")
		bad = part == "" || part == "." || part == ".."
		if !found {
			break
		}
		rest = more
	}
	if bad {
		r.problem(r.at(n), "%s is not a repository-relative path as git prints it (no leading /, ./ or ../, no empty, . or .. parts); write it relative to the repository root, as `git diff --name-only` does", excerpt(p))
		return "", false
	}
	return p, true
}

// otherGitOutput names the git command whose output line looks like this
// one. Piping the wrong command is an easy slip, and every line it prints
// ("M  src/dose/calc.go", "src/dose/calc.go | 3 ++") would be read as a
// path that matches no glob.
func otherGitOutput(line string) string {
	for _, o := range otherOutputs {
		// The cheap test first: a list has many lines and regular
		// expressions are slow.
		if strings.Contains(line, o.hint) && o.re.MatchString(line) {
			return o.what
		}
	}
	return ""
}

var otherOutputs = []struct {
	hint string
	re   *regexp.Regexp
	what string
}{
	{" ", regexp.MustCompile(`^[ MTADRCU?!]{2} \S`), "`git status --short` output"},
	{" |", regexp.MustCompile(` \| +(\d+|Bin )`), "`git diff --stat` output"},
	{" changed", regexp.MustCompile(`^ ?\d+ files? changed`), "`git diff --stat` output"},
	{" ", regexp.MustCompile(`^(diff --git |index [0-9a-f]+\.\.|--- a/|\+\+\+ b/|@@ )`), "a patch (`git diff` without --name-only)"},
}

// unquote undoes git's quote_c_style: the escapes \a \b \t \n \v \f \r \"
// \\ and three octal digits for any other byte.
func unquote(s string) (string, error) {
	if len(s) < 2 || !strings.HasSuffix(s, `"`) {
		return "", fmt.Errorf("no closing quote")
	}
	body := s[1 : len(s)-1]
	if !strings.Contains(body, `\`) {
		// Git quotes a name only when it must escape something in it; a
		// quoted name with no escape came from elsewhere, and its quotes may
		// be part of the name.
		return "", fmt.Errorf("nothing in it needs quoting, and git quotes a name only to escape something")
	}
	var out strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch c {
		case '"':
			return "", fmt.Errorf("an unescaped quote at character %d", i+2)
		case '\\':
		default:
			out.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) {
			return "", fmt.Errorf("a backslash at the end")
		}
		if e, ok := escapes[body[i]]; ok {
			out.WriteByte(e)
			continue
		}
		if i+3 > len(body) || !isOctal(body[i]) || !isOctal(body[i+1]) || !isOctal(body[i+2]) || body[i] > '3' {
			return "", fmt.Errorf("an unknown escape \\%s", excerptBytes(body[i:]))
		}
		b := (body[i]-'0')<<6 | (body[i+1]-'0')<<3 | (body[i+2] - '0')
		if b >= 0x20 && b < 0x7f || letterEscaped(b) {
			// Git writes these bytes as themselves or with their letter.
			return "", fmt.Errorf("\\%s, which git writes as %s", body[i:i+3], strconv.QuoteRune(rune(b)))
		}
		out.WriteByte(b)
		i += 2
	}
	return out.String(), nil
}

// escapes are git's one-letter escapes (quote.c, sq_lookup).
var escapes = map[byte]byte{'a': '\a', 'b': '\b', 't': '\t', 'n': '\n', 'v': '\v', 'f': '\f', 'r': '\r', '"': '"', '\\': '\\'}

func letterEscaped(b byte) bool {
	for _, e := range escapes {
		if e == b {
			return true
		}
	}
	return false
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// control returns the first control character in s, if any.
func control(s string) (rune, bool) {
	for _, c := range s {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) {
			return c, true
		}
	}
	return 0, false
}

// looksUTF16 reports whether text has NUL in every second byte, as ASCII in
// UTF-16 does; -z output with such a shape would be a list of one-letter names.
func looksUTF16(text string) bool {
	if len(text) < 4 {
		return false
	}
	even, odd := 0, 0
	for i := 0; i < len(text); i++ {
		if text[i] == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(text) / 2
	return even >= half || odd >= half
}

// excerpt quotes at most the first 80 characters of s, escaping anything
// unprintable, so a message shows exactly what was read.
func excerpt(s string) string {
	const max = 80
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

func excerptBytes(s string) string {
	if len(s) > 3 {
		s = s[:3]
	}
	return strings.Trim(strconv.Quote(s), `"`)
}

// MustParse is Parse for lists the program wrote itself (fixtures,
// benchmarks): one path per line, and a panic naming the problems when the
// list does not read cleanly, since that is a bug in the writer.
func MustParse(data []byte) []string {
	paths, problems := Parse("changed files", data, false)
	if len(problems) > 0 {
		panic("changedfiles.MustParse: " + problems[0].String())
	}
	return paths
}
