package gate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/changedfiles"
	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/fixture"
)

// scales are the multiples of fixture.Small every stage benchmark runs at, so
// the growth from 1× to 100× (the 5,000-hazard product) is visible.
var scales = []int{1, 10, 100}

// fixtureRequest writes the product of size s into a temporary directory and
// returns the request `csogate check` would make for it.
func fixtureRequest(tb testing.TB, s fixture.Size) *Request {
	tb.Helper()
	dir := tb.TempDir()
	files, err := fixture.Generate(s)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fixture.Write(dir, s); err != nil {
		tb.Fatal(err)
	}
	reviews, err := facts.ParseReviews(files.Reviews)
	if err != nil {
		tb.Fatal(err)
	}
	today, err := time.Parse(time.DateOnly, fixture.Today)
	if err != nil {
		tb.Fatal(err)
	}
	return &Request{Paths: DefaultPaths(), WorkspaceRoot: dir, Trusted: DirSource{Root: dir},
		ChangedFiles: changedfiles.MustParse(files.ChangedFiles), Reviews: reviews,
		HeadSHA: fixture.HeadSHA, Author: fixture.Author, Today: today}
}

// BenchmarkEvaluate is the whole gate on a product on disk: reading and
// validating the files, compiling the policies, matching, building the
// input, evaluating and deciding.
func BenchmarkEvaluate(b *testing.B) {
	for _, k := range scales {
		req := fixtureRequest(b, fixture.Small.Times(k))
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			fixture.Loop(b, func() error {
				out := Evaluate(context.Background(), req)
				if out.Decision.Decision != decision.Approved {
					return fmt.Errorf("decision %s: %+v %+v", out.Decision.Decision, out.Decision.Violations, out.Decision.Problems)
				}
				return nil
			})
		})
	}
}

// TestFixtureApproved checks that the generated product is what the
// benchmarks assume: approved, with exactly one counted CSO approval, every
// manifest change clinical and the files matched to hazards.
func TestFixtureApproved(t *testing.T) {
	t.Parallel()
	var sizes []fixture.Size
	for _, k := range []int{1, 3, 10} {
		sizes = append(sizes, fixture.Small.Times(k))
	}
	for _, shape := range fixture.Shapes {
		sizes = append(sizes, fixture.Size{Hazards: 120, Changes: 20, Files: 60, Reviews: 6, Shape: shape})
	}
	for _, s := range sizes {
		out := Evaluate(context.Background(), fixtureRequest(t, s))
		d := out.Decision
		if d.Decision != decision.Approved {
			t.Fatalf("%v: decision %s, want approved: %+v %+v", s, d.Decision, d.Violations, d.Problems)
		}
		if d.CountedApprovals != 1 || d.RequiredApprovals != 1 {
			t.Errorf("%v: %d of %d approvals counted, want 1 of 1", s, d.CountedApprovals, d.RequiredApprovals)
		}
		counted := 0
		for _, a := range d.Approvals {
			if a.Counted {
				counted++
				if a.Login != "dr-aisha-rahman" {
					t.Errorf("%v: counted approval by %s", s, a.Login)
				}
			}
		}
		if counted != 1 {
			t.Errorf("%v: %d approvals counted in the list", s, counted)
		}
		if len(d.ClinicalChanges) != s.Changes {
			t.Errorf("%v: %d clinical changes, want %d", s, len(d.ClinicalChanges), s.Changes)
		}
		if out.Input.ChangedFileCount != s.Files || len(out.Input.Files) < s.Files*8/10 {
			t.Errorf("%v: %d changed files, %d clinical; want %d and most clinical", s, out.Input.ChangedFileCount, len(out.Input.Files), s.Files)
		}
		if len(d.Warnings) != 0 {
			t.Errorf("%v: warnings %+v", s, d.Warnings)
		}
		if want := max(20, s.Officers); len(out.Input.Officers) != want {
			t.Errorf("%v: %d officers, want %d", s, len(out.Input.Officers), want)
		}
		shared := 0
		for _, f := range out.Input.Files {
			shared = max(shared, len(f.Hazards))
		}
		if s.SharedGlob > 1 && shared < s.SharedGlob {
			t.Errorf("%v: a file matches at most %d hazards, want %d sharing a glob", s, shared, s.SharedGlob)
		}
	}
}
