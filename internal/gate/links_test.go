package gate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/safetyfile"
)

// TestSymlinkedInputsAreRefused is the attack of a change that replaces a
// safety file, or a directory on the way to one, with a symbolic link: to a
// secret elsewhere on disk (which the gate would otherwise parse and quote),
// or to another file whose edits the changed-file list would not show. The
// workspace side (hazard log, manifest, components map) and the trusted side
// (register, configuration, policies) are both read through DirSource or
// its checks. Each run is blocked as INPUT_INVALID naming the link and its
// target, and no byte of the target appears in the decision.
func TestSymlinkedInputsAreRefused(t *testing.T) {
	t.Parallel()
	const secret = "root:x:0:0:SECRET-CONTENT"
	tests := []struct {
		name string
		link string // replaced by a link to the secret
		set  func(r *Request)
	}{
		{name: "hazard log", link: "safety/hazard-log.yaml"},
		{name: "manifest", link: "safety/changes.yaml"},
		{name: "register (trusted)", link: "safety/cso-register.yaml"},
		{name: "configuration (trusted)", link: "safety/csogate.yaml"},
		{name: "components map", link: "safety/hazard-components.yaml"},
		{name: "policy in a policy directory (trusted)", link: "safety/policies/extra.rego",
			set: func(r *Request) { r.Paths.Policies = []string{"safety/policies"} }},
		{name: "directory on the way", link: "safety"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := product(t, nil)
			if tt.set != nil {
				tt.set(req)
			}
			outside := filepath.Join(t.TempDir(), "secret")
			if tt.link == "safety" {
				// The whole folder moved out of the repository, the link left behind.
				if err := os.Rename(filepath.Join(req.WorkspaceRoot, "safety"), outside); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(outside, "hazard-log.yaml"), []byte(secret+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(outside, []byte(secret+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(req.WorkspaceRoot, filepath.FromSlash(tt.link))
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			os.Remove(link)
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
			out := Evaluate(context.Background(), req)
			d := out.Decision
			if d.Decision != decision.Blocked || d.ExitCode != decision.ExitInvalid {
				t.Fatalf("decision = %s exit %d, want blocked exit 2: %+v", d.Decision, d.ExitCode, d.Violations)
			}
			found := false
			for _, v := range d.Violations {
				if v.Code == decision.CodeInputInvalid && strings.Contains(v.Message, tt.link+": a symbolic link to ") && strings.Contains(v.Message, safetyfile.Excerpt(outside)) {
					found = true
				}
			}
			if !found {
				t.Errorf("no INPUT_INVALID names the link %s and its target %s: %+v", tt.link, outside, d.Violations)
			}
			all, err := json.Marshal(out.Decision)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(all), "SECRET-CONTENT") {
				t.Errorf("the decision quotes the link's target: %s", all)
			}
		})
	}
}

// TestSameFaultSameExitCode checks the rule the README's exit-code table
// states: an input that is missing or a directory is INPUT_INVALID (exit 2)
// whichever side it is read from, and an input the file system cannot read
// (here a name longer than it allows) is GATE_ERROR (exit 3) whichever it is.
func TestSameFaultSameExitCode(t *testing.T) {
	t.Parallel()
	unreadable := "safety/" + strings.Repeat("x", 300) + ".yaml"
	tests := []struct {
		name     string
		set      func(r *Request, root string)
		wantExit int
		wantCode string
	}{
		{name: "register is a directory", wantExit: decision.ExitInvalid, wantCode: decision.CodeInputInvalid,
			set: func(r *Request, root string) { mkdir(t, root, r.Paths.Register) }},
		{name: "manifest is a directory", wantExit: decision.ExitInvalid, wantCode: decision.CodeInputInvalid,
			set: func(r *Request, root string) { mkdir(t, root, r.Paths.Manifest) }},
		{name: "hazard log is a directory", wantExit: decision.ExitInvalid, wantCode: decision.CodeInputInvalid,
			set: func(r *Request, root string) { mkdir(t, root, r.Paths.HazardLog) }},
		{name: "components map is a directory", wantExit: decision.ExitInvalid, wantCode: decision.CodeInputInvalid,
			set: func(r *Request, root string) { mkdir(t, root, r.Paths.ComponentsMap) }},
		{name: "register unreadable", wantExit: decision.ExitOperational, wantCode: decision.CodeGateError,
			set: func(r *Request, _ string) { r.Paths.Register = unreadable }},
		{name: "configuration unreadable", wantExit: decision.ExitOperational, wantCode: decision.CodeGateError,
			set: func(r *Request, _ string) { r.Paths.Config = unreadable }},
		{name: "hazard log unreadable", wantExit: decision.ExitOperational, wantCode: decision.CodeGateError,
			set: func(r *Request, _ string) { r.Paths.HazardLog = unreadable }},
		{name: "manifest unreadable", wantExit: decision.ExitOperational, wantCode: decision.CodeGateError,
			set: func(r *Request, _ string) { r.Paths.Manifest = unreadable }},
		{name: "components map unreadable", wantExit: decision.ExitOperational, wantCode: decision.CodeGateError,
			set: func(r *Request, _ string) { r.Paths.ComponentsMap = unreadable }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := product(t, nil)
			tt.set(req, req.WorkspaceRoot)
			d := Evaluate(context.Background(), req).Decision
			if d.Decision != decision.Blocked || d.ExitCode != tt.wantExit || len(d.Violations) == 0 || d.Violations[0].Code != tt.wantCode {
				t.Errorf("decision = %s exit %d %+v; want blocked exit %d %s", d.Decision, d.ExitCode, d.Violations, tt.wantExit, tt.wantCode)
			}
		})
	}
}

func mkdir(t *testing.T, root, name string) {
	t.Helper()
	full := filepath.Join(root, filepath.FromSlash(name))
	os.Remove(full)
	if err := os.MkdirAll(full, 0o755); err != nil {
		t.Fatal(err)
	}
}
