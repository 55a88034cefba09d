package release

import (
	"fmt"
	"slices"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/hazarddiff"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/report"
	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// The safety case addendum's files, as the Action writes them beside the
// release note and as the decision record and attestation name them.
const (
	SafetyCaseFile     = "csogate-safety-case.md"
	SafetyCaseHTMLFile = "csogate-safety-case.html"
)

// maxCaseRows bounds every table of the addendum; the rest is counted ("and
// N more"), as in the pull-request comment. The decision record holds all.
const maxCaseRows = 30

// SafetyStatement is what the CSO signs for a release: the DCB0129
// declaration of the Clinical Safety Case Report, limited to what the gate
// and the CSO's review establish.
var SafetyStatement = []string{
	"I have reviewed the clinically relevant changes in this release, the hazards they affect and the changes to the hazard log since the previous release, as set out in this addendum.",
	"The clinical risks of this release have been assessed in accordance with DCB0129. Each affected hazard has been assessed for its initial and residual risk, the controls relied on are recorded with their evidence, and each residual risk is acceptable, or has been reduced as low as reasonably practicable and is justified in the hazard log.",
	"The hazard log is up to date for this release, and this addendum forms part of the Clinical Safety Case Report for the product.",
	"My sign-off is the approval, as a registered Clinical Safety Officer, of the pull request that prepared this release, on the commit named in the sign-off above. It relates only to this release of this product and does not replace the deploying organisation's own assessment under DCB0160.",
}

// safetyCase is the addendum's content, built once from the result and
// rendered as Markdown and as HTML, so the two always say the same. Every
// string is plain text as read (from the files, GitHub or the decision):
// each renderer makes it literal in its own format.
type safetyCase struct {
	Title, Product, Version, Tag, Date   string
	ReleaseSHA, PreviousTag, PreviousSHA string
	RangeLine, RangeWhy                  string
	DecisionWord, Headline               string
	Blocked                              bool

	Pulls     []casePull
	PullsMore int

	Changes     []caseChange
	ChangesMore int

	// LogBasis says what the hazard log was compared with; LogNote says
	// why it was not, or that nothing changed.
	LogBasis, LogNote string
	LogChanges        []caseLogChange
	LogMore           int

	Bands            []caseBand
	Unrated, Hazards int
	HazardLogMissing bool
	Controls         []caseControl
	ControlsMore     int
	ControlsNote     string
	// TestsLine says which test results the release judged, or that none
	// were given.
	TestsLine         string
	Open              []caseHazard
	OpenMore          int
	SignedOff         bool
	SignOffWord       string
	SignOffPull       int
	SignOffPullTitle  string
	SignOffText       string
	Officers          []caseOfficer
	SignOffWhy        []caseFinding
	SignOffWhyMore    int
	Statement         []string
	StatementSignedBy string
}

type casePull struct {
	Number                 int
	Title, Author, Commit  string
	Verdict, ClinicalItems string
}

type caseChange struct {
	ID, Summary, Declared, Pulls, Assessment string
	Hazards                                  []caseHazard
}

type caseHazard struct {
	ID, Title, Status string
	Residual          int
	Band              string
}

type caseLogChange struct {
	ID, Title, Change, Residual, What string
}

type caseBand struct {
	Rating        int
	Word, Meaning string
	Count, Open   int
}

type caseControl struct {
	Hazard, ID, Kind, Description, Evidence string
	// AtRelease is what the release's repository check found of the
	// evidence at the released commit; Tests what the release workflow's
	// test results showed of the control.
	AtRelease, Tests string
}

type caseOfficer struct {
	Name, Login, Body, Registration, Date, Commit string
}

type caseFinding struct {
	Code, Message string
}

// buildSafetyCase gathers the addendum's content from a release result.
func buildSafetyCase(r *Result) *safetyCase {
	d := releaseDecision(r)
	product := strings.TrimSpace(d.Product)
	if product == "" {
		product = "(product unknown)"
	}
	c := &safetyCase{Product: product, Version: r.Version, Tag: r.Tag, Date: orText(r.Date, "(not recorded)"),
		ReleaseSHA: r.ReleaseSHA, PreviousTag: r.PreviousTag, PreviousSHA: r.PreviousSHA,
		Blocked: d.Decision == decision.Blocked, Statement: SafetyStatement}
	c.Title = fmt.Sprintf("Clinical Safety Case Report addendum: %s %s", product, orText(r.Tag, "(no tag)"))
	c.DecisionWord = strings.ReplaceAll(d.Decision, "_", " ")
	c.Headline = headline(r, d)

	switch {
	case r.PreviousTag == "":
		c.RangeLine = "The range of the release was not established: the gate stopped before it found the previous release."
	default:
		c.RangeLine = fmt.Sprintf("From %s (%s, exclusive) to %s (%s): %s, %s.", r.PreviousTag, decision.ShortSHA(r.PreviousSHA),
			r.Tag, decision.ShortSHA(r.ReleaseSHA), count(len(r.Pulls), "merged pull request"), count(len(r.DirectPushes), "direct push"))
		c.RangeWhy = startWhy(r)
	}

	for i, p := range r.Pulls {
		if i == maxCaseRows {
			c.PullsMore = len(r.Pulls) - i
			break
		}
		cp := casePull{Number: p.Number, Title: p.Title, Author: p.Author, Commit: decision.ShortSHA(p.MergeCommitSHA),
			Verdict: "not evaluated", ClinicalItems: "—"}
		if p.Outcome != nil && p.Outcome.Decision != nil {
			pd := p.Outcome.Decision
			cp.Verdict = strings.ReplaceAll(pd.Decision, "_", " ")
			var ids []string
			for _, ch := range pd.ClinicalChanges {
				ids = append(ids, ch.ID)
			}
			cp.ClinicalItems = dash(strings.Join(ids, ", "))
		}
		c.Pulls = append(c.Pulls, cp)
	}

	c.Changes, c.ChangesMore = caseChanges(r, d)
	caseLog(c, r)
	caseRisk(c, r)
	caseControls(c, r, d)
	caseSignOff(c, r, d)
	return c
}

// caseChanges are the release's clinically relevant changes — those of the
// release-level evaluation, then any a pull request had that the release's
// manifest no longer lists — with the pull requests that brought them and
// their hazards as the release's hazard log has them.
func caseChanges(r *Result, d *decision.Decision) ([]caseChange, int) {
	byPull := map[string][]string{}
	var order []policy.ClinicalChange
	seen := map[string]bool{}
	for _, ch := range d.ClinicalChanges {
		if !seen[ch.ID] {
			seen[ch.ID] = true
			order = append(order, ch)
		}
	}
	for _, p := range r.Pulls {
		if p.Outcome == nil || p.Outcome.Decision == nil {
			continue
		}
		for _, ch := range p.Outcome.Decision.ClinicalChanges {
			byPull[ch.ID] = append(byPull[ch.ID], fmt.Sprintf("#%d", p.Number))
			if !seen[ch.ID] {
				seen[ch.ID] = true
				order = append(order, ch)
			}
		}
	}
	var log *safetyfile.HazardLog
	var manifest *safetyfile.Manifest
	if r.Release != nil {
		log, manifest = r.Release.HazardLog, r.Release.Manifest
	}
	var out []caseChange
	for i, ch := range order {
		if i == maxCaseRows {
			return out, len(order) - i
		}
		cc := caseChange{ID: ch.ID, Summary: "—", Declared: "—", Pulls: dash(strings.Join(byPull[ch.ID], ", ")), Assessment: "none written"}
		if manifest != nil {
			for _, mc := range manifest.Changes {
				if mc.ID == ch.ID {
					cc.Summary, cc.Declared = orText(mc.Summary, "—"), string(mc.Clinical.Declared())
					cc.Assessment = orText(mc.Assessment, "none written")
					break
				}
			}
		}
		for _, id := range ch.Hazards {
			cc.Hazards = append(cc.Hazards, hazardOf(log, d, id))
		}
		out = append(out, cc)
	}
	return out, 0
}

// hazardOf describes a hazard as the release's hazard log has it, or as the
// decision summarised it when the log does not have it.
func hazardOf(log *safetyfile.HazardLog, d *decision.Decision, id string) caseHazard {
	if h := findHazard(log, id); h != nil {
		return caseHazard{ID: h.ID, Title: h.Title, Status: h.Status, Residual: int(h.ResidualRisk()), Band: band(h.ResidualRisk())}
	}
	for _, th := range d.TouchedHazards {
		if th.ID == id {
			return caseHazard{ID: th.ID, Title: th.Title, Status: th.Status, Residual: th.ResidualRisk, Band: band(risk.Rating(th.ResidualRisk))}
		}
	}
	return caseHazard{ID: id, Title: "not in the release's hazard log", Band: band(0)}
}

func findHazard(log *safetyfile.HazardLog, id string) *safetyfile.Hazard {
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

// band names a residual risk as DCB0129's matrix does: "2 (low): acceptable
// where ...".
func band(r risk.Rating) string {
	if !r.Valid() {
		return "not rated"
	}
	return fmt.Sprintf("%d (%s): %s", r, r.Word(), r.Meaning())
}

// caseLog is the hazard log's diff since the previous release.
func caseLog(c *safetyCase, r *Result) {
	ch := r.HazardLogChanges
	switch {
	case r.PreviousBy == PreviousBaseline:
		c.LogBasis = fmt.Sprintf("No earlier release passed the gate: this is the first release gated, so there is no previous gated release to compare with. The hazard log is compared with the configuration's baseline, %s (%s).",
			r.PreviousTag, decision.ShortSHA(r.PreviousSHA))
	case r.HazardIssuesLabel != "" && r.PreviousTag != "":
		c.LogBasis = issuesBasis(r)
	case r.PreviousTag != "":
		c.LogBasis = fmt.Sprintf("The hazard log at %s (%s) compared with the one at %s (%s), hazard by hazard.",
			r.Tag, decision.ShortSHA(r.ReleaseSHA), r.PreviousTag, decision.ShortSHA(r.PreviousSHA))
	}
	switch {
	case ch == nil:
		c.LogNote = "Not compared: the release was not evaluated as far as its hazard log."
		return
	case !ch.Compared:
		c.LogNote = "Not compared: " + ch.Why + "."
		return
	case len(ch.Changes) == 0:
		c.LogNote = "No hazard was added, removed or changed."
		return
	}
	for i, hc := range ch.Changes {
		if i == maxCaseRows {
			c.LogMore = len(ch.Changes) - i
			break
		}
		c.LogChanges = append(c.LogChanges, caseLogChange{ID: hc.ID, Title: hc.Title, Change: hc.Change,
			Residual: residualMove(hc), What: whatChanged(hc)})
	}
}

// issuesBasis says what a hazard log kept as GitHub issues was compared
// with, and which issues were edited outside pull requests since.
func issuesBasis(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The hazard log is kept as GitHub issues (label %s). ", r.HazardIssuesLabel)
	if r.HazardIssuesSince.IsZero() {
		fmt.Fprintf(&b, "No earlier release that passed the gate read them (the range starts at %s), so every hazard issue is under this release's sign-off.", r.PreviousTag)
		return b.String()
	}
	fmt.Fprintf(&b, "It is compared with the issues as they stood when the previous release %s passed the gate (%s): their labels, state and titles rebuilt from each issue's timeline. ",
		r.PreviousTag, r.HazardIssuesSince.UTC().Format("2006-01-02 15:04 UTC"))
	if len(r.HazardIssueEdits) == 0 {
		b.WriteString("No hazard issue was updated since.")
		return b.String()
	}
	var nums []string
	for _, ed := range r.HazardIssueEdits {
		nums = append(nums, fmt.Sprintf("#%d", ed.Number))
	}
	fmt.Fprintf(&b, "Hazard issues edited outside pull requests since: %s. GitHub keeps no earlier version of an issue's body, so body edits are not shown here; the CSO compares each in the issue's history before signing the release off.",
		fileList(nums))
	return b.String()
}

// residualMove is a hazard's residual risk before and after.
func residualMove(hc hazarddiff.HazardChange) string {
	for _, f := range hc.Fields {
		if f.Field != "residual_risk" {
			continue
		}
		before, after, _ := f.Risk()
		switch hc.Change {
		case hazarddiff.Added:
			return "new: " + band(after)
		case hazarddiff.Removed:
			return "was " + band(before)
		}
		return fmt.Sprintf("%s → %s", rating(before), band(after))
	}
	return "unchanged: " + band(risk.Rating(hc.ResidualRisk))
}

func rating(r risk.Rating) string {
	if !r.Valid() {
		return "not rated"
	}
	return fmt.Sprintf("%d (%s)", r, r.Word())
}

// whatChanged lists a hazard's changed fields and controls.
func whatChanged(hc hazarddiff.HazardChange) string {
	if hc.Change != hazarddiff.Modified {
		return fmt.Sprintf("hazard %s", hc.Change)
	}
	var parts []string
	for _, f := range hc.Fields {
		parts = append(parts, strings.ReplaceAll(f.Field, "_", " "))
	}
	for _, cc := range hc.Controls {
		parts = append(parts, fmt.Sprintf("control %s %s", cc.Key, cc.Change))
	}
	if n := len(hc.ComponentsAdded) + len(hc.ComponentsRemoved); n > 0 {
		parts = append(parts, "components")
	}
	return dash(strings.Join(parts, "; "))
}

// caseRisk counts the release's hazards by residual risk band, and lists the
// open ones, highest residual risk first.
func caseRisk(c *safetyCase, r *Result) {
	var log *safetyfile.HazardLog
	if r.Release != nil {
		log = r.Release.HazardLog
	}
	if log == nil {
		c.HazardLogMissing = true
		return
	}
	counts, open := [6]int{}, [6]int{}
	var opens []caseHazard
	for i := range log.Hazards {
		h := &log.Hazards[i]
		rr := h.ResidualRisk()
		isOpen := strings.EqualFold(strings.TrimSpace(h.Status), "open")
		if rr.Valid() {
			counts[rr]++
			if isOpen {
				open[rr]++
			}
		} else {
			c.Unrated++
		}
		if isOpen {
			opens = append(opens, caseHazard{ID: h.ID, Title: h.Title, Status: h.Status, Residual: int(rr), Band: band(rr)})
		}
	}
	c.Hazards = len(log.Hazards)
	for rr := risk.Rating(5); rr >= 1; rr-- {
		c.Bands = append(c.Bands, caseBand{Rating: int(rr), Word: rr.Word(), Meaning: rr.Meaning(), Count: counts[rr], Open: open[rr]})
	}
	slices.SortStableFunc(opens, func(a, b caseHazard) int { return b.Residual - a.Residual })
	if len(opens) > maxCaseRows {
		c.OpenMore = len(opens) - maxCaseRows
		opens = opens[:maxCaseRows]
	}
	c.Open = opens
}

// caseControls lists the controls of the hazards the release touches or
// whose log entry it adds or changes, with the evidence the hazard log
// records for each.
func caseControls(c *safetyCase, r *Result, d *decision.Decision) {
	var log *safetyfile.HazardLog
	if r.Release != nil {
		log = r.Release.HazardLog
	}
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, th := range d.TouchedHazards {
		add(th.ID)
	}
	for _, ch := range c.Changes {
		for _, h := range ch.Hazards {
			add(h.ID)
		}
	}
	if r.HazardLogChanges != nil {
		for _, hc := range r.HazardLogChanges.Changes {
			if hc.Change != hazarddiff.Removed {
				add(hc.ID)
			}
		}
	}
	var statuses decision.EvidenceStatuses
	if r.Release != nil && r.Release.Input != nil {
		statuses = decision.NewEvidenceStatuses(r.Release.Input.Repository)
	}
	judged := map[string][]decision.Control{}
	for _, jc := range d.Controls {
		judged[jc.Hazard] = append(judged[jc.Hazard], jc)
	}
	if d.TestResults != nil {
		c.TestsLine = fmt.Sprintf("Tests in this run: %s in %s of the release workflow's test run, judged against the controls of the hazards the release touches.",
			count(d.TestResults.Cases, "test case"), count(d.TestResults.Reports, "report"))
	} else {
		c.TestsLine = "Tests in this run: not checked, as the release run was given no test results (the test-results input)."
	}
	var all []caseControl
	var bare []string
	for _, id := range ids {
		h := findHazard(log, id)
		if h == nil {
			continue
		}
		if len(h.Controls) == 0 {
			bare = append(bare, id)
		}
		js := judged[id]
		if len(js) != len(h.Controls) {
			js = nil
		}
		for i, ctl := range h.Controls {
			cc := caseControl{Hazard: id, ID: dash(ctl.ID), Kind: dash(ctl.Kind), Description: ctl.Description,
				Evidence:  orText(ctl.Evidence, "none recorded"),
				AtRelease: evidenceWord(statuses.Of(id, ctl.ID, i+1, ctl.Evidence)), Tests: "not checked"}
			switch {
			case d.TestResults == nil:
			case js == nil:
				cc.Tests = "not judged: the release's changes do not touch this hazard"
			default:
				cc.Tests = report.TestsCell(js[i])
			}
			all = append(all, cc)
		}
	}
	switch {
	case len(ids) == 0:
		c.ControlsNote = "The release touches no hazard and changes none in the hazard log."
	case len(bare) > 0:
		c.ControlsNote = "No control is recorded for " + fileList(bare) + "."
	}
	if len(all) > maxCaseRows {
		c.ControlsMore = len(all) - maxCaseRows
		all = all[:maxCaseRows]
	}
	c.Controls = all
}

// caseSignOff says whether the CSO signed the release off: only an approved
// release with a counted CSO approval is signed off; anything else says
// NOT SIGNED OFF and why.
func caseSignOff(c *safetyCase, r *Result, d *decision.Decision) {
	for _, a := range d.Approvals {
		if !a.Counted {
			continue
		}
		c.Officers = append(c.Officers, caseOfficer{Name: orText(a.Name, "(not in the register)"), Login: a.Login, Body: dash(a.Body),
			Registration: dash(a.Registration), Date: dash(a.SubmittedAt), Commit: a.Commit})
	}
	// The sentence after SIGNED OFF or NOT SIGNED OFF: the preparing pull
	// request (SignOffPull, rendered as #N and its title) and then
	// SignOffText, or SignOffText alone.
	prepared := "no merged pull request set release: to " + r.Version
	if p := r.Preparing; p != nil {
		c.SignOffPull, c.SignOffPullTitle, prepared = p.Number, p.Title, ""
	}
	c.SignOffWord = "NOT SIGNED OFF"
	switch {
	case d.Decision == decision.Approved && len(c.Officers) > 0:
		c.SignedOff, c.SignOffWord = true, "SIGNED OFF"
		c.SignOffText = prepared + "; the CSO approved it on its final head, and the release gate approved the release."
		c.StatementSignedBy = "Signed by the Clinical Safety Officer named above, by the approval recorded there."
		return
	case d.Decision == decision.NotRequired:
		c.SignOffPull, c.SignOffPullTitle = 0, ""
		c.SignOffText = "not required, as the release has no clinically relevant change. The statement below is not signed for this release."
	case len(c.Officers) > 0:
		c.SignOffText = prepared + ", and a CSO approved it, but the release is blocked, so it may not be deployed and this addendum is not signed off until every finding below is resolved."
	default:
		c.SignOffText = prepared + ", and no CSO approval counts as the release's sign-off. The release is blocked until the findings below are resolved."
	}
	c.StatementSignedBy = "Not signed: the release has no CSO sign-off."
	for i, v := range d.Violations {
		if i == maxCaseRows {
			c.SignOffWhyMore = len(d.Violations) - i
			break
		}
		c.SignOffWhy = append(c.SignOffWhy, caseFinding{Code: v.Code, Message: strings.Join(strings.Fields(v.Message), " ")})
	}
}

// evidenceWord says an evidence status in the addendum's words.
func evidenceWord(status string) string {
	switch status {
	case "":
		return "—"
	case decision.EvidenceFound:
		return "found"
	case decision.EvidenceMissing:
		return "MISSING"
	case decision.EvidenceURL:
		return "a URL: not fetched"
	case decision.EvidenceTest:
		return "a test: see the tests"
	case decision.EvidenceText:
		return "text: not a file"
	}
	return "not checked"
}

func orText(s, none string) string {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return s
}
