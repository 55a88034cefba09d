package hazardlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// testIssue is an issue as GitHub's list-issues endpoint returns it, with
// the fields csogate does not read present too (GitHub sends them all).
type testIssue struct {
	number    int
	title     string
	body      any // string, or nil for an issue without a body
	state     string
	labels    []string
	assignees []string
	updated   string
	pull      bool
}

func (ti testIssue) object() map[string]any {
	base := "https://api.github.com/repos/nhs-example/epr"
	labels := []any{}
	for i, l := range ti.labels {
		labels = append(labels, map[string]any{
			"id": 208045946 + i, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "url": base + "/labels/" + l,
			"name": l, "description": "", "color": "892CBB", "default": false,
		})
	}
	assignees := []any{}
	for i, a := range ti.assignees {
		assignees = append(assignees, map[string]any{"login": a, "id": 5000 + i, "type": "User", "site_admin": false})
	}
	updated := ti.updated
	if updated == "" {
		updated = "2026-09-12T10:04:05Z"
	}
	state := ti.state
	if state == "" {
		state = "open"
	}
	o := map[string]any{
		"url": fmt.Sprintf("%s/issues/%d", base, ti.number), "repository_url": base,
		"html_url": fmt.Sprintf("https://github.com/nhs-example/epr/issues/%d", ti.number),
		"id":       1000 + ti.number, "node_id": "MDU6SXNzdWUx", "number": ti.number, "title": ti.title,
		"user":   map[string]any{"login": "alice-gp", "id": 583231, "type": "User"},
		"labels": labels, "state": state, "locked": false, "assignee": nil, "assignees": assignees,
		"milestone": nil, "comments": 2, "created_at": "2026-01-05T09:00:00Z", "updated_at": updated,
		"closed_at": nil, "author_association": "MEMBER", "active_lock_reason": nil,
		"body": ti.body, "state_reason": nil, "reactions": map[string]any{"total_count": 0},
	}
	if state == "closed" {
		o["closed_at"] = updated
		o["state_reason"] = "completed"
	}
	if ti.pull {
		o["pull_request"] = map[string]any{"url": fmt.Sprintf("%s/pulls/%d", base, ti.number), "merged_at": nil}
	}
	return o
}

// listing renders pages of issues as gh api --paginate prints them: one
// JSON array per page, one after another.
func listing(t testing.TB, pages ...[]testIssue) []byte {
	t.Helper()
	var b strings.Builder
	for _, page := range pages {
		objs := []any{}
		for _, ti := range page {
			objs = append(objs, ti.object())
		}
		data, err := json.Marshal(objs)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return []byte(b.String())
}

// formBody renders fields as GitHub renders an issue form: "### Label",
// a blank line, the value, a blank line; "_No response_" when empty.
func renderForm(fields ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		v := fields[i+1]
		if v == "" {
			v = "_No response_"
		}
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", fields[i], v)
	}
	return b.String()
}

var templateBody = renderForm(
	"Hazard name", "Wrong patient's record shown after search",
	"Likelihood scoring", "4 - High: Not certain but very possible",
	"Severity scoring", "4 - Major: Death, 1",
	"Description", "Search results can show another patient's record first.",
	"Cause(s)", "- [X] Fuzzy match on surname\n- [ ] Network timeout\n- [x] Stale cache",
	"Effect", "- Clinician reviews the wrong record",
	"Harm", "Wrong treatment given.",
	"Existing controls", "",
	"New hazard controls", "#### Design controls\n- Patient banner shows NHS number\n  - Control ID: CTL-001\n  - Evidence: tests/search_banner_test.go",
	"Hazard status", "",
	"Code associated with hazard", "- `src/search/**`",
)

func goodIssue() testIssue {
	return testIssue{number: 12, title: "Wrong patient's record shown after search", body: templateBody,
		labels: []string{"hazard", "likelihood-low", "severity-major", "risk-level-3-undesirable"}, assignees: []string{"alice-gp"}}
}

func loadListing(t testing.TB, data []byte, format Format) Result {
	t.Helper()
	cfg := config(nil)
	cfg.Product = "Example EPR"
	return loadData("hazard-issues.json", data, format, cfg)
}

func TestIssuesReadTheTemplate(t *testing.T) {
	t.Parallel()
	res := loadListing(t, listing(t, []testIssue{goodIssue()}), FormatGitHubIssues)
	if !res.Valid() {
		t.Fatalf("problems: %v", res.Problems)
	}
	if len(res.Log.Hazards) != 1 {
		t.Fatalf("%d hazards, want 1", len(res.Log.Hazards))
	}
	h := res.Log.Hazards[0]
	want := safetyfile.Hazard{ID: "HAZ-12", Title: "Wrong patient's record shown after search",
		Initial:  safetyfile.Assessment{Severity: risk.Major, Likelihood: risk.High},
		Residual: safetyfile.Assessment{Severity: risk.Major, Likelihood: risk.Low},
		Status:   "open", Owner: "alice-gp", Updated: mustDate(t, "2026-09-12")}
	if h.ID != want.ID || h.Title != want.Title || h.Initial != want.Initial || h.Residual != want.Residual ||
		h.Status != want.Status || h.Owner != want.Owner || h.Updated != want.Updated {
		t.Errorf("hazard\n got %+v\nwant %+v", h, want)
	}
	if strings.Join(h.Causes, "|") != "Fuzzy match on surname|Stale cache" {
		t.Errorf("causes %q: a ticked checkbox is a cause, an unticked one is not", h.Causes)
	}
	if len(h.Controls) != 1 || h.Controls[0].ID != "CTL-001" || h.Controls[0].Kind != "design" || h.Controls[0].Evidence != "tests/search_banner_test.go" {
		t.Errorf("controls %+v", h.Controls)
	}
	if strings.Join(h.Components, ",") != "src/search/**" {
		t.Errorf("components %q", h.Components)
	}
	if res.Log.Product != "Example EPR" {
		t.Errorf("product %q", res.Log.Product)
	}
}

func mustDate(t testing.TB, s string) safetyfile.Date {
	d, err := safetyfile.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestIssuesStrict: each listing is what a hurried engineer or a hostile
// editor of an issue would leave; each must be INPUT_INVALID at the issue.
func TestIssuesStrict(t *testing.T) {
	t.Parallel()
	edit := func(f func(*testIssue)) []testIssue {
		ti := goodIssue()
		f(&ti)
		return []testIssue{ti}
	}
	tests := []struct {
		name   string
		issues []testIssue
		at     string // the problem's cell
		want   string // in its message
	}{
		{"two severity labels", edit(func(ti *testIssue) { ti.labels = append(ti.labels, "severity-minor") }),
			`issue #12 label "severity-minor"`, "two severity labels"},
		{"an unknown likelihood label", edit(func(ti *testIssue) { ti.labels[1] = "likelihood-sometimes" }),
			`issue #12 label "likelihood-sometimes"`, "unknown likelihood"},
		{"an unknown severity label", edit(func(ti *testIssue) { ti.labels[2] = "severity-ouch" }),
			`issue #12 label "severity-ouch"`, "unknown severity"},
		{"a risk level the matrix contradicts", edit(func(ti *testIssue) { ti.labels[3] = "risk-level-2-acceptable" }),
			`issue #12 label "risk-level-2-acceptable"`, "disagrees with the DCB0129 matrix"},
		{"no scoring labels", edit(func(ti *testIssue) { ti.labels = []string{"hazard"} }),
			"issue #12 labels", "no severity label"},
		{"a forged second severity scoring in the body", edit(func(ti *testIssue) {
			ti.body = templateBody + "### Severity scoring\n\n1 - Minor\n\n"
		}), "issue #12 body line", "second value"},
		{"a forged residual scoring lower than the labels", edit(func(ti *testIssue) {
			ti.body = templateBody + "### Residual severity scoring\n\n1 - Minor\n\n### Residual likelihood scoring\n\n1 - Very low\n\n"
		}), "issue #12 body line", "disagrees with the labels"},
		{"a closed issue whose status says open", edit(func(ti *testIssue) {
			ti.state = "closed"
			ti.body = strings.Replace(templateBody, "### Hazard status\n\n_No response_", "### Hazard status\n\nopen", 1)
		}), "issue #12 body line", "the issue is closed"},
		{"an open issue whose status says closed", edit(func(ti *testIssue) {
			ti.body = strings.Replace(templateBody, "### Hazard status\n\n_No response_", "### Hazard status\n\nclosed", 1)
		}), "issue #12 body line", "the issue is open"},
		{"two issues with one hazard id", []testIssue{
			{number: 3, title: "A", body: "### Hazard ID\n\nHAZ-001\n", labels: []string{"hazard", "likelihood-low", "severity-minor"}},
			{number: 4, title: "B", body: "### Hazard ID\n\nHAZ-001\n", labels: []string{"hazard", "likelihood-low", "severity-minor"}},
		}, "issue #", "HAZ-001"},
		{"an issue listed twice", []testIssue{goodIssue(), goodIssue()}, "issue #12", "listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := loadListing(t, listing(t, tc.issues), FormatGitHubIssues)
			if res.Valid() {
				t.Fatalf("read as valid; want INPUT_INVALID at %s", tc.at)
			}
			for _, p := range res.Problems {
				if p.Code == safetyfile.CodeInputInvalid && p.File == "hazard-issues.json" && strings.Contains(p.Cell, tc.at) && strings.Contains(p.Message, tc.want) {
					return
				}
			}
			t.Fatalf("no problem at %q saying %q; got:\n%v", tc.at, tc.want, res.Problems)
		})
	}
}

func TestIssuesListing(t *testing.T) {
	t.Parallel()
	hazard := func(n int) testIssue {
		return testIssue{number: n, title: fmt.Sprintf("Hazard %d", n), body: nil,
			labels: []string{"Hazard", "likelihood-very-low", "severity-minor"}}
	}
	var pages [][]testIssue
	for p := 0; p < 3; p++ {
		var page []testIssue
		for i := 0; i < 30; i++ {
			page = append(page, hazard(p*30+i+1))
		}
		pages = append(pages, page)
	}
	pages[1][4] = testIssue{number: 35, title: "Allow export to CSV", pull: true, labels: []string{"hazard"}}
	pages[2][0] = testIssue{number: 61, title: "Typo in footer", labels: []string{"bug"}}

	t.Run("three pages as gh --paginate prints them", func(t *testing.T) {
		res := loadListing(t, listing(t, pages...), FormatGitHubIssues)
		if !res.Valid() {
			t.Fatalf("problems: %v", res.Problems)
		}
		if n := len(res.Log.Hazards); n != 88 {
			t.Fatalf("%d hazards, want 88 (90 less a pull request and an issue without the label)", n)
		}
		warned := strings.Join(problemStrings(res.Warnings), "\n")
		for _, want := range []string{"issue #35: a pull request", `without the label "hazard"`, "#61"} {
			if !strings.Contains(warned, want) {
				t.Errorf("warnings lack %q:\n%s", want, warned)
			}
		}
	})
	t.Run("--slurp's array of arrays", func(t *testing.T) {
		var slurped []json.RawMessage
		for _, p := range pages {
			slurped = append(slurped, listing(t, p))
		}
		data, _ := json.Marshal(slurped)
		if res := loadListing(t, data, FormatGitHubIssues); !res.Valid() || len(res.Log.Hazards) != 88 {
			t.Fatalf("valid %v, %d hazards: %v", res.Valid(), len(res.Log.Hazards), res.Problems)
		}
	})
	t.Run("another label", func(t *testing.T) {
		f, err := DetectFormat("x.json", false, "github-issues:label=clinical-risk")
		if err != nil {
			t.Fatal(err)
		}
		res := loadListing(t, listing(t, pages...), f)
		if res.Valid() || !strings.Contains(res.Problems[0].Message, `no issue labelled "clinical-risk"`) {
			t.Fatalf("a listing with no issue carrying the label must be invalid; got %v", res.Problems)
		}
	})
	for _, bad := range []string{``, `{}`, `[1]`, `[{"number": 1}]`, `[[{}],{}]`, `null`} {
		t.Run("not a listing: "+bad, func(t *testing.T) {
			res := loadListing(t, []byte(bad), FormatGitHubIssues)
			if res.Valid() || len(res.Problems) == 0 {
				t.Fatalf("%q read as a valid listing", bad)
			}
		})
	}
}

func problemStrings(ps safetyfile.Problems) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func TestIssuesFormatSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, label string
		err       bool
	}{
		{"github-issues", "hazard", false},
		{"GitHub-Issues", "hazard", false},
		{"github-issues:label=clinical-risk", "clinical-risk", false},
		{"github-issues:label=", "", true},
		{"github-issues:label=a,b", "", true},
		{"github-issues:labels=x", "", true},
	} {
		f, err := DetectFormat("issues.json", false, tc.in)
		if (err != nil) != tc.err {
			t.Errorf("%q: error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if label, _ := f.IssueLabel(); !tc.err && label != tc.label {
			t.Errorf("%q: label %q, want %q", tc.in, label, tc.label)
		}
	}
	if _, err := DetectFormat("hazards", true, "github-issues"); err == nil {
		t.Error("a directory named with the github-issues layout must be an error")
	}
}

func FuzzIssues(f *testing.F) {
	f.Add(templateBody, "likelihood-low", "severity-major", "risk-level-3-undesirable", "open")
	f.Add("### Severity scoring\n\n1\n\n### Severity scoring\n\n5\n", "likelihood-3", "severity-", "risk-level-x", "closed")
	f.Add("```\n", "likelihood-very-high", "severity-catastrophic", "", "open")
	f.Add("### Hazard ID\n\n_No response_\n\n- [X] a\n- [ ] b\n", "", "severity-minor", "risk-level-1-acceptable", "closed")
	f.Fuzz(func(t *testing.T, body, lik, sev, rsk, state string) {
		if state != "open" {
			state = "closed"
		}
		ti := testIssue{number: 7, title: "Fuzzed", body: body, state: state, labels: []string{"hazard", lik, sev, rsk}}
		res := loadListing(t, listing(t, []testIssue{ti}), FormatGitHubIssues)
		checkResult(t, res)
		for _, p := range res.Problems {
			if !strings.HasPrefix(p.Cell, "issue #7") && p.Cell != "" {
				t.Fatalf("problem not located at the issue: %v", p)
			}
		}
		if res.Valid() {
			h := res.Log.Hazards[0]
			want := strings.ToLower(strings.TrimSpace(sev))
			if s, err := risk.ParseSeverityScore(strings.TrimPrefix(want, "severity-")); err != nil || s != h.Residual.Severity {
				t.Fatalf("a valid hazard's residual severity %s is not its label %q", h.Residual.Severity, sev)
			}
		}
	})
}

// TestIssuesRoundTrip: YAML → the issues export would create → the issues
// as GitHub lists them → YAML gives the same hazards, for random logs with
// awkward text everywhere. An issue keeps no log-wide standard or review
// date (export reports them as not kept), and its product is the
// configuration's.
func TestIssuesRoundTrip(t *testing.T) {
	t.Parallel()
	runs := 40
	if testing.Short() {
		runs = 8
	}
	for seed := range uint64(runs) {
		r := rand.New(rand.NewPCG(seed, 0x155e))
		log := genLog(r)
		yaml, err := Import(log)
		if err != nil {
			t.Fatal(err)
		}
		data, lost, err := ExportIssues(log, "hazard")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lost {
			if !strings.Contains(l, " standard: ") && !strings.Contains(l, " reviewed: ") {
				t.Errorf("seed %d: export reports a loss: %s", seed, l)
			}
		}
		var created []NewIssue
		if err := json.Unmarshal(data, &created); err != nil {
			t.Fatal(err)
		}
		listed, err := AsListed(created, "https://api.github.com/repos/nhs-example/epr", time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		cfg := verifyConfig()
		cfg.Product = log.Product
		back := loadData("issues.json", listed, FormatGitHubIssues, cfg)
		if !back.Valid() {
			t.Fatalf("seed %d: the exported issues do not read back: %v\n%s", seed, back.Problems, data)
		}
		back.Log.Standard, back.Log.Reviewed = log.Standard, log.Reviewed
		for i := range back.Log.Hazards {
			back.Log.Hazards[i].Source = ""
		}
		again, err := Import(back.Log)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, yaml) {
			t.Errorf("seed %d: YAML → issues → YAML differs\n--- before\n%s\n--- after\n%s\n--- issues\n%s", seed, yaml, again, data)
		}
	}
}

func TestIssuesExportShape(t *testing.T) {
	t.Parallel()
	res := loadListing(t, listing(t, []testIssue{goodIssue()}), FormatGitHubIssues)
	data, _, err := ExportIssues(res.Log, "hazard")
	if err != nil {
		t.Fatal(err)
	}
	var created []NewIssue
	if err := json.Unmarshal(data, &created); err != nil {
		t.Fatal(err)
	}
	is := created[0]
	if strings.Join(is.Labels, ",") != "hazard,likelihood-low,severity-major,risk-level-3-undesirable" || is.State != "open" {
		t.Errorf("labels %q state %q", is.Labels, is.State)
	}
	for _, want := range []string{"### Hazard ID\n\nHAZ-12\n\n", "### Existing controls\n\n_No response_\n\n", "### Severity scoring\n\n4 - Major\n\n"} {
		if !strings.Contains(is.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, is.Body)
		}
	}
}

// TestIssuesLabelSpellings: the template's words in any case, and the
// scores 1-5, name the same grades.
func TestIssuesLabelSpellings(t *testing.T) {
	t.Parallel()
	for _, labels := range [][]string{
		{"hazard", "likelihood-low", "severity-major"},
		{"Hazard", "Likelihood-Low", "SEVERITY-MAJOR", "Risk-Level-3-Undesirable"},
		{"hazard", "likelihood-2", "severity-4", "risk-level-3"},
		{"hazard", " likelihood-low ", "severity-major"},
	} {
		ti := goodIssue()
		ti.labels = labels
		res := loadListing(t, listing(t, []testIssue{ti}), FormatGitHubIssues)
		if !res.Valid() {
			t.Errorf("%q: %v", labels, res.Problems)
			continue
		}
		if r := res.Log.Hazards[0].Residual; r != (safetyfile.Assessment{Severity: risk.Major, Likelihood: risk.Low}) {
			t.Errorf("%q: residual %+v", labels, r)
		}
	}
}

// FuzzIssueListing: whatever bytes stand in for the listing, the reader
// returns a result the gate can decide on or problems naming the listing,
// never a panic.
func FuzzIssueListing(f *testing.F) {
	f.Add(listing(f, []testIssue{goodIssue()}))
	f.Add(listing(f, []testIssue{goodIssue()}, []testIssue{{number: 3, title: "x", pull: true}}))
	f.Add([]byte(`[[{"number":1,"title":"t","state":"open","labels":["hazard","likelihood-low","severity-minor"],"updated_at":"2026-01-01T00:00:00Z"}]]`))
	f.Add([]byte(`[{"number":1,"Number":2,"title":null,"state":"closed","labels":[{"name":null}],"updated_at":"x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := loadListing(t, data, FormatGitHubIssues)
		checkResult(t, res)
		for _, p := range res.Problems {
			if p.File != "hazard-issues.json" {
				t.Fatalf("problem not at the listing: %v", p)
			}
		}
	})
}

// TestIssuesLabelLookAlikes: a second label that a reader takes for a
// severity, likelihood or risk-level label but the gate would not (a
// Cyrillic letter, a Unicode dash, a space, an underscore) shows the CSO
// one assessment while the gate reads another. It is INPUT_INVALID at the
// issue's label, as two labels of a family are.
func TestIssuesLabelLookAlikes(t *testing.T) {
	t.Parallel()
	for _, label := range []string{
		"\u0455everity-catastrophic", // Cyrillic dze for the s
		"severity\u2010catastrophic", // Unicode hyphen
		"severity\u2013catastrophic", // en dash
		"severity catastrophic",
		"severity_catastrophic",
		"Severity: catastrophic",
		"likelihood\u2014very-high", // em dash
		"l\u0131kelihood-very-high", // dotless i
		"risk level 5",
		"risk-level\u20115-unacceptable", // non-breaking hyphen
	} {
		ti := goodIssue()
		ti.labels = append(ti.labels, label)
		res := loadListing(t, listing(t, []testIssue{ti}), FormatGitHubIssues)
		found := false
		for _, p := range res.Problems {
			found = found || p.Code == safetyfile.CodeInputInvalid && strings.Contains(p.Cell, "issue #12 label") && strings.Contains(p.Message, "looks like")
		}
		if res.Valid() || !found {
			t.Errorf("label %q: valid %v, problems %v; want INPUT_INVALID at issue #12's label saying it looks like a family label", label, res.Valid(), res.Problems)
		}
	}
	// Labels that merely start alike are other labels.
	for _, label := range []string{"severity", "severe-bug", "risk", "riskassessment-done", "likely-duplicate", "s\u00e9curit\u00e9"} {
		ti := goodIssue()
		ti.labels = append(ti.labels, label)
		if res := loadListing(t, listing(t, []testIssue{ti}), FormatGitHubIssues); !res.Valid() {
			t.Errorf("label %q: %v", label, res.Problems)
		}
	}
}
