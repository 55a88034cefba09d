package facts

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/globset"
	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/safetyfile"
)

// Review is a pull request review as the gate needs it, from GitHub's REST
// list, a webhook or a saved file.
type Review struct {
	ID          int64
	Login       string
	UserID      int64
	State       string // any case: APPROVED, approved, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
	CommitID    string
	SubmittedAt time.Time
}

// Dismissal records who dismissed a review and what it had been, from the
// pull request's review_dismissed events.
type Dismissal struct {
	ReviewID    int64
	DismissedBy string
	// DismissedByID is the dismisser's GitHub user id (0 when unknown): a
	// register entry pinned to an id is matched against it.
	DismissedByID int64
	OriginalState string
}

// Commit is one commit of the change with the people behind it, for the
// independence check.
type Commit struct {
	SHA    string         `json:"sha"`
	People []CommitPerson `json:"people"`
}

// CommitPerson is a commit's author, committer or co-author.
type CommitPerson struct {
	Role string `json:"role"` // author | committer | co-author
	// Logins are the GitHub accounts this person is: the account GitHub
	// matched, and the one a GitHub noreply address names.
	Logins []string `json:"logins"`
	// Email is the address as the commit or its Co-authored-by: trailer
	// wrote it; "" when unknown.
	Email string `json:"email"`
}

// Sources is everything the facts are derived from. The caller has already
// read and validated the files; Build only relates them.
type Sources struct {
	HazardLog     *safetyfile.HazardLog
	HazardLogFile string
	Release       string
	// Changes are the manifest changes under review: the whole manifest for
	// a release, the added or modified entries for a pull request.
	Changes  []safetyfile.Change
	Register *safetyfile.Register
	Config   *safetyfile.Config

	// ChangedFiles is nil when unknown.
	ChangedFiles []string
	// SafetyFiles maps the gate's own input paths to their kind; a key ending
	// in "/" is a directory (policy directories) covering everything under it.
	SafetyFiles map[string]string
	// HazardLogChanged marks the hazard log (HazardLogFile) changed although
	// no changed file is it: release mode, for hazard issues edited since the
	// previous release.
	HazardLogChanged bool

	Reviews    []Review
	Dismissals []Dismissal
	HeadSHA    string
	Author     string
	// CommitAuthors are logins that authored, committed or co-authored commits.
	CommitAuthors []string
	// Commits are the change's commits with their people's accounts and
	// addresses; an officer matched by login or by a registered email is
	// not independent of the change.
	Commits []Commit
	Today   time.Time

	// ScopeProduct is the product officer scope is checked against, as the
	// trusted side names it; "" when the trusted side names none, and then
	// only officers without products are in scope. ScopeProductFrom says
	// where it came from, for messages.
	ScopeProduct     string
	ScopeProductFrom string
}

// Matchers holds the compiled globs of a hazard log and configuration. They
// depend only on trusted, slow-changing files, so release mode compiles them
// once and evaluates many pull requests with them.
type Matchers struct {
	components    *globset.Set
	componentOf   []int // pattern index → hazard index
	clinicalPaths *globset.Set
	ignorePaths   *globset.Set
}

// Compile builds the matchers. Invalid globs were reported by validation, so
// an error here means validation was skipped: it is returned, not ignored.
func Compile(log *safetyfile.HazardLog, cfg *safetyfile.Config) (*Matchers, error) {
	var patterns []string
	var owner []int
	for i, h := range log.Hazards {
		for _, g := range h.Components {
			patterns = append(patterns, g)
			owner = append(owner, i)
		}
	}
	m := &Matchers{componentOf: owner}
	var errs []globset.PatternError
	m.components, errs = globset.Compile(patterns)
	if err := firstError("hazard components", errs); err != nil {
		return nil, err
	}
	m.clinicalPaths, errs = globset.Compile(cfg.ClinicalPaths)
	if err := firstError("clinical_paths", errs); err != nil {
		return nil, err
	}
	m.ignorePaths, errs = globset.Compile(cfg.IgnorePaths)
	if err := firstError("ignore_paths", errs); err != nil {
		return nil, err
	}
	return m, nil
}

func firstError(what string, errs []globset.PatternError) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", what, errs[0].Error())
}

// Build derives the policy input from the sources.
func Build(s *Sources, m *Matchers) (*Input, error) {
	if s.HazardLog == nil || s.Register == nil || s.Config == nil {
		return nil, fmt.Errorf("facts: hazard log, register and configuration are all required")
	}
	today := s.Today.UTC().Truncate(24 * time.Hour)
	log := s.HazardLog
	in := &Input{
		Schema:           SchemaVersion,
		Today:            today.Format(time.DateOnly),
		Product:          log.Product,
		ScopeProduct:     s.ScopeProduct,
		ScopeProductFrom: s.ScopeProductFrom,
		SkippedReviews:   []SkippedReview{},
		Release:          s.Release,
		HeadSHA:          s.HeadSHA,
		Author:           s.Author,
		CommitAuthors:    sortedUnique(s.CommitAuthors),
		Config:           configFacts(s.Config),
		HazardLog:        hazardLogFacts(s, today),
		Hazards:          map[string]Hazard{},
		Changes:          make([]Change, 0, len(s.Changes)),
		Files:            []File{},
		SafetyFiles:      []SafetyFile{},
		Officers:         []Officer{},
		Reviews:          []StandingReview{},
		Repository: Repository{ControlEvidence: controlEvidence(s.Config), Orphaned: []OrphanedHazard{}, Evidence: []repofiles.Evidence{},
			Why: "no list of the repository's files was given (the command line lists the working directory when it is a git work tree, or reads --repo-files)"},
	}
	byID := make(map[string]int, len(log.Hazards))
	for i, h := range log.Hazards {
		byID[h.ID] = i
	}
	touch := func(id string) {
		if _, done := in.Hazards[id]; !done {
			in.Hazards[id] = hazardFacts(&log.Hazards[byID[id]])
		}
	}

	changePaths, changeOf, err := compileChangePaths(s.Changes)
	if err != nil {
		return nil, err
	}
	for _, c := range s.Changes {
		ch := Change{ID: c.ID, Summary: c.Summary, Clinical: string(c.Clinical.Declared()),
			Hazards: []string{}, UnknownHazards: []string{}, TouchedHazards: []string{}, TouchGroups: []TouchGroup{}}
		for _, id := range c.Hazards {
			if _, ok := byID[id]; ok {
				ch.Hazards = append(ch.Hazards, id)
				touch(id)
			} else {
				ch.UnknownHazards = append(ch.UnknownHazards, id)
			}
		}
		in.Changes = append(in.Changes, ch)
	}

	touches := make([]touchGrouper, len(in.Changes))
	sets := hazardSets{}
	if s.ChangedFiles != nil {
		in.ChangedFilesKnown = true
		seen := make(map[string]bool, len(s.ChangedFiles))
		for _, raw := range s.ChangedFiles {
			p := cleanPath(raw)
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			in.ChangedFileCount++
			if kind, ok := safetyKind(p, s.SafetyFiles); ok {
				in.SafetyFiles = append(in.SafetyFiles, SafetyFile{Path: p, Kind: kind})
				continue
			}
			// A path may be a submodule or directory standing for every file
			// below it: it is covered by, and touches, every glob it is above.
			covering := coveringChanges(changePaths.MatchTree(p), changeOf)
			for _, ci := range covering {
				in.Changes[ci].CoveredFiles++
			}
			if m.ignorePaths.MatchAny(p) {
				continue
			}
			hs := sets.of(m.components.MatchTree(p), func(pi int) string { return log.Hazards[m.componentOf[pi]].ID })
			f := File{Path: p, Hazards: hs.ids, CoveredBy: []string{}, ClinicalPath: m.clinicalPaths.MatchAnyTree(p)}
			if len(f.Hazards) == 0 && !f.ClinicalPath {
				continue
			}
			if !hs.touched {
				hs.touched = true
				for _, id := range f.Hazards {
					touch(id)
				}
			}
			for _, ci := range covering {
				f.CoveredBy = append(f.CoveredBy, in.Changes[ci].ID)
				touches[ci].add(p, hs)
			}
			in.Files = append(in.Files, f)
		}
	}

	for ci := range touches {
		in.Changes[ci].TouchedHazards, in.Changes[ci].TouchGroups = touches[ci].result()
	}
	if s.HazardLogChanged && !slices.ContainsFunc(in.SafetyFiles, func(f SafetyFile) bool { return f.Kind == "hazard_log" }) {
		in.SafetyFiles = append(in.SafetyFiles, SafetyFile{Path: s.HazardLogFile, Kind: "hazard_log"})
	}
	Derive(in)

	officers := map[string]*safetyfile.Officer{}
	for i := range s.Register.Officers {
		o := &s.Register.Officers[i]
		officers[strings.ToLower(o.GitHub)] = o
	}
	q := &qualifier{product: s.ScopeProduct, today: today, authorship: newAuthorship(s)}
	for i := range s.Register.Officers {
		o := &s.Register.Officers[i]
		why := q.qualify(o)
		in.Officers = append(in.Officers, Officer{Login: o.GitHub, Name: o.Name, Body: o.Body, Registration: o.Registration,
			Eligible: why == "", Ineligible: why})
		if q.authorship.byEmailOnly(o) {
			in.CommitAuthors = sortedUnique(append(in.CommitAuthors, o.GitHub))
		}
	}
	in.Reviews, in.SkippedReviews = standingReviews(s, officers, q)
	return in, nil
}

// touchGrouper gathers the files one change covers that match hazard
// components, grouped by the hazards each matches: one entry per group, not
// per (file, hazard), so a glob shared by many hazards costs one lookup per
// file.
type touchGrouper struct {
	groups  []TouchGroup
	byKey   map[string]int // hazard ids joined by NUL → index in groups
	hazards map[string]bool
}

// hazardSet is the hazards a set of matched component globs stands for,
// worked out once however many files match the same globs.
type hazardSet struct {
	ids     []string // in hazard-log order, shared by every such file
	sorted  []string
	key     string // sorted ids joined by NUL
	touched bool   // its hazards are in input.hazards already
}

// hazardSets memoises hazard sets by the matched pattern indices, so a
// glob shared by a hundred hazards costs a hundred once, not per file.
type hazardSets struct {
	byPatterns map[string]*hazardSet
	buf        []byte
}

func (h *hazardSets) of(patterns []int, hazardOf func(pi int) string) *hazardSet {
	h.buf = h.buf[:0]
	for _, pi := range patterns {
		h.buf = strconv.AppendInt(h.buf, int64(pi), 36)
		h.buf = append(h.buf, ',')
	}
	if hs, ok := h.byPatterns[string(h.buf)]; ok {
		return hs
	}
	hs := &hazardSet{ids: []string{}}
	for _, pi := range patterns {
		id := hazardOf(pi)
		// Pattern indices ascend and patterns were laid out hazard by
		// hazard, so a hazard's repeats are adjacent.
		if n := len(hs.ids); n == 0 || hs.ids[n-1] != id {
			hs.ids = append(hs.ids, id)
		}
	}
	hs.sorted = hs.ids
	if !sort.StringsAreSorted(hs.sorted) {
		hs.sorted = append([]string(nil), hs.ids...)
		sort.Strings(hs.sorted)
	}
	hs.key = strings.Join(hs.sorted, "\x00")
	if h.byPatterns == nil {
		h.byPatterns = map[string]*hazardSet{}
	}
	h.byPatterns[string(h.buf)] = hs
	return hs
}

// add records a covered file and the hazards it matches.
func (g *touchGrouper) add(file string, hs *hazardSet) {
	if len(hs.ids) == 0 {
		return
	}
	if g.byKey == nil {
		g.byKey, g.hazards = map[string]int{}, map[string]bool{}
	}
	i, ok := g.byKey[hs.key]
	if !ok {
		i = len(g.groups)
		g.byKey[hs.key] = i
		g.groups = append(g.groups, TouchGroup{Hazards: hs.sorted, Sample: []string{}})
		for _, id := range hs.sorted {
			g.hazards[id] = true
		}
	}
	grp := &g.groups[i]
	grp.Files++
	if len(grp.Sample) < SampleFiles {
		grp.Sample = append(grp.Sample, file)
	}
}

func (g *touchGrouper) result() ([]string, []TouchGroup) {
	ids := make([]string, 0, len(g.hazards))
	for id := range g.hazards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if g.groups == nil {
		return ids, []TouchGroup{}
	}
	return ids, g.groups
}

// qualifier holds what an officer's standing is judged against.
type qualifier struct {
	product    string
	today      time.Time
	authorship *authorship
}

// qualify returns the first reason code, in the contract's order, that stops
// an officer's approval from counting whatever commit it is on; "" when none.
func (q *qualifier) qualify(o *safetyfile.Officer) string {
	c, _ := q.checks(o)
	switch {
	case !c.RegistrationCurrent:
		return "APPROVER_REGISTRATION_EXPIRED"
	case !c.Trained:
		return "APPROVER_NOT_TRAINED"
	case !c.Independent:
		return "APPROVER_NOT_INDEPENDENT"
	case !c.InScope:
		return "APPROVER_OUT_OF_SCOPE"
	}
	return ""
}

// checks establishes the register's conditions for an officer; the second
// result says why the officer is not independent ("" when they are).
func (q *qualifier) checks(o *safetyfile.Officer) (Checks, string) {
	c := Checks{Registered: true, IDMatches: true}
	c.RegistrationCurrent = !o.RegistrationExpires.IsSet() || !o.RegistrationExpires.Before(q.today)
	c.Trained = o.Trained.IsSet() && !o.Trained.After(q.today)
	why := q.authorship.of(o)
	c.Independent = why == ""
	c.InScope = inScope(o.Products, q.product)
	return c, why
}

// inScope: no products means every product; otherwise the trusted side's
// product must be among them, and with no trusted product nothing is.
func inScope(products []string, product string) bool {
	if len(products) == 0 {
		return true
	}
	product = strings.TrimSpace(product)
	if product == "" {
		return false
	}
	for _, p := range products {
		if strings.EqualFold(strings.TrimSpace(p), product) {
			return true
		}
	}
	return false
}

// person establishes the checks for a GitHub account acting as an officer:
// a reviewer, or the dismisser of a review. id is the account's user id (0
// when unknown).
func (q *qualifier) person(officers map[string]*safetyfile.Officer, login string, id int64) Person {
	p := Person{Login: login, UserID: id}
	o, ok := officers[strings.ToLower(login)]
	if !ok || login == "" {
		return p
	}
	p.InRegister, p.Name, p.Body, p.Registration = true, o.Name, o.Body, o.Registration
	p.Checks, p.IndependenceDetail = q.checks(o)
	// A register entry pinned to an immutable id only matches that
	// account: a renamed or recycled login must not inherit its rights.
	p.Checks.IDMatches = o.GitHubID == 0 || o.GitHubID == id
	return p
}

// authorship knows who made the change: the pull request's author, the
// logins given as commit authors, and each commit's people.
type authorship struct {
	author  string
	logins  map[string]bool
	commits []Commit
}

func newAuthorship(s *Sources) *authorship {
	a := &authorship{author: s.Author, logins: map[string]bool{}, commits: s.Commits}
	for _, l := range s.CommitAuthors {
		a.logins[strings.ToLower(l)] = true
	}
	return a
}

// of says how the officer took part in the change, naming the commit and
// the account or address; "" when they did not.
func (a *authorship) of(o *safetyfile.Officer) string {
	login := strings.ToLower(o.GitHub)
	if a.author != "" && strings.EqualFold(a.author, o.GitHub) {
		return fmt.Sprintf("@%s authored the pull request", a.author)
	}
	emails := make(map[string]bool, len(o.Emails))
	for _, e := range o.Emails {
		emails[strings.ToLower(strings.TrimSpace(e))] = true
	}
	for _, c := range a.commits {
		for _, p := range c.People {
			for _, l := range p.Logins {
				if strings.ToLower(l) == login {
					return fmt.Sprintf("commit %s was %s by @%s%s", shortSHA(c.SHA), roleVerb(p.Role), l, viaAddress(p.Email))
				}
			}
			if e := strings.ToLower(strings.TrimSpace(p.Email)); e != "" && emails[e] {
				return fmt.Sprintf("commit %s was %s by %s, an address the CSO register lists for @%s", shortSHA(c.SHA), roleVerb(p.Role), quoteEmail(p), o.GitHub)
			}
		}
	}
	if a.logins[login] {
		return fmt.Sprintf("@%s authored, committed or co-authored one of its commits", o.GitHub)
	}
	return ""
}

// byEmailOnly reports an officer who took part in the change only under a
// registered address, whom commit_authors does not yet name.
func (a *authorship) byEmailOnly(o *safetyfile.Officer) bool {
	if len(o.Emails) == 0 || a.logins[strings.ToLower(o.GitHub)] {
		return false
	}
	return strings.Contains(a.of(o), "an address the CSO register lists")
}

func roleVerb(role string) string {
	switch role {
	case "committer":
		return "committed"
	case "co-author":
		return "co-authored"
	}
	return "authored"
}

func viaAddress(email string) string {
	if email == "" {
		return ""
	}
	return " (" + email + ")"
}

func quoteEmail(p CommitPerson) string {
	if p.Role == "co-author" {
		return "Co-authored-by: " + p.Email
	}
	return p.Email
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// before orders reviews as they stand against each other (contract 2.1): a
// review with no time never outranks a dated one, and reviews with equal
// times (or none) go by review id, which GitHub assigns in order.
func before(a, b Review) bool {
	switch az, bz := a.SubmittedAt.IsZero(), b.SubmittedAt.IsZero(); {
	case az != bz:
		return az
	case !az && !a.SubmittedAt.Equal(b.SubmittedAt):
		return a.SubmittedAt.Before(b.SubmittedAt)
	}
	return a.ID < b.ID
}

// standingReviews keeps each reviewer's latest review that approved,
// requested changes or was dismissed (contract 2.1); comments and pending
// drafts change nothing. A review by no account (a deleted user) is skipped
// and listed, so the decision can say so.
func standingReviews(s *Sources, officers map[string]*safetyfile.Officer, q *qualifier) ([]StandingReview, []SkippedReview) {
	reviews := append([]Review(nil), s.Reviews...)
	sort.SliceStable(reviews, func(i, j int) bool { return before(reviews[i], reviews[j]) })
	dismissals := make(map[int64]Dismissal, len(s.Dismissals))
	for _, d := range s.Dismissals {
		dismissals[d.ReviewID] = d // the last dismissal of a review stands
	}
	skipped := []SkippedReview{}
	latest := map[string]int{}
	var order []string
	for i, r := range reviews {
		state := normaliseState(r.State)
		switch state {
		case "approved", "changes_requested", "dismissed":
		default:
			continue
		}
		if strings.TrimSpace(r.Login) == "" {
			skipped = append(skipped, SkippedReview{ID: r.ID, State: state, CommitID: r.CommitID,
				Reason: "the review has no user: GitHub returns none for a deleted account, so nobody can be held to the register for it"})
			continue
		}
		key := strings.ToLower(r.Login)
		if _, ok := latest[key]; !ok {
			order = append(order, key)
		}
		latest[key] = i
	}
	out := make([]StandingReview, 0, len(order))
	for _, key := range order {
		r := reviews[latest[key]]
		p := q.person(officers, r.Login, r.UserID)
		fr := StandingReview{ID: r.ID, Login: r.Login, UserID: r.UserID, State: normaliseState(r.State), CommitID: r.CommitID,
			InRegister: p.InRegister, Name: p.Name, Body: p.Body, Registration: p.Registration,
			Checks: p.Checks, IndependenceDetail: p.IndependenceDetail}
		if !r.SubmittedAt.IsZero() {
			fr.SubmittedAt = r.SubmittedAt.UTC().Format(time.RFC3339)
		}
		fr.Checks.OnHead = s.HeadSHA != "" && r.CommitID == s.HeadSHA
		if fr.State == "dismissed" {
			if d, ok := dismissals[r.ID]; ok {
				fr.DismissedState = normaliseState(d.OriginalState)
				fr.DismissedBy = d.DismissedBy
				_, fr.DismissedByRegistered = officers[strings.ToLower(d.DismissedBy)]
				dp := q.person(officers, d.DismissedBy, d.DismissedByID)
				fr.Dismisser = &dp
			}
		}
		out = append(out, fr)
	}
	return out, skipped
}

// normaliseState folds review states from REST (APPROVED) and webhooks (approved).
func normaliseState(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func compileChangePaths(changes []safetyfile.Change) (*globset.Set, []int, error) {
	var patterns []string
	var owner []int
	for i, c := range changes {
		for _, p := range c.Paths {
			patterns = append(patterns, p)
			owner = append(owner, i)
		}
	}
	set, errs := globset.Compile(patterns)
	return set, owner, firstError("manifest paths", errs)
}

func configFacts(c *safetyfile.Config) Config {
	by := make(map[string]int, len(c.Approvals.ByResidualRisk))
	for k, v := range c.Approvals.ByResidualRisk {
		by[strconv.Itoa(k)] = v
	}
	return Config{AcceptableResidualRisk: c.AcceptableResidualRisk, MinimumApprovals: c.Approvals.Minimum,
		ApprovalsByResidualRisk: by, HazardLogMaxAgeDays: c.HazardLogMaxAgeDays, StaleHazardLog: c.StaleHazardLog}
}

func hazardLogFacts(s *Sources, today time.Time) HazardLog {
	h := HazardLog{File: s.HazardLogFile, AgeDays: -1, HazardCount: len(s.HazardLog.Hazards),
		Stale: s.HazardLog.Stale(today, s.Config.HazardLogMaxAgeDays)}
	if s.HazardLog.Reviewed.IsSet() {
		h.Reviewed = s.HazardLog.Reviewed.String()
		h.AgeDays = int(today.Sub(s.HazardLog.Reviewed.Time).Hours() / 24)
	}
	return h
}

func hazardFacts(h *safetyfile.Hazard) Hazard {
	components := h.Components
	if components == nil {
		components = []string{}
	}
	return Hazard{ID: h.ID, Title: h.Title, Status: h.Status,
		InitialSeverity: h.Initial.Severity.String(), InitialLikelihood: h.Initial.Likelihood.String(), InitialRisk: int(h.InitialRisk()),
		ResidualSeverity: h.Residual.Severity.String(), ResidualLikelihood: h.Residual.Likelihood.String(), ResidualRisk: int(h.ResidualRisk()),
		Components: components}
}

// safetyKind reports whether p is one of the gate's own input files, lies
// under one (a directory hazard log or policy directory), or is a directory
// above one: a submodule at "safety" replaces every file under it. Of
// several inputs below p, the first by path names the kind, so the answer
// does not depend on map order.
func safetyKind(p string, safety map[string]string) (string, bool) {
	if kind, ok := safety[p]; ok {
		return kind, true
	}
	for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if kind, ok := safety[dir+"/"]; ok {
			return kind, true
		}
	}
	below, kind := "", ""
	for name, k := range safety {
		if strings.HasPrefix(name, p+"/") && (below == "" || name < below) {
			below, kind = name, k
		}
	}
	return kind, below != ""
}

// cleanPath normalises a changed-file path as git prints it.
func cleanPath(p string) string {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(p, "./")
	if p == "" {
		return ""
	}
	return path.Clean(p)
}

// coveringChanges maps matched path patterns to the distinct changes that
// own them, in manifest order (pattern indices ascend, owners with them).
func coveringChanges(patterns []int, changeOf []int) []int {
	var out []int
	for _, pi := range patterns {
		if ci := changeOf[pi]; len(out) == 0 || out[len(out)-1] != ci {
			out = append(out, ci)
		}
	}
	return out
}

func sortedUnique(list []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range list {
		k := strings.ToLower(s)
		if s == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// controlEvidence is the configuration's setting; a configuration made in
// code without it has the default.
func controlEvidence(c *safetyfile.Config) string {
	if c.ControlEvidence == "" {
		return "warn"
	}
	return c.ControlEvidence
}
