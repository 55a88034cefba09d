package csogate.gate_test

import data.csogate.gate

hazards_with_risk_4 := object.union(base.hazards, {
	"HAZ-009": hazard("HAZ-009", "Dose calculated in the wrong unit", "major", "high", 4),
	"HAZ-010": hazard("HAZ-010", "Critical result not escalated", "catastrophic", "high", 5),
})

test_touched_hazards_come_from_clinical_changes_and_files if {
	d := gate.decision with input as with_({
		"changes": [change("CHG-1", "true", ["HAZ-003"]), change("CHG-2", "false", [])],
		"files": [file("src/search/find.go", ["HAZ-001"], false, [])],
	})
	d.touched_hazards == ["HAZ-001", "HAZ-003"]
}

test_unacceptable_residual_risk_4 if {
	d := gate.decision with input as with_({
		"hazards": hazards_with_risk_4,
		"changes": [change("CHG-7", "true", ["HAZ-009"]), change("CHG-2", "true", ["HAZ-009"])],
	})
	of(d.violations, "UNACCEPTABLE_RESIDUAL_RISK") == {{
		"code": "UNACCEPTABLE_RESIDUAL_RISK",
		"change": "CHG-2",
		"hazard": "HAZ-009",
		"file": "",
		"message": `HAZ-009 "Dose calculated in the wrong unit" (touched by CHG-2, CHG-7) has residual risk 4 (major severity, high likelihood), above the acceptable 3: under DCB0129 a residual risk of 4 demands mandatory elimination or control to an acceptable level. No approval unblocks this: add controls to HAZ-009 in safety/hazard-log.yaml and reassess its residual risk.`,
	}}
	status(d, "UNACCEPTABLE_RESIDUAL_RISK") == "failed"
}

test_unacceptable_residual_risk_5_from_a_file_alone if {
	d := gate.decision with input as with_({
		"hazards": hazards_with_risk_4,
		"files": [file("src/results/escalate.go", ["HAZ-010"], false, [])],
	})
	[v | some v in of(d.violations, "UNACCEPTABLE_RESIDUAL_RISK")] == [{
		"code": "UNACCEPTABLE_RESIDUAL_RISK",
		"change": "",
		"hazard": "HAZ-010",
		"file": "",
		"message": `HAZ-010 "Critical result not escalated" has residual risk 5 (catastrophic severity, high likelihood), above the acceptable 3: under DCB0129 a residual risk of 5 is unacceptable. No approval unblocks this: add controls to HAZ-010 in safety/hazard-log.yaml and reassess its residual risk.`,
	}]
}

test_unacceptable_residual_risk_is_not_unblocked_by_approval if {
	d := gate.decision with input as with_({
		"hazards": hazards_with_risk_4,
		"changes": [change("CHG-7", "true", ["HAZ-009"])],
		"reviews": [review("approved")],
	})
	d.counted_approvals == 1
	codes(d.violations) == {"UNACCEPTABLE_RESIDUAL_RISK"}
}

test_stricter_acceptable_level if {
	d := gate.decision with input as with_({
		"config": object.union(base.config, {"acceptable_residual_risk": 2}),
		"changes": [change("CHG-1", "true", ["HAZ-003"])],
	})
	some v in of(d.violations, "UNACCEPTABLE_RESIDUAL_RISK")
	v.hazard == "HAZ-003"
	contains(v.message, "under DCB0129 a residual risk of 3 is undesirable, acceptable only where further reduction is impractical, and this configuration accepts at most 2.")
}

test_acceptable_residual_risk_passes if {
	d := gate.decision with input as with_({"changes": [change("CHG-1", "true", ["HAZ-003", "HAZ-001"])]})
	status(d, "UNACCEPTABLE_RESIDUAL_RISK") == "passed"
	some r in d.rules
	r.code == "UNACCEPTABLE_RESIDUAL_RISK"
	r.detail == "Every touched hazard has residual risk at most 3 (highest: 3 on HAZ-003)."
}

test_residual_risk_not_applicable_without_touched_hazards if {
	d := gate.decision with input as with_({"changes": [change("CHG-1", "true", [])]})
	status(d, "UNACCEPTABLE_RESIDUAL_RISK") == "not_applicable"
}

test_required_approvals_default_minimum if {
	d := gate.decision with input as with_({"changes": [change("CHG-1", "true", ["HAZ-003"])]})
	d.required_approvals == 1
}

test_required_approvals_raised_by_residual_risk if {
	cfg := object.union(base.config, {"approvals_by_residual_risk": {"3": 2}})
	d := gate.decision with input as with_({"config": cfg, "changes": [change("CHG-1", "true", ["HAZ-003"])]})
	d.required_approvals == 2
	gate.required_reason == "residual risk 3 on HAZ-003 needs 2" with input as with_({"config": cfg, "changes": [change("CHG-1", "true", ["HAZ-003"])]})

	# A threshold the touched hazards do not reach changes nothing.
	low := gate.decision with input as with_({"config": cfg, "changes": [change("CHG-1", "true", ["HAZ-001"])]})
	low.required_approvals == 1
}

test_required_approvals_take_the_highest_threshold_reached if {
	cfg := object.union(base.config, {"approvals_by_residual_risk": {"2": 2, "3": 3, "4": 4}})
	d := gate.decision with input as with_({"config": cfg, "changes": [change("CHG-1", "true", ["HAZ-001", "HAZ-003"])]})
	d.required_approvals == 3
}

test_required_approvals_never_below_one_when_clinical if {
	cfg := object.union(base.config, {"minimum_approvals": 0})
	d := gate.decision with input as with_({"config": cfg, "changes": [change("CHG-1", "true", [])]})
	d.required_approvals == 1
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED"}
}

test_required_approvals_zero_when_nothing_is_clinical if {
	d := gate.decision with input as base
	d.required_approvals == 0
}
