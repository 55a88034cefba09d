package globset

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		patterns []string
		path     string
		want     []int
		wantErrs int // how many patterns Compile must reject
	}{
		{name: "literal path", patterns: []string{"src/api/allergies.go"}, path: "src/api/allergies.go", want: []int{0}},
		{name: "literal is case-sensitive", patterns: []string{"src/api/allergies.go"}, path: "src/api/Allergies.go", want: nil},
		{name: "literal does not match a child", patterns: []string{"src/api"}, path: "src/api/allergies.go", want: nil},
		{name: "prefix doublestar deep file", patterns: []string{"src/search/**"}, path: "src/search/index/query.go", want: []int{0}},
		{name: "prefix doublestar matches the directory itself", patterns: []string{"src/search/**"}, path: "src/search", want: []int{0}},
		{name: "prefix needs a whole segment", patterns: []string{"src/search/**"}, path: "src/searchx/a.go", want: nil},
		{name: "star stays in its directory", patterns: []string{"src/ui/allergy/*.tsx"}, path: "src/ui/allergy/List.tsx", want: []int{0}},
		{name: "star does not cross slash", patterns: []string{"src/ui/allergy/*.tsx"}, path: "src/ui/allergy/list/Row.tsx", want: nil},
		{name: "extension anywhere", patterns: []string{"**/*.md"}, path: "docs/clinical/safety.md", want: []int{0}},
		{name: "extension at root", patterns: []string{"**/*.md"}, path: "README.md", want: []int{0}},
		{name: "extension must end the base name", patterns: []string{"**/*.md"}, path: "notes.md/x.txt", want: nil},
		{name: "extension is not a prefix match", patterns: []string{"**/*.md"}, path: "a.mdx", want: nil},
		{name: "root extension only at root", patterns: []string{"*.md"}, path: "docs/a.md", want: nil},
		{name: "root extension at root", patterns: []string{"*.md"}, path: "CHANGELOG.md", want: []int{0}},
		{name: "multi-dot extension", patterns: []string{"**/*.test.ts"}, path: "src/a.test.ts", want: []int{0}},
		{name: "multi-dot extension needs the whole suffix", patterns: []string{"**/*.test.ts"}, path: "src/a.ts", want: nil},
		{name: "docs tree", patterns: []string{"docs/**"}, path: "docs/hazards/H-001.md", want: []int{0}},
		{name: "star segment after prefix", patterns: []string{"services/*/clinical/**"}, path: "services/orders/clinical/dose.go", want: []int{0}},
		{name: "star segment is one directory", patterns: []string{"services/*/clinical/**"}, path: "services/a/b/clinical/dose.go", want: nil},
		{name: "position star first segment", patterns: []string{"*/clinical/**"}, path: "services/clinical/x.go", want: []int{0}},
		{name: "position is fixed", patterns: []string{"*/clinical/**"}, path: "a/services/clinical/x.go", want: nil},
		{name: "position with question mark", patterns: []string{"v?/api/*.go"}, path: "v1/api/a.go", want: []int{0}},
		{name: "class can match a slash", patterns: []string{"a[!x]b/c"}, path: "a/b/c", want: []int{0}},
		{name: "duplicate patterns all reported", patterns: []string{"docs/**", "**/*.md", "docs/**", "./docs/**", "docs/"}, path: "docs/a.md", want: []int{0, 1, 2, 3, 4}},
		{name: "duplicates interleaved", patterns: []string{"**/*.go", "src/**", "**/*.go", "x/**", "src/**"}, path: "src/a.go", want: []int{0, 1, 2, 4}},
		{name: "fallback doublestar everything", patterns: []string{"**"}, path: "any/thing.go", want: []int{0}},
		{name: "base name anywhere", patterns: []string{"**/Dockerfile"}, path: "deploy/api/Dockerfile", want: []int{0}},
		{name: "base name at root", patterns: []string{"**/Dockerfile"}, path: "Dockerfile", want: []int{0}},
		{name: "base name is the whole base", patterns: []string{"**/Dockerfile"}, path: "deploy/Dockerfile.dev", want: nil},
		{name: "segment anywhere", patterns: []string{"**/clinical/**"}, path: "a/b/clinical/c/d.go", want: []int{0}},
		{name: "segment as last element", patterns: []string{"**/clinical/**"}, path: "a/clinical", want: []int{0}},
		{name: "segment must be whole", patterns: []string{"**/clinical/**"}, path: "a/clinicalx/d.go", want: nil},
		{name: "braces give prefixes", patterns: []string{"{src,lib}/**"}, path: "lib/x.go", want: []int{0}},
		{name: "braces over directories", patterns: []string{"src/{api/{orders,allergies},ui}/**"}, path: "src/api/allergies/get.go", want: []int{0}},
		{name: "braces in extension", patterns: []string{"**/*.{ts,tsx}"}, path: "src/ui/App.tsx", want: []int{0}},
		{name: "empty brace alternative", patterns: []string{"src/a{,.bak}.go"}, path: "src/a.go", want: []int{0}},
		{name: "duplicate alternatives counted once", patterns: []string{"{src,src}/**"}, path: "src/x.go", want: []int{0}},
		{name: "star before brace falls back", patterns: []string{"**{/x,/y}"}, path: "a/y", want: []int{0}},
		{name: "trailing slash means subtree", patterns: []string{"src/x/"}, path: "src/x/deep/file.go", want: []int{0}},
		{name: "trailing slash also matches the directory", patterns: []string{"src/x/"}, path: "src/x", want: []int{0}},
		{name: "trailing slash on a glob", patterns: []string{"services/*/"}, path: "services/a/b.go", want: []int{0}},
		{name: "leading dot slash on pattern", patterns: []string{"./src/a.go"}, path: "src/a.go", want: []int{0}},
		{name: "leading dot slash on path", patterns: []string{"src/a.go"}, path: "./src/a.go", want: []int{0}},
		{name: "repeated dot slash", patterns: []string{"././src/**"}, path: "./././src/a.go", want: []int{0}},
		{name: "escaped star is literal", patterns: []string{`src/\*.go`}, path: "src/*.go", want: []int{0}},
		{name: "escaped star is not a wildcard", patterns: []string{`src/\*.go`}, path: "src/a.go", want: nil},
		{name: "character class", patterns: []string{"src/v[0-9]/**"}, path: "src/v2/a.go", want: []int{0}},
		{name: "question mark", patterns: []string{"src/?.go"}, path: "src/a.go", want: []int{0}},
		{
			name:     "several patterns ascending",
			patterns: []string{"**/*.go", "src/**", "src/api/allergies.go", "docs/**", "*/api/*", "**/api/**"},
			path:     "src/api/allergies.go",
			want:     []int{0, 1, 2, 4, 5},
		},
		{name: "invalid pattern keeps its index and never matches", patterns: []string{"src/[a", "src/**"}, path: "src/[a", want: []int{1}, wantErrs: 1},
		{name: "no patterns", patterns: nil, path: "src/a.go", want: nil},
		{name: "nothing matches gives nil", patterns: []string{"docs/**", "**/*.md"}, path: "src/a.go", want: nil},
		{name: "non UTF-8 path", patterns: []string{"src/**", "**/*.go"}, path: "src/\xff.go", want: []int{0, 1}},
		{name: "unicode names", patterns: []string{"src/ärzte/*.go"}, path: "src/ärzte/dosis.go", want: []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, errs := Compile(tt.patterns)
			if len(errs) != tt.wantErrs {
				t.Fatalf("Compile(%q) errors = %v, want %d", tt.patterns, errs, tt.wantErrs)
			}
			got := s.Match(tt.path)
			if !slices.Equal(got, tt.want) || (tt.want == nil && got != nil) {
				t.Errorf("Match(%q) with %q = %#v, want %#v", tt.path, tt.patterns, got, tt.want)
			}
			if gotAny, wantAny := s.MatchAny(tt.path), len(tt.want) > 0; gotAny != wantAny {
				t.Errorf("MatchAny(%q) with %q = %v, want %v", tt.path, tt.patterns, gotAny, wantAny)
			}
			if naive := newNaiveSet(tt.patterns).match(tt.path); !slices.Equal(naive, tt.want) {
				t.Errorf("naive doublestar for %q with %q = %v, want %v (table is wrong)", tt.path, tt.patterns, naive, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		want    string // substring of Err; "" means valid
	}{
		{name: "empty", pattern: "", want: "glob is empty"},
		{name: "dot", pattern: ".", want: `names the repository root`},
		{name: "dot slash", pattern: "./", want: `names the repository root`},
		{name: "absolute", pattern: "/src/a.go", want: `glob "/src/a.go" is absolute; globs are relative to the repository root, write "src/a.go"`},
		{name: "absolute after dot slash", pattern: ".//src", want: `is absolute; globs are relative to the repository root, write "src"`},
		{name: "root slash", pattern: "/", want: `glob "/" is absolute; globs are relative to the repository root, write "**"`},
		{name: "dot dot first", pattern: "../shared/**", want: `has a ".." segment`},
		{name: "dot dot inside", pattern: "src/../x", want: `has a ".." segment`},
		{name: "dot dot last", pattern: "src/..", want: `has a ".." segment`},
		{name: "escaped dot dot", pattern: `src/\.\./x`, want: `has a ".." segment`},
		{name: "dot dot in alternative", pattern: "{../shared,src}/**", want: `alternative "../shared/**" with a ".." segment`},
		{name: "absolute alternative", pattern: "{/etc,src}/x", want: `absolute alternative "/etc/x"`},
		{name: "unclosed class", pattern: "src/[a", want: `glob "src/[a" does not compile: missing closing bracket "]"`},
		{name: "class at end", pattern: "src/[", want: `missing closing bracket "]"`},
		{name: "empty class", pattern: "src/[]a", want: `empty character class "[]"`},
		{name: "empty negated class", pattern: "src/[!]", want: `empty character class "[!]"`},
		{name: "unclosed brace", pattern: "src/{a,b", want: `missing closing brace "}"`},
		{name: "stray closing brace", pattern: "src/a}", want: `unmatched closing brace "}"`},
		{name: "lone backslash", pattern: `src\`, want: `ends with a lone backslash`},
		{name: "syntax hint", pattern: "src/[a", want: `write doublestar syntax like "src/**/*.go"`},
		{name: "dots in names are fine", pattern: "src/..a/.b/...", want: ""},
		{name: "single dot segment is fine", pattern: "src/./a.go", want: ""},
		{name: "doublestar", pattern: "**", want: ""},
		{name: "braces", pattern: "src/{a,{b,c}}/*.go", want: ""},
		{name: "class with brace", pattern: "src/[{]", want: ""},
		{name: "escaped bracket", pattern: `src/\[a`, want: ""},
		{name: "many alternatives still valid", pattern: "{a,b,c,d,e}{a,b,c,d,e}{a,b,c,d,e}/x", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			patterns := []string{"src/**", tt.pattern, "docs/**"}
			s, errs := Compile(patterns)
			err := Valid(tt.pattern)
			if tt.want == "" {
				if len(errs) != 0 || err != nil {
					t.Fatalf("pattern %q: Compile errors = %v, Valid = %v, want valid", tt.pattern, errs, err)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("pattern %q: Compile errors = %v, want exactly one", tt.pattern, errs)
			}
			pe := errs[0]
			if pe.Index != 1 || pe.Pattern != tt.pattern || !strings.Contains(pe.Err, tt.want) {
				t.Errorf("pattern %q: got PatternError{%d, %q, %q}, want {1, %q, containing %q}", tt.pattern, pe.Index, pe.Pattern, pe.Err, tt.pattern, tt.want)
			}
			if got, want := pe.Error(), "pattern 1: "+pe.Err; got != want {
				t.Errorf("pattern %q: Error() = %q, want %q", tt.pattern, got, want)
			}
			var ve *PatternError
			if !errors.As(err, &ve) || ve.Err != pe.Err || ve.Index != -1 || err.Error() != pe.Err {
				t.Errorf("pattern %q: Valid = %v, want *PatternError{-1, ..., %q}", tt.pattern, err, pe.Err)
			}
			// The valid neighbours are still indexed.
			if got, want := s.Match("docs/a.md"), []int{2}; !slices.Equal(got, want) {
				t.Errorf("pattern %q: Match(docs/a.md) = %v, want %v", tt.pattern, got, want)
			}
			if got, want := s.Len(), 3; got != want {
				t.Errorf("pattern %q: Len() = %d, want %d", tt.pattern, got, want)
			}
		})
	}
}

func TestCompileReportsEveryInvalidPatternInOrder(t *testing.T) {
	t.Parallel()
	patterns := []string{"", "src/**", "/abs", "a/[b", "ok.go", "../x"}
	_, errs := Compile(patterns)
	var got []int
	for _, e := range errs {
		got = append(got, e.Index)
	}
	if want := []int{0, 2, 3, 5}; !slices.Equal(got, want) {
		t.Errorf("error indices = %v, want %v (errors %v)", got, want, errs)
	}
}

func TestExpandBraces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		want    []string
		wantN   int // number of alternatives when want is not spelled out
		wantOK  bool
	}{
		{name: "none", pattern: "src/a.go", want: []string{"src/a.go"}, wantOK: true},
		{name: "flat", pattern: "{a,b}/x", want: []string{"a/x", "b/x"}, wantOK: true},
		{name: "two groups", pattern: "{a,b}/{c,d}", want: []string{"a/c", "a/d", "b/c", "b/d"}, wantOK: true},
		{name: "nested", pattern: "src/{api/{a,b},ui}/**", want: []string{"src/api/a/**", "src/api/b/**", "src/ui/**"}, wantOK: true},
		{name: "empty alternatives", pattern: "a{,.bak}", want: []string{"a", "a.bak"}, wantOK: true},
		{name: "empty group", pattern: "a{}b", want: []string{"ab"}, wantOK: true},
		{name: "escaped brace untouched", pattern: `a\{b,c\}`, want: []string{`a\{b,c\}`}, wantOK: true},
		{name: "escaped comma", pattern: `{a\,b,c}`, want: []string{`a\,b`, "c"}, wantOK: true},
		{name: "brace in class untouched", pattern: "[{]{a,b}", want: []string{"[{]a", "[{]b"}, wantOK: true},
		{name: "comma in class", pattern: "{[,],x}", want: []string{"[,]", "x"}, wantOK: true},
		{name: "exactly the limit", pattern: "{a,b,c,d}{a,b,c,d}{a,b,c,d}", wantN: maxAlternatives, wantOK: true},
		{name: "over the limit", pattern: "{a,b,c,d,e}{a,b,c,d,e}{a,b,c}", wantOK: false},
		{name: "brace after star", pattern: "**{/a,/b}", wantOK: false},
		{name: "nested brace after star", pattern: "{x,*{a,b}}", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := expandBraces(tt.pattern)
			if ok != tt.wantOK {
				t.Fatalf("expandBraces(%q) ok = %v, want %v (alternatives %q)", tt.pattern, ok, tt.wantOK, got)
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("expandBraces(%q) = %q, want %q", tt.pattern, got, tt.want)
			}
			if tt.wantN > 0 && len(got) != tt.wantN {
				t.Errorf("expandBraces(%q) gave %d alternatives, want %d", tt.pattern, len(got), tt.wantN)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	lit := func(k string) indexKey { return indexKey{kind: kindLiteral, key: k} }
	pre := func(k string) indexKey { return indexKey{kind: kindPrefix, key: k} }
	ext := func(k string) indexKey { return indexKey{kind: kindExt, key: k} }
	base := func(k string) indexKey { return indexKey{kind: kindBase, key: k} }
	seg := func(k string) indexKey { return indexKey{kind: kindSegment, key: k} }
	pos := func(d int, k string) indexKey { return indexKey{kind: kindPosition, key: k, depth: d} }
	tests := []struct {
		name    string
		pattern string
		want    []indexKey // nil: fallback
	}{
		{name: "literal", pattern: "src/api/allergies.go", want: []indexKey{lit("src/api/allergies.go")}},
		{name: "prefix doublestar", pattern: "src/search/**", want: []indexKey{pre("src/search")}},
		{name: "prefix star", pattern: "src/ui/allergy/*.tsx", want: []indexKey{pre("src/ui/allergy")}},
		{name: "prefix and position", pattern: "services/*/clinical/**", want: []indexKey{pre("services"), pos(2, "clinical")}},
		{name: "prefix and two positions", pattern: "services/*/clinical/x/*/y", want: []indexKey{pre("services"), pos(2, "clinical"), pos(3, "x"), pos(5, "y")}},
		{name: "prefix and deeper position", pattern: "a/*/?/x/*.go", want: []indexKey{pre("a"), pos(3, "x")}},
		{name: "prefix before escape", pattern: `src/\*.go`, want: []indexKey{pre("src")}},
		{name: "prefix then doublestar", pattern: "src/**/x/*.go", want: []indexKey{pre("src")}},
		{name: "extension", pattern: "**/*.md", want: []indexKey{ext(".md")}},
		{name: "multi-dot extension", pattern: "**/*.test.ts", want: []indexKey{ext(".ts")}},
		{name: "root extension", pattern: "*.md", want: []indexKey{ext(".md")}},
		{name: "suffix without dot", pattern: "**/*_test", want: nil},
		{name: "wild extension", pattern: "**/*.t?", want: nil},
		{name: "root wildcard without dot", pattern: "*_test", want: nil},
		{name: "base name", pattern: "**/Dockerfile", want: []indexKey{base("Dockerfile")}},
		{name: "segment", pattern: "**/clinical/**", want: []indexKey{seg("clinical")}},
		{name: "empty segment after doublestar", pattern: "**//x", want: nil},
		{name: "position after star", pattern: "*/clinical/**", want: []indexKey{pos(1, "clinical")}},
		{name: "position after two wildcards", pattern: "a*/?b/migrations/*.sql", want: []indexKey{pos(2, "migrations")}},
		{name: "positions stop at doublestar", pattern: "*/a/**/b", want: []indexKey{pos(1, "a")}},
		{name: "position last segment", pattern: "*/Makefile", want: []indexKey{pos(1, "Makefile")}},
		{name: "position after extension-like segment", pattern: "*.d/x", want: []indexKey{pos(1, "x")}},
		{name: "star-star inside a segment is a star", pattern: "a**/x", want: []indexKey{pos(1, "x")}},
		{name: "position skips empty segment", pattern: "*//x", want: []indexKey{pos(2, "x")}},
		{name: "no position across doublestar", pattern: "*/**/x", want: nil},
		{name: "no position across class", pattern: "[!a]/x", want: nil},
		{name: "no position across escape", pattern: `a\*/x`, want: nil},
		{name: "no literal segment", pattern: "*/*.go", want: nil},
		{name: "everything", pattern: "**", want: nil},
		{name: "double doublestar", pattern: "**/**/x", want: nil},
		{name: "invalid UTF-8", pattern: "src/\xff/**", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := classify(tt.pattern); !slices.Equal(got, tt.want) {
				t.Errorf("classify(%q) = %+v, want %+v", tt.pattern, got, tt.want)
			}
		})
	}
}

func TestCompileChoosesLeastSharedKey(t *testing.T) {
	t.Parallel()
	patterns := []string{"services/*/clinical/a/**", "services/*/clinical/b/**", "services/*/clinical/c/**", "services/x/**"}
	s, errs := Compile(patterns)
	if len(errs) > 0 {
		t.Fatalf("Compile errors = %v", errs)
	}
	tests := []struct {
		name string
		got  []int
		want []int
	}{
		{name: "shared prefix is not used", got: s.prefix["services"], want: nil},
		{name: "shared position is not used", got: s.position[positionKey{depth: 2, seg: "clinical"}], want: nil},
		{name: "own prefix", got: s.prefix["services/x"], want: []int{3}},
		{name: "position a", got: s.position[positionKey{depth: 3, seg: "a"}], want: []int{0}},
		{name: "position c", got: s.position[positionKey{depth: 3, seg: "c"}], want: []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("bucket = %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestEmptySets(t *testing.T) {
	t.Parallel()
	var nilSet *Set
	empty, _ := Compile(nil)
	allInvalid, errs := Compile([]string{"", "/x"})
	tests := []struct {
		name    string
		set     *Set
		wantLen int
	}{
		{name: "nil set", set: nilSet, wantLen: 0},
		{name: "zero set", set: &Set{}, wantLen: 0},
		{name: "no patterns", set: empty, wantLen: 0},
		{name: "only invalid patterns", set: allInvalid, wantLen: 2},
	}
	if len(errs) != 2 {
		t.Fatalf("Compile of two invalid patterns gave %d errors, want 2", len(errs))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.set.Match("src/a.go"); got != nil {
				t.Errorf("Match = %v, want nil", got)
			}
			if got := tt.set.MatchAny("src/a.go"); got {
				t.Errorf("MatchAny = true, want false")
			}
			if got := tt.set.Len(); got != tt.wantLen {
				t.Errorf("Len = %d, want %d", got, tt.wantLen)
			}
		})
	}
}

func TestConcurrentMatch(t *testing.T) {
	t.Parallel()
	patterns := []string{"src/**", "**/*.go", "**/clinical/**", "*/x/**", "docs/*.md", "{a,b}/**"}
	s, errs := Compile(patterns)
	if len(errs) > 0 {
		t.Fatalf("Compile errors = %v", errs)
	}
	ns := newNaiveSet(patterns)
	paths := []string{"src/a.go", "a/clinical/x.md", "q/x/y", "docs/r.md", "b/c", "none"}
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := paths[(i+w)%len(paths)]
				if got, want := s.Match(p), ns.match(p); !slices.Equal(got, want) {
					errc <- fmt.Errorf("Match(%q) = %v, want %v", p, got, want)
					return
				}
				if got, want := s.MatchAny(p), len(ns.match(p)) > 0; got != want {
					errc <- fmt.Errorf("MatchAny(%q) = %v, want %v", p, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}

// TestMatchTree checks the paths a changed directory or submodule touches:
// the patterns it matches and those that continue below it segment by
// segment, but not those that would make every path a directory above them.
func TestMatchTree(t *testing.T) {
	t.Parallel()
	patterns := []string{
		"vendor/ranker/src/**",   // 0
		"services/*/clinical/**", // 1
		"src/**/*.go",            // 2
		"**/*.md",                // 3
		"src/api/allergies.go",   // 4
		"*/clinical/**",          // 5
		"{lib,pkg}/dose/**",      // 6
	}
	s, errs := Compile(patterns)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tests := []struct {
		path string
		want []int
	}{
		{"vendor/ranker", []int{0}},
		{"vendor", []int{0, 5}},
		{"vendor/ranker/src", []int{0}},
		{"vendor/other", nil},
		{"services/eprescribe", []int{1}},
		{"src", []int{2, 4, 5}},
		{"src/api", []int{4}},
		{"src/x.go", []int{2}},
		{"src/readme.txt", nil},
		{"docs/guide", nil},
		{"pkg", []int{5, 6}},
		{"lib/dose", []int{6}},
		{"vendor/ranker/src/a.go", []int{0}},
	}
	for _, tt := range tests {
		if got := s.MatchTree(tt.path); !slices.Equal(got, tt.want) {
			t.Errorf("MatchTree(%q) = %v, want %v", tt.path, got, tt.want)
		}
		if got := s.MatchAnyTree(tt.path); got != (len(tt.want) > 0) {
			t.Errorf("MatchAnyTree(%q) = %v, want %v", tt.path, got, len(tt.want) > 0)
		}
	}
}

// TestUnkeyableGlobsIndexedByLiteralSegment: the globs issue 12 found tried
// against every changed file — a class before the first literal segment,
// "**" twice, a brace set too large to expand — are filed by a literal
// segment they have, so a path without it never tries them, and they still
// match exactly what doublestar matches.
func TestUnkeyableGlobsIndexedByLiteralSegment(t *testing.T) {
	t.Parallel()
	var exts []string
	for i := range 70 {
		exts = append(exts, fmt.Sprintf("e%d", i))
	}
	patterns := []string{
		"[s]rc/mod001/**",
		"**/**/x/*.go",
		"src/x/*.{" + strings.Join(exts, ",") + "}",
		"[!a]rc/mod002/*.go",
		"**/*mod*", // no literal segment: the only fallback
	}
	s, errs := Compile(patterns)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !slices.Equal(s.fallback, []int{4}) {
		t.Errorf("fallback = %v, want only the pattern without a literal segment", s.fallback)
	}
	ns := newNaiveSet(patterns)
	// A brace set of 70 is past expansion; one of 50 expands (for
	// validation) but is filed and kept for trees as one entry.
	fifty := "src/y/**/*.{" + strings.Join(exts[:50], ",") + "}"
	big, _ := Compile([]string{fifty})
	if len(big.tree[0]) != 1 || len(big.segment["y"])+len(big.segment["src"]) != 1 || len(big.fallback) != 0 {
		t.Errorf("%s: %d tree entries, segment buckets %v, fallback %v; want it filed once", fifty, len(big.tree[0]), big.segment, big.fallback)
	}
	for _, p := range []string{"src/y/a/b.e49", "src/y/b.e1", "src/y", "src", "src/y/b.e50"} {
		checkAgainstNaive(t, []string{fifty}, big, newNaiveSet([]string{fifty}), p)
	}
	for _, p := range []string{
		"src/mod001/a.go", "src/mod001", "xrc/mod001/b/c", "src/mod002/a.go", "/rc/mod002/a.go", "arc/mod002/a.go",
		"x/a.go", "a/b/x/c.go", "a/x/b/c.go", "src/x/f.e69", "src/x/f.e70", "src/x/sub/f.e1",
		"lib/mod001/a.go", "docs/module.md", "src/other/a.go",
	} {
		checkAgainstNaive(t, patterns, s, ns, p)
	}
}
