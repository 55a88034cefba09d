package csogate.gate_test

import data.csogate.gate

stale_log := object.union(base.hazard_log, {"reviewed": "2025-01-01", "age_days": 638, "stale": true})

test_stale_hazard_log_warns_by_default if {
	d := gate.decision with input as with_({"hazard_log": stale_log})
	of(d.warnings, "HAZARD_LOG_STALE") == {{
		"code": "HAZARD_LOG_STALE",
		"change": "",
		"hazard": "",
		"file": "safety/hazard-log.yaml",
		"message": "The hazard log safety/hazard-log.yaml was last reviewed on 2025-01-01, 638 days ago, more than the 365 days allowed (hazard_log_max_age_days): a CSO must review the whole hazard log and update its `reviewed:` date",
	}}
	count(of(d.violations, "HAZARD_LOG_STALE")) == 0
	status(d, "HAZARD_LOG_STALE") == "warning"
}

test_stale_hazard_log_blocks_when_configured if {
	d := gate.decision with input as with_({
		"hazard_log": stale_log,
		"config": object.union(base.config, {"stale_hazard_log": "block"}),
	})
	count(of(d.violations, "HAZARD_LOG_STALE")) == 1
	count(of(d.warnings, "HAZARD_LOG_STALE")) == 0
	status(d, "HAZARD_LOG_STALE") == "failed"
}

test_unknown_stale_setting_blocks if {
	d := gate.decision with input as with_({
		"hazard_log": stale_log,
		"config": object.union(base.config, {"stale_hazard_log": "ignore"}),
	})
	count(of(d.violations, "HAZARD_LOG_STALE")) == 1
}

test_never_reviewed_hazard_log if {
	log := object.union(base.hazard_log, {"reviewed": "", "age_days": -1, "stale": true})
	d := gate.decision with input as with_({"hazard_log": log})
	[w.message | some w in of(d.warnings, "HAZARD_LOG_STALE")] == ["The hazard log safety/hazard-log.yaml has never been reviewed (no `reviewed:` date), more than the 365 days allowed (hazard_log_max_age_days): a CSO must review the whole hazard log and update its `reviewed:` date"]
}

test_current_hazard_log_passes if {
	d := gate.decision with input as base
	count(of(d.warnings, "HAZARD_LOG_STALE")) == 0
	some r in d.rules
	r.code == "HAZARD_LOG_STALE"
	r.status == "passed"
	r.detail == "The hazard log was reviewed on 2026-09-01, 30 days ago (maximum 365)."
}
