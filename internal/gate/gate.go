// Package gate runs one evaluation end to end: it reads the input files from
// the right side of the trust boundary, validates them, derives the facts,
// evaluates the policies and returns the decision. The CLI and the GitHub
// Action both call it; they differ only in where the files, reviews and
// changed files come from.
package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/override"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/safetyfile"
)

// Source reads files from one side of the trust boundary: the checked-out
// workspace, or the trusted base commit.
type Source interface {
	// ReadFile returns the file's bytes; found is false when it does not exist.
	ReadFile(ctx context.Context, name string) (data []byte, found bool, err error)
	// ReadDir returns every file under dir (recursively), keyed by path
	// relative to the repository root; an absent directory gives an empty map.
	ReadDir(ctx context.Context, dir string) (map[string][]byte, error)
	// Describe names the side in messages ("the workspace", "base commit abc1234").
	Describe() string
}

// DirSource reads from a directory on disk. It refuses to read through a
// symbolic link below Root (safetyfile.LinkError): the gate's inputs are
// files in the repository, never what a link points at.
type DirSource struct {
	Root string
	Name string
}

// ReadFile implements Source.
func (s DirSource) ReadFile(_ context.Context, name string) ([]byte, bool, error) {
	if err := safetyfile.CheckNoLink(s.Root, name); err != nil {
		return nil, false, err
	}
	full := filepath.Join(s.Root, filepath.FromSlash(name))
	if info, err := os.Stat(full); err == nil && info.IsDir() {
		return nil, false, &safetyfile.NotFileError{Path: name}
	}
	data, err := os.ReadFile(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// ReadDir implements Source.
func (s DirSource) ReadDir(_ context.Context, dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	if err := safetyfile.CheckNoLink(s.Root, dir); err != nil {
		return nil, err
	}
	root := filepath.Join(s.Root, filepath.FromSlash(dir))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipAll
			}
			return err
		}
		if err := safetyfile.NoLinkEntry(s.Root, p, d); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(s.Root, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	return out, err
}

// Describe implements Source.
func (s DirSource) Describe() string {
	if s.Name != "" {
		return s.Name
	}
	return "the working directory"
}

// Paths names the input files, relative to the repository root.
type Paths struct {
	HazardLog       string
	HazardLogFormat string // "" chooses by extension
	Sheet           string
	Manifest        string
	Register        string
	Config          string
	// ConfigRequired is set when the user named the configuration explicitly:
	// then a missing file is an error, not the defaults.
	ConfigRequired bool
	// Named lists the flags the user gave explicitly ("hazard-log",
	// "manifest", "register"): validate checks those, and the default files
	// only when they exist.
	Named         map[string]bool
	ComponentsMap string
	// Policies are extra Rego directories named on the command line or as the
	// action input, added to those the configuration names.
	Policies []string
}

// DefaultPaths returns the contract's default locations.
func DefaultPaths() Paths {
	return Paths{HazardLog: safetyfile.HazardLogPath, Manifest: safetyfile.ManifestPath, Register: safetyfile.RegisterPath,
		Config: safetyfile.ConfigPath, ComponentsMap: safetyfile.ComponentsMapPath}
}

// Request is one evaluation.
type Request struct {
	Paths Paths
	// WorkspaceRoot is where the hazard log, manifest and components map are
	// read from: the head of the change under review.
	WorkspaceRoot string
	// Trusted is where the register, configuration and policies are read from.
	Trusted Source
	// BaseManifest is the manifest at the pull request's base; when set, only
	// changes added or modified since then are under review.
	BaseManifest []byte
	// BaseHazardLog, when set, serves the trusted side's hazard log (the
	// CLI's --base-hazard-log); otherwise it is read from Trusted.
	BaseHazardLog Source
	// HazardLogIssues is a hazard log kept as GitHub issues, as the
	// list-issues endpoint returned them (the Action, a replay), under the
	// layout github-issues. Nil: the CLI's --hazard-log file is the listing.
	// Issues have no commit: they are read as they are at run time, and the
	// decision record keeps the listing the gate judged.
	HazardLogIssues []byte
	// HazardLogIssuesEdited (release mode) are the hazard issues GitHub
	// updated since the previous release, e.g. "#3": edits no pull request
	// carried. Any makes the hazard log a changed safety file, so the change
	// set needs a CSO's approval (the release's sign-off); GitHub keeps no
	// earlier version of an issue, so the log is reported as not compared.
	HazardLogIssuesEdited []string
	// BaseHazardLogIssues (release mode) is the listing of those issues as
	// it stood at the previous release: labels, state and titles rebuilt
	// from the issues' timelines, bodies as they are now (GitHub keeps no
	// earlier body). With it the log is compared hazard by hazard, labels
	// and state only; nil leaves it not compared.
	BaseHazardLogIssues []byte

	ChangedFiles  []string // nil when unknown
	Reviews       []facts.Review
	Dismissals    []facts.Dismissal
	HeadSHA       string
	Author        string
	CommitAuthors []string
	// Commits are the change's commits with the accounts and addresses of
	// their authors, committers and co-authors (independence by email).
	Commits []facts.Commit
	Today   time.Time
	// Comments are the pull request's override and retrospective review
	// comments (contract 4.2); the trusted configuration's emergency section
	// says who may override.
	Comments []override.Comment
	// JudgeRetrospective (release mode, on a merged pull request) has the
	// gate find the counted CSO's retrospective review of an override that
	// applies to the head (decision.Override.Retrospective).
	JudgeRetrospective bool
	// OverdueReviews (PR gate) are other overridden pull requests whose
	// retrospective review is overdue: each a warning on the decision.
	OverdueReviews []override.OverdueReview
	// TestResults are the JUnit XML reports the head's workflow wrote
	// (--test-results, the test-results input). TestResultsGiven is false
	// when none were asked for: the controls' test evidence is then not
	// checked at all, so runs that give none decide as before.
	TestResults      []TestResultFile
	TestResultsGiven bool
	// RepoFiles lists the repository's files at the head, for
	// HAZARD_COMPONENT_ORPHANED and CONTROL_EVIDENCE_MISSING; nil when no
	// list is known (the rules then say they were not checked). It is
	// asked only when a hazard needs checking.
	RepoFiles RepoFiles
}

// RepoFiles gives the repository's files at the head: GitHub's git tree of
// the head commit in the Action, the working directory or a `git ls-files`
// list in the CLI, the witnesses a decision record kept on replay.
type RepoFiles interface {
	Tree(ctx context.Context) (*repofiles.Tree, error)
}

// RepoFilesFunc adapts a function to RepoFiles.
type RepoFilesFunc func(ctx context.Context) (*repofiles.Tree, error)

// Tree implements RepoFiles.
func (f RepoFilesFunc) Tree(ctx context.Context) (*repofiles.Tree, error) { return f(ctx) }

// InputFile is a file the evaluation read, for the evidence record.
type InputFile struct {
	Role   string `json:"role"` // hazard_log | manifest | register | config | components_map | policy
	Path   string `json:"path"`
	Side   string `json:"side"` // workspace | trusted
	SHA256 string `json:"sha256"`
}

// Outcome is the result of an evaluation with what it stood on.
type Outcome struct {
	Decision   *decision.Decision
	Input      *facts.Input // nil when evaluation stopped before the facts
	Files      []InputFile
	PolicyHash string
	Warnings   safetyfile.Problems // non-fatal notes from readers (e.g. header aliases)
	// Trusted holds the bytes of every file read from the trusted side, so an
	// evidence record can keep them and a replay needs no network.
	Trusted map[string][]byte
	// FromGitHub holds the inputs read from GitHub at run time rather than
	// from a commit (a hazard log kept as issues, side "github"), for the
	// record to keep: nobody can check such an input out again.
	FromGitHub map[string][]byte
	// HazardLog and Manifest are the files as read (nil when unreadable), for
	// the release note, which cites controls and their evidence.
	HazardLog *safetyfile.HazardLog
	Manifest  *safetyfile.Manifest
	// Config is the trusted configuration as read (the defaults when there
	// is none; nil when reading failed).
	Config *safetyfile.Config

	// logReading is how the hazard log was read, once the evaluation got as
	// far as its facts: another version of the log is read the same way to
	// compare the two (CompareHazardLogWith).
	logReading *logReading
	// RepoFiles is what the repository check stood on: the file list's
	// name and the entries that decided its answers (nil when it did not
	// run), so a decision record can replay it without the whole tree.
	RepoFiles *RepoFilesSeen
}

// RepoFilesSeen is the part of the repository's file list the check used.
type RepoFilesSeen struct {
	Source  string            `json:"source"`
	Entries []repofiles.Entry `json:"entries"`
}

// engineCache keeps compiled policy engines by the exact sources they were
// compiled from. Compiling takes tens of milliseconds; a release evaluates
// many pull requests against the same few policy sets, and a prepared engine
// is safe for concurrent use.
type engineCache struct {
	mu      sync.Mutex
	engines map[string]*policy.Engine
}

var engines = &engineCache{engines: map[string]*policy.Engine{}}

// maxCachedEngines bounds the cache; a process sees a handful of policy sets.
const maxCachedEngines = 16

func (c *engineCache) load(ctx context.Context, sources []policy.Source) (*policy.Engine, error) {
	h := sha256.New()
	for _, s := range sources {
		fmt.Fprintf(h, "%d:%s\x00%d:", len(s.Path), s.Path, len(s.Content))
		h.Write(s.Content)
	}
	key := hex.EncodeToString(h.Sum(nil))
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.engines[key]; ok {
		return e, nil
	}
	e, err := policy.Load(ctx, sources)
	if err != nil {
		return nil, err
	}
	if len(c.engines) >= maxCachedEngines {
		clear(c.engines)
	}
	c.engines[key] = e
	return e, nil
}

// compileResult carries a compiled engine back from its goroutine.
type compileResult struct {
	engine *policy.Engine
	err    error
}

// loaded is what reading and validating the files produced.
type loaded struct {
	log *safetyfile.HazardLog
	// logRefused: the log could not be read as a whole; whether the
	// manifest's hazards are in it is unknown.
	logRefused bool
	manifest   *safetyfile.Manifest
	mLocate    safetyfile.Locator
	register   *safetyfile.Register
	config     *safetyfile.Config
	policies   []policy.Source
	problems   safetyfile.Problems
	warnings   safetyfile.Problems
	files      []InputFile
	policyDirs []string
	trusted    map[string][]byte
	fromGitHub map[string][]byte
	// logFormat is the layout the head's hazard log was read in, and
	// componentsMap the head's components map (nil when none): the trusted
	// side's log is read the same way to compare the two.
	logFormat     hazardlog.Format
	componentsMap safetyfile.ComponentsMap
	baseLog       trustedLog
}

// Evaluate runs the gate. It always returns a decision; any failure is blocked.
func Evaluate(ctx context.Context, req *Request) *Outcome {
	l, err := load(ctx, req, true)
	out := &Outcome{Files: l.files, Warnings: l.warnings, Trusted: l.trusted, FromGitHub: l.fromGitHub, HazardLog: l.log, Manifest: l.manifest, Config: l.config}
	product, release := "", ""
	if l.log != nil {
		product = l.log.Product
	}
	if l.manifest != nil {
		release = l.manifest.Release
	}
	if err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, err)
		return out
	}
	reports, problems := parseTestResults(req.TestResults, req.TestResultsGiven || len(req.TestResults) > 0)
	l.problems = append(l.problems, problems...)
	if len(l.problems) > 0 {
		out.Decision = decision.InvalidInput(product, release, req.HeadSHA, l.problems)
		return out
	}
	// The policies compile on another goroutine while this one relates the
	// files to the globs and builds the facts. (Starting earlier, during the
	// hazard log's parse, saves no more wall time on two cores but holds the
	// compiler's garbage while the collector is paused for the parse.)
	compiled := make(chan compileResult, 1)
	go func() {
		e, err := engines.load(ctx, l.policies)
		compiled <- compileResult{e, err}
	}()
	matchers, err := facts.Compile(l.log, l.config)
	if err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, err)
		return out
	}
	scopeProduct, scopeFrom, err := l.scopeProduct(ctx, req)
	out.Files, out.Trusted = l.files, l.trusted
	if err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, err)
		return out
	}
	logChanges, err := l.compareHazardLog(ctx, req)
	out.Files, out.Trusted = l.files, l.trusted
	if err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, err)
		return out
	}
	changes := l.manifest.Changes
	if req.BaseManifest != nil {
		changes = changedSince(req.BaseManifest, l.manifest.Changes)
	}
	sources := &facts.Sources{
		HazardLog: l.log, HazardLogFile: req.Paths.HazardLog, Release: release, Changes: changes,
		Register: l.register, Config: l.config, ChangedFiles: req.ChangedFiles,
		SafetyFiles: safetyFiles(req.Paths, l.policyDirs), Reviews: req.Reviews, Dismissals: req.Dismissals,
		HeadSHA: req.HeadSHA, Author: req.Author, CommitAuthors: req.CommitAuthors, Commits: req.Commits, Today: req.Today,
		ScopeProduct: scopeProduct, ScopeProductFrom: scopeFrom, HazardLogChanged: len(req.HazardLogIssuesEdited) > 0,
	}
	in, err := facts.Build(sources, matchers)
	if err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, err)
		return out
	}
	in.HazardLogChanges = logChanges
	in.TestEvidence = facts.LinkTests(l.log, facts.EvidenceHazards(in, logChanges.Changes), reports, l.config.ControlTests)
	if err := checkRepository(ctx, req, l, in, out); err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, err)
		return out
	}
	out.Input = in
	out.logReading = &logReading{format: l.logFormat, config: l.config, componentsMap: l.componentsMap}
	c := <-compiled
	if c.err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, fmt.Errorf("policies: %w", c.err))
		return out
	}
	engine := c.engine
	out.PolicyHash = engine.BundleHash()
	result, err := engine.Eval(ctx, in)
	if err != nil {
		out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, fmt.Errorf("policy evaluation: %w", err))
		return out
	}
	out.Decision = decision.FromPolicy(in, result)
	change := override.Change{HeadSHA: req.HeadSHA, Author: req.Author, CommitAuthors: req.CommitAuthors, Commits: req.Commits}
	for _, f := range in.SafetyFiles {
		if f.Kind == "register" || f.Kind == "config" || f.Kind == "policy" {
			change.GateFiles = append(change.GateFiles, f.Path)
		}
	}
	applies, refused := override.Judge(l.config.Emergency, req.Comments, change)
	override.Apply(out.Decision, applies, refused)
	if req.JudgeRetrospective && applies != nil {
		retro := func(reviews []facts.Review) ([]policy.Approval, error) {
			again := *sources
			again.Reviews, again.Dismissals = reviews, nil
			in2, err := facts.Build(&again, matchers)
			if err != nil {
				return nil, err
			}
			in2.HazardLogChanges = logChanges
			r, err := engine.Eval(ctx, in2)
			if err != nil {
				return nil, err
			}
			return decision.FromPolicy(in2, r).Approvals, nil
		}
		if err := judgeRetrospective(out.Decision, applies, req.Comments, req.HeadSHA, retro); err != nil {
			out.Decision = decision.Failure(product, release, req.HeadSHA, decision.CodeGateError, fmt.Errorf("judging the retrospective review of the override: %w", err))
		}
	}
	override.WarnOverdue(out.Decision, req.OverdueReviews)
	return out
}

// judgeRetrospective finds the counted CSO's review of an overridden head
// (release mode, after the merge). The override is recorded on the
// decision whenever it applies to the head: when it let the head through,
// and also when a counted CSO has since approved the head, so the release
// lists it as reviewed. The review is the first counted approval of the head
// by someone other than the emergency approver, or else the first
// `/csogate retrospective` comment whose author passes every check an
// approval passes: judge them as approving reviews of the head (approvals).
func judgeRetrospective(d *decision.Decision, applies *decision.Override, comments []override.Comment, head string,
	approvals func([]facts.Review) ([]policy.Approval, error)) error {
	// overridden: the override is still what lets the head through (the
	// approvals given fall short, e.g. one CSO of the two a rule asks for).
	// An approval given before the override is then part of what it
	// overrode, not a review after it: only one submitted at or after the
	// override counts as its retrospective review. When the approvals now
	// suffice without the override, the head is approved by the rules, and
	// any counted approval stands.
	overridden := d.Override != nil
	switch {
	case overridden:
	case d.Decision == decision.Approved && d.CountedApprovals > 0:
		d.Override = applies
	default:
		return nil // not overridden: blocked for more, or needing no approval
	}
	counted := func(list []policy.Approval) *policy.Approval {
		for i, a := range list {
			if a.Counted && !strings.EqualFold(a.Login, applies.By) && (!overridden || notBefore(a.SubmittedAt, applies.Time)) {
				return &list[i]
			}
		}
		return nil
	}
	if a := counted(d.Approvals); a != nil {
		d.Override.Retrospective = &decision.Retrospective{By: a.Login, Name: a.Name, At: a.SubmittedAt, Via: "review", ID: a.ReviewID}
		return nil
	}
	all, refused := override.RetrospectiveCandidates(comments, head)
	var candidates []facts.Review
	for _, c := range all {
		if !notBefore(c.SubmittedAt.UTC().Format(time.RFC3339), applies.Time) {
			refused = append(refused, decision.OverrideRefusal{CommentID: c.ID, By: c.Login,
				Why: fmt.Sprintf("retrospective review: posted before the override (%s): a retrospective review comes after it; post a new comment", applies.Time)})
			continue
		}
		candidates = append(candidates, c)
	}
	d.OverridesRefused = append(d.OverridesRefused, refused...)
	if len(candidates) == 0 {
		return nil
	}
	judged, err := approvals(candidates)
	if err != nil {
		return err
	}
	findings := map[int64]string{}
	for _, c := range comments {
		findings[c.ID] = override.Finding(c)
	}
	for _, a := range judged {
		switch {
		case a.Counted && strings.EqualFold(a.Login, applies.By):
			d.OverridesRefused = append(d.OverridesRefused, decision.OverrideRefusal{CommentID: a.ReviewID, By: a.Login,
				Why: "retrospective review: the emergency approver cannot review their own override; another counted CSO must"})
		case a.Counted && d.Override.Retrospective == nil:
			d.Override.Retrospective = &decision.Retrospective{By: a.Login, Name: a.Name, At: a.SubmittedAt, Via: "comment", ID: a.ReviewID, Finding: findings[a.ReviewID]}
		case !a.Counted:
			why := a.WhyNot
			if a.WhyNotDetail != "" {
				why = a.WhyNotDetail
			}
			d.OverridesRefused = append(d.OverridesRefused, decision.OverrideRefusal{CommentID: a.ReviewID, By: a.Login,
				Why: "retrospective review: @" + a.Login + " is not a counted CSO for this change: " + why})
		}
	}
	return nil
}

// notBefore reports whether the RFC 3339 time at is at or after from; an
// unreadable time is not (the gate does not guess in the change's favour).
func notBefore(at, from string) bool {
	a, errA := time.Parse(time.RFC3339, at)
	f, errF := time.Parse(time.RFC3339, from)
	return errA == nil && errF == nil && !a.Before(f)
}

// Validate reads and checks the files without deciding anything. Unlike
// Evaluate it does not require files that were not named and do not exist,
// and it reports unknown hazards as problems. checked lists the files read.
func Validate(ctx context.Context, req *Request) (problems, warnings safetyfile.Problems, checked []string, err error) {
	l, err := load(ctx, req, false)
	if err != nil {
		return nil, nil, nil, err
	}
	problems = l.problems
	if l.manifest != nil && l.log != nil && !l.logRefused {
		problems = append(problems, safetyfile.CheckHazardRefs(l.manifest, l.mLocate, l.log, req.Paths.HazardLog)...)
	}
	if len(l.policies) > 0 {
		// A custom policy that does not compile would block every run:
		// validate says so now, at its line.
		if _, err := engines.load(ctx, l.policies); err != nil {
			problems = append(problems, policyProblems(err)...)
		}
	}
	problems.Clean()
	problems.Sort()
	seen := map[string]bool{}
	for _, f := range l.files {
		name := f.Path
		if f.Role == "hazard_log" {
			name = req.Paths.HazardLog
		}
		if !seen[name] {
			seen[name] = true
			checked = append(checked, name)
		}
	}
	return problems, l.warnings, checked, nil
}

// readManifestAndRegister reads the manifest from the workspace and the
// register from the trusted side.
func (l *loaded) readManifestAndRegister(ctx context.Context, req *Request, ws DirSource, required bool) error {
	p := req.Paths
	if data, found, err := ws.ReadFile(ctx, p.Manifest); err != nil {
		if err := l.inputFault(err); err != nil {
			return fmt.Errorf("reading %s: %w", p.Manifest, err)
		}
	} else if found {
		l.record("manifest", p.Manifest, "workspace", data)
		var problems safetyfile.Problems
		l.manifest, l.mLocate, problems = safetyfile.LoadManifest(p.Manifest, data)
		l.problems = append(l.problems, problems...)
	} else if required || p.Named["manifest"] {
		l.missing(p.Manifest, ws.Describe(), "the change manifest of the release (docs/reference.md section 1.2); create it or pass --manifest")
	}
	if data, found, err := req.Trusted.ReadFile(ctx, p.Register); err != nil {
		if err := l.inputFault(err); err != nil {
			return fmt.Errorf("reading %s from %s: %w", p.Register, req.Trusted.Describe(), err)
		}
	} else if found {
		l.record("register", p.Register, "trusted", data)
		reg, _, problems := safetyfile.LoadRegister(p.Register, data)
		l.register = reg
		l.problems = append(l.problems, problems...)
	} else if required || p.Named["register"] {
		l.missing(p.Register, req.Trusted.Describe(), "the CSO register (docs/reference.md section 1.3); without it nobody can approve")
	}
	return nil
}

// policyLine matches one "file:line:col: message" of a policy compile error.
var policyLine = regexp.MustCompile(`^(\S+?):(\d+):(\d+): (.+)$`)

// policyProblems turns a policy compile error into problems at their lines.
func policyProblems(err error) safetyfile.Problems {
	var out safetyfile.Problems
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if m := policyLine.FindStringSubmatch(line); m != nil {
			ln, _ := strconv.Atoi(m[2])
			col, _ := strconv.Atoi(m[3])
			out = append(out, safetyfile.Problem{Location: safetyfile.Location{File: m[1], Line: ln, Column: col},
				Code: safetyfile.CodeInputInvalid, Message: "policy does not compile: " + m[4]})
		}
	}
	if len(out) == 0 {
		out = append(out, safetyfile.Problem{Code: safetyfile.CodeInputInvalid, Message: "policies do not compile: " + err.Error()})
	}
	return out
}

// load reads every file from its side of the trust boundary. required says
// whether the manifest and register must exist (check) or may be absent
// (validate).
func load(ctx context.Context, req *Request, required bool) (*loaded, error) {
	l := &loaded{}
	p := req.Paths
	ws := DirSource{Root: req.WorkspaceRoot, Name: "the workspace"}

	// Configuration first: it shapes how the hazard log is read.
	cfg := safetyfile.DefaultConfig()
	l.config = &cfg
	if data, found, err := req.Trusted.ReadFile(ctx, p.Config); err != nil {
		if err := l.inputFault(err); err != nil {
			return l, fmt.Errorf("reading %s from %s: %w", p.Config, req.Trusted.Describe(), err)
		}
	} else if found {
		l.record("config", p.Config, "trusted", data)
		c, _, problems := safetyfile.LoadConfig(p.Config, data)
		l.config = c
		l.problems = append(l.problems, problems...)
	} else if p.ConfigRequired {
		l.missing(p.Config, req.Trusted.Describe(), "the gate configuration; create it or leave --config unset to use the defaults")
	}

	l.policyDirs = append(append([]string{}, l.config.Policies...), p.Policies...)
	for _, dir := range l.policyDirs {
		files, err := req.Trusted.ReadDir(ctx, dir)
		if err != nil {
			if err := l.inputFault(err); err != nil {
				return l, fmt.Errorf("reading policy directory %s from %s: %w", dir, req.Trusted.Describe(), err)
			}
			continue
		}
		if len(files) == 0 {
			l.missing(dir, req.Trusted.Describe(), "a policy directory with .rego files; create it or remove it from the configuration")
			continue
		}
		names := make([]string, 0, len(files))
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if strings.HasSuffix(name, ".rego") {
				l.record("policy", name, "trusted", files[name])
				l.policies = append(l.policies, policy.Source{Path: name, Content: files[name]})
			}
		}
	}

	// The manifest and the register are read and decoded on another
	// goroutine while this one parses the hazard log, the largest input; what
	// each finds is merged after both are done.
	other := &loaded{}
	done := make(chan error, 1)
	go func() { done <- other.readManifestAndRegister(ctx, req, ws, required) }()
	logErr := l.readHazardLog(req, required || p.Named["hazard-log"])
	if logErr == nil {
		l.checkLogReviewed(req)
	}
	if logErr == nil {
		logErr = l.readComponentsMap(ctx, ws, p.ComponentsMap)
	}
	err := <-done
	l.manifest, l.mLocate, l.register = other.manifest, other.mLocate, other.register
	l.problems = append(l.problems, other.problems...)
	l.files = append(l.files, other.files...)
	for name, data := range other.trusted {
		if l.trusted == nil {
			l.trusted = map[string][]byte{}
		}
		l.trusted[name] = data
	}
	if err == nil {
		err = logErr
	}
	// Every message that may quote an input is made safe here, once for
	// every reader (safetyfile.Problems.Clean).
	l.problems.Clean()
	l.warnings.Clean()
	if err != nil {
		return l, err
	}

	// Inputs are listed in one fixed order of roles, whatever order they
	// were read in, so records and notes compare across versions.
	sort.SliceStable(l.files, func(i, j int) bool { return roleOrder[l.files[i].Role] < roleOrder[l.files[j].Role] })
	return l, nil
}

// roleOrder is the order inputs are listed in.
var roleOrder = map[string]int{"config": 0, "hazard_log": 1, "components_map": 2, "manifest": 3, "register": 4, "policy": 5}

// readHazardLog reads the hazard log from the workspace. The error is a file
// that exists but cannot be read (an operational failure, as for the other
// inputs); everything wrong with what it says is a problem.
func (l *loaded) readHazardLog(req *Request, required bool) error {
	p := req.Paths
	if req.HazardLogIssues != nil {
		format, err := hazardlog.DetectFormat(p.HazardLog, false, p.HazardLogFormat)
		if _, ok := format.IssueLabel(); err != nil || !ok {
			l.problems = append(l.problems, safetyfile.Problem{Location: safetyfile.Location{File: p.HazardLog}, Code: safetyfile.CodeInputInvalid,
				Message: "a listing of hazard issues was given, but the hazard-log format is not github-issues; give the format github-issues[:label=NAME]"})
			return nil
		}
		l.readIssues(p.HazardLog, format, req.HazardLogIssues)
		return nil
	}
	if err := safetyfile.CheckNoLink(req.WorkspaceRoot, p.HazardLog); err != nil {
		if err := l.inputFault(err); err != nil {
			return fmt.Errorf("reading the hazard log %s: %w", p.HazardLog, err)
		}
		return nil
	}
	full := filepath.Join(req.WorkspaceRoot, filepath.FromSlash(p.HazardLog))
	info, err := os.Stat(full)
	if err != nil {
		if !required {
			return nil
		}
		l.missing(p.HazardLog, "the workspace", "the hazard log (docs/reference.md section 1.1); create it or pass --hazard-log")
		return nil
	}
	format, err := hazardlog.DetectFormat(p.HazardLog, info.IsDir(), p.HazardLogFormat)
	if err != nil {
		l.problems = append(l.problems, safetyfile.Problem{Location: safetyfile.Location{File: p.HazardLog}, Code: safetyfile.CodeInputInvalid, Message: err.Error()})
		return nil
	}
	l.logFormat = format
	if _, ok := format.IssueLabel(); ok {
		// The CLI's listing of the issues: judged, and recorded, as an
		// answer from GitHub, not as a file of the commit.
		if tooLarge, over := safetyfile.CheckSize(p.HazardLog, info.Size(), l.config.HazardLogLimit()); over {
			l.problems = append(l.problems, tooLarge)
			l.logRefused = true
			return nil
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return fmt.Errorf("reading the hazard log %s: %w", p.HazardLog, err)
		}
		l.readIssues(p.HazardLog, format, data)
		return nil
	}
	res := hazardlog.Load(full, hazardlog.Options{Format: format, Sheet: p.Sheet, Config: l.config})
	rel := relocate(full, p.HazardLog)
	if res.Err != nil {
		return fmt.Errorf("reading the hazard log %s: %w", p.HazardLog, res.Err)
	}
	for _, pr := range res.Problems {
		pr.File = rel(pr.File)
		l.problems = append(l.problems, pr)
	}
	for _, w := range res.Warnings {
		w.File = rel(w.File)
		l.warnings = append(l.warnings, w)
	}
	names := make([]string, 0, len(res.Files))
	for name := range res.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		l.files = append(l.files, InputFile{Role: "hazard_log", Path: rel(name), Side: "workspace", SHA256: res.Files[name]})
	}
	l.log, l.logRefused = res.Log, res.Refused
	if l.log != nil && strings.TrimSpace(l.log.Product) == "" && l.config.Product != "" {
		l.log.Product = l.config.Product
	}
	return nil
}

// readIssues reads a hazard log kept as GitHub issues from their listing,
// recorded on the side "github" with its bytes, so a replay judges the
// same issues.
func (l *loaded) readIssues(name string, format hazardlog.Format, data []byte) {
	l.logFormat = format
	res := hazardlog.LoadIssues(name, data, format, l.config)
	l.problems = append(l.problems, res.Problems...)
	l.warnings = append(l.warnings, res.Warnings...)
	if l.fromGitHub == nil {
		l.fromGitHub = map[string][]byte{}
	}
	l.fromGitHub[name] = data
	sum := sha256.Sum256(data)
	l.files = append(l.files, InputFile{Role: "hazard_log", Path: name, Side: "github", SHA256: hex.EncodeToString(sum[:])})
	l.log, l.logRefused = res.Log, res.Refused
}

// checkLogReviewed holds the configuration's hazard_log_reviewed to its
// purpose: the review date of a hazard log kept as GitHub issues, which has
// none of its own. Beside a log file's own reviewed: date it would be a
// second answer to one question; in the future it would keep
// HAZARD_LOG_STALE quiet for years.
func (l *loaded) checkLogReviewed(req *Request) {
	d := l.config.HazardLogReviewed
	if !d.IsSet() {
		return
	}
	at := safetyfile.Location{File: req.Paths.Config}
	if _, issues := l.logFormat.IssueLabel(); !issues && l.log != nil {
		l.problems = append(l.problems, safetyfile.Problem{Location: at, Code: safetyfile.CodeInputInvalid,
			Message: fmt.Sprintf("hazard_log_reviewed: %s is for a hazard log kept as GitHub issues, but %s is a file with its own reviewed: date; remove hazard_log_reviewed and keep the date in the log", d, req.Paths.HazardLog)})
		return
	}
	if today := req.Today.UTC(); !req.Today.IsZero() && d.Time.After(today) {
		l.problems = append(l.problems, safetyfile.Problem{Location: at, Code: safetyfile.CodeInputInvalid,
			Message: fmt.Sprintf("hazard_log_reviewed: %s is in the future (today is %s); write the day a CSO last reviewed the whole hazard log", d, today.Format(time.DateOnly))})
	}
}

// relocate rewrites paths under the absolute workspace location back to the
// repository-relative form the user named, so messages read as they typed them.
func relocate(full, rel string) func(string) string {
	return func(name string) string {
		if name == full {
			return rel
		}
		if strings.HasPrefix(name, full+string(filepath.Separator)) {
			return path.Join(rel, filepath.ToSlash(strings.TrimPrefix(name, full+string(filepath.Separator))))
		}
		return filepath.ToSlash(name)
	}
}

func (l *loaded) readComponentsMap(ctx context.Context, ws DirSource, name string) error {
	data, found, err := ws.ReadFile(ctx, name)
	if err != nil {
		if err := l.inputFault(err); err != nil {
			return fmt.Errorf("reading the components map %s: %w", name, err)
		}
		return nil
	}
	if !found {
		return nil
	}
	l.record("components_map", name, "workspace", data)
	m, locate, problems := safetyfile.LoadComponentsMap(name, data)
	l.problems = append(l.problems, problems...)
	l.componentsMap = m
	if l.log != nil {
		l.problems = append(l.problems, safetyfile.CheckComponentsMap(m, locate, l.log)...)
		safetyfile.ApplyComponentsMap(l.log, m)
	}
	return nil
}

// inputFault records an input that is a symbolic link or a directory as the
// problem it is (INPUT_INVALID, exit 2, like a missing file) and returns
// nil; any other error, a failure to read, is returned (GATE_ERROR, exit 3).
func (l *loaded) inputFault(err error) error {
	if p, ok := safetyfile.InputProblem(err); ok {
		l.problems = append(l.problems, p)
		return nil
	}
	return err
}

func (l *loaded) missing(name, side, what string) {
	l.problems = append(l.problems, safetyfile.Problem{Location: safetyfile.Location{File: name}, Code: safetyfile.CodeInputInvalid,
		Message: fmt.Sprintf("file not found in %s: expected %s", side, what)})
}

func (l *loaded) record(role, name, side string, data []byte) {
	if side == "trusted" {
		if l.trusted == nil {
			l.trusted = map[string][]byte{}
		}
		l.trusted[name] = data
	}
	sum := sha256.Sum256(data)
	l.files = append(l.files, InputFile{Role: role, Path: name, Side: side, SHA256: hex.EncodeToString(sum[:])})
}

// safetyFiles lists the gate's own inputs, whose change always needs a CSO.
// Each is its path and everything under it, whatever is there: the readers
// decide a hazard log's layout from what the head holds (a file of any
// extension they read, or a directory of Markdown files), and a pull request
// can turn one into the other, so the path itself, not a list of extensions,
// says what is the hazard log. The manifest is one too: it holds the change
// impact assessment, and declaring a change `clinical: false`, or deleting a
// declared clinical change, is a clinical safety judgement for the CSO.
func safetyFiles(p Paths, policyDirs []string) map[string]string {
	m := map[string]string{}
	add := func(name, kind string) {
		name = strings.TrimSuffix(path.Clean(name), "/")
		if name == "" || name == "." {
			return
		}
		m[name] = kind
		m[name+"/"] = kind
	}
	add(p.HazardLog, "hazard_log")
	add(p.Manifest, "manifest")
	add(p.Register, "register")
	add(p.Config, "config")
	add(p.ComponentsMap, "components_map")
	for _, dir := range policyDirs {
		add(dir, "policy")
	}
	return m
}

// changedSince returns the head manifest's changes that are new or differ from
// the base manifest: those are the changes a pull request puts under review.
// An unreadable base puts every change under review.
func changedSince(base []byte, head []safetyfile.Change) []safetyfile.Change {
	old, _, problems := safetyfile.LoadManifest("base manifest", base)
	if len(problems) > 0 && len(old.Changes) == 0 {
		return head
	}
	byID := make(map[string]safetyfile.Change, len(old.Changes))
	for _, c := range old.Changes {
		byID[c.ID] = c
	}
	var out []safetyfile.Change
	for _, c := range head {
		if prev, ok := byID[c.ID]; ok && reflect.DeepEqual(prev, c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// checkRepository looks the checked hazards' components and their
// controls' evidence up in the repository's files at the head. The list is
// read only when a hazard needs checking; a list that cannot be read fails
// the evaluation (GATE_ERROR), never passes the rules unchecked.
func checkRepository(ctx context.Context, req *Request, l *loaded, in *facts.Input, out *Outcome) error {
	hazards, scope := facts.RepositoryHazards(l.log, in)
	in.Repository.Scope, in.Repository.Hazards = scope, len(hazards)
	if len(hazards) == 0 {
		in.Repository.Why = "no hazard to check: " + scope + " (closed hazards are not checked)"
		if scope == "the hazards the change set touches" {
			in.Repository.Why = "the change set touches no hazard that is not closed"
		}
		return nil
	}
	if req.RepoFiles == nil {
		return nil
	}
	tree, err := req.RepoFiles.Tree(ctx)
	if err != nil {
		return fmt.Errorf("listing the repository's files at %s to check hazard components and control evidence: %w", headName(req.HeadSHA), err)
	}
	res := repofiles.Check(tree, hazards)
	in.SetRepository(l.log, res, tree.Source, func(id string) string {
		if m := l.componentsMap[id]; len(m) > 0 {
			for _, h := range l.log.Hazards {
				if h.ID == id && reflect.DeepEqual(h.Components, m) {
					return req.Paths.ComponentsMap
				}
			}
		}
		return req.Paths.HazardLog
	})
	out.RepoFiles = &RepoFilesSeen{Source: tree.Source, Entries: repofiles.SortedWitnesses(res.Witnesses)}
	return nil
}

func headName(sha string) string {
	if sha == "" {
		return "the head"
	}
	return "the head " + decision.ShortSHA(sha)
}
