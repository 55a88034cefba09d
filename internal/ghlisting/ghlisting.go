// Package ghlisting reads a GitHub list endpoint's JSON as users save it
// from the gh command line: one array, the arrays `gh api --paginate`
// prints one after another, or the single array of arrays `--slurp` makes.
// The review and hazard-issue readers share it, so both accept exactly the
// same shapes and word their refusals alike.
package ghlisting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Items splits data into its raw objects, in order. noun names them in the
// plural ("reviews"); hint says how to save a listing the gate reads, and
// ends every error.
func Items(data []byte, noun, hint string) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var items []json.RawMessage
	pages := 0
	for {
		var page []json.RawMessage
		err := dec.Decode(&page)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || page == nil {
			if err == nil {
				err = errors.New("null")
			}
			return nil, fmt.Errorf("not a JSON array of %s (after %d page%s: %v); %s", noun, pages, plural(pages), err, hint)
		}
		pages++
		items = append(items, page...)
	}
	if pages == 0 {
		return nil, fmt.Errorf("no JSON array of %s (the input is empty); %s", noun, hint)
	}
	// --slurp wraps the pages in one array: an array whose items are all
	// arrays. A mix of objects and arrays is neither shape.
	nested := 0
	for _, it := range items {
		if FirstByte(it) == '[' {
			nested++
		}
	}
	switch {
	case nested == 0:
		return items, nil
	case nested < len(items) || pages > 1:
		return nil, fmt.Errorf("%s and arrays of %s are mixed; %s", noun, noun, hint)
	}
	var flat []json.RawMessage
	for _, it := range items {
		var page []json.RawMessage
		if err := json.Unmarshal(it, &page); err != nil {
			return nil, fmt.Errorf("not a JSON array of arrays of %s (%v); %s", noun, err, hint)
		}
		for _, r := range page {
			if FirstByte(r) == '[' {
				return nil, fmt.Errorf("arrays nested more than twice; %s", hint)
			}
		}
		flat = append(flat, page...)
	}
	return flat, nil
}

// FirstByte is raw's first byte after white space (0 when there is none):
// '{' for an object, '[' for an array.
func FirstByte(raw json.RawMessage) byte {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) > 0 {
		return t[0]
	}
	return 0
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
