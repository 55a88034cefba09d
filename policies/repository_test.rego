package csogate.gate_test

import data.csogate.gate

# repo_input is base with the repository checked for two hazards.
repo_input(orphaned, evidence, setting) := with_({"repository": {
	"checked": true,
	"why": "",
	"source": "GitHub's file tree of 3f2a9c1",
	"scope": "the hazards the change set touches",
	"control_evidence": setting,
	"hazards": 2,
	"orphaned": orphaned,
	"evidence": evidence,
}})

orphan(id, globs, all) := {
	"id": id, "title": "Dose calculated with an out-of-date weight", "status": "open", "residual_risk": 2,
	"globs": globs, "all_globs": all, "file": "safety/hazard-log.yaml",
}

evidence(ctl, text, kind, st, detail) := {"hazard": "HAZ-002", "control": ctl, "evidence": text, "kind": kind, "status": st, "detail": detail}

# The code moved to src/medication/; the log still says src/prescribing/**.
test_orphaned_hazard_warns_that_its_code_is_no_longer_gated if {
	d := gate.decision with input as repo_input([orphan("HAZ-002", ["src/prescribing/**"], true)], [], "warn")
	[w.message | some w in of(d.warnings, "HAZARD_COMPONENT_ORPHANED")] == ["HAZ-002 \"Dose calculated with an out-of-date weight\" (status open, residual risk 2 (low)): its component src/prescribing/** matches no file in GitHub's file tree of 3f2a9c1: the code it concerns moved or went and the hazard log did not follow, so changes to that code are no longer gated as touching this hazard; write where the code is now under the hazard's components in safety/hazard-log.yaml (a CSO approves the change to the log)"]
	[w.hazard | some w in of(d.warnings, "HAZARD_COMPONENT_ORPHANED")] == ["HAZ-002"]
	status(d, "HAZARD_COMPONENT_ORPHANED") == "warning"
	count(d.violations) == 0
}

test_partly_orphaned_hazard_names_only_the_dead_globs if {
	d := gate.decision with input as repo_input([orphan("HAZ-002", ["src/api/dose.go", "src/api/weight.go"], false)], [], "warn")
	some w in of(d.warnings, "HAZARD_COMPONENT_ORPHANED")
	contains(w.message, "its components src/api/dose.go, src/api/weight.go match no file")
	contains(w.message, "its other components still gate their code")
}

test_missing_evidence_warns_by_default if {
	ev := [evidence("CTL-004", "tests/prescribing/weight_age_test.go", "path", "missing", "names no file")]
	d := gate.decision with input as repo_input([], ev, "warn")
	[w.message | some w in of(d.warnings, "CONTROL_EVIDENCE_MISSING")] == ["HAZ-002 control CTL-004: its evidence \"tests/prescribing/weight_age_test.go\" names no file (checked against GitHub's file tree of 3f2a9c1): the control's risk reduction rests on evidence that is not in the repository at the head; add the file, or correct the control's evidence in safety/hazard-log.yaml (a path or glob relative to the repository root)"]
	status(d, "CONTROL_EVIDENCE_MISSING") == "warning"
	count(d.violations) == 0
}

test_missing_evidence_blocks_when_required_and_no_approval_clears_it if {
	ev := [evidence("CTL-004", "../../etc/passwd", "path", "refused", "has a .. segment: evidence must be a path inside the repository")]
	d := gate.decision with input as object.union(repo_input([], ev, "required"), {"reviews": [review("approved")]})
	some v in of(d.violations, "CONTROL_EVIDENCE_MISSING")
	contains(v.message, "control_evidence: required, so no approval clears this")
	status(d, "CONTROL_EVIDENCE_MISSING") == "failed"
	count(of(d.warnings, "CONTROL_EVIDENCE_MISSING")) == 0
}

test_unknown_setting_blocks if {
	ev := [evidence("CTL-004", "tests/x_test.go", "path", "missing", "names no file")]
	d := gate.decision with input as repo_input([], ev, "sometimes")
	count(of(d.violations, "CONTROL_EVIDENCE_MISSING")) == 1
}

test_present_url_test_and_text_evidence_pass if {
	ev := [
		evidence("CTL-001", "tests/search/banner_test.go", "path", "present", "is a file"),
		evidence("CTL-002", "tests/search/*_test.go", "glob", "present", "matches tests/search/banner_test.go and other files"),
		evidence("CTL-003", "https://trust.example/usability", "url", "not_checked", "is a URL: csogate does not fetch it"),
		evidence("CTL-004", "test:TestDoseCalc", "test", "not_checked", "names a test"),
	]
	d := gate.decision with input as repo_input([], ev, "required")
	count(d.violations) == 0
	count(d.warnings) == 0
	status(d, "CONTROL_EVIDENCE_MISSING") == "passed"
	status(d, "HAZARD_COMPONENT_ORPHANED") == "passed"
	some r in d.rules
	r.code == "CONTROL_EVIDENCE_MISSING"
	r.detail == "Every file or glob named as evidence by the 2 hazards checked (the hazards the change set touches) is in the repository at the head (2 checked; URLs, tests and text are not looked up)."
}

test_nothing_to_check_is_not_applicable if {
	d := gate.decision with input as base
	status(d, "HAZARD_COMPONENT_ORPHANED") == "not_applicable"
	status(d, "CONTROL_EVIDENCE_MISSING") == "not_applicable"
	count(d.violations) == 0
}

# Fail closed: under required, a run that could not list the repository's
# files must not pass for one that found the evidence.
test_required_without_a_file_list_blocks if {
	d := gate.decision with input as with_({"repository": object.union(base.repository, {
		"why": "no list of the repository's files was given", "hazards": 3, "control_evidence": "required",
	})})
	some v in of(d.violations, "CONTROL_EVIDENCE_MISSING")
	contains(v.message, "could not be checked (no list of the repository's files was given)")
	status(d, "HAZARD_COMPONENT_ORPHANED") == "not_applicable"
}

test_warn_without_a_file_list_is_not_applicable if {
	d := gate.decision with input as with_({"repository": object.union(base.repository, {
		"why": "no list of the repository's files was given", "hazards": 3,
	})})
	count(d.violations) == 0
	status(d, "CONTROL_EVIDENCE_MISSING") == "not_applicable"
}
