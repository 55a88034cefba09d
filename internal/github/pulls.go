package github

import (
	"context"
	"fmt"
	"time"

	gogithub "github.com/google/go-github/v62/github"
)

// PullRequest is what the gate needs of a pull request.
type PullRequest struct {
	Number   int
	Title    string
	HTMLURL  string
	Author   string
	AuthorID int64
	HeadSHA  string
	HeadRef  string
	BaseSHA  string
	BaseRef  string
	// HeadRepo and BaseRepo are the full names (owner/name) of the
	// repositories the head and base branches live in: they differ for a
	// pull request from a fork.
	HeadRepo, BaseRepo string
	// DefaultBranch is the base repository's default branch.
	DefaultBranch  string
	Draft          bool
	Merged         bool
	MergeCommitSHA string
	MergedAt       time.Time
}

// Review is one pull-request review as the REST API lists it.
type Review struct {
	ID          int64
	Login       string
	UserID      int64
	State       string // as GitHub sends it: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
	CommitID    string // the commit the review was given on
	SubmittedAt time.Time
	HTMLURL     string
}

// ChangedFile is a file a pull request or commit changes.
type ChangedFile struct {
	Path         string
	PreviousPath string // the old path of a renamed file
	Status       string // added, removed, modified, renamed, copied, changed, unchanged
	// Blob is the file's git blob after the change, as GitHub lists it ("sha"):
	// equal blobs are equal contents. "" when GitHub gives none (a change of
	// mode only).
	Blob string
}

// Commit is a commit with the people behind it.
type Commit struct {
	SHA            string
	AuthorLogin    string // GitHub account of the author, empty when GitHub matched none
	CommitterLogin string
	AuthorEmail    string
	CommitterEmail string
	CoAuthorEmails []string // from Co-authored-by: trailers in the message
	Message        string
	// Parents are the commit's parents, first parent first: whether a pull
	// request's head already had the base its merge was made on.
	Parents []string `json:",omitempty"`
}

// Dismissal is a review_dismissed event: who dismissed which review, and what
// that review had said.
type Dismissal struct {
	ReviewID      int64
	DismissedBy   string
	DismissedByID int64
	OriginalState string // the dismissed review's state, e.g. changes_requested
	Message       string
	At            time.Time
}

// GitHub's own caps on two listings; a listing this long may be incomplete.
const (
	maxListedFiles   = 3000
	maxListedCommits = 250
)

// PullRequest reads one pull request.
func (c *Client) PullRequest(ctx context.Context, owner, repo string, number int) (PullRequest, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return PullRequest{}, c.fail(op{what: "reading the pull request", perm: permPullsRead}, err)
	}
	return pullOf(pr), nil
}

// Reviews lists every review of a pull request, in GitHub's (chronological)
// order.
func (c *Client) Reviews(ctx context.Context, owner, repo string, number int) ([]Review, error) {
	var out []Review
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.PullRequests.ListReviews(ctx, owner, repo, number, opts)
		for _, r := range page {
			out = append(out, Review{
				ID:          r.GetID(),
				Login:       r.GetUser().GetLogin(),
				UserID:      r.GetUser().GetID(),
				State:       r.GetState(),
				CommitID:    r.GetCommitID(),
				SubmittedAt: timeOf(r.SubmittedAt),
				HTMLURL:     r.GetHTMLURL(),
			})
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the pull request's reviews", perm: permPullsRead}, err)
	}
	return out, nil
}

// Files lists every file a pull request changes. GitHub lists at most 3,000;
// a pull request with more fails with an *UnavailableError rather than
// letting the gate judge a partial list.
func (c *Client) Files(ctx context.Context, owner, repo string, number int) ([]ChangedFile, error) {
	o := op{what: "listing the pull request's files", perm: permPullsRead}
	var out []ChangedFile
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.PullRequests.ListFiles(ctx, owner, repo, number, opts)
		out = append(out, filesOf(page)...)
		return resp, err
	})
	if err != nil {
		return nil, c.fail(o, err)
	}
	if len(out) >= maxListedFiles {
		// Exactly 3,000 may be all of them or a cut; the pull request's own count says which.
		pr, _, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
		if err != nil {
			return nil, c.fail(o, err)
		}
		if pr.GetChangedFiles() > len(out) {
			return nil, &UnavailableError{
				Operation: fmt.Sprintf("GET /repos/%s/%s/pulls/%d/files", owner, repo, number),
				Last:      fmt.Sprintf("GitHub lists only %d of the pull request's %d changed files", len(out), pr.GetChangedFiles()),
				Attempts:  1,
			}
		}
	}
	return out, nil
}

// Commits lists every commit of a pull request. GitHub's pull-request listing
// stops at 250 commits; beyond that the commits come from comparing the base
// and head commits, which pages through them all.
func (c *Client) Commits(ctx context.Context, owner, repo string, number int) ([]Commit, error) {
	o := op{what: "listing the pull request's commits", perm: permPullsRead}
	var out []Commit
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.PullRequests.ListCommits(ctx, owner, repo, number, opts)
		for _, rc := range page {
			out = append(out, commitOf(rc))
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(o, err)
	}
	if len(out) < maxListedCommits {
		return out, nil
	}
	pr, _, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return nil, c.fail(o, err)
	}
	if pr.GetCommits() <= len(out) {
		return out, nil
	}
	all, err := c.Compare(ctx, owner, repo, pr.GetBase().GetSHA(), pr.GetHead().GetSHA())
	if err != nil {
		return nil, err
	}
	if len(all) < pr.GetCommits() {
		return nil, &UnavailableError{
			Operation: fmt.Sprintf("GET /repos/%s/%s/pulls/%d/commits", owner, repo, number),
			Last:      fmt.Sprintf("GitHub lists only %d of the pull request's %d commits", len(all), pr.GetCommits()),
			Attempts:  1,
		}
	}
	return all, nil
}

// Dismissals lists the review dismissals of a pull request, from its issue
// events, oldest first.
func (c *Client) Dismissals(ctx context.Context, owner, repo string, number int) ([]Dismissal, error) {
	var out []Dismissal
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Issues.ListIssueEvents(ctx, owner, repo, number, opts)
		for _, e := range page {
			if e.GetEvent() != "review_dismissed" || e.DismissedReview == nil {
				continue
			}
			out = append(out, Dismissal{
				ReviewID:      e.DismissedReview.GetReviewID(),
				DismissedBy:   e.GetActor().GetLogin(),
				DismissedByID: e.GetActor().GetID(),
				OriginalState: e.DismissedReview.GetState(),
				Message:       e.DismissedReview.GetDismissalMessage(),
				At:            timeOf(e.CreatedAt),
			})
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the pull request's events", perm: permPullsRead, alt: permIssuesRead}, err)
	}
	return out, nil
}

// RequestedReviewers lists the users whose review is requested and not yet
// given (teams are left out: the register names people).
func (c *Client) RequestedReviewers(ctx context.Context, owner, repo string, number int) ([]string, error) {
	rs, _, err := c.gh.PullRequests.ListReviewers(ctx, owner, repo, number, nil)
	if err != nil {
		return nil, c.fail(op{what: "listing the pull request's requested reviewers", perm: permPullsRead}, err)
	}
	var out []string
	for _, u := range rs.Users {
		out = append(out, u.GetLogin())
	}
	return out, nil
}

// RequestReviewers asks the given users to review a pull request. Asking again
// for someone already asked is harmless; no logins means no request.
func (c *Client) RequestReviewers(ctx context.Context, owner, repo string, number int, logins []string) error {
	if len(logins) == 0 {
		return nil
	}
	_, _, err := c.gh.PullRequests.RequestReviewers(ctx, owner, repo, number, gogithub.ReviewersRequest{Reviewers: logins})
	return c.fail(op{what: "requesting reviewers", perm: permPullsWrite, write: true}, err)
}

func pullOf(pr *gogithub.PullRequest) PullRequest {
	// Pull requests in lists (e.g. for a commit) carry merged_at but no "merged".
	merged := pr.GetMerged() || pr.MergedAt != nil
	return PullRequest{
		Number:         pr.GetNumber(),
		Title:          pr.GetTitle(),
		HTMLURL:        pr.GetHTMLURL(),
		Author:         pr.GetUser().GetLogin(),
		AuthorID:       pr.GetUser().GetID(),
		HeadSHA:        pr.GetHead().GetSHA(),
		HeadRef:        pr.GetHead().GetRef(),
		BaseSHA:        pr.GetBase().GetSHA(),
		BaseRef:        pr.GetBase().GetRef(),
		HeadRepo:       pr.GetHead().GetRepo().GetFullName(),
		BaseRepo:       pr.GetBase().GetRepo().GetFullName(),
		DefaultBranch:  pr.GetBase().GetRepo().GetDefaultBranch(),
		Draft:          pr.GetDraft(),
		Merged:         merged,
		MergeCommitSHA: pr.GetMergeCommitSHA(),
		MergedAt:       timeOf(pr.MergedAt),
	}
}

func filesOf(files []*gogithub.CommitFile) []ChangedFile {
	out := make([]ChangedFile, 0, len(files))
	for _, f := range files {
		out = append(out, ChangedFile{Path: f.GetFilename(), PreviousPath: f.GetPreviousFilename(), Status: f.GetStatus(), Blob: f.GetSHA()})
	}
	return out
}

func commitOf(rc *gogithub.RepositoryCommit) Commit {
	msg := rc.GetCommit().GetMessage()
	return Commit{
		SHA:            rc.GetSHA(),
		AuthorLogin:    rc.GetAuthor().GetLogin(),
		CommitterLogin: rc.GetCommitter().GetLogin(),
		AuthorEmail:    rc.GetCommit().GetAuthor().GetEmail(),
		CommitterEmail: rc.GetCommit().GetCommitter().GetEmail(),
		CoAuthorEmails: CoAuthorEmails(msg),
		Message:        msg,
		Parents:        parentsOf(rc),
	}
}

func parentsOf(rc *gogithub.RepositoryCommit) []string {
	var out []string
	for _, p := range rc.Parents {
		out = append(out, p.GetSHA())
	}
	return out
}
