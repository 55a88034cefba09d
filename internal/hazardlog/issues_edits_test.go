package hazardlog

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var asOf = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

func asListing(t testing.TB, issues ...map[string]any) []byte {
	t.Helper()
	for _, is := range issues {
		for k, v := range map[string]any{"title": "Wrong patient", "body": "### Hazard status\n\nopen\n\n### Description\n\nText\n", "state": "open",
			"labels":     []any{map[string]any{"name": "hazard"}, map[string]any{"name": "severity-major"}, map[string]any{"name": "likelihood-low"}},
			"created_at": "2026-09-01T09:00:00Z", "updated_at": "2026-09-02T09:00:00Z", "html_url": "https://github.com/o/r/issues/1"} {
			if _, ok := is[k]; !ok {
				is[k] = v
			}
		}
	}
	data, err := json.Marshal(issues)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decoded(t *testing.T, data []byte) []ghIssue {
	t.Helper()
	items, err := issueItems(data)
	if err != nil {
		t.Fatal(err)
	}
	var out []ghIssue
	for _, it := range items {
		is, err := decodeIssue(it)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, is)
	}
	return out
}

// TestIssuesAsOf: the listing as it stood is today's with later events
// undone; an issue opened since is left out; an edited issue whose timeline
// is missing is an error, never taken as unchanged.
func TestIssuesAsOf(t *testing.T) {
	t.Parallel()
	after := asOf.Add(time.Hour)
	now := asListing(t,
		map[string]any{"number": 1, "updated_at": after.Format(time.RFC3339), "state": "closed", "title": "Renamed",
			"labels": []string{"hazard", "severity-minor", "likelihood-low"}},
		map[string]any{"number": 2},
		map[string]any{"number": 3, "created_at": after.Format(time.RFC3339), "updated_at": after.Format(time.RFC3339)},
	)
	history := map[int64][]IssueChange{1: {
		{Event: "labeled", Label: "hazard", At: asOf.Add(-48 * time.Hour)},
		{Event: "unlabeled", Label: "severity-major", At: after},
		{Event: "labeled", Label: "severity-minor", At: after},
		{Event: "closed", At: after},
		{Event: "renamed", From: "Wrong patient", To: "Renamed", At: after},
	}}
	then, err := IssuesAsOf(now, asOf, history)
	if err != nil {
		t.Fatal(err)
	}
	got := decoded(t, then)
	if len(got) != 2 || got[0].Number != 1 || got[1].Number != 2 {
		t.Fatalf("issues then %+v, want #1 and #2", got)
	}
	one := got[0]
	if one.State != "open" || one.Title != "Wrong patient" || strings.Join(one.Labels, ",") != "hazard,likelihood-low,severity-major" {
		t.Errorf("#1 then: %+v", one)
	}
	if strings.Contains(one.Body, "Hazard status") || !strings.Contains(one.Body, "### Description") {
		t.Errorf("#1's body then keeps a status written for today's state, or lost the rest:\n%s", one.Body)
	}
	if d := DescribeChanges(history[1], asOf); !strings.Contains(d, "unlabeled severity-major") || !strings.Contains(d, `renamed from "Wrong patient"`) || strings.Contains(d, "labeled hazard") {
		t.Errorf("described: %s", d)
	}
	if _, err := IssuesAsOf(now, asOf, nil); err == nil || !strings.Contains(err.Error(), "issue #1 was updated") {
		t.Errorf("no timeline for #1: %v, want an error naming it", err)
	}
	bugs := asListing(t, map[string]any{"number": 7, "labels": []string{"bug"}, "updated_at": after.Format(time.RFC3339)},
		map[string]any{"number": 8, "labels": []string{"bug"}, "created_at": after.Format(time.RFC3339), "updated_at": after.Format(time.RFC3339)},
		map[string]any{"number": 9, "labels": []string{"hazard"}, "updated_at": after.Format(time.RFC3339)},
		map[string]any{"number": 10, "labels": []string{"bug"}, "pull_request": map[string]any{"url": "x"}})
	if got, err := UnlabelledSince(bugs, "hazard", asOf); err != nil || len(got) != 1 || got[0] != 7 {
		t.Errorf("unlabelled since: %v, %v; want #7 only (#8 opened since, #9 a hazard, #10 a pull request)", got, err)
	}
	edits, err := IssueEditsSince(now, "hazard", asOf)
	if err != nil || len(edits) != 2 || edits[0].Number != 1 || edits[1].Number != 3 || !strings.HasPrefix(edits[1].What, "opened on") {
		t.Errorf("edits %+v, %v; want #1 and #3 (opened since)", edits, err)
	}
}

func FuzzIssuesAsOf(f *testing.F) {
	f.Add(asListing(f, map[string]any{"number": 1, "updated_at": asOf.Add(time.Hour).Format(time.RFC3339)}), "labeled", "severity-minor")
	f.Add([]byte(`[[{"number":1}]]`), "closed", "")
	f.Fuzz(func(t *testing.T, data []byte, event, label string) {
		history := map[int64][]IssueChange{1: {{Event: event, Label: label, At: asOf.Add(time.Minute)}}}
		out, err := IssuesAsOf(data, asOf, history)
		if err != nil {
			return
		}
		if _, err := issueItems(out); err != nil {
			t.Fatalf("the rebuilt listing does not read: %v", err)
		}
		_, _ = IssueEditsSince(data, "hazard", asOf)
	})
}
