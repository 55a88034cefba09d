package github

import (
	"context"

	gogithub "github.com/google/go-github/v62/github"
)

// Tag is a git tag and the commit it points at.
type Tag struct {
	Name string
	SHA  string
}

// Tags lists every tag of a repository.
func (c *Client) Tags(ctx context.Context, owner, repo string) ([]Tag, error) {
	var out []Tag
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Repositories.ListTags(ctx, owner, repo, opts)
		for _, t := range page {
			out = append(out, Tag{Name: t.GetName(), SHA: t.GetCommit().GetSHA()})
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing tags", perm: permContentsRead}, err)
	}
	return out, nil
}

// Compare lists every commit reachable from head and not from base, oldest
// first, paging through the compare API (which otherwise stops at 250).
func (c *Client) Compare(ctx context.Context, owner, repo, base, head string) ([]Commit, error) {
	var out []Commit
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		cmp, resp, err := c.gh.Repositories.CompareCommits(ctx, owner, repo, base, head, opts)
		if cmp != nil {
			for _, rc := range cmp.Commits {
				out = append(out, commitOf(rc))
			}
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "comparing " + base + "..." + head, perm: permContentsRead}, err)
	}
	return out, nil
}

// PullRequestsForCommit lists the pull requests a commit belongs to (merged
// ones included), as GitHub associates them.
func (c *Client) PullRequestsForCommit(ctx context.Context, owner, repo, sha string) ([]PullRequest, error) {
	var out []PullRequest
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, opts)
		for _, pr := range page {
			out = append(out, pullOf(pr))
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the pull requests of commit " + sha, perm: permPullsRead}, err)
	}
	return out, nil
}

// CommitFiles lists the files a commit changes (GitHub pages them, up to
// 3,000).
func (c *Client) CommitFiles(ctx context.Context, owner, repo, sha string) ([]ChangedFile, error) {
	var out []ChangedFile
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		rc, resp, err := c.gh.Repositories.GetCommit(ctx, owner, repo, sha, opts)
		if rc != nil {
			out = append(out, filesOf(rc.Files)...)
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "reading the files of commit " + sha, perm: permContentsRead}, err)
	}
	return out, nil
}
