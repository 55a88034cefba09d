package hazardlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
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

// IssueChange is an event on a hazard issue's timeline that changed what
// the issue says: labeled or unlabeled (Label), renamed (From, To), closed
// or reopened.
type IssueChange struct {
	Event, Label, From, To, Actor string
	At                            time.Time
}

// IssuesAsOf rebuilds a listing of hazard issues as it stood at time at,
// from the listing now and the timelines of the issues updated since
// (history, by issue number): each such issue's labels, state and title
// with the later events undone, an issue opened since left out. GitHub
// keeps no earlier body, so each body is today's: the comparison this
// allows shows label, state and title changes only. An issue updated since
// whose timeline is missing is an error, never taken as unchanged.
func IssuesAsOf(data []byte, at time.Time, history map[int64][]IssueChange) ([]byte, error) {
	items, err := issueItems(data)
	if err != nil {
		return nil, err
	}
	out := []json.RawMessage{}
	for i, raw := range items {
		is, err := decodeIssue(raw)
		if err != nil {
			return nil, fmt.Errorf("item %d of the listing of hazard issues: %v", i+1, err)
		}
		if is.PullRequest {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("issue #%d: %v", is.Number, err)
		}
		var created string
		_ = json.Unmarshal(m["created_at"], &created)
		c, err := time.Parse(time.RFC3339, created)
		if err != nil {
			return nil, fmt.Errorf("issue #%d: created_at %q is not an RFC 3339 time, so whether it existed at %s cannot be told", is.Number, created, stamp(at))
		}
		if c.After(at) {
			continue // opened since
		}
		if !is.UpdatedAt.After(at) {
			out = append(out, raw)
			continue
		}
		events, ok := history[is.Number]
		if !ok {
			return nil, fmt.Errorf("issue #%d was updated on %s, after %s, and its timeline was not read", is.Number, stamp(is.UpdatedAt), stamp(at))
		}
		labels, state, title := labelsAt(is.Labels, events, at), is.State, is.Title
		for j := len(events) - 1; j >= 0; j-- {
			e := events[j]
			if !e.At.After(at) {
				continue
			}
			switch e.Event {
			case "closed":
				state = "open"
			case "reopened":
				state = "closed"
			case "renamed":
				title = e.From
			}
		}
		if state != is.State {
			// The body's status is today's, written for today's state: the
			// state then decides the status then.
			if err := dropStatusSection(m); err != nil {
				return nil, fmt.Errorf("issue #%d: %v", is.Number, err)
			}
		}
		set := func(key string, v any) error {
			b, err := json.Marshal(v)
			m[key] = b
			return err
		}
		if err := errors.Join(set("labels", labels), set("state", state), set("title", title), set("updated_at", at.UTC().Format(time.RFC3339))); err != nil {
			return nil, err
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return json.Marshal(out)
}

// DescribeChanges says what a hazard issue's timeline shows changed after
// at: "unlabeled severity-major, labeled severity-minor (@dev, 2026-11-02
// 10:00 UTC)"; "" when nothing it can show.
func DescribeChanges(events []IssueChange, at time.Time) string {
	var parts []string
	for _, e := range events {
		if !e.At.After(at) {
			continue
		}
		var what string
		switch e.Event {
		case "labeled", "unlabeled":
			what = e.Event + " " + e.Label
		case "renamed":
			what = fmt.Sprintf("renamed from %q", e.From)
		case "closed", "reopened":
			what = e.Event
		default:
			continue
		}
		who := ""
		if e.Actor != "" {
			who = "@" + e.Actor + ", "
		}
		parts = append(parts, fmt.Sprintf("%s (%s%s)", what, who, stamp(e.At)))
	}
	return strings.Join(parts, "; ")
}

// dropStatusSection removes the "### Hazard status" section from an issue
// object's body, so its status is read from its state.
func dropStatusSection(m map[string]json.RawMessage) error {
	var body string
	if r, ok := m["body"]; !ok || string(r) == "null" {
		return nil
	} else if err := json.Unmarshal(r, &body); err != nil {
		return fmt.Errorf("the body is not text")
	}
	lines := strings.SplitAfter(body, "\n")
	var out []string
	skipping := false
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			skipping = strings.EqualFold(strings.TrimSpace(strings.TrimLeft(t, "#")), "Hazard status")
		}
		if !skipping {
			out = append(out, line)
		}
	}
	b, err := json.Marshal(strings.Join(out, ""))
	m["body"] = b
	return err
}

// UnlabelledSince lists, by number, the issues of a listing of issues
// updated since at (any labels) that do not carry label now, are no pull
// requests and were opened by then: each may be a hazard whose label was
// removed since, which its timeline tells.
func UnlabelledSince(updated []byte, label string, at time.Time) ([]int64, error) {
	items, err := issueItems(updated)
	if err != nil {
		return nil, err
	}
	var out []int64
	for i, raw := range items {
		is, err := decodeIssue(raw)
		if err != nil {
			return nil, fmt.Errorf("item %d of the listing of issues updated since the previous release: %v", i+1, err)
		}
		var extra struct {
			CreatedAt string `json:"created_at"`
		}
		_ = json.Unmarshal(raw, &extra)
		if c, err := time.Parse(time.RFC3339, extra.CreatedAt); err == nil && c.After(at) {
			continue // opened since: no hazard of the previous release
		}
		if !is.PullRequest && !hasLabel(is, label) {
			out = append(out, is.Number)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// WithRemoved adds to a hazard listing the issues of updated whose label
// was removed after at (by their timelines in history), and lists them as
// edits: hazards taken out of the log with no pull request. The listing it
// returns is for IssuesAsOf, which puts the label back as it was.
func WithRemoved(hazards, updated []byte, label string, at time.Time, history map[int64][]IssueChange) ([]byte, []IssueEdit, error) {
	items, err := issueItems(hazards)
	if err != nil {
		return nil, nil, err
	}
	more, err := issueItems(updated)
	if err != nil {
		return nil, nil, err
	}
	var removed []IssueEdit
	for _, raw := range more {
		is, err := decodeIssue(raw)
		if err != nil || is.PullRequest || hasLabel(is, label) {
			continue // UnlabelledSince reported an unreadable item already
		}
		var when IssueChange
		for _, e := range history[is.Number] {
			if e.Event == "unlabeled" && strings.EqualFold(e.Label, label) && e.At.After(at) {
				when = e
			}
		}
		if when.At.IsZero() || !slices.ContainsFunc(labelsAt(is.Labels, history[is.Number], at), func(l string) bool { return strings.EqualFold(l, label) }) {
			continue // not a hazard then either
		}
		var extra struct {
			HTMLURL string `json:"html_url"`
		}
		_ = json.Unmarshal(raw, &extra)
		who := ""
		if when.Actor != "" {
			who = "@" + when.Actor + ", "
		}
		removed = append(removed, IssueEdit{Number: is.Number, Title: oneLine(cleanCell(is.Title)), URL: extra.HTMLURL, State: is.State,
			Labels: append([]string{}, is.Labels...), UpdatedAt: is.UpdatedAt.UTC(),
			What: fmt.Sprintf("the label %s was removed (%s%s): the hazard left the log with no pull request", label, who, stamp(when.At))})
		items = append(items, raw)
	}
	out, err := json.Marshal(items)
	return out, removed, err
}

// labelsAt is an issue's labels at time at: today's with the later
// labeled and unlabeled events undone.
func labelsAt(now []string, events []IssueChange, at time.Time) []string {
	labels := slices.Clone(now)
	for j := len(events) - 1; j >= 0; j-- {
		e := events[j]
		if !e.At.After(at) {
			continue
		}
		switch e.Event {
		case "labeled":
			if k := slices.IndexFunc(labels, func(l string) bool { return strings.EqualFold(l, e.Label) }); k >= 0 {
				labels = slices.Delete(labels, k, k+1)
			}
		case "unlabeled":
			labels = append(labels, e.Label)
		}
	}
	return labels
}
