package policy

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/changedfiles"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/fixture"
	"github.com/csogate/csogate/internal/safetyfile"
)

// fixtureInput builds the policy input of the fixture product of size s, as
// the gate would: every file decoded, the globs matched, the facts built.
func fixtureInput(tb testing.TB, size fixture.Size) *facts.Input {
	tb.Helper()
	p, err := fixture.Generate(size)
	if err != nil {
		tb.Fatal(err)
	}
	log, _, problems := safetyfile.LoadHazardLog(safetyfile.HazardLogPath, p.HazardLog, safetyfile.Options{})
	m, _, mp := safetyfile.LoadManifest(safetyfile.ManifestPath, p.Manifest)
	reg, _, rp := safetyfile.LoadRegister(safetyfile.RegisterPath, p.Register)
	cfg, _, cp := safetyfile.LoadConfig(safetyfile.ConfigPath, p.Config)
	if all := append(append(append(problems, mp...), rp...), cp...); len(all) > 0 {
		tb.Fatalf("fixture: %s", all[0])
	}
	reviews, err := facts.ParseReviews(p.Reviews)
	if err != nil {
		tb.Fatal(err)
	}
	today, _ := time.Parse(time.DateOnly, fixture.Today)
	matchers, err := facts.Compile(log, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	in, err := facts.Build(&facts.Sources{HazardLog: log, HazardLogFile: safetyfile.HazardLogPath, Release: m.Release,
		Changes: m.Changes, Register: reg, Config: cfg, ChangedFiles: changedfiles.MustParse(p.ChangedFiles),
		Reviews: reviews, HeadSHA: fixture.HeadSHA, Author: fixture.Author, Today: today,
		ScopeProduct: log.Product, ScopeProductFrom: "hazard log"}, matchers)
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

// BenchmarkEvalFixture evaluates the default policies on the input of the
// fixture product at 1×, 10× and 100× (5,000 hazards, 1,000 changes, 3,000
// files, 300 reviews; 1,750 touched hazards), input conversion included.
func BenchmarkEvalFixture(b *testing.B) {
	engine := loadDefaults(b)
	for _, k := range []int{1, 10, 100} {
		in := fixtureInput(b, fixture.Small.Times(k))
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			fixture.Loop(b, func() error {
				r, err := engine.Eval(context.Background(), in)
				if err == nil && (len(r.Violations) > 0 || r.CountedApprovals != 1) {
					err = fmt.Errorf("not approved: %+v", r.Violations)
				}
				return err
			})
		})
	}
}

// BenchmarkInputValueFixture is the conversion of the fixture's input to a
// Rego value alone.
func BenchmarkInputValueFixture(b *testing.B) {
	for _, k := range []int{1, 10, 100} {
		in := fixtureInput(b, fixture.Small.Times(k))
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			fixture.Loop(b, func() error {
				_, err := inputValue(in)
				return err
			})
		})
	}
}
