package github_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

func TestSetStatus(t *testing.T) {
	t.Parallel()
	sha := githubtest.SHA("head-7")
	long := strings.Repeat("é", 150) // 150 characters, 300 bytes
	tests := []struct {
		name     string
		status   github.Status
		wantDesc string
		wantErr  string
	}{
		{
			name:     "plain",
			status:   github.Status{State: "failure", Context: "clinical-safety/cso-approval", Description: "Blocked: CSO_APPROVAL_REQUIRED", TargetURL: "https://github.com/o/r/actions/runs/1"},
			wantDesc: "Blocked: CSO_APPROVAL_REQUIRED",
		},
		{
			name:     "description cut to 140 characters without splitting one",
			status:   github.Status{State: "success", Context: "clinical-safety/cso-approval", Description: long},
			wantDesc: strings.Repeat("é", 139) + "…",
		},
		{
			name:     "exactly 140 characters kept",
			status:   github.Status{State: "pending", Context: "c", Description: strings.Repeat("✓", 140)},
			wantDesc: strings.Repeat("✓", 140),
		},
		{
			name:    "unknown state refused before sending",
			status:  github.Status{State: "approved", Context: "c"},
			wantErr: `state "approved" is not one of`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			srv.AddPull(githubtest.Pull{Number: 7})
			c, _ := newClient(t, srv)
			err := c.SetStatus(context.Background(), owner, repo, sha, tt.status)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SetStatus = %v, want error containing %q", err, tt.wantErr)
				}
				if len(srv.Requests()) != 0 {
					t.Errorf("sent %q for an invalid status", paths(srv.Requests()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, ok := srv.LatestStatus(sha, tt.status.Context)
			if !ok {
				t.Fatalf("no status posted on %s", sha)
			}
			if got.State != tt.status.State || got.Description != tt.wantDesc || got.TargetURL != tt.status.TargetURL {
				t.Errorf("posted %+v, want state %s, description %q", got, tt.status.State, tt.wantDesc)
			}
			if n := utf8.RuneCountInString(got.Description); n > 140 {
				t.Errorf("description has %d characters", n)
			}
		})
	}
}

const marker = "<!-- csogate:sticky -->"

func TestUpsertCommentCreatesOnceThenUpdatesInPlace(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.AddComment(7, githubtest.Comment{Login: "dev-dan", Body: "Looks good to me"})
	c, _ := newClient(t, srv)
	ctx := context.Background()

	if err := c.UpsertComment(ctx, owner, repo, 7, marker, marker+"\n**Blocked**: CSO approval required"); err != nil {
		t.Fatal(err)
	}
	if err := c.UpsertComment(ctx, owner, repo, 7, marker, marker+"\n**Approved** by alice-gp"); err != nil {
		t.Fatal(err)
	}
	comments := srv.Comments(7)
	if len(comments) != 2 {
		t.Fatalf("%d comments, want the person's and one sticky: %+v", len(comments), comments)
	}
	if got := comments[1]; got.Body != marker+"\n**Approved** by alice-gp" || got.Login != githubtest.ActionsBot {
		t.Errorf("sticky comment = %+v", got)
	}
	if comments[0].Body != "Looks good to me" {
		t.Errorf("the person's comment changed: %q", comments[0].Body)
	}
	var writes []string
	for _, w := range srv.Writes() {
		writes = append(writes, w.Method+" "+w.Path)
	}
	want := []string{
		"POST " + repoPath + "/issues/7/comments",
		fmt.Sprintf("PATCH %s/issues/comments/%d", repoPath, comments[1].ID),
	}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("writes:\n got %q\nwant %q", writes, want)
	}

	// The same body again changes nothing and writes nothing.
	srv.ResetRequests()
	if err := c.UpsertComment(ctx, owner, repo, 7, marker, marker+"\n**Approved** by alice-gp"); err != nil {
		t.Fatal(err)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("unchanged body wrote %q", paths(w))
	}
}

func TestUpsertCommentFindsMarkerOnALaterPage(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	for i := range 150 {
		srv.AddComment(7, githubtest.Comment{Login: "dev-dan", Body: fmt.Sprintf("comment %d", i)})
	}
	sticky := srv.AddComment(7, githubtest.Comment{Login: githubtest.ActionsBot, Body: marker + "\nold"})
	for i := range 60 {
		srv.AddComment(7, githubtest.Comment{Login: "dev-dan", Body: fmt.Sprintf("later %d", i)})
	}
	c, _ := newClient(t, srv)
	if err := c.UpsertComment(context.Background(), owner, repo, 7, marker, marker+"\nnew"); err != nil {
		t.Fatal(err)
	}
	w := srv.Writes()
	if len(w) != 1 || w[0].Method != "PATCH" || w[0].Path != fmt.Sprintf("%s/issues/comments/%d", repoPath, sticky) {
		t.Fatalf("writes %q, want one PATCH of comment %d", paths(w), sticky)
	}
	if n := len(srv.Comments(7)); n != 211 {
		t.Errorf("%d comments, want 211 (none added)", n)
	}
}

// A person's comment that quotes the marker — a reply quoting the gate's
// comment, or a planted one — is never taken for the gate's: it is left as
// it is, and the gate keeps its own comment, written as the workflow's bot.
func TestUpsertCommentIgnoresPeoplesCommentsWithTheMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// before are the comments on the pull request before the gate runs.
		before []githubtest.Comment
		// want is the index in before of the comment the gate updates; -1
		// when it creates one.
		want int
	}{
		{
			name:   "a person's comment carrying the marker, before the gate ever commented",
			before: []githubtest.Comment{{Login: "dev-dan", Body: marker + "\n**Approved** by alice-gp (really)"}},
			want:   -1,
		},
		{
			name: "a person quotes the gate's comment, above it",
			before: []githubtest.Comment{
				{Login: "dev-dan", Body: "> " + marker + "\n> **Blocked**\nWhy?"},
				{Login: githubtest.ActionsBot, Body: marker + "\n**Blocked**: CSO approval required"},
			},
			want: 1,
		},
		{
			name: "a person's comment with the marker, after the gate's",
			before: []githubtest.Comment{
				{Login: githubtest.ActionsBot, Body: marker + "\n**Blocked**: CSO approval required"},
				{Login: "lead-larry", Body: marker + "\nship it"},
			},
			want: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			srv.AddPull(githubtest.Pull{Number: 7})
			var ids []int64
			for _, cm := range tc.before {
				ids = append(ids, srv.AddComment(7, cm))
			}
			c, _ := newClient(t, srv)
			body := marker + "\n**Blocked**: CSO_CHANGES_REQUESTED"
			for range 2 {
				if err := c.UpsertComment(context.Background(), owner, repo, 7, marker, body); err != nil {
					t.Fatal(err)
				}
				body += " (again)"
			}
			comments := srv.Comments(7)
			for i, cm := range tc.before {
				if i == tc.want {
					continue
				}
				if comments[i].ID != ids[i] || comments[i].Body != cm.Body || comments[i].Login != cm.Login {
					t.Errorf("comment %d by %s changed: %+v", i, cm.Login, comments[i])
				}
			}
			ours := comments[len(comments)-1]
			wantLen := len(tc.before) + 1
			if tc.want >= 0 {
				ours, wantLen = comments[tc.want], len(tc.before)
			}
			if len(comments) != wantLen {
				t.Fatalf("%d comments, want %d: %+v", len(comments), wantLen, comments)
			}
			if ours.Login != githubtest.ActionsBot || ours.Body != body[:len(body)-len(" (again)")] {
				t.Errorf("the gate's comment = %+v, want github-actions[bot]'s with the latest body", ours)
			}
			for _, w := range srv.Writes() {
				for i, id := range ids {
					if i != tc.want && w.Method == "PATCH" && w.Path == fmt.Sprintf("%s/issues/comments/%d", repoPath, id) {
						t.Errorf("edited %s's comment %d", tc.before[i].Login, id)
					}
				}
			}
		})
	}
}

func TestUpsertCommentAppendsMissingMarker(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	c, _ := newClient(t, srv)
	ctx := context.Background()
	for range 2 {
		if err := c.UpsertComment(ctx, owner, repo, 7, marker, "no marker in here"); err != nil {
			t.Fatal(err)
		}
	}
	comments := srv.Comments(7)
	if len(comments) != 1 || comments[0].Body != "no marker in here\n\n"+marker {
		t.Errorf("comments = %+v, want one ending in the marker", comments)
	}
	if err := c.UpsertComment(ctx, owner, repo, 7, "  ", "x"); err == nil {
		t.Error("an empty marker was accepted")
	}
}

// GitHub created the comment but the answer was lost (a 502 from a proxy):
// creating again blindly would duplicate it.
func TestUpsertCommentNeverDuplicatesAfterLostAnswer(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	lost := githubtest.BadGateway()
	lost.Apply = true
	srv.Fail("POST", repoPath+"/issues/7/comments", lost)
	c, _ := newClient(t, srv)
	if err := c.UpsertComment(context.Background(), owner, repo, 7, marker, marker+"\nbody"); err != nil {
		t.Fatal(err)
	}
	if comments := srv.Comments(7); len(comments) != 1 {
		t.Fatalf("%d comments, want exactly 1: %+v", len(comments), comments)
	}
	want := []string{
		"GET " + repoPath + "/issues/7/comments?per_page=100",
		"POST " + repoPath + "/issues/7/comments",
		"GET " + repoPath + "/issues/7/comments?per_page=100",
	}
	if got := paths(srv.Requests()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
}

// A create that failed without being carried out is tried again.
func TestUpsertCommentRetriesCreateThatDidNotHappen(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.Fail("POST", repoPath+"/issues/7/comments", githubtest.BadGateway(), githubtest.SecondaryRateLimit(2*time.Second))
	c, rec := newClient(t, srv)
	if err := c.UpsertComment(context.Background(), owner, repo, 7, marker, marker+"\nbody"); err != nil {
		t.Fatal(err)
	}
	if comments := srv.Comments(7); len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	// The 502 is not retried blindly; the rate limit (which proves nothing was
	// done) is, after its wait.
	if waits := rec.All(); len(waits) != 1 || waits[0] != 2*time.Second {
		t.Errorf("waits = %v, want the rate limit's 2s", waits)
	}
}
