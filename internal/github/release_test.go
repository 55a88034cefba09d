package github_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

func TestTags(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	var want []github.Tag
	for i := range 130 {
		tag := github.Tag{Name: fmt.Sprintf("v1.%d.0", i), SHA: githubtest.SHA(fmt.Sprint("release-", i))}
		srv.AddTag(tag.Name, tag.SHA)
		want = append(want, tag)
	}
	c, _ := newClient(t, srv)
	got, err := c.Tags(context.Background(), owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Tags: got %d tags, want %d in order", len(got), len(want))
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
}

// Compare lists every commit between two releases, beyond the 250 the
// compare API gives unpaginated, oldest first.
func TestCompare(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	root := githubtest.SHA("root")
	srv.AddCommit(githubtest.Commit{SHA: root})
	srv.AddTag("v1.0.0", root)
	parent := root
	var want []string
	for i := range 260 {
		sha := githubtest.SHA(fmt.Sprint("c", i))
		srv.AddCommit(githubtest.Commit{SHA: sha, Parents: []string{parent}, AuthorLogin: "dev-dan",
			Message: fmt.Sprintf("Change %d\n\nCo-authored-by: Eve <eve@example.org>", i)})
		want = append(want, sha)
		parent = sha
	}
	srv.AddTag("v2.0.0", parent)
	c, _ := newClient(t, srv)
	commits, err := c.Compare(context.Background(), owner, repo, "v1.0.0", "v2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, cm := range commits {
		got = append(got, cm.SHA)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Compare: got %d commits, want %d oldest first", len(got), len(want))
	}
	if commits[0].AuthorLogin != "dev-dan" || !slices.Equal(commits[0].CoAuthorEmails, []string{"eve@example.org"}) {
		t.Errorf("first commit = %+v", commits[0])
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 pages of 100", n)
	}
}

func TestPullRequestsForCommit(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7, Title: "Allergy banner", Merged: true, MergeCommitSHA: githubtest.SHA("merge-7")})
	srv.AddCommits(7, githubtest.Commit{SHA: githubtest.SHA("c1")})
	srv.AddPull(githubtest.Pull{Number: 8})
	c, _ := newClient(t, srv)
	ctx := context.Background()

	for _, sha := range []string{githubtest.SHA("merge-7"), githubtest.SHA("c1")} {
		prs, err := c.PullRequestsForCommit(ctx, owner, repo, sha)
		if err != nil {
			t.Fatal(err)
		}
		// Pull requests in this listing carry merged_at but no "merged" field.
		if len(prs) != 1 || prs[0].Number != 7 || !prs[0].Merged || prs[0].MergedAt.IsZero() || prs[0].Title != "Allergy banner" {
			t.Errorf("PullRequestsForCommit(%s) = %+v, want merged #7", sha[:7], prs)
		}
	}
	prs, err := c.PullRequestsForCommit(ctx, owner, repo, githubtest.SHA("direct-push"))
	if err != nil || len(prs) != 0 {
		t.Errorf("a direct push: %+v, %v; want none", prs, err)
	}
}

func TestCommitFiles(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	var files []githubtest.File
	var want []github.ChangedFile
	for i := range 350 {
		f := githubtest.File{Path: fmt.Sprintf("src/f%03d.go", i), Status: "added"}
		if i == 0 {
			f = githubtest.File{Path: "src/new.go", PreviousPath: "src/old.go", Status: "renamed"}
		}
		files = append(files, f)
		want = append(want, github.ChangedFile{Path: f.Path, PreviousPath: f.PreviousPath, Status: f.Status, Blob: githubtest.BlobSHA(f)})
	}
	sha := githubtest.SHA("big")
	srv.AddCommit(githubtest.Commit{SHA: sha, Files: files})
	c, _ := newClient(t, srv)
	got, err := c.CommitFiles(context.Background(), owner, repo, sha)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("CommitFiles: got %d files (first %+v), want %d", len(got), got[0], len(want))
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d requests, want 4 pages of 100", n)
	}
}

// Comparison gives GitHub's status of head against base and each commit's
// parents, which release mode needs for ancestry and the first-parent line.
func TestComparison(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	root, main1, side, merge, hotfix := githubtest.SHA("root"), githubtest.SHA("main-1"), githubtest.SHA("side"), githubtest.SHA("merge"), githubtest.SHA("hotfix")
	srv.AddCommit(githubtest.Commit{SHA: root})
	srv.AddCommit(githubtest.Commit{SHA: main1, Parents: []string{root}})
	srv.AddCommit(githubtest.Commit{SHA: side, Parents: []string{root}})
	srv.AddCommit(githubtest.Commit{SHA: merge, Parents: []string{main1, side}})
	srv.AddCommit(githubtest.Commit{SHA: hotfix, Parents: []string{root}})
	c, _ := newClient(t, srv)
	ctx := context.Background()
	tests := []struct {
		base, head, status string
		commits            int
	}{
		{root, merge, "ahead", 3},
		{merge, merge, "identical", 0},
		{merge, root, "behind", 0},
		{hotfix, merge, "diverged", 3},
	}
	for _, tt := range tests {
		got, err := c.Comparison(ctx, owner, repo, tt.base, tt.head)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tt.status || len(got.Commits) != tt.commits {
			t.Errorf("Comparison(%s...%s) = %s with %d commits, want %s with %d", tt.base[:7], tt.head[:7], got.Status, len(got.Commits), tt.status, tt.commits)
		}
	}
	got, err := c.Comparison(ctx, owner, repo, root, merge)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Parents[merge]; !slices.Equal(p, []string{main1, side}) {
		t.Errorf("parents of the merge = %v, want main-1 first, then side", p)
	}
}

// A commit of 3,000 files or more may be cut by GitHub: the client fails
// closed instead of returning a list that may be partial.
func TestCommitFilesTruncated(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2999, 3000, 3500} {
		srv := newFake(t)
		var files []githubtest.File
		for i := range n {
			files = append(files, githubtest.File{Path: fmt.Sprintf("src/f%04d.go", i)})
		}
		sha := githubtest.SHA("huge")
		srv.AddCommit(githubtest.Commit{SHA: sha, Files: files})
		c, _ := newClient(t, srv)
		got, err := c.CommitFiles(context.Background(), owner, repo, sha)
		var unavailable *github.UnavailableError
		switch {
		case n < 3000 && (err != nil || len(got) != n):
			t.Errorf("%d files: got %d, %v; want all of them", n, len(got), err)
		case n >= 3000 && !errors.As(err, &unavailable):
			t.Errorf("%d files: got %d files, %v; want an *UnavailableError", n, len(got), err)
		case n >= 3000 && !strings.Contains(err.Error(), "only the first 3000 files"):
			t.Errorf("%d files: error %q does not say the list is cut", n, err)
		}
	}
}

// StatusState reads the latest status of one context through the combined
// status, across its pages, whatever case the context is written in.
func TestStatusState(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	sha, other := githubtest.SHA("released"), githubtest.SHA("other")
	srv.AddCommit(githubtest.Commit{SHA: sha})
	srv.AddCommit(githubtest.Commit{SHA: other})
	for i := range 120 {
		srv.AddStatus(githubtest.Status{SHA: sha, Context: fmt.Sprintf("ci/job-%d", i), State: "success"})
	}
	srv.AddStatus(githubtest.Status{SHA: sha, Context: "gate/release", State: "failure"})
	srv.AddStatus(githubtest.Status{SHA: sha, Context: "Gate/Release", State: "success"})
	srv.AddStatus(githubtest.Status{SHA: other, Context: "gate/release", State: "failure"})
	for i := range 5 {
		srv.AddStatus(githubtest.Status{SHA: sha, Context: fmt.Sprintf("ci/late-%d", i), State: "pending"})
	}
	c, _ := newClient(t, srv)
	ctx := context.Background()
	for _, tt := range []struct{ sha, context, want string }{
		{sha, "gate/release", "success"},
		{other, "gate/release", "failure"},
		{sha, "gate/pull", ""},
		{sha, "ci/job-0", "success"},
	} {
		got, err := c.StatusState(ctx, owner, repo, tt.sha, tt.context)
		if err != nil || got != tt.want {
			t.Errorf("StatusState(%s, %s) = %q, %v; want %q", tt.sha[:7], tt.context, got, err, tt.want)
		}
	}
}

// TestCommitStatuses lists every status of a commit across pages, newest
// first, with its creator; another commit's are not listed.
func TestCommitStatuses(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	sha, other := githubtest.SHA("released"), githubtest.SHA("other")
	srv.AddCommit(githubtest.Commit{SHA: sha})
	srv.AddCommit(githubtest.Commit{SHA: other})
	for i := range 130 {
		srv.AddStatus(githubtest.Status{SHA: sha, Context: fmt.Sprintf("ci/job-%d", i), State: "success"})
	}
	srv.AddStatus(githubtest.Status{SHA: other, Context: "gate/release", State: "failure"})
	srv.AddStatus(githubtest.Status{SHA: sha, Context: "gate/release/retrospective/#7", State: "pending",
		Description: "emergency override of #7", TargetURL: "https://github.com/o/r/pull/7", Creator: "mallory"})
	c, _ := newClient(t, srv)
	got, err := c.CommitStatuses(context.Background(), owner, repo, sha)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 131 {
		t.Fatalf("%d statuses, want 131 (every page)", len(got))
	}
	first := got[0]
	if first.Context != "gate/release/retrospective/#7" || first.State != "pending" || first.Creator != "mallory" ||
		first.Description != "emergency override of #7" || first.TargetURL != "https://github.com/o/r/pull/7" || first.CreatedAt.IsZero() {
		t.Errorf("newest status = %+v", first)
	}
	if got[130].Context != "ci/job-0" || got[130].Creator != githubtest.ActionsBot {
		t.Errorf("oldest status = %+v", got[130])
	}
}

// TestFilesSince: the files the base branch changed since a pull request
// branched from it (compare head...base, from their merge base), in one
// request, with each file's blob; a list as long as GitHub ever gives is
// not complete.
func TestFilesSince(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	root, main1, branch := githubtest.SHA("root"), githubtest.SHA("main-1"), githubtest.SHA("branch-1")
	srv.AddCommit(githubtest.Commit{SHA: root, Files: []githubtest.File{{Path: "README.md", Status: "added"}}})
	srv.AddCommit(githubtest.Commit{SHA: main1, Parents: []string{root}, Files: []githubtest.File{{Path: "src/dose.go", Content: "main's", Status: "modified"}}})
	srv.AddCommit(githubtest.Commit{SHA: branch, Parents: []string{root}, Files: []githubtest.File{{Path: "src/banner.go", Status: "modified"}}})
	c, _ := newClient(t, srv)
	files, complete, err := c.FilesSince(context.Background(), owner, repo, branch, main1)
	if err != nil {
		t.Fatal(err)
	}
	want := []github.ChangedFile{{Path: "src/dose.go", Status: "modified", Blob: githubtest.BlobSHA(githubtest.File{Path: "src/dose.go", Content: "main's"})}}
	if !complete || !reflect.DeepEqual(files, want) {
		t.Errorf("files since = %+v (complete %v), want %+v", files, complete, want)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	var many []githubtest.File
	for i := range 350 {
		many = append(many, githubtest.File{Path: fmt.Sprintf("src/f%03d.go", i), Status: "added"})
	}
	big := githubtest.SHA("main-big")
	srv.AddCommit(githubtest.Commit{SHA: big, Parents: []string{main1}, Files: many})
	files, complete, err = c.FilesSince(context.Background(), owner, repo, branch, big)
	if err != nil {
		t.Fatal(err)
	}
	if complete || len(files) != 300 {
		t.Errorf("%d files, complete %v; want GitHub's 300, not complete", len(files), complete)
	}
}
