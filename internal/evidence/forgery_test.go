package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
)

// forgeApproval turns the blocked record in dir into the forgery of issue
// 11: the stale review moved to the head commit, and the facts, decision,
// exit code and approvals re-derived from that, so the record is consistent
// in itself. The digest is left as the gate wrote it.
func forgeApproval(t testing.TB, root, dir string) []byte {
	t.Helper()
	genuine := read(t, filepath.Join(dir, RecordFile))
	edited := editJSON(t, genuine, func(m map[string]any) {
		req(m)["reviews"].([]any)[0].(map[string]any)["commit_id"] = head
	})
	var rec Record
	if err := json.Unmarshal(edited, &rec); err != nil {
		t.Fatal(err)
	}
	trusted := map[string][]byte{}
	for _, in := range rec.Inputs {
		if in.Side == "trusted" {
			trusted[in.Path] = read(t, filepath.Join(dir, in.Copy))
		}
	}
	req, err := rec.Request.gateRequest(root, recordSource{files: trusted, describe: rec.Request.TrustedSide}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := gate.Evaluate(context.Background(), req)
	if out.Decision.Decision != decision.Approved {
		t.Fatalf("the forged review does not make the gate approve: %s %v", out.Decision.Decision, out.Decision.Violations)
	}
	rec.Facts, rec.Decision, rec.ExitCode = out.Input, out.Decision, out.Decision.ExitCode
	rec.Approvals = approvalsOf(out.Decision, req.Reviews)
	data, err := marshal(&rec)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestForgedRecordRefused: every field of the record is covered by its
// digest, so an edit that the replay would not notice — the forgery that
// re-derives the decision from an edited review, or an edit of what the
// replay does not re-derive (created_at, tool, context) — is refused, and
// the refusal names the field.
func TestForgedRecordRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sc   scenario
		// forge returns the forged record.json.
		forge func(t *testing.T, root, dir string, genuine []byte) []byte
		want  []string // in the error
	}{
		{name: "review moved to the head, the rest re-derived", sc: eprBlocked,
			forge: func(t *testing.T, root, dir string, _ []byte) []byte { return forgeApproval(t, root, dir) },
			want:  []string{"request.reviews", "decision.decision", "exit_code", "approvals"}},
		{name: "edited fact", sc: eprApproved,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) { m["facts"].(map[string]any)["author"] = "someone-else" })
			},
			want: []string{"facts.author"}},
		{name: "edited decision", sc: eprBlocked,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) {
					dec(m)["decision"], dec(m)["violations"], m["exit_code"] = "approved", []any{}, 0
				})
			},
			want: []string{"decision.decision", "decision.violations", "exit_code"}},
		{name: "edited created_at", sc: eprApproved,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) { m["created_at"] = "2026-11-20T09:30:00Z" })
			},
			want: []string{"created_at"}},
		{name: "edited tool version", sc: eprApproved,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) { m["tool"].(map[string]any)["version"] = "v9.9.9" })
			},
			want: []string{"tool.version"}},
		{name: "edited context", sc: eprApproved,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) {
					ctx := m["context"].(map[string]any)
					ctx["repository"], ctx["workflow_ref"] = "other/epr", "other/epr/.github/workflows/x.yml@refs/heads/main"
				})
			},
			want: []string{"context.repository", "context.workflow_ref"}},
		{name: "context field added", sc: eprApproved,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) { m["context"].(map[string]any)["release_tag"] = "v2.4.0" })
			},
			want: []string{"context.release_tag (not covered by the digest"}},
		{name: "input hash and copy replaced", sc: eprApproved,
			forge: func(t *testing.T, _, dir string, g []byte) []byte {
				// A consistent swap: a new register copy whose hash the
				// inputs list, so the replay's hash checks pass.
				forged := "officers: []\n"
				write(t, filepath.Join(dir, "trusted/safety/cso-register.yaml"), forged)
				return editJSON(t, g, func(m map[string]any) {
					for _, in := range m["inputs"].([]any) {
						if in := in.(map[string]any); in["path"] == "safety/cso-register.yaml" {
							in["sha256"] = sha([]byte(forged))
						}
					}
				})
			},
			want: []string{"inputs"}},
		{name: "decision shadowed by a key in another case", sc: eprBlocked,
			forge: func(t *testing.T, root, dir string, g []byte) []byte {
				// encoding/json matches keys case-insensitively and keeps the
				// last: appended keys would replace the decision unseen by a
				// digest computed over the struct.
				var forged map[string]any
				if err := json.Unmarshal(forgeApproval(t, root, dir), &forged); err != nil {
					t.Fatal(err)
				}
				tail := mustJSON(t, map[string]any{"DeCision": forged["decision"], "EXIT_CODE": 0})
				body := strings.TrimSuffix(strings.TrimSpace(string(g)), "}")
				return []byte(body + ",\n" + strings.TrimPrefix(string(tail), "{"))
			},
			want: []string{"DeCision (not covered by the digest", "EXIT_CODE (not covered by the digest"}},
		{name: "digest edited", sc: eprApproved,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) {
					m["integrity"].(map[string]any)["digest"] = "sha256:" + strings.Repeat("0", 64)
				})
			},
			want: []string{"integrity.digest is sha256:0000", "the digest was edited"}},
		{name: "digest removed", sc: eprApproved,
			forge: func(t *testing.T, _, _ string, g []byte) []byte {
				return editJSON(t, g, func(m map[string]any) { delete(m, "integrity") })
			},
			want: []string{"no integrity digest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, dir, _ := record(t, tt.sc)
			name := filepath.Join(dir, RecordFile)
			if err := os.WriteFile(name, tt.forge(t, root, dir, read(t, name)), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Replay(t.Context(), dir, root)
			if !errors.Is(err, ErrInvalidRecord) {
				t.Fatalf("got result %+v and error %v, want the record refused", res, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the refusal does not name %q: %v", w, err)
				}
			}
		})
	}
}

// TestResealedForgeryReplaysApproved shows what the digest cannot do: a
// forger who also recomputes it has a record the replay re-derives as
// approved. Only the attestation, which signs the genuine digest, tells
// the two apart (TestVerifyRecord in verify_test.go).
func TestResealedForgeryReplaysApproved(t *testing.T) {
	t.Parallel()
	root, dir, _ := record(t, eprBlocked)
	genuine, err := RecordDigest(read(t, filepath.Join(dir, RecordFile)))
	if err != nil {
		t.Fatal(err)
	}
	forged := reseal(t, forgeApproval(t, root, dir))
	write(t, filepath.Join(dir, RecordFile), string(forged))
	res, err := Replay(t.Context(), dir, root)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Matches() || res.ExitCode() != 0 {
		t.Fatalf("the resealed forgery does not replay as approved: %v", res.Differences)
	}
	if res.Record.Integrity.Digest == genuine {
		t.Fatalf("the forgery kept the genuine digest %s", genuine)
	}
}

// TestWrittenRecordDigest: the digest Write records is the one a reader
// computes from the file, and the same run gives the same digest.
func TestWrittenRecordDigest(t *testing.T) {
	t.Parallel()
	_, dir, _ := record(t, eprApproved)
	data := read(t, filepath.Join(dir, RecordFile))
	rec, err := ReadRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := RecordDigest(data)
	if err != nil {
		t.Fatal(err)
	}
	if got != rec.Integrity.Digest || !strings.HasPrefix(got, "sha256:") || len(got) != len("sha256:")+64 {
		t.Errorf("got digest %s, the record says %s", got, rec.Integrity.Digest)
	}
	for _, part := range []string{"created_at", "tool.version", "context.run_id", "request.reviews", "facts.author", "decision.decision", "approvals", "inputs", "exit_code"} {
		if rec.Integrity.Fields[part] == "" {
			t.Errorf("the digest does not cover %s: %v", part, rec.Integrity.Fields)
		}
	}
	// Indentation and key order are not content.
	compact := editJSON(t, data, func(map[string]any) {})
	if again, err := RecordDigest(compact); err != nil || again != got {
		t.Errorf("re-encoded record hashes to %s (%v), want %s", again, err, got)
	}
}
