package hazardlog

import (
	"regexp"
	"strings"

	"github.com/csogate/csogate/internal/safetyfile"
)

// A Markdown control is a list item: its description, then a sub-item for
// its id and one for its evidence, which runs to the end of the item:
//
//   - Dose range check on the prescribing form
//   - Control ID: CTL-001
//   - Evidence: tests/dose_range_test.go
//     and the release's test report
//
// A description line that would read as one of those sub-items is written
// with a backslash before its dash ("\- Evidence: …"), which Markdown shows
// as the dash alone and the reader takes off again.
const (
	mdControlID       = "Control ID"
	mdControlEvidence = "Evidence"
)

// controlMarker matches a control's id or evidence line, and the same line
// escaped with backslashes (group 1).
var controlMarker = regexp.MustCompile(`(?i)^(\\*)- (control id|evidence):(?: |$)`)

// parseControlItem reads a control list item's text (marker removed,
// continuation lines de-indented). dup names a marker given twice.
func parseControlItem(text string) (c safetyfile.Control, dup string) {
	lines := strings.Split(text, "\n")
	var desc, id, evidence []string
	cur := &desc
	seen := map[string]bool{}
	for _, l := range lines {
		m := controlMarker.FindStringSubmatch(l)
		switch {
		case m != nil && m[1] == "":
			key := strings.ToLower(m[2])
			if seen[key] {
				dup = l[2 : 2+len(m[2])]
			}
			seen[key] = true
			cur = &id
			if key == "evidence" {
				cur = &evidence
			}
			*cur = append((*cur)[:0], strings.TrimPrefix(l[len(m[0]):], " "))
		case cur == &desc:
			if m != nil {
				l = l[1:] // an escaped description line: one backslash less
			}
			desc = append(desc, l)
		default:
			// A continuation line of the id or evidence, indented under its dash.
			*cur = append(*cur, strings.TrimPrefix(l, "  "))
		}
	}
	c.Description = strings.TrimSpace(strings.Join(desc, "\n"))
	c.ID = oneLine(strings.Join(id, "\n"))
	c.Evidence = strings.TrimSpace(strings.Join(evidence, "\n"))
	return c, dup
}

// controlItem writes a control as parseControlItem reads it back.
func controlItem(c safetyfile.Control) string {
	lines := strings.Split(c.Description, "\n")
	for i, l := range lines {
		if controlMarker.MatchString(l) {
			lines[i] = `\` + l
		}
	}
	if c.ID != "" {
		lines = append(lines, "- "+mdControlID+": "+c.ID)
	}
	if c.Evidence != "" {
		ev := strings.Split(c.Evidence, "\n")
		lines = append(lines, "- "+mdControlEvidence+": "+ev[0])
		for _, l := range ev[1:] {
			if l != "" {
				l = "  " + l
			}
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
