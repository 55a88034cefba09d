package github_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestIssuesWithLabel: every page is read, open and closed issues both, only
// those with the label, and never a pull request.
func TestIssuesWithLabel(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 1})
	for i := range 130 {
		is := githubtest.Issue{Title: fmt.Sprintf("reminder %d", i), Labels: []string{"csogate-retrospective"}}
		if i%2 == 0 {
			is.State = "closed"
		}
		srv.AddIssue(is)
	}
	srv.AddIssue(githubtest.Issue{Title: "unrelated", Labels: []string{"bug"}})
	c, _ := newClient(t, srv)
	got, err := c.IssuesWithLabel(context.Background(), owner, repo, "csogate-retrospective")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 130 {
		t.Fatalf("%d issues, want 130", len(got))
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages of 100: %q", n, paths(srv.Requests()))
	}
	if q := srv.Requests()[0].Query; q.Get("state") != "all" || q.Get("labels") != "csogate-retrospective" {
		t.Errorf("query %v", q)
	}
}

// TestIssueWrites: create, add assignees, update and close, as GitHub
// records them; a token without issues: write gets a PermissionError naming it.
func TestIssueWrites(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c, _ := newClient(t, srv)
	ctx := context.Background()
	is, err := c.CreateIssue(ctx, owner, repo, "Retrospective CSO review due: #7", "body", []string{"csogate-retrospective"})
	if err != nil || is.Number == 0 || is.State != "open" || !slices.Equal(is.Labels, []string{"csogate-retrospective"}) {
		t.Fatalf("CreateIssue = %+v, %v", is, err)
	}
	if err := c.AddAssignees(ctx, owner, repo, is.Number, []string{"alice-gp", "bob-rn"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateIssue(ctx, owner, repo, is.Number, "t2", "b2", "closed"); err != nil {
		t.Fatal(err)
	}
	got := srv.Issues()
	if len(got) != 1 || got[0].State != "closed" || got[0].Body == nil || *got[0].Body != "b2" || got[0].Title != "t2" || !slices.Equal(got[0].Assignees, []string{"alice-gp", "bob-rn"}) {
		t.Errorf("issue now %+v", got)
	}
	srv.Fail("POST", srv.RepoPath()+"/issues", githubtest.Forbidden())
	_, err = c.CreateIssue(ctx, owner, repo, "x", "y", nil)
	var perm *github.PermissionError
	if !errors.As(err, &perm) || perm.Permission != "issues: write" {
		t.Errorf("403: %v", err)
	}
}

// TestIssueJSONShape: the fake's issue has exactly the keys of a real issue
// in GitHub's list answer (from @octokit/fixtures).
func TestIssueJSONShape(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/paginate-issues.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture []struct {
		Response []map[string]any `json:"response"`
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	srv := newFake(t)
	srv.AddIssue(githubtest.Issue{Title: "x", Labels: []string{"csogate-retrospective"}, Assignees: []string{"alice-gp"}})
	req, _ := http.NewRequest("GET", srv.URL()+repoPath+"/issues?labels=csogate-retrospective", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fake []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&fake); err != nil || len(fake) != 1 {
		t.Fatalf("fake answer %v, %v", fake, err)
	}
	keys := func(m map[string]any) []string {
		var k []string
		for x := range m {
			k = append(k, x)
		}
		sort.Strings(k)
		return k
	}
	if want, got := keys(fixture[0].Response[0]), keys(fake[0]); !slices.Equal(want, got) {
		t.Errorf("keys\n got %q\nwant %q", got, want)
	}
}
