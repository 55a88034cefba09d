package csogate.gate_test

import data.csogate.gate

# log_change_input is base with the hazard log compared and these changes.
log_change_input(changes, setting) := with_({"hazard_log_changes": {
	"compared": true,
	"why": "",
	"base": "the tip of the base branch main, abc1234",
	"risk_reduction_without_control": setting,
	"changes": changes,
}})

modified(id, fields, controls, status, residual) := {
	"id": id, "change": "modified", "title": "Dose calculated with an out-of-date weight",
	"status": status, "residual_risk": residual, "fields": fields, "controls": controls,
	"components_added": [], "components_removed": [],
}

likelihood_lowered := [
	{"field": "residual_likelihood", "before": "low", "after": "very-low"},
	{"field": "residual_risk", "before": 3, "after": 2},
]

# The attacker's edit: residual risk 3 → 2 by changing a likelihood, no control.
test_risk_lowered_without_control_warns_and_needs_a_cso if {
	d := gate.decision with input as log_change_input([modified("HAZ-002", likelihood_lowered, [], "open", 2)], "warn")
	[w.message | some w in of(d.warnings, "RISK_REDUCED_WITHOUT_CONTROL")] == ["HAZ-002 \"Dose calculated with an out-of-date weight\": residual risk lowered from 3 (medium) to 2 (low) in safety/hazard-log.yaml (residual likelihood low → very-low) with no control added or changed on the hazard: a CSO must confirm the reassessment by approving the head commit, or add the control that justifies it"]
	d.clinically_relevant == true
	count(of(d.violations, "CSO_APPROVAL_REQUIRED")) == 1
	status(d, "RISK_REDUCED_WITHOUT_CONTROL") == "warning"
}

test_risk_lowered_without_control_blocks_when_configured if {
	d := gate.decision with input as log_change_input([modified("HAZ-002", likelihood_lowered, [], "open", 2)], "block")
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 1
	count(of(d.warnings, "RISK_REDUCED_WITHOUT_CONTROL")) == 0
	status(d, "RISK_REDUCED_WITHOUT_CONTROL") == "failed"
}

test_unknown_reduction_setting_blocks if {
	d := gate.decision with input as log_change_input([modified("HAZ-002", likelihood_lowered, [], "open", 2)], "ignore")
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 1
}

test_risk_lowered_with_a_control_added_passes_the_rule if {
	ctl := [{"key": "CTL-099", "change": "added", "before": null, "after": {"id": "CTL-099", "description": "Weight re-measured on admission", "kind": "procedure", "evidence": ""}}]
	d := gate.decision with input as log_change_input([modified("HAZ-002", likelihood_lowered, ctl, "open", 2)], "block")
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 0
	count(of(d.warnings, "RISK_REDUCED_WITHOUT_CONTROL")) == 0
	status(d, "RISK_REDUCED_WITHOUT_CONTROL") == "passed"
	d.clinically_relevant == true
}

test_risk_lowered_with_a_control_removed_only_is_flagged if {
	ctl := [{"key": "CTL-011", "change": "removed", "before": {"id": "CTL-011", "description": "Pharmacist check", "kind": "procedure", "evidence": ""}, "after": null}]
	d := gate.decision with input as log_change_input([modified("HAZ-002", likelihood_lowered, ctl, "open", 2)], "warn")
	count(of(d.warnings, "RISK_REDUCED_WITHOUT_CONTROL")) == 1
}

test_hazard_removed_needs_a_cso if {
	removed := {
		"id": "HAZ-004", "change": "removed", "title": "Discharge letter sent to the wrong GP practice", "status": "open", "residual_risk": 3,
		"fields": [], "controls": [], "components_added": [], "components_removed": [],
	}
	d := gate.decision with input as log_change_input([removed], "warn")
	[w.message | some w in of(d.warnings, "HAZARD_REMOVED")] == ["HAZ-004 \"Discharge letter sent to the wrong GP practice\" (residual risk 3 (medium), status open) was removed from safety/hazard-log.yaml: a CSO must approve its removal on the head commit; to keep the record, set its status to closed instead"]
	count(of(d.violations, "CSO_APPROVAL_REQUIRED")) == 1
}

test_closed_above_acceptable_blocks if {
	fields := [{"field": "status", "before": "open", "after": "closed"}]
	d := gate.decision with input as log_change_input([modified("HAZ-004", fields, [], "closed", 4)], "warn")
	count(of(d.violations, "HAZARD_CLOSED_ABOVE_ACCEPTABLE")) == 1
	status(d, "HAZARD_CLOSED_ABOVE_ACCEPTABLE") == "failed"
}

test_closed_at_acceptable_risk_passes if {
	fields := [{"field": "status", "before": "open", "after": "closed"}]
	d := gate.decision with input as log_change_input([modified("HAZ-001", fields, [], "closed", 3)], "warn")
	count(of(d.violations, "HAZARD_CLOSED_ABOVE_ACCEPTABLE")) == 0
}

test_added_closed_above_acceptable_blocks if {
	added := {
		"id": "HAZ-010", "change": "added", "title": "New", "status": "closed", "residual_risk": 5,
		"fields": [], "controls": [], "components_added": [], "components_removed": [],
	}
	d := gate.decision with input as log_change_input([added], "warn")
	count(of(d.violations, "HAZARD_CLOSED_ABOVE_ACCEPTABLE")) == 1
}

test_log_not_compared_is_not_applicable if {
	d := gate.decision with input as with_({"hazard_log_changes": {"compared": false, "why": "base has no hazard log", "base": "x", "risk_reduction_without_control": "warn", "changes": []}})
	status(d, "HAZARD_REMOVED") == "not_applicable"
	some r in d.rules
	r.code == "HAZARD_REMOVED"
	r.detail == "The hazard log was not compared with the trusted side's: base has no hazard log."
}

test_unchanged_log_is_not_clinical if {
	d := gate.decision with input as log_change_input([], "warn")
	d.clinically_relevant == false
	status(d, "RISK_REDUCED_WITHOUT_CONTROL") == "passed"
}

# The attacker moves the log to a path the base branch lacks: under block the
# change cannot be compared, and the gate blocks rather than skip the rule.
test_uncompared_log_change_blocks_under_block if {
	d := gate.decision with input as with_({
		"safety_files": [{"path": "safety/new-log.yaml", "kind": "hazard_log"}],
		"hazard_log_changes": {"compared": false, "why": "base commit abc1234 has no hazard log (safety/new-log.yaml) to compare with", "base": "x", "risk_reduction_without_control": "block", "changes": []},
	})
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 1
	status(d, "RISK_REDUCED_WITHOUT_CONTROL") == "failed"
}

test_uncompared_log_change_under_warn_needs_a_cso_only if {
	d := gate.decision with input as with_({
		"safety_files": [{"path": "safety/new-log.yaml", "kind": "hazard_log"}],
		"hazard_log_changes": {"compared": false, "why": "none at the base", "base": "x", "risk_reduction_without_control": "warn", "changes": []},
	})
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 0
	count(of(d.violations, "CSO_APPROVAL_REQUIRED")) == 1
}

test_renamed_id_is_shown_as_both_and_named if {
	removed := {
		"id": "HAZ-001", "change": "removed", "title": "Wrong patient", "status": "open", "residual_risk": 2,
		"fields": [], "controls": [], "components_added": [], "components_removed": [],
	}
	added := object.union(removed, {"id": "HAZ-101", "change": "added"})
	d := gate.decision with input as log_change_input([added, removed], "warn")
	[w.message | some w in of(d.warnings, "HAZARD_REMOVED")] == ["HAZ-001 \"Wrong patient\" (residual risk 2 (low), status open) was removed from safety/hazard-log.yaml (HAZ-101, added, has the same title: if the id was renamed, every reference to HAZ-001 must follow): a CSO must approve its removal on the head commit; to keep the record, set its status to closed instead"]
}

# The attacker's edit under block: the risk lowered and a control touched only
# cosmetically, or given a new id, is no control added or changed.
test_attack_cosmetic_control_edit_is_no_control if {
	before := {"id": "CTL-011", "description": "Pharmacist check", "kind": "procedure", "evidence": ""}
	edits := [
		[{"key": "CTL-011", "change": "modified", "before": before, "after": object.union(before, {"description": "Pharmacist  check "})}],
		[{"key": "CTL-011", "change": "modified", "before": before, "after": object.union(before, {"kind": "Procedure"})}],
		[
			{"key": "CTL-999", "change": "added", "before": null, "after": object.union(before, {"id": "CTL-999"})},
			{"key": "CTL-011", "change": "removed", "before": before, "after": null},
		],
	]
	every ctl in edits {
		d := gate.decision with input as log_change_input([modified("HAZ-002", likelihood_lowered, ctl, "open", 2)], "block")
		count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 1
	}
}

test_control_reworded_counts if {
	before := {"id": "CTL-011", "description": "Pharmacist check", "kind": "procedure", "evidence": ""}
	ctl := [{"key": "CTL-011", "change": "modified", "before": before, "after": object.union(before, {"description": "Pharmacist double-checks every paediatric dose"})}]
	d := gate.decision with input as log_change_input([modified("HAZ-002", likelihood_lowered, ctl, "open", 2)], "block")
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 0
}

# The attacker's edit under block: the hazard given a new id with the same
# title and controls and a lower residual risk. The gate shows a removal and
# an addition (HAZARD_REMOVED, which an approval clears), but it is the same
# hazard's risk lowered with no control added: block must still refuse it.
test_attack_renamed_id_lowers_risk_under_block if {
	ctl := {"id": "CTL-011", "description": "Pharmacist check", "kind": "procedure", "evidence": ""}
	removed := {
		"id": "HAZ-002", "change": "removed", "title": "Dose calculated with an out-of-date weight", "status": "open", "residual_risk": 3,
		"fields": [], "controls": [{"key": "CTL-011", "change": "removed", "before": ctl, "after": null}],
		"components_added": [], "components_removed": [],
	}
	added := {
		"id": "HAZ-002a", "change": "added", "title": "Dose calculated with an out-of-date weight", "status": "open", "residual_risk": 2,
		"fields": [], "controls": [{"key": "CTL-011", "change": "added", "before": null, "after": ctl}],
		"components_added": [], "components_removed": [],
	}
	d := gate.decision with input as log_change_input([added, removed], "block")
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 1
}

test_renamed_id_with_a_new_control_is_no_reduction_without_control if {
	old := {"id": "CTL-011", "description": "Pharmacist check", "kind": "procedure", "evidence": ""}
	new := {"id": "CTL-012", "description": "Weight older than 24 hours blocks the calculation", "kind": "design", "evidence": "tests/weight_test.go"}
	removed := {
		"id": "HAZ-002", "change": "removed", "title": "Dose calculated with an out-of-date weight", "status": "open", "residual_risk": 3,
		"fields": [], "controls": [{"key": "CTL-011", "change": "removed", "before": old, "after": null}],
		"components_added": [], "components_removed": [],
	}
	added := {
		"id": "HAZ-002a", "change": "added", "title": "Dose from a stale weight", "status": "open", "residual_risk": 2,
		"fields": [], "controls": [
			{"key": "CTL-011", "change": "added", "before": null, "after": old},
			{"key": "CTL-012", "change": "added", "before": null, "after": new},
		],
		"components_added": [], "components_removed": [],
	}
	d := gate.decision with input as log_change_input([added, removed], "block")
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 0
}

test_renamed_id_lowering_risk_warns_under_warn if {
	ctl := {"id": "CTL-011", "description": "Pharmacist check", "kind": "procedure", "evidence": ""}
	removed := {
		"id": "HAZ-002", "change": "removed", "title": "Dose calculated with an out-of-date weight", "status": "open", "residual_risk": 3,
		"fields": [], "controls": [{"key": "CTL-011", "change": "removed", "before": ctl, "after": null}],
		"components_added": [], "components_removed": [],
	}
	added := {
		"id": "HAZ-009", "change": "added", "title": "Reworded title", "status": "open", "residual_risk": 1,
		"fields": [], "controls": [{"key": "CTL-011", "change": "added", "before": null, "after": ctl}],
		"components_added": [], "components_removed": [],
	}
	d := gate.decision with input as log_change_input([added, removed], "warn")
	count(of(d.warnings, "RISK_REDUCED_WITHOUT_CONTROL")) == 1
	count(of(d.violations, "RISK_REDUCED_WITHOUT_CONTROL")) == 0
}
