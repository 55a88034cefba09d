package hazarddiff

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/csogate/csogate/internal/mdtext"
	"github.com/csogate/csogate/internal/risk"
)

// fieldLabels are the words a CSO reads for each field.
var fieldLabels = map[string]string{
	"title": "Title", "description": "Description", "harm": "Harm", "causes": "Causes", "effects": "Effects",
	"status": "Status", "owner": "Owner",
	"initial_severity": "Initial severity", "initial_likelihood": "Initial likelihood", "initial_risk": "Initial risk",
	"residual_severity": "Residual severity", "residual_likelihood": "Residual likelihood", "residual_risk": "Residual risk",
}

// textFields are shown as a word diff rather than whole.
var textFields = map[string]bool{"title": true, "description": true, "harm": true, "causes": true, "effects": true}

// ratingText is a risk with its band word: "3 (medium)", "unrated".
func ratingText(r risk.Rating) string {
	if !r.Valid() {
		return "unrated"
	}
	return fmt.Sprintf("%d (%s)", int(r), r.Word())
}

// arrow says which way a risk moved.
func arrow(before, after risk.Rating) string {
	switch {
	case !before.Valid() || !after.Valid():
		return ""
	case after < before:
		return " ↓ lowered"
	case after > before:
		return " ↑ raised"
	}
	return ""
}

// plain is a field value as text; lists are joined with "; ".
func plain(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []string:
		return strings.Join(v, "; ")
	case int:
		return ratingText(risk.Rating(v))
	}
	return fmt.Sprint(v)
}

// Text writes the changes for a terminal: one block per hazard.
func Text(changes []HazardChange) string {
	b := &strings.Builder{}
	if len(changes) == 0 {
		b.WriteString("No hazard changed.\n")
		return b.String()
	}
	for _, c := range changes {
		fmt.Fprintf(b, "%s %s — %s\n", oneLine(c.ID), oneLine(c.Title), c.Change)
		for _, f := range c.Fields {
			label := fieldLabels[f.Field]
			switch {
			case f.Field == "title" && c.Change != Modified:
				continue // the heading line shows it
			case c.Change != Modified:
				fmt.Fprintf(b, "    %s: %s\n", label, oneLine(plain(f.Before)+plain(f.After)))
			case textFields[f.Field]:
				fmt.Fprintf(b, "    %s: %s\n", label, oneLine(textWordDiff(plain(f.Before), plain(f.After))))
			default:
				if rb, ra, ok := f.Risk(); ok {
					fmt.Fprintf(b, "    %s: %s → %s%s\n", label, ratingText(rb), ratingText(ra), arrow(rb, ra))
				} else {
					fmt.Fprintf(b, "    %s: %s → %s\n", label, oneLine(orNone(plain(f.Before))), oneLine(orNone(plain(f.After))))
				}
			}
		}
		for _, cc := range c.Controls {
			fmt.Fprintf(b, "    Control %s %s: %s\n", cc.Change, oneLine(cc.Key), oneLine(controlText(cc)))
		}
		if len(c.ComponentsAdded) > 0 {
			fmt.Fprintf(b, "    Components added: %s\n", oneLine(strings.Join(c.ComponentsAdded, ", ")))
		}
		if len(c.ComponentsRemoved) > 0 {
			fmt.Fprintf(b, "    Components removed: %s\n", oneLine(strings.Join(c.ComponentsRemoved, ", ")))
		}
	}
	return b.String()
}

// controlText describes a control change in one line.
func controlText(cc ControlChange) string {
	switch cc.Change {
	case Added:
		return controlLine(cc.After)
	case Removed:
		return controlLine(cc.Before)
	}
	return textWordDiff(controlLine(cc.Before), controlLine(cc.After))
}

// Markdown renders the changes as one table per hazard, every text from the
// log escaped with mdtext. level is the heading level of each hazard ("####").
func Markdown(changes []HazardChange, level string) string {
	b := &strings.Builder{}
	for _, c := range changes {
		fmt.Fprintf(b, "\n%s %s %s — %s\n\n", level, mdtext.Inline(c.ID), mdtext.Inline(c.Title), c.Change)
		if len(c.Fields) > 0 {
			b.WriteString("| Field | Before | After |\n|---|---|---|\n")
			for _, f := range c.Fields {
				if f.Field == "title" && c.Change != Modified {
					continue // the heading shows it
				}
				before, after := markdownField(c.Change, f)
				fmt.Fprintf(b, "| %s | %s | %s |\n", fieldLabels[f.Field], before, after)
			}
		}
		if len(c.Controls) > 0 {
			b.WriteString("\n| Control | Change | Before | After |\n|---|---|---|---|\n")
			for _, cc := range c.Controls {
				before, after := "—", "—"
				if cc.Before != nil {
					before = mdtext.Inline(controlLine(cc.Before))
				}
				if cc.After != nil {
					after = mdtext.Inline(controlLine(cc.After))
				}
				if cc.Change == Modified {
					before, after = markdownWordDiff(controlLine(cc.Before), controlLine(cc.After))
				}
				fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdtext.Inline(cc.Key), cc.Change, before, after)
			}
		}
		if len(c.ComponentsAdded)+len(c.ComponentsRemoved) > 0 {
			b.WriteString("\n")
			if len(c.ComponentsAdded) > 0 {
				fmt.Fprintf(b, "Components added: %s  \n", codes(c.ComponentsAdded))
			}
			if len(c.ComponentsRemoved) > 0 {
				fmt.Fprintf(b, "Components removed: %s  \n", codes(c.ComponentsRemoved))
			}
		}
	}
	return b.String()
}

func markdownField(change string, f Field) (before, after string) {
	if rb, ra, ok := f.Risk(); ok {
		before, after = ratingText(rb), ratingText(ra)
		if f.Before == nil {
			before = "—"
		}
		if f.After == nil {
			after = "—"
		}
		if change == Modified && rb != ra {
			after = "**" + after + "**" + arrow(rb, ra)
		}
		return before, after
	}
	if change == Modified && textFields[f.Field] {
		return markdownWordDiff(plain(f.Before), plain(f.After))
	}
	return orDash(mdtext.Inline(plain(f.Before))), orDash(mdtext.Inline(plain(f.After)))
}

func codes(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = mdtext.Code(x)
	}
	return strings.Join(out, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// oneLine keeps text from a file on one terminal line, with no control characters.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)), " ")
}
