package release

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/pullfacts"
	"github.com/csogate/csogate/internal/safetyfile"
)

// How the range's start was chosen (Result.PreviousBy).
const (
	// PreviousPassed: the highest earlier release that passed the gate.
	PreviousPassed = "passed"
	// PreviousBaseline: no earlier release passed; the configuration's
	// baseline starts the range.
	PreviousBaseline = "baseline"
	// PreviousSince: since widened the range to an older commit.
	PreviousSince = "since"
)

// SkippedTag is a tag above the range's start that was not taken as the
// previous release, and why.
type SkippedTag struct {
	Tag, SHA, Why string
}

// findRange chooses where the release's range starts and lists its commits.
//
// Every commit that ships must have been judged by a gate run that passed. A
// release that passed judged every commit after its own previous release, so
// by induction everything up to a passed release's commit has been judged.
// The range therefore starts at the highest earlier release whose commit is an
// ancestor of the released commit and carries the gate's success status for
// releases (StatusContext); a final release never starts at a pre-release,
// so each final release is judged over the whole cycle. With no such release
// (the gate's first release), the trusted configuration's baseline starts it.
// since may only move the start further back.
func (e *evaluator) findRange(ctx context.Context, tags []github.Tag) (github.Comparison, error) {
	res := e.res
	start, cmp, err := e.defaultStart(ctx, tags)
	if err != nil {
		return github.Comparison{}, err
	}
	res.PreviousTag, res.PreviousSHA = start.Name, start.SHA
	since := strings.TrimPrefix(strings.TrimSpace(e.req.Since), "refs/tags/")
	if since == "" {
		return cmp, nil
	}
	return e.widen(ctx, tags, since, cmp)
}

// defaultStart is the release the range starts after when since is not
// given, and the comparison of it with the released commit.
func (e *evaluator) defaultStart(ctx context.Context, tags []github.Tag) (github.Tag, github.Comparison, error) {
	res := e.res
	cur, ok := parseSemver(res.Tag)
	if !ok {
		return github.Tag{}, github.Comparison{}, inputErrorf("%s is not a semantic version (such as v2.4.0), so its previous release cannot be found: "+
			"tag releases as vMAJOR.MINOR.PATCH (a v prefix is optional)", res.Tag)
	}
	if e.req.StatusContext == "" {
		return github.Tag{}, github.Comparison{}, inputErrorf("no status context names the gate's release status, so no earlier release can be known to have passed")
	}
	for _, t := range candidates(tags, cur, res.ReleaseSHA) {
		if cur.pre == nil && t.version.pre != nil {
			res.Skipped = append(res.Skipped, SkippedTag{Tag: t.Name, SHA: t.SHA,
				Why: "a pre-release: a final release's range never starts at one, so the whole cycle is judged again"})
			continue
		}
		state, err := e.statusState(ctx, t.SHA)
		if err != nil {
			return github.Tag{}, github.Comparison{}, fmt.Errorf("reading whether the release %s passed the gate: %w", t.Name, err)
		}
		if state != "success" {
			res.Skipped = append(res.Skipped, SkippedTag{Tag: t.Name, SHA: t.SHA, Why: notPassed(state, e.req.StatusContext, t.SHA)})
			continue
		}
		cmp, err := e.compare(ctx, t.SHA, res.ReleaseSHA)
		if err != nil {
			return github.Tag{}, github.Comparison{}, fmt.Errorf("comparing %s with %s: %w", t.Name, res.Tag, err)
		}
		if cmp.Status != "ahead" {
			res.Skipped = append(res.Skipped, SkippedTag{Tag: t.Name, SHA: t.SHA,
				Why: fmt.Sprintf("not an ancestor of %s (GitHub compares them as %s): a release of another line", res.Tag, cmp.Status)})
			continue
		}
		res.PreviousBy = PreviousPassed
		e.passed = t.Tag
		return t.Tag, cmp, nil
	}
	return e.baselineStart(ctx, tags)
}

// notPassed says why a release's commit does not show that it passed.
func notPassed(state, statusContext, sha string) string {
	if state == "" {
		return fmt.Sprintf("its release never passed the gate (no %s status on %s): its changes are judged again in this release",
			statusContext, decision.ShortSHA(sha))
	}
	return fmt.Sprintf("its release did not pass the gate (%s is %s on %s): its changes are judged again in this release",
		statusContext, state, decision.ShortSHA(sha))
}

// baselineStart starts the range at the trusted configuration's baseline,
// read at the released commit: no earlier release passed the gate.
func (e *evaluator) baselineStart(ctx context.Context, tags []github.Tag) (github.Tag, github.Comparison, error) {
	res, file := e.res, e.req.Paths.Config
	none := "no earlier release passed the gate"
	if len(res.Skipped) > 0 {
		var names []string
		for _, s := range res.Skipped {
			names = append(names, s.Tag)
		}
		none = fmt.Sprintf("no earlier release passed the gate and is an ancestor of %s (%s considered)", res.Tag, fileList(names))
	}
	name, err := e.baselineAt(ctx, res.ReleaseSHA)
	if err != nil {
		return github.Tag{}, github.Comparison{}, err
	}
	if name == "" {
		return github.Tag{}, github.Comparison{}, inputErrorf("%s, and %s at the released commit names no baseline: "+
			"add baseline: <tag> to %s, naming the last release made before the gate was adopted (e.g. baseline: v2.3.0), "+
			"in a pull request a CSO approves; this release is then judged on every commit after it", none, file, file)
	}
	sha, ok := tagSHA(tags, name)
	if !ok && isFullSHA(name) {
		sha, ok = name, true
	}
	if !ok {
		return github.Tag{}, github.Comparison{}, inputErrorf("baseline: %s in %s is not a tag of %s/%s: name the tag of the last release made before the gate was adopted",
			name, file, e.req.Owner, e.req.Repo)
	}
	cmp, err := e.compare(ctx, sha, res.ReleaseSHA)
	if err != nil {
		return github.Tag{}, github.Comparison{}, fmt.Errorf("comparing the baseline %s with %s: %w", name, res.Tag, err)
	}
	if cmp.Status != "ahead" {
		return github.Tag{}, github.Comparison{}, inputErrorf("baseline: %s in %s is not an ancestor of %s (GitHub compares them as %s): "+
			"name an earlier release on the released commit's line", name, file, res.Tag, cmp.Status)
	}
	// The change that set the baseline must itself be in the range, where it
	// needs a CSO's approval as a safety-file change; a baseline set before
	// the commit it names would leave that change unjudged.
	before, err := e.baselineAt(ctx, sha)
	if err != nil {
		return github.Tag{}, github.Comparison{}, err
	}
	if before == name {
		return github.Tag{}, github.Comparison{}, inputErrorf("baseline: %s is already set in %s at %s itself, so the change that set it would not be judged in this release: "+
			"the baseline must name a release made before the configuration named it", name, file, name)
	}
	res.PreviousBy = PreviousBaseline
	return github.Tag{Name: name, SHA: sha}, cmp, nil
}

// baselineAt is the configuration's baseline at ref; "" when the
// configuration or the key is absent.
func (e *evaluator) baselineAt(ctx context.Context, ref string) (string, error) {
	file := e.req.Paths.Config
	data, found, err := e.c.File(ctx, ref, file)
	if err != nil {
		return "", fmt.Errorf("reading %s at %s for its baseline: %w", file, decision.ShortSHA(ref), err)
	}
	if !found {
		return "", nil
	}
	cfg, _, problems := safetyfile.LoadConfig(file, data)
	// At the released commit a configuration with problems is invalid input;
	// at the baseline's commit its baseline, if it decoded, is all we ask.
	if len(problems) > 0 && ref == e.res.ReleaseSHA {
		return "", inputErrorf("%s at the released commit: %s", file, problems[0].String())
	}
	return strings.TrimSpace(cfg.Baseline), nil
}

// widen applies since: it may move the range's start back to an ancestor of
// the default start, never forward, which would leave commits no passed gate
// run judged.
func (e *evaluator) widen(ctx context.Context, tags []github.Tag, since string, def github.Comparison) (github.Comparison, error) {
	res := e.res
	sha, ok := tagSHA(tags, since)
	if !ok && !isCommitSHA(since) {
		return github.Comparison{}, inputErrorf("since: %s is neither a tag of the repository nor a commit sha: name an earlier release than %s to widen the range, or leave since empty",
			since, res.PreviousTag)
	}
	if !ok {
		sha = since
	}
	// Compared from the default start, since is "behind" when it is an
	// ancestor: the range grows. Anything else moves the start forward or
	// sideways, and the commits listed are those since would leave out.
	cmp, err := e.compare(ctx, res.PreviousSHA, sha)
	if err != nil {
		return github.Comparison{}, fmt.Errorf("comparing since: %s with %s: %w", since, res.PreviousTag, err)
	}
	switch cmp.Status {
	case "identical":
		res.PreviousTag = since
		return def, nil
	case "behind":
	default:
		inDefault := map[string]bool{}
		for _, c := range def.Commits {
			inDefault[c.SHA] = true
		}
		var left []string
		for _, c := range cmp.Commits {
			if inDefault[c.SHA] {
				left = append(left, decision.ShortSHA(c.SHA))
			}
		}
		what := "it is not an earlier commit on the released commit's line"
		if len(left) > 0 {
			what = fmt.Sprintf("it would leave out %d commit%s of the default range: %s", len(left), plural(len(left)), fileList(left))
		}
		return github.Comparison{}, inputErrorf("since: %s may only widen the range, which starts after %s (%s): %s. "+
			"Name %s or an earlier release, or leave since empty", since, res.PreviousTag, e.previousWhy(), what, res.PreviousTag)
	}
	wide, err := e.compare(ctx, sha, res.ReleaseSHA)
	if err != nil {
		return github.Comparison{}, fmt.Errorf("listing the commits from %s to %s: %w", since, res.Tag, err)
	}
	res.PreviousTag, res.PreviousSHA, res.PreviousBy = since, sha, PreviousSince
	return wide, nil
}

// previousWhy says why the range starts where it does.
func (e *evaluator) previousWhy() string {
	switch e.res.PreviousBy {
	case PreviousBaseline:
		return "the configuration's baseline, as no earlier release passed the gate"
	case PreviousSince:
		return "since"
	}
	return "the last earlier release that passed the gate"
}

// statusState is the gate's release status on sha, read once per commit.
// A hazard log kept as issues also needs when a release passed (the issues
// updated since are its changes), so then the status is read with its time
// (LatestStatus), in the same one request.
func (e *evaluator) statusState(ctx context.Context, sha string) (string, error) {
	if s, ok := e.states[sha]; ok {
		return s, nil
	}
	var s string
	if _, issues := pullfacts.IssuesLabel(e.req.Paths); issues {
		st, err := e.api.LatestStatus(ctx, e.req.Owner, e.req.Repo, sha, e.req.StatusContext)
		if err != nil {
			return "", err
		}
		s = st.State
		e.statusTimes[sha] = st.CreatedAt
	} else {
		var err error
		if s, err = e.api.StatusState(ctx, e.req.Owner, e.req.Repo, sha, e.req.StatusContext); err != nil {
			return "", err
		}
	}
	e.states[sha] = s
	return s, nil
}

// compare compares two commits, once per pair.
func (e *evaluator) compare(ctx context.Context, base, head string) (github.Comparison, error) {
	key := [2]string{base, head}
	if c, ok := e.comparisons[key]; ok {
		return c, nil
	}
	c, err := e.api.Comparison(ctx, e.req.Owner, e.req.Repo, base, head)
	if err != nil {
		return github.Comparison{}, err
	}
	e.comparisons[key] = c
	return c, nil
}

// candidate is a tag that may be the previous release.
type candidate struct {
	github.Tag
	version semver
}

// candidates are the semantic-version tags below cur, highest first (equal
// versions by name). Tags on the released commit itself are left out: a final
// release tagged on its last candidate's commit would otherwise have an empty
// range.
func candidates(tags []github.Tag, cur semver, releaseSHA string) []candidate {
	var out []candidate
	for _, t := range tags {
		v, ok := parseSemver(t.Name)
		if !ok || t.SHA == releaseSHA || v.compare(cur) >= 0 {
			continue
		}
		out = append(out, candidate{Tag: t, version: v})
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		if c := b.version.compare(a.version); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// isFullSHA reports whether s is a full commit sha.
func isFullSHA(s string) bool {
	return (len(s) == 40 || len(s) == 64) && isCommitSHA(s)
}
