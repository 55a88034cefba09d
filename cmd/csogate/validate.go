package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
)

// runValidate checks the files and prints every problem as file:line:column: message.
func runValidate(ctx context.Context, root string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", stderr)
	var files fileFlags
	files.register(fs)
	if err := fs.Parse(args); err != nil {
		return decision.ExitInvalid
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "csogate validate: unexpected argument %q\n", fs.Arg(0))
		return decision.ExitInvalid
	}
	today, err := files.finish(fs, root)
	if err != nil {
		fmt.Fprintf(stderr, "csogate validate: %v\n", err)
		return decision.ExitInvalid
	}
	req := &gate.Request{Paths: files.paths, WorkspaceRoot: root, Trusted: gate.DirSource{Root: root}, Today: today}
	problems, warnings, checked, err := gate.Validate(ctx, req)
	if err != nil {
		fmt.Fprintf(stderr, "csogate validate: %v\n", err)
		return decision.ExitOperational
	}
	if len(checked) == 0 && len(problems) == 0 {
		fmt.Fprintf(stderr, "csogate validate: no safety files found (looked for %s, %s, %s, %s); name them with flags or run from the repository root\n",
			files.paths.HazardLog, files.paths.Manifest, files.paths.Register, files.paths.Config)
		return decision.ExitInvalid
	}
	for _, w := range warnings {
		fmt.Fprintf(stdout, "%s: warning: %s\n", w.Location, w.Message)
	}
	shown, omitted := decision.CapProblems(problems)
	for _, p := range shown {
		fmt.Fprintf(stdout, "%s\n", p)
	}
	if omitted > 0 {
		fmt.Fprintf(stdout, "%s\n", decision.Omitted(omitted))
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%d problem(s) found\n", len(problems))
		return decision.ExitInvalid
	}
	fmt.Fprintf(stdout, "valid: %s\n", strings.Join(checked, ", "))
	return decision.ExitAllowed
}
