# What the repository holds at the head of the hazards' code and of their
# controls' evidence: the HAZARD_COMPONENT_ORPHANED and
# CONTROL_EVIDENCE_MISSING rules. Go looked the checked hazards' component
# globs and evidence paths up in the repository's files
# (input.repository); these rules judge what it found.
package csogate.gate

repository := object.get(input, "repository", {})

repository_checked if repository.checked == true

repository_orphaned := object.get(repository, "orphaned", [])

repository_evidence := object.get(repository, "evidence", [])

# Only `warn` warns: `required`, and any setting this policy does not know,
# blocks (fail closed).
evidence_warns if object.get(repository, "control_evidence", "warn") == "warn"

# Not checked: no hazard needed it, or no file list was given (under
# `required` the latter is a violation below, which outranks this).
not_applicable contains code if {
	not repository_checked
	some code in {"HAZARD_COMPONENT_ORPHANED", "CONTROL_EVIDENCE_MISSING"}
}

# HAZARD_COMPONENT_ORPHANED exists because a hazard's components are how the
# gate knows a change touches it: when its globs match no file at the head,
# the code moved (or went) and the log did not follow, and a change to that
# code is no longer gated as touching the hazard. Closed hazards are not
# checked. It warns: the CSO updates the components in the log.
warning contains finding("HAZARD_COMPONENT_ORPHANED", msg, "", o.id, o.file) if {
	some o in repository_orphaned
	msg := sprintf(
		"%s %q (status %s, residual risk %s): %s in %s: %s; write where the code is now under the hazard's components in %s (a CSO approves the change to the log)",
		[o.id, o.title, status_word(o.status), rated_or_unrated(o.residual_risk), orphaned_globs(o), repository.source, orphaned_danger(o), o.file],
	)
}

orphaned_globs(o) := sprintf("its component %s matches no file", [o.globs[0]]) if count(o.globs) == 1

orphaned_globs(o) := sprintf("its components %s match no file", [concat(", ", o.globs)]) if count(o.globs) > 1

orphaned_danger(o) := "the code it concerns moved or went and the hazard log did not follow, so changes to that code are no longer gated as touching this hazard" if o.all_globs == true

orphaned_danger(o) := "its other components still gate their code, but a change to code that moved from there is no longer gated as touching this hazard" if o.all_globs != true

# CONTROL_EVIDENCE_MISSING exists because a control's evidence is what its
# risk reduction stands on: evidence that names a file or glob the head
# does not hold (or that cannot name a file of the repository: an absolute
# path, one outside it, a glob matching any file, a link, a directory) is a
# claim nobody can check. It warns by default; with `control_evidence:
# required` it blocks until the log or the evidence is fixed, and no
# approval clears it. URLs, tests and prose are not judged here.
evidence_findings contains finding("CONTROL_EVIDENCE_MISSING", msg, "", e.hazard, input.hazard_log.file) if {
	some e in repository_evidence
	e.status in {"missing", "refused"}
	msg := sprintf(
		"%s control %s: its evidence %q %s (checked against %s): %s",
		[e.hazard, e.control, e.evidence, e.detail, repository.source, evidence_remedy],
	)
}

evidence_remedy := concat("", [
	"the control's risk reduction rests on evidence that is not in the repository at the head; add the file, or correct the control's evidence in ",
	input.hazard_log.file, " (a path or glob relative to the repository root)",
]) if evidence_warns

evidence_remedy := concat("", [
	"the control's risk reduction rests on evidence that is not in the repository at the head, and the configuration says control_evidence: required, so no approval clears this; add the file, or correct the control's evidence in ",
	input.hazard_log.file, " (a path or glob relative to the repository root)",
]) if not evidence_warns

# evidence_check_owed: hazards needed checking but no list of the
# repository's files was given. Under `required` that blocks (fail closed):
# a run that cannot see the evidence must not pass for one that did.
evidence_check_owed if {
	not repository_checked
	object.get(repository, "hazards", 0) > 0
}

evidence_findings contains finding("CONTROL_EVIDENCE_MISSING", msg, "", "", input.hazard_log.file) if {
	not evidence_warns
	evidence_check_owed
	msg := sprintf(
		"The evidence of %d hazard%s' controls could not be checked (%s) and the configuration says control_evidence: required: give the gate the repository's files (the Action reads the head's file tree; the CLI reads the working directory when it is a git work tree, or --repo-files)",
		[repository.hazards, plural(repository.hazards), repository.why],
	)
}

warning contains f if {
	evidence_warns
	some f in evidence_findings
}

violation contains f if {
	not evidence_warns
	some f in evidence_findings
}

rule_detail("HAZARD_COMPONENT_ORPHANED", "warning") := sprintf("%d hazard%s whose components match no file at the head (%s).", [n, plural(n), repository.source]) if {
	n := warning_counts.HAZARD_COMPONENT_ORPHANED
}

rule_detail("HAZARD_COMPONENT_ORPHANED", "passed") := sprintf("The components of %s match files at the head (%s).", [checked_hazards, repository.source])

rule_detail("CONTROL_EVIDENCE_MISSING", status) := sprintf("%d control evidence path%s or glob%s %s no file at the head.", [n, plural(n), plural(n), names_verb(n)]) if {
	status in {"failed", "warning"}
	n := count(evidence_findings)
}

rule_detail("CONTROL_EVIDENCE_MISSING", "passed") := sprintf("Every file or glob named as evidence by %s is in the repository at the head (%d checked; URLs, tests and text are not looked up).", [checked_hazards, n]) if {
	n := count([e | some e in repository_evidence; e.kind in {"path", "glob"}])
}

rule_detail(code, "not_applicable") := sprintf("Not checked: %s.", [repository_why]) if {
	code in {"HAZARD_COMPONENT_ORPHANED", "CONTROL_EVIDENCE_MISSING"}
}

repository_why := w if {
	w := object.get(repository, "why", "")
	w != ""
} else := "the facts hold no check of the repository's files"

checked_hazards := sprintf("the %d hazard%s checked (%s)", [repository.hazards, plural(repository.hazards), repository.scope])

names_verb(1) := "names"

names_verb(n) := "name" if n != 1
