package github

import (
	"context"
	"fmt"
	"strings"
)

// BranchHead returns the commit a branch points at now, through the git
// references API (an exact match: GET /git/ref/heads/{branch}). A pull
// request's trusted side is read there rather than at the base commit its
// event names, which may be old.
func (c *Client) BranchHead(ctx context.Context, owner, repo, branch string) (string, error) {
	branch = strings.TrimPrefix(branch, "refs/heads/")
	if branch == "" {
		return "", fmt.Errorf("reading a branch: no branch name given")
	}
	ref, _, err := c.gh.Git.GetRef(ctx, owner, repo, "heads/"+branch)
	if err != nil {
		return "", c.fail(op{what: "reading the branch " + branch, perm: permContentsRead}, err)
	}
	if ref.GetObject().GetType() != "commit" || ref.GetObject().GetSHA() == "" {
		return "", fmt.Errorf("reading the branch %s: GitHub gave a %q, not a commit", branch, ref.GetObject().GetType())
	}
	return ref.GetObject().GetSHA(), nil
}
