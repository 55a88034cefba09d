package release

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"

	"github.com/csogate/csogate/internal/mdtext"
)

// SafetyCaseMarkdown renders the release's DCB0129 Clinical Safety Case
// Report addendum as Markdown: the release and its range, its pull requests,
// its clinically relevant changes with their hazards, the hazard log's
// changes since the previous release, the residual risk by band, the
// controls and their evidence, the open hazards, the CSO's sign-off (or
// NOT SIGNED OFF and why) and the statement the CSO signs. Every text read
// from a file or from GitHub is escaped (mdtext); it uses no clock, so a
// replay of the release's record renders the same bytes.
func SafetyCaseMarkdown(r *Result) string {
	c := buildSafetyCase(r)
	b := &strings.Builder{}
	t := func(s string) string { return mdtext.Inline(s) }
	fmt.Fprintf(b, "# %s\n\n", t(c.Title))
	b.WriteString("An addendum to the product's Clinical Safety Case Report (DCB0129) for one release, made by the clinical safety release gate from the release's decision. It adds to the report; it does not replace it.\n\n")
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(b, "| Product | %s |\n", t(c.Product))
	fmt.Fprintf(b, "| Version | %s (release %s) |\n", t(orText(c.Tag, "—")), t(orText(c.Version, "—")))
	fmt.Fprintf(b, "| Date | %s |\n", t(c.Date))
	fmt.Fprintf(b, "| Released commit | %s |\n", shaCell(c.ReleaseSHA))
	if c.PreviousTag != "" {
		fmt.Fprintf(b, "| Previous release | %s at %s |\n", t(c.PreviousTag), shaCell(c.PreviousSHA))
	}
	fmt.Fprintf(b, "| Release decision | **%s** |\n", t(c.DecisionWord))
	fmt.Fprintf(b, "\n%s\n", t(c.Headline))

	fmt.Fprintf(b, "\n## 1. Range and pull requests\n\n%s\n", t(c.RangeLine))
	if c.RangeWhy != "" {
		fmt.Fprintf(b, "\n%s\n", t(c.RangeWhy))
	}
	if len(c.Pulls) > 0 {
		b.WriteString("\n| Pull request | Title | Author | Merge commit | Gate | Clinically relevant changes |\n|---|---|---|---|---|---|\n")
		for _, p := range c.Pulls {
			fmt.Fprintf(b, "| #%d | %s | %s | %s | %s | %s |\n", p.Number, t(p.Title), mdtext.Code(p.Author), shaCell(p.Commit), t(p.Verdict), t(p.ClinicalItems))
		}
		more(b, c.PullsMore, "pull request")
	}

	b.WriteString("\n## 2. Clinically relevant changes and their hazards\n\n")
	if len(c.Changes) == 0 {
		b.WriteString("No change in the release is clinically relevant.\n")
	} else {
		b.WriteString("| Change | Summary | Declared clinical | Pull requests | Hazards (residual risk) | Impact assessment |\n|---|---|---|---|---|---|\n")
		for _, ch := range c.Changes {
			var hs []string
			for _, h := range ch.Hazards {
				hs = append(hs, fmt.Sprintf("%s %s (%s)", t(h.ID), t(h.Title), t(rating2(h))))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", t(ch.ID), t(ch.Summary), t(ch.Declared), ch.Pulls, // only #N, which GitHub should link

				dash(strings.Join(hs, "<br>")), t(ch.Assessment))
		}
		more(b, c.ChangesMore, "change")
	}

	b.WriteString("\n## 3. Hazard log changes since the previous release\n\n")
	if c.LogBasis != "" {
		fmt.Fprintf(b, "%s\n\n", t(c.LogBasis))
	}
	if c.LogNote != "" {
		fmt.Fprintf(b, "%s\n", t(c.LogNote))
	} else {
		b.WriteString("| Hazard | Title | Change | Residual risk | What changed |\n|---|---|---|---|---|\n")
		for _, l := range c.LogChanges {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", t(l.ID), t(l.Title), t(l.Change), t(l.Residual), t(l.What))
		}
		more(b, c.LogMore, "hazard change")
	}

	b.WriteString("\n## 4. Residual risk summary\n\n")
	if c.HazardLogMissing {
		b.WriteString("The release's hazard log could not be read, so its residual risks are not summarised.\n")
	} else {
		fmt.Fprintf(b, "%s in the release's hazard log, by residual risk (DCB0129 risk matrix):\n\n", count(c.Hazards, "hazard"))
		b.WriteString("| Residual risk | Band | DCB0129 | Hazards | Of which open |\n|---|---|---|---|---|\n")
		for _, bd := range c.Bands {
			fmt.Fprintf(b, "| %d | %s | %s | %d | %d |\n", bd.Rating, bd.Word, bd.Meaning, bd.Count, bd.Open)
		}
		if c.Unrated > 0 {
			fmt.Fprintf(b, "\n%s not rated (no valid residual severity and likelihood).\n", count(c.Unrated, "hazard"))
		}
	}

	b.WriteString("\n## 5. Controls and their evidence\n\n")
	if len(c.Controls) > 0 {
		b.WriteString("Controls of the hazards the release touches or changes in the hazard log, with the evidence the hazard log records, whether that evidence is in the repository at the released commit, and what the release workflow's tests showed.\n\n")
		fmt.Fprintf(b, "%s\n\n", t(c.TestsLine))
		b.WriteString("| Hazard | Control | Kind | Description | Evidence | Evidence at release | Tests in this run |\n|---|---|---|---|---|---|---|\n")
		for _, ctl := range c.Controls {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", t(ctl.Hazard), t(ctl.ID), t(ctl.Kind), t(ctl.Description), t(ctl.Evidence),
				t(ctl.AtRelease), t(ctl.Tests))
		}
		more(b, c.ControlsMore, "control")
	}
	if c.ControlsNote != "" {
		if len(c.Controls) > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "%s\n", t(c.ControlsNote))
	}

	b.WriteString("\n## 6. Outstanding open hazards\n\n")
	switch {
	case c.HazardLogMissing:
		b.WriteString("The release's hazard log could not be read.\n")
	case len(c.Open) == 0:
		b.WriteString("No hazard in the release's hazard log is open.\n")
	default:
		b.WriteString("| Hazard | Title | Residual risk |\n|---|---|---|\n")
		for _, h := range c.Open {
			fmt.Fprintf(b, "| %s | %s | %s |\n", t(h.ID), t(h.Title), t(h.Band))
		}
		more(b, c.OpenMore, "open hazard")
	}

	b.WriteString("\n## 7. CSO sign-off\n\n")
	fmt.Fprintf(b, "**%s**: ", c.SignOffWord)
	if c.SignOffPull > 0 {
		// "#N" is the gate's own reference, which GitHub links.
		fmt.Fprintf(b, "#%d %s prepared the release", c.SignOffPull, t(c.SignOffPullTitle))
	}
	fmt.Fprintf(b, "%s\n", t(c.SignOffText))
	if len(c.Officers) > 0 {
		b.WriteString("\n| Clinical Safety Officer | Professional body | Registration | GitHub login | Date | Commit |\n|---|---|---|---|---|---|\n")
		for _, o := range c.Officers {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", t(o.Name), t(o.Body), t(o.Registration), mdtext.Code(o.Login), t(o.Date), shaCell(o.Commit))
		}
	}
	if len(c.SignOffWhy) > 0 {
		b.WriteString("\nWhy the release is not signed off:\n\n")
		for _, f := range c.SignOffWhy {
			fmt.Fprintf(b, "- **%s**: %s\n", t(f.Code), mdtext.Message(f.Message))
		}
		more(b, c.SignOffWhyMore, "finding")
	}

	b.WriteString("\n## 8. Clinical safety statement\n\n")
	for i, p := range c.Statement {
		if i > 0 {
			b.WriteString(">\n")
		}
		fmt.Fprintf(b, "> %s\n", t(p))
	}
	fmt.Fprintf(b, "\n%s\n", t(c.StatementSignedBy))
	fmt.Fprintf(b, "\n---\n\nDerived from the release's decision record: `csogate check --replay DIR --format safety-case` renders this file again, byte for byte; the attestation signs its SHA-256.\n")
	return b.String()
}

// rating2 is a hazard's residual risk for a table cell.
func rating2(h caseHazard) string {
	if h.Residual == 0 {
		return "residual risk not rated"
	}
	return fmt.Sprintf("residual risk %s", h.Band)
}

// shaCell is a commit sha as a code span; "" as a dash.
func shaCell(sha string) string {
	if sha == "" {
		return "—"
	}
	return mdtext.Code(sha)
}

// more says how many rows a capped table leaves out.
func more(b *strings.Builder, n int, noun string) {
	if n > 0 {
		fmt.Fprintf(b, "\n%s\n", moreText(n, noun))
	}
}

func moreText(n int, noun string) string {
	return fmt.Sprintf("… and %d more %s (the decision record lists every one).", n, strings.TrimPrefix(count(n, noun), fmt.Sprint(n)+" "))
}

//go:embed safetycase.html.tmpl
var safetyCaseHTMLSource string

// safetyCaseHTML is the addendum's page: html/template escapes every value
// for its context, so no text from a file or from GitHub becomes markup.
var safetyCaseHTML = template.Must(template.New("safety-case").Funcs(template.FuncMap{
	"more": moreText,
}).Parse(safetyCaseHTMLSource))

// SafetyCaseHTML renders the same addendum as SafetyCaseMarkdown as one
// self-contained HTML page that prints well: inline CSS (with print rules),
// no script, no external asset.
func SafetyCaseHTML(r *Result) (string, error) {
	var b bytes.Buffer
	if err := safetyCaseHTML.Execute(&b, buildSafetyCase(r)); err != nil {
		return "", fmt.Errorf("rendering the safety case addendum: %w", err)
	}
	return b.String(), nil
}
