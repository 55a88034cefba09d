package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/policies"
)

const headSHA = "abc1234def5678abc1234def5678abc1234def56"

// baseInput is a facts document with nothing clinically relevant, as
// facts.Build would make it.
func baseInput() *facts.Input {
	return &facts.Input{
		Schema: facts.SchemaVersion, Today: "2026-10-01", Product: "Example EPR", ScopeProduct: "Example EPR", Release: "2.4.0",
		HeadSHA: headSHA, Author: "dev-dan", CommitAuthors: []string{"dev-dan"},
		Config: facts.Config{
			AcceptableResidualRisk: 3, MinimumApprovals: 1, ApprovalsByResidualRisk: map[string]int{},
			HazardLogMaxAgeDays: 365, StaleHazardLog: "warn",
		},
		HazardLog:        facts.HazardLog{File: "safety/hazard-log.yaml", Reviewed: "2026-09-01", AgeDays: 30, HazardCount: 3},
		HazardLogChanges: facts.HazardLogChanges{Compared: true, Base: "base commit abc1234", RiskReductionWithoutControl: "warn"},
		Hazards: map[string]facts.Hazard{
			"HAZ-001": hazard("HAZ-001", "Wrong patient's record shown after search", "major", "very-low", 2),
			"HAZ-003": hazard("HAZ-003", "Allergy banner not shown", "major", "low", 3),
		},
		ChangedFilesKnown: true,
	}
}

func hazard(id, title, severity, likelihood string, risk int) facts.Hazard {
	return facts.Hazard{
		ID: id, Title: title, Status: "open",
		InitialSeverity: severity, InitialLikelihood: "high", InitialRisk: 4,
		ResidualSeverity: severity, ResidualLikelihood: likelihood, ResidualRisk: risk,
	}
}

func change(id, clinical string, hazards ...string) facts.Change {
	return facts.Change{ID: id, Summary: "Summary of " + id, Clinical: clinical, Hazards: hazards}
}

func allChecks() facts.Checks {
	return facts.Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true,
		Independent: true, InScope: true, IDMatches: true}
}

// review is Dr Alice Example's standing review on the head commit, every
// check passed.
func review(state string) facts.StandingReview {
	return facts.StandingReview{
		ID: 1001, Login: "alice-gp", UserID: 583231, State: state, CommitID: headSHA,
		SubmittedAt: "2026-10-01T09:30:00Z", InRegister: true, Name: "Dr Alice Example", Body: "GMC",
		Registration: "7012345", Checks: allChecks(),
	}
}

// clinicalInput has one declared clinical change naming HAZ-003, whose file
// it covers.
func clinicalInput() *facts.Input {
	in := baseInput()
	c := change("CHG-101", "true", "HAZ-003")
	c.TouchedHazards = []string{"HAZ-003"}
	c.TouchGroups = []facts.TouchGroup{{Hazards: []string{"HAZ-003"}, Files: 1, Sample: []string{"src/ui/allergy/banner.go"}}}
	c.CoveredFiles = 1
	in.Changes = []facts.Change{c}
	in.Files = []facts.File{{Path: "src/ui/allergy/banner.go", Hazards: []string{"HAZ-003"}, CoveredBy: []string{"CHG-101"}}}
	in.ChangedFileCount = 3
	return in
}

func loadDefaults(t testing.TB) *Engine {
	t.Helper()
	e, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatalf("Load(nil): %v", err)
	}
	return e
}

func findingCodes(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func statusByCode(rs []Rule) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		out[r.Code] = r.Status
	}
	return out
}

func TestDefaultPolicyUnitTests(t *testing.T) {
	t.Parallel()
	if err := Test(context.Background(), nil); err != nil {
		t.Fatalf("Test(nil): %v", err)
	}
	// The Rego tests really ran: an empty run would pass silently.
	results, err := runTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	for _, r := range results {
		files[filepath.Base(r.Location.File)]++
	}
	for _, f := range []string{"approvals_test.rego", "gate_test.rego", "hazard_log_test.rego", "relevance_test.rego", "risk_test.rego"} {
		if files[f] == 0 {
			t.Errorf("no tests ran from %s; ran %v", f, files)
		}
	}
	if len(results) < 60 {
		t.Errorf("ran %d Rego tests, want at least 60", len(results))
	}
}

func TestEval(t *testing.T) {
	t.Parallel()
	engine := loadDefaults(t)

	tests := []struct {
		name           string
		input          func() *facts.Input
		wantRelevant   bool
		wantViolations []string
		wantWarnings   []string
		wantCounted    int
		wantRequired   int
		check          func(t *testing.T, r Result)
	}{
		{
			name: "approved",
			input: func() *facts.Input {
				in := clinicalInput()
				in.Reviews = []facts.StandingReview{review("approved")}
				in.TestEvidence = facts.TestEvidence{Given: true, Files: []string{"junit.xml"}, Cases: 1, ControlTests: "required",
					Controls: []facts.ControlEvidence{{Hazard: "HAZ-003", Control: "CTL-020", Kind: "test", ExpectsTests: true, Passed: 1, Failing: []facts.FailingTest{}, Outcome: "passed"}}}
				in.Repository = facts.Repository{Checked: true, Source: "GitHub's file tree of abc1234", Scope: "the hazards the change set touches",
					ControlEvidence: "warn", Hazards: 1}
				return in
			},
			wantRelevant: true, wantCounted: 1, wantRequired: 1,
			check: func(t *testing.T, r Result) {
				want := []ClinicalChange{{ID: "CHG-101", Hazards: []string{"HAZ-003"}, MaxResidualRisk: 3,
					Reasons: []string{"declared clinical", "names HAZ-003", "touches src/ui/allergy/banner.go (HAZ-003 component)"}}}
				if !reflect.DeepEqual(r.ClinicalChanges, want) {
					t.Errorf("ClinicalChanges = %+v, want %+v", r.ClinicalChanges, want)
				}
				wantApproval := Approval{Login: "alice-gp", Name: "Dr Alice Example", Body: "GMC", Registration: "7012345",
					Commit: headSHA, SubmittedAt: "2026-10-01T09:30:00Z", ReviewID: 1001, Counted: true}
				if len(r.Approvals) != 1 || r.Approvals[0] != wantApproval {
					t.Errorf("Approvals = %+v, want [%+v]", r.Approvals, wantApproval)
				}
				if !slices.Equal(r.TouchedHazards, []string{"HAZ-003"}) {
					t.Errorf("TouchedHazards = %v, want [HAZ-003]", r.TouchedHazards)
				}
				for _, rule := range r.Rules {
					if rule.Status != "passed" {
						t.Errorf("rule %s = %s (%s), want passed", rule.Code, rule.Status, rule.Detail)
					}
				}
			},
		},
		{
			name: "not required",
			input: func() *facts.Input {
				in := baseInput()
				in.Changes = []facts.Change{change("CHG-1", "false")}
				in.ChangedFileCount = 12
				return in
			},
			check: func(t *testing.T, r Result) {
				st := statusByCode(r.Rules)
				if st["CSO_APPROVAL_REQUIRED"] != "not_applicable" || st["UNACCEPTABLE_RESIDUAL_RISK"] != "not_applicable" {
					t.Errorf("rule statuses = %v, want approval and residual risk not_applicable", st)
				}
				if len(r.ClinicalChanges) != 0 || len(r.Approvals) != 0 || len(r.TouchedHazards) != 0 {
					t.Errorf("got clinical changes %v, approvals %v, hazards %v; want none", r.ClinicalChanges, r.Approvals, r.TouchedHazards)
				}
			},
		},
		{
			name:           "CSO_APPROVAL_REQUIRED without reviews",
			input:          clinicalInput,
			wantRelevant:   true,
			wantRequired:   1,
			wantViolations: []string{"CSO_APPROVAL_REQUIRED"},
			check: func(t *testing.T, r Result) {
				want := Finding{Code: "CSO_APPROVAL_REQUIRED", Change: "CHG-101",
					Message: "CSO approval required: 1 counted CSO approval needed (the configured minimum), 0 counted on head commit abc1234. Clinical changes: CHG-101. A registered, trained CSO in scope for Example EPR who did not author the change must approve commit abc1234."}
				if r.Violations[0] != want {
					t.Errorf("violation = %+v, want %+v", r.Violations[0], want)
				}
			},
		},
		{
			name: "CSO_APPROVAL_REQUIRED raised by residual risk",
			input: func() *facts.Input {
				in := clinicalInput()
				in.Config.ApprovalsByResidualRisk = map[string]int{"3": 2}
				in.Reviews = []facts.StandingReview{review("approved")}
				return in
			},
			wantRelevant: true, wantCounted: 1, wantRequired: 2,
			wantViolations: []string{"CSO_APPROVAL_REQUIRED"},
			check: func(t *testing.T, r Result) {
				if !strings.Contains(r.Violations[0].Message, "(residual risk 3 on HAZ-003 needs 2), 1 counted on head commit abc1234") {
					t.Errorf("message = %q, want the reason and the count", r.Violations[0].Message)
				}
			},
		},
		{
			name: "CSO_CHANGES_REQUESTED",
			input: func() *facts.Input {
				in := clinicalInput()
				bob := review("approved")
				bob.ID, bob.Login, bob.Name, bob.Body, bob.Registration = 1002, "bob-rn", "Bob Nurse", "NMC", "12A3456E"
				in.Reviews = []facts.StandingReview{bob, review("changes_requested")}
				return in
			},
			wantRelevant: true, wantCounted: 1, wantRequired: 1,
			wantViolations: []string{"CSO_CHANGES_REQUESTED"},
		},
		{
			name: "CSO_BLOCK_DISMISSED",
			input: func() *facts.Input {
				in := clinicalInput()
				r := review("dismissed")
				r.DismissedState, r.DismissedBy = "changes_requested", "lead-lee"
				bob := review("approved")
				bob.Login = "bob-rn"
				in.Reviews = []facts.StandingReview{r, bob}
				return in
			},
			wantRelevant: true, wantCounted: 1, wantRequired: 1,
			wantViolations: []string{"CSO_BLOCK_DISMISSED"},
		},
		{
			name: "UNKNOWN_HAZARD",
			input: func() *facts.Input {
				in := clinicalInput()
				in.Changes[0].UnknownHazards = []string{"HAZ-404"}
				in.Reviews = []facts.StandingReview{review("approved")}
				return in
			},
			wantRelevant: true, wantCounted: 1, wantRequired: 1,
			wantViolations: []string{"UNKNOWN_HAZARD"},
			check: func(t *testing.T, r Result) {
				if v := r.Violations[0]; v.Change != "CHG-101" || v.Hazard != "HAZ-404" || v.File != "" {
					t.Errorf("violation = %+v, want change CHG-101, hazard HAZ-404", v)
				}
			},
		},
		{
			name: "UNDECLARED_CLINICAL_CHANGE",
			input: func() *facts.Input {
				in := clinicalInput()
				in.Files = append(in.Files, facts.File{Path: "src/search/find.go", Hazards: []string{"HAZ-001"}})
				in.Reviews = []facts.StandingReview{review("approved")}
				return in
			},
			wantRelevant: true, wantCounted: 1, wantRequired: 1,
			wantViolations: []string{"UNDECLARED_CLINICAL_CHANGE"},
			check: func(t *testing.T, r Result) {
				want := Finding{Code: "UNDECLARED_CLINICAL_CHANGE", File: "src/search/find.go",
					Message: `src/search/find.go matches HAZ-001 (residual risk 2), but no change in the manifest covers it: add a manifest change whose paths cover it (e.g. paths: ["src/search/**"]) with hazards: [HAZ-001], or widen the paths of the change that made it`}
				if r.Violations[0] != want {
					t.Errorf("violation = %+v, want %+v", r.Violations[0], want)
				}
				if !slices.Equal(r.TouchedHazards, []string{"HAZ-001", "HAZ-003"}) {
					t.Errorf("TouchedHazards = %v, want [HAZ-001 HAZ-003]", r.TouchedHazards)
				}
			},
		},
		{
			name: "UNACCEPTABLE_RESIDUAL_RISK is not unblocked by approval",
			input: func() *facts.Input {
				in := clinicalInput()
				in.Hazards["HAZ-009"] = hazard("HAZ-009", "Dose calculated in the wrong unit", "major", "high", 4)
				in.Changes[0].Hazards = append(in.Changes[0].Hazards, "HAZ-009")
				in.Reviews = []facts.StandingReview{review("approved")}
				return in
			},
			wantRelevant: true, wantCounted: 1, wantRequired: 1,
			wantViolations: []string{"UNACCEPTABLE_RESIDUAL_RISK"},
			check: func(t *testing.T, r Result) {
				v := r.Violations[0]
				if v.Hazard != "HAZ-009" || v.Change != "CHG-101" || !strings.Contains(v.Message, "mandatory elimination or control") {
					t.Errorf("violation = %+v", v)
				}
			},
		},
		{
			name: "HAZARD_LOG_STALE warns",
			input: func() *facts.Input {
				in := baseInput()
				in.HazardLog.Reviewed, in.HazardLog.AgeDays, in.HazardLog.Stale = "2025-01-01", 638, true
				return in
			},
			wantWarnings: []string{"HAZARD_LOG_STALE"},
		},
		{
			name: "HAZARD_LOG_STALE blocks",
			input: func() *facts.Input {
				in := baseInput()
				in.HazardLog.Reviewed, in.HazardLog.AgeDays, in.HazardLog.Stale = "", -1, true
				in.Config.StaleHazardLog = "block"
				return in
			},
			wantViolations: []string{"HAZARD_LOG_STALE"},
		},
		{
			name: "SAFETY_FILE_CHANGED needs approval",
			input: func() *facts.Input {
				in := baseInput()
				in.SafetyFiles = []facts.SafetyFile{{Path: "safety/hazard-log.yaml", Kind: "hazard_log"}, {Path: "safety/cso-register.yaml", Kind: "register"}}
				return in
			},
			wantRelevant: true, wantRequired: 1,
			wantViolations: []string{"CSO_APPROVAL_REQUIRED"},
			wantWarnings:   []string{"SAFETY_FILE_CHANGED", "SAFETY_FILE_CHANGED"},
			check: func(t *testing.T, r Result) {
				if r.Warnings[0].File != "safety/cso-register.yaml" || r.Warnings[1].File != "safety/hazard-log.yaml" {
					t.Errorf("warnings not sorted by file: %+v", r.Warnings)
				}
			},
		},
		{
			name: "approval exclusions keep the first reason",
			input: func() *facts.Input {
				in := clinicalInput()
				stale := review("approved")
				stale.Checks.OnHead, stale.Checks.Independent = false, false
				stale.CommitID = "0123456789"
				author := review("approved")
				author.Login, author.ID = "dev-dan", 7
				author.Checks.Independent = false
				in.Reviews = []facts.StandingReview{stale, author}
				return in
			},
			wantRelevant: true, wantRequired: 1,
			wantViolations: []string{"CSO_APPROVAL_REQUIRED"},
			check: func(t *testing.T, r Result) {
				got := [][2]string{}
				for _, a := range r.Approvals {
					got = append(got, [2]string{a.Login, a.WhyNot})
				}
				want := [][2]string{{"alice-gp", "APPROVAL_STALE"}, {"dev-dan", "APPROVER_NOT_INDEPENDENT"}}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("approvals = %v, want %v", got, want)
				}
				if r.Approvals[0].WhyNotDetail == "" {
					t.Error("no why_not_detail for an excluded approval")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := engine.Eval(context.Background(), derived(tt.input()))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if r.ClinicallyRelevant != tt.wantRelevant {
				t.Errorf("ClinicallyRelevant = %v, want %v", r.ClinicallyRelevant, tt.wantRelevant)
			}
			if got := findingCodes(r.Violations); !slices.Equal(got, append([]string{}, tt.wantViolations...)) {
				t.Errorf("violations = %v, want %v\n%+v", got, tt.wantViolations, r.Violations)
			}
			if got := findingCodes(r.Warnings); !slices.Equal(got, append([]string{}, tt.wantWarnings...)) {
				t.Errorf("warnings = %v, want %v", got, tt.wantWarnings)
			}
			if r.CountedApprovals != tt.wantCounted || r.RequiredApprovals != tt.wantRequired {
				t.Errorf("approvals counted/required = %d/%d, want %d/%d", r.CountedApprovals, r.RequiredApprovals, tt.wantCounted, tt.wantRequired)
			}
			if len(r.Rules) != 15 {
				t.Errorf("%d rules reported, want 15", len(r.Rules))
			}
			for _, f := range slices.Concat(r.Violations, r.Warnings) {
				if strings.Contains(f.Message, "%!") {
					t.Errorf("badly formatted message: %q", f.Message)
				}
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestEvalDeterministic checks that two evaluations of the same input give
// the same Result, sets sorted.
func TestEvalDeterministic(t *testing.T) {
	t.Parallel()
	engine := loadDefaults(t)
	in := genInput(5)
	first, err := engine.Eval(context.Background(), derived(in))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := engine.Eval(context.Background(), derived(in))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Fatal("two evaluations of the same input differ")
		}
	}
	if !slices.IsSortedFunc(first.Violations, compareFindings) {
		t.Error("violations are not sorted")
	}
	if len(first.Violations) == 0 || len(first.Approvals) == 0 || len(first.ClinicalChanges) == 0 {
		t.Errorf("generated input exercised too little: %d violations, %d approvals, %d clinical changes",
			len(first.Violations), len(first.Approvals), len(first.ClinicalChanges))
	}
}

// exampleSources reads policies/examples as user sources, as the gate reads
// a configured policy directory.
func exampleSources(t *testing.T) []Source {
	t.Helper()
	dir := filepath.Join("..", "..", "policies", "examples")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []Source
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".rego") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Source{Path: "safety/policies/" + e.Name(), Content: data})
	}
	if len(out) != 2 {
		t.Fatalf("found %d example policy files, want the policy and its test", len(out))
	}
	return out
}

func TestCustomPolicyExample(t *testing.T) {
	t.Parallel()
	user := exampleSources(t)
	if err := Test(context.Background(), user); err != nil {
		t.Fatalf("Test(examples): %v", err)
	}
	engine, err := Load(context.Background(), user)
	if err != nil {
		t.Fatalf("Load(examples): %v", err)
	}
	catastrophic := func(reviews ...facts.StandingReview) *facts.Input {
		in := clinicalInput()
		in.Hazards["HAZ-010"] = hazard("HAZ-010", "Critical result not escalated", "catastrophic", "very-low", 3)
		in.Changes[0].Hazards = append(in.Changes[0].Hazards, "HAZ-010")
		in.Reviews = reviews
		return in
	}
	bob := review("approved")
	bob.ID, bob.Login, bob.Name = 1002, "bob-rn", "Bob Nurse"

	tests := []struct {
		name  string
		input *facts.Input
		want  []Finding
	}{
		{
			name:  "one approval on a catastrophic hazard",
			input: catastrophic(review("approved")),
			want: []Finding{{Code: "TWO_CSOS_CATASTROPHIC", Change: "CHG-101", Hazard: "HAZ-010",
				Message: `CHG-101 touches HAZ-010 "Critical result not escalated", whose residual severity is catastrophic (residual risk 3): this organisation requires 2 counted CSO approvals on such changes, and 1 counted on abc1234. A second registered CSO must approve the head commit.`}},
		},
		{name: "two approvals", input: catastrophic(review("approved"), bob), want: []Finding{}},
		{name: "no catastrophic hazard", input: func() *facts.Input {
			in := clinicalInput()
			in.Reviews = []facts.StandingReview{review("approved")}
			return in
		}(), want: []Finding{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := engine.Eval(context.Background(), derived(tt.input))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if !reflect.DeepEqual(r.Violations, tt.want) {
				t.Errorf("violations = %+v, want %+v", r.Violations, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  []Source
		want []string // substrings of the error
	}{
		{
			name: "syntax error",
			src:  []Source{{Path: "safety/policies/broken.rego", Content: []byte("package csogate.custom.broken\n\nviolation contains x if {\n\tx := \n}\n")}},
			want: []string{"safety/policies/broken.rego:5:", "rego_parse_error"},
		},
		{
			name: "type error",
			src:  []Source{{Path: "safety/policies/typed.rego", Content: []byte("package csogate.custom.typed\n\nviolation contains {\"code\": \"X\", \"message\": m} if {\n\tm := concat(\", \", 1)\n}\n")}},
			want: []string{"safety/policies/typed.rego:4:", "rego_type_error"},
		},
		{
			name: "unsafe variable",
			src:  []Source{{Path: "p/unsafe.rego", Content: []byte("package csogate.custom.unsafe\n\nviolation contains {\"code\": \"X\", \"message\": m} if {\n\ty == 1\n\tm := \"x\"\n}\n")}},
			want: []string{"p/unsafe.rego:4:", "var y is unsafe"},
		},
		{
			name: "wrong package",
			src:  []Source{{Path: "safety/policies/two-csos.rego", Content: []byte("package csogate.gate\n\nviolation contains {\"code\": \"X\", \"message\": \"m\"}\n")}},
			want: []string{"safety/policies/two-csos.rego:1:1: package csogate.gate", "csogate.custom.<name>", "package csogate.custom.two_csos"},
		},
		{
			name: "package too deep",
			src:  []Source{{Path: "p/deep.rego", Content: []byte("package csogate.custom.a.b\n\nx := 1\n")}},
			want: []string{"p/deep.rego:1:1: package csogate.custom.a.b"},
		},
		{
			name: "violation is not a partial set",
			src:  []Source{{Path: "p/bool.rego", Content: []byte("package csogate.custom.boolean\n\nviolation if input.product == \"x\"\n")}},
			want: []string{"p/bool.rego:3:1: violation must be a partial set rule"},
		},
		{
			name: "nondeterministic built-in",
			src:  []Source{{Path: "p/net.rego", Content: []byte("package csogate.custom.net\n\nwarning contains {\"code\": \"X\", \"message\": r.body} if {\n\tr := http.send({\"method\": \"get\", \"url\": \"http://localhost\"})\n}\n")}},
			want: []string{"p/net.rego:4:", "undefined function http.send", "non-deterministic"},
		},
		{
			name: "recursion through the decision",
			src:  []Source{{Path: "p/loop.rego", Content: []byte("package csogate.custom.loop\n\nviolation contains {\"code\": \"X\", \"message\": \"m\"} if count(data.csogate.gate.decision.violations) == 0\n")}},
			want: []string{"p/loop.rego:3:", "rego_recursion_error"},
		},
		{
			name: "same path twice",
			src: []Source{
				{Path: "p/a.rego", Content: []byte("package csogate.custom.a\n")},
				{Path: "p/a.rego", Content: []byte("package csogate.custom.a\n")},
			},
			want: []string{"p/a.rego: given twice"},
		},
		{
			name: "every problem at once",
			src: []Source{
				{Path: "p/one.rego", Content: []byte("package other\n")},
				{Path: "p/two.rego", Content: []byte("package csogate.custom.two\nviolation := 1\n")},
			},
			want: []string{"p/one.rego:1:1", "p/two.rego:2:1"},
		},
		{
			name: "empty file",
			src:  []Source{{Path: "p/empty.rego", Content: []byte("\n")}},
			want: []string{"p/empty.rego"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Load(context.Background(), tt.src)
			if err == nil {
				t.Fatalf("Load succeeded (%v), want an error", e != nil)
			}
			if e != nil {
				t.Error("Load returned an engine with its error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

// TestEvalErrors checks that a policy failing at evaluation, or producing
// output that is not a decision, is an error and never a Result.
func TestEvalErrors(t *testing.T) {
	t.Parallel()
	custom := func(body string) []Source {
		return []Source{{Path: "safety/policies/custom.rego", Content: []byte("package csogate.custom.c\n\n" + body + "\n")}}
	}
	tests := []struct {
		name  string
		src   []Source
		input func() *facts.Input
		want  []string
	}{
		{
			name:  "built-in error",
			src:   custom(`violation contains {"code": "X", "message": "m"} if to_number("x") > 1`),
			input: clinicalInput,
			want:  []string{"safety/policies/custom.rego:3:", "to_number"},
		},
		{
			name:  "missing message",
			src:   custom(`violation contains {"code": "LOCAL_RULE"} if true`),
			input: clinicalInput,
			want:  []string{"violation", "LOCAL_RULE", "message must be a non-empty string"},
		},
		{
			name:  "message not a string",
			src:   custom(`warning contains {"code": "LOCAL_RULE", "message": 3} if true`),
			input: clinicalInput,
			want:  []string{"warning", "message must be a non-empty string"},
		},
		{
			name:  "code not upper case",
			src:   custom(`violation contains {"code": "local-rule", "message": "m"} if true`),
			input: clinicalInput,
			want:  []string{"code must be a string matching"},
		},
		{
			name:  "code missing",
			src:   custom(`violation contains {"message": "m"} if true`),
			input: clinicalInput,
			want:  []string{"code must be a string matching"},
		},
		{
			name:  "finding not an object",
			src:   custom(`violation contains "broken" if true`),
			input: clinicalInput,
			want:  []string{`a violation is string "broken"`},
		},
		{
			name:  "optional field not a string",
			src:   custom(`violation contains {"code": "X", "message": "m", "change": 7} if true`),
			input: clinicalInput,
			want:  []string{"change must be a string"},
		},
		{
			name: "threshold key not a number",
			input: func() *facts.Input {
				in := clinicalInput()
				in.Config.ApprovalsByResidualRisk = map[string]int{"high": 2}
				return in
			},
			want: []string{"to_number"},
		},
		{
			name: "conflicting change ids",
			input: func() *facts.Input {
				in := clinicalInput()
				dup := in.Changes[0]
				dup.Clinical = "false"
				in.Changes = append(in.Changes, dup)
				return in
			},
			want: []string{"conflict"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			engine, err := Load(context.Background(), tt.src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			r, err := engine.Eval(context.Background(), derived(tt.input()))
			if err == nil {
				t.Fatalf("Eval succeeded with %+v, want an error", r)
			}
			if !reflect.DeepEqual(r, Result{}) {
				t.Errorf("Eval returned a Result with its error: %+v", r)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestEvalInconsistentInput(t *testing.T) {
	t.Parallel()
	engine := loadDefaults(t)
	tests := []struct {
		name   string
		modify func(in *facts.Input)
		want   string
	}{
		{"named", func(in *facts.Input) { in.Changes[0].Hazards = []string{"HAZ-777"} }, "hazard HAZ-777 (named by CHG-101)"},
		{"touched", func(in *facts.Input) { in.Changes[0].TouchedHazards = []string{"HAZ-777"} }, "hazard HAZ-777 (touched by CHG-101)"},
		{"touch group", func(in *facts.Input) { in.Changes[0].TouchGroups[0].Hazards = []string{"HAZ-777"} }, "hazard HAZ-777 (touched by CHG-101 in src/ui/allergy/banner.go)"},
		{"matched", func(in *facts.Input) { in.Files[0].Hazards = []string{"HAZ-777"} }, "hazard HAZ-777 (matched by src/ui/allergy/banner.go)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := clinicalInput()
			tt.modify(in)
			r, err := engine.Eval(context.Background(), derived(in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Eval = %+v, %v; want an error naming %s", r, err, tt.want)
			}
		})
	}
}

func TestEvalNilInput(t *testing.T) {
	t.Parallel()
	if _, err := loadDefaults(t).Eval(context.Background(), nil); err == nil {
		t.Fatal("Eval(nil) succeeded, want an error")
	}
}

func TestEvalCancelled(t *testing.T) {
	t.Parallel()
	engine := loadDefaults(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := engine.Eval(ctx, derived(genInput(10))); err == nil {
		t.Fatal("Eval on a cancelled context succeeded, want an error")
	}
}

func TestTestReportsFailures(t *testing.T) {
	t.Parallel()
	user := []Source{
		{Path: "safety/policies/local.rego", Content: []byte("package csogate.custom.local\n\nwarning contains {\"code\": \"LOCAL\", \"message\": \"m\"} if input.product == \"x\"\n")},
		{Path: "safety/policies/local_test.rego", Content: []byte(`package csogate.custom.local_test

import data.csogate.custom.local

test_passes if {
	count(local.warning) == 1 with input as {"product": "x"}
}

test_fails if {
	count(local.warning) == 2 with input as {"product": "x"}
}

test_errors if {
	to_number("not a number") == 1
}
`)},
	}
	err := Test(context.Background(), user)
	if err == nil {
		t.Fatal("Test succeeded, want failures")
	}
	for _, w := range []string{
		"2 of ",
		"safety/policies/local_test.rego:9: csogate.custom.local_test.test_fails: FAIL",
		"safety/policies/local_test.rego:13: csogate.custom.local_test.test_errors: ERROR",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\nlacks %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "test_passes") {
		t.Errorf("error names a passing test: %v", err)
	}
}

// TestTestKeepsDefaultTestsIndependent checks that a custom policy that
// always reports something does not make the default tests fail: they run
// against the defaults alone.
func TestTestKeepsDefaultTestsIndependent(t *testing.T) {
	t.Parallel()
	user := []Source{{Path: "p/always.rego", Content: []byte("package csogate.custom.always\n\nwarning contains {\"code\": \"ALWAYS\", \"message\": \"always\"}\n")}}
	if err := Test(context.Background(), user); err != nil {
		t.Fatalf("Test: %v", err)
	}
}

func TestTestRejectsBadUserModules(t *testing.T) {
	t.Parallel()
	err := Test(context.Background(), []Source{{Path: "p/x_test.rego", Content: []byte("package x_test\n\ntest_x if true\n")}})
	if err == nil || !strings.Contains(err.Error(), "p/x_test.rego:1:1: package x_test") {
		t.Fatalf("Test = %v, want the package error", err)
	}
	err = Test(context.Background(), []Source{{Path: "p/y_test.rego", Content: []byte("package csogate.custom.y_test\n\ntest_y if {\n")}})
	if err == nil || !strings.Contains(err.Error(), "p/y_test.rego:4:") {
		t.Fatalf("Test = %v, want the parse error with its line", err)
	}
}

func TestBundleHash(t *testing.T) {
	t.Parallel()
	a := Source{Path: "p/a.rego", Content: []byte("package csogate.custom.a\n")}
	b := Source{Path: "p/b.rego", Content: []byte("package csogate.custom.b\n")}
	hash := func(src ...Source) string {
		t.Helper()
		e, err := Load(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		return e.BundleHash()
	}
	defaults := hash()
	if len(defaults) != 64 {
		t.Fatalf("BundleHash = %q, want 64 hex digits", defaults)
	}
	if defaults != hash() {
		t.Error("BundleHash differs between two loads of the same policies")
	}
	if hash(a, b) != hash(b, a) {
		t.Error("BundleHash depends on the order of the sources")
	}
	if hash(a) == defaults {
		t.Error("BundleHash ignores a user policy")
	}
	changed := Source{Path: a.Path, Content: []byte("package csogate.custom.a\n\nx := 1\n")}
	if hash(changed) == hash(a) {
		t.Error("BundleHash ignores a policy's content")
	}
	renamed := Source{Path: "p/c.rego", Content: a.Content}
	if hash(renamed) == hash(a) {
		t.Error("BundleHash ignores a policy's path")
	}
}

// TestInputValueMatchesJSON guards the direct conversion of the facts
// document against drift: every field of facts.Input, filled in, converts to
// what the JSON encoding gives.
func TestInputValueMatchesJSON(t *testing.T) {
	t.Parallel()
	in := &facts.Input{}
	fill(reflect.ValueOf(in).Elem(), 1)
	got, err := inputValue(in)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ast.ValueFromReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got.Compare(want) != 0 {
		t.Errorf("inputValue =\n%v\nwant (JSON)\n%v", got, want)
	}
}

// fill sets every field to a non-zero value, slices and maps to one element.
func fill(v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), n+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, n+1)
		m.SetMapIndex(reflect.ValueOf(fmt.Sprintf("k%d", n)), e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n+i)
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), n+1)
		v.Set(p)
	case reflect.Interface:
		// A value of either side of a diff: a number, as the risks are.
		v.Set(reflect.ValueOf(n))
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

func TestInputValueWritesNilAsEmpty(t *testing.T) {
	t.Parallel()
	v, err := inputValue(&facts.Input{})
	if err != nil {
		t.Fatal(err)
	}
	obj := v.(ast.Object)
	for key, want := range map[string]ast.Value{
		"changes": ast.NewArray(), "files": ast.NewArray(), "reviews": ast.NewArray(),
		"hazards": ast.NewObject(), "commit_authors": ast.NewArray(),
	} {
		if got := obj.Get(ast.StringTerm(key)); got == nil || got.Value.Compare(want) != 0 {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
}

// TestRegoFormatted keeps every policy in `opa fmt` style.
func TestRegoFormatted(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "policies", "*.rego"))
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Glob(filepath.Join("..", "..", "policies", "examples", "*.rego"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, examples...)
	if len(files) < 10 {
		t.Fatalf("found %d .rego files, want the defaults, their tests and the example", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := format.SourceWithOpts(f, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("formatting %s: %v", f, err)
			continue
		}
		if !bytes.Equal(got, src) {
			t.Errorf("%s is not formatted; run opa fmt -w on it", f)
		}
	}
}

// TestDefaultsCompileStrict holds the default policies to OPA's strict mode
// (no unused variables or imports, no deprecated built-ins).
func TestDefaultsCompileStrict(t *testing.T) {
	t.Parallel()
	defaults, err := embedded(policies.Default)
	if err != nil {
		t.Fatal(err)
	}
	modules, err := parseAll(defaults, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newCompiler().WithStrict(true)
	if c.Compile(modules); c.Failed() {
		t.Fatalf("strict compile: %v", c.Errors)
	}
}

// derived fills the fields facts.Build derives (facts.Derive) in a document
// a test built by hand.
func derived(in *facts.Input) *facts.Input {
	if in != nil {
		facts.Derive(in)
	}
	return in
}
