package github_test

import (
	"context"
	"errors"
	"testing"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestBranchHead reads a branch's commit as it is now, by its exact name
// (slashes too), and fails on a branch that does not exist rather than
// reading some other ref.
func TestBranchHead(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.SetBranch("main", githubtest.SHA("main-tip"))
	srv.SetBranch("release/2.x", githubtest.SHA("release-tip"))
	c, _ := newClient(t, srv)
	tests := []struct {
		branch, want string
		missing      bool
	}{
		{branch: "main", want: githubtest.SHA("main-tip")},
		{branch: "refs/heads/main", want: githubtest.SHA("main-tip")},
		{branch: "release/2.x", want: githubtest.SHA("release-tip")},
		{branch: "release", missing: true},
		{branch: "gone", missing: true},
	}
	for _, tc := range tests {
		got, err := c.BranchHead(context.Background(), owner, repo, tc.branch)
		var status *github.StatusError
		switch {
		case tc.missing && (!errors.As(err, &status) || status.StatusCode != 404):
			t.Errorf("BranchHead(%q) = %q, %v; want GitHub's 404", tc.branch, got, err)
		case !tc.missing && (err != nil || got != tc.want):
			t.Errorf("BranchHead(%q) = %q, %v; want %s", tc.branch, got, err, tc.want)
		}
	}
	srv.SetBranch("main", githubtest.SHA("main-moved"))
	if got, err := c.BranchHead(context.Background(), owner, repo, "main"); err != nil || got != githubtest.SHA("main-moved") {
		t.Errorf("after a push BranchHead(main) = %q, %v; want the new tip", got, err)
	}
}

// TestPullRequestFromAFork: the head's repository is the fork's, the default
// branch the base repository's, and a head that moves after a read is read
// moved the next time.
func TestPullRequestFromAFork(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.SetDefaultBranch("develop")
	srv.AddPull(githubtest.Pull{Number: 9, HeadRepo: "someone/clinical-app", BaseRef: "release/2.x"})
	srv.MoveHeadAfterRead(9, githubtest.SHA("pushed"))
	c, _ := newClient(t, srv)
	first, err := c.PullRequest(context.Background(), owner, repo, 9)
	if err != nil {
		t.Fatal(err)
	}
	if first.HeadRepo != "someone/clinical-app" || first.BaseRepo != owner+"/"+repo || first.DefaultBranch != "develop" ||
		first.BaseRef != "release/2.x" || first.HeadSHA != githubtest.SHA("head-9") {
		t.Errorf("PullRequest = %+v, want the fork's head on release/2.x of a repository whose default is develop", first)
	}
	second, err := c.PullRequest(context.Background(), owner, repo, 9)
	if err != nil || second.HeadSHA != githubtest.SHA("pushed") {
		t.Errorf("second read: head %s, %v; want the pushed head", second.HeadSHA, err)
	}
}
