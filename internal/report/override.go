package report

import (
	"fmt"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/mdtext"
)

// overrideHeadline is the headline of a decision an emergency override
// approved: it never claims a CSO approved.
func overrideHeadline(o *decision.Override, what, at string) string {
	return fmt.Sprintf("APPROVED BY EMERGENCY OVERRIDE: %s%s has no counted CSO approval; %s (@%s, %s) overrode the gate for this commit only. A retrospective CSO review is due by %s.",
		what, at, o.Name, o.By, o.Role, o.ReviewDue)
}

// overrideMarkdown opens the summary and the sticky comment with the
// override that approved the decision, its reason quoted, and lists the
// override comments that did not count.
func overrideMarkdown(b *strings.Builder, d *decision.Decision) {
	if o := d.Override; o != nil {
		// Plain paragraphs: no quote block or link for data to break out of;
		// the comment's address is in the decision JSON.
		fmt.Fprintf(b, "\n**EMERGENCY OVERRIDE** by %s (@&#8203;%s, %s) on commit %s at %s (comment %d), without a counted CSO approval. Reason: “%s”\n",
			mdtext.Inline(o.Name), mdtext.Inline(o.By), mdtext.Inline(o.Role), mdtext.Inline(decision.ShortSHA(o.Commit)), mdtext.Inline(o.Time), o.CommentID, mdtext.Inline(o.Reason))
		fmt.Fprintf(b, "\n**A counted CSO must review this commit retrospectively by %s.**\n", mdtext.Inline(o.ReviewDue))
	}
	if len(d.OverridesRefused) > 0 {
		fmt.Fprintf(b, "\n### Override comments that did not count\n\n")
		for _, r := range d.OverridesRefused {
			fmt.Fprintf(b, "- comment %d by @&#8203;%s: %s\n", r.CommentID, mdtext.Inline(r.By), mdtext.Inline(r.Why))
		}
	}
}

// overrideText is overrideMarkdown for the terminal.
func overrideText(b *strings.Builder, d *decision.Decision) {
	if o := d.Override; o != nil {
		section(b, "EMERGENCY OVERRIDE")
		fmt.Fprintf(b, "  by %s (@%s, %s) on commit %s at %s, without a counted CSO approval\n", oneLine(o.Name), oneLine(o.By), oneLine(o.Role), decision.ShortSHA(o.Commit), oneLine(o.Time))
		fmt.Fprintf(b, "  reason: %q\n", o.Reason)
		fmt.Fprintf(b, "  comment: %s\n", oneLine(o.CommentURL))
		fmt.Fprintf(b, "  a counted CSO must review this commit retrospectively by %s\n", oneLine(o.ReviewDue))
	}
	if len(d.OverridesRefused) > 0 {
		section(b, "Override comments that did not count")
		for _, r := range d.OverridesRefused {
			fmt.Fprintf(b, "  ✗ comment %d by @%s: %s\n", r.CommentID, oneLine(r.By), oneLine(r.Why))
		}
	}
}
