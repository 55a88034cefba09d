package action

import (
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestAttacksNeverApproved tries the ways around the gate a pull request's
// author (or a CSO) might try. None may come out approved; each approval must
// be excluded for the right reason.
func TestAttacksNeverApproved(t *testing.T) {
	t.Parallel()
	const friend = "friend-fred"
	addToHeadRegister := func(f *fixture, login string) {
		reg := string(readFile(t, f.workspace+"/safety/cso-register.yaml"))
		reg += "  - github: " + login + "\n    name: Someone Friendly\n    body: GMC\n    registration: \"7654321\"\n    trained: 2024-01-01\n"
		writeFile(t, f.workspace+"/safety/cso-register.yaml", []byte(reg))
		f.changed = append(f.changed, "safety/cso-register.yaml")
	}
	tests := []struct {
		name   string
		setup  func(f *fixture)
		who    string // the approver whose approval must not count
		whyNot string
		codes  []string // violation codes that must be among the decision's
	}{
		{
			name: "the author adds themselves to the register and approves",
			setup: func(f *fixture) {
				addToHeadRegister(f, author)
				f.approve(author, githubtest.UserID(author))
			},
			who:    author,
			whyNot: "APPROVER_NOT_REGISTERED",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "the author adds a friend to the register, who approves",
			setup: func(f *fixture) {
				addToHeadRegister(f, friend)
				f.approve(friend, githubtest.UserID(friend))
			},
			who:    friend,
			whyNot: "APPROVER_NOT_REGISTERED",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO approves their own pull request",
			setup: func(f *fixture) {
				f.srv.EditPull(prNumber, func(p *githubtest.Pull) { p.Author, p.AuthorID = alice, aliceID })
				f.approve(alice, aliceID)
			},
			who:    alice,
			whyNot: "APPROVER_NOT_INDEPENDENT",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO who authored a commit approves",
			setup: func(f *fixture) {
				f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA("alice-commit"), AuthorLogin: alice, AuthorID: aliceID})
				f.approve(alice, aliceID)
			},
			who:    alice,
			whyNot: "APPROVER_NOT_INDEPENDENT",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO who committed someone else's commit approves",
			setup: func(f *fixture) {
				f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA("alice-committed"), AuthorLogin: author,
					CommitterLogin: alice, CommitterID: aliceID})
				f.approve(alice, aliceID)
			},
			who:    alice,
			whyNot: "APPROVER_NOT_INDEPENDENT",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO co-authored a commit (noreply address with id) and approves",
			setup: func(f *fixture) {
				f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA("pair"), AuthorLogin: author,
					Message: "Pair on the banner\n\nCo-authored-by: Alice <583231+alice-gp@users.noreply.github.com>"})
				f.approve(alice, aliceID)
			},
			who:    alice,
			whyNot: "APPROVER_NOT_INDEPENDENT",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO co-authored a commit (older noreply address) and approves",
			setup: func(f *fixture) {
				f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA("pair-old"), AuthorLogin: author,
					Message: "Pair on the banner\n\nco-authored-by: Alice <ALICE-GP@users.noreply.github.com>"})
				f.approve(alice, aliceID)
			},
			who:    alice,
			whyNot: "APPROVER_NOT_INDEPENDENT",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO authored a commit GitHub matched to no account, under their noreply address",
			setup: func(f *fixture) {
				f.srv.AddCommits(prNumber, githubtest.Commit{SHA: githubtest.SHA("unlinked"),
					AuthorEmail: "583231+alice-gp@users.noreply.github.com", CommitterEmail: "dev@example.com"})
				f.approve(alice, aliceID)
			},
			who:    alice,
			whyNot: "APPROVER_NOT_INDEPENDENT",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO's approval from before the last push",
			setup: func(f *fixture) {
				f.srv.AddReview(prNumber, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED",
					CommitID: githubtest.SHA("head-7-before-push")})
			},
			who:    alice,
			whyNot: "APPROVAL_STALE",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a reviewer with a CSO's login but another user id",
			setup: func(f *fixture) {
				f.approve(alice, 999_999)
			},
			who:    alice,
			whyNot: "APPROVER_ID_MISMATCH",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
		{
			name: "a CSO whose registration has lapsed",
			setup: func(f *fixture) {
				f.approve(priya, githubtest.UserID(priya))
			},
			who:    priya,
			whyNot: "APPROVER_REGISTRATION_EXPIRED",
			codes:  []string{"CSO_APPROVAL_REQUIRED"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(f)
			o := f.run()
			if o.code == 0 || o.decision["decision"] == "approved" || o.outputs["decision"] == "approved" {
				t.Fatalf("came out %v (exit %d):\n%s", o.decision["decision"], o.code, o.stdout)
			}
			if st, ok := f.status(headSHA); !ok || st.State == "success" {
				t.Errorf("status = %+v (found %v), want one that is not success", st, ok)
			}
			codes := o.violationCodes()
			for _, c := range tc.codes {
				if !strings.Contains(strings.Join(codes, " "), c) {
					t.Errorf("violations %v lack %s", codes, c)
				}
			}
			found := false
			approvals, _ := o.decision["approvals"].([]any)
			for _, a := range approvals {
				a := a.(map[string]any)
				if a["login"] != tc.who {
					continue
				}
				found = true
				if a["counted"] != false || a["why_not"] != tc.whyNot {
					t.Errorf("approval by %s: counted=%v why_not=%v, want not counted for %s", tc.who, a["counted"], a["why_not"], tc.whyNot)
				}
			}
			if !found {
				t.Errorf("the approval by %s is not listed: %v", tc.who, approvals)
			}
			// The CSOs asked to review must not include the approver who
			// cannot count.
			for _, l := range f.srv.RequestedReviewers(prNumber) {
				if strings.EqualFold(l, tc.who) && tc.whyNot != "APPROVAL_STALE" {
					t.Errorf("%s, whose approval cannot count (%s), was asked to review", l, tc.whyNot)
				}
			}
		})
	}
}

// TestRegisterEditsWaitForMerge checks the trust boundary: the register comes
// from the base commit, and a pull request that edits it is a safety-file
// change needing a CSO like any clinical change.
func TestRegisterEditsWaitForMerge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.changed = []string{"safety/cso-register.yaml"}
	f.srv.SetContent(baseSHA, "safety/changes.yaml", readFile(t, "testdata/repo/safety/changes.yaml"))
	// At the head the register is emptied of everyone but the author.
	writeFile(t, f.workspace+"/safety/cso-register.yaml", []byte(
		"officers:\n  - github: dev-dan\n    name: Dan\n    body: GMC\n    registration: \"1\"\n    trained: 2024-01-01\n"))
	f.approve(author, githubtest.UserID(author))
	o := f.run()
	if o.decision["decision"] != "blocked" || o.code != 1 {
		t.Fatalf("decision %v exit %d, want blocked 1:\n%s", o.decision["decision"], o.code, o.stdout)
	}
	warnings, _ := o.decision["warnings"].([]any)
	if len(warnings) == 0 || warnings[0].(map[string]any)["code"] != "SAFETY_FILE_CHANGED" {
		t.Errorf("warnings = %v, want SAFETY_FILE_CHANGED", warnings)
	}
	// The CSOs of the base register, not the head's, are asked.
	if got := f.srv.RequestedReviewers(prNumber); !sameSet(got, []string{alice, niamh}) {
		t.Errorf("requested reviewers = %v, want the base register's CSOs", got)
	}
	for _, r := range f.srv.Requests() {
		if strings.Contains(r.Path, "/contents/safety/cso-register.yaml") && r.Query.Get("ref") != baseSHA {
			t.Errorf("the register was read at %q, not the base commit", r.Query.Get("ref"))
		}
	}
}

// TestPoliciesFromTheTrustedSide checks that custom policies, named by the
// policies input, are read from the base commit: a pull request cannot
// remove a policy that blocks it, and one at the head only does not apply.
func TestPoliciesFromTheTrustedSide(t *testing.T) {
	t.Parallel()
	const policy = `package csogate.custom.freeze

violation contains {"code": "RELEASE_FREEZE", "message": "Clinical changes are frozen for the audit."} if {
	count(data.csogate.gate.clinical_changes) > 0
}
`
	tests := []struct {
		name    string
		atBase  bool
		code    int
		blocked bool
	}{
		{"a policy at the base applies though the head deletes it", true, 1, true},
		{"a policy only at the head does not apply before merge", false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.input("policies", "safety/policies")
			if tc.atBase {
				f.srv.SetContent(baseSHA, "safety/policies/freeze.rego", []byte(policy))
				f.changed = append(f.changed, "safety/policies/freeze.rego") // deleted by the pull request
			} else {
				f.srv.SetContent(baseSHA, "safety/policies/noop.rego", []byte("package csogate.custom.noop\n"))
				writeFile(t, f.workspace+"/safety/policies/freeze.rego", []byte(policy))
			}
			f.approve(alice, aliceID)
			o := f.run()
			if o.code != tc.code {
				t.Errorf("exit %d, want %d\n%s", o.code, tc.code, o.stdout)
			}
			if got := strings.Contains(o.outputs["violations"], "RELEASE_FREEZE"); got != tc.blocked {
				t.Errorf("RELEASE_FREEZE among the violations: %v, want %v (%s)", got, tc.blocked, o.outputs["violations"])
			}
		})
	}
}
