package facts

import "testing"

// TestSafetyKind checks what counts as a change to the gate's own inputs:
// the file, anything under an input kept as a directory, and a directory
// above an input (a submodule that replaces the whole safety folder).
func TestSafetyKind(t *testing.T) {
	t.Parallel()
	safety := map[string]string{
		"safety/hazard-log.md": "hazard_log", "safety/hazard-log.md/": "hazard_log",
		"safety/policies": "policy", "safety/policies/": "policy",
		"safety/cso-register.yaml": "register", "safety/cso-register.yaml/": "register",
	}
	tests := []struct {
		name, path, want string
	}{
		{"the file itself", "safety/hazard-log.md", "hazard_log"},
		{"under a directory input", "safety/policies/extra.rego", "policy"},
		{"a submodule above every input", "safety", "register"},
		{"a sibling with a shared prefix", "safety/policies-old/x.rego", ""},
		{"an unrelated file", "src/search/index.go", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := safetyKind(tt.path, safety)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("safetyKind(%q) = %q, %v; want %q", tt.path, got, ok, tt.want)
			}
		})
	}
}
