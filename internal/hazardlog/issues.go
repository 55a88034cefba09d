package hazardlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/csogate/csogate/internal/ghlisting"
	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// A hazard log kept as GitHub issues, as the Digital Clinical Safety
// Platform's DCB0129 template keeps it: one issue per hazard, marked with
// the label `hazard`; its likelihood, severity and risk level as labels
// (`likelihood-low`, `severity-major`, `risk-level-3-undesirable`), which the
// CSO changes as controls reduce the risk; the rest in the issue's body,
// under the template's headings as GitHub renders an issue form
// ("### Hazard name\n\nvalue", "_No response_" for a field left empty).
//
// The labels are the hazard's current (residual) assessment. The body's
// "Likelihood scoring" and "Severity scoring" are the initial assessment,
// which the labels give too when the body has none. The layout is read from
// the JSON GitHub's list-issues endpoint returns
// (GET /repos/{owner}/{repo}/issues?labels=hazard&state=all), as
// `gh api --paginate` prints it or the Action fetches it.

// FormatGitHubIssues is the hazard log kept as GitHub issues. Written
// "github-issues" (issues labelled DefaultIssueLabel) or
// "github-issues:label=NAME".
const FormatGitHubIssues Format = "github-issues"

// DefaultIssueLabel marks a hazard issue in the template.
const DefaultIssueLabel = "hazard"

// parseIssuesFormat reads "github-issues" or "github-issues:label=NAME"
// (ok false when s names another layout).
func parseIssuesFormat(s string) (Format, bool, error) {
	rest, found := strings.CutPrefix(s, string(FormatGitHubIssues))
	if !found || (rest != "" && rest[0] != ':') {
		return "", false, nil
	}
	if rest == "" {
		return FormatGitHubIssues, true, nil
	}
	label, ok := strings.CutPrefix(rest, ":label=")
	label = strings.TrimSpace(label)
	switch {
	case !ok:
		return "", true, fmt.Errorf("hazard-log format %q is not known; write github-issues or github-issues:label=NAME", s)
	case label == "" || strings.ContainsAny(label, ",\n\r\t") || len(label) > 50:
		// GitHub reads a comma in ?labels= as a second label that must also be on the issue.
		return "", true, fmt.Errorf("%q: the label must be one GitHub label name (at most 50 characters, no comma)", s)
	}
	return Format(string(FormatGitHubIssues) + ":label=" + label), true, nil
}

// IssueLabel reports whether f is the GitHub-issues layout and, if so, the
// label that marks a hazard issue.
func (f Format) IssueLabel() (string, bool) {
	if f == FormatGitHubIssues {
		return DefaultIssueLabel, true
	}
	label, ok := strings.CutPrefix(string(f), string(FormatGitHubIssues)+":label=")
	return label, ok && label != ""
}

// ghIssue is the part of GitHub's issue object the reader uses.
type ghIssue struct {
	Number        int64
	Title         string
	Body          string
	State         string
	Labels        []string
	Assignees     []string
	UpdatedAt     time.Time
	RepositoryURL string
	PullRequest   bool
}

const issuesHint = "save the output of gh api --paginate 'repos/OWNER/REPO/issues?labels=hazard&state=all' (one array, arrays one after another, or --slurp's array of arrays)"

// issueItems splits a listing into the raw issue objects, in order: one
// JSON array, the arrays `gh api --paginate` prints one after another, or
// the array of arrays of --slurp.
func issueItems(data []byte) ([]json.RawMessage, error) {
	return ghlisting.Items(data, "issues", issuesHint)
}

// decodeIssue reads one issue object by GitHub's exact keys (encoding/json
// alone would also take "Title" for "title").
func decodeIssue(raw json.RawMessage) (ghIssue, error) {
	var is ghIssue
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return is, fmt.Errorf("is not an issue object")
	}
	field := func(key string, v any, required bool) error {
		r, ok := m[key]
		if !ok || string(r) == "null" {
			if required {
				return fmt.Errorf("has no %q", key)
			}
			return nil
		}
		if err := json.Unmarshal(r, v); err != nil {
			return fmt.Errorf("%q is not what GitHub writes there: %v", key, err)
		}
		return nil
	}
	var labels []json.RawMessage
	var assignees []struct {
		Login string `json:"login"`
	}
	var updated string
	for _, f := range []struct {
		key      string
		v        any
		required bool
	}{
		{"number", &is.Number, true}, {"title", &is.Title, true}, {"body", &is.Body, false},
		{"state", &is.State, true}, {"labels", &labels, true}, {"assignees", &assignees, false},
		{"updated_at", &updated, true}, {"repository_url", &is.RepositoryURL, false},
	} {
		if err := field(f.key, f.v, f.required); err != nil {
			return is, err
		}
	}
	if is.Number <= 0 {
		return is, fmt.Errorf("has no issue number")
	}
	if r, ok := m["pull_request"]; ok && string(r) != "null" {
		is.PullRequest = true
	}
	if is.State != "open" && is.State != "closed" {
		return is, fmt.Errorf("state %q is neither open nor closed", is.State)
	}
	t, err := time.Parse(time.RFC3339, updated)
	if err != nil {
		return is, fmt.Errorf("updated_at %q is not an RFC 3339 time", updated)
	}
	is.UpdatedAt = t
	for _, l := range labels {
		// The REST API gives label objects; some tools print bare names.
		var obj struct {
			Name *string `json:"name"`
		}
		var name string
		if err := json.Unmarshal(l, &name); err == nil {
			is.Labels = append(is.Labels, name)
			continue
		}
		if err := json.Unmarshal(l, &obj); err != nil || obj.Name == nil {
			return is, fmt.Errorf("a label is neither a label object with a name nor a name")
		}
		is.Labels = append(is.Labels, *obj.Name)
	}
	for _, a := range assignees {
		if a.Login != "" {
			is.Assignees = append(is.Assignees, a.Login)
		}
	}
	return is, nil
}

// issueCell names a place in an issue for messages: "issue #12 label
// "severity-major"", "issue #12 body line 7".
func issueCell(n int64, what string) string {
	if what == "" {
		return fmt.Sprintf("issue #%d", n)
	}
	return fmt.Sprintf("issue #%d %s", n, what)
}

// labelAssessment is what an issue's labels say.
type labelAssessment struct {
	a              safetyfile.Assessment
	stated         risk.Rating
	sevAt, likAt   safetyfile.Location
	riskAt         safetyfile.Location
	sevOK, likOK   bool
	sevWord        string
	likWord        string
	hasRiskLabel   bool
	problems       safetyfile.Problems
	missingScoring bool
}

var riskLevelLabel = regexp.MustCompile(`^([0-9]+)(?:-(.+))?$`)

// lookAlikeFamily returns the family ("severity", "likelihood",
// "risk-level") a lower-cased label would be read as by a person but not by
// the gate: its family prefix spelled with up to two non-ASCII letters
// (Cyrillic "ѕ", a dotless "ı"), or with a Unicode dash, a space, an
// underscore or a colon for a "-". "" when it looks like none.
func lookAlikeFamily(lower string) string {
	rs := []rune(lower)
	for _, prefix := range []string{"likelihood-", "severity-", "risk-level-"} {
		if len(rs) <= len(prefix) {
			continue
		}
		wild, ok := 0, true
		for i := 0; i < len(prefix) && ok; i++ {
			r, p := rs[i], rune(prefix[i])
			switch {
			case r == p:
			case p == '-' && (unicode.Is(unicode.Pd, r) || unicode.IsSpace(r) || r == '_' || r == ':'):
			case r > unicode.MaxASCII && unicode.IsLetter(r):
				wild++
				ok = wild <= 2
			default:
				ok = false
			}
		}
		if ok {
			return strings.TrimSuffix(prefix, "-")
		}
	}
	return ""
}

// readLabels reads the likelihood-, severity- and risk-level- labels.
// Strict: an unknown value in a family, or two labels of one family, is an
// error naming the issue, because which of them holds is unclear and a
// label edited to lower the risk must be one the CSO can see.
func readLabels(file string, is ghIssue) labelAssessment {
	var la labelAssessment
	at := func(label string) safetyfile.Location {
		return safetyfile.Location{File: file, Cell: issueCell(is.Number, fmt.Sprintf("label %q", label))}
	}
	bad := func(loc safetyfile.Location, format string, args ...any) {
		la.problems = append(la.problems, invalid(loc, format, args...))
	}
	var sevs, liks, risks []string
	for _, l := range is.Labels {
		l = strings.TrimSpace(l)
		lower := strings.ToLower(l)
		switch {
		case strings.HasPrefix(lower, "likelihood-"):
			liks = append(liks, l)
		case strings.HasPrefix(lower, "severity-"):
			sevs = append(sevs, l)
		case strings.HasPrefix(lower, "risk-level-"):
			risks = append(risks, l)
		default:
			if family := lookAlikeFamily(lower); family != "" {
				bad(at(l), "label %q looks like a %s label but is not one the gate reads (a look-alike letter, another dash, a space or an underscore): "+
					"a reader would take it for the hazard's %s while the gate reads the other labels; remove it, or write it %s-VALUE in plain ASCII", l, family, family, family)
			}
		}
	}
	issueAt := safetyfile.Location{File: file, Cell: issueCell(is.Number, "labels")}
	la.sevAt, la.likAt, la.riskAt = issueAt, issueAt, issueAt
	two := func(family string, ls []string) {
		bad(at(ls[1]), "two %s labels (%s): a hazard has one %s; remove the label that no longer applies", family, quoteAll(ls), family)
	}
	switch len(sevs) {
	case 0:
		bad(issueAt, "no severity label: label the issue with its current severity, e.g. severity-major (one of severity-%s)", strings.Join(risk.SeverityWords, ", severity-"))
	case 1:
		la.sevAt = at(sevs[0])
		v := sevs[0][len("severity-"):]
		s, err := risk.ParseSeverityScore(v)
		if err != nil {
			bad(la.sevAt, "label %q: unknown severity; use one of severity-%s", sevs[0], strings.Join(risk.SeverityWords, ", severity-"))
		} else {
			la.a.Severity, la.sevOK, la.sevWord = s, true, v
		}
	default:
		two("severity", sevs)
	}
	switch len(liks) {
	case 0:
		bad(issueAt, "no likelihood label: label the issue with its current likelihood, e.g. likelihood-low (one of likelihood-%s)", strings.Join(risk.LikelihoodWords, ", likelihood-"))
	case 1:
		la.likAt = at(liks[0])
		v := liks[0][len("likelihood-"):]
		l, err := risk.ParseLikelihoodScore(v)
		if err != nil {
			bad(la.likAt, "label %q: unknown likelihood; use one of likelihood-%s", liks[0], strings.Join(risk.LikelihoodWords, ", likelihood-"))
		} else {
			la.a.Likelihood, la.likOK, la.likWord = l, true, v
		}
	default:
		two("likelihood", liks)
	}
	switch len(risks) {
	case 0:
	case 1:
		la.riskAt, la.hasRiskLabel = at(risks[0]), true
		m := riskLevelLabel.FindStringSubmatch(risks[0][len("risk-level-"):])
		var r risk.Rating
		var err error
		if m == nil {
			err = errors.New("no level")
		} else if m[2] == "" {
			r, err = risk.ParseRatingScore(m[1])
		} else {
			r, err = risk.ParseRatingScore(m[1] + " - " + m[2])
		}
		if err != nil {
			bad(la.riskAt, "label %q is not a risk level; use risk-level-N with N 1-5 as the template names them (e.g. risk-level-3-undesirable)", risks[0])
			break
		}
		la.stated = r
		if la.sevOK && la.likOK {
			if want := risk.Of(la.a.Severity, la.a.Likelihood); want != r {
				bad(la.riskAt, "label %q disagrees with the DCB0129 matrix: %s severity with %s likelihood is %d (%s); correct the risk-level label, or the severity or likelihood label",
					risks[0], la.a.Severity, la.a.Likelihood, int(want), want.Meaning())
			}
		}
	default:
		two("risk-level", risks)
	}
	la.missingScoring = !(la.sevOK && la.likOK)
	return la
}

var (
	noResponse    = regexp.MustCompile(`(?m)^[ \t]*_No response_[ \t]*\r?$`)
	checkedItem   = regexp.MustCompile(`(?m)^([ \t]*[-*+][ \t]+)\[[xX]\][ \t]+`)
	uncheckedItem = regexp.MustCompile(`(?m)^[ \t]*[-*+][ \t]+\[ \][ \t].*\r?\n?`)
)

// formBody turns an issue form's rendering into the template's Markdown:
// "_No response_" is an empty field, a ticked checkbox is a list item and
// an unticked one was not chosen.
func formBody(body string) string {
	body = noResponse.ReplaceAllString(body, "")
	body = uncheckedItem.ReplaceAllString(body, "")
	return checkedItem.ReplaceAllString(body, "$1")
}

// bodyFields lists the hazard fields a body has sections for.
func bodyFields(src []byte) map[mdField]bool {
	d := &mdDoc{src: src}
	out := map[mdField]bool{}
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level <= 3 && d.atx(h) {
			out[mdSections[headerKey(withoutNotes(d.headingText(h)))]] = true
		}
	}
	return out
}

// statusOf maps a written status through the configuration's statuses.
func statusOf(s string, cfg *safetyfile.Config) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for k, v := range cfg.Statuses {
		if strings.EqualFold(strings.TrimSpace(k), s) {
			return strings.ToLower(v)
		}
	}
	return s
}

// readIssue reads one hazard issue.
func readIssue(file string, is ghIssue, cfg *safetyfile.Config) *mdHazardFile {
	la := readLabels(file, is)
	body := formBody(strings.ReplaceAll(is.Body, "\r\n", "\n"))
	have := bodyFields([]byte(body))

	// Sections the body lacks come from the issue: its title, and the
	// labels standing for the initial scoring too. They go first, so a body
	// ending in an open code fence cannot swallow them.
	var pre strings.Builder
	titleLines := 0
	if !have[mdTitle] {
		fmt.Fprintf(&pre, "### Hazard name\n\n%s\n\n", escapeProse(oneLine(is.Title)))
		titleLines = 4
	}
	word := func(ok bool, w string) string {
		if !ok {
			return "TBC" // reported at the labels; dropped below
		}
		return w
	}
	if !have[mdSeverity] {
		fmt.Fprintf(&pre, "### Severity scoring\n\n%s\n\n", word(la.sevOK, la.sevWord))
	}
	if !have[mdLikelihood] {
		fmt.Fprintf(&pre, "### Likelihood scoring\n\n%s\n\n", word(la.likOK, la.likWord))
	}
	offset := strings.Count(pre.String(), "\n")
	pseudo := fmt.Sprintf("hazard-%d", is.Number)
	hf := readMarkdownHazard(pseudo, []byte(pre.String()+body), cfg)

	relocate := func(l safetyfile.Location) safetyfile.Location {
		if l.File != pseudo {
			return l
		}
		switch {
		case l.Line > offset:
			return safetyfile.Location{File: file, Cell: issueCell(is.Number, fmt.Sprintf("body line %d", l.Line-offset))}
		case l.Line > 0 && l.Line <= titleLines:
			return safetyfile.Location{File: file, Cell: issueCell(is.Number, "title")}
		case l.Line > 0:
			return safetyfile.Location{File: file, Cell: issueCell(is.Number, "labels")}
		}
		return safetyfile.Location{File: file, Cell: issueCell(is.Number, "")}
	}
	var problems safetyfile.Problems
	for _, p := range hf.problems {
		if p.File == pseudo && p.Line > titleLines && p.Line <= offset {
			continue // a scoring taken from labels: its fault is reported at the labels
		}
		p.Location = relocate(p.Location)
		problems = append(problems, p)
	}
	problems = append(problems, la.problems...)
	for i := range hf.warnings {
		hf.warnings[i].Location = relocate(hf.warnings[i].Location)
	}
	for k, l := range hf.loc {
		hf.loc[k] = relocate(l)
	}
	h := &hf.h
	h.Source = issueCell(is.Number, "")
	issueTitle := oneLine(cleanCell(is.Title))
	if h.Title != "" && !strings.EqualFold(h.Title, issueTitle) {
		hf.warnings = append(hf.warnings, warning(hf.loc["title"],
			"the body's hazard name %q is not the issue's title %q; the title is read as the hazard's name", h.Title, issueTitle))
	}
	h.Title = issueTitle
	hf.loc["title"] = safetyfile.Location{File: file, Cell: issueCell(is.Number, "title")}

	// The labels are the current assessment. Residual scoring in the body
	// must agree with them: two assessments that differ leave it unclear
	// which one the CSO stands behind.
	if have[mdResidualSeverity] || have[mdResidualLikelihood] {
		if !la.missingScoring && h.Residual != la.a {
			problems = append(problems, invalid(hf.loc["residual.severity"],
				"the body's residual scoring (%s severity, %s likelihood) disagrees with the labels (%s, %s), which are the hazard's current assessment; correct the labels or remove the residual scoring from the body",
				h.Residual.Severity, h.Residual.Likelihood, la.a.Severity, la.a.Likelihood))
		}
	}
	if !la.missingScoring {
		h.Residual = la.a
	}
	hf.loc["residual"], hf.loc["residual.severity"], hf.loc["residual.likelihood"] = la.sevAt, la.sevAt, la.likAt
	hf.loc["risk.residual"] = la.riskAt
	if h.Risk != nil && h.Residual.Severity.Valid() && h.Residual.Likelihood.Valid() {
		h.Risk.Residual = int(risk.Of(h.Residual.Severity, h.Residual.Likelihood))
	}

	stateAt := safetyfile.Location{File: file, Cell: issueCell(is.Number, "state")}
	status := statusOf(h.Status, cfg)
	switch {
	case h.Status == "":
		h.Status = is.State
		hf.loc["status"] = stateAt
	case is.State == "closed" && status != "closed" && status != "transferred":
		problems = append(problems, invalid(hf.loc["status"],
			"the issue is closed but its Hazard status says %q; reopen the issue, or set the status to closed (or transferred)", h.Status))
	case is.State == "open" && status == "closed":
		problems = append(problems, invalid(hf.loc["status"],
			"the issue is open but its Hazard status says %q; close the issue, or correct the status", h.Status))
	}
	if h.Owner == "" && len(is.Assignees) > 0 {
		h.Owner = strings.Join(is.Assignees, ", ")
	}
	if !h.Updated.IsSet() {
		h.Updated = safetyfile.Date{Time: time.Date(is.UpdatedAt.Year(), is.UpdatedAt.Month(), is.UpdatedAt.Day(), 0, 0, 0, 0, time.UTC)}
		hf.loc["updated"] = safetyfile.Location{File: file, Cell: issueCell(is.Number, "updated_at")}
	}
	hf.problems = problems
	hf.isHazard = true
	return hf
}

// hasLabel reports whether the issue carries label (GitHub compares label
// names without regard to case).
func hasLabel(is ghIssue, label string) bool {
	for _, l := range is.Labels {
		if strings.EqualFold(strings.TrimSpace(l), label) {
			return true
		}
	}
	return false
}

// repositoryName is the repository an issue belongs to, from its
// repository_url (https://api.github.com/repos/OWNER/REPO).
func repositoryName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(p.Path, "/"), "/")
	if len(parts) >= 3 && parts[len(parts)-3] == "repos" {
		return parts[len(parts)-1]
	}
	return ""
}

// loadIssues reads a listing of GitHub issues as a hazard log. file names
// the listing in messages; every problem is at "file: issue #N …".
func loadIssues(file string, data []byte, label string, cfg *safetyfile.Config) Result {
	res := Result{Files: map[string]string{}}
	log := &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
	res.Log = log
	items, err := issueItems(data)
	if err != nil {
		res.Problems = append(res.Problems, invalid(safetyfile.Location{File: file}, "%v", err))
		res.Refused = true
		return res
	}
	var issues []ghIssue
	seen := map[int64]bool{}
	var unlabelled []string
	repo := ""
	for i, raw := range items {
		is, err := decodeIssue(raw)
		if err != nil {
			where := fmt.Sprintf("item %d of the listing", i+1)
			if is.Number > 0 {
				where = issueCell(is.Number, "")
			}
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: file, Cell: where}, "%v; %s", err, issuesHint))
			res.Refused = true
			continue
		}
		if is.PullRequest {
			res.Warnings = append(res.Warnings, warning(safetyfile.Location{File: file, Cell: issueCell(is.Number, "")},
				"a pull request (GitHub's issues endpoint lists pull requests too), not a hazard; skipped"))
			continue
		}
		if seen[is.Number] {
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: file, Cell: issueCell(is.Number, "")},
				"the issue is listed twice (the listing changed while it was paged through); list the issues again"))
			res.Refused = true
			continue
		}
		seen[is.Number] = true
		if !hasLabel(is, label) {
			unlabelled = append(unlabelled, "#"+strconv.FormatInt(is.Number, 10))
			continue
		}
		if repo == "" {
			repo = repositoryName(is.RepositoryURL)
		}
		issues = append(issues, is)
	}
	if len(unlabelled) > 0 {
		res.Warnings = append(res.Warnings, warning(safetyfile.Location{File: file},
			"%d issue(s) without the label %q are not hazards and were skipped (%s); list only hazards with ?labels=%s", len(unlabelled), label, strings.Join(firstN(unlabelled, 10), ", "), label))
	}
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Number < issues[j].Number })
	switch {
	case strings.TrimSpace(cfg.Product) != "":
		log.Product = cfg.Product
	case repo != "":
		log.Product = repo
	default:
		log.Product = productName(file, cfg)
	}
	// Issues have no log-wide review date; the trusted configuration's
	// hazard_log_reviewed is the CSO's word for it.
	log.Reviewed = cfg.HazardLogReviewed
	var locs []places
	for _, is := range issues {
		hf := readIssue(file, is, cfg)
		res.Problems = append(res.Problems, hf.problems...)
		res.Warnings = append(res.Warnings, hf.warnings...)
		log.Hazards = append(log.Hazards, hf.h)
		locs = append(locs, placesOf(hf.loc))
	}
	if len(log.Hazards) == 0 && len(res.Problems) == 0 {
		res.Problems = append(res.Problems, invalid(safetyfile.Location{File: file},
			"no issue labelled %q: a hazard log with no hazard cannot be released against; label the hazard issues %q, or name the label with github-issues:label=NAME", label, label))
	}
	locate := tableLocator(log, locs, safetyfile.Location{File: file})
	validation := safetyfile.ValidateHazardLog(log, locate, safetyfile.Options{Statuses: cfg.Statuses})
	res.Problems = dropCovered(res.Problems, validation)
	return res
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string{}, s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}

// LoadIssues reads a listing of hazard issues already in memory (the
// Action's answer from GitHub, a decision record's copy) in the layout
// format, which must be github-issues[:label=NAME].
func LoadIssues(name string, data []byte, format Format, cfg *safetyfile.Config) Result {
	if cfg == nil {
		def := safetyfile.DefaultConfig()
		cfg = &def
	}
	if _, ok := format.IssueLabel(); !ok {
		format = FormatGitHubIssues
	}
	res := loadBytes(name, data, format, "", cfg)
	res.finish()
	return res
}
