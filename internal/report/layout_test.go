package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// layoutWhole is the layout as one pass over the whole compact document, the
// reference the streaming lineLayout must match byte for byte.
func layoutWhole(compact []byte) []byte {
	var out []byte
	depth, inString := 0, false
	newline := func(d int) {
		out = append(out, '\n')
		for range d {
			out = append(out, ' ', ' ')
		}
	}
	for i := 0; i < len(compact); i++ {
		c := compact[i]
		if inString {
			out = append(out, c)
			switch c {
			case '\\':
				i++
				out = append(out, compact[i])
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			out = append(out, c)
		case '{', '[':
			depth++
			out = append(out, c)
			if depth <= 2 && i+1 < len(compact) && compact[i+1] != '}' && compact[i+1] != ']' {
				newline(depth)
			}
		case '}', ']':
			if depth <= 2 && compact[i-1] != '{' && compact[i-1] != '[' {
				newline(depth - 1)
			}
			depth--
			out = append(out, c)
		case ',':
			out = append(out, c)
			if depth <= 2 {
				newline(depth)
			}
		case ':':
			out = append(out, c)
			if depth == 1 {
				out = append(out, ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// TestLineLayoutInPieces: the layout written as it is encoded is the same
// bytes however the compact JSON is cut into writes — between an escape's
// backslash and what it escapes, between a bracket and the bracket closing
// it, inside strings that hold quotes, braces and commas.
func TestLineLayoutInPieces(t *testing.T) {
	t.Parallel()
	docs := []string{
		`{"a":[],"b":{},"c":[{"x":"y \"q\" {b} [c], d: \\ e\\\\","n":[1,2,{"m":[]}]},{}],"d":"\\","e":{"f":{"g":[1]}}}` + "\n",
		`{"decision":"blocked","clinical_changes":[{"id":"CHG-1","reasons":["a, b","c\"]"]}],"approvals":[],"violations":[{"code":"X","message":"{[\\\"]}"}]}` + "\n",
		`[]`, `{}`, `{"a":"\u00e9\n"}`, `[[],[[]],{"a":{}}]`,
	}
	for _, doc := range docs {
		want := layoutWhole([]byte(doc))
		for cut := 0; cut <= len(doc); cut++ {
			for _, step := range []int{1, 3, len(doc) + 1} {
				var got bytes.Buffer
				bw := bufio.NewWriter(&got)
				lw := &lineLayout{w: bw}
				if _, err := lw.Write([]byte(doc[:cut])); err != nil {
					t.Fatal(err)
				}
				for i := cut; i < len(doc); i += step {
					if _, err := lw.Write([]byte(doc[i:min(i+step, len(doc))])); err != nil {
						t.Fatal(err)
					}
				}
				bw.Flush()
				if !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("%q cut at %d, then by %d:\ngot  %q\nwant %q", doc, cut, step, got.Bytes(), want)
				}
			}
		}
	}
	// The decision document as a whole, too.
	d := hugeDecision()
	d.Violations[0].Message = `a "quoted" {brace} [bracket], comma: colon \ backslash`
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if err := JSON(&got, d); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(layoutWhole(compact.Bytes())) {
		t.Fatal("JSON differs from the one-pass layout of the compact encoding")
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestJSONWriteError: a writer that fails part way is an error, not a
// truncated document reported as written.
func TestJSONWriteError(t *testing.T) {
	t.Parallel()
	for _, room := range []int{0, 100, 200 << 10} {
		if err := JSON(&failingWriter{n: room}, hugeDecision()); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("room %d: err %v, want disk full", room, err)
		}
	}
}
