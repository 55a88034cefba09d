# Hazard log currency: the HAZARD_LOG_STALE rule.
package csogate.gate

# HAZARD_LOG_STALE exists because DCB0129 requires the hazard log to be kept
# up to date: a decision that rests on a log nobody has reviewed for longer
# than the configured maximum rests on stale risk estimates. It warns by
# default and blocks when the configuration says `stale_hazard_log: block`;
# any other setting blocks (fail closed).
violation contains stale_hazard_log if input.config.stale_hazard_log != "warn"

warning contains stale_hazard_log if input.config.stale_hazard_log == "warn"

stale_hazard_log := finding("HAZARD_LOG_STALE", msg, "", "", input.hazard_log.file) if {
	input.hazard_log.stale == true
	msg := sprintf(
		"The hazard log %s %s, more than the %d days allowed (hazard_log_max_age_days): a CSO must review the whole hazard log and update its `reviewed:` date",
		[input.hazard_log.file, reviewed_when, input.config.hazard_log_max_age_days],
	)
}

reviewed_when := "has never been reviewed (no `reviewed:` date)" if input.hazard_log.reviewed == ""

reviewed_when := sprintf("was last reviewed on %s, %d days ago", [input.hazard_log.reviewed, input.hazard_log.age_days]) if {
	input.hazard_log.reviewed != ""
}
