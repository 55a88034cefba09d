package decision

// CodeEmergencyOverride is the warning an applied emergency override adds
// (contract 4.2): the decision is approved without a counted CSO approval.
const CodeEmergencyOverride = "EMERGENCY_OVERRIDE"

// Override is an emergency override that let the head commit through
// without a counted CSO approval. The reason is quoted wherever the
// decision is shown.
type Override struct {
	By         string `json:"by"` // GitHub login of the emergency approver
	Name       string `json:"name"`
	Role       string `json:"role"`
	Reason     string `json:"reason"`
	CommentID  int64  `json:"comment_id"`
	CommentURL string `json:"comment_url"`
	Commit     string `json:"commit"`     // the head commit it was given for
	Time       string `json:"time"`       // when the comment was posted, RFC 3339
	ReviewDue  string `json:"review_due"` // YYYY-MM-DD: the retrospective CSO review is due by then
}

// OverrideRefusal is an override comment that did not count, and why.
type OverrideRefusal struct {
	CommentID int64  `json:"comment_id"`
	By        string `json:"by"`
	Why       string `json:"why"`
}
