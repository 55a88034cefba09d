package action

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// failingAllergyReport is pytest's report with the hard-stop test, the
// evidence of CTL-021 on a touched hazard, failing.
const failingAllergyReport = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="2" time="0.5" timestamp="2026-11-24T10:14:22.518403+00:00" hostname="runner-7"><testcase classname="tests.test_allergy" name="test_banner_not_collapsible" time="0.2"><properties><property name="control" value="CTL-020" /></properties></testcase><testcase classname="tests.test_allergy" name="test_hard_stop" time="0.3"><properties><property name="control" value="CTL-021" /></properties><failure message="AssertionError: no hard stop">assert False</failure></testcase></testsuite></testsuites>`

// TestActionJudgesTestResults: the test-results input's reports, read from
// the workspace, block a pull request a CSO approved when a control's test
// failed; the status is failure, the summary shows the traceability table,
// and the record keeps the report.
func TestActionJudgesTestResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	writeFile(t, filepath.Join(f.workspace, "reports", "pytest.xml"), []byte(failingAllergyReport))
	f.input(inTestResults, "reports/*.xml\n")
	o := f.run()
	if o.code != 1 || !slices.Contains(o.violationCodes(), "CONTROL_TEST_FAILED") {
		t.Fatalf("exit %d, violations %v; want 1 with CONTROL_TEST_FAILED\n%s", o.code, o.violationCodes(), o.stdout)
	}
	if st, ok := f.status(headSHA); !ok || st.State != "failure" {
		t.Errorf("status %+v, want failure", st)
	}
	if !strings.Contains(o.summary, "### Controls and their evidence") || !strings.Contains(o.summary, "⛔ FAILED (1 of 1 linked test failed: tests.test_allergy.test_hard_stop (reports/pytest.xml:1))") {
		t.Errorf("the summary lacks the traceability row:\n%s", o.summary)
	}
	rec := o.record(t)
	if !rec.Request.TestResultsGiven || len(rec.Request.TestResults) != 1 || rec.Request.TestResults[0].Path != "reports/pytest.xml" {
		t.Errorf("record request test results: %+v", rec.Request.TestResults)
	}
}

// TestActionTestResultsMatchingNothing: a mistyped glob is INPUT_INVALID
// (exit 2), never a run with the test evidence checks silently off.
func TestActionTestResultsMatchingNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	f.input(inTestResults, "report/*.xml")
	o := f.run()
	if o.code != 2 || !slices.Contains(o.violationCodes(), "INPUT_INVALID") || !strings.Contains(o.summary, "report/\\*.xml: no file matches") {
		t.Errorf("exit %d, violations %v; want 2 with INPUT_INVALID naming the pattern\n%s", o.code, o.violationCodes(), o.summary)
	}
	if st, ok := f.status(headSHA); ok && st.State == "success" {
		t.Errorf("status %+v", st)
	}
}

// TestActionTestResultsOutsideTheWorkspace: an absolute or escaping glob is
// refused as a bad input.
func TestActionTestResultsOutsideTheWorkspace(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.input(inTestResults, "../../etc/*.xml")
	o := f.run()
	if o.code != 2 || !strings.Contains(o.stdout+o.stderr+o.summary, "test-results") {
		t.Errorf("exit %d; want 2 naming the input\n%s%s", o.code, o.stdout, o.stderr)
	}
}
