package csogate.gate_test

import data.csogate.gate

# evidence is input.test_evidence with results given for these controls.
given_test_evidence(controls, setting) := {
	"given": true,
	"files": ["reports/junit.xml"],
	"cases": 12,
	"control_tests": setting,
	"controls": controls,
}

linked_tests(hazard, id, outcome, passed, failed, skipped) := {
	"hazard": hazard, "hazard_title": "Allergy banner not shown", "control": id,
	"description": "Allergy banner cannot be collapsed while prescribing", "kind": "test",
	"evidence": "tests/ui/allergy_banner_test.go", "expects_tests": true,
	"passed": passed, "failed": failed, "skipped": skipped, "failing": [], "outcome": outcome,
}

failing_control(hazard, id) := object.union(linked_tests(hazard, id, "failed", 1, 4, 0), {"failing": [
	{"name": "tests.test_banner.test_collapsed", "file": "reports/junit.xml", "line": 7, "message": "banner hidden"},
	{"name": "tests.test_banner.test_small_screen", "file": "reports/junit.xml", "line": 9, "message": ""},
]})

touching_003(ev) := with_({
	"test_evidence": ev,
	"changes": [change("CHG-101", "true", ["HAZ-003"])],
	"files": [file("src/ui/allergy/banner.go", ["HAZ-003"], false, ["CHG-101"])],
	"reviews": [review("approved")],
})

# The forger's run: a passing test names the control, the linked one fails.
# Go counts both; any failure blocks, and a counted CSO approval does not
# clear it.
test_failing_linked_test_blocks_even_with_cso_approval if {
	d := gate.decision with input as touching_003(given_test_evidence([failing_control("HAZ-003", "CTL-020")], "warn"))
	d.counted_approvals == 1
	[v.message | some v in of(d.violations, "CONTROL_TEST_FAILED")] == ["CTL-020 \"Allergy banner cannot be collapsed while prescribing\" of HAZ-003 \"Allergy banner not shown\": 4 of 5 linked tests failed in this run's test results (tests.test_banner.test_collapsed at reports/junit.xml:7: banner hidden; tests.test_banner.test_small_screen at reports/junit.xml:9; and 2 more): the control's evidence does not hold on this commit, so the hazard's residual risk is not shown; fix the code or the test and rerun the tests (no approval clears a failing safety test)"]
	[[v.hazard, v.file] | some v in of(d.violations, "CONTROL_TEST_FAILED")] == [["HAZ-003", "reports/junit.xml"]]
	status(d, "CONTROL_TEST_FAILED") == "failed"
}

test_missing_test_warns_by_default if {
	d := gate.decision with input as touching_003(given_test_evidence([linked_tests("HAZ-003", "CTL-020", "missing", 0, 0, 0)], "warn"))
	count(d.violations) == 0
	[w.message | some w in of(d.warnings, "CONTROL_TEST_MISSING")] == ["CTL-020 \"Allergy banner cannot be collapsed while prescribing\" of HAZ-003 \"Allergy banner not shown\" expects test evidence (kind test, evidence \"tests/ui/allergy_banner_test.go\") but no test links to it in the 1 test report given (12 test cases): run the test that proves it, and link it with <property name=\"control\" value=\"CTL-020\"/> on the test case (pytest: record_property(\"control\", \"CTL-020\")) or by naming CTL-020 in the test's name; with control_tests: required this blocks"]
	status(d, "CONTROL_TEST_MISSING") == "warning"
}

test_missing_test_blocks_when_required if {
	d := gate.decision with input as touching_003(given_test_evidence([linked_tests("HAZ-003", "CTL-020", "missing", 0, 0, 0)], "required"))
	count(of(d.violations, "CONTROL_TEST_MISSING")) == 1
	count(of(d.warnings, "CONTROL_TEST_MISSING")) == 0
	status(d, "CONTROL_TEST_MISSING") == "failed"
}

test_unknown_control_tests_setting_blocks if {
	d := gate.decision with input as touching_003(given_test_evidence([linked_tests("HAZ-003", "CTL-020", "missing", 0, 0, 0)], "ignore"))
	count(of(d.violations, "CONTROL_TEST_MISSING")) == 1
}

test_skipped_only_is_missing_and_says_so if {
	d := gate.decision with input as touching_003(given_test_evidence([linked_tests("HAZ-003", "CTL-020", "missing", 0, 0, 2)], "warn"))
	some w in of(d.warnings, "CONTROL_TEST_MISSING")
	contains(w.message, "but its 2 linked tests were all skipped, and a skipped test is no evidence")
}

test_control_without_id_is_missing if {
	c := object.union(linked_tests("HAZ-003", "", "missing", 0, 0, 0), {"kind": "design", "evidence": "tests/x_test.go"})
	d := gate.decision with input as touching_003(given_test_evidence([c], "warn"))
	some w in of(d.warnings, "CONTROL_TEST_MISSING")
	startswith(w.message, "A control with no id (\"Allergy banner cannot be collapsed while prescribing\") of HAZ-003")
	contains(w.message, "its evidence names a test: \"tests/x_test.go\"")
	contains(w.message, "without an id no test can link to it")
}

test_passing_and_not_expected_controls_pass if {
	d := gate.decision with input as touching_003(given_test_evidence(
		[
			linked_tests("HAZ-003", "CTL-020", "passed", 3, 0, 1),
			object.union(linked_tests("HAZ-003", "CTL-021", "not_expected", 0, 0, 0), {"kind": "procedure", "expects_tests": false}),
		],
		"required",
	))
	count(d.violations) == 0
	count(d.warnings) == 0
	status(d, "CONTROL_TEST_FAILED") == "passed"
	status(d, "CONTROL_TEST_MISSING") == "passed"
}

# Without test results nothing is judged, whatever the facts hold: existing
# users who give none see the rules not applicable and say why.
test_no_results_judges_nothing if {
	ev := object.union(given_test_evidence([failing_control("HAZ-003", "CTL-020")], "required"), {"given": false})
	d := gate.decision with input as touching_003(ev)
	count(of(d.violations, "CONTROL_TEST_FAILED")) == 0
	count(of(d.violations, "CONTROL_TEST_MISSING")) == 0
	some r in d.rules
	r.code == "CONTROL_TEST_FAILED"
	r.status == "not_applicable"
	r.detail == "Test evidence not checked: no test results given."
}

test_results_but_no_controls_is_not_applicable if {
	d := gate.decision with input as touching_003(given_test_evidence([], "required"))
	status(d, "CONTROL_TEST_MISSING") == "not_applicable"
	count(d.violations) == 0
}
