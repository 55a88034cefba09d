package policy

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/csogate/csogate/internal/facts"
)

// genInput makes a facts document of scale × (10 changes, 30 files, 50
// touched hazards, 3 reviews): scale 100 is the largest input the gate is
// sized for (1,000 changes, 3,000 files, 5,000 touched hazards, 300
// reviews). Every rule has something to find: some files are undeclared, a
// few hazards carry an unacceptable residual risk, reviews are a mix of
// counted, stale, changes-requested and dismissed.
func genInput(scale int) *facts.Input {
	in := baseInput()
	nHazards, nChanges, nFiles, nReviews := 50*scale, 10*scale, 30*scale, 3*scale
	in.Hazards = make(map[string]facts.Hazard, nHazards)
	hazardID := func(i int) string { return fmt.Sprintf("HAZ-%05d", i%nHazards) }
	for i := range nHazards {
		risk := 1 + i%3
		if i%50 == 49 {
			risk = 4
		}
		in.Hazards[hazardID(i)] = hazard(hazardID(i), fmt.Sprintf("Hazard %d", i), "major", "low", risk)
	}
	in.Config.ApprovalsByResidualRisk = map[string]int{"3": 2, "4": 3}
	clinical := []string{"true", "false", "unsure"}
	for i := range nChanges {
		c := change(fmt.Sprintf("CHG-%04d", i), clinical[i%3], hazardID(5*i), hazardID(5*i+1))
		if i%25 == 0 {
			c.UnknownHazards = []string{fmt.Sprintf("HAZ-X%d", i)}
		}
		in.Changes = append(in.Changes, c)
	}
	for i := range nFiles {
		f := facts.File{
			Path:         fmt.Sprintf("src/module%d/file%d.go", i%97, i),
			Hazards:      []string{hazardID(5*(i/3) + 2), hazardID(5*(i/3) + 3 + i%2)},
			ClinicalPath: i%7 == 0,
		}
		if i%10 != 9 {
			ci := i / 3
			f.CoveredBy = []string{in.Changes[ci].ID}
			addTouch(&in.Changes[ci], f.Path, f.Hazards)
			in.Changes[ci].CoveredFiles++
		}
		in.Files = append(in.Files, f)
	}
	in.ChangedFileCount = nFiles + 10
	in.SafetyFiles = []facts.SafetyFile{{Path: "safety/hazard-log.yaml", Kind: "hazard_log"}}
	for i := range nReviews {
		r := review("approved")
		r.ID, r.Login = int64(i+1), fmt.Sprintf("reviewer%d", i)
		switch i % 6 {
		case 1:
			r.Checks.OnHead, r.CommitID = false, "0123456789abcdef"
		case 2:
			r.State = "changes_requested"
			r.InRegister = i%12 == 2
		case 3:
			r.State, r.DismissedState, r.DismissedBy = "dismissed", "changes_requested", "lead"
		case 4:
			r.Checks.Registered, r.InRegister = false, false
		}
		in.Reviews = append(in.Reviews, r)
	}
	return in
}

// addTouch records a covered file in the change's touch groups as facts.Build
// does: files matching the same hazards share a group.
func addTouch(c *facts.Change, path string, hazards []string) {
	sorted := slices.Sorted(slices.Values(hazards))
	for _, h := range sorted {
		if !slices.Contains(c.TouchedHazards, h) {
			c.TouchedHazards = append(c.TouchedHazards, h)
		}
	}
	slices.Sort(c.TouchedHazards)
	for i := range c.TouchGroups {
		if g := &c.TouchGroups[i]; slices.Equal(g.Hazards, sorted) {
			g.Files++
			if len(g.Sample) < facts.SampleFiles {
				g.Sample = append(g.Sample, path)
			}
			return
		}
	}
	c.TouchGroups = append(c.TouchGroups, facts.TouchGroup{Hazards: sorted, Files: 1, Sample: []string{path}})
}

func BenchmarkEval(b *testing.B) {
	engine := loadDefaults(b)
	for _, scale := range []int{1, 10, 100} {
		in := genInput(scale)
		b.Run(fmt.Sprintf("x%d", scale), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.Eval(context.Background(), derived(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInputValue measures the input conversion alone, against the JSON
// round trip ast.InterfaceToValue makes for a struct.
func BenchmarkInputValue(b *testing.B) {
	in := genInput(100)
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inputValue(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ast.InterfaceToValue(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoad measures compiling the default policies, paid once per run.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
