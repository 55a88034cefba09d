package ghlisting

import (
	"strings"
	"testing"
)

func TestItems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in string
		want     int    // objects, when wantErr is ""
		wantErr  string // a part of the error
	}{
		{name: "one array", in: `[{"id":1},{"id":2}]`, want: 2},
		{name: "paginate: arrays one after another", in: "[{\"id\":1}]\n[{\"id\":2},{\"id\":3}]\n", want: 3},
		{name: "slurp: an array of arrays", in: `[[{"id":1}],[{"id":2}]]`, want: 2},
		{name: "an empty page", in: `[]`, want: 0},
		{name: "empty input", in: "  \n", wantErr: "no JSON array of things (the input is empty)"},
		{name: "null", in: `null`, wantErr: "not a JSON array of things (after 0 pages: null)"},
		{name: "an object, not an array", in: `{"id":1}`, wantErr: "not a JSON array of things"},
		{name: "cut short after a page", in: `[{"id":1}][{"id":`, wantErr: "after 1 page:"},
		{name: "objects and arrays mixed", in: `[{"id":1},[{"id":2}]]`, wantErr: "things and arrays of things are mixed"},
		{name: "slurp pages after paginate pages", in: `[[{"id":1}]][[{"id":2}]]`, wantErr: "are mixed"},
		{name: "nested three deep", in: `[[[{"id":1}]]]`, wantErr: "arrays nested more than twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Items([]byte(tt.in), "things", "HINT")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasSuffix(err.Error(), "; HINT") {
					t.Fatalf("error %v; want one containing %q and ending with the hint", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("%d items, error %v; want %d", len(got), err, tt.want)
			}
			for _, it := range got {
				if FirstByte(it) != '{' {
					t.Errorf("item %s is not an object", it)
				}
			}
		})
	}
}

// FuzzItems: any input either fails with the hint or gives objects only,
// never an array left inside.
func FuzzItems(f *testing.F) {
	for _, s := range []string{`[{"a":1}]`, "[1][2]", `[[{"a":1}],[]]`, `[[[]]]`, ``, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items, err := Items([]byte(in), "things", "HINT")
		if err != nil {
			if !strings.HasSuffix(err.Error(), "; HINT") {
				t.Fatalf("error without the hint: %v", err)
			}
			return
		}
		for _, it := range items {
			if FirstByte(it) == '[' {
				t.Fatalf("an array was left in the items: %s", it)
			}
		}
	})
}
