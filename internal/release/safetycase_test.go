package release

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/golden"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/safetyfile"
)

// productLog is the test product's hazard log as committed.
func productLog(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "product", safetyfile.HazardLogPath))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// replaceOnce edits the hazard log, failing when the text to replace is not
// there exactly once (the test would otherwise test nothing).
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("%q occurs %d times in the hazard log, want once", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// hazardLogPull is a CSO-approved pull request that edits the hazard log:
// it adds a control to HAZ-002 and lowers its residual risk 3 → 2, and
// adds HAZ-005. title and hazardTitle let an attack test put hostile text
// in both.
func hazardLogPull(t *testing.T, number int, title, hazardTitle string) pull {
	t.Helper()
	log := productLog(t)
	log = replaceOnce(t, log, `      - id: CTL-011
        description: Pharmacist verification of weight-based doses in paediatrics
        kind: procedure
    initial: {severity: catastrophic, likelihood: medium}
    residual: {severity: major, likelihood: low}
    risk: {initial: 4, residual: 3}`, `      - id: CTL-011
        description: Pharmacist verification of weight-based doses in paediatrics
        kind: procedure
      - id: CTL-012
        description: Weight older than 7 days blocks the dose calculation until re-measured
        kind: design
        evidence: tests/prescribing/weight_block_test.go
    initial: {severity: catastrophic, likelihood: medium}
    residual: {severity: major, likelihood: very-low}
    risk: {initial: 4, residual: 2}`)
	log += fmt.Sprintf(`
  - id: HAZ-005
    title: %q
    description: "Description with <script>alert(1)</script> | a pipe | and `+"`backticks`"+`"
    causes: [Clock skew between servers]
    effects: [A dose given twice]
    harm: Overdose.
    components: ["src/mar/**"]
    controls:
      - id: CTL-040
        description: "Administration times are taken from one clock [x](javascript:alert(1))"
        kind: design
        evidence: "tests/mar/clock_test.go | <img src=x onerror=alert(1)>"
    initial: {severity: major, likelihood: low}
    residual: {severity: major, likelihood: very-low}
    risk: {initial: 3, residual: 2}
    status: open
    owner: Dr Alice Example
    updated: 2026-10-20
`, hazardTitle)
	return pull{number: number, title: title, author: "dev-eve", files: files(safetyfile.HazardLogPath),
		edit: map[string][]byte{safetyfile.HazardLogPath: []byte(log)}, reviews: []review{{login: "alice-gp"}}}
}

// approvedPulls is the standard release with a hazard-log edit before the
// pull request that prepares it.
func approvedPulls(t *testing.T) []pull {
	return insertBefore(standardPulls(), 15, hazardLogPull(t, 16, "Hazard log: CTL-012 for HAZ-002, new HAZ-005", "Dose recorded twice on the administration chart"))
}

// TestSafetyCaseGolden checks the addendum, Markdown and HTML, of an
// approved release, a blocked one and the first release gated (baseline)
// against golden files; go test -update rewrites them.
func TestSafetyCaseGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		res          func(t *testing.T) *Result
		wantDecision string
		want         []string
	}{
		{"approved", func(t *testing.T) *Result { return build(t, approvedPulls(t)).gate(t, "v2.4.0", "") }, decision.Approved,
			[]string{"**SIGNED OFF**", "Dr Alice Example", "HAZ-005", "CTL-012", "3 (medium) → 2 (low)"}},
		{"blocked", func(t *testing.T) *Result {
			ps := approvedPulls(t)
			pullNumber(ps, 15).reviews = []review{{login: "bob-dev"}}
			return build(t, ps).gate(t, "v2.4.0", "")
		}, decision.Blocked, []string{"**NOT SIGNED OFF**", "CSO_RELEASE_SIGNOFF_REQUIRED", "Not signed"}},
		{"baseline", func(t *testing.T) *Result {
			r := newRepo(t, "product", "2.3.0", "")
			r.tag("v2.3.0")
			r.merge(setBaseline(t, 40, "v2.3.0"))
			for _, p := range standardPulls() {
				r.merge(p)
			}
			r.tag("v2.4.0")
			return r.gate(t, "v2.4.0", "")
		}, decision.Approved, []string{"first release gated", "baseline, v2.3.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tt.res(t)
			if d := res.Release.Decision; d.Decision != tt.wantDecision {
				t.Fatalf("decision = %s, want %s; violations %+v", d.Decision, tt.wantDecision, d.Violations)
			}
			md := SafetyCaseMarkdown(res)
			page, err := SafetyCaseHTML(res)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.want {
				if !strings.Contains(md, want) {
					t.Errorf("the Markdown addendum does not say %q", want)
				}
			}
			golden.Check(t, filepath.Join("testdata", "golden", "safety-case-"+tt.name+".md"), []byte(md))
			golden.Check(t, filepath.Join("testdata", "golden", "safety-case-"+tt.name+".html"), []byte(page))
			if again := SafetyCaseMarkdown(res); again != md {
				t.Error("rendering the same result twice gives different Markdown")
			}
			checkSelfContained(t, page)
		})
	}
}

// TestSafetyCaseContent checks what the addendum must say, independently of
// the golden files' layout.
func TestSafetyCaseContent(t *testing.T) {
	t.Parallel()
	res := build(t, approvedPulls(t)).gate(t, "v2.4.0", "")
	if res.HazardLogChanges == nil || !res.HazardLogChanges.Compared || len(res.HazardLogChanges.Changes) != 2 {
		t.Fatalf("hazard log changes since v2.3.0 = %+v, want HAZ-002 modified and HAZ-005 added", res.HazardLogChanges)
	}
	md := SafetyCaseMarkdown(res)
	page, _ := SafetyCaseHTML(res)
	for _, want := range []string{
		"Clinical Safety Case Report addendum: Example EPR v2.4.0",
		"| Date | 2026-11-02 |",
		"From v2.3.0 (" + short(res.PreviousSHA) + ", exclusive) to v2.4.0 (" + short(res.ReleaseSHA) + "): 6 merged pull requests",
		"| #11 | Allergy banner colour and wording |",
		// Each clinically relevant change with its hazard and residual risk.
		"| CHG-101 | Allergy banner colour and wording | true | #11 | HAZ-003 Allergy not visible when prescribing (residual risk 2 (low)",
		// The hazard-log diff since the previous release.
		"| HAZ-002 | Dose calculated with an out-of-date weight | modified | 3 (medium) → 2 (low): acceptable where the cost of further reduction outweighs the benefit | residual likelihood; residual risk; control CTL-012 added |",
		"| HAZ-005 | Dose recorded twice on the administration chart | added | new: 2 (low)",
		// Residual risk by band: HAZ-001, -002, -003, -005 at 2, HAZ-004 at 4.
		"| 4 | high | mandatory elimination or control to an acceptable level | 1 | 1 |",
		"| 2 | low | acceptable where the cost of further reduction outweighs the benefit | 4 | 4 |",
		// Controls with their evidence.
		"| HAZ-003 | CTL-020 | design | Allergy banner cannot be collapsed while prescribing | tests/ui/allergy_banner_test.go |",
		// Open hazards, highest residual risk first.
		"| HAZ-004 | Abnormal result filed without being seen | 4 (high)",
		// The sign-off: name, body and number from the register, date, commit.
		"**SIGNED OFF**",
		"The clinical risks of this release have been assessed in accordance with DCB0129",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown addendum does not say %q:\n%s", want, md)
		}
	}
	signoff := res.Release.Decision.Approvals[0]
	for _, want := range []string{signoff.Name, signoff.Body, signoff.Registration, signoff.Commit, signoff.SubmittedAt} {
		if want == "" || !strings.Contains(md, want) || !strings.Contains(page, want) {
			t.Errorf("the sign-off %q is missing from an addendum", want)
		}
	}
}

// TestSafetyCaseNotSignedOff: a release that is blocked, or needs no CSO,
// is never shown as signed off, whatever approvals it has.
func TestSafetyCaseNotSignedOff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		pulls func(t *testing.T) []pull
		why   string
	}{
		{"blocked with a counted sign-off", func(t *testing.T) []pull {
			ps := approvedPulls(t)
			pullNumber(ps, 12).reviews = []review{{login: "bob-dev"}}
			return ps
		}, "CSO_APPROVAL_REQUIRED"},
		{"no preparing pull request", func(t *testing.T) []pull { return standardPulls()[:4] }, "CSO_RELEASE_SIGNOFF_REQUIRED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := build(t, tt.pulls(t)).gate(t, "v2.4.0", "")
			md := SafetyCaseMarkdown(res)
			page, _ := SafetyCaseHTML(res)
			if res.Release.Decision.Decision != decision.Blocked {
				t.Fatalf("decision = %s, want blocked", res.Release.Decision.Decision)
			}
			for name, out := range map[string]string{"Markdown": md, "HTML": page} {
				if strings.Contains(out, "SIGNED OFF") && !strings.Contains(out, "NOT SIGNED OFF") || strings.Count(out, "NOT SIGNED OFF") != strings.Count(out, "SIGNED OFF") {
					t.Errorf("the %s addendum of a blocked release says SIGNED OFF", name)
				}
				if !strings.Contains(out, tt.why) {
					t.Errorf("the %s addendum does not say why (%s)", name, tt.why)
				}
			}
		})
	}
}

// hostile is text a hostile pull request or hazard log author would write
// to make the addendum say something it should not: a script, a link, a
// forged table row and sign-off, a code span.
const hostile = "Fix</td></tr><script>alert(1)</script> [signed](javascript:alert(1)) | SIGNED OFF | `rm -rf` **bold** <!-- x --> @org/team #1"

// TestSafetyCaseInjection: titles and descriptions with HTML, Markdown and
// script render inert in both outputs.
func TestSafetyCaseInjection(t *testing.T) {
	t.Parallel()
	ps := approvedPulls(t)
	ps[len(ps)-2] = hazardLogPull(t, 16, hostile, hostile)
	pullNumber(ps, 13).title = hostile
	pullNumber(ps, 15).title = hostile // the sign-off names the preparing pull request
	res := build(t, ps).gate(t, "v2.4.0", "")
	md := SafetyCaseMarkdown(res)
	page, err := SafetyCaseHTML(res)
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, page)
	for _, bad := range []string{"<script", "<img", "<!--", "</td></tr><script"} {
		if strings.Contains(md, bad) {
			t.Errorf("the Markdown addendum carries %q unescaped", bad)
		}
	}
	// A link needs "](" with the bracket unescaped.
	if regexp.MustCompile(`[^\\]\]\(javascript:`).MatchString(md) {
		t.Error("the Markdown addendum carries a javascript: link")
	}
	if !strings.Contains(md, "CTL-040") || !strings.Contains(page, "CTL-040") {
		t.Error("the hostile control of the added hazard is not shown, so its escaping is not tested")
	}
	for _, bad := range []string{"<script", "<img", "<!-- x"} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML addendum carries %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the HTML addendum does not show the hostile title as text")
	}
	// Every table row keeps its columns: a "|" from a title cannot add a
	// cell, so "SIGNED OFF" cannot appear in a column of its own.
	checkTableColumns(t, md)
	if strings.Contains(md, "| SIGNED OFF |") {
		t.Error("a title forged a SIGNED OFF cell")
	}
}

// pageTag is an HTML tag as the browser would parse it: escaped text
// (&lt;script&gt;) is not one.
var pageTag = regexp.MustCompile(`<(/?)([!a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)

// pageTags are the only elements the page may have.
var pageTags = map[string]bool{"!DOCTYPE": true, "html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
	"h1": true, "h2": true, "p": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"code": true, "strong": true, "span": true, "br": true, "ul": true, "li": true, "blockquote": true, "footer": true}

// checkSelfContained: the page loads nothing, runs nothing, and prints.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, m := range pageTag.FindAllStringSubmatch(page, -1) {
		if !pageTags[m[2]] {
			t.Errorf("the page has a <%s> element: %s", m[2], m[0])
		}
		if regexp.MustCompile(`(?i)\s(on[a-z]+|src|href|action|formaction)\s*=`).MatchString(m[3]) {
			t.Errorf("the page has an attribute that loads or runs something: %s", m[0])
		}
	}
	for _, bad := range []string{"@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("the page's style loads something: it has %q", bad)
		}
	}
	for _, want := range []string{"<!DOCTYPE html>", `<meta charset="utf-8">`, "<style>", "@media print"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// checkTableColumns checks that every row of each Markdown table has as
// many unescaped "|" as its header.
func checkTableColumns(t *testing.T, md string) {
	t.Helper()
	pipes := func(line string) int {
		n := 0
		for i := 0; i < len(line); i++ {
			if line[i] == '\\' {
				i++
				continue
			}
			if line[i] == '|' {
				n++
			}
		}
		return n
	}
	want := 0
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = 0
			continue
		}
		if want == 0 {
			want = pipes(line)
			continue
		}
		if got := pipes(line); got != want {
			t.Errorf("table row has %d cell separators, its header %d: %s", got, want, line)
		}
	}
}

// TestSafetyCaseBounded: a release of thousands of pull requests, changes,
// hazards and findings gives an addendum of bounded size, each table capped
// with a count of the rest.
func TestSafetyCaseBounded(t *testing.T) {
	t.Parallel()
	const n = 5000
	log := &safetyfile.HazardLog{Product: "Big EPR"}
	d := &decision.Decision{Decision: decision.Blocked, Product: "Big EPR", Release: "9.0.0"}
	res := &Result{Tag: "v9.0.0", Version: "9.0.0", ReleaseSHA: strings.Repeat("a", 40), PreviousTag: "v8.0.0",
		PreviousSHA: strings.Repeat("b", 40), PreviousBy: PreviousPassed, Date: "2026-11-02"}
	for i := range n {
		id := fmt.Sprintf("HAZ-%05d", i)
		log.Hazards = append(log.Hazards, safetyfile.Hazard{ID: id, Title: "A hazard", Status: "open",
			Controls: []safetyfile.Control{{ID: "CTL-" + id, Description: "A control", Evidence: "tests/x_test.go"}}})
		d.ClinicalChanges = append(d.ClinicalChanges, policy.ClinicalChange{ID: fmt.Sprintf("CHG-%05d", i), Hazards: []string{id}})
		d.TouchedHazards = append(d.TouchedHazards, decision.TouchedHazard{ID: id})
		d.Violations = append(d.Violations, policy.Finding{Code: "DIRECT_PUSH", Message: "a finding"})
		res.Pulls = append(res.Pulls, Pull{Number: i + 1, Title: "A pull request"})
	}
	res.Release = &gate.Outcome{Decision: d, HazardLog: log}
	md := SafetyCaseMarkdown(res)
	page, err := SafetyCaseHTML(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(md) > 64<<10 || len(page) > 96<<10 {
		t.Errorf("addendum of a %d-pull-request release: Markdown %d bytes, HTML %d bytes, want at most 64 KiB and 96 KiB", n, len(md), len(page))
	}
	for _, want := range []string{"and 4970 more pull requests", "and 4970 more changes", "and 4970 more controls", "and 4970 more open hazards", "and 4970 more findings"} {
		if !strings.Contains(md, want) || !strings.Contains(page, want) {
			t.Errorf("an addendum does not say %q", want)
		}
	}
}

// flakyPreviousLog is the real client, except that reading the hazard log at
// one commit fails as GitHub failing would.
type flakyPreviousLog struct {
	*github.Client
	sha string
}

func (f flakyPreviousLog) FileAt(ctx context.Context, owner, repo, ref, name string) ([]byte, bool, error) {
	if ref == f.sha && name == safetyfile.HazardLogPath {
		return nil, false, &github.UnavailableError{Operation: "GET /repos/" + owner + "/" + repo + "/contents/" + name, Last: "502 Bad Gateway", Attempts: 4}
	}
	return f.Client.FileAt(ctx, owner, repo, ref, name)
}

// TestPreviousHazardLogRead: a release with no pull request (a direct push
// of documentation) reads the previous release's hazard log for the
// addendum itself, one request more, and a GitHub that fails that read
// blocks the release (GITHUB_UNAVAILABLE) rather than write an addendum
// without the hazard log's changes.
func TestPreviousHazardLogRead(t *testing.T) {
	t.Parallel()
	build := func(t *testing.T) *repo {
		r := newRepo(t, "product", "2.3.0", "v2.3.0")
		r.push(push{author: "dev-dana", files: files("docs/readme.md"), edit: map[string][]byte{"docs/readme.md": []byte("docs\n")}})
		r.tag("v2.3.1")
		return r
	}

	r := build(t)
	c, _ := r.client(t)
	res := Evaluate(context.Background(), c, r.request(t, "v2.3.1", ""))
	if res.HazardLogChanges == nil || !res.HazardLogChanges.Compared || len(res.HazardLogChanges.Changes) != 0 {
		t.Fatalf("hazard log changes = %+v, want compared with v2.3.0 and unchanged", res.HazardLogChanges)
	}
	reads := 0
	for _, q := range r.srv.Requests() {
		if strings.HasSuffix(q.Path, "/contents/"+safetyfile.HazardLogPath) && q.Query.Get("ref") == r.tags["v2.3.0"] {
			reads++
		}
	}
	if reads != 1 {
		t.Errorf("the hazard log at v2.3.0 was read %d times, want once", reads)
	}
	if md := SafetyCaseMarkdown(res); !strings.Contains(md, "No hazard was added, removed or changed.") {
		t.Errorf("the addendum does not say the hazard log is unchanged:\n%s", md)
	}

	r = build(t)
	c, _ = r.client(t)
	res = Evaluate(context.Background(), flakyPreviousLog{Client: c, sha: r.tags["v2.3.0"]}, r.request(t, "v2.3.1", ""))
	d := res.Release.Decision
	if d.Decision != decision.Blocked || d.ExitCode != decision.ExitOperational || len(d.Violations) != 1 || d.Violations[0].Code != decision.CodeGitHubUnavailable {
		t.Fatalf("decision = %s (exit %d) %+v, want blocked, exit 3, GITHUB_UNAVAILABLE", d.Decision, d.ExitCode, d.Violations)
	}
	if msg := d.Violations[0].Message; !strings.Contains(msg, "reading the hazard log of v2.3.0 at "+short(r.tags["v2.3.0"])) {
		t.Errorf("message = %q, want it to name the previous release's hazard log", msg)
	}
	if md := SafetyCaseMarkdown(res); !strings.Contains(md, "**NOT SIGNED OFF**") || !strings.Contains(md, "GITHUB_UNAVAILABLE") {
		t.Errorf("the addendum of the failed release:\n%s", md)
	}
}
