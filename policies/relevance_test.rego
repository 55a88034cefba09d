package csogate.gate_test

import data.csogate.gate

test_declared_clinical_change if {
	d := gate.decision with input as with_({"changes": [change("CHG-101", "true", [])]})
	d.clinically_relevant
	d.clinical_changes == [{"id": "CHG-101", "hazards": [], "max_residual_risk": 0, "reasons": ["declared clinical"]}]
}

test_unsure_change_is_clinical if {
	d := gate.decision with input as with_({"changes": [change("CHG-102", "unsure", [])]})
	d.clinical_changes == [{
		"id": "CHG-102", "hazards": [], "max_residual_risk": 0,
		"reasons": ["clinical relevance unsure (treated as clinical)"],
	}]
}

test_missing_or_odd_declaration_fails_closed_as_unsure if {
	every value in ["", "maybe", "TRUE", true, false, null, 1, ["true"], {"true": true}] {
		unsure_declaration(change("CHG-103", value, []))
	}
}

unsure_declaration(c) if {
	d := gate.decision with input as with_({"changes": [c]})
	d.clinical_changes[0].reasons == ["clinical relevance unsure (treated as clinical)"]
}

test_nonclinical_change_without_hazards_is_not_relevant if {
	d := gate.decision with input as with_({"changes": [change("CHG-104", "false", [])]})
	not d.clinically_relevant
	d.clinical_changes == []
	d.touched_hazards == []
}

test_nonclinical_change_naming_a_hazard_is_relevant if {
	d := gate.decision with input as with_({"changes": [change("CHG-105", "false", ["HAZ-003"])]})
	d.clinically_relevant
	d.clinical_changes == [{"id": "CHG-105", "hazards": ["HAZ-003"], "max_residual_risk": 3, "reasons": ["names HAZ-003"]}]
	d.touched_hazards == ["HAZ-003"]
}

test_touched_hazards_join_named_ones if {
	c := object.union(change("CHG-101", "true", ["HAZ-001"]), {
		"touched_hazards": ["HAZ-001", "HAZ-003"],
		"touch_groups": [
			{"hazards": ["HAZ-003"], "files": 1, "sample": ["src/ui/allergy/banner.go"]},
			{"hazards": ["HAZ-001"], "files": 1, "sample": ["src/search/find.go"]},
		],
		"covered_files": 2,
	})
	d := gate.decision with input as with_({"changes": [c]})
	d.clinical_changes == [{
		"id": "CHG-101",
		"hazards": ["HAZ-001", "HAZ-003"],
		"max_residual_risk": 3,
		"reasons": [
			"declared clinical",
			"names HAZ-001",
			"touches src/ui/allergy/banner.go (HAZ-003 component)",
			"touches src/search/find.go (HAZ-001 component)",
		],
	}]
}

# A glob shared by a dozen hazards and a change covering hundreds of files
# under it: one reason that counts the files, names a few and the first
# hazards, while the change's hazards list every touched id.
test_large_touch_group_is_one_counted_reason if {
	ids := [sprintf("HAZ-%03d", [i]) | some i in numbers.range(1, 12)]
	c := object.union(change("CHG-7", "false", []), {
		"touched_hazards": ids,
		"touch_groups": [
			{"hazards": ids, "files": 300, "sample": ["src/m/a.go", "src/m/b.go", "src/m/c.go"]},
			{"hazards": ["HAZ-001", "HAZ-002"], "files": 2, "sample": ["src/n/a.go", "src/n/b.go"]},
			{"hazards": ["HAZ-001", "HAZ-002", "HAZ-003"], "files": 1, "sample": ["src/o/a.go"]},
		],
		"covered_files": 303,
	})
	d := gate.decision with input as with_({"changes": [c]})
	d.clinical_changes[0].hazards == ids
	d.clinical_changes[0].reasons == [
		"touches 300 files, e.g. src/m/a.go, src/m/b.go, src/m/c.go (components of HAZ-001, HAZ-002, HAZ-003 and 9 more hazards)",
		"touches src/n/a.go, src/n/b.go (HAZ-001 and HAZ-002 components)",
		"touches src/o/a.go (HAZ-001, HAZ-002 and HAZ-003 components)",
	]
}

test_clinical_changes_keep_manifest_order if {
	d := gate.decision with input as with_({"changes": [
		change("CHG-9", "true", []),
		change("CHG-1", "false", []),
		change("CHG-5", "unsure", []),
	]})
	[c.id | some c in d.clinical_changes] == ["CHG-9", "CHG-5"]
}

test_clinical_file_alone_is_relevant if {
	d := gate.decision with input as with_({
		"changes": [change("CHG-1", "false", [])],
		"files": [file("src/clinical/dose.go", [], true, ["CHG-1"])],
	})
	d.clinically_relevant
	d.clinical_changes == []
}

test_file_that_is_neither_hazard_nor_clinical_path_is_not_relevant if {
	d := gate.decision with input as with_({"files": [file("safety/changes.yaml", [], false, [])]})
	not d.clinically_relevant
	count(d.violations) == 0
}

test_safety_file_alone_is_relevant if {
	d := gate.decision with input as with_({"safety_files": [{"path": "safety/hazard-log.yaml", "kind": "hazard_log"}]})
	d.clinically_relevant
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED"}
}

test_unknown_hazard_one_per_change_and_id if {
	c1 := object.union(change("CHG-1", "true", []), {"unknown_hazards": ["HAZ-404", "HAZ-405"]})
	c2 := object.union(change("CHG-2", "true", []), {"unknown_hazards": ["HAZ-404"]})
	d := gate.decision with input as with_({"changes": [c1, c2]})
	{[v.change, v.hazard] | some v in of(d.violations, "UNKNOWN_HAZARD")} == {
		["CHG-1", "HAZ-404"],
		["CHG-1", "HAZ-405"],
		["CHG-2", "HAZ-404"],
	}
	status(d, "UNKNOWN_HAZARD") == "failed"
}

test_unknown_hazard_message if {
	c := object.union(change("CHG-1", "false", []), {"unknown_hazards": ["HAZ-404"]})
	d := gate.decision with input as with_({"changes": [c]})
	of(d.violations, "UNKNOWN_HAZARD") == {{
		"code": "UNKNOWN_HAZARD",
		"change": "CHG-1",
		"hazard": "HAZ-404",
		"file": "",
		"message": "CHG-1 names hazard HAZ-404, which is not in the hazard log safety/hazard-log.yaml: correct the id in the change manifest, or add HAZ-404 to the hazard log with its causes, controls and residual risk",
	}}

	# Naming an unknown hazard makes the change clinically relevant too.
	d.clinical_changes[0].reasons == ["names HAZ-404 (not in the hazard log)"]
}

test_unknown_hazard_passed_and_not_applicable if {
	status(gate.decision, "UNKNOWN_HAZARD") == "passed" with input as with_({"changes": [change("CHG-1", "true", ["HAZ-001"])]})
	status(gate.decision, "UNKNOWN_HAZARD") == "not_applicable" with input as base
}

test_undeclared_clinical_change_names_hazards_and_fix if {
	d := gate.decision with input as with_({"files": [file("src/ui/allergy/banner.go", ["HAZ-003", "HAZ-001"], false, [])]})
	of(d.violations, "UNDECLARED_CLINICAL_CHANGE") == {{
		"code": "UNDECLARED_CLINICAL_CHANGE",
		"change": "",
		"hazard": "",
		"file": "src/ui/allergy/banner.go",
		"message": `src/ui/allergy/banner.go matches HAZ-001 (residual risk 2), HAZ-003 (residual risk 3), but no change in the manifest covers it: add a manifest change whose paths cover it (e.g. paths: ["src/ui/allergy/**"]) with hazards: [HAZ-001, HAZ-003], or widen the paths of the change that made it`,
	}}
	status(d, "UNDECLARED_CLINICAL_CHANGE") == "failed"
}

test_undeclared_clinical_path_file if {
	d := gate.decision with input as with_({"files": [file("dose.go", [], true, [])]})
	[v.message | some v in of(d.violations, "UNDECLARED_CLINICAL_CHANGE")] == [`dose.go is on a clinical path, but no change in the manifest covers it: add a manifest change whose paths cover it (e.g. paths: ["dose.go"]) with the hazards it affects, or widen the paths of the change that made it`]
}

test_undeclared_file_matching_hazard_and_clinical_path if {
	d := gate.decision with input as with_({"files": [file("src/clinical/x.go", ["HAZ-001"], true, [])]})
	some v in of(d.violations, "UNDECLARED_CLINICAL_CHANGE")
	startswith(v.message, "src/clinical/x.go matches HAZ-001 (residual risk 2) and a clinical path, but")
}

test_covered_clinical_file_passes if {
	d := gate.decision with input as with_({
		"changes": [change("CHG-1", "true", ["HAZ-003"])],
		"files": [file("src/ui/allergy/banner.go", ["HAZ-003"], false, ["CHG-1"])],
	})
	count(of(d.violations, "UNDECLARED_CLINICAL_CHANGE")) == 0
	status(d, "UNDECLARED_CLINICAL_CHANGE") == "passed"
}

test_undeclared_not_applicable_without_changed_files if {
	d := gate.decision with input as with_({"changed_files_known": false})
	status(d, "UNDECLARED_CLINICAL_CHANGE") == "not_applicable"
}

test_safety_file_changed_is_a_warning_per_file if {
	d := gate.decision with input as with_({"safety_files": [
		{"path": "safety/hazard-log.yaml", "kind": "hazard_log"},
		{"path": "safety/cso-register.yaml", "kind": "register"},
	]})
	of(d.warnings, "SAFETY_FILE_CHANGED") == {
		{
			"code": "SAFETY_FILE_CHANGED",
			"change": "",
			"hazard": "",
			"file": "safety/hazard-log.yaml",
			"message": "safety/hazard-log.yaml (hazard log) changed: a change to the gate's own inputs always needs CSO approval",
		},
		{
			"code": "SAFETY_FILE_CHANGED",
			"change": "",
			"hazard": "",
			"file": "safety/cso-register.yaml",
			"message": "safety/cso-register.yaml (CSO register) changed: a change to the gate's own inputs always needs CSO approval; it takes effect only after merge, because the gate reads the register, configuration and policies from the trusted base, never from the change under review",
		},
	}
	count(of(d.violations, "SAFETY_FILE_CHANGED")) == 0
	status(d, "SAFETY_FILE_CHANGED") == "warning"
}

test_safety_file_kinds_read_from_the_trusted_base if {
	every kind in ["config", "policy"] {
		d := gate.decision with input as with_({"safety_files": [{"path": "x", "kind": kind}]})
		some w in d.warnings
		contains(w.message, "takes effect only after merge")
	}
	every kind in ["manifest", "components_map"] {
		d := gate.decision with input as with_({"safety_files": [{"path": "x", "kind": kind}]})
		some w in d.warnings
		not contains(w.message, "takes effect only after merge")
	}
}

test_safety_file_changed_passes_when_none_changed if {
	status(gate.decision, "SAFETY_FILE_CHANGED") == "passed" with input as base
}
