package globset

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// maxAlternatives bounds brace expansion. A pattern whose braces expand to
// more alternatives than this is not expanded; it goes to the fallback list
// and is tried on every path.
const maxAlternatives = 64

// metaChars are the bytes that make a pattern segment non-literal. '}' is
// included defensively: doublestar would treat a stray one as a literal, but
// a valid pattern never has one outside braces, classes or escapes.
const metaChars = "*?[{}\\"

const syntaxHint = `write doublestar syntax like "src/**/*.go"`

// trimDotSlash removes every leading "./" (so "././a" becomes "a").
func trimDotSlash(s string) string {
	for strings.HasPrefix(s, "./") {
		s = s[2:]
	}
	return s
}

// normalise applies the documented rewrites to a pattern that has already
// passed validation: leading "./" is dropped and a trailing "/" means
// "everything below", i.e. "src/x/" becomes "src/x/**".
func normalise(p string) string {
	p = trimDotSlash(p)
	if strings.HasSuffix(p, "/") {
		p += "**"
	}
	return p
}

// normalisePath applies the path rewrite Match uses: leading "./" is dropped.
func normalisePath(p string) string { return trimDotSlash(p) }

// maxCheckedAlternatives bounds the expansion that checks a pattern whose
// braces are not expanded for matching: every alternative is still checked
// for ".." and "/" and split for the tree index, and a pattern with more
// alternatives than this is refused (it could hide a ".." no one checked).
const maxCheckedAlternatives = 4096

// compiled is the result of checking one pattern.
type compiled struct {
	norm string // normalised pattern handed to doublestar.Match
	// alts are the brace-free alternatives. When expanded is false they are
	// only for checking and the tree index (a run of stars a brace follows
	// is kept as one star, as doublestar reads it); matching uses norm.
	alts []string
	// expanded is false when the pattern has braces that were not expanded
	// for matching (too many alternatives, or a brace directly after '*').
	expanded bool
}

// check validates p and prepares it for indexing. The returned message is
// empty when p is valid.
func check(p string) (compiled, string) {
	if p == "" {
		return compiled{}, `glob is empty; write a repository path or doublestar glob like "src/**/*.go"`
	}
	q := trimDotSlash(p)
	if q == "" || q == "." {
		return compiled{}, fmt.Sprintf(`glob %q names the repository root, not files; write "**" to match every file`, p)
	}
	if strings.HasPrefix(q, "/") {
		rel := strings.TrimLeft(q, "/")
		if rel == "" {
			rel = "**"
		}
		return compiled{}, fmt.Sprintf(`glob %q is absolute; globs are relative to the repository root, write %q`, p, rel)
	}
	if !doublestar.ValidatePattern(q) {
		problem := syntaxProblem(q)
		if problem == "" {
			problem = "doublestar rejects it"
		}
		return compiled{}, fmt.Sprintf("glob %q does not compile: %s; %s", p, problem, syntaxHint)
	}
	if hasDotDotSegment(q) {
		return compiled{}, fmt.Sprintf(`glob %q has a ".." segment; globs cannot leave the repository root, write the path from the root like "src/**"`, p)
	}
	c := compiled{norm: normalise(q), expanded: true}
	if strings.IndexByte(c.norm, '{') < 0 {
		c.alts = []string{c.norm}
		return c, ""
	}
	alts, ok := expandBraces(c.norm)
	if !ok {
		c.expanded = false
		if alts, ok = expandForTree(c.norm); !ok {
			return compiled{}, fmt.Sprintf(`glob %q has braces that expand to more than %d alternatives; split it into several globs`, p, maxCheckedAlternatives)
		}
	}
	for _, a := range alts {
		if strings.HasPrefix(a, "/") {
			return compiled{}, fmt.Sprintf(`glob %q has the absolute alternative %q; globs are relative to the repository root`, p, a)
		}
		if hasDotDotSegment(a) {
			return compiled{}, fmt.Sprintf(`glob %q has the alternative %q with a ".." segment; globs cannot leave the repository root`, p, a)
		}
	}
	c.alts = alts
	return c, ""
}

// hasDotDotSegment reports whether a "/"-separated segment of p is ".."
// once escapes are removed (doublestar matches `\.\.` as "..").
func hasDotDotSegment(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if unescape(seg) == ".." {
			return true
		}
	}
	return false
}

// unescape drops each backslash and keeps the byte after it.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			if i >= len(s) {
				break
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// syntaxProblem explains why doublestar.ValidatePattern rejects s. It walks
// the pattern the same way doublestar's validator does and returns "" when
// it finds nothing wrong.
func syntaxProblem(s string) string {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return `it ends with a lone backslash (a backslash escapes the next character; paths use "/" as separator)`
			}
			i++
		case '[':
			start := i
			i++
			if i < len(s) && (s[i] == '^' || s[i] == '!') {
				i++
			}
			if i >= len(s) {
				return `missing closing bracket "]" (to match a literal "[" write \[)`
			}
			if s[i] == ']' {
				return fmt.Sprintf(`empty character class %q (to match a literal "[" write \[)`, s[start:i+1])
			}
			closed := false
			for ; i < len(s); i++ {
				if s[i] == '\\' {
					i++
				} else if s[i] == ']' {
					closed = true
					break
				}
			}
			if !closed {
				return `missing closing bracket "]" (to match a literal "[" write \[)`
			}
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return `unmatched closing brace "}" (to match a literal "}" write \})`
			}
			depth--
		}
	}
	if depth > 0 {
		return `missing closing brace "}" for "{" (alternatives look like "{a,b}")`
	}
	return ""
}

// expandBraces expands every brace group of the valid pattern p into
// brace-free alternatives, exactly the way doublestar substitutes them while
// matching: the first brace outside character classes and escapes is found,
// its body is split on top-level commas, and each alternative is spliced in
// place of the whole group before expanding the result again. Nested groups
// are handled by that recursion. It returns false when there would be more
// than maxAlternatives alternatives, and when a brace directly follows '*':
// doublestar decides whether "**" is a doublestar by looking at the byte
// after it, so splicing an alternative there could change that decision.
func expandBraces(p string) ([]string, bool) {
	var out []string
	if !expandInto(p, &out) {
		return nil, false
	}
	return out, true
}

// expandForTree expands p without refusing a brace after '*', up to
// maxCheckedAlternatives alternatives. Where a brace follows '*', doublestar
// treats the stars before it as one single-segment star whatever the
// alternative starts with, so the run of stars around the splice is written
// as one star: "a/**{/x,y}" gives "a/*/x" and "a/*y".
func expandForTree(p string) ([]string, bool) {
	var out []string
	if !expandIntoLimit(p, &out, maxCheckedAlternatives, true) {
		return nil, false
	}
	return out, true
}

func expandInto(p string, out *[]string) bool {
	return expandIntoLimit(p, out, maxAlternatives, false)
}

func expandIntoLimit(p string, out *[]string, limit int, afterStar bool) bool {
	open := indexTopLevelBrace(p)
	if open < 0 {
		if len(*out) >= limit {
			return false
		}
		*out = append(*out, p)
		return true
	}
	starBefore := open > 0 && p[open-1] == '*'
	if starBefore && !afterStar {
		return false
	}
	closeRel := indexMatchedClosingBrace(p[open+1:])
	if closeRel < 0 {
		return false
	}
	end := open + 1 + closeRel
	head, body, tail := p[:open], p[open+1:end], p[end+1:]
	for {
		comma := indexNextAlternative(body)
		alt := body
		if comma >= 0 {
			alt = body[:comma]
		}
		spliced := head + alt + tail
		if starBefore {
			spliced = oneStarAt(head, alt, tail)
		}
		if !expandIntoLimit(spliced, out, limit, afterStar) {
			return false
		}
		if comma < 0 {
			return true
		}
		body = body[comma+1:]
	}
}

// oneStarAt splices alt between head (ending in '*') and tail, writing the
// run of stars around the splice as one star. A run that starts with an
// escaped star keeps that literal star before the single wildcard one.
func oneStarAt(head, alt, tail string) string {
	h := strings.TrimRight(head, "*")
	if escapes := len(h) - len(strings.TrimRight(h, `\`)); escapes%2 == 1 {
		h += "*" // the first star of the run is escaped: a literal
		if len(head) == len(h) {
			return head + alt + tail // no wildcard star before the brace
		}
	}
	rest := strings.TrimLeft(alt, "*")
	if rest == "" {
		rest = strings.TrimLeft(tail, "*")
	} else {
		rest += tail
	}
	return h + "*" + rest
}

// skipClass returns the index of the ']' closing the class whose '[' is at
// s[i], or len(s) when there is none. Escapes inside the class are skipped.
func skipClass(s string, i int) int {
	for i++; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if s[i] == ']' {
			return i
		}
	}
	return len(s)
}

// indexTopLevelBrace returns the index of the first '{' that is neither
// escaped nor inside a character class, or -1.
func indexTopLevelBrace(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			i = skipClass(s, i)
		case '{':
			return i
		}
	}
	return -1
}

// indexMatchedClosingBrace returns the index in s of the '}' that closes a
// '{' standing just before s, or -1. It mirrors doublestar's own scan.
func indexMatchedClosingBrace(s string) int {
	depth := 1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			i = skipClass(s, i)
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// indexNextAlternative returns the index of the first comma of s that is not
// nested in braces, escaped or in a class, or -1. s is a brace body.
func indexNextAlternative(s string) int {
	depth := 1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			i = skipClass(s, i)
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 1 {
				return i
			}
		}
	}
	return -1
}

// kind says which index a brace-free alternative goes to.
type kind int

const (
	kindLiteral  kind = iota // key: the exact path
	kindPrefix               // key: literal directory prefix
	kindExt                  // key: extension of the base name, from its last '.'
	kindBase                 // key: base name
	kindSegment              // key: a segment anywhere in the path
	kindPosition             // key: the segment at a fixed position
)

// indexKey says where one alternative is filed. depth is only used by
// kindPosition: the 0-based segment number key must appear at.
type indexKey struct {
	kind  kind
	key   string
	depth int
}

func isLiteral(s string) bool { return !strings.ContainsAny(s, metaChars) }

// isOneSegmentWildcard reports whether pattern segment seg always matches
// exactly one path segment: it has only literal bytes, '*' and '?', which
// never match '/', and is not "**", which can span directories. Classes
// are excluded because doublestar lets "[!a]" match '/'.
func isOneSegmentWildcard(seg string) bool {
	return seg != "**" && !strings.ContainsAny(seg, "[{}\\")
}

// classify lists the index keys one brace-free alternative a can be filed
// under, best guess first; nil means it can only go to the fallback list.
// Every key is a necessary condition for doublestar.Match(a, name) on a
// valid UTF-8 name:
//
//   - literal a: name == a.
//   - a = P + "/" + rest, P the literal segments before the first segment
//     with a meta character: name == P or name starts with P + "/".
//   - a = "**/*" + S or "*" + S, S literal without '/': the base name of
//     name ends with S, so it has the extension of S.
//   - a = "**/" + L, L a literal segment: the base name of name is L.
//   - a = "**/" + L + "/" + rest: some segment of name is L.
//   - a = X0/.../Xk-1/L[/rest], each Xi literal or a one-segment wildcard,
//     at least one a wildcard, L literal and not empty: segment k of name
//     (counting from 0) is L, because nothing before L in the pattern can
//     match '/', so each '/' of the pattern up to L meets the matching '/'
//     of name. Every such L gives a key.
//
// A pattern can have several keys ("services/*/clinical/x/**" has prefix
// "services", segment 2 "clinical" and segment 3 "x"); Compile picks the
// one fewest alternatives share.
func classify(a string) []indexKey {
	if !utf8.ValidString(a) {
		// doublestar compares runes: an invalid byte decodes to U+FFFD and
		// equals any other invalid byte, so byte-wise keys would be wrong.
		return nil
	}
	if isLiteral(a) {
		return []indexKey{{kind: kindLiteral, key: a}}
	}
	segs := strings.Split(a, "/")
	n := 0 // leading literal segments; a is not literal, so n < len(segs)
	for isLiteral(segs[n]) {
		n++
	}
	var keys []indexKey
	if n > 0 {
		keys = append(keys, indexKey{kind: kindPrefix, key: strings.Join(segs[:n], "/")})
	} else if k, ok := leadingMetaKey(a); ok {
		return []indexKey{k}
	}
	for i := n; i < len(segs); i++ {
		switch seg := segs[i]; {
		case isLiteral(seg):
			if seg != "" {
				keys = append(keys, indexKey{kind: kindPosition, key: seg, depth: i})
			}
		case !isOneSegmentWildcard(seg):
			return keys
		}
	}
	return keys
}

// leadingMetaKey files patterns that start with "**/" or are "*.ext".
func leadingMetaKey(a string) (indexKey, bool) {
	rest, ok := strings.CutPrefix(a, "**/")
	if !ok {
		if s, ok := strings.CutPrefix(a, "*"); ok {
			if key, ok := extKey(s); ok {
				return indexKey{kind: kindExt, key: key}, true
			}
		}
		return indexKey{}, false
	}
	if s, ok := strings.CutPrefix(rest, "*"); ok {
		if key, ok := extKey(s); ok {
			return indexKey{kind: kindExt, key: key}, true
		}
		return indexKey{}, false
	}
	seg, _, nested := strings.Cut(rest, "/")
	if seg == "" || !isLiteral(seg) {
		return indexKey{}, false
	}
	if nested {
		return indexKey{kind: kindSegment, key: seg}, true
	}
	return indexKey{kind: kindBase, key: seg}, true
}

// extKey returns the extension (from the last '.') of a literal base-name
// suffix s, and false when s is not literal, spans directories or has no '.'.
func extKey(s string) (string, bool) {
	if !isLiteral(s) || strings.IndexByte(s, '/') >= 0 {
		return "", false
	}
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 {
		return "", false
	}
	return s[dot:], true
}
