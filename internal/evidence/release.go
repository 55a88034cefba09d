package evidence

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/release"
	"github.com/csogate/csogate/internal/safetyfile"
)

// The record directories of a release record.
const (
	// githubDir holds, by SHA-256, every file the release run read from
	// GitHub (head-side and trusted files of each pull request).
	githubDir = "github"
	// workspaceDir holds the release's own hazard log, manifest and
	// components map when the run read them from the runner's checkout.
	workspaceDir = "workspace"
)

// ReleaseRecord is what a release run gathered beyond the release-level
// evaluation that Record's other fields hold: the range, each pull
// request's evaluation, the direct pushes, and every answer GitHub gave, so
// a replay re-derives the whole release decision offline.
type ReleaseRecord struct {
	Request ReleaseRequest `json:"request"`
	Range   ReleaseRange   `json:"range"`
	// PullRequests are the merged pull requests of the release, in merge
	// order, each as the pull-request gate judged it.
	PullRequests []ReleasePull         `json:"pull_requests"`
	DirectPushes []decision.DirectPush `json:"direct_pushes"`
	// Preparing is the number of the pull request whose CSO approval is the
	// release's sign-off; 0 when none prepared it.
	Preparing int `json:"preparing,omitempty"`
	// Workspace lists the release's files read from the runner's checkout,
	// with their copies in the record.
	Workspace []FileCopy `json:"workspace"`
	// HazardLogChanges is the release's hazard log compared hazard by hazard
	// with the one at the commit the range starts after, as the safety case
	// addendum shows it; absent when the release was not evaluated as far as
	// its hazard log.
	HazardLogChanges *facts.HazardLogChanges `json:"hazard_log_changes,omitempty"`
	// SafetyCase and SafetyCaseHTML name the DCB0129 Clinical Safety Case
	// Report addendum the run wrote (Markdown and HTML) by SHA-256. A
	// replay renders both again from what it re-derives and compares.
	SafetyCase     *PredicateFile `json:"safety_case"`
	SafetyCaseHTML *PredicateFile `json:"safety_case_html"`
	// GitHub is every question the run asked GitHub and its answer; the
	// files among the answers are named by SHA-256 and kept in GitHubFiles.
	// Chain is the retrospective chain: the pull requests the previous
	// passed release's statuses named, and the overrides this release
	// found still awaiting their review (what it posts, when it passes);
	// absent when it read no chain and carries nothing.
	Chain       *ReleaseChain      `json:"chain,omitempty"`
	GitHub      []release.Exchange `json:"github"`
	GitHubFiles []FileCopy         `json:"github_files"`
}

// ReleaseChain is what a release read from, and carries forward in, the
// retrospective chain, so that the record says it and its replay checks it.
type ReleaseChain struct {
	// From is the previous passed release whose statuses were read.
	From string `json:"from,omitempty"`
	// Read are the pull requests its statuses named, in the order posted.
	Read []int `json:"read"`
	// Outstanding are the overrides, of the range and earlier, whose
	// retrospective review is not done: one chain status each, posted on
	// the released commit when the release passes.
	Outstanding []release.ChainStatus `json:"outstanding"`
}

// ReleaseRequest is the release.Request as evaluated.
type ReleaseRequest struct {
	Owner         string `json:"owner"`
	Repo          string `json:"repo"`
	Tag           string `json:"tag"`
	ReleaseSHA    string `json:"release_sha,omitempty"`
	Since         string `json:"since,omitempty"`
	StatusContext string `json:"status_context"`
	Paths         Paths  `json:"paths"`
	// WorkspaceUsed is true when the release's files came from the
	// runner's checkout of the released commit (kept under workspace/).
	WorkspaceUsed bool   `json:"workspace_used"`
	WorkspaceSHA  string `json:"workspace_sha,omitempty"`
	Today         string `json:"today"`
	// PermissionsBlock is quoted when GitHub refused for a permission.
	PermissionsBlock string `json:"permissions_block,omitempty"`
}

// ReleaseRange is the range the run gated and how its start was chosen.
type ReleaseRange struct {
	Tag         string               `json:"tag"`
	Version     string               `json:"version"`
	ReleaseSHA  string               `json:"release_sha"`
	PreviousTag string               `json:"previous_tag"`
	PreviousSHA string               `json:"previous_sha"`
	PreviousBy  string               `json:"previous_by"`
	Skipped     []release.SkippedTag `json:"skipped"`
}

// ReleasePull is one pull request of the release with its evaluation:
// what it was judged on (request, inputs), the facts, the approvals and
// its decision.
type ReleasePull struct {
	Number         int                `json:"number"`
	Title          string             `json:"title"`
	URL            string             `json:"url"`
	Author         string             `json:"author"`
	HeadSHA        string             `json:"head_sha"`
	BaseSHA        string             `json:"base_sha"`
	MergeCommitSHA string             `json:"merge_commit_sha"`
	MergedAt       string             `json:"merged_at"`
	Request        *Request           `json:"request"`
	Inputs         []gate.InputFile   `json:"inputs"`
	PolicyHash     string             `json:"policy_hash"`
	Facts          *facts.Input       `json:"facts"`
	Decision       *decision.Decision `json:"decision"`
	ExitCode       int                `json:"exit_code"`
	Approvals      []Approval         `json:"approvals"`
}

// FileCopy is a file kept in the record directory: its path (or, for a
// file GitHub served, "" and only its hash), SHA-256 and copy.
type FileCopy struct {
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256"`
	Copy   string `json:"copy"`
}

// ReleaseRun is what WriteRelease records of a release run: its request,
// its result and the transcript of what it read from GitHub.
type ReleaseRun struct {
	Request    release.Request
	Result     *release.Result
	Transcript *release.Transcript
}

// WriteRelease makes dir the record of a release run: Write's record of the
// release-level evaluation (req, out) and the release part, with copies of
// every file the run read, so check --replay re-derives the release
// decision, per pull request, with no network.
func WriteRelease(dir string, req *gate.Request, out *gate.Outcome, run ReleaseRun, meta Meta) (string, error) {
	if out == nil || out.Decision == nil {
		return "", fmt.Errorf("writing the decision record: the evaluation has no decision")
	}
	if req == nil {
		req = failedRequest(run.Request, out)
	}
	rec, copies, err := build(req, out, meta)
	if err != nil {
		return "", fmt.Errorf("writing the decision record: %w", err)
	}
	rel, more, err := buildRelease(run, out)
	if err != nil {
		return "", fmt.Errorf("writing the decision record: %w", err)
	}
	rec.Release = rel
	for k, v := range more {
		copies[k] = v
	}
	return writeRecord(dir, rec, copies)
}

// buildRelease assembles the release part of a record and its copies.
func buildRelease(run ReleaseRun, out *gate.Outcome) (*ReleaseRecord, map[string][]byte, error) {
	req, res := run.Request, run.Result
	if res == nil {
		return nil, nil, fmt.Errorf("the release run has no result")
	}
	copies := map[string][]byte{}
	used := workspaceUsed(req, res)
	rel := &ReleaseRecord{
		Request: ReleaseRequest{Owner: req.Owner, Repo: req.Repo, Tag: req.Tag, ReleaseSHA: req.ReleaseSHA, Since: req.Since,
			StatusContext: req.StatusContext, Paths: pathsOf(req.Paths), WorkspaceUsed: used, WorkspaceSHA: req.WorkspaceSHA,
			Today: req.Today.UTC().Format(time.DateOnly), PermissionsBlock: req.PermissionsBlock},
		Range: ReleaseRange{Tag: res.Tag, Version: res.Version, ReleaseSHA: res.ReleaseSHA, PreviousTag: res.PreviousTag,
			PreviousSHA: res.PreviousSHA, PreviousBy: res.PreviousBy, Skipped: res.Skipped},
		PullRequests: []ReleasePull{},
		DirectPushes: []decision.DirectPush{},
		Workspace:    []FileCopy{},
		GitHub:       []release.Exchange{},
		GitHubFiles:  []FileCopy{},
	}
	if res.Preparing != nil {
		rel.Preparing = res.Preparing.Number
	}
	rel.HazardLogChanges = res.HazardLogChanges
	if out := res.Outstanding(); res.ChainFrom != "" || len(out) > 0 {
		rel.Chain = &ReleaseChain{From: res.ChainFrom, Read: append([]int{}, res.ChainPulls...), Outstanding: append([]release.ChainStatus{}, out...)}
	}
	md, page, err := SafetyCase(res)
	if err != nil {
		return nil, nil, err
	}
	rel.SafetyCase = NewPredicateFile(release.SafetyCaseFile, md)
	rel.SafetyCaseHTML = NewPredicateFile(release.SafetyCaseHTMLFile, page)
	for _, p := range res.Pulls {
		rp := ReleasePull{Number: p.Number, Title: p.Title, URL: p.URL, Author: p.Author, HeadSHA: p.HeadSHA, BaseSHA: p.BaseSHA,
			MergeCommitSHA: p.MergeCommitSHA, Inputs: []gate.InputFile{}, Approvals: []Approval{}}
		if !p.MergedAt.IsZero() {
			rp.MergedAt = p.MergedAt.UTC().Format(time.RFC3339Nano)
		}
		if p.Request != nil {
			r := requestOf(p.Request, p.Outcome)
			if p.Request.BaseManifest != nil {
				r.BaseManifest = &BaseManifest{Path: p.Request.Paths.Manifest, SHA256: sha(p.Request.BaseManifest)}
			}
			rp.Request = &r
		}
		if o := p.Outcome; o != nil {
			rp.Inputs = append(rp.Inputs, o.Files...)
			rp.PolicyHash, rp.Facts, rp.Decision = o.PolicyHash, o.Input, o.Decision
			if o.Decision != nil {
				rp.ExitCode = o.Decision.ExitCode
				var reviews []facts.Review
				if p.Request != nil {
					reviews = p.Request.Reviews
				}
				rp.Approvals = approvalsOf(o.Decision, reviews)
			}
		}
		rel.PullRequests = append(rel.PullRequests, rp)
	}
	for _, dp := range res.DirectPushes {
		rel.DirectPushes = append(rel.DirectPushes, decision.DirectPush{SHA: dp.SHA, Author: dp.Author, Files: dp.Files, Clinical: dp.Clinical, Pull: dp.Pull})
	}
	if used {
		for _, f := range out.Files {
			if f.Side != "workspace" {
				continue
			}
			data, err := os.ReadFile(filepath.Join(req.WorkspaceRoot, filepath.FromSlash(f.Path)))
			if err != nil {
				return nil, nil, fmt.Errorf("copying the release's %s: %w", f.Path, err)
			}
			if sha(data) != f.SHA256 {
				return nil, nil, fmt.Errorf("the release's %s changed after the gate read it", f.Path)
			}
			c := FileCopy{Path: f.Path, SHA256: f.SHA256, Copy: copyName(workspaceDir, f.Path, f.SHA256)}
			copies[c.Copy] = data
			rel.Workspace = append(rel.Workspace, c)
		}
	}
	if t := run.Transcript; t != nil {
		rel.GitHub = append(rel.GitHub, t.Exchanges...)
		sums := make([]string, 0, len(t.Blobs))
		for s := range t.Blobs {
			sums = append(sums, s)
		}
		sort.Strings(sums)
		for _, s := range sums {
			c := FileCopy{SHA256: s, Copy: githubDir + "/" + s}
			copies[c.Copy] = t.Blobs[s]
			rel.GitHubFiles = append(rel.GitHubFiles, c)
		}
	}
	return rel, copies, nil
}

// SafetyCase renders a release's DCB0129 Clinical Safety Case Report
// addendum, Markdown and HTML, as the record names them by hash.
func SafetyCase(res *release.Result) (markdown, page []byte, err error) {
	html, err := release.SafetyCaseHTML(res)
	if err != nil {
		return nil, nil, err
	}
	return []byte(release.SafetyCaseMarkdown(res)), []byte(html), nil
}

// failedRequest is the release-level request of a release that failed
// before its release-level evaluation: the paths and the day, as the
// Action records them.
func failedRequest(req release.Request, out *gate.Outcome) *gate.Request {
	return &gate.Request{Paths: req.Paths, HeadSHA: out.Decision.HeadSHA, Today: req.Today}
}

// workspaceUsed reports whether the release's files came from the caller's
// checkout, as release.Evaluate decides it.
func workspaceUsed(req release.Request, res *release.Result) bool {
	return req.WorkspaceRoot != "" && (req.WorkspaceSHA == "" || req.WorkspaceSHA == res.ReleaseSHA)
}

func pathsOf(p gate.Paths) Paths {
	return Paths{HazardLog: p.HazardLog, HazardLogFormat: p.HazardLogFormat, Sheet: p.Sheet, Manifest: p.Manifest,
		Register: p.Register, Config: p.Config, ConfigRequired: p.ConfigRequired, ComponentsMap: p.ComponentsMap,
		Policies: p.Policies, Named: p.Named}
}

func (p Paths) gatePaths() gate.Paths {
	return gate.Paths{HazardLog: p.HazardLog, HazardLogFormat: p.HazardLogFormat, Sheet: p.Sheet, Manifest: p.Manifest,
		Register: p.Register, Config: p.Config, ConfigRequired: p.ConfigRequired, ComponentsMap: p.ComponentsMap,
		Policies: p.Policies, Named: p.Named}
}

// checkRelease refuses a release part whose copies are not inside the
// record or whose hashes are not SHA-256.
func checkRelease(rel *ReleaseRecord) error {
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRecord, fmt.Sprintf(format, a...))
	}
	if _, err := time.Parse(time.DateOnly, rel.Request.Today); err != nil {
		return invalid("release.request.today %q is not a date (YYYY-MM-DD)", rel.Request.Today)
	}
	for i, c := range rel.Workspace {
		if c.Path == "" || !isSHA256(c.SHA256) || !isCopy(c.Copy, workspaceDir) {
			return invalid("release.workspace[%d] needs a path, a SHA-256 and a copy under %s/", i, workspaceDir)
		}
	}
	for i, c := range rel.GitHubFiles {
		if !isSHA256(c.SHA256) || c.Copy != githubDir+"/"+c.SHA256 {
			return invalid("release.github_files[%d] needs a SHA-256 and its copy %s/<sha256>", i, githubDir)
		}
	}
	return nil
}

// replayRelease re-derives a release record: the release gate runs again on
// the record's transcript of GitHub and its copies, with no network, and
// every part of the record it derives is compared with the recorded one.
func replayRelease(ctx context.Context, rec *Record, dir string) (*Result, error) {
	rel := rec.Release
	t := &release.Transcript{Exchanges: rel.GitHub, Blobs: map[string][]byte{}}
	for _, c := range rel.GitHubFiles {
		data, err := readCopy(dir, c.Copy, c.SHA256, "the record's copy of a file read from GitHub was altered or lost: the record cannot be replayed")
		if err != nil {
			return nil, err
		}
		t.Blobs[c.SHA256] = data
	}
	for _, in := range rec.Inputs {
		if in.Side == "trusted" {
			if _, err := readCopy(dir, in.Copy, in.SHA256, fmt.Sprintf("the record's copy of %s was altered or lost: the record cannot be replayed", in.Path)); err != nil {
				return nil, err
			}
		}
	}
	api, err := release.NewReplayer(t)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRecord, err)
	}
	today, err := safetyfile.ParseDate(rel.Request.Today)
	if err != nil {
		return nil, fmt.Errorf("%w: release.request.today %q is not a date", ErrInvalidRecord, rel.Request.Today)
	}
	req := release.Request{Owner: rel.Request.Owner, Repo: rel.Request.Repo, Tag: rel.Request.Tag, ReleaseSHA: rel.Request.ReleaseSHA,
		Since: rel.Request.Since, StatusContext: rel.Request.StatusContext, Paths: rel.Request.Paths.gatePaths(),
		WorkspaceSHA: rel.Request.WorkspaceSHA, Today: today.Time, PermissionsBlock: rel.Request.PermissionsBlock}
	// The release workflow's test results, as the run read them from disk:
	// judged again from the record's copies.
	for _, c := range rec.Request.TestResults {
		data, err := readCopy(dir, c.Copy, c.SHA256, fmt.Sprintf("the record's copy of the test results %s was altered or lost: the record cannot be replayed", c.Path))
		if err != nil {
			return nil, err
		}
		req.TestResults = append(req.TestResults, gate.TestResultFile{Path: c.Path, Data: data})
	}
	req.TestResultsGiven = rec.Request.TestResultsGiven
	if rel.Request.WorkspaceUsed {
		ws, err := os.MkdirTemp("", "csogate-replay-")
		if err != nil {
			return nil, fmt.Errorf("creating a directory for the release's files: %w", err)
		}
		defer os.RemoveAll(ws)
		for _, c := range rel.Workspace {
			data, err := readCopy(dir, c.Copy, c.SHA256, fmt.Sprintf("the record's copy of the release's %s was altered or lost: the record cannot be replayed", c.Path))
			if err != nil {
				return nil, err
			}
			full := filepath.Join(ws, filepath.FromSlash(c.Path))
			if !filepath.IsLocal(filepath.FromSlash(c.Path)) {
				return nil, fmt.Errorf("%w: release.workspace names %s, which is not inside the repository", ErrInvalidRecord, c.Path)
			}
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(full, data, 0o644); err != nil {
				return nil, err
			}
		}
		req.WorkspaceRoot = ws
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := release.Evaluate(ctx, api, req)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("replay interrupted: %w", err)
	}

	// The record the run would have written from what the replay derived;
	// the run's own metadata (tool, time, context) is not derived.
	greq := res.Request
	if greq == nil {
		greq = failedRequest(req, res.Release)
	}
	derived, _, err := build(greq, res.Release, Meta{CreatedAt: time.Now()})
	if err != nil {
		return nil, fmt.Errorf("re-deriving the record: %w", err)
	}
	derivedRel, _, err := buildRelease(ReleaseRun{Request: req, Result: res}, res.Release)
	if err != nil {
		return nil, fmt.Errorf("re-deriving the record: %w", err)
	}
	md, page, err := SafetyCase(res)
	if err != nil {
		return nil, err
	}

	out := &Result{Record: rec, Decision: res.Release.Decision, Recorded: rec.Decision, SafetyCase: md, SafetyCaseHTML: page}
	add := func(ds []Difference) { out.Differences = append(out.Differences, ds...) }
	if rec.ExitCode != res.Release.Decision.ExitCode {
		add([]Difference{{Field: "exit_code", Recorded: fmt.Sprint(rec.ExitCode), Replayed: fmt.Sprint(res.Release.Decision.ExitCode)}})
	}
	add(compare("decision", rec.Decision, derived.Decision))
	add(compare("request", withoutCopies(rec.Request), withoutCopies(derived.Request)))
	add(compare("inputs", rec.Inputs, derived.Inputs))
	if rec.PolicyHash != derived.PolicyHash {
		add([]Difference{{Field: "policy_hash", Recorded: show(rec.PolicyHash), Replayed: show(derived.PolicyHash)}})
	}
	add(compare("facts", rec.Facts, derived.Facts))
	add(compare("approvals", rec.Approvals, derived.Approvals))
	recorded := *rel
	recorded.GitHub, recorded.GitHubFiles = nil, nil
	derivedRel.GitHub, derivedRel.GitHubFiles = nil, nil
	add(compare("release", &recorded, derivedRel))
	for _, q := range api.Unanswered() {
		add([]Difference{{Field: "release.github", Recorded: "no answer to " + q, Replayed: "the gate asks it"}})
	}
	for _, q := range api.Unasked() {
		add([]Difference{{Field: "release.github", Recorded: "an answer to " + q, Replayed: "the gate never asks it"}})
	}
	return out, nil
}

// withoutCopies leaves out where the record keeps the base manifest's
// copy, which only Write names.
func withoutCopies(r Request) Request {
	if r.BaseManifest != nil {
		bm := *r.BaseManifest
		bm.Copy = ""
		r.BaseManifest = &bm
	}
	return r
}
