package decision

// CodeEmergencyOverride is the warning an applied emergency override adds
// (contract 4.2): the decision is approved without a counted CSO approval.
const CodeEmergencyOverride = "EMERGENCY_OVERRIDE"

// CodeEmergencyReviewOverdue: an overridden pull request's retrospective CSO
// review is overdue. It blocks every release (a violation) until a counted
// CSO reviews it, and the PR gate warns of it on every pull request.
const CodeEmergencyReviewOverdue = "EMERGENCY_REVIEW_OVERDUE"

// Retrospective review statuses (OverrideStatus.Status).
const (
	RetrospectiveReviewed = "reviewed"
	RetrospectiveDue      = "due"
	RetrospectiveOverdue  = "overdue"
)

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
	// ReviewWithinDays is the trusted configuration's
	// emergency.review_within_days the override was judged under.
	ReviewWithinDays int `json:"review_within_days,omitempty"`
	// Retrospective is the counted CSO's review of the overridden commit,
	// once there is one (release mode judges it; nil before).
	Retrospective *Retrospective `json:"retrospective,omitempty"`
}

// Retrospective is a counted CSO's review of an overridden commit: an
// approving review of the merged head, or a `/csogate retrospective` comment.
// A comment's finding may report a problem: it is still a review, the
// record that a CSO looked.
type Retrospective struct {
	By   string `json:"by"` // GitHub login of the CSO
	Name string `json:"name"`
	At   string `json:"at"`  // RFC 3339
	Via  string `json:"via"` // "review" or "comment"
	// ID is the review's or the comment's id.
	ID      int64  `json:"id"`
	Finding string `json:"finding,omitempty"` // a comment's finding, quoted
}

// OverrideStatus is an emergency override a release judged: in the release's
// range, or (InRange false) an earlier one whose retrospective review is
// overdue. Status is reviewed, due or overdue.
type OverrideStatus struct {
	Pull     int       `json:"pull"`
	Title    string    `json:"title,omitempty"`
	MergedAt string    `json:"merged_at"` // RFC 3339
	InRange  bool      `json:"in_range"`
	Status   string    `json:"status"`
	Override *Override `json:"override"`
	// RetrospectivesRefused are the retrospective review comments that did
	// not count, each with why.
	RetrospectivesRefused []OverrideRefusal `json:"retrospectives_refused,omitempty"`
}

// OverrideRefusal is an override comment that did not count, and why.
type OverrideRefusal struct {
	CommentID int64  `json:"comment_id"`
	By        string `json:"by"`
	Why       string `json:"why"`
}
