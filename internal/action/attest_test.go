package action

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/evidence"
)

// identityEnv is what the runner sets about the workflow, the run and the
// action.
var identityEnv = map[string]string{
	"GITHUB_WORKFLOW_REF":      "octo-org/clinical-app/.github/workflows/release.yml@refs/tags/v2.4.0",
	"GITHUB_WORKFLOW_SHA":      "0123456789abcdef0123456789abcdef01234567",
	"GITHUB_ACTION_REPOSITORY": "csogate/csogate",
	"GITHUB_ACTION_REF":        "v1",
}

// statement reads the in-toto output and checks it names the record by the
// digest the record's content hashes to.
func (o *outcome) statement(t *testing.T) *evidence.Statement {
	t.Helper()
	name := o.outputs["in-toto"]
	if name == "" {
		t.Fatalf("the in-toto output is not set; outputs %v", o.outputs)
	}
	var st evidence.Statement
	if err := json.Unmarshal(readFile(t, name), &st); err != nil {
		t.Fatal(err)
	}
	if st.Type != evidence.StatementType || st.PredicateType != evidence.PredicateType || o.outputs["predicate-type"] != evidence.PredicateType {
		t.Errorf("statement type %q, predicate type %q (output %q)", st.Type, st.PredicateType, o.outputs["predicate-type"])
	}
	digest, err := evidence.RecordDigest(readFile(t, o.outputs["record-file"]))
	if err != nil {
		t.Fatal(err)
	}
	if st.Predicate == nil || st.Predicate.Record.Digest != digest {
		t.Fatalf("the predicate does not name the record's digest %s: %+v", digest, st.Predicate)
	}
	var predicate evidence.Predicate
	if err := json.Unmarshal(readFile(t, o.outputs["predicate"]), &predicate); err != nil || predicate.Record.Digest != digest {
		t.Errorf("the predicate file does not name the record's digest: %+v (%v)", predicate, err)
	}
	return &st
}

// TestAttestationOfARelease: a release run writes the decision as an
// in-toto statement about the released commit, or the artefact the workflow
// names, that csogate verify accepts for this release and no other; and the
// record names the run.
func TestAttestationOfARelease(t *testing.T) {
	t.Parallel()
	artefact := []byte("clinical-app-2.4.0.tar.gz\n")
	sum := sha256.Sum256(artefact)
	artefactSHA := hex.EncodeToString(sum[:])
	tests := []struct {
		name   string
		inputs map[string]string
		want   evidence.Subject
	}{
		{name: "the released commit", want: evidence.Subject{Name: "https://github.com/octo-org/clinical-app", Digest: map[string]string{"gitCommit": v240SHA}}},
		{name: "an artefact file", inputs: map[string]string{inSubjectPath: "dist/clinical-app-2.4.0.tar.gz"},
			want: evidence.Subject{Name: "clinical-app-2.4.0.tar.gz", Digest: map[string]string{"sha256": artefactSHA}}},
		{name: "an image digest", inputs: map[string]string{inSubjectDigest: "sha256:" + strings.ToUpper(artefactSHA), inSubjectName: "ghcr.io/octo-org/clinical-app"},
			want: evidence.Subject{Name: "ghcr.io/octo-org/clinical-app", Digest: map[string]string{"sha256": artefactSHA}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newReleaseFixture(t, true)
			f.pushTag("v2.4.0", v240SHA)
			writeFile(t, filepath.Join(f.workspace, "dist/clinical-app-2.4.0.tar.gz"), artefact)
			for k, v := range identityEnv {
				f.env[k] = v
			}
			for k, v := range tc.inputs {
				f.input(k, v)
			}
			o := f.run()
			if o.code != 0 {
				t.Fatalf("exit %d\n%s", o.code, o.stdout)
			}
			st := o.statement(t)
			if len(st.Subject) != 1 || st.Subject[0].Name != tc.want.Name || len(st.Subject[0].Digest) != 1 {
				t.Fatalf("subject %+v, want %+v", st.Subject, tc.want)
			}
			for alg, d := range tc.want.Digest {
				if st.Subject[0].Digest[alg] != d {
					t.Errorf("subject digest %v, want %v", st.Subject[0].Digest, tc.want.Digest)
				}
			}
			p := st.Predicate
			if p.Decision != "approved" || p.ReleaseTag != "v2.4.0" || p.Release != "2.4.0" || p.HeadSHA != v240SHA || p.Tool.Version != "test" {
				t.Errorf("predicate %+v", p)
			}
			if fails := evidence.VerifyReleaseNote(p, readFile(t, o.outputs["release-note"])); len(fails) > 0 {
				t.Errorf("the predicate does not sign the release note: %v", fails)
			}
			if fails := evidence.VerifyReleaseNote(p, append(readFile(t, o.outputs["release-note"]), "edited\n"...)); len(fails) != 1 {
				t.Errorf("an edited release note passes")
			}
			for _, out := range []string{"safety-case", "safety-case-html"} {
				data := readFile(t, o.outputs[out])
				if fails := evidence.VerifySafetyCase(p, data); len(fails) > 0 {
					t.Errorf("the predicate does not sign the %s: %v", out, fails)
				}
				edited := append(append([]byte(nil), data...), "<!-- edited -->\n"...)
				if fails := evidence.VerifySafetyCase(p, edited); len(fails) != 1 {
					t.Errorf("an edited %s passes", out)
				}
			}
			rec := o.record(t)
			want := evidence.RunIdentity{SHA: f.env["GITHUB_SHA"], WorkflowRef: identityEnv["GITHUB_WORKFLOW_REF"], WorkflowSHA: identityEnv["GITHUB_WORKFLOW_SHA"],
				RunID: "4242", RunAttempt: "1", ActionRepository: "csogate/csogate", ActionRef: "v1", ReleaseTag: "v2.4.0"}
			if rec.Context.RunIdentity != want || p.Context != rec.Context {
				t.Errorf("record context %+v, predicate context %+v, want %+v", rec.Context, p.Context, want)
			}
			// csogate verify --record: the record is the one signed, and
			// replays offline, with no checkout, to the signed decision.
			f.srv.Close()
			if fails, err := evidence.VerifyRecord(t.Context(), p, filepath.Dir(o.outputs["record-file"]), t.TempDir()); err != nil || len(fails) > 0 {
				t.Errorf("verify --record refuses the release's record: %v %v", fails, err)
			}

			alg, digest := "", ""
			for alg, digest = range tc.want.Digest {
			}
			expect := evidence.Expected{Algorithm: alg, Digest: digest, Repository: "octo-org/clinical-app",
				Workflow: ".github/workflows/release.yml", Release: "v2.4.0", Unsigned: true}
			if v := evidence.Verify([]evidence.Attestation{{Statement: *st}}, expect); !v.OK() {
				t.Errorf("csogate verify refuses the run's statement: %v", v.Failures)
			}
			expect.Release = "v2.4.1"
			if v := evidence.Verify([]evidence.Attestation{{Statement: *st}}, expect); v.OK() {
				t.Errorf("csogate verify accepts the statement for another release")
			}
		})
	}
}

// TestAttestationOfAPullRequest: a pull request's statement is about its
// head commit, and names no release.
func TestAttestationOfAPullRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	o := f.run()
	if o.code != 0 {
		t.Fatalf("exit %d\n%s", o.code, o.stdout)
	}
	st := o.statement(t)
	if len(st.Subject) != 1 || st.Subject[0].Digest["gitCommit"] != headSHA || st.Predicate.ReleaseTag != "" || st.Predicate.ReleaseNote != nil || st.Predicate.Decision != "approved" ||
		len(st.Predicate.Approvals) != 1 || st.Predicate.Approvals[0].Reviewer != alice || st.Predicate.Approvals[0].Commit != headSHA {
		t.Errorf("statement %+v, predicate %+v", st.Subject, st.Predicate)
	}
	if !strings.HasPrefix(o.outputs["in-toto"], f.env["RUNNER_TEMP"]) || filepath.Base(o.outputs["in-toto"]) != StatementFile {
		t.Errorf("in-toto = %s, want %s under RUNNER_TEMP", o.outputs["in-toto"], StatementFile)
	}
}

// TestSubjectInputs: a subject the workflow names but the action cannot
// attest blocks the run, never an attestation about something else.
func TestSubjectInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		inputs   map[string]string
		wantCode int
		want     string
	}{
		{name: "both a file and a digest", inputs: map[string]string{inSubjectPath: "dist/a.tgz", inSubjectDigest: "sha256:" + strings.Repeat("a", 64)},
			wantCode: 2, want: "are both set"},
		{name: "a digest that is not sha256", inputs: map[string]string{inSubjectDigest: "sha1:" + strings.Repeat("a", 40)},
			wantCode: 2, want: "is not sha256:"},
		{name: "a path outside the repository", inputs: map[string]string{inSubjectPath: "../secrets"},
			wantCode: 2, want: "input subject-path"},
		{name: "a missing artefact", inputs: map[string]string{inSubjectPath: "dist/never-built.tgz"},
			wantCode: 3, want: "hashing the artefact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.approve(alice, aliceID)
			for k, v := range tc.inputs {
				f.input(k, v)
			}
			o := f.run()
			if o.code != tc.wantCode || o.outputs["decision"] != "blocked" {
				t.Errorf("exit %d, decision %q; want %d, blocked", o.code, o.outputs["decision"], tc.wantCode)
			}
			if !strings.Contains(o.stdout, tc.want) {
				t.Errorf("the log does not say %q:\n%s", tc.want, o.stdout)
			}
			for _, out := range []string{"in-toto", "record-file"} {
				if _, ok := o.outputs[out]; ok && tc.wantCode == 3 {
					t.Errorf("%s is set although the artefact could not be hashed", out)
				}
			}
		})
	}
}
