package junit

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse: a report of 200,000 test cases (14 MB), a tenth with a
// control property.
func BenchmarkParse(b *testing.B) {
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
		if _, err := Parse("big.xml", data, DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}
