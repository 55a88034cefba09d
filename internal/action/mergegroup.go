package action

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/decision"
)

// mergeQueueRef is the head ref GitHub gives a merge group:
// refs/heads/gh-readonly-queue/<base branch>/pr-<number>-<base sha>.
var mergeQueueRef = regexp.MustCompile(`^(?:refs/heads/)?gh-readonly-queue/.+/pr-([0-9]+)-[0-9a-f]+$`)

// gateMergeGroup re-evaluates the pull request a merge group was created for,
// on the pull request's own head commit, and posts the status on the group's
// head commit so a merge queue can require the same check. It never passes by
// default: a group whose pull request cannot be found or read is blocked.
//
// The trusted files come from the group's base commit — the branch the group
// merges into, as it is now — and the hazard log and manifest from the pull
// request's head (the checkout is the group's merge, not the head).
func gateMergeGroup(ctx context.Context, r *runner) *result {
	data, err := os.ReadFile(r.env.EventPath)
	if err != nil {
		return r.usage(nil, r.withSetup(fmt.Sprintf("reading the event payload (GITHUB_EVENT_PATH): %v", err))...)
	}
	ev, err := gogithub.ParseWebHook("merge_group", data)
	if err != nil {
		return r.usage(nil, r.withSetup(fmt.Sprintf("the merge_group event payload cannot be read: %v", err))...)
	}
	e, ok := ev.(*gogithub.MergeGroupEvent)
	if !ok {
		return r.usage(nil, r.withSetup(fmt.Sprintf("a merge_group payload decoded as %T", ev))...)
	}
	group := e.GetMergeGroup()
	head, baseSHA := group.GetHeadSHA(), group.GetBaseSHA()
	if !isSHA(head) || !isSHA(baseSHA) {
		return r.usage(nil, r.withSetup("the merge_group event payload has no head and base commits")...)
	}
	t := &target{StatusSHA: head, MergeQueue: true}
	if e.GetAction() != "checks_requested" {
		return r.usage(nil, fmt.Sprintf("the merge_group event's %q activity is not gated; list only types: [checks_requested] for it in the workflow", e.GetAction()))
	}
	m := mergeQueueRef.FindStringSubmatch(group.GetHeadRef())
	number := 0
	if m != nil {
		number, _ = strconv.Atoi(m[1])
	}
	if number <= 0 {
		return r.usage(t, r.withSetup(fmt.Sprintf("the merge group's head ref %q names no pull request (expected gh-readonly-queue/<base>/pr-<number>-<sha>)", group.GetHeadRef()))...)
	}
	if len(r.setup) > 0 || r.gh == nil {
		return r.usage(t, r.setup...)
	}

	what := fmt.Sprintf("pull request #%d in the merge group %s", number, decision.ShortSHA(head))
	pr, err := r.gh.PullRequest(ctx, r.env.Owner, r.env.Repo, number)
	if err != nil {
		return r.failure(*t, head, "reading "+what, err)
	}
	if !isSHA(pr.HeadSHA) || !isSHA(pr.BaseSHA) || pr.Author == "" {
		return r.failure(*t, head, "reading "+what, fmt.Errorf("GitHub gave no author, head and base commits for #%d", number))
	}
	parent := r.env.outputDir()
	if parent == "." {
		parent = "" // the system's temporary directory, not the workspace
	}
	workspace, err := checkout(ctx, r.gh, r.env.Owner, r.env.Repo, pr.HeadSHA, parent, r.in.Paths)
	if err != nil {
		return r.failure(*t, head, fmt.Sprintf("reading the hazard log and manifest of #%d at %s", number, decision.ShortSHA(pr.HeadSHA)), err)
	}
	defer os.RemoveAll(workspace)

	res := r.gatePull(ctx, pullGate{
		number: number, head: pr.HeadSHA, base: pr.BaseSHA, author: pr.Author,
		trusted:   contentsSource{gh: r.gh, owner: r.env.Owner, repo: r.env.Repo, ref: baseSHA, what: "the merge group's base commit"},
		workspace: workspace,
	}, *t)
	res.what = what
	return res
}
