// Package decision holds the gate's verdict — approved, not_required or
// blocked — with the facts that justify it, and the exit code it maps to.
// Every path that ends without a clean policy evaluation ends blocked: a gate
// that passed on an error would be worse than no gate.
package decision

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/hazarddiff"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/safetyfile"
)

// The three outcomes (contract section 2).
const (
	Approved    = "approved"
	NotRequired = "not_required"
	Blocked     = "blocked"
)

// Exit codes (contract section 2).
const (
	ExitAllowed     = 0 // approved or not_required
	ExitBlocked     = 1 // blocked by rules
	ExitInvalid     = 2 // invalid input or usage
	ExitOperational = 3 // operational failure (API, I/O, policy error)
)

// Reason codes that the Go side raises itself; the policy raises the rest.
const (
	CodeInputInvalid      = "INPUT_INVALID"
	CodeGitHubUnavailable = "GITHUB_UNAVAILABLE"
	// CodeGateError marks an operational failure that is not GitHub's: a
	// policy that does not compile or errors, an unreadable file. The contract
	// names no code for it; it is always accompanied by exit 3.
	CodeGateError = "GATE_ERROR"
)

// Decision is the verdict and everything a reporter shows about it. Its JSON
// form is the contract's decision document; fields after Warnings are
// additions that explain the verdict.
type Decision struct {
	Decision        string                  `json:"decision"`
	Product         string                  `json:"product"`
	Release         string                  `json:"release"`
	HeadSHA         string                  `json:"head_sha"`
	ClinicalChanges []policy.ClinicalChange `json:"clinical_changes"`
	Approvals       []policy.Approval       `json:"approvals"`
	Violations      []policy.Finding        `json:"violations"`
	Warnings        []policy.Finding        `json:"warnings"`

	RequiredApprovals int                  `json:"required_approvals"`
	CountedApprovals  int                  `json:"counted_approvals"`
	TouchedHazards    []TouchedHazard      `json:"touched_hazards"`
	EligibleApprovers []Approver           `json:"eligible_approvers"`
	Rules             []policy.Rule        `json:"rules"`
	Problems          []safetyfile.Problem `json:"problems,omitempty"`
	// Override is the emergency override that approved this decision (nil
	// when none did); OverridesRefused are the override comments that did
	// not count, each with why.
	Override         *Override         `json:"override,omitempty"`
	OverridesRefused []OverrideRefusal `json:"overrides_refused,omitempty"`
	// Overrides (release mode) are the emergency overrides of the release's
	// pull requests, and earlier ones whose retrospective review is overdue,
	// each with its retrospective review's status.
	Overrides []OverrideStatus `json:"overrides,omitempty"`

	// PullRequests and DirectPushes are a release decision's detail: each
	// merged pull request of the release as the pull-request gate judged it,
	// and each commit that reached the release without one. A pull
	// request's decision leaves them out.
	PullRequests []PullRequest `json:"pull_requests,omitempty"`
	DirectPushes []DirectPush  `json:"direct_pushes,omitempty"`
	// HazardIssueEdits (release decision, hazard log kept as GitHub issues)
	// are the hazard issues GitHub updated since the previous release:
	// hazard-log changes no pull request carried, which the release's
	// sign-off must cover. HazardIssuesSince is the time they are counted
	// from; empty when no earlier release that passed the gate read them,
	// and every hazard issue is listed.
	HazardIssueEdits  []HazardIssueEdit `json:"hazard_issue_edits,omitempty"`
	HazardIssuesSince string            `json:"hazard_issues_since,omitempty"`
	// HazardLogChanges is the hazard log compared hazard by hazard with the
	// trusted side's (HazardLogComparedWith), when the change set edits it.
	HazardLogChanges      []hazarddiff.HazardChange `json:"hazard_log_changes,omitempty"`
	HazardLogComparedWith string                    `json:"hazard_log_compared_with,omitempty"`

	// Controls is the traceability list a CSO reads: every control of the
	// touched hazards (and of hazards the change adds to or modifies in the
	// log) with its evidence and what the run's test results say of it.
	// TestResults says which results were judged; nil when none were given.
	Controls    []Control    `json:"controls,omitempty"`
	TestResults *TestResults `json:"test_results,omitempty"`

	// ExitCode is what the process exits with.
	ExitCode int `json:"-"`
}

// TouchedHazard is a hazard the change set touches, with its risk.
type TouchedHazard struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	InitialRisk  int    `json:"initial_risk"`
	ResidualRisk int    `json:"residual_risk"`
	Residual     string `json:"residual"` // "major / very-low"
}

// Control is one control of a touched hazard, with what the gate found of
// its evidence and tests. The decision document carries the gate's findings
// keyed by hazard, control id and evidence (MarshalJSON); the control's
// description and kind are the hazard log's, kept here for the reporters'
// traceability table but not repeated in the document, which on a large
// change lists thousands of controls.
type Control struct {
	Hazard      string `json:"hazard"`
	Control     string `json:"control"` // "" when the log gives it no id
	Description string `json:"-"`
	Kind        string `json:"-"`
	Evidence    string `json:"evidence"`
	// EvidenceStatus is what the repository check found of the evidence:
	// found | missing for a path or glob (missing also when it can never
	// name a file of the repository), not_checked when no list of the
	// head's files was read for its hazard, url | test | text for evidence
	// that names no file; empty when the control records no evidence.
	EvidenceStatus string `json:"evidence_status,omitempty"`
	// TestOutcome: passed | failed | missing | not_expected (no test linked,
	// none expected) | not_checked (no test results given). The document
	// carries it, and the counts, only when test results were given.
	TestOutcome  string `json:"test_outcome,omitempty"`
	TestsPassed  int    `json:"tests_passed,omitempty"`
	TestsFailed  int    `json:"tests_failed,omitempty"`
	TestsSkipped int    `json:"tests_skipped,omitempty"`
	// FailingTests names the first few failed tests; TestsFailed counts them all.
	FailingTests []facts.FailingTest `json:"failing_tests,omitempty"`
}

// controlDocument is a control as the decision document shows it.
type controlDocument struct {
	Hazard         string `json:"hazard"`
	Control        string `json:"control"`
	Evidence       string `json:"evidence,omitempty"`
	EvidenceStatus string `json:"evidence_status,omitempty"`
	*controlTestsDocument
}

// controlTestsDocument is what the run's test results showed of a control:
// every count, zero or not, so a reader need not guess a default.
type controlTestsDocument struct {
	TestOutcome  string              `json:"test_outcome"`
	TestsPassed  int                 `json:"tests_passed"`
	TestsFailed  int                 `json:"tests_failed"`
	TestsSkipped int                 `json:"tests_skipped"`
	FailingTests []facts.FailingTest `json:"failing_tests,omitempty"`
}

// MarshalJSON writes the control as the decision document shows it: its
// test outcome and counts only when test results were given (without them
// every control would say not_checked, 0, 0, 0), and no evidence field when
// the control records none.
func (c Control) MarshalJSON() ([]byte, error) {
	doc := controlDocument{Hazard: c.Hazard, Control: c.Control, Evidence: c.Evidence, EvidenceStatus: c.EvidenceStatus}
	if c.TestOutcome != "" && c.TestOutcome != facts.TestsNotChecked {
		doc.controlTestsDocument = &controlTestsDocument{TestOutcome: c.TestOutcome,
			TestsPassed: c.TestsPassed, TestsFailed: c.TestsFailed, TestsSkipped: c.TestsSkipped, FailingTests: c.FailingTests}
	}
	return json.Marshal(doc)
}

// TestResults is what test results the decision judged.
type TestResults struct {
	Reports int `json:"reports"`
	Cases   int `json:"cases"`
}

// PullRequest is a merged pull request of a release and the pull-request
// gate's verdict on its final head: the findings the release decision's
// top-level violations carry prefixed "#N:", and the approvals with why each
// did or did not count.
type PullRequest struct {
	Number          int                     `json:"number"`
	Title           string                  `json:"title"`
	Author          string                  `json:"author"`
	HeadSHA         string                  `json:"head_sha"`
	MergeCommitSHA  string                  `json:"merge_commit_sha"`
	Decision        string                  `json:"decision"`
	ClinicalChanges []policy.ClinicalChange `json:"clinical_changes"`
	TouchedHazards  []TouchedHazard         `json:"touched_hazards"`
	Approvals       []policy.Approval       `json:"approvals"`
	Violations      []policy.Finding        `json:"violations"`
	Warnings        []policy.Finding        `json:"warnings"`
}

// HazardIssueEdit is a hazard issue updated since the previous release.
type HazardIssueEdit struct {
	Issue int64  `json:"issue"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	// State and Labels are the issue's now.
	State     string   `json:"state"`
	Labels    []string `json:"labels"`
	UpdatedAt string   `json:"updated_at"` // RFC 3339, UTC
	// What says what GitHub's listing shows of the change.
	What string `json:"what"`
}

// DirectPush is a commit that reached a release without a merged pull
// request, or the files a pull request's merge commit changed beyond the
// pull request's own (Pull names it).
type DirectPush struct {
	SHA    string   `json:"sha"`
	Author string   `json:"author"`
	Files  []string `json:"files"`
	// Clinical is true when a file is clinically relevant by the release's
	// hazard log and configuration, or could not be checked against them.
	Clinical bool `json:"clinical"`
	Pull     int  `json:"pull,omitempty"`
	// Altered are the files of Files that are the pull request's own and
	// that its merge left with content other than its reviewed head's.
	Altered []string `json:"altered,omitempty"`
}

// Approver is a register officer whose approval could count on this change.
type Approver struct {
	Login        string `json:"login"`
	Name         string `json:"name"`
	Body         string `json:"body"`
	Registration string `json:"registration"`
}

// FromPolicy turns a policy result into the decision: blocked on any
// violation, approved when something clinically relevant passed every rule,
// not_required otherwise.
func FromPolicy(in *facts.Input, r policy.Result) *Decision {
	d := base(in.Product, in.Release, in.HeadSHA)
	d.ClinicalChanges = nonNil(r.ClinicalChanges)
	d.Approvals = nonNil(r.Approvals)
	d.Violations = nonNil(r.Violations)
	d.Warnings = nonNil(r.Warnings)
	d.RequiredApprovals = r.RequiredApprovals
	d.CountedApprovals = r.CountedApprovals
	d.Rules = nonNil(r.Rules)
	if len(in.HazardLogChanges.Changes) > 0 {
		d.HazardLogChanges, d.HazardLogComparedWith = in.HazardLogChanges.Changes, in.HazardLogChanges.Base
	}
	for _, id := range r.TouchedHazards {
		h, ok := in.Hazards[id]
		if !ok {
			continue
		}
		d.TouchedHazards = append(d.TouchedHazards, TouchedHazard{ID: h.ID, Title: h.Title, Status: h.Status,
			InitialRisk: h.InitialRisk, ResidualRisk: h.ResidualRisk, Residual: h.ResidualSeverity + " / " + h.ResidualLikelihood})
	}
	d.Controls, d.TestResults = controlsOf(in.TestEvidence, in.Repository)
	for _, o := range in.Officers {
		if o.Eligible {
			d.EligibleApprovers = append(d.EligibleApprovers, Approver{Login: o.Login, Name: o.Name, Body: o.Body, Registration: o.Registration})
		}
	}
	switch {
	case len(d.Violations) > 0:
		d.Decision, d.ExitCode = Blocked, ExitBlocked
	case r.ClinicallyRelevant:
		d.Decision, d.ExitCode = Approved, ExitAllowed
	default:
		d.Decision, d.ExitCode = NotRequired, ExitAllowed
	}
	return d
}

// controlsOf lists the controls the facts relate to test results, each
// with what the repository check found of its evidence. The list is the
// test evidence's: the touched hazards and those the change adds to or
// modifies in the log (facts.EvidenceHazards), each hazard once, so it grows
// with the change, never with the log or the repository.
func controlsOf(ev facts.TestEvidence, repo facts.Repository) ([]Control, *TestResults) {
	var out []Control
	statuses := NewEvidenceStatuses(repo)
	hazard, index := "", 0
	for _, c := range ev.Controls {
		if c.Hazard != hazard {
			hazard, index = c.Hazard, 0
		}
		index++
		ctl := Control{Hazard: c.Hazard, Control: c.Control, Description: c.Description, Kind: c.Kind, Evidence: c.Evidence,
			EvidenceStatus: statuses.Of(c.Hazard, c.Control, index, c.Evidence),
			TestOutcome:    c.Outcome, TestsPassed: c.Passed, TestsFailed: c.Failed, TestsSkipped: c.Skipped}
		if len(c.Failing) > 0 {
			ctl.FailingTests = c.Failing
		}
		out = append(out, ctl)
	}
	if !ev.Given {
		return out, nil
	}
	return out, &TestResults{Reports: len(ev.Files), Cases: ev.Cases}
}

// Evidence statuses of a control (docs/reference.md section 2).
const (
	EvidenceFound      = "found"       // every file or glob it names is at the head
	EvidenceMissing    = "missing"     // one names no regular file there, or cannot name one (CONTROL_EVIDENCE_MISSING)
	EvidenceURL        = "url"         // a URL: never fetched
	EvidenceTest       = "test"        // test:NAME: judged by the test results, not by a file
	EvidenceText       = "text"        // prose, not a file
	EvidenceNotChecked = "not_checked" // a path or glob the repository check did not look up
)

// evidenceKey names a control as the repository check does: by hazard and
// id, "control N" (its place in the hazard's controls) when it has none.
type evidenceKey struct{ hazard, control string }

// EvidenceStatuses answers what the repository check found of a control's
// evidence, for any control of the log it checked (the traceability list,
// the release's safety case addendum).
type EvidenceStatuses struct {
	// found: per control, true when every path or glob item was found,
	// false when one was not; nil when no check ran.
	found map[evidenceKey]bool
}

// NewEvidenceStatuses gathers the repository check's answers per control.
func NewEvidenceStatuses(repo facts.Repository) EvidenceStatuses {
	if !repo.Checked {
		return EvidenceStatuses{}
	}
	m := map[evidenceKey]bool{}
	for _, e := range repo.Evidence {
		if e.Kind != repofiles.EvidencePath && e.Kind != repofiles.EvidenceGlob {
			continue
		}
		k := evidenceKey{e.Hazard, e.Control}
		ok, seen := m[k]
		m[k] = e.Status == "present" && (!seen || ok)
	}
	return EvidenceStatuses{found: m}
}

// Of says what is known of a control's evidence: its kind when it names no
// file, else whether the repository check found it (not_checked when the
// check did not look at it); "" when the control records no evidence.
// index is the control's place among its hazard's controls, from 1.
func (s EvidenceStatuses) Of(hazard, control string, index int, evidence string) string {
	kind, _ := repofiles.Classify(evidence)
	switch kind {
	case repofiles.EvidenceNone:
		return ""
	case repofiles.EvidenceURL:
		return EvidenceURL
	case repofiles.EvidenceTest:
		return EvidenceTest
	case repofiles.EvidenceText:
		if items := repofiles.Items(evidence); len(items) < 2 {
			return EvidenceText
		}
	}
	id := control
	if id == "" {
		id = "control " + strconv.Itoa(index)
	}
	ok, checked := s.found[evidenceKey{hazard, id}]
	switch {
	case !checked:
		return EvidenceNotChecked
	case ok:
		return EvidenceFound
	}
	return EvidenceMissing
}

// MaxProblems is how many input problems a decision or validate lists. A
// broken generator or a file of another format can produce hundreds of
// thousands of the same problem; the first ones, in file order, say what is
// wrong, and the rest would only bury them (and a pull-request comment).
const MaxProblems = 100

// CapProblems sorts problems and keeps the first MaxProblems; omitted is how
// many were left out, and Omitted says so in words.
func CapProblems(problems safetyfile.Problems) (shown safetyfile.Problems, omitted int) {
	problems.Sort()
	if len(problems) <= MaxProblems {
		return problems, 0
	}
	return problems[:MaxProblems], len(problems) - MaxProblems
}

// Omitted is the line that stands for the problems CapProblems left out.
func Omitted(omitted int) string {
	return fmt.Sprintf("%d more problems not listed (the first %d are); fix these and run csogate validate again", omitted, MaxProblems)
}

// InvalidInput is the decision when input files fail validation: blocked,
// one violation per problem (at most MaxProblems, then one that counts the
// rest), exit 2.
func InvalidInput(product, release, head string, problems safetyfile.Problems) *Decision {
	d := base(product, release, head)
	d.Decision, d.ExitCode = Blocked, ExitInvalid
	problems, omitted := CapProblems(problems)
	d.Problems = problems
	for _, p := range problems {
		code := p.Code
		if code == "" {
			code = CodeInputInvalid
		}
		d.Violations = append(d.Violations, policy.Finding{Code: code, Message: p.String(), File: p.File})
	}
	if omitted > 0 {
		d.Violations = append(d.Violations, policy.Finding{Code: CodeInputInvalid, Message: Omitted(omitted)})
	}
	return d
}

// Failure is the decision when the gate could not do its job: blocked, exit 3.
func Failure(product, release, head, code string, err error) *Decision {
	d := base(product, release, head)
	d.Decision, d.ExitCode = Blocked, ExitOperational
	d.Violations = []policy.Finding{{Code: code, Message: err.Error() + "; the gate fails closed: rerun the job once the cause is fixed"}}
	return d
}

func base(product, release, head string) *Decision {
	return &Decision{Product: product, Release: release, HeadSHA: head,
		ClinicalChanges: []policy.ClinicalChange{}, Approvals: []policy.Approval{},
		Violations: []policy.Finding{}, Warnings: []policy.Finding{},
		TouchedHazards: []TouchedHazard{}, EligibleApprovers: []Approver{}, Rules: []policy.Rule{}}
}

// ViolationCodes returns the distinct violation codes, sorted.
func (d *Decision) ViolationCodes() []string {
	seen := map[string]bool{}
	var codes []string
	for _, v := range d.Violations {
		if !seen[v.Code] {
			seen[v.Code] = true
			codes = append(codes, v.Code)
		}
	}
	sort.Strings(codes)
	return codes
}

// Allowed reports whether the release may proceed.
func (d *Decision) Allowed() bool { return d.Decision == Approved || d.Decision == NotRequired }

// ShortSHA is the 7-character form GitHub links.
func ShortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// Summary is a one-line reason, e.g. for a commit status (at most 140 characters).
func (d *Decision) Summary() string {
	var s string
	switch {
	case d.Override != nil:
		s = "EMERGENCY OVERRIDE by @" + d.Override.By + " — retrospective CSO review due by " + d.Override.ReviewDue
	case d.Decision == Approved:
		s = "Approved: " + plural(d.CountedApprovals, "counted CSO approval") + " for " + plural(len(d.ClinicalChanges), "clinical change")
	case d.Decision == NotRequired:
		s = "No clinically relevant change: CSO approval not required"
	default:
		s = "Blocked: " + strings.Join(d.ViolationCodes(), ", ")
	}
	if r := []rune(s); len(r) > 140 {
		s = string(r[:139]) + "…"
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
