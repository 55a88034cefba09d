package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/csogate/csogate/internal/decision"
)

// Text writes the explanation an engineering lead reads in a terminal or a
// job log: the verdict, why, what was evaluated, and what would unblock it.
func Text(w io.Writer, d *decision.Decision) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s\n", headline(d))

	if len(d.Violations) > 0 {
		section(b, "Why it is blocked")
		for _, v := range d.Violations {
			fmt.Fprintf(b, "  ✗ %s: %s\n", v.Code, v.Message)
		}
	}

	if len(d.ClinicalChanges) > 0 {
		section(b, "Clinically relevant changes")
		for _, c := range d.ClinicalChanges {
			fmt.Fprintf(b, "  • %s\n", changeLine(c))
		}
	}

	if len(d.TouchedHazards) > 0 {
		section(b, "Hazards touched")
		for _, h := range d.TouchedHazards {
			fmt.Fprintf(b, "  • %s %s — residual risk %d (%s), initial %d, status %s\n", h.ID, h.Title, h.ResidualRisk, h.Residual, h.InitialRisk, h.Status)
		}
	}

	if len(d.Rules) > 0 || d.Decision != decision.Blocked || len(d.Approvals) > 0 {
		section(b, fmt.Sprintf("CSO approvals: %d counted of %d required", d.CountedApprovals, d.RequiredApprovals))
		if len(d.Approvals) == 0 {
			fmt.Fprintf(b, "  (no approving reviews)\n")
		}
		for _, a := range d.Approvals {
			mark := "✗"
			if a.Counted {
				mark = "✓"
			}
			fmt.Fprintf(b, "  %s %s\n", mark, approvalLine(a))
		}
	}

	if len(d.Rules) > 0 {
		section(b, "Rules evaluated")
		for _, r := range sortedRules(d.Rules) {
			fmt.Fprintf(b, "  %-15s %s: %s\n", strings.ReplaceAll(r.Status, "_", " "), r.Code, r.Detail)
		}
	}

	if d.Decision == decision.Blocked {
		section(b, "What would unblock it")
		for _, code := range codesInOrder(d.Violations) {
			fmt.Fprintf(b, "  • %s: %s\n", code, adviceFor(d, code))
		}
		if needsApprover(d) {
			section(b, "Who may approve")
			if len(d.EligibleApprovers) == 0 {
				fmt.Fprintf(b, "  Nobody in the CSO register can approve this change (each is expired, untrained, out of scope or an author of it). Add a qualified, independent CSO to the register through a separate pull request.\n")
			}
			for _, a := range d.EligibleApprovers {
				fmt.Fprintf(b, "  • %s\n", approverLine(a))
			}
		}
	}

	if len(d.Warnings) > 0 {
		section(b, "Warnings")
		for _, wn := range d.Warnings {
			fmt.Fprintf(b, "  ! %s: %s\n", wn.Code, wn.Message)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func section(b *strings.Builder, title string) {
	fmt.Fprintf(b, "\n%s\n", title)
}

// needsApprover reports whether a CSO's approval is part of the way out.
func needsApprover(d *decision.Decision) bool {
	for _, v := range d.Violations {
		switch v.Code {
		case "CSO_APPROVAL_REQUIRED", "CSO_CHANGES_REQUESTED", "CSO_BLOCK_DISMISSED", "CSO_RELEASE_SIGNOFF_REQUIRED":
			return true
		}
	}
	return false
}
