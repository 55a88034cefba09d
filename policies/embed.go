// Package policies holds csogate's default Rego policies and their unit
// tests, embedded so the binary carries the rules it was tested with.
package policies

import (
	"embed"
	"io"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.rego
var files embed.FS

// Default holds the default policies (every .rego file but the tests), at
// the root of the file system.
var Default fs.FS = filtered{fsys: files, keep: func(name string) bool { return !isTest(name) }}

// Tests holds the default policies' unit tests (*_test.rego), at the root of
// the file system. They are compiled together with Default.
var Tests fs.FS = filtered{fsys: files, keep: isTest}

func isTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// filtered is a read-only view of an embedded directory that shows only the
// files keep accepts, so callers can walk Default or Tests without knowing
// the naming convention.
type filtered struct {
	fsys embed.FS
	keep func(name string) bool
}

// Open opens a kept file or the root directory; other names do not exist.
func (f filtered) Open(name string) (fs.File, error) {
	if name != "." && !f.keep(path.Base(name)) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if name == "." {
		dir, err := f.fsys.Open(name)
		if err != nil {
			return nil, err
		}
		return &filteredDir{File: dir, entries: f.entries}, nil
	}
	return f.fsys.Open(name)
}

// ReadDir lists the kept files of the root directory, sorted by name.
func (f filtered) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return f.entries()
}

func (f filtered) entries() ([]fs.DirEntry, error) {
	all, err := f.fsys.ReadDir(".")
	if err != nil {
		return nil, err
	}
	kept := all[:0:0]
	for _, e := range all {
		if !e.IsDir() && f.keep(e.Name()) {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

// filteredDir is the root directory opened through filtered: reading it
// lists only the kept files.
type filteredDir struct {
	fs.File
	entries func() ([]fs.DirEntry, error)
	offset  int
}

// ReadDir implements fs.ReadDirFile over the kept entries.
func (d *filteredDir) ReadDir(n int) ([]fs.DirEntry, error) {
	all, err := d.entries()
	if err != nil {
		return nil, err
	}
	rest := all[d.offset:]
	if n <= 0 {
		d.offset = len(all)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.offset += n
	return rest[:n], nil
}
