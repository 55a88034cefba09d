package globset

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// The reference matcher: the documented rewrites, written out again here
// independently of the package, then doublestar.Match on every valid
// pattern. Set.Match must give exactly the same answer.

func naiveTrimDotSlash(s string) string {
	for len(s) >= 2 && s[0] == '.' && s[1] == '/' {
		s = s[2:]
	}
	return s
}

func naivePattern(p string) string {
	p = naiveTrimDotSlash(p)
	if p != "" && p[len(p)-1] == '/' {
		p += "**"
	}
	return p
}

// naiveSet holds the rewritten valid patterns; "" marks an invalid one.
type naiveSet []string

func newNaiveSet(patterns []string) naiveSet {
	ns := make(naiveSet, len(patterns))
	for i, p := range patterns {
		if Valid(p) == nil {
			ns[i] = naivePattern(p)
		}
	}
	return ns
}

func (ns naiveSet) match(path string) []int {
	name := naiveTrimDotSlash(path)
	var out []int
	for i, p := range ns {
		if p == "" {
			continue
		}
		if ok, err := doublestar.Match(p, name); ok && err == nil {
			out = append(out, i)
		}
	}
	return out
}

// checkAgainstNaive compares Set.Match and Set.MatchAny with the reference
// for one path and reports a difference with enough context to replay it.
func checkAgainstNaive(t *testing.T, patterns []string, s *Set, ns naiveSet, path string) {
	t.Helper()
	want := ns.match(path)
	got := s.Match(path)
	if !slices.Equal(got, want) {
		var b strings.Builder
		for _, id := range symmetricDifference(got, want) {
			fmt.Fprintf(&b, "\n  #%d %q (normalised %q)", id, patterns[id], ns[id])
		}
		t.Fatalf("Match(%q) = %v, want %v (naive doublestar); differing patterns:%s", path, got, want, b.String())
	}
	if got != nil && len(got) == 0 {
		t.Fatalf("Match(%q) = %#v, want nil for no match", path, got)
	}
	if hit := s.MatchAny(path); hit != (len(want) > 0) {
		t.Fatalf("MatchAny(%q) = %v, want %v (naive matches %v)", path, hit, len(want) > 0, want)
	}
	wantTree := naiveTree(patterns, path)
	if gotTree := s.MatchTree(path); !slices.Equal(gotTree, wantTree) {
		t.Fatalf("MatchTree(%q) = %v, want %v (every pattern tried); patterns %q", path, gotTree, wantTree, patterns)
	}
	if hit := s.MatchAnyTree(path); hit != (len(wantTree) > 0) {
		t.Fatalf("MatchAnyTree(%q) = %v, want %v", path, hit, len(wantTree) > 0)
	}
}

// naiveTree is MatchTree without the index: every valid pattern is tried
// as a match and as a pattern path may be above.
func naiveTree(patterns []string, path string) []int {
	name := naiveTrimDotSlash(path)
	depth := strings.Count(name, "/") + 1
	var out []int
	for i, p := range patterns {
		c, msg := check(p)
		if msg != "" {
			continue
		}
		hit, err := doublestar.Match(c.norm, name)
		hit = hit && err == nil
		for _, t := range treeSegs(c) {
			if !hit && depth <= t.aligned {
				ok, err := doublestar.Match(strings.Join(t.segs[:depth], "/"), name)
				hit = ok && err == nil
			}
		}
		if hit {
			out = append(out, i)
		}
	}
	return out
}

func symmetricDifference(a, b []int) []int {
	var out []int
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}
