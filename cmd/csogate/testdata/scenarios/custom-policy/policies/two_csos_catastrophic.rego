# A worked example of a custom policy: this organisation requires two counted
# CSO approvals for any change that touches a hazard whose residual severity is
# catastrophic, whatever its residual risk. It is not a default: copy it into
# the directory your gate configuration names under `policies:` (read from the
# trusted base, so it applies from the merge after it is added).
#
# A custom policy lives in package csogate.custom.<name> and adds findings to
# `violation` (blocks) or `warning` (reported), each an object with a string
# `code` (upper case, like the default codes) and `message`, and optionally
# `change`, `hazard` and `file`. It reads the facts document as `input`
# (schema csogate.input/v2) and may reuse what the default policy derived,
# such as data.csogate.gate.clinical_changes and
# data.csogate.gate.counted_approvals; it must not read
# data.csogate.gate.decision, which is built from the custom findings.
package csogate.custom.two_csos_catastrophic

# required is the number of counted CSO approvals this organisation requires
# for a change touching a catastrophic hazard.
required := 2

# TWO_CSOS_CATASTROPHIC exists because a catastrophic residual severity
# (death or permanent life-changing incapacity of several patients) warrants
# a second clinical opinion even where a low likelihood keeps the residual
# risk acceptable: one per change and hazard, so the message names both.
violation contains {
	"code": "TWO_CSOS_CATASTROPHIC",
	"message": sprintf(
		"%s touches %s %q, whose residual severity is catastrophic (residual risk %d): this organisation requires %d counted CSO approvals on such changes, and %d counted on %s. A second registered CSO must approve the head commit.",
		[c.id, h, hz.title, hz.residual_risk, required, data.csogate.gate.counted_approvals, substring(input.head_sha, 0, 7)],
	),
	"change": c.id,
	"hazard": h,
} if {
	data.csogate.gate.counted_approvals < required
	some c in data.csogate.gate.clinical_changes
	some h in c.hazards
	hz := input.hazards[h]
	hz.residual_severity == "catastrophic"
}
