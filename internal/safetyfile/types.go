// Package safetyfile reads the gate's YAML files — hazard log, change manifest,
// CSO register, gate configuration and components map — strictly, and checks
// them against the contract and the DCB0129 risk matrix. It reports every
// problem at once, each with the file, line and column and what to write
// instead, because a CSO fixing a log wants one list, not one error per run.
package safetyfile

import (
	"time"

	"github.com/csogate/csogate/internal/risk"
)

// Default file locations, relative to the repository root (contract section 1).
const (
	HazardLogPath     = "safety/hazard-log.yaml"
	ManifestPath      = "safety/changes.yaml"
	RegisterPath      = "safety/cso-register.yaml"
	ConfigPath        = "safety/csogate.yaml"
	ComponentsMapPath = "safety/hazard-components.yaml"
)

// HazardLog is the product's hazard log (contract 1.1), whatever layout it was read from.
type HazardLog struct {
	Product  string   `yaml:"product" json:"product"`
	Standard string   `yaml:"standard" json:"standard,omitempty"`
	Reviewed Date     `yaml:"reviewed" json:"reviewed,omitempty"`
	Hazards  []Hazard `yaml:"hazards" json:"hazards"`
}

// Hazard is one entry of the hazard log.
type Hazard struct {
	ID          string     `yaml:"id" json:"id"`
	Title       string     `yaml:"title" json:"title"`
	Description string     `yaml:"description" json:"description,omitempty"`
	Causes      []string   `yaml:"causes" json:"causes,omitempty"`
	Effects     []string   `yaml:"effects" json:"effects,omitempty"`
	Harm        string     `yaml:"harm" json:"harm,omitempty"`
	Components  []string   `yaml:"components" json:"components,omitempty"`
	Controls    []Control  `yaml:"controls" json:"controls,omitempty"`
	Initial     Assessment `yaml:"initial" json:"initial"`
	Residual    Assessment `yaml:"residual" json:"residual"`
	Risk        *Stated    `yaml:"risk" json:"risk,omitempty"`
	Status      string     `yaml:"status" json:"status,omitempty"`
	Owner       string     `yaml:"owner" json:"owner,omitempty"`
	Updated     Date       `yaml:"updated" json:"updated,omitempty"`
	// Source says where the hazard was read from when that is not a YAML
	// line (a spreadsheet row, a Markdown file); import writes it as a comment.
	Source string `yaml:"-" json:"-"`
}

// InitialRisk is the matrix rating of the initial assessment.
func (h *Hazard) InitialRisk() risk.Rating { return risk.Of(h.Initial.Severity, h.Initial.Likelihood) }

// ResidualRisk is the matrix rating of the residual assessment.
func (h *Hazard) ResidualRisk() risk.Rating {
	return risk.Of(h.Residual.Severity, h.Residual.Likelihood)
}

// Control is a measure that reduces a hazard's risk, with its evidence.
type Control struct {
	ID          string `yaml:"id" json:"id,omitempty"`
	Description string `yaml:"description" json:"description"`
	Kind        string `yaml:"kind" json:"kind,omitempty"`
	Evidence    string `yaml:"evidence" json:"evidence,omitempty"`
}

// ControlKinds are the accepted values of Control.Kind.
var ControlKinds = []string{"design", "test", "training", "procedure", "other"}

// Assessment is a severity and likelihood pair, before or after controls.
type Assessment struct {
	Severity   risk.Severity   `yaml:"severity" json:"severity"`
	Likelihood risk.Likelihood `yaml:"likelihood" json:"likelihood"`
}

// Stated is the risk a hazard log writes down; it must agree with the matrix.
type Stated struct {
	Initial  int `yaml:"initial" json:"initial,omitempty"`
	Residual int `yaml:"residual" json:"residual,omitempty"`
}

// Statuses are the hazard statuses the gate understands. Open, transferred and
// closed are the DCB0129 statuses; mitigated is common in real logs.
var Statuses = []string{"open", "transferred", "closed", "mitigated"}

// Manifest is the change manifest of a release (contract 1.2).
type Manifest struct {
	Release string   `yaml:"release" json:"release"`
	Changes []Change `yaml:"changes" json:"changes"`
}

// Change is one entry of the manifest.
type Change struct {
	ID         string   `yaml:"id" json:"id"`
	Summary    string   `yaml:"summary" json:"summary"`
	Clinical   Clinical `yaml:"clinical" json:"clinical"`
	Hazards    []string `yaml:"hazards" json:"hazards,omitempty"`
	Paths      []string `yaml:"paths" json:"paths,omitempty"`
	Assessment string   `yaml:"assessment" json:"assessment,omitempty"`
}

// Clinical is a change's declared clinical relevance. Missing means unsure,
// and unsure is treated as clinical: nobody has said it is safe to skip review.
type Clinical string

const (
	ClinicalTrue   Clinical = "true"
	ClinicalFalse  Clinical = "false"
	ClinicalUnsure Clinical = "unsure"
)

// Declared returns the declaration with "missing" read as unsure.
func (c Clinical) Declared() Clinical {
	if c == "" {
		return ClinicalUnsure
	}
	return c
}

// Register is the CSO register (contract 1.3).
type Register struct {
	Officers []Officer `yaml:"officers" json:"officers"`
}

// Officer is a Clinical Safety Officer as the register records them.
type Officer struct {
	GitHub              string   `yaml:"github" json:"github"`
	GitHubID            int64    `yaml:"github_id" json:"github_id,omitempty"`
	Name                string   `yaml:"name" json:"name"`
	Body                string   `yaml:"body" json:"body"`
	Registration        string   `yaml:"registration" json:"registration"`
	RegistrationExpires Date     `yaml:"registration_expires" json:"registration_expires,omitempty"`
	Trained             Date     `yaml:"trained" json:"trained,omitempty"`
	Products            []string `yaml:"products" json:"products,omitempty"`
	// Emails are the officer's other commit addresses (a work address not
	// linked to the GitHub account): commits and Co-authored-by: trailers
	// under them count against the officer's independence too.
	Emails []string `yaml:"emails" json:"emails,omitempty"`
}

// ProfessionalBodies are the accepted values of Officer.Body.
var ProfessionalBodies = []string{"GMC", "NMC", "GPhC", "HCPC", "GDC", "GOC", "GOsC", "GCC", "PSNI", "other"}

// Config is the optional gate configuration (contract 1.4).
type Config struct {
	ClinicalPaths          []string          `yaml:"clinical_paths" json:"clinical_paths"`
	IgnorePaths            []string          `yaml:"ignore_paths" json:"ignore_paths"`
	Approvals              Approvals         `yaml:"approvals" json:"approvals"`
	AcceptableResidualRisk int               `yaml:"acceptable_residual_risk" json:"acceptable_residual_risk"`
	HazardLogMaxAgeDays    int               `yaml:"hazard_log_max_age_days" json:"hazard_log_max_age_days"`
	StaleHazardLog         string            `yaml:"stale_hazard_log" json:"stale_hazard_log"`
	Policies               []string          `yaml:"policies" json:"policies"`
	Columns                map[string]string `yaml:"columns" json:"columns,omitempty"`
	Statuses               map[string]string `yaml:"statuses" json:"statuses,omitempty"`
	HazardIDPrefix         string            `yaml:"hazard_id_prefix" json:"hazard_id_prefix"`
	Product                string            `yaml:"product" json:"product,omitempty"`
	// Baseline is the tag (or full commit sha) of the last release made
	// before the gate was adopted: release mode starts the range there while
	// no release has yet passed the gate.
	Baseline string `yaml:"baseline" json:"baseline,omitempty"`
	// HazardLogReviewed is the day a CSO last reviewed the whole hazard log
	// when it is kept as GitHub issues, which have no log-wide reviewed:
	// date of their own: HAZARD_LOG_STALE judges it. It is in the trusted
	// configuration, so moving it needs a CSO's approval.
	HazardLogReviewed Date `yaml:"hazard_log_reviewed" json:"hazard_log_reviewed,omitempty"`
	// MaxInputBytes bounds the hazard log: its size, and the bytes of its
	// values once aliases are expanded.
	MaxInputBytes int64 `yaml:"max_input_bytes" json:"max_input_bytes"`
	// Emergency names who may override a missing CSO approval in an
	// emergency; nil (no section) turns overrides off.
	Emergency *Emergency `yaml:"emergency" json:"emergency,omitempty"`

	// RiskReductionWithoutControl is warn (the default: a CSO approves the
	// reassessment) or block, for a residual risk lowered with no control
	// added or changed on the hazard.
	RiskReductionWithoutControl string `yaml:"risk_reduction_without_control" json:"risk_reduction_without_control"`

	// ControlTests is warn (the default) or required: what a control that
	// expects test evidence does when the run's test results link no test
	// to it (CONTROL_TEST_MISSING). A failing linked test always blocks.
	ControlTests string `yaml:"control_tests" json:"control_tests"`
	// ControlEvidence is warn (the default) or required: what a control
	// whose evidence names a file the head does not hold does
	// (CONTROL_EVIDENCE_MISSING).
	ControlEvidence string `yaml:"control_evidence" json:"control_evidence"`
}

// Emergency is the configuration's emergency override section (contract 4.2).
type Emergency struct {
	Approvers []EmergencyApprover `yaml:"approvers" json:"approvers"`
	// ReviewWithinDays is how many calendar days (UTC) after the merge a
	// counted CSO has to review the overridden commit retrospectively
	// (default 3); once overdue, every release is blocked.
	ReviewWithinDays int `yaml:"review_within_days" json:"review_within_days"`
	// MinReasonLength is the fewest characters an override's reason may
	// have (default 20): a reason is a sentence, not "urgent".
	MinReasonLength int `yaml:"min_reason_length" json:"min_reason_length"`
}

// EmergencyApprover is a person who may override, pinned to their GitHub id.
type EmergencyApprover struct {
	GitHub   string `yaml:"github" json:"github"`
	GitHubID int64  `yaml:"github_id" json:"github_id"`
	Name     string `yaml:"name" json:"name"`
	Role     string `yaml:"role" json:"role"`
	// Emails are the approver's other commit addresses: commits under them
	// make the approver an author of the change, who cannot override it.
	Emails []string `yaml:"emails" json:"emails,omitempty"`
}

// Emergency defaults (contract 4.2).
const (
	DefaultReviewWithinDays = 3
	DefaultMinReasonLength  = 20
)

// Approvals sets how many counted CSO approvals a clinically relevant change set needs.
type Approvals struct {
	Minimum        int         `yaml:"minimum" json:"minimum"`
	ByResidualRisk map[int]int `yaml:"by_residual_risk" json:"by_residual_risk,omitempty"`
}

// DefaultConfig returns the configuration used when no file exists, and the
// base onto which a file's keys are decoded.
func DefaultConfig() Config {
	return Config{
		ClinicalPaths:               []string{},
		IgnorePaths:                 []string{},
		Approvals:                   Approvals{Minimum: 1},
		AcceptableResidualRisk:      3,
		HazardLogMaxAgeDays:         365,
		StaleHazardLog:              "warn",
		Policies:                    []string{},
		HazardIDPrefix:              "HAZ-",
		MaxInputBytes:               DefaultMaxInputBytes,
		RiskReductionWithoutControl: "warn",
		ControlTests:                "warn",
		ControlEvidence:             "warn",
	}
}

// RequiredApprovals returns the counted approvals needed when the highest
// residual risk touched is maxResidual: the minimum, raised by every
// by_residual_risk threshold that maxResidual reaches.
func (c *Config) RequiredApprovals(maxResidual int) int {
	need := c.Approvals.Minimum
	for threshold, n := range c.Approvals.ByResidualRisk {
		if maxResidual >= threshold && n > need {
			need = n
		}
	}
	return need
}

// ComponentsMap maps hazard ids to code globs, for hazard logs that name no code.
type ComponentsMap map[string][]string

// Date is a calendar date, written YYYY-MM-DD quoted or not. The zero Date means unset.
type Date struct{ time.Time }

// IsSet reports whether the date was given.
func (d Date) IsSet() bool { return !d.Time.IsZero() }

// String prints the date as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if !d.IsSet() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}
