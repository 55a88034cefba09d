package evidence

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/report"
)

// TestReplayMatches records each scenario and replays it from a fresh copy
// of the checkout elsewhere on disk, so nothing in the record may depend on
// where the run's workspace was.
func TestReplayMatches(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			root, dir, out := record(t, sc)
			res, err := Replay(t.Context(), dir, checkout(t, root))
			if err != nil {
				t.Fatalf("replay refused: %v", err)
			}
			if !res.Matches() {
				t.Errorf("the replay differs from the record: %v", res.Differences)
			}
			if got := res.ExitCode(); got != sc.wantExit {
				t.Errorf("got exit %d, want %d", got, sc.wantExit)
			}
			if res.Decision.Decision != sc.want || res.Recorded.Decision != sc.want {
				t.Errorf("got replayed %q and recorded %q, want %q", res.Decision.Decision, res.Recorded.Decision, sc.want)
			}
			var got, want strings.Builder
			if err := report.JSON(&got, res.Decision); err != nil {
				t.Fatal(err)
			}
			if err := report.JSON(&want, out.Decision); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("the replayed decision document differs from the run's:\n--- replayed\n%s\n--- run\n%s", got.String(), want.String())
			}
		})
	}
}

// TestReplayRefuses checks that a checkout or record that is not what the
// gate evaluated is refused with a *Mismatch naming the file and both hashes.
func TestReplayRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sc   scenario
		// edit alters the checkout (root) or the record (dir) before replay.
		edit func(t *testing.T, root, dir string)
		// wantFile is the Mismatch's File (suffix for files in the record).
		wantFile     string
		wantMissing  bool // Actual is ""
		wantUnlisted bool // Recorded is ""
		wantHint     string
	}{
		{
			name: "changed hazard log", sc: eprApproved,
			edit: func(t *testing.T, root, _ string) {
				appendTo(t, filepath.Join(root, "safety/hazard-log.yaml"), "# edited after the run\n")
			},
			wantFile: "safety/hazard-log.yaml", wantHint: "check out " + head,
		},
		{
			name: "changed manifest", sc: eprBlocked,
			edit: func(t *testing.T, root, _ string) {
				appendTo(t, filepath.Join(root, "safety/changes.yaml"), "# edited\n")
			},
			wantFile: "safety/changes.yaml", wantHint: "check out " + head,
		},
		{
			name: "changed Markdown hazard file", sc: mdApproved,
			edit: func(t *testing.T, root, _ string) {
				appendTo(t, filepath.Join(root, "safety/hazards/hazard-2.md"), "\nedited\n")
			},
			wantFile: "safety/hazards/hazard-2.md", wantHint: "check out " + head,
		},
		{
			name: "missing workspace file", sc: eprApproved,
			edit: func(t *testing.T, root, _ string) {
				remove(t, filepath.Join(root, "safety/changes.yaml"))
			},
			wantFile: "safety/changes.yaml", wantMissing: true, wantHint: "check out " + head,
		},
		{
			name: "workspace file replaced by a directory", sc: eprApproved,
			edit: func(t *testing.T, root, _ string) {
				remove(t, filepath.Join(root, "safety/changes.yaml"))
				if err := os.Mkdir(filepath.Join(root, "safety/changes.yaml"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: "safety/changes.yaml", wantMissing: true,
		},
		{
			name: "added Markdown hazard file", sc: mdApproved,
			edit: func(t *testing.T, root, _ string) {
				data := read(t, filepath.Join(root, "safety/hazards/hazard-2.md"))
				write(t, filepath.Join(root, "safety/hazards/hazard-3.md"), strings.ReplaceAll(string(data), "Allergy banner", "Other banner"))
			},
			wantFile: "safety/hazards/hazard-3.md", wantUnlisted: true, wantHint: "check out " + head,
		},
		{
			name: "components map added since the run", sc: eprApproved,
			edit: func(t *testing.T, root, _ string) {
				write(t, filepath.Join(root, "safety/hazard-components.yaml"), "HAZ-002: [\"src/api/**\"]\n")
			},
			wantFile: "safety/hazard-components.yaml", wantUnlisted: true,
		},
		{
			name: "tampered input hash in record.json", sc: eprBlocked,
			edit: func(t *testing.T, _, dir string) {
				editRecord(t, dir, func(m map[string]any) {
					for _, in := range m["inputs"].([]any) {
						if in := in.(map[string]any); in["path"] == "safety/hazard-log.yaml" && in["side"] == "workspace" {
							in["sha256"] = strings.Repeat("9", 64)
						}
					}
				})
			},
			wantFile: "safety/hazard-log.yaml", wantHint: "or the record was altered",
		},
		{
			name: "tampered trusted hash in record.json", sc: eprApproved,
			edit: func(t *testing.T, _, dir string) {
				editRecord(t, dir, func(m map[string]any) {
					inputBySide(m, "trusted")["sha256"] = strings.Repeat("a", 64)
				})
			},
			wantFile: "trusted/safety/csogate.yaml", wantHint: "altered or lost",
		},
		{
			name: "tampered trusted copy of the register", sc: eprBlocked,
			edit: func(t *testing.T, _, dir string) {
				// The classic forgery: add oneself to the register the record kept.
				appendTo(t, filepath.Join(dir, "trusted/safety/cso-register.yaml"),
					"  - github: dev-dan\n    name: Dan\n    body: GMC\n    registration: \"1\"\n    trained: 2020-01-01\n")
			},
			wantFile: "trusted/safety/cso-register.yaml", wantHint: "the base commit 1a2b3c4",
		},
		{
			name: "tampered trusted copy of a policy", sc: eprApproved,
			edit: func(t *testing.T, _, dir string) {
				write(t, filepath.Join(dir, "trusted/safety/policies/two_csos_catastrophic.rego"), "package csogate.custom.two_csos_catastrophic\n")
			},
			wantFile: "trusted/safety/policies/two_csos_catastrophic.rego",
		},
		{
			name: "missing trusted copy", sc: eprApproved,
			edit: func(t *testing.T, _, dir string) {
				remove(t, filepath.Join(dir, "trusted/safety/cso-register.yaml"))
			},
			wantFile: "trusted/safety/cso-register.yaml", wantMissing: true,
		},
		{
			name: "tampered base manifest copy",
			sc:   scenario{name: "base", product: "epr", base: true, changed: []string{"docs/search.md"}, want: decision.NotRequired},
			edit: func(t *testing.T, _, dir string) {
				write(t, filepath.Join(dir, "base-manifest/safety/changes.yaml"), "release: 2.3.0\nchanges: []\n")
			},
			wantFile: "base-manifest/safety/changes.yaml", wantHint: "base manifest",
		},
		{
			name: "policy bundle of another version", sc: eprApproved,
			edit: func(t *testing.T, _, dir string) {
				editRecord(t, dir, func(m map[string]any) { m["policy_hash"] = strings.Repeat("b", 64) })
			},
			wantFile: "policy bundle", wantHint: "replay with that version",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, dir, _ := record(t, tt.sc)
			tt.edit(t, root, dir)
			res, err := Replay(t.Context(), dir, root)
			var m *Mismatch
			if !errors.As(err, &m) {
				t.Fatalf("got result %+v and error %v, want a *Mismatch", res, err)
			}
			if res != nil {
				t.Errorf("a refused replay returned a result")
			}
			if m.File != tt.wantFile && !strings.HasSuffix(filepath.ToSlash(m.File), "/"+tt.wantFile) {
				t.Errorf("got file %q, want %q", m.File, tt.wantFile)
			}
			if (m.Actual == "") != tt.wantMissing || (m.Recorded == "") != tt.wantUnlisted {
				t.Errorf("got recorded %q, actual %q; want missing %v, unlisted %v", m.Recorded, m.Actual, tt.wantMissing, tt.wantUnlisted)
			}
			if m.Actual != "" && m.Actual == m.Recorded {
				t.Errorf("a mismatch with equal hashes %s", m.Actual)
			}
			msg := err.Error()
			for _, want := range []string{filepath.ToSlash(tt.wantFile), tt.wantHint, m.Recorded, m.Actual} {
				if !strings.Contains(filepath.ToSlash(msg), want) {
					t.Errorf("message %q does not mention %q", msg, want)
				}
			}
		})
	}
}

// TestReplayReportsDifferences edits what a record says it decided; the
// replay must say which fields differ and exit blocked, never approve.
func TestReplayReportsDifferences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sc   scenario
		// edit alters record.json; dir is the record directory.
		edit      func(t *testing.T, dir string, m map[string]any)
		wantField []string
	}{
		{
			name: "blocked edited to approved", sc: eprBlocked,
			edit: func(_ *testing.T, _ string, m map[string]any) {
				dec(m)["decision"] = "approved"
				dec(m)["violations"] = []any{}
				m["exit_code"] = 0
			},
			wantField: []string{"decision.decision", "decision.violations", "exit_code"},
		},
		{
			name: "approval edited to counted", sc: eprBlocked,
			edit: func(_ *testing.T, _ string, m map[string]any) {
				m["approvals"].([]any)[0].(map[string]any)["counted"] = true
			},
			wantField: []string{"approvals[0].counted"},
		},
		{
			name: "reviewer id edited", sc: eprApproved,
			edit: func(_ *testing.T, _ string, m map[string]any) {
				m["approvals"].([]any)[1].(map[string]any)["reviewer_id"] = 1
			},
			wantField: []string{"approvals[1].reviewer_id"},
		},
		{
			name: "facts edited", sc: eprApproved,
			edit: func(_ *testing.T, _ string, m map[string]any) {
				m["facts"].(map[string]any)["author"] = "someone-else"
			},
			wantField: []string{"facts.author"},
		},
		{
			name: "exit code edited within blocked", sc: eprBlocked,
			edit: func(_ *testing.T, _ string, m map[string]any) {
				m["exit_code"] = 3
			},
			wantField: []string{"exit_code"},
		},
		{
			name: "recorded review moved to the head commit", sc: eprBlocked,
			edit: func(_ *testing.T, _ string, m map[string]any) {
				// The request now says alice approved the head: the replay
				// derives approved, the record still says blocked.
				req(m)["reviews"].([]any)[0].(map[string]any)["commit_id"] = head
			},
			wantField: []string{"decision.decision", "exit_code"},
		},
		{
			name: "input the replay does not read", sc: eprApproved,
			edit: func(t *testing.T, dir string, m map[string]any) {
				// A consistent entry (its copy hashes as listed) for a file
				// the evaluation never reads: the components map, named as
				// configured, but on the trusted side, where the gate does
				// not read it.
				m["inputs"] = append(m["inputs"].([]any), map[string]any{"role": "components_map", "path": "safety/hazard-components.yaml",
					"side": "trusted", "sha256": sha(read(t, filepath.Join(dir, "trusted/safety/csogate.yaml"))),
					"copy": "trusted/safety/csogate.yaml"})
			},
			wantField: []string{"inputs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, dir, _ := record(t, tt.sc)
			editRecord(t, dir, func(m map[string]any) { tt.edit(t, dir, m) })
			res, err := Replay(t.Context(), dir, root)
			if err != nil {
				t.Fatalf("replay failed: %v", err)
			}
			if res.Matches() || res.ExitCode() != decision.ExitBlocked {
				t.Fatalf("got matches %v, exit %d; want a difference and exit 1", res.Matches(), res.ExitCode())
			}
			fields := map[string]bool{}
			for _, d := range res.Differences {
				fields[d.Field] = true
				if d.String() == "" || d.Recorded == d.Replayed {
					t.Errorf("difference %+v does not say what differs", d)
				}
			}
			for _, f := range tt.wantField {
				if !fields[f] {
					t.Errorf("differences %v do not name %s", res.Differences, f)
				}
			}
		})
	}
}

func TestReplayInvalidRecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(t *testing.T, root, dir string)
	}{
		{"record.json missing", func(t *testing.T, _, dir string) { remove(t, filepath.Join(dir, RecordFile)) }},
		{"record.json truncated", func(t *testing.T, _, dir string) {
			data := read(t, filepath.Join(dir, RecordFile))
			write(t, filepath.Join(dir, RecordFile), string(data[:len(data)/2]))
		}},
		{"request names a device", func(t *testing.T, root, dir string) {
			rel, err := filepath.Rel(root, os.DevNull)
			if err != nil {
				t.Fatal(err)
			}
			editRecord(t, dir, func(m map[string]any) { req(m)["paths"].(map[string]any)["manifest"] = filepath.ToSlash(rel) })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, dir, _ := record(t, eprApproved)
			tt.edit(t, root, dir)
			res, err := Replay(t.Context(), dir, root)
			if !errors.Is(err, ErrInvalidRecord) {
				t.Errorf("got result %+v and error %v, want ErrInvalidRecord", res, err)
			}
		})
	}
}

func TestReplayCancelled(t *testing.T) {
	t.Parallel()
	root, dir, _ := record(t, eprApproved)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := Replay(ctx, dir, root)
	var m *Mismatch
	if err == nil || errors.As(err, &m) || errors.Is(err, ErrInvalidRecord) {
		t.Errorf("got result %+v and error %v, want an operational error", res, err)
	}
}

func TestMismatchError(t *testing.T) {
	t.Parallel()
	a, r := strings.Repeat("3b1f", 16), strings.Repeat("9ac2", 16)
	tests := []struct {
		name string
		m    Mismatch
		want string
	}{
		{"differs", Mismatch{File: "safety/hazard-log.yaml", Recorded: r, Actual: a, Hint: "check out x"},
			"safety/hazard-log.yaml: sha256 is " + a + ", the record says " + r + ": check out x"},
		{"missing", Mismatch{File: "safety/changes.yaml", Recorded: r},
			"safety/changes.yaml: missing, the record says sha256 " + r},
		{"unlisted", Mismatch{File: "safety/hazard-components.yaml", Actual: a, Hint: "h"},
			"safety/hazard-components.yaml: sha256 is " + a + ", but the record lists no such input: h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.m.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompareTreatsEmptyAsNull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		a, b      any
		wantField []string
	}{
		{"nil and empty list", map[string]any{"x": nil}, map[string]any{"x": []any{}}, nil},
		{"missing and empty object", map[string]any{}, map[string]any{"x": map[string]any{}}, nil},
		{"nil pointer and null", (*decision.Decision)(nil), nil, nil},
		{"scalar", map[string]any{"x": 1}, map[string]any{"x": 2}, []string{"r.x"}},
		{"list lengths", map[string]any{"x": []any{1}}, map[string]any{"x": []any{1, 2}}, []string{"r.x"}},
		{"list item", []any{map[string]any{"c": true}}, []any{map[string]any{"c": false}}, []string{"r[0].c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := compare("r", tt.a, tt.b)
			if len(got) != len(tt.wantField) {
				t.Fatalf("got %v, want fields %v", got, tt.wantField)
			}
			for i, d := range got {
				if d.Field != tt.wantField[i] {
					t.Errorf("got field %q, want %q", d.Field, tt.wantField[i])
				}
			}
		})
	}
}

func appendTo(t *testing.T, name, s string) {
	t.Helper()
	write(t, name, string(read(t, name))+s)
}

func remove(t *testing.T, name string) {
	t.Helper()
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
}

// editRecord edits record.json as a forger who also recomputes its digest
// would: what the replay must still catch by re-deriving the decision.
func editRecord(t *testing.T, dir string, edit func(map[string]any)) {
	t.Helper()
	name := filepath.Join(dir, RecordFile)
	if err := os.WriteFile(name, reseal(t, editJSON(t, read(t, name), edit)), 0o644); err != nil {
		t.Fatal(err)
	}
}
