package facts

import (
	"fmt"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/changedfiles"
	"github.com/csogate/csogate/internal/fixture"
	"github.com/csogate/csogate/internal/safetyfile"
)

// benchSources decodes the fixture product of each scale (1×, 10×, 100× of
// fixture.Small) into the Sources the gate hands to Build.
func benchSources(b *testing.B, f func(b *testing.B, s *Sources)) {
	for _, k := range []int{1, 10, 100} {
		s, err := fixtureSources(fixture.Small.Times(k))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) { f(b, s) })
	}
}

func fixtureSources(size fixture.Size) (*Sources, error) {
	p, err := fixture.Generate(size)
	if err != nil {
		return nil, err
	}
	log, _, problems := safetyfile.LoadHazardLog(safetyfile.HazardLogPath, p.HazardLog, safetyfile.Options{})
	m, _, mp := safetyfile.LoadManifest(safetyfile.ManifestPath, p.Manifest)
	reg, _, rp := safetyfile.LoadRegister(safetyfile.RegisterPath, p.Register)
	cfg, _, cp := safetyfile.LoadConfig(safetyfile.ConfigPath, p.Config)
	if all := append(append(append(problems, mp...), rp...), cp...); len(all) > 0 {
		return nil, fmt.Errorf("fixture: %s", all[0])
	}
	reviews, err := ParseReviews(p.Reviews)
	if err != nil {
		return nil, err
	}
	today, err := time.Parse(time.DateOnly, fixture.Today)
	if err != nil {
		return nil, err
	}
	return &Sources{HazardLog: log, HazardLogFile: safetyfile.HazardLogPath, Release: m.Release, Changes: m.Changes,
		Register: reg, Config: cfg, ChangedFiles: changedfiles.MustParse(p.ChangedFiles),
		SafetyFiles: map[string]string{safetyfile.HazardLogPath: "hazard_log", safetyfile.RegisterPath: "register"},
		Reviews:     reviews, HeadSHA: fixture.HeadSHA, Author: fixture.Author, Today: today}, nil
}

// BenchmarkCompile compiles the hazard components (2 globs per hazard) and
// the configured paths into their index.
func BenchmarkCompile(b *testing.B) {
	benchSources(b, func(b *testing.B, s *Sources) {
		fixture.Loop(b, func() error {
			_, err := Compile(s.HazardLog, s.Config)
			return err
		})
	})
}

// BenchmarkMatch matches every changed file against every hazard component
// through the index, as Build does (MatchTree: the file, or a directory or
// submodule above a glob): the glob matching of the gate, growing with
// files + globs, not their product.
func BenchmarkMatch(b *testing.B) {
	benchSources(b, func(b *testing.B, s *Sources) {
		m, err := Compile(s.HazardLog, s.Config)
		if err != nil {
			b.Fatal(err)
		}
		fixture.Loop(b, func() error {
			matched := 0
			for _, p := range s.ChangedFiles {
				matched += len(m.components.MatchTree(p))
			}
			if matched < len(s.ChangedFiles)/2 {
				return fmt.Errorf("only %d matches for %d files", matched, len(s.ChangedFiles))
			}
			return nil
		})
	})
}

// BenchmarkBuild builds the policy input from decoded sources and compiled
// matchers: matching files and manifest paths, touched hazards, officers
// and standing reviews.
func BenchmarkBuild(b *testing.B) {
	benchSources(b, func(b *testing.B, s *Sources) {
		m, err := Compile(s.HazardLog, s.Config)
		if err != nil {
			b.Fatal(err)
		}
		fixture.Loop(b, func() error {
			_, err := Build(s, m)
			return err
		})
	})
}

// BenchmarkParseReviews reads the reviews JSON.
func BenchmarkParseReviews(b *testing.B) {
	for _, k := range []int{1, 10, 100} {
		p, err := fixture.Generate(fixture.Small.Times(k))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			fixture.Loop(b, func() error {
				_, err := ParseReviews(p.Reviews)
				return err
			})
		})
	}
}
