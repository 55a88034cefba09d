package override

import (
	"fmt"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/policy"
)

// RetrospectiveCommand begins a retrospective review comment: a counted CSO
// says they reviewed an overridden commit after the fact,
// `/csogate retrospective <full sha>: <finding>`. The finding is what they
// found, good or bad: a finding that reports a problem is still a review (it
// records that the CSO looked). A CSO who wants the change stopped requests
// changes on the pull request, which no override clears.
const RetrospectiveCommand = "/csogate retrospective"

// ParseRetrospective reads a retrospective review command, as strictly as
// Parse reads an override: the full head sha, a colon, and the finding on the
// same first line, without control characters.
func ParseRetrospective(body string) (sha, finding string, ok bool, err error) {
	return parseCommand(body, RetrospectiveCommand, "finding", "say what the review found")
}

// RetrospectiveCandidates turns the retrospective comments for head into the
// approving reviews they stand for, so that the gate judges each author by
// every check a CSO's approval passes (registered, trained, in scope,
// independent of the change); the review id is the comment's id. Comments
// that cannot stand for a review at all are refused here, with why: not the
// exact command, edited after posting, or naming another commit.
func RetrospectiveCandidates(comments []Comment, head string) (reviews []facts.Review, refused []decision.OverrideRefusal) {
	for _, c := range comments {
		if !Relevant(c) || isOverride(c) {
			continue
		}
		refuse := func(why string) {
			refused = append(refused, decision.OverrideRefusal{CommentID: c.ID, By: c.Login, Why: "retrospective review: " + why})
		}
		sha, _, _, err := ParseRetrospective(c.Body)
		if err != nil {
			refuse(err.Error())
			continue
		}
		created, errC := time.Parse(time.RFC3339, c.CreatedAt)
		updated, errU := time.Parse(time.RFC3339, c.UpdatedAt)
		switch {
		case errC != nil || errU != nil:
			refuse("the comment's created_at or updated_at is not an RFC 3339 time")
			continue
		case !created.Equal(updated):
			refuse("the comment was edited after it was posted: an edited retrospective review does not count; post a new comment")
			continue
		case head == "" || sha != strings.ToLower(head):
			refuse(fmt.Sprintf("it names commit %s, but the merged head is %s: review the commit that shipped", sha, decision.ShortSHA(head)))
			continue
		}
		reviews = append(reviews, facts.Review{ID: c.ID, Login: c.Login, UserID: c.UserID, State: "APPROVED", CommitID: sha, SubmittedAt: created.UTC()})
	}
	return reviews, refused
}

// Finding returns the finding a retrospective comment recorded ("" when the
// comment is not one).
func Finding(c Comment) string {
	_, finding, _, err := ParseRetrospective(c.Body)
	if err != nil {
		return ""
	}
	return finding
}

// OverdueReview is another overridden pull request whose retrospective
// review is overdue, as its open retrospective issue says: the PR gate warns
// of it (WarnOverdue). It is kept in the decision record's request, so a
// replay warns alike.
type OverdueReview struct {
	Pull  int    `json:"pull"`
	Due   string `json:"due"`   // YYYY-MM-DD
	Issue int    `json:"issue"` // the retrospective review issue
}

// WarnOverdue adds the warning EMERGENCY_REVIEW_OVERDUE for each overdue
// review to a decision that was reached (not invalid input or a failure): the
// next release will be blocked until a counted CSO reviews it.
func WarnOverdue(d *decision.Decision, overdue []OverdueReview) {
	if d.ExitCode >= decision.ExitInvalid {
		return
	}
	for _, o := range overdue {
		d.Warnings = append(d.Warnings, policy.Finding{Code: decision.CodeEmergencyReviewOverdue,
			Message: fmt.Sprintf("the retrospective CSO review of #%d, let through by an emergency override, was due by %s (issue #%d) and is overdue: "+
				"the next release is blocked (EMERGENCY_REVIEW_OVERDUE) until a counted CSO approves #%d's merged head or comments /csogate retrospective on it",
				o.Pull, o.Due, o.Issue, o.Pull)})
	}
}
