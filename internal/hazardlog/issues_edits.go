package hazardlog

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// IssueEdit is a hazard issue GitHub last updated after a given time: in
// release mode, a hazard-log change since the previous release that no pull
// request carried. GitHub keeps no earlier version of an issue's body, so
// what changed is said only as far as the listing shows it (opened, closed,
// reopened since); the rest is in the issue's history on GitHub.
type IssueEdit struct {
	Number    int64     `json:"issue"`
	Title     string    `json:"title"`
	URL       string    `json:"url,omitempty"`
	State     string    `json:"state"`
	Labels    []string  `json:"labels"`
	UpdatedAt time.Time `json:"updated_at"`
	// What says what the listing shows of the change, e.g. "closed on
	// 2026-11-03 14:12 UTC".
	What string `json:"what"`
}

// IssueEditsSince lists the issues labelled label in a listing of hazard
// issues (as HazardIssues returns it) that GitHub updated after since, by
// number; every one when since is zero. Pull requests are left out. A
// listing that does not read is an error: the caller cannot tell what
// changed, and must not pass the release.
func IssueEditsSince(data []byte, label string, since time.Time) ([]IssueEdit, error) {
	items, err := issueItems(data)
	if err != nil {
		return nil, err
	}
	var out []IssueEdit
	for i, raw := range items {
		is, err := decodeIssue(raw)
		if err != nil {
			return nil, fmt.Errorf("item %d of the listing of hazard issues: %v", i+1, err)
		}
		if is.PullRequest || !hasLabel(is, label) || (!since.IsZero() && !is.UpdatedAt.After(since)) {
			continue
		}
		var extra struct {
			HTMLURL   string `json:"html_url"`
			CreatedAt string `json:"created_at"`
			ClosedAt  string `json:"closed_at"`
		}
		_ = json.Unmarshal(raw, &extra) // optional keys: absent or odd ones only make the note vaguer
		e := IssueEdit{Number: is.Number, Title: oneLine(cleanCell(is.Title)), URL: extra.HTMLURL, State: is.State,
			Labels: append([]string{}, is.Labels...), UpdatedAt: is.UpdatedAt.UTC()}
		e.What = editWhat(is, extra.CreatedAt, extra.ClosedAt, since)
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// editWhat says what the listing shows of an issue's change since since.
func editWhat(is ghIssue, created, closed string, since time.Time) string {
	when := func(s string) (time.Time, bool) {
		t, err := time.Parse(time.RFC3339, s)
		return t.UTC(), err == nil && (since.IsZero() || t.After(since))
	}
	const history = "its labels or body may have changed too: GitHub keeps no earlier version to compare with, so compare in the issue's history"
	if since.IsZero() {
		return "no earlier release that passed the gate read the hazard issues, so the whole issue is under this release's sign-off"
	}
	if t, ok := when(created); ok {
		return fmt.Sprintf("opened on %s, after the previous release", stamp(t))
	}
	if t, ok := when(closed); ok && is.State == "closed" {
		return fmt.Sprintf("closed on %s; %s", stamp(t), history)
	}
	if is.State == "open" && closed != "" {
		return "reopened since the previous release; " + history
	}
	return fmt.Sprintf("updated on %s (edited, relabelled or commented on); %s", stamp(is.UpdatedAt.UTC()), history)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
