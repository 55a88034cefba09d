package facts

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/globset"
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
	ReviewID      int64
	DismissedBy   string
	OriginalState string
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

	Reviews    []Review
	Dismissals []Dismissal
	HeadSHA    string
	Author     string
	// CommitAuthors are logins that authored, committed or co-authored commits.
	CommitAuthors []string
	Today         time.Time
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
		Schema:        SchemaVersion,
		Today:         today.Format(time.DateOnly),
		Product:       log.Product,
		Release:       s.Release,
		HeadSHA:       s.HeadSHA,
		Author:        s.Author,
		CommitAuthors: sortedUnique(s.CommitAuthors),
		Config:        configFacts(s.Config),
		HazardLog:     hazardLogFacts(s, today),
		Hazards:       map[string]Hazard{},
		Changes:       []Change{},
		Files:         []File{},
		SafetyFiles:   []SafetyFile{},
		Officers:      []Officer{},
		Reviews:       []StandingReview{},
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
			Hazards: []string{}, UnknownHazards: []string{}, Touches: []Touch{}}
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
			f := File{Path: p, Hazards: []string{}, CoveredBy: []string{}, ClinicalPath: m.clinicalPaths.MatchAnyTree(p)}
			for _, pi := range m.components.MatchTree(p) {
				id := log.Hazards[m.componentOf[pi]].ID
				// Pattern indices ascend and patterns were laid out hazard by
				// hazard, so a hazard's repeats are adjacent.
				if n := len(f.Hazards); n == 0 || f.Hazards[n-1] != id {
					f.Hazards = append(f.Hazards, id)
				}
			}
			if len(f.Hazards) == 0 && !f.ClinicalPath {
				continue
			}
			for _, id := range f.Hazards {
				touch(id)
			}
			for _, ci := range covering {
				f.CoveredBy = append(f.CoveredBy, in.Changes[ci].ID)
				for _, id := range f.Hazards {
					in.Changes[ci].Touches = append(in.Changes[ci].Touches, Touch{File: p, Hazard: id})
				}
			}
			in.Files = append(in.Files, f)
		}
	}

	officers := map[string]*safetyfile.Officer{}
	for i := range s.Register.Officers {
		o := &s.Register.Officers[i]
		officers[strings.ToLower(o.GitHub)] = o
	}
	authors := map[string]bool{}
	if s.Author != "" {
		authors[strings.ToLower(s.Author)] = true
	}
	for _, a := range s.CommitAuthors {
		authors[strings.ToLower(a)] = true
	}
	for i := range s.Register.Officers {
		o := &s.Register.Officers[i]
		q := qualify(o, log.Product, today, authors)
		in.Officers = append(in.Officers, Officer{Login: o.GitHub, Name: o.Name, Body: o.Body, Registration: o.Registration,
			Eligible: q == "", Ineligible: q})
	}
	in.Reviews = standingReviews(s, officers, authors, log.Product, today)
	return in, nil
}

// qualify returns the first reason code, in the contract's order, that stops
// an officer's approval from counting whatever commit it is on; "" when none.
func qualify(o *safetyfile.Officer, product string, today time.Time, authors map[string]bool) string {
	c := officerChecks(o, product, today, authors)
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

func officerChecks(o *safetyfile.Officer, product string, today time.Time, authors map[string]bool) Checks {
	c := Checks{Registered: true, IDMatches: true}
	c.RegistrationCurrent = !o.RegistrationExpires.IsSet() || !o.RegistrationExpires.Before(today)
	c.Trained = o.Trained.IsSet() && !o.Trained.After(today)
	c.Independent = !authors[strings.ToLower(o.GitHub)]
	c.InScope = len(o.Products) == 0
	for _, p := range o.Products {
		if strings.EqualFold(strings.TrimSpace(p), strings.TrimSpace(product)) {
			c.InScope = true
		}
	}
	return c
}

// standingReviews keeps each reviewer's latest review that approved,
// requested changes or was dismissed (contract 2.1); comments and pending
// drafts change nothing. Reviews arrive in chronological order from GitHub;
// a stable sort by time keeps that order for equal or missing times.
func standingReviews(s *Sources, officers map[string]*safetyfile.Officer, authors map[string]bool, product string, today time.Time) []StandingReview {
	reviews := append([]Review(nil), s.Reviews...)
	sort.SliceStable(reviews, func(i, j int) bool {
		a, b := reviews[i].SubmittedAt, reviews[j].SubmittedAt
		return !a.IsZero() && !b.IsZero() && a.Before(b)
	})
	dismissals := make(map[int64]Dismissal, len(s.Dismissals))
	for _, d := range s.Dismissals {
		dismissals[d.ReviewID] = d
	}
	latest := map[string]int{}
	var order []string
	for i, r := range reviews {
		switch normaliseState(r.State) {
		case "approved", "changes_requested", "dismissed":
		default:
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
		fr := StandingReview{ID: r.ID, Login: r.Login, UserID: r.UserID, State: normaliseState(r.State), CommitID: r.CommitID}
		if !r.SubmittedAt.IsZero() {
			fr.SubmittedAt = r.SubmittedAt.UTC().Format(time.RFC3339)
		}
		if o, ok := officers[key]; ok {
			fr.InRegister, fr.Name, fr.Body, fr.Registration = true, o.Name, o.Body, o.Registration
			fr.Checks = officerChecks(o, product, today, authors)
			// A register entry pinned to an immutable id only matches that
			// account: a renamed or recycled login must not inherit approval rights.
			fr.Checks.IDMatches = o.GitHubID == 0 || o.GitHubID == r.UserID
		}
		fr.Checks.OnHead = s.HeadSHA != "" && r.CommitID == s.HeadSHA
		if fr.State == "dismissed" {
			if d, ok := dismissals[r.ID]; ok {
				fr.DismissedState = normaliseState(d.OriginalState)
				fr.DismissedBy = d.DismissedBy
				_, fr.DismissedByRegistered = officers[strings.ToLower(d.DismissedBy)]
			}
		}
		out = append(out, fr)
	}
	return out
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
