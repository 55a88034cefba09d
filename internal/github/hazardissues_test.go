package github_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/safetyfile"
)

// TestHazardIssues: the hazard log kept as issues is listed through the
// real client from the fake GitHub, every page of it, open and closed;
// the listing reads as the hazard log, without the pull request GitHub's
// issues endpoint lists too and without issues that are not hazards.
func TestHazardIssues(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c, _ := newClient(t, srv)
	const hazards = 250 // three pages of 100
	for n := 1; n <= hazards; n++ {
		body := fmt.Sprintf("### Hazard ID\n\nHAZ-%03d\n\n### Description\n\n_No response_\n", n)
		is := githubtest.Issue{Number: n, Title: fmt.Sprintf("Hazard %d", n), Body: &body,
			Labels: []string{"hazard", "likelihood-low", "severity-major"}, CreatedAt: time.Date(2026, 1, 1, 0, n, 0, 0, time.UTC)}
		if n%50 == 0 {
			is.State = "closed"
		}
		srv.AddIssue(is)
	}
	srv.AddIssue(githubtest.Issue{Number: 300, Title: "Speed up search", Labels: []string{"hazard"}, PullRequest: true})
	srv.AddIssue(githubtest.Issue{Number: 301, Title: "Typo in footer", Labels: []string{"bug"}})

	data, err := c.HazardIssues(context.Background(), srv.Owner(), srv.Repo(), "hazard")
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/issues") {
			pages++
			if r.Query.Get("state") != "all" || r.Query.Get("labels") != "hazard" {
				t.Errorf("request %s?%s does not ask for every issue labelled hazard", r.Path, r.Query.Encode())
			}
		}
	}
	if pages != 3 {
		t.Errorf("%d pages requested, want 3", pages)
	}
	cfg := safetyfile.DefaultConfig()
	cfg.Product = "Example EPR"
	res := hazardlog.LoadIssues("github-issues", data, hazardlog.FormatGitHubIssues, &cfg)
	if !res.Valid() {
		t.Fatalf("the listing does not read as a hazard log: %v", res.Problems[:min(3, len(res.Problems))])
	}
	if n := len(res.Log.Hazards); n != hazards {
		t.Fatalf("%d hazards, want %d", n, hazards)
	}
	closed := 0
	for _, h := range res.Log.Hazards {
		if h.Status == "closed" {
			closed++
		}
	}
	if closed != hazards/50 {
		t.Errorf("%d closed hazards, want %d: a closed issue is a closed hazard", closed, hazards/50)
	}
	if w := fmt.Sprint(res.Warnings); !strings.Contains(w, "issue #300: a pull request") {
		t.Errorf("the pull request is not named as skipped: %s", w)
	}
}

func TestHazardIssuesForbidden(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c, _ := newClient(t, srv)
	srv.FailAlways("GET", srv.RepoPath()+"/issues", githubtest.Response{Status: 403, Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/issues#list-repository-issues"}`})
	_, err := c.HazardIssues(context.Background(), srv.Owner(), srv.Repo(), "hazard")
	if err == nil || !strings.Contains(err.Error(), "issues: read") {
		t.Fatalf("error %v, want one naming the issues: read permission", err)
	}
}

// TestIssueTimeline: an issue's events come through the real client as
// GitHub sends them (label and rename objects), every page, oldest first;
// the issues updated since a time come whatever their labels, and a time
// GitHub refuses is GitHub's failure, never an empty list.
func TestIssueTimeline(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c, _ := newClient(t, srv)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	n := srv.AddIssue(githubtest.Issue{Title: "Wrong patient", Labels: []string{"hazard", "severity-major"}, CreatedAt: at.Add(-time.Hour)})
	for i := range 40 { // two pages of 30
		srv.RelabelIssue(n, "nurse-niamh", nil, []string{fmt.Sprintf("note-%d", i)}, at.Add(time.Duration(i)*time.Minute))
	}
	srv.RelabelIssue(n, "dev-dana", []string{"severity-major"}, []string{"severity-minor"}, at.Add(time.Hour))
	srv.AddIssueEvent(n, githubtest.Event{Event: "renamed", Actor: "dev-dana", RenameFrom: "Wrong patient", RenameTo: "Patient mix-up", CreatedAt: at.Add(2 * time.Hour)})
	srv.AddIssueEvent(n, githubtest.Event{Event: "closed", Actor: "dev-dana", CreatedAt: at.Add(3 * time.Hour)})
	events, err := c.IssueEvents(context.Background(), srv.Owner(), srv.Repo(), n)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 44 {
		t.Fatalf("%d events, want 44 (every page)", len(events))
	}
	if e := events[40]; e.Event != "unlabeled" || e.Label != "severity-major" || e.Actor != "dev-dana" || !e.At.Equal(at.Add(time.Hour)) {
		t.Errorf("event 41: %+v", e)
	}
	if e := events[42]; e.Event != "renamed" || e.From != "Wrong patient" || e.To != "Patient mix-up" {
		t.Errorf("event 43: %+v", e)
	}
	if events[43].Event != "closed" {
		t.Errorf("last event %+v, want closed", events[43])
	}

	srv.AddIssue(githubtest.Issue{Title: "Old bug", Labels: []string{"bug"}, CreatedAt: at.Add(-48 * time.Hour), UpdatedAt: at.Add(-48 * time.Hour)})
	data, err := c.IssuesUpdatedSince(context.Background(), srv.Owner(), srv.Repo(), at)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"number":1,`) || strings.Contains(string(data), "Old bug") {
		t.Errorf("issues updated since %v: %s", at, data)
	}
	srv.FailAlways("GET", srv.RepoPath()+"/issues/1/events", githubtest.Response{Status: 502, Body: `{"message":"Server Error"}`})
	if _, err := c.IssueEvents(context.Background(), srv.Owner(), srv.Repo(), n); err == nil {
		t.Error("a failing timeline was read as empty")
	}
}
