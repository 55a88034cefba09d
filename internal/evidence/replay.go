package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
)

// Mismatch is the error of a refused record: a file whose SHA-256 is not the
// one the record states, so the decision cannot be re-derived from what the
// gate evaluated. The CLI exits 2 on it.
type Mismatch struct {
	// File names the file: repository-relative for a checkout file, the copy
	// inside the record directory for a trusted copy, or "policy bundle".
	File string
	// Recorded is the SHA-256 the record states; "" when the record does not
	// list the file at all (the replay read an input the run did not).
	Recorded string
	// Actual is the SHA-256 found; "" when the file is missing.
	Actual string
	// Hint says what the mismatch means and what to do about it.
	Hint string
}

// Error names the file and both hashes, in full: an auditor compares them
// with sha256sum, not by eye.
func (m *Mismatch) Error() string {
	var s string
	switch {
	case m.Actual == "":
		s = fmt.Sprintf("%s: missing, the record says sha256 %s", m.File, m.Recorded)
	case m.Recorded == "":
		s = fmt.Sprintf("%s: sha256 is %s, but the record lists no such input", m.File, m.Actual)
	default:
		s = fmt.Sprintf("%s: sha256 is %s, the record says %s", m.File, m.Actual, m.Recorded)
	}
	if m.Hint != "" {
		s += ": " + m.Hint
	}
	return s
}

// Result is a replay: the decision re-derived from the record's inputs
// beside the one the record states, and every way they differ.
type Result struct {
	Record *Record
	// Decision is the re-derived decision, with its exit code.
	Decision *decision.Decision
	// Recorded is the record's decision, with the record's exit code.
	Recorded *decision.Decision
	// Differences lists every field of the record (decision, exit code,
	// facts, approvals) that the replay did not re-derive identically. Empty
	// means the gate decided as the record says.
	Differences []Difference
	// SafetyCase and SafetyCaseHTML are a release record's DCB0129 safety
	// case addendum as the replay renders it from what it re-derived (nil
	// for a pull-request record); a replay that matches the record renders
	// the files the run wrote, byte for byte.
	SafetyCase, SafetyCaseHTML []byte
}

// Difference is one field of the record that the replay derived otherwise.
type Difference struct {
	Field    string // JSON path in record.json, e.g. "decision.decision"
	Recorded string
	Replayed string
}

func (d Difference) String() string {
	return fmt.Sprintf("%s: the record says %s, the replay derives %s", d.Field, d.Recorded, d.Replayed)
}

// Matches reports whether the replay re-derived the record exactly.
func (r *Result) Matches() bool { return len(r.Differences) == 0 }

// ExitCode is what a replay exits with: the recorded run's exit code when
// the replay agrees with it, else blocked. An audit mismatch never passes.
func (r *Result) ExitCode() int {
	if !r.Matches() {
		return decision.ExitBlocked
	}
	return r.Decision.ExitCode
}

// Replay re-derives the decision recorded in dir from the checkout at
// workspaceRoot and the record's copies of the trusted files, offline.
//
// It refuses, with a *Mismatch, a record whose trusted copies or base
// manifest do not hash as recorded, a checkout whose workspace-side inputs
// (hazard log, manifest, components map) are missing or differ from the
// recorded SHA-256, a checkout with an input the run did not read, and a
// policy bundle whose hash differs (another csogate version). A record that
// cannot be read is an error wrapping ErrInvalidRecord. Any other error is
// operational. When it returns a Result, Result.Differences says whether the
// record's decision, exit code, facts and approvals are what the gate derives.
func Replay(ctx context.Context, dir, workspaceRoot string) (*Result, error) {
	rec, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return replay(ctx, rec, dir, workspaceRoot)
}

func replay(ctx context.Context, rec *Record, dir, workspaceRoot string) (*Result, error) {
	if err := checkPaths(rec, dir); err != nil {
		return nil, err
	}
	if rec.Release != nil {
		// A release record holds every file it stands on: the checkout is
		// not read.
		return replayRelease(ctx, rec, dir)
	}
	checkoutHint := "the checkout is not the files the gate evaluated, or the record was altered"
	if h := rec.Request.HeadSHA; h != "" {
		checkoutHint = fmt.Sprintf("the checkout is not the commit the gate evaluated (check out %s), or the record was altered", h)
	}

	// The record's own copies first: a tampered record is refused before
	// anything is said about the checkout.
	trusted := map[string][]byte{}
	for _, in := range rec.Inputs {
		if in.Side != "trusted" {
			continue
		}
		from := ""
		if rec.Request.TrustedSide != "" {
			from = " (read from " + rec.Request.TrustedSide + ")"
		}
		data, err := readCopy(dir, in.Copy, in.SHA256, fmt.Sprintf("the record's copy of %s%s was altered or lost: the record cannot be replayed", in.Path, from))
		if err != nil {
			return nil, err
		}
		trusted[in.Path] = data
	}
	// A hazard log kept as GitHub issues has no commit to check out: the
	// record's copy of the listing is what the run judged.
	var issues []byte
	for _, in := range rec.Inputs {
		if in.Side != "github" {
			continue
		}
		data, err := readCopy(dir, in.Copy, in.SHA256, fmt.Sprintf("the record's copy of the hazard issues (%s) was altered or lost: the record cannot be replayed", in.Path))
		if err != nil {
			return nil, err
		}
		issues = data
	}
	var base []byte
	if bm := rec.Request.BaseManifest; bm != nil {
		data, err := readCopy(dir, bm.Copy, bm.SHA256, fmt.Sprintf("the record's copy of the base manifest %s was altered or lost: the record cannot be replayed", bm.Path))
		if err != nil {
			return nil, err
		}
		base = data
	}

	var testResults []gate.TestResultFile
	for _, c := range rec.Request.TestResults {
		data, err := readCopy(dir, c.Copy, c.SHA256, fmt.Sprintf("the record's copy of the test results %s was altered or lost: the record cannot be replayed", c.Path))
		if err != nil {
			return nil, err
		}
		testResults = append(testResults, gate.TestResultFile{Path: c.Path, Data: data})
	}

	// Then the checkout: the workspace-side files at the head commit.
	for _, in := range rec.Inputs {
		if in.Side != "workspace" {
			continue
		}
		actual, err := hashCheckoutFile(workspaceRoot, in.Path)
		if err != nil {
			return nil, err
		}
		if actual != in.SHA256 {
			return nil, &Mismatch{File: in.Path, Recorded: in.SHA256, Actual: actual, Hint: checkoutHint}
		}
	}

	if err := checkWorkspacePaths(workspaceRoot, rec.Request.Paths); err != nil {
		return nil, err
	}
	req, err := rec.Request.gateRequest(workspaceRoot, recordSource{files: trusted, describe: rec.Request.TrustedSide}, base)
	if err != nil {
		return nil, err
	}
	req.TestResults, req.TestResultsGiven = testResults, rec.Request.TestResultsGiven
	req.HazardLogIssues = issues
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := gate.Evaluate(ctx, req)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("replay interrupted: %w", err)
	}

	// The evaluation must have read exactly the recorded inputs: a file
	// added to the checkout since (a components map, another Markdown
	// hazard file) would change what the gate stands on.
	recorded := map[string]Input{}
	for _, in := range rec.Inputs {
		recorded[in.Side+"\x00"+in.Path] = in
	}
	read := map[string]bool{}
	for _, f := range out.Files {
		key := f.Side + "\x00" + f.Path
		read[key] = true
		in, ok := recorded[key]
		switch {
		case !ok && f.Side == "workspace":
			return nil, &Mismatch{File: f.Path, Actual: f.SHA256, Hint: checkoutHint}
		case !ok:
			return nil, &Mismatch{File: f.Path, Actual: f.SHA256, Hint: "the replay read a trusted file the record does not list: the record was altered"}
		case in.SHA256 != f.SHA256:
			// Verified above; a file that changes while the replay reads it.
			return nil, &Mismatch{File: f.Path, Recorded: in.SHA256, Actual: f.SHA256, Hint: "the file changed during the replay"}
		}
	}
	// The custom policies' copies are verified above, so a different bundle
	// hash means different built-in policies: another csogate version.
	if out.PolicyHash != rec.PolicyHash && out.PolicyHash != "" && rec.PolicyHash != "" {
		return nil, &Mismatch{File: "policy bundle", Recorded: rec.PolicyHash, Actual: out.PolicyHash,
			Hint: fmt.Sprintf("this csogate's built-in policies are not those of csogate %s, which made the record; replay with that version", versionOf(rec))}
	}

	res := &Result{Record: rec, Decision: out.Decision, Recorded: rec.Decision}
	if out.PolicyHash != rec.PolicyHash {
		// One side stopped before compiling the policies.
		res.Differences = append(res.Differences, Difference{Field: "policy_hash", Recorded: show(rec.PolicyHash), Replayed: show(out.PolicyHash)})
	}
	var notRead []string
	for key, in := range recorded {
		if !read[key] {
			notRead = append(notRead, in.Path)
		}
	}
	sort.Strings(notRead)
	for _, p := range notRead {
		res.Differences = append(res.Differences, Difference{Field: "inputs", Recorded: strconv.Quote(p), Replayed: "no such input (the replay did not read it)"})
	}
	res.Differences = append(res.Differences, compare("decision", rec.Decision, out.Decision)...)
	if rec.ExitCode != out.Decision.ExitCode {
		res.Differences = append(res.Differences, Difference{Field: "exit_code", Recorded: strconv.Itoa(rec.ExitCode), Replayed: strconv.Itoa(out.Decision.ExitCode)})
	}
	res.Differences = append(res.Differences, compare("facts", rec.Facts, out.Input)...)
	res.Differences = append(res.Differences, compare("approvals", rec.Approvals, approvalsOf(out.Decision, req.Reviews))...)
	return res, nil
}

func versionOf(rec *Record) string {
	if rec.Tool.Version == "" {
		return "(version not recorded)"
	}
	return rec.Tool.Version
}

// readCopy reads a copy inside the record directory and checks its hash.
func readCopy(dir, name, want, hint string) ([]byte, error) {
	full := filepath.Join(dir, filepath.FromSlash(name))
	// A record is untrusted: a copy read through a link, or one that is a
	// named pipe or a device, could hang the replay or exhaust its memory.
	if err := noLinks(dir, name); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRecord, err)
	}
	if info, err := os.Lstat(full); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: the record's copy %s is not a regular file (mode %s): a record holds its copies as files", ErrInvalidRecord, name, info.Mode())
	}
	data, err := os.ReadFile(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Mismatch{File: full, Recorded: want, Hint: hint}
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", full, err)
	}
	if got := sha(data); got != want {
		return nil, &Mismatch{File: full, Recorded: want, Actual: got, Hint: hint}
	}
	return data, nil
}

// hashCheckoutFile returns the SHA-256 of a regular file of the checkout, or
// "" when there is none: only regular files are read, so a record cannot
// point the replay at a device or a directory.
func hashCheckoutFile(root, name string) (string, error) {
	full := filepath.Join(root, filepath.FromSlash(name))
	info, err := os.Lstat(full)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !info.Mode().IsRegular()) {
		// Missing, a directory, a device or a link: nothing to hash. A link
		// is not followed; the gate itself refuses linked inputs.
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	return sha(data), nil
}

// checkWorkspacePaths refuses a record whose request names, for a
// workspace-side input, something other than a file (or, for the hazard
// log, a directory of files): the gate would read it whole, and a record
// must not be able to point the replay at a device.
func checkWorkspacePaths(root string, p Paths) error {
	for _, name := range []string{p.HazardLog, p.Manifest, p.ComponentsMap} {
		if name == "" {
			continue
		}
		info, err := os.Stat(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			continue // missing: the gate reports it as the run did
		}
		if !info.Mode().IsRegular() && !(info.IsDir() && name == p.HazardLog) {
			return fmt.Errorf("%w: request.paths names %s, which is not a file of the checkout", ErrInvalidRecord, name)
		}
	}
	return nil
}

// recordSource serves the trusted side from the record's verified copies:
// exactly the files the run read, under the names it read them by.
type recordSource struct {
	files    map[string][]byte
	describe string
}

var _ gate.Source = recordSource{}

// ReadFile implements gate.Source.
func (s recordSource) ReadFile(_ context.Context, name string) ([]byte, bool, error) {
	data, ok := s.files[name]
	return data, ok, nil
}

// ReadDir implements gate.Source: the recorded files at or under dir.
func (s recordSource) ReadDir(_ context.Context, dir string) (map[string][]byte, error) {
	prefix := path.Clean(strings.ReplaceAll(dir, `\`, "/"))
	out := map[string][]byte{}
	for name, data := range s.files {
		if prefix == "." || name == prefix || strings.HasPrefix(name, prefix+"/") {
			out[name] = data
		}
	}
	return out, nil
}

// Describe implements gate.Source with the description the run used, which
// the decision's messages quote.
func (s recordSource) Describe() string { return s.describe }

// maxDifferences bounds the differences listed per part of the record.
const maxDifferences = 12

// compare lists where recorded and replayed differ, by JSON path. Both are
// compared as JSON, where an empty list, an empty object and null are the
// same: the record may have been written by a caller that left them unset.
func compare(field string, recorded, replayed any) []Difference {
	a, err := generic(recorded)
	if err != nil {
		return []Difference{{Field: field, Recorded: "unreadable (" + err.Error() + ")", Replayed: "a value"}}
	}
	b, err := generic(replayed)
	if err != nil {
		return []Difference{{Field: field, Recorded: "a value", Replayed: "unreadable (" + err.Error() + ")"}}
	}
	var out []Difference
	diff(field, normalize(a), normalize(b), &out)
	if len(out) > maxDifferences {
		more := len(out) - maxDifferences
		out = append(out[:maxDifferences], Difference{Field: field, Recorded: fmt.Sprintf("%d more differences", more), Replayed: "(not listed)"})
	}
	return out
}

func generic(v any) (any, error) {
	if rv := reflect.ValueOf(v); !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(data, &out)
	return out, err
}

// normalize drops empty lists and objects, so they equal null.
func normalize(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k, e := range x {
			if n := normalize(e); n == nil {
				delete(x, k)
			} else {
				x[k] = n
			}
		}
		if len(x) == 0 {
			return nil
		}
	}
	return v
}

func diff(at string, a, b any, out *[]Difference) {
	if reflect.DeepEqual(a, b) {
		return
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			diff(at+"."+k, am[k], bm[k], out)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			diff(fmt.Sprintf("%s[%d]", at, i), al[i], bl[i], out)
		}
		return
	}
	*out = append(*out, Difference{Field: at, Recorded: show(a), Replayed: show(b)})
}

// show prints a JSON value briefly.
func show(v any) string {
	if v == nil {
		return "none"
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(data)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}
