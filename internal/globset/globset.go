// Package globset matches many repository-relative file paths against many
// doublestar globs (hazard components, clinical_paths, ignore_paths, manifest
// change paths) without trying every glob on every path.
//
// # Semantics
//
// A pattern matches a path exactly when doublestar.Match (v4) says so, after
// two rewrites: a leading "./" is dropped from patterns and paths, and a
// pattern ending in "/" means everything below it ("src/x/" is "src/x/**",
// "services/*/" is "services/*/**"). "**" spans directories, "*" does not
// cross "/", and matching is case-sensitive. Compile rejects empty patterns,
// patterns naming the repository root ("." or "./"), absolute patterns,
// patterns with a ".." segment (also inside a brace alternative), patterns
// whose braces expand to more than 4,096 alternatives (each alternative is
// checked) and patterns doublestar.ValidatePattern rejects.
//
// # Index
//
// Compile expands braces into brace-free alternatives (bounded to 64; see
// below) and files each alternative in one of six maps, under a key that
// every path the alternative matches must have:
//
//   - literal patterns ("src/api/allergies.go") by the exact path;
//   - patterns with a literal directory prefix, i.e. the segments before the
//     first segment holding a meta character *?[{\ ("src/search/**",
//     "src/ui/allergy/*.tsx", "services/*/clinical/**"), by that prefix; a
//     path looks up each of its ancestor directories and itself, O(depth)
//     map lookups;
//   - "**/*.ext" and root "*.ext" patterns by the extension;
//   - "**/name" patterns by the base name;
//   - "**/dir/..." patterns by the directory name, looked up with each
//     segment of the path;
//   - patterns whose segments up to a literal one can each match only one
//     path segment (literal, or made of '*', '?' and literal bytes), by
//     (segment number, segment): "*/clinical/**" under (1, "clinical"),
//     looked up with each segment of the path.
//
// When an alternative has several keys ("services/*/clinical/x/**" has the
// prefix "services" and segments 2 "clinical" and 3 "x") Compile picks the
// one the fewest alternatives share, so a prefix common to many patterns
// does not make every path below it try all of them.
//
// A pattern none of these rules keys ("[s]rc/x/**", "**/**/x/*.go", braces
// that expand to more than 64 alternatives or sit right after a '*') is
// filed, whole, by any literal top-level segment it has: every path it
// matches has that segment. Only what has none ("**", "**/*mod*") is in a
// fallback list tried on every path. Brace
// expansion mirrors doublestar's own substitution, so "{src,lib}/**" is
// filed under "src" and "lib". Identical normalised patterns are matched
// once and reported under every index that holds them.
//
// The index only proposes candidates; every candidate, and every fallback
// pattern, is confirmed with doublestar.Match on the normalised pattern. The
// keys are necessary conditions for a doublestar match, so the result is the
// same as running doublestar.Match for every pattern (the tests and FuzzMatch
// check this against the naive loop). Paths that are not valid UTF-8 are
// matched naively against every pattern, because doublestar compares runes
// and treats all invalid bytes as equal; for the same reason patterns that
// are not valid UTF-8 go to the fallback list.
//
// # Trees
//
// MatchTree also reports the patterns a path is above, for a changed path
// that stands for a directory (a submodule): "vendor/ranker" is above
// "vendor/ranker/src/**". Each distinct pattern is indexed under each
// literal directory prefix it starts with, and under its whole literal
// prefix and the depth of a path above it when wildcards follow; tree.go
// states the rule. A pattern whose braces are not expanded for matching is
// still split alternative by alternative here, since a brace may hold a '/'.
//
// A Set is immutable after Compile and safe for concurrent use.
package globset

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// PatternError reports one pattern that Compile or Valid rejected.
type PatternError struct {
	Index   int    // index into the patterns given to Compile; -1 from Valid
	Pattern string // the pattern as given
	Err     string // what is wrong and how to fix it; it quotes the pattern
}

// Error returns Err, prefixed with the pattern index when there is one.
func (e *PatternError) Error() string {
	if e.Index < 0 {
		return e.Err
	}
	return fmt.Sprintf("pattern %d: %s", e.Index, e.Err)
}

// Set is a compiled, indexed collection of globs. The zero value and a nil
// *Set are empty sets.
type Set struct {
	n int // number of patterns given to Compile

	// Identical normalised patterns are matched once: uniq holds each
	// distinct valid pattern, ids the pattern indices that share it. The
	// index buckets and the fallback list hold positions in uniq.
	uniq  []string
	ids   [][]int
	dupes bool // some uniq entry has more than one id

	literal  map[string][]int
	prefix   map[string][]int
	ext      map[string][]int
	base     map[string][]int
	segment  map[string][]int
	position map[positionKey][]int
	fallback []int // ascending; disjoint from every bucket

	// tree holds each distinct pattern's alternatives split into segments,
	// and the above maps the patterns a path may be above (MatchTree).
	tree       [][]treeSeg
	aboveExact map[string][]int
	aboveDeep  map[deepKey][]int
	aboveAny   map[int][]int // by the depth of a path above
}

// positionKey is a literal segment at a fixed 0-based segment number.
type positionKey struct {
	depth int
	seg   string
}

// Compile validates every pattern and builds the index. Invalid patterns are
// reported, in index order, with the index they had in patterns; they never
// match. Valid patterns are indexed either way.
func Compile(patterns []string) (*Set, []PatternError) {
	s := &Set{
		n:        len(patterns),
		literal:  map[string][]int{},
		prefix:   map[string][]int{},
		ext:      map[string][]int{},
		base:     map[string][]int{},
		segment:  map[string][]int{},
		position: map[positionKey][]int{},

		aboveExact: map[string][]int{},
		aboveDeep:  map[deepKey][]int{},
		aboveAny:   map[int][]int{},
	}
	var errs []PatternError
	seen := map[string]int{}
	// keys[u] lists, per alternative of distinct pattern u, the keys it
	// could be filed under; nil when u can only go to the fallback list.
	var keys [][][]indexKey
	shared := map[indexKey]int{} // how many alternatives could use a key
	for id, p := range patterns {
		c, msg := check(p)
		if msg != "" {
			errs = append(errs, PatternError{Index: id, Pattern: p, Err: msg})
			continue
		}
		if u, ok := seen[c.norm]; ok {
			s.ids[u] = append(s.ids[u], id)
			s.dupes = true
			continue
		}
		seen[c.norm] = len(s.uniq)
		s.uniq = append(s.uniq, c.norm)
		s.ids = append(s.ids, []int{id})
		s.tree = append(s.tree, treeSegs(c))
		if utf8.ValidString(c.norm) {
			s.fileTree(len(s.uniq)-1, s.tree[len(s.uniq)-1])
		} else {
			// Byte-wise keys would be wrong (see classify).
			u := len(s.uniq) - 1
			for _, t := range s.tree[u] {
				s.fileAnyDepth(u, t.aligned)
			}
		}
		var altKeys [][]indexKey
		if len(c.alts) > smallBraceSet {
			// A large brace set ("x/**/*.{fifty,extensions}") is filed
			// whole under a literal segment rather than as dozens of
			// alternatives, each classified and filed: a path proposes it
			// once, and compiling it costs one entry.
			if ks := literalSegmentKeys(c.norm); ks != nil {
				altKeys = [][]indexKey{ks}
			}
		}
		if altKeys == nil {
			altKeys = classifyAll(c)
		}
		if altKeys == nil {
			if ks := literalSegmentKeys(c.norm); ks != nil {
				altKeys = [][]indexKey{ks}
			}
		}
		for _, ks := range altKeys {
			for _, k := range ks {
				shared[k]++
			}
		}
		keys = append(keys, altKeys)
	}
	for u, altKeys := range keys {
		if altKeys == nil {
			s.fallback = append(s.fallback, u)
			continue
		}
		for _, ks := range altKeys {
			best := ks[0]
			for _, k := range ks[1:] {
				if shared[k] < shared[best] {
					best = k
				}
			}
			s.file(u, best)
		}
	}
	return s, errs
}

// classifyAll returns the candidate keys of every alternative of c, or nil
// when one of them (or the unexpanded pattern) has none.
func classifyAll(c compiled) [][]indexKey {
	if !c.expanded {
		return nil
	}
	out := make([][]indexKey, len(c.alts))
	for i, a := range c.alts {
		if out[i] = classify(a); out[i] == nil {
			return nil
		}
	}
	return out
}

// smallBraceSet is the most alternatives a brace pattern is indexed by one
// by one; a larger set with a literal segment is indexed whole.
const smallBraceSet = 8

// literalSegmentKeys keys a pattern that no alternative-by-alternative rule
// could ("[s]rc/mod001/**", "**/**/x/*.go", "src/x/*.{fifty,extensions}",
// braces after a '*') by its literal top-level segments: each is bounded
// by a literal '/' of the pattern, or its start or end, and that '/' can
// only meet a '/' of the path, so a matching path has a segment equal to
// it ("**" may match no segments, and "x/**" matches "x", but neither
// removes x). nil when the pattern has no such segment or is not valid
// UTF-8 (see classify).
func literalSegmentKeys(norm string) []indexKey {
	if !utf8.ValidString(norm) {
		return nil
	}
	var keys []indexKey
	for _, seg := range splitTopLevel(norm) {
		if seg != "" && isLiteral(seg) {
			keys = append(keys, indexKey{kind: kindSegment, key: seg})
		}
	}
	return keys
}

// file puts distinct pattern u in the bucket of k.
func (s *Set) file(u int, k indexKey) {
	if k.kind == kindPosition {
		pk := positionKey{depth: k.depth, seg: k.key}
		s.position[pk] = appendOnce(s.position[pk], u)
		return
	}
	var m map[string][]int
	switch k.kind {
	case kindLiteral:
		m = s.literal
	case kindPrefix:
		m = s.prefix
	case kindExt:
		m = s.ext
	case kindBase:
		m = s.base
	case kindSegment:
		m = s.segment
	}
	m[k.key] = appendOnce(m[k.key], u)
}

// appendOnce appends u unless another alternative of u already put it last.
func appendOnce(bucket []int, u int) []int {
	if n := len(bucket); n > 0 && bucket[n-1] == u {
		return bucket
	}
	return append(bucket, u)
}

// Valid reports whether pattern would compile, with the same message
// Compile would give; the returned error is a *PatternError with Index -1.
func Valid(pattern string) error {
	if _, msg := check(pattern); msg != "" {
		return &PatternError{Index: -1, Pattern: pattern, Err: msg}
	}
	return nil
}

// Len returns the number of patterns given to Compile, valid or not: the
// size of the index space Match answers in.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// Match returns the indices of the patterns that match path, ascending and
// without duplicates, or nil when none does.
func (s *Set) Match(path string) []int {
	if s == nil || len(s.uniq) == 0 {
		return nil
	}
	name := normalisePath(path)
	var out []int
	if !utf8.ValidString(name) {
		for u := range s.uniq {
			if s.matches(u, name) {
				out = append(out, s.ids[u]...)
			}
		}
	} else {
		var buf [32]int
		cands := buf[:0]
		s.each(name, func(us []int) bool {
			cands = append(cands, us...)
			return false
		})
		slices.Sort(cands)
		cands = slices.Compact(cands)

		// Merge the sorted candidates with the sorted fallback list; the
		// two never share an entry.
		fb := s.fallback
		for len(cands) > 0 || len(fb) > 0 {
			var u int
			if len(fb) == 0 || (len(cands) > 0 && cands[0] < fb[0]) {
				u, cands = cands[0], cands[1:]
			} else {
				u, fb = fb[0], fb[1:]
			}
			if s.matches(u, name) {
				out = append(out, s.ids[u]...)
			}
		}
	}
	if s.dupes {
		// Without duplicates uniq order is index order; with them the ids
		// of different entries interleave. They never repeat.
		slices.Sort(out)
	}
	return out
}

// MatchAny reports whether any pattern matches path. It stops at the first
// match and does not sort or allocate.
func (s *Set) MatchAny(path string) bool {
	if s == nil || len(s.uniq) == 0 {
		return false
	}
	name := normalisePath(path)
	if !utf8.ValidString(name) {
		for u := range s.uniq {
			if s.matches(u, name) {
				return true
			}
		}
		return false
	}
	if s.each(name, func(us []int) bool {
		for _, u := range us {
			if s.matches(u, name) {
				return true
			}
		}
		return false
	}) {
		return true
	}
	for _, u := range s.fallback {
		if s.matches(u, name) {
			return true
		}
	}
	return false
}

// matches confirms a candidate with doublestar itself. Compile validated
// every pattern in uniq, so the match skips doublestar's validation pass.
func (s *Set) matches(u int, name string) bool {
	return doublestar.MatchUnvalidated(s.uniq[u], name)
}

// each calls visit with every non-empty index bucket whose key name has, the
// cheapest lookups first, and stops as soon as visit returns true. It does
// not visit the fallback list. name must be valid UTF-8.
func (s *Set) each(name string, visit func(us []int) bool) bool {
	if us := s.literal[name]; len(us) > 0 && visit(us) {
		return true
	}
	baseName := name[strings.LastIndexByte(name, '/')+1:]
	if len(s.base) > 0 {
		if us := s.base[baseName]; len(us) > 0 && visit(us) {
			return true
		}
	}
	if len(s.ext) > 0 {
		if dot := strings.LastIndexByte(baseName, '.'); dot >= 0 {
			if us := s.ext[baseName[dot:]]; len(us) > 0 && visit(us) {
				return true
			}
		}
	}
	if len(s.prefix) > 0 {
		// Every ancestor directory, then the path itself ("src/**" also
		// matches "src").
		for i := 0; i < len(name); i++ {
			if name[i] != '/' {
				continue
			}
			if us := s.prefix[name[:i]]; len(us) > 0 && visit(us) {
				return true
			}
		}
		if us := s.prefix[name]; len(us) > 0 && visit(us) {
			return true
		}
	}
	if len(s.segment) > 0 || len(s.position) > 0 {
		depth := 0
		for seg := range strings.SplitSeq(name, "/") {
			if us := s.segment[seg]; len(us) > 0 && visit(us) {
				return true
			}
			if depth > 0 {
				if us := s.position[positionKey{depth: depth, seg: seg}]; len(us) > 0 && visit(us) {
					return true
				}
			}
			depth++
		}
	}
	return false
}
