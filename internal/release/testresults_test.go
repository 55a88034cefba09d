package release

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/golden"
)

// A release workflow's test report at the released commit: the allergy
// banner's test (CTL-020) passes; the hard stop's (CTL-021), the evidence
// of a control of HAZ-003, which the release touches, passes or fails.
func allergyReport(hardStop string) gate.TestResultFile {
	failure := ""
	failures := "0"
	if hardStop == "failed" {
		failure, failures = `<failure message="AssertionError: no hard stop">assert False</failure>`, "1"
	}
	return gate.TestResultFile{Path: "reports/pytest.xml", Data: []byte(`<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2" failures="` + failures + `">
<testcase classname="tests.test_allergy" name="test_banner_not_collapsible" file="tests/test_allergy.py" line="12"><properties><property name="control" value="CTL-020"/></properties></testcase>
<testcase classname="tests.test_allergy" name="test_hard_stop" file="tests/test_allergy.py" line="30"><properties><property name="control" value="CTL-021"/></properties>` + failure + `</testcase>
</testsuite></testsuites>`)}
}

// gateWithTests evaluates the release of tag with the release workflow's
// test results.
func (r *repo) gateWithTests(t *testing.T, tag string, reports ...gate.TestResultFile) *Result {
	t.Helper()
	c, _ := r.client(t)
	req := r.request(t, tag, "")
	req.TestResults, req.TestResultsGiven = reports, true
	return Evaluate(context.Background(), c, req)
}

// TestReleaseJudgesTestResults: release mode judges the release workflow's
// test results against the controls of the hazards the release touches. A
// failing test of a control blocks a release every CSO signed off
// (CONTROL_TEST_FAILED: no approval clears it); the release note and the
// safety case addendum show each control's outcome; without test results
// the release decides as before and says the tests were not checked.
func TestReleaseJudgesTestResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		reports     []gate.TestResultFile
		given       bool
		want        string
		wantCodes   []string
		wantInCase  []string
		wantSummary []string
	}{
		{name: "failing linked test blocks", reports: []gate.TestResultFile{allergyReport("failed")}, given: true, want: decision.Blocked,
			wantCodes: []string{"CONTROL_TEST_FAILED"},
			wantInCase: []string{"Tests in this run: 2 test cases in 1 report",
				"| HAZ-003 | CTL-021 | design | Hard stop when prescribing a medicine matching a recorded allergy | tests/prescribing/allergy_stop_test.go | found | FAILED (1 of 1 linked test failed: tests.test_allergy.test_hard_stop (reports/pytest.xml:4)) |",
				"| HAZ-003 | CTL-020 | design | Allergy banner cannot be collapsed while prescribing | tests/ui/allergy_banner_test.go | found | passed (1 of 1 linked test passed) |",
				"**NOT SIGNED OFF**"},
			wantSummary: []string{"⛔ FAILED (1 of 1 linked test failed", "Test results: 2 test cases in 1 report"}},
		{name: "passing linked tests", reports: []gate.TestResultFile{allergyReport("passed")}, given: true, want: decision.Approved,
			wantInCase: []string{"| HAZ-003 | CTL-021 | design | Hard stop when prescribing a medicine matching a recorded allergy | tests/prescribing/allergy_stop_test.go | found | passed (1 of 1 linked test passed) |",
				"**SIGNED OFF**"},
			wantSummary: []string{"✅ passed (1 of 1 linked test passed)"}},
		{name: "no test results", want: decision.Approved,
			wantInCase:  []string{"Tests in this run: not checked", "| tests/search/ranking_test.go | found | not checked |"},
			wantSummary: []string{"Test evidence not checked: no test results given."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, standardPulls())
			var res *Result
			if tt.given {
				res = r.gateWithTests(t, "v2.4.0", tt.reports...)
			} else {
				res = r.gate(t, "v2.4.0", "")
			}
			d := res.Release.Decision
			if d.Decision != tt.want {
				t.Fatalf("decision %s, want %s; violations %+v", d.Decision, tt.want, d.Violations)
			}
			codes := d.ViolationCodes()
			for _, c := range tt.wantCodes {
				if !slices.Contains(codes, c) {
					t.Errorf("violations %v lack %s", codes, c)
				}
			}
			if tt.given != (d.TestResults != nil) {
				t.Errorf("test_results %+v with test results given %v", d.TestResults, tt.given)
			}
			if res.Request == nil || len(res.Request.TestResults) != len(tt.reports) {
				t.Errorf("the release-level request keeps %v, want the %d reports (the record copies them)", res.Request, len(tt.reports))
			}
			// Each pull request was judged on its own head by its own run:
			// the release's test results are not theirs.
			for _, p := range res.Pulls {
				if p.Outcome != nil && p.Outcome.Decision.TestResults != nil {
					t.Errorf("#%d was judged with the release's test results", p.Number)
				}
			}
			md := SafetyCaseMarkdown(res)
			for _, want := range tt.wantInCase {
				if !strings.Contains(md, want) {
					t.Errorf("the safety case addendum lacks %q:\n%s", want, md)
				}
			}
			summary := Markdown(res)
			for _, want := range tt.wantSummary {
				if !strings.Contains(summary, want) {
					t.Errorf("the release summary lacks %q:\n%s", want, summary)
				}
			}
			if tt.name == "failing linked test blocks" {
				page, err := SafetyCaseHTML(res)
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", "safety-case-tests-failed.md"), []byte(md))
				golden.Check(t, filepath.Join("testdata", "golden", "safety-case-tests-failed.html"), []byte(page))
				checkTableColumns(t, md)
			}
		})
	}
}
