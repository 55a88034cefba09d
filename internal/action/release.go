package action

import (
	"context"
	"fmt"
)

// gateRelease is release mode's entry in the dispatch table: a tag push, a
// published release, or a manual run with release-ref (contract section 4).
// This version of the action does not gate releases, and a release gate that
// is not there must not look like one that passed: the run ends blocked, so
// the job fails and the deployment steps after it do not run.
func gateRelease(_ context.Context, r *runner) *result {
	msg := fmt.Sprintf("release mode (%s event) is not available in csogate %s: a release cannot be gated yet, so it is blocked. "+
		"Gate pull requests with the pull_request, pull_request_review and merge_group events (examples/workflows/pull-request.yml)",
		r.env.EventName, r.version)
	return r.usage(nil, r.withSetup(msg)...)
}
