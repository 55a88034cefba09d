package policies

import (
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"
)

func TestDefault(t *testing.T) {
	t.Parallel()
	want := []string{"approvals.rego", "control_tests.rego", "gate.rego", "hazard_log.rego", "hazard_log_changes.rego", "relevance.rego", "repository.rego", "risk.rego"}
	if err := fstest.TestFS(Default, want...); err != nil {
		t.Fatal(err)
	}
	if got := names(t, Default); !slices.Equal(got, want) {
		t.Errorf("Default = %v, want %v", got, want)
	}
	if _, err := fs.ReadFile(Default, "gate_test.rego"); err == nil {
		t.Error("Default serves a test file")
	}
}

func TestTests(t *testing.T) {
	t.Parallel()
	want := []string{"approvals_test.rego", "control_tests_test.rego", "fixtures_test.rego", "gate_test.rego", "hazard_log_changes_test.rego", "hazard_log_test.rego", "relevance_test.rego", "repository_test.rego", "risk_test.rego"}
	if err := fstest.TestFS(Tests, want...); err != nil {
		t.Fatal(err)
	}
	if got := names(t, Tests); !slices.Equal(got, want) {
		t.Errorf("Tests = %v, want %v", got, want)
	}
	if _, err := fs.ReadFile(Tests, "gate.rego"); err == nil {
		t.Error("Tests serves a policy that is not a test")
	}
}

func names(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
