package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	gogithub "github.com/google/go-github/v62/github"

	"github.com/csogate/csogate/internal/safetyfile"
)

// maxListedEntries is GitHub's cap on a directory listing from the contents
// API; a listing this long may be incomplete.
const maxListedEntries = 1000

var contentsOp = op{what: "reading repository contents", perm: permContentsRead}

// FileAt reads a file at a ref (commit SHA, branch or tag) with the contents
// API. A file that does not exist there gives found=false and no error; a ref
// that does not exist is an error, so a wrong trusted commit cannot pass for
// a missing register.
func (c *Client) FileAt(ctx context.Context, owner, repo, ref, path string) (content []byte, found bool, err error) {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil, false, fmt.Errorf("%s: no file path given", contentsOp.what)
	}
	file, _, _, err := c.gh.Repositories.GetContents(ctx, owner, repo, path, &gogithub.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		if isNotFound(err) && !isMissingRef(err) {
			return nil, false, nil
		}
		return nil, false, c.fail(contentsOp, err)
	}
	if file == nil {
		// A fault of the input, as a directory is in a checkout.
		return nil, false, &safetyfile.NotFileError{Path: path}
	}
	// GitHub answers for a symbolic link to a file in the repository with
	// that file, under the target's own path; for any other link, with the
	// link. Both are refused: an input read through a link is a safety file
	// edited where the changed-file list does not show it.
	if file.GetType() == "symlink" {
		return nil, false, &safetyfile.LinkError{Path: path, Target: file.GetTarget()}
	}
	if got := strings.Trim(file.GetPath(), "/"); got != "" && got != path {
		return nil, false, &safetyfile.LinkError{Path: path, Target: got}
	}
	data, err := c.fileContent(ctx, owner, repo, ref, file)
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// DirAt reads every file under dir, recursively, at ref. The keys are
// repository-relative paths, as FileAt takes them (e.g.
// "safety/policies/extra.rego"). A directory that does not exist gives an
// empty map and no error.
func (c *Client) DirAt(ctx context.Context, owner, repo, ref, dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	if err := c.walk(ctx, owner, repo, ref, strings.Trim(dir, "/"), out, true); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) walk(ctx context.Context, owner, repo, ref, dir string, out map[string][]byte, top bool) error {
	file, entries, _, err := c.gh.Repositories.GetContents(ctx, owner, repo, dir, &gogithub.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		if top && isNotFound(err) && !isMissingRef(err) {
			return nil
		}
		return c.fail(contentsOp, err)
	}
	if file != nil {
		return fmt.Errorf("%s: %s at %s is a file, not a directory", contentsOp.what, dir, refName(ref))
	}
	if len(entries) >= maxListedEntries {
		return fmt.Errorf("%s: %s at %s has %d entries or more, more than GitHub lists", contentsOp.what, dir, refName(ref), maxListedEntries)
	}
	for _, e := range entries {
		switch e.GetType() {
		case "dir":
			if err := c.walk(ctx, owner, repo, ref, e.GetPath(), out, false); err != nil {
				return err
			}
		case "symlink":
			// A listing may not say where a link points; asking for the link
			// does (FileAt refuses it, naming its target).
			if _, _, err := c.FileAt(ctx, owner, repo, ref, e.GetPath()); err != nil {
				return err
			}
			return &safetyfile.LinkError{Path: e.GetPath(), Target: e.GetTarget()}
		case "file":
			data, found, err := c.FileAt(ctx, owner, repo, ref, e.GetPath())
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("%s: %s at %s is listed but cannot be read", contentsOp.what, e.GetPath(), refName(ref))
			}
			out[e.GetPath()] = data
		default:
			return fmt.Errorf("%s: %s at %s is a %s, not a file", contentsOp.what, e.GetPath(), refName(ref), e.GetType())
		}
	}
	return nil
}

// fileContent decodes a contents-API answer. Files over 1 MB come without
// content (encoding "none") and are fetched again in the raw media type.
func (c *Client) fileContent(ctx context.Context, owner, repo, ref string, file *gogithub.RepositoryContent) ([]byte, error) {
	switch file.GetType() {
	case "file":
	default:
		return nil, fmt.Errorf("%s: %s at %s is a %s, not a file", contentsOp.what, file.GetPath(), refName(ref), file.GetType())
	}
	if file.GetEncoding() == "none" {
		return c.rawFile(ctx, owner, repo, ref, file.GetPath())
	}
	s, err := file.GetContent()
	if err != nil {
		return nil, fmt.Errorf("%s: %s at %s: %w", contentsOp.what, file.GetPath(), refName(ref), err)
	}
	return []byte(s), nil
}

// rawFile reads a file's bytes with the raw media type, which the contents
// API serves for files up to 100 MB.
func (c *Client) rawFile(ctx context.Context, owner, repo, ref, path string) ([]byte, error) {
	u := fmt.Sprintf("repos/%s/%s/contents/%s", url.PathEscape(owner), url.PathEscape(repo), (&url.URL{Path: path}).EscapedPath())
	if ref != "" {
		u += "?" + url.Values{"ref": {ref}}.Encode()
	}
	req, err := c.gh.NewRequest("GET", u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", contentsOp.what, err)
	}
	req.Header.Set("Accept", "application/vnd.github.raw+json")
	var buf bytes.Buffer
	if _, err := c.gh.Do(ctx, req, &buf); err != nil {
		return nil, c.fail(contentsOp, err)
	}
	return buf.Bytes(), nil
}

// isMissingRef tells a 404 for an unknown ref from a 404 for a missing path.
func isMissingRef(err error) bool {
	var resp *gogithub.ErrorResponse
	return isNotFound(err) && errors.As(err, &resp) &&
		strings.HasPrefix(strings.ToLower(resp.Message), "no commit found")
}

func refName(ref string) string {
	if ref == "" {
		return "the default branch"
	}
	return ref
}
