package action

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/gate"
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
	rel := release.Evaluate(ctx, recorder, relReq)
	t := target{Release: true}
	if isSHA(rel.ReleaseSHA) {
		t.StatusSHA = rel.ReleaseSHA
	}
	what := "release " + rel.Tag
	if rel.ReleaseSHA != "" {
		what += " at " + decision.ShortSHA(rel.ReleaseSHA)
	}
	return &result{d: rel.Release.Decision, outcome: rel.Release, request: rel.Request, target: t, what: what,
		release: rel, releaseRun: &evidence.ReleaseRun{Request: relReq, Result: rel, Transcript: recorder.Transcript()},
		summary: func() string { return release.Markdown(rel) }}
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
