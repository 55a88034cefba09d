package evidence

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/changedfiles"
	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/gate"
)

// head is the head commit the test products' reviews are measured against.
const head = "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b"

// created is when the test records are made.
var created = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

var testMeta = Meta{Version: "1.0.0-test", Revision: "0123456789abcdef0123456789abcdef01234567",
	EventName: "pull_request", Repository: "example/epr",
	RunURL: "https://github.com/example/epr/actions/runs/1", PullRequest: 42, CreatedAt: created,
	Run: RunIdentity{SHA: head, WorkflowRef: "example/epr/.github/workflows/pull-request.yml@refs/pull/42/merge",
		RunID: "1", RunAttempt: "1", ActionRepository: "csogate/csogate", ActionRef: "v1"}}

// scenario is one evaluation of a product under testdata/.
type scenario struct {
	name    string
	product string // directory under testdata/
	// hazardLog overrides the default hazard log path.
	hazardLog string
	reviews   string // file in the product; "" for none
	// changed lists the changed files; nil reads changed-files.txt.
	changed []string
	// base makes the product's manifest also the base manifest, so no change
	// is under review.
	base bool
	// adjust edits the copied product and the request before evaluation.
	adjust   func(t testing.TB, root string, req *gate.Request)
	want     string
	wantExit int
}

var (
	eprApproved = scenario{name: "approved", product: "epr", reviews: "reviews.json", want: decision.Approved}
	eprBlocked  = scenario{name: "blocked by a stale approval", product: "epr", reviews: "reviews-stale.json",
		want: decision.Blocked, wantExit: decision.ExitBlocked}
	mdApproved = scenario{name: "markdown hazard log", product: "mdlog", hazardLog: "safety/hazards", reviews: "reviews.json",
		want: decision.Approved}
	invalidHazardLog = scenario{name: "invalid hazard log", product: "epr", reviews: "reviews.json",
		want: decision.Blocked, wantExit: decision.ExitInvalid,
		adjust: func(t testing.TB, root string, _ *gate.Request) {
			write(t, filepath.Join(root, "safety/hazard-log.yaml"), "product: Example EPR\nhazards:\n  - id: HAZ-001\n    titel: typo\n")
		}}
)

// scenarios cover each decision and exit code, each kind of input, and
// paths outside the repository.
var scenarios = []scenario{
	eprApproved,
	eprBlocked,
	mdApproved,
	{name: "not required with a base manifest", product: "epr", base: true, changed: []string{"docs/search.md"},
		want: decision.NotRequired},
	invalidHazardLog,
	{name: "register outside the repository", product: "epr", reviews: "reviews.json", want: decision.Approved,
		adjust: func(t testing.TB, root string, req *gate.Request) {
			shared := filepath.Join(filepath.Dir(root), "shared")
			if err := os.MkdirAll(shared, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(root, "safety/cso-register.yaml"), filepath.Join(shared, "register.yaml")); err != nil {
				t.Fatal(err)
			}
			req.Paths.Register = "../shared/register.yaml"
		}},
}

// checkout copies a test product into a new directory and returns it; the
// copy sits at <tmp>/repo so a scenario may put files beside it.
func checkout(t testing.TB, src string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(root, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return root
}

// evaluate runs the gate on a fresh copy of the scenario's product.
func evaluate(t testing.TB, sc scenario) (string, *gate.Request, *gate.Outcome) {
	t.Helper()
	root := checkout(t, filepath.Join("testdata", sc.product))
	paths := gate.DefaultPaths()
	if sc.hazardLog != "" {
		paths.HazardLog = sc.hazardLog
	}
	req := &gate.Request{Paths: paths, WorkspaceRoot: root,
		Trusted: gate.DirSource{Root: root, Name: "the base commit 1a2b3c4"},
		HeadSHA: head, Author: "dev-dan", CommitAuthors: []string{"dev-dan"},
		Today: time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC)}
	if sc.changed != nil {
		req.ChangedFiles = sc.changed
	} else {
		req.ChangedFiles = changedfiles.MustParse(read(t, filepath.Join(root, "changed-files.txt")))
	}
	if sc.reviews != "" {
		reviews, err := facts.ParseReviews(read(t, filepath.Join(root, sc.reviews)))
		if err != nil {
			t.Fatal(err)
		}
		req.Reviews = reviews
	}
	if sc.base {
		req.BaseManifest = read(t, filepath.Join(root, "safety/changes.yaml"))
	}
	if sc.adjust != nil {
		sc.adjust(t, root, req)
	}
	out := gate.Evaluate(context.Background(), req)
	if out.Decision.Decision != sc.want || out.Decision.ExitCode != sc.wantExit {
		t.Fatalf("%s: the gate decided %s (exit %d), the scenario expects %s (exit %d): %v",
			sc.name, out.Decision.Decision, out.Decision.ExitCode, sc.want, sc.wantExit, out.Decision.Violations)
	}
	return root, req, out
}

// record evaluates a scenario and writes its record; it returns the
// checkout, the record directory and the outcome.
func record(t testing.TB, sc scenario) (string, string, *gate.Outcome) {
	t.Helper()
	root, req, out := evaluate(t, sc)
	dir := filepath.Join(t.TempDir(), "record")
	if _, err := Write(dir, req, out, testMeta); err != nil {
		t.Fatal(err)
	}
	return root, dir, out
}

func read(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func write(t testing.TB, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reseal recomputes the integrity digest of an edited record.json, as a
// forger can: the digest proves integrity, not origin.
func reseal(t testing.TB, data []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, integrityKey)
	bare, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	in, err := seal(bare)
	if err != nil {
		t.Fatal(err)
	}
	m[integrityKey] = in
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
