package evidence

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/gate"
)

// FuzzReadRecord feeds arbitrary bytes to the record parser as record.json.
// The parser must never panic and must wrap every refusal in
// ErrInvalidRecord; a record it accepts must be consistent in itself; and a
// replay of it against the genuine checkout and copies may exit 0 only when
// the record states exactly the allowed decision the gate derives — a
// malformed or edited record never yields an approved replay.
//
// A record that parses is replayed in full, policy compilation included, so
// fuzz with a short minimisation budget or the fuzzer spends its time
// minimising: go test ./internal/evidence -run '^$' -fuzz FuzzReadRecord -fuzzminimizetime 5s
func FuzzReadRecord(f *testing.F) {
	root, dir, _ := record(f, eprApproved)
	approved := read(f, filepath.Join(dir, RecordFile))
	_, blockedDir, _ := record(f, eprBlocked)
	blocked := read(f, filepath.Join(blockedDir, RecordFile))

	f.Add(approved)
	f.Add(blocked)
	f.Add(editJSON(f, blocked, func(m map[string]any) {
		dec(m)["decision"], dec(m)["violations"], m["exit_code"] = "approved", []any{}, 0
	}))
	f.Add(editJSON(f, approved, func(m map[string]any) { m["exit_code"] = 1 }))
	f.Add(editJSON(f, approved, func(m map[string]any) { m["facts"] = nil }))
	f.Add(editJSON(f, approved, func(m map[string]any) { m["inputs"] = []any{} }))
	f.Add(editJSON(f, approved, func(m map[string]any) { req(m)["reviews"] = []any{} }))
	f.Add(editJSON(f, approved, func(m map[string]any) { m["policy_hash"] = "" }))
	f.Add(editJSON(f, approved, func(m map[string]any) { req(m)["changed_files_known"] = false }))
	f.Add(approved[:len(approved)/2])
	for _, s := range []string{"", "null", "{}", "[]", `{"schema":"csogate.record/v1"}`, `{"schema":"csogate.record/v1","decision":{"decision":"approved"}}`} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := ReadRecord(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidRecord) {
				t.Fatalf("a refusal that does not wrap ErrInvalidRecord: %v", err)
			}
			return
		}
		if rec.Decision.Allowed() != (rec.ExitCode == 0) {
			t.Fatalf("accepted decision %q with exit code %d", rec.Decision.Decision, rec.ExitCode)
		}
		res, err := replay(context.Background(), rec, dir, root)
		if err != nil || res.ExitCode() != 0 {
			return // refused, or blocked: never approved
		}
		if !res.Matches() || !res.Decision.Allowed() || !res.Recorded.Allowed() || rec.ExitCode != 0 {
			t.Fatalf("an exit-0 replay of a record that differs: matches %v, replayed %q, recorded %q (exit %d)",
				res.Matches(), res.Decision.Decision, res.Recorded.Decision, rec.ExitCode)
		}
		// Decide once more, apart from the replay's own bookkeeping: the
		// record must state exactly this decision.
		trusted := map[string][]byte{}
		for _, in := range rec.Inputs {
			if in.Side == "trusted" {
				trusted[in.Path] = read(t, filepath.Join(dir, in.Copy))
			}
		}
		var base []byte
		if bm := rec.Request.BaseManifest; bm != nil {
			base = read(t, filepath.Join(dir, bm.Copy))
		}
		req, err := rec.Request.gateRequest(root, recordSource{files: trusted, describe: rec.Request.TrustedSide}, base)
		if err != nil {
			t.Fatal(err)
		}
		out := gate.Evaluate(context.Background(), req)
		if d := compare("decision", rec.Decision, out.Decision); len(d) > 0 || out.Decision.ExitCode != 0 {
			t.Fatalf("an exit-0 replay of a record whose decision is not the gate's: %v (exit %d)", d, out.Decision.ExitCode)
		}
	})
}

// FuzzParseAttestations feeds arbitrary bytes to csogate verify's reader of
// gh attestation verify's output. It must never panic, and Verify must never
// accept a statement that is not an allowed csogate decision about the
// expected artefact for the expected release.
func FuzzParseAttestations(f *testing.F) {
	st := &Statement{Type: StatementType, PredicateType: PredicateType,
		Subject:   []Subject{{Name: "a", Digest: map[string]string{"sha256": sha(artefact)}}},
		Predicate: &Predicate{Decision: "approved", ReleaseTag: "v2.4.0", Context: Context{Repository: testRepo}}}
	f.Add(ghOutput(f, testRepo, testSigner, st))
	f.Add(mustJSON(f, st))
	for _, s := range []string{"", "[]", "{}", "null", `[{"verificationResult":null}]`, `[{"verificationResult":{"statement":{},"signature":{"certificate":{}}}}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		atts, err := ParseAttestations(data)
		if err != nil {
			return
		}
		v := Verify(atts, expected())
		if !v.OK() {
			return
		}
		p := v.Chosen.Statement.Predicate
		if p == nil || (p.Decision != "approved" && p.Decision != "not_required") || p.ReleaseTag != "v2.4.0" ||
			!hasDigest(v.Chosen.Statement.Subject, "sha256", sha(artefact)) || v.Chosen.Statement.PredicateType != PredicateType ||
			v.Chosen.Signer == nil || !strings.EqualFold(repoPath(v.Chosen.Signer.SourceRepositoryURI), testRepo) {
			t.Fatalf("accepted %+v", v.Chosen)
		}
	})
}
