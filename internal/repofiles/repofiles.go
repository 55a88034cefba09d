// Package repofiles answers what the repository holds at the head under
// judgement: whether a hazard's component globs still match any of its
// files (HAZARD_COMPONENT_ORPHANED), and whether each control's evidence
// names a file that is there (CONTROL_EVIDENCE_MISSING). Go works the
// answers out here, once per evaluation and in one pass over the files;
// policies/repository.rego judges them.
//
// The file list comes from GitHub's git tree of the head commit in the
// Action, and from the working directory or `git ls-files` output in the
// CLI. Only regular files are evidence: a symbolic link proves nothing
// about what is at its path (the gate never reads through one), a
// submodule is another repository, and a directory is not a file.
package repofiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Kind is what a path in the repository is.
type Kind string

// The kinds of entry, as git's tree modes tell them apart.
const (
	File      Kind = "file"      // a regular file (mode 100644 or 100755)
	Link      Kind = "link"      // a symbolic link (mode 120000)
	Submodule Kind = "submodule" // a submodule's commit (mode 160000)
	Dir       Kind = "dir"       // a directory (a tree)
)

// Tree is the repository's paths at one commit. Directories are implied by
// the paths below them, whatever the source listed.
type Tree struct {
	// Source names where the list came from, for messages ("GitHub's file
	// tree of 3f2a9c1", "the working directory").
	Source  string
	entries map[string]Kind
	// names are the paths that are not directories, sorted, for the one
	// pass that matches globs.
	names []string
	lower map[string]string // lower-cased path → the smallest path with it
}

// New builds a tree from paths and their kinds. A path is cleaned; an
// empty, absolute or escaping path is refused (a source that gave one is
// not a repository listing to trust).
func New(source string, entries map[string]Kind) (*Tree, error) {
	t := &Tree{Source: source, entries: make(map[string]Kind, len(entries))}
	for p, k := range entries {
		clean := path.Clean(strings.TrimPrefix(p, "./"))
		if p == "" || clean == "." || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("%s lists %q, which is not a path inside the repository", source, p)
		}
		switch k {
		case File, Link, Submodule, Dir:
		default:
			return nil, fmt.Errorf("%s lists %q as %q, which is not a kind of entry", source, p, k)
		}
		t.add(clean, k)
	}
	for p, k := range t.entries {
		if k != Dir {
			t.names = append(t.names, p)
		}
	}
	sort.Strings(t.names)
	return t, nil
}

func (t *Tree) add(p string, k Kind) {
	if prev, ok := t.entries[p]; ok && prev != Dir {
		return // a file listed twice, or a dir after the file: the file stands
	}
	t.entries[p] = k
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		if _, ok := t.entries[dir]; ok {
			break
		}
		t.entries[dir] = Dir
	}
}

// Len is how many entries, directories included, the tree holds.
func (t *Tree) Len() int { return len(t.entries) }

// Kind returns what p is; ok is false when the repository has no such path.
func (t *Tree) Kind(p string) (Kind, bool) {
	k, ok := t.entries[p]
	return k, ok
}

// sameButCase returns a path that differs from p only in letter case, ""
// when there is none: the hint for evidence typed with the wrong case
// (git and GitHub compare paths case-sensitively, as the gate does).
func (t *Tree) sameButCase(p string) string {
	if t.lower == nil {
		t.lower = make(map[string]string, len(t.entries))
		for q := range t.entries {
			l := strings.ToLower(q)
			if prev, ok := t.lower[l]; !ok || q < prev {
				t.lower[l] = q
			}
		}
	}
	if q, ok := t.lower[strings.ToLower(p)]; ok && q != p {
		return q
	}
	return ""
}

// Walk lists the files under root, as the CLI's repository: .git is
// skipped (the repository's own store, not its content), and symbolic links
// are listed as links and never followed.
func Walk(root, source string) (*Tree, error) {
	entries := map[string]Kind{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.Name() == ".git" && (d.IsDir() || d.Type().IsRegular()):
			// A worktree or submodule has a .git file; a clone a directory.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			entries[rel] = Link
		case d.IsDir():
			if rel != "." {
				if _, err := os.Lstat(filepath.Join(p, ".git")); err == nil {
					entries[rel] = Submodule // a nested repository: another repository's files
					return fs.SkipDir
				}
			}
			entries[rel] = Dir
		case d.Type().IsRegular():
			entries[rel] = File
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the files under %s: %w", source, err)
	}
	return New(source, entries)
}

// FromList builds a tree from one path a line, as `git ls-files` prints
// them (every one a file; a symbolic link or submodule git lists is taken
// as a file here, since the list does not say).
func FromList(source string, paths []string) (*Tree, error) {
	entries := make(map[string]Kind, len(paths))
	for _, p := range paths {
		if p = strings.TrimSpace(p); p != "" {
			entries[p] = File
		}
	}
	if len(entries) == 0 {
		return nil, errors.New(source + " lists no file: a repository has at least its safety files; pass the output of `git ls-files`")
	}
	return New(source, entries)
}
