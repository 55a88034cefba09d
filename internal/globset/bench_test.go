package globset

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// workload is a synthetic product: hazards with two component globs each,
// and a change touching some files. Scale 1 is 50 hazards × 2 globs and 30
// files; both sides grow linearly with the scale.
type workload struct {
	patterns []string
	paths    []string
}

func newWorkload(scale int) workload {
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
			case n < 99:
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

var benchScales = []int{1, 10, 100}

// BenchmarkMatch matches every changed file against the compiled set; one
// op is the whole change. Compare with BenchmarkMatchNaive: ns/op grows
// roughly linearly with the scale here and quadratically there.
func BenchmarkMatch(b *testing.B) {
	for _, scale := range benchScales {
		w := newWorkload(scale)
		s, errs := Compile(w.patterns)
		if len(errs) > 0 {
			b.Fatalf("Compile: %v", errs)
		}
		b.Run(fmt.Sprintf("%dx_%dglobs_%dfiles", scale, len(w.patterns), len(w.paths)), func(b *testing.B) {
			matches := 0
			for b.Loop() {
				matches = 0
				for _, p := range w.paths {
					matches += len(s.Match(p))
				}
			}
			b.ReportMetric(float64(matches), "matches/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(w.paths)), "ns/file")
		})
	}
}

// BenchmarkMatchNaive is the files × globs cross product with
// doublestar.Match, the baseline BenchmarkMatch is measured against.
func BenchmarkMatchNaive(b *testing.B) {
	for _, scale := range benchScales {
		w := newWorkload(scale)
		ns := newNaiveSet(w.patterns)
		b.Run(fmt.Sprintf("%dx_%dglobs_%dfiles", scale, len(w.patterns), len(w.paths)), func(b *testing.B) {
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
}

// BenchmarkMatchAny is the ignore_paths style question: does anything match?
func BenchmarkMatchAny(b *testing.B) {
	for _, scale := range benchScales {
		w := newWorkload(scale)
		s, _ := Compile(w.patterns)
		b.Run(fmt.Sprintf("%dx_%dglobs_%dfiles", scale, len(w.patterns), len(w.paths)), func(b *testing.B) {
			for b.Loop() {
				for _, p := range w.paths {
					s.MatchAny(p)
				}
			}
		})
	}
}

// BenchmarkCompile measures building the index.
func BenchmarkCompile(b *testing.B) {
	for _, scale := range benchScales {
		w := newWorkload(scale)
		b.Run(fmt.Sprintf("%dx_%dglobs", scale, len(w.patterns)), func(b *testing.B) {
			for b.Loop() {
				Compile(w.patterns)
			}
		})
	}
}

// TestBenchmarkWorkload checks that the benchmark measures real work: the
// indexed and naive matchers agree on the workload and it has matches.
func TestBenchmarkWorkload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		scale          int
		wantAllIndexes bool // 1x is too small to draw every template
	}{
		{name: "1x", scale: 1},
		{name: "10x", scale: 10, wantAllIndexes: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorkload(tt.scale)
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
			if tt.wantAllIndexes && (len(s.fallback) == 0 || len(s.prefix) == 0 || len(s.literal) == 0 || len(s.base) == 0 || len(s.segment) == 0 || len(s.ext) == 0 || len(s.position) == 0) {
				t.Errorf("workload at %dx does not use every index: fallback %d prefix %d literal %d base %d segment %d ext %d position %d",
					tt.scale, len(s.fallback), len(s.prefix), len(s.literal), len(s.base), len(s.segment), len(s.ext), len(s.position))
			}
		})
	}
}
