package github

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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

// IssueEvent is one event on an issue's timeline that changes what a
// hazard issue says: labeled and unlabeled (Label), renamed (From, To),
// closed and reopened. Other events are listed with their name only.
type IssueEvent struct {
	Event string    `json:"event"`
	Label string    `json:"label,omitempty"`
	From  string    `json:"from,omitempty"`
	To    string    `json:"to,omitempty"`
	Actor string    `json:"actor,omitempty"`
	At    time.Time `json:"created_at"`
}

// IssueEvents lists an issue's events, oldest first, every page
// (GET /repos/{o}/{r}/issues/{n}/events): its labels, state and title as
// they were at an earlier time are the present ones with the later events
// undone.
func (c *Client) IssueEvents(ctx context.Context, owner, repo string, number int) ([]IssueEvent, error) {
	out := []IssueEvent{}
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Issues.ListIssueEvents(ctx, owner, repo, number, opts)
		for _, e := range page {
			ev := IssueEvent{Event: e.GetEvent(), Actor: e.GetActor().GetLogin(), At: timeOf(e.CreatedAt)}
			if e.Label != nil {
				ev.Label = e.Label.GetName()
			}
			if e.Rename != nil {
				ev.From, ev.To = e.Rename.GetFrom(), e.Rename.GetTo()
			}
			out = append(out, ev)
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: fmt.Sprintf("listing the events of hazard issue #%d", number), perm: permIssuesRead}, err)
	}
	return out, nil
}

// IssuesUpdatedSince lists every issue of the repository, open and closed,
// whatever its labels, that GitHub updated at or after since
// (GET /repos/{o}/{r}/issues?state=all&since=…), as one JSON array of
// GitHub's issue objects: among them, a hazard issue whose label was
// removed since, which the hazard listing no longer shows.
func (c *Client) IssuesUpdatedSince(ctx context.Context, owner, repo string, since time.Time) ([]byte, error) {
	all := []*gogithub.Issue{}
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, owner, repo, &gogithub.IssueListByRepoOptions{
			State: "all", Since: since, Sort: "created", Direction: "asc", ListOptions: *opts,
		})
		all = append(all, page...)
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the issues updated since " + since.UTC().Format(time.RFC3339), perm: permIssuesRead}, err)
	}
	data, err := json.Marshal(all)
	if err != nil {
		return nil, fmt.Errorf("listing the issues updated since %s: %w", since.UTC().Format(time.RFC3339), err)
	}
	return data, nil
}
