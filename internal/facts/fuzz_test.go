package facts

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzParseReviews holds the reviews reader to one property: it never
// approves on input that does not parse cleanly. Whatever it accepts, a
// strict reference reading (exact keys, GitHub's types, one of the three
// shapes gh prints) accepts too and reads the same reviews; and the facts
// built from them count as approvals only reviews the reference reads as
// approvals by that login on that commit. Anything else is an error with no
// reviews at all.
func FuzzParseReviews(f *testing.F) {
	real, err := os.ReadFile("testdata/pulls__list-reviews.200.default.json")
	if err != nil {
		f.Fatal(err)
	}
	one := `{"id":1,"user":{"login":"alice-gp","id":10},"state":"APPROVED","commit_id":"` + head + `","submitted_at":"2026-11-20T10:00:00Z"}`
	stop := `{"id":2,"user":{"login":"alice-gp","id":10},"state":"CHANGES_REQUESTED","commit_id":"` + head + `","submitted_at":"2026-11-20T10:00:00Z"}`
	for _, seed := range []string{
		string(real), "[" + one + "]", "[" + one + "][" + stop + "]", "[[" + one + "],[" + stop + "]]",
		`[null]`, `[{"id":3,"user":null,"state":"APPROVED","commit_id":"` + head + `"}]`,
		`[{"id":1,"user":{"login":"alice-gp"},"state":"CHANGES_REQUESTED","State":"APPROVED","commit_id":"` + head + `"}]`,
		`[{"id":1,"user":{"login":"alice-gp"},"state":"APPROVED","commit_id":"` + head + `","submitted_at":null}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reviews, err := ParseReviews(data)
		if err != nil {
			if reviews != nil {
				t.Fatalf("error %v came with reviews %+v", err, reviews)
			}
			return
		}
		ref, why := referenceReviews(data)
		if why != "" {
			t.Fatalf("accepted input the reference rejects (%s): %q", why, data)
		}
		if len(ref) != len(reviews) {
			t.Fatalf("read %d reviews, the reference %d: %q", len(reviews), len(ref), data)
		}
		for i := range ref {
			if !sameReview(ref[i], reviews[i]) {
				t.Fatalf("review %d read as %+v, the reference reads %+v: %q", i+1, reviews[i], ref[i], data)
			}
		}
		// The facts: every review that would count is one the reference
		// reads as alice's approval of the head commit.
		s := sources()
		s.CommitAuthors, s.Author = nil, ""
		s.Reviews = reviews
		for _, r := range build(t, s).Reviews {
			c := r.Checks
			if r.State != "approved" || !(c.OnHead && c.Registered && c.RegistrationCurrent && c.Trained && c.Independent && c.InScope && c.IDMatches) {
				continue
			}
			found := false
			for _, rr := range ref {
				found = found || (rr.ID == r.ID && strings.EqualFold(rr.Login, r.Login) && strings.EqualFold(rr.State, "approved") && rr.CommitID == head)
			}
			if !found {
				t.Fatalf("counted approval %+v is not in the input as the reference reads it: %q", r, data)
			}
		}
	})
}

// referenceReviews reads data the slow, obvious way with generic JSON values
// and exact keys; why says what is not clean about it.
func referenceReviews(data []byte) ([]Review, string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var pages [][]any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "not JSON"
		}
		page, ok := v.([]any)
		if !ok {
			return nil, "a value that is not an array"
		}
		pages = append(pages, page)
	}
	if len(pages) == 0 {
		return nil, "empty"
	}
	var items []any
	for _, p := range pages {
		items = append(items, p...)
	}
	if len(pages) == 1 && len(items) > 0 {
		if _, nested := items[0].([]any); nested {
			var flat []any
			for _, it := range items {
				page, ok := it.([]any)
				if !ok {
					return nil, "mixed"
				}
				flat = append(flat, page...)
			}
			items = flat
		}
	}
	out := []Review{}
	var err error
	for _, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, "an item that is not an object"
		}
		var r Review
		id, ok := obj["id"].(json.Number)
		if !ok {
			return nil, "no numeric id"
		}
		if r.ID, err = id.Int64(); err != nil {
			return nil, "id not an integer"
		}
		if r.State, ok = obj["state"].(string); !ok || strings.TrimSpace(r.State) == "" {
			return nil, "no state"
		}
		if c, present := obj["commit_id"]; present && c != nil {
			if r.CommitID, ok = c.(string); !ok {
				return nil, "commit_id not a string"
			}
		}
		if at, present := obj["submitted_at"]; present && at != nil {
			s, ok := at.(string)
			if !ok {
				return nil, "submitted_at not a string"
			}
			if s != "" {
				tm, err := time.Parse(time.RFC3339, s)
				if err != nil {
					return nil, "submitted_at not a time"
				}
				r.SubmittedAt = tm
			}
		}
		user, present := obj["user"]
		if !present {
			return nil, "no user"
		}
		if user != nil {
			u, ok := user.(map[string]any)
			if !ok {
				return nil, "user not an object"
			}
			if r.Login, ok = u["login"].(string); !ok || strings.TrimSpace(r.Login) == "" {
				return nil, "no user.login"
			}
			if uid, present := u["id"]; present && uid != nil {
				n, ok := uid.(json.Number)
				if !ok {
					return nil, "user.id not a number"
				}
				if r.UserID, err = n.Int64(); err != nil {
					return nil, "user.id not an integer"
				}
			}
		}
		out = append(out, r)
	}
	return out, ""
}

// sameReview compares two reviews, times by instant.
func sameReview(a, b Review) bool {
	at, bt := a.SubmittedAt, b.SubmittedAt
	a.SubmittedAt, b.SubmittedAt = time.Time{}, time.Time{}
	return a == b && at.Equal(bt)
}
