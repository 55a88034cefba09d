# Clinical relevance: which manifest changes and changed files are clinically
# relevant, and the rules that keep the manifest honest (UNKNOWN_HAZARD,
# UNDECLARED_CLINICAL_CHANGE) and flag changes to the gate's own inputs
# (SAFETY_FILE_CHANGED). Go matched the files against the globs; this module
# decides what the matches mean.
package csogate.gate

# change_hazards maps each manifest change to the hazards it affects: those it
# names and those whose components its covered files match. DCB0129 asks that
# a change be assessed against every hazard it may affect, so a hazard touched
# without being named still counts. Go lists them (affected_hazards: named and
# touched, sorted, each once; it refuses a document where they disagree), so
# no change's hazards are rebuilt here.
#
# It is one object built once (a complete rule), not a partial rule, so each
# lookup by id is constant time: 1,000 changes must not cost a million steps.
# Two changes with the same id but different hazards are a conflict error, so
# the gate blocks rather than guessing.
change_hazards := {c.id: c.affected_hazards | some c in input.changes}

# declaration_reasons gives what the change's own `clinical:` says. Anything
# but an explicit true or false is unsure, and unsure is clinical (contract
# 1.2): the gate fails closed on a missing or odd declaration.
declaration_reasons(c) := ["declared clinical"] if c.clinical == "true"

declaration_reasons(c) := [] if c.clinical == "false"

declaration_reasons(c) := ["clinical relevance unsure (treated as clinical)"] if {
	not c.clinical in {"true", "false"}
}

# change_reasons maps each clinically relevant change to why it is: its
# declaration, the hazards it names and the hazard components it touches. A
# change with no reason is not clinically relevant, so this object is also
# the set of clinical change ids. Touches come grouped by the hazards the
# files match (Go grouped them), so a change has one reason per group, not
# one per (file, hazard) pair: its hazards field lists every id in full.
change_reasons := {c.id: reasons |
	some c in input.changes
	named := [sprintf("names %s", [h]) | some h in c.hazards]
	unknown := [sprintf("names %s (not in the hazard log)", [h]) | some h in c.unknown_hazards]
	touched := [touch_reason(g) | some g in c.touch_groups]
	reasons := array.concat(array.concat(declaration_reasons(c), named), array.concat(unknown, touched))
	count(reasons) > 0
}

# touch_reason reads as "touches src/a.go (HAZ-003 component)", or for a
# larger group "touches 120 files, e.g. src/a.go, src/b.go, src/c.go
# (components of HAZ-001, HAZ-002, HAZ-003 and 9 more hazards)".
touch_reason(g) := sprintf("touches %s (%s)", [touched_files(g), component_names(g.hazards)])

touched_files(g) := concat(", ", g.sample) if g.files <= count(g.sample)

touched_files(g) := sprintf("%d files, e.g. %s", [g.files, concat(", ", g.sample)]) if g.files > count(g.sample)

component_names(hs) := sprintf("%s component", [hs[0]]) if count(hs) == 1

component_names(hs) := sprintf("%s and %s components", [concat(", ", array.slice(hs, 0, n - 1)), hs[n - 1]]) if {
	n := count(hs)
	n in {2, 3}
}

component_names(hs) := sprintf("components of %s and %d more hazards", [concat(", ", array.slice(hs, 0, 3)), count(hs) - 3]) if count(hs) > 3

# clinical_changes lists the clinically relevant changes in manifest order,
# each with its hazards and the highest residual risk among them: what the
# CSO is asked to approve. Go works out that highest once per change
# (changes[].max_residual_risk, over the hazards it names and its touch
# groups', each group's worked out once) and the engine refuses a document
# where it does not follow: on a 10,000-change manifest, working it out here
# was a sixth of the policies' time.
clinical_changes := [cc |
	all_reasons := change_reasons
	all_hazards := change_hazards
	some c in input.changes
	reasons := all_reasons[c.id]
	hazards := all_hazards[c.id]
	cc := {
		"id": c.id,
		"hazards": hazards,
		"max_residual_risk": change_max_risk(c),
		"reasons": reasons,
	}
]

# change_max_risk is the change's highest residual risk as Go worked it out;
# a document built by hand without it (a custom policy's test) has it worked
# out here, from the hazards the change names and its touch groups'.
change_max_risk(c) := c.max_residual_risk

change_max_risk(c) := max(array.concat(
	array.concat([0], [input.hazards[h].residual_risk | some h in c.hazards]),
	[g.max_residual_risk | some g in c.touch_groups],
)) if not c.max_residual_risk

# max_residual_risk is the highest residual risk of the given hazards, 0 when
# there are none.
max_residual_risk(hazards) := max({0} | {input.hazards[h].residual_risk | some h in hazards})

# clinical_files are the changed files that match a hazard's components or a
# configured clinical path. Go may also list the gate's own safety files in
# input.files; those are handled by SAFETY_FILE_CHANGED.
clinical_files contains f if {
	some f in input.files
	clinical_file(f)
}

clinical_file(f) if count(f.hazards) > 0

clinical_file(f) if f.clinical_path == true

# clinically_relevant is true when any change is clinically relevant, any
# changed file is clinical, or any of the gate's own inputs changed: DCB0129
# requires a CSO to approve each version of the hazard log, and the register,
# configuration and policies decide who that is.
default clinically_relevant := false

clinically_relevant if count(change_reasons) > 0

clinically_relevant if count(clinical_files) > 0

clinically_relevant if count(input.safety_files) > 0

# UNKNOWN_HAZARD exists because a change that names a hazard missing from the
# log has been assessed against nothing: its impact assessment cannot be
# checked against a residual risk.
violation contains finding("UNKNOWN_HAZARD", msg, c.id, h, "") if {
	some c in input.changes
	some h in c.unknown_hazards
	msg := sprintf(
		"%s names hazard %s, which is not in the hazard log %s: correct the id in the change manifest, or add %s to the hazard log with its causes, controls and residual risk",
		[c.id, h, input.hazard_log.file, h],
	)
}

# UNDECLARED_CLINICAL_CHANGE exists because a changed file that matches a
# hazard's components (or a clinical path) but that no manifest change covers
# would reach patients without a change impact assessment (DCB0129 asks one
# for any change that may alter clinical risk).
violation contains finding("UNDECLARED_CLINICAL_CHANGE", msg, "", "", f.path) if {
	some f in clinical_files
	count(f.covered_by) == 0
	msg := sprintf(
		"%s %s, but no change in the manifest covers it: add a manifest change whose paths cover it (e.g. paths: [\"%s\"]) with %s, or widen the paths of the change that made it",
		[f.path, file_matches(f), suggested_glob(f.path), suggested_hazards(f)],
	)
}

# file_matches says what makes a file clinical, naming each hazard with its
# residual risk.
file_matches(f) := sprintf("matches %s", [hazard_list(f.hazards)]) if {
	count(f.hazards) > 0
	f.clinical_path != true
}

file_matches(f) := sprintf("matches %s and a clinical path", [hazard_list(f.hazards)]) if {
	count(f.hazards) > 0
	f.clinical_path == true
}

file_matches(f) := "is on a clinical path" if count(f.hazards) == 0

# hazard_list names hazards with their residual risk, e.g.
# "HAZ-001 (residual risk 2), HAZ-003 (residual risk 3)".
hazard_list(hazards) := concat(", ", [sprintf("%s (residual risk %d)", [h, input.hazards[h].residual_risk]) | some h in sort(hazards)])

# suggested_glob is the directory of a path as a glob, or the path itself for
# a file at the repository root.
suggested_glob(path) := regex.replace(path, `/[^/]*$`, "/**")

suggested_hazards(f) := sprintf("hazards: [%s]", [concat(", ", sort(f.hazards))]) if count(f.hazards) > 0

suggested_hazards(f) := "the hazards it affects" if count(f.hazards) == 0

# SAFETY_FILE_CHANGED is a warning, not a violation: the change set becomes
# clinically relevant (so CSO_APPROVAL_REQUIRED applies), and the warning
# tells the reader why. DCB0129 requires a CSO to approve each version of the
# hazard log; the register, configuration and policies decide who may approve,
# so the gate reads them from the trusted base and edits to them take effect
# only after merge.
warning contains finding("SAFETY_FILE_CHANGED", msg, "", "", s.path) if {
	some s in input.safety_files
	msg := sprintf("%s (%s) changed: a change to the gate's own inputs always needs CSO approval%s", [
		s.path,
		safety_kind_name(s.kind),
		trusted_note(s.kind),
	])
}

safety_kind_names := {
	"hazard_log": "hazard log",
	"register": "CSO register",
	"config": "gate configuration",
	"policy": "gate policy",
	"components_map": "hazard components map",
	"manifest": "change manifest",
}

safety_kind_name(kind) := safety_kind_names[kind]

safety_kind_name(kind) := kind if not safety_kind_names[kind]

trusted_kinds := {"register", "config", "policy"}

trusted_note(kind) := "; it takes effect only after merge, because the gate reads the register, configuration and policies from the trusted base, never from the change under review" if {
	kind in trusted_kinds
}

trusted_note(kind) := "" if not kind in trusted_kinds

# finding builds a finding with every field present, so that findings compare
# (and deduplicate) field by field.
finding(code, message, change, hazard, file) := {
	"code": code,
	"message": message,
	"change": change,
	"hazard": hazard,
	"file": file,
}
