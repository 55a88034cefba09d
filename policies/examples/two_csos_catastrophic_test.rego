package csogate.custom.two_csos_catastrophic_test

import data.csogate.custom.two_csos_catastrophic as policy
import data.csogate.gate

hazards := {
	"HAZ-010": {
		"id": "HAZ-010", "title": "Critical result not escalated", "status": "open",
		"initial_severity": "catastrophic", "initial_likelihood": "medium", "initial_risk": 4,
		"residual_severity": "catastrophic", "residual_likelihood": "very-low", "residual_risk": 3,
		"components": ["src/results/**"],
	},
	"HAZ-001": {
		"id": "HAZ-001", "title": "Wrong patient's record shown", "status": "open",
		"initial_severity": "major", "initial_likelihood": "medium", "initial_risk": 3,
		"residual_severity": "major", "residual_likelihood": "very-low", "residual_risk": 2,
		"components": [],
	},
}

change(id, hazards) := {
	"id": id, "summary": "", "clinical": "true", "hazards": hazards,
	"unknown_hazards": [], "touched_hazards": [], "touch_groups": [], "covered_files": 0,
	"affected_hazards": sort(hazards),
}

approval(login) := {
	"id": 1, "login": login, "user_id": 1, "state": "approved",
	"commit_id": "abc1234def", "submitted_at": "2026-10-01T09:00:00Z",
	"in_register": true, "name": login, "body": "GMC", "registration": "1",
	"checks": {
		"on_head": true, "registered": true, "registration_current": true, "trained": true,
		"independent": true, "in_scope": true, "id_matches": true,
	},
	"dismissed_state": "", "dismissed_by": "", "dismissed_by_registered": false,
}

doc(changes, reviews) := {
	"schema": "csogate.input/v2", "today": "2026-10-01", "product": "Example EPR",
	"release": "2.4.0", "head_sha": "abc1234def", "author": "dev", "commit_authors": [],
	"config": {
		"acceptable_residual_risk": 3, "minimum_approvals": 1, "approvals_by_residual_risk": {},
		"hazard_log_max_age_days": 365, "stale_hazard_log": "warn",
	},
	"hazard_log": {"file": "safety/hazard-log.yaml", "reviewed": "2026-09-01", "age_days": 30, "stale": false, "hazard_count": 2},
	"hazards": hazards, "changes": changes, "files": [], "changed_files_known": true,
	"changed_file_count": 0, "safety_files": [], "officers": [], "reviews": reviews,
}

test_one_approval_is_not_enough_for_a_catastrophic_hazard if {
	v := policy.violation with input as doc([change("CHG-7", ["HAZ-010"])], [approval("alice")])
	v == {{
		"code": "TWO_CSOS_CATASTROPHIC",
		"change": "CHG-7",
		"hazard": "HAZ-010",
		"message": `CHG-7 touches HAZ-010 "Critical result not escalated", whose residual severity is catastrophic (residual risk 3): this organisation requires 2 counted CSO approvals on such changes, and 1 counted on abc1234. A second registered CSO must approve the head commit.`,
	}}
}

test_the_gate_blocks_on_it if {
	d := gate.decision with input as doc([change("CHG-7", ["HAZ-010"])], [approval("alice")])
	{v.code | some v in d.violations} == {"TWO_CSOS_CATASTROPHIC"}
}

test_two_approvals_satisfy if {
	count(policy.violation) == 0 with input as doc([change("CHG-7", ["HAZ-010"])], [approval("alice"), approval("bob")])
}

test_other_severities_need_one if {
	count(policy.violation) == 0 with input as doc([change("CHG-1", ["HAZ-001"])], [approval("alice")])
}
