package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/csogate/csogate/internal/decision"
)

// Text writes the explanation an engineering lead reads in a terminal or a
// job log: the verdict, why, what was evaluated, and what would unblock it.
func Text(w io.Writer, d *decision.Decision) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s\n", oneLine(headline(d)))
	b.WriteString(hazardLogAlertText(d))
	overrideText(b, d)

	if len(d.Violations) > 0 {
		section(b, "Why it is blocked")
		for _, v := range d.Violations {
			fmt.Fprintf(b, "  ✗ %s: %s\n", oneLine(v.Code), oneLine(v.Message))
		}
	}

	if len(d.ClinicalChanges) > 0 {
		section(b, "Clinically relevant changes")
		for _, c := range d.ClinicalChanges {
			fmt.Fprintf(b, "  • %s\n", oneLine(changeLine(c)))
		}
	}

	if len(d.TouchedHazards) > 0 {
		section(b, "Hazards touched")
		for _, h := range d.TouchedHazards {
			fmt.Fprintf(b, "  • %s %s — residual risk %d (%s), initial %d, status %s\n", oneLine(h.ID), oneLine(h.Title), h.ResidualRisk, oneLine(h.Residual), h.InitialRisk, oneLine(h.Status))
		}
	}
	b.WriteString(controlsText(d))
	b.WriteString(hazardLogText(d))

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
			fmt.Fprintf(b, "  %s %s\n", mark, oneLine(approvalLine(a)))
		}
	}

	if len(d.Rules) > 0 {
		section(b, "Rules evaluated")
		for _, r := range sortedRules(d.Rules) {
			fmt.Fprintf(b, "  %-15s %s: %s\n", strings.ReplaceAll(r.Status, "_", " "), oneLine(r.Code), oneLine(r.Detail))
		}
	}

	if d.Decision == decision.Blocked {
		section(b, "What would unblock it")
		for _, code := range codesInOrder(d.Violations) {
			fmt.Fprintf(b, "  • %s: %s\n", oneLine(code), oneLine(adviceFor(d, code)))
		}
		if needsApprover(d) {
			section(b, "Who may approve")
			if len(d.EligibleApprovers) == 0 {
				fmt.Fprintf(b, "  Nobody in the CSO register can approve this change (each is expired, untrained, out of scope or an author of it). Add a qualified, independent CSO to the register through a separate pull request.\n")
			}
			for _, a := range d.EligibleApprovers {
				fmt.Fprintf(b, "  • %s\n", oneLine(approverLine(a)))
			}
		}
	}

	if len(d.Warnings) > 0 {
		section(b, "Warnings")
		for _, wn := range d.Warnings {
			fmt.Fprintf(b, "  ! %s: %s\n", oneLine(wn.Code), oneLine(wn.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps text from a file or from GitHub on its line of the
// explanation: a hazard title with a line break in it could otherwise print
// a line of its own ("APPROVED: ...") that reads as the gate's.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
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
