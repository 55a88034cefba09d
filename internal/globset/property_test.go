package globset

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// Pieces the generators build patterns and paths from. They are small on
// purpose so that generated patterns and paths often meet.
var (
	genNames = []string{"a", "b", "ab", "src", "api", "x.go", "a.md", "b.md", ".md", "go", "clinical", "Ä", "\uFFFD", "-", ".", "a,b", "]"}
	genMeta  = []string{
		"*", "**", "?", "[ab]", "[!a]", "[a-c]", "[^.]", `\*`, `\a`, `\`, "[", "]", "}", "{",
		"{a,b}", "{a/b,c}", "{,a}", "{a,{b,c}}", "{*,a}", "{[,],x}", "{/,x}", "{**/,}", "{a,b}{c,d}",
		"*.md", "*.go", "**/", "/**", "{.md,.go}",
	}
	genRawBytes = "ab./*?[]{},\\!^-"
)

func genSegment(r *rand.Rand, metaWeight int) string {
	var b strings.Builder
	for range 1 + r.IntN(3) {
		if r.IntN(10) < metaWeight {
			b.WriteString(genMeta[r.IntN(len(genMeta))])
		} else {
			b.WriteString(genNames[r.IntN(len(genNames))])
		}
	}
	return b.String()
}

func genPattern(r *rand.Rand) string {
	if r.IntN(8) == 0 {
		// Raw soup: mostly invalid, exercises validation and odd parses.
		b := make([]byte, r.IntN(10))
		for i := range b {
			b[i] = genRawBytes[r.IntN(len(genRawBytes))]
		}
		return string(b)
	}
	segs := make([]string, 1+r.IntN(4))
	for i := range segs {
		segs[i] = genSegment(r, r.IntN(6))
	}
	p := strings.Join(segs, "/")
	switch r.IntN(12) {
	case 0:
		p = "./" + p
	case 1:
		p = "**/" + p
	case 2:
		p += "/"
	case 3:
		p = "/" + p
	case 4:
		p = "**/*" + genNames[r.IntN(len(genNames))] // extension form
	case 5:
		p = "*" + genNames[r.IntN(len(genNames))] // root extension form
	case 6:
		p = "**/" + genNames[r.IntN(len(genNames))] // base-name form
	}
	return p
}

func genPath(r *rand.Rand, patterns []string) string {
	if len(patterns) > 0 && r.IntN(4) == 0 {
		// Turn a pattern into a path that is likely to match it.
		p := patterns[r.IntN(len(patterns))]
		p = strings.NewReplacer("**", "a/b", "*", "x", "?", "q", "[ab]", "a", "{", "", "}", "", ",", "", `\`, "").Replace(p)
		return p
	}
	segs := make([]string, 1+r.IntN(5))
	for i := range segs {
		segs[i] = genNames[r.IntN(len(genNames))]
		if r.IntN(5) == 0 {
			segs[i] += genNames[r.IntN(len(genNames))]
		}
	}
	p := strings.Join(segs, "/")
	switch r.IntN(12) {
	case 0:
		p = "./" + p
	case 1:
		p += "/"
	case 2:
		p = "/" + p
	case 3:
		p = strings.Replace(p, "a", "\xff", 1)
	case 4:
		p = ""
	case 5:
		p = strings.Replace(p, "/", "//", 1)
	}
	return p
}

// TestMatchesNaive is the property test: for many generated pattern lists
// and paths, Set.Match and Set.MatchAny agree with running doublestar.Match
// on every pattern, and Compile, Valid and doublestar.ValidatePattern agree
// about which patterns are valid.
func TestMatchesNaive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		seed  uint64
		lists int
	}{
		{name: "seed 1", seed: 1, lists: 400},
		{name: "seed 2", seed: 2, lists: 400},
		{name: "seed 3", seed: 3, lists: 400},
		{name: "seed 4", seed: 4, lists: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(tt.seed, 0x9e3779b97f4a7c15))
			for range tt.lists {
				patterns := make([]string, 1+r.IntN(40))
				for i := range patterns {
					patterns[i] = genPattern(r)
				}
				checkValidity(t, patterns)
				s, _ := Compile(patterns)
				ns := newNaiveSet(patterns)
				for range 60 {
					checkAgainstNaive(t, patterns, s, ns, genPath(r, patterns))
				}
				for _, p := range patterns {
					checkAgainstNaive(t, patterns, s, ns, p)
				}
			}
		})
	}
}

// checkValidity asserts that Compile and Valid agree, and that everything
// doublestar rejects is rejected with a reason.
func checkValidity(t *testing.T, patterns []string) {
	t.Helper()
	_, errs := Compile(patterns)
	rejected := map[int]string{}
	for _, e := range errs {
		rejected[e.Index] = e.Err
	}
	for i, p := range patterns {
		err := Valid(p)
		if (err != nil) != (rejected[i] != "") {
			t.Fatalf("pattern %q: Valid = %v but Compile error = %q", p, err, rejected[i])
		}
		if err != nil && err.Error() != rejected[i] {
			t.Fatalf("pattern %q: Valid says %q, Compile says %q", p, err, rejected[i])
		}
		q := naiveTrimDotSlash(p)
		if !doublestar.ValidatePattern(q) && err == nil {
			t.Fatalf("pattern %q: doublestar rejects it but Valid accepts it", p)
		}
		if got, want := syntaxProblem(q) == "", doublestar.ValidatePattern(q); got != want {
			t.Fatalf("pattern %q: syntaxProblem = %q but doublestar.ValidatePattern = %v", q, syntaxProblem(q), want)
		}
	}
}

const (
	fuzzMaxLen      = 96
	fuzzMaxPatterns = 12
	fuzzMaxBraces   = 6
)

// FuzzMatch compares Set against the naive doublestar loop. The first
// argument is a newline-separated pattern list, the second a path; the
// path's ancestors and every pattern are also tried as paths. Inputs are
// trimmed to keep doublestar's own brace recursion (exponential in the
// number of groups) fast.
func FuzzMatch(f *testing.F) {
	seeds := []struct{ patterns, path string }{
		{"src/search/**\nsrc/api/allergies.go\nsrc/ui/allergy/*.tsx", "src/search/a/b.go"},
		{"**/*.md\ndocs/**\nservices/*/clinical/**", "services/x/clinical/y.md"},
		{"src/x/", "src/x"},
		{"./src/**", "./src/a"},
		{"src/**", "src"},
		{"src/**", "src/"},
		{"src/*", "src/"},
		{"**/*.md", "a.md/"},
		{"**/name", "a/name/"},
		{"**/clinical/**", "a/clinical"},
		{"{src,lib}/**\n{a,{b,c}}/x", "lib/z"},
		{"**{/x,/y}\n*{*/x,y}", "a/x"},
		{"{a/**,b}\na/{**,b}\na{/**,}", "a"},
		{"{,}\n{}", ""},
		{"*/clinical/**\n**\n**/**/x", "/x"},
		{"src/[a\nsrc/{a\nsrc/a}\nsrc\\\n/abs\n../x\n.\n./", "src/a"},
		{`src/\*.go` + "\n" + `{a\,b,c}` + "\n" + `[{]{a,b}` + "\n" + `{[,],x}`, "src/*.go"},
		{"\uFFFD/**\n*.\uFFFD\n\xff/**", "\xfe/a"},
		{"src/ä/**\n**/*.tsx\n*.md", "src/ä/x.tsx"},
		{"{a,b,c,d,e}{a,b,c,d,e}{a,b,c}/**\n{a,b,c,d}{a,b,c,d}{a,b,c,d}/**", "ab/x"},
		{"**/*.test.ts\n**/*_test\n**/*.t?", "a/b.test.ts"},
		{"a//b/**\n**//x", "a//b/c"},
		{"services/*/clinical/a/**\nservices/*/clinical/b/**\nservices/*/x/**", "services/s/clinical/a"},
		{"*/clinical/**\n*//x\na*/?b/m/*.sql\n*.d/x\na**/x", "ab/cb/m/x.sql"},
		{"[!a]/x\na[!x]b/c\n*/**/x", "a/b/c"},
		{"docs/**\n./docs/**\ndocs/\n**/*.md\n**/*.md", "docs/a.md"},
	}
	for _, s := range seeds {
		f.Add(s.patterns, s.path)
	}
	f.Fuzz(func(t *testing.T, list, path string) {
		if len(list) > fuzzMaxLen*fuzzMaxPatterns || len(path) > fuzzMaxLen {
			return
		}
		var patterns []string
		for p := range strings.SplitSeq(list, "\n") {
			if len(patterns) == fuzzMaxPatterns {
				break
			}
			if len(p) > fuzzMaxLen || strings.Count(p, "{") > fuzzMaxBraces || strings.Count(p, ",") > 3*fuzzMaxBraces {
				continue
			}
			patterns = append(patterns, p)
		}
		checkValidity(t, patterns)
		s, _ := Compile(patterns)
		ns := newNaiveSet(patterns)
		checkAgainstNaive(t, patterns, s, ns, path)
		// Every ancestor of the path, with and without its trailing slash:
		// "dir/**" and "dir/" patterns also match the directory itself.
		for i := 0; i < len(path); i++ {
			if path[i] == '/' {
				checkAgainstNaive(t, patterns, s, ns, path[:i])
				checkAgainstNaive(t, patterns, s, ns, path[:i+1])
			}
		}
		for _, p := range patterns {
			checkAgainstNaive(t, patterns, s, ns, p)
		}
	})
}
