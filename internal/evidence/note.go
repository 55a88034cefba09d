package evidence

import (
	"fmt"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/mdtext"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/release"
	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// ReleaseNote renders the clinical safety release note of an evaluation: the
// Markdown a CSO pastes into the Clinical Safety Case Report. It states the
// decision and what it stood on — the clinically relevant changes with their
// impact assessments, each touched hazard with its initial and residual risk
// and what DCB0129 says they demand, the controls and their evidence, the
// approvals, and the SHA-256 of every input — so the report can cite the
// release configuration exactly.
func ReleaseNote(out *gate.Outcome, meta Meta) string {
	d := out.Decision
	if d == nil {
		d = decision.Failure("", "", "", decision.CodeGateError, fmt.Errorf("the evaluation has no decision"))
	}
	b := &strings.Builder{}
	what := strings.TrimSpace(d.Product + " " + d.Release)
	if what == "" {
		what = "(product and release unknown)"
	}
	fmt.Fprintf(b, "# Clinical safety release note: %s\n\n", text(what))

	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(b, "- **%s:** %s\n", label, value)
		}
	}
	line("Product", text(d.Product))
	line("Release", text(d.Release))
	line("Date", noteDate(out, meta))
	line("Decision", decisionLine(d))
	if d.HeadSHA != "" {
		line("Head commit", "`"+decision.ShortSHA(d.HeadSHA)+"`")
	}
	if meta.PullRequest > 0 {
		line("Pull request", fmt.Sprintf("#%d", meta.PullRequest))
	}
	line("Repository", text(meta.Repository))
	if meta.RunURL != "" {
		line("Gate run", "<"+strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20").Replace(meta.RunURL)+">")
	}
	line("Hazard log", hazardLogLine(out))
	if out.PolicyHash != "" {
		line("Policy bundle", "SHA-256 `"+out.PolicyHash+"`")
	}

	changesSection(b, out, d)
	hazardsSection(b, out, d)
	approvalsSection(b, d)
	overridesSection(b, d)
	findings(b, "Violations", "This release is blocked until each is resolved.", d.Violations)
	findings(b, "Warnings", "", d.Warnings)
	inputsSection(b, out, meta)
	return b.String()
}

// overridesSection lists the emergency overrides of the release (and
// earlier ones whose retrospective review is overdue), each with who
// overrode, why, and where its retrospective CSO review stands.
func overridesSection(b *strings.Builder, d *decision.Decision) {
	if len(d.Overrides) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Emergency overrides\n\nThese pull requests were let through without a counted CSO approval; a counted CSO must review each retrospectively.\n\n")
	for _, st := range d.Overrides {
		line := release.OverrideLine(st)
		if !st.InRange {
			line += " (merged before this release's range)"
		}
		fmt.Fprintf(b, "- %s\n", mdtext.Message(line))
	}
}

func noteDate(out *gate.Outcome, meta Meta) string {
	if !meta.CreatedAt.IsZero() {
		return meta.CreatedAt.UTC().Format(time.DateOnly)
	}
	if out.Input != nil {
		return out.Input.Today
	}
	return time.Now().UTC().Format(time.DateOnly)
}

func decisionLine(d *decision.Decision) string {
	switch d.Decision {
	case decision.Approved:
		return fmt.Sprintf("**approved**: %d counted CSO approval(s) of %d required", d.CountedApprovals, d.RequiredApprovals)
	case decision.NotRequired:
		return "**not required**: no clinically relevant change, so CSO approval is not required"
	}
	return "**blocked**: " + strings.Join(d.ViolationCodes(), ", ")
}

func hazardLogLine(out *gate.Outcome) string {
	var file string
	if out.Input != nil {
		file = out.Input.HazardLog.File
	}
	if file == "" {
		for _, f := range out.Files {
			if f.Role == "hazard_log" {
				file = f.Path
				break
			}
		}
	}
	if file == "" && out.HazardLog == nil {
		return ""
	}
	s := mdtext.Code(file)
	if out.HazardLog != nil {
		if out.HazardLog.Standard != "" {
			s += " (" + text(out.HazardLog.Standard) + ")"
		}
		if out.HazardLog.Reviewed.IsSet() {
			s += ", last reviewed by a CSO on " + out.HazardLog.Reviewed.String()
		} else {
			s += ", no review date recorded"
		}
	}
	return s
}

func manifestChange(out *gate.Outcome, id string) (safetyfile.Change, bool) {
	if out.Manifest == nil {
		return safetyfile.Change{}, false
	}
	for _, c := range out.Manifest.Changes {
		if c.ID == id {
			return c, true
		}
	}
	return safetyfile.Change{}, false
}

func changesSection(b *strings.Builder, out *gate.Outcome, d *decision.Decision) {
	fmt.Fprintf(b, "\n## Clinically relevant changes\n\n")
	clinical := map[string]bool{}
	if len(d.ClinicalChanges) == 0 {
		fmt.Fprintf(b, "No change under review is clinically relevant.\n")
	} else {
		fmt.Fprintf(b, "| Change | Summary | Declared clinical | Hazards | Highest residual risk | Impact assessment |\n|---|---|---|---|---|---|\n")
	}
	for _, c := range d.ClinicalChanges {
		clinical[c.ID] = true
		summary, declared, assessment := "—", "—", "*none written*"
		if mc, ok := manifestChange(out, c.ID); ok {
			summary, declared = cell(mc.Summary), string(mc.Clinical.Declared())
			if strings.TrimSpace(mc.Assessment) != "" {
				assessment = cell(mc.Assessment)
			}
		}
		hazards, residual := "—", "—"
		if len(c.Hazards) > 0 {
			hazards = cell(strings.Join(c.Hazards, ", "))
		}
		if c.MaxResidualRisk > 0 {
			residual = fmt.Sprintf("%d", c.MaxResidualRisk)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", cell(c.ID), summary, declared, hazards, residual, assessment)
	}
	if out.Input == nil {
		return
	}
	var others []string
	for _, c := range out.Input.Changes {
		if !clinical[c.ID] {
			others = append(others, fmt.Sprintf("- %s %s (declared clinical: %s)\n", text(c.ID), text(c.Summary), text(c.Clinical)))
		}
	}
	if len(others) > 0 {
		fmt.Fprintf(b, "\nChanges under review that are not clinically relevant:\n\n%s", strings.Join(others, ""))
	}
}

func hazardsSection(b *strings.Builder, out *gate.Outcome, d *decision.Decision) {
	fmt.Fprintf(b, "\n## Hazards touched\n")
	if len(d.TouchedHazards) == 0 {
		fmt.Fprintf(b, "\nNo hazard in the hazard log is touched by this release.\n")
		return
	}
	for _, th := range d.TouchedHazards {
		fmt.Fprintf(b, "\n### %s %s\n\n", text(th.ID), text(th.Title))
		var changes []string
		for _, c := range d.ClinicalChanges {
			for _, h := range c.Hazards {
				if h == th.ID {
					changes = append(changes, c.ID)
					break
				}
			}
		}
		fmt.Fprintf(b, "Status: %s.", text(th.Status))
		if len(changes) > 0 {
			fmt.Fprintf(b, " Affected by: %s.", text(strings.Join(changes, ", ")))
		}
		fmt.Fprintf(b, "\n\n")
		h := logHazard(out.HazardLog, th.ID)
		fmt.Fprintf(b, "| Assessment | Severity | Likelihood | Risk | DCB0129 |\n|---|---|---|---|---|\n")
		if h == nil {
			// Not in the log as read: the decision's own summary of it.
			sev, like, _ := strings.Cut(th.Residual, " / ")
			fmt.Fprintf(b, "| Initial | — | — | %d | %s |\n", th.InitialRisk, risk.Rating(th.InitialRisk).Meaning())
			fmt.Fprintf(b, "| Residual | %s | %s | %d | %s |\n", orDash(sev), orDash(like), th.ResidualRisk, risk.Rating(th.ResidualRisk).Meaning())
			continue
		}
		assessment := func(name string, a safetyfile.Assessment, r risk.Rating) {
			fmt.Fprintf(b, "| %s | %s | %s | %d | %s |\n", name, a.Severity, a.Likelihood, r, r.Meaning())
		}
		assessment("Initial", h.Initial, h.InitialRisk())
		assessment("Residual", h.Residual, h.ResidualRisk())
		if strings.TrimSpace(h.Harm) != "" {
			fmt.Fprintf(b, "\nHarm: %s\n", text(h.Harm))
		}
		if len(h.Controls) == 0 {
			fmt.Fprintf(b, "\nNo controls are recorded for this hazard.\n")
			continue
		}
		// With test results, each control says what they showed.
		tests := controlTests(out, th.ID)
		if tests != nil {
			fmt.Fprintf(b, "\n| Control | Kind | Description | Evidence | Tests in this run |\n|---|---|---|---|---|\n")
		} else {
			fmt.Fprintf(b, "\n| Control | Kind | Description | Evidence |\n|---|---|---|---|\n")
		}
		judged := judgedControls(d, th.ID, len(h.Controls))
		for i, c := range h.Controls {
			id, kind, evidence := "—", "—", "*none recorded*"
			if c.ID != "" {
				id = cell(c.ID)
			}
			if c.Kind != "" {
				kind = cell(c.Kind)
			}
			if strings.TrimSpace(c.Evidence) != "" {
				evidence = cell(c.Evidence)
				if judged != nil && judged[i].EvidenceStatus != "" {
					evidence += " (" + strings.ReplaceAll(judged[i].EvidenceStatus, "_", " ") + ")"
				}
			}
			if tests != nil {
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", id, kind, cell(c.Description), evidence, cell(tests[c.ID]))
				continue
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", id, kind, cell(c.Description), evidence)
		}
	}
}

// judgedControls are the decision's traceability entries of a hazard, in the
// log's order; nil unless there is one per control of the log as read.
func judgedControls(d *decision.Decision, hazard string, n int) []decision.Control {
	var out []decision.Control
	for _, c := range d.Controls {
		if c.Hazard == hazard {
			out = append(out, c)
		}
	}
	if len(out) != n {
		return nil
	}
	return out
}

// controlTests says, per control id of the hazard, what the run's test
// results showed; nil when no test results were given.
func controlTests(out *gate.Outcome, hazard string) map[string]string {
	if out.Decision == nil || out.Decision.TestResults == nil {
		return nil
	}
	m := map[string]string{}
	for _, c := range out.Decision.Controls {
		if c.Hazard != hazard || c.Control == "" {
			continue
		}
		linked := c.TestsPassed + c.TestsFailed + c.TestsSkipped
		switch c.TestOutcome {
		case "passed", "failed":
			m[c.Control] = fmt.Sprintf("%s: %d passed, %d failed, %d skipped", c.TestOutcome, c.TestsPassed, c.TestsFailed, c.TestsSkipped)
		case "missing":
			m[c.Control] = fmt.Sprintf("missing: no passing test (%d linked)", linked)
		case "not_expected":
			m[c.Control] = "none linked (none expected)"
		default:
			m[c.Control] = strings.ReplaceAll(c.TestOutcome, "_", " ")
		}
	}
	return m
}

func logHazard(log *safetyfile.HazardLog, id string) *safetyfile.Hazard {
	if log == nil {
		return nil
	}
	for i := range log.Hazards {
		if log.Hazards[i].ID == id {
			return &log.Hazards[i]
		}
	}
	return nil
}

func approvalsSection(b *strings.Builder, d *decision.Decision) {
	fmt.Fprintf(b, "\n## CSO approvals\n\n%d counted of %d required.\n", d.CountedApprovals, d.RequiredApprovals)
	if len(d.Approvals) == 0 {
		fmt.Fprintf(b, "\nNo approving review.\n")
		return
	}
	fmt.Fprintf(b, "\n| CSO | Professional body | Registration | GitHub login | Review | Commit | Submitted | Counted |\n|---|---|---|---|---|---|---|---|\n")
	for _, a := range d.Approvals {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d | `%s` | %s | %s |\n",
			orDash(a.Name), orDash(a.Body), orDash(a.Registration), mdtext.Code(a.Login), a.ReviewID,
			decision.ShortSHA(a.Commit), orDash(a.SubmittedAt), counted(a))
	}
}

func counted(a policy.Approval) string {
	if a.Counted {
		return "yes"
	}
	s := "no: " + cell(a.WhyNot)
	if a.WhyNotDetail != "" {
		s += " — " + cell(a.WhyNotDetail)
	}
	return s
}

func findings(b *strings.Builder, title, intro string, fs []policy.Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if intro != "" {
		fmt.Fprintf(b, "%s\n\n", intro)
	}
	for _, f := range fs {
		fmt.Fprintf(b, "- **%s**: %s\n", text(f.Code), mdtext.Message(strings.Join(strings.Fields(f.Message), " ")))
	}
}

func inputsSection(b *strings.Builder, out *gate.Outcome, meta Meta) {
	fmt.Fprintf(b, "\n## What this note rests on\n\n")
	if len(out.Files) > 0 {
		fmt.Fprintf(b, "| Input | File | Read from | SHA-256 |\n|---|---|---|---|\n")
		for _, f := range out.Files {
			from := "the head commit"
			if f.Side == "trusted" {
				from = "the trusted side"
			}
			fmt.Fprintf(b, "| %s | %s | %s | `%s` |\n", strings.ReplaceAll(f.Role, "_", " "), mdtext.Code(f.Path), from, f.SHA256)
		}
		fmt.Fprintf(b, "\n")
	}
	if out.PolicyHash != "" {
		fmt.Fprintf(b, "Policy bundle (built-in and custom policies): SHA-256 `%s`.\n", out.PolicyHash)
	}
	version := meta.Version
	if version == "" {
		version = "(version unknown)"
	}
	fmt.Fprintf(b, "The decision record (`%s`) keeps these inputs' hashes, the facts and the decision; `csogate check --replay DIR` re-derives the decision from it offline. Made by csogate %s.\n", RecordFile, text(version))
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return cell(s)
}

// text makes free text literal on one Markdown line (see mdtext).
func text(s string) string {
	return mdtext.Inline(strings.Join(strings.Fields(s), " "))
}

// cell makes free text literal in a table cell, with line breaks kept as
// <br> so a multi-line assessment stays readable.
func cell(s string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	for i, l := range lines {
		lines[i] = text(l)
	}
	return strings.Join(lines, "<br>")
}
