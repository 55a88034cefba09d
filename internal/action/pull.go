package action

import (
	"context"
	"fmt"
	"os"
	"strings"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
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
	if !contains(pullActivities[r.env.EventName], ev.action) {
		// Nothing the gate reads has changed, and the status already posted
		// for this head stands; the job says so and fails, so a workflow
		// listening to more activity than it needs is noticed.
		return r.usage(nil, fmt.Sprintf("the %s event's %q activity is not gated; list only types: [%s] for it in the workflow",
			r.env.EventName, ev.action, strings.Join(pullActivities[r.env.EventName], ", ")))
	}
	if len(r.setup) > 0 || r.gh == nil {
		return r.usage(t, r.setup...)
	}
	res := r.gatePull(ctx, pullGate{
		number: number, head: head, base: base, author: author,
		trusted:   contentsSource{gh: r.gh, owner: r.env.Owner, repo: r.env.Repo, ref: base, what: "the base commit"},
		workspace: r.env.Workspace,
	}, *t)
	return res
}

// pullGate is one pull request to evaluate.
type pullGate struct {
	number     int
	head, base string
	author     string
	trusted    contentsSource
	workspace  string
}

// gatePull gathers a pull request's facts from GitHub and has the gate decide
// on its head commit. The manifest changes under review are those the pull
// request adds or modifies since its base.
func (r *runner) gatePull(ctx context.Context, p pullGate, t target) *result {
	what := fmt.Sprintf("pull request #%d at %s", p.number, decision.ShortSHA(p.head))
	owner, repo := r.env.Owner, r.env.Repo
	fail := func(doing string, err error) *result {
		res := r.failure(t, p.head, doing+" of "+what, err)
		res.what = what
		return res
	}

	reviews, err := r.gh.Reviews(ctx, owner, repo, p.number)
	if err != nil {
		return fail("reading the reviews", err)
	}
	files, err := r.gh.Files(ctx, owner, repo, p.number)
	if err != nil {
		return fail("reading the changed files", err)
	}
	commits, err := r.gh.Commits(ctx, owner, repo, p.number)
	if err != nil {
		return fail("reading the commits", err)
	}
	dismissals, err := r.gh.Dismissals(ctx, owner, repo, p.number)
	if err != nil {
		return fail("reading the review dismissals", err)
	}
	baseManifest, found, err := r.gh.FileAt(ctx, owner, repo, p.base, r.in.Paths.Manifest)
	if err != nil {
		return fail("reading the manifest at the base commit", err)
	}
	if !found {
		baseManifest = nil
	}

	req := &gate.Request{
		Paths:         r.in.Paths,
		WorkspaceRoot: p.workspace,
		Trusted:       &recordingSource{Source: p.trusted},
		BaseManifest:  baseManifest,
		ChangedFiles:  changedPaths(files),
		Reviews:       reviewFacts(reviews),
		Dismissals:    dismissalFacts(dismissals),
		HeadSHA:       p.head,
		Author:        p.author,
		CommitAuthors: commitPeople(commits),
		Today:         r.env.Today,
	}
	out := gate.Evaluate(ctx, req)
	if err := req.Trusted.(*recordingSource).err; err != nil && isGitHubError(err) {
		// The gate reports a failed read as its own error; name GitHub's
		// part of it with the code users look for.
		res := fail("reading "+p.trusted.Describe(), err)
		res.outcome = out
		return res
	}
	return &result{d: out.Decision, outcome: out, target: t, what: what}
}

// recordingSource keeps the first error a trusted read returned, so a
// GitHub failure behind a gate error is reported as GITHUB_UNAVAILABLE.
type recordingSource struct {
	gate.Source
	err error
}

func (s *recordingSource) ReadFile(ctx context.Context, name string) ([]byte, bool, error) {
	data, found, err := s.Source.ReadFile(ctx, name)
	s.keep(err)
	return data, found, err
}

func (s *recordingSource) ReadDir(ctx context.Context, dir string) (map[string][]byte, error) {
	files, err := s.Source.ReadDir(ctx, dir)
	s.keep(err)
	return files, err
}

func (s *recordingSource) keep(err error) {
	if s.err == nil {
		s.err = err
	}
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
