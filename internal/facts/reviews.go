package facts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// githubReview is the part of GitHub's review object the gate reads, from
// "list reviews for a pull request" (REST) or a webhook's review.
type githubReview struct {
	ID   int64 `json:"id"`
	User *struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	} `json:"user"`
	State       string `json:"state"`
	CommitID    string `json:"commit_id"`
	SubmittedAt string `json:"submitted_at"`
}

// ParseReviews reads a JSON array of GitHub reviews, as
// `gh api repos/OWNER/REPO/pulls/N/reviews` prints it. A review without a
// user or state is an error: the gate cannot tell who approved what.
func ParseReviews(data []byte) ([]Review, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of reviews (%v); save the output of gh api repos/OWNER/REPO/pulls/N/reviews", err)
	}
	out := make([]Review, 0, len(raw))
	for i, item := range raw {
		var r githubReview
		dec := json.NewDecoder(bytes.NewReader(item))
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("review %d: %v", i+1, err)
		}
		if r.User == nil || strings.TrimSpace(r.User.Login) == "" {
			return nil, fmt.Errorf("review %d has no user.login; each review must say who wrote it", i+1)
		}
		if strings.TrimSpace(r.State) == "" {
			return nil, fmt.Errorf("review %d (by %s) has no state", i+1, r.User.Login)
		}
		rev := Review{ID: r.ID, Login: r.User.Login, UserID: r.User.ID, State: r.State, CommitID: r.CommitID}
		if r.SubmittedAt != "" {
			t, err := time.Parse(time.RFC3339, r.SubmittedAt)
			if err != nil {
				return nil, fmt.Errorf("review %d (by %s): submitted_at %q is not an RFC 3339 time", i+1, r.User.Login, r.SubmittedAt)
			}
			rev.SubmittedAt = t
		}
		out = append(out, rev)
	}
	return out, nil
}

// ParseChangedFiles reads one repository-relative path per line, as
// `git diff --name-only` prints it. Blank lines are skipped.
func ParseChangedFiles(data []byte) []string {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
