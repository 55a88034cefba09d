package csogate.gate_test

import data.csogate.gate

clinical := with_({"changes": [change("CHG-101", "true", ["HAZ-003"])]})

with_reviews(reviews) := object.union(clinical, {"reviews": reviews})

test_counted_approval if {
	d := gate.decision with input as with_reviews([review("approved")])
	d.approvals == [{
		"login": "alice-gp",
		"name": "Dr Alice Example",
		"body": "GMC",
		"registration": "7012345",
		"commit": head_sha,
		"submitted_at": "2026-10-01T09:30:00Z",
		"review_id": 1001,
		"counted": true,
		"why_not": "",
		"why_not_detail": "",
	}]
	d.counted_approvals == 1
	d.required_approvals == 1
	count(d.violations) == 0
	status(d, "CSO_APPROVAL_REQUIRED") == "passed"
}

test_review_state_in_any_case if {
	d := gate.decision with input as with_reviews([review("APPROVED")])
	d.counted_approvals == 1
}

# Each check excludes the approval with its own code, and when several fail
# the first in contract order is reported.
test_why_not_is_the_first_failed_check_in_contract_order if {
	every i, pair in gate.approval_checks {
		# Checks before i pass; i and every later one fail.
		checks := {name: passes | some j, [name, _] in gate.approval_checks; passes := j < i}
		r := object.union(review("approved"), {"checks": checks})
		d := gate.decision with input as with_reviews([r])
		d.approvals[0].why_not == pair[1]
		not d.approvals[0].counted
		d.approvals[0].why_not_detail != ""
		d.counted_approvals == 0
	}
}

test_each_check_alone_excludes if {
	every pair in gate.approval_checks {
		r := object.union(review("approved"), {"checks": object.union(all_checks, {pair[0]: false})})
		d := gate.decision with input as with_reviews([r])
		d.approvals[0].why_not == pair[1]
	}
}

test_missing_check_fails_closed if {
	r := object.union(object.remove(review("approved"), ["checks"]), {"checks": object.remove(all_checks, ["trained"])})
	d := gate.decision with input as with_reviews([r])
	d.approvals[0].why_not == "APPROVER_NOT_TRAINED"
}

test_stale_approval_detail if {
	r := object.union(review("approved"), {
		"commit_id": "0123456789abcdef",
		"checks": object.union(all_checks, {"on_head": false}),
	})
	d := gate.decision with input as with_reviews([r])
	d.approvals[0].why_not == "APPROVAL_STALE"
	d.approvals[0].why_not_detail == "Dr Alice Example (@alice-gp, GMC 7012345) approved 0123456, not the head commit abc1234: the approval must be given again on the head commit"
}

test_not_registered_detail if {
	r := object.union(review("approved"), {
		"login": "bob", "in_register": false, "name": "", "body": "", "registration": "",
		"checks": object.union(all_checks, {"registered": false, "registration_current": false, "trained": false}),
	})
	d := gate.decision with input as with_reviews([r])
	d.approvals[0].why_not == "APPROVER_NOT_REGISTERED"
	d.approvals[0].why_not_detail == "@bob is not in the CSO register, so their approval is not a CSO's"
}

test_id_mismatch_detail if {
	r := object.union(review("approved"), {"checks": object.union(all_checks, {"id_matches": false})})
	d := gate.decision with input as with_reviews([r])
	d.approvals[0].why_not_detail == "Dr Alice Example (@alice-gp, GMC 7012345): GitHub user id 583231 differs from the CSO register's github_id, so the account is not the registered officer's"
}

test_cso_approval_required_message if {
	d := gate.decision with input as with_reviews([])
	of(d.violations, "CSO_APPROVAL_REQUIRED") == {{
		"code": "CSO_APPROVAL_REQUIRED",
		"change": "CHG-101",
		"hazard": "",
		"file": "",
		"message": "CSO approval required: 1 counted CSO approval needed (the configured minimum), 0 counted on head commit abc1234. Clinical changes: CHG-101. A registered, trained CSO in scope for Example EPR who did not author the change must approve commit abc1234.",
	}}
	status(d, "CSO_APPROVAL_REQUIRED") == "failed"
}

test_cso_approval_required_names_the_risk_that_raised_it if {
	cfg := object.union(base.config, {"approvals_by_residual_risk": {"3": 2}})
	doc := object.union(with_reviews([review("approved")]), {"config": cfg})
	d := gate.decision with input as doc
	d.counted_approvals == 1
	d.required_approvals == 2
	[v.message | some v in of(d.violations, "CSO_APPROVAL_REQUIRED")] == ["CSO approval required: 2 counted CSO approvals needed (residual risk 3 on HAZ-003 needs 2), 1 counted on head commit abc1234. Clinical changes: CHG-101. A registered, trained CSO in scope for Example EPR who did not author the change must approve commit abc1234."]
}

test_two_counted_approvals_meet_two_required if {
	cfg := object.union(base.config, {"approvals_by_residual_risk": {"3": 2}})
	bob := object.union(review("approved"), {"id": 1002, "login": "bob-rn", "name": "Bob Nurse", "body": "NMC", "registration": "12A3456E"})
	d := gate.decision with input as object.union(with_reviews([review("approved"), bob]), {"config": cfg})
	d.counted_approvals == 2
	count(d.violations) == 0
}

test_cso_approval_required_lists_at_most_ten_changes if {
	changes := [change(sprintf("CHG-%02d", [i]), "true", []) | some i in numbers.range(1, 12)]
	d := gate.decision with input as with_({"changes": changes})
	some v in of(d.violations, "CSO_APPROVAL_REQUIRED")
	v.change == "CHG-01"
	contains(v.message, "Clinical changes: CHG-01, CHG-02, CHG-03, CHG-04, CHG-05, CHG-06, CHG-07, CHG-08, CHG-09, CHG-10 and 2 more.")
}

test_cso_approval_required_for_safety_files_without_changes if {
	d := gate.decision with input as with_({"safety_files": [{"path": "safety/csogate.yaml", "kind": "config"}]})
	some v in of(d.violations, "CSO_APPROVAL_REQUIRED")
	v.change == ""
	contains(v.message, "Clinical changes: none declared, but clinical files or safety files changed.")
}

test_cso_approval_not_applicable_when_nothing_is_clinical if {
	d := gate.decision with input as with_({"changes": [change("CHG-1", "false", [])]})
	count(d.violations) == 0
	status(d, "CSO_APPROVAL_REQUIRED") == "not_applicable"
}

test_uncounted_approval_does_not_satisfy if {
	r := object.union(review("approved"), {"checks": object.union(all_checks, {"independent": false})})
	d := gate.decision with input as with_reviews([r])
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED"}
}

test_cso_changes_requested_blocks_whoever_approved if {
	bob := object.union(review("approved"), {"id": 1002, "login": "bob-rn", "name": "Bob Nurse", "body": "NMC", "registration": "12A3456E"})
	alice := object.union(review("changes_requested"), {"commit_id": "fedcba9876543210"})
	d := gate.decision with input as with_reviews([bob, alice])
	d.counted_approvals == 1
	of(d.violations, "CSO_CHANGES_REQUESTED") == {{
		"code": "CSO_CHANGES_REQUESTED",
		"change": "",
		"hazard": "",
		"file": "",
		"message": "Dr Alice Example (@alice-gp, GMC 7012345) requested changes on fedcba9: the release is stopped until they approve the head commit",
	}}
	status(d, "CSO_CHANGES_REQUESTED") == "failed"
}

test_changes_requested_by_someone_not_in_register_does_not_block if {
	r := object.union(review("CHANGES_REQUESTED"), {"in_register": false})
	d := gate.decision with input as with_reviews([r, object.union(review("approved"), {"login": "bob-rn"})])
	count(of(d.violations, "CSO_CHANGES_REQUESTED")) == 0
	status(d, "CSO_CHANGES_REQUESTED") == "passed"
}

dismissed(state, by, by_registered) := object.union(review("dismissed"), {
	"dismissed_state": state,
	"dismissed_by": by,
	"dismissed_by_registered": by_registered,
	"dismisser": dismisser_fixture(by, by_registered),
})

# dismisser_fixture is the dismisser as Go describes it: bob, a qualified
# CSO, when registered; someone outside the register otherwise.
dismisser_fixture(by, true) := {
	"login": by, "user_id": 4242, "in_register": true,
	"name": "Bob Example RN", "body": "NMC", "registration": "12B",
	"checks": object.remove(all_checks, ["on_head"]), "independence_detail": "",
}

dismisser_fixture(by, false) := {
	"login": by, "user_id": 99, "in_register": false, "name": "", "body": "", "registration": "",
	"checks": {}, "independence_detail": "",
}

# dismissed_by_bob_failing is a stop dismissed by registered bob who fails
# one check.
dismissed_by_bob_failing(check, extra) := object.union(dismissed("changes_requested", "bob-rn", true), {"dismisser": object.union(
	dismisser_fixture("bob-rn", true),
	object.union({"checks": object.union(object.remove(all_checks, ["on_head"]), {check: false})}, extra),
)})

test_cso_block_dismissed_by_a_non_cso_still_blocks if {
	d := gate.decision with input as with_reviews([dismissed("changes_requested", "lead-lee", false)])
	of(d.violations, "CSO_BLOCK_DISMISSED") == {{
		"code": "CSO_BLOCK_DISMISSED",
		"change": "",
		"hazard": "",
		"file": "",
		"message": "Dr Alice Example (@alice-gp, GMC 7012345)'s changes-requested review on abc1234 was dismissed by @lead-lee, who does not qualify to lift it (APPROVER_NOT_REGISTERED: @lead-lee is not in the CSO register, so their approval is not a CSO's): only a CSO whose approval would count may lift a CSO's stop, so the release stays blocked until Dr Alice Example (@alice-gp, GMC 7012345) approves the head commit or such a CSO dismisses the review",
	}}
	status(d, "CSO_BLOCK_DISMISSED") == "failed"
}

test_cso_block_dismissed_by_unknown_with_unknown_state_fails_closed if {
	r := object.remove(dismissed("", "", false), ["dismisser"])
	d := gate.decision with input as with_reviews([r])
	some v in of(d.violations, "CSO_BLOCK_DISMISSED")
	contains(v.message, "review (its state before dismissal is unknown, so it is treated as a request for changes) on abc1234 was dismissed by someone the gate could not identify, who does not qualify to lift it (the gate could not tell who dismissed it")
}

test_cso_block_dismissed_by_a_qualified_cso_is_lifted if {
	d := gate.decision with input as with_reviews([dismissed("changes_requested", "bob-rn", true)])
	count(of(d.violations, "CSO_BLOCK_DISMISSED")) == 0
	status(d, "CSO_BLOCK_DISMISSED") == "passed"
}

# Attackers: a registered dismisser who could not approve leaves the stop in
# force, and the message gives the reason in the APPROVER_* wording.
test_cso_block_dismissed_by_a_registered_but_unqualified_dismisser_still_blocks if {
	cases := [
		["registration_current", {}, "APPROVER_REGISTRATION_EXPIRED: Bob Example RN (@bob-rn, NMC 12B): the CSO register says the professional registration has lapsed"],
		["trained", {}, "APPROVER_NOT_TRAINED: Bob Example RN (@bob-rn, NMC 12B): the CSO register has no clinical risk management training date"],
		["independent", {"independence_detail": "@bob-rn authored the pull request"}, "APPROVER_NOT_INDEPENDENT: Bob Example RN (@bob-rn, NMC 12B) is not independent of the change: @bob-rn authored the pull request, so cannot approve it"],
		["in_scope", {}, "APPROVER_OUT_OF_SCOPE: Bob Example RN (@bob-rn, NMC 12B): the CSO register's products for this officer do not include Example EPR, the product named by the hazard log at the base commit"],
		["id_matches", {}, "APPROVER_ID_MISMATCH: Bob Example RN (@bob-rn, NMC 12B): GitHub user id 4242 differs from the CSO register's github_id"],
	]
	every c in cases {
		d := gate.decision with input as with_reviews([dismissed_by_bob_failing(c[0], c[1])])
		some v in of(d.violations, "CSO_BLOCK_DISMISSED")
		contains(v.message, sprintf("was dismissed by @bob-rn, who does not qualify to lift it (%s", [c[2]]))
		status(d, "CSO_BLOCK_DISMISSED") == "failed"
	}
}

test_cso_block_dismissed_by_a_dismisser_with_missing_checks_fails_closed if {
	r := object.union(object.remove(dismissed("changes_requested", "bob-rn", true), ["dismisser"]), {"dismisser": object.remove(dismisser_fixture("bob-rn", true), ["checks"])})
	d := gate.decision with input as with_reviews([r])
	count(of(d.violations, "CSO_BLOCK_DISMISSED")) == 1
}

# dismissed_by_registered alone (an older facts document) never lifts a stop.
test_cso_block_dismissed_registered_flag_alone_does_not_lift if {
	r := object.remove(dismissed("changes_requested", "bob-rn", true), ["dismisser"])
	d := gate.decision with input as with_reviews([r])
	count(of(d.violations, "CSO_BLOCK_DISMISSED")) == 1
}

test_dismissal_unknown_id_says_so if {
	r := dismissed_by_bob_failing("id_matches", {"user_id": 0})
	d := gate.decision with input as with_reviews([r])
	some v in of(d.violations, "CSO_BLOCK_DISMISSED")
	contains(v.message, "the account's GitHub user id is unknown and the CSO register pins this officer to a github_id")
}

# A review on an abbreviation of the head is stale, and says so rather than
# "approved abc1234, not the head commit abc1234".
test_stale_abbreviated_commit_says_so if {
	r := object.union(review("approved"), {"commit_id": "abc1234", "checks": object.union(all_checks, {"on_head": false})})
	d := gate.decision with input as with_reviews([r])
	d.approvals[0].why_not == "APPROVAL_STALE"
	d.approvals[0].why_not_detail == sprintf("Dr Alice Example (@alice-gp, GMC 7012345)'s review names commit abc1234, an abbreviation of the head commit %s: an approval counts only when its commit_id is the full commit id GitHub records; give the reviews as GitHub returns them", [head_sha])
}

test_stale_abbreviated_head_says_so if {
	r := object.union(review("approved"), {"checks": object.union(all_checks, {"on_head": false})})
	d := gate.decision with input as object.union(with_reviews([r]), {"head_sha": "abc1234"})
	contains(d.approvals[0].why_not_detail, "but the head commit under review was given abbreviated as abc1234: pass the full 40-character head sha")
}

test_stale_without_commit_says_so if {
	r := object.union(review("approved"), {"commit_id": "", "checks": object.union(all_checks, {"on_head": false})})
	d := gate.decision with input as with_reviews([r])
	d.approvals[0].why_not_detail == "Dr Alice Example (@alice-gp, GMC 7012345)'s review names no commit: the approval must be given on the head commit abc1234"
}

test_not_independent_names_commit_and_address if {
	detail := "commit 9b8c7d6 was co-authored by Co-authored-by: alice@trust.nhs.uk, an address the CSO register lists for @alice-gp"
	r := object.union(review("approved"), {"checks": object.union(all_checks, {"independent": false}), "independence_detail": detail})
	d := gate.decision with input as with_reviews([r])
	d.approvals[0].why_not == "APPROVER_NOT_INDEPENDENT"
	d.approvals[0].why_not_detail == sprintf("Dr Alice Example (@alice-gp, GMC 7012345) is not independent of the change: %s, so cannot approve it", [detail])
}

test_out_of_scope_without_trusted_product if {
	r := object.union(review("approved"), {"checks": object.union(all_checks, {"in_scope": false})})
	doc := object.union(with_reviews([r]), {"scope_product": "", "scope_product_from": "the base commit has no hazard log (safety/hazard-log.yaml) yet and the configuration names no product"})
	d := gate.decision with input as doc
	contains(d.approvals[0].why_not_detail, "the CSO register limits this officer to named products, but the base commit has no hazard log (safety/hazard-log.yaml) yet and the configuration names no product")
	some v in of(d.violations, "CSO_APPROVAL_REQUIRED")
	contains(v.message, "in scope for this product (the trusted side names none, so only a CSO without products)")
}

test_scope_product_missing_from_input_fails_closed if {
	doc := object.remove(clinical, ["scope_product", "scope_product_from"])
	d := gate.decision with input as doc
	count(of(d.violations, "CSO_APPROVAL_REQUIRED")) == 1
}

test_skipped_review_is_a_warning if {
	doc := object.union(clinical, {"skipped_reviews": [{"id": 77, "state": "changes_requested", "commit_id": head_sha, "reason": "the review has no user"}]})
	d := gate.decision with input as doc
	of(d.warnings, "REVIEW_SKIPPED") == {{
		"code": "REVIEW_SKIPPED", "change": "", "hazard": "", "file": "",
		"message": "review 77 (changes_requested on abc1234) was skipped: the review has no user. It neither approves nor stops the change",
	}}
}

test_dismissed_approval_neither_blocks_nor_counts if {
	d := gate.decision with input as with_reviews([dismissed("approved", "lead-lee", false)])
	count(of(d.violations, "CSO_BLOCK_DISMISSED")) == 0
	d.approvals == []
	d.counted_approvals == 0
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED"}
}

test_dismissed_review_of_someone_not_in_register_does_not_block if {
	r := object.union(dismissed("changes_requested", "lead-lee", false), {"in_register": false})
	d := gate.decision with input as with_reviews([r])
	count(of(d.violations, "CSO_BLOCK_DISMISSED")) == 0
}

test_approvals_keep_input_order_and_skip_other_states if {
	bob := object.union(review("approved"), {"id": 2, "login": "bob-rn"})
	carol := object.union(review("changes_requested"), {"id": 3, "login": "carol"})
	dan := object.union(review("approved"), {"id": 4, "login": "dan", "checks": object.union(all_checks, {"on_head": false})})
	d := gate.decision with input as with_reviews([dan, carol, bob])
	[[a.login, a.counted] | some a in d.approvals] == [["dan", false], ["bob-rn", true]]
}

# Which review stands is Go's decision (contract 2.1): the input holds each
# reviewer's latest approving, changes-requested or dismissed review only, and
# the policy applies exactly what it is given. Alice approved earlier and then
# requested changes: only the request reaches the policy, and it blocks.
test_only_the_standing_review_is_applied if {
	d := gate.decision with input as with_reviews([review("changes_requested")])
	d.approvals == []
	d.counted_approvals == 0
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED", "CSO_CHANGES_REQUESTED"}
}

# Comment and pending reviews never reach the input; were one to, it would
# neither count nor block.
test_other_review_states_change_nothing if {
	d := gate.decision with input as with_reviews([review("commented"), review("pending")])
	d.approvals == []
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED"}
}

test_one_person_counts_once if {
	cfg := object.union(base.config, {"minimum_approvals": 2})
	again := object.union(review("approved"), {"id": 1005, "login": "Alice-GP"})
	d := gate.decision with input as object.union(with_reviews([review("approved"), again]), {"config": cfg})
	count(d.approvals) == 2
	d.counted_approvals == 1
	codes(d.violations) == {"CSO_APPROVAL_REQUIRED"}
}

test_stale_without_head_is_still_listed if {
	r := object.union(review("approved"), {"checks": object.union(all_checks, {"on_head": false})})
	d := gate.decision with input as object.union(with_reviews([r]), {"head_sha": ""})
	d.approvals[0].why_not == "APPROVAL_STALE"
	not d.approvals[0].counted
}
