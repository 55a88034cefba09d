package repofiles

import (
	"strconv"
	"testing"
)

// BenchmarkCheck: a repository of 100,000 files and a log of 1,000 hazards
// with 2 component globs and 2 evidence paths each, every one checked (the
// hazard log changed) — one pass over the files.
func BenchmarkCheck(b *testing.B) {
	entries := make(map[string]Kind, 100000)
	for i := range 100000 {
		entries["src/module"+strconv.Itoa(i%1000)+"/pkg"+strconv.Itoa(i%7)+"/file"+strconv.Itoa(i)+".go"] = File
	}
	tr, err := New("bench", entries)
	if err != nil {
		b.Fatal(err)
	}
	hazards := make([]Hazard, 1000)
	for i := range hazards {
		m := strconv.Itoa(i)
		hazards[i] = Hazard{ID: "HAZ-" + m, Components: []string{"src/module" + m + "/**", "src/gone" + m + "/*.go"},
			Controls: []Control{{ID: "C1", Evidence: "src/module" + m + "/pkg0/file" + m + ".go"}, {ID: "C2", Evidence: "tests/module" + m + "/*_test.go"}}}
	}
	b.ResetTimer()
	for range b.N {
		res := Check(tr, hazards)
		if len(res.Orphaned) != 1000 {
			b.Fatal(len(res.Orphaned))
		}
	}
}
