# What the change set does to the hazard log, hazard by hazard: the
# RISK_REDUCED_WITHOUT_CONTROL, HAZARD_REMOVED and HAZARD_CLOSED_ABOVE_ACCEPTABLE
# rules. Go compared the head's log with the trusted side's
# (input.hazard_log_changes); these rules judge the comparison.
package csogate.gate

log_changes := object.get(object.get(input, "hazard_log_changes", {}), "changes", [])

log_compared if input.hazard_log_changes.compared == true

# A change to the hazard log is a clinical change: DCB0129 wants a CSO to
# approve each version of the log, whatever else the pull request does.
clinically_relevant if count(log_changes) > 0

not_applicable contains code if {
	not log_compared
	some code in {"RISK_REDUCED_WITHOUT_CONTROL", "HAZARD_REMOVED", "HAZARD_CLOSED_ABOVE_ACCEPTABLE"}
}

band := {1: "very low", 2: "low", 3: "medium", 4: "high", 5: "very high"}

rated(r) := sprintf("%d (%s)", [r, band[r]])

# RISK_REDUCED_WITHOUT_CONTROL exists because lowering a residual risk is a
# clinical claim that something now makes the harm less likely or less
# severe. With no control added or changed on the hazard, only the CSO can say
# whether the reassessment stands: the change needs a counted CSO approval
# (warn, the default), or is refused outright when the configuration says
# `risk_reduction_without_control: block`; any other setting blocks.
reduced_without_control contains finding("RISK_REDUCED_WITHOUT_CONTROL", msg, "", c.id, input.hazard_log.file) if {
	some c in log_changes
	c.change == "modified"
	some f in c.fields
	f.field == "residual_risk"
	f.before >= 1
	f.after >= 1
	f.after < f.before
	not control_added_or_changed(c)
	msg := sprintf(
		"%s %q: residual risk lowered from %s to %s in %s%s with no control added or changed on the hazard: %s",
		[c.id, c.title, rated(f.before), rated(f.after), input.hazard_log.file, reassessed_by(c), reduction_remedy],
	)
}

# A hazard re-filed under a new id is shown as one removed and one added, so
# the rule above cannot see its residual risk fall. An added hazard rated
# lower than a hazard removed in the same change, whose controls are all
# controls the removed hazards already had, is the same claim without a
# control: judged as one. (Compared with the removed hazards together, not
# pair by pair, so a rewritten log costs no product of the two lists; a title
# is not needed to match, since it can be reworded as easily as the id.)
reduced_without_control contains finding("RISK_REDUCED_WITHOUT_CONTROL", msg, "", a.id, input.hazard_log.file) if {
	some a in log_changes
	a.change == "added"
	a.residual_risk >= 1
	a.residual_risk < max_removed_risk
	not adds_new_control(a)
	msg := sprintf(
		"%s %q was added with residual risk %s while %s (residual risk up to %s) %s removed from %s, and it brings no control the removed hazards did not have: a hazard re-filed under a new id with a lower residual risk is a residual risk lowered without a control: %s",
		[a.id, a.title, rated(a.residual_risk), concat(", ", removed_ids), rated(max_removed_risk), was_were(count(removed_ids)), input.hazard_log.file, reduction_remedy],
	)
}

removed_ids := sort([r.id | some r in log_changes; r.change == "removed"])

max_removed_risk := max({r.residual_risk | some r in log_changes; r.change == "removed"})

removed_substances := {control_substance(cc.before) |
	some r in log_changes
	r.change == "removed"
	some cc in r.controls
	cc.change == "removed"
}

adds_new_control(a) if {
	some cc in a.controls
	cc.change == "added"
	not control_substance(cc.after) in removed_substances
}

was_were(1) := "was"

was_were(n) := "were" if n != 1

# A control counts when its substance changed: a whitespace or case edit, a
# new id for the same control, or one re-keyed by a reworded-only-in-spacing
# description is not a control that justifies a lower risk.
control_added_or_changed(c) if {
	some cc in c.controls
	cc.change == "modified"
	control_substance(cc.before) != control_substance(cc.after)
}

control_added_or_changed(c) if {
	some cc in c.controls
	cc.change == "added"
	not substance_removed(c, control_substance(cc.after))
}

substance_removed(c, s) if {
	some cc in c.controls
	cc.change == "removed"
	control_substance(cc.before) == s
}

control_substance(ctl) := [squash(object.get(ctl, f, "")) | some f in ["description", "kind", "evidence"]]

squash(s) := lower(trim_space(regex.replace(s, `\s+`, " ")))

# reassessed_by names the scores that moved, so the CSO sees what was claimed.
reassessed_by(c) := sprintf(" (%s)", [concat(", ", moved)]) if {
	moved := [sprintf("%s %s → %s", [replace(f.field, "_", " "), f.before, f.after]) |
		some f in c.fields
		f.field in {"residual_severity", "residual_likelihood"}
	]
	count(moved) > 0
}

reassessed_by(c) := "" if {
	not any_residual_score_moved(c)
}

any_residual_score_moved(c) if {
	some f in c.fields
	f.field in {"residual_severity", "residual_likelihood"}
}

reduction_remedy := "a CSO must confirm the reassessment by approving the head commit, or add the control that justifies it" if {
	input.hazard_log_changes.risk_reduction_without_control == "warn"
}

reduction_remedy := "the configuration says risk_reduction_without_control: block, so no approval clears this; add or change the control that justifies the lower risk, or restore the residual assessment" if {
	input.hazard_log_changes.risk_reduction_without_control != "warn"
}

warning contains f if {
	input.hazard_log_changes.risk_reduction_without_control == "warn"
	some f in reduced_without_control
}

# Under block, a changed log that could not be compared (the trusted side has
# none at that path, or it does not read) fails closed: otherwise moving the
# log to a new path would get a lowered risk past a rule no approval clears.
reduced_without_control contains finding("RISK_REDUCED_WITHOUT_CONTROL", msg, "", "", s.path) if {
	input.hazard_log_changes.risk_reduction_without_control != "warn"
	input.hazard_log_changes.compared == false
	some s in input.safety_files
	s.kind == "hazard_log"
	msg := sprintf(
		"The hazard log %s changed but could not be compared with the trusted side's (%s): with risk_reduction_without_control: block the gate cannot show that no residual risk was lowered without a control; add or move the log while the base branch's configuration says risk_reduction_without_control: warn (a CSO approves it), then set block again",
		[s.path, input.hazard_log_changes.why],
	)
}

violation contains f if {
	input.hazard_log_changes.risk_reduction_without_control != "warn"
	some f in reduced_without_control
}

# HAZARD_REMOVED exists because a hazard deleted from the log stops being
# managed: only a CSO may decide it no longer applies (closing it keeps the
# record). The change set needs a counted CSO approval.
warning contains finding("HAZARD_REMOVED", msg, "", c.id, input.hazard_log.file) if {
	some c in log_changes
	c.change == "removed"
	msg := sprintf(
		"%s %q (residual risk %s, status %s) was removed from %s%s: a CSO must approve its removal on the head commit; to keep the record, set its status to closed instead",
		[c.id, c.title, rated_or_unrated(c.residual_risk), status_word(c.status), input.hazard_log.file, same_title_added(c)],
	)
}

# same_title_added names hazards added with the removed one's title: a
# renamed id, which the gate shows as both but the CSO should recognise.
same_title_added(c) := sprintf(" (%s, added, has the same title: if the id was renamed, every reference to %s must follow)", [concat(", ", ids), c.id]) if {
	ids := [a.id | some a in log_changes; a.change == "added"; a.title == c.title]
	count(ids) > 0
}

same_title_added(c) := "" if {
	not any_same_title_added(c)
}

any_same_title_added(c) if {
	some a in log_changes
	a.change == "added"
	a.title == c.title
}

# HAZARD_CLOSED_ABOVE_ACCEPTABLE exists because closing a hazard says its
# risk is managed: a hazard whose residual risk is above the acceptable level
# cannot be closed, whoever approves.
violation contains finding("HAZARD_CLOSED_ABOVE_ACCEPTABLE", msg, "", c.id, input.hazard_log.file) if {
	some c in log_changes
	c.change in {"added", "modified"}
	c.status == "closed"
	c.residual_risk > input.config.acceptable_residual_risk
	closes_or_rescores(c)
	msg := sprintf(
		"%s %q is closed in %s with residual risk %s, above the acceptable %d: no approval unblocks this; reduce the risk with controls and reassess it, or keep the hazard open",
		[c.id, c.title, input.hazard_log.file, rated(c.residual_risk), input.config.acceptable_residual_risk],
	)
}

closes_or_rescores(c) if c.change == "added"

closes_or_rescores(c) if {
	some f in c.fields
	f.field in {"status", "residual_risk"}
}

rated_or_unrated(r) := rated(r) if r >= 1

rated_or_unrated(0) := "unrated"

status_word(s) := s if s != ""

status_word("") := "none"

rule_detail("RISK_REDUCED_WITHOUT_CONTROL", status) := sprintf("%d residual risk%s lowered with no control added or changed.", [n, plural(n)]) if {
	status in {"failed", "warning"}
	n := count(reduced_without_control)
}

rule_detail("RISK_REDUCED_WITHOUT_CONTROL", "passed") := "No residual risk was lowered without a control added or changed."

rule_detail("HAZARD_REMOVED", "warning") := sprintf("%d hazard%s removed from the log; CSO approval is required.", [n, plural(n)]) if {
	n := warning_counts.HAZARD_REMOVED
}

rule_detail("HAZARD_REMOVED", "passed") := "No hazard was removed from the log."

rule_detail("HAZARD_CLOSED_ABOVE_ACCEPTABLE", "failed") := sprintf("%d hazard%s closed with a residual risk above the acceptable %d.", [n, plural(n), input.config.acceptable_residual_risk]) if {
	n := violation_counts.HAZARD_CLOSED_ABOVE_ACCEPTABLE
}

rule_detail("HAZARD_CLOSED_ABOVE_ACCEPTABLE", "passed") := "No hazard was closed with a residual risk above the acceptable level."

rule_detail(code, "not_applicable") := sprintf("The hazard log was not compared with the trusted side's%s.", [why_not_compared]) if {
	code in {"RISK_REDUCED_WITHOUT_CONTROL", "HAZARD_REMOVED", "HAZARD_CLOSED_ABOVE_ACCEPTABLE"}
}

why_not_compared := concat("", [": ", input.hazard_log_changes.why]) if input.hazard_log_changes.why != ""

default why_not_compared := ""
