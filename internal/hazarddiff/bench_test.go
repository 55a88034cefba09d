package hazarddiff

import (
	"testing"

	"github.com/csogate/csogate/internal/fixture"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// BenchmarkDiffLarge compares a large generated log with a copy in which
// every tenth hazard's residual likelihood moved.
func BenchmarkDiffLarge(b *testing.B) {
	dir := b.TempDir()
	size := fixture.Small.Times(40)
	if err := fixture.Write(dir, size); err != nil {
		b.Fatal(err)
	}
	res := hazardlog.Load(dir+"/"+safetyfile.HazardLogPath, hazardlog.Options{})
	if res.Log == nil {
		b.Fatal(res.Problems)
	}
	base := res.Log
	head := *base
	head.Hazards = append([]safetyfile.Hazard{}, base.Hazards...)
	for i := 0; i < len(head.Hazards); i += 10 {
		head.Hazards[i].Residual.Likelihood = risk.VeryLow
	}
	b.ReportMetric(float64(len(base.Hazards)), "hazards")
	b.ResetTimer()
	for b.Loop() {
		if len(Diff(base, &head)) == 0 {
			b.Fatal("no change found")
		}
	}
}
