package facts

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/hazarddiff"
	"github.com/csogate/csogate/internal/junit"
	"github.com/csogate/csogate/internal/safetyfile"
)

// TestEvidence is what the run's test results say about the controls of the
// touched hazards (policies/control_tests.rego). Go links test cases to
// controls; the policy judges the counts.
type TestEvidence struct {
	// Given is false when no test results were given: nothing is judged.
	Given bool `json:"given"`
	// Files are the test reports read, and Cases the test cases in them.
	Files []string `json:"files"`
	Cases int      `json:"cases"`
	// ControlTests is the configuration's warn | required.
	ControlTests string `json:"control_tests"`
	// Controls are the controls of the touched hazards, by hazard id and
	// then in the log's order.
	Controls []ControlEvidence `json:"controls"`
}

// ControlEvidence is one control of a touched hazard with the tests linked
// to it.
type ControlEvidence struct {
	Hazard      string `json:"hazard"`
	HazardTitle string `json:"hazard_title"`
	Control     string `json:"control"` // "" when the log gives the control no id
	Description string `json:"description"`
	Kind        string `json:"kind"`
	Evidence    string `json:"evidence"`
	// ExpectsTests: the control is of kind test, or its evidence names a
	// test (ExpectsTests below).
	ExpectsTests bool `json:"expects_tests"`
	// Passed, Failed and Skipped count the linked test cases by outcome
	// (an error counts as failed; duplicates count each time they ran).
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Failing holds the first FailingSample failed test cases.
	Failing []FailingTest `json:"failing"`
	// Outcome: passed | failed | missing | not_expected | not_checked.
	Outcome string `json:"outcome"`
}

// FailingTest is a failed test case, where it is reported and why.
type FailingTest struct {
	Name    string `json:"name"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// FailingSample is how many failing tests a control names; the rest are counted.
const FailingSample = 3

// Control test outcomes.
const (
	TestsPassed      = "passed"
	TestsFailed      = "failed"
	TestsMissing     = "missing"
	TestsNotExpected = "not_expected"
	TestsNotChecked  = "not_checked"
)

// ControlProperty is the <property> name that links a test case (or every
// case of a suite) to controls: its value is one control id, or several
// separated by commas or spaces.
const ControlProperty = "control"

// ExpectsTests reports whether a control expects test evidence: it is of
// kind test, or its evidence names a test — a word containing "test" that
// is a path or file name (tests/banner_test.go, test_allergy.py,
// AllergyStopTest.java) or a test function (TestBanner). "Usability testing
// report" names no test a runner reports.
func ExpectsTests(c safetyfile.Control) bool {
	if strings.EqualFold(strings.TrimSpace(c.Kind), "test") {
		return true
	}
	for _, word := range strings.FieldsFunc(c.Evidence, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' || r == '\n' }) {
		lower := strings.ToLower(word)
		if !strings.Contains(lower, "test") {
			continue
		}
		if strings.ContainsAny(word, "/._:") {
			return true
		}
		if strings.HasPrefix(word, "Test") && len(word) > 4 && word[4] >= 'A' && word[4] <= 'Z' {
			return true
		}
	}
	return false
}

// EvidenceHazards returns the hazards whose controls are judged: those the
// change set touches, and those the change adds to or modifies in the hazard
// log (a control added to a hazard is shown with its evidence). Not every
// hazard of an edited log: a pull request's workflow runs the tests it runs,
// and a log-wide edit would otherwise demand every test of the product.
func EvidenceHazards(in *Input, changes []hazarddiff.HazardChange) []string {
	seen := map[string]bool{}
	var ids []string
	for id := range in.Hazards {
		seen[id] = true
		ids = append(ids, id)
	}
	for _, c := range changes {
		if (c.Change == "added" || c.Change == "modified") && !seen[c.ID] {
			seen[c.ID] = true
			ids = append(ids, c.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// LinkTests relates the test reports to the controls of the given hazards.
// reports is nil when no test results were given: every control is then
// not_checked and nothing is judged.
func LinkTests(log *safetyfile.HazardLog, hazardIDs []string, reports []*junit.Report, controlTests string) TestEvidence {
	ev := TestEvidence{Given: reports != nil, Files: []string{}, ControlTests: controlTests, Controls: []ControlEvidence{}}
	byID := make(map[string]*safetyfile.Hazard, len(log.Hazards))
	for i := range log.Hazards {
		byID[log.Hazards[i].ID] = &log.Hazards[i]
	}
	for _, r := range reports {
		ev.Files = append(ev.Files, r.File)
		ev.Cases += len(r.Cases)
	}
	// The ids of the judged controls, then one pass over the cases: each
	// case's property links and the ids its names contain, so the cost is
	// the size of the reports, not reports × controls.
	judged := map[string]bool{}
	for _, hid := range hazardIDs {
		if h, ok := byID[hid]; ok {
			for _, ctl := range h.Controls {
				if ctl.ID != "" {
					judged[ctl.ID] = true
				}
			}
		}
	}
	// Ids are matched with every Unicode dash read as "-": a test named
	// with a typographic dash (CTL‐1, pasted from a document) links, so a
	// failing one cannot drop out while a passing one links.
	byDashed := map[string][]string{}
	dashedJudged := map[string]bool{}
	for id := range judged {
		d := asciiDashes(id)
		byDashed[d] = append(byDashed[d], id)
		dashedJudged[d] = true
	}
	links := map[string][]caseRef{}
	var named []string
	for ri, r := range reports {
		for ci := range r.Cases {
			c := &r.Cases[ci]
			ref := caseRef{ri, ci}
			named = namedControls(named[:0], asciiDashes(c.Name), dashedJudged)
			named = namedControls(named, asciiDashes(c.ClassName), dashedJudged)
			for _, id := range propertyControls(c) {
				if id = asciiDashes(id); dashedJudged[id] && !containsString(named, id) {
					named = append(named, id)
				}
			}
			for _, d := range named {
				for _, id := range byDashed[d] {
					links[id] = append(links[id], ref)
				}
			}
		}
	}
	// One entry per control of the given hazards: counted first, so the list
	// (8,000 entries on a 5,000-hazard log) is allocated once, not grown.
	n := 0
	for _, hid := range hazardIDs {
		if h, ok := byID[hid]; ok {
			n += len(h.Controls)
		}
	}
	ev.Controls = make([]ControlEvidence, 0, n)
	for _, hid := range hazardIDs {
		h, ok := byID[hid]
		if !ok {
			continue
		}
		for _, ctl := range h.Controls {
			ce := ControlEvidence{Hazard: h.ID, HazardTitle: h.Title, Control: ctl.ID, Description: ctl.Description, Kind: ctl.Kind,
				Evidence: ctl.Evidence, ExpectsTests: ExpectsTests(ctl), Failing: []FailingTest{}}
			if ev.Given && ctl.ID != "" {
				countLinked(&ce, reports, links[ctl.ID])
			}
			ce.Outcome = outcome(&ce, ev.Given)
			ev.Controls = append(ev.Controls, ce)
		}
	}
	return ev
}

type caseRef struct{ report, index int }

// asciiDashes returns s with every Unicode dash (and the minus sign) as "-".
func asciiDashes(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(func(r rune) rune {
				if r == '\u2212' || unicode.Is(unicode.Pd, r) {
					return '-'
				}
				return r
			}, s)
		}
	}
	return s
}

// propertyControls lists the control ids a case's own or its suites'
// "control" properties name, each once.
func propertyControls(c *junit.Case) []string {
	var out []string
	for _, list := range [][]junit.Property{c.SuiteProperties, c.Properties} {
		for _, p := range list {
			if !strings.EqualFold(strings.TrimSpace(p.Name), ControlProperty) {
				continue
			}
			for _, id := range strings.FieldsFunc(p.Value, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\t' || r == '\n' }) {
				if !containsString(out, id) {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func countLinked(ce *ControlEvidence, reports []*junit.Report, refs []caseRef) {
	for _, ref := range refs {
		c := &reports[ref.report].Cases[ref.index]
		switch c.Outcome {
		case junit.Failed:
			ce.Failed++
			if len(ce.Failing) < FailingSample {
				ce.Failing = append(ce.Failing, FailingTest{Name: clipName(c.FullName()), File: reports[ref.report].File, Line: c.Line, Message: c.Message})
			}
		case junit.Skipped:
			ce.Skipped++
		default:
			ce.Passed++
		}
	}
}

// outcome: a failing linked test fails the control whatever else passed
// (a forger naming a control in a passing test cannot outvote it); a skipped
// test is no evidence.
func outcome(ce *ControlEvidence, given bool) string {
	switch {
	case !given:
		return TestsNotChecked
	case ce.Failed > 0:
		return TestsFailed
	case ce.Passed > 0:
		return TestsPassed
	case ce.ExpectsTests:
		return TestsMissing
	}
	return TestsNotExpected
}

// namedControls appends to out the ids of ids that name contains as words
// (NamesControl), each once: at every word start, each prefix of the run of
// id characters that ends on a word boundary is looked up.
func namedControls(out []string, name string, ids map[string]bool) []string {
	for start := 0; start < len(name); start++ {
		if !isIDStart(name[start]) || (start > 0 && isAlnum(name[start-1])) {
			continue
		}
		for end := start + 1; end <= len(name) && isIDChar(name[end-1]); end++ {
			if boundaryAfter(name, end) {
				if id := name[start:end]; ids[id] && !containsString(out, id) {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

func isIDStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isIDChar(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '-' }

// NamesControl reports whether a test name contains the control id as a
// word: not preceded by a letter or digit, and not followed by one, nor by
// '-', '.' or '_' and a digit — so CTL-1 matches "TestX/CTL-1_banner" and
// "test_x[CTL-1]" but not CTL-10, CTL-1.2, CTL-1-2 or XCTL-1. The match is
// exact in case, as ids are.
func NamesControl(name, id string) bool {
	if id == "" {
		return false
	}
	for from := 0; from <= len(name)-len(id); {
		i := strings.Index(name[from:], id)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(id)
		if (start == 0 || !isAlnum(name[start-1])) && boundaryAfter(name, end) {
			return true
		}
		from = start + 1
	}
	return false
}

func boundaryAfter(s string, end int) bool {
	if end >= len(s) {
		return true
	}
	c := s[end]
	if isAlnum(c) {
		return false
	}
	if (c == '-' || c == '.' || c == '_') && end+1 < len(s) && s[end+1] >= '0' && s[end+1] <= '9' {
		return false
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// maxTestName bounds a test name quoted in a finding: names come from the
// head's test run, and a generated name can be any length.
const maxTestName = 200

func clipName(s string) string {
	if len(s) <= maxTestName {
		return s
	}
	cut := maxTestName
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
