package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/gate"
)

func TestWriteRecord(t *testing.T) {
	t.Parallel()
	sc := eprApproved
	sc.base, sc.changed, sc.want = true, []string{"docs/search.md"}, "not_required"
	_, dir, out := record(t, sc)
	rec, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Schema != SchemaVersion || rec.Tool.Version != "1.0.0-test" || rec.CreatedAt != "2026-11-25T09:30:00Z" {
		t.Errorf("got schema %q, version %q, created_at %q", rec.Schema, rec.Tool.Version, rec.CreatedAt)
	}
	if rec.Tool.Revision != testMeta.Revision {
		t.Errorf("got tool.revision %q, want %q", rec.Tool.Revision, testMeta.Revision)
	}
	if want := (Context{EventName: "pull_request", Repository: "example/epr", PullRequest: 42, RunURL: testMeta.RunURL,
		RunIdentity: testMeta.Run}); rec.Context != want {
		t.Errorf("got context %+v, want %+v", rec.Context, want)
	}
	if rec.Request.Today != "2026-11-25" || rec.Request.HeadSHA != head || rec.Request.TrustedSide != "the base commit 1a2b3c4" || !rec.Request.ChangedFilesKnown {
		t.Errorf("got request %+v", rec.Request)
	}
	if rec.PolicyHash != out.PolicyHash || rec.PolicyHash == "" {
		t.Errorf("got policy hash %q, want %q", rec.PolicyHash, out.PolicyHash)
	}
	if rec.Facts == nil || rec.Decision.Decision != "not_required" || rec.ExitCode != 0 {
		t.Errorf("got facts %v, decision %q, exit %d", rec.Facts != nil, rec.Decision.Decision, rec.ExitCode)
	}

	wantInputs := map[string]string{ // side and path → copy ("" for none)
		"workspace safety/hazard-log.yaml": "",
		// The trusted side's hazard log names the product officer scope is
		// checked against, so the record keeps it like every trusted file.
		"trusted safety/hazard-log.yaml":                     "trusted/safety/hazard-log.yaml",
		"workspace safety/changes.yaml":                      "",
		"trusted safety/csogate.yaml":                        "trusted/safety/csogate.yaml",
		"trusted safety/cso-register.yaml":                   "trusted/safety/cso-register.yaml",
		"trusted safety/policies/two_csos_catastrophic.rego": "trusted/safety/policies/two_csos_catastrophic.rego",
	}
	if len(rec.Inputs) != len(wantInputs) {
		t.Errorf("got %d inputs, want %d: %+v", len(rec.Inputs), len(wantInputs), rec.Inputs)
	}
	for _, in := range rec.Inputs {
		wantCopy, ok := wantInputs[in.Side+" "+in.Path]
		if !ok {
			t.Errorf("unexpected input %s from %s", in.Path, in.Side)
			continue
		}
		if in.Copy != wantCopy {
			t.Errorf("%s: got copy %q, want %q", in.Path, in.Copy, wantCopy)
		}
		if in.Copy != "" && sha(read(t, filepath.Join(dir, in.Copy))) != in.SHA256 {
			t.Errorf("%s: the copy does not hash as recorded", in.Path)
		}
	}
	bm := rec.Request.BaseManifest
	if bm == nil || bm.Copy != "base-manifest/safety/changes.yaml" || sha(read(t, filepath.Join(dir, bm.Copy))) != bm.SHA256 {
		t.Errorf("got base manifest %+v", bm)
	}
	if _, err := os.Stat(filepath.Join(dir, "trusted/safety/changes.yaml")); err == nil {
		t.Errorf("a workspace file was copied into the record")
	}
}

func TestRecordApprovals(t *testing.T) {
	t.Parallel()
	_, dir, _ := record(t, eprApproved)
	rec, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Approval{
		{Reviewer: "dev-dan", ReviewerID: 4410021, ReviewID: 80, Commit: head, SubmittedAt: "2026-11-20T10:02:11Z", WhyNot: "APPROVER_NOT_REGISTERED"},
		{Reviewer: "alice-gp", ReviewerID: 583231, ReviewID: 81, Name: "Dr Alice Example", Body: "GMC", Registration: "7012345",
			Commit: head, SubmittedAt: "2026-11-20T14:31:05Z", Counted: true},
	}
	if len(rec.Approvals) != len(want) {
		t.Fatalf("got %d approvals, want %d: %+v", len(rec.Approvals), len(want), rec.Approvals)
	}
	for i, a := range rec.Approvals {
		a.WhyNotDetail = ""
		if a != want[i] {
			t.Errorf("approval %d: got %+v, want %+v", i, a, want[i])
		}
	}
	if len(rec.Request.Reviews) != 2 || rec.Request.Reviews[1].UserID != 583231 || rec.Request.Reviews[1].SubmittedAt != "2026-11-20T14:31:05Z" {
		t.Errorf("got reviews %+v", rec.Request.Reviews)
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	t.Parallel()
	_, req, out := evaluate(t, eprBlocked)
	var got [][]byte
	for range 2 {
		dir := t.TempDir()
		file, err := Write(dir, req, out, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, read(t, file))
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("two records of one evaluation differ:\n%s\n---\n%s", got[0], got[1])
	}
	if !bytes.HasSuffix(got[0], []byte("}\n")) || !bytes.Contains(got[0], []byte("\n  \"schema\": ")) {
		t.Errorf("the record is not indented JSON:\n%.200s", got[0])
	}
}

func TestWriteReplacesEarlierRecord(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, req, out := evaluate(t, eprApproved)
	if _, err := Write(dir, req, out, testMeta); err != nil {
		t.Fatal(err)
	}
	_, req2, out2 := evaluate(t, mdApproved) // no custom policies
	if _, err := Write(dir, req2, out2, testMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "trusted/safety/policies")); err == nil {
		t.Errorf("the earlier record's policy copies are still in the record directory")
	}
	if _, err := Replay(t.Context(), dir, req2.WorkspaceRoot); err != nil {
		t.Errorf("the replacing record does not replay: %v", err)
	}
}

func TestWriteRefusesIncompleteOutcome(t *testing.T) {
	t.Parallel()
	_, req, out := evaluate(t, eprApproved)
	tests := []struct {
		name string
		out  *gate.Outcome
	}{
		{"no decision", &gate.Outcome{}},
		{"trusted file without its bytes", &gate.Outcome{Decision: out.Decision, Files: out.Files}},
		{"trusted bytes that do not hash as read", &gate.Outcome{Decision: out.Decision, Files: out.Files,
			Trusted: map[string][]byte{"safety/csogate.yaml": []byte("x"), "safety/cso-register.yaml": []byte("x"),
				"safety/policies/two_csos_catastrophic.rego": []byte("x")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "record")
			if _, err := Write(dir, req, tt.out, testMeta); err == nil {
				t.Errorf("Write succeeded")
			}
			if _, err := os.Stat(filepath.Join(dir, RecordFile)); err == nil {
				t.Errorf("a record was written")
			}
		})
	}
}

func TestReadRecordRejects(t *testing.T) {
	t.Parallel()
	_, dir, _ := record(t, eprBlocked)
	genuine := read(t, filepath.Join(dir, RecordFile))
	if _, err := ReadRecord(genuine); err != nil {
		t.Fatalf("the genuine record is refused: %v", err)
	}
	tests := []struct {
		name string
		edit func(m map[string]any)
		raw  string // used instead of an edit of the genuine record
		want string // in the error
	}{
		{name: "not JSON", raw: "schema: csogate.record/v1", want: "invalid character"},
		{name: "null", raw: "null", want: "schema"},
		{name: "empty", raw: "", want: "EOF"},
		{name: "trailing data", raw: string(genuine) + "{}", want: "data after"},
		{name: "unknown key", edit: func(m map[string]any) { m["signature"] = "x" }, want: "unknown field"},
		{name: "unknown key in the decision", edit: func(m map[string]any) { dec(m)["approved_by"] = "x" }, want: "unknown field"},
		{name: "other schema", edit: func(m map[string]any) { m["schema"] = "csogate.record/v9" }, want: "schema"},
		{name: "version 1 record", edit: func(m map[string]any) { m["schema"] = "csogate.record/v1"; delete(m, "integrity") }, want: "schema"},
		{name: "no decision", edit: func(m map[string]any) { delete(m, "decision") }, want: "no decision"},
		{name: "unknown decision", edit: func(m map[string]any) { dec(m)["decision"] = "approved_with_conditions" }, want: "is not approved"},
		{name: "approved with exit 1", edit: func(m map[string]any) { dec(m)["decision"] = "approved" }, want: "exit code 1"},
		{name: "blocked with exit 0", edit: func(m map[string]any) { m["exit_code"] = 0 }, want: "exit code 0"},
		{name: "blocked with exit 7", edit: func(m map[string]any) { m["exit_code"] = 7 }, want: "exit code 7"},
		{name: "bad today", edit: func(m map[string]any) { req(m)["today"] = "25/11/2026" }, want: "today"},
		{name: "bad policy hash", edit: func(m map[string]any) { m["policy_hash"] = "abc" }, want: "policy_hash"},
		{name: "bad input hash", edit: func(m map[string]any) { input(m, 0)["sha256"] = strings.Repeat("G", 64) }, want: "sha256"},
		{name: "unknown role", edit: func(m map[string]any) { input(m, 0)["role"] = "readme" }, want: "role"},
		{name: "unknown side", edit: func(m map[string]any) { input(m, 0)["side"] = "elsewhere" }, want: "side"},
		{name: "empty path", edit: func(m map[string]any) { input(m, 0)["path"] = " " }, want: "no path"},
		{name: "copy of a workspace file", edit: func(m map[string]any) { inputBySide(m, "workspace")["copy"] = "trusted/x" }, want: "no copy"},
		{name: "copy outside the record", edit: func(m map[string]any) { inputBySide(m, "trusted")["copy"] = "trusted/../../etc/passwd" }, want: "copy"},
		{name: "absolute copy", edit: func(m map[string]any) { inputBySide(m, "trusted")["copy"] = "/etc/passwd" }, want: "copy"},
		{name: "trusted file without copy", edit: func(m map[string]any) { delete(inputBySide(m, "trusted"), "copy") }, want: "copy"},
		{name: "input listed twice", edit: func(m map[string]any) {
			in := map[string]any{}
			for k, v := range input(m, 0) {
				in[k] = v
			}
			in["sha256"] = strings.Repeat("0", 64)
			m["inputs"] = append(m["inputs"].([]any), in)
		}, want: "twice"},
		{name: "bad review time", edit: func(m map[string]any) {
			req(m)["reviews"].([]any)[0].(map[string]any)["submitted_at"] = "yesterday"
		}, want: "submitted_at"},
		{name: "base manifest without copy", edit: func(m map[string]any) {
			req(m)["base_manifest"] = map[string]any{"path": "safety/changes.yaml", "sha256": strings.Repeat("0", 64), "copy": ""}
		}, want: "base_manifest"},
		{name: "foreign facts schema", edit: func(m map[string]any) { m["facts"].(map[string]any)["schema"] = "other" }, want: "facts.schema"},
		{name: "wrong type", edit: func(m map[string]any) { m["exit_code"] = "0" }, want: "exit_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.raw)
			if tt.edit != nil {
				data = editJSON(t, genuine, tt.edit)
			}
			rec, err := ReadRecord(data)
			if err == nil {
				t.Fatalf("accepted: %+v", rec)
			}
			if !errors.Is(err, ErrInvalidRecord) {
				t.Errorf("the error does not wrap ErrInvalidRecord: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLoadWithoutRecord(t *testing.T) {
	t.Parallel()
	_, err := Load(t.TempDir())
	if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), "there is no record.json") {
		t.Errorf("got %v, want an ErrInvalidRecord saying record.json is missing", err)
	}
}

// editJSON applies edit to the record as generic JSON.
func editJSON(t testing.TB, data []byte, edit func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func dec(m map[string]any) map[string]any { return m["decision"].(map[string]any) }
func req(m map[string]any) map[string]any { return m["request"].(map[string]any) }

func input(m map[string]any, i int) map[string]any {
	return m["inputs"].([]any)[i].(map[string]any)
}

func inputBySide(m map[string]any, side string) map[string]any {
	for _, in := range m["inputs"].([]any) {
		if in := in.(map[string]any); in["side"] == side {
			return in
		}
	}
	panic("no input on the " + side + " side")
}
