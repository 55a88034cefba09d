package safetyfile

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/globset"
	"github.com/csogate/csogate/internal/risk"
)

// idPattern is the shape of hazard and change ids (contract 1.1).
var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)

// loginPattern is GitHub's rule for user logins.
var loginPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)

// Options carries what validation needs from the configuration.
type Options struct {
	// Statuses maps hazard statuses outside the accepted four onto one of them.
	Statuses map[string]string
	// Limit bounds the file's size and its values' (the configuration's
	// max_input_bytes).
	Limit Limit
}

// HazardLogLimit is the size limit the configuration sets the hazard log.
func (c *Config) HazardLogLimit() Limit {
	return Limit{Bytes: c.MaxInputBytes, Raise: fmt.Sprintf("raise max_input_bytes (now %d) in the configuration, %s, on the base branch", c.MaxInputBytes, ConfigPath)}
}

// LoadHazardLog decodes and validates a YAML hazard log.
func LoadHazardLog(file string, data []byte, opts Options) (*HazardLog, Locator, Problems) {
	log, locate, problems, _ := ReadHazardLog(file, data, opts)
	return log, locate, problems
}

// ReadHazardLog is LoadHazardLog; read is false when the file could not be
// decoded as a whole (a syntax error, a limit reached), so its hazards are
// unknown rather than absent.
func ReadHazardLog(file string, data []byte, opts Options) (log *HazardLog, locate Locator, problems Problems, read bool) {
	log = &HazardLog{}
	problems, locate, ok := decodeYAMLOpt(file, data, log, false, opts.Limit)
	if !ok {
		return log, locate, problems, false
	}
	return log, locate, merge(problems, ValidateHazardLog(log, locate, opts)), true
}

// ValidateHazardLog checks a hazard log read from any layout: required fields,
// unique ids, assessed scores, stated risks that agree with the matrix, known
// statuses and control kinds, and globs that compile. It normalises statuses
// in place, so later stages see one of the accepted four.
func ValidateHazardLog(log *HazardLog, locate Locator, opts Options) Problems {
	r := &report{locate: locate}
	if strings.TrimSpace(log.Product) == "" {
		r.invalid("product", "product is required: name the product this hazard log is for (it scopes which CSOs may approve)")
	}
	if log.Standard != "" {
		switch strings.ToUpper(strings.TrimSpace(log.Standard)) {
		case "DCB0129", "DCB0160":
			log.Standard = strings.ToUpper(strings.TrimSpace(log.Standard))
		default:
			r.invalid("standard", "standard %q is not known; write DCB0129 (manufacturer) or DCB0160 (deploying organisation)", log.Standard)
		}
	}
	if log.Hazards == nil {
		r.invalid("hazards", "hazards is required: list the product's hazards (an empty list is written hazards: [])")
	}
	firstLine := map[string]string{}
	for i := range log.Hazards {
		h := &log.Hazards[i]
		at := fmt.Sprintf("hazards[%d]", i)
		switch {
		case strings.TrimSpace(h.ID) == "":
			r.invalid(at, "hazard %d has no id; add id: HAZ-NNN", i+1)
		case !idPattern.MatchString(h.ID):
			r.invalid(at+".id", "hazard id %q must start with a letter and use only letters, digits, '.', '_' and '-' (e.g. HAZ-001)", h.ID)
		case firstLine[h.ID] != "":
			r.invalid(at+".id", "hazard id %q is used twice (first at %s); give each hazard its own id", h.ID, firstLine[h.ID])
		default:
			firstLine[h.ID] = locate(at + ".id").String()
		}
		name := h.ID
		if name == "" {
			name = fmt.Sprintf("hazard %d", i+1)
		}
		if strings.TrimSpace(h.Title) == "" {
			r.invalid(at, "%s has no title; add title: a short description of the hazard", name)
		}
		validateAssessment(r, at+".initial", name, "initial", h.Initial)
		validateAssessment(r, at+".residual", name, "residual", h.Residual)
		if h.Risk != nil {
			checkStated(r, at+".risk.initial", name, "initial", h.Risk.Initial, h.InitialRisk(), h.Initial)
			checkStated(r, at+".risk.residual", name, "residual", h.Risk.Residual, h.ResidualRisk(), h.Residual)
		}
		if status, ok := NormaliseStatus(h.Status, opts.Statuses); ok {
			h.Status = status
		} else {
			r.invalid(at+".status", "%s: status %q is not known; write one of %s, or map it under statuses: in the gate configuration (e.g. %q: open)",
				name, h.Status, strings.Join(Statuses, ", "), h.Status)
		}
		for j, c := range h.Controls {
			cat := fmt.Sprintf("%s.controls[%d]", at, j)
			if strings.TrimSpace(c.Description) == "" {
				r.invalid(cat, "%s: control %d has no description; say what the control does", name, j+1)
			}
			if c.Kind != "" && !slices.Contains(ControlKinds, strings.ToLower(c.Kind)) {
				r.invalid(cat+".kind", "%s: control kind %q is not known; write one of %s", name, c.Kind, strings.Join(ControlKinds, ", "))
			}
		}
		for j, g := range h.Components {
			if err := ValidGlob(g); err != nil {
				r.invalid(fmt.Sprintf("%s.components[%d]", at, j), "%s: component %v", name, err)
			}
		}
	}
	return r.problems
}

// NormaliseStatus maps a status as written to one of Statuses, through the
// configured mapping when needed. An empty status is open: a hazard nobody
// has closed is still a hazard.
func NormaliseStatus(status string, mapping map[string]string) (string, bool) {
	s := strings.ToLower(strings.TrimSpace(status))
	if s == "" {
		return "open", true
	}
	if slices.Contains(Statuses, s) {
		return s, true
	}
	for from, to := range mapping {
		if strings.EqualFold(strings.TrimSpace(from), strings.TrimSpace(status)) {
			to = strings.ToLower(strings.TrimSpace(to))
			if slices.Contains(Statuses, to) {
				return to, true
			}
		}
	}
	return "", false
}

func validateAssessment(r *report, at, name, which string, a Assessment) {
	if !a.Severity.Valid() && !a.Likelihood.Valid() {
		r.invalid(at, "%s has no %s assessment; add %s: {severity: ..., likelihood: ...} (a hazard nobody has scored cannot be released against)", name, which, which)
		return
	}
	if !a.Severity.Valid() {
		r.invalid(at+".severity", "%s: %s severity is not assessed; write one of %s (a hazard nobody has scored cannot be released against)",
			name, which, strings.Join(risk.SeverityWords, ", "))
	}
	if !a.Likelihood.Valid() {
		r.invalid(at+".likelihood", "%s: %s likelihood is not assessed; write one of %s (a hazard nobody has scored cannot be released against)",
			name, which, strings.Join(risk.LikelihoodWords, ", "))
	}
}

func checkStated(r *report, at, name, which string, stated int, matrix risk.Rating, a Assessment) {
	if stated == 0 || !matrix.Valid() {
		return
	}
	if stated != int(matrix) {
		r.invalid(at, "%s: stated %s risk %d disagrees with the DCB0129 matrix: %s severity with %s likelihood is %d (%s); correct the risk or the scores",
			name, which, stated, a.Severity, a.Likelihood, matrix, matrix.Meaning())
	}
}

// ValidGlob reports whether a glob is usable as a repository path pattern.
// It defers to globset, which the gate matches with, so that anything
// validation accepts also compiles at evaluation time.
func ValidGlob(g string) error {
	if err := globset.Valid(g); err != nil {
		return errors.New(err.Error())
	}
	return nil
}

// LoadManifest decodes and validates a change manifest.
func LoadManifest(file string, data []byte) (*Manifest, Locator, Problems) {
	var m Manifest
	problems, locate, ok := decodeYAML(file, data, &m)
	if !ok {
		return &m, locate, problems
	}
	r := &report{locate: locate}
	if strings.TrimSpace(m.Release) == "" {
		r.invalid("release", "release is required: write the version this manifest describes, e.g. release: 2.4.0")
	}
	if m.Changes == nil {
		r.invalid("changes", "changes is required: list the release's changes (an empty list is written changes: [])")
	}
	firstLine := map[string]string{}
	for i, c := range m.Changes {
		at := fmt.Sprintf("changes[%d]", i)
		switch {
		case strings.TrimSpace(c.ID) == "":
			r.invalid(at, "change %d has no id; add id: CHG-NNN", i+1)
		case !idPattern.MatchString(c.ID):
			r.invalid(at+".id", "change id %q must start with a letter and use only letters, digits, '.', '_' and '-' (e.g. CHG-101)", c.ID)
		case firstLine[c.ID] != "":
			r.invalid(at+".id", "change id %q is used twice (first at %s); give each change its own id", c.ID, firstLine[c.ID])
		default:
			firstLine[c.ID] = locate(at + ".id").String()
		}
		if strings.TrimSpace(c.Summary) == "" {
			r.invalid(at, "change %s has no summary; add summary: what changes, in a line", orNumber(c.ID, i))
		}
		for j, id := range c.Hazards {
			// A hazard id reaches the gate's comment and summary; only the
			// hazard log's id form may, so no entry can carry markup.
			if !idPattern.MatchString(id) {
				r.invalid(fmt.Sprintf("%s.hazards[%d]", at, j), "change %s: hazard %s is not a hazard id: it must start with a letter and use only letters, digits, '.', '_' and '-' (e.g. HAZ-001), as in the hazard log",
					orNumber(c.ID, i), quoteShort(id))
			}
		}
		for j, p := range c.Paths {
			if err := ValidGlob(p); err != nil {
				r.invalid(fmt.Sprintf("%s.paths[%d]", at, j), "change %s: path %v", orNumber(c.ID, i), err)
			}
		}
	}
	return &m, locate, merge(problems, r.problems)
}

// merge adds validation problems to decoding problems, leaving out those at
// a place decoding already reported: "unknown likelihood" says it all, and a
// second "likelihood is not assessed" at the same cell would only be noise.
func merge(decoded, validated Problems) Problems {
	at := make(map[Location]bool, len(decoded))
	for _, p := range decoded {
		at[p.Location] = true
	}
	for _, p := range validated {
		if !at[p.Location] {
			decoded = append(decoded, p)
		}
	}
	return decoded
}

// CheckHazardRefs reports manifest changes that name hazards the log does not
// have (UNKNOWN_HAZARD): a change cannot be assessed against a hazard nobody wrote down.
func CheckHazardRefs(m *Manifest, locate Locator, log *HazardLog, logFile string) Problems {
	known := make(map[string]bool, len(log.Hazards))
	for _, h := range log.Hazards {
		known[h.ID] = true
	}
	r := &report{locate: locate}
	for i, c := range m.Changes {
		for j, id := range c.Hazards {
			if !known[id] {
				r.add(fmt.Sprintf("changes[%d].hazards[%d]", i, j), CodeUnknownHazard,
					"change %s names hazard %s, which is not in the hazard log %s; add the hazard to the log or correct the id", orNumber(c.ID, i), id, logFile)
			}
		}
	}
	return r.problems
}

// LoadRegister decodes and validates the CSO register.
func LoadRegister(file string, data []byte) (*Register, Locator, Problems) {
	var reg Register
	problems, locate, ok := decodeYAML(file, data, &reg)
	if !ok {
		return &reg, locate, problems
	}
	r := &report{locate: locate}
	if reg.Officers == nil {
		r.invalid("officers", "officers is required: list the Clinical Safety Officers who may approve (officers: [] leaves nobody able to approve)")
	}
	firstLogin := map[string]string{}
	firstID := map[int64]string{}
	firstEmail := map[string]string{}
	for i := range reg.Officers {
		o := &reg.Officers[i]
		at := fmt.Sprintf("officers[%d]", i)
		who := o.GitHub
		if who == "" {
			who = fmt.Sprintf("officer %d", i+1)
		}
		switch {
		case strings.TrimSpace(o.GitHub) == "":
			r.invalid(at, "officer %d has no github login; add github: their GitHub username", i+1)
		case !loginPattern.MatchString(o.GitHub):
			r.invalid(at+".github", "github %q is not a GitHub login (letters, digits and single hyphens, at most 39 characters)", o.GitHub)
		case firstLogin[strings.ToLower(o.GitHub)] != "":
			r.invalid(at+".github", "officer %s is listed twice (first at %s); keep one entry per person", o.GitHub, firstLogin[strings.ToLower(o.GitHub)])
		default:
			firstLogin[strings.ToLower(o.GitHub)] = locate(at + ".github").String()
		}
		if o.GitHubID < 0 {
			r.invalid(at+".github_id", "%s: github_id must be the positive numeric id of the GitHub user (gh api users/%s --jq .id)", who, o.GitHub)
		} else if o.GitHubID > 0 {
			if prev := firstID[o.GitHubID]; prev != "" {
				r.invalid(at+".github_id", "%s: github_id %d is already given to another officer at %s", who, o.GitHubID, prev)
			}
			firstID[o.GitHubID] = locate(at + ".github_id").String()
		}
		if strings.TrimSpace(o.Name) == "" {
			r.invalid(at, "%s has no name; add name: as on their professional registration", who)
		}
		if strings.TrimSpace(o.Registration) == "" {
			r.invalid(at, "%s has no registration; add registration: their number with the professional body", who)
		}
		if body, ok := normaliseBody(o.Body); ok {
			o.Body = body
		} else {
			r.invalid(at+".body", "%s: professional body %q is not known; write one of %s", who, o.Body, strings.Join(ProfessionalBodies, ", "))
		}
		if !o.Trained.IsSet() {
			r.invalid(at, "%s has no trained date; add trained: YYYY-MM-DD, when they completed clinical risk management training", who)
		}
		for j, e := range o.Emails {
			eat := fmt.Sprintf("%s.emails[%d]", at, j)
			key := strings.ToLower(strings.TrimSpace(e))
			switch {
			case !emailPattern.MatchString(strings.TrimSpace(e)):
				r.invalid(eat, "%s: %q is not an email address; write the address as git records it, e.g. alice@trust.nhs.uk", who, e)
			case firstEmail[key] != "":
				// One address, two officers: a commit under it could not be
				// told apart, so neither entry could be trusted.
				r.invalid(eat, "%s: email %s is already listed at %s; an address belongs to one officer", who, e, firstEmail[key])
			default:
				firstEmail[key] = locate(eat).String()
			}
		}
	}
	return &reg, locate, merge(problems, r.problems)
}

// emailPattern accepts an address as git records it: one @, no spaces or
// angle brackets (a Co-authored-by: trailer's "Name <email>" is the email
// between the brackets).
var emailPattern = regexp.MustCompile(`^[^\s<>@]+@[^\s<>@]+$`)

func normaliseBody(b string) (string, bool) {
	for _, known := range ProfessionalBodies {
		if strings.EqualFold(strings.TrimSpace(b), known) {
			return known, true
		}
	}
	return "", false
}

// LoadConfig decodes and validates the gate configuration over the defaults.
func LoadConfig(file string, data []byte) (*Config, Locator, Problems) {
	cfg := DefaultConfig()
	problems, locate, ok := decodeYAMLOpt(file, data, &cfg, true, Limit{})
	if !ok {
		return &cfg, locate, problems
	}
	r := &report{locate: locate}
	if cfg.Approvals.Minimum < 1 {
		r.invalid("approvals.minimum", "approvals.minimum is %d; it must be at least 1 (a clinically relevant change always needs a CSO)", cfg.Approvals.Minimum)
	}
	for k, v := range cfg.Approvals.ByResidualRisk {
		at := fmt.Sprintf("approvals.by_residual_risk.%d", k)
		if k < 1 || k > 5 {
			r.invalid(at+"#key", "by_residual_risk key %d is not a risk rating; write 1-5", k)
		}
		if v < 1 {
			r.invalid(at, "by_residual_risk %d: %d approvals; write at least 1", k, v)
		}
	}
	if cfg.AcceptableResidualRisk < 1 || cfg.AcceptableResidualRisk > 4 {
		r.invalid("acceptable_residual_risk", "acceptable_residual_risk %d is out of range; write 1-4 (DCB0129 never accepts a 5; the default 3 also refuses 4)", cfg.AcceptableResidualRisk)
	}
	if cfg.MaxInputBytes < 1<<20 {
		r.invalid("max_input_bytes", "max_input_bytes is %d; write at least 1048576 (1 MiB; the default is %d, 64 MiB)", cfg.MaxInputBytes, DefaultMaxInputBytes)
	}
	if cfg.HazardLogMaxAgeDays < 1 {
		r.invalid("hazard_log_max_age_days", "hazard_log_max_age_days must be at least 1 (default 365)")
	}
	switch cfg.StaleHazardLog {
	case "warn", "block":
	default:
		r.invalid("stale_hazard_log", "stale_hazard_log %q is not known; write warn or block", cfg.StaleHazardLog)
	}
	switch cfg.RiskReductionWithoutControl {
	case "warn", "block":
	default:
		r.invalid("risk_reduction_without_control", "risk_reduction_without_control %q is not known; write warn or block", cfg.RiskReductionWithoutControl)
	}
	switch cfg.ControlTests {
	case "warn", "required":
	default:
		r.invalid("control_tests", "control_tests %q is not known; write warn or required", cfg.ControlTests)
	}
	switch cfg.ControlEvidence {
	case "warn", "required":
	default:
		r.invalid("control_evidence", "control_evidence %q is not known; write warn or required", cfg.ControlEvidence)
	}
	for _, list := range []struct {
		key   string
		globs []string
	}{{"clinical_paths", cfg.ClinicalPaths}, {"ignore_paths", cfg.IgnorePaths}} {
		for j, g := range list.globs {
			if err := ValidGlob(g); err != nil {
				r.invalid(fmt.Sprintf("%s[%d]", list.key, j), "%s: %v", list.key, err)
			}
		}
	}
	for j, dir := range cfg.Policies {
		if err := relativePath(dir); err != nil {
			r.invalid(fmt.Sprintf("policies[%d]", j), "policies: %v", err)
		}
	}
	for from, to := range cfg.Statuses {
		if !slices.Contains(Statuses, strings.ToLower(strings.TrimSpace(to))) {
			r.invalid("statuses."+from, "statuses: %q maps to %q; map it to one of %s", from, to, strings.Join(Statuses, ", "))
		}
	}
	if cfg.HazardIDPrefix != "" && !idPattern.MatchString(cfg.HazardIDPrefix+"1") {
		r.invalid("hazard_id_prefix", "hazard_id_prefix %q must start with a letter and use only letters, digits, '.', '_' and '-'", cfg.HazardIDPrefix)
	}
	if b := cfg.Baseline; b != "" && (strings.TrimSpace(b) != b || strings.ContainsAny(b, " \t\r\n~^:?*[\\")) {
		r.invalid("baseline", "baseline %q is not a tag name; write the tag of the last release before the gate was adopted, e.g. baseline: v2.3.0", b)
	}
	validateEmergency(r, cfg.Emergency)
	return &cfg, locate, merge(problems, r.problems)
}

// validateEmergency checks the emergency section and fills its defaults. Each
// approver is pinned to an immutable GitHub id: a renamed or recycled login
// must never inherit the right to let a commit through without a CSO.
func validateEmergency(r *report, e *Emergency) {
	if e == nil {
		return
	}
	if e.ReviewWithinDays == 0 {
		e.ReviewWithinDays = DefaultReviewWithinDays
	}
	if e.MinReasonLength == 0 {
		e.MinReasonLength = DefaultMinReasonLength
	}
	if e.ReviewWithinDays < 1 {
		r.invalid("emergency.review_within_days", "emergency.review_within_days is %d; write at least 1 (default 3)", e.ReviewWithinDays)
	}
	if e.MinReasonLength < 1 {
		r.invalid("emergency.min_reason_length", "emergency.min_reason_length is %d; write at least 1 (default 20)", e.MinReasonLength)
	}
	if len(e.Approvers) == 0 {
		r.invalid("emergency.approvers", "emergency.approvers is empty; name at least one approver, or remove the emergency section to turn overrides off")
	}
	seen := map[string]bool{}
	for i, a := range e.Approvers {
		at := fmt.Sprintf("emergency.approvers[%d]", i)
		login := strings.ToLower(a.GitHub)
		switch {
		case !loginPattern.MatchString(a.GitHub):
			r.invalid(at+".github", "%s: github %q is not a GitHub login", at, a.GitHub)
		case seen[login]:
			r.invalid(at+".github", "%s: @%s is listed twice", at, a.GitHub)
		}
		seen[login] = true
		if a.GitHubID <= 0 {
			r.invalid(at+".github_id", "%s: github_id is required: the positive numeric id of the GitHub user (gh api users/%s --jq .id)", at, a.GitHub)
		}
		if strings.TrimSpace(a.Name) == "" {
			r.invalid(at+".name", "%s: name is required: the decision names who overrode", at)
		}
		if strings.TrimSpace(a.Role) == "" {
			r.invalid(at+".role", "%s: role is required (e.g. Medical Director): the decision names the role that overrode", at)
		}
		for j, em := range a.Emails {
			if !emailPattern.MatchString(strings.TrimSpace(em)) {
				r.invalid(fmt.Sprintf("%s.emails[%d]", at, j), "%s: %q is not an email address", at, em)
			}
		}
	}
}

func relativePath(p string) error {
	switch {
	case strings.TrimSpace(p) == "":
		return fmt.Errorf("a directory name is empty")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is absolute; write it relative to the repository root", p)
	case p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "/../"):
		return fmt.Errorf("%q leaves the repository with '..'", p)
	}
	return nil
}

// LoadComponentsMap decodes and validates a hazard → globs map. Ids are checked
// against the log by CheckComponentsMap once the log is read.
func LoadComponentsMap(file string, data []byte) (ComponentsMap, Locator, Problems) {
	var m ComponentsMap
	problems, locate, ok := decodeYAMLOpt(file, data, &m, true, Limit{})
	if !ok {
		return m, locate, problems
	}
	r := &report{locate: locate}
	for id, globs := range m {
		for j, g := range globs {
			if err := ValidGlob(g); err != nil {
				r.invalid(fmt.Sprintf("%s[%d]", id, j), "%s: %v", id, err)
			}
		}
	}
	return m, locate, merge(problems, r.problems)
}

// CheckComponentsMap reports ids in the map that the hazard log lacks.
func CheckComponentsMap(m ComponentsMap, locate Locator, log *HazardLog) Problems {
	known := make(map[string]bool, len(log.Hazards))
	for _, h := range log.Hazards {
		known[h.ID] = true
	}
	r := &report{locate: locate}
	for id := range m {
		if !known[id] {
			r.invalid(id+"#key", "hazard %s is not in the hazard log; remove it or correct the id", id)
		}
	}
	return r.problems
}

// ApplyComponentsMap adds the mapped globs to hazards that name no components of their own.
func ApplyComponentsMap(log *HazardLog, m ComponentsMap) {
	for i := range log.Hazards {
		h := &log.Hazards[i]
		if len(h.Components) == 0 {
			h.Components = append(h.Components, m[h.ID]...)
		}
	}
}

// Stale reports whether the log's last review is older than maxAgeDays on
// the given day. A log never reviewed is stale.
func (log *HazardLog) Stale(today time.Time, maxAgeDays int) bool {
	if !log.Reviewed.IsSet() {
		return true
	}
	return today.Sub(log.Reviewed.Time) > time.Duration(maxAgeDays)*24*time.Hour
}

func orNumber(id string, i int) string {
	if id != "" {
		return id
	}
	return fmt.Sprintf("%d", i+1)
}

// quoteShort quotes at most the first 40 characters of s: enough to find
// the entry, too little to carry a paragraph into the gate's messages.
func quoteShort(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return strconv.Quote(string(r[:limit])) + "…"
	}
	return strconv.Quote(s)
}
