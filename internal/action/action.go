// Package action is the GitHub Action: it reads the runner's environment and
// event, gathers the pull request's facts from GitHub (or, in release mode,
// has the release gate gather every pull request of the release), has the
// gate decide, and reports the decision where the people involved look — a
// commit status branch protection can require, one sticky pull-request
// comment, a review request to the CSOs who could approve, the job summary,
// step outputs, annotations, a decision file, the decision record and, for a
// release, the clinical safety release note. It is wiring between the
// runner, GitHub and the gate; the rules live in the gate and its policies.
//
// It fails closed: every path that does not end in a clean evaluation ends
// blocked, with a commit status that is not success when one can be posted,
// and a message naming what to fix.
package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/csogate/csogate/internal/buildinfo"
	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/pullfacts"
	"github.com/csogate/csogate/internal/release"
)

// gitHub is what the action needs of GitHub: what the release gate reads
// (which includes what a pull request's evaluation reads), and the writes;
// *github.Client provides it.
type gitHub interface {
	release.API
	BranchHead(ctx context.Context, owner, repo, branch string) (string, error)
	SetStatus(ctx context.Context, owner, repo, sha string, s github.Status) error
	UpsertComment(ctx context.Context, owner, repo string, number int, marker, body string) error
	RequestedReviewers(ctx context.Context, owner, repo string, number int) ([]string, error)
	RequestReviewers(ctx context.Context, owner, repo string, number int, logins []string) error
	CreateIssue(ctx context.Context, owner, repo, title, body string, labels []string) (github.Issue, error)
	UpdateIssue(ctx context.Context, owner, repo string, number int, title, body, state string) error
	AddAssignees(ctx context.Context, owner, repo string, number int, logins []string) error
}

var _ gitHub = (*github.Client)(nil)

// Option adjusts Run.
type Option func(*options)

type options struct {
	version string
	build   buildinfo.Info
	now     func() time.Time
	// sleep replaces the client's waits between retries (tests).
	sleep func(context.Context, time.Duration) error
}

// WithVersion names the tool version in the log and the API's User-Agent.
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// handler gates one kind of event.
type handler func(ctx context.Context, r *runner) *result

// events is the dispatch table: every event the action knows, and what it
// does on it. Release mode (a tag push, a published release, a manual run)
// is its own entry point; see release.go.
var events = map[string]handler{
	"pull_request":        gatePullRequestEvent,
	"pull_request_target": gatePullRequestEvent,
	"pull_request_review": gatePullRequestEvent,
	"merge_group":         gateMergeGroup,
	"push":                gateRelease,
	"release":             gateRelease,
	"workflow_dispatch":   gateRelease,
}

// supportedEvents lists the events for messages.
func supportedEvents() string {
	names := make([]string, 0, len(events))
	for n := range events {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// runner is one run of the action.
type runner struct {
	gha  *githubactions.Action
	log  io.Writer // the job log (stdout, token masked)
	errs io.Writer // stderr, token masked
	env  runnerEnv
	in   inputs
	gh   gitHub // nil when the client could not be built
	// pulls reads pull requests and files at commits through gh (nil with it).
	pulls   *pullfacts.Reader
	version string
	build   buildinfo.Info
	// subject is what the attestation is about; attest its files.
	subject subject
	attest  attestFiles
	now     func() time.Time
	// setup holds what was wrong with the environment or inputs. A handler
	// that finds its target (the commit to post on) still reports these as
	// the decision, so the status says the run failed.
	setup []string
	// decisionFile, recordFile and releaseNote are the paths of the files
	// written, as the steps after this one see them, for the outputs.
	decisionFile, recordFile, releaseNote string
	// safetyCase and safetyCaseHTML are release mode's safety case addendum.
	safetyCase, safetyCaseHTML string
	// posted is the state of the commit status posted, "" before.
	posted string
	// retro are the retrospective review issues, once listed in this run.
	retro       []github.Issue
	retroListed bool
}

// target is where a decision is posted.
type target struct {
	// StatusSHA is the commit that gets the status ("" for none).
	StatusSHA string
	// Pull is the pull request that gets the comment and review requests
	// (0 for none).
	Pull  int
	Draft bool
	// Fork is true when the pull request comes from another repository and
	// the event is not pull_request_target: its workflow token is read-only,
	// which explains a refused write.
	Fork bool
	// Context is the status context ("" for the status-context input): a
	// pull request into a branch other than the default names the branch.
	Context string
	// RecheckHead has publish read the pull request's head again before it
	// posts a success, which it does not when the head has moved.
	RecheckHead bool
	// MergeQueue marks a merge group's status and Release a release's: they
	// are never pending, since nothing waits on them for a CSO's approval.
	MergeQueue bool
	Release    bool
}

// neverPending reports whether the status is never pending.
func (t target) neverPending() bool { return t.MergeQueue || t.Release }

// result is what a handler decided, and where to post it.
type result struct {
	d       *decision.Decision
	outcome *gate.Outcome // nil when the gate did not run
	// request is what the gate evaluated, for the decision record; nil when
	// the gate did not run.
	request *gate.Request
	target  target
	// what names the evaluation in the log, e.g. "pull request #7 at 1a2b3c4".
	what string
	// pull is the pull request evaluated (0 for none), for the record;
	// title its title, for the retrospective review issue.
	pull  int
	title string
	// release is release mode's result; nil in the other modes.
	release *release.Result
	// releaseRun is what release mode asked of GitHub and how, for a
	// release record that replays offline; nil in the other modes.
	releaseRun *evidence.ReleaseRun
	// summary renders the job summary when it is not the decision's report
	// (release mode); it is called after every write, so it shows their
	// failures too.
	summary func() string
	// notes are said in the job summary before the report: what the run
	// judged other than the event named (the event's head was not the
	// pull request's head).
	notes []string
	// supersededBy is the pull request's new head when it moved while its
	// old head was judged: no success is posted, nor any other status after
	// the pending one saying so.
	supersededBy string
	// hazardListing is the hazard issues a release run listed (a hazard
	// log kept as issues), asked about again before a success is posted;
	// hazardIssuesChanged says why no success was posted when some changed.
	hazardListing       *hazardListing
	hazardIssuesChanged string
}

// Run runs the action in the runner's environment (read through getenv) and
// returns the process's exit code: 0 approved or not required, 1 blocked by
// rules (0 when fail-on-block is false), 2 invalid input or usage, 3
// operational failure.
func Run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer, opts ...Option) int {
	o := options{version: "dev", now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	token := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(io.Discard)).GetInput(inToken)
	log := &maskingWriter{w: stdout, secret: token}
	errs := &maskingWriter{w: stderr, secret: token}
	gha := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(log))

	r := &runner{gha: gha, log: log, errs: errs, version: o.version, build: o.build, now: o.now}
	// The token is masked before anything else is printed, so that nothing
	// the runner shows can carry it.
	if err := r.command(func() { gha.AddMask(token) }, token != ""); err != nil {
		fmt.Fprintf(errs, "csogate: cannot write to the job log: %v\n", err)
		return decision.ExitOperational
	}

	var problems []string
	r.env, problems = readEnv(gha, o.now)
	r.setup = append(r.setup, problems...)
	r.in, problems = readInputs(gha)
	r.setup = append(r.setup, problems...)
	r.subject, problems = readSubject(gha.GetInput)
	r.setup = append(r.setup, problems...)
	// Without a token and a repository there is nothing to ask GitHub, and
	// nowhere to post: the run is reported in the job only.
	if r.in.Token != "" && r.env.Owner != "" && r.env.Repo != "" {
		client, err := github.New(github.Options{BaseURL: r.env.APIURL, Token: r.in.Token, Sleep: o.sleep,
			UserAgent: "csogate/" + o.version})
		if err != nil {
			r.setup = append(r.setup, fmt.Sprintf("GITHUB_API_URL: %v", err))
		} else {
			r.gh = client
			r.pulls = pullfacts.NewReader(client, r.env.Owner, r.env.Repo)
		}
	}
	r.infof("csogate %s: %s event in %s", o.version, orNone(r.env.EventName), orNone(gha.Getenv("GITHUB_REPOSITORY")))

	res := r.dispatch(ctx)
	r.publish(ctx, res)
	r.remindRetrospective(ctx, res)
	r.report(res)
	if r.posted != "" && res.supersededBy == "" && r.posted != statusState(res.d, res.target.neverPending()) {
		// A write failed after the status was posted (the comment, or the
		// job's own files): the status says so too, and a success is
		// taken back.
		r.postStatus(ctx, res)
	}
	return r.exitCode(res.d)
}

// dispatch runs the handler of the event, or blocks on an event the action
// does not gate.
func (r *runner) dispatch(ctx context.Context) *result {
	h, ok := events[r.env.EventName]
	if !ok {
		if r.env.EventName == "" {
			return r.usage(nil, r.setup...)
		}
		return r.usage(nil, r.withSetup(fmt.Sprintf("the %s event is not one csogate gates; run it on %s (see examples/workflows/)",
			r.env.EventName, supportedEvents()))...)
	}
	return h(ctx, r)
}

// withSetup is the setup problems after why.
func (r *runner) withSetup(why string) []string {
	return append([]string{why}, r.setup...)
}

// usage is the decision when the action cannot evaluate because of how it
// was set up: blocked, INPUT_INVALID, exit 2.
func (r *runner) usage(t *target, why ...string) *result {
	d := decision.InvalidInput("", "", "", nil)
	for _, w := range why {
		d.Violations = append(d.Violations, policy.Finding{Code: decision.CodeInputInvalid, Message: w})
	}
	res := &result{d: d, what: "the action's setup"}
	if t != nil {
		res.target = *t
		d.HeadSHA = t.StatusSHA
	}
	return res
}

// failure is the decision when GitHub (or the file system) failed: blocked,
// exit 3. GitHub's errors become GITHUB_UNAVAILABLE with a message that, for
// a missing permission, names the permissions: entry to add.
func (r *runner) failure(t target, head, what string, err error) *result {
	code := decision.CodeGateError
	if isGitHubError(err) {
		code = decision.CodeGitHubUnavailable
	}
	d := decision.Failure("", "", head, code, fmt.Errorf("%s: %s", what, r.explain(err, t)))
	return &result{d: d, target: t, what: what}
}

// isGitHubError reports whether err came from GitHub's API.
func isGitHubError(err error) bool {
	var unavailable *github.UnavailableError
	var permission *github.PermissionError
	var status *github.StatusError
	return errors.As(err, &unavailable) || errors.As(err, &permission) || errors.As(err, &status)
}

// explain adds to an error what the user can do about it.
func (r *runner) explain(err error, t target) string {
	msg := err.Error()
	var permission *github.PermissionError
	if errors.As(err, &permission) {
		if t.Release {
			msg += "; the job needs " + releasePermissionsBlock
		} else {
			msg += "; the job needs " + permissionsBlock
		}
		if _, issues := pullfacts.IssuesLabel(r.in.Paths); issues {
			msg += ", and issues: read for the hazard log kept as issues"
		}
		if t.Fork {
			msg += "; a pull request from a fork gets a read-only token on pull_request events: gate it on pull_request_target, " +
				"see examples/workflows/pull-request-target.yml"
		}
	}
	return msg
}

// permissionsBlock is the least a pull-request gate's job needs, as a
// workflow spells it; releasePermissionsBlock a release gate's, which only
// reads pull requests (through their commits) and posts a status. issues:
// write is for the retrospective review issues of emergency overrides
// (retrospective.go): the release gate lists them (a read it cannot do
// without when the configuration allows overrides), and both keep them.
const (
	permissionsBlock        = "permissions: {contents: read, pull-requests: write, statuses: write, issues: write}"
	releasePermissionsBlock = "permissions: {contents: read, pull-requests: read, statuses: write, issues: write}"
)

// exitCode maps the decision to the process's exit code; fail-on-block: false
// lets a blocked-by-rules decision pass the job (the status still says it is
// blocked). Invalid input and failures always fail the job.
func (r *runner) exitCode(d *decision.Decision) int {
	if d.ExitCode == decision.ExitBlocked && !r.in.FailOnBlock {
		r.infof("fail-on-block is false: the job passes although the gate blocked; the commit status still says it is blocked")
		return decision.ExitAllowed
	}
	return d.ExitCode
}

// infof writes a line to the job log.
func (r *runner) infof(format string, a ...any) {
	fmt.Fprintf(r.log, format+"\n", a...)
}

func orNone(s string) string {
	if s == "" {
		return "(no)"
	}
	return s
}
