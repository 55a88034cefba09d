package facts

import (
	"fmt"
	"slices"
	"strings"
)

// Derive fills the fields worked out from the others, so the policies read
// them instead of rebuilding them per change: each change's
// AffectedHazards, each touch group's MaxResidualRisk, and FileHazards. Build
// calls it; a document built by hand (a test's) should too. Lists the
// facts share (every file matching the same globs has the same hazard list)
// are worked out once.
func Derive(in *Input) {
	groupMax := map[listKey]int{}
	for ci := range in.Changes {
		c := &in.Changes[ci]
		c.AffectedHazards = sortedUnion(c.TouchedHazards, c.Hazards)
		highest := maxResidualRisk(in.Hazards, c.Hazards)
		for gi := range c.TouchGroups {
			g := &c.TouchGroups[gi]
			k := keyOf(g.Hazards)
			m, ok := groupMax[k]
			if !ok {
				m = maxResidualRisk(in.Hazards, g.Hazards)
				groupMax[k] = m
			}
			g.MaxResidualRisk = m
			highest = max(highest, m)
		}
		c.MaxResidualRisk = highest
	}
	in.FileHazards = fileHazards(in)
}

// CheckDerived reports a derived field that does not follow from the
// others: the policies trust them, so a document that disagrees is refused
// rather than judged.
func CheckDerived(in *Input) error {
	for _, c := range in.Changes {
		if want := sortedUnion(c.TouchedHazards, c.Hazards); !slices.Equal(c.AffectedHazards, want) {
			return fmt.Errorf("%s: affected_hazards %v, but it names %v and touches %v", c.ID, c.AffectedHazards, c.Hazards, c.TouchedHazards)
		}
		for _, g := range c.TouchGroups {
			if want := maxResidualRisk(in.Hazards, g.Hazards); g.MaxResidualRisk != want {
				return fmt.Errorf("%s: the touch group of %s has max_residual_risk %d, but its hazards' highest is %d",
					c.ID, strings.Join(g.Sample, ", "), g.MaxResidualRisk, want)
			}
		}
		want := maxResidualRisk(in.Hazards, c.Hazards)
		for _, g := range c.TouchGroups {
			want = max(want, g.MaxResidualRisk) // checked just above
		}
		if c.MaxResidualRisk != want {
			return fmt.Errorf("%s: max_residual_risk %d, but the hazards it names and touches have highest %d", c.ID, c.MaxResidualRisk, want)
		}
	}
	if want := fileHazards(in); !slices.Equal(in.FileHazards, want) {
		return fmt.Errorf("file_hazards lists %d hazards, but the files and touched hazards name %d", len(in.FileHazards), len(want))
	}
	return nil
}

// listKey identifies a list by where its elements are, so a list shared by
// many files or groups is looked at once.
type listKey struct {
	first *string
	n     int
}

func keyOf(ids []string) listKey {
	if len(ids) == 0 {
		return listKey{}
	}
	return listKey{first: &ids[0], n: len(ids)}
}

// fileHazards is the sorted union of the files' hazards and the changes'
// touched hazards (Build touches a hazard only through a file, so the
// second adds nothing to its documents).
func fileHazards(in *Input) []string {
	seen := map[listKey]bool{}
	set := map[string]bool{}
	add := func(ids []string) {
		k := keyOf(ids)
		if len(ids) == 0 || seen[k] {
			return
		}
		seen[k] = true
		for _, id := range ids {
			set[id] = true
		}
	}
	for _, f := range in.Files {
		add(f.Hazards)
	}
	for _, c := range in.Changes {
		add(c.TouchedHazards)
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// maxResidualRisk is the highest residual risk of the given hazards, 0 for
// none (a hazard missing from hazards counts 0; checkInput refuses it).
func maxResidualRisk(hazards map[string]Hazard, ids []string) int {
	m := 0
	for _, id := range ids {
		m = max(m, hazards[id].ResidualRisk)
	}
	return m
}

// sortedUnion returns the sorted ids of sorted and of others, each once.
// When others adds nothing it returns sorted itself, so the two fields
// share one list (and one Rego term).
func sortedUnion(sorted, others []string) []string {
	if !slices.IsSorted(sorted) {
		sorted = slices.Sorted(slices.Values(sorted))
	}
	var extra []string
	for _, id := range others {
		if _, found := slices.BinarySearch(sorted, id); !found {
			extra = append(extra, id)
		}
	}
	if len(extra) == 0 {
		if sorted == nil {
			return []string{}
		}
		return sorted
	}
	out := slices.Concat(sorted, extra)
	slices.Sort(out)
	return slices.Compact(out)
}
