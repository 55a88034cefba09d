package hazardlog

import (
	"os"
	"sync"
	"testing"

	"github.com/csogate/csogate/internal/fixture"
	"github.com/csogate/csogate/internal/safetyfile"
)

func BenchmarkLoadCSV(b *testing.B) {
	data, err := os.ReadFile("testdata/csv/valid.csv")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		loadData("hazard-log.csv", data, FormatCSV, config(underReview))
	}
}

// benchHazards is the size of the log the per-hazard benchmarks read: the
// fixture generator's log, with every field, about 1.6 CSV rows a hazard.
const benchHazards = 5000

var benchLog = sync.OnceValues(func() (yaml, csv []byte) {
	files, err := fixture.Generate(fixture.Size{Hazards: benchHazards, Changes: 1, Reviews: 1})
	if err != nil {
		panic(err)
	}
	log, _, problems := safetyfile.LoadHazardLog("hazard-log.yaml", files.HazardLog, safetyfile.Options{})
	if len(problems) > 0 {
		panic(problems)
	}
	csv, err = exportCSV(log)
	if err != nil {
		panic(err)
	}
	return files.HazardLog, csv
})

// BenchmarkLoadLargeCSV and BenchmarkLoadLargeYAML read the same log in two
// layouts; their time and bytes per hazard compare the CSV reader with the
// YAML reader (the target: within 2× of it).
func BenchmarkLoadLargeCSV(b *testing.B) {
	_, data := benchLog()
	benchLoad(b, data, FormatCSV)
}

func BenchmarkLoadLargeYAML(b *testing.B) {
	data, _ := benchLog()
	benchLoad(b, data, FormatYAML)
}

func benchLoad(b *testing.B, data []byte, format Format) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res := loadData("hazard-log."+string(format), data, format, config(nil))
		if !res.Valid() || len(res.Log.Hazards) != benchHazards {
			b.Fatalf("%d hazards, problems %v", len(res.Log.Hazards), res.Problems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchHazards, "ns/hazard")
}
