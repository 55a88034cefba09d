// Package junit reads JUnit XML test reports as the common test runners
// write them — go-junit-report, pytest --junitxml, Maven Surefire and Gradle
// (TEST-*.xml) — into a flat list of test cases with their outcome. The gate
// uses them as evidence that a hazard's controls work.
//
// A report is untrusted input: it is bounded in size, in nesting and in the
// number of test cases, a document type declaration (the vehicle of entity
// expansion attacks) is refused, and every error names the file and line.
package junit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Outcome is what happened to one test case.
type Outcome string

// The outcomes. A test case with a <failure> or an <error> failed; one with
// <skipped> (and neither) was skipped; any other passed.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
)

// Limits bound what one report may hold.
type Limits struct {
	// MaxBytes is the largest report read.
	MaxBytes int
	// MaxDepth is the deepest element nesting accepted.
	MaxDepth int
	// MaxCases is the most test cases one report may hold.
	MaxCases int
}

// DefaultLimits are generous for real reports (a Surefire run of a large
// product is megabytes and tens of thousands of cases) and small enough that
// a hostile file cannot exhaust a runner.
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxDepth: 32, MaxCases: 500_000}

// maxMessage is how many bytes of a failure message are kept.
const maxMessage = 300

// Property is a <property name="…" value="…"/>.
type Property struct {
	Name  string
	Value string
}

// Case is one <testcase>.
type Case struct {
	// Suite is the enclosing <testsuite>'s name.
	Suite     string
	ClassName string
	Name      string
	Outcome   Outcome
	// Message is the failure's, error's or skip's message (its message
	// attribute, else the first line of its text), at most maxMessage bytes.
	Message string
	// Line is where the <testcase> starts in the file.
	Line int
	// Properties are the test case's own; SuiteProperties those of the
	// enclosing suites, innermost last (shared between the suite's cases).
	Properties      []Property
	SuiteProperties []Property
}

// FullName is the name a reader knows the test by: class name and name.
func (c *Case) FullName() string {
	if c.ClassName == "" {
		return c.Name
	}
	return c.ClassName + "." + c.Name
}

// Report is one parsed file.
type Report struct {
	File  string
	Cases []Case
}

// Error is a report that cannot be read, at its line (0 when the whole file
// is at fault).
type Error struct {
	File    string
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

// Parse reads one report. name is how errors name the file.
func Parse(name string, data []byte, lim Limits) (*Report, error) {
	if lim.MaxBytes <= 0 {
		lim = DefaultLimits
	}
	if len(data) > lim.MaxBytes {
		return nil, &Error{File: name, Line: 1, Message: fmt.Sprintf("the test report is %d bytes, over the %d MiB csogate reads from one test report; split the run's reports (one file per suite, as Surefire writes them)", len(data), lim.MaxBytes>>20)}
	}
	if isUTF16(data) {
		return nil, &Error{File: name, Line: 1, Message: "the test report is UTF-16 (as PowerShell's > writes it), not UTF-8: write it as UTF-8 (Out-File -Encoding utf8, or let the test runner write the file)"}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: name, Line: 1, Message: "the test report is empty: a test run that wrote nothing is no evidence; check the step that runs the tests"}
	}
	p := &parser{name: name, lim: lim, dec: xml.NewDecoder(bytes.NewReader(data)), rep: &Report{File: name}}
	p.dec.Strict = true
	// Reports are UTF-8 in practice; a declared Latin-1 or other charset is
	// refused rather than misread.
	p.dec.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("encoding %q is not supported; write the report as UTF-8", charset)
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.rep, nil
}

type frame struct {
	name string
	// raw is the element's name as written (prefix:local), which its end
	// tag must repeat: RawToken does not check.
	raw xml.Name
	// props collects a <testsuite>'s or <testcase>'s <property> elements.
	props []Property
	// suiteProps is the suite's inherited properties plus its own, fixed
	// once its first test case starts.
	suiteProps []Property
	suiteName  string
	caseIdx    int // for testcase frames: index in rep.Cases
	// text gathers a <failure>/<error>/<skipped> element's text for its
	// first line, bounded.
	text []byte
}

type parser struct {
	name  string
	lim   Limits
	dec   *xml.Decoder
	rep   *Report
	stack []frame
	roots int
}

func (p *parser) errAt(line int, format string, a ...any) error {
	return &Error{File: p.name, Line: line, Message: fmt.Sprintf(format, a...)}
}

func (p *parser) line() int {
	l, _ := p.dec.InputPos()
	return l
}

func (p *parser) run() error {
	for {
		line := p.line()
		tok, err := p.dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return p.errAt(se.Line, "not well-formed XML: %s; a JUnit report is XML as the test runner writes it", se.Msg)
			}
			return p.errAt(p.line(), "not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return p.errAt(line, "a document type declaration (<!DOCTYPE …>) is not accepted in a test report: no test runner writes one, and its entities could expand without bound")
		case xml.StartElement:
			if err := p.start(t, line); err != nil {
				return err
			}
		case xml.EndElement:
			if err := p.end(t); err != nil {
				return err
			}
		case xml.CharData:
			if len(p.stack) > 0 {
				f := &p.stack[len(p.stack)-1]
				if isResult(f.name) && len(f.text) < maxMessage*2 {
					f.text = append(f.text, t[:min(len(t), maxMessage*2-len(f.text))]...)
				}
			} else if len(bytes.TrimSpace(t)) > 0 {
				return p.errAt(line, "text outside the root element: this is not a JUnit XML report")
			}
		}
	}
	if len(p.stack) > 0 {
		return p.errAt(p.line(), "the report ends inside <%s>: the file is cut short (did the test run stop while writing it?)", p.stack[len(p.stack)-1].name)
	}
	if p.roots == 0 {
		return p.errAt(1, "no root element: this is not a JUnit XML report")
	}
	return nil
}

func isResult(name string) bool { return isFailure(name) || name == "skipped" }

// isFailure: <failure> and <error>, and Surefire's records of a rerun
// (rerunFailingTestsCount): <flakyFailure>/<flakyError> on a test that
// failed and then passed on a rerun, <rerunFailure>/<rerunError> on one
// that failed again. A test repeated until it passes failed: a control's
// test must pass, not pass sometimes.
func isFailure(name string) bool {
	switch name {
	case "failure", "error", "flakyFailure", "flakyError", "rerunFailure", "rerunError":
		return true
	}
	return false
}

// isUTF16 reports a UTF-16 byte-order mark, or "<" as UTF-16 without one.
func isUTF16(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) ||
		bytes.HasPrefix(data, []byte{'<', 0}) || bytes.HasPrefix(data, []byte{0, '<'})
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func (p *parser) start(t xml.StartElement, line int) error {
	name := t.Name.Local
	if len(p.stack) >= p.lim.MaxDepth {
		return p.errAt(line, "elements nested more than %d deep: no test runner writes that", p.lim.MaxDepth)
	}
	if len(p.stack) == 0 {
		p.roots++
		if p.roots > 1 {
			return p.errAt(line, "a second root element <%s>: a report has one <testsuites> or <testsuite>", name)
		}
		if name != "testsuites" && name != "testsuite" {
			return p.errAt(line, "the root element is <%s>, not <testsuites> or <testsuite>: this is not a JUnit XML report", name)
		}
	}
	parent := ""
	if len(p.stack) > 0 {
		parent = p.stack[len(p.stack)-1].name
	}
	f := frame{name: name, raw: t.Name, caseIdx: -1}
	switch name {
	case "testsuite":
		if parent != "" && parent != "testsuites" && parent != "testsuite" {
			return p.errAt(line, "<testsuite> inside <%s>", parent)
		}
		f.suiteName = attr(t, "name")
	case "testcase":
		if parent != "testsuite" && parent != "testsuites" {
			return p.errAt(line, "<testcase> inside %s: a test case belongs in a <testsuite>", orRoot(parent))
		}
		if len(p.rep.Cases) >= p.lim.MaxCases {
			return p.errAt(line, "more than %d test cases in one report: split the run's reports", p.lim.MaxCases)
		}
		c := Case{ClassName: attr(t, "classname"), Name: attr(t, "name"), Outcome: Passed, Line: line}
		if c.Name == "" {
			return p.errAt(line, "a <testcase> without a name attribute: every test runner names its test cases")
		}
		c.Suite, c.SuiteProperties = p.suiteContext()
		p.rep.Cases = append(p.rep.Cases, c)
		f.caseIdx = len(p.rep.Cases) - 1
	case "failure", "error", "skipped", "flakyFailure", "flakyError", "rerunFailure", "rerunError":
		if parent != "testcase" {
			// Surefire and others write suite-level <error> when a class
			// fails to load: no test ran, nothing to attribute; ignored.
			break
		}
		c := &p.rep.Cases[p.stack[len(p.stack)-1].caseIdx]
		msg := attr(t, "message")
		if name == "skipped" {
			if c.Outcome == Passed {
				c.Outcome = Skipped
				c.Message = clip(msg)
			}
		} else if c.Outcome != Failed {
			c.Outcome = Failed
			c.Message = clip(msg)
			if c.Message == "" {
				c.Message = clip(attr(t, "type"))
			}
		}
	case "property":
		if parent == "properties" && len(p.stack) >= 2 {
			owner := &p.stack[len(p.stack)-2]
			owner.props = append(owner.props, Property{Name: attr(t, "name"), Value: attr(t, "value")})
		}
	}
	p.stack = append(p.stack, f)
	return nil
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func orRoot(parent string) string {
	if parent == "" {
		return "the document"
	}
	return "<" + parent + ">"
}

// suiteContext returns the innermost suite's name and the properties of the
// enclosing suites. A suite's properties come before its test cases in
// every runner's output; properties written after the first case are not
// applied to it.
func (p *parser) suiteContext() (string, []Property) {
	name := ""
	var props []Property
	for i := range p.stack {
		f := &p.stack[i]
		if f.name == "testsuite" || f.name == "testsuites" {
			if f.name == "testsuite" {
				name = f.suiteName
			}
			props = append(props, f.props...)
		}
	}
	return name, props
}

func (p *parser) end(t xml.EndElement) error {
	if len(p.stack) == 0 {
		return p.errAt(p.line(), "</%s> closes nothing", t.Name.Local)
	}
	f := p.stack[len(p.stack)-1]
	if f.raw != t.Name {
		return p.errAt(p.line(), "not well-formed XML: element <%s> closed by </%s>; a JUnit report is XML as the test runner writes it", rawName(f.raw), rawName(t.Name))
	}
	p.stack = p.stack[:len(p.stack)-1]
	switch {
	case f.name == "testcase" && f.caseIdx >= 0:
		p.rep.Cases[f.caseIdx].Properties = f.props
	case isResult(f.name) && len(p.stack) > 0 && p.stack[len(p.stack)-1].name == "testcase":
		c := &p.rep.Cases[p.stack[len(p.stack)-1].caseIdx]
		if c.Message == "" && len(f.text) > 0 && (c.Outcome == Failed) == (f.name != "skipped") {
			c.Message = clip(firstLine(string(f.text)))
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// clip keeps the first line of a message, at most maxMessage bytes, cut on
// a rune boundary.
func clip(s string) string {
	s = firstLine(s)
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
