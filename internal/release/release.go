// Package release gates a release before deployment. Branch protection can be
// bypassed by admins, and a release collects many pull requests, so the
// release step asks again: did every clinically relevant change between the
// previous release and the released commit get an independent, qualified
// CSO's approval on the code that shipped, and did a CSO sign the release
// itself off?
//
// The range starts after the last earlier release that passed the gate (or
// the configuration's baseline before any did; see findRange), so every
// commit that ships has been judged by a gate run that passed.
//
// It lists the commits of the release (compare API), maps them to the merged
// pull requests that brought them (commit → pull requests API), evaluates
// each pull request as the pull-request gate would on its final head commit,
// reports commits that came without a pull request (DIRECT_PUSH), and
// evaluates the release as a whole: the release's manifest and hazard log,
// with the CSO approval of the pull request that prepared the release as its
// sign-off (CSO_RELEASE_SIGNOFF_REQUIRED).
package release

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/override"
	"github.com/csogate/csogate/internal/pullfacts"
	"github.com/csogate/csogate/internal/safetyfile"
)

// API is the part of *github.Client release mode uses: what a pull request's
// evaluation reads (pullfacts.API), and the range, its commits and their pull
// requests. Tests use the real client against githubtest, so the JSON GitHub
// sends is what is tested.
type API interface {
	pullfacts.API
	Tags(ctx context.Context, owner, repo string) ([]github.Tag, error)
	Comparison(ctx context.Context, owner, repo, base, head string) (github.Comparison, error)
	StatusState(ctx context.Context, owner, repo, sha, statusContext string) (string, error)
	PullRequestsForCommit(ctx context.Context, owner, repo, sha string) ([]github.PullRequest, error)
	CommitFiles(ctx context.Context, owner, repo, sha string) ([]github.ChangedFile, error)
	// FilesSince lists what head changed since it diverged from base: the
	// base branch's changes since a pull request branched, when its merge
	// left a file of its own otherwise than its head.
	FilesSince(ctx context.Context, owner, repo, base, head string) ([]github.ChangedFile, bool, error)
	PullRequest(ctx context.Context, owner, repo string, number int) (github.PullRequest, error)
	// IssueComments are a pull request's comments: its emergency overrides
	// and retrospective reviews.
	IssueComments(ctx context.Context, owner, repo string, number int) ([]github.IssueComment, error)
	// IssuesWithLabel lists the retrospective review issues, open and
	// closed: they name the overridden pull requests before the range.
	IssuesWithLabel(ctx context.Context, owner, repo, label string) ([]github.Issue, error)
	// HazardIssues lists a hazard log kept as GitHub issues, once per
	// release: every pull request's evaluation and the release's judge it.
	HazardIssues(ctx context.Context, owner, repo, label string) ([]byte, error)
	// LatestStatus is StatusState with the status's time, asked instead of
	// it for a hazard log kept as issues: hazard issues updated after the
	// previous release passed are changes since that release.
	LatestStatus(ctx context.Context, owner, repo, sha, statusContext string) (github.CommitStatus, error)
	// IssueEvents is a hazard issue's timeline, read for each issue
	// updated since the previous release: its labels, state and title then.
	IssueEvents(ctx context.Context, owner, repo string, number int) ([]github.IssueEvent, error)
	// IssuesUpdatedSince lists every issue updated since the previous
	// release, whatever its labels: a hazard issue whose label was removed
	// is among them, and no longer in the hazard listing.
	IssuesUpdatedSince(ctx context.Context, owner, repo string, since time.Time) ([]byte, error)
	// CommitStatuses lists every status on a commit: the previous passed
	// release's retrospective statuses name the overridden pull requests
	// whose review was outstanding when it passed.
	CommitStatuses(ctx context.Context, owner, repo, sha string) ([]github.CommitStatus, error)
}

var _ API = (*github.Client)(nil)

// Request is one release to gate.
type Request struct {
	Owner, Repo string
	// Tag is the release's tag, e.g. v2.4.0 (from the event, or the
	// release-ref input); a refs/tags/ prefix is dropped.
	Tag string
	// ReleaseSHA is the released commit; "" resolves Tag through the
	// repository's tags.
	ReleaseSHA string
	// Since widens the range: a tag or commit sha that is an ancestor of
	// the default start (findRange), which it replaces. One that would leave
	// out a commit of the default range is refused. "" keeps the default.
	Since string
	// StatusContext is the commit status context of the gate's release runs:
	// a tag whose commit carries it as success is a release that passed.
	StatusContext string
	// Paths names the safety files; a zero Paths means the contract's defaults.
	Paths gate.Paths
	// WorkspaceRoot is a checkout of the released commit: the release's
	// hazard log, manifest and components map are read from it. "" reads them
	// from the released commit through the contents API instead.
	WorkspaceRoot string
	// WorkspaceSHA is the commit WorkspaceRoot is a checkout of, when the
	// caller knows it only by the runner's word (GITHUB_SHA) rather than by
	// the tag: a checkout of another commit than the tag's is not used, and
	// the release's files are read through the contents API. "" trusts
	// WorkspaceRoot as it is.
	WorkspaceSHA string
	Today        time.Time
	// TestResults are the JUnit XML reports the release workflow's test run
	// wrote at the released commit (the test-results input), read from disk
	// by the caller; TestResultsGiven is false when none were asked for.
	// The release-level evaluation judges them against the controls of the
	// hazards the release touches (CONTROL_TEST_FAILED, CONTROL_TEST_MISSING);
	// each pull request's evaluation does not: its own workflow run judged
	// its head.
	TestResults      []gate.TestResultFile
	TestResultsGiven bool
	// PermissionsBlock is the job's permissions: block to quote when GitHub
	// refuses for a missing permission (the message names the entry; the
	// block is what to copy); "" quotes none.
	PermissionsBlock string
}

// Result is the release decision with what it stands on.
type Result struct {
	Tag, Version, PreviousTag, ReleaseSHA string
	// PreviousSHA is the commit the range starts after.
	PreviousSHA string
	// PreviousBy says how the start was chosen: PreviousPassed,
	// PreviousBaseline or PreviousSince.
	PreviousBy string
	// Skipped are the tags above the start not taken as the previous
	// release, highest first, with the reason.
	Skipped []SkippedTag
	// Pulls are the merged pull requests of the range, in merge order.
	Pulls        []Pull
	DirectPushes []DirectPush
	// MergesUnchecked are pull requests' files their merge left with content
	// other than the reviewed head's where the base branch had also changed
	// them since the pull request branched (or GitHub's list of the base's
	// changes may be cut): merged from both sides, so not checked.
	MergesUnchecked []MergeAlteration
	// Earlier are overridden pull requests merged before the range, found
	// through their retrospective review issues and judged again as they
	// stand (each with its outcome); only those whose override the gate
	// finds are kept.
	Earlier []Pull
	// ChainFrom is the previous release that passed the gate, whose
	// retrospective statuses were read ("" when none passed, or the
	// configuration allows no override); ChainPulls are the pull requests
	// they name, each judged again with those of the retrospective issues.
	ChainFrom  string
	ChainPulls []int
	// Overrides are the emergency overrides of the range's pull requests
	// and of Earlier, with their retrospective review's status. The release
	// decision's overrides are those of the range and the overdue earlier
	// ones; the Action keeps every one's retrospective issue up to date.
	Overrides []decision.OverrideStatus
	// Preparing is the pull request that prepared the release: the last one
	// in merge order whose head sets the manifest's release: to Version and
	// whose base did not. Nil when none did.
	Preparing *Pull
	// Release is the release-level evaluation; its Decision is the release
	// decision, with every pull request's findings and the direct pushes
	// added.
	Release *gate.Outcome
	// Request is the release-level evaluation's request, for the decision
	// record; nil when the release failed before it.
	Request *gate.Request
	// Date is the day the release was gated (Request.Today), YYYY-MM-DD:
	// the safety case addendum's date, so a replay renders the same one.
	Date string
	// HazardLogChanges is what changed in the hazard log from the commit the
	// range starts after (PreviousSHA) to the released commit, hazard by
	// hazard, for the safety case addendum; nil when the release was not
	// evaluated as far as its hazard log.
	HazardLogChanges *facts.HazardLogChanges
	// HazardIssuesLabel is the label of a hazard log kept as GitHub issues;
	// "" for a hazard log kept in the repository.
	HazardIssuesLabel string
	// HazardIssuesSince is when the previous release passed the gate (its
	// release status's time): hazard issues GitHub updated after it are
	// HazardIssueEdits. Zero when no earlier release that passed the gate
	// starts the range (the baseline, or since): every hazard issue is then
	// listed.
	HazardIssuesSince time.Time
	// HazardIssueEdits are the hazard issues updated since then: changes to
	// the hazard log no pull request carried, under the release's sign-off.
	HazardIssueEdits []hazardlog.IssueEdit
	// Err is what stopped the release from being gated (its decision says
	// so already), for a caller that explains errors further; nil when the
	// evaluation ran to its end.
	Err error
}

// Pull is a merged pull request of the release and its gate evaluation.
type Pull struct {
	Number                           int
	Title, URL, Author               string
	HeadSHA, BaseSHA, MergeCommitSHA string
	MergedAt                         time.Time
	// Outcome is the pull-request gate's evaluation on its final head; nil
	// when the release failed before it was evaluated.
	Outcome *gate.Outcome
	// Request is what that evaluation judged (for the decision record).
	Request *gate.Request
}

// DirectPush is a commit that reached the release without a merged pull
// request, or the part of a pull request's merge commit that the pull
// request did not change.
type DirectPush struct {
	SHA    string
	Author string // GitHub login, or the author's email address
	Files  []string
	// Pull is the pull request whose merge (first-parent) commit SHA is,
	// when Files are what that commit changed beyond the pull request's own
	// files, or left otherwise than its reviewed head; 0 for a commit
	// without a pull request.
	Pull int
	// Altered are the files of Files that are the pull request's own, which
	// the commit left with content other than its reviewed head's (the base
	// branch had not changed them since the pull request branched).
	Altered []string
	// Clinical is true when a file matches a hazard's components or a
	// clinical path, or is one of the gate's own inputs, by the release's
	// hazard log and configuration (or could not be checked against them).
	Clinical bool
}

// Evaluate gates the release. It never returns nil, and never approves what
// it could not check: an unusable request is blocked with exit 2, any GitHub
// or I/O failure blocked with exit 3 (GITHUB_UNAVAILABLE or GATE_ERROR).
func Evaluate(ctx context.Context, api API, req Request) *Result {
	res := &Result{Tag: strings.TrimPrefix(req.Tag, "refs/tags/"), ReleaseSHA: req.ReleaseSHA}
	res.Version = versionOf(res.Tag)
	if !req.Today.IsZero() {
		res.Date = req.Today.UTC().Format(time.DateOnly)
	}
	if req.Paths.Manifest == "" {
		req.Paths = gate.DefaultPaths()
	}
	e := &evaluator{api: api, req: req, res: res, c: pullfacts.NewReader(api, req.Owner, req.Repo),
		broughtBy: map[string]*pullState{}, states: map[string]string{}, statusTimes: map[string]time.Time{}, comparisons: map[[2]string]github.Comparison{}}
	if err := e.run(ctx); err != nil {
		res.Err = err
		d := failure(res, err)
		var permission *github.PermissionError
		if errors.As(err, &permission) && req.PermissionsBlock != "" && len(d.Violations) > 0 {
			d.Violations[len(d.Violations)-1].Message += "; the job needs " + req.PermissionsBlock
		}
		res.Release = &gate.Outcome{Decision: d}
	}
	return res
}

// evaluator carries one release evaluation.
type evaluator struct {
	api API
	req Request
	res *Result
	c   *pullfacts.Reader

	pulls []*pullState
	// broughtBy maps each commit of the range that a pull request brought
	// (its merge commit, its own commits) to that pull request.
	broughtBy map[string]*pullState

	// states and comparisons keep what GitHub said of a commit's release
	// status and of a pair of commits, so each is asked once.
	states      map[string]string
	statusTimes map[string]time.Time
	comparisons map[[2]string]github.Comparison

	// issues is the listing of a hazard log kept as GitHub issues, read once
	// for the whole release; edited names the issues updated since the
	// previous release ("#3").
	issues []byte
	edited []string
	// baseIssues is the listing as it stood at the previous release,
	// rebuilt from the edited issues' timelines; nil when not rebuilt.
	baseIssues []byte
	// passed is the previous release that passed the gate (the default
	// start, even when since widens the range); zero when none did. Its
	// retrospective statuses carry the outstanding overrides forward.
	passed github.Tag
}

// pullState is a pull request being evaluated, with what release mode needs
// of it beyond Pull.
type pullState struct {
	pr      github.PullRequest
	commits []github.Commit
	// req is the gate's request for the pull request, once its facts are read.
	req     *gate.Request
	outcome *gate.Outcome
}

// run finds the range, its pull requests and direct pushes, evaluates each
// pull request and then the release, and leaves the decision in e.res. An
// error means the release could not be gated.
func (e *evaluator) run(ctx context.Context) error {
	req, res := e.req, e.res
	if req.Owner == "" || req.Repo == "" {
		return inputErrorf("no repository to gate: name its owner and name (GITHUB_REPOSITORY)")
	}
	if res.Tag == "" {
		return inputErrorf("no release to gate: a tag push or a published release names it; on workflow_dispatch pass release-ref: <tag>")
	}
	tags, err := e.api.Tags(ctx, req.Owner, req.Repo)
	if err != nil {
		return fmt.Errorf("listing the repository's tags to find the release %s: %w", res.Tag, err)
	}
	sha, tagged := tagSHA(tags, res.Tag)
	switch {
	case res.ReleaseSHA == "" && !tagged:
		return inputErrorf("%s is not a tag of %s/%s: push the tag before gating the release, or correct release-ref", res.Tag, req.Owner, req.Repo)
	case res.ReleaseSHA == "":
		res.ReleaseSHA = sha
	case tagged && sha != res.ReleaseSHA:
		// Gating one commit under another commit's tag would approve code
		// that is not the release.
		return inputErrorf("the tag %s points at %s, not at the commit being gated, %s: gate the tagged commit (check out the tag), or correct release-ref",
			res.Tag, decision.ShortSHA(sha), decision.ShortSHA(res.ReleaseSHA))
	}
	rng, err := e.findRange(ctx, tags)
	if err != nil {
		return err
	}
	direct, err := e.mapCommits(ctx, rng)
	if err != nil {
		return err
	}

	if err := e.readHazardIssues(ctx); err != nil {
		return err
	}
	e.publishPulls()

	tmp, err := os.MkdirTemp("", "csogate-release-")
	if err != nil {
		return fmt.Errorf("creating a directory for the pull requests' files: %w", err)
	}
	defer os.RemoveAll(tmp)

	if err := e.evaluatePulls(ctx, tmp); err != nil {
		return err
	}
	if err := e.findPreparing(ctx); err != nil {
		return err
	}
	pushed := make([][]github.ChangedFile, len(direct))
	if err := inGroups(len(direct), func(i int) error {
		var err error
		if pushed[i], err = e.api.CommitFiles(ctx, req.Owner, req.Repo, direct[i].SHA); err != nil {
			return fmt.Errorf("reading the files of commit %s, which has no merged pull request: %w", decision.ShortSHA(direct[i].SHA), err)
		}
		return nil
	}, func(i int) {
		c := direct[i]
		res.DirectPushes = append(res.DirectPushes, DirectPush{SHA: c.SHA, Author: commitAuthor(c), Files: pullfacts.ChangedPaths(pushed[i])})
	}); err != nil {
		return err
	}
	if err := e.checkMerges(ctx, rng); err != nil {
		return err
	}

	greq, out, err := e.evaluateRelease(ctx, tmp)
	if err != nil {
		return err
	}
	if err := e.compareWithPrevious(ctx, out); err != nil {
		return err
	}
	res.Release, res.Request = out, greq
	if err := e.findEarlierOverrides(ctx, tmp, out); err != nil {
		return err
	}
	e.finish(out)
	return nil
}

// compareWithPrevious compares the release's hazard log with the one at the
// commit the range starts after, read through the contents API in the same
// layout (so the read is in the run's transcript and replays), for the
// safety case addendum. A log absent there (the gate adopted since) or one
// that does not read cleanly is reported as not compared; failing to read
// it from GitHub stops the release, whose addendum would be incomplete.
func (e *evaluator) compareWithPrevious(ctx context.Context, out *gate.Outcome) error {
	res := e.res
	if out.Input == nil || res.PreviousSHA == "" {
		return nil
	}
	what := "the previous release " + res.PreviousTag
	switch res.PreviousBy {
	case PreviousBaseline:
		what = "the baseline " + res.PreviousTag
	case PreviousSince:
		what = "the range's start " + res.PreviousTag
	}
	if res.HazardIssuesLabel != "" {
		// Issues have no commit: the release's evaluation compared the
		// issues with them as they stood at the previous release, rebuilt
		// from the edited issues' timelines (or said why it could not).
		changes := out.Input.HazardLogChanges
		if len(res.HazardIssueEdits) == 0 {
			changes.Base = what + ": no hazard issue was updated since"
		}
		res.HazardLogChanges = &changes
		return nil
	}
	changes, err := out.CompareHazardLogWith(ctx, e.c.Source(res.PreviousSHA, what), e.req.Paths)
	if err != nil {
		return fmt.Errorf("reading the hazard log of %s at %s to compare it with the release's: %w", res.PreviousTag, decision.ShortSHA(res.PreviousSHA), err)
	}
	res.HazardLogChanges = &changes
	return nil
}

// readHazardIssues lists a hazard log kept as GitHub issues, once for the
// whole release, and finds the issues GitHub updated since the previous
// release passed the gate (its release status's time, set by GitHub): those
// are changes to the hazard log that no pull request carried, and the
// release's sign-off must cover them. With no passed release to start from
// (the baseline, or since), no earlier gate run is known to have read the
// issues, and every one is listed.
func (e *evaluator) readHazardIssues(ctx context.Context) error {
	label, ok := pullfacts.IssuesLabel(e.req.Paths)
	if !ok {
		return nil
	}
	req, res := e.req, e.res
	res.HazardIssuesLabel = label
	data, err := e.api.HazardIssues(ctx, req.Owner, req.Repo, label)
	if err != nil {
		return fmt.Errorf("listing the hazard log kept as issues labelled %q: %w", label, err)
	}
	if res.PreviousBy == PreviousPassed {
		// findRange read the previous release's status with its time.
		state, at := e.states[res.PreviousSHA], e.statusTimes[res.PreviousSHA]
		if state != "success" || at.IsZero() {
			// An answer without a time leaves the edits since unknown.
			return &github.UnavailableError{Operation: fmt.Sprintf("GET /repos/%s/%s/commits/%s/status", req.Owner, req.Repo, res.PreviousSHA),
				Last: fmt.Sprintf("the %s status of the previous release %s (%q) has no time GitHub received it, so the hazard issues edited since cannot be told; run the release again",
					req.StatusContext, res.PreviousTag, state), Attempts: 1}
		}
		res.HazardIssuesSince = at.UTC()
	}
	edits, err := hazardlog.IssueEditsSince(data, label, res.HazardIssuesSince)
	if err != nil {
		return inputErrorf("the hazard issues GitHub listed (label %q) do not read: %v", label, err)
	}
	res.HazardIssueEdits = edits
	e.issues = data
	for _, ed := range edits {
		e.edited = append(e.edited, fmt.Sprintf("#%d", ed.Number))
	}
	if res.HazardIssuesSince.IsZero() {
		return nil
	}
	since := res.HazardIssuesSince
	// An issue whose hazard label was removed is no longer in the hazard
	// listing: the issues updated since, whatever their labels, and the
	// timelines of those without the label now, find it.
	updated, err := e.api.IssuesUpdatedSince(ctx, req.Owner, req.Repo, since)
	if err != nil {
		return fmt.Errorf("listing the issues updated since %s passed the gate, to find hazard issues whose label %q was removed: %w", res.PreviousTag, label, err)
	}
	unlabelled, err := hazardlog.UnlabelledSince(updated, label, since)
	if err != nil {
		return inputErrorf("the issues GitHub listed as updated since %s do not read: %v", res.PreviousTag, err)
	}
	// Each edited issue's timeline says which labels, state and title it
	// had when the previous release passed, so the log can be compared
	// hazard by hazard with the log as it stood then.
	numbers := append([]int64{}, unlabelled...)
	for _, ed := range edits {
		numbers = append(numbers, ed.Number)
	}
	slices.Sort(numbers)
	history := make(map[int64][]hazardlog.IssueChange, len(numbers))
	timelines := make([][]github.IssueEvent, len(numbers))
	err = inGroups(len(numbers), func(i int) error {
		var err error
		if timelines[i], err = e.api.IssueEvents(ctx, req.Owner, req.Repo, int(numbers[i])); err != nil {
			return fmt.Errorf("reading the timeline of issue #%d, updated since %s: %w", numbers[i], res.PreviousTag, err)
		}
		return nil
	}, func(i int) {
		var changes []hazardlog.IssueChange
		for _, ev := range timelines[i] {
			changes = append(changes, hazardlog.IssueChange{Event: ev.Event, Label: ev.Label, From: ev.From, To: ev.To, Actor: ev.Actor, At: ev.At})
		}
		history[numbers[i]] = changes
	})
	if err != nil {
		return err
	}
	for i := range res.HazardIssueEdits {
		ed := &res.HazardIssueEdits[i]
		if shown := hazardlog.DescribeChanges(history[ed.Number], since); shown != "" && !strings.HasPrefix(ed.What, "opened on") {
			ed.What = shown + "; the body may have been edited too: GitHub keeps no earlier version of it, so compare in the issue's history"
		}
	}
	combined, removed, err := hazardlog.WithRemoved(data, updated, label, since, history)
	if err != nil {
		return inputErrorf("the issues GitHub listed as updated since %s do not read: %v", res.PreviousTag, err)
	}
	if len(removed) > 0 {
		res.HazardIssueEdits = append(res.HazardIssueEdits, removed...)
		sort.SliceStable(res.HazardIssueEdits, func(i, j int) bool { return res.HazardIssueEdits[i].Number < res.HazardIssueEdits[j].Number })
		e.edited = e.edited[:0]
		for _, ed := range res.HazardIssueEdits {
			e.edited = append(e.edited, fmt.Sprintf("#%d", ed.Number))
		}
	}
	if len(res.HazardIssueEdits) == 0 {
		return nil
	}
	if e.baseIssues, err = hazardlog.IssuesAsOf(combined, since, history); err != nil {
		return inputErrorf("the hazard issues as they stood at %s cannot be rebuilt from their timelines: %v", res.PreviousTag, err)
	}
	return nil
}

// mapCommits finds the merged pull requests that brought the range's
// commits, and returns the commits that came without one, oldest first.
//
// A commit belongs to a merged pull request only when that pull request's
// merge commit is in the range too: then the pull request's final head, the
// code its reviews are on, reached the release. A commit of a pull request
// merged elsewhere (into another branch) and pushed here directly did not
// come through that review, and is a direct push.
//
// Commits are taken newest first, so a merge commit's pull request is known
// before its branch's commits, whose lookups are then skipped. The
// first-parent line (merge commits and direct pushes) goes first: its
// commits are looked up, and their pull requests read, pullWorkers at a
// time, since none of them is another's pull request's commit. The commits
// no pull request has claimed by then are looked up after, likewise.
func (e *evaluator) mapCommits(ctx context.Context, rng github.Comparison) ([]github.Commit, error) {
	commits := rng.Commits
	m := &commitMapper{e: e, inRange: make(map[string]bool, len(commits)), seen: map[int]*pullState{},
		loads: map[int]*pullLoad{}, asked: map[string]bool{}, unmapped: map[string]bool{}}
	for _, c := range commits {
		m.inRange[c.SHA] = true
	}
	newestFirst := slices.Clone(commits)
	slices.Reverse(newestFirst)
	onLine := map[string]bool{}
	for _, sha := range firstParentLine(rng, e.res.ReleaseSHA) {
		onLine[sha] = true
	}
	var line []github.Commit
	for _, c := range newestFirst {
		if onLine[c.SHA] {
			line = append(line, c)
		}
	}
	for _, pass := range [][]github.Commit{line, newestFirst} {
		if err := m.lookUp(ctx, pass); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(e.pulls, func(i, j int) bool {
		a, b := e.pulls[i].pr, e.pulls[j].pr
		if !a.MergedAt.Equal(b.MergedAt) {
			return a.MergedAt.Before(b.MergedAt)
		}
		return a.Number < b.Number
	})
	var direct []github.Commit
	for _, c := range commits {
		if m.unmapped[c.SHA] && e.broughtBy[c.SHA] == nil {
			direct = append(direct, c)
		}
	}
	return direct, nil
}

// firstParentLine returns the range's first-parent line from the released
// commit, newest first: the commits the branch itself went through.
func firstParentLine(rng github.Comparison, releaseSHA string) []string {
	inRange := make(map[string]bool, len(rng.Commits))
	for _, c := range rng.Commits {
		inRange[c.SHA] = true
	}
	var line []string
	for sha := releaseSHA; inRange[sha]; {
		line = append(line, sha)
		parents := rng.Parents[sha]
		if len(parents) == 0 {
			break
		}
		sha = parents[0]
	}
	return line
}

// commitMapper carries mapCommits' lookups.
type commitMapper struct {
	e       *evaluator
	inRange map[string]bool
	// seen holds the pull requests mapped so far; loads every pull request
	// read so far, mapped or not yet (read with a group, then not needed).
	seen  map[int]*pullState
	loads map[int]*pullLoad
	// asked marks the commits looked up, unmapped those that named no
	// merged pull request of the range.
	asked, unmapped map[string]bool
}

// pullLoad is a pull request read for a lookup, or why it could not be.
type pullLoad struct {
	state *pullState
	err   error
}

// lookUp looks up the commits of pass not yet claimed by a pull request,
// pullWorkers at a time, and maps each in order exactly as one lookup after
// another would: a commit an earlier one's pull request claimed is skipped,
// with its answer (or failure), and a pull request only it named is not
// mapped. So the mapping, and the first failure reported, do not depend on
// which answer came back first.
func (m *commitMapper) lookUp(ctx context.Context, pass []github.Commit) error {
	e, covered := m.e, m.e.broughtBy
	owner, repo := e.req.Owner, e.req.Repo
	for i := 0; i < len(pass); {
		var group []github.Commit
		for ; i < len(pass) && len(group) < pullWorkers; i++ {
			if c := pass[i]; covered[c.SHA] == nil && !m.asked[c.SHA] {
				m.asked[c.SHA] = true
				group = append(group, c)
			}
		}
		answers := make([][]github.PullRequest, len(group))
		errs := make([]error, len(group))
		allInGroups(len(group), func(k int) {
			answers[k], errs[k] = e.api.PullRequestsForCommit(ctx, owner, repo, group[k].SHA)
		})
		// Read the pull requests the group named, in the order named.
		var toLoad []github.PullRequest
		for k := range group {
			for _, pr := range answers[k] {
				if m.counts(pr) && m.seen[pr.Number] == nil && m.loads[pr.Number] == nil {
					m.loads[pr.Number] = &pullLoad{}
					toLoad = append(toLoad, pr)
				}
			}
		}
		allInGroups(len(toLoad), func(k int) {
			l := m.loads[toLoad[k].Number]
			l.state, l.err = e.loadPull(ctx, toLoad[k])
		})
		for k, c := range group {
			if covered[c.SHA] != nil {
				continue // a pull request of an earlier commit claimed it
			}
			if errs[k] != nil {
				return fmt.Errorf("listing the pull requests of commit %s: %w", decision.ShortSHA(c.SHA), errs[k])
			}
			var found *pullState
			for _, pr := range answers[k] {
				if !m.counts(pr) {
					continue
				}
				p := m.seen[pr.Number]
				if p == nil {
					l := m.loads[pr.Number]
					if l.err != nil {
						return l.err
					}
					p = l.state
					m.seen[pr.Number] = p
					e.pulls = append(e.pulls, p)
					for _, pc := range p.commits {
						if covered[pc.SHA] == nil {
							covered[pc.SHA] = p
						}
					}
					if covered[p.pr.MergeCommitSHA] == nil {
						covered[p.pr.MergeCommitSHA] = p
					}
				}
				if found == nil {
					found = p
				}
			}
			if found != nil {
				if covered[c.SHA] == nil {
					covered[c.SHA] = found
				}
			} else {
				m.unmapped[c.SHA] = true
			}
		}
	}
	return nil
}

// counts reports whether pr brought commits to the release: merged, with
// its merge commit in the range.
func (m *commitMapper) counts(pr github.PullRequest) bool {
	return pr.Merged && pr.MergeCommitSHA != "" && m.inRange[pr.MergeCommitSHA]
}

// loadPull completes a pull request as listed for a commit, and reads its
// commits (for the independence check, and to skip their lookups).
func (e *evaluator) loadPull(ctx context.Context, pr github.PullRequest) (*pullState, error) {
	owner, repo := e.req.Owner, e.req.Repo
	if pr.HeadSHA == "" || pr.BaseSHA == "" {
		full, err := e.api.PullRequest(ctx, owner, repo, pr.Number)
		if err != nil {
			return nil, fmt.Errorf("reading #%d: %w", pr.Number, err)
		}
		if full.HeadSHA == "" || full.BaseSHA == "" {
			return nil, fmt.Errorf("reading #%d: GitHub gave no head and base commits", pr.Number)
		}
		full.MergeCommitSHA = pr.MergeCommitSHA
		pr = full
	}
	commits, err := e.api.Commits(ctx, owner, repo, pr.Number)
	if err != nil {
		return nil, fmt.Errorf("listing the commits of #%d: %w", pr.Number, err)
	}
	return &pullState{pr: pr, commits: commits}, nil
}

// pullWorkers is how many pull requests are evaluated, or merge commits'
// files read, at once. Each pull request's evaluation asks its independent
// reads at once too (evaluatePull); the client keeps all of them within its
// cap on requests in flight (github.MaxInFlight) and paces them within
// GitHub's per-minute limits, so this number sets how much work is ready,
// not how hard GitHub is asked.
const pullWorkers = 4

// evaluatePulls evaluates the pull requests in merge order, pullWorkers at a
// time (inGroups), and publishes each outcome at its index in Result.Pulls.
func (e *evaluator) evaluatePulls(ctx context.Context, tmp string) error {
	return inGroups(len(e.pulls), func(i int) error {
		return e.evaluatePull(ctx, e.pulls[i], tmp)
	}, func(i int) {
		e.res.Pulls[i].Outcome, e.res.Pulls[i].Request = e.pulls[i].outcome, e.pulls[i].req
	})
}

// inGroups runs work(0..n-1), pullWorkers at a time, and then done(i) for
// each in order. Each group runs to its end before the next starts, and the
// first error in order stops the rest: so what a run asks GitHub, and the
// record it keeps, depend on GitHub's answers only, not on which request came
// back first, and a replay asks the same questions.
func inGroups(n int, work func(i int) error, done func(i int)) error {
	for start := 0; start < n; start += pullWorkers {
		end := min(start+pullWorkers, n)
		errs := make([]error, end-start)
		var wg sync.WaitGroup
		for i := start; i < end; i++ {
			wg.Go(func() { errs[i-start] = work(i) })
		}
		wg.Wait()
		for i := start; i < end; i++ {
			if errs[i-start] != nil {
				return errs[i-start]
			}
			done(i)
		}
	}
	return nil
}

// allInGroups runs work(0..n-1), pullWorkers at a time, each group to its
// end before the next starts; the caller judges the results in order.
func allInGroups(n int, work func(i int)) {
	for start := 0; start < n; start += pullWorkers {
		var wg sync.WaitGroup
		for i := start; i < min(start+pullWorkers, n); i++ {
			wg.Go(func() { work(i) })
		}
		wg.Wait()
	}
}

// evaluatePull runs the pull-request gate on a merged pull request as it
// stood at merge: the hazard log and manifest of its final head, the
// register, configuration and policies of its base, the manifest changes it
// added or modified, and every review, judged against the final head — as
// pullfacts assembles them for the pull-request gate too.
func (e *evaluator) evaluatePull(ctx context.Context, p *pullState, tmp string) error {
	n := p.pr.Number
	// The head's files, the pull request's facts and its comments (for an
	// emergency override of the final head and the counted CSO's
	// retrospective review of it) do not depend on each other: all are
	// asked at once, and their errors judged in this order once all have
	// answered, so what a failing run asks and reports never depends on
	// which answer came first.
	var (
		root                    string
		req                     *gate.Request
		comments                []github.IssueComment
		rootErr, reqErr, comErr error
		wg                      sync.WaitGroup
	)
	wg.Go(func() { root, rootErr = e.c.Checkout(ctx, p.pr.HeadSHA, tmp, e.req.Paths) })
	wg.Go(func() {
		req, reqErr = e.c.Request(ctx, pullfacts.Pull{
			Number: n, HeadSHA: p.pr.HeadSHA, BaseSHA: p.pr.BaseSHA, Author: p.pr.Author, Commits: p.commits,
			TrustedWhat: fmt.Sprintf("the base commit of #%d,", n),
			Paths:       e.req.Paths, Today: e.req.Today, HazardLogIssues: e.issues,
		})
	})
	wg.Go(func() { comments, comErr = e.api.IssueComments(ctx, e.req.Owner, e.req.Repo, n) })
	wg.Wait()
	switch {
	case rootErr != nil:
		return fmt.Errorf("reading the hazard log and manifest of #%d at its head %s: %w", n, decision.ShortSHA(p.pr.HeadSHA), rootErr)
	case reqErr != nil:
		return reqErr
	case comErr != nil:
		return fmt.Errorf("reading the comments of #%d for emergency overrides and retrospective reviews: %w", n, comErr)
	}
	req.WorkspaceRoot = root
	req.Comments = override.FromGitHub(comments)
	req.JudgeRetrospective = true
	p.req = req
	var err error
	p.outcome, err = pullfacts.Evaluate(ctx, p.req)
	return err
}

// publishPulls fills Result.Pulls from the pull requests found, so a
// release that fails later still shows them.
func (e *evaluator) publishPulls() {
	e.res.Pulls = make([]Pull, 0, len(e.pulls))
	for _, p := range e.pulls {
		e.res.Pulls = append(e.res.Pulls, Pull{
			Number: p.pr.Number, Title: p.pr.Title, URL: p.pr.HTMLURL, Author: p.pr.Author,
			HeadSHA: p.pr.HeadSHA, BaseSHA: p.pr.BaseSHA, MergeCommitSHA: p.pr.MergeCommitSHA,
			MergedAt: p.pr.MergedAt,
		})
	}
}

// findPreparing finds the pull request that prepared the release: the last,
// in merge order, whose head's manifest says release: Version and whose
// base's did not. Its CSO approval is the release's sign-off.
func (e *evaluator) findPreparing(ctx context.Context) error {
	for i := len(e.pulls) - 1; i >= 0; i-- {
		p := e.pulls[i]
		head, err := e.releaseAt(ctx, p.pr.HeadSHA)
		if err != nil {
			return fmt.Errorf("reading the manifest of #%d at its head: %w", p.pr.Number, err)
		}
		if head != e.res.Version {
			continue
		}
		base, err := e.releaseAt(ctx, p.pr.BaseSHA)
		if err != nil {
			return fmt.Errorf("reading the manifest of #%d at its base: %w", p.pr.Number, err)
		}
		if base != e.res.Version {
			e.res.Preparing = &e.res.Pulls[i]
			return nil
		}
	}
	return nil
}

// releaseAt is the manifest's release: at ref, as versionOf writes it; "" when
// the manifest is absent or says none.
func (e *evaluator) releaseAt(ctx context.Context, ref string) (string, error) {
	data, found, err := e.c.File(ctx, ref, e.req.Paths.Manifest)
	if err != nil || !found {
		return "", err
	}
	m, _, _ := safetyfile.LoadManifest(e.req.Paths.Manifest, data)
	if m == nil {
		return "", nil
	}
	return versionOf(strings.TrimSpace(m.Release)), nil
}

// evaluateRelease runs the gate on the release as a whole: the released
// commit's hazard log and manifest (every change in it under review), its
// register and configuration, every file the range changed, and the
// preparing pull request's reviews on its final head, whose counted CSO
// approval is the release's sign-off.
func (e *evaluator) evaluateRelease(ctx context.Context, tmp string) (*gate.Request, *gate.Outcome, error) {
	res := e.res
	ws := e.req.WorkspaceRoot
	if ws == "" || (e.req.WorkspaceSHA != "" && e.req.WorkspaceSHA != res.ReleaseSHA) {
		var err error
		if ws, err = e.c.Checkout(ctx, res.ReleaseSHA, tmp, e.req.Paths); err != nil {
			return nil, nil, fmt.Errorf("reading the hazard log and manifest of %s at %s: %w", res.Tag, decision.ShortSHA(res.ReleaseSHA), err)
		}
	}
	seen := map[string]bool{}
	changed := []string{}
	add := func(paths []string) {
		for _, p := range paths {
			if !seen[p] {
				seen[p] = true
				changed = append(changed, p)
			}
		}
	}
	for _, p := range e.pulls {
		add(p.req.ChangedFiles)
	}
	for _, d := range res.DirectPushes {
		add(d.Files)
	}
	sort.Strings(changed)

	greq := &gate.Request{
		Paths:         e.req.Paths,
		WorkspaceRoot: ws,
		Trusted:       e.c.Source(res.ReleaseSHA, "the released commit"),
		ChangedFiles:  changed,
		Today:         e.req.Today,
		RepoFiles:     e.c.RepoFiles(res.ReleaseSHA),
		// The release workflow's own test run, at the released commit.
		TestResults:      e.req.TestResults,
		TestResultsGiven: e.req.TestResultsGiven || len(e.req.TestResults) > 0,

		HazardLogIssues:       e.issues,
		HazardLogIssuesEdited: e.edited,
		BaseHazardLogIssues:   e.baseIssues,
	}
	if i := e.preparingIndex(); i >= 0 {
		p := e.pulls[i].req
		greq.Reviews, greq.Dismissals = p.Reviews, p.Dismissals
		greq.HeadSHA, greq.Author, greq.CommitAuthors = p.HeadSHA, p.Author, p.CommitAuthors
		greq.Commits = p.Commits
	}
	out, err := pullfacts.Evaluate(ctx, greq)
	if err != nil {
		return nil, nil, err
	}
	return greq, out, nil
}

// preparingIndex is the preparing pull request's index in e.pulls, or -1.
func (e *evaluator) preparingIndex() int {
	if e.res.Preparing == nil {
		return -1
	}
	for i, p := range e.pulls {
		if p.pr.Number == e.res.Preparing.Number {
			return i
		}
	}
	return -1
}

// tagSHA finds a tag by name.
func tagSHA(tags []github.Tag, name string) (string, bool) {
	for _, t := range tags {
		if t.Name == name {
			return t.SHA, true
		}
	}
	return "", false
}

// isCommitSHA reports whether s looks like a commit sha, full or abbreviated
// (at least 7 hex digits), as the compare API accepts it.
func isCommitSHA(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// inputError is a release the request does not describe well enough to gate:
// blocked with exit 2, since only a change to the workflow or the tags fixes it.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

// failure is the release decision when the release could not be gated.
func failure(res *Result, err error) *decision.Decision {
	var in *inputError
	if errors.As(err, &in) {
		d := decision.Failure("", res.Version, res.ReleaseSHA, decision.CodeInputInvalid, err)
		d.ExitCode = decision.ExitInvalid
		return d
	}
	code := decision.CodeGateError
	if isGitHubError(err) {
		code = decision.CodeGitHubUnavailable
	}
	return decision.Failure("", res.Version, res.ReleaseSHA, code, fmt.Errorf("gating %s: %w", res.Tag, err))
}

// isGitHubError reports whether err came from GitHub's API.
func isGitHubError(err error) bool {
	var unavailable *github.UnavailableError
	var permission *github.PermissionError
	var status *github.StatusError
	return errors.As(err, &unavailable) || errors.As(err, &permission) || errors.As(err, &status)
}
