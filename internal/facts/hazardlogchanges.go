package facts

import "github.com/csogate/csogate/internal/hazarddiff"

// HazardLogChanges is what the change set does to the hazard log, hazard by
// hazard, against the trusted side's log (policies/hazard_log_changes.rego).
type HazardLogChanges struct {
	// Compared is false when there was no trusted log to compare with (the
	// pull request that adds the log) or it did not read cleanly; Why says so.
	Compared bool   `json:"compared"`
	Why      string `json:"why"`
	// Base names the trusted side the head's log was compared with.
	Base string `json:"base"`
	// RiskReductionWithoutControl is the configuration's warn | block.
	RiskReductionWithoutControl string                    `json:"risk_reduction_without_control"`
	Changes                     []hazarddiff.HazardChange `json:"changes"`
}
