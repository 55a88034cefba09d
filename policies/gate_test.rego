package csogate.gate_test

import data.csogate.gate

test_decision_has_every_field if {
	d := gate.decision with input as base
	object.keys(d) == {
		"clinically_relevant", "clinical_changes", "approvals", "counted_approvals",
		"required_approvals", "touched_hazards", "violations", "warnings", "rules",
	}
}

test_nothing_clinical_is_not_required if {
	d := gate.decision with input as with_({"changes": [change("CHG-1", "false", [])], "changed_file_count": 4})
	not d.clinically_relevant
	d.clinical_changes == []
	d.approvals == []
	d.counted_approvals == 0
	d.required_approvals == 0
	d.touched_hazards == []
	count(d.violations) == 0
	count(d.warnings) == 0
	[[r.code, r.status] | some r in d.rules] == [
		["UNKNOWN_HAZARD", "passed"],
		["UNDECLARED_CLINICAL_CHANGE", "passed"],
		["UNACCEPTABLE_RESIDUAL_RISK", "not_applicable"],
		["CSO_APPROVAL_REQUIRED", "not_applicable"],
		["CSO_CHANGES_REQUESTED", "passed"],
		["CSO_BLOCK_DISMISSED", "passed"],
		["HAZARD_LOG_STALE", "passed"],
		["SAFETY_FILE_CHANGED", "passed"],
		["RISK_REDUCED_WITHOUT_CONTROL", "passed"],
		["HAZARD_REMOVED", "passed"],
		["HAZARD_CLOSED_ABOVE_ACCEPTABLE", "passed"],
		["CONTROL_TEST_FAILED", "not_applicable"],
		["CONTROL_TEST_MISSING", "not_applicable"],
		["HAZARD_COMPONENT_ORPHANED", "not_applicable"],
		["CONTROL_EVIDENCE_MISSING", "not_applicable"],
	]
}

test_approved_change_set if {
	d := gate.decision with input as with_({
		"test_evidence": given_test_evidence([linked_tests("HAZ-003", "CTL-020", "passed", 2, 0, 0)], "warn"),
		"changes": [change("CHG-101", "true", ["HAZ-003"])],
		"files": [file("src/ui/allergy/banner.go", ["HAZ-003"], false, ["CHG-101"])],
		"reviews": [review("approved")],
		"repository": object.union(base.repository, {"checked": true, "why": "", "source": "GitHub's file tree of abc1234", "hazards": 1}),
	})
	d.clinically_relevant
	d.counted_approvals == 1
	d.required_approvals == 1
	d.touched_hazards == ["HAZ-003"]
	count(d.violations) == 0
	every r in d.rules {
		r.status == "passed"
		r.title != ""
		r.detail != ""
	}
}

test_every_rule_has_title_and_detail_in_every_state if {
	stale := object.union(base.hazard_log, {"reviewed": "2020-01-01", "age_days": 2100, "stale": true})
	unknown := object.union(change("CHG-2", "true", []), {"unknown_hazards": ["HAZ-404"]})
	d := gate.decision with input as with_({
		"hazard_log": stale,
		"hazards": object.union(base.hazards, {"HAZ-009": hazard("HAZ-009", "t", "major", "high", 4)}),
		"changes": [change("CHG-1", "true", ["HAZ-009"]), unknown],
		"files": [file("src/x.go", ["HAZ-001"], false, [])],
		"safety_files": [{"path": "safety/csogate.yaml", "kind": "config"}],
		"test_evidence": given_test_evidence(
			[
				failing_control("HAZ-009", "CTL-090"),
				linked_tests("HAZ-009", "CTL-091", "missing", 0, 0, 1),
			],
			"warn",
		),
		"reviews": [
			object.union(review("changes_requested"), {"login": "a"}),
			object.union(review("dismissed"), {"login": "b", "dismissed_state": "changes_requested"}),
		],
		"repository": object.union(base.repository, {
			"checked": true, "why": "", "source": "the working directory", "hazards": 2,
			"orphaned": [{"id": "HAZ-009", "title": "t", "status": "open", "residual_risk": 4, "globs": ["src/gone/**"], "all_globs": true, "file": "safety/hazard-log.yaml"}],
			"evidence": [{"hazard": "HAZ-009", "control": "CTL-9", "evidence": "tests/gone_test.go", "kind": "path", "status": "missing", "detail": "names no file"}],
		}),
	})
	[[r.code, r.status] | some r in d.rules] == [
		["UNKNOWN_HAZARD", "failed"],
		["UNDECLARED_CLINICAL_CHANGE", "failed"],
		["UNACCEPTABLE_RESIDUAL_RISK", "failed"],
		["CSO_APPROVAL_REQUIRED", "failed"],
		["CSO_CHANGES_REQUESTED", "failed"],
		["CSO_BLOCK_DISMISSED", "failed"],
		["HAZARD_LOG_STALE", "warning"],
		["SAFETY_FILE_CHANGED", "warning"],
		["RISK_REDUCED_WITHOUT_CONTROL", "passed"],
		["HAZARD_REMOVED", "passed"],
		["HAZARD_CLOSED_ABOVE_ACCEPTABLE", "passed"],
		["CONTROL_TEST_FAILED", "failed"],
		["CONTROL_TEST_MISSING", "warning"],
		["HAZARD_COMPONENT_ORPHANED", "warning"],
		["CONTROL_EVIDENCE_MISSING", "warning"],
	]
	every r in d.rules {
		r.title != ""
		r.detail != ""
		not contains(r.detail, "%!")
	}
	every f in d.violations | d.warnings {
		not contains(f.message, "%!")
	}
}

custom_finding := {"code": "LOCAL_RULE", "message": "local rule broken", "change": "CHG-1"}

test_custom_violations_and_warnings_are_aggregated if {
	custom := {
		"first": {"violation": {custom_finding}},
		"second": {"warning": {{"code": "LOCAL_NOTE", "message": "note"}}, "violation": {{"code": "OTHER", "message": "other"}}},
		"third": {"helper": true},
	}
	d := gate.decision with input as base with data.csogate.custom as custom
	d.violations == {custom_finding, {"code": "OTHER", "message": "other"}}
	d.warnings == {{"code": "LOCAL_NOTE", "message": "note"}}
}

test_custom_findings_join_default_ones if {
	d := gate.decision with input as with_({"changes": [change("CHG-1", "true", [])]})
		with data.csogate.custom as {"first": {"violation": {custom_finding}}}
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED", "LOCAL_RULE"}

	# Custom findings do not change the default rules' outcomes.
	status(d, "CSO_APPROVAL_REQUIRED") == "failed"
	every r in d.rules {
		r.code != "LOCAL_RULE"
	}
}

test_no_custom_policies if {
	d := gate.decision with input as base
	count(d.violations) == 0
	count(d.warnings) == 0
}
