package facts

import (
	"slices"
	"strings"
	"testing"
)

// TestDerive: the fields the policies read instead of rebuilding them follow
// from the others, and a document whose derived fields disagree is refused
// (a hand-edited or stale document must not lower a change's risk or hide a
// touched hazard).
func TestDerive(t *testing.T) {
	t.Parallel()
	newInput := func() *Input {
		shared := []string{"HAZ-002", "HAZ-003"}
		return &Input{
			Hazards: map[string]Hazard{"HAZ-001": {ResidualRisk: 2}, "HAZ-002": {ResidualRisk: 4}, "HAZ-003": {ResidualRisk: 1}, "HAZ-009": {ResidualRisk: 5}},
			Changes: []Change{
				{ID: "CHG-1", Hazards: []string{"HAZ-009", "HAZ-002"}, TouchedHazards: shared,
					TouchGroups: []TouchGroup{{Hazards: shared, Files: 2, Sample: []string{"a", "b"}}}},
				{ID: "CHG-2", Hazards: []string{}, TouchedHazards: []string{}, TouchGroups: []TouchGroup{}},
			},
			Files: []File{{Path: "a", Hazards: shared}, {Path: "b", Hazards: shared}, {Path: "c", Hazards: []string{"HAZ-001"}}},
		}
	}
	in := newInput()
	Derive(in)
	if got, want := in.Changes[0].AffectedHazards, []string{"HAZ-002", "HAZ-003", "HAZ-009"}; !slices.Equal(got, want) {
		t.Errorf("affected = %v, want %v", got, want)
	}
	if got := in.Changes[1].AffectedHazards; got == nil || len(got) != 0 {
		t.Errorf("affected of a change without hazards = %#v, want []", got)
	}
	if got := in.Changes[0].TouchGroups[0].MaxResidualRisk; got != 4 {
		t.Errorf("group max = %d, want 4", got)
	}
	if got := in.Changes[0].MaxResidualRisk; got != 5 {
		t.Errorf("change max = %d, want 5 (the named HAZ-009)", got)
	}
	if got := in.Changes[1].MaxResidualRisk; got != 0 {
		t.Errorf("change max without hazards = %d, want 0", got)
	}
	if got, want := in.FileHazards, []string{"HAZ-001", "HAZ-002", "HAZ-003"}; !slices.Equal(got, want) {
		t.Errorf("file hazards = %v, want %v", got, want)
	}
	if err := CheckDerived(in); err != nil {
		t.Fatalf("CheckDerived after Derive: %v", err)
	}
	tamper := []struct {
		name string
		edit func(in *Input)
		want string
	}{
		{"a named hazard left out", func(in *Input) { in.Changes[0].AffectedHazards = []string{"HAZ-002", "HAZ-003"} }, "affected_hazards"},
		{"a lower group risk", func(in *Input) { in.Changes[0].TouchGroups[0].MaxResidualRisk = 1 }, "max_residual_risk 1"},
		{"a lower change risk", func(in *Input) { in.Changes[0].MaxResidualRisk = 4 }, "CHG-1: max_residual_risk 4"},
		{"a file's hazard left out", func(in *Input) { in.FileHazards = []string{"HAZ-002", "HAZ-003"} }, "file_hazards"},
	}
	for _, tt := range tamper {
		in := newInput()
		Derive(in)
		tt.edit(in)
		if err := CheckDerived(in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckDerived = %v, want an error naming %s", tt.name, err, tt.want)
		}
	}
}
