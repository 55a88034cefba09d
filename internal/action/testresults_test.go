package action

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/evidence"
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

// TestReleaseJudgesTestResults: release mode reads the test-results input
// as pull-request runs do — the release workflow ran the tests at the
// released commit — and judges them against the controls of the hazards
// the release touches. A failing test of a control blocks a release the
// CSO signed off; the status is failure; the summary, the release note and
// the safety case addendum show it; the record keeps the report, and its
// replay with GitHub gone judges it again. A passing run is approved with
// the same requests to GitHub as a run without test results (they are read
// from disk).
func TestReleaseJudgesTestResults(t *testing.T) {
	t.Parallel()
	passing := strings.Replace(failingAllergyReport, `<failure message="AssertionError: no hard stop">assert False</failure>`, "", 1)
	tests := []struct {
		name     string
		report   string
		wantExit int
		wantCase string
	}{
		{"a failing linked test blocks", failingAllergyReport, 1, "FAILED (1 of 1 linked test failed: tests.test_allergy.test_hard_stop (reports/pytest.xml:1))"},
		{"passing linked tests", passing, 0, "passed (1 of 1 linked test passed)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newReleaseFixture(t, true)
			writeFile(t, filepath.Join(f.workspace, "reports", "pytest.xml"), []byte(tc.report))
			f.input(inTestResults, "reports/*.xml\n")
			f.pushTag("v2.4.0", v240SHA)
			o := f.run()
			if o.code != tc.wantExit {
				t.Fatalf("exit %d, want %d; violations %v\n%s", o.code, tc.wantExit, o.violationCodes(), o.stdout)
			}
			failed := slices.Contains(o.violationCodes(), "CONTROL_TEST_FAILED")
			if failed != (tc.wantExit == 1) {
				t.Errorf("violations %v; CONTROL_TEST_FAILED wanted: %v", o.violationCodes(), tc.wantExit == 1)
			}
			st, ok := f.releaseStatus(v240SHA)
			if wantState := map[int]string{0: "success", 1: "failure"}[tc.wantExit]; !ok || st.State != wantState {
				t.Errorf("release status %+v, want %s", st, wantState)
			}
			if tr, _ := o.decision["test_results"].(map[string]any); tr["reports"] != float64(1) || tr["cases"] != float64(2) {
				t.Errorf("decision test_results = %v, want 1 report of 2 cases", o.decision["test_results"])
			}
			if !strings.Contains(o.summary, tc.wantCase) {
				t.Errorf("the release summary lacks %q:\n%s", tc.wantCase, o.summary)
			}
			if note := string(readFile(t, o.outputs["release-note"])); !strings.Contains(note, "| Tests in this run |") {
				t.Errorf("the release note has no tests column:\n%s", note)
			}
			sc := string(readFile(t, o.outputs["safety-case"]))
			if !strings.Contains(sc, "| Evidence at release | Tests in this run |") || !strings.Contains(sc, tc.wantCase) {
				t.Errorf("the safety case addendum lacks the control's test outcome %q:\n%s", tc.wantCase, sc)
			}
			rec := o.record(t)
			if !rec.Request.TestResultsGiven || len(rec.Request.TestResults) != 1 || rec.Request.TestResults[0].Path != "reports/pytest.xml" {
				t.Errorf("record request test results: %+v", rec.Request.TestResults)
			}
			if tc.wantExit == 0 {
				if n := len(f.srv.Requests()); n != 37 {
					t.Errorf("%d requests to GitHub, want 37 as without test results (TestReleaseRequests)", n)
				}
			}

			// GitHub is gone and the workspace's report with it: the
			// record's copy is what the replay judges.
			f.srv.Close()
			if err := os.RemoveAll(filepath.Join(f.workspace, "reports")); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Dir(o.outputs["record-file"])
			res, err := evidence.Replay(context.Background(), dir, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if !res.Matches() || res.ExitCode() != o.code || slices.Contains(res.Decision.ViolationCodes(), "CONTROL_TEST_FAILED") != failed {
				t.Errorf("the replay derives %s exit %d (%v), the run exit %d; differences:", res.Decision.Decision, res.ExitCode(), res.Decision.ViolationCodes(), o.code)
				for _, d := range res.Differences {
					t.Errorf("  %s", d)
				}
			}
			if !bytes.Equal(res.SafetyCase, []byte(sc)) {
				t.Errorf("the replay renders another addendum than the run wrote")
			}

			// A forger who swaps the kept report for another cannot replay
			// the record into another verdict.
			swapped := passing
			if tc.report == passing {
				swapped = failingAllergyReport
			}
			copyPath := filepath.Join(dir, filepath.FromSlash(rec.Request.TestResults[0].Copy))
			if err := os.WriteFile(copyPath, []byte(swapped), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := evidence.Replay(context.Background(), dir, t.TempDir()); err == nil || !strings.Contains(err.Error(), "test results") {
				t.Errorf("replaying a record whose test report was swapped: %v, want an error naming the test results", err)
			}
		})
	}
}

// TestReleaseTestResultsMatchingNothing: in release mode too, a mistyped
// glob is INPUT_INVALID (exit 2) before any request to GitHub, and no
// status says the release passed.
func TestReleaseTestResultsMatchingNothing(t *testing.T) {
	t.Parallel()
	f := newReleaseFixture(t, true)
	f.input(inTestResults, "report/*.xml")
	f.pushTag("v2.4.0", v240SHA)
	o := f.run()
	if o.code != 2 || !slices.Contains(o.violationCodes(), "INPUT_INVALID") || !strings.Contains(o.summary, "report/\\*.xml: no file matches") {
		t.Errorf("exit %d, violations %v; want 2 with INPUT_INVALID naming the pattern\n%s", o.code, o.violationCodes(), o.summary)
	}
	if st, ok := f.releaseStatus(v240SHA); ok && st.State == "success" {
		t.Errorf("status %+v", st)
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests to GitHub before the bad input stopped the run: %v", n, f.srv.Requests())
	}
}
