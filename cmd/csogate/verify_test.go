package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/evidence"
)

const (
	exampleHead = "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b"
	signerURI   = "https://github.com/example/epr/.github/workflows/release.yml@refs/tags/v2.4.0"
)

// recorded runs csogate check --record on a copy of the bundled example with
// the reviews given, and returns the checkout, the record directory and a
// statement about the artefact, as the release run of v2.4.0 would make it.
func recorded(t *testing.T, reviews string, artefact []byte) (string, string, *evidence.Statement) {
	t.Helper()
	root := t.TempDir()
	copyDir(t, "../../examples/example-epr", root)
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-C", root, "check", "--changed-files", "changed-files.txt", "--reviews", reviews,
		"--head-sha", exampleHead, "--author", "dev-dan", "--today", "2026-11-25", "--record", "evidence"},
		os.Getenv, strings.NewReader(""), &stdout, &stderr)
	dir := filepath.Join(root, "evidence")
	rec, err := evidence.Load(dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	sum := sha256.Sum256(artefact)
	st, err := evidence.NewStatement(rec, evidence.Subject{Name: "epr.tgz", Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}})
	if err != nil {
		t.Fatal(err)
	}
	st.Predicate.ReleaseTag = "v2.4.0"
	note, err := os.ReadFile(filepath.Join(dir, evidence.ReleaseNoteFile))
	if err != nil {
		t.Fatal(err)
	}
	st.Predicate.ReleaseNote = evidence.NewPredicateFile(evidence.ReleaseNoteFile, note)
	return root, dir, st
}

// ghJSON is gh attestation verify --format json's output for st, signed in
// repo by signer.
func ghJSON(t *testing.T, repo, signer string, st *evidence.Statement) []byte {
	t.Helper()
	data, err := json.Marshal([]any{map[string]any{
		"attestation": map[string]any{"bundle": map[string]any{}},
		"verificationResult": map[string]any{
			"mediaType": "application/vnd.dev.sigstore.verificationresult+json;version=0.1",
			"statement": st,
			"signature": map[string]any{"certificate": map[string]any{
				"issuer": "https://token.actions.githubusercontent.com", "buildSignerURI": signer,
				"sourceRepositoryURI": "https://github.com/" + repo, "sourceRepositoryRef": "refs/tags/v2.4.0"}},
			"verifiedTimestamps": []any{},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestVerifyCommand: csogate verify exits 0 only for an attestation of
// this artefact, from the expected repository and workflow, with an allowed
// decision for this release, and a record that is the signed one; each
// refusal names what did not match.
func TestVerifyCommand(t *testing.T) {
	t.Parallel()
	artefact := []byte("epr-2.4.0 build\n")
	root, _, approved := recorded(t, "reviews.json", artefact)
	_, _, blocked := recorded(t, "reviews-stale.json", artefact)
	if approved.Predicate.Decision != "approved" || blocked.Predicate.Decision != "blocked" {
		t.Fatalf("the example decided %s and %s", approved.Predicate.Decision, blocked.Predicate.Decision)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	write("epr.tgz", artefact)
	write("other.tgz", []byte("another build\n"))
	good := write("good.json", ghJSON(t, "example/epr", signerURI, approved))
	otherTag := *approved
	p := *approved.Predicate
	p.ReleaseTag = "v2.5.0"
	otherTag.Predicate = &p
	forged := *approved
	fp := *approved.Predicate
	fp.Record.Digest = "sha256:" + strings.Repeat("0", 64)
	forged.Predicate = &fp
	plain, err := json.Marshal(approved)
	if err != nil {
		t.Fatal(err)
	}

	base := []string{"--repo", "example/epr", "--workflow", ".github/workflows/release.yml", "--release", "v2.4.0"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "good attestation", args: []string{"--artifact", "epr.tgz", "--attestation", good}, want: "OK: epr.tgz"},
		{name: "good attestation and record", args: []string{"--artifact", "epr.tgz", "--attestation", good, "--record", "evidence"},
			want: "replays to the same decision"},
		{name: "good release note", args: []string{"--artifact", "epr.tgz", "--attestation", good, "--release-note", "evidence/release-note.md"},
			want: "the one signed"},
		{name: "edited release note", args: []string{"--artifact", "epr.tgz", "--attestation", good, "--release-note",
			write("edited-note.md", []byte("# Clinical safety release note: all fine\n"))}, wantCode: 1, want: "the note was edited"},
		{name: "by digest", args: []string{"--digest", "sha256:" + approved.Subject[0].Digest["sha256"], "--attestation", good}, want: "OK: sha256:"},
		{name: "another artefact", args: []string{"--artifact", "other.tgz", "--attestation", good}, wantCode: 1, want: "not about this artefact"},
		{name: "another workflow", args: []string{"--artifact", "epr.tgz", "--attestation",
			write("wf.json", ghJSON(t, "example/epr", "https://github.com/example/epr/.github/workflows/ci.yml@refs/heads/main", approved))},
			wantCode: 1, want: "signed by the workflow example/epr/.github/workflows/ci.yml@refs/heads/main"},
		{name: "another repository", args: []string{"--artifact", "epr.tgz", "--attestation",
			write("repo.json", ghJSON(t, "mallory/epr", "https://github.com/mallory/epr/.github/workflows/release.yml@refs/tags/v2.4.0", approved))},
			wantCode: 1, want: "signed in the repository mallory/epr"},
		{name: "blocked decision", args: []string{"--artifact", "epr.tgz", "--attestation", write("blocked.json", ghJSON(t, "example/epr", signerURI, blocked))},
			wantCode: 1, want: "is blocked (violations: CSO_APPROVAL_REQUIRED"},
		{name: "another release tag", args: []string{"--artifact", "epr.tgz", "--attestation", write("tag.json", ghJSON(t, "example/epr", signerURI, &otherTag))},
			wantCode: 1, want: "decision for release v2.5.0, not v2.4.0"},
		{name: "record digest mismatch", args: []string{"--artifact", "epr.tgz", "--record", "evidence",
			"--attestation", write("forged.json", ghJSON(t, "example/epr", signerURI, &forged))},
			wantCode: 1, want: "is not the record of the attested decision"},
		{name: "plain statement", args: []string{"--artifact", "epr.tgz", "--attestation", write("plain.json", plain)},
			wantCode: 1, want: "no verified signature"},
		{name: "missing attestation", args: []string{"--artifact", "epr.tgz", "--attestation", "nope.json"}, wantCode: 2, want: "--attestation"},
		{name: "not an attestation", args: []string{"--artifact", "epr.tgz", "--attestation", write("text.json", []byte("✓ Verification succeeded!"))},
			wantCode: 2, want: "neither a JSON array"},
		{name: "two artefacts", args: []string{"--artifact", "epr.tgz", "--commit", exampleHead, "--attestation", good}, wantCode: 2, want: "name the artefact once"},
		{name: "missing artefact file", args: []string{"--artifact", "gone.tgz", "--attestation", good}, wantCode: 2, want: "--artifact"},
		{name: "bad digest", args: []string{"--digest", "md5:abc", "--attestation", good}, wantCode: 2, want: "--digest"},
		{name: "missing record", args: []string{"--artifact", "epr.tgz", "--attestation", good, "--record", "nowhere"}, wantCode: 2, want: "--record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"-C", root, "verify"}, tt.args...)
			args = append(args, base...)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, os.Getenv, strings.NewReader(""), &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stdout.String()+stderr.String(), tt.want) {
				t.Errorf("exit %d, want %d saying %q\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, tt.want, stdout.String(), stderr.String())
			}
		})
	}
	t.Run("missing release", func(t *testing.T) {
		t.Parallel()
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"-C", root, "verify", "--artifact", "epr.tgz", "--attestation", good, "--repo", "example/epr",
			"--workflow", ".github/workflows/release.yml"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "--release is required") {
			t.Errorf("exit %d, stderr %s", code, stderr.String())
		}
	})
}

// TestReplayRefusesEditedRecord: check --replay refuses a record edited
// after the gate wrote it, exit 2, naming the edited field.
func TestReplayRefusesEditedRecord(t *testing.T) {
	t.Parallel()
	for field, edit := range map[string]func(m map[string]any){
		"request.reviews": func(m map[string]any) {
			m["request"].(map[string]any)["reviews"].([]any)[0].(map[string]any)["commit_id"] = exampleHead
		},
		"created_at":   func(m map[string]any) { m["created_at"] = "2020-01-01T00:00:00Z" },
		"tool.version": func(m map[string]any) { m["tool"].(map[string]any)["version"] = "v1.0.0" },
		"context.workflow_ref": func(m map[string]any) {
			m["context"].(map[string]any)["workflow_ref"] = "x/y/.github/workflows/z.yml@main"
		},
	} {
		t.Run(field, func(t *testing.T) {
			t.Parallel()
			root, dir, _ := recorded(t, "reviews-stale.json", nil)
			name := filepath.Join(dir, evidence.RecordFile)
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			edit(m)
			if data, err = json.Marshal(m); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"-C", root, "check", "--replay", "evidence"}, os.Getenv, strings.NewReader(""), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), field) || !strings.Contains(stderr.String(), "edited after the gate wrote it") {
				t.Errorf("exit %d, want 2 naming %s\nstdout:\n%s\nstderr:\n%s", code, field, stdout.String(), stderr.String())
			}
		})
	}
}
