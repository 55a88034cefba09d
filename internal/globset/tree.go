package globset

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// A changed path can stand for a whole tree of files: a submodule's gitlink
// ("vendor/ranker") changes every file the submodule holds, and neither a
// pull request's file list nor git diff names them. MatchTree therefore
// also reports the patterns such a tree could hold a match of.
//
// A path P is above a pattern G when G continues below P along P's own
// segments: each segment of P is matched, one to one, by G's segment at the
// same depth (a literal, or a wildcard that cannot span "/"), and G has
// segments left after them. So "vendor" and "vendor/ranker" are above
// "vendor/ranker/src/**", and "services/eprescribe" above
// "services/*/clinical/**". A "**" (or a class or a brace that could span
// "/") ends the part of G a path can be above: "src/**/*.go" would
// otherwise make every file under src a directory above it, and a leading
// "**" every path in the repository.

// treeSeg is one brace-free alternative of a pattern, split into segments,
// with how many of its leading segments a path can be above.
type treeSeg struct {
	text string   // the alternative
	segs []string // its segments, substrings of text
	// aligned is the number of leading segments that each match exactly
	// one path segment; a path above the alternative has at most this many
	// segments, and fewer than len(segs).
	aligned int
}

// spans reports whether a pattern segment might match more or less than one
// path segment: "**", a class (doublestar lets "[!a]" match '/') or a brace
// left unexpanded (its alternatives may hold '/').
func spans(seg string) bool {
	return seg == "**" || strings.ContainsAny(seg, "[{")
}

// treeSegs splits every alternative of a checked pattern, also of one
// whose braces were not expanded for matching (check expanded them for
// this): a brace may hold a '/', so only alternatives show which segments
// a path can be above.
func treeSegs(c compiled) []treeSeg {
	alts := c.alts
	if len(alts) == 1 {
		return []treeSeg{newTreeSeg(alts[0])}
	}
	// Only the aligned segments decide which paths are above an
	// alternative: "x/**/*.{go,ts,…}" needs one entry, not fifty. The
	// aligned prefix is found without splitting, so a duplicate costs a scan.
	type key struct {
		aligned int
		prefix  string
	}
	var keys []key // few: most sets share one aligned prefix
	var seen map[key]bool
	out := make([]treeSeg, 0, 1)
	for _, a := range alts {
		end, n := alignedPrefix(a)
		k := key{aligned: n, prefix: a[:end]}
		if seen != nil {
			if seen[k] {
				continue
			}
			seen[k] = true
		} else if slices.Contains(keys, k) {
			continue
		} else if keys = append(keys, k); len(keys) > 8 {
			seen = make(map[key]bool, len(alts))
			for _, k := range keys {
				seen[k] = true
			}
		}
		out = append(out, newTreeSeg(a))
	}
	return out
}

func newTreeSeg(a string) treeSeg {
	t := treeSeg{text: a, segs: alignedSegments(a)}
	t.aligned = len(t.segs)
	return t
}

// alignedPrefix returns where the aligned segments of p end (the byte
// length of their text) and how many there are, as alignedSegments would
// find them, without allocating.
func alignedPrefix(p string) (end, n int) {
	start := 0
	for {
		slash := nextTopLevelSlash(p, start)
		if slash < 0 || spans(p[start:slash]) {
			// The last segment, or one that spans, ends the aligned part.
			return max(start-1, 0), n
		}
		n++
		start = slash + 1
	}
}

// nextTopLevelSlash returns the index of the first '/' at or after start
// that splitTopLevel would split on, or -1.
func nextTopLevelSlash(p string, start int) int {
	depth := 0
	for i := start; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			i = skipClass(p, i)
		case '{':
			depth++
		case '}':
			depth--
		case '/':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// alignedSegments returns the leading top-level segments of p that each
// match exactly one path segment, short of its last segment: the part of
// p a path can be above.
func alignedSegments(p string) []string {
	segs := splitTopLevel(p)
	segs = segs[:len(segs)-1] // the last segment is never part of the aligned prefix
	for i, seg := range segs {
		if spans(seg) {
			return segs[:i]
		}
	}
	return segs
}

// prefix is the pattern's first k segments, sliced from its text.
func (t treeSeg) prefix(k int) string {
	end := k - 1
	for _, seg := range t.segs[:k] {
		end += len(seg)
	}
	return t.text[:end]
}

// splitTopLevel splits p on each '/' that is not escaped, in a brace or in a class.
func splitTopLevel(p string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			i = skipClass(p, i)
		case '{':
			depth++
		case '}':
			depth--
		case '/':
			if depth == 0 {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
	}
	return append(out, p[start:])
}

// deepKey files a pattern whose literal prefix wildcards continue, under
// that prefix and the depth (segment count) of a path above it: a changed
// file deeper than the pattern's aligned part never looks at it.
type deepKey struct {
	prefix string
	depth  int
}

// fileTree indexes distinct pattern u for the paths that can be above it:
// each literal directory prefix it starts with (aboveExact), the whole
// literal prefix with each depth of a deeper path that wildcards continue
// (aboveDeep), or, when it starts with a one-segment wildcard, each depth
// of a path above it (aboveAny).
func (s *Set) fileTree(u int, alts []treeSeg) {
	for _, t := range alts {
		n := 0 // leading literal segments, within the aligned part
		for n < t.aligned && isLiteral(t.segs[n]) {
			n++
		}
		for k := 1; k <= n; k++ {
			key := t.prefix(k)
			s.aboveExact[key] = appendOnce(s.aboveExact[key], u)
		}
		switch {
		case t.aligned == 0:
			// A leading "**" or nothing to be above.
		case n == 0:
			s.fileAnyDepth(u, t.aligned)
		case t.aligned > n:
			prefix := t.prefix(n)
			for depth := n + 1; depth <= t.aligned; depth++ {
				k := deepKey{prefix: prefix, depth: depth}
				s.aboveDeep[k] = appendOnce(s.aboveDeep[k], u)
			}
		}
	}
}

// fileAnyDepth files distinct pattern u for every path of at most maxDepth
// segments, whatever they are.
func (s *Set) fileAnyDepth(u, maxDepth int) {
	for depth := 1; depth <= maxDepth; depth++ {
		s.aboveAny[depth] = appendOnce(s.aboveAny[depth], u)
	}
}

// above confirms that name, of depth segments, is above distinct pattern u.
func (s *Set) above(u int, name string, depth int) bool {
	for _, t := range s.tree[u] {
		if depth > t.aligned {
			continue
		}
		if ok, err := doublestar.Match(t.prefix(depth), name); ok && err == nil {
			return true
		}
	}
	return false
}

// MatchTree returns, ascending and without duplicates, the indices of the
// patterns that match path or any path below it (path seen as a directory
// or submodule: see the rule above), or nil when none does.
func (s *Set) MatchTree(path string) []int {
	out := s.Match(path)
	if s == nil || len(s.uniq) == 0 {
		return out
	}
	name := normalisePath(path)
	depth := strings.Count(name, "/") + 1
	found := len(out)
	s.eachAbove(name, depth, func(u int) bool {
		if !slices.Contains(out[:found], s.ids[u][0]) && s.above(u, name, depth) {
			out = append(out, s.ids[u]...)
		}
		return false
	})
	if len(out) > found {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// MatchAnyTree reports whether any pattern matches path or a path below it.
func (s *Set) MatchAnyTree(path string) bool {
	if s.MatchAny(path) {
		return true
	}
	if s == nil || len(s.uniq) == 0 {
		return false
	}
	name := normalisePath(path)
	depth := strings.Count(name, "/") + 1
	return s.eachAbove(name, depth, func(u int) bool { return s.above(u, name, depth) })
}

// eachAbove calls visit with every distinct pattern name (of depth
// segments) may be above, and stops when visit returns true. A name that is
// not valid UTF-8 tries every pattern, as Match does.
func (s *Set) eachAbove(name string, depth int, visit func(u int) bool) bool {
	if !utf8.ValidString(name) {
		for u := range s.uniq {
			if visit(u) {
				return true
			}
		}
		return false
	}
	for _, u := range s.aboveExact[name] {
		if visit(u) {
			return true
		}
	}
	if len(s.aboveDeep) > 0 {
		for i := 0; i < len(name); i++ {
			if name[i] != '/' {
				continue
			}
			for _, u := range s.aboveDeep[deepKey{prefix: name[:i], depth: depth}] {
				if visit(u) {
					return true
				}
			}
		}
	}
	for _, u := range s.aboveAny[depth] {
		if visit(u) {
			return true
		}
	}
	return false
}
