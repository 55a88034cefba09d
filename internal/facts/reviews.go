package facts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/ghlisting"
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
	return ghlisting.Items(data, "reviews", reviewsHint)
}

// parseReview reads one review object by its exact keys.
func parseReview(item json.RawMessage) (Review, error) {
	if ghlisting.FirstByte(item) != '{' {
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
// raw is one valid JSON value (reviewItems decoded it), so it is scanned
// byte by byte rather than token by token: a review of GitHub's has some
// sixty keys, and a token decoder allocates for each.
func duplicateKey(raw json.RawMessage) (string, bool) {
	type level struct {
		object bool
		keys   []string // lower-cased keys seen so far
	}
	var stack []level
	expectKey := false
	for i := 0; i < len(raw); {
		switch c := raw[i]; c {
		case '{':
			stack = append(stack, level{object: true})
			expectKey = true
			i++
		case '[':
			stack = append(stack, level{})
			expectKey = false
			i++
		case '}', ']':
			if len(stack) == 0 {
				return "", false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return "", false
			}
			expectKey = false
			i++
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
			i++
		case '"':
			end, escaped := stringEnd(raw, i)
			if end < 0 {
				return "", false // the caller's decode reports malformed JSON
			}
			if expectKey && len(stack) > 0 && stack[len(stack)-1].object {
				key := string(raw[i+1 : end-1])
				if escaped {
					if err := json.Unmarshal(raw[i:end], &key); err != nil {
						return "", false
					}
				}
				top := &stack[len(stack)-1]
				k := strings.ToLower(key)
				for _, seen := range top.keys {
					if seen == k {
						return key, true
					}
				}
				top.keys = append(top.keys, k)
				expectKey = false
			}
			i = end
		default:
			if len(stack) == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				return "", false // not an object or array
			}
			i++
		}
	}
	return "", false
}

// stringEnd returns the index just after the JSON string starting at
// raw[start] ('"'), and whether it holds an escape; -1 when it is not closed.
func stringEnd(raw []byte, start int) (int, bool) {
	escaped := false
	for i := start + 1; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			return i + 1, escaped
		}
	}
	return -1, escaped
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
