package main

import (
	"bytes"
	"context"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// gfm renders Markdown as GitHub does (tables, strikethrough, task lists,
// bare links), passing raw HTML through so that any that gets in shows.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

var (
	elementRE = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9]*)[^>]*>([^<]*)`)
	codeRE    = regexp.MustCompile(`(?s)<code>.*?</code>`)
	anyTagRE  = regexp.MustCompile(`<[^>]*>`)
	// linkedRE is what GitHub links in rendered text: a mention, an issue
	// reference, a web or email address.
	linkedRE = regexp.MustCompile(`(?i)@[a-z0-9]|#[0-9]|://|www\.|[a-z0-9]@[a-z0-9]`)
)

// inert fails the test when the rendered Markdown md has an element other
// than allowed (tag → what its text must match), or text GitHub would link.
func inert(t *testing.T, name, md string, allowed map[string]*regexp.Regexp) {
	t.Helper()
	var out bytes.Buffer
	if err := gfm.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	rendered := out.String()
	for _, m := range elementRE.FindAllStringSubmatch(rendered, -1) {
		want, ok := allowed[strings.ToLower(m[1])]
		if !ok {
			t.Errorf("%s: renders a <%s> element (%q):\n%s", name, m[1], m[2], md)
		} else if want != nil && !want.MatchString(html.UnescapeString(m[2])) {
			t.Errorf("%s: a <%s> the gate does not write: %q", name, m[1], m[2])
		}
	}
	visible := html.UnescapeString(anyTagRE.ReplaceAllString(codeRE.ReplaceAllString(rendered, ""), ""))
	if m := linkedRE.FindString(visible); m != "" {
		i := strings.Index(visible, m)
		t.Errorf("%s: shows %q, which GitHub links: …%s…", name, m, visible[max(0, i-40):min(len(visible), i+40)])
	}
}

// summaryElements are the elements of the comment and job summary: the
// headings only the gate's own.
var summaryElements = map[string]*regexp.Regexp{
	"h2": regexp.MustCompile(`^(✅|☑️|⛔) Clinical safety gate: (approved|not required|blocked)$`),
	"h3": regexp.MustCompile(`^(Why it is blocked|What would unblock it|Clinically relevant changes|Hazards touched|Controls and their evidence|What changed in the hazard log|CSO approvals: \d+ counted of \d+ required|Warnings|Override comments that did not count)$`),
	// One per hazard of the hazard-log diff: its id and title, escaped.
	"h4":         regexp.MustCompile(` — (added|removed|modified)$`),
	"blockquote": nil, "del": nil, "code": nil,
	"details": nil, "summary": regexp.MustCompile(`^Rules evaluated$`),
	"p": nil, "ul": nil, "li": nil, "strong": nil, "em": nil,
	"table": nil, "thead": nil, "tbody": nil, "tr": nil, "th": nil, "td": nil,
}

// TestScenarioMarkdownIsInert: in every scenario's Markdown, including the
// hostile ones (markdown-injection: hazard titles, file names and change
// summaries carrying headings, images, links, HTML, mentions and references;
// hazard-id-form: the same in a manifest's hazards), nothing but the gate's
// own markup renders.
func TestScenarioMarkdownIsInert(t *testing.T) {
	t.Parallel()
	goldens, err := filepath.Glob("testdata/scenarios/*/want.md")
	if err != nil || len(goldens) < 20 {
		t.Fatalf("%d goldens, %v", len(goldens), err)
	}
	for _, g := range goldens {
		md, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		inert(t, g, string(md), summaryElements)
	}
}

// TestReleaseNoteIsInert: the release note written for the hostile scenario
// shows its hazard title, change summary and impact assessment as text.
func TestReleaseNoteIsInert(t *testing.T) {
	t.Parallel()
	dir := "testdata/scenarios/markdown-injection"
	record := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append(scenarioArgs(t, dir), "--record", record), os.Getenv, strings.NewReader(""), &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, stdout.String(), stderr.String())
	}
	note, err := os.ReadFile(filepath.Join(record, "release-note.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"javascript:alert", "img src=x", "Approved by the CSO"} {
		if !strings.Contains(html.UnescapeString(string(note)), want) {
			t.Errorf("the note does not show the hostile text %q as text:\n%s", want, note)
		}
	}
	inert(t, "release-note.md", string(note), map[string]*regexp.Regexp{
		"h1": regexp.MustCompile(`^Clinical safety release note: `),
		"h2": regexp.MustCompile(`^(Clinically relevant changes|Hazards touched|CSO approvals|Violations|Warnings|What this note rests on)$`),
		"h3": regexp.MustCompile(`^HAZ-00\d `),
		"p":  nil, "ul": nil, "li": nil, "strong": nil, "em": nil, "code": nil, "br": nil,
		"table": nil, "thead": nil, "tbody": nil, "tr": nil, "th": nil, "td": nil,
	})
}
