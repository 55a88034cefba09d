package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/hazarddiff"
	"github.com/csogate/csogate/internal/mdtext"
)

// riskReductions are the RISK_REDUCED_WITHOUT_CONTROL findings, warning or
// violation: the change a CSO exists to catch, so every rendering says it first.
func riskReductions(d *decision.Decision) []string {
	var out []string
	for _, f := range slices.Concat(d.Violations, d.Warnings) {
		if f.Code == "RISK_REDUCED_WITHOUT_CONTROL" {
			out = append(out, f.Message)
		}
	}
	return out
}

// hazardLogAlertMarkdown is the callout at the top of the comment.
func hazardLogAlertMarkdown(d *decision.Decision) string {
	b := &strings.Builder{}
	for _, m := range riskReductions(d) {
		fmt.Fprintf(b, "\n> [!WARNING]\n> **Residual risk lowered with no new control.** %s\n", mdtext.Message(m))
	}
	return b.String()
}

// hazardLogMarkdown is the "What changed in the hazard log" section.
func hazardLogMarkdown(d *decision.Decision) string {
	if len(d.HazardLogChanges) == 0 {
		return ""
	}
	shown, rest := d.HazardLogChanges, []hazarddiff.HazardChange(nil)
	if len(shown) > maxHazardsShown {
		shown, rest = shown[:maxHazardsShown], shown[maxHazardsShown:]
	}
	return fmt.Sprintf("\n### What changed in the hazard log\n\nCompared hazard by hazard with the hazard log at %s.\n%s%s",
		mdtext.Inline(d.HazardLogComparedWith), hazarddiff.Markdown(shown, "####"), notShown(rest))
}

// maxHazardsShown bounds the hazards the comment details, so that a log
// rewritten wholesale (a layout migration) leaves room in GitHub's 65,536
// characters for the approvals, rules and warnings after it.
const maxHazardsShown = 25

// notShown names the hazards left out of the comment (the first few ids).
func notShown(rest []hazarddiff.HazardChange) string {
	if len(rest) == 0 {
		return ""
	}
	var ids []string
	for i, c := range rest {
		if i == 20 {
			ids = append(ids, "…")
			break
		}
		ids = append(ids, c.ID+" ("+c.Change+")")
	}
	return fmt.Sprintf("\n…and %d more hazards changed: %s. The decision JSON (`hazard_log_changes`) lists every one, and `csogate diff` prints them.\n",
		len(rest), mdtext.Inline(strings.Join(ids, ", ")))
}

// hazardLogAlertText is the same callout for a terminal.
func hazardLogAlertText(d *decision.Decision) string {
	b := &strings.Builder{}
	for _, m := range riskReductions(d) {
		fmt.Fprintf(b, "\n⚠ Residual risk lowered with no new control: %s\n", oneLine(m))
	}
	return b.String()
}

// hazardLogText is the "What changed in the hazard log" section for a terminal.
func hazardLogText(d *decision.Decision) string {
	if len(d.HazardLogChanges) == 0 {
		return ""
	}
	b := &strings.Builder{}
	section(b, "What changed in the hazard log (compared with the hazard log at "+oneLine(d.HazardLogComparedWith)+")")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(hazarddiff.Text(d.HazardLogChanges), "\n"), "\n") {
		b.WriteString("  " + line)
	}
	b.WriteString("\n")
	return b.String()
}

// hazardLogAdvice says what unblocks the hazard-log rules' violations. It
// joins the advice table at start-up, kept here with the rest of the
// hazard-log section.
var hazardLogAdvice = map[string]string{
	"RISK_REDUCED_WITHOUT_CONTROL":   "Add or change the control on the hazard that justifies its lower residual risk, or restore the residual assessment: with risk_reduction_without_control: block no approval clears a reassessment without one.",
	"HAZARD_CLOSED_ABOVE_ACCEPTABLE": "No approval unblocks this. Keep the hazard open, or add controls and reassess its residual risk to the acceptable level before closing it.",
}

func init() {
	for code, a := range hazardLogAdvice {
		advice[code] = a
	}
}
