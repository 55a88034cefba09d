package evidence

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayRefusesPathsOutsideTheRecordAndCheckout is the forger's record
// that points the replay somewhere else: a workspace input outside the
// checkout (with .. or absolute), a trusted copy that is a symbolic link, or
// an input listed under a path that is not the one the request configures.
// Each is refused as an unusable record (exit 2) before anything is read,
// and none "matches".
func TestReplayRefusesPathsOutsideTheRecordAndCheckout(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(secret, []byte("SECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(t *testing.T, dir string, m map[string]any)
		want string
	}{
		{
			name: "workspace input with ..",
			edit: func(t *testing.T, dir string, m map[string]any) {
				setInput(m, "manifest", "path", "../outside/changes.yaml")
				m["request"].(map[string]any)["paths"].(map[string]any)["manifest"] = "../outside/changes.yaml"
			},
			want: "not a path inside the checkout",
		},
		{
			name: "absolute hazard log",
			edit: func(t *testing.T, dir string, m map[string]any) {
				m["request"].(map[string]any)["paths"].(map[string]any)["hazard_log"] = secret
			},
			want: "request.paths.hazard_log",
		},
		{
			name: "input under another name than the configured one",
			edit: func(t *testing.T, dir string, m map[string]any) {
				setInput(m, "register", "path", "safety/old-register.yaml")
			},
			want: "is not the register the request names (safety/cso-register.yaml)",
		},
		{
			name: "trusted copy is a symbolic link",
			edit: func(t *testing.T, dir string, m map[string]any) {
				copyName := filepath.Join(dir, "trusted", "safety", "cso-register.yaml")
				if err := os.Remove(copyName); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(secret, copyName); err != nil {
					t.Fatal(err)
				}
			},
			want: "is a symbolic link",
		},
		{
			name: "trusted directory is a symbolic link",
			edit: func(t *testing.T, dir string, m map[string]any) {
				elsewhere := filepath.Join(t.TempDir(), "trusted")
				if err := os.Rename(filepath.Join(dir, "trusted"), elsewhere); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(elsewhere, filepath.Join(dir, "trusted")); err != nil {
					t.Fatal(err)
				}
			},
			want: "is a symbolic link (at ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, dir, _ := record(t, eprApproved)
			editRecord(t, dir, func(m map[string]any) { tt.edit(t, dir, m) })
			res, err := Replay(t.Context(), dir, root)
			if err == nil {
				t.Fatalf("replay = %+v, want the record refused", res)
			}
			if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v\nwant an unusable record saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error quotes the file the record pointed at: %v", err)
			}
		})
	}
}

// setInput sets a field of the first input of a role.
func setInput(m map[string]any, role, field string, value any) {
	for _, in := range m["inputs"].([]any) {
		in := in.(map[string]any)
		if in["role"] == role {
			in[field] = value
			return
		}
	}
}

func TestInCheckout(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"safety/changes.yaml": true, "safety/hazard-log": true,
		"": false, "/etc/passwd": false, "../x.yaml": false, "safety/../../x": false,
		"safety/./changes.yaml": false, `safety\changes.yaml`: false, "a\x00b": false,
	} {
		if got := inCheckout(name); got != want {
			t.Errorf("inCheckout(%q) = %v, want %v", name, got, want)
		}
	}
}
