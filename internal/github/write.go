package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	gogithub "github.com/google/go-github/v62/github"
)

// Status is a commit status: what branch protection reads.
type Status struct {
	State       string // success, failure, pending or error
	Context     string // e.g. clinical-safety/cso-approval
	Description string // shortened to GitHub's 140 characters if longer
	TargetURL   string // optional link, e.g. to the workflow run
}

// maxStatusDescription is GitHub's limit on a commit status description, in
// characters.
const maxStatusDescription = 140

// SetStatus posts a commit status on sha.
func (c *Client) SetStatus(ctx context.Context, owner, repo, sha string, s Status) error {
	switch s.State {
	case "success", "failure", "pending", "error":
	default:
		return fmt.Errorf("commit status state %q is not one of success, failure, pending, error", s.State)
	}
	status := &gogithub.RepoStatus{State: &s.State}
	if s.Context != "" {
		status.Context = &s.Context
	}
	if d := truncateRunes(s.Description, maxStatusDescription); d != "" {
		status.Description = &d
	}
	if s.TargetURL != "" {
		status.TargetURL = &s.TargetURL
	}
	_, _, err := c.gh.Repositories.CreateStatus(ctx, owner, repo, sha, status)
	return c.fail(op{what: "creating a commit status", perm: permStatusesWrite, write: true}, err)
}

// truncateRunes shortens s to at most n characters, ending in "…" when cut,
// without splitting a multi-byte character.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}

var commentOp = op{what: "writing the pull request comment", perm: permPullsWrite, alt: permIssuesWrite, write: true}

// upsertRounds bounds how often UpsertComment looks again after a create
// whose outcome is unknown.
const upsertRounds = 3

// UpsertComment keeps one comment on a pull request: the first issue comment
// that contains marker and that a bot wrote (looked for across every page of
// comments) is updated to body, or, when there is none, a comment is
// created. body gets the marker appended if it lacks it, so the next run
// finds the comment.
//
// Only a bot's comment is the gate's own: the workflow token writes as
// github-actions[bot] (a GitHub App's token as its app's bot), a Bot account
// that no person can post as. Anyone can write the marker into a comment of
// their own — quoting the gate's comment in a reply does — and a person's
// comment must never be edited into the gate's decision, nor the gate's
// decision left in a comment that person can later edit. A personal access
// token writes as its person, whose comments are never taken for the
// gate's: with one, every run adds a comment.
//
// It never creates a duplicate: creating is sent once, not retried blindly
// after an answer that may have come after GitHub created it (a 502, a
// timeout); instead the comments are read again to see whether it landed.
func (c *Client) UpsertComment(ctx context.Context, owner, repo string, number int, marker, body string) error {
	if strings.TrimSpace(marker) == "" {
		return errors.New("sticky comment marker is empty: every comment would match it")
	}
	if !strings.Contains(body, marker) {
		body += "\n\n" + marker
	}

	var lastErr error
	for range upsertRounds {
		existing, err := c.findComment(ctx, owner, repo, number, marker)
		if err != nil {
			return err
		}
		if existing != nil {
			if existing.GetBody() == body {
				return nil // already says this; an edit would only bump its timestamp
			}
			_, _, err := c.gh.Issues.EditComment(ctx, owner, repo, existing.GetID(), &gogithub.IssueComment{Body: &body})
			return c.fail(commentOp, err)
		}
		_, _, err = c.gh.Issues.CreateComment(sendOnce(ctx), owner, repo, number, &gogithub.IssueComment{Body: &body})
		if err == nil {
			return nil
		}
		err = c.fail(commentOp, err)
		var unavailable *UnavailableError
		if !errors.As(err, &unavailable) {
			return err
		}
		lastErr = err
	}
	return lastErr
}

// findComment returns the first issue comment by a bot containing marker,
// or nil.
func (c *Client) findComment(ctx context.Context, owner, repo string, number int, marker string) (*gogithub.IssueComment, error) {
	var found *gogithub.IssueComment
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Issues.ListComments(ctx, owner, repo, number, &gogithub.IssueListCommentsOptions{ListOptions: *opts})
		for _, cm := range page {
			if found == nil && cm.GetUser().GetType() == "Bot" && strings.Contains(cm.GetBody(), marker) {
				found = cm
			}
		}
		if found != nil && err == nil {
			return nil, nil // stop paging: the comment is found
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the pull request's comments", perm: permPullsRead, alt: permIssuesRead}, err)
	}
	return found, nil
}
