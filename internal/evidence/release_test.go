package evidence

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/release"
)

// releaseRecord gates release v2.4.0 of the epr product against a fake
// GitHub — #11 changes the allergy banner (CHG-101, HAZ-003) and sets
// release: 2.4.0, approved on its head by the CSO when approved — writes
// its record into a new directory, and stops the fake, so whatever reads
// the record afterwards is offline.
func releaseRecord(t *testing.T, approved bool, setup ...func(*githubtest.Server)) (string, *release.Result) {
	t.Helper()
	srv := githubtest.New(t)
	tree := map[string][]byte{}
	for _, name := range []string{"hazard-log.yaml", "cso-register.yaml", "csogate.yaml", "policies/two_csos_catastrophic.rego"} {
		tree["safety/"+name] = read(t, filepath.Join("testdata/epr/safety", name))
	}
	tree["safety/changes.yaml"] = []byte("release: 2.3.0\nchanges: []\n")
	initial, headSHA, merged := githubtest.SHA("initial"), githubtest.SHA("pr-11-head"), githubtest.SHA("pr-11-merge")
	srv.AddCommit(githubtest.Commit{SHA: initial, AuthorLogin: "dev-dan", Message: "Initial commit"})
	setTree := func(sha string) {
		for name, data := range tree {
			srv.SetContent(sha, name, data)
		}
	}
	setTree(initial)
	srv.AddTag("v2.3.0", initial)
	srv.AddStatus(githubtest.Status{SHA: initial, Context: "csogate/release", State: "success"})

	files := []githubtest.File{{Path: "src/ui/allergy/banner.go"}, {Path: "safety/changes.yaml"}}
	srv.AddPull(githubtest.Pull{Number: 11, Title: "Allergy banner, release 2.4.0", Author: "dev-dan", HeadSHA: headSHA, BaseSHA: initial,
		Merged: true, MergeCommitSHA: merged})
	srv.AddCommits(11, githubtest.Commit{SHA: headSHA, AuthorLogin: "dev-dan", AuthorEmail: "dan@example.org", Message: "Banner"})
	srv.AddFiles(11, files...)
	srv.AddCommit(githubtest.Commit{SHA: merged, AuthorLogin: "dev-dan", Parents: []string{initial}, Files: files, Message: "Banner (#11)"})
	srv.AddReview(11, githubtest.Review{Login: "dev-bob", State: "APPROVED"})
	if approved {
		srv.AddReview(11, githubtest.Review{Login: "alice-gp", UserID: 583231, State: "APPROVED"})
	}
	tree["safety/changes.yaml"] = []byte(`release: 2.4.0
changes:
  - id: CHG-101
    summary: Allergy banner colour and wording
    clinical: true
    hazards: [HAZ-003]
    paths: ["src/ui/allergy/**"]
    assessment: Banner stays non-collapsible (CTL-020).
`)
	setTree(headSHA)
	setTree(merged)
	srv.AddTag("v2.4.0", merged)

	for _, f := range setup {
		f(srv)
	}
	client, err := github.New(github.Options{BaseURL: srv.URL(), Token: "t", Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	recorder := release.NewRecorder(client)
	req := release.Request{Owner: srv.Owner(), Repo: srv.Repo(), Tag: "v2.4.0", StatusContext: "csogate/release",
		Paths: gate.DefaultPaths(), Today: created, PermissionsBlock: "permissions: {contents: read}"}
	res := release.Evaluate(context.Background(), recorder, req)
	if res.Err != nil && len(setup) == 0 {
		t.Fatalf("gating the release: %v", res.Err)
	}
	dir := t.TempDir()
	meta := testMeta
	meta.EventName, meta.PullRequest = "push", 0
	if _, err := WriteRelease(dir, res.Request, res.Release, ReleaseRun{Request: req, Result: res, Transcript: recorder.Transcript()}, meta); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	return dir, res
}

// rel is the release part of a record's JSON.
func rel(m map[string]any) map[string]any { return m["release"].(map[string]any) }

func relPull(m map[string]any) map[string]any {
	return rel(m)["pull_requests"].([]any)[0].(map[string]any)
}

// TestReleaseRecordReplays: a release record, approved or blocked by a
// non-CSO's approval, replays offline to the same decision, per pull
// request.
func TestReleaseRecordReplays(t *testing.T) {
	t.Parallel()
	for _, approved := range []bool{true, false} {
		dir, res := releaseRecord(t, approved)
		want := map[bool]string{true: decision.Approved, false: decision.Blocked}[approved]
		if res.Release.Decision.Decision != want {
			t.Fatalf("the run decided %s, want %s: %v", res.Release.Decision.Decision, want, res.Release.Decision.Violations)
		}
		got, err := Replay(context.Background(), dir, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if !got.Matches() || got.Decision.Decision != want || got.ExitCode() != res.Release.Decision.ExitCode {
			t.Errorf("approved=%v: replay %s exit %d, differences %v", approved, got.Decision.Decision, got.ExitCode(), got.Differences)
		}
	}
}

// TestFailedReleaseRecordReplays: a release GitHub failed to answer is
// blocked with exit 3, and its record, which keeps the failure as GitHub
// gave it, replays offline to the same decision, message and exit code.
func TestFailedReleaseRecordReplays(t *testing.T) {
	t.Parallel()
	repo := "/repos/" + githubtest.DefaultOwner + "/" + githubtest.DefaultRepo
	tests := []struct {
		name     string
		fail     func(srv *githubtest.Server)
		wantCode string
	}{
		{name: "GitHub unavailable for #11's reviews", wantCode: decision.CodeGitHubUnavailable,
			fail: func(srv *githubtest.Server) {
				srv.FailAlways("GET", repo+"/pulls/11/reviews", githubtest.ServerError(502))
			}},
		{name: "a permission missing for the contents", wantCode: decision.CodeGitHubUnavailable,
			fail: func(srv *githubtest.Server) { srv.FailAlways("GET", repo+"/contents/", githubtest.Forbidden()) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, res := releaseRecord(t, true, tc.fail)
			d := res.Release.Decision
			if d.ExitCode != decision.ExitOperational || len(d.Violations) == 0 || d.Violations[0].Code != tc.wantCode {
				t.Fatalf("the run decided %s exit %d %v, want exit 3 with %s", d.Decision, d.ExitCode, d.Violations, tc.wantCode)
			}
			got, err := Replay(context.Background(), dir, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if !got.Matches() || got.ExitCode() != decision.ExitOperational {
				t.Errorf("replay exit %d, differences %v", got.ExitCode(), got.Differences)
			}
		})
	}
}

// TestForgedReleaseRecordRefused: a forger edits what a release record
// says of a pull request — a review, a fact, the decision — and re-seals
// the digest; the replay re-derives every pull request from the record's
// transcript of GitHub and names the field that differs. A file the record
// keeps that was altered is refused as a hash mismatch.
func TestForgedReleaseRecordRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		approved  bool
		edit      func(m map[string]any)
		wantField string
	}{
		{name: "a per-PR review made a CSO's approval", edit: func(m map[string]any) {
			r := relPull(m)["request"].(map[string]any)["reviews"].([]any)[0].(map[string]any)
			r["login"], r["user_id"] = "alice-gp", 583231
		}, wantField: "release.pull_requests[0].request.reviews[0].login"},
		{name: "GitHub's answer edited to add the CSO's approval", edit: func(m map[string]any) {
			for _, x := range rel(m)["github"].([]any) {
				x := x.(map[string]any)
				if x["call"] == "reviews" {
					r := x["answer"].([]any)[0].(map[string]any)
					r["Login"], r["UserID"] = "alice-gp", 583231
				}
			}
		}, wantField: "decision.pull_requests[0].approvals[0].counted"},
		{name: "a per-PR fact (the author) edited", approved: true, edit: func(m map[string]any) {
			relPull(m)["facts"].(map[string]any)["author"] = "someone-else"
		}, wantField: "release.pull_requests[0].facts.author"},
		{name: "an answer from GitHub removed (#11's dismissal events)", approved: true, edit: func(m map[string]any) {
			var kept []any
			for _, x := range rel(m)["github"].([]any) {
				if x.(map[string]any)["call"] != "dismissals" {
					kept = append(kept, x)
				}
			}
			rel(m)["github"] = kept
		}, wantField: "release.github"},
		{name: "an answer from GitHub no question asked for", approved: true, edit: func(m map[string]any) {
			rel(m)["github"] = append(rel(m)["github"].([]any), map[string]any{"call": "reviews", "args": []any{"o", "r", "99"}, "answer": []any{}})
		}, wantField: "release.github"},
		{name: "a per-PR decision turned approved", edit: func(m map[string]any) {
			relPull(m)["decision"].(map[string]any)["decision"] = "approved"
			dec(m)["pull_requests"].([]any)[0].(map[string]any)["decision"] = "approved"
		}, wantField: "decision.pull_requests[0].decision"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, _ := releaseRecord(t, tc.approved)
			name := filepath.Join(dir, RecordFile)
			if err := os.WriteFile(name, reseal(t, editJSON(t, read(t, name), tc.edit)), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Replay(context.Background(), dir, t.TempDir())
			if err != nil {
				t.Fatalf("the resealed forgery is refused before its replay: %v", err)
			}
			var fields []string
			for _, d := range got.Differences {
				fields = append(fields, d.Field)
			}
			if got.Matches() || got.ExitCode() != decision.ExitBlocked || !strings.Contains(strings.Join(fields, " "), tc.wantField) {
				t.Errorf("replay exit %d, differences %v; want exit 1 naming %s", got.ExitCode(), got.Differences, tc.wantField)
			}
		})
	}

	t.Run("a file read from GitHub altered", func(t *testing.T) {
		t.Parallel()
		dir, _ := releaseRecord(t, false)
		copies, err := filepath.Glob(filepath.Join(dir, githubDir, "*"))
		if err != nil || len(copies) == 0 {
			t.Fatalf("no copies under %s/: %v", githubDir, err)
		}
		if err := os.WriteFile(copies[0], []byte("edited"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = Replay(context.Background(), dir, t.TempDir())
		var mismatch *Mismatch
		if !errors.As(err, &mismatch) || mismatch.File != copies[0] {
			t.Errorf("replay error %v, want a hash mismatch of %s", err, copies[0])
		}
	})
}

// TestVerifyReleaseRecord: csogate verify --record accepts the record of a
// release run, which replays with no checkout, and refuses it once a pull
// request's decision in it is edited and the digest re-sealed.
func TestVerifyReleaseRecord(t *testing.T) {
	t.Parallel()
	dir, _ := releaseRecord(t, true)
	rec, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStatement(rec, Subject{Name: "example-epr-2.4.0.tar.gz", Digest: map[string]string{"sha256": sha(artefact)}})
	if err != nil {
		t.Fatal(err)
	}
	if failures, err := VerifyRecord(t.Context(), st.Predicate, dir, t.TempDir()); err != nil || len(failures) > 0 {
		t.Errorf("got %v, %v; want the release record accepted", failures, err)
	}

	name := filepath.Join(dir, RecordFile)
	if err := os.WriteFile(name, reseal(t, editJSON(t, read(t, name), func(m map[string]any) {
		relPull(m)["decision"].(map[string]any)["decision"] = "not_required"
	})), 0o644); err != nil {
		t.Fatal(err)
	}
	failures, err := VerifyRecord(t.Context(), st.Predicate, dir, t.TempDir())
	if err != nil || len(failures) == 0 || !strings.Contains(strings.Join(failures, "\n"), "is not the record of the attested decision") {
		t.Errorf("got %v, %v; want the re-sealed record refused", failures, err)
	}
}

// TestReleaseRecordDigestCoversRelease: an edit of the release part without
// re-sealing is refused before any replay, naming the part.
func TestReleaseRecordDigestCoversRelease(t *testing.T) {
	t.Parallel()
	dir, _ := releaseRecord(t, true)
	name := filepath.Join(dir, RecordFile)
	if err := os.WriteFile(name, editJSON(t, read(t, name), func(m map[string]any) {
		relPull(m)["title"] = "Something else"
	}), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), "release.pull_requests") {
		t.Errorf("got %v, want the edited release.pull_requests named", err)
	}
}
