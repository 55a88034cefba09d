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
