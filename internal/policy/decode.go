package policy

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// codePattern is the shape of a reason code, default or custom: users grep
// for codes, so they stay upper-case identifiers.
var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// ruleStatuses are the outcomes a rule may report.
var ruleStatuses = map[string]bool{"passed": true, "failed": true, "warning": true, "not_applicable": true}

// decodeResult reads the decision object into a Result, checking its shape:
// a field of the wrong type, or a finding without a valid code and message,
// is an error, so malformed output can never pass as "no violations".
func decodeResult(v ast.Value) (Result, error) {
	d := decoder{}
	obj := d.object(v, "decision")
	r := Result{
		ClinicallyRelevant: d.boolean(d.field(obj, "decision", "clinically_relevant"), "decision.clinically_relevant"),
		CountedApprovals:   d.integer(d.field(obj, "decision", "counted_approvals"), "decision.counted_approvals"),
		RequiredApprovals:  d.integer(d.field(obj, "decision", "required_approvals"), "decision.required_approvals"),
		TouchedHazards:     d.strings(d.field(obj, "decision", "touched_hazards"), "decision.touched_hazards"),
	}
	d.each(d.field(obj, "decision", "clinical_changes"), "decision.clinical_changes", func(x ast.Value, at string) {
		o := d.object(x, at)
		r.ClinicalChanges = append(r.ClinicalChanges, ClinicalChange{
			ID:              d.str(d.field(o, at, "id"), at+".id"),
			Hazards:         d.strings(d.field(o, at, "hazards"), at+".hazards"),
			MaxResidualRisk: d.integer(d.field(o, at, "max_residual_risk"), at+".max_residual_risk"),
			Reasons:         d.strings(d.field(o, at, "reasons"), at+".reasons"),
		})
	})
	d.each(d.field(obj, "decision", "approvals"), "decision.approvals", func(x ast.Value, at string) {
		o := d.object(x, at)
		r.Approvals = append(r.Approvals, Approval{
			Login:        d.str(d.field(o, at, "login"), at+".login"),
			Name:         d.str(d.field(o, at, "name"), at+".name"),
			Body:         d.str(d.field(o, at, "body"), at+".body"),
			Registration: d.str(d.field(o, at, "registration"), at+".registration"),
			Commit:       d.str(d.field(o, at, "commit"), at+".commit"),
			SubmittedAt:  d.str(d.field(o, at, "submitted_at"), at+".submitted_at"),
			ReviewID:     d.int64(d.field(o, at, "review_id"), at+".review_id"),
			Counted:      d.boolean(d.field(o, at, "counted"), at+".counted"),
			WhyNot:       d.str(d.field(o, at, "why_not"), at+".why_not"),
			WhyNotDetail: d.str(d.field(o, at, "why_not_detail"), at+".why_not_detail"),
		})
	})
	r.Violations = d.findings(d.field(obj, "decision", "violations"), "violation")
	r.Warnings = d.findings(d.field(obj, "decision", "warnings"), "warning")
	d.each(d.field(obj, "decision", "rules"), "decision.rules", func(x ast.Value, at string) {
		o := d.object(x, at)
		rule := Rule{
			Code:   d.str(d.field(o, at, "code"), at+".code"),
			Title:  d.str(d.field(o, at, "title"), at+".title"),
			Status: d.str(d.field(o, at, "status"), at+".status"),
			Detail: d.str(d.field(o, at, "detail"), at+".detail"),
		}
		if d.err == nil && !ruleStatuses[rule.Status] {
			d.fail("%s.status: %q is not passed, failed, warning or not_applicable", at, rule.Status)
		}
		r.Rules = append(r.Rules, rule)
	})
	if d.err != nil {
		return Result{}, d.err
	}
	return r, nil
}

// decoder reads AST values, keeping the first error so decoding code reads
// straight through.
type decoder struct{ err error }

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) object(v ast.Value, at string) ast.Object {
	o, ok := v.(ast.Object)
	if !ok && d.err == nil {
		d.fail("%s: got %s, want an object", at, describe(v))
	}
	return o
}

func (d *decoder) field(o ast.Object, at, key string) ast.Value {
	if o == nil {
		return nil
	}
	t := o.Get(ast.StringTerm(key))
	if t == nil {
		d.fail("%s: no %q", at, key)
		return nil
	}
	return t.Value
}

// optional returns a field that may be absent.
func (d *decoder) optional(o ast.Object, key string) ast.Value {
	if o == nil {
		return nil
	}
	if t := o.Get(ast.StringTerm(key)); t != nil {
		return t.Value
	}
	return nil
}

func (d *decoder) str(v ast.Value, at string) string {
	if d.err != nil {
		return ""
	}
	s, ok := v.(ast.String)
	if !ok {
		d.fail("%s: got %s, want a string", at, describe(v))
	}
	return string(s)
}

func (d *decoder) boolean(v ast.Value, at string) bool {
	if d.err != nil {
		return false
	}
	b, ok := v.(ast.Boolean)
	if !ok {
		d.fail("%s: got %s, want a boolean", at, describe(v))
	}
	return bool(b)
}

func (d *decoder) int64(v ast.Value, at string) int64 {
	if d.err != nil {
		return 0
	}
	n, ok := v.(ast.Number)
	if !ok {
		d.fail("%s: got %s, want an integer", at, describe(v))
		return 0
	}
	i, ok := n.Int64()
	if !ok {
		d.fail("%s: %s is not an integer", at, n)
	}
	return i
}

func (d *decoder) integer(v ast.Value, at string) int { return int(d.int64(v, at)) }

// each calls f on every element of an array or set (sets in their sorted
// order).
func (d *decoder) each(v ast.Value, at string, f func(ast.Value, string)) {
	if d.err != nil {
		return
	}
	switch c := v.(type) {
	case *ast.Array:
		for i := range c.Len() {
			f(c.Elem(i).Value, fmt.Sprintf("%s[%d]", at, i))
		}
	case ast.Set:
		sorted := c.Sorted()
		for i := range sorted.Len() {
			f(sorted.Elem(i).Value, fmt.Sprintf("%s[%d]", at, i))
		}
	default:
		d.fail("%s: got %s, want an array", at, describe(v))
	}
}

func (d *decoder) strings(v ast.Value, at string) []string {
	out := []string{}
	d.each(v, at, func(x ast.Value, at string) { out = append(out, d.str(x, at)) })
	return out
}

// findings reads violations or warnings, default or custom, and sorts them by
// code, change, hazard, file and message so output is deterministic.
func (d *decoder) findings(v ast.Value, kind string) []Finding {
	out := []Finding{}
	d.each(v, "decision."+kind+"s", func(x ast.Value, _ string) {
		if d.err != nil {
			return
		}
		o, ok := x.(ast.Object)
		if !ok {
			d.fail("a %s is %s, not an object with a string code and message: write `%s contains {\"code\": \"MY_CODE\", \"message\": \"...\"} if {...}`", kind, describe(x), kind)
			return
		}
		f := Finding{}
		code, ok := d.optional(o, "code").(ast.String)
		if !ok || !codePattern.MatchString(string(code)) {
			d.fail("%s %s: code must be a string matching %s (like \"TWO_CSOS_REQUIRED\")", kind, truncate(o.String(), 200), codePattern)
			return
		}
		f.Code = string(code)
		msg, ok := d.optional(o, "message").(ast.String)
		if !ok || msg == "" {
			d.fail("%s %s: message must be a non-empty string that says what is wrong and what unblocks it", kind, truncate(o.String(), 200))
			return
		}
		f.Message = string(msg)
		for key, dst := range map[string]*string{"change": &f.Change, "hazard": &f.Hazard, "file": &f.File} {
			x := d.optional(o, key)
			if x == nil {
				continue
			}
			s, ok := x.(ast.String)
			if !ok {
				d.fail("%s %s: %s must be a string", kind, truncate(o.String(), 200), key)
				return
			}
			*dst = string(s)
		}
		out = append(out, f)
	})
	slices.SortFunc(out, compareFindings)
	return slices.Compact(out)
}

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Change, b.Change),
		cmp.Compare(a.Hazard, b.Hazard),
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Message, b.Message),
	)
}

// describe names a value's type for a message.
func describe(v ast.Value) string {
	if v == nil {
		return "nothing"
	}
	return ast.ValueName(v) + " " + truncate(v.String(), 80)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
