package main

import (
	"context"
	"fmt"
	"io"

	"github.com/csogate/csogate/internal/action"
	"github.com/csogate/csogate/internal/decision"
)

// runAction is the GitHub Action's entry point (the Docker image's
// ENTRYPOINT): everything comes from the runner's environment, nothing from
// arguments.
func runAction(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "csogate action: takes no arguments (got %q); it reads the runner's INPUT_* and GITHUB_* variables\n", args[0])
		return decision.ExitInvalid
	}
	return action.Run(ctx, getenv, stdout, stderr, action.WithBuild(build))
}
