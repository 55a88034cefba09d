package github_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

const (
	owner = githubtest.DefaultOwner
	repo  = githubtest.DefaultRepo
)

// repoPath is the path prefix of every request about the test repository.
const repoPath = "/repos/" + owner + "/" + repo

func TestPullRequestFromGitHubsExample(t *testing.T) {
	t.Parallel()
	c, err := github.New(github.Options{BaseURL: serveFile(t, "pulls__get.200.default.json")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.PullRequest(context.Background(), "octocat", "Hello-World", 1347)
	if err != nil {
		t.Fatal(err)
	}
	want := github.PullRequest{
		Number:         1347,
		Title:          "Amazing new feature",
		HTMLURL:        "https://github.com/octocat/Hello-World/pull/1347",
		Author:         "octocat",
		AuthorID:       1,
		HeadSHA:        "6dcb09b5b57875f334f61aebed695e2e4193db5e",
		HeadRef:        "new-topic",
		BaseSHA:        "6dcb09b5b57875f334f61aebed695e2e4193db5e",
		BaseRef:        "master",
		HeadRepo:       "octocat/Hello-World",
		BaseRepo:       "octocat/Hello-World",
		DefaultBranch:  "master",
		Merged:         true, // the example has merged_at set
		MergeCommitSHA: "e5bd3914e2e596debea16f433f57875b5b90bcd6",
		MergedAt:       time.Date(2011, 1, 26, 19, 1, 12, 0, time.UTC),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PullRequest:\n got %+v\nwant %+v", got, want)
	}
}

func TestListsFromGitHubsExamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client := func(file string) *github.Client {
		c, err := github.New(github.Options{BaseURL: serveFile(t, file)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	reviews, err := client("pulls__list-reviews.200.default.json").Reviews(ctx, "octocat", "Hello-World", 12)
	if err != nil {
		t.Fatal(err)
	}
	wantReviews := []github.Review{{
		ID: 80, Login: "octocat", UserID: 1, State: "APPROVED",
		CommitID:    "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
		SubmittedAt: time.Date(2019, 11, 17, 17, 43, 43, 0, time.UTC),
		HTMLURL:     "https://github.com/octocat/Hello-World/pull/12#pullrequestreview-80",
	}}
	if !reflect.DeepEqual(reviews, wantReviews) {
		t.Errorf("Reviews:\n got %+v\nwant %+v", reviews, wantReviews)
	}

	files, err := client("pulls__list-files.200.default.json").Files(ctx, "octocat", "Hello-World", 12)
	if err != nil {
		t.Fatal(err)
	}
	if want := []github.ChangedFile{{Path: "file1.txt", Status: "added", Blob: "bbcd538c8e72b8c175046e27cc8f907076331401"}}; !reflect.DeepEqual(files, want) {
		t.Errorf("Files: got %+v, want %+v", files, want)
	}

	commits, err := client("pulls__list-commits.200.default.json").Commits(ctx, "octocat", "Hello-World", 12)
	if err != nil {
		t.Fatal(err)
	}
	wantCommits := []github.Commit{{
		SHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e", AuthorLogin: "octocat", CommitterLogin: "octocat",
		AuthorEmail: "support@github.com", CommitterEmail: "support@github.com", Message: "Fix all the bugs",
		Parents: []string{"6dcb09b5b57875f334f61aebed695e2e4193db5e"},
	}}
	if !reflect.DeepEqual(commits, wantCommits) {
		t.Errorf("Commits:\n got %+v\nwant %+v", commits, wantCommits)
	}

	dismissals, err := client("issues__list-events.review_dismissed.json").Dismissals(ctx, "octocat", "Hello-World", 12)
	if err != nil {
		t.Fatal(err)
	}
	wantDismissals := []github.Dismissal{{
		ReviewID: 80, DismissedBy: "hubot", DismissedByID: 2, OriginalState: "changes_requested",
		Message: "Addressed in 6dcb09b", At: time.Date(2022, 4, 14, 8, 12, 40, 0, time.UTC),
	}}
	if !reflect.DeepEqual(dismissals, wantDismissals) {
		t.Errorf("Dismissals:\n got %+v\nwant %+v", dismissals, wantDismissals)
	}
}

func TestPullRequestFromFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	merged := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	srv.AddPull(githubtest.Pull{
		Number: 7, Title: "Allergy banner", Author: "dev-dan", HeadRef: "allergy", BaseRef: "main",
		Draft: true, Merged: true, MergeCommitSHA: githubtest.SHA("merge-7"), MergedAt: merged,
	})
	c, _ := newClient(t, srv)
	got, err := c.PullRequest(context.Background(), owner, repo, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := github.PullRequest{
		Number: 7, Title: "Allergy banner", HTMLURL: "https://github.com/" + owner + "/" + repo + "/pull/7",
		Author: "dev-dan", AuthorID: githubtest.UserID("dev-dan"),
		HeadSHA: githubtest.SHA("head-7"), HeadRef: "allergy", BaseSHA: githubtest.SHA("base-7"), BaseRef: "main",
		HeadRepo: owner + "/" + repo, BaseRepo: owner + "/" + repo, DefaultBranch: "main",
		Draft: true, Merged: true, MergeCommitSHA: githubtest.SHA("merge-7"), MergedAt: merged,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PullRequest:\n got %+v\nwant %+v", got, want)
	}
}

func TestListsPageThroughLinkHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		items     int
		wantPages int
		setup     func(srv *githubtest.Server, n int)
		list      func(c *github.Client) (int, error)
		endpoint  string
	}{
		{
			name: "reviews", items: 250, wantPages: 3, endpoint: "/pulls/7/reviews",
			setup: func(srv *githubtest.Server, n int) {
				for i := range n {
					srv.AddReview(7, githubtest.Review{ID: int64(i + 1), Login: fmt.Sprintf("reviewer-%d", i), State: "COMMENTED"})
				}
			},
			list: func(c *github.Client) (int, error) {
				rs, err := c.Reviews(context.Background(), owner, repo, 7)
				for i, r := range rs {
					if r.ID != int64(i+1) {
						return 0, fmt.Errorf("review %d has id %d: order not kept", i, r.ID)
					}
				}
				return len(rs), err
			},
		},
		{
			name: "3000 files", items: 3000, wantPages: 30, endpoint: "/pulls/7/files",
			setup: func(srv *githubtest.Server, n int) {
				files := make([]githubtest.File, n)
				for i := range files {
					files[i] = githubtest.File{Path: fmt.Sprintf("src/f%04d.go", i)}
				}
				srv.AddFiles(7, files...)
			},
			list: func(c *github.Client) (int, error) {
				fs, err := c.Files(context.Background(), owner, repo, 7)
				return len(fs), err
			},
		},
		{
			name: "commits", items: 120, wantPages: 2, endpoint: "/pulls/7/commits",
			setup: func(srv *githubtest.Server, n int) {
				for i := range n {
					srv.AddCommits(7, githubtest.Commit{SHA: githubtest.SHA(fmt.Sprint("c", i)), AuthorLogin: "dev-dan"})
				}
			},
			list: func(c *github.Client) (int, error) {
				cs, err := c.Commits(context.Background(), owner, repo, 7)
				return len(cs), err
			},
		},
		{
			name: "issue events", items: 130, wantPages: 2, endpoint: "/issues/7/events",
			setup: func(srv *githubtest.Server, n int) {
				for range n - 1 {
					srv.AddEvent(7, githubtest.Event{Event: "labeled", Actor: "dev-dan"})
				}
				id := srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "CHANGES_REQUESTED"})
				srv.DismissReview(7, githubtest.Dismissal{ReviewID: id, By: "lead", Message: "stale"})
			},
			list: func(c *github.Client) (int, error) {
				ds, err := c.Dismissals(context.Background(), owner, repo, 7)
				if err == nil && (len(ds) != 1 || ds[0].OriginalState != "changes_requested" || ds[0].DismissedBy != "lead") {
					return 0, fmt.Errorf("dismissals on the last page: got %+v", ds)
				}
				return 130, err // every page was read if the last one's dismissal was found
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			srv.AddPull(githubtest.Pull{Number: 7})
			tt.setup(srv, tt.items)
			c, _ := newClient(t, srv)
			n, err := tt.list(c)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.items {
				t.Errorf("got %d items, want %d", n, tt.items)
			}
			var pages []string
			for _, r := range srv.Requests() {
				if r.Path == repoPath+tt.endpoint {
					if r.Query.Get("per_page") != "100" {
						t.Errorf("%s: per_page=%q, want 100", r, r.Query.Get("per_page"))
					}
					pages = append(pages, r.Query.Get("page"))
				}
			}
			want := []string{""}
			for p := 2; p <= tt.wantPages; p++ {
				want = append(want, fmt.Sprint(p))
			}
			if !slices.Equal(pages, want) {
				t.Errorf("pages requested %q, want %q", pages, want)
			}
		})
	}
}

func TestListsCutShortByGitHub(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("more than 3000 files", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		srv.AddPull(githubtest.Pull{Number: 7})
		files := make([]githubtest.File, 3001)
		for i := range files {
			files[i] = githubtest.File{Path: fmt.Sprintf("f%d", i)}
		}
		srv.AddFiles(7, files...)
		c, _ := newClient(t, srv)
		_, err := c.Files(ctx, owner, repo, 7)
		var unavailable *github.UnavailableError
		if !errors.As(err, &unavailable) || !strings.Contains(err.Error(), "3000 of the pull request's 3001") {
			t.Fatalf("Files = %v, want an *UnavailableError about the 3,000 cap", err)
		}
	})

	t.Run("more than 250 commits", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		srv.AddPull(githubtest.Pull{Number: 7})
		for i := range 260 {
			srv.AddCommits(7, githubtest.Commit{SHA: githubtest.SHA(fmt.Sprint("c", i)), AuthorLogin: fmt.Sprint("dev-", i)})
		}
		c, _ := newClient(t, srv)
		commits, err := c.Commits(ctx, owner, repo, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(commits) != 260 || commits[259].AuthorLogin != "dev-259" {
			t.Fatalf("got %d commits (last %+v), want all 260 in order", len(commits), commits[len(commits)-1])
		}
		if n := countPrefix(srv.Requests(), "GET "+repoPath+"/compare/"); n != 3 {
			t.Errorf("%d compare requests, want 3 pages of 100", n)
		}
	})
}

func countPrefix(reqs []githubtest.Request, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r.String(), prefix) {
			n++
		}
	}
	return n
}

// A typical pull request (one page of everything) costs exactly one request
// per fact, and writes nothing.
func TestTypicalPullRequestMakesMinimumRequests(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev-dan"})
	srv.AddFiles(7, githubtest.File{Path: "src/ui/allergy/banner.go"}, githubtest.File{Path: "safety/changes.yaml"})
	srv.AddCommits(7, githubtest.Commit{SHA: githubtest.SHA("c1"), AuthorLogin: "dev-dan"})
	id := srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "CHANGES_REQUESTED"})
	srv.DismissReview(7, githubtest.Dismissal{ReviewID: id, By: "bob-gp"})
	srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "APPROVED"})

	c, _ := newClient(t, srv)
	ctx := context.Background()
	if _, err := c.PullRequest(ctx, owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reviews(ctx, owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Files(ctx, owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Commits(ctx, owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Dismissals(ctx, owner, repo, 7); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET " + repoPath + "/pulls/7",
		"GET " + repoPath + "/pulls/7/reviews?per_page=100",
		"GET " + repoPath + "/pulls/7/files?per_page=100",
		"GET " + repoPath + "/pulls/7/commits?per_page=100",
		"GET " + repoPath + "/issues/7/events?per_page=100",
	}
	if got := paths(srv.Requests()); !slices.Equal(got, want) {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
}

func TestReviewsAsGitHubListsThem(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	first := srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "CHANGES_REQUESTED", CommitID: githubtest.SHA("old")})
	srv.DismissReview(7, githubtest.Dismissal{ReviewID: first, By: "dev-dan", Message: "fixed"})
	srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "approved"})
	srv.AddReview(7, githubtest.Review{Login: "bob-gp", State: "PENDING"})

	c, _ := newClient(t, srv)
	reviews, err := c.Reviews(context.Background(), owner, repo, 7)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reviews {
		got = append(got, fmt.Sprintf("%s %s %s submitted=%t", r.Login, r.State, r.CommitID[:7], !r.SubmittedAt.IsZero()))
	}
	want := []string{
		"alice-gp DISMISSED " + githubtest.SHA("old")[:7] + " submitted=true",
		"alice-gp APPROVED " + githubtest.SHA("head-7")[:7] + " submitted=true",
		"bob-gp PENDING " + githubtest.SHA("head-7")[:7] + " submitted=false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("reviews:\n got %q\nwant %q", got, want)
	}
	if reviews[1].UserID != githubtest.UserID("alice-gp") {
		t.Errorf("UserID = %d, want %d", reviews[1].UserID, githubtest.UserID("alice-gp"))
	}
}

func TestCommitsCarryPeopleAndCoAuthors(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.AddCommits(7,
		githubtest.Commit{
			SHA: githubtest.SHA("c1"), AuthorLogin: "dev-dan", CommitterLogin: "web-flow", Parents: []string{githubtest.SHA("base")},
			Message: "Banner colour\n\nCo-authored-by: Alice <583231+alice-gp@users.noreply.github.com>\nco-authored-by: Bob <bob@example.org>",
		},
		githubtest.Commit{SHA: githubtest.SHA("c2"), AuthorEmail: "someone@example.org", Message: "No account", Parents: []string{githubtest.SHA("c1")}},
	)
	c, _ := newClient(t, srv)
	commits, err := c.Commits(context.Background(), owner, repo, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := []github.Commit{
		{
			SHA: githubtest.SHA("c1"), AuthorLogin: "dev-dan", CommitterLogin: "web-flow",
			AuthorEmail:    fmt.Sprintf("%d+dev-dan@users.noreply.github.com", githubtest.UserID("dev-dan")),
			CommitterEmail: fmt.Sprintf("%d+dev-dan@users.noreply.github.com", githubtest.UserID("dev-dan")),
			CoAuthorEmails: []string{"583231+alice-gp@users.noreply.github.com", "bob@example.org"},
			Message:        "Banner colour\n\nCo-authored-by: Alice <583231+alice-gp@users.noreply.github.com>\nco-authored-by: Bob <bob@example.org>",
			Parents:        []string{githubtest.SHA("base")},
		},
		{
			SHA: githubtest.SHA("c2"), AuthorEmail: "someone@example.org", CommitterEmail: "someone@example.org",
			Message: "No account", Parents: []string{githubtest.SHA("c1")},
		},
	}
	if !reflect.DeepEqual(commits, want) {
		t.Errorf("Commits:\n got %+v\nwant %+v", commits, want)
	}
}

func TestRequestedReviewers(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev-dan", RequestedReviewers: []string{"carol"}})
	c, _ := newClient(t, srv)
	ctx := context.Background()

	if err := c.RequestReviewers(ctx, owner, repo, 7, nil); err != nil {
		t.Fatalf("RequestReviewers(nil): %v", err)
	}
	if len(srv.Writes()) != 0 {
		t.Fatalf("asking nobody wrote %v", paths(srv.Writes()))
	}
	if err := c.RequestReviewers(ctx, owner, repo, 7, []string{"alice-gp", "bob-gp"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.RequestedReviewers(ctx, owner, repo, 7)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"carol", "alice-gp", "bob-gp"}; !slices.Equal(got, want) {
		t.Errorf("RequestedReviewers = %q, want %q", got, want)
	}
	w := srv.Writes()
	if len(w) != 1 || string(w[0].Body) != `{"reviewers":["alice-gp","bob-gp"]}`+"\n" {
		t.Errorf("writes: %v %q", paths(w), w[0].Body)
	}

	// GitHub refuses to ask the author; that is not a permission problem.
	err = c.RequestReviewers(ctx, owner, repo, 7, []string{"dev-dan"})
	var status *github.StatusError
	if !errors.As(err, &status) || status.StatusCode != 422 {
		t.Errorf("asking the author: %v, want a 422 *StatusError", err)
	}
}
