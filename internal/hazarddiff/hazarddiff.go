// Package hazarddiff compares two versions of a hazard log hazard by hazard,
// in the terms a Clinical Safety Officer reviews: which hazards were added or
// removed, how their severity, likelihood and risk moved, which controls and
// components came and went, and how the clinical text changed. It works on
// safetyfile.HazardLog, which every layout reads into, so the same edit gives
// the same diff whether the log is YAML, CSV, XLSX or Markdown, and a log
// moved from one layout to another compares hazard by hazard too.
package hazarddiff

import (
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// What a hazard change is.
const (
	Added    = "added"
	Removed  = "removed"
	Modified = "modified"
)

// HazardChange is what changed on one hazard, keyed by its id. A renamed id
// is a removal and an addition: the gate cannot know the two are one hazard,
// and a CSO must see both.
type HazardChange struct {
	ID     string `json:"id"`
	Change string `json:"change"` // added | removed | modified
	// Title, Status and ResidualRisk are the hazard's at the head (at the
	// base when removed); ResidualRisk is 0 when unrated.
	Title        string `json:"title"`
	Status       string `json:"status"`
	ResidualRisk int    `json:"residual_risk"`
	// Fields are the changed fields in a fixed order; for an added hazard
	// every field it sets (before null), for a removed one every field it
	// had (after null).
	Fields []Field `json:"fields"`
	// Controls are the controls added, removed or changed.
	Controls []ControlChange `json:"controls"`
	// ComponentsAdded and ComponentsRemoved are the code globs that came and went.
	ComponentsAdded   []string `json:"components_added"`
	ComponentsRemoved []string `json:"components_removed"`
}

// Field is one changed field. Before and After are strings, except
// initial_risk and residual_risk (numbers, 0 when unrated) and causes and
// effects (lists of strings); nil where the hazard did not exist.
type Field struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// ControlChange is a control added, removed or changed. Controls are matched
// by id, and by description when they have none.
type ControlChange struct {
	Key    string              `json:"key"`
	Change string              `json:"change"` // added | removed | modified
	Before *safetyfile.Control `json:"before"`
	After  *safetyfile.Control `json:"after"`
}

// FieldNames are the fields compared, in the order they are reported.
var FieldNames = []string{
	"title", "description", "harm", "causes", "effects", "status", "owner",
	"initial_severity", "initial_likelihood", "initial_risk",
	"residual_severity", "residual_likelihood", "residual_risk",
}

// values reads the compared fields of a hazard.
func values(h *safetyfile.Hazard) map[string]any {
	return map[string]any{
		"title": h.Title, "description": h.Description, "harm": h.Harm,
		"causes": list(h.Causes), "effects": list(h.Effects),
		"status": h.Status, "owner": h.Owner,
		"initial_severity":    word(h.Initial.Severity.Valid(), h.Initial.Severity.String()),
		"initial_likelihood":  word(h.Initial.Likelihood.Valid(), h.Initial.Likelihood.String()),
		"initial_risk":        int(h.InitialRisk()),
		"residual_severity":   word(h.Residual.Severity.Valid(), h.Residual.Severity.String()),
		"residual_likelihood": word(h.Residual.Likelihood.Valid(), h.Residual.Likelihood.String()),
		"residual_risk":       int(h.ResidualRisk()),
	}
}

func word(valid bool, w string) string {
	if !valid {
		return ""
	}
	return w
}

// list is a copy that is never nil, so an absent list and an empty one compare equal.
func list(xs []string) []string { return append([]string{}, xs...) }

// empty reports whether a field value says nothing.
func empty(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case int:
		return v == 0
	case []string:
		return len(v) == 0
	}
	return v == nil
}

// Diff compares the base and head logs. The result is in the head's hazard
// order, removed hazards after, in the base's order; it is empty when no
// compared field of any hazard differs.
func Diff(base, head *safetyfile.HazardLog) []HazardChange {
	before := index(base)
	after := index(head)
	var out []HazardChange
	for _, h := range hazards(head) {
		if after[h.ID] != h {
			continue // a duplicate id: the validator reports it
		}
		if b, ok := before[h.ID]; ok {
			if c, changed := compare(b, h); changed {
				out = append(out, c)
			}
			continue
		}
		out = append(out, whole(h, Added))
	}
	for _, h := range hazards(base) {
		if before[h.ID] != h {
			continue
		}
		if _, ok := after[h.ID]; !ok {
			out = append(out, whole(h, Removed))
		}
	}
	return out
}

func hazards(log *safetyfile.HazardLog) []*safetyfile.Hazard {
	if log == nil {
		return nil
	}
	out := make([]*safetyfile.Hazard, len(log.Hazards))
	for i := range log.Hazards {
		out[i] = &log.Hazards[i]
	}
	return out
}

// index maps each id to its first hazard.
func index(log *safetyfile.HazardLog) map[string]*safetyfile.Hazard {
	m := map[string]*safetyfile.Hazard{}
	for _, h := range hazards(log) {
		if _, dup := m[h.ID]; !dup {
			m[h.ID] = h
		}
	}
	return m
}

// whole describes a hazard that exists on one side only.
func whole(h *safetyfile.Hazard, change string) HazardChange {
	c := HazardChange{ID: h.ID, Change: change, Title: h.Title, Status: h.Status, ResidualRisk: int(h.ResidualRisk()), Fields: []Field{}, Controls: []ControlChange{},
		ComponentsAdded: []string{}, ComponentsRemoved: []string{}}
	v := values(h)
	for _, name := range FieldNames {
		if empty(v[name]) {
			continue
		}
		if change == Added {
			c.Fields = append(c.Fields, Field{Field: name, After: v[name]})
		} else {
			c.Fields = append(c.Fields, Field{Field: name, Before: v[name]})
		}
	}
	for i := range h.Controls {
		ctl := h.Controls[i]
		cc := ControlChange{Key: controlKey(&ctl), Change: change}
		if change == Added {
			cc.After = &ctl
		} else {
			cc.Before = &ctl
		}
		c.Controls = append(c.Controls, cc)
	}
	if change == Added {
		c.ComponentsAdded = list(h.Components)
	} else {
		c.ComponentsRemoved = list(h.Components)
	}
	return c
}

// unchanged reports, without building the field table, that every compared
// field of a hazard is the same on both sides: most hazards of a large log
// are, and the table costs allocations.
func unchanged(b, h *safetyfile.Hazard) bool {
	return b.Title == h.Title && b.Description == h.Description && b.Harm == h.Harm &&
		b.Status == h.Status && b.Owner == h.Owner && b.Initial == h.Initial && b.Residual == h.Residual &&
		slices.Equal(b.Causes, h.Causes) && slices.Equal(b.Effects, h.Effects) &&
		slices.Equal(b.Components, h.Components) && slices.Equal(b.Controls, h.Controls)
}

// compare describes what changed on a hazard present on both sides.
func compare(b, h *safetyfile.Hazard) (HazardChange, bool) {
	if unchanged(b, h) {
		return HazardChange{}, false
	}
	c := HazardChange{ID: h.ID, Change: Modified, Title: h.Title, Status: h.Status, ResidualRisk: int(h.ResidualRisk()), Fields: []Field{}}
	vb, vh := values(b), values(h)
	for _, name := range FieldNames {
		if !reflect.DeepEqual(vb[name], vh[name]) {
			c.Fields = append(c.Fields, Field{Field: name, Before: vb[name], After: vh[name]})
		}
	}
	c.Controls = controls(b.Controls, h.Controls)
	c.ComponentsAdded = minus(h.Components, b.Components)
	c.ComponentsRemoved = minus(b.Components, h.Components)
	changed := len(c.Fields)+len(c.Controls)+len(c.ComponentsAdded)+len(c.ComponentsRemoved) > 0
	return c, changed
}

// controlKey identifies a control across versions: its id, else its description.
func controlKey(c *safetyfile.Control) string {
	if id := strings.TrimSpace(c.ID); id != "" {
		return id
	}
	return strings.TrimSpace(c.Description)
}

func controls(base, head []safetyfile.Control) []ControlChange {
	before := map[string]*safetyfile.Control{}
	for i := range base {
		if k := controlKey(&base[i]); before[k] == nil {
			before[k] = &base[i]
		}
	}
	after := map[string]*safetyfile.Control{}
	out := []ControlChange{}
	for i := range head {
		ctl := &head[i]
		k := controlKey(ctl)
		if after[k] != nil {
			continue
		}
		after[k] = ctl
		switch b := before[k]; {
		case b == nil:
			out = append(out, ControlChange{Key: k, Change: Added, After: ctl})
		case *b != *ctl:
			out = append(out, ControlChange{Key: k, Change: Modified, Before: b, After: ctl})
		}
	}
	seen := map[string]bool{}
	for i := range base {
		k := controlKey(&base[i])
		if after[k] == nil && !seen[k] {
			seen[k] = true
			out = append(out, ControlChange{Key: k, Change: Removed, Before: &base[i]})
		}
	}
	return out
}

// minus returns the entries of a not in b, in a's order, once each.
func minus(a, b []string) []string {
	drop := map[string]bool{}
	for _, x := range b {
		drop[x] = true
	}
	out := []string{}
	for _, x := range a {
		if !drop[x] {
			drop[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Risk returns a field's risk rating before and after, for initial_risk and
// residual_risk; ok is false for any other field.
func (f Field) Risk() (before, after risk.Rating, ok bool) {
	if f.Field != "initial_risk" && f.Field != "residual_risk" {
		return 0, 0, false
	}
	b, _ := f.Before.(int)
	a, _ := f.After.(int)
	return risk.Rating(b), risk.Rating(a), true
}

// ResidualRiskLowered reports whether a modified hazard's residual risk went
// down (from one valid rating to a lower valid one).
func (c *HazardChange) ResidualRiskLowered() bool {
	for _, f := range c.Fields {
		if b, a, ok := f.Risk(); ok && f.Field == "residual_risk" {
			return c.Change == Modified && b.Valid() && a.Valid() && a < b
		}
	}
	return false
}

// ControlAddedOrChanged reports whether a control was added to the hazard or
// changed in substance, as policies/hazard_log_changes.rego judges it: a
// whitespace or case edit, or the same control under a new id, is not a
// control that justifies a lower risk.
func (c *HazardChange) ControlAddedOrChanged() bool {
	removed := map[string]bool{}
	for _, cc := range c.Controls {
		if cc.Change == Removed {
			removed[substance(cc.Before)] = true
		}
	}
	for _, cc := range c.Controls {
		switch {
		case cc.Change == Modified && substance(cc.Before) != substance(cc.After):
			return true
		case cc.Change == Added && !removed[substance(cc.After)]:
			return true
		}
	}
	return false
}

var spaces = regexp.MustCompile(`\s+`)

// substance is a control's description, kind and evidence with case and
// runs of white space ignored.
func substance(ctl *safetyfile.Control) string {
	squash := func(s string) string { return strings.ToLower(strings.TrimSpace(spaces.ReplaceAllString(s, " "))) }
	return squash(ctl.Description) + "\x00" + squash(ctl.Kind) + "\x00" + squash(ctl.Evidence)
}
