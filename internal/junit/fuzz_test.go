package junit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: whatever the bytes, Parse returns a report or an *Error naming
// the file, never panics, and keeps every message bounded.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("<testsuites/>"))
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a \"b\">]><testsuite/>"))
	f.Add([]byte("<testsuite><testcase name=\"a\"><failure/><skipped/></testcase></testsuite>"))
	lim := Limits{MaxBytes: 1 << 20, MaxDepth: 16, MaxCases: 1000}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Parse("fuzz.xml", data, lim)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.xml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(rep.Cases) > lim.MaxCases {
			t.Fatalf("%d cases", len(rep.Cases))
		}
		for _, c := range rep.Cases {
			if len(c.Message) > maxMessage+len("…") {
				t.Fatalf("message of %d bytes", len(c.Message))
			}
			if c.Outcome != Passed && c.Outcome != Failed && c.Outcome != Skipped {
				t.Fatalf("outcome %q", c.Outcome)
			}
		}
	})
}
