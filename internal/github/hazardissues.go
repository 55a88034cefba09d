package github

import (
	"context"
	"encoding/json"
	"fmt"

	gogithub "github.com/google/go-github/v62/github"
)

// HazardIssues lists every issue carrying label, open and closed, page by
// page, as it stands now (GET /repos/{o}/{r}/issues?labels=…&state=all),
// and returns them as one JSON array of GitHub's issue objects: the same
// listing `gh api --paginate` prints, which the hazard-log reader reads and
// the decision record keeps. Pull requests, which this endpoint lists too,
// are kept (with their pull_request key) for the reader to skip by name.
func (c *Client) HazardIssues(ctx context.Context, owner, repo, label string) ([]byte, error) {
	all := []*gogithub.Issue{}
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, owner, repo, &gogithub.IssueListByRepoOptions{
			State: "all", Labels: []string{label}, Sort: "created", Direction: "asc", ListOptions: *opts,
		})
		all = append(all, page...)
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: fmt.Sprintf("listing the issues labelled %q (the hazard log)", label), perm: permIssuesRead}, err)
	}
	data, err := json.Marshal(all)
	if err != nil {
		return nil, fmt.Errorf("listing the hazard issues: %w", err)
	}
	return data, nil
}
