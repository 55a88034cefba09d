package action

import (
	"context"
	"fmt"

	"github.com/csogate/csogate/internal/override"
)

// overrideComments reads the pull request's comments as they stand now and
// keeps those that could be an emergency override (override.Relevant: a
// person's comment starting with the command; bots, the gate's own sticky
// comment among them, never override). A failed read fails the run: the gate
// never judges without the comments it was asked to weigh.
func (r *runner) overrideComments(ctx context.Context, number int) ([]override.Comment, error) {
	all, err := r.gh.IssueComments(ctx, r.env.Owner, r.env.Repo, number)
	if err != nil {
		return nil, fmt.Errorf("reading the comments of #%d for emergency overrides: %w", number, err)
	}
	return override.FromGitHub(all), nil
}
