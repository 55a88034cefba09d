// Package evidence keeps what a gate run decided and what it stood on: the
// decision record (every input with its SHA-256, the policy bundle's hash, the
// facts, the decision and the approvals), the clinical safety release note a
// CSO pastes into the Clinical Safety Case Report, the replay that
// re-derives a recorded decision offline so an auditor can check the gate
// decided as it said, the digest that covers every field of a record, and
// the in-toto statement that carries a decision and that digest to be
// signed, with the checks csogate verify makes of it.
package evidence

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/override"
	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/safetyfile"
)

// SchemaVersion names the shape of record.json. A change that an older
// replay could misread must bump it.
// v2 added the integrity digest and the run's identity (context.*), so a
// v1 record, which has neither, is refused rather than read as unchecked.
const SchemaVersion = "csogate.record/v2"

// The files of a record directory.
const (
	// RecordFile is the decision record inside a record directory.
	RecordFile = "record.json"
	// ReleaseNoteFile is the name callers give the release note beside it.
	ReleaseNoteFile = "release-note.md"
	// trustedDir holds copies of the trusted-side files under their
	// repository-relative paths, so a replay needs no network.
	trustedDir = "trusted"
	// outsideDir holds, by SHA-256, copies of trusted files named by a path
	// outside the repository root (--register ../shared/register.yaml), which
	// cannot be kept under their own name inside the record.
	outsideDir = "trusted-outside"
	// baseManifestDir holds the manifest at the pull request's base.
	baseManifestDir = "base-manifest"
	// testResultsDir holds, by SHA-256, the JUnit reports the run judged:
	// they are the head workflow's output, in no checkout, so a replay
	// needs the record's copies to judge the same.
	testResultsDir = "test-results"
	// fromGitHubDir holds the inputs read from GitHub at run time rather
	// than from a commit: a hazard log kept as issues, as listed.
	fromGitHubDir = "from-github"
)

// ErrInvalidRecord marks a record directory that cannot be used: record.json
// missing, unreadable, not JSON of this schema, or inconsistent in itself.
var ErrInvalidRecord = errors.New("not a usable decision record")

// Meta is what the caller knows about the run that the gate does not: the
// tool's version and where the run happened. Every field is optional.
type Meta struct {
	Version string
	// Revision is the commit csogate was built from, when the build says;
	// Modified is true when that checkout had local changes.
	Revision    string
	Modified    bool
	EventName   string
	Repository  string
	RunURL      string
	PullRequest int
	// Run names the workflow run, the action and the release (GITHUB_*).
	Run RunIdentity
	// CreatedAt is when the record was made; zero means now.
	CreatedAt time.Time
}

// RunIdentity names the run that made a record, from the runner's
// GITHUB_* variables, so an auditor can tie the record to the workflow file,
// the run and the csogate action that made it.
type RunIdentity struct {
	// SHA is GITHUB_SHA, the commit the workflow ran on.
	SHA string `json:"sha,omitempty"`
	// WorkflowRef is GITHUB_WORKFLOW_REF: owner/repo/.github/workflows/f.yml@ref.
	WorkflowRef string `json:"workflow_ref,omitempty"`
	// WorkflowSHA is GITHUB_WORKFLOW_SHA, the commit of the workflow file.
	WorkflowSHA string `json:"workflow_sha,omitempty"`
	RunID       string `json:"run_id,omitempty"`
	RunAttempt  string `json:"run_attempt,omitempty"`
	// ActionRepository and ActionRef are GITHUB_ACTION_REPOSITORY and
	// GITHUB_ACTION_REF: which csogate the workflow used, as it named it.
	ActionRepository string `json:"action_repository,omitempty"`
	ActionRef        string `json:"action_ref,omitempty"`
	// ReleaseTag is the tag gated in release mode.
	ReleaseTag string `json:"release_tag,omitempty"`
}

// Record is the decision record, record.json.
type Record struct {
	Schema    string  `json:"schema"`
	Tool      Tool    `json:"tool"`
	CreatedAt string  `json:"created_at"` // RFC 3339, UTC
	Context   Context `json:"context"`
	Request   Request `json:"request"`
	// Inputs are the files the evaluation read, each with its SHA-256; the
	// trusted ones name their copy inside the record directory.
	Inputs     []Input            `json:"inputs"`
	PolicyHash string             `json:"policy_hash"` // "" when evaluation stopped before the policies
	Facts      *facts.Input       `json:"facts"`       // null when evaluation stopped before the facts
	Decision   *decision.Decision `json:"decision"`
	// ExitCode is the decision's exit code, which the decision document leaves out.
	ExitCode  int        `json:"exit_code"`
	Approvals []Approval `json:"approvals"`
	// Release is a release run's range, pull requests, direct pushes and
	// everything it read from GitHub; nil on a pull-request record.
	Release *ReleaseRecord `json:"release,omitempty"`
	// Integrity is the digest over everything above; ReadRecord refuses a
	// record whose content does not match it.
	Integrity *Integrity `json:"integrity"`
}

// Tool names the program that made the record.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Revision is the commit the binary was built from ("" when unknown);
	// Modified says that checkout had uncommitted changes.
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
}

// Context says where the run happened.
type Context struct {
	EventName   string `json:"event_name,omitempty"`
	Repository  string `json:"repository,omitempty"`
	PullRequest int    `json:"pull_request,omitempty"`
	RunURL      string `json:"run_url,omitempty"`
	RunIdentity
}

// Request is the gate.Request as evaluated, in a form that survives JSON.
type Request struct {
	Paths Paths `json:"paths"`
	// TrustedSide is how the trusted source described itself ("the base
	// commit 1a2b3c4"); messages quote it, so a replay must say the same.
	TrustedSide string `json:"trusted_side"`
	// ChangedFilesKnown is false when no list of changed files was given:
	// an unknown list and an empty one decide differently.
	ChangedFilesKnown bool        `json:"changed_files_known"`
	ChangedFiles      []string    `json:"changed_files"`
	Reviews           []Review    `json:"reviews"`
	Dismissals        []Dismissal `json:"dismissals"`
	HeadSHA           string      `json:"head_sha"`
	Author            string      `json:"author"`
	CommitAuthors     []string    `json:"commit_authors"`
	// Commits are the commits' people with their addresses, for the
	// independence check by registered email.
	Commits      []facts.Commit `json:"commits,omitempty"`
	Today        string         `json:"today"` // YYYY-MM-DD, UTC
	BaseManifest *BaseManifest  `json:"base_manifest"`
	// Comments are the override comments the gate read (contract 4.2):
	// replay judges the override again from them.
	Comments []override.Comment `json:"comments,omitempty"`
	// OverdueReviews are the overdue retrospective reviews the PR gate
	// warned of, as their issues said.
	OverdueReviews []override.OverdueReview `json:"overdue_reviews,omitempty"`
	// BaseHazardLog is how the CLI's --base-hazard-log described itself; its
	// files are among the trusted copies, at the hazard log's path.
	BaseHazardLog string `json:"base_hazard_log,omitempty"`
	// TestResultsGiven is true when test results were given, and
	// TestResults lists each report with its SHA-256 and its copy.
	TestResultsGiven bool       `json:"test_results_given,omitempty"`
	TestResults      []FileCopy `json:"test_results,omitempty"`
	// RepoFiles is the part of the repository's file list at the head that
	// decided HAZARD_COMPONENT_ORPHANED and CONTROL_EVIDENCE_MISSING (the
	// entries each answer stood on, not the whole tree); replay answers
	// from it. Absent when the check did not read the list.
	RepoFiles *gate.RepoFilesSeen `json:"repo_files,omitempty"`
}

// Paths is gate.Paths.
type Paths struct {
	HazardLog       string   `json:"hazard_log"`
	HazardLogFormat string   `json:"hazard_log_format"`
	Sheet           string   `json:"sheet"`
	Manifest        string   `json:"manifest"`
	Register        string   `json:"register"`
	Config          string   `json:"config"`
	ConfigRequired  bool     `json:"config_required"`
	ComponentsMap   string   `json:"components_map"`
	Policies        []string `json:"policies"`
	// Named lists the paths the user named explicitly (gate.Paths.Named).
	Named map[string]bool `json:"named,omitempty"`
}

// Review is a facts.Review.
type Review struct {
	ID          int64  `json:"id"`
	Login       string `json:"login"`
	UserID      int64  `json:"user_id"`
	State       string `json:"state"`
	CommitID    string `json:"commit_id"`
	SubmittedAt string `json:"submitted_at"` // RFC 3339 with the original offset; "" when unknown
}

// Dismissal is a facts.Dismissal.
type Dismissal struct {
	ReviewID      int64  `json:"review_id"`
	DismissedBy   string `json:"dismissed_by"`
	DismissedByID int64  `json:"dismissed_by_id,omitempty"`
	OriginalState string `json:"original_state"`
}

// BaseManifest is the manifest at the pull request's base, which decided
// which changes were under review.
type BaseManifest struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Copy   string `json:"copy"` // the copy inside the record directory
}

// Input is a file the evaluation read. Copy is set on trusted-side files and
// names their copy inside the record directory; workspace-side files are not
// copied, because the repository keeps them at the head commit.
type Input struct {
	gate.InputFile
	Copy string `json:"copy,omitempty"`
}

// Approval is a standing approving review as the record keeps it: who, which
// review, on which commit, and whether it counted.
type Approval struct {
	Reviewer     string `json:"reviewer"`    // GitHub login
	ReviewerID   int64  `json:"reviewer_id"` // GitHub user id; 0 when unknown
	ReviewID     int64  `json:"review_id"`
	Name         string `json:"name"`
	Body         string `json:"body"`
	Registration string `json:"registration"`
	Commit       string `json:"commit"`
	SubmittedAt  string `json:"submitted_at"`
	Counted      bool   `json:"counted"`
	WhyNot       string `json:"why_not,omitempty"`
	WhyNotDetail string `json:"why_not_detail,omitempty"`
}

// Write makes dir the record of one evaluation: record.json and a copy of
// every trusted-side file (and of the base manifest), so a replay needs
// neither GitHub nor the base commit. The JSON is indented with fields in a
// fixed order and map keys sorted, so the same run gives the same bytes.
// A record already in dir is replaced, with its copies.
func Write(dir string, req *gate.Request, out *gate.Outcome, meta Meta) (string, error) {
	if out == nil || out.Decision == nil {
		return "", errors.New("writing the decision record: the evaluation has no decision")
	}
	rec, copies, err := build(req, out, meta)
	if err != nil {
		return "", fmt.Errorf("writing the decision record: %w", err)
	}
	return writeRecord(dir, rec, copies)
}

// writeRecord seals rec and writes it into dir with its copies.
func writeRecord(dir string, rec *Record, copies map[string][]byte) (string, error) {
	data, err := marshal(rec)
	if err == nil {
		rec.Integrity, err = seal(data)
	}
	data = nil // the sealed record is streamed to its file below
	if err != nil {
		return "", fmt.Errorf("writing the decision record: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the record directory: %w", err)
	}
	recordFile := filepath.Join(dir, RecordFile)
	if _, err := os.Stat(recordFile); err == nil {
		// Copies left from an earlier record would sit beside this one
		// unreferenced, and an auditor browsing trusted/ could take them for
		// what this run read.
		for _, sub := range []string{RecordFile, trustedDir, outsideDir, baseManifestDir, workspaceDir, githubDir, testResultsDir, fromGitHubDir} {
			if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
				return "", fmt.Errorf("replacing the record in %s: %w", dir, err)
			}
		}
	}
	names := make([]string, 0, len(copies))
	for name := range copies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return "", fmt.Errorf("writing the trusted copy %s: %w", name, err)
		}
		if err := os.WriteFile(full, copies[name], 0o644); err != nil {
			return "", fmt.Errorf("writing the trusted copy %s: %w", name, err)
		}
	}
	// record.json last: a directory with it is complete.
	if err := writeJSONFile(recordFile, rec); err != nil {
		return "", fmt.Errorf("writing the decision record: %w", err)
	}
	return recordFile, nil
}

// writeJSONFile writes v as marshal does, streamed through a buffer to a
// temporary file that is renamed to name once it is whole: a record can be
// tens of megabytes, and a run that stops half-way must leave no record.
func writeJSONFile(name string, v any) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<16)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err = enc.Encode(v); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// build assembles the record and the copies to write, keyed by their
// slash-separated path inside the record directory.
func build(req *gate.Request, out *gate.Outcome, meta Meta) (*Record, map[string][]byte, error) {
	created := meta.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	rec := &Record{
		Schema:    SchemaVersion,
		Tool:      Tool{Name: "csogate", Version: meta.Version, Revision: meta.Revision, Modified: meta.Modified},
		CreatedAt: created.UTC().Format(time.RFC3339),
		Context: Context{EventName: meta.EventName, Repository: meta.Repository,
			PullRequest: meta.PullRequest, RunURL: meta.RunURL, RunIdentity: meta.Run},
		Request:    requestOf(req, out),
		Inputs:     []Input{},
		PolicyHash: out.PolicyHash,
		Facts:      out.Input,
		Decision:   out.Decision,
		ExitCode:   out.Decision.ExitCode,
		Approvals:  approvalsOf(out.Decision, req.Reviews),
	}
	copies := map[string][]byte{}
	for _, f := range out.Files {
		in := Input{InputFile: f}
		if f.Side == "trusted" {
			data, ok := out.Trusted[f.Path]
			if !ok {
				return nil, nil, fmt.Errorf("the gate read %s from the trusted side but kept no copy of it", f.Path)
			}
			if sha(data) != f.SHA256 {
				return nil, nil, fmt.Errorf("%s was read twice from the trusted side with different contents", f.Path)
			}
			in.Copy = copyName(trustedDir, f.Path, f.SHA256)
			copies[in.Copy] = data
		}
		if f.Side == "github" {
			data, ok := out.FromGitHub[f.Path]
			if !ok || sha(data) != f.SHA256 {
				return nil, nil, fmt.Errorf("the gate read %s from GitHub but kept no copy of what it read", f.Path)
			}
			in.Copy = fromGitHubDir + "/" + f.SHA256
			copies[in.Copy] = data
		}
		rec.Inputs = append(rec.Inputs, in)
	}
	if req.BaseManifest != nil {
		sum := sha(req.BaseManifest)
		bm := &BaseManifest{Path: req.Paths.Manifest, SHA256: sum, Copy: copyName(baseManifestDir, req.Paths.Manifest, sum)}
		rec.Request.BaseManifest = bm
		copies[bm.Copy] = req.BaseManifest
	}
	rec.Request.TestResultsGiven = req.TestResultsGiven || len(req.TestResults) > 0
	for _, f := range req.TestResults {
		sum := sha(f.Data)
		c := FileCopy{Path: f.Path, SHA256: sum, Copy: testResultsDir + "/" + sum}
		rec.Request.TestResults = append(rec.Request.TestResults, c)
		copies[c.Copy] = f.Data
	}
	return rec, copies, nil
}

// copyName places a copy of the file at repository path p under dir inside
// the record: under its own path when that stays inside dir, else by hash.
func copyName(dir, p, sum string) string {
	clean := path.Clean(strings.ReplaceAll(p, `\`, "/"))
	if filepath.IsLocal(filepath.FromSlash(clean)) && clean != "." {
		return dir + "/" + clean
	}
	if dir == trustedDir {
		return outsideDir + "/" + sum
	}
	return dir + "/" + sum
}

func requestOf(req *gate.Request, out *gate.Outcome) Request {
	r := Request{
		Paths: Paths{HazardLog: req.Paths.HazardLog, HazardLogFormat: req.Paths.HazardLogFormat, Sheet: req.Paths.Sheet,
			Manifest: req.Paths.Manifest, Register: req.Paths.Register, Config: req.Paths.Config,
			ConfigRequired: req.Paths.ConfigRequired, ComponentsMap: req.Paths.ComponentsMap, Policies: req.Paths.Policies,
			Named: req.Paths.Named},
		ChangedFilesKnown: req.ChangedFiles != nil,
		ChangedFiles:      req.ChangedFiles,
		HeadSHA:           req.HeadSHA,
		Author:            req.Author,
		CommitAuthors:     req.CommitAuthors,
		Commits:           req.Commits,
		Today:             req.Today.UTC().Format(time.DateOnly),
		Comments:          req.Comments,
		OverdueReviews:    req.OverdueReviews,
	}
	if req.Trusted != nil {
		r.TrustedSide = req.Trusted.Describe()
	}
	if req.BaseHazardLog != nil {
		r.BaseHazardLog = req.BaseHazardLog.Describe()
	}
	if out != nil {
		r.RepoFiles = out.RepoFiles
	}
	for _, rv := range req.Reviews {
		at := ""
		if !rv.SubmittedAt.IsZero() {
			at = rv.SubmittedAt.Format(time.RFC3339Nano)
		}
		r.Reviews = append(r.Reviews, Review{ID: rv.ID, Login: rv.Login, UserID: rv.UserID, State: rv.State, CommitID: rv.CommitID, SubmittedAt: at})
	}
	for _, d := range req.Dismissals {
		r.Dismissals = append(r.Dismissals, Dismissal{ReviewID: d.ReviewID, DismissedBy: d.DismissedBy, DismissedByID: d.DismissedByID, OriginalState: d.OriginalState})
	}
	return r
}

// approvalsOf lists the decision's approvals with each reviewer's immutable
// user id, which the decision document does not carry, from the reviews.
func approvalsOf(d *decision.Decision, reviews []facts.Review) []Approval {
	byReview := map[int64]int64{}
	byLogin := map[string]int64{}
	for _, r := range reviews {
		if r.ID != 0 {
			byReview[r.ID] = r.UserID
		}
		if r.UserID != 0 {
			byLogin[strings.ToLower(r.Login)] = r.UserID
		}
	}
	out := make([]Approval, 0, len(d.Approvals))
	for _, a := range d.Approvals {
		id, ok := byReview[a.ReviewID]
		if !ok || id == 0 {
			id = byLogin[strings.ToLower(a.Login)]
		}
		out = append(out, Approval{Reviewer: a.Login, ReviewerID: id, ReviewID: a.ReviewID, Name: a.Name, Body: a.Body,
			Registration: a.Registration, Commit: a.Commit, SubmittedAt: a.SubmittedAt, Counted: a.Counted,
			WhyNot: a.WhyNot, WhyNotDetail: a.WhyNotDetail})
	}
	return out
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Load reads and checks the record in dir. Every error wraps ErrInvalidRecord.
func Load(dir string) (*Record, error) {
	name := filepath.Join(dir, RecordFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w: there is no %s; name the directory that --record (or the action's record-file output) wrote", name, ErrInvalidRecord, RecordFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrInvalidRecord, err)
	}
	rec, err := ReadRecord(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rec, nil
}

// ReadRecord decodes record.json strictly (unknown keys, trailing data and a
// foreign schema are errors) and checks that it is consistent in itself: a
// decision that is one of the three, an exit code that goes with it, hashes
// that are SHA-256, copies inside the record directory, and last a content
// that matches its integrity digest, naming each part that does not. It
// cannot tell a consistent forgery (digest recomputed) from a genuine
// record: Replay re-derives the decision, and only the attestation, which
// signs the digest, proves who wrote it. Every error wraps ErrInvalidRecord.
func ReadRecord(data []byte) (*Record, error) {
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRecord, fmt.Sprintf(format, a...))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var rec Record
	if err := dec.Decode(&rec); err != nil {
		return nil, invalid("%v", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, invalid("data after the record's JSON object")
	}
	if rec.Schema != SchemaVersion {
		return nil, invalid("schema is %q; this csogate reads %q", rec.Schema, SchemaVersion)
	}
	d := rec.Decision
	if d == nil {
		return nil, invalid("no decision")
	}
	switch {
	case d.Decision == decision.Approved || d.Decision == decision.NotRequired:
		if rec.ExitCode != decision.ExitAllowed {
			return nil, invalid("decision %q with exit code %d; an allowed decision exits %d", d.Decision, rec.ExitCode, decision.ExitAllowed)
		}
	case d.Decision == decision.Blocked:
		if rec.ExitCode < decision.ExitBlocked || rec.ExitCode > decision.ExitOperational {
			return nil, invalid("decision %q with exit code %d; a blocked decision exits 1, 2 or 3", d.Decision, rec.ExitCode)
		}
	default:
		return nil, invalid("decision %q is not approved, not_required or blocked", d.Decision)
	}
	d.ExitCode = rec.ExitCode
	if _, err := time.Parse(time.DateOnly, rec.Request.Today); err != nil {
		return nil, invalid("request.today %q is not a date (YYYY-MM-DD)", rec.Request.Today)
	}
	if rec.PolicyHash != "" && !isSHA256(rec.PolicyHash) {
		return nil, invalid("policy_hash %q is not a SHA-256 (64 lower-case hex digits)", rec.PolicyHash)
	}
	for i, r := range rec.Request.Reviews {
		if r.SubmittedAt != "" {
			if _, err := time.Parse(time.RFC3339Nano, r.SubmittedAt); err != nil {
				return nil, invalid("request.reviews[%d].submitted_at %q is not an RFC 3339 time", i, r.SubmittedAt)
			}
		}
	}
	if bm := rec.Request.BaseManifest; bm != nil {
		if bm.Path == "" || !isSHA256(bm.SHA256) || !isCopy(bm.Copy, baseManifestDir) {
			return nil, invalid("request.base_manifest needs a path, a SHA-256 and a copy under %s/", baseManifestDir)
		}
	}
	seen := map[string]string{}
	for i, in := range rec.Inputs {
		at := fmt.Sprintf("inputs[%d] (%s)", i, in.Path)
		if !inputRoles[in.Role] {
			return nil, invalid("%s: role %q is not one the gate reads", at, in.Role)
		}
		if strings.TrimSpace(in.Path) == "" || strings.ContainsRune(in.Path, 0) {
			return nil, invalid("inputs[%d]: no path", i)
		}
		if !isSHA256(in.SHA256) {
			return nil, invalid("%s: sha256 %q is not a SHA-256 (64 lower-case hex digits)", at, in.SHA256)
		}
		switch in.Side {
		case "workspace":
			if in.Copy != "" {
				return nil, invalid("%s: a workspace file has no copy in the record", at)
			}
		case "trusted":
			if !isCopy(in.Copy, trustedDir) && !isCopy(in.Copy, outsideDir) {
				return nil, invalid("%s: copy %q is not a file under %s/ or %s/ of the record", at, in.Copy, trustedDir, outsideDir)
			}
		case "github":
			if in.Role != "hazard_log" || !isCopy(in.Copy, fromGitHubDir) {
				return nil, invalid("%s: only the hazard log is read from GitHub, and its copy must be a file under %s/ of the record", at, fromGitHubDir)
			}
		default:
			return nil, invalid("%s: side %q is not workspace, trusted or github", at, in.Side)
		}
		key := in.Side + "\x00" + in.Path
		if prev, ok := seen[key]; ok && prev != in.SHA256 {
			return nil, invalid("%s is listed twice with different hashes", at)
		}
		seen[key] = in.SHA256
	}
	if rec.Facts != nil && rec.Facts.Schema != facts.SchemaVersion {
		return nil, invalid("facts.schema is %q; this csogate derives %q", rec.Facts.Schema, facts.SchemaVersion)
	}
	if rec.Release != nil {
		if err := checkRelease(rec.Release); err != nil {
			return nil, err
		}
	}
	if err := checkIntegrity(data, rec.Integrity); err != nil {
		return nil, err
	}
	return &rec, nil
}

// inputRoles are the roles gate.InputFile carries.
var inputRoles = map[string]bool{"hazard_log": true, "manifest": true, "register": true, "config": true, "components_map": true, "policy": true}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isCopy reports whether name is a file under dir inside the record directory.
func isCopy(name, dir string) bool {
	if !strings.HasPrefix(name, dir+"/") || strings.ContainsAny(name, "\\\x00") {
		return false
	}
	return path.Clean(name) == name && filepath.IsLocal(filepath.FromSlash(name))
}

// gateRequest rebuilds the request the record describes.
func (r *Request) gateRequest(workspaceRoot string, trusted gate.Source, baseManifest []byte) (*gate.Request, error) {
	today, err := safetyfile.ParseDate(r.Today)
	if err != nil {
		return nil, fmt.Errorf("%w: request.today %q is not a date", ErrInvalidRecord, r.Today)
	}
	req := &gate.Request{
		Paths: gate.Paths{HazardLog: r.Paths.HazardLog, HazardLogFormat: r.Paths.HazardLogFormat, Sheet: r.Paths.Sheet,
			Manifest: r.Paths.Manifest, Register: r.Paths.Register, Config: r.Paths.Config, ConfigRequired: r.Paths.ConfigRequired,
			ComponentsMap: r.Paths.ComponentsMap, Policies: r.Paths.Policies, Named: r.Paths.Named},
		WorkspaceRoot:  workspaceRoot,
		Trusted:        trusted,
		BaseManifest:   baseManifest,
		HeadSHA:        r.HeadSHA,
		Author:         r.Author,
		CommitAuthors:  r.CommitAuthors,
		Commits:        r.Commits,
		Today:          today.Time,
		Comments:       r.Comments,
		OverdueReviews: r.OverdueReviews,
	}
	if r.ChangedFilesKnown {
		req.ChangedFiles = append([]string{}, r.ChangedFiles...)
	}
	if seen := r.RepoFiles; seen != nil {
		entries := make(map[string]repofiles.Kind, len(seen.Entries))
		for _, e := range seen.Entries {
			entries[e.Path] = e.Kind
		}
		tree, err := repofiles.New(seen.Source, entries)
		if err != nil {
			return nil, fmt.Errorf("%w: request.repo_files: %v", ErrInvalidRecord, err)
		}
		req.RepoFiles = gate.RepoFilesFunc(func(context.Context) (*repofiles.Tree, error) { return tree, nil })
	}
	if r.BaseHazardLog != "" {
		if rs, ok := trusted.(recordSource); ok {
			req.BaseHazardLog = recordSource{files: rs.files, describe: r.BaseHazardLog}
		}
	}
	for _, rv := range r.Reviews {
		fr := facts.Review{ID: rv.ID, Login: rv.Login, UserID: rv.UserID, State: rv.State, CommitID: rv.CommitID}
		if rv.SubmittedAt != "" {
			t, err := time.Parse(time.RFC3339Nano, rv.SubmittedAt)
			if err != nil {
				return nil, fmt.Errorf("%w: review %d: submitted_at %q is not an RFC 3339 time", ErrInvalidRecord, rv.ID, rv.SubmittedAt)
			}
			fr.SubmittedAt = t
		}
		req.Reviews = append(req.Reviews, fr)
	}
	for _, d := range r.Dismissals {
		req.Dismissals = append(req.Dismissals, facts.Dismissal{ReviewID: d.ReviewID, DismissedBy: d.DismissedBy, DismissedByID: d.DismissedByID, OriginalState: d.OriginalState})
	}
	return req, nil
}
