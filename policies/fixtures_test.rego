# Fixtures shared by the default policies' unit tests: a small input document
# in schema csogate.input/v2 and builders for its parts.
package csogate.gate_test

head_sha := "abc1234def5678abc1234def5678abc1234def56"

# base is an input with nothing clinically relevant: a valid, current hazard
# log, no changes, no files, no reviews.
base := {
	"schema": "csogate.input/v2",
	"today": "2026-10-01",
	"product": "Example EPR",
	"scope_product": "Example EPR",
	"scope_product_from": "the hazard log at the base commit",
	"release": "2.4.0",
	"head_sha": head_sha,
	"author": "dev-dan",
	"commit_authors": ["dev-dan"],
	"config": {
		"acceptable_residual_risk": 3,
		"minimum_approvals": 1,
		"approvals_by_residual_risk": {},
		"hazard_log_max_age_days": 365,
		"stale_hazard_log": "warn",
	},
	"hazard_log": {
		"file": "safety/hazard-log.yaml",
		"reviewed": "2026-09-01",
		"age_days": 30,
		"stale": false,
		"hazard_count": 3,
	},
	"hazards": {
		"HAZ-001": hazard("HAZ-001", "Wrong patient's record shown after search", "major", "very-low", 2),
		"HAZ-003": hazard("HAZ-003", "Allergy banner not shown", "major", "low", 3),
	},
	"changes": [],
	"files": [],
	"file_hazards": [],
	"changed_files_known": true,
	"changed_file_count": 0,
	"safety_files": [],
	"officers": [],
	"reviews": [],
	"skipped_reviews": [],
	"hazard_log_changes": {
		"compared": true,
		"why": "",
		"base": "the tip of the base branch main, abc1234",
		"risk_reduction_without_control": "warn",
		"changes": [],
	},
	"repository": {
		"checked": false,
		"why": "the change set touches no hazard that is not closed",
		"source": "",
		"scope": "the hazards the change set touches",
		"control_evidence": "warn",
		"hazards": 0,
		"orphaned": [],
		"evidence": [],
	},
}

# with_ returns base with the given top-level keys replaced, and the fields
# Go derives from the others (facts.Derive) filled in as Go would.
with_(patch) := derived(object.union(base, patch))

derived(doc) := object.union(doc, {
	"changes": [derived_change(doc, c) | some c in doc.changes],
	"file_hazards": sort({h | some f in doc.files; some h in f.hazards} | {h | some c in doc.changes; some h in c.touched_hazards}),
})

derived_change(doc, c) := object.union(c, {
	"affected_hazards": sort({h | some h in c.hazards} | {h | some h in c.touched_hazards}),
	"touch_groups": [object.union(g, {"max_residual_risk": max({0} | {doc.hazards[h].residual_risk | some h in g.hazards})}) |
		some g in c.touch_groups
	],
	"max_residual_risk": max((({0} | {doc.hazards[h].residual_risk | some h in c.hazards}) | {doc.hazards[h].residual_risk | some g in c.touch_groups; some h in g.hazards})),
})

hazard(id, title, severity, likelihood, risk) := {
	"id": id,
	"title": title,
	"status": "open",
	"initial_severity": severity,
	"initial_likelihood": "high",
	"initial_risk": 4,
	"residual_severity": severity,
	"residual_likelihood": likelihood,
	"residual_risk": risk,
	"components": [],
}

change(id, clinical, hazards) := {
	"id": id,
	"summary": sprintf("Summary of %s", [id]),
	"clinical": clinical,
	"hazards": hazards,
	"unknown_hazards": [],
	"touched_hazards": [],
	"touch_groups": [],
	"covered_files": 0,
	"affected_hazards": sort(hazards),
}

file(path, hazards, clinical_path, covered_by) := {
	"path": path,
	"hazards": hazards,
	"clinical_path": clinical_path,
	"covered_by": covered_by,
}

all_checks := {
	"on_head": true,
	"registered": true,
	"registration_current": true,
	"trained": true,
	"independent": true,
	"in_scope": true,
	"id_matches": true,
}

# alice is a registered CSO's standing review on the head commit, every check
# passed.
review(state) := {
	"id": 1001,
	"login": "alice-gp",
	"user_id": 583231,
	"state": state,
	"commit_id": head_sha,
	"submitted_at": "2026-10-01T09:30:00Z",
	"in_register": true,
	"name": "Dr Alice Example",
	"body": "GMC",
	"registration": "7012345",
	"checks": all_checks,
	"independence_detail": "",
	"dismissed_state": "",
	"dismissed_by": "",
	"dismissed_by_registered": false,
}

# codes lists the codes of a set of findings.
codes(findings) := {f.code | some f in findings}

# of returns the findings with the given code.
of(findings, code) := {f | some f in findings; f.code == code}

# status returns a rule's reported status.
status(d, code) := s if {
	some r in d.rules
	r.code == code
	s := r.status
}
