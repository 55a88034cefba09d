package action

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymlinkedSafetyFilesBlock is the attack of a safety file that is a
// symbolic link, on the trusted side (the base commit read through the
// contents API, which answers for a link with the file it points at) and at
// the head (read through the API too). Either way the run is blocked as INPUT_INVALID at
// the link, naming its target, and the target's content appears nowhere.
func TestSymlinkedSafetyFilesBlock(t *testing.T) {
	t.Parallel()
	const secret = "SECRET-CONTENT-OF-THE-TARGET"
	tests := []struct {
		name   string
		link   string
		target string
		setup  func(f *fixture, target string)
	}{
		{name: "register at the base is a link to another file", link: "safety/cso-register.yaml", target: "safety/old-register.yaml",
			setup: func(f *fixture, target string) {
				f.srv.SetContent(baseSHA, target, []byte("officers: [] # "+secret+"\n"))
				f.srv.SetSymlink(baseSHA, "safety/cso-register.yaml", "old-register.yaml")
			}},
		{name: "configuration at the base is a link out of the repository", link: "safety/csogate.yaml", target: "/etc/passwd",
			setup: func(f *fixture, target string) { f.srv.SetSymlink(baseSHA, "safety/csogate.yaml", target) }},
		{name: "hazard log at the head is a link", link: "safety/hazard-log.yaml", target: "docs/notes.txt",
			setup: func(f *fixture, target string) {
				f.srv.SetContent(headSHA, target, []byte(secret+"\n"))
				f.srv.SetSymlink(headSHA, "safety/hazard-log.yaml", "../docs/notes.txt")
			}},
		{name: "a link in the checkout is never read", link: "safety/hazard-log.yaml",
			setup: func(f *fixture, target string) {
				// The run reads the head through the API, so a link planted in
				// the workspace changes nothing; the API's answer at the head
				// is a link too, and that is what blocks.
				writeFile(t, target, []byte(secret+"\n"))
				name := filepath.Join(f.workspace, "safety", "hazard-log.yaml")
				if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if err := os.Symlink(target, name); err != nil {
					t.Fatal(err)
				}
				f.srv.SetSymlink(headSHA, "safety/hazard-log.yaml", target)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			target := tt.target
			if target == "" {
				target = filepath.Join(t.TempDir(), "secret")
			}
			tt.setup(f, target)
			f.approve(alice, aliceID)
			o := f.run()
			if o.outputs["decision"] != "blocked" {
				t.Fatalf("decision = %q, want blocked; stdout %s", o.outputs["decision"], o.stdout)
			}
			if !strings.Contains(o.outputs["violations"], "INPUT_INVALID") || !strings.Contains(o.stdout, tt.link+": a symbolic link to ") {
				t.Errorf("no INPUT_INVALID at the link %s: violations %s", tt.link, o.outputs["violations"])
			}
			for what, text := range map[string]string{"stdout": o.stdout, "summary": o.summary, "violations": o.outputs["violations"]} {
				if strings.Contains(text, secret) {
					t.Errorf("%s quotes the link's target", what)
				}
			}
			if st, ok := f.status(headSHA); !ok || st.State == "success" {
				t.Errorf("status on the head = %+v, %v; want one that is not success", st, ok)
			}
		})
	}
}
