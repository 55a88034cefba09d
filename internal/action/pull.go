package action

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/pullfacts"
)

// pullActivities are the activity types the action gates, per event: those
// that change the head commit, the reviews, whether the pull request is
// ready, or (edited, with changes.base) the branch it merges into. Others
// (closed, labeled, a title edit ...) change nothing the gate reads.
var pullActivities = map[string][]string{
	"pull_request":        {"opened", "synchronize", "reopened", "ready_for_review", "edited"},
	"pull_request_target": {"opened", "synchronize", "reopened", "ready_for_review", "edited"},
	"pull_request_review": {"submitted", "dismissed"},
}

// pullEvent is what the action takes from a pull_request,
// pull_request_target or pull_request_review event.
type pullEvent struct {
	action string
	pr     *gogithub.PullRequest
	// baseChanged is set on an edited activity that changed the base branch.
	baseChanged bool
}

// parsePullEvent reads the event payload with go-github. A
// pull_request_target payload is a pull_request payload.
func parsePullEvent(name string, data []byte) (pullEvent, error) {
	if name == "pull_request_target" {
		name = "pull_request"
	}
	ev, err := gogithub.ParseWebHook(name, data)
	if err != nil {
		return pullEvent{}, err
	}
	switch e := ev.(type) {
	case *gogithub.PullRequestEvent:
		return pullEvent{action: e.GetAction(), pr: e.GetPullRequest(), baseChanged: e.GetChanges().GetBase() != nil}, nil
	case *gogithub.PullRequestReviewEvent:
		return pullEvent{action: e.GetAction(), pr: e.GetPullRequest()}, nil
	}
	return pullEvent{}, fmt.Errorf("a %s payload decoded as %T", name, ev)
}

// gatePullRequestEvent gates the pull request of a pull_request,
// pull_request_target or pull_request_review event. The event names the pull
// request and nothing more: an event can be old (a re-run reuses it) and a
// push can race the run, so the head judged, and posted on, is the one the
// API reports now (see gatePullAtHead).
func gatePullRequestEvent(ctx context.Context, r *runner) *result {
	data, err := os.ReadFile(r.env.EventPath)
	if err != nil {
		return r.usage(nil, r.withSetup(fmt.Sprintf("reading the event payload (GITHUB_EVENT_PATH): %v", err))...)
	}
	ev, err := parsePullEvent(r.env.EventName, data)
	if err != nil {
		return r.usage(nil, r.withSetup(fmt.Sprintf("the %s event payload cannot be read: %v", r.env.EventName, err))...)
	}
	pr := ev.pr
	number, eventHead := pr.GetNumber(), pr.GetHead().GetSHA()
	if number <= 0 || !isSHA(eventHead) {
		return r.usage(nil, r.withSetup(fmt.Sprintf("the %s event payload has no pull request with number and head commit", r.env.EventName))...)
	}
	if !slices.Contains(pullActivities[r.env.EventName], ev.action) {
		// Nothing the gate reads has changed, and the status already posted
		// for this head stands; the job says so and fails, so a workflow
		// listening to more activity than it needs is noticed.
		return r.usage(nil, fmt.Sprintf("the %s event's %q activity is not gated; list only types: [%s] for it in the workflow",
			r.env.EventName, ev.action, strings.Join(pullActivities[r.env.EventName], ", ")))
	}
	if ev.action == "edited" && !ev.baseChanged {
		return r.usage(nil, fmt.Sprintf("the %s event's \"edited\" activity changed no base branch (no changes.base): nothing the gate reads changed, "+
			"and the status already posted stands; the example workflow skips such edits with if: github.event.action != 'edited' || github.event.changes.base",
			r.env.EventName))
	}
	fork := !strings.EqualFold(pr.GetHead().GetRepo().GetFullName(), pr.GetBase().GetRepo().GetFullName())
	if len(r.setup) > 0 || r.gh == nil {
		// The run cannot judge: it says so on the head it would have judged,
		// under that head's status context, so that no earlier success there
		// stands; without the API, on the event's head.
		t := &target{StatusSHA: eventHead, Pull: number, Fork: r.readOnlyFork(fork)}
		if r.gh != nil {
			if pr, err := r.gh.PullRequest(ctx, r.env.Owner, r.env.Repo, number); err == nil && isSHA(pr.HeadSHA) {
				t.StatusSHA, t.Draft, t.Context = pr.HeadSHA, pr.Draft, r.branchStatusContext(pr.BaseRef, pr.DefaultBranch)
			}
		}
		return r.usage(t, r.setup...)
	}
	return r.gatePullAtHead(ctx, number, eventHead, fork)
}

// readOnlyFork reports whether a pull request from a fork (fork) runs with a
// read-only token here: on every event but pull_request_target, which runs
// with the base repository's token.
func (r *runner) readOnlyFork(fork bool) bool {
	return fork && r.env.EventName != "pull_request_target"
}

// gatePullAtHead judges pull request number as it is now. It reads the pull
// request from the API; the head under judgement is the API's head commit,
// and the head-side inputs (hazard log, manifest, components map) are read
// at exactly that commit through the contents API, never from the
// workspace, so nothing of the pull request is checked out or run. The
// trusted side (register, configuration, policies) is the base branch's tip
// as the API reports it during the run, not the base commit the event names.
// A pending status goes on the head first, so a run that fails or is
// cancelled cannot leave an earlier success standing; publish reads the head
// once more before it posts a success.
func (r *runner) gatePullAtHead(ctx context.Context, number int, eventHead string, eventFork bool) *result {
	eventTarget := target{StatusSHA: eventHead, Pull: number, Fork: r.readOnlyFork(eventFork)}
	what := fmt.Sprintf("pull request #%d", number)
	pr, err := r.gh.PullRequest(ctx, r.env.Owner, r.env.Repo, number)
	if err != nil {
		res := r.failure(eventTarget, eventHead, "reading "+what, err)
		res.pull = number
		return res
	}
	if !isSHA(pr.HeadSHA) || pr.BaseRef == "" || pr.Author == "" {
		res := r.failure(eventTarget, eventHead, "reading "+what, fmt.Errorf("GitHub gave no author, head commit and base branch for #%d", number))
		res.pull = number
		return res
	}
	head := pr.HeadSHA
	fork := eventFork || !strings.EqualFold(pr.HeadRepo, pr.BaseRepo)
	t := target{StatusSHA: head, Pull: number, Draft: pr.Draft, Fork: r.readOnlyFork(fork),
		Context: r.branchStatusContext(pr.BaseRef, pr.DefaultBranch), RecheckHead: true}
	var notes []string
	if head != eventHead {
		notes = append(notes, fmt.Sprintf("The %s event names head %s, but the head of #%d is now %s: %s is judged and gets the status; "+
			"%s gets none (an event re-run, or a push during the run).",
			r.env.EventName, decision.ShortSHA(eventHead), number, decision.ShortSHA(head), decision.ShortSHA(head), decision.ShortSHA(eventHead)))
		r.warnf("%s", notes[0])
	}
	fail := func(doing string, err error) *result {
		res := r.failure(t, head, doing, err)
		res.what, res.pull, res.notes = what+" at "+decision.ShortSHA(head), number, notes
		return res
	}
	if err := r.postPending(ctx, t, "Evaluating "+decision.ShortSHA(head)+": the clinical safety gate is running"); err != nil {
		res := fail("posting the pending status on "+decision.ShortSHA(head), err)
		res.target.StatusSHA = "" // the same write would fail again
		return res
	}

	tip, err := r.gh.BranchHead(ctx, r.env.Owner, r.env.Repo, pr.BaseRef)
	if err != nil {
		return fail(fmt.Sprintf("reading the tip of #%d's base branch", number), err)
	}
	parent := r.env.outputDir()
	if parent == "." {
		parent = "" // the system's temporary directory, not the workspace
	}
	workspace, err := r.pulls.Checkout(ctx, head, parent, r.in.Paths)
	if err != nil {
		return fail(fmt.Sprintf("reading the hazard log and manifest of #%d at %s", number, decision.ShortSHA(head)), err)
	}
	defer os.RemoveAll(workspace)

	// The changes under review are the manifest's entries that the head adds
	// or modifies relative to the base branch's tip, where the trusted side
	// is read too: not the event's base.sha, which can be old or the tip of
	// a branch the author controls (whose manifest could list the head's
	// entries so that none is under review). The tip differs from the merge
	// base only on entries the branch itself changed since the pull request
	// forked: one it carries identically was judged when it merged; one it
	// changed and the head still carries in its old form stays under review,
	// which errs towards review (a rebase clears it). And the tip costs no
	// further request.
	res := r.gatePull(ctx, pullfacts.Pull{
		Number: number, HeadSHA: head, BaseSHA: tip, Author: pr.Author,
		TrustedRef: tip, TrustedWhat: "the tip of the base branch " + pr.BaseRef + ",",
		Workspace: workspace, Paths: r.in.Paths, Today: r.env.Today,
	}, t)
	res.notes, res.title = notes, pr.Title
	r.warnOverdue(ctx, res)
	return res
}

// branchStatusContext is the status context for a pull request into branch:
// the status-context input, followed by the branch in parentheses when it is
// not the repository's default branch, so that a success earned against one
// branch never satisfies another branch's required check.
func (r *runner) branchStatusContext(branch, defaultBranch string) string {
	ctx := r.statusContext()
	if branch == "" || branch == defaultBranch {
		return ctx
	}
	return fmt.Sprintf("%s (%s)", ctx, branch)
}

// headMoved reads the pull request's head again, just before a success is
// posted: it returns the new head when it is no longer the one judged.
func (r *runner) headMoved(ctx context.Context, t target) (string, error) {
	pr, err := r.gh.PullRequest(ctx, r.env.Owner, r.env.Repo, t.Pull)
	if err != nil {
		return "", err
	}
	if pr.HeadSHA != t.StatusSHA {
		return pr.HeadSHA, nil
	}
	return "", nil
}

// postPending posts a pending status on the target's commit.
func (r *runner) postPending(ctx context.Context, t target, description string) error {
	st := github.Status{State: "pending", Context: r.targetContext(t), Description: description, TargetURL: r.env.RunURL}
	if err := r.gh.SetStatus(ctx, r.env.Owner, r.env.Repo, t.StatusSHA, st); err != nil {
		return err
	}
	r.infof("Posted commit status %s = pending on %s: %s", st.Context, decision.ShortSHA(t.StatusSHA), description)
	return nil
}

// gatePull gathers a pull request's facts from GitHub and has the gate decide
// on its head commit, as the release gate judges each of its pull requests.
// The manifest changes under review are those the pull request adds or
// modifies since p.BaseSHA.
func (r *runner) gatePull(ctx context.Context, p pullfacts.Pull, t target) *result {
	what := fmt.Sprintf("pull request #%d at %s", p.Number, decision.ShortSHA(p.HeadSHA))
	fail := func(err error) *result {
		res := r.failure(t, p.HeadSHA, "gating "+what, err)
		res.what, res.pull = what, p.Number
		return res
	}
	// The test results are the head workflow's output on this runner: read
	// first, so a pattern that matches nothing stops the run before any
	// request to GitHub.
	var testResults []gate.TestResultFile
	if len(r.in.TestResults) > 0 {
		files, problems, err := gate.ReadTestResults(r.env.Workspace, r.in.TestResults)
		if err != nil {
			return fail(err)
		}
		if len(problems) > 0 {
			return &result{d: decision.InvalidInput("", "", p.HeadSHA, problems), target: t, what: what, pull: p.Number}
		}
		testResults = files
	}
	req, err := r.pulls.Request(ctx, p)
	if err != nil {
		return fail(err)
	}
	req.TestResults, req.TestResultsGiven = testResults, len(r.in.TestResults) > 0
	if req.Comments, err = r.overrideComments(ctx, p.Number); err != nil {
		return fail(err)
	}
	out, err := pullfacts.Evaluate(ctx, req)
	if err != nil {
		// The gate reports a failed read of the trusted side as its own
		// error; name GitHub's part of it with the code users look for.
		res := fail(err)
		res.outcome, res.request = out, req
		return res
	}
	return &result{d: out.Decision, outcome: out, request: req, target: t, what: what, pull: p.Number}
}

// isSHA reports whether s looks like a full commit SHA (SHA-1 or SHA-256).
func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
