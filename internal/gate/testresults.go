package gate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/csogate/csogate/internal/junit"
	"github.com/csogate/csogate/internal/safetyfile"
)

// TestResultFile is one JUnit XML report given to the gate, as read.
type TestResultFile struct {
	// Path is how the user named it: relative to the working directory (or
	// workspace), or absolute.
	Path string
	Data []byte
}

// Bounds on the test results of one run: a runner's reports are a few
// hundred files and tens of megabytes; more is a misconfigured glob (a
// node_modules tree) or an attack on the runner.
const (
	MaxTestResultFiles = 10_000
	MaxTestResultBytes = 256 << 20
)

// ReadTestResults expands each pattern (a file name or a doublestar glob,
// relative to root unless absolute) and reads the files it matches, each
// once, sorted. A pattern that matches no file is a problem, not an empty
// list: a mistyped path must not silently turn the test evidence checks off.
// Only regular files are read (a glob reaching a named pipe must not hang
// the gate), and each is read up to the report size limit, which Parse then
// refuses with its message. The error is an operational failure to read.
func ReadTestResults(root string, patterns []string) ([]TestResultFile, safetyfile.Problems, error) {
	var problems safetyfile.Problems
	seen := map[string]bool{}
	var names []string
	for _, pattern := range patterns {
		pattern = strings.TrimSpace(pattern)
		if pattern == "" {
			continue
		}
		matches, err := expand(root, pattern)
		if err != nil {
			problems = append(problems, testResultProblem(pattern, 0, fmt.Sprintf("the test results pattern is not a valid glob: %v", err)))
			continue
		}
		if len(matches) == 0 {
			problems = append(problems, testResultProblem(pattern, 0,
				"no file matches the test results pattern: a mistyped path would turn the test evidence checks off, so it is an error; check that the test step wrote its JUnit XML report there (relative to the working directory), or drop the pattern"))
			continue
		}
		for _, m := range matches {
			if !seen[m] {
				seen[m] = true
				names = append(names, m)
			}
		}
	}
	sort.Strings(names)
	if len(names) > MaxTestResultFiles {
		return nil, append(problems, testResultProblem(strings.Join(patterns, ", "), 0,
			fmt.Sprintf("the test results patterns match %d files, over the %d csogate reads; name the report directory more narrowly", len(names), MaxTestResultFiles))), nil
	}
	var files []TestResultFile
	total := 0
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the test results under %s: %w", root, err)
	}
	for _, name := range names {
		full := name
		if !filepath.IsAbs(full) {
			full = filepath.Join(root, filepath.FromSlash(name))
		}
		info, err := os.Lstat(full)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the test results %s: %w", name, err)
		}
		if info.IsDir() {
			continue // a glob such as reports/** matches directories too
		}
		// A report reached through a symbolic link (the file, or a directory
		// above it inside the workspace) could be any file of the runner,
		// which the decision record would copy: never read through one.
		if linked, err := throughLink(realRoot, name, full, info); err != nil {
			return nil, nil, fmt.Errorf("reading the test results %s: %w", name, err)
		} else if linked {
			problems = append(problems, testResultProblem(name, 0,
				"a symbolic link, or inside a linked directory: csogate does not read test results through a link (it could reach any file of the runner); have the test step write the report itself"))
			continue
		}
		if !info.Mode().IsRegular() {
			problems = append(problems, testResultProblem(name, 0, fmt.Sprintf("not a regular file (mode %s): test results are files the test step wrote", info.Mode())))
			continue
		}
		data, err := readLimited(full, junit.DefaultLimits.MaxBytes+1)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the test results %s: %w", name, err)
		}
		total += len(data)
		if total > MaxTestResultBytes {
			return nil, append(problems, testResultProblem(name, 0,
				fmt.Sprintf("the test results come to more than %d MiB, what csogate reads from one run; give the reports of this change's tests only", MaxTestResultBytes>>20))), nil
		}
		files = append(files, TestResultFile{Path: name, Data: data})
	}
	problems.Clean()
	return files, problems, nil
}

// throughLink reports whether the file name (full on disk) is, or is
// reached through, a symbolic link: the file itself for any name, and for a
// name relative to the root every directory between the root and it.
func throughLink(realRoot, name, full string, info os.FileInfo) (bool, error) {
	if info.Mode()&os.ModeSymlink != 0 {
		return true, nil
	}
	if filepath.IsAbs(name) {
		return false, nil
	}
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil {
		return false, err
	}
	return resolved != filepath.Join(realRoot, filepath.FromSlash(name)), nil
}

func expand(root, pattern string) ([]string, error) {
	if !doublestar.ValidatePattern(filepath.ToSlash(pattern)) {
		return nil, errors.New("unbalanced brackets or braces")
	}
	if filepath.IsAbs(pattern) {
		return doublestar.FilepathGlob(pattern, doublestar.WithNoFollow())
	}
	// A ** does not walk into a linked directory (a link to / would have it
	// walk the runner's disk).
	matches, err := doublestar.FilepathGlob(filepath.Join(root, pattern), doublestar.WithNoFollow())
	if err != nil {
		return nil, err
	}
	// Named as the user wrote the pattern: relative to root.
	for i, m := range matches {
		if rel, err := filepath.Rel(root, m); err == nil {
			matches[i] = filepath.ToSlash(rel)
		}
	}
	return matches, nil
}

func readLimited(name string, limit int) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(limit)))
}

func testResultProblem(file string, line int, msg string) safetyfile.Problem {
	return safetyfile.Problem{Location: safetyfile.Location{File: file, Line: line}, Code: safetyfile.CodeInputInvalid, Message: msg}
}

// parseTestResults reads the reports; nil when none were given. Every
// report that cannot be read is a problem at its file and line.
func parseTestResults(files []TestResultFile, given bool) ([]*junit.Report, safetyfile.Problems) {
	if !given {
		return nil, nil
	}
	reports := make([]*junit.Report, 0, len(files))
	var problems safetyfile.Problems
	for _, f := range files {
		r, err := junit.Parse(f.Path, f.Data, junit.DefaultLimits)
		if err != nil {
			var je *junit.Error
			if errors.As(err, &je) {
				problems = append(problems, testResultProblem(je.File, je.Line, je.Message+" (a JUnit XML test report, given as test results)"))
			} else {
				problems = append(problems, testResultProblem(f.Path, 0, err.Error()))
			}
			continue
		}
		reports = append(reports, r)
	}
	// A message may quote the report (an element's name): made safe here.
	problems.Clean()
	return reports, problems
}
