package gate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/safetyfile"
)

const head = "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b"

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// product copies the test product into a fresh directory, replacing the
// files named in replace, and returns a request that would be approved.
func product(t testing.TB, replace map[string][]byte) *Request {
	t.Helper()
	dir := t.TempDir()
	src := "testdata/product"
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if r, ok := replace[filepath.ToSlash(rel)]; ok {
			data = r
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Request{
		Paths: DefaultPaths(), WorkspaceRoot: dir, Trusted: DirSource{Root: dir},
		ChangedFiles: []string{"src/ui/allergy/banner.go", "src/search/index.go"},
		Reviews:      []facts.Review{{ID: 1, Login: "alice-gp", UserID: 583231, State: "APPROVED", CommitID: head}},
		HeadSHA:      head, Author: "dev-dan", Today: today,
	}
}

func TestEvaluateApprovedAndOutcome(t *testing.T) {
	t.Parallel()
	out := Evaluate(context.Background(), product(t, nil))
	if out.Decision.Decision != decision.Approved || out.Decision.ExitCode != decision.ExitAllowed {
		t.Fatalf("decision = %s (exit %d), want approved: %+v", out.Decision.Decision, out.Decision.ExitCode, out.Decision.Violations)
	}
	read := map[string]bool{}
	for _, f := range out.Files {
		read[f.Role+" from "+f.Side] = true
		if len(f.SHA256) != 64 {
			t.Errorf("%s: sha256 %q is not a hex digest", f.Path, f.SHA256)
		}
	}
	// The trusted side's hazard log names the product officer scope is
	// checked against.
	for _, want := range []string{"hazard_log from workspace", "hazard_log from trusted", "manifest from workspace", "register from trusted", "config from trusted"} {
		if !read[want] {
			t.Errorf("no input %s; read %v", want, read)
		}
	}
	if len(read) != 5 {
		t.Errorf("inputs read: %v, want exactly 5 role and side pairs", read)
	}
	if out.PolicyHash == "" || out.Input == nil || out.Trusted[safetyfile.RegisterPath] == nil {
		t.Errorf("outcome lacks policy hash, input or trusted bytes: %q %v %v", out.PolicyHash, out.Input != nil, len(out.Trusted))
	}
}

// splitSource serves trusted files from one directory while the workspace is
// another: a pull request's own register must never be the one consulted.
func TestTrustedSideIsNotTheWorkspace(t *testing.T) {
	t.Parallel()
	req := product(t, map[string][]byte{
		"safety/cso-register.yaml": []byte("officers:\n  - {github: dev-dan, name: Dev, body: GMC, registration: \"1\", trained: 2020-01-01}\n"),
	})
	base := product(t, nil)
	req.Trusted = DirSource{Root: base.WorkspaceRoot}
	req.Reviews = []facts.Review{{ID: 1, Login: "dev-dan-friend", UserID: 1, State: "APPROVED", CommitID: head}}
	out := Evaluate(context.Background(), req)
	if out.Decision.Decision != decision.Blocked {
		t.Fatalf("decision = %s, want blocked: the head's register must be ignored", out.Decision.Decision)
	}
}

func TestMissingFilesFailClosed(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"safety/hazard-log.yaml", "safety/changes.yaml", "safety/cso-register.yaml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := product(t, nil)
			if err := os.Remove(filepath.Join(req.WorkspaceRoot, name)); err != nil {
				t.Fatal(err)
			}
			out := Evaluate(context.Background(), req)
			if out.Decision.Decision != decision.Blocked || out.Decision.ExitCode != decision.ExitInvalid {
				t.Fatalf("decision = %s exit %d, want blocked exit 2", out.Decision.Decision, out.Decision.ExitCode)
			}
			if !strings.Contains(out.Decision.Violations[0].Message, name) {
				t.Errorf("message %q does not name %s", out.Decision.Violations[0].Message, name)
			}
		})
	}
}

func TestBaseManifestLimitsChangesUnderReview(t *testing.T) {
	t.Parallel()
	req := product(t, nil)
	manifest, err := os.ReadFile(filepath.Join(req.WorkspaceRoot, safetyfile.ManifestPath))
	if err != nil {
		t.Fatal(err)
	}
	req.BaseManifest = manifest
	req.ChangedFiles = []string{"README.md"}
	out := Evaluate(context.Background(), req)
	if out.Decision.Decision != decision.NotRequired {
		t.Errorf("decision = %s, want not_required: no manifest change is new since the base", out.Decision.Decision)
	}
}

// FuzzEvaluate replaces one input file with fuzzed bytes. Whatever the
// bytes, the gate must not panic, and it may only approve when the file it was
// given is valid: a malformed file never yields approved.
func FuzzEvaluate(f *testing.F) {
	files := []string{"safety/hazard-log.yaml", "safety/changes.yaml", "safety/cso-register.yaml", "safety/csogate.yaml"}
	for i, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata/product", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
		f.Add(uint8(i), []byte(strings.Replace(string(data), "very-low", "very-lo", 1)))
	}
	f.Add(uint8(0), []byte("product: x\nhazards: []\n"))
	f.Add(uint8(2), []byte("officers:\n  - {github: alice-gp, name: A, body: GMC, registration: \"1\", trained: 2020-01-01}\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := files[int(which)%len(files)]
		out := Evaluate(context.Background(), product(t, map[string][]byte{name: data}))
		if out.Decision.Decision != decision.Approved {
			return
		}
		var problems safetyfile.Problems
		switch name {
		case "safety/hazard-log.yaml":
			_, _, problems = safetyfile.LoadHazardLog(name, data, safetyfile.Options{})
		case "safety/changes.yaml":
			_, _, problems = safetyfile.LoadManifest(name, data)
		case "safety/cso-register.yaml":
			_, _, problems = safetyfile.LoadRegister(name, data)
		case "safety/csogate.yaml":
			_, _, problems = safetyfile.LoadConfig(name, data)
		}
		if len(problems) > 0 {
			t.Fatalf("approved with an invalid %s (%v)", name, problems)
		}
	})
}
