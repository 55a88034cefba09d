package action

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/pullfacts"
	"github.com/csogate/csogate/internal/release"
)

// releaseActivities are the release event's activity types the action gates:
// a release made public (a pre-release too), not a draft being edited.
var releaseActivities = []string{"published"}

// gateRelease is release mode (contract section 4): a tag push, a published
// release, or a manual run naming the tag in release-ref. The release gate
// evaluates every merged pull request from the previous release to the tag
// as the pull-request gate would, and the release as a whole; the status, if
// one can be posted, goes on the released commit and is never pending. A
// blocked release fails the job, so the deployment after it does not run.
func gateRelease(ctx context.Context, r *runner) *result {
	tag, problem := r.releaseTag()
	if problem != "" {
		return r.usage(nil, r.withSetup(problem)...)
	}
	if len(r.setup) > 0 || r.gh == nil {
		return r.usage(nil, r.setup...)
	}
	// The release workflow's test results at the released commit are read
	// from the workspace first, so a pattern that matches nothing stops the
	// run before any request to GitHub, as in a pull-request run.
	var testResults []gate.TestResultFile
	if len(r.in.TestResults) > 0 {
		files, problems, err := gate.ReadTestResults(r.env.Workspace, r.in.TestResults)
		if err != nil {
			return r.failure(target{Release: true}, "", "reading the test-results of release "+tag, err)
		}
		if len(problems) > 0 {
			return &result{d: decision.InvalidInput("", "", "", problems), target: target{Release: true}, what: "release " + tag}
		}
		testResults = files
	}

	// The workspace holds the release's hazard log and manifest only when
	// the job checked out the commit the workflow runs on (GITHUB_SHA) and
	// that is the tag's commit, which release.Evaluate checks once it has
	// resolved the tag. Anything else reads them at the tag through the API.
	workspace := ""
	// A hazard log kept as issues is no file of the checkout: the manifest
	// then shows that the job checked the repository out.
	marker := r.in.Paths.HazardLog
	if _, issues := pullfacts.IssuesLabel(r.in.Paths); issues {
		marker = r.in.Paths.Manifest
	}
	if isSHA(r.env.SHA) && exists(filepath.Join(r.env.Workspace, filepath.FromSlash(marker))) {
		workspace = r.env.Workspace
	}
	// Every answer GitHub gives is kept, so the record replays the whole
	// release decision, per pull request, offline.
	recorder := release.NewRecorder(r.gh)
	relReq := release.Request{
		Owner: r.env.Owner, Repo: r.env.Repo, Tag: tag, Since: r.in.Since, Paths: r.in.Paths,
		WorkspaceRoot: workspace, WorkspaceSHA: r.env.SHA, StatusContext: r.releaseStatusContext(), Today: r.env.Today,
		PermissionsBlock: releasePermissionsBlock,
		TestResults:      testResults, TestResultsGiven: len(r.in.TestResults) > 0,
	}
	listing := &hazardListing{API: recorder}
	rel := release.Evaluate(ctx, listing, relReq)
	t := target{Release: true}
	if isSHA(rel.ReleaseSHA) {
		t.StatusSHA = rel.ReleaseSHA
	}
	what := "release " + rel.Tag
	if rel.ReleaseSHA != "" {
		what += " at " + decision.ShortSHA(rel.ReleaseSHA)
	}
	res := &result{d: rel.Release.Decision, outcome: rel.Release, request: rel.Request, target: t, what: what,
		release: rel, releaseRun: &evidence.ReleaseRun{Request: relReq, Result: rel, Transcript: recorder.Transcript()}}
	if rel.HazardIssuesLabel != "" && listing.listed {
		res.hazardListing = listing
	}
	res.summary = func() string {
		s := release.Markdown(rel)
		if res.hazardIssuesChanged != "" {
			s += "\n## Hazard issues changed during the run\n\n" + res.hazardIssuesChanged + "\n"
		}
		return s
	}
	return res
}

// hazardListing keeps the hazard issues the release evaluation listed (a
// hazard log kept as GitHub issues), so that the run can ask, just before
// it posts the release's success, whether any changed since.
type hazardListing struct {
	release.API
	label  string
	data   []byte
	listed bool
}

// HazardIssues implements release.API, keeping the listing.
func (h *hazardListing) HazardIssues(ctx context.Context, owner, repo, label string) ([]byte, error) {
	data, err := h.API.HazardIssues(ctx, owner, repo, label)
	if err == nil {
		h.label, h.data, h.listed = label, data, true
	}
	return data, err
}

// listedIssue is what the check after the evaluation reads of an issue.
type listedIssue struct {
	Number    int       `json:"number"`
	UpdatedAt time.Time `json:"updated_at"`
	Labels    []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

// hazardIssuesChangedSince returns the issues GitHub updated after the
// release run listed the hazard issues: those in the listing whose
// updated_at moved, and those not in it that now carry the hazard label.
// The next release counts edits from this release's success status time,
// and this run judged the issues as listed, so an edit in between would be
// in neither release's listing. Only GitHub's own times are compared (the
// runner's clock may differ): the issues are asked for since the latest
// time the listing shows (an updated_at, or the previous release's status
// time), which is no later than the listing itself.
func (r *runner) hazardIssuesChangedSince(ctx context.Context, h *hazardListing, previous time.Time) ([]int, error) {
	var listed []listedIssue
	if err := json.Unmarshal(h.data, &listed); err != nil {
		return nil, fmt.Errorf("the hazard issues listed do not read: %w", err)
	}
	since := previous
	before := make(map[int]time.Time, len(listed))
	for _, is := range listed {
		before[is.Number] = is.UpdatedAt
		if is.UpdatedAt.After(since) {
			since = is.UpdatedAt
		}
	}
	data, err := r.gh.IssuesUpdatedSince(ctx, r.env.Owner, r.env.Repo, since)
	if err != nil {
		return nil, err
	}
	var now []listedIssue
	if err := json.Unmarshal(data, &now); err != nil {
		return nil, fmt.Errorf("the issues GitHub listed as updated since %s do not read: %w", since.UTC().Format(time.RFC3339), err)
	}
	var changed []int
	for _, is := range now {
		was, inListing := before[is.Number]
		labelled := slices.ContainsFunc(is.Labels, func(l struct {
			Name string `json:"name"`
		}) bool {
			return strings.EqualFold(l.Name, h.label)
		})
		if (inListing && !is.UpdatedAt.Equal(was)) || (!inListing && labelled) {
			changed = append(changed, is.Number)
		}
	}
	slices.Sort(changed)
	return slices.Compact(changed), nil
}

// hazardIssuesMoved ends a release run whose hazard issues changed after it
// listed them: no success is posted, but an error saying which issues, and
// the run fails closed (exit 3), as a pull request's run does when its head
// moves. The decision the evaluation made is kept, with the reason added.
func (r *runner) hazardIssuesMoved(ctx context.Context, res *result, changed []int) {
	numbers := make([]string, len(changed))
	for i, n := range changed {
		numbers[i] = fmt.Sprintf("#%d", n)
	}
	list := strings.Join(numbers, ", ")
	msg := fmt.Sprintf("hazard issues changed during the run (%s): they were edited after this run listed the hazard issues, "+
		"so neither this release's evaluation nor the next release's (which counts edits from this release's success) covers the edit; "+
		"no success is posted on %s: run the release gate again", list, decision.ShortSHA(res.target.StatusSHA))
	res.hazardIssuesChanged = msg
	r.warnf("%s", msg)
	d := res.d
	d.Decision, d.ExitCode = decision.Blocked, decision.ExitOperational
	d.Violations = append(d.Violations, policy.Finding{Code: decision.CodeGateError, Message: msg})
	description := "Hazard issues changed during the run (" + list + "): run the release gate again"
	if utf8.RuneCountInString(description) > 140 {
		description = string([]rune(description)[:139]) + "…"
	}
	st := github.Status{State: "error", Context: r.targetContext(res.target), Description: description, TargetURL: r.env.RunURL}
	if err := r.gh.SetStatus(ctx, r.env.Owner, r.env.Repo, res.target.StatusSHA, st); err != nil {
		r.writeFailed(res, "posting the commit status "+st.Context+" on "+decision.ShortSHA(res.target.StatusSHA), err)
		return
	}
	r.posted = st.State
	r.infof("Posted commit status %s = error on %s: %s", st.Context, decision.ShortSHA(res.target.StatusSHA), description)
}

// ReleaseContextSuffix ends the status context of a release run:
// clinical-safety/cso-approval/release by default. A release's success is
// what lets a later release's range start at it, so it must not be confused
// with the pull-request gate's success, which a merge queue leaves on the
// very commit that lands on the branch and may later be tagged.
const ReleaseContextSuffix = "/release"

// releaseStatusContext is the status context of release runs.
func (r *runner) releaseStatusContext() string {
	return r.statusContext() + ReleaseContextSuffix
}

// releaseTag is the tag the event releases, or a sentence saying why the
// event is no release to gate.
func (r *runner) releaseTag() (tag, problem string) {
	ref := strings.TrimSpace(r.in.ReleaseRef)
	if r.env.EventName == "workflow_dispatch" {
		if ref == "" {
			return "", "release mode on workflow_dispatch needs the tag to gate: set the release-ref input, " +
				"e.g. release-ref: ${{ inputs.release-ref }} with a workflow_dispatch input of that name (see examples/workflows/release.yml)"
		}
		return ref, ""
	}

	data, err := os.ReadFile(r.env.EventPath)
	if err != nil {
		return "", fmt.Sprintf("reading the event payload (GITHUB_EVENT_PATH): %v", err)
	}
	ev, err := gogithub.ParseWebHook(r.env.EventName, data)
	if err != nil {
		return "", fmt.Sprintf("the %s event payload cannot be read: %v", r.env.EventName, err)
	}
	switch e := ev.(type) {
	case *gogithub.PushEvent:
		name, isTag := strings.CutPrefix(e.GetRef(), "refs/tags/")
		switch {
		case !isTag:
			return "", fmt.Sprintf("a push to %s is not a release: release mode gates the push of a tag; "+
				"list only tags under on: push: in the workflow, e.g. push: tags: ['v*']", orNone(e.GetRef()))
		case e.GetDeleted():
			return "", fmt.Sprintf("the push deletes the tag %s (deleted: true): a deleted tag is not a release, so nothing is gated "+
				"and nothing may be deployed from this run", name)
		}
		tag = name
	case *gogithub.ReleaseEvent:
		if !slices.Contains(releaseActivities, e.GetAction()) {
			return "", fmt.Sprintf("the release event's %q activity is not gated; list only types: [%s] for it in the workflow",
				e.GetAction(), strings.Join(releaseActivities, ", "))
		}
		tag = e.GetRelease().GetTagName()
		if tag == "" {
			return "", "the release event payload names no tag (release.tag_name)"
		}
	default:
		return "", fmt.Sprintf("a %s payload decoded as %T", r.env.EventName, ev)
	}
	// release-ref belongs to manual runs; on a tag push or a release the
	// event names the tag, and two names for the release are one too many.
	if ref != "" && strings.TrimPrefix(ref, "refs/tags/") != tag {
		return "", fmt.Sprintf("release-ref names %s, but this %s event releases the tag %s: leave release-ref empty except on workflow_dispatch",
			ref, r.env.EventName, tag)
	}
	return tag, ""
}

// exists reports whether there is a file or directory at name.
func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
