package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/csogate/csogate/internal/changedfiles"
	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/override"
	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/report"
	"github.com/csogate/csogate/internal/safetyfile"
)

// runCheck evaluates the gate on local files and prints the decision.
func runCheck(ctx context.Context, root string, args []string, _ env, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", stderr)
	var files fileFlags
	files.register(fs)
	var (
		changedFiles  = fs.String("changed-files", "", "required: the changed files, one per line as git diff --name-only origin/main...HEAD prints them (C-quoted names, a BOM, CRLF, UTF-16 with a BOM are read), or - for standard input")
		nullList      = fs.Bool("null", false, "the --changed-files list is NUL-separated, as git diff -z --name-only writes it")
		allowEmpty    = fs.Bool("allow-empty-changes", false, "accept an empty --changed-files list (otherwise an error: a failed git diff prints nothing)")
		baseLog       = fs.String("base-hazard-log", "", "the hazard log at the base of the change (file or Markdown directory, in the layout of --hazard-log): the change to the log is shown hazard by hazard and judged (RISK_REDUCED_WITHOUT_CONTROL, HAZARD_REMOVED, HAZARD_CLOSED_ABOVE_ACCEPTABLE)")
		baseManifest  = fs.String("base-manifest", "", "the change manifest at the base of the change: only changes added or modified since then are under review, as the Action counts them")
		reviewsFile   = fs.String("reviews", "", "JSON array of pull request reviews as GitHub's API returns them (needs --head-sha)")
		commentsFile  = fs.String("comments", "", "JSON array of the pull request's comments as GitHub's list-issue-comments API returns them: emergency overrides (/csogate override <sha>: <reason>) are read from them (needs --head-sha)")
		headSHA       = fs.String("head-sha", "", "the head commit under review; approvals of other commits are stale")
		author        = fs.String("author", "", "the pull request's author (cannot approve their own change)")
		commitAuthors multiFlag
		testResults   multiFlag
		replayDir     = fs.String("replay", "", "re-derive the decision from the decision record in this directory, offline, and check that it matches; exits as the recorded run did")
		repoFiles     = fs.String("repo-files", "", "the repository's files at the head, one per line as git ls-files prints them, or - for standard input: hazard components and control evidence are looked up in it (default: the files under the working directory when it is a git work tree, .git skipped, links not followed)")
		recordDir     = fs.String("record", "", "write the decision record (every input's SHA-256, facts, decision, approvals, copies of the trusted files) and release-note.md into this directory")
		format        = fs.String("format", "text", "output: text (explanation), json (decision document), markdown (as the job summary shows it) or input (the document policies receive, for policy authors); with --replay of a release record also safety-case or safety-case-html (the release's DCB0129 Clinical Safety Case Report addendum, as the run wrote it)")
	)
	fs.Var(&commitAuthors, "commit-author", "login of a commit author, committer or co-author (repeatable; cannot approve)")
	fs.Var(&testResults, "test-results", "a JUnit XML test report, or a glob of them (reports/**/*.xml), as the head's test run wrote them (repeatable): tests linked to the touched hazards' controls are judged (CONTROL_TEST_FAILED, CONTROL_TEST_MISSING); a pattern matching no file is an error")
	if err := fs.Parse(args); err != nil {
		return decision.ExitInvalid
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "csogate check: "+format+"\n", a...)
		return decision.ExitInvalid
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if *replayDir != "" {
		var other []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "replay" && f.Name != "format" {
				other = append(other, "--"+f.Name)
			}
		})
		if len(other) > 0 {
			return usageErr("--replay takes every input from the record; drop %s", strings.Join(other, ", "))
		}
		return runReplay(ctx, root, *replayDir, *format, stdout, stderr)
	}
	switch *format {
	case "text", "json", "markdown", "input":
	default:
		return usageErr("--format %q is not known; write text, json, markdown or input", *format)
	}
	if *reviewsFile != "" && *headSHA == "" {
		return usageErr("--reviews needs --head-sha: an approval counts only on the head commit under review")
	}
	if *commentsFile != "" && *headSHA == "" {
		return usageErr("--comments needs --head-sha: an emergency override applies only to the head commit it names")
	}
	if *changedFiles == "" {
		return usageErr("--changed-files is required: the gate must know which files the change touches, and an unknown change set is never \"not required\". Produce the list with git:\n" +
			"  git diff --name-only origin/main...HEAD > changed-files.txt && csogate check --changed-files changed-files.txt ...\n" +
			"  git diff --name-only origin/main...HEAD | csogate check --changed-files - ...\n" +
			"(name your base branch in place of origin/main)")
	}
	var fromStdin []string
	for name, value := range map[string]string{"--changed-files": *changedFiles, "--reviews": *reviewsFile, "--base-manifest": *baseManifest, "--comments": *commentsFile, "--repo-files": *repoFiles} {
		if value == "-" {
			fromStdin = append(fromStdin, name)
		}
	}
	if len(fromStdin) > 1 {
		slices.Sort(fromStdin)
		return usageErr("%s cannot all read standard input; write all but one of them to files", strings.Join(fromStdin, " and "))
	}
	today, err := files.finish(fs, root)
	if err != nil {
		return usageErr("%v", err)
	}
	req := &gate.Request{Paths: files.paths, WorkspaceRoot: root, Trusted: gate.DirSource{Root: root},
		HeadSHA: *headSHA, Author: *author, CommitAuthors: commitAuthors, Today: today}

	var problems safetyfile.Problems
	data, err := readInput(root, *changedFiles, stdin)
	if err != nil {
		return usageErr("--changed-files: %v", err)
	}
	listName := inputName(*changedFiles)
	changed, bad := changedfiles.Parse(listName, data, *nullList)
	switch {
	case len(bad) > 0:
		problems = append(problems, bad...)
	case len(changed) == 0 && !*allowEmpty:
		problems = append(problems, safetyfile.Problem{Location: safetyfile.Location{File: listName}, Code: safetyfile.CodeInputInvalid,
			Message: "the list of changed files is empty: a failed `git diff` prints nothing, so an empty list cannot show that nothing changed. " +
				"Check the command that wrote it (git diff --name-only origin/main...HEAD); if the change really touches no file, pass --allow-empty-changes"})
	default:
		req.ChangedFiles = append([]string{}, changed...)
	}
	if *repoFiles != "" {
		data, err := readInput(root, *repoFiles, stdin)
		if err != nil {
			return usageErr("--repo-files: %v", err)
		}
		name := inputName(*repoFiles)
		listed, bad := changedfiles.Parse(name, data, false)
		problems = append(problems, bad...)
		if len(bad) == 0 {
			tree, err := repofiles.FromList("--repo-files "+name, listed)
			if err != nil {
				problems = append(problems, safetyfile.Problem{Location: safetyfile.Location{File: name}, Code: safetyfile.CodeInputInvalid, Message: err.Error()})
			} else {
				req.RepoFiles = gate.RepoFilesFunc(func(context.Context) (*repofiles.Tree, error) { return tree, nil })
			}
		}
	} else if isWorkTree(root) {
		req.RepoFiles = gate.RepoFilesFunc(func(context.Context) (*repofiles.Tree, error) {
			return repofiles.Walk(root, "the working directory")
		})
	}
	if *baseLog != "" {
		req.BaseHazardLog = gate.PathSource{Path: underRoot(root, *baseLog), As: files.paths.HazardLog, Name: *baseLog}
	}
	if *baseManifest != "" {
		req.BaseManifest, err = readInput(root, *baseManifest, stdin)
		if err != nil {
			return usageErr("--base-manifest: %v", err)
		}
	}
	var d *decision.Decision
	if *reviewsFile != "" {
		data, err := readInput(root, *reviewsFile, stdin)
		if err != nil {
			return usageErr("--reviews: %v", err)
		}
		req.Reviews, err = facts.ParseReviews(data)
		if err != nil {
			problems = append(problems, safetyfile.Problem{
				Location: safetyfile.Location{File: inputName(*reviewsFile)}, Code: safetyfile.CodeInputInvalid, Message: err.Error()})
		}
	}
	if *commentsFile != "" {
		data, err := readInput(root, *commentsFile, stdin)
		if err != nil {
			return usageErr("--comments: %v", err)
		}
		req.Comments, err = override.ParseComments(data)
		if err != nil {
			problems = append(problems, safetyfile.Problem{
				Location: safetyfile.Location{File: inputName(*commentsFile)}, Code: safetyfile.CodeInputInvalid, Message: err.Error()})
		}
	}
	if len(testResults) > 0 {
		files, bad, err := gate.ReadTestResults(root, testResults)
		if err != nil {
			fmt.Fprintf(stderr, "csogate check: --test-results: %v\n", err)
			return decision.ExitOperational
		}
		problems = append(problems, bad...)
		req.TestResults, req.TestResultsGiven = files, true
	}
	if len(problems) > 0 {
		d = decision.InvalidInput("", "", *headSHA, problems)
	}
	if d == nil {
		outcome := gate.Evaluate(ctx, req)
		d = outcome.Decision
		if *recordDir != "" {
			if err := writeEvidence(underRoot(root, *recordDir), req, outcome, stderr); err != nil {
				fmt.Fprintf(stderr, "csogate check: --record: %v\n", err)
				return decision.ExitOperational
			}
		}
		if *format == "input" {
			if outcome.Input == nil {
				fmt.Fprintf(stderr, "csogate check: the evaluation stopped before the policy input was built:\n")
				_ = report.Text(stderr, d)
				return d.ExitCode
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(outcome.Input); err != nil {
				return decision.ExitOperational
			}
			return d.ExitCode
		}
	}
	if err := render(stdout, d, *format); err != nil {
		fmt.Fprintf(stderr, "csogate check: writing the decision: %v\n", err)
		return decision.ExitOperational
	}
	return d.ExitCode
}

func render(w io.Writer, d *decision.Decision, format string) error {
	switch format {
	case "json":
		return report.JSON(w, d)
	case "markdown":
		_, err := io.WriteString(w, report.Markdown(d, report.Links{}))
		return err
	}
	return report.Text(w, d)
}

// isWorkTree reports whether root is the top of a git work tree (a clone's
// .git directory, or a worktree's or submodule's .git file): only then are
// the files under it the repository's.
func isWorkTree(root string) bool {
	_, err := os.Lstat(filepath.Join(root, ".git"))
	return err == nil
}

// inputName names a file flag's value in messages.
func inputName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// readInput reads a file named relative to root, or standard input for "-",
// up to safetyfile.DefaultMaxInputBytes: a list of changed files or of
// reviews is megabytes at most, and a larger one (or an endless pipe) must
// end in an error, not in the runner's memory running out.
func readInput(root, name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		if !filepath.IsAbs(name) {
			name = filepath.Join(root, name)
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	const limit = safetyfile.DefaultMaxInputBytes
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s is over the %d MiB csogate reads from one input (the limit is fixed)", inputName(name), limit>>20)
	}
	return data, nil
}
