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

// A line of prose (a name, description, harm or owner) that Markdown would
// read as structure rather than text — a heading, a code fence, a rule, an
// HTML block, a link definition, a lone image — is written after a
// backslash, which Markdown shows as nothing and the reader takes off again
// (one more before a line that already starts with backslashes and such text).
var proseStructure = regexp.MustCompile(`^(#|` + "```" + `|~~~|<|\[[^\]]*\]:|!\[)`)

func needsProseEscape(l string) bool {
	l = strings.TrimLeft(l, `\`)
	return proseStructure.MatchString(l) || thematicBreak(l)
}

// thematicBreak reports a line of three or more -, * or _ (spaces between
// allowed), which Markdown draws as a rule.
func thematicBreak(l string) bool {
	n := 0
	var mark rune
	for _, r := range l {
		switch {
		case r == ' ' || r == '\t':
		case (r == '-' || r == '*' || r == '_') && (mark == 0 || r == mark):
			mark, n = r, n+1
		default:
			return false
		}
	}
	return n >= 3
}

func escapeProse(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if needsProseEscape(l) {
			lines[i] = `\` + l
		}
	}
	return strings.Join(lines, "\n")
}

func unescapeProse(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, `\`) && needsProseEscape(l) {
			lines[i] = l[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// needsItemEscape says whether a list item's first line, after "- ", would
// not read as the item's text: Markdown structure, or dashes that make the
// whole line a rule ("- --").
func needsItemEscape(l string) bool {
	return needsProseEscape(l) || thematicBreak("- "+strings.TrimLeft(l, `\`))
}

// unescapeItem takes off the backslash export put before a list item's first line.
func unescapeItem(s string) string {
	first, rest, more := strings.Cut(s, "\n")
	if strings.HasPrefix(first, `\`) && needsItemEscape(first) {
		first = first[1:]
	}
	if more {
		return first + "\n" + rest
	}
	return first
}
