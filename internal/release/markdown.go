package release

import (
	"errors"
	"fmt"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/mdtext"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/report"
)

// Markdown renders the release summary for the job summary: the decision;
// per pull request its clinical changes, hazards, approving CSO and what is
// missing; the direct pushes; the pull request that prepared the release and
// whether the CSO signed it off; then the release-level report. Pull requests
// are named #N and commits by their 7-character sha, so GitHub links them.
func Markdown(r *Result) string {
	b := &strings.Builder{}
	d := releaseDecision(r)
	icon := map[string]string{decision.Approved: "✅", decision.NotRequired: "☑️", decision.Blocked: "⛔"}[d.Decision]
	fmt.Fprintf(b, "# %s Clinical safety release gate: %s\n\n", icon, strings.ReplaceAll(d.Decision, "_", " "))
	fmt.Fprintf(b, "%s\n", esc(headline(r, d)))
	switch {
	case r.PreviousTag == "":
	case d.ExitCode == decision.ExitOperational:
		fmt.Fprintf(b, "\nRange: the commits after %s (%s) up to %s (%s); the gate stopped before it had checked them all.\n",
			esc(r.PreviousTag), decision.ShortSHA(r.PreviousSHA), esc(r.Tag), decision.ShortSHA(r.ReleaseSHA))
	default:
		fmt.Fprintf(b, "\nRange: the commits after %s (%s) up to %s (%s): %s, %s.\n",
			esc(r.PreviousTag), decision.ShortSHA(r.PreviousSHA), esc(r.Tag), decision.ShortSHA(r.ReleaseSHA),
			count(len(r.Pulls), "merged pull request"), count(len(r.DirectPushes), "direct push"))
	}
	if why := startWhy(r); why != "" {
		fmt.Fprintf(b, "\n%s\n", esc(why))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(b, "- Not the previous release: %s (%s), %s.\n", esc(s.Tag), decision.ShortSHA(s.SHA), esc(s.Why))
	}

	if len(r.Pulls) > 0 {
		fmt.Fprintf(b, "\n## Pull requests\n\n| Pull request | Final head | Gate | Clinical changes | Hazards (residual risk) | Approving CSO | Missing |\n|---|---|---|---|---|---|---|\n")
		for _, p := range r.Pulls {
			fmt.Fprintf(b, "| #%d %s | %s | %s |\n", p.Number, cell(p.Title), decision.ShortSHA(p.HeadSHA), strings.Join(pullCells(p), " | "))
		}
		for _, p := range r.Pulls {
			if p.Outcome == nil || len(p.Outcome.Decision.Violations) == 0 {
				continue
			}
			fmt.Fprintf(b, "\n### What #%d is missing\n\n", p.Number)
			for _, v := range p.Outcome.Decision.Violations {
				fmt.Fprintf(b, "- **%s**: %s\n", v.Code, esc(v.Message))
			}
			for _, a := range p.Outcome.Decision.Approvals {
				if !a.Counted {
					fmt.Fprintf(b, "- Not counted (%s): %s\n", a.WhyNot, esc(uncounted(a)))
				}
			}
			fmt.Fprintf(b, "\nWhat would unblock it:\n\n")
			for _, code := range p.Outcome.Decision.ViolationCodes() {
				fmt.Fprintf(b, "- **%s**: %s\n", code, esc(report.Advice(code, p.HeadSHA)))
			}
		}
	} else if r.PreviousTag != "" && d.ExitCode != decision.ExitOperational {
		fmt.Fprintf(b, "\nNo merged pull request in the release.\n")
	}

	if r.HazardIssuesLabel != "" {
		writeIssueEdits(b, r)
	}

	if len(r.DirectPushes) > 0 {
		fmt.Fprintf(b, "\n## Commits without a pull request\n\n| Commit | Author | Clinically relevant | Files |\n|---|---|---|---|\n")
		for _, dp := range r.DirectPushes {
			clinical := "no (warning)"
			if dp.Clinical {
				clinical = "**yes** (DIRECT_PUSH blocks)"
			}
			commit := decision.ShortSHA(dp.SHA)
			if dp.Pull != 0 {
				what := "files beyond its own"
				switch {
				case len(dp.Altered) == len(dp.Files):
					what = "its files left otherwise than its reviewed head"
				case len(dp.Altered) > 0:
					what = "files beyond its own, and its own left otherwise than its reviewed head"
				}
				commit += fmt.Sprintf(" (merge of #%d: %s)", dp.Pull, what)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", commit, cell(mention(dp.Author)), clinical, cell(fileList(dp.Files)))
		}
	}

	if len(d.Overrides) > 0 {
		fmt.Fprintf(b, "\n## Emergency overrides\n\n| Pull request | Overridden by | Reason | Merged | Retrospective CSO review |\n|---|---|---|---|---|\n")
		for _, st := range d.Overrides {
			o := st.Override
			where := ""
			if !st.InRange {
				where = " (earlier release)"
			}
			fmt.Fprintf(b, "| #%d %s%s | %s | %s | %s | %s |\n", st.Pull, cell(st.Title), where, cell(who(o.Name, o.By)+", "+o.Role),
				cell(o.Reason), dateOf(st.MergedAt), cell(retrospectiveCell(st)))
		}
	}
	if len(r.ChainPulls) > 0 {
		fmt.Fprintf(b, "\nEarlier overrides judged again, as named by %s's retrospective statuses: %s.\n", r.ChainFrom, pullList(r.ChainPulls))
	}
	if out := r.Outstanding(); d.Allowed() && len(out) > 0 {
		var nums []int
		for _, c := range out {
			nums = append(nums, c.Pull)
		}
		fmt.Fprintf(b, "\nRetrospective CSO review outstanding for %s: the Action posts a status for each on the released commit, which the next release reads to judge them again.\n", pullList(nums))
	}

	if r.Release != nil && r.Release.Input != nil {
		fmt.Fprintf(b, "\n## Release sign-off\n\n%s\n", signoffLine(r, d))
	}

	fmt.Fprintf(b, "\n## Release-level evaluation\n\n")
	b.WriteString(strings.Replace(report.Markdown(d, report.Links{}), "## ", "### ", 1))
	return b.String()
}

// releaseDecision is the release decision, or a blocked one if there is none.
func releaseDecision(r *Result) *decision.Decision {
	if r.Release != nil && r.Release.Decision != nil {
		return r.Release.Decision
	}
	return decision.Failure("", r.Version, r.ReleaseSHA, decision.CodeGateError, errors.New("the release was not evaluated"))
}

func headline(r *Result, d *decision.Decision) string {
	what := strings.TrimSpace(d.Product + " " + r.Version)
	at := fmt.Sprintf("(tag %s at %s)", r.Tag, decision.ShortSHA(r.ReleaseSHA))
	if r.ReleaseSHA == "" {
		at = fmt.Sprintf("(tag %s)", r.Tag)
	}
	switch d.Decision {
	case decision.Approved:
		return fmt.Sprintf("APPROVED: %s %s may be deployed: every clinically relevant change has a counted CSO approval on the code that shipped, and the CSO signed the release off.", what, at)
	case decision.NotRequired:
		return fmt.Sprintf("NOT REQUIRED: %s %s has no clinically relevant change; CSO approval is not required.", what, at)
	}
	return fmt.Sprintf("BLOCKED: %s %s may not be deployed (%s).", what, at, strings.Join(d.ViolationCodes(), ", "))
}

// pullCells are a pull request's gate decision, clinical changes, hazards,
// approving CSOs and missing codes, as table cells.
func pullCells(p Pull) []string {
	if p.Outcome == nil {
		return []string{"not evaluated", "—", "—", "—", "—"}
	}
	d := p.Outcome.Decision
	verdict := strings.ReplaceAll(d.Decision, "_", " ")
	if d.Decision == decision.Blocked {
		verdict = "⛔ blocked"
	}
	var changes, hazards, approvers []string
	for _, c := range d.ClinicalChanges {
		changes = append(changes, c.ID)
	}
	for _, h := range d.TouchedHazards {
		hazards = append(hazards, fmt.Sprintf("%s (%d)", h.ID, h.ResidualRisk))
	}
	for _, a := range d.Approvals {
		if a.Counted {
			approvers = append(approvers, officer(a))
		}
	}
	approving := strings.Join(approvers, "; ")
	switch {
	case approving != "":
	case d.RequiredApprovals > 0 || len(d.Approvals) > 0:
		approving = "none counted"
	default:
		approving = "—"
	}
	missing := strings.Join(d.ViolationCodes(), ", ")
	return []string{verdict, cell(dash(strings.Join(changes, ", "))), cell(dash(strings.Join(hazards, ", "))), cell(approving), cell(dash(missing))}
}

// signoffLine says which pull request prepared the release and whether the
// CSO signed it off, as Markdown: the gate's "#N" links, what came from
// GitHub or a file is escaped.
func signoffLine(r *Result, d *decision.Decision) string {
	missing := false
	for _, v := range d.Violations {
		if v.Code == CodeReleaseSignoffRequired {
			missing = true
		}
	}
	var signed []string
	for _, a := range d.Approvals {
		if a.Counted {
			signed = append(signed, esc(officer(a)))
		}
	}
	p := r.Preparing
	if p == nil {
		s := fmt.Sprintf("No merged pull request from %s to %s set release: to %s, so none prepared the release.", esc(r.PreviousTag), esc(r.Tag), esc(r.Version))
		if missing {
			s += " The release has clinically relevant changes, so it needs the CSO's sign-off: the CSO must approve the pull request that sets release: " + esc(r.Version) + " (merge it before tagging)."
		}
		return s
	}
	s := fmt.Sprintf("#%d %s prepared the release (it set release: %s). ", p.Number, esc(p.Title), esc(r.Version))
	switch {
	case missing:
		return s + fmt.Sprintf("CSO sign-off: missing (%d of %d required counted on its final head %s): a CSO must approve #%d on commit %s.",
			d.CountedApprovals, d.RequiredApprovals, decision.ShortSHA(p.HeadSHA), p.Number, decision.ShortSHA(p.HeadSHA))
	case len(signed) > 0:
		return s + fmt.Sprintf("CSO sign-off on its final head %s: %s.", decision.ShortSHA(p.HeadSHA), strings.Join(signed, "; "))
	}
	return s + "CSO sign-off: not required, as nothing in the release is clinically relevant."
}

// officer names a counted approver as the register records them.
func officer(a policy.Approval) string {
	if a.Name == "" {
		return "@" + a.Login
	}
	return fmt.Sprintf("%s (@%s, %s %s)", a.Name, a.Login, a.Body, a.Registration)
}

func uncounted(a policy.Approval) string {
	if a.WhyNotDetail != "" {
		return a.WhyNotDetail
	}
	return fmt.Sprintf("@%s approved %s", a.Login, decision.ShortSHA(a.Commit))
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "sh") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// cell makes text from a file or from GitHub literal inside a table cell.
func cell(s string) string { return mdtext.Inline(s) }

// esc makes text from a file or from GitHub literal in the summary: titles,
// file names and messages cannot add markup, links or mentions (see mdtext).
// A finding's "#N: " naming its pull request stays a link.
func esc(s string) string { return mdtext.Message(s) }

// startWhy says why the range starts where it does: every commit that ships
// has been judged by a gate run that passed.
func startWhy(r *Result) string {
	switch r.PreviousBy {
	case PreviousPassed:
		return fmt.Sprintf("%s is the last earlier release that passed the gate and is an ancestor of %s, so every commit up to it was judged already.", r.PreviousTag, r.Tag)
	case PreviousBaseline:
		return fmt.Sprintf("No earlier release passed the gate, so the range starts at the configuration's baseline, %s.", r.PreviousTag)
	case PreviousSince:
		return fmt.Sprintf("since: %s widened the range back from the last release that passed the gate.", r.PreviousTag)
	}
	return ""
}

// retrospectiveCell says where an override's retrospective review stands.
func retrospectiveCell(st decision.OverrideStatus) string {
	o := st.Override
	switch st.Status {
	case decision.RetrospectiveReviewed:
		r := o.Retrospective
		s := fmt.Sprintf("reviewed by %s on %s (%s)", who(r.Name, r.By), dateOf(r.At), r.Via)
		if r.Finding != "" {
			s += fmt.Sprintf(": %q", r.Finding)
		}
		return s
	case decision.RetrospectiveOverdue:
		return fmt.Sprintf("OVERDUE since %s (due by %s): EMERGENCY_REVIEW_OVERDUE blocks", overdueSince(o.ReviewDue), o.ReviewDue)
	}
	return "due by " + o.ReviewDue
}

// writeIssueEdits lists the hazard issues updated since the previous
// release: changes to a hazard log kept as GitHub issues that no pull
// request carried, which the release's sign-off covers.
func writeIssueEdits(b *strings.Builder, r *Result) {
	since := fmt.Sprintf("since the previous release %s passed the gate (%s)", esc(r.PreviousTag), r.HazardIssuesSince.UTC().Format("2006-01-02 15:04 UTC"))
	if r.HazardIssuesSince.IsZero() {
		since = "that no earlier release that passed the gate read (the range starts at " + esc(r.PreviousTag) + ")"
	}
	fmt.Fprintf(b, "\n## Hazard issues edited outside pull requests\n\n")
	if len(r.HazardIssueEdits) == 0 {
		fmt.Fprintf(b, "No hazard issue (label %s) was updated %s.\n", esc(r.HazardIssuesLabel), since)
		return
	}
	fmt.Fprintf(b, "%s (label %s) updated %s: changes to the hazard log no pull request carried, so the CSO's release sign-off must cover them. "+
		"GitHub keeps no earlier version of an issue: compare each in its history.\n\n", count(len(r.HazardIssueEdits), "hazard issue"), esc(r.HazardIssuesLabel), since)
	fmt.Fprintf(b, "| Issue | Updated | State | Labels now | What changed |\n|---|---|---|---|---|\n")
	for _, e := range r.HazardIssueEdits {
		issue := fmt.Sprintf("#%d %s", e.Number, cell(e.Title))
		if safeURL(e.URL) {
			issue = fmt.Sprintf("[#%d](%s) %s", e.Number, e.URL, cell(e.Title))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", issue, e.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"), cell(e.State), cell(strings.Join(e.Labels, ", ")), cell(e.What))
	}
}

// safeURL reports whether u can be a Markdown link target as it is: an
// https address with nothing that ends or breaks the link.
func safeURL(u string) bool {
	return strings.HasPrefix(u, "https://") && !strings.ContainsAny(u, " ()<>[]\"'`\\\n\r\t")
}

// pullList is "#3, #11".
func pullList(nums []int) string {
	var parts []string
	for _, n := range nums {
		parts = append(parts, fmt.Sprintf("#%d", n))
	}
	return strings.Join(parts, ", ")
}
