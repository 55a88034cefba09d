package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
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

// TestJSONPiecesMatchEncoder: the decision written a piece at a time is the
// bytes one json.Encoder (without HTML escaping) writes for it, laid out:
// for an empty decision (null lists), a large one, and one with every field
// filled in (each omitempty field present, pointers set, strings with HTML
// characters and escapes).
func TestJSONPiecesMatchEncoder(t *testing.T) {
	t.Parallel()
	filled := &decision.Decision{}
	fillValue(reflect.ValueOf(filled).Elem(), 1)
	huge := hugeDecision()
	huge.Violations[0].Message = `<a href="x">&amp;</a> "quoted" \ back` + "\n\t\u2028"
	for name, d := range map[string]*decision.Decision{"empty": {}, "huge": huge, "filled": filled} {
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		if err := JSON(&got, d); err != nil {
			t.Fatal(err)
		}
		if want := string(layoutWhole(whole.Bytes())); got.String() != want {
			i := 0
			for i < len(want) && i < got.Len() && want[i] == got.String()[i] {
				i++
			}
			t.Errorf("%s: differs from the whole encoding at byte %d:\ngot  %.200q\nwant %.200q", name, i, got.String()[i:], want[i:])
		}
	}
}

// TestPieceFieldsDeclines: a struct whose encoding pieces could differ from
// the whole is encoded whole.
func TestPieceFieldsDeclines(t *testing.T) {
	t.Parallel()
	type inner struct{ A int }
	for _, v := range []any{
		&struct{ A int }{}, // no tag: the Go name
		&struct{ inner }{}, // embedded
		&struct {
			A int `json:"a,string"`
		}{}, // an option
		&struct {
			A int `json:",omitempty"`
		}{}, // no name
		&marshals{},
		[]int{1},
	} {
		if _, ok := pieceFields(reflect.TypeOf(v)); ok {
			t.Errorf("%T: split, want whole", v)
		}
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		var got bytes.Buffer
		if err := encodePieces(&got, v); err != nil || got.String() != whole.String() {
			t.Errorf("%T: %q, %v; want %q", v, got.String(), err, whole.String())
		}
	}
	if _, ok := pieceFields(reflect.TypeOf(&decision.Decision{})); !ok {
		t.Error("the decision is encoded whole: the pieces no longer follow its fields")
	}
}

type marshals struct{ A int }

func (marshals) MarshalJSON() ([]byte, error) { return []byte(`"mine"`), nil }

// fillValue sets every field to a non-zero value, slices to two elements.
func fillValue(v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf(`s%d <&> "q" \`, n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n) + 0.5)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fillValue(s.Index(0), n+1)
		fillValue(s.Index(1), n+2)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fillValue(k, n)
		e := reflect.New(v.Type().Elem()).Elem()
		fillValue(e, n+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(v.Field(i), n+i)
			}
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillValue(p.Elem(), n+1)
		v.Set(p)
	case reflect.Interface:
		v.Set(reflect.ValueOf(n))
	}
}
