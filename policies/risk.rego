# Residual risk: the hazards the release touches, the
# UNACCEPTABLE_RESIDUAL_RISK rule, and how many CSO approvals their residual
# risk calls for.
package csogate.gate

# touched_hazard_set holds every hazard the change set touches: those of its
# clinically relevant changes (named or touched) and those matched by changed
# files, declared or not.
touched_hazard_set := change_named | file_touched

# A clinically relevant change's hazards are those it names and those its
# covered files match. A change that names a hazard is clinically relevant
# by that alone ("names HAZ-…" is among its change_reasons), so the named
# hazards are every change's, with no lookup of its reasons. The latter are matched by changed files, so
# input.file_hazards (every hazard a changed file matches, each once: Go
# lists them, and refuses a document where they disagree) holds them: a
# glob's hundred hazards are not collected again for every change and file
# under it.
change_named := {h | some c in input.changes; some h in c.hazards}

file_touched := {h | some h in input.file_hazards}

touched_hazards := sort(touched_hazard_set)

# max_touched_risk is the highest residual risk among the touched hazards.
max_touched_risk := max_residual_risk(touched_hazard_set)

# unacceptable_hazards are the touched hazards whose residual risk is above
# the acceptable level.
unacceptable_hazards := {h |
	some h in touched_hazard_set
	input.hazards[h].residual_risk > input.config.acceptable_residual_risk
}

# hazard_changes maps each unacceptable hazard to the clinical changes that
# name or touch it. The inner comprehension compares its own reference with
# the hazard, so OPA indexes it by hazard instead of scanning every pair for
# every hazard.
hazard_change_pairs := [[h, id] | clinical := change_reasons; some id, hazards in change_hazards; clinical[id]; some h in hazards]

hazard_changes := {h: ids |
	some h in unacceptable_hazards
	ids := {hazard_change_pairs[i][1] | some i; hazard_change_pairs[i][0] == h}
}

# UNACCEPTABLE_RESIDUAL_RISK exists because DCB0129 does not let a release
# carry a residual risk the organisation has judged unacceptable: a 4 demands
# further control and a 5 is unacceptable. It is a property of the hazard log,
# not of the review, so no approval unblocks it (contract 3).
violation contains finding("UNACCEPTABLE_RESIDUAL_RISK", msg, change, h, "") if {
	some h in unacceptable_hazards
	hz := input.hazards[h]
	changes := sort(hazard_changes[h])
	change := first_or_empty(changes)
	msg := sprintf(
		"%s %q%s has residual risk %d (%s severity, %s likelihood), above the acceptable %d: under DCB0129 %s. No approval unblocks this: add controls to %s in %s and reassess its residual risk.",
		[
			h, hz.title, touched_by(changes), hz.residual_risk,
			hz.residual_severity, hz.residual_likelihood,
			input.config.acceptable_residual_risk, risk_meaning(hz.residual_risk),
			h, input.hazard_log.file,
		],
	)
}

touched_by(changes) := "" if count(changes) == 0

touched_by(changes) := sprintf(" (touched by %s)", [list_ids(changes)]) if count(changes) > 0

# risk_meaning says what DCB0129's risk matrix means by a rating (contract
# 1.1).
risk_meaning(5) := "a residual risk of 5 is unacceptable"

risk_meaning(4) := "a residual risk of 4 demands mandatory elimination or control to an acceptable level"

risk_meaning(r) := sprintf("a residual risk of %d is %s, and this configuration accepts at most %d", [r, lower_levels[r], input.config.acceptable_residual_risk]) if {
	lower_levels[r]
}

risk_meaning(r) := sprintf("a residual risk of %d is off the matrix's 1 to 5 scale", [r]) if {
	not r in {1, 2, 3, 4, 5}
}

lower_levels := {
	1: "acceptable, with no further action",
	2: "acceptable only where the cost of further reduction outweighs the benefit",
	3: "undesirable, acceptable only where further reduction is impractical",
}

# risk_thresholds are the configured approvals.by_residual_risk entries that
# the highest touched residual risk reaches.
risk_thresholds contains [to_number(k), n] if {
	some k, n in input.config.approvals_by_residual_risk
	to_number(k) <= max_touched_risk
}

# required_approvals is how many counted CSO approvals the change set needs:
# the configured minimum, raised by the residual-risk thresholds it reaches,
# and never fewer than one, since a clinically relevant change needs a CSO
# (contract 2 and 3). Nothing is required when nothing is clinically relevant.
default required_approvals := 0

required_approvals := max({1, input.config.minimum_approvals} | {t[1] | some t in risk_thresholds}) if {
	clinically_relevant
}

# required_reason says why required_approvals is what it is, e.g. "residual
# risk 3 on HAZ-003 needs 2".
required_reason := sprintf("residual risk %d on %s needs %d", [max_touched_risk, riskiest_hazard, required_approvals]) if {
	some t in risk_thresholds
	t[1] == required_approvals
	t[1] > input.config.minimum_approvals
}

default required_reason := "the configured minimum"

# riskiest_hazard is the first (by id) touched hazard with the highest residual
# risk.
riskiest_hazard := min({h | some h in touched_hazard_set; input.hazards[h].residual_risk == max_touched_risk})

# first_or_empty returns the first element of a sorted array, "" when empty.
first_or_empty(xs) := xs[0]

first_or_empty(xs) := "" if count(xs) == 0

# list_ids joins ids for a message, naming at most ten.
list_ids(ids) := concat(", ", ids) if count(ids) <= 10

list_ids(ids) := sprintf("%s and %d more", [concat(", ", array.slice(ids, 0, 10)), count(ids) - 10]) if count(ids) > 10
