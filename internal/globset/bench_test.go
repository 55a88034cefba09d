package globset

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// workload is a synthetic product: hazards with two component globs each,
// and a change touching some files. Scale 1 is 50 hazards × 2 globs and 30
// files; both sides grow linearly with the scale. The globs follow the
// shapes hazards use ("src/search/**", "src/api/allergies.go",
// "src/ui/allergy/*.tsx", "**/*.md", "docs/**", "services/*/clinical/**").
// With unindexable set, 1% of the globs have no literal key at all
// ("**/*mod7*") and land in the fallback list every path tries, so their
// cost grows with files × globs.
type workload struct {
	patterns []string
	paths    []string
}

type workloadMix struct {
	name        string
	unindexable bool
}

var (
	benchScales = []int{1, 10, 100}
	benchMixes  = []workloadMix{{name: "indexable"}, {name: "1pct_unindexable", unindexable: true}}
)

func newWorkload(scale int, unindexable bool) workload {
	r := rand.New(rand.NewPCG(42, uint64(scale)))
	modules := 10 * scale
	mod := func() int { return r.IntN(modules) }
	var w workload
	for range 50 * scale {
		for range 2 {
			var p string
			switch n := r.IntN(100); {
			case n < 20:
				p = fmt.Sprintf("src/mod%d/**", mod())
			case n < 35:
				p = fmt.Sprintf("src/api/handler%d.go", mod())
			case n < 50:
				p = fmt.Sprintf("src/ui/mod%d/*.tsx", mod())
			case n < 58:
				p = fmt.Sprintf("docs/mod%d/**", mod())
			case n < 66:
				p = fmt.Sprintf("services/svc%d/clinical/**", mod())
			case n < 72:
				p = fmt.Sprintf("services/*/clinical/mod%d/**", mod())
			case n < 80:
				p = fmt.Sprintf("src/mod%d/{handlers,models}/**", mod())
			case n < 88:
				p = fmt.Sprintf("**/mod%d_test.go", mod())
			case n < 95:
				p = fmt.Sprintf("**/mod%d/**", mod())
			case n < 97:
				p = "**/*.md"
			case n < 99 || !unindexable:
				p = fmt.Sprintf("*/mod%d/*.sql", mod())
			default:
				p = fmt.Sprintf("**/*mod%d*", mod()) // no literal key: fallback
			}
			w.patterns = append(w.patterns, p)
		}
	}
	for i := range 30 * scale {
		var p string
		switch r.IntN(7) {
		case 0:
			p = fmt.Sprintf("src/mod%d/handlers/file%d.go", mod(), i)
		case 1:
			p = fmt.Sprintf("src/mod%d/models/mod%d_test.go", mod(), mod())
		case 2:
			p = fmt.Sprintf("src/api/handler%d.go", mod())
		case 3:
			p = fmt.Sprintf("src/ui/mod%d/View%d.tsx", mod(), i)
		case 4:
			p = fmt.Sprintf("docs/mod%d/readme.md", mod())
		case 5:
			p = fmt.Sprintf("services/svc%d/clinical/mod%d/dose.go", mod(), mod())
		default:
			p = fmt.Sprintf("db/mod%d/schema.sql", mod())
		}
		w.paths = append(w.paths, p)
	}
	return w
}

// forEachWorkload runs one sub-benchmark per mix and scale, named like
// "indexable/100x_10000globs_3000files".
func forEachWorkload(b *testing.B, run func(b *testing.B, w workload)) {
	for _, mix := range benchMixes {
		for _, scale := range benchScales {
			w := newWorkload(scale, mix.unindexable)
			name := fmt.Sprintf("%s/%dx_%dglobs_%dfiles", mix.name, scale, len(w.patterns), len(w.paths))
			b.Run(name, func(b *testing.B) { run(b, w) })
		}
	}
}

// BenchmarkMatch matches every changed file against the compiled set; one
// op is the whole change. Compare with BenchmarkMatchNaive: there ns/op
// grows with files × globs (100× per 10× step), here with the files and the
// matches they produce, plus files × fallback globs for the
// 1pct_unindexable mix.
func BenchmarkMatch(b *testing.B) {
	forEachWorkload(b, func(b *testing.B, w workload) {
		s, errs := Compile(w.patterns)
		if len(errs) > 0 {
			b.Fatalf("Compile: %v", errs)
		}
		matches := 0
		for b.Loop() {
			matches = 0
			for _, p := range w.paths {
				matches += len(s.Match(p))
			}
		}
		b.ReportMetric(float64(matches), "matches/op")
		b.ReportMetric(float64(len(s.fallback)), "fallback_globs")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(w.paths)), "ns/file")
	})
}

// BenchmarkMatchTree is BenchmarkMatch with every path also taken as a
// directory or submodule above globs, as the gate matches changed files.
func BenchmarkMatchTree(b *testing.B) {
	forEachWorkload(b, func(b *testing.B, w workload) {
		s, errs := Compile(w.patterns)
		if len(errs) > 0 {
			b.Fatalf("Compile: %v", errs)
		}
		matches := 0
		for b.Loop() {
			matches = 0
			for _, p := range w.paths {
				matches += len(s.MatchTree(p))
			}
		}
		b.ReportMetric(float64(matches), "matches/op")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(w.paths)), "ns/file")
	})
}

// BenchmarkMatchNaive is the files × globs cross product with
// doublestar.Match, the baseline BenchmarkMatch is measured against.
func BenchmarkMatchNaive(b *testing.B) {
	forEachWorkload(b, func(b *testing.B, w workload) {
		ns := newNaiveSet(w.patterns)
		matches := 0
		for b.Loop() {
			matches = 0
			for _, p := range w.paths {
				matches += len(ns.match(p))
			}
		}
		b.ReportMetric(float64(matches), "matches/op")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(w.paths)), "ns/file")
	})
}

// BenchmarkMatchAny is the ignore_paths style question: does anything match?
func BenchmarkMatchAny(b *testing.B) {
	forEachWorkload(b, func(b *testing.B, w workload) {
		s, _ := Compile(w.patterns)
		for b.Loop() {
			for _, p := range w.paths {
				s.MatchAny(p)
			}
		}
	})
}

// BenchmarkCompile measures validating the globs and building the index.
func BenchmarkCompile(b *testing.B) {
	forEachWorkload(b, func(b *testing.B, w workload) {
		for b.Loop() {
			Compile(w.patterns)
		}
	})
}

// TestBenchmarkWorkload checks that the benchmark measures real work: the
// indexed and naive matchers agree on the workload and it has matches.
func TestBenchmarkWorkload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		scale          int
		unindexable    bool
		wantAllIndexes bool // 1x is too small to draw every template
	}{
		{name: "indexable 1x", scale: 1},
		{name: "indexable 10x", scale: 10},
		{name: "unindexable 1x", scale: 1, unindexable: true},
		{name: "unindexable 10x", scale: 10, unindexable: true, wantAllIndexes: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorkload(tt.scale, tt.unindexable)
			s, errs := Compile(w.patterns)
			if len(errs) > 0 {
				t.Fatalf("Compile errors = %v, want none", errs)
			}
			ns := newNaiveSet(w.patterns)
			total := 0
			for _, p := range w.paths {
				got, want := s.Match(p), ns.match(p)
				if !slices.Equal(got, want) {
					t.Fatalf("Match(%q) = %v, want %v", p, got, want)
				}
				total += len(got)
			}
			if total == 0 {
				t.Fatalf("workload at %dx has no matches, want some", tt.scale)
			}
			if !tt.unindexable && len(s.fallback) > 0 {
				t.Errorf("indexable workload at %dx has %d fallback globs, want 0", tt.scale, len(s.fallback))
			}
			if tt.wantAllIndexes && (len(s.fallback) == 0 || len(s.prefix) == 0 || len(s.literal) == 0 || len(s.base) == 0 || len(s.segment) == 0 || len(s.ext) == 0 || len(s.position) == 0) {
				t.Errorf("workload at %dx does not use every index: fallback %d prefix %d literal %d base %d segment %d ext %d position %d",
					tt.scale, len(s.fallback), len(s.prefix), len(s.literal), len(s.base), len(s.segment), len(s.ext), len(s.position))
			}
		})
	}
}
