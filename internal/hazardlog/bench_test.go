package hazardlog

import (
	"os"
	"runtime"
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

// BenchmarkLoadLargeXLSX reads the same log as a workbook.
func BenchmarkLoadLargeXLSX(b *testing.B) {
	benchLoad(b, benchWorkbook(), FormatXLSX)
}

var benchWorkbook = sync.OnceValue(func() []byte {
	data, _ := benchLog()
	log, _, problems := safetyfile.LoadHazardLog("hazard-log.yaml", data, safetyfile.Options{})
	if len(problems) > 0 {
		panic(problems)
	}
	xlsx, err := exportXLSX(log)
	if err != nil {
		panic(err)
	}
	return xlsx
})

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

// allocated is the bytes allocated while reading data (the test is not
// parallel, so nothing else allocates meanwhile).
func allocated(t *testing.T, data []byte, format Format) uint64 {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := loadData("hazard-log."+string(format), data, format, config(nil))
	runtime.ReadMemStats(&after)
	if !res.Valid() || len(res.Log.Hazards) != benchHazards {
		t.Fatalf("%s: %d hazards, problems %v", format, len(res.Log.Hazards), res.Problems)
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestCSVReadCostBounded: reading a CSV log costs a bounded multiple of the
// file, and less than reading the same log as YAML (a 130 MB CSV once took
// 9.1 GB: 70 times the file; this log took 28 times its file and 0.65 of
// the YAML reader's bytes a hazard).
func TestCSVReadCostBounded(t *testing.T) {
	yaml, csv := benchLog()
	csvBytes, yamlBytes := allocated(t, csv, FormatCSV), allocated(t, yaml, FormatYAML)
	t.Logf("CSV %d bytes: %d allocated (%.1f× the file, %.0f a hazard); YAML: %.0f a hazard",
		len(csv), csvBytes, float64(csvBytes)/float64(len(csv)), float64(csvBytes)/benchHazards, float64(yamlBytes)/benchHazards)
	if limit := 16 * uint64(len(csv)); csvBytes > limit {
		t.Errorf("reading the CSV allocated %d bytes, more than 16 times the file (%d)", csvBytes, limit)
	}
	if csvBytes*2 > yamlBytes {
		t.Errorf("reading the CSV allocated %d bytes, more than half the YAML reader's %d for the same log", csvBytes, yamlBytes)
	}
}

// TestXLSXReadCostBounded: reading the log as a workbook allocates at most
// twice what reading it as YAML does (through excelize's row reader and
// GetMergeCells it took 5.2 times; the streaming scans take 1.36).
func TestXLSXReadCostBounded(t *testing.T) {
	yaml, _ := benchLog()
	xlsx := benchWorkbook()
	xlsxBytes, yamlBytes := allocated(t, xlsx, FormatXLSX), allocated(t, yaml, FormatYAML)
	t.Logf("XLSX %d bytes: %d allocated (%.0f a hazard); YAML: %.0f a hazard",
		len(xlsx), xlsxBytes, float64(xlsxBytes)/benchHazards, float64(yamlBytes)/benchHazards)
	if xlsxBytes > 2*yamlBytes {
		t.Errorf("reading the workbook allocated %d bytes, more than twice the YAML reader's %d for the same log", xlsxBytes, yamlBytes)
	}
}
