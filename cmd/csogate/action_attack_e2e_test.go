package main

import (
	"os"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestActionAttacksEndToEnd runs the built binary as the runner would on the
// ways a re-run, a retargeted base, a planted link or a hostile manifest
// tried to walk around the gate, each against the fake GitHub. None may end
// with success on a commit no eligible CSO approved, and none may print the
// attacker's words as the gate's.
func TestActionAttacksEndToEnd(t *testing.T) {
	t.Parallel()
	bin := buildActionBinary(t)
	const (
		token  = "ghs_e2eAttackTokenNeverPrinted0000000000"
		number = 21
		alice  = "alice-gp"
	)
	head, base := githubtest.SHA("attack-head"), githubtest.SHA("attack-base")
	tests := []struct {
		name string
		// event is the event's head and base, when they differ from the
		// pull request's as the API reports it.
		eventHead, eventBase string
		setup                func(srv *githubtest.Server)
		code                 int
		check                func(t *testing.T, srv *githubtest.Server, run actionRun)
	}{
		{
			// A re-run reuses the original event: its head is an old commit.
			// The CSO approved that old commit; the head is now another.
			name:      "re-run of an old event",
			eventHead: githubtest.SHA("attack-old-head"),
			setup: func(srv *githubtest.Server) {
				srv.AddReview(number, githubtest.Review{Login: alice, UserID: 583231, State: "APPROVED", CommitID: githubtest.SHA("attack-old-head")})
			},
			code: 1,
			check: func(t *testing.T, srv *githubtest.Server, run actionRun) {
				for _, st := range srv.Statuses() {
					if st.SHA != head {
						t.Errorf("a status on %s, which is not the pull request's current head: %+v", st.SHA[:7], st)
					}
				}
				if st, ok := srv.LatestStatus(head, "clinical-safety/cso-approval"); !ok || st.State == "success" {
					t.Errorf("status on the current head = %+v, %v; want one that is not success (its approval is of another commit)", st, ok)
				}
			},
		},
		{
			// The event's base is a branch its author controls, whose
			// configuration ignores every source file; the base branch's tip,
			// as the API reports it, has the strict configuration.
			name:      "event base with a permissive configuration",
			eventBase: githubtest.SHA("attack-permissive-base"),
			setup: func(srv *githubtest.Server) {
				permissive := githubtest.SHA("attack-permissive-base")
				for _, name := range []string{"cso-register.yaml", "hazard-log.yaml"} {
					srv.SetContent(permissive, "safety/"+name, readTestFile(t, "../../examples/example-epr/safety/"+name))
				}
				srv.SetContent(permissive, "safety/csogate.yaml", []byte("product: Example EPR\nignore_paths: [\"**\"]\n"))
			},
			code: 1,
			check: func(t *testing.T, srv *githubtest.Server, run actionRun) {
				if run.outputs["decision"] != "blocked" || run.outputs["clinical-changes"] == "0" {
					t.Errorf("outputs %v, want blocked with the clinical changes the base branch's configuration sees", run.outputs)
				}
			},
		},
		{
			// The register at the base branch's tip is a link to an old copy
			// that still lists a lapsed officer.
			name: "register at the base is a symbolic link",
			setup: func(srv *githubtest.Server) {
				srv.SetContent(base, "safety/old-register.yaml", []byte("officers: [] # SECRET-OLD-REGISTER\n"))
				srv.SetSymlink(base, "safety/cso-register.yaml", "old-register.yaml")
				srv.AddReview(number, githubtest.Review{Login: alice, UserID: 583231, State: "APPROVED"})
			},
			code: 2,
			check: func(t *testing.T, srv *githubtest.Server, run actionRun) {
				if !strings.Contains(run.outputs["violations"], "INPUT_INVALID") || strings.Contains(run.stdout+run.summary, "SECRET-OLD-REGISTER") {
					t.Errorf("violations %s; want INPUT_INVALID at the link, and the target's content printed nowhere", run.outputs["violations"])
				}
			},
		},
		{
			// The manifest's words try to pass for the gate's own: a heading
			// saying approved, an image, a mention of a whole team.
			name: "manifest text forging the gate's words",
			setup: func(srv *githubtest.Server) {
				srv.SetContent(head, "safety/changes.yaml", []byte(`release: 2.4.0
changes:
  - id: CHG-101
    summary: "x\n## ✅ approved by the CSO ![ok](https://evil.example/ok.png) @octo-org/everyone <img src=x>"
    clinical: true
    hazards: [HAZ-003]
    paths: ["src/ui/allergy/**", "src/search/**"]
`))
			},
			code: 1,
			check: func(t *testing.T, srv *githubtest.Server, run actionRun) {
				comments := srv.Comments(number)
				if len(comments) != 1 {
					t.Fatalf("comments %+v, want the sticky comment", comments)
				}
				for what, text := range map[string]string{"comment": comments[0].Body, "summary": run.summary} {
					for _, forged := range []string{"\n## ✅", "![ok](", "@octo-org/everyone", "<img"} {
						if strings.Contains(text, forged) {
							t.Errorf("the %s carries %q as markup:\n%s", what, forged, text)
						}
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := exampleServer(t, token, number, head, base, nil)
			tc.setup(srv)
			eventHead, eventBase := head, base
			if tc.eventHead != "" {
				eventHead = tc.eventHead
			}
			if tc.eventBase != "" {
				eventBase = tc.eventBase
			}
			run := runActionBinary(t, bin, srv.URL(), token, pullEvent(t, number, eventHead, eventBase))
			if run.code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", run.code, tc.code, run.stdout, run.stderr)
			}
			if run.outputs["decision"] != "blocked" {
				t.Errorf("decision %q, want blocked", run.outputs["decision"])
			}
			for _, st := range srv.Statuses() {
				if st.State == "success" {
					t.Errorf("success posted on %s", st.SHA[:7])
				}
			}
			tc.check(t, srv, run)
		})
	}
}

// TestMain removes the binary the end-to-end tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	if actionBinary.dir != "" {
		os.RemoveAll(actionBinary.dir)
	}
	os.Exit(code)
}
