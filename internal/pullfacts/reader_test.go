package pullfacts

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/policy"
)

var (
	head = githubtest.SHA("head-7")
	base = githubtest.SHA("base-7")
)

// newServer is a fake GitHub holding pull request #7 by dev-dan: a CSO's
// approval and a dismissed stop, a renamed file, a commit co-authored by a
// noreply address, and a manifest at its base.
func newServer(t *testing.T) *githubtest.Server {
	t.Helper()
	srv := githubtest.New(t)
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev-dan", HeadSHA: head, BaseSHA: base})
	srv.AddCommits(7, githubtest.Commit{SHA: head, AuthorLogin: "dev-dan",
		Message: "Move the banner\n\nCo-authored-by: Niamh <nurse-niamh@users.noreply.github.com>"})
	srv.AddFiles(7, githubtest.File{Path: "src/new/banner.go", PreviousPath: "src/ui/allergy/banner.go", Status: "renamed"})
	srv.AddReview(7, githubtest.Review{Login: "alice-gp", UserID: 583231, State: "APPROVED"})
	stop := srv.AddReview(7, githubtest.Review{Login: "pharm-priya", State: "CHANGES_REQUESTED"})
	srv.DismissReview(7, githubtest.Dismissal{ReviewID: stop, By: "lead-larry"})
	srv.SetContent(base, "safety/changes.yaml", []byte("release: 2.3.0\nchanges: []\n"))
	return srv
}

func newReader(t *testing.T, srv *githubtest.Server) *Reader {
	t.Helper()
	c, err := github.New(github.Options{BaseURL: srv.URL(), Token: "ghs_test", Timeout: 5 * time.Second,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return NewReader(c, srv.Owner(), srv.Repo())
}

func requestStrings(srv *githubtest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.String())
	}
	return out
}

// TestRequest gathers the pull request's facts in one page each, and maps
// them as the gate reads them.
func TestRequest(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		pull        Pull
		wantTrusted string
		wantReads   []string
	}{
		{
			name:        "commits read, trusted side at the base",
			pull:        Pull{Number: 7, HeadSHA: head, BaseSHA: base, Author: "dev-dan", Workspace: "/ws", Paths: gate.DefaultPaths(), Today: today},
			wantTrusted: "the base commit " + decision.ShortSHA(base),
			wantReads:   []string{"reviews", "files", "commits", "events", "contents/safety/changes.yaml?ref=" + base},
		},
		{
			name: "commits given, trusted side elsewhere",
			pull: Pull{Number: 7, HeadSHA: head, BaseSHA: base, Author: "dev-dan", Workspace: "/ws", Paths: gate.DefaultPaths(), Today: today,
				Commits:    []github.Commit{{SHA: head, AuthorLogin: "dev-dan", CoAuthorEmails: []string{"nurse-niamh@users.noreply.github.com"}}},
				TrustedRef: githubtest.SHA("group-base"), TrustedWhat: "the merge group's base commit"},
			wantTrusted: "the merge group's base commit " + decision.ShortSHA(githubtest.SHA("group-base")),
			wantReads:   []string{"reviews", "files", "events", "contents/safety/changes.yaml?ref=" + base},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			req, err := newReader(t, srv).Request(context.Background(), tc.pull)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := req.ChangedFiles, []string{"src/new/banner.go", "src/ui/allergy/banner.go"}; !slices.Equal(got, want) {
				t.Errorf("changed files = %v, want %v (a rename's previous path too)", got, want)
			}
			if len(req.Reviews) != 2 || req.Reviews[0].Login != "alice-gp" || req.Reviews[0].UserID != 583231 || req.Reviews[0].CommitID != head {
				t.Errorf("reviews = %+v", req.Reviews)
			}
			if len(req.Dismissals) != 1 || req.Dismissals[0].DismissedBy != "lead-larry" || req.Dismissals[0].ReviewID != req.Reviews[1].ID {
				t.Errorf("dismissals = %+v", req.Dismissals)
			}
			if got, want := req.CommitAuthors, []string{"dev-dan", "nurse-niamh"}; !slices.Equal(got, want) {
				t.Errorf("commit authors = %v, want %v", got, want)
			}
			if string(req.BaseManifest) != "release: 2.3.0\nchanges: []\n" {
				t.Errorf("base manifest = %q", req.BaseManifest)
			}
			if req.HeadSHA != head || req.Author != "dev-dan" || req.WorkspaceRoot != "/ws" || !req.Today.Equal(today) || req.Paths.Manifest != "safety/changes.yaml" {
				t.Errorf("request = %+v", req)
			}
			if got := req.Trusted.Describe(); got != tc.wantTrusted {
				t.Errorf("trusted side = %q, want %q", got, tc.wantTrusted)
			}
			// The reads go at once, so in no fixed order: each is asked once.
			got := requestStrings(srv)
			if len(got) != len(tc.wantReads) {
				t.Fatalf("requests:\n%s\nwant %d: %v", strings.Join(got, "\n"), len(tc.wantReads), tc.wantReads)
			}
			for _, want := range tc.wantReads {
				if n := len(slices.DeleteFunc(slices.Clone(got), func(g string) bool { return !strings.Contains(g, want) })); n != 1 {
					t.Errorf("%d requests for %s, want 1; requests:\n%s", n, want, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// TestRequestWithoutBaseManifest: a base without a manifest leaves
// BaseManifest nil, so every change of the head is under review.
func TestRequestWithoutBaseManifest(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	empty := githubtest.SHA("empty base")
	srv.AddCommit(githubtest.Commit{SHA: empty, Message: "Initial commit"})
	req, err := newReader(t, srv).Request(context.Background(), Pull{Number: 7, HeadSHA: head, BaseSHA: empty, Paths: gate.DefaultPaths()})
	if err != nil {
		t.Fatal(err)
	}
	if req.BaseManifest != nil {
		t.Errorf("base manifest = %q, want nil", req.BaseManifest)
	}
}

// TestRequestFailure names what could not be read, and keeps GitHub's error.
func TestRequestFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.FailAlways("GET", srv.RepoPath()+"/pulls/7/files", githubtest.Forbidden())
	_, err := newReader(t, srv).Request(context.Background(), Pull{Number: 7, HeadSHA: head, BaseSHA: base, Paths: gate.DefaultPaths()})
	var perm *github.PermissionError
	if err == nil || !strings.HasPrefix(err.Error(), "reading the changed files of #7: ") || !errors.As(err, &perm) {
		t.Errorf("error = %v, want the changed files of #7 named and GitHub's permission error kept", err)
	}
}

// TestEvaluateReportsTrustedFailure: a failed read of the trusted side comes
// back as an error naming the side, beside the gate's own outcome.
func TestEvaluateReportsTrustedFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.FailAlways("GET", srv.RepoPath()+"/contents/safety/csogate.yaml", githubtest.Forbidden())
	r := newReader(t, srv)
	req, err := r.Request(context.Background(), Pull{Number: 7, HeadSHA: head, BaseSHA: base, Workspace: t.TempDir(), Paths: gate.DefaultPaths()})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Evaluate(context.Background(), req)
	if out == nil || out.Decision == nil || out.Decision.Allowed() {
		t.Fatalf("outcome = %+v, want a blocked decision", out)
	}
	var perm *github.PermissionError
	if err == nil || !errors.As(err, &perm) || !strings.Contains(err.Error(), "from the base commit "+decision.ShortSHA(base)) {
		t.Errorf("error = %v, want GitHub's permission error naming the base commit", err)
	}
}

// TestCheckout writes the head's hazard log, manifest and components map,
// leaves absent files absent, reads a directory log file by file, and reads
// each file at a commit once however often it is asked for.
func TestCheckout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		paths gate.Paths
		files map[string]string // at the head
		want  []string          // files in the checkout
		reads int               // contents requests for two checkouts
	}{
		{
			name:  "a YAML hazard log; no components map",
			paths: gate.DefaultPaths(),
			files: map[string]string{"safety/hazard-log.yaml": "log", "safety/changes.yaml": "manifest", "safety/cso-register.yaml": "register"},
			want:  []string{"safety/changes.yaml", "safety/hazard-log.yaml"},
			reads: 3,
		},
		{
			name:  "a directory of Markdown hazards",
			paths: func() gate.Paths { p := gate.DefaultPaths(); p.HazardLog = "safety/hazards"; return p }(),
			files: map[string]string{"safety/hazards/hazard-1.md": "one", "safety/hazards/sub/hazard-2.md": "two",
				"safety/changes.yaml": "manifest", "safety/hazard-components.yaml": "map"},
			want:  []string{"safety/changes.yaml", "safety/hazard-components.yaml", "safety/hazards/hazard-1.md", "safety/hazards/sub/hazard-2.md"},
			reads: 6, // the directory, its subdirectory, its two files, the manifest and the map
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			for name, data := range tc.files {
				srv.SetContent(head, name, []byte(data))
			}
			srv.ResetRequests()
			r := newReader(t, srv)
			parent := t.TempDir()
			var dirs []string
			for range 2 {
				dir, err := r.Checkout(context.Background(), head, parent, tc.paths)
				if err != nil {
					t.Fatal(err)
				}
				dirs = append(dirs, dir)
			}
			if dirs[0] == dirs[1] || filepath.Dir(dirs[0]) != parent {
				t.Errorf("checkouts %v, want two new directories under %s", dirs, parent)
			}
			var got []string
			err := filepath.WalkDir(dirs[1], func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dirs[1], p)
				data, _ := os.ReadFile(p)
				if string(data) != tc.files[filepath.ToSlash(rel)] {
					t.Errorf("%s holds %q, want %q", rel, data, tc.files[filepath.ToSlash(rel)])
				}
				got = append(got, filepath.ToSlash(rel))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("checkout holds %v, want %v", got, tc.want)
			}
			if n := len(srv.Requests()); n != tc.reads {
				t.Errorf("%d requests for two checkouts, want %d:\n%s", n, tc.reads, strings.Join(requestStrings(srv), "\n"))
			}
		})
	}
}

// TestCheckoutFailure removes the directory it made and returns GitHub's error.
func TestCheckoutFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.FailAlways("GET", srv.RepoPath()+"/contents/", githubtest.Forbidden())
	parent := t.TempDir()
	_, err := newReader(t, srv).Checkout(context.Background(), head, parent, gate.DefaultPaths())
	var perm *github.PermissionError
	if !errors.As(err, &perm) {
		t.Errorf("error = %v, want GitHub's permission error", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left %d entries in %s", len(entries), parent)
	}
}

// TestHazardLogIsDir tells directory logs from files as the gate's readers do.
func TestHazardLogIsDir(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		log, format string
		want        bool
	}{
		{"safety/hazard-log.yaml", "", false},
		{"safety/log.XLSX", "", false},
		{"safety/hazards", "", true},
		{"safety/hazards", "markdown", true},
		{"safety/hazard-log", "csv", false},
		{"safety/hazard-log.md", "", false},
		{"safety/hazard-log.xlsm", "", false},
		{"safety/hazard-log.xls", "", false},
	} {
		if got := hazardLogIsDir(gate.Paths{HazardLog: tc.log, HazardLogFormat: tc.format}); got != tc.want {
			t.Errorf("hazardLogIsDir(%q, %q) = %v, want %v", tc.log, tc.format, got, tc.want)
		}
	}
}

// TestCheckoutMirrorsLinks is the attack of a head whose hazard log is a
// symbolic link, judged from a checkout made through the contents API (a
// merge group, a release): the link is checked out as a link, so the gate
// refuses it at its path, naming its target, as it does in a real checkout,
// and nothing is read through it. A manifest that is a directory is
// checked out as one, and refused as one.
func TestCheckoutMirrorsLinks(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.SetContent(head, "safety/changes.yaml/inner.yaml", []byte("release: 2.4.0\nchanges: []\n"))
	srv.SetSymlink(head, "safety/hazard-log.yaml", "/etc/passwd")
	dir, err := newReader(t, srv).Checkout(context.Background(), head, t.TempDir(), gate.DefaultPaths())
	if err != nil {
		t.Fatal(err)
	}
	target, err := os.Readlink(filepath.Join(dir, "safety", "hazard-log.yaml"))
	if err != nil || target != "/etc/passwd" {
		t.Fatalf("checkout's hazard log: link to %q, %v; want the link to /etc/passwd", target, err)
	}
	out := gate.Evaluate(context.Background(), &gate.Request{Paths: gate.DefaultPaths(), WorkspaceRoot: dir,
		Trusted: gate.DirSource{Root: dir}, ChangedFiles: []string{}, Today: time.Now()})
	d := out.Decision
	refused := slices.ContainsFunc(d.Violations, func(v policy.Finding) bool {
		return v.Code == decision.CodeInputInvalid && strings.Contains(v.Message, `safety/hazard-log.yaml: a symbolic link to "/etc/passwd"`)
	})
	isDir := slices.ContainsFunc(d.Violations, func(v policy.Finding) bool {
		return v.Code == decision.CodeInputInvalid && strings.Contains(v.Message, "safety/changes.yaml: is a directory, not a file")
	})
	if d.Decision != decision.Blocked || d.ExitCode != decision.ExitInvalid || !refused || !isDir {
		t.Errorf("decision = %s exit %d %+v; want INPUT_INVALID at the link and at the directory", d.Decision, d.ExitCode, d.Violations)
	}
}
