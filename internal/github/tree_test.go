package github_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/repofiles"
)

func treeFake(t *testing.T) (*githubtest.Server, string) {
	head := githubtest.SHA("head-7")
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.SetContent(head, "safety/hazard-log.yaml", []byte("hazards: []\n"))
	srv.SetContent(head, "src/search/query.go", []byte("package search\n"))
	srv.SetContent(head, "tests/search/banner_test.go", []byte("package search\n"))
	srv.SetSymlink(head, "tests/evidence_test.go", "../../etc/passwd")
	srv.SetSubmodule(head, "vendor/dosecalc", githubtest.SHA("dosecalc"))
	return srv, head
}

var wantTree = []github.TreeEntry{
	{Path: "safety", Kind: repofiles.Dir},
	{Path: "safety/hazard-log.yaml", Kind: repofiles.File},
	{Path: "src", Kind: repofiles.Dir},
	{Path: "src/search", Kind: repofiles.Dir},
	{Path: "src/search/query.go", Kind: repofiles.File},
	{Path: "tests", Kind: repofiles.Dir},
	{Path: "tests/evidence_test.go", Kind: repofiles.Link},
	{Path: "tests/search", Kind: repofiles.Dir},
	{Path: "tests/search/banner_test.go", Kind: repofiles.File},
	{Path: "vendor", Kind: repofiles.Dir},
	{Path: "vendor/dosecalc", Kind: repofiles.Submodule},
}

func TestTreeOneRecursiveRequest(t *testing.T) {
	t.Parallel()
	srv, head := treeFake(t)
	c, _ := newClient(t, srv)
	got, err := c.Tree(context.Background(), owner, repo, head)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantTree) {
		t.Errorf("Tree =\n%v\nwant\n%v", got, wantTree)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// A truncated tree is never taken as the whole: it is read directory by
// directory, as GitHub documents, and gives the same entries.
func TestTreeTruncatedIsWalked(t *testing.T) {
	t.Parallel()
	srv, head := treeFake(t)
	srv.SetTreeLimit(5)
	c, _ := newClient(t, srv)
	got, err := c.Tree(context.Background(), owner, repo, head)
	if err != nil {
		t.Fatal(err)
	}
	sortEntries(got)
	if !reflect.DeepEqual(got, wantTree) {
		t.Errorf("Tree =\n%v\nwant\n%v", got, wantTree)
	}
	if n := len(srv.Requests()); n < 2 {
		t.Errorf("%d requests: the truncated tree was not walked", n)
	}
}

// A root listing that is itself truncated cannot be completed: an error,
// never a partial list.
func TestTreeTruncatedEvenAtTheRootFailsClosed(t *testing.T) {
	t.Parallel()
	srv, head := treeFake(t)
	srv.SetTreeLimit(2)
	c, _ := newClient(t, srv)
	_, err := c.Tree(context.Background(), owner, repo, head)
	var unavailable *github.UnavailableError
	if !errors.As(err, &unavailable) || !strings.Contains(err.Error(), "truncates") {
		t.Fatalf("Tree error = %v, want an UnavailableError saying GitHub truncates", err)
	}
}

func TestTreeServerErrorsAndRateLimits(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]githubtest.Response{
		"5xx":        githubtest.BadGateway(),
		"rate limit": githubtest.RateLimitExceeded(fixedNow.Add(10 * 60e9)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, head := treeFake(t)
			srv.FailAlways("GET", "/repos/"+owner+"/"+repo+"/git/trees/", r)
			c, _ := newClient(t, srv)
			if _, err := c.Tree(context.Background(), owner, repo, head); err == nil || !strings.Contains(err.Error(), "git/trees") && !strings.Contains(err.Error(), "file tree") {
				t.Fatalf("Tree error = %v, want one naming the tree request", err)
			}
		})
	}
}

func TestTreeUnknownCommit(t *testing.T) {
	t.Parallel()
	srv, _ := treeFake(t)
	c, _ := newClient(t, srv)
	if _, err := c.Tree(context.Background(), owner, repo, githubtest.SHA("nowhere")); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("Tree error = %v, want a 404", err)
	}
}

func sortEntries(e []github.TreeEntry) {
	for i := 1; i < len(e); i++ {
		for j := i; j > 0 && e[j].Path < e[j-1].Path; j-- {
			e[j], e[j-1] = e[j-1], e[j]
		}
	}
}
