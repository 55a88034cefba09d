package hazardlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/safetyfile"
)

// NewIssue is one issue export would have created: the body of GitHub's
// create-issue request (title, body, labels), and the state to set after
// (an issue is created open; a closed or transferred hazard's is closed).
type NewIssue struct {
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Labels []string `json:"labels"`
	State  string   `json:"state"`
}

// riskLevelLabels are the template's risk-level label names, by rating.
var riskLevelLabels = [5]string{
	"risk-level-1-acceptable", "risk-level-2-acceptable", "risk-level-3-undesirable",
	"risk-level-4-mandatory-risk-elimination", "risk-level-5-unacceptable",
}

// residualSections are the Markdown layout's residual scoring headings:
// an issue's labels carry its residual assessment instead.
var residualSections = map[string]bool{
	"Residual likelihood scoring": true, "Residual severity scoring": true, "Residual risk scoring": true,
}

// issueForm renders a hazard's body as GitHub renders the template's issue
// form: each field "### Label", a blank line, its value, a blank line, and
// "_No response_" for a field left empty. It reuses the Markdown layout's
// sections, whose text is already escaped for Markdown.
func issueForm(h *safetyfile.Hazard) string {
	md := string(markdownHazard(h))
	var b strings.Builder
	heading, content := "", []string{}
	flush := func() {
		if heading == "" || residualSections[heading] {
			return
		}
		v := strings.Trim(strings.Join(content, "\n"), "\n")
		if strings.TrimSpace(v) == "" {
			v = "_No response_"
		}
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", heading, v)
	}
	for _, l := range strings.Split(md, "\n") {
		if rest, ok := strings.CutPrefix(l, "### "); ok {
			flush()
			heading, content = rest, nil
			continue
		}
		content = append(content, l)
	}
	flush()
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// ExportIssues renders the log as the GitHub issues that would hold it,
// labelled label, as JSON, and reads them back as GitHub would list them,
// returning every field that would not come back exactly (see losses).
func ExportIssues(log *safetyfile.HazardLog, label string) ([]byte, []string, error) {
	if log == nil {
		return nil, nil, fmt.Errorf("export: no hazard log")
	}
	if label == "" {
		label = DefaultIssueLabel
	}
	issues := make([]NewIssue, 0, len(log.Hazards))
	for i := range log.Hazards {
		h := &log.Hazards[i]
		labels := []string{label}
		if h.Residual.Likelihood.Valid() {
			labels = append(labels, "likelihood-"+h.Residual.Likelihood.String())
		}
		if h.Residual.Severity.Valid() {
			labels = append(labels, "severity-"+h.Residual.Severity.String())
		}
		if r := h.ResidualRisk(); r.Valid() {
			labels = append(labels, riskLevelLabels[r-1])
		}
		state := "open"
		if s := strings.ToLower(h.Status); s == "closed" || s == "transferred" {
			state = "closed"
		}
		issues = append(issues, NewIssue{Title: oneLine(h.Title), Body: issueForm(h), Labels: labels, State: state})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(issues); err != nil {
		return nil, nil, err
	}
	listed, err := AsListed(issues, "", time.Time{})
	if err != nil {
		return nil, nil, err
	}
	cfg := verifyConfig()
	cfg.Product = log.Product
	back := loadIssues("github-issues", listed, label, cfg)
	lost := losses(FormatGitHubIssues, log, back.Log)
	return buf.Bytes(), lost, nil
}

// AsListed renders issues as GitHub's list-issues endpoint would return
// them once created, numbered from 1 in order, with the given repository
// URL and update time (defaults when empty or zero): what export checks
// its output against, and tests feed the reader.
func AsListed(issues []NewIssue, repositoryURL string, updated time.Time) ([]byte, error) {
	if repositoryURL == "" {
		repositoryURL = "https://api.github.com/repos/OWNER/REPO"
	}
	if updated.IsZero() {
		updated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	out := make([]map[string]any, 0, len(issues))
	for i, is := range issues {
		labels := make([]map[string]any, 0, len(is.Labels))
		for _, l := range is.Labels {
			labels = append(labels, map[string]any{"name": l, "color": "892CBB", "default": false, "description": nil})
		}
		out = append(out, map[string]any{
			"number": i + 1, "title": is.Title, "body": is.Body, "state": is.State, "labels": labels,
			"assignees": []any{}, "updated_at": updated.UTC().Format(time.RFC3339), "repository_url": repositoryURL,
			"html_url": fmt.Sprintf("%s/issues/%d", strings.Replace(repositoryURL, "api.github.com/repos", "github.com", 1), i+1),
		})
	}
	return json.Marshal(out)
}
