package report

// repositoryAdvice says what unblocks CONTROL_EVIDENCE_MISSING when the
// configuration makes it a violation (control_evidence: required). It
// joins the advice table at start-up.
var repositoryAdvice = map[string]string{
	"CONTROL_EVIDENCE_MISSING": "No approval unblocks this while control_evidence: required. Add the evidence file to the repository, or correct the control's evidence in the hazard log to a path or glob that names it (relative to the repository root), and have a CSO approve the updated log.",
}

func init() {
	for code, a := range repositoryAdvice {
		advice[code] = a
	}
}
