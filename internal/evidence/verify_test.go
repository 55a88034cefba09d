package evidence

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// artefact is the release's build output the tests attest.
var artefact = []byte("example-epr-2.4.0.tar.gz contents\n")

const (
	testRepo     = "example/epr"
	testWorkflow = ".github/workflows/release.yml"
	testSigner   = "https://github.com/example/epr/.github/workflows/release.yml@refs/tags/v2.4.0"
)

// releaseMeta is testMeta for a release run gating v2.4.0.
func releaseMeta() Meta {
	m := testMeta
	m.EventName, m.PullRequest = "push", 0
	m.Run.ReleaseTag = "v2.4.0"
	m.Run.WorkflowRef = "example/epr/.github/workflows/release.yml@refs/tags/v2.4.0"
	return m
}

// attested records sc as a release run and returns the checkout, the record
// directory and the record's statement about artefact.
func attested(t *testing.T, sc scenario) (string, string, *Statement) {
	t.Helper()
	root, req, out := evaluate(t, sc)
	dir := filepath.Join(t.TempDir(), "record")
	if _, err := Write(dir, req, out, releaseMeta()); err != nil {
		t.Fatal(err)
	}
	rec, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStatement(rec, Subject{Name: "example-epr-2.4.0.tar.gz", Digest: map[string]string{"sha256": sha(artefact)}})
	if err != nil {
		t.Fatal(err)
	}
	return root, dir, st
}

// ghOutput is what gh attestation verify --format json prints for the
// statements, signed by signer in repo (sigstore-go's verification result,
// with the fields csogate does not read).
func ghOutput(t testing.TB, repo, signer string, sts ...*Statement) []byte {
	t.Helper()
	var results []any
	for _, st := range sts {
		results = append(results, map[string]any{
			"attestation": map[string]any{"bundle": map[string]any{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}, "bundle_url": ""},
			"verificationResult": map[string]any{
				"mediaType": "application/vnd.dev.sigstore.verificationresult+json;version=0.1",
				"statement": st,
				"signature": map[string]any{"certificate": map[string]any{
					"certificateIssuer":      "CN=sigstore-intermediate,O=sigstore.dev",
					"subjectAlternativeName": signer,
					"issuer":                 "https://token.actions.githubusercontent.com",
					"githubWorkflowTrigger":  "push",
					"githubWorkflowRef":      "refs/tags/v2.4.0",
					"buildSignerURI":         signer,
					"runnerEnvironment":      "github-hosted",
					"sourceRepositoryURI":    "https://github.com/" + repo,
					"sourceRepositoryRef":    "refs/tags/v2.4.0",
				}},
				"verifiedTimestamps": []any{map[string]any{"type": "Tlog", "uri": "https://rekor.sigstore.dev", "timestamp": "2026-11-25T09:31:00Z"}},
			},
		})
	}
	data, err := json.Marshal(results)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func expected() Expected {
	return Expected{Algorithm: "sha256", Digest: sha(artefact), Repository: testRepo, Workflow: testWorkflow, Release: "v2.4.0"}
}

// TestVerify: only an attestation about this artefact, signed by the
// expected repository and workflow, carrying an allowed decision for the
// expected release, passes; each other one is refused naming what differs.
func TestVerify(t *testing.T) {
	t.Parallel()
	_, _, approved := attested(t, eprApproved)
	_, _, blocked := attested(t, eprBlocked)
	later := func(st *Statement, at string) *Statement {
		c := *st
		p := *st.Predicate
		p.CreatedAt = at
		c.Predicate = &p
		return &c
	}
	otherRelease := *approved
	p := *approved.Predicate
	p.ReleaseTag = "v2.3.9"
	otherRelease.Predicate = &p
	tests := []struct {
		name   string
		input  []byte
		edit   func(*Expected)
		wantOK bool
		want   string // in a failure
	}{
		{name: "good attestation", input: ghOutput(t, testRepo, testSigner, approved), wantOK: true},
		{name: "workflow named with its repository", input: ghOutput(t, testRepo, testSigner, approved), wantOK: true,
			edit: func(e *Expected) { e.Workflow = "example/epr/.github/workflows/release.yml@refs/tags/v2.4.0" }},
		{name: "another artefact", input: ghOutput(t, testRepo, testSigner, approved),
			edit: func(e *Expected) { e.Digest = sha([]byte("another build")) }, want: "not about this artefact"},
		{name: "a commit instead of the artefact", input: ghOutput(t, testRepo, testSigner, approved),
			edit: func(e *Expected) { e.Algorithm, e.Digest = "gitCommit", head }, want: "not about this artefact"},
		{name: "another workflow", input: ghOutput(t, testRepo, "https://github.com/example/epr/.github/workflows/pr.yml@refs/heads/x", approved),
			want: "signed by the workflow example/epr/.github/workflows/pr.yml@refs/heads/x, not example/epr/.github/workflows/release.yml"},
		{name: "another repository", input: ghOutput(t, "fork/epr", "https://github.com/fork/epr/.github/workflows/release.yml@refs/tags/v2.4.0", approved),
			want: "signed in the repository fork/epr, not example/epr"},
		{name: "blocked decision", input: ghOutput(t, testRepo, testSigner, blocked), want: "is blocked (violations: "},
		{name: "another release tag", input: ghOutput(t, testRepo, testSigner, &otherRelease), want: "decision for release v2.3.9, not v2.4.0"},
		{name: "later block overrides an approval", input: ghOutput(t, testRepo, testSigner, approved, later(blocked, "2026-11-26T10:00:00Z")),
			want: "is blocked"},
		{name: "later approval overrides a block", input: ghOutput(t, testRepo, testSigner, blocked, later(approved, "2026-11-26T10:00:00Z")),
			wantOK: true},
		{name: "plain statement", input: mustJSON(t, approved), want: "no verified signature"},
		{name: "plain statement, unsigned allowed", input: mustJSON(t, approved), wantOK: true,
			edit: func(e *Expected) { e.Unsigned = true }},
		{name: "plain statement claiming another workflow", input: mustJSON(t, approved),
			edit: func(e *Expected) { e.Unsigned, e.Workflow = true, ".github/workflows/deploy.yml" }, want: "signed by the workflow"},
		{name: "another predicate type", input: func() []byte {
			c := *approved
			c.PredicateType = "https://slsa.dev/provenance/v1"
			return ghOutput(t, testRepo, testSigner, &c)
		}(), want: "not a csogate decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			atts, err := ParseAttestations(tt.input)
			if err != nil {
				t.Fatal(err)
			}
			want := expected()
			if tt.edit != nil {
				tt.edit(&want)
			}
			v := Verify(atts, want)
			if v.OK() != tt.wantOK {
				t.Fatalf("got OK %v (%v), want %v", v.OK(), v.Failures, tt.wantOK)
			}
			if tt.want != "" && !strings.Contains(strings.Join(v.Failures, "\n"), tt.want) {
				t.Errorf("failures %q do not say %q", v.Failures, tt.want)
			}
		})
	}
}

func TestParseAttestationsRefuses(t *testing.T) {
	t.Parallel()
	for name, input := range map[string]string{
		"empty":             "",
		"not JSON":          "Verification succeeded!",
		"no results":        "[]",
		"no statement":      `[{"verificationResult": {"signature": {"certificate": {}}}}]`,
		"no certificate":    `[{"verificationResult": {"statement": {"_type": "https://in-toto.io/Statement/v1"}}}]`,
		"not a statement":   `{"_type": "https://in-toto.io/Statement/v0.1"}`,
		"wrong type inside": `[{"verificationResult": {"statement": "x"}}]`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if atts, err := ParseAttestations([]byte(input)); err == nil {
				t.Errorf("accepted: %+v", atts)
			}
		})
	}
}

// TestVerifyRecord: the record must be the one the attestation signed and
// replay to the attested decision. The resealed forgery — review moved to
// the head, decision re-derived, digest recomputed — replays as approved,
// but its digest is not the signed one.
func TestVerifyRecord(t *testing.T) {
	t.Parallel()
	t.Run("genuine", func(t *testing.T) {
		t.Parallel()
		root, dir, st := attested(t, eprApproved)
		failures, err := VerifyRecord(t.Context(), st.Predicate, dir, root)
		if err != nil || len(failures) > 0 {
			t.Errorf("got %v, %v; want the record accepted", failures, err)
		}
	})
	t.Run("resealed forgery", func(t *testing.T) {
		t.Parallel()
		root, dir, st := attested(t, eprBlocked)
		write(t, filepath.Join(dir, RecordFile), string(reseal(t, forgeApproval(t, root, dir))))
		failures, err := VerifyRecord(t.Context(), st.Predicate, dir, root)
		if err != nil || len(failures) != 1 || !strings.Contains(failures[0], "is not the record of the attested decision") {
			t.Errorf("got %v, %v; want the digest mismatch named", failures, err)
		}
	})
	t.Run("edited record", func(t *testing.T) {
		t.Parallel()
		root, dir, st := attested(t, eprApproved)
		name := filepath.Join(dir, RecordFile)
		write(t, name, string(editJSON(t, read(t, name), func(m map[string]any) { m["created_at"] = "2026-01-01T00:00:00Z" })))
		failures, err := VerifyRecord(t.Context(), st.Predicate, dir, root)
		if err != nil || len(failures) != 1 || !strings.Contains(failures[0], "created_at") {
			t.Errorf("got %v, %v; want the edited field named", failures, err)
		}
	})
	t.Run("checkout not the release", func(t *testing.T) {
		t.Parallel()
		root, dir, st := attested(t, eprApproved)
		appendTo(t, filepath.Join(root, "safety/hazard-log.yaml"), "# edited\n")
		failures, err := VerifyRecord(t.Context(), st.Predicate, dir, root)
		if err != nil || len(failures) != 1 || !strings.Contains(failures[0], "safety/hazard-log.yaml") {
			t.Errorf("got %v, %v; want the changed file named", failures, err)
		}
	})
	t.Run("no record", func(t *testing.T) {
		t.Parallel()
		root, _, st := attested(t, eprApproved)
		if _, err := VerifyRecord(t.Context(), st.Predicate, t.TempDir(), root); err == nil {
			t.Errorf("a missing record is not an error")
		}
	})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestAttackAttestationFromABranchRun: anyone who can push a branch can edit
// release.yml there (code owners guard merges, not pushes), make it run on
// that push, skip the gate and attest "approved" for v2.4.0 about the same
// build. GitHub signs it as release.yml, at refs/heads/<branch>. A workflow
// named without a ref must still be the run for the release's own tag.
func TestAttackAttestationFromABranchRun(t *testing.T) {
	t.Parallel()
	_, _, approved := attested(t, eprApproved)
	for _, signer := range []string{
		"https://github.com/example/epr/.github/workflows/release.yml@refs/heads/evil",
		"https://github.com/example/epr/.github/workflows/release.yml@refs/tags/v2.3.9",
		"https://github.com/example/epr/.github/workflows/release.yml@refs/pull/7/merge",
		"https://github.com/example/epr/.github/workflows/release.yml",
	} {
		atts, err := ParseAttestations(ghOutput(t, testRepo, signer, approved))
		if err != nil {
			t.Fatal(err)
		}
		if v := Verify(atts, expected()); v.OK() {
			t.Errorf("an approval signed by %s passes for release v2.4.0", signer)
		}
	}
	atts, err := ParseAttestations(ghOutput(t, testRepo, testSigner, approved))
	if err != nil {
		t.Fatal(err)
	}
	if v := Verify(atts, expected()); !v.OK() {
		t.Errorf("the release's own run is refused: %v", v.Failures)
	}
}
