package facts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ParseReviews reads GitHub reviews as the CLI is given them: the JSON array
// `gh api repos/OWNER/REPO/pulls/N/reviews` prints, the arrays one after
// another that `gh api --paginate` prints ([...][...]), or the array of
// arrays of `gh api --paginate --slurp`.
//
// It is strict, because a lenient reader could approve what GitHub does not:
// anything but GitHub's shape is an error and no review is returned. A review
// needs its id, its state and its user; keys are matched exactly, and a key
// given twice in one object ("state" and "State" too) is an error, since
// readers disagree on which one wins. A review whose user is null (a deleted
// account) is kept with an empty Login: the gate skips it with a warning,
// naming the review, rather than refusing the whole list.
func ParseReviews(data []byte) ([]Review, error) {
	items, err := reviewItems(data)
	if err != nil {
		return nil, err
	}
	out := make([]Review, 0, len(items))
	for i, item := range items {
		r, err := parseReview(item)
		if err != nil {
			return nil, fmt.Errorf("review %d: %v", i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

const reviewsHint = "save the output of gh api repos/OWNER/REPO/pulls/N/reviews (--paginate and --slurp are read too)"

// reviewItems splits the input into the raw review objects, in order.
func reviewItems(data []byte) ([]json.RawMessage, error) {
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
			return nil, fmt.Errorf("not a JSON array of reviews (after %d page%s: %v); %s", pages, plural(pages), err, reviewsHint)
		}
		pages++
		items = append(items, page...)
	}
	if pages == 0 {
		return nil, fmt.Errorf("no JSON array of reviews (the input is empty); %s", reviewsHint)
	}
	// --slurp wraps the pages in one array: an array whose items are all
	// arrays. A mix of reviews and arrays is neither shape.
	nested := 0
	for _, it := range items {
		if firstByte(it) == '[' {
			nested++
		}
	}
	switch {
	case nested == 0:
		return items, nil
	case nested < len(items) || pages > 1:
		return nil, fmt.Errorf("reviews and arrays of reviews are mixed; %s", reviewsHint)
	}
	var flat []json.RawMessage
	for _, it := range items {
		var page []json.RawMessage
		if err := json.Unmarshal(it, &page); err != nil {
			return nil, fmt.Errorf("not a JSON array of arrays of reviews (%v); %s", err, reviewsHint)
		}
		for _, r := range page {
			if firstByte(r) == '[' {
				return nil, fmt.Errorf("arrays nested more than twice; %s", reviewsHint)
			}
		}
		flat = append(flat, page...)
	}
	return flat, nil
}

func firstByte(raw json.RawMessage) byte {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) > 0 {
		return t[0]
	}
	return 0
}

// parseReview reads one review object by its exact keys.
func parseReview(item json.RawMessage) (Review, error) {
	if firstByte(item) != '{' {
		return Review{}, fmt.Errorf("is %s, not a review object", excerpt(item))
	}
	if key, ok := duplicateKey(item); ok {
		return Review{}, fmt.Errorf("has the key %q twice; a review must say each thing once", key)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(item, &fields); err != nil {
		return Review{}, err
	}
	var r Review
	if err := field(fields, "id", &r.ID, true); err != nil {
		return Review{}, err
	}
	if string(bytes.TrimSpace(fields["id"])) == "null" {
		return Review{}, errors.New("has a null id")
	}
	if err := field(fields, "state", &r.State, true); err != nil {
		return Review{}, err
	}
	if strings.TrimSpace(r.State) == "" {
		return Review{}, fmt.Errorf("(id %d) has an empty state", r.ID)
	}
	if err := field(fields, "commit_id", &r.CommitID, false); err != nil {
		return Review{}, err
	}
	var submitted *string
	if err := field(fields, "submitted_at", &submitted, false); err != nil {
		return Review{}, err
	}
	if submitted != nil && *submitted != "" {
		t, err := time.Parse(time.RFC3339, *submitted)
		if err != nil {
			return Review{}, fmt.Errorf("(id %d): submitted_at %q is not an RFC 3339 time", r.ID, *submitted)
		}
		r.SubmittedAt = t
	}
	rawUser, ok := fields["user"]
	if !ok {
		return Review{}, fmt.Errorf("(id %d) has no user; each review must say who wrote it", r.ID)
	}
	if string(bytes.TrimSpace(rawUser)) == "null" {
		// A deleted account: nobody to hold to the register.
		return r, nil
	}
	var user map[string]json.RawMessage
	if err := json.Unmarshal(rawUser, &user); err != nil || user == nil {
		return Review{}, fmt.Errorf("(id %d): user is %s, not a user object", r.ID, excerpt(rawUser))
	}
	if err := field(user, "login", &r.Login, true); err != nil {
		return Review{}, fmt.Errorf("(id %d): user.%v", r.ID, err)
	}
	if strings.TrimSpace(r.Login) == "" {
		return Review{}, fmt.Errorf("(id %d) has an empty user.login; each review must say who wrote it", r.ID)
	}
	if err := field(user, "id", &r.UserID, false); err != nil {
		return Review{}, fmt.Errorf("(id %d): user.%v", r.ID, err)
	}
	return r, nil
}

// field decodes fields[key] into v; a missing key is an error when required.
func field(fields map[string]json.RawMessage, key string, v any, required bool) error {
	raw, ok := fields[key]
	if !ok {
		if required {
			return fmt.Errorf("has no %s", key)
		}
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s is %s, which is not what GitHub sends (%v)", key, excerpt(raw), err)
	}
	return nil
}

// duplicateKey finds a key given twice in one object anywhere in raw,
// compared case-insensitively as encoding/json matches struct fields.
func duplicateKey(raw json.RawMessage) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type level struct {
		object    bool
		expectKey bool
		keys      map[string]bool
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // the caller's decode reports malformed JSON
		}
		if len(stack) == 0 && tok != json.Delim('{') && tok != json.Delim('[') {
			return "", false
		}
		top := (*level)(nil)
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
		// A value ended: the enclosing object expects a key next.
		if t := stack[len(stack)-1]; t.object {
			t.expectKey = true
		}
	}
}

// excerpt quotes at most a short start of a JSON value.
func excerpt(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
