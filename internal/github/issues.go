package github

import (
	"context"
	"time"

	gogithub "github.com/google/go-github/v62/github"
)

// Issue is a repository issue as the gate reads it: the retrospective review
// reminders it opens. Its text is written by the gate but editable by anyone
// with triage access, so the gate never takes its word for a review: it
// re-checks the pull request the issue names.
type Issue struct {
	Number    int
	Title     string
	Body      string
	State     string // open or closed
	Labels    []string
	Assignees []string
	Author    string
	HTMLURL   string
	CreatedAt time.Time
	ClosedAt  time.Time
}

func issueOf(is *gogithub.Issue) Issue {
	out := Issue{Number: is.GetNumber(), Title: is.GetTitle(), Body: is.GetBody(), State: is.GetState(),
		Author: is.GetUser().GetLogin(), HTMLURL: is.GetHTMLURL(), CreatedAt: timeOf(is.CreatedAt), ClosedAt: timeOf(is.ClosedAt)}
	for _, l := range is.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	for _, a := range is.Assignees {
		out.Assignees = append(out.Assignees, a.GetLogin())
	}
	return out
}

// IssuesWithLabel lists the repository's issues carrying label, open and
// closed, page by page. Pull requests (which the issues API lists too) are
// left out.
func (c *Client) IssuesWithLabel(ctx context.Context, owner, repo, label string) ([]Issue, error) {
	var out []Issue
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, owner, repo, &gogithub.IssueListByRepoOptions{
			State: "all", Labels: []string{label}, ListOptions: *opts})
		for _, is := range page {
			if is.IsPullRequest() {
				continue
			}
			out = append(out, issueOf(is))
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the issues labelled " + label, perm: permIssuesRead}, err)
	}
	return out, nil
}

var issueWriteOp = op{what: "writing the retrospective review issue", perm: permIssuesWrite, write: true}

// CreateIssue opens an issue with labels. It is sent once (a create whose
// answer is lost is not retried blindly: the caller looks for the issue
// again on its next run, by label and title, and updates it).
func (c *Client) CreateIssue(ctx context.Context, owner, repo, title, body string, labels []string) (Issue, error) {
	is, _, err := c.gh.Issues.Create(sendOnce(ctx), owner, repo, &gogithub.IssueRequest{Title: &title, Body: &body, Labels: &labels})
	if err != nil {
		return Issue{}, c.fail(issueWriteOp, err)
	}
	return issueOf(is), nil
}

// UpdateIssue sets an issue's title, body and state (open or closed).
func (c *Client) UpdateIssue(ctx context.Context, owner, repo string, number int, title, body, state string) error {
	_, _, err := c.gh.Issues.Edit(ctx, owner, repo, number, &gogithub.IssueRequest{Title: &title, Body: &body, State: &state})
	return c.fail(issueWriteOp, err)
}

// AddAssignees assigns users to an issue. GitHub silently skips users who
// cannot be assigned in the repository.
func (c *Client) AddAssignees(ctx context.Context, owner, repo string, number int, logins []string) error {
	_, _, err := c.gh.Issues.AddAssignees(ctx, owner, repo, number, logins)
	return c.fail(issueWriteOp, err)
}
