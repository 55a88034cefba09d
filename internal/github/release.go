package github

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	cmp, err := c.Comparison(ctx, owner, repo, base, head)
	return cmp.Commits, err
}

// Comparison is what the compare API says of two commits.
type Comparison struct {
	// Status is GitHub's word for how head stands to base: "ahead" (base is
	// an ancestor of head), "identical", "behind" or "diverged".
	Status string
	// Commits are those reachable from head and not from base, oldest first.
	Commits []Commit
	// Parents holds each listed commit's parents, first parent first, for
	// walking the first-parent line of a release.
	Parents map[string][]string
}

// Comparison compares base with head, paging through every commit.
func (c *Client) Comparison(ctx context.Context, owner, repo, base, head string) (Comparison, error) {
	out := Comparison{Parents: map[string][]string{}}
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		cmp, resp, err := c.gh.Repositories.CompareCommits(ctx, owner, repo, base, head, opts)
		if cmp != nil {
			if out.Status == "" {
				out.Status = cmp.GetStatus()
			}
			for _, rc := range cmp.Commits {
				c := commitOf(rc)
				out.Parents[c.SHA], c.Parents = c.Parents, nil // kept once, in Parents
				out.Commits = append(out.Commits, c)
			}
		}
		return resp, err
	})
	if err != nil {
		return Comparison{}, c.fail(op{what: "comparing " + base + "..." + head, perm: permContentsRead}, err)
	}
	if out.Status == "" {
		// Without a status the ancestry the release range rests on is unknown.
		return Comparison{}, &UnavailableError{Operation: fmt.Sprintf("GET /repos/%s/%s/compare/%s...%s", owner, repo, base, head),
			Last: "GitHub's comparison has no status (ahead, identical, behind or diverged)", Attempts: 1}
	}
	return out, nil
}

// CompareFilesListed is how many changed files the compare API lists at
// most; it says nothing of the rest.
const CompareFilesListed = 300

// FilesSince lists the files head changed since it diverged from base (the
// compare API's base...head: from their merge base to head), in one request
// (the files come on the first page only). complete is false when GitHub
// listed as many as it ever does, so the list may be cut.
func (c *Client) FilesSince(ctx context.Context, owner, repo, base, head string) (files []ChangedFile, complete bool, err error) {
	cmp, _, err := c.gh.Repositories.CompareCommits(ctx, owner, repo, base, head, &gogithub.ListOptions{Page: 1, PerPage: 1})
	if err != nil {
		return nil, false, c.fail(op{what: "comparing " + base + "..." + head, perm: permContentsRead}, err)
	}
	files = filesOf(cmp.Files)
	return files, len(files) < CompareFilesListed, nil
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

// CommitFiles lists the files a commit changes; for a merge commit, against
// its first parent. GitHub lists at most 3,000 and gives no count of the
// rest, so a list that long fails with an *UnavailableError rather than
// letting the gate judge what may be part of the commit.
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
	if len(out) >= maxListedFiles {
		return nil, &UnavailableError{
			Operation: fmt.Sprintf("GET /repos/%s/%s/commits/%s", owner, repo, sha),
			Last: fmt.Sprintf("GitHub lists only the first %d files of a commit, and commit %s has at least that many, so the rest cannot be seen; "+
				"split the change into smaller commits", maxListedFiles, sha),
			Attempts: 1,
		}
	}
	return out, nil
}

// StatusState is the state ("success", "failure", "error", "pending") of the
// latest commit status named statusContext on sha, compared case-insensitively as
// GitHub does; "" when there is none.
func (c *Client) StatusState(ctx context.Context, owner, repo, sha, statusContext string) (string, error) {
	st, err := c.LatestStatus(ctx, owner, repo, sha, statusContext)
	return st.State, err
}

// LatestStatus is the latest commit status named statusContext on sha,
// compared case-insensitively as GitHub does; a zero CommitStatus when
// there is none.
func (c *Client) LatestStatus(ctx context.Context, owner, repo, sha, statusContext string) (CommitStatus, error) {
	var out CommitStatus
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		cs, resp, err := c.gh.Repositories.GetCombinedStatus(ctx, owner, repo, sha, opts)
		if cs != nil {
			// The combined status holds the latest status of each context.
			for _, st := range cs.Statuses {
				if out.State == "" && strings.EqualFold(st.GetContext(), statusContext) {
					out = CommitStatus{Context: st.GetContext(), State: st.GetState(), Description: st.GetDescription(),
						TargetURL: st.GetTargetURL(), Creator: st.GetCreator().GetLogin(), CreatedAt: st.GetCreatedAt().Time}
				}
			}
		}
		return resp, err
	})
	if err != nil {
		return CommitStatus{}, c.fail(op{what: "reading the commit statuses of " + sha, perm: permStatusesRead, alt: permStatusesWrite}, err)
	}
	return out, nil
}

// CommitStatus is one commit status as GitHub lists it, with who posted it.
// CreatedAt is when GitHub received it (its clock, not the poster's): for
// the gate's release status, when that release run ended.
type CommitStatus struct {
	Context     string    `json:"context"`
	State       string    `json:"state"`
	Description string    `json:"description,omitempty"`
	TargetURL   string    `json:"target_url,omitempty"`
	Creator     string    `json:"creator,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// CommitStatuses lists every status posted on sha, newest first, each
// context's earlier statuses too (the list-statuses API, every page).
func (c *Client) CommitStatuses(ctx context.Context, owner, repo, sha string) ([]CommitStatus, error) {
	var out []CommitStatus
	err := paginate(func(opts *gogithub.ListOptions) (*gogithub.Response, error) {
		page, resp, err := c.gh.Repositories.ListStatuses(ctx, owner, repo, sha, opts)
		for _, st := range page {
			out = append(out, CommitStatus{Context: st.GetContext(), State: st.GetState(), Description: st.GetDescription(),
				TargetURL: st.GetTargetURL(), Creator: st.GetCreator().GetLogin(), CreatedAt: timeOf(st.CreatedAt)})
		}
		return resp, err
	})
	if err != nil {
		return nil, c.fail(op{what: "listing the commit statuses of " + sha, perm: permStatusesRead, alt: permStatusesWrite}, err)
	}
	return out, nil
}
