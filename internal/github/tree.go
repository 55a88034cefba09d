package github

import (
	"context"
	"fmt"
	"path"

	"github.com/csogate/csogate/internal/repofiles"
)

// TreeEntry is one path of a commit's git tree and what it is.
type TreeEntry struct {
	Path string         `json:"path"`
	Kind repofiles.Kind `json:"kind"`
}

// maxTreeRequests bounds the requests one Tree call makes when GitHub
// truncates the recursive tree and it is walked directory by directory.
const maxTreeRequests = 500

// Tree lists every path of the repository at sha with the git trees API:
// one recursive request, as a rule. GitHub truncates a recursive tree over
// 100,000 entries or 7 MB; then, as GitHub documents, the tree is read
// level by level — the top non-recursively, each directory recursively, a
// directory still truncated level by level again — in at most
// maxTreeRequests requests. A tree still incomplete after that is an
// *UnavailableError, never a partial list: a missing path would read as
// missing evidence or an orphaned hazard.
func (c *Client) Tree(ctx context.Context, owner, repo, sha string) ([]TreeEntry, error) {
	var out []TreeEntry
	requests := 0
	o := op{what: "reading the file tree of " + sha, perm: permContentsRead}
	var walk func(treeSHA, prefix string, recursive bool) error
	walk = func(treeSHA, prefix string, recursive bool) error {
		requests++
		if requests > maxTreeRequests {
			return &UnavailableError{
				Operation: fmt.Sprintf("GET /repos/%s/%s/git/trees/%s", owner, repo, sha),
				Last: fmt.Sprintf("GitHub truncates the recursive file tree of %s, and reading it directory by directory takes more than %d requests; "+
					"the gate cannot see every file to check hazard components and control evidence", sha, maxTreeRequests),
				Attempts: 1,
			}
		}
		t, _, err := c.gh.Git.GetTree(ctx, owner, repo, treeSHA, recursive)
		if err != nil {
			return c.fail(o, err)
		}
		if recursive && t.GetTruncated() {
			return walk(treeSHA, prefix, false)
		}
		for _, e := range t.Entries {
			p := path.Join(prefix, e.GetPath())
			switch e.GetType() {
			case "tree":
				out = append(out, TreeEntry{Path: p, Kind: repofiles.Dir})
				if !recursive {
					if err := walk(e.GetSHA(), p, true); err != nil {
						return err
					}
				}
			case "commit":
				out = append(out, TreeEntry{Path: p, Kind: repofiles.Submodule})
			case "blob":
				kind := repofiles.File
				if e.GetMode() == "120000" {
					kind = repofiles.Link
				}
				out = append(out, TreeEntry{Path: p, Kind: kind})
			default:
				return fmt.Errorf("%s: GitHub listed %q as a %q, which is not a kind of git tree entry", o.what, p, e.GetType())
			}
		}
		if !recursive && t.GetTruncated() {
			return &UnavailableError{
				Operation: fmt.Sprintf("GET /repos/%s/%s/git/trees/%s", owner, repo, treeSHA),
				Last:      fmt.Sprintf("GitHub truncates even the directory listing of %s in commit %s", displayDir(prefix), sha),
				Attempts:  1,
			}
		}
		return nil
	}
	if err := walk(sha, "", true); err != nil {
		return nil, err
	}
	return out, nil
}

func displayDir(prefix string) string {
	if prefix == "" {
		return "the repository's root"
	}
	return prefix
}

// TreeOf makes a repofiles.Tree of a commit's entries, named for messages.
func TreeOf(source string, entries []TreeEntry) (*repofiles.Tree, error) {
	m := make(map[string]repofiles.Kind, len(entries))
	for _, e := range entries {
		m[e.Path] = e.Kind
	}
	return repofiles.New(source, m)
}
