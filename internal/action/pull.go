package action

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/pullfacts"
)

// pullActivities are the activity types the action gates, per event: those
// that change the head commit, the reviews, or whether the pull request is
// ready. Others (closed, labeled, edited ...) change nothing the gate reads.
var pullActivities = map[string][]string{
	"pull_request":        {"opened", "synchronize", "reopened", "ready_for_review"},
	"pull_request_review": {"submitted", "dismissed"},
}

// pullEvent is what the action takes from a pull_request or
// pull_request_review event.
type pullEvent struct {
	action string
	pr     *gogithub.PullRequest
}

// parsePullEvent reads the event payload with go-github.
func parsePullEvent(name string, data []byte) (pullEvent, error) {
	ev, err := gogithub.ParseWebHook(name, data)
	if err != nil {
		return pullEvent{}, err
	}
	switch e := ev.(type) {
	case *gogithub.PullRequestEvent:
		return pullEvent{action: e.GetAction(), pr: e.GetPullRequest()}, nil
	case *gogithub.PullRequestReviewEvent:
		return pullEvent{action: e.GetAction(), pr: e.GetPullRequest()}, nil
	}
	return pullEvent{}, fmt.Errorf("a %s payload decoded as %T", name, ev)
}

// gatePullRequestEvent gates the pull request of a pull_request or
// pull_request_review event, and posts on its head commit (not GITHUB_SHA,
// which is the test merge commit).
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
	number, head, base, author := pr.GetNumber(), pr.GetHead().GetSHA(), pr.GetBase().GetSHA(), pr.GetUser().GetLogin()
	if number <= 0 || !isSHA(head) || !isSHA(base) || author == "" {
		return r.usage(nil, r.withSetup(fmt.Sprintf("the %s event payload has no pull request with number, author, head and base commits", r.env.EventName))...)
	}
	t := &target{StatusSHA: head, Pull: number, Draft: pr.GetDraft(),
		Fork: !strings.EqualFold(pr.GetHead().GetRepo().GetFullName(), pr.GetBase().GetRepo().GetFullName())}
	if !slices.Contains(pullActivities[r.env.EventName], ev.action) {
		// Nothing the gate reads has changed, and the status already posted
		// for this head stands; the job says so and fails, so a workflow
		// listening to more activity than it needs is noticed.
		return r.usage(nil, fmt.Sprintf("the %s event's %q activity is not gated; list only types: [%s] for it in the workflow",
			r.env.EventName, ev.action, strings.Join(pullActivities[r.env.EventName], ", ")))
	}
	if len(r.setup) > 0 || r.gh == nil {
		return r.usage(t, r.setup...)
	}
	return r.gatePull(ctx, pullfacts.Pull{
		Number: number, HeadSHA: head, BaseSHA: base, Author: author,
		Workspace: r.env.Workspace, Paths: r.in.Paths, Today: r.env.Today,
	}, *t)
}

// gatePull gathers a pull request's facts from GitHub and has the gate decide
// on its head commit, as the release gate judges each of its pull requests.
// The manifest changes under review are those the pull request adds or
// modifies since its base.
func (r *runner) gatePull(ctx context.Context, p pullfacts.Pull, t target) *result {
	what := fmt.Sprintf("pull request #%d at %s", p.Number, decision.ShortSHA(p.HeadSHA))
	fail := func(err error) *result {
		res := r.failure(t, p.HeadSHA, "gating "+what, err)
		res.what, res.pull = what, p.Number
		return res
	}
	req, err := r.pulls.Request(ctx, p)
	if err != nil {
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
