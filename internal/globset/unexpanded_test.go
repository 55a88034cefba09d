package globset

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// manyAlternatives returns "{first,x00,x01,…}" with n filler alternatives
// after first: more than maxAlternatives, so the pattern is not expanded for
// matching.
func manyAlternatives(first string, n int) string {
	alts := []string{first}
	for i := range n {
		alts = append(alts, fmt.Sprintf("x%02d", i))
	}
	return "{" + strings.Join(alts, ",") + "}"
}

// TestUnexpandedBracesInTrees: a brace set too large to expand for matching
// (or right after a '*') still decides which directories (submodules) are
// above the pattern, alternative by alternative. Before, such a pattern was
// split as a whole, so a directory reached through a brace holding a '/',
// or through any brace at all, was not above it: a submodule under a
// clinical glob passed ungated.
func TestUnexpandedBracesInTrees(t *testing.T) {
	t.Parallel()
	patterns := []string{
		"src/" + manyAlternatives("dose", 70) + "/clinical/**", // 0: brace in the middle
		manyAlternatives("lib/dose", 70) + "/**",               // 1: an alternative holding '/'
		"svc/*{a,b}/clinical/**",                               // 2: brace right after '*'
		"api/**{/x,y}/z.go",                                    // 3: "**{" is a single star to doublestar
	}
	s, errs := Compile(patterns)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tests := []struct {
		path string
		want []int
	}{
		{"src", []int{0}},
		{"src/dose", []int{0}},
		{"src/x05", []int{0}},
		{"src/dose/clinical", []int{0}},
		{"src/other", nil},
		{"lib", []int{1}},
		{"lib/dose", []int{1}},
		{"x07", []int{1}},
		{"lib/other", nil},
		{"svc/qa", []int{2}},
		{"svc/qa/clinical", []int{2}},
		{"svc/qc", nil},
		{"api/q/x", []int{3}},
		{"api/q", []int{3}},
		{"api/q/y", nil},
	}
	for _, tt := range tests {
		if got := s.MatchTree(tt.path); !slices.Equal(got, tt.want) {
			t.Errorf("MatchTree(%q) = %v, want %v", tt.path, got, tt.want)
		}
		if got := s.MatchAnyTree(tt.path); got != (len(tt.want) > 0) {
			t.Errorf("MatchAnyTree(%q) = %v, want %v", tt.path, got, len(tt.want) > 0)
		}
		if got, want := s.MatchTree(tt.path), fullyExpandedTree(patterns, tt.path); !slices.Equal(got, want) {
			t.Errorf("MatchTree(%q) = %v, the reference (every alternative expanded) says %v", tt.path, got, want)
		}
	}
}

// TestUnexpandedBracesValidated: every alternative of a large brace set is
// checked like an expanded one's, and a set too large to check is refused
// with the fix.
func TestUnexpandedBracesValidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pattern, want string
	}{
		{"dot dot in a large set", manyAlternatives("..", 70) + "/shared/**", `with a ".." segment`},
		{"dot dot spread over a '/' in a large set", "src/" + manyAlternatives("a/..", 70) + "/**", `with a ".." segment`},
		{"absolute in a large set", manyAlternatives("/etc", 70) + "/x", `absolute alternative "/etc/x"`},
		{"dot dot after a star", "src/*{a,b/..}/x", `with a ".." segment`},
		{"too many to check", strings.Repeat("{a,b,c,d}", 7) + "/x", "more than 4096 alternatives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Valid(tt.pattern)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Valid(%q) = %v, want an error containing %q", tt.pattern, err, tt.want)
			}
		})
	}
	if err := Valid(strings.Repeat("{a,b,c,d}", 6) + "/x"); err != nil {
		t.Errorf("4096 alternatives: %v, want valid", err)
	}
}

// fullyExpandedTree is the tree rule applied to every alternative of every
// pattern, the braces expanded without a limit the way doublestar
// substitutes them (a run of stars a brace follows stays one star).
func fullyExpandedTree(patterns []string, path string) []int {
	depth := strings.Count(path, "/") + 1
	var out []int
	for i, p := range patterns {
		norm := naivePattern(p)
		hit, _ := doublestar.Match(norm, path)
		for _, a := range referenceExpand(norm) {
			segs := splitTopLevel(a)
			aligned := 0
			for aligned < len(segs)-1 && segs[aligned] != "**" && !strings.ContainsAny(segs[aligned], "[{") {
				aligned++
			}
			if !hit && depth <= aligned {
				hit, _ = doublestar.Match(strings.Join(segs[:depth], "/"), path)
			}
		}
		if hit {
			out = append(out, i)
		}
	}
	return out
}

func referenceExpand(p string) []string {
	open := indexTopLevelBrace(p)
	if open < 0 {
		return []string{p}
	}
	end := open + 1 + indexMatchedClosingBrace(p[open+1:])
	head, tail := p[:open], p[end+1:]
	var out []string
	body := p[open+1 : end]
	for {
		comma := indexNextAlternative(body)
		alt := body
		if comma >= 0 {
			alt = body[:comma]
		}
		h := head
		if strings.HasSuffix(h, "*") {
			h = strings.TrimRight(h, "*") + "*"
			alt = strings.TrimLeft(alt, "*")
			if alt == "" {
				tail = strings.TrimLeft(tail, "*")
			}
		}
		out = append(out, referenceExpand(h+alt+tail)...)
		if comma < 0 {
			return out
		}
		body = body[comma+1:]
	}
}

func TestOneStarAt(t *testing.T) {
	t.Parallel()
	tests := []struct{ head, alt, tail, want string }{
		{"a/**", "/x", "", "a/*/x"},
		{"a/*", "*b", "/c", "a/*b/c"},
		{"a/*", "", "**/c", "a/*/c"},
		{`a/\*`, "x", "", `a/\*x`},
		{`a/\**`, "x", "", `a/\**x`},
		{`a/\\**`, "x", "", `a/\\*x`},
	}
	for _, tt := range tests {
		if got := oneStarAt(tt.head, tt.alt, tt.tail); got != tt.want {
			t.Errorf("oneStarAt(%q, %q, %q) = %q, want %q", tt.head, tt.alt, tt.tail, got, tt.want)
		}
	}
}

func TestAlignedPrefixAgreesWithAlignedSegments(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"a", "a/b", "a/b/c", "**/x", "a/**/b/c", "a/[bc]/d", "a/{b,c/d}/e/f", `a\/b/c/d`, "a/*/b/*.go", "", "/", "a//b/c", "a/b/"} {
		segs := alignedSegments(p)
		end, n := alignedPrefix(p)
		if want := strings.Join(segs, "/"); n != len(segs) || p[:end] != want {
			t.Errorf("alignedPrefix(%q) = %q, %d; alignedSegments gives %q, %d", p, p[:end], n, want, len(segs))
		}
	}
}
