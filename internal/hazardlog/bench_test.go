package hazardlog

import (
	"os"
	"testing"
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
