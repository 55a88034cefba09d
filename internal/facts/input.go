// Package facts turns the gate's inputs — hazard log, manifest, register,
// configuration, changed files, reviews, commits — into the facts document the
// policies decide on. Go works out what is true (which files match which
// hazard globs, whether a reviewer is registered); Rego decides what follows.
// The document is small on purpose: only the hazards, files and officers that
// matter to this change set go in, so evaluation cost follows the change, not
// the size of the hazard log.
package facts

// SchemaVersion names the shape of Input. Custom policies may check it; a
// change that breaks existing policies must bump it. v2 replaced v1's
// per-(file, hazard) changes[].touches with changes[].touched_hazards and
// changes[].touch_groups, so the document grows with the changes and the
// hazards they touch, not with their product.
const SchemaVersion = "csogate.input/v2"

// Input is the document policies receive as `input`.
type Input struct {
	Schema  string `json:"schema"`
	Today   string `json:"today"` // YYYY-MM-DD, the day the gate ran (UTC)
	Product string `json:"product"`
	// ScopeProduct is the product officer scope is checked against: the one
	// the trusted side names (configuration product, else the trusted
	// side's hazard log), never the head's, which the change could rename.
	// "" when the trusted side names none: then only officers without
	// products are in scope. ScopeProductFrom says where it came from.
	ScopeProduct     string `json:"scope_product"`
	ScopeProductFrom string `json:"scope_product_from"`
	Release          string `json:"release"`
	HeadSHA          string `json:"head_sha"`
	// Author is the pull request's author ("" when unknown, e.g. a release commit).
	Author string `json:"author"`
	// CommitAuthors are the logins that authored, committed or co-authored a
	// commit of the change (GitHub noreply addresses resolved to logins, and
	// officers whose registered emails a commit names).
	CommitAuthors []string `json:"commit_authors"`

	Config    Config    `json:"config"`
	HazardLog HazardLog `json:"hazard_log"`
	// HazardLogChanges is the head's log compared with the trusted side's.
	HazardLogChanges HazardLogChanges `json:"hazard_log_changes"`
	// TestEvidence is what the run's test results say about the touched
	// hazards' controls; Given is false when no results were given.
	TestEvidence TestEvidence `json:"test_evidence"`
	// Repository is what the head holds of the checked hazards' code and
	// their controls' evidence.
	Repository Repository `json:"repository"`

	// Hazards holds every hazard the change set touches — named by a change
	// in review or matched by a changed file — keyed by id.
	Hazards map[string]Hazard `json:"hazards"`
	// Changes are the manifest changes under review.
	Changes []Change `json:"changes"`
	// Files are the changed files that matter: those matching a hazard's
	// components or a clinical path, and the gate's own safety files. Other
	// changed files are only counted.
	Files []File `json:"files"`
	// FileHazards are the hazards whose components the files match, sorted,
	// each once. Every change's touched hazards are among them.
	FileHazards []string `json:"file_hazards"`
	// ChangedFilesKnown is false when no list of changed files was given
	// (CLI without --changed-files): file rules then do not apply.
	ChangedFilesKnown bool `json:"changed_files_known"`
	ChangedFileCount  int  `json:"changed_file_count"`
	// SafetyFiles are changed files that are the gate's own inputs.
	SafetyFiles []SafetyFile `json:"safety_files"`

	// Officers is the register, each with whether their approval could count
	// on this change (for "who may approve").
	Officers []Officer `json:"officers"`
	// Reviews are the standing reviews: each reviewer's latest review that
	// approved, requested changes or was dismissed.
	Reviews []StandingReview `json:"reviews"`
	// SkippedReviews are reviews the gate could not attribute to anyone (a
	// deleted account): they neither approve nor stop, and are reported.
	SkippedReviews []SkippedReview `json:"skipped_reviews"`
}

// SkippedReview is a review left out of the standing reviews, and why.
type SkippedReview struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	CommitID string `json:"commit_id"`
	Reason   string `json:"reason"`
}

// Config is the part of the gate configuration that policies read.
type Config struct {
	AcceptableResidualRisk int `json:"acceptable_residual_risk"`
	MinimumApprovals       int `json:"minimum_approvals"`
	// ApprovalsByResidualRisk maps a residual-risk threshold ("3") to the
	// approvals needed when a touched hazard reaches it.
	ApprovalsByResidualRisk map[string]int `json:"approvals_by_residual_risk"`
	HazardLogMaxAgeDays     int            `json:"hazard_log_max_age_days"`
	StaleHazardLog          string         `json:"stale_hazard_log"` // warn | block
}

// HazardLog describes the log as a whole.
type HazardLog struct {
	File        string `json:"file"`
	Reviewed    string `json:"reviewed"` // YYYY-MM-DD, "" when never
	AgeDays     int    `json:"age_days"` // -1 when never reviewed
	Stale       bool   `json:"stale"`
	HazardCount int    `json:"hazard_count"`
}

// Hazard is a touched hazard with its scores.
type Hazard struct {
	ID                 string   `json:"id"`
	Title              string   `json:"title"`
	Status             string   `json:"status"`
	InitialSeverity    string   `json:"initial_severity"`
	InitialLikelihood  string   `json:"initial_likelihood"`
	InitialRisk        int      `json:"initial_risk"`
	ResidualSeverity   string   `json:"residual_severity"`
	ResidualLikelihood string   `json:"residual_likelihood"`
	ResidualRisk       int      `json:"residual_risk"`
	Components         []string `json:"components"`
}

// Change is a manifest change under review.
type Change struct {
	ID       string `json:"id"`
	Summary  string `json:"summary"`
	Clinical string `json:"clinical"` // true | false | unsure (missing is unsure)
	// Hazards are the ids the change names that exist in the log.
	Hazards []string `json:"hazards"`
	// UnknownHazards are ids the change names that the log lacks.
	UnknownHazards []string `json:"unknown_hazards"`
	// TouchedHazards are the hazards whose components the changed files
	// the change's paths cover match, sorted: evidence the change touches them.
	TouchedHazards []string `json:"touched_hazards"`
	// TouchGroups are those files grouped by the hazards they match, in
	// the order the changed-file list first names each group.
	TouchGroups []TouchGroup `json:"touch_groups"`
	// CoveredFiles counts the changed files the change's paths cover.
	CoveredFiles int `json:"covered_files"`
	// AffectedHazards are the hazards the change names or touches (Hazards
	// and TouchedHazards), sorted, each once: what it is assessed against.
	AffectedHazards []string `json:"affected_hazards"`
	// MaxResidualRisk is the highest residual risk among AffectedHazards
	// (0 when none): the risk the change is approved at.
	MaxResidualRisk int `json:"max_residual_risk"`
}

// SampleFiles is how many paths a touch group names; the rest are counted.
const SampleFiles = 3

// TouchGroup is a set of changed files a change covers that match the
// components of the same hazards.
type TouchGroup struct {
	// Hazards whose components every file of the group matches, sorted.
	Hazards []string `json:"hazards"`
	// Files counts the group's files.
	Files int `json:"files"`
	// Sample holds the first SampleFiles of them, in changed-file order.
	Sample []string `json:"sample"`
	// MaxResidualRisk is the highest residual risk among Hazards, worked
	// out once for every group of files matching the same hazards.
	MaxResidualRisk int `json:"max_residual_risk"`
}

// File is a changed file that matters to the gate.
type File struct {
	Path string `json:"path"`
	// Hazards whose components the file matches.
	Hazards []string `json:"hazards"`
	// ClinicalPath is true when the file matches a configured clinical path.
	ClinicalPath bool `json:"clinical_path"`
	// CoveredBy lists the changes under review whose paths cover the file.
	CoveredBy []string `json:"covered_by"`
}

// SafetyFile is a changed file that is one of the gate's own inputs.
type SafetyFile struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // hazard_log | register | config | policy | components_map | manifest
}

// Officer is a register entry with the checks that do not depend on a review.
type Officer struct {
	Login        string `json:"login"`
	Name         string `json:"name"`
	Body         string `json:"body"`
	Registration string `json:"registration"`
	// Eligible is true when the officer's approval could count on this
	// change: registered, not expired, trained, in scope, not an author.
	Eligible bool `json:"eligible"`
	// Ineligible gives the first reason code when Eligible is false.
	Ineligible string `json:"ineligible"`
}

// StandingReview is a reviewer's standing review, with the checks Go established.
type StandingReview struct {
	ID          int64  `json:"id"`
	Login       string `json:"login"`
	UserID      int64  `json:"user_id"`
	State       string `json:"state"` // approved | changes_requested | dismissed
	CommitID    string `json:"commit_id"`
	SubmittedAt string `json:"submitted_at"`
	// Officer is the register entry for the login, when there is one.
	InRegister   bool   `json:"in_register"`
	Name         string `json:"name"`
	Body         string `json:"body"`
	Registration string `json:"registration"`
	Checks       Checks `json:"checks"`
	// IndependenceDetail says how the reviewer took part in the change
	// (which commit, which account or address); "" when independent.
	IndependenceDetail string `json:"independence_detail"`
	// For dismissed reviews: what the review was before dismissal ("" when
	// unknown) and who dismissed it.
	DismissedState        string `json:"dismissed_state"`
	DismissedBy           string `json:"dismissed_by"`
	DismissedByRegistered bool   `json:"dismissed_by_registered"`
	// Dismisser is the dismisser with every check an approval must pass
	// (on_head aside), when the dismissal is known: only a dismisser who
	// could approve lifts a CSO's stop.
	Dismisser *Person `json:"dismisser"`
}

// Person is a GitHub account judged as an officer would be: a dismisser of
// a review.
type Person struct {
	Login              string `json:"login"`
	UserID             int64  `json:"user_id"`
	InRegister         bool   `json:"in_register"`
	Name               string `json:"name"`
	Body               string `json:"body"`
	Registration       string `json:"registration"`
	Checks             Checks `json:"checks"`
	IndependenceDetail string `json:"independence_detail"`
}

// Checks are the conditions for an approval to count, in the contract's
// order of reasons; a false check excludes the approval with its code.
type Checks struct {
	OnHead              bool `json:"on_head"`              // APPROVAL_STALE
	Registered          bool `json:"registered"`           // APPROVER_NOT_REGISTERED
	RegistrationCurrent bool `json:"registration_current"` // APPROVER_REGISTRATION_EXPIRED
	Trained             bool `json:"trained"`              // APPROVER_NOT_TRAINED
	Independent         bool `json:"independent"`          // APPROVER_NOT_INDEPENDENT
	InScope             bool `json:"in_scope"`             // APPROVER_OUT_OF_SCOPE
	IDMatches           bool `json:"id_matches"`           // APPROVER_ID_MISMATCH
}
