package safetyfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LinkError refuses an input reached through a symbolic link. Editing a
// link's target is an edit of a safety file that the changed-file list does
// not show, and a link can point outside the repository (at /etc/passwd, or
// a runner's secrets), which the gate must never read, let alone quote.
type LinkError struct {
	Path   string // the link, as the user would name it
	Target string // where it points, as stored
}

func (e *LinkError) Error() string { return e.Path + " is " + e.Reason() }

// Reason says what is wrong without naming the link, for a Problem located at it.
func (e *LinkError) Reason() string {
	return fmt.Sprintf("a symbolic link to %s: csogate reads no input through a link (editing its target would change a safety file unseen, and a link may leave the repository); replace the link with the file itself",
		Excerpt(e.Target))
}

// NotFileError says an input named as a file is a directory: a fault of
// the input, like a missing file, not a failure to read it.
type NotFileError struct {
	Path string
}

func (e *NotFileError) Error() string { return e.Path + " " + e.Reason() }

// Reason says what is wrong without naming the path.
func (e *NotFileError) Reason() string {
	return "is a directory, not a file; name the file itself"
}

// InputProblem turns a *LinkError or *NotFileError in err into an
// INPUT_INVALID problem at the input (exit 2, like a missing file); ok is
// false for any other error, which is a failure to read (GATE_ERROR, exit 3).
func InputProblem(err error) (p Problem, ok bool) {
	var le *LinkError
	if errors.As(err, &le) {
		return Problem{Location: Location{File: le.Path}, Code: CodeInputInvalid, Message: le.Reason()}, true
	}
	var nf *NotFileError
	if errors.As(err, &nf) {
		return Problem{Location: Location{File: nf.Path}, Code: CodeInputInvalid, Message: nf.Reason()}, true
	}
	return Problem{}, false
}

// CheckNoLink returns a *LinkError when name (slash-separated, relative to
// root) or any directory between root and it is a symbolic link. Root itself
// and the directories above it are the caller's choice and are not checked
// (a runner may mount the workspace through a link). A path that does not
// exist is no error here: the reader reports it as missing.
func CheckNoLink(root, name string) error {
	root = filepath.Clean(root)
	for p := filepath.Join(root, filepath.FromSlash(name)); ; p = filepath.Dir(p) {
		if p == root || p == "." || p == filepath.Dir(p) || strings.HasPrefix(root, p+string(filepath.Separator)) {
			return nil
		}
		info, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return linkError(root, p)
		}
	}
}

// linkError describes the link at p, named relative to root when it lies
// below it.
func linkError(root, p string) *LinkError {
	target, err := os.Readlink(p)
	if err != nil {
		target = "(unreadable: " + err.Error() + ")"
	}
	name := p
	if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
		name = rel
	}
	return &LinkError{Path: filepath.ToSlash(name), Target: target}
}

// NoLinkEntry returns a *LinkError when the directory entry at p is a
// symbolic link, for readers walking a directory (which do not follow links
// but would read through one with os.ReadFile).
func NoLinkEntry(root, p string, d fs.DirEntry) error {
	if d.Type()&fs.ModeSymlink != 0 {
		return linkError(root, p)
	}
	return nil
}
