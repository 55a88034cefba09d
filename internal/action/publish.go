package action

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/report"
)

// Reason codes the action's own writes look at.
const (
	codeApprovalRequired = "CSO_APPROVAL_REQUIRED"
)

// maxCommentChars is GitHub's limit on a comment body, in characters.
const maxCommentChars = 65536

// publish writes the decision to GitHub: the sticky comment, a review request
// when a CSO's approval is wanted, and the commit status. A status that is
// not success goes first, so branch protection sees it even if GitHub fails
// later; a success goes last, after every other write succeeded, and any
// failed write turns the decision into a failure (fail closed).
func (r *runner) publish(ctx context.Context, res *result) {
	if r.gh == nil || res.target.StatusSHA == "" {
		return
	}
	if !res.d.Allowed() {
		r.postStatus(ctx, res)
		r.postComment(ctx, res)
		r.requestReview(ctx, res)
		return
	}
	r.postComment(ctx, res)
	if res.target.RecheckHead && res.d.Allowed() {
		// A push during the run leaves the judged head behind: its success
		// would stand on a commit nobody merges, and a re-run of an old event
		// would judge the new head anyway. Read the head once more.
		moved, err := r.headMoved(ctx, res.target)
		if err != nil {
			r.writeFailed(res, fmt.Sprintf("reading the head of #%d again before posting success", res.target.Pull), err)
		} else if moved != "" {
			r.superseded(ctx, res, moved)
			return
		}
	}
	if res.hazardListing != nil && res.d.Allowed() {
		// A hazard issue edited after this run listed them is in neither
		// this release's listing nor the next's: ask GitHub again.
		changed, err := r.hazardIssuesChangedSince(ctx, res.hazardListing, res.release.HazardIssuesSince)
		if err != nil {
			r.writeFailed(res, "listing the issues updated since this run listed the hazard issues, before posting the release's success", err)
		} else if len(changed) > 0 {
			r.hazardIssuesMoved(ctx, res, changed)
			return
		}
	}
	// A release's chain statuses go before its success: a release whose
	// chain could not be written is not one the next release may start at.
	r.postRetrospectiveChain(ctx, res)
	r.postStatus(ctx, res)
}

// superseded ends a run whose pull request's head moved to newHead while its
// old head was judged: the old head gets a pending status saying so, never a
// success, and the run fails closed; the run for the new head decides.
func (r *runner) superseded(ctx context.Context, res *result, newHead string) {
	old := res.target.StatusSHA
	res.supersededBy = newHead
	msg := fmt.Sprintf("the head of #%d moved from %s to %s while %s was judged: no success is posted on %s; "+
		"the run for %s decides, or rerun this job to judge it", res.target.Pull, decision.ShortSHA(old), decision.ShortSHA(newHead),
		decision.ShortSHA(old), decision.ShortSHA(old), decision.ShortSHA(newHead))
	r.warnf("%s", msg)
	d := res.d
	d.Decision, d.ExitCode = decision.Blocked, decision.ExitOperational
	d.Violations = append(d.Violations, policy.Finding{Code: decision.CodeGateError, Message: msg})
	if err := r.postPending(ctx, res.target, "Superseded by "+decision.ShortSHA(newHead)+": its own run decides"); err != nil {
		r.writeFailed(res, "posting the superseded status on "+decision.ShortSHA(old), err)
		return
	}
	r.posted = "pending"
	// The comment said what was decided on the old head; it now says why
	// that does not stand.
	r.postComment(ctx, res)
}

// writeFailed records that a write to GitHub failed: the decision becomes
// blocked, exit 3, with the failure explained next to whatever was decided.
func (r *runner) writeFailed(res *result, doing string, err error) {
	code := decision.CodeGateError
	if isGitHubError(err) {
		code = decision.CodeGitHubUnavailable
	}
	d := res.d
	d.Decision, d.ExitCode = decision.Blocked, decision.ExitOperational
	d.Violations = append(d.Violations, policy.Finding{Code: code,
		Message: fmt.Sprintf("%s: %s; the gate fails closed: rerun the job once the cause is fixed", doing, r.explain(err, res.target))})
}

// statusState is the commit status for a decision: success only when the
// change may proceed; pending while only a CSO's approval is missing (not
// when neverPending: a merge queue would wait for it, and a release job has
// ended); error when the gate could not decide; failure otherwise.
func statusState(d *decision.Decision, neverPending bool) string {
	switch {
	case d.Allowed():
		return "success"
	case d.ExitCode == decision.ExitOperational:
		return "error"
	case !neverPending && onlyAwaitingApproval(d):
		return "pending"
	}
	return "failure"
}

// onlyAwaitingApproval reports whether nothing but a CSO's approval is missing.
func onlyAwaitingApproval(d *decision.Decision) bool {
	if len(d.Violations) == 0 {
		return false
	}
	for _, v := range d.Violations {
		if v.Code != codeApprovalRequired {
			return false
		}
	}
	return true
}

// statusDescription says why, in at most 140 characters.
func statusDescription(d *decision.Decision, neverPending bool) string {
	var s string
	switch {
	case d.Allowed():
		s = d.Summary()
	case !neverPending && onlyAwaitingApproval(d):
		s = fmt.Sprintf("Waiting for CSO approval of %s: %d of %d counted", decision.ShortSHA(d.HeadSHA), d.CountedApprovals, d.RequiredApprovals)
	case d.ExitCode == decision.ExitOperational:
		s = "Gate could not decide (" + strings.Join(d.ViolationCodes(), ", ") + "): see the run"
	default:
		s = d.Summary()
	}
	if utf8.RuneCountInString(s) > 140 {
		s = string([]rune(s)[:139]) + "…"
	}
	return s
}

func (r *runner) postStatus(ctx context.Context, res *result) {
	if res.supersededBy != "" {
		return // the pending status saying so stands
	}
	st := github.Status{
		State:       statusState(res.d, res.target.neverPending()),
		Context:     r.targetContext(res.target),
		Description: statusDescription(res.d, res.target.neverPending()),
		TargetURL:   r.env.RunURL,
	}
	if err := r.gh.SetStatus(ctx, r.env.Owner, r.env.Repo, res.target.StatusSHA, st); err != nil {
		r.writeFailed(res, "posting the commit status "+st.Context+" on "+decision.ShortSHA(res.target.StatusSHA), err)
		return
	}
	r.posted = st.State
	r.infof("Posted commit status %s = %s on %s: %s", st.Context, st.State, decision.ShortSHA(res.target.StatusSHA), st.Description)
}

// targetContext is the status context of t: its own, else the input's.
func (r *runner) targetContext(t target) string {
	if t.Release {
		// A release's own context: the next release's range starts at the
		// last release that passed, which a pull request's success on the
		// same commit must not stand in for.
		return r.releaseStatusContext()
	}
	if t.Context != "" {
		return t.Context
	}
	return r.statusContext()
}

// statusContext is the input, or the default when the input was unusable.
func (r *runner) statusContext() string {
	if r.in.StatusContext == "" {
		return DefaultStatusContext
	}
	return r.in.StatusContext
}

// postComment keeps one comment on the pull request, found by its marker
// and updated in place.
func (r *runner) postComment(ctx context.Context, res *result) {
	if !r.in.Comment || res.target.Pull == 0 {
		return
	}
	marker := report.CommentMarker(r.statusContext())
	body := commentBody(marker, report.CommentMarkdown(res.d, report.Links{RunURL: r.env.RunURL}), r.env.RunURL)
	if err := r.gh.UpsertComment(ctx, r.env.Owner, r.env.Repo, res.target.Pull, marker, body); err != nil {
		r.writeFailed(res, fmt.Sprintf("writing the comment on #%d", res.target.Pull), err)
		return
	}
	r.infof("Updated the csogate comment on #%d", res.target.Pull)
}

// commentBody puts the marker first, so a cut can never remove it, and keeps
// the body within GitHub's limit. The comment's lists are capped already
// (report.CommentMarkdown); this is the backstop for a few very long rows.
func commentBody(marker, markdown, runURL string) string {
	body := marker + "\n" + markdown
	note := "\n\n*The report is cut here to fit a comment: %d more lines are in the job summary of the workflow run and in the decision file.*\n"
	if runURL != "" {
		note = "\n\n*The report is cut here to fit a comment: %d more lines are in the job summary of the [workflow run](" + strings.ReplaceAll(runURL, "%", "%%") + ") and in the decision file.*\n"
	}
	return truncateAtLine(body, maxCommentChars, note)
}

// truncateAtLine shortens s to at most limit characters, cutting at a line
// end and appending note, when it is longer. note holds one %d, the number
// of lines left out.
func truncateAtLine(s string, limit int, note string) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	// Room for the note with the largest count it could carry.
	keep := limit - utf8.RuneCountInString(fmt.Sprintf(note, strings.Count(s, "\n")+1))
	runes := []rune(s)
	cut := string(runes[:max(keep, 0)])
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut + fmt.Sprintf(note, linesLeft(s, cut))
}

// linesLeft counts the lines of s that a cut keeping its prefix cut leaves out.
func linesLeft(s, cut string) int {
	rest := strings.TrimPrefix(s[len(cut):], "\n")
	if rest == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(rest, "\n"), "\n") + 1
}

// requestReview asks the register's CSOs whose approval could count to
// review, when the change waits for a CSO's approval and none of them has a
// review request pending — so it asks once, not on every run. A draft is
// left alone until it is ready for review. A failed request changes nothing
// about the decision (which is blocked already) and is reported as a warning.
func (r *runner) requestReview(ctx context.Context, res *result) {
	d := res.d
	if !r.in.RequestReview || res.target.Pull == 0 || res.target.Draft || !hasCode(d, codeApprovalRequired) || len(d.EligibleApprovers) == 0 {
		return
	}
	owner, repo, number := r.env.Owner, r.env.Repo, res.target.Pull
	pending, err := r.gh.RequestedReviewers(ctx, owner, repo, number)
	if err != nil {
		r.warnf("Could not list the requested reviewers of #%d, so no CSO was asked to review: %s", number, r.explain(err, res.target))
		return
	}
	// A login seen on a review with another user id than the register's
	// belongs to someone else now: asking it would ask the wrong person.
	otherPerson := map[string]bool{}
	for _, a := range d.Approvals {
		if a.WhyNot == "APPROVER_ID_MISMATCH" {
			otherPerson[strings.ToLower(a.Login)] = true
		}
	}
	var logins []string
	for _, a := range d.EligibleApprovers {
		if otherPerson[strings.ToLower(a.Login)] {
			continue
		}
		for _, p := range pending {
			if strings.EqualFold(p, a.Login) {
				return // a CSO who could approve has been asked already
			}
		}
		logins = append(logins, a.Login)
	}
	if len(logins) == 0 {
		return
	}
	if err := r.gh.RequestReviewers(ctx, owner, repo, number, logins); err != nil {
		var status *github.StatusError
		hint := ""
		if errors.As(err, &status) && status.StatusCode == 422 {
			hint = "; GitHub requests reviews only from collaborators with access to the repository"
		}
		r.warnf("Could not ask %s to review #%d: %s%s", strings.Join(at(logins), ", "), number, r.explain(err, res.target), hint)
		return
	}
	r.infof("Asked %s to review #%d", strings.Join(at(logins), ", "), number)
}

func hasCode(d *decision.Decision, code string) bool {
	for _, v := range d.Violations {
		if v.Code == code {
			return true
		}
	}
	return false
}

func at(logins []string) []string {
	out := make([]string, len(logins))
	for i, l := range logins {
		out[i] = "@" + l
	}
	return out
}
