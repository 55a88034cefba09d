package report

import (
	"fmt"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/mdtext"
)

// CommentMarker returns the hidden line that identifies the gate's sticky
// pull-request comment, per status context, so two gates in one repository
// keep one comment each.
func CommentMarker(statusContext string) string {
	return fmt.Sprintf("<!-- csogate:%s -->", statusContext)
}

// Links lets the Markdown point at the run and the repository; all optional.
type Links struct {
	RunURL string
}

// Markdown renders the decision for the job summary: the same explanation
// as Text, laid out as tables GitHub renders, every row included.
func Markdown(d *decision.Decision, links Links) string {
	return markdown(d, links, 0)
}

// CommentRows is how many rows of each list the pull-request comment shows;
// the rest are counted and left to the job summary and the decision file.
const CommentRows = 30

// CommentMarkdown renders the decision for the pull-request comment, which
// people read and GitHub caps at 65,536 characters: each list (violations,
// changes, hazards, approvals, warnings) shows its first CommentRows rows
// and says how many more the job summary holds. What would unblock it and
// who may approve are short and always shown in full.
func CommentMarkdown(d *decision.Decision, links Links) string {
	return markdown(d, links, CommentRows)
}

// more writes the line that stands for the rows a capped list left out, and
// reports whether row i is one of them. rows 0 means no cap.
func more(b *strings.Builder, i, total, rows int, what, after string) bool {
	if rows == 0 || i < rows {
		return false
	}
	if i == rows {
		fmt.Fprintf(b, "%s*… and %d more %s: the job summary of the workflow run and the decision file list them all.*\n", after, total-rows, what)
	}
	return true
}

// capped keeps the first n items of list and counts the rest; n 0 keeps all.
func capped(list []string, n int, what string) []string {
	if n == 0 || len(list) <= n {
		return list
	}
	return append(list[:n:n], fmt.Sprintf("… and %d %s", len(list)-n, what))
}

func markdown(d *decision.Decision, links Links, rows int) string {
	b := &strings.Builder{}
	icon := map[string]string{decision.Approved: "✅", decision.NotRequired: "☑️", decision.Blocked: "⛔"}[d.Decision]
	fmt.Fprintf(b, "## %s Clinical safety gate: %s\n\n", icon, strings.ReplaceAll(d.Decision, "_", " "))
	fmt.Fprintf(b, "%s\n", mdtext.Inline(headline(d)))
	overrideMarkdown(b, d)
	if links.RunURL != "" {
		fmt.Fprintf(b, "\n[Workflow run](%s)\n", links.RunURL)
	}
	b.WriteString(hazardLogAlertMarkdown(d))

	if len(d.Violations) > 0 {
		fmt.Fprintf(b, "\n### Why it is blocked\n\n")
		for i, v := range d.Violations {
			if more(b, i, len(d.Violations), rows, "violations", "- ") {
				break
			}
			fmt.Fprintf(b, "- **%s**: %s\n", mdtext.Inline(v.Code), mdtext.Message(v.Message))
		}
		fmt.Fprintf(b, "\n### What would unblock it\n\n")
		for _, code := range codesInOrder(d.Violations) {
			fmt.Fprintf(b, "- **%s**: %s\n", mdtext.Inline(code), mdtext.Inline(adviceFor(d, code)))
		}
		if needsApprover(d) {
			fmt.Fprintf(b, "\n**Who may approve:** ")
			if len(d.EligibleApprovers) == 0 {
				fmt.Fprintf(b, "nobody in the CSO register can approve this change (each is expired, untrained, out of scope or an author of it). Add a qualified, independent CSO to the register through a separate pull request.\n")
			} else {
				var names []string
				for i, a := range d.EligibleApprovers {
					if rows > 0 && i == rows {
						names = append(names, fmt.Sprintf("and %d more registered CSOs (the job summary lists them all)", len(d.EligibleApprovers)-rows))
						break
					}
					names = append(names, mdtext.Inline(approverLine(a)))
				}
				fmt.Fprintf(b, "%s. In the pull request: *Files changed → Review changes → Approve* on the latest commit.\n", strings.Join(names, "; "))
			}
		}
	}

	if len(d.ClinicalChanges) > 0 {
		fmt.Fprintf(b, "\n### Clinically relevant changes\n\n| Change | Hazards | Highest residual risk | Why relevant |\n|---|---|---|---|\n")
		for i, c := range d.ClinicalChanges {
			if more(b, i, len(d.ClinicalChanges), rows, "clinically relevant changes", "\n") {
				break
			}
			hz := "—"
			if len(c.Hazards) > 0 {
				hz = strings.Join(c.Hazards, ", ")
			}
			risk := "—"
			if c.MaxResidualRisk > 0 {
				risk = fmt.Sprint(c.MaxResidualRisk)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cell(c.ID), cell(hz), risk, cell(strings.Join(capped(c.Reasons, rows/3, "more reasons"), "; ")))
		}
	}
	if len(d.TouchedHazards) > 0 {
		fmt.Fprintf(b, "\n### Hazards touched\n\n| Hazard | Title | Initial risk | Residual risk | Residual severity / likelihood | Status |\n|---|---|---|---|---|---|\n")
		for i, h := range d.TouchedHazards {
			if more(b, i, len(d.TouchedHazards), rows, "touched hazards", "\n") {
				break
			}
			fmt.Fprintf(b, "| %s | %s | %d | %d | %s | %s |\n", cell(h.ID), cell(h.Title), h.InitialRisk, h.ResidualRisk, cell(h.Residual), cell(h.Status))
		}
	}
	b.WriteString(controlsMarkdown(d, rows))
	b.WriteString(hazardLogMarkdown(d))

	fmt.Fprintf(b, "\n### CSO approvals: %d counted of %d required\n\n", d.CountedApprovals, d.RequiredApprovals)
	if len(d.Approvals) == 0 {
		fmt.Fprintf(b, "No approving reviews.\n")
	} else {
		fmt.Fprintf(b, "| Reviewer | Commit | Counted | Why not |\n|---|---|---|---|\n")
		for i, a := range d.Approvals {
			if more(b, i, len(d.Approvals), rows, "approving reviews", "\n") {
				break
			}
			who := reviewer(a)
			counted, why := "yes", ""
			if !a.Counted {
				counted = "no"
				why = a.WhyNot
				if a.WhyNotDetail != "" {
					why += ": " + a.WhyNotDetail
				}
				why = mdtext.Inline(why)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cell(who), cell(decision.ShortSHA(a.Commit)), counted, why)
		}
	}

	if len(d.Rules) > 0 {
		fmt.Fprintf(b, "\n<details><summary>Rules evaluated</summary>\n\n| Rule | Result | Detail |\n|---|---|---|\n")
		for _, r := range sortedRules(d.Rules) {
			fmt.Fprintf(b, "| %s | %s | %s |\n", cell(r.Code), cell(strings.ReplaceAll(r.Status, "_", " ")), mdtext.Message(r.Detail))
		}
		fmt.Fprintf(b, "\n</details>\n")
	}
	if len(d.Warnings) > 0 {
		fmt.Fprintf(b, "\n### Warnings\n\n")
		for i, w := range d.Warnings {
			if more(b, i, len(d.Warnings), rows, "warnings", "- ") {
				break
			}
			fmt.Fprintf(b, "- **%s**: %s\n", mdtext.Inline(w.Code), mdtext.Message(w.Message))
		}
	}
	return b.String()
}

// cell makes text from a file or from GitHub literal inside a table cell.
func cell(s string) string { return mdtext.Inline(s) }
