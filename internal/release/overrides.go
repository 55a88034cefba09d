package release

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/override"
	"github.com/csogate/csogate/internal/policy"
)

// RetrospectiveLabel is the label of the issue the Action opens for each
// overridden pull request, reminding the CSOs of its retrospective review.
// Release mode lists the issues with it to find overrides merged before the
// release's range.
const RetrospectiveLabel = "csogate-retrospective"

// RetrospectiveTitle is the title of the retrospective review issue of pull
// request number; the issue is found again by label and this title.
func RetrospectiveTitle(number int) string {
	return fmt.Sprintf("Retrospective CSO review due: #%d", number)
}

// titlePull reads the pull request number from a retrospective issue's
// title; 0 when the title is not one.
func titlePull(title string) int {
	rest, ok := strings.CutPrefix(title, "Retrospective CSO review due: #")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// markerPull reads the pull request number from the marker that opens the
// body of a retrospective issue the Action wrote
// ("<!-- csogate-retrospective pull=N ..."); 0 when the body has none.
func markerPull(body string) int {
	rest, ok := strings.CutPrefix(body, "<!-- csogate-retrospective pull=")
	if !ok {
		return 0
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 || end > 9 {
		return 0
	}
	n, _ := strconv.Atoi(rest[:end])
	return n
}

// GateIssue reports whether the gate wrote the retrospective issue: a bot's
// (the workflow's token, or a GitHub App's), never a person's. Anyone who
// may label issues can open one with the title and the label; only the
// gate's own name pull requests to judge again, and only they are kept up
// to date.
func GateIssue(is github.Issue) bool {
	return strings.HasSuffix(strings.ToLower(is.Author), "[bot]") && slices.Contains(is.Labels, RetrospectiveLabel)
}

// IssuePulls are the pull requests a retrospective issue names, by its
// title and by its body's marker: a person who retitles the reminder (or
// edits its marker) to hide an overdue review still leaves the other, and
// every pull request either names is re-checked.
func IssuePulls(is github.Issue) []int {
	var out []int
	for _, n := range []int{titlePull(is.Title), markerPull(is.Body)} {
		if n > 0 && (len(out) == 0 || out[0] != n) {
			out = append(out, n)
		}
	}
	return out
}

// findEarlierOverrides finds the overridden pull requests merged before the
// range through the previous passed release's retrospective statuses (the
// chain, readChain) and through their retrospective review issues, open or
// closed, and
// judges each again as it stands: an issue is a reminder anyone with triage
// access can close or edit, so it only names the pull request (by its title
// and by its body's marker, either enough); whether a
// counted CSO reviewed it is read from the pull request itself. Nothing is
// asked when the release's trusted configuration has no emergency section
// (no override could have been given under it).
func (e *evaluator) findEarlierOverrides(ctx context.Context, tmp string, out *gate.Outcome) error {
	if out.Config == nil || out.Config.Emergency == nil {
		return nil
	}
	chain, err := e.readChain(ctx)
	if err != nil {
		return err
	}
	issues, err := e.api.IssuesWithLabel(ctx, e.req.Owner, e.req.Repo, RetrospectiveLabel)
	if err != nil {
		return fmt.Errorf("listing the retrospective review issues (label %s) to find overrides before the range: %w", RetrospectiveLabel, err)
	}
	inRange := map[int]bool{}
	for _, p := range e.pulls {
		inRange[p.pr.Number] = true
	}
	seen := map[int]bool{}
	var numbers []int
	add := func(n int) {
		if !inRange[n] && !seen[n] {
			seen[n] = true
			numbers = append(numbers, n)
		}
	}
	// The chain first: the previous release's statuses, which triage
	// rights cannot touch; then whatever the reminders add.
	for _, n := range chain {
		add(n)
	}
	for _, is := range issues {
		if !GateIssue(is) {
			continue // a person's: it would let anyone with triage rights hold releases
		}
		for _, n := range IssuePulls(is) {
			add(n)
		}
	}
	var earlier []*pullState
	for _, n := range numbers {
		pr, err := e.api.PullRequest(ctx, e.req.Owner, e.req.Repo, n)
		var status *github.StatusError
		if errors.As(err, &status) && status.StatusCode == http.StatusNotFound {
			continue // an issue naming no pull request: nothing to check
		}
		if err != nil {
			return fmt.Errorf("reading #%d, named by a retrospective review issue: %w", n, err)
		}
		if !pr.Merged || pr.HeadSHA == "" || pr.BaseSHA == "" {
			continue // never merged: nothing of it shipped under an override
		}
		commits, err := e.api.Commits(ctx, e.req.Owner, e.req.Repo, n)
		if err != nil {
			return fmt.Errorf("listing the commits of #%d: %w", n, err)
		}
		earlier = append(earlier, &pullState{pr: pr, commits: commits})
	}
	err = inGroups(len(earlier), func(i int) error {
		return e.evaluatePull(ctx, earlier[i], tmp)
	}, func(i int) {
		p := earlier[i]
		// Kept: an override that applies, one a CSO has since stopped by
		// requesting changes (which no override clears), and one whose
		// override comment was edited or deleted after the merge, with no
		// counted CSO approval of the merged head instead: else whoever may
		// edit the comment could erase its retrospective review.
		if d := p.outcome.Decision; d != nil && (d.Override != nil || hasCode(d.Violations, codeChangesRequested) || overrideErased(d)) {
			e.res.Earlier = append(e.res.Earlier, Pull{Number: p.pr.Number, Title: p.pr.Title, URL: p.pr.HTMLURL, Author: p.pr.Author,
				HeadSHA: p.pr.HeadSHA, BaseSHA: p.pr.BaseSHA, MergeCommitSHA: p.pr.MergeCommitSHA, MergedAt: p.pr.MergedAt,
				Outcome: p.outcome, Request: p.req})
		}
	})
	return err
}

// overrideStatus is a pull request's override with its retrospective
// review's status on today: reviewed, due (by merged_at +
// review_within_days, calendar days in UTC) or overdue. The due date is
// rebound to the merge, which is when the override took effect. nil when no
// override applies to the pull request's final head.
func overrideStatus(p Pull, inRange bool, today time.Time) *decision.OverrideStatus {
	if p.Outcome == nil || p.Outcome.Decision == nil || p.Outcome.Decision.Override == nil {
		return nil
	}
	o := p.Outcome.Decision.Override
	o.ReviewDue = override.ReviewDue(p.MergedAt, o.ReviewWithinDays)
	st := &decision.OverrideStatus{Pull: p.Number, Title: p.Title, MergedAt: p.MergedAt.UTC().Format(time.RFC3339), InRange: inRange, Override: o}
	for _, r := range p.Outcome.Decision.OverridesRefused {
		if strings.HasPrefix(r.Why, retrospectivePrefix) {
			st.RetrospectivesRefused = append(st.RetrospectivesRefused, r)
		}
	}
	switch {
	case o.Retrospective != nil:
		st.Status = decision.RetrospectiveReviewed
	case override.Overdue(o.ReviewDue, today):
		st.Status = decision.RetrospectiveOverdue
	default:
		st.Status = decision.RetrospectiveDue
	}
	return st
}

// addOverrides lists every override of the range and every earlier one on
// the decision: a warning EMERGENCY_OVERRIDE for each in the range, with its
// retrospective status, and the violation EMERGENCY_REVIEW_OVERDUE for each
// whose review is overdue, wherever it was merged.
func (e *evaluator) addOverrides(d *decision.Decision) {
	today := e.req.Today
	var all []decision.OverrideStatus
	for _, p := range e.res.Pulls {
		if st := overrideStatus(p, true, today); st != nil {
			all = append(all, *st)
		}
	}
	listed := all
	for _, p := range e.res.Earlier {
		if st := overrideStatus(p, false, today); st != nil {
			all = append(all, *st)
			if st.Status == decision.RetrospectiveOverdue {
				listed = append(listed, *st)
			}
		}
	}
	e.res.Overrides = all
	d.Overrides = listed
	for _, p := range e.res.Earlier {
		pd := p.Outcome.Decision
		if pd.Override != nil {
			continue
		}
		if overrideErased(pd) {
			d.Violations = append(d.Violations, policy.Finding{Code: decision.CodeEmergencyReviewOverdue, Message: lostOverrideMessage(p)})
		}
		for _, v := range pd.Violations {
			if v.Code == codeChangesRequested {
				v.Message = fmt.Sprintf("#%d (merged in an earlier release on an emergency override): %s "+
					"A CSO stopped it after it shipped: fix it in a pull request a CSO approves, and that CSO approves #%d's merged head %s once it is fixed.",
					p.Number, v.Message, p.Number, decision.ShortSHA(p.HeadSHA))
				d.Violations = append(d.Violations, v)
			}
		}
	}
	for _, st := range listed {
		if st.InRange {
			d.Warnings = append(d.Warnings, policy.Finding{Code: decision.CodeEmergencyOverride, Message: OverrideLine(st)})
		}
		if st.Status == decision.RetrospectiveOverdue {
			d.Violations = append(d.Violations, policy.Finding{Code: decision.CodeEmergencyReviewOverdue, Message: overdueMessage(st)})
		}
	}
}

// OverrideLine says what an override was and where its retrospective
// review stands, in one line starting "#N: ".
func OverrideLine(st decision.OverrideStatus) string {
	o := st.Override
	s := fmt.Sprintf("#%d: %s (@%s, %s) overrode commit %s (%q); merged %s. ", st.Pull, o.Name, o.By, o.Role,
		decision.ShortSHA(o.Commit), o.Reason, dateOf(st.MergedAt))
	switch st.Status {
	case decision.RetrospectiveReviewed:
		r := o.Retrospective
		how := "an approving review of the merged head"
		if r.Via == "comment" {
			how = fmt.Sprintf("a retrospective comment, finding %q", r.Finding)
		}
		return s + fmt.Sprintf("Retrospective CSO review: done by %s on %s, %s.", who(r.Name, r.By), dateOf(r.At), how)
	case decision.RetrospectiveOverdue:
		return s + fmt.Sprintf("Retrospective CSO review: OVERDUE since %s (due by %s).", overdueSince(o.ReviewDue), o.ReviewDue)
	}
	return s + fmt.Sprintf("Retrospective CSO review: due by %s.", o.ReviewDue)
}

// overdueMessage is the EMERGENCY_REVIEW_OVERDUE violation: which pull
// request, which override, the deadline, and how to clear it.
func overdueMessage(st decision.OverrideStatus) string {
	o := st.Override
	where := "in this release"
	if !st.InRange {
		where = "in an earlier release"
	}
	return fmt.Sprintf("#%d (%s, merged %s) was let through by the emergency override of %s (@%s, %s): %q. "+
		"A counted CSO had to review it retrospectively by %s (%d days after the merge) and none has, so no release may go out until one does. "+
		"To clear it a registered, trained CSO in scope for the change, independent of its authors and not the emergency approver, either approves #%d on its merged head %s, "+
		"or comments on #%d: /csogate retrospective %s: <what the review found>.",
		st.Pull, where, dateOf(st.MergedAt), o.Name, o.By, o.Role, o.Reason, o.ReviewDue, o.ReviewWithinDays,
		st.Pull, decision.ShortSHA(o.Commit), st.Pull, o.Commit) + refusedNote(st)
}

// overrideErased reports whether a pull request named by a retrospective
// review issue, judged again, needs a CSO's approval because its override
// comment is gone or was edited after it was posted (not because the
// configuration changed since: an approver no longer listed, a longer
// minimum reason).
func overrideErased(d *decision.Decision) bool {
	if d.Override != nil || !hasCode(d.Violations, codeApprovalRequired) {
		return false
	}
	refused := false
	for _, r := range d.OverridesRefused {
		if strings.HasPrefix(r.Why, retrospectivePrefix) {
			continue
		}
		if strings.Contains(r.Why, override.EditedOverride) {
			return true
		}
		refused = true
	}
	return !refused
}

// lostOverrideMessage is the EMERGENCY_REVIEW_OVERDUE violation of an
// earlier pull request named by a retrospective review issue whose override
// no longer applies and which no counted CSO has approved since.
func lostOverrideMessage(p Pull) string {
	var refused []string
	for _, r := range p.Outcome.Decision.OverridesRefused {
		if !strings.HasPrefix(r.Why, retrospectivePrefix) {
			refused = append(refused, fmt.Sprintf("@%s's comment %d: %s", r.By, r.CommentID, r.Why))
		}
	}
	why := "its override comment is gone (deleted)"
	if len(refused) > 0 {
		why = "its override comment was edited after the merge (" + strings.Join(refused, "; ") + ")"
	}
	return fmt.Sprintf("#%d (merged %s, in an earlier release) is named (by its retrospective review issue or the previous release's retrospective status) as let through by an emergency override, but %s, "+
		"and no counted CSO has approved its merged head: nothing shows that its override was given or reviewed, so no release may go out until one is. "+
		"To clear it a registered, trained CSO in scope for the change, independent of its authors, approves #%d on its merged head %s.",
		p.Number, p.MergedAt.UTC().Format(time.DateOnly), why, p.Number, decision.ShortSHA(p.HeadSHA))
}

// retrospectivePrefix starts the refusal of a retrospective comment.
const retrospectivePrefix = "retrospective review: "

// refusedNote says which retrospective comments did not count, and why.
func refusedNote(st decision.OverrideStatus) string {
	var parts []string
	for _, r := range st.RetrospectivesRefused {
		parts = append(parts, fmt.Sprintf("@%s's comment %d: %s", r.By, r.CommentID, strings.TrimPrefix(r.Why, retrospectivePrefix)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " Not counted: " + strings.Join(parts, "; ") + "."
}

func who(name, login string) string {
	if name == "" {
		return "@" + login
	}
	return fmt.Sprintf("%s (@%s)", name, login)
}

// dateOf is the date part of an RFC 3339 time, in UTC.
func dateOf(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.UTC().Format(time.DateOnly)
}

func overdueSince(due string) string {
	t, err := time.Parse(time.DateOnly, due)
	if err != nil {
		return due
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

func hasCode(fs []policy.Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// The retrospective chain. A release that passes while overrides (its own or
// earlier ones) still await their retrospective CSO review posts, on its
// released commit, one pending status per such pull request, context
// RetrospectiveContext. The next release reads them on the previous passed
// release's commit and judges each pull request again, with those the
// retrospective issues name. A commit status cannot be edited or deleted,
// and posting one needs statuses: write, which triage rights do not give,
// so the chain holds where a reminder issue may be relabelled, retitled or
// deleted. A status only names a pull request: whether its override still
// applies and whether a counted CSO reviewed it is read from the pull
// request itself, so a forged status (any creator, any state) can only add
// a pull request to judge again, never remove one or clear its review.

// retrospectiveInfix joins the release status context and the pull request
// number in a chain status's context.
const retrospectiveInfix = "/retrospective/#"

// RetrospectiveContext is the context of the chain status of pull request
// pull on a released commit: "<release status context>/retrospective/#N".
func RetrospectiveContext(statusContext string, pull int) string {
	return statusContext + retrospectiveInfix + strconv.Itoa(pull)
}

// chainPull is the pull request a status context of the chain names; 0
// when the context is not one (GitHub compares contexts case-insensitively).
func chainPull(statusContext, context string) int {
	prefix := statusContext + retrospectiveInfix
	if len(context) <= len(prefix) || !strings.EqualFold(context[:len(prefix)], prefix) {
		return 0
	}
	rest := context[len(prefix):]
	if len(rest) > 9 || strings.TrimLeft(rest, "0123456789") != "" || rest[0] == '0' {
		return 0
	}
	n, _ := strconv.Atoi(rest)
	return n
}

// readChain lists the pull requests the previous passed release's
// retrospective statuses name, in the order first posted. Nothing is asked
// when no earlier release passed. A failed read stops the release: without
// it an earlier override whose reminder issue is gone would not be judged.
func (e *evaluator) readChain(ctx context.Context) ([]int, error) {
	if e.passed.SHA == "" {
		return nil, nil
	}
	statuses, err := e.api.CommitStatuses(ctx, e.req.Owner, e.req.Repo, e.passed.SHA)
	if err != nil {
		return nil, fmt.Errorf("reading the retrospective statuses of the previous release %s (%s) to find its outstanding emergency overrides: %w",
			e.passed.Name, decision.ShortSHA(e.passed.SHA), err)
	}
	e.res.ChainFrom = e.passed.Name
	var out []int
	var creators []string
	for i := len(statuses) - 1; i >= 0; i-- { // oldest first
		if n := chainPull(e.req.StatusContext, statuses[i].Context); n > 0 && !slices.Contains(out, n) {
			out = append(out, n)
			if c := "@" + statuses[i].Creator; !slices.Contains(creators, c) {
				creators = append(creators, c)
			}
		}
	}
	if len(out) > MaxChainPulls {
		return nil, inputErrorf("the previous release %s (%s) carries retrospective statuses (%s/retrospective/#N) naming %d pull requests, more than the %d a passing release ever posts: "+
			"they were forged by someone with statuses: write (posted by %s), and none is judged. To release, mark %s as not passed, posting the status %s = error on %s "+
			"(its statuses cannot be deleted), so the range starts at the passed release before it and judges every pull request since; then find who holds statuses: write",
			e.passed.Name, decision.ShortSHA(e.passed.SHA), e.req.StatusContext, len(out), MaxChainPulls, fileList(creators),
			e.passed.Name, e.req.StatusContext, e.passed.SHA)
	}
	e.res.ChainPulls = out
	return out, nil
}

// ChainStatus is a retrospective chain status a passed release posts on its
// released commit: an override whose retrospective review is still due.
type ChainStatus struct {
	Pull int `json:"pull"`
	// Due is the last day of the review, YYYY-MM-DD (UTC).
	Due string `json:"due"`
	// URL is the pull request's page, the status's link.
	URL string `json:"url,omitempty"`
}

// Outstanding lists the overrides, of the range and earlier, whose
// retrospective review is not done, by pull request number: what a passed
// release carries forward in its chain statuses.
func (r *Result) Outstanding() []ChainStatus {
	urls := map[int]string{}
	for _, p := range append(slices.Clone(r.Pulls), r.Earlier...) {
		urls[p.Number] = p.URL
	}
	var out []ChainStatus
	for _, st := range r.Overrides {
		if st.Status == decision.RetrospectiveReviewed || st.Override == nil || slices.ContainsFunc(out, func(c ChainStatus) bool { return c.Pull == st.Pull }) {
			continue
		}
		out = append(out, ChainStatus{Pull: st.Pull, Due: st.Override.ReviewDue, URL: urls[st.Pull]})
	}
	slices.SortFunc(out, func(a, b ChainStatus) int { return a.Pull - b.Pull })
	return out
}

// Description is the chain status's description, well within GitHub's 140
// characters.
func (c ChainStatus) Description() string {
	return fmt.Sprintf("Emergency override of #%d: retrospective CSO review due by %s", c.Pull, c.Due)
}

// MaxChainPulls is the most pull requests the retrospective statuses of
// one release may name. A passing release posts one per override still
// awaiting its review, and an overdue review blocks every release, so its
// chain holds only the overrides of the last review_within_days days: a
// few. More are forged (by someone with statuses: write), and judging each
// would spend the token's hourly requests, which every run of the
// repository shares: the release is refused at once instead.
const MaxChainPulls = 200
