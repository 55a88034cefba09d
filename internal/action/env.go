package action

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sethvargo/go-githubactions"

	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/safetyfile"
)

// The action's inputs (contract section 4), by the names action.yml declares.
const (
	inToken         = "token"
	inHazardLog     = "hazard-log"
	inManifest      = "manifest"
	inRegister      = "register"
	inConfig        = "config"
	inPolicies      = "policies"
	inStatusContext = "status-context"
	inComment       = "comment"
	inRequestReview = "request-review"
	inFailOnBlock   = "fail-on-block"
	inReleaseRef    = "release-ref"
	inSince         = "since"
	// inRetrospectiveIssues: open and keep one issue per overridden pull
	// request reminding the CSOs of its retrospective review.
	inRetrospectiveIssues = "retrospective-issues"
	inTestResults         = "test-results"
)

// maxStatusContext is the longest status-context input: GitHub takes
// contexts of at most 255 characters, and a release's retrospective chain
// status adds "/release/retrospective/#" and a pull request number of up
// to nine digits (release.RetrospectiveContext).
const maxStatusContext = 255 - len(ReleaseContextSuffix+"/retrospective/#") - 9

// DefaultStatusContext is the commit status context branch protection requires.
const DefaultStatusContext = "clinical-safety/cso-approval"

// inputDefaults holds every input the action reads, with the default it
// takes when the variable is empty (as when the binary runs outside a
// workflow); action.yml declares the same defaults, except that the token's
// is the workflow token. readInputs reads these names and no others, and a
// test holds this list and action.yml to each other.
var inputDefaults = map[string]string{
	inToken:               "",
	inHazardLog:           safetyfile.HazardLogPath,
	inManifest:            safetyfile.ManifestPath,
	inRegister:            safetyfile.RegisterPath,
	inConfig:              safetyfile.ConfigPath,
	inPolicies:            "",
	inStatusContext:       DefaultStatusContext,
	inComment:             "true",
	inRequestReview:       "true",
	inFailOnBlock:         "true",
	inReleaseRef:          "",
	inSince:               "",
	inRetrospectiveIssues: "true",
	inTestResults:         "",
	// Read by readSubject (attest.go).
	inSubjectPath: "", inSubjectDigest: "", inSubjectName: "",
}

// inputs are the action's inputs, parsed.
type inputs struct {
	Token         string
	Paths         gate.Paths
	StatusContext string
	Comment       bool
	RequestReview bool
	FailOnBlock   bool
	// RetrospectiveIssues opens, updates and closes the retrospective
	// review issues (retrospective.go).
	RetrospectiveIssues bool
	// ReleaseRef and Since belong to release mode (contract section 4).
	ReleaseRef string
	Since      string
	// TestResults are globs of the JUnit reports the workflow's test step
	// wrote, relative to the workspace (one a line).
	TestResults []string
}

// readInputs reads and checks every input. It returns what it could parse
// (defaults in place of bad values) and a sentence per bad input, so all of
// them are reported at once.
func readInputs(gha *githubactions.Action) (inputs, []string) {
	raw := make(map[string]string, len(inputDefaults))
	for name, def := range inputDefaults {
		v := gha.GetInput(name)
		if v == "" {
			v = def
		}
		raw[name] = v
	}
	var problems []string
	bad := func(name, format string, a ...any) {
		problems = append(problems, fmt.Sprintf("input %s: ", name)+fmt.Sprintf(format, a...))
	}

	in := inputs{Token: raw[inToken], ReleaseRef: raw[inReleaseRef], Since: raw[inSince]}
	in.Paths = gate.DefaultPaths()
	// A hazard log kept as GitHub issues: read through the issues API, by
	// its layout, never as a file of the repository.
	if v := strings.ToLower(strings.TrimSpace(raw[inHazardLog])); v == string(hazardlog.FormatGitHubIssues) || strings.HasPrefix(v, string(hazardlog.FormatGitHubIssues)+":") {
		f, err := hazardlog.DetectFormat("", false, v)
		if err != nil {
			bad(inHazardLog, "%v", err)
		}
		in.Paths.HazardLogFormat = string(f)
		raw[inHazardLog] = string(hazardlog.FormatGitHubIssues)
	}
	for name, dst := range map[string]*string{
		inHazardLog: &in.Paths.HazardLog, inManifest: &in.Paths.Manifest,
		inRegister: &in.Paths.Register, inConfig: &in.Paths.Config,
	} {
		p, err := repoPath(raw[name])
		if err != nil {
			bad(name, "%v", err)
			continue
		}
		*dst = p
	}
	// The configuration is optional at its default place only: a path the
	// workflow names on purpose must exist.
	in.Paths.ConfigRequired = in.Paths.Config != safetyfile.ConfigPath
	for _, dir := range splitList(raw[inPolicies]) {
		p, err := repoPath(dir)
		if err != nil {
			bad(inPolicies, "%v", err)
			continue
		}
		in.Paths.Policies = append(in.Paths.Policies, p)
	}

	for _, pattern := range strings.Split(raw[inTestResults], "\n") {
		pattern = strings.TrimSpace(filepath.ToSlash(pattern))
		if pattern == "" {
			continue
		}
		if clean := path.Clean(strings.TrimPrefix(pattern, "./")); path.IsAbs(clean) || !filepath.IsLocal(filepath.FromSlash(clean)) {
			bad(inTestResults, "%q is not inside the workspace; write a glob relative to it, e.g. reports/**/*.xml", pattern)
			continue
		}
		in.TestResults = append(in.TestResults, strings.TrimPrefix(pattern, "./"))
	}

	in.StatusContext = raw[inStatusContext]
	if strings.ContainsAny(in.StatusContext, "\r\n") || utf8.RuneCountInString(in.StatusContext) > maxStatusContext {
		bad(inStatusContext, "must be one line of at most %d characters, such as %s", maxStatusContext, DefaultStatusContext)
		in.StatusContext = DefaultStatusContext
	}
	for name, dst := range map[string]*bool{inComment: &in.Comment, inRequestReview: &in.RequestReview, inFailOnBlock: &in.FailOnBlock,
		inRetrospectiveIssues: &in.RetrospectiveIssues} {
		b, err := parseBool(raw[name])
		if err != nil {
			bad(name, "%q is not a boolean; write true or false", raw[name])
			b, _ = parseBool(inputDefaults[name])
		}
		*dst = b
	}
	if in.Token == "" {
		bad(inToken, "is empty; leave it unset to use the workflow token, or pass a token with the permissions the README lists")
	}
	sort.Strings(problems)
	return in, problems
}

// parseBool accepts the YAML 1.2 core booleans, as @actions/core's
// getBooleanInput does.
func parseBool(s string) (bool, error) {
	switch s {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}

// repoPath checks that a path input names a place inside the repository and
// returns it in clean slash form: the same path is read from the workspace
// and, through the contents API, from the trusted commit.
func repoPath(p string) (string, error) {
	p = strings.TrimSpace(filepath.ToSlash(p))
	p = strings.TrimPrefix(p, "./")
	clean := path.Clean(p)
	if p == "" || clean == "." || path.IsAbs(clean) || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", fmt.Errorf("%q is not a path inside the repository; write it relative to the repository root, e.g. %s", p, safetyfile.RegisterPath)
	}
	return clean, nil
}

// splitList splits an input holding several values, one a line or
// comma-separated.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// runnerEnv is what the action reads of the runner's environment.
type runnerEnv struct {
	EventName string
	EventPath string
	// SHA is GITHUB_SHA, read in release mode only: whether the workspace is
	// a checkout of the released commit. On pull-request events it is the
	// test merge commit, and the gate posts on the pull request's head.
	SHA        string
	Owner      string
	Repo       string
	Workspace  string
	APIURL     string
	ServerURL  string
	RunURL     string // the workflow run, for links; "" when unknown
	RunnerTemp string // RUNNER_TEMP, "" when unset
	// RunnerWorkspace is RUNNER_WORKSPACE, the runner's directory of the
	// repository (on the runner, not translated into the container).
	RunnerWorkspace string
	Today           time.Time
}

// readEnv reads the runner's environment through go-githubactions. Like
// readInputs it reports every problem at once.
func readEnv(gha *githubactions.Action, now func() time.Time) (runnerEnv, []string) {
	var problems []string
	ctx, err := gha.Context()
	if err != nil {
		problems = append(problems, fmt.Sprintf("reading the runner environment: %v", err))
	}
	if ctx == nil {
		// go-githubactions gives up on an event file that is not JSON; the
		// rest of the environment still says where to report that.
		ctx = &githubactions.GitHubContext{APIURL: "https://api.github.com", ServerURL: "https://github.com",
			EventName: gha.Getenv("GITHUB_EVENT_NAME"), EventPath: gha.Getenv("GITHUB_EVENT_PATH"), SHA: gha.Getenv("GITHUB_SHA"),
			Repository: gha.Getenv("GITHUB_REPOSITORY"), Workspace: gha.Getenv("GITHUB_WORKSPACE")}
		for k, dst := range map[string]*string{"GITHUB_API_URL": &ctx.APIURL, "GITHUB_SERVER_URL": &ctx.ServerURL} {
			if v := gha.Getenv(k); v != "" {
				*dst = v
			}
		}
	}
	env := runnerEnv{
		EventName:       ctx.EventName,
		EventPath:       ctx.EventPath,
		SHA:             ctx.SHA,
		Workspace:       ctx.Workspace,
		APIURL:          ctx.APIURL,
		ServerURL:       strings.TrimSuffix(ctx.ServerURL, "/"),
		RunnerTemp:      gha.Getenv("RUNNER_TEMP"),
		RunnerWorkspace: gha.Getenv("RUNNER_WORKSPACE"),
	}
	if env.EventName == "" {
		problems = append(problems, "GITHUB_EVENT_NAME is not set: run csogate action inside a GitHub Actions workflow")
	}
	if env.Workspace == "" {
		env.Workspace = "."
	}
	owner, repo, ok := strings.Cut(ctx.Repository, "/")
	if ok = ok && owner != "" && repo != "" && !strings.Contains(repo, "/"); ok {
		env.Owner, env.Repo = owner, repo
	} else {
		problems = append(problems, fmt.Sprintf("GITHUB_REPOSITORY %q is not owner/name", ctx.Repository))
	}
	if u, err := url.Parse(env.ServerURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && ctx.RunID > 0 && ok {
		env.RunURL = fmt.Sprintf("%s/%s/actions/runs/%d", env.ServerURL, ctx.Repository, ctx.RunID)
		if ctx.RunAttempt > 1 {
			env.RunURL += "/attempts/" + strconv.FormatInt(ctx.RunAttempt, 10)
		}
	}

	// The day is the clock's, always: a clock override (CSOGATE_TODAY, the
	// CLI's --today) is a testing aid of the CLI, and an earlier step of the
	// job can set any variable through GITHUB_ENV, say to bring a lapsed
	// registration back to life.
	env.Today = now().UTC()
	return env, problems
}

// containerTemp is where the runner mounts RUNNER_TEMP inside a Docker
// action's container (and what it sets RUNNER_TEMP to there).
const containerTemp = "/github/runner_temp"

// outputDir is where the action's files go: RUNNER_TEMP when it exists in
// this container, else the working directory (the workspace in a Docker
// action).
func (e runnerEnv) outputDir() string {
	if e.RunnerTemp != "" {
		if info, err := os.Stat(e.RunnerTemp); err == nil && info.IsDir() {
			return e.RunnerTemp
		}
	}
	return "."
}

// outputPath is the path to give in an output for a file written to
// outputDir, as the steps after this one see it: they run on the runner, not
// in this container. The working directory (the workspace) is theirs too, so
// a relative path holds; RUNNER_TEMP mounted at /github/runner_temp is the
// runner's _temp directory, beside the repository's directory that
// RUNNER_WORKSPACE names.
func (e runnerEnv) outputPath(name string) string {
	return e.stepPath(e.outputDir(), name)
}

// stepPath is outputPath for a file in dir.
func (e runnerEnv) stepPath(dir, name string) string {
	if dir == "." {
		return name
	}
	if path.Clean(dir) == containerTemp && path.IsAbs(e.RunnerWorkspace) {
		return path.Join(path.Dir(e.RunnerWorkspace), "_temp", name)
	}
	return filepath.Join(dir, name)
}
