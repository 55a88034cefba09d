# CSO approval: which standing reviews count as CSO approval, and the rules
# that stop a release without enough of them (CSO_APPROVAL_REQUIRED) or with a
# CSO's stop in force (CSO_CHANGES_REQUESTED, CSO_BLOCK_DISMISSED). Go
# established each check and kept only each reviewer's standing review
# (contract 2.1).
package csogate.gate

# approval_checks are the conditions for an approval to count, in the order of
# contract 2.1: an approval that fails several is reported with the first.
approval_checks := [
	["on_head", "APPROVAL_STALE"],
	["registered", "APPROVER_NOT_REGISTERED"],
	["registration_current", "APPROVER_REGISTRATION_EXPIRED"],
	["trained", "APPROVER_NOT_TRAINED"],
	["independent", "APPROVER_NOT_INDEPENDENT"],
	["in_scope", "APPROVER_OUT_OF_SCOPE"],
	["id_matches", "APPROVER_ID_MISMATCH"],
]

# failed_checks lists the reason codes of the checks a review fails, in
# contract order. A check that is missing or not exactly true fails: the gate
# fails closed.
failed_checks(r) := [code | some [check, code] in approval_checks; not r.checks[check] == true]

# approvals lists every standing approval, counted or not, with the first
# reason it does not count: the CSO and the engineering lead see why an
# approval they expected was not enough.
approvals := [approval(r) | some r in input.reviews; lower(r.state) == "approved"]

approval(r) := {
	"login": r.login,
	"name": r.name,
	"body": r.body,
	"registration": r.registration,
	"commit": r.commit_id,
	"submitted_at": r.submitted_at,
	"review_id": r.id,
	"counted": count(failed) == 0,
	"why_not": first_or_empty(failed),
	"why_not_detail": why_not_detail(r, first_or_empty(failed)),
} if {
	failed := failed_checks(r)
}

# counted_approvals counts people, not reviews: should the input ever hold two
# counted approvals by one login, that is still one CSO's approval.
counted_approvals := count({lower(a.login) | some a in approvals; a.counted})

# why_not_detail explains a reason code in words, naming the reviewer.
why_not_detail(_, "") := ""

why_not_detail(r, "APPROVAL_STALE") := sprintf(
	"%s approved %s, not the head commit %s: the approval must be given again on the head commit",
	[who(r), short_sha(r.commit_id), short_sha(input.head_sha)],
)

why_not_detail(r, "APPROVER_NOT_REGISTERED") := sprintf(
	"@%s is not in the CSO register, so their approval is not a CSO's",
	[r.login],
)

why_not_detail(r, "APPROVER_REGISTRATION_EXPIRED") := sprintf(
	"%s: the CSO register says the professional registration has lapsed (registration_expires is past)",
	[who(r)],
)

why_not_detail(r, "APPROVER_NOT_TRAINED") := sprintf(
	"%s: the CSO register has no clinical risk management training date, or one in the future",
	[who(r)],
)

why_not_detail(r, "APPROVER_NOT_INDEPENDENT") := sprintf(
	"%s authored the pull request or authored, committed or co-authored one of its commits, so cannot approve it",
	[who(r)],
)

why_not_detail(r, "APPROVER_OUT_OF_SCOPE") := sprintf(
	"%s: the CSO register's products for this officer do not include %s",
	[who(r), input.product],
)

why_not_detail(r, "APPROVER_ID_MISMATCH") := sprintf(
	"%s: GitHub user id %d differs from the CSO register's github_id, so the account is not the registered officer's",
	[who(r), r.user_id],
)

# who names a reviewer as a CSO and engineering lead would: the registered
# name, login and professional registration when the register knows them.
who(r) := sprintf("%s (@%s, %s %s)", [r.name, r.login, r.body, r.registration]) if {
	r.in_register == true
	r.name != ""
}

who(r) := sprintf("@%s", [r.login]) if not registered_name(r)

registered_name(r) if {
	r.in_register == true
	r.name != ""
}

short_sha(sha) := substring(sha, 0, 7)

# CSO_APPROVAL_REQUIRED is the gate's purpose: a clinically relevant change
# set reaches patients only with enough counted approvals of registered,
# trained, independent CSOs in scope, given on the code that ships (DCB0129
# requires CSO approval of changes that may alter clinical risk).
violation contains finding("CSO_APPROVAL_REQUIRED", msg, first_or_empty(clinical_change_ids), "", "") if {
	clinically_relevant
	counted_approvals < required_approvals
	msg := sprintf(
		"CSO approval required: %d counted CSO approval%s needed (%s), %d counted on head commit %s. Clinical changes: %s. A registered, trained CSO in scope for %s who did not author the change must approve commit %s.",
		[
			required_approvals, plural(required_approvals), required_reason,
			counted_approvals, short_sha(input.head_sha), clinical_change_summary,
			input.product, short_sha(input.head_sha),
		],
	)
}

clinical_change_ids := [c.id | some c in clinical_changes]

clinical_change_summary := list_ids(clinical_change_ids) if count(clinical_change_ids) > 0

clinical_change_summary := "none declared, but clinical files or safety files changed" if count(clinical_change_ids) == 0

plural(1) := ""

plural(n) := "s" if n != 1

# CSO_CHANGES_REQUESTED exists because a CSO must have the power to stop a
# release: a registered CSO's standing changes-requested review blocks whoever
# else approved, until that CSO approves the head commit (contract 2.1).
violation contains finding("CSO_CHANGES_REQUESTED", msg, "", "", "") if {
	some r in input.reviews
	lower(r.state) == "changes_requested"
	r.in_register == true
	msg := sprintf(
		"%s requested changes on %s: the release is stopped until they approve the head commit",
		[who(r), short_sha(r.commit_id)],
	)
}

# CSO_BLOCK_DISMISSED exists because dismissing a review must not switch off a
# CSO's stop: only a registered CSO may lift it. A dismissed review whose state
# before dismissal is unknown is treated as a stop (fail closed).
violation contains finding("CSO_BLOCK_DISMISSED", msg, "", "", "") if {
	some r in input.reviews
	lower(r.state) == "dismissed"
	r.in_register == true
	lower(r.dismissed_state) in {"changes_requested", ""}
	not r.dismissed_by_registered == true
	msg := sprintf(
		"%s's %s on %s was dismissed by %s, who is not a registered CSO: only a registered CSO may lift a CSO's stop, so the release stays blocked until %s approves the head commit or a registered CSO dismisses the review",
		[who(r), dismissed_what(r), short_sha(r.commit_id), dismisser(r), who(r)],
	)
}

dismissed_what(r) := "changes-requested review" if lower(r.dismissed_state) == "changes_requested"

dismissed_what(r) := "review (its state before dismissal is unknown, so it is treated as a request for changes)" if {
	r.dismissed_state == ""
}

dismisser(r) := sprintf("@%s", [r.dismissed_by]) if r.dismissed_by != ""

dismisser(r) := "someone the gate could not identify" if r.dismissed_by == ""
