package action

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/pullfacts"
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
	// The queue of a branch other than the default requires the status
	// context that names the branch, as its pull requests do.
	t := &target{StatusSHA: head, MergeQueue: true,
		Context: r.branchStatusContext(strings.TrimPrefix(group.GetBaseRef(), "refs/heads/"), e.GetRepo().GetDefaultBranch())}
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
	fail := func(doing string, err error) *result {
		res := r.failure(*t, head, doing, err)
		res.pull = number
		return res
	}
	pr, err := r.gh.PullRequest(ctx, r.env.Owner, r.env.Repo, number)
	if err != nil {
		return fail("reading "+what, err)
	}
	if !isSHA(pr.HeadSHA) || !isSHA(pr.BaseSHA) || pr.Author == "" {
		return fail("reading "+what, fmt.Errorf("GitHub gave no author, head and base commits for #%d", number))
	}
	parent := r.env.outputDir()
	if parent == "." {
		parent = "" // the system's temporary directory, not the workspace
	}
	workspace, err := r.pulls.Checkout(ctx, pr.HeadSHA, parent, r.in.Paths)
	if err != nil {
		return fail(fmt.Sprintf("reading the hazard log and manifest of #%d at %s", number, decision.ShortSHA(pr.HeadSHA)), err)
	}
	defer os.RemoveAll(workspace)

	res := r.gatePull(ctx, pullfacts.Pull{
		Number: number, HeadSHA: pr.HeadSHA, BaseSHA: pr.BaseSHA, Author: pr.Author,
		TrustedRef: baseSHA, TrustedWhat: "the merge group's base commit",
		Workspace: workspace, Paths: r.in.Paths, Today: r.env.Today,
	}, *t)
	res.what = what
	return res
}
