package facts

import (
	"fmt"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/junit"
	"github.com/csogate/csogate/internal/safetyfile"
)

// BenchmarkLinkTests: a large product's run (200,000 test cases, a tenth of
// them linked by property) against 50 touched hazards of 4 controls each.
func BenchmarkLinkTests(b *testing.B) {
	log := &safetyfile.HazardLog{}
	var ids []string
	for h := range 50 {
		hz := safetyfile.Hazard{ID: fmt.Sprintf("HAZ-%03d", h)}
		for c := range 4 {
			hz.Controls = append(hz.Controls, safetyfile.Control{ID: fmt.Sprintf("CTL-%03d-%d", h, c), Kind: "test"})
		}
		log.Hazards = append(log.Hazards, hz)
		ids = append(ids, hz.ID)
	}
	var sb strings.Builder
	sb.WriteString("<testsuites><testsuite name=\"s\">\n")
	for i := range 200_000 {
		if i%10 == 0 {
			fmt.Fprintf(&sb, "<testcase classname=\"pkg.Class%d\" name=\"test_%d\"><properties><property name=\"control\" value=\"CTL-%03d-%d\"/></properties></testcase>\n", i%500, i, i%50, i%4)
		} else {
			fmt.Fprintf(&sb, "<testcase classname=\"pkg.Class%d\" name=\"test_something_%d\"/>\n", i%500, i)
		}
	}
	sb.WriteString("</testsuite></testsuites>")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := junit.Parse("big.xml", data, junit.DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		ev := LinkTests(log, ids, []*junit.Report{r}, "warn")
		if ev.Controls[0].Passed == 0 {
			b.Fatal("no link")
		}
	}
}
