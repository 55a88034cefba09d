// Package report renders a decision for people and machines: the terminal
// explanation, the decision JSON, and the Markdown used for the job summary
// and the pull-request comment. It reads a decision and nothing else, so
// every reporter says the same thing.
package report

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/policy"
)

// JSON writes the decision document of contract section 2.
//
// The compact JSON is laid out (lineLayout) as it is written, into a small
// buffer in front of w, and it is encoded a piece at a time (encodePieces):
// a large decision (4.7 MB on a 10,000-change manifest) is never held whole,
// nor in the doubling buffers that would hold it, the last memory a fresh
// process would touch, paid for in page faults as well as in collections.
func JSON(w io.Writer, d *decision.Decision) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	lw := &lineLayout{w: bw}
	if err := encodePieces(lw, d); err != nil {
		return err
	}
	if lw.err != nil {
		return lw.err
	}
	return bw.Flush()
}

// encodePieces writes v, a pointer to a struct, as a json.Encoder without
// HTML escaping writes it (the same bytes, TestJSONPiecesMatchEncoder), but
// one top-level field at a time and each element of a top-level list on its
// own, so the encoder's buffer holds one element, not the document. A
// struct it cannot follow exactly (an embedded field, a field option other
// than omitempty, a marshaler of its own) is encoded whole. An encoding error
// (a decision holds only text, whole numbers and booleans, so none is
// expected) may leave the document written in part; the caller reports it.
func encodePieces(w io.Writer, v any) error {
	var piece bytes.Buffer
	enc := json.NewEncoder(&piece)
	enc.SetEscapeHTML(false)
	encode := func(x any) ([]byte, error) {
		piece.Reset()
		if err := enc.Encode(x); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(piece.Bytes(), []byte("\n")), nil
	}
	rv := reflect.ValueOf(v)
	fields, ok := pieceFields(rv.Type())
	if !ok || rv.IsNil() {
		b, err := encode(v)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	rv = rv.Elem()
	// Every piece is written before the next is encoded: the encoder reuses
	// piece's bytes.
	write := func(b []byte) error {
		_, err := w.Write(b)
		return err
	}
	if err := write([]byte("{")); err != nil {
		return err
	}
	first := true
	for _, f := range fields {
		fv := rv.Field(f.index)
		if f.omitEmpty && emptyValue(fv) {
			continue
		}
		name, err := encode(f.name)
		if err != nil {
			return err
		}
		if !first {
			name = append([]byte(","), name...)
		}
		first = false
		if err := write(append(name, ':')); err != nil {
			return err
		}
		if fv.Kind() != reflect.Slice || fv.IsNil() || fv.Type().Elem().Kind() == reflect.Uint8 {
			b, err := encode(fv.Addr().Interface())
			if err != nil {
				return err
			}
			if err := write(b); err != nil {
				return err
			}
			continue
		}
		if err := write([]byte("[")); err != nil {
			return err
		}
		for i := range fv.Len() {
			b, err := encode(fv.Index(i).Addr().Interface())
			if err != nil {
				return err
			}
			if i > 0 {
				b = append([]byte(","), b...)
			}
			if err := write(b); err != nil {
				return err
			}
		}
		if err := write([]byte("]")); err != nil {
			return err
		}
	}
	return write([]byte("}\n"))
}

type pieceField struct {
	index     int
	name      string
	omitEmpty bool
}

// pieceFields lists the fields of *T as encoding/json writes them, in order;
// ok is false when T is not a plain struct whose fields it can follow.
func pieceFields(t reflect.Type) (fields []pieceField, ok bool) {
	marshaler := reflect.TypeFor[json.Marshaler]()
	textMarshaler := reflect.TypeFor[encoding.TextMarshaler]()
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct ||
		t.Implements(marshaler) || t.Implements(textMarshaler) {
		return nil, false
	}
	t = t.Elem()
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, false
		}
		tag, tagged := sf.Tag.Lookup("json")
		if !sf.IsExported() {
			continue
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !tagged || name == "" || strings.ContainsAny(name, "\"\\<>&") {
			return nil, false
		}
		switch opts {
		case "":
		case "omitempty":
		default:
			return nil, false
		}
		fields = append(fields, pieceField{index: i, name: name, omitEmpty: opts == "omitempty"})
	}
	return fields, true
}

// emptyValue is encoding/json's test for omitempty.
func emptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// lineLayout lays out compact JSON one field of the top object a line, and
// one element a line of each list in it: as easy to read and diff as full
// indentation, a third of its size on a large decision (a touched hazard
// is one line, not eight), and one pass over the bytes. It is a writer, so
// the compact JSON may arrive in pieces of any size.
type lineLayout struct {
	w        *bufio.Writer
	err      error
	depth    int
	inString bool
	escaped  bool // the previous byte of the string was a backslash
	// opened is set after a '{' or '[' that starts a new line unless the
	// next byte closes it.
	opened bool
	prev   byte // the previous byte outside a string
}

func (l *lineLayout) newline(d int) {
	l.w.WriteByte('\n')
	for range d {
		l.w.WriteString("  ")
	}
}

func (l *lineLayout) Write(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	w := l.w
	for i := 0; i < len(p); i++ {
		c := p[i]
		if l.inString {
			// Copy the run of string bytes up to the next quote or backslash at once.
			j := i
			for j < len(p) && (l.escaped || (p[j] != '"' && p[j] != '\\')) {
				if l.escaped {
					l.escaped = false
				}
				j++
			}
			w.Write(p[i:j])
			if j == len(p) {
				break
			}
			w.WriteByte(p[j])
			if p[j] == '\\' {
				l.escaped = true
			} else {
				l.inString = false
				l.prev = '"'
			}
			i = j
			continue
		}
		if l.opened {
			l.opened = false
			if c != '}' && c != ']' {
				l.newline(l.depth)
			}
		}
		switch c {
		case '"':
			l.inString = true
			w.WriteByte(c)
		case '{', '[':
			l.depth++
			w.WriteByte(c)
			l.opened = l.depth <= 2
		case '}', ']':
			if l.depth <= 2 && l.prev != '{' && l.prev != '[' {
				l.newline(l.depth - 1)
			}
			l.depth--
			w.WriteByte(c)
		case ',':
			w.WriteByte(c)
			if l.depth <= 2 {
				l.newline(l.depth)
			}
		case ':':
			w.WriteByte(c)
			if l.depth == 1 {
				w.WriteByte(' ')
			}
		default:
			w.WriteByte(c)
		}
		l.prev = c
	}
	// A bufio.Writer keeps its first error; report it at once.
	if _, err := w.Write(nil); err != nil {
		l.err = err
		return 0, err
	}
	return len(p), nil
}

// advice says what unblocks each reason code, in words for the engineering
// lead and the CSO. The message of the violation says which change and hazard.
var advice = map[string]string{
	"CSO_APPROVAL_REQUIRED":        "Ask a CSO listed under \"Who may approve\" to review the pull request and approve its head commit %s. An approval of an earlier commit does not count: after every push the CSO approves again.",
	"CSO_CHANGES_REQUESTED":        "The CSO who requested changes must approve the head commit %s once their concerns are addressed. Nobody else's approval lifts a CSO's stop.",
	"CSO_BLOCK_DISMISSED":          "A CSO's request for changes was dismissed by someone whose own approval would not count. That CSO must approve the head commit %s, or a CSO whose approval would count must dismiss the review.",
	"UNACCEPTABLE_RESIDUAL_RISK":   "No approval unblocks this. Add controls to the hazard, reassess its residual risk in the hazard log, and have a CSO approve the updated log.",
	"UNDECLARED_CLINICAL_CHANGE":   "Add a change to the manifest whose paths cover the file, naming the hazards it affects, so the CSO assesses it.",
	"UNKNOWN_HAZARD":               "Add the hazard to the hazard log, or correct the id in the manifest.",
	"HAZARD_LOG_STALE":             "A CSO reviews the whole hazard log and updates its reviewed: date.",
	"INPUT_INVALID":                "Fix each problem listed. For the safety files, csogate validate lists every problem at once with file, line and column; for the workflow, correct the step's with: inputs or the event it runs on.",
	"GITHUB_UNAVAILABLE":           "GitHub could not be read after retries. Rerun the job; if it persists, check GitHub's status and the workflow's permissions.",
	"GATE_ERROR":                   "The gate could not complete its evaluation. Fix the cause named above and rerun.",
	"CSO_RELEASE_SIGNOFF_REQUIRED": "A CSO approves the pull request that prepared the release (the one that set release: in the manifest) on its final head commit.",
	"DIRECT_PUSH":                  "Clinically relevant code reached the release without a reviewed pull request. Revert it, or bring it in through a pull request a CSO approves.",
	"EMERGENCY_REVIEW_OVERDUE":     "A counted CSO (registered, trained, in scope, independent of the change's authors, not the emergency approver) reviews the overridden pull request named in the message: approve it on its merged head, or comment /csogate retrospective <full sha>: <finding> on it. Then re-run the release. Closing its reminder issue does not clear it.",
}

// Advice returns the unblocking advice for a code, with the head commit filled in.
func Advice(code, head string) string {
	a, ok := advice[code]
	if !ok {
		return "This rule comes from a custom policy: see its message, or ask the policy's owner."
	}
	if strings.Contains(a, "%s") {
		if head == "" {
			return strings.Replace(a, " %s", "", 1)
		}
		return fmt.Sprintf(a, decision.ShortSHA(head))
	}
	return a
}

// adviceFor is Advice for a code as it appears in a decision. In a release
// decision a finding carried over from a merged pull request starts "#N: ",
// and the commit to approve is that pull request's final head, not the
// released commit the decision is about: the advice then points at the
// pull request instead of naming a commit.
func adviceFor(d *decision.Decision, code string) string {
	for _, v := range d.Violations {
		if v.Code == code && strings.HasPrefix(v.Message, "#") {
			if _, ok := advice[code]; ok && strings.Contains(advice[code], "%s") {
				return Advice(code, "") + " For a finding marked #N, that is pull request #N's final head commit: its section of the release summary names it."
			}
		}
	}
	return Advice(code, d.HeadSHA)
}

// headline is the first line of every rendering.
func headline(d *decision.Decision) string {
	what := strings.TrimSpace(d.Product + " " + d.Release)
	if what == "" {
		what = "this change"
	}
	at := ""
	if d.HeadSHA != "" {
		at = " at " + decision.ShortSHA(d.HeadSHA)
	}
	if d.Override != nil {
		return overrideHeadline(d.Override, what, at)
	}
	switch d.Decision {
	case decision.Approved:
		return fmt.Sprintf("APPROVED: %s%s has the CSO approval its clinically relevant changes need.", what, at)
	case decision.NotRequired:
		return fmt.Sprintf("NOT REQUIRED: %s%s has no clinically relevant change; CSO approval is not required.", what, at)
	}
	return fmt.Sprintf("BLOCKED: %s%s may not be released.", what, at)
}

// reviewer names who gave an approval: the register's name, login, body and
// registration for an officer, the login alone for anyone else.
func reviewer(a policy.Approval) string {
	if a.Name == "" {
		return "@" + a.Login
	}
	if a.Body == "" {
		return fmt.Sprintf("%s (@%s)", a.Name, a.Login)
	}
	return fmt.Sprintf("%s (@%s, %s %s)", a.Name, a.Login, a.Body, a.Registration)
}

// approvalLine describes one approval and whether it counted.
func approvalLine(a policy.Approval) string {
	who := reviewer(a)
	on := ""
	if a.Commit != "" {
		on = " on " + decision.ShortSHA(a.Commit)
	}
	if a.Counted {
		return fmt.Sprintf("counted: %s approved%s", who, on)
	}
	if a.WhyNotDetail != "" {
		// The policy's detail already names the reviewer and the commit.
		return fmt.Sprintf("not counted (%s): %s", a.WhyNot, a.WhyNotDetail)
	}
	return fmt.Sprintf("not counted (%s): %s approved%s", a.WhyNot, who, on)
}

func approverLine(a decision.Approver) string {
	return fmt.Sprintf("%s (@%s, %s %s)", a.Name, a.Login, a.Body, a.Registration)
}

// codesInOrder returns the distinct codes of findings in first-seen order.
func codesInOrder(fs []policy.Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if !seen[f.Code] {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	return out
}

func ruleStatusOrder(status string) int {
	switch status {
	case "failed":
		return 0
	case "warning":
		return 1
	case "passed":
		return 2
	}
	return 3
}

func sortedRules(rules []policy.Rule) []policy.Rule {
	out := append([]policy.Rule(nil), rules...)
	sort.SliceStable(out, func(i, j int) bool { return ruleStatusOrder(out[i].Status) < ruleStatusOrder(out[j].Status) })
	return out
}

func changeLine(c policy.ClinicalChange) string {
	hz := "no hazard named"
	if len(c.Hazards) > 0 {
		hz = strings.Join(c.Hazards, ", ")
		if c.MaxResidualRisk > 0 {
			hz += fmt.Sprintf(" (highest residual risk %d)", c.MaxResidualRisk)
		}
	}
	return fmt.Sprintf("%s — %s — %s", c.ID, hz, strings.Join(c.Reasons, "; "))
}
