package facts

import (
	"fmt"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/junit"
	"github.com/csogate/csogate/internal/safetyfile"
)

func evidenceLog() *safetyfile.HazardLog {
	return &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{
		{ID: "HAZ-1", Controls: []safetyfile.Control{
			{ID: "CTL-1", Description: "Banner shows NHS number", Kind: "test", Evidence: "tests/banner_test.go"},
			{ID: "CTL-10", Description: "Exact match first", Kind: "design", Evidence: "TestRanking"},
			{ID: "CTL-2", Description: "Pharmacist check", Kind: "procedure", Evidence: "SOP-12 usability testing report"},
			{Description: "An unnamed control", Kind: "test"},
		}},
		{ID: "HAZ-2", Controls: []safetyfile.Control{{ID: "CTL-7", Kind: "test"}}},
	}}
}

func report(t *testing.T, doc string) *junit.Report {
	t.Helper()
	r, err := junit.Parse("results.xml", []byte(doc), junit.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func outcomes(ev TestEvidence) string {
	var out []string
	for _, c := range ev.Controls {
		out = append(out, fmt.Sprintf("%s:%s:%d/%d/%d", c.Control, c.Outcome, c.Passed, c.Failed, c.Skipped))
	}
	return strings.Join(out, " ")
}

// TestAttackTestEvidence: test results a forger or a careless run would give.
func TestAttackTestEvidence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		want      string
	}{
		{
			name: "a passing test naming the control cannot outvote the failing property-linked one",
			doc: `<testsuite name="s">
<testcase classname="c" name="test_banner"><properties><property name="control" value="CTL-1"/></properties><failure message="banner hidden"/></testcase>
<testcase classname="c" name="test_forged_CTL-1_passes"/>
</testsuite>`,
			want: "CTL-1:failed:1/1/0 CTL-10:missing:0/0/0 CTL-2:not_expected:0/0/0 :missing:0/0/0 CTL-7:missing:0/0/0",
		},
		{
			name: "duplicate test cases, one passing and one failing: fail wins",
			doc: `<testsuites><testsuite name="a"><testcase classname="c" name="TestX/CTL-7"/></testsuite>
<testsuite name="a"><testcase classname="c" name="TestX/CTL-7"><error message="panic"/></testcase></testsuite></testsuites>`,
			want: "CTL-1:missing:0/0/0 CTL-10:missing:0/0/0 CTL-2:not_expected:0/0/0 :missing:0/0/0 CTL-7:failed:1/1/0",
		},
		{
			name: "no tests at all: every expecting control is missing",
			doc:  `<testsuites/>`,
			want: "CTL-1:missing:0/0/0 CTL-10:missing:0/0/0 CTL-2:not_expected:0/0/0 :missing:0/0/0 CTL-7:missing:0/0/0",
		},
		{
			name: "CTL-1 in a name does not link CTL-10, nor CTL-10 link CTL-1",
			doc:  `<testsuite><testcase name="TestRanking/CTL-10_exact"/><testcase name="test_CTL-1.2"/><testcase name="XCTL-1"/></testsuite>`,
			want: "CTL-1:missing:0/0/0 CTL-10:passed:1/0/0 CTL-2:not_expected:0/0/0 :missing:0/0/0 CTL-7:missing:0/0/0",
		},
		{
			name: "skipped only is no evidence",
			doc:  `<testsuite><testcase name="test_x[CTL-1]"><skipped message="sandbox down"/></testcase></testsuite>`,
			want: "CTL-1:missing:0/0/1 CTL-10:missing:0/0/0 CTL-2:not_expected:0/0/0 :missing:0/0/0 CTL-7:missing:0/0/0",
		},
		{
			name: "a suite's control property links every case of the suite; a list links several",
			doc: `<testsuite name="s"><properties><property name="control" value="CTL-7"/></properties>
<testcase name="a"/><testcase name="b"><properties><property name="control" value="CTL-1, CTL-10"/></properties></testcase></testsuite>`,
			want: "CTL-1:passed:1/0/0 CTL-10:passed:1/0/0 CTL-2:not_expected:0/0/0 :missing:0/0/0 CTL-7:passed:2/0/0",
		},
		{
			// A typographic dash (pasted from a document) must not unlink a
			// failing test while a passing one with "-" links.
			name: "a failing test naming the control with a Unicode dash still fails it",
			doc: "<testsuite><testcase name=\"TestBanner/CTL\u20101_hidden\"><failure message=\"banner hidden\"/></testcase>" +
				"<testcase name=\"TestBanner/CTL-1_shown\"/>" +
				"<testcase name=\"t\"><properties><property name=\"control\" value=\"CTL\u20137\"/></properties><failure/></testcase></testsuite>",
			want: "CTL-1:failed:1/1/0 CTL-10:missing:0/0/0 CTL-2:not_expected:0/0/0 :missing:0/0/0 CTL-7:failed:0/1/0",
		},
		{
			name: "a failing test linked to a control that expects none still fails it",
			doc:  `<testsuite><testcase name="sop_CTL-2_drill"><failure/></testcase></testsuite>`,
			want: "CTL-1:missing:0/0/0 CTL-10:missing:0/0/0 CTL-2:failed:0/1/0 :missing:0/0/0 CTL-7:missing:0/0/0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := LinkTests(evidenceLog(), []string{"HAZ-1", "HAZ-2"}, []*junit.Report{report(t, tt.doc)}, "warn")
			if got := outcomes(ev); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestNoResultsJudgesNothing: without test results every control is
// not_checked, whatever it expects.
func TestNoResultsJudgesNothing(t *testing.T) {
	t.Parallel()
	ev := LinkTests(evidenceLog(), []string{"HAZ-1"}, nil, "required")
	if ev.Given || outcomes(ev) != "CTL-1:not_checked:0/0/0 CTL-10:not_checked:0/0/0 CTL-2:not_checked:0/0/0 :not_checked:0/0/0" {
		t.Errorf("%+v", ev)
	}
}

// TestFailingBounded: a control with thousands of failing tests names the
// first few and counts the rest.
func TestFailingBounded(t *testing.T) {
	t.Parallel()
	doc := "<testsuite>" + strings.Repeat(`<testcase name="CTL-7"><failure message="x"/></testcase>`, 5000) + "</testsuite>"
	ev := LinkTests(evidenceLog(), []string{"HAZ-2"}, []*junit.Report{report(t, doc)}, "warn")
	c := ev.Controls[0]
	if c.Failed != 5000 || len(c.Failing) != FailingSample || c.Failing[0].Line != 1 || c.Failing[0].File != "results.xml" {
		t.Errorf("%d failed, %d named: %+v", c.Failed, len(c.Failing), c.Failing)
	}
}

func TestExpectsTests(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind, evidence string
		want           bool
	}{
		{"test", "", true},
		{"design", "tests/search/banner_test.go", true},
		{"design", "test_allergy.py", true},
		{"design", "AllergyStopTest.java", true},
		{"design", "TestBannerShowsNHSNumber", true},
		{"design", "Usability testing report 2024", false},
		{"procedure", "SOP-12", false},
		{"design", "", false},
		{"design", "Testimony of the CSO", false},
	} {
		if got := ExpectsTests(safetyfile.Control{Kind: tt.kind, Evidence: tt.evidence}); got != tt.want {
			t.Errorf("kind %q evidence %q: %v, want %v", tt.kind, tt.evidence, got, tt.want)
		}
	}
}

func TestNamesControl(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, id string
		want     bool
	}{
		{"TestX/CTL-1_banner", "CTL-1", true},
		{"test_x[CTL-1]", "CTL-1", true},
		{"CTL-1", "CTL-1", true},
		{"CTL-1-regression", "CTL-1", true},
		{"CTL-10", "CTL-1", false},
		{"CTL-1.2", "CTL-1", false},
		{"CTL-1-2", "CTL-1", false},
		{"XCTL-1", "CTL-1", false},
		{"ctl-1", "CTL-1", false},
		{"CTL-10 then CTL-1", "CTL-1", true},
		{"anything", "", false},
	} {
		if got := NamesControl(tt.name, tt.id); got != tt.want {
			t.Errorf("NamesControl(%q, %q) = %v, want %v", tt.name, tt.id, got, tt.want)
		}
	}
}

// FuzzNamedControls: the one-pass scan finds exactly the ids NamesControl
// finds, whatever the test name.
func FuzzNamedControls(f *testing.F) {
	ids := map[string]bool{"CTL-1": true, "CTL-10": true, "CTL-1.2": true, "C": true, "HAZ-001.a_b": true}
	for _, s := range []string{"TestX/CTL-1_banner", "CTL-10 CTL-1.2", "xCTL-1", "C-C", "HAZ-001.a_b-2", "CTL-1-2 CTL-1-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := map[string]bool{}
		for _, id := range namedControls(nil, name, ids) {
			got[id] = true
		}
		for id := range ids {
			if got[id] != NamesControl(name, id) {
				t.Fatalf("%q: scan says %v for %s, NamesControl %v", name, got[id], id, NamesControl(name, id))
			}
		}
	})
}
