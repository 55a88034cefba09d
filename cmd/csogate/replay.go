package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/report"
)

// runReplay is check --replay DIR: it re-derives the decision recorded in
// dir from the checkout at root and the record's copies of the trusted
// files, offline, prints it, and exits as the recorded run did. A record
// whose inputs no longer hash as recorded is refused (exit 2); a replay that
// derives anything other than what the record says exits blocked, because
// an audit mismatch must never pass.
func runReplay(ctx context.Context, root, dir, format string, stdout, stderr io.Writer) int {
	switch format {
	case "text", "json", "markdown", "safety-case", "safety-case-html":
	default:
		fmt.Fprintf(stderr, "csogate check: --format %q is not known with --replay; write text, json, markdown, or for a release record safety-case or safety-case-html\n", format)
		return decision.ExitInvalid
	}
	res, err := evidence.Replay(ctx, underRoot(root, dir), root)
	var mismatch *evidence.Mismatch
	switch {
	case errors.As(err, &mismatch):
		fmt.Fprintf(stderr, "csogate check --replay: record refused: %v\n", err)
		return decision.ExitInvalid
	case errors.Is(err, evidence.ErrInvalidRecord):
		fmt.Fprintf(stderr, "csogate check --replay: %v\n", err)
		return decision.ExitInvalid
	case err != nil:
		fmt.Fprintf(stderr, "csogate check --replay: %v\n", err)
		return decision.ExitOperational
	}

	var werr error
	switch format {
	case "safety-case", "safety-case-html":
		// The release's DCB0129 addendum, as the replay renders it from
		// what it re-derived: the file the run wrote, when the replay
		// matches the record.
		if res.SafetyCase == nil {
			fmt.Fprintf(stderr, "csogate check --replay: --format %s needs the record of a release run; %s is the record of a pull request\n", format, dir)
			return decision.ExitInvalid
		}
		page := res.SafetyCase
		if format == "safety-case-html" {
			page = res.SafetyCaseHTML
		}
		_, werr = stdout.Write(page)
	case "json":
		werr = report.JSON(stdout, res.Decision)
	case "markdown":
		_, werr = io.WriteString(stdout, report.Markdown(res.Decision, report.Links{RunURL: res.Record.Context.RunURL}))
	default:
		werr = report.Text(stdout, res.Decision)
	}
	if werr != nil {
		fmt.Fprintf(stderr, "csogate check --replay: writing the decision: %v\n", werr)
		return decision.ExitOperational
	}

	// The verdict on the record goes with the explanation a person reads,
	// and to standard error when standard output is a document.
	verdict := stdout
	if format != "text" {
		verdict = stderr
	}
	if format == "text" {
		fmt.Fprintln(verdict)
	}
	if res.Matches() {
		fmt.Fprintf(verdict, "replay: the decision matches the record (%s, exit %d; recorded %s by csogate %s)\n",
			res.Decision.Decision, res.Decision.ExitCode, res.Record.CreatedAt, orUnknown(res.Record.Tool.Version))
		return res.ExitCode()
	}
	fmt.Fprintf(verdict, "replay: the decision differs from the record in %d field(s); blocked: the record is not what the gate derives from its inputs\n", len(res.Differences))
	for _, d := range res.Differences {
		fmt.Fprintf(verdict, "  ✗ %s\n", d)
	}
	return res.ExitCode()
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(version not recorded)"
	}
	return s
}
