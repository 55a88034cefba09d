package action

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/mdtext"
	"github.com/csogate/csogate/internal/override"
	"github.com/csogate/csogate/internal/release"
)

// The retrospective review issue: one per overridden pull request, opened
// when the override lets its head through, kept up to date by later runs and
// closed once a counted CSO has reviewed the commit. It is a reminder only:
// anyone with triage access can edit or close it, so the gate never takes
// its word. The release gate re-checks every pull request it names, and a
// failure to write it (a token without issues: write) is a warning, never a
// change of the decision.

// retroMarker opens the issue's body; due is the date the review is due by,
// status reviewed, due or overdue ("pending merge" before the merge).
var retroMarker = regexp.MustCompile(`^<!-- csogate-retrospective pull=(\d+) due=(\d{4}-\d{2}-\d{2}) status=([a-z ]+) -->`)

// retroIssue is what an issue says.
type retroIssue struct {
	pull      int
	title     string // the pull request's
	o         *decision.Override
	status    string // "" before the merge
	mergedAt  string
	reviewers []decision.Approver // the CSOs who could review, not the approver
}

// retroReviewers are the CSOs who could approve the change, but for the
// emergency approver.
func retroReviewers(d *decision.Decision, o *decision.Override) []decision.Approver {
	var out []decision.Approver
	for _, a := range d.EligibleApprovers {
		if !strings.EqualFold(a.Login, o.By) {
			out = append(out, a)
		}
	}
	return out
}

func (ri retroIssue) state() string {
	if ri.status == decision.RetrospectiveReviewed {
		return "closed"
	}
	return "open"
}

// body is the issue's text. Everything from a person (the reason, the title,
// a finding) is quoted as literal text.
func (ri retroIssue) body() string {
	o := ri.o
	status := ri.status
	if status == "" {
		status = "pending merge"
	}
	b := &strings.Builder{}
	fmt.Fprintf(b, "<!-- csogate-retrospective pull=%d due=%s status=%s -->\n", ri.pull, o.ReviewDue, status)
	fmt.Fprintf(b, "#%d %s was let through without a counted CSO approval by an **emergency override**. "+
		"A counted CSO must review it retrospectively: until one does, once the review is overdue, no release may go out (EMERGENCY_REVIEW_OVERDUE).\n\n",
		ri.pull, mdtext.Inline(ri.title))
	fmt.Fprintf(b, "- Overridden by: %s (%s, %s)\n", mdtext.Inline(o.Name), mdtext.Inline("@"+o.By), mdtext.Inline(o.Role))
	fmt.Fprintf(b, "- Reason: “%s”\n", mdtext.Inline(o.Reason))
	fmt.Fprintf(b, "- Commit: %s\n", o.Commit)
	fmt.Fprintf(b, "- Override posted: %s\n", o.Time)
	days := o.ReviewWithinDays
	switch {
	case ri.mergedAt == "":
		fmt.Fprintf(b, "- Review due: %d calendar days (UTC) after the merge; by %s if it merges on the day of the override (the release gate counts from merged_at)\n", days, o.ReviewDue)
	default:
		fmt.Fprintf(b, "- Merged: %s\n- Review due by: %s (%d calendar days after the merge, UTC)\n", ri.mergedAt, o.ReviewDue, days)
	}
	switch ri.status {
	case decision.RetrospectiveReviewed:
		r := o.Retrospective
		how := "an approving review of the merged head"
		if r.Via == "comment" {
			how = "a retrospective comment, finding “" + mdtext.Inline(r.Finding) + "”"
		}
		fmt.Fprintf(b, "\n**Reviewed** by %s (%s) on %s, %s. This issue is closed.\n", mdtext.Inline(r.Name), mdtext.Inline("@"+r.By), r.At, how)
		return b.String()
	case decision.RetrospectiveOverdue:
		fmt.Fprintf(b, "\n**OVERDUE** since the end of %s: every release is blocked until a counted CSO reviews it.\n", o.ReviewDue)
	}
	fmt.Fprintf(b, "\nTo review it, a registered, trained CSO in scope for the change, independent of its authors and not the emergency approver, either\n\n"+
		"- approves #%d on its head %s (a review on the merged pull request counts), or\n"+
		"- comments on #%d: `/csogate retrospective %s: <what the review found>` (a finding that reports a problem is still a review; to stop the change, request changes on #%d, which no override clears).\n",
		ri.pull, o.Commit, ri.pull, o.Commit, ri.pull)
	if len(ri.reviewers) > 0 {
		fmt.Fprintf(b, "\nCSOs who could review it (assigned):\n\n")
		for _, a := range ri.reviewers {
			fmt.Fprintf(b, "- %s (@%s, %s %s)\n", mdtext.Inline(a.Name), a.Login, mdtext.Inline(a.Body), mdtext.Inline(a.Registration))
		}
	}
	return b.String()
}

// retroIssues lists the retrospective issues once per run.
func (r *runner) retroIssues(ctx context.Context) ([]github.Issue, error) {
	if r.retroListed {
		return r.retro, nil
	}
	issues, err := r.gh.IssuesWithLabel(ctx, r.env.Owner, r.env.Repo, release.RetrospectiveLabel)
	if err != nil {
		return nil, err
	}
	r.retro, r.retroListed = issues, true
	return issues, nil
}

// ownIssue reports whether the gate wrote the issue (release.GateIssue).
func ownIssue(is github.Issue) bool { return release.GateIssue(is) }

// keepRetroIssue opens, updates or closes the pull request's issue so that
// it says ri; it is found by label and title, so a re-run never opens a
// second one. A failure is a warning and a note: the decision stands.
func (r *runner) keepRetroIssue(ctx context.Context, res *result, ri retroIssue) {
	if !r.in.RetrospectiveIssues || r.gh == nil {
		return
	}
	title, body, state := release.RetrospectiveTitle(ri.pull), ri.body(), ri.state()
	var logins []string
	for _, a := range ri.reviewers {
		logins = append(logins, a.Login)
	}
	err := func() error {
		issues, err := r.retroIssues(ctx)
		if err != nil {
			return err
		}
		// Found by its title, or by the marker of a reminder someone
		// retitled, which this run titles again.
		i := slices.IndexFunc(issues, func(is github.Issue) bool { return ownIssue(is) && is.Title == title })
		if i < 0 {
			i = slices.IndexFunc(issues, func(is github.Issue) bool {
				return ownIssue(is) && slices.Contains(release.IssuePulls(is), ri.pull)
			})
		}
		if i < 0 {
			if state == "closed" {
				return nil // reviewed before any issue was opened
			}
			is, err := r.gh.CreateIssue(ctx, r.env.Owner, r.env.Repo, title, body, []string{release.RetrospectiveLabel})
			if err != nil {
				return err
			}
			r.retro = append(r.retro, is)
			r.infof("Opened issue #%d: %s", is.Number, title)
			if len(logins) > 0 {
				return r.gh.AddAssignees(ctx, r.env.Owner, r.env.Repo, is.Number, logins)
			}
			return nil
		}
		is := issues[i]
		if is.Title != title || is.Body != body || is.State != state {
			if err := r.gh.UpdateIssue(ctx, r.env.Owner, r.env.Repo, is.Number, title, body, state); err != nil {
				return err
			}
			r.infof("Updated issue #%d (%s): %s", is.Number, state, title)
		}
		var missing []string
		for _, l := range logins {
			if !slices.ContainsFunc(is.Assignees, func(a string) bool { return strings.EqualFold(a, l) }) {
				missing = append(missing, l)
			}
		}
		if state == "open" && len(missing) > 0 {
			return r.gh.AddAssignees(ctx, r.env.Owner, r.env.Repo, is.Number, missing)
		}
		return nil
	}()
	if err != nil {
		msg := fmt.Sprintf("The retrospective review issue of #%d could not be written: %v. It is a reminder only and the decision stands: "+
			"the release gate re-checks the pull request itself. To have the issue, give the job issues: write, or set retrospective-issues: false.",
			ri.pull, r.explain(err, res.target))
		r.warnf("%s", msg)
		res.notes = append(res.notes, msg)
	}
}

// remindRetrospective keeps the retrospective issues after a run: for a pull
// request let through by an override, its issue, opened and assigned; for a
// release, every override's issue, updated with its status and closed once
// reviewed.
func (r *runner) remindRetrospective(ctx context.Context, res *result) {
	if res.release != nil {
		byPull := map[int]*decision.Decision{}
		for _, p := range append(slices.Clone(res.release.Pulls), res.release.Earlier...) {
			if p.Outcome != nil {
				byPull[p.Number] = p.Outcome.Decision
			}
		}
		for _, st := range res.release.Overrides {
			d := byPull[st.Pull]
			if d == nil {
				continue
			}
			r.keepRetroIssue(ctx, res, retroIssue{pull: st.Pull, title: st.Title, o: st.Override, status: st.Status,
				mergedAt: st.MergedAt, reviewers: retroReviewers(d, st.Override)})
		}
		return
	}
	if res.pull == 0 || res.d.Override == nil || !res.d.Allowed() {
		return
	}
	r.keepRetroIssue(ctx, res, retroIssue{pull: res.pull, title: res.title, o: res.d.Override, reviewers: retroReviewers(res.d, res.d.Override)})
}

// warnOverdue adds the warning EMERGENCY_REVIEW_OVERDUE to a pull request's
// decision for every other overridden pull request whose retrospective
// review is overdue by its open issue: the next release will be blocked. It
// costs one request (the issues with the label, every page), made only when
// the trusted configuration allows overrides and retrospective-issues is
// on; a failed read is a warning in the log. The issue's word is enough for
// a warning; the release gate checks the pull requests themselves. What it
// found goes into the request too, so the decision record replays it.
func (r *runner) warnOverdue(ctx context.Context, res *result) {
	if !r.in.RetrospectiveIssues || res.outcome == nil || res.outcome.Config == nil || res.outcome.Config.Emergency == nil ||
		res.request == nil || res.d.ExitCode >= decision.ExitInvalid {
		return
	}
	issues, err := r.retroIssues(ctx)
	if err != nil {
		r.warnf("Could not read the retrospective review issues to warn of overdue reviews: %s", r.explain(err, res.target))
		return
	}
	var overdue []override.OverdueReview
	for _, is := range issues {
		m := retroMarker.FindStringSubmatch(is.Body)
		if is.State != "open" || !ownIssue(is) || m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n == res.pull || m[3] == decision.RetrospectiveReviewed || !override.Overdue(m[2], r.env.Today) {
			continue
		}
		overdue = append(overdue, override.OverdueReview{Pull: n, Due: m[2], Issue: is.Number})
	}
	res.request.OverdueReviews = overdue
	override.WarnOverdue(res.d, overdue)
}

// postRetrospectiveChain posts, on the commit of a release that passes, one
// pending status per override (of its range, or carried from an earlier
// release) whose retrospective CSO review is not done: the next release
// reads them and judges those pull requests again (release.readChain), so
// the review cannot be escaped by deleting or relabelling a reminder issue.
// It runs before the release's success status. A failed write blocks the
// release (GITHUB_UNAVAILABLE, exit 3): its status is then error, not
// success, so the next release starts at the previous passed release,
// whose chain is whole, and nothing is lost.
func (r *runner) postRetrospectiveChain(ctx context.Context, res *result) {
	if res.release == nil || !res.d.Allowed() || res.target.StatusSHA == "" {
		return
	}
	for _, c := range res.release.Outstanding() {
		st := github.Status{State: "pending", Context: release.RetrospectiveContext(r.releaseStatusContext(), c.Pull),
			Description: c.Description(), TargetURL: c.URL}
		if err := r.gh.SetStatus(ctx, r.env.Owner, r.env.Repo, res.target.StatusSHA, st); err != nil {
			r.writeFailed(res, fmt.Sprintf("posting the retrospective status %s on %s, which carries #%d's outstanding retrospective CSO review to the next release",
				st.Context, decision.ShortSHA(res.target.StatusSHA), c.Pull), err)
			return
		}
		r.infof("Posted commit status %s = pending on %s: %s", st.Context, decision.ShortSHA(res.target.StatusSHA), st.Description)
	}
}
