package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/policy"
)

// hugeDecision is the issue-12 shape at its worst for people: 1,000
// clinical changes each with many reasons, 3,000 undeclared files, 5,000
// touched hazards, 300 approvals and 2,000 officers who could approve.
func hugeDecision() *decision.Decision {
	d := &decision.Decision{Decision: decision.Blocked, Product: "P", HeadSHA: strings.Repeat("a", 40), RequiredApprovals: 1}
	for i := range 1000 {
		var reasons []string
		for g := range 40 {
			reasons = append(reasons, fmt.Sprintf("touches 12 files, e.g. src/mod%03d/sub%d/a.go (components of HAZ-%05d and 11 more hazards)", i, g, i))
		}
		d.ClinicalChanges = append(d.ClinicalChanges, policy.ClinicalChange{ID: fmt.Sprintf("CHG-%04d", i), Hazards: []string{"HAZ-00001"}, MaxResidualRisk: 2, Reasons: reasons})
	}
	for i := range 3000 {
		d.Violations = append(d.Violations, policy.Finding{Code: "UNDECLARED_CLINICAL_CHANGE", File: fmt.Sprintf("src/x/%d.go", i),
			Message: fmt.Sprintf("src/x/%d.go matches HAZ-%05d (residual risk 2), but no change in the manifest covers it", i, i)})
	}
	for i := range 5000 {
		d.TouchedHazards = append(d.TouchedHazards, decision.TouchedHazard{ID: fmt.Sprintf("HAZ-%05d", i), Title: strings.Repeat("title ", 10), Status: "open"})
	}
	for i := range 300 {
		d.Approvals = append(d.Approvals, policy.Approval{Login: fmt.Sprintf("r%d", i), WhyNot: "APPROVAL_STALE", WhyNotDetail: strings.Repeat("why ", 20)})
	}
	for i := range 2000 {
		d.EligibleApprovers = append(d.EligibleApprovers, decision.Approver{Login: fmt.Sprintf("cso%d", i), Name: "Dr Example", Body: "GMC", Registration: "1234567"})
	}
	for i := range 5000 {
		c := decision.Control{Hazard: fmt.Sprintf("HAZ-%05d", i/2), Control: fmt.Sprintf("CTL-%05d", i), Description: strings.Repeat("description ", 200),
			Kind: "test", Evidence: strings.Repeat("tests/evidence_test.go ", 50), TestOutcome: "failed", TestsFailed: 900}
		for range 3 {
			c.FailingTests = append(c.FailingTests, facts.FailingTest{Name: strings.Repeat("n", 200), File: "reports/junit.xml", Line: 12345, Message: strings.Repeat("m", 300)})
		}
		d.Controls = append(d.Controls, c)
	}
	d.TestResults = &decision.TestResults{Reports: 3, Cases: 900000}
	d.Violations = append(d.Violations, policy.Finding{Code: "CSO_APPROVAL_REQUIRED", Message: "0 of 1 counted"})
	return d
}

// TestCommentFitsGitHub: on the large shapes the comment stays under
// GitHub's 65,536 characters by itself (no blind cut needed), still says
// what would unblock it and who may approve, and counts what it left out.
func TestCommentFitsGitHub(t *testing.T) {
	t.Parallel()
	d := hugeDecision()
	body := CommentMarkdown(d, Links{RunURL: "https://github.com/o/r/actions/runs/1"})
	if n := utf8.RuneCountInString(body); n >= 65536 {
		t.Fatalf("comment is %d characters, want under 65,536", n)
	}
	for _, want := range []string{
		"What would unblock it", "Who may approve", "CSO_APPROVAL_REQUIRED",
		"… and 2971 more violations", "… and 970 more clinically relevant changes", "… and 4970 more touched hazards",
		"… and 270 more approving reviews", "… and 4970 more controls", "and 1970 more registered CSOs", "… and 30 more reasons",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	full := Markdown(d, Links{})
	if !strings.Contains(full, "CHG-0999") || !strings.Contains(full, "src/x/2999.go") || strings.Contains(full, "more violations") {
		t.Error("the job summary's Markdown must list every row")
	}
}

// TestJSONLayout: the decision document is the same JSON, one top-level
// field and one list element a line, and well under 1 MB on the large
// shape the issue measured at 8 MB; text that looks like JSON structure
// inside strings is left alone.
func TestJSONLayout(t *testing.T) {
	t.Parallel()
	d := hugeDecision()
	d.Violations[0].Message = `a "quoted" {brace} [bracket], comma: colon \ backslash`
	var b strings.Builder
	if err := JSON(&b, d); err != nil {
		t.Fatal(err)
	}
	var got, want any
	compact, _ := json.Marshal(d)
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	_ = json.Unmarshal(compact, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatal("the laid-out JSON differs from the decision")
	}
	lines := strings.Split(b.String(), "\n")
	if lines[1] != `  "decision": "blocked",` || !strings.HasPrefix(lines[6], `    {"id":"CHG-0000",`) {
		t.Errorf("layout starts %q", lines[:7])
	}
	if n := strings.Count(b.String(), "\n"); n != len(d.ClinicalChanges)+len(d.Approvals)+len(d.Violations)+len(d.TouchedHazards)+len(d.EligibleApprovers)+len(d.Controls)+26 {
		t.Errorf("%d lines, want one per field (15), per non-empty list end (6), per list element, the braces (2) and test_results's two fields and end (3)", n)
	}
}

// TestAttackControlIDAsMarkdown: a test name from the head's run that
// carries Markdown (a link, an image, a mention, a table break) is shown as
// text in the traceability table and in the violation.
func TestAttackControlIDAsMarkdown(t *testing.T) {
	t.Parallel()
	evil := "CTL-7 [approved by CSO](https://evil.example) ![x](https://evil.example/x.png) @alice-gp | ✅ passed <b>ok</b>"
	d := &decision.Decision{Decision: decision.Blocked, HeadSHA: strings.Repeat("a", 40),
		TouchedHazards: []decision.TouchedHazard{{ID: "HAZ-1", Title: "t"}},
		Controls: []decision.Control{{Hazard: "HAZ-1", Control: "CTL-7", Kind: "test", TestOutcome: "failed", TestsFailed: 1,
			FailingTests: []facts.FailingTest{{Name: evil, File: "r.xml", Line: 3, Message: evil}}}},
		TestResults: &decision.TestResults{Reports: 1, Cases: 1},
		Violations:  []policy.Finding{{Code: "CONTROL_TEST_FAILED", Message: "CTL-7: failed: " + evil}}}
	for _, body := range []string{Markdown(d, Links{}), CommentMarkdown(d, Links{})} {
		for _, bad := range []string{"](https://evil.example)", "![x]", "@alice-gp", "<b>", "@alice-gp | ✅ passed"} {
			if strings.Contains(body, bad) {
				t.Errorf("the comment carries %q unescaped:\n%s", bad, body)
			}
		}
		if strings.Count(body, "| ✅ passed") != strings.Count(body, `\| ✅ passed`) {
			t.Errorf("a table cell break in a test name is not escaped:\n%s", body)
		}
	}
}

// TestControlEvidenceStatusShown: the comment, the job summary and the text
// report say beside each control's evidence whether it is at the head, so a
// CSO reading the traceability table sees a deleted test file as missing.
func TestControlEvidenceStatusShown(t *testing.T) {
	t.Parallel()
	d := &decision.Decision{Decision: decision.Approved, HeadSHA: strings.Repeat("a", 40),
		TouchedHazards: []decision.TouchedHazard{{ID: "HAZ-1", Title: "t"}},
		Controls: []decision.Control{
			{Hazard: "HAZ-1", Control: "CTL-1", Kind: "test", Evidence: "tests/x_test.go", EvidenceStatus: decision.EvidenceFound, TestOutcome: "not_checked"},
			{Hazard: "HAZ-1", Control: "CTL-2", Kind: "design", Evidence: "tests/gone_test.go", EvidenceStatus: decision.EvidenceMissing, TestOutcome: "not_checked"},
			{Hazard: "HAZ-1", Control: "CTL-3", Kind: "design", Evidence: "tests/y_test.go", EvidenceStatus: decision.EvidenceNotChecked, TestOutcome: "not_checked"},
		}}
	var text strings.Builder
	if err := Text(&text, d); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"summary": Markdown(d, Links{}), "comment": CommentMarkdown(d, Links{}), "text": text.String()} {
		for _, want := range []string{"tests/x_test.go (found)", "tests/gone_test.go (missing)", "tests/y_test.go (not checked)"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, body)
			}
		}
	}
}
