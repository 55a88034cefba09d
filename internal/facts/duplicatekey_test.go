package facts

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// tokenDuplicateKey is the token-by-token reading duplicateKey replaced,
// kept as the reference it must agree with.
func tokenDuplicateKey(raw json.RawMessage) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type level struct {
		object, expectKey bool
		keys              map[string]bool
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if len(stack) == 0 && tok != json.Delim('{') && tok != json.Delim('[') {
			return "", false
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey {
			if key, ok := tok.(string); ok {
				k := strings.ToLower(key)
				if top.keys[k] {
					return key, true
				}
				top.keys[k] = true
				top.expectKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{object: true, expectKey: true, keys: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return "", false
			}
		}
		if t := stack[len(stack)-1]; t.object {
			t.expectKey = true
		}
	}
}

var duplicateKeyCases = []string{
	`{"id":1,"state":"A","state":"B"}`,
	`{"id":1,"state":"A","State":"B"}`,
	`{"id":1,"user":{"login":"a","LOGIN":"b"}}`,
	`{"id":1,"user":{"login":"a"},"login":"b"}`,
	`{"a":{"b":1},"b":2}`,
	`{"a":[{"x":1},{"x":2}],"x":3}`,
	`{"a":["x","x"],"b":"a"}`,
	`{"st\u0061te":"A","state":"B"}`,
	`{"k\"ey":1,"k\"EY":2}`,
	`{"a\\":1,"b":"\\","a\\":2}`,
	`{"a":"{\"a\":1,\"a\":2}","b":1}`,
	`{ "a" : 1 , "A" : 2 }`,
	`{"a":{},"b":[],"c":[[{}]],"a":null}`,
	`{"a":true,"b":false,"c":null,"d":-1.5e3,"B":0}`,
	`{"\u212a":1,"k":2}`,
	`{"id":1}`,
	`[{"a":1,"a":2}]`,
}

func TestDuplicateKeyAgreesWithTokenReader(t *testing.T) {
	t.Parallel()
	for _, in := range duplicateKeyCases {
		gotKey, got := duplicateKey(json.RawMessage(in))
		wantKey, want := tokenDuplicateKey(json.RawMessage(in))
		if gotKey != wantKey || got != want {
			t.Errorf("duplicateKey(%s) = %q, %v; the token reader says %q, %v", in, gotKey, got, wantKey, want)
		}
	}
}

func FuzzDuplicateKey(f *testing.F) {
	for _, in := range duplicateKeyCases {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return // reviewItems hands over valid JSON only
		}
		gotKey, got := duplicateKey(json.RawMessage(in))
		wantKey, want := tokenDuplicateKey(json.RawMessage(in))
		if gotKey != wantKey || got != want {
			t.Errorf("duplicateKey(%q) = %q, %v; the token reader says %q, %v", in, gotKey, got, wantKey, want)
		}
	})
}
