# Test results as evidence for the touched hazards' controls: the
# CONTROL_TEST_FAILED and CONTROL_TEST_MISSING rules. Go read the run's JUnit
# reports and linked each test case to controls (input.test_evidence); these
# rules judge the counts. Without test results nothing is judged.
package csogate.gate

evidence_facts := object.get(input, "test_evidence", {})

tests_given if evidence_facts.given == true

evidence_controls := object.get(evidence_facts, "controls", [])

not_applicable contains code if {
	not tests_given
	some code in {"CONTROL_TEST_FAILED", "CONTROL_TEST_MISSING"}
}

not_applicable contains code if {
	tests_given
	count(evidence_controls) == 0
	some code in {"CONTROL_TEST_FAILED", "CONTROL_TEST_MISSING"}
}

# CONTROL_TEST_FAILED exists because a control is what makes a hazard's
# residual risk acceptable: a test linked to it that fails on this commit is
# evidence the control does not work, so the residual risk the log claims no
# longer holds. No approval clears it (a CSO accepts risk, not a broken
# control); fixing the code or the test does. Fail wins: a passing test that
# also names the control cannot outvote a failing one.
violation contains finding("CONTROL_TEST_FAILED", msg, "", c.hazard, first_failing_file(c)) if {
	tests_given
	some c in evidence_controls
	c.failed > 0
	msg := sprintf(
		"%s of %s: %d of %d linked test%s failed in this run's test results (%s%s): the control's evidence does not hold on this commit, so the hazard's residual risk is not shown; fix the code or the test and rerun the tests (no approval clears a failing safety test)",
		[control_named(c), hazard_named(c), c.failed, linked(c), plural(linked(c)), concat("; ", [failing_named(f) | some f in c.failing]), more_failing(c)],
	)
}

# CONTROL_TEST_MISSING exists because a control whose evidence is a test is
# only evidenced when that test ran and passed: no linked test, or only
# skipped ones, is no evidence. A warning by default (the run may not run
# every suite); `control_tests: required` makes it block; any other setting
# blocks too.
missing_tests contains finding("CONTROL_TEST_MISSING", msg, "", c.hazard, "") if {
	tests_given
	some c in evidence_controls
	c.outcome == "missing"
	msg := sprintf(
		"%s of %s expects test evidence (%s) but %s in the %d test report%s given (%d test case%s): %s%s",
		[control_named(c), hazard_named(c), expects_why(c), missing_why(c), count(evidence_facts.files), plural(count(evidence_facts.files)), evidence_facts.cases, plural(evidence_facts.cases), missing_remedy(c), missing_setting],
	)
}

warning contains f if {
	evidence_facts.control_tests == "warn"
	some f in missing_tests
}

violation contains f if {
	evidence_facts.control_tests != "warn"
	some f in missing_tests
}

linked(c) := (c.passed + c.failed) + c.skipped

control_named(c) := sprintf("%s %q", [c.control, c.description]) if c.control != ""

control_named(c) := sprintf("A control with no id (%q)", [c.description]) if c.control == ""

hazard_named(c) := sprintf("%s %q", [c.hazard, c.hazard_title]) if c.hazard_title != ""

hazard_named(c) := c.hazard if c.hazard_title == ""

failing_named(f) := sprintf("%s at %s:%d: %s", [f.name, f.file, f.line, f.message]) if f.message != ""

failing_named(f) := sprintf("%s at %s:%d", [f.name, f.file, f.line]) if f.message == ""

more_failing(c) := sprintf("; and %d more", [c.failed - count(c.failing)]) if c.failed > count(c.failing)

more_failing(c) := "" if c.failed <= count(c.failing)

first_failing_file(c) := c.failing[0].file

expects_why(c) := sprintf("kind test, evidence %q", [c.evidence]) if {
	c.kind == "test"
	c.evidence != ""
}

expects_why(c) := "kind test" if {
	c.kind == "test"
	c.evidence == ""
}

expects_why(c) := sprintf("its evidence names a test: %q", [c.evidence]) if c.kind != "test"

missing_why(c) := sprintf("its %d linked test%s %s skipped, and a skipped test is no evidence", [c.skipped, plural(c.skipped), were_all(c.skipped)]) if {
	c.skipped > 0
	c.control != ""
}

missing_why(c) := "no test links to it" if {
	c.skipped == 0
	c.control != ""
}

missing_why(c) := "without an id no test can link to it" if c.control == ""

were_all(1) := "was"

were_all(n) := "were all" if n != 1

missing_remedy(c) := sprintf("run the test that proves it, and link it with <property name=\"control\" value=\"%s\"/> on the test case (pytest: record_property(\"control\", \"%s\")) or by naming %s in the test's name", [c.control, c.control, c.control]) if c.control != ""

missing_remedy(c) := "give the control an id in the hazard log and link its test to that id" if c.control == ""

missing_setting := "; with control_tests: required this blocks" if evidence_facts.control_tests == "warn"

missing_setting := "; the configuration says control_tests: required, so this blocks until the test evidence is given" if evidence_facts.control_tests != "warn"

rule_detail("CONTROL_TEST_FAILED", "failed") := sprintf("%d control%s of the touched hazards %s a failing test.", [n, plural(n), have(n)]) if {
	n := violation_counts.CONTROL_TEST_FAILED
}

rule_detail("CONTROL_TEST_FAILED", "passed") := sprintf("No test linked to the %d control%s of the touched hazards failed (%d test case%s in %d report%s).", [n, plural(n), evidence_facts.cases, plural(evidence_facts.cases), f, plural(f)]) if {
	n := count(evidence_controls)
	f := count(evidence_facts.files)
}

rule_detail("CONTROL_TEST_MISSING", status) := sprintf("%d control%s expecting test evidence %s no passing test in the run's test results.", [n, plural(n), have(n)]) if {
	status in {"failed", "warning"}
	n := count(missing_tests)
}

rule_detail("CONTROL_TEST_MISSING", "passed") := "Every control of the touched hazards that expects test evidence has a passing linked test."

rule_detail(code, "not_applicable") := "Test evidence not checked: no test results given." if {
	code in {"CONTROL_TEST_FAILED", "CONTROL_TEST_MISSING"}
	not tests_given
}

rule_detail(code, "not_applicable") := "The touched hazards have no controls to check test evidence for." if {
	code in {"CONTROL_TEST_FAILED", "CONTROL_TEST_MISSING"}
	tests_given
}
