# METADATA
# title: csogate default policy
# description: >-
#   The single entry point, data.csogate.gate.decision: what the default rules
#   and every custom policy (package csogate.custom.<name>) found, and which
#   rules were evaluated. Go computed the facts (input, schema
#   csogate.input/v2); these modules decide.
package csogate.gate

# decision is the one document the engine reads. Violations and warnings are
# sets; the engine sorts them so the output is deterministic.
decision := {
	"clinically_relevant": clinically_relevant,
	"clinical_changes": clinical_changes,
	"approvals": approvals,
	"counted_approvals": counted_approvals,
	"required_approvals": required_approvals,
	"touched_hazards": touched_hazards,
	"violations": (violation | custom_violations),
	"warnings": (warning | custom_warnings),
	"rules": rules,
}

# custom_violations and custom_warnings collect what each custom policy
# (package csogate.custom.<name>) found, so an organisation can add rules of its
# own without editing the defaults. The engine checks each is an object with a
# string code and message.
custom_violations contains v if {
	some name
	some v in data.csogate.custom[name].violation
}

custom_warnings contains w if {
	some name
	some w in data.csogate.custom[name].warning
}

# rules reports every default rule with its outcome, so a reader sees what
# was checked and passed, not only what failed.
rules := [rule_report(code) | some code in rule_codes]

rule_codes := [
	"UNKNOWN_HAZARD",
	"UNDECLARED_CLINICAL_CHANGE",
	"UNACCEPTABLE_RESIDUAL_RISK",
	"CSO_APPROVAL_REQUIRED",
	"CSO_CHANGES_REQUESTED",
	"CSO_BLOCK_DISMISSED",
	"HAZARD_LOG_STALE",
	"SAFETY_FILE_CHANGED",
	"RISK_REDUCED_WITHOUT_CONTROL",
	"HAZARD_REMOVED",
	"HAZARD_CLOSED_ABOVE_ACCEPTABLE",
	"CONTROL_TEST_FAILED",
	"CONTROL_TEST_MISSING",
	"HAZARD_COMPONENT_ORPHANED",
	"CONTROL_EVIDENCE_MISSING",
]

rule_titles := {
	"UNKNOWN_HAZARD": "Manifest names only hazards in the log",
	"UNDECLARED_CLINICAL_CHANGE": "Every clinical file is covered by a manifest change",
	"UNACCEPTABLE_RESIDUAL_RISK": "Touched hazards carry an acceptable residual risk",
	"CSO_APPROVAL_REQUIRED": "Enough counted CSO approvals on the head commit",
	"CSO_CHANGES_REQUESTED": "No registered CSO has requested changes",
	"CSO_BLOCK_DISMISSED": "No CSO's stop was dismissed by someone who could not approve",
	"HAZARD_LOG_STALE": "The hazard log has been reviewed recently",
	"SAFETY_FILE_CHANGED": "The gate's own inputs are unchanged",
	"RISK_REDUCED_WITHOUT_CONTROL": "No residual risk lowered without a control",
	"HAZARD_REMOVED": "No hazard removed from the log",
	"HAZARD_CLOSED_ABOVE_ACCEPTABLE": "No hazard closed above the acceptable risk",
	"CONTROL_TEST_FAILED": "No failing test linked to a touched hazard's control",
	"CONTROL_TEST_MISSING": "Controls that expect tests have a passing test",
	"HAZARD_COMPONENT_ORPHANED": "Hazard components match code at the head",
	"CONTROL_EVIDENCE_MISSING": "Control evidence files are in the repository",
}

rule_report(code) := {
	"code": code,
	"title": rule_titles[code],
	"status": status,
	"detail": rule_detail(code, status),
} if {
	status := rule_status(code)
}

# violation_counts and warning_counts count the default rules' findings by
# code, built once so each rule's lookups are constant time.
violation_counts := {code: n |
	some code in rule_codes
	n := count([v | some v in violation; v.code == code])
}

warning_counts := {code: n |
	some code in rule_codes
	n := count([w | some w in warning; w.code == code])
}

# rule_status is failed when the rule found a violation, warning when it found
# only warnings, not_applicable when the facts it needs are absent, and
# passed otherwise.
rule_status(code) := "failed" if violation_counts[code] > 0

rule_status(code) := "warning" if {
	violation_counts[code] == 0
	warning_counts[code] > 0
}

rule_status(code) := "not_applicable" if {
	violation_counts[code] == 0
	warning_counts[code] == 0
	not_applicable[code]
}

rule_status(code) := "passed" if {
	violation_counts[code] == 0
	warning_counts[code] == 0
	not not_applicable[code]
}

# not_applicable holds the rules whose facts are absent from this run.
not_applicable contains "UNKNOWN_HAZARD" if count(input.changes) == 0

not_applicable contains "UNDECLARED_CLINICAL_CHANGE" if input.changed_files_known != true

not_applicable contains "UNACCEPTABLE_RESIDUAL_RISK" if count(touched_hazard_set) == 0

not_applicable contains "CSO_APPROVAL_REQUIRED" if not clinically_relevant

# rule_detail is one sentence on the outcome. The default keeps every rule in
# the list even for an outcome without a sentence of its own.
default rule_detail(_, _) := ""

rule_detail("UNKNOWN_HAZARD", "failed") := sprintf("%d hazard id%s named in the manifest %s not in the hazard log.", [n, plural(n), were(n)]) if {
	n := violation_counts.UNKNOWN_HAZARD
}

rule_detail("UNKNOWN_HAZARD", "passed") := "Every hazard the manifest names is in the hazard log."

rule_detail("UNKNOWN_HAZARD", "not_applicable") := "The manifest has no changes under review."

rule_detail("UNDECLARED_CLINICAL_CHANGE", "failed") := sprintf("%d clinical file%s changed without a manifest change covering %s.", [n, plural(n), them(n)]) if {
	n := violation_counts.UNDECLARED_CLINICAL_CHANGE
}

rule_detail("UNDECLARED_CLINICAL_CHANGE", "passed") := "No changed file matches a hazard component or clinical path." if {
	count(clinical_files) == 0
}

rule_detail("UNDECLARED_CLINICAL_CHANGE", "passed") := "The changed clinical file is covered by a manifest change." if {
	count(clinical_files) == 1
}

rule_detail("UNDECLARED_CLINICAL_CHANGE", "passed") := sprintf("All %d changed clinical files are covered by a manifest change.", [n]) if {
	n := count(clinical_files)
	n > 1
}

rule_detail("UNDECLARED_CLINICAL_CHANGE", "not_applicable") := "No list of changed files was given, so files could not be checked against the manifest."

rule_detail("UNACCEPTABLE_RESIDUAL_RISK", "failed") := sprintf("%d touched hazard%s %s a residual risk above the acceptable %d.", [n, plural(n), have(n), input.config.acceptable_residual_risk]) if {
	n := violation_counts.UNACCEPTABLE_RESIDUAL_RISK
}

rule_detail("UNACCEPTABLE_RESIDUAL_RISK", "passed") := sprintf("Every touched hazard has residual risk at most %d (highest: %d on %s).", [input.config.acceptable_residual_risk, max_touched_risk, riskiest_hazard])

rule_detail("UNACCEPTABLE_RESIDUAL_RISK", "not_applicable") := "The change set touches no hazard."

rule_detail("CSO_APPROVAL_REQUIRED", "failed") := sprintf("%d of %d required CSO approval%s counted on %s.", [counted_approvals, required_approvals, plural(required_approvals), short_sha(input.head_sha)])

rule_detail("CSO_APPROVAL_REQUIRED", "passed") := sprintf("%d counted CSO approval%s on %s; %d required (%s).", [counted_approvals, plural(counted_approvals), short_sha(input.head_sha), required_approvals, required_reason])

rule_detail("CSO_APPROVAL_REQUIRED", "not_applicable") := "Nothing in the change set is clinically relevant, so no CSO approval is required."

rule_detail("CSO_CHANGES_REQUESTED", "failed") := sprintf("%d registered CSO%s requested changes.", [n, plural(n)]) if {
	n := violation_counts.CSO_CHANGES_REQUESTED
}

rule_detail("CSO_CHANGES_REQUESTED", "passed") := "No registered CSO's standing review requests changes."

rule_detail("CSO_BLOCK_DISMISSED", "failed") := sprintf("%d CSO stop%s %s dismissed by someone whose own approval would not count.", [n, plural(n), were(n)]) if {
	n := violation_counts.CSO_BLOCK_DISMISSED
}

rule_detail("CSO_BLOCK_DISMISSED", "passed") := "No CSO's request for changes was dismissed by someone whose own approval would not count."

rule_detail("HAZARD_LOG_STALE", status) := sprintf("The hazard log %s; the maximum is %d days.", [reviewed_when, input.config.hazard_log_max_age_days]) if {
	status in {"failed", "warning"}
}

rule_detail("HAZARD_LOG_STALE", "passed") := sprintf("The hazard log was reviewed on %s, %d days ago (maximum %d).", [input.hazard_log.reviewed, input.hazard_log.age_days, input.config.hazard_log_max_age_days])

rule_detail("SAFETY_FILE_CHANGED", "warning") := sprintf("%d of the gate's own input files changed; CSO approval is required.", [n]) if {
	n := warning_counts.SAFETY_FILE_CHANGED
}

rule_detail("SAFETY_FILE_CHANGED", "passed") := "None of the gate's own input files changed."

were(1) := "is"

were(n) := "are" if n != 1

them(1) := "it"

them(n) := "them" if n != 1

have(1) := "has"

have(n) := "have" if n != 1
