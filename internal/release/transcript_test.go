package release

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestTranscriptReplaysAnswers: what the recorder kept is answered the same
// offline; a question it did not keep fails and is listed, an answer never
// asked for is listed, and a GitHub error comes back as the client's type.
func TestTranscriptReplaysAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubtest.New(t)
	head := githubtest.SHA("head")
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev-dan", HeadSHA: head, BaseSHA: githubtest.SHA("base")})
	srv.AddReview(7, githubtest.Review{Login: "alice-gp", UserID: 583231, State: "APPROVED"})
	srv.SetContent(head, "safety/hazards/a.md", []byte("# HAZ-001\n"))
	srv.SetContent(head, "safety/hazards/b.md", []byte("# HAZ-002\n"))
	srv.FailAlways("GET", srv.RepoPath()+"/pulls/7/files", githubtest.ServerError(502))
	client, err := github.New(github.Options{BaseURL: srv.URL(), Token: "t", Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(client)
	reviews, err := rec.Reviews(ctx, srv.Owner(), srv.Repo(), 7)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := rec.DirAt(ctx, srv.Owner(), srv.Repo(), head, "safety/hazards")
	if err != nil {
		t.Fatal(err)
	}
	if len(dir) != 2 || len(reviews) != 1 {
		t.Fatalf("the fake gave %d files and %d reviews, want 2 and 1", len(dir), len(reviews))
	}
	_, missingFound, _ := rec.FileAt(ctx, srv.Owner(), srv.Repo(), head, "safety/none.yaml")
	_, filesErr := rec.Files(ctx, srv.Owner(), srv.Repo(), 7)
	srv.Close()

	tr := rec.Transcript()
	p, err := NewReplayer(tr)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p.Reviews(ctx, srv.Owner(), srv.Repo(), 7); err != nil || !reflect.DeepEqual(got, reviews) {
		t.Errorf("replayed reviews %+v (%v), recorded %+v", got, err, reviews)
	}
	if got, err := p.DirAt(ctx, srv.Owner(), srv.Repo(), head, "safety/hazards"); err != nil || !reflect.DeepEqual(got, dir) {
		t.Errorf("replayed directory %v (%v), recorded %v", got, err, dir)
	}
	if _, found, err := p.FileAt(ctx, srv.Owner(), srv.Repo(), head, "safety/none.yaml"); found != missingFound || err != nil {
		t.Errorf("replayed missing file: found %v, %v", found, err)
	}
	var unavailable *github.UnavailableError
	if _, err := p.Files(ctx, srv.Owner(), srv.Repo(), 7); err == nil || err.Error() != filesErr.Error() || !errors.As(err, &unavailable) {
		t.Errorf("replayed error %v, recorded %v; want the same message, an UnavailableError", err, filesErr)
	}
	if _, err := p.Commits(ctx, srv.Owner(), srv.Repo(), 7); !errors.Is(err, ErrNotRecorded) {
		t.Errorf("a question not recorded: %v, want ErrNotRecorded", err)
	}
	if u := p.Unanswered(); len(u) != 1 || u[0] != "commits("+srv.Owner()+", "+srv.Repo()+", 7)" {
		t.Errorf("unanswered %v", u)
	}
	if u := p.Unasked(); len(u) != 0 {
		t.Errorf("unasked %v, want none", u)
	}

	tr.Exchanges = append(tr.Exchanges, tr.Exchanges[0])
	if _, err := NewReplayer(tr); err == nil {
		t.Errorf("a transcript with two answers to one question is accepted")
	}
}
