package release

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/golden"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/safetyfile"
)

func codes(fs []policy.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Code) {
			out = append(out, f.Code)
		}
	}
	slices.Sort(out)
	return out
}

func findings(fs []policy.Finding, code string) []policy.Finding {
	var out []policy.Finding
	for _, f := range fs {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

func numbers(ps []Pull) []int {
	out := []int{}
	for _, p := range ps {
		out = append(out, p.Number)
	}
	return out
}

func pullOf(t *testing.T, res *Result, n int) Pull {
	t.Helper()
	for _, p := range res.Pulls {
		if p.Number == n {
			return p
		}
	}
	t.Fatalf("pull request #%d is not in the release (have %v)", n, numbers(res.Pulls))
	return Pull{}
}

// approvalOf is login's approval as the pull request's gate judged it.
func approvalOf(t *testing.T, p Pull, login string) policy.Approval {
	t.Helper()
	for _, a := range p.Outcome.Decision.Approvals {
		if a.Login == login {
			return a
		}
	}
	t.Fatalf("#%d has no approval by %s", p.Number, login)
	return policy.Approval{}
}

func short(sha string) string { return decision.ShortSHA(sha) }

// TestRelease runs the scenarios, and others, end to end: a history
// in a fake GitHub speaking GitHub's JSON, the real client, and the gate.
func TestRelease(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		pulls        func() []pull
		wantDecision string
		wantExit     int
		wantCodes    []string
		check        func(t *testing.T, r *repo, res *Result)
	}{
		{
			name:         "clean release",
			pulls:        standardPulls,
			wantDecision: decision.Approved,
			wantExit:     decision.ExitAllowed,
			check: func(t *testing.T, r *repo, res *Result) {
				if got, want := numbers(res.Pulls), []int{11, 12, 13, 14, 15}; !slices.Equal(got, want) {
					t.Errorf("pull requests = %v, want %v in merge order", got, want)
				}
				if res.PreviousTag != "v2.3.0" || res.Version != "2.4.0" || res.ReleaseSHA != r.tags["v2.4.0"] {
					t.Errorf("range = %s..%s (%s) at %s, want v2.3.0..v2.4.0 (2.4.0) at %s", res.PreviousTag, res.Tag, res.Version, res.ReleaseSHA, r.tags["v2.4.0"])
				}
				if res.Preparing == nil || res.Preparing.Number != 15 {
					t.Fatalf("preparing pull request = %+v, want #15", res.Preparing)
				}
				if len(res.DirectPushes) != 0 {
					t.Errorf("direct pushes = %+v, want none: #12's branch commits came with its merge", res.DirectPushes)
				}
				// #15 prepares the release: it edits the manifest, a safety file, so its
				// own gate needs (and has) a CSO's approval.
				want := map[int]string{11: decision.Approved, 12: decision.Approved, 13: decision.NotRequired, 14: decision.NotRequired, 15: decision.Approved}
				for _, p := range res.Pulls {
					if got := p.Outcome.Decision.Decision; got != want[p.Number] {
						t.Errorf("#%d: gate decided %s, want %s (violations %v)", p.Number, got, want[p.Number], p.Outcome.Decision.Violations)
					}
				}
				d := res.Release.Decision
				if d.HeadSHA != res.ReleaseSHA {
					t.Errorf("release decision head = %s, want the released commit %s", d.HeadSHA, res.ReleaseSHA)
				}
				if d.CountedApprovals != 1 || d.Approvals[0].Login != "alice-gp" || d.Approvals[0].Commit != res.Preparing.HeadSHA {
					t.Errorf("release sign-off = %+v, want alice-gp's approval of #15's head", d.Approvals)
				}
				var ids []string
				for _, c := range d.ClinicalChanges {
					ids = append(ids, c.ID)
				}
				if !slices.Equal(ids, []string{"CHG-101", "CHG-102"}) {
					t.Errorf("release clinical changes = %v, want CHG-101, CHG-102", ids)
				}
				if got := d.Rules[ruleIndex(d.Rules, CodeReleaseSignoffRequired)].Status; got != "passed" {
					t.Errorf("sign-off rule = %s, want passed", got)
				}
			},
		},
		{
			name: "clinically relevant pull request approved only by a non-CSO",
			pulls: func() []pull {
				ps := standardPulls()
				pullNumber(ps, 12).reviews = []review{{login: "bob-dev"}}
				return ps
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{"CSO_APPROVAL_REQUIRED"},
			check: func(t *testing.T, r *repo, res *Result) {
				v := findings(res.Release.Decision.Violations, "CSO_APPROVAL_REQUIRED")
				if len(v) != 1 || !strings.HasPrefix(v[0].Message, "#12: ") || !strings.Contains(v[0].Message, short(pullOf(t, res, 12).HeadSHA)) {
					t.Errorf("violation = %+v, want one naming #12 and its head", v)
				}
				if a := approvalOf(t, pullOf(t, res, 12), "bob-dev"); a.Counted || a.WhyNot != "APPROVER_NOT_REGISTERED" {
					t.Errorf("bob-dev's approval = %+v, want not counted: APPROVER_NOT_REGISTERED", a)
				}
			},
		},
		{
			name: "preparing pull request without the CSO's sign-off",
			pulls: func() []pull {
				ps := standardPulls()
				pullNumber(ps, 15).reviews = []review{{login: "bob-dev"}}
				return ps
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			// #15's own gate blocks too: it edits the manifest, a safety file.
			wantCodes: []string{"CSO_APPROVAL_REQUIRED", CodeReleaseSignoffRequired},
			check: func(t *testing.T, r *repo, res *Result) {
				if res.Preparing == nil || res.Preparing.Number != 15 {
					t.Fatalf("preparing pull request = %+v, want #15", res.Preparing)
				}
				v := findings(res.Release.Decision.Violations, CodeReleaseSignoffRequired)
				head := short(res.Preparing.HeadSHA)
				if len(v) != 1 || !strings.Contains(v[0].Message, "#15") || !strings.Contains(v[0].Message, "approve commit "+head+" on #15") ||
					!strings.Contains(v[0].Message, "CHG-101, CHG-102") {
					t.Errorf("violation = %+v, want one saying a CSO must approve #15 on %s", v, head)
				}
				if got := pullOf(t, res, 15).Outcome.Decision; got.Decision != decision.Blocked || len(got.ViolationCodes()) != 1 || got.ViolationCodes()[0] != "CSO_APPROVAL_REQUIRED" {
					t.Errorf("#15's own gate = %s %v, want blocked for the CSO approval its manifest edit needs", got.Decision, got.ViolationCodes())
				}
			},
		},
		{
			name: "approval went stale before merge",
			pulls: func() []pull {
				ps := standardPulls()
				p := pullNumber(ps, 11)
				p.commits, p.reviews = 2, []review{{login: "alice-gp", onCommit: 1}}
				return ps
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{"CSO_APPROVAL_REQUIRED"},
			check: func(t *testing.T, r *repo, res *Result) {
				p := pullOf(t, res, 11)
				if a := approvalOf(t, p, "alice-gp"); a.Counted || a.WhyNot != "APPROVAL_STALE" {
					t.Errorf("alice-gp's approval = %+v, want not counted: APPROVAL_STALE", a)
				}
				v := findings(res.Release.Decision.Violations, "CSO_APPROVAL_REQUIRED")
				if len(v) != 1 || !strings.HasPrefix(v[0].Message, "#11: ") || !strings.Contains(v[0].Message, short(p.HeadSHA)) {
					t.Errorf("violation = %+v, want one naming #11 and its final head %s", v, short(p.HeadSHA))
				}
			},
		},
		{
			name: "direct push to a clinical path",
			pulls: func() []pull {
				ps := standardPulls()
				pullNumber(ps, 13).pushAfter = []push{
					{author: "dev-eve", files: files("src/ui/allergy/colours.go")},
					{author: "dev-eve", files: files("README.md")},
				}
				return ps
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{CodeDirectPush},
			check: func(t *testing.T, r *repo, res *Result) {
				if len(res.DirectPushes) != 2 {
					t.Fatalf("direct pushes = %+v, want 2", res.DirectPushes)
				}
				clinical, docs := res.DirectPushes[0], res.DirectPushes[1]
				if !clinical.Clinical || clinical.Author != "dev-eve" || !slices.Equal(clinical.Files, []string{"src/ui/allergy/colours.go"}) {
					t.Errorf("first direct push = %+v, want dev-eve's clinical change of src/ui/allergy/colours.go", clinical)
				}
				if docs.Clinical {
					t.Errorf("README.md push = %+v, want not clinical", docs)
				}
				v := findings(res.Release.Decision.Violations, CodeDirectPush)
				if len(v) != 1 || !strings.Contains(v[0].Message, short(clinical.SHA)) || !strings.Contains(v[0].Message, "@dev-eve") ||
					!strings.Contains(v[0].Message, "src/ui/allergy/colours.go") {
					t.Errorf("violation = %+v, want the clinical push with its sha, author and file", v)
				}
				w := findings(res.Release.Decision.Warnings, CodeDirectPush)
				if len(w) != 1 || !strings.Contains(w[0].Message, short(docs.SHA)) {
					t.Errorf("warnings = %+v, want the README.md push as a warning", w)
				}
			},
		},
		{
			name: "release: set by a direct push, so no pull request prepared the release",
			pulls: func() []pull {
				ps := standardPulls()[:4]
				ps[3].pushAfter = []push{{author: "dev-dana", files: files(safetyfile.ManifestPath),
					edit: map[string][]byte{safetyfile.ManifestPath: manifest("2.4.0", []string{"CHG-101", "CHG-102", "CHG-103"})}}}
				return ps
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			// The push edits the manifest, a safety file: a clinical direct push.
			wantCodes: []string{CodeReleaseSignoffRequired, CodeDirectPush},
			check: func(t *testing.T, r *repo, res *Result) {
				if res.Preparing != nil {
					t.Errorf("preparing pull request = #%d, want none", res.Preparing.Number)
				}
				v := findings(res.Release.Decision.Violations, CodeReleaseSignoffRequired)
				if len(v) != 1 || !strings.Contains(v[0].Message, "no merged pull request from v2.3.0 to v2.4.0 set release: to 2.4.0") {
					t.Errorf("violation = %+v, want one saying no pull request prepared the release", v)
				}
				if v := findings(res.Release.Decision.Violations, CodeDirectPush); len(v) != 1 || !strings.Contains(v[0].Message, safetyfile.ManifestPath) {
					t.Errorf("violations = %+v, want the manifest push as a DIRECT_PUSH violation naming the manifest", res.Release.Decision.Violations)
				}
			},
		},
		{
			name: "manifest still names the previous release",
			pulls: func() []pull {
				return standardPulls()[:4]
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitInvalid,
			wantCodes:    []string{CodeReleaseSignoffRequired, "INPUT_INVALID"},
			check: func(t *testing.T, r *repo, res *Result) {
				v := findings(res.Release.Decision.Violations, "INPUT_INVALID")
				if len(v) != 1 || !strings.Contains(v[0].Message, "says release: 2.3.0, but the tag v2.4.0 is release 2.4.0") {
					t.Errorf("violation = %+v, want the manifest's release: named", v)
				}
			},
		},
		{
			name: "rename whose old path was clinical",
			pulls: func() []pull {
				return insertBefore(standardPulls(), 15, pull{number: 16, title: "Move the banner", author: "dev-eve",
					files:   []githubtest.File{{Path: "src/ui/banner.go", PreviousPath: "src/ui/allergy/banner.go", Status: "renamed"}},
					reviews: []review{{login: "bob-dev"}}})
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{"CSO_APPROVAL_REQUIRED", "UNDECLARED_CLINICAL_CHANGE"},
			check: func(t *testing.T, r *repo, res *Result) {
				v := findings(res.Release.Decision.Violations, "UNDECLARED_CLINICAL_CHANGE")
				if len(v) != 1 || v[0].File != "src/ui/allergy/banner.go" || !strings.HasPrefix(v[0].Message, "#16: ") {
					t.Errorf("violation = %+v, want #16's undeclared change of the old path src/ui/allergy/banner.go", v)
				}
				if v := findings(res.Release.Decision.Violations, "CSO_APPROVAL_REQUIRED"); len(v) != 1 || !strings.HasPrefix(v[0].Message, "#16: ") {
					t.Errorf("violation = %+v, want #16's missing CSO approval", v)
				}
			},
		},
		{
			name: "pull request adds its approver to the register",
			pulls: func() []pull {
				reg, err := os.ReadFile("testdata/product/safety/cso-register.yaml")
				if err != nil {
					panic(err)
				}
				reg = append(reg, []byte(`  - github: dev-dan
    name: Dan Developer
    body: HCPC
    registration: "PA99999"
    trained: 2026-01-01
  - github: mate-max
    name: Max Mate
    body: HCPC
    registration: "PA88888"
    trained: 2026-01-01
`)...)
				return insertBefore(standardPulls(), 15, pull{number: 17, title: "Add Dan and Max as CSOs", author: "dev-dan",
					files: files(safetyfile.RegisterPath), edit: map[string][]byte{safetyfile.RegisterPath: reg},
					reviews: []review{{login: "mate-max"}}})
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{"CSO_APPROVAL_REQUIRED"},
			check: func(t *testing.T, r *repo, res *Result) {
				p := pullOf(t, res, 17)
				if a := approvalOf(t, p, "mate-max"); a.Counted || a.WhyNot != "APPROVER_NOT_REGISTERED" {
					t.Errorf("mate-max's approval = %+v, want not counted: the base register, not the head's, decides", a)
				}
				if w := findings(p.Outcome.Decision.Warnings, "SAFETY_FILE_CHANGED"); len(w) != 1 {
					t.Errorf("#17 warnings = %+v, want SAFETY_FILE_CHANGED for the register", p.Outcome.Decision.Warnings)
				}
				if v := findings(res.Release.Decision.Violations, "CSO_APPROVAL_REQUIRED"); len(v) != 1 || !strings.HasPrefix(v[0].Message, "#17: ") {
					t.Errorf("violations = %+v, want #17's missing CSO approval", res.Release.Decision.Violations)
				}
			},
		},
		{
			name: "unacceptable residual risk reported once",
			pulls: func() []pull {
				ps := standardPulls()
				two := []review{{login: "alice-gp"}, {login: "nurse-niamh"}}
				pullNumber(ps, 15).reviews = two
				return insertBefore(ps, 15, pull{number: 18, title: "Group results by team", author: "dev-eve",
					files: files("src/results/inbox.go"), adds: []string{"CHG-105"}, reviews: two})
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{"UNACCEPTABLE_RESIDUAL_RISK"},
			check: func(t *testing.T, r *repo, res *Result) {
				if got := codes(pullOf(t, res, 18).Outcome.Decision.Violations); !slices.Equal(got, []string{"UNACCEPTABLE_RESIDUAL_RISK"}) {
					t.Errorf("#18's violations = %v, want UNACCEPTABLE_RESIDUAL_RISK", got)
				}
				v := findings(res.Release.Decision.Violations, "UNACCEPTABLE_RESIDUAL_RISK")
				if len(v) != 1 || v[0].Hazard != "HAZ-004" || strings.HasPrefix(v[0].Message, "#18") {
					t.Errorf("violations = %+v, want HAZ-004 once, from the release level", v)
				}
			},
		},
		{
			name: "clinical change dropped from the release manifest",
			pulls: func() []pull {
				ps := insertBefore(standardPulls(), 15, pull{number: 19, title: "Allergy icon", author: "dev-eve",
					files: files("src/ui/allergy/icon/icon.svg"), adds: []string{"CHG-106"}, reviews: []review{{login: "alice-gp"}}})
				pullNumber(ps, 15).drops = []string{"CHG-106"}
				return ps
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{"UNDECLARED_CLINICAL_CHANGE"},
			check: func(t *testing.T, r *repo, res *Result) {
				v := findings(res.Release.Decision.Violations, "UNDECLARED_CLINICAL_CHANGE")
				if len(v) != 1 || v[0].Change != "CHG-106" || !strings.Contains(v[0].Message, "#19") {
					t.Errorf("violations = %+v, want CHG-106 of #19 missing from the release manifest", v)
				}
			},
		},
		{
			name: "CSO requested changes on the preparing pull request",
			pulls: func() []pull {
				ps := standardPulls()
				pullNumber(ps, 15).reviews = []review{{login: "alice-gp"}, {login: "nurse-niamh", state: "CHANGES_REQUESTED"}}
				return ps
			},
			wantDecision: decision.Blocked,
			wantExit:     decision.ExitBlocked,
			wantCodes:    []string{"CSO_CHANGES_REQUESTED"},
			check: func(t *testing.T, r *repo, res *Result) {
				v := findings(res.Release.Decision.Violations, "CSO_CHANGES_REQUESTED")
				if len(v) != 1 || !strings.HasPrefix(v[0].Message, "#15: ") {
					t.Errorf("violations = %+v, want niamh's stop on #15 once", v)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, tt.pulls())
			res := r.gate(t, "v2.4.0", "")
			d := res.Release.Decision
			if d.Decision != tt.wantDecision || d.ExitCode != tt.wantExit {
				t.Fatalf("decision = %s (exit %d), want %s (exit %d); violations: %+v", d.Decision, d.ExitCode, tt.wantDecision, tt.wantExit, d.Violations)
			}
			if got := codes(d.Violations); !slices.Equal(got, tt.wantCodes) {
				t.Errorf("violation codes = %v, want %v; violations: %+v", got, tt.wantCodes, d.Violations)
			}
			if tt.check != nil {
				tt.check(t, r, res)
			}
		})
	}
}

func ruleIndex(rules []policy.Rule, code string) int {
	for i, r := range rules {
		if r.Code == code {
			return i
		}
	}
	return -1
}

// TestReleaseMarkdown checks the release summaries of the scenarios
// against golden files; go test -update rewrites them.
func TestReleaseMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pulls func() []pull
	}{
		{"clean", standardPulls},
		{"non-cso-approval", func() []pull {
			ps := standardPulls()
			pullNumber(ps, 12).reviews = []review{{login: "bob-dev"}}
			return ps
		}},
		{"no-signoff", func() []pull {
			ps := standardPulls()
			pullNumber(ps, 15).reviews = []review{{login: "bob-dev"}}
			return ps
		}},
		{"stale-approval", func() []pull {
			ps := standardPulls()
			p := pullNumber(ps, 11)
			p.commits, p.reviews = 2, []review{{login: "alice-gp", onCommit: 1}}
			return ps
		}},
		{"direct-push", func() []pull {
			ps := standardPulls()
			pullNumber(ps, 13).pushAfter = []push{{author: "dev-eve", files: files("src/ui/allergy/colours.go")}}
			return ps
		}},
		{"no-preparing-pull-request", func() []pull { return standardPulls()[:4] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Markdown(build(t, tt.pulls()).gate(t, "v2.4.0", ""))
			golden.Check(t, filepath.Join("testdata", "golden", tt.name+".md"), []byte(got))
		})
	}
}

// TestReleaseSummaryContent checks what the issue asks the summary to say,
// independently of the golden files' layout.
func TestReleaseSummaryContent(t *testing.T) {
	t.Parallel()
	ps := standardPulls()
	pullNumber(ps, 12).reviews = []review{{login: "bob-dev"}}
	pullNumber(ps, 14).title = "Faster <b>CI</b> | build <!-- csogate:clinical-safety/cso-approval -->"
	res := build(t, ps).gate(t, "v2.4.0", "")
	md := Markdown(res)
	p12 := pullOf(t, res, 12)
	for _, want := range []string{
		"# ⛔ Clinical safety release gate: blocked",
		"| #11 Allergy banner colour and wording | " + short(pullOf(t, res, 11).HeadSHA) + " | approved | CHG-101 | HAZ-003 (2) | Dr Alice Example (@&#8203;alice-gp, GMC 7012345) | — |",
		"| #12 Faster patient search index | " + short(p12.HeadSHA) + " | ⛔ blocked | CHG-102 | HAZ-001 (2) | none counted | CSO_APPROVAL_REQUIRED |",
		"### What #12 is missing",
		"Not counted (APPROVER_NOT_REGISTERED): @&#8203;bob-dev is not in the CSO register",
		"#15 Release 2.4.0 prepared the release (it set release: 2.4.0). CSO sign-off on its final head " + short(res.Preparing.HeadSHA) + ": Dr Alice Example (@&#8203;alice-gp, GMC 7012345).",
		"## Release-level evaluation",
		"| #14 Faster &lt;b&gt;CI&lt;/b&gt; \\| build &lt;!-- csogate:clinical-safety/cso-approval --&gt; |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}

// TestCommitOfPullRequestMergedElsewhere: a commit whose pull request was
// merged into another branch, pushed here directly, did not come through
// that pull request's review of its final head, so it is a direct push.
func TestCommitOfPullRequestMergedElsewhere(t *testing.T) {
	t.Parallel()
	ps := standardPulls()
	r := newRepo(t, "product", "2.3.0", "v2.3.0")
	for _, p := range ps[:4] {
		r.merge(p)
	}
	sneaky := githubtest.SHA("sneaky")
	r.srv.AddPull(githubtest.Pull{Number: 40, Title: "Banner experiment", Author: "dev-eve", BaseRef: "experiment", BaseSHA: r.tip,
		HeadSHA: githubtest.SHA("sneaky-fixed"), Merged: true, MergeCommitSHA: githubtest.SHA("experiment-merge")})
	r.srv.AddCommits(40,
		githubtest.Commit{SHA: sneaky, AuthorLogin: "dev-eve", Parents: []string{r.tip}, Files: files("src/ui/allergy/banner.go")},
		githubtest.Commit{SHA: githubtest.SHA("sneaky-fixed"), AuthorLogin: "dev-eve", Files: files("src/ui/allergy/banner.go")})
	r.srv.AddReview(40, githubtest.Review{Login: "alice-gp", UserID: userIDs["alice-gp"], State: "APPROVED"})
	r.setTree(sneaky, r.trees[r.tip])
	r.tip = sneaky
	r.merge(ps[4])
	r.tag("v2.4.0")

	res := r.gate(t, "v2.4.0", "")
	if slices.Contains(numbers(res.Pulls), 40) {
		t.Errorf("pull requests = %v: #40 was merged into another branch, its approved head never reached the release", numbers(res.Pulls))
	}
	if len(res.DirectPushes) != 1 || res.DirectPushes[0].SHA != sneaky || !res.DirectPushes[0].Clinical {
		t.Fatalf("direct pushes = %+v, want the commit %s, clinical", res.DirectPushes, short(sneaky))
	}
	if d := res.Release.Decision; !slices.Equal(codes(d.Violations), []string{CodeDirectPush}) {
		t.Errorf("violations = %+v, want DIRECT_PUSH", d.Violations)
	}
}

// TestPreviousRelease finds the previous release by semantic version: 2.10
// above 2.9, tags that are not semantic versions ignored, since overriding.
func TestPreviousRelease(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "product", "2.9.0", "v2.9.0")
	r.merge(pull{number: 21, title: "Search tweak", files: files("src/search/a.go"), adds: []string{"CHG-102"}, reviews: []review{{login: "alice-gp"}}})
	r.tag("v2.10.0")
	r.passed("v2.10.0")
	r.merge(pull{number: 22, title: "Banner tweak", files: files("src/ui/allergy/b.go"), adds: []string{"CHG-101"}, reviews: []review{{login: "alice-gp"}}})
	// Not semantic versions: taken as the previous release, they would
	// leave #22 out of the range.
	for _, name := range []string{"latest", "v2.11", "v2.10.07", "v2.10.9+", "release-2.10.8", "v2.10.5-"} {
		r.tag(name)
	}
	r.merge(pull{number: 23, title: "Release 2.11.0", files: files(safetyfile.ManifestPath), prepares: "2.11.0", reviews: []review{{login: "alice-gp"}}})
	r.tag("v2.11.0")

	tests := []struct {
		name      string
		since     string
		wantPrev  string
		wantPulls []int
	}{
		{"semantic version order", "", "v2.10.0", []int{22, 23}},
		{"since a tag", "v2.9.0", "v2.9.0", []int{21, 22, 23}},
		{"since a commit", r.tags["v2.9.0"], r.tags["v2.9.0"], []int{21, 22, 23}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := r.gate(t, "v2.11.0", tt.since)
			if res.PreviousTag != tt.wantPrev || !slices.Equal(numbers(res.Pulls), tt.wantPulls) {
				t.Errorf("previous = %s, pulls = %v; want %s, %v", res.PreviousTag, numbers(res.Pulls), tt.wantPrev, tt.wantPulls)
			}
			if d := res.Release.Decision; d.Decision != decision.Approved {
				t.Errorf("decision = %s, want approved; violations %+v", d.Decision, d.Violations)
			}
		})
	}
}

// TestGitHubUnavailable: a GitHub that keeps failing blocks the release as
// an operational failure, wherever in the evaluation it fails.
func TestGitHubUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, wantIn string
		path         func(r *repo) string
	}{
		{"tags", "listing the repository's tags", func(*repo) string { return "/tags" }},
		{"previous release's status", "reading whether the release v2.3.0 passed the gate",
			func(r *repo) string { return "/commits/" + r.tags["v2.3.0"] + "/status" }},
		{"compare", "comparing v2.3.0 with v2.4.0", func(*repo) string { return "/compare/" }},
		{"commit's pull requests", "listing the pull requests of commit", func(r *repo) string { return "/commits/" + r.tags["v2.4.0"] + "/pulls" }},
		{"reviews", "reading the reviews of #12", func(*repo) string { return "/pulls/12/reviews" }},
		{"contents", "reading the hazard log and manifest of #11", func(*repo) string { return "/contents/safety/hazard-log.yaml" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, standardPulls())
			r.srv.FailAlways("GET", r.srv.RepoPath()+tt.path(r), githubtest.BadGateway())
			c, s := r.client(t)
			res := Evaluate(context.Background(), c, r.request(t, "v2.4.0", ""))
			d := res.Release.Decision
			if d.Decision != decision.Blocked || d.ExitCode != decision.ExitOperational || !slices.Equal(codes(d.Violations), []string{decision.CodeGitHubUnavailable}) {
				t.Fatalf("decision = %s (exit %d) %+v, want blocked, exit 3, GITHUB_UNAVAILABLE", d.Decision, d.ExitCode, d.Violations)
			}
			if msg := d.Violations[0].Message; !strings.Contains(msg, tt.wantIn) || !strings.Contains(msg, "502") {
				t.Errorf("message = %q, want it to name %q and the 502", msg, tt.wantIn)
			}
			if len(s.All()) == 0 {
				t.Errorf("the client never retried")
			}
			md := Markdown(res)
			if !strings.Contains(md, "GITHUB_UNAVAILABLE") {
				t.Errorf("summary does not name GITHUB_UNAVAILABLE:\n%s", md)
			}
			if tt.name == "reviews" {
				// The pull requests found are shown, evaluated or not.
				if len(res.Pulls) != 5 || res.Pulls[0].Outcome == nil || res.Pulls[1].Outcome != nil {
					t.Errorf("pulls = %+v, want all five, #11 evaluated and #12 not", res.Pulls)
				}
				if !strings.Contains(md, "| #12 Faster patient search index | "+short(res.Pulls[1].HeadSHA)+" | not evaluated |") {
					t.Errorf("summary does not show #12 as not evaluated:\n%s", md)
				}
			}
		})
	}
}

// TestBadRequest: a release the request does not describe is blocked with
// exit 2, saying what to fix.
func TestBadRequest(t *testing.T) {
	t.Parallel()
	r := build(t, standardPulls())
	tests := []struct {
		name   string
		modify func(*Request)
		want   string
	}{
		{"unknown tag", func(q *Request) { q.Tag = "v9.9.9" }, "v9.9.9 is not a tag"},
		{"no tag", func(q *Request) { q.Tag = "" }, "release-ref"},
		{"no repository", func(q *Request) { q.Repo = "" }, "GITHUB_REPOSITORY"},
		{"tag on another commit", func(q *Request) { q.ReleaseSHA = r.tags["v2.3.0"] }, "the tag v2.4.0 points at " + short(r.tags["v2.4.0"])},
		{"since neither tag nor sha", func(q *Request) { q.Since = "last-release" }, "since: last-release is neither a tag"},
		{"tag not a semantic version", func(q *Request) { q.Tag, q.ReleaseSHA = "nightly", r.tags["v2.4.0"] }, "tag releases as vMAJOR.MINOR.PATCH"},
		{"no release status context", func(q *Request) { q.StatusContext = "" }, "no status context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := r.request(t, "v2.4.0", "")
			tt.modify(&req)
			c, _ := r.client(t)
			d := Evaluate(context.Background(), c, req).Release.Decision
			if d.Decision != decision.Blocked || d.ExitCode != decision.ExitInvalid || !slices.Equal(codes(d.Violations), []string{"INPUT_INVALID"}) {
				t.Fatalf("decision = %s (exit %d) %+v, want blocked, exit 2, INPUT_INVALID", d.Decision, d.ExitCode, d.Violations)
			}
			if !strings.Contains(d.Violations[0].Message, tt.want) {
				t.Errorf("message = %q, want it to contain %q", d.Violations[0].Message, tt.want)
			}
		})
	}
}

// TestRequests counts the GitHub requests of a five-pull-request release and
// checks none is repeated: each file is read once at each commit.
func TestRequests(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		checkout bool
		// checkoutOf is the WorkspaceSHA named: "" none, else a tag whose
		// commit the checkout is said to be.
		checkoutOf string
		wantTotal  int
	}{
		// tags 1 + v2.3.0's release status 1 (did it pass?) + compare 1 +
		// commit → pull requests 5 (#12's two branch commits are skipped:
		// its merge commit named it first) + per pull request commits,
		// reviews, files and dismissals 4×5 + hazard log, manifest and
		// components map at each head 3×5 + manifest, configuration and
		// register at each base 3×5 + the files of each merge commit on the
		// first-parent line 5 (does it change more than its pull request?) +
		// configuration and register at the released commit 2 + the trusted
		// hazard log, which names the product officer scope is checked
		// against, at each base and at the released commit 6 + the file
		// tree of each evaluated commit whose evaluation touches a hazard
		// (two pull requests' heads and the released commit) 3. Before the
		// range rule it was 59: the status and the merge commits' files
		// are 6 more, the trusted hazard logs 6 more; the trees are 3 more.
		// Each pull request's comments (emergency overrides and
		// retrospective reviews) are 5 more: 79. The release's
		// configuration has no emergency section, so no retrospective
		// issues are listed.
		{name: "with a checkout", checkout: true, wantTotal: 79},
		{name: "with a checkout said to be of the released commit", checkout: true, checkoutOf: "v2.4.0", wantTotal: 79},
		// The release's manifest and components map come from the contents
		// API too (its hazard log is read there already, for the product).
		{name: "without a checkout", wantTotal: 81},
		{name: "with a checkout of another commit, which is not used", checkout: true, checkoutOf: "v2.3.0", wantTotal: 81},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, standardPulls())
			req := r.request(t, "v2.4.0", "")
			if !tt.checkout {
				req.WorkspaceRoot = ""
			}
			if tt.checkoutOf != "" {
				req.WorkspaceSHA = r.tags[tt.checkoutOf]
				req.WorkspaceRoot = r.checkout(t, r.tags[tt.checkoutOf])
			}
			c, _ := r.client(t)
			res := Evaluate(context.Background(), c, req)
			if d := res.Release.Decision; d.Decision != decision.Approved {
				t.Fatalf("decision = %s, want approved; violations %+v", d.Decision, d.Violations)
			}
			reqs := r.srv.Requests()
			seen := map[string]bool{}
			for _, q := range reqs {
				if q.IsWrite() {
					t.Errorf("release mode wrote: %s", q)
				}
				if seen[q.String()] {
					t.Errorf("repeated request: %s", q)
				}
				seen[q.String()] = true
			}
			if len(reqs) != tt.wantTotal {
				var lines []string
				for _, q := range reqs {
					lines = append(lines, q.String())
				}
				t.Errorf("%d requests, want %d:\n%s", len(reqs), tt.wantTotal, strings.Join(lines, "\n"))
			}
		})
	}
}

// TestMarkdownHazardLog gates a release whose hazard log is a directory of
// Markdown files, read file by file at each pull request's head.
func TestMarkdownHazardLog(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "mdlog", "2.3.0", "v2.3.0")
	r.merge(pull{number: 31, title: "Banner on small screens", files: files("src/ui/allergy/banner.go"), adds: []string{"CHG-201"},
		reviews: []review{{login: "alice-gp"}}})
	r.merge(pull{number: 32, title: "Release 2.4.0", files: files(safetyfile.ManifestPath), prepares: "2.4.0", reviews: []review{{login: "alice-gp"}}})
	r.tag("v2.4.0")
	req := r.request(t, "v2.4.0", "")
	req.Paths.HazardLog = "safety/hazards"
	c, _ := r.client(t)
	res := Evaluate(context.Background(), c, req)
	if d := res.Release.Decision; d.Decision != decision.Approved {
		t.Fatalf("decision = %s, want approved; violations %+v", d.Decision, d.Violations)
	}
	p := pullOf(t, res, 31)
	if d := p.Outcome.Decision; d.Decision != decision.Approved || len(d.TouchedHazards) != 1 || d.TouchedHazards[0].ID != "HAZ-1" {
		t.Errorf("#31: %s touching %+v, want approved touching HAZ-1", d.Decision, d.TouchedHazards)
	}
}

// TestSemverOrder checks precedence as semver.org lists it.
func TestSemverOrder(t *testing.T) {
	t.Parallel()
	ordered := []string{"1.0.0-alpha", "1.0.0-alpha.1", "v1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
		"1.0.0-rc.1", "1.0.0", "v1.0.1", "1.2.0", "v2.9.0", "2.10.0-rc.1", "v2.10.0", "2.10.0+build.7", "v10.0.0"}
	for i := 0; i < len(ordered)-1; i++ {
		a, okA := parseSemver(ordered[i])
		b, okB := parseSemver(ordered[i+1])
		if !okA || !okB {
			t.Fatalf("parseSemver(%q) %v, parseSemver(%q) %v, want both valid", ordered[i], okA, ordered[i+1], okB)
		}
		want := -1
		if strings.Contains(ordered[i+1], "+") {
			want = 0
		}
		if got := a.compare(b); got != want {
			t.Errorf("compare(%s, %s) = %d, want %d", ordered[i], ordered[i+1], got, want)
		}
		if got := b.compare(a); got != -want {
			t.Errorf("compare(%s, %s) = %d, want %d", ordered[i+1], ordered[i], got, -want)
		}
	}
	for _, bad := range []string{"", "v", "2.4", "v2.4.0.1", "02.4.0", "2.04.0", "2.4.0-", "2.4.0-01", "2.4.0+", "2.4.0-rc..1", "2.4.x", "latest", "v2.4.0 ", "2.4.0-rc_1"} {
		if _, ok := parseSemver(bad); ok {
			t.Errorf("parseSemver(%q) accepted it, want it ignored", bad)
		}
	}
}

// TestCandidates orders the tags that may be the previous release: semantic
// versions below the release, highest first, none on the released commit.
func TestCandidates(t *testing.T) {
	t.Parallel()
	var tags []github.Tag
	for _, t := range [][2]string{
		{"v2.3.0", "a"}, {"v2.4.0-beta.2", "b"}, {"v2.4.0-beta.11", "c"}, {"v2.4.0-rc.1", "d"}, {"v2.4.0-rc.2", "e"},
		{"v2.4.0", "e"}, {"nightly", "f"}, {"v3.0.0", "g"}, {"2.3.0", "h"},
	} {
		tags = append(tags, github.Tag{Name: t[0], SHA: t[1]})
	}
	tests := []struct {
		tag, sha string
		want     []string
	}{
		// rc.2 is on the released commit itself.
		{"v2.4.0", "e", []string{"v2.4.0-rc.1", "v2.4.0-beta.11", "v2.4.0-beta.2", "2.3.0", "v2.3.0"}},
		{"v2.4.0-rc.2", "x", []string{"v2.4.0-rc.1", "v2.4.0-beta.11", "v2.4.0-beta.2", "2.3.0", "v2.3.0"}},
		{"v3.0.0", "g", []string{"v2.4.0", "v2.4.0-rc.2", "v2.4.0-rc.1", "v2.4.0-beta.11", "v2.4.0-beta.2", "2.3.0", "v2.3.0"}},
		{"v2.3.0", "a", nil},
	}
	for _, tt := range tests {
		cur, _ := parseSemver(tt.tag)
		var got []string
		for _, c := range candidates(tags, cur, tt.sha) {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("candidates(%s) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}

// TestVersionOf checks the release a tag names.
func TestVersionOf(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]string{"v2.4.0": "2.4.0", "2.4.0": "2.4.0", "refs/tags/v2.4.0-rc.1": "2.4.0-rc.1", "version-2": "version-2", "v": "v"} {
		if got := versionOf(tag); got != want {
			t.Errorf("versionOf(%q) = %q, want %q", tag, got, want)
		}
	}
}

// TestDefaultPaths: a request without paths reads the contract's defaults.
func TestDefaultPaths(t *testing.T) {
	t.Parallel()
	r := build(t, standardPulls())
	req := r.request(t, "v2.4.0", "")
	req.Paths = gate.Paths{}
	c, _ := r.client(t)
	if d := Evaluate(context.Background(), c, req).Release.Decision; d.Decision != decision.Approved {
		t.Errorf("decision = %s, want approved; violations %+v", d.Decision, d.Violations)
	}
}
