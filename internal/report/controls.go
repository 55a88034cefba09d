package report

import (
	"fmt"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/mdtext"
)

// NotChecked is what the reporters say when no test results were given:
// the controls' test evidence was not judged at all.
const NotChecked = "Test evidence not checked: no test results given."

// maxControlCell bounds a control's description or evidence in the
// pull-request comment: hazard-log text can be any length, and the comment
// must stay under GitHub's cap. The job summary shows them whole.
const maxControlCell = 160

// TestsCell says what the run's test results show for a control, as the
// traceability table does: "passed (2 of 2 linked tests passed)",
// "FAILED (1 of 1 linked test failed: name (file:line))".
func TestsCell(c decision.Control) string { return testsCell(c) }

// testsCell says what the run's test results show for a control.
func testsCell(c decision.Control) string {
	linked := c.TestsPassed + c.TestsFailed + c.TestsSkipped
	switch c.TestOutcome {
	case "passed":
		s := fmt.Sprintf("passed (%d of %d linked test%s passed", c.TestsPassed, linked, pluralS(linked))
		if c.TestsSkipped > 0 {
			s += fmt.Sprintf(", %d skipped", c.TestsSkipped)
		}
		return s + ")"
	case "failed":
		var names []string
		for _, f := range c.FailingTests {
			names = append(names, fmt.Sprintf("%s (%s:%d)", f.Name, f.File, f.Line))
		}
		if more := c.TestsFailed - len(c.FailingTests); more > 0 {
			names = append(names, fmt.Sprintf("%d more", more))
		}
		return fmt.Sprintf("FAILED (%d of %d linked test%s failed: %s)", c.TestsFailed, linked, pluralS(linked), strings.Join(names, ", "))
	case "missing":
		if c.TestsSkipped > 0 {
			return fmt.Sprintf("missing (%d linked test%s skipped, none passed)", c.TestsSkipped, pluralS(c.TestsSkipped))
		}
		return "missing (no test links to it)"
	case "not_expected":
		return "none linked (none expected)"
	}
	return "not checked"
}

// evidenceCell is a control's evidence with what the repository check found
// of it: "tests/x_test.go (found)", "(missing)", "(not checked)".
func evidenceCell(c decision.Control) string {
	if c.EvidenceStatus == "" {
		return orDash(c.Evidence)
	}
	return orDash(c.Evidence) + " (" + strings.ReplaceAll(c.EvidenceStatus, "_", " ") + ")"
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func testsIcon(outcome string) string {
	return map[string]string{"passed": "✅ ", "failed": "⛔ ", "missing": "⚠️ "}[outcome]
}

// hazardTitles maps the touched hazards' ids to their titles.
func hazardTitles(d *decision.Decision) map[string]string {
	m := make(map[string]string, len(d.TouchedHazards))
	for _, h := range d.TouchedHazards {
		m[h.ID] = h.Title
	}
	return m
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// clipCell shortens s to n characters (0: no limit).
func clipCell(s string, n int) string {
	if n == 0 {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// controlsMarkdown is the traceability table a CSO reads: per touched
// hazard, each control with its kind, evidence and test outcome. rows caps
// the controls shown (0: all).
func controlsMarkdown(d *decision.Decision, rows int) string {
	if len(d.Controls) == 0 {
		return ""
	}
	b := &strings.Builder{}
	fmt.Fprintf(b, "\n### Controls and their evidence\n\n")
	if d.TestResults == nil {
		fmt.Fprintf(b, "*%s*\n", NotChecked)
	} else {
		// The commit judged: a pull request's head, or in a release the
		// released commit, whose release workflow ran the tests.
		tested := "the commit judged"
		if d.HeadSHA != "" {
			tested = "commit " + decision.ShortSHA(d.HeadSHA)
		}
		fmt.Fprintf(b, "Test results: %d test case%s in %d report%s, as the workflow run that tested %s wrote them.\n",
			d.TestResults.Cases, pluralS(d.TestResults.Cases), d.TestResults.Reports, pluralS(d.TestResults.Reports), mdtext.Inline(tested))
	}
	titles := hazardTitles(d)
	cellMax := 0
	if rows > 0 {
		cellMax = maxControlCell
	}
	hazard := ""
	for i, c := range d.Controls {
		if more(b, i, len(d.Controls), rows, "controls", "\n") {
			break
		}
		if i == 0 || c.Hazard != hazard {
			hazard = c.Hazard
			title := ""
			if t := titles[c.Hazard]; t != "" {
				title = " " + mdtext.Inline(clipCell(t, cellMax))
			}
			fmt.Fprintf(b, "\n**%s**%s\n\n| Control | Description | Kind | Evidence | Tests |\n|---|---|---|---|---|\n", mdtext.Inline(c.Hazard), title)
		}
		evidence := evidenceCell(c)
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s%s |\n", cell(orDash(c.Control)), cell(clipCell(orDash(c.Description), cellMax)), cell(orDash(c.Kind)),
			cell(clipCell(evidence, cellMax)), testsIcon(c.TestOutcome), cell(clipCell(testsCell(c), cellMax*2)))
	}
	return b.String()
}

// controlsText is controlsMarkdown for the terminal.
func controlsText(d *decision.Decision) string {
	if len(d.Controls) == 0 {
		return ""
	}
	b := &strings.Builder{}
	section(b, "Controls and their evidence")
	if d.TestResults == nil {
		fmt.Fprintf(b, "  %s\n", NotChecked)
	} else {
		fmt.Fprintf(b, "  Test results: %d test case%s in %d report%s.\n", d.TestResults.Cases, pluralS(d.TestResults.Cases), d.TestResults.Reports, pluralS(d.TestResults.Reports))
	}
	titles := hazardTitles(d)
	hazard := ""
	for i, c := range d.Controls {
		if i == 0 || c.Hazard != hazard {
			hazard = c.Hazard
			fmt.Fprintf(b, "  %s\n", oneLine(strings.TrimSpace(c.Hazard+" "+titles[c.Hazard])))
		}
		evidence := evidenceCell(c)
		fmt.Fprintf(b, "    • %s (%s) %s — evidence: %s — tests: %s\n", oneLine(orDash(c.Control)), oneLine(orDash(c.Kind)),
			oneLine(orDash(c.Description)), oneLine(evidence), oneLine(testsCell(c)))
	}
	return b.String()
}

// controlTestAdvice says what unblocks the test-evidence rules.
var controlTestAdvice = map[string]string{
	"CONTROL_TEST_FAILED":  "No approval unblocks this. A test that is the evidence for a safety control failed on this commit: fix the code (or the test, if the test is wrong) so it passes, and rerun the workflow that writes the test results.",
	"CONTROL_TEST_MISSING": "Run the test that evidences the control in the workflow that writes the test results, and link it to the control with <property name=\"control\" value=\"CTL-…\"/> on its test case or by naming the control id in the test's name; the configuration says control_tests: required.",
}

func init() {
	for code, a := range controlTestAdvice {
		advice[code] = a
	}
}
