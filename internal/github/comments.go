package github

import (
	"context"
	"time"

	gogithub "github.com/google/go-github/v62/github"
)

// IssueComment is a pull request's (issue) comment as the gate reads it for
// emergency overrides. The times are kept as GitHub wrote them.
type IssueComment struct {
	ID        int64
	Login     string
	UserID    int64
	UserType  string // "User", "Bot", …
	Body      string
	CreatedAt string // RFC 3339
	UpdatedAt string // RFC 3339
	HTMLURL   string
}

// IssueComments lists every comment of a pull request, page by page, as it
// stands now: an edited comment carries its new body and updated_at.
func (c *Client) IssueComments(ctx context.Context, owner, repo string, number int) ([]IssueComment, error) {
	var out []IssueComment
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Issues.ListComments(ctx, owner, repo, number, &gogithub.IssueListCommentsOptions{ListOptions: *opts})
		for _, cm := range page {
			out = append(out, IssueComment{
				ID: cm.GetID(), Login: cm.GetUser().GetLogin(), UserID: cm.GetUser().GetID(), UserType: cm.GetUser().GetType(),
				Body: cm.GetBody(), CreatedAt: stamp(cm.CreatedAt), UpdatedAt: stamp(cm.UpdatedAt), HTMLURL: cm.GetHTMLURL(),
			})
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the pull request's comments", perm: permPullsRead, alt: permIssuesRead}, err)
	}
	return out, nil
}

// stamp writes a GitHub time back in RFC 3339 ("" when absent).
func stamp(t *gogithub.Timestamp) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
