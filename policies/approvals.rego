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
) if {
	stale_kind(r) == "other commit"
}

why_not_detail(r, "APPROVAL_STALE") := sprintf(
	"%s's review names no commit: the approval must be given on the head commit %s",
	[who(r), short_sha(input.head_sha)],
) if {
	stale_kind(r) == "no commit"
}

why_not_detail(r, "APPROVAL_STALE") := sprintf(
	"%s's review names commit %s, an abbreviation of the head commit %s: an approval counts only when its commit_id is the full commit id GitHub records; give the reviews as GitHub returns them",
	[who(r), r.commit_id, input.head_sha],
) if {
	stale_kind(r) == "abbreviated review"
}

why_not_detail(r, "APPROVAL_STALE") := sprintf(
	"%s approved commit %s, but the head commit under review was given abbreviated as %s: pass the full 40-character head sha (--head-sha) so the approval can be matched",
	[who(r), r.commit_id, input.head_sha],
) if {
	stale_kind(r) == "abbreviated head"
}

# stale_kind says how a review's commit differs from the head, so the
# message never reads "approved 3f2a9c1, not the head commit 3f2a9c1".
stale_kind(r) := "no commit" if {
	r.commit_id == ""
} else := "abbreviated review" if {
	r.commit_id != input.head_sha
	startswith(input.head_sha, r.commit_id)
} else := "abbreviated head" if {
	input.head_sha != ""
	r.commit_id != input.head_sha
	startswith(r.commit_id, input.head_sha)
} else := "other commit"

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
	"%s is not independent of the change: %s, so cannot approve it",
	[who(r), r.independence_detail],
) if {
	independence_known(r)
}

why_not_detail(r, "APPROVER_NOT_INDEPENDENT") := sprintf(
	"%s authored the pull request or authored, committed or co-authored one of its commits, so cannot approve it",
	[who(r)],
) if {
	not independence_known(r)
}

# independence_known: Go named the commit and the account or address.
independence_known(r) if {
	is_string(r.independence_detail)
	r.independence_detail != ""
}

why_not_detail(r, "APPROVER_OUT_OF_SCOPE") := sprintf(
	"%s: the CSO register's products for this officer do not include %s, the product named by %s",
	[who(r), scope_product, scope_product_from],
) if {
	scope_product != ""
}

why_not_detail(r, "APPROVER_OUT_OF_SCOPE") := sprintf(
	"%s: the CSO register limits this officer to named products, but %s, so no product can be shown in their scope; set product: in the gate configuration on the trusted side, or ask a CSO without products to approve",
	[who(r), scope_product_from],
) if {
	scope_product == ""
}

# scope_product is the product officer scope is checked against, named on
# the trusted side; a document without it has none (fail closed).
scope_product := object.get(input, "scope_product", "")

scope_product_from := object.get(input, "scope_product_from", "the facts name no trusted product")

why_not_detail(r, "APPROVER_ID_MISMATCH") := sprintf(
	"%s: GitHub user id %d differs from the CSO register's github_id, so the account is not the registered officer's",
	[who(r), r.user_id],
) if {
	object.get(r, "user_id", 0) != 0
}

why_not_detail(r, "APPROVER_ID_MISMATCH") := sprintf(
	"%s: the account's GitHub user id is unknown and the CSO register pins this officer to a github_id, so the account cannot be shown to be the registered officer's",
	[who(r)],
) if {
	object.get(r, "user_id", 0) == 0
}

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
			scope_name, short_sha(input.head_sha),
		],
	)
}

# scope_name is the product officers must be in scope for: the trusted side's.
scope_name := scope_product if scope_product != ""

scope_name := "this product (the trusted side names none, so only a CSO without products)" if scope_product == ""

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
# CSO's stop: only someone whose own approval would count here — registered,
# not expired, trained, independent, in scope, id matching — may lift it. A
# dismissed review whose state before dismissal is unknown is treated as a
# stop (fail closed).
violation contains finding("CSO_BLOCK_DISMISSED", msg, "", "", "") if {
	some r in input.reviews
	lower(r.state) == "dismissed"
	r.in_register == true
	lower(r.dismissed_state) in {"changes_requested", ""}
	not dismisser_qualifies(r)
	msg := sprintf(
		"%s's %s on %s was dismissed by %s, who does not qualify to lift it (%s): only a CSO whose approval would count may lift a CSO's stop, so the release stays blocked until %s approves the head commit or such a CSO dismisses the review",
		[who(r), dismissed_what(r), short_sha(r.commit_id), dismisser(r), dismisser_why_not(r), who(r)],
	)
}

# dismisser_checks are an approval's checks except the commit: a dismissal
# is not given on a commit.
dismisser_checks := [pair | some pair in approval_checks; pair[0] != "on_head"]

dismisser_failed(r) := [code | some [check, code] in dismisser_checks; not r.dismisser.checks[check] == true]

dismisser_qualifies(r) if {
	is_string(r.dismisser.login)
	r.dismisser.login != ""
	count(dismisser_failed(r)) == 0
}

dismisser_known(r) if {
	is_string(r.dismisser.login)
	r.dismisser.login != ""
}

dismisser_why_not(r) := sprintf("%s: %s", [code, why_not_detail(r.dismisser, code)]) if {
	dismisser_known(r)
	code := dismisser_failed(r)[0]
}

dismisser_why_not(r) := "the gate could not tell who dismissed it, so cannot check them against the CSO register" if {
	not dismisser_known(r)
}

dismissed_what(r) := "changes-requested review" if lower(r.dismissed_state) == "changes_requested"

dismissed_what(r) := "review (its state before dismissal is unknown, so it is treated as a request for changes)" if {
	r.dismissed_state == ""
}

dismisser(r) := sprintf("@%s", [r.dismissed_by]) if r.dismissed_by != ""

dismisser(r) := "someone the gate could not identify" if r.dismissed_by == ""

# REVIEW_SKIPPED: a review the gate could not attribute (a deleted account)
# neither approves nor stops; the decision says so rather than drop it quietly.
warning contains finding("REVIEW_SKIPPED", msg, "", "", "") if {
	some s in object.get(input, "skipped_reviews", [])
	msg := sprintf(
		"review %d (%s on %s) was skipped: %s. It neither approves nor stops the change",
		[s.id, s.state, short_sha(s.commit_id), s.reason],
	)
}
