package repofiles

import (
	"reflect"
	"testing"
)

// FuzzEvidence: any evidence string is classified and checked without a
// panic, a path outside the repository is never present, and the record's
// witnesses always give the same answer as the whole tree.
func FuzzEvidence(f *testing.F) {
	for _, s := range []string{"tests/search/banner_test.go", "../../etc/passwd", "/etc/passwd", "**", "file:a b.pdf",
		"https://x", "test:TestX", "tests/[", "{a,b}/*.go", "Tests/Search/Banner_test.go", "tests/search/"} {
		f.Add(s)
	}
	tr, err := New("fuzz", head)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, evidence string) {
		hz := []Hazard{{ID: "H", Components: []string{evidence}, Controls: []Control{{ID: "C", Evidence: evidence}}}}
		res := Check(tr, hz)
		for _, ev := range res.Evidence {
			if _, target := Classify(ev.Evidence); ev.Status == "present" && (len(target) > 0 && target[0] == '/') {
				t.Fatalf("absolute evidence %q is present", evidence)
			}
		}
		w, err := New("witnesses", res.Witnesses)
		if err != nil {
			t.Fatalf("witnesses do not make a tree: %v", err)
		}
		again := Check(w, hz)
		if !reflect.DeepEqual(again.Evidence, res.Evidence) || !reflect.DeepEqual(again.Orphaned, res.Orphaned) {
			t.Fatalf("%q: witnesses give %+v %+v, tree %+v %+v", evidence, again.Evidence, again.Orphaned, res.Evidence, res.Orphaned)
		}
	})
}
