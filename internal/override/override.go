// Package override judges emergency overrides (contract 4.2): a pull-request
// comment `/csogate override <sha>: <reason>` by an emergency approver that
// the trusted configuration names lets that one commit through without a
// counted CSO approval. It never clears anything else: a CSO's request for
// changes, an unacceptable residual risk, invalid input, a failure or any
// other rule still blocks. The decision is made in Go after the policies, on
// the finished decision, so no policy — default or custom — can be cleared
// by it: only a decision whose every violation is a missing approval changes.
package override

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/safetyfile"
)

// Command is how every override comment begins.
const Command = "/csogate override"

// Comment is a pull-request comment as GitHub's "list issue comments" API
// returns it, reduced to what an override needs. The times are kept as
// GitHub wrote them, so a record replays exactly.
type Comment struct {
	ID        int64  `json:"id"`
	Login     string `json:"login"`
	UserID    int64  `json:"user_id"`
	UserType  string `json:"user_type"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	URL       string `json:"html_url"`
}

// Relevant reports whether a comment could be an override or a
// retrospective review: written by a person (bots, the gate's own sticky
// comment among them, never count) and starting with either command. Only
// these are kept and recorded.
func Relevant(c Comment) bool {
	if strings.EqualFold(c.UserType, "Bot") || strings.HasSuffix(strings.ToLower(c.Login), "[bot]") {
		return false
	}
	return strings.HasPrefix(c.Body, Command) || strings.HasPrefix(c.Body, RetrospectiveCommand)
}

// isOverride reports whether a relevant comment is an override command
// (rather than a retrospective review).
func isOverride(c Comment) bool { return strings.HasPrefix(c.Body, Command) }

// FromGitHub keeps the Relevant comments of a pull request as the client
// read them.
func FromGitHub(all []github.IssueComment) []Comment {
	var out []Comment
	for _, c := range all {
		oc := Comment{ID: c.ID, Login: c.Login, UserID: c.UserID, UserType: c.UserType, Body: c.Body,
			CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, URL: c.HTMLURL}
		if Relevant(oc) {
			out = append(out, oc)
		}
	}
	return out
}

// githubComment is the API's JSON shape.
type githubComment struct {
	ID   *int64 `json:"id"`
	User *struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
		Type  string `json:"type"`
	} `json:"user"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	HTMLURL   string `json:"html_url"`
}

// ParseComments reads a JSON array of issue comments as GitHub's API returns
// them and keeps the Relevant ones. A comment without an id or with a time
// that is not RFC 3339 makes the whole list invalid: the gate does not guess.
func ParseComments(data []byte) ([]Comment, error) {
	var raw []githubComment
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of issue comments as GitHub's API returns them: %v", err)
	}
	var out []Comment
	for i, g := range raw {
		if g.ID == nil || *g.ID <= 0 {
			return nil, fmt.Errorf("comment %d has no id", i+1)
		}
		c := Comment{ID: *g.ID, Body: g.Body, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt, URL: g.HTMLURL}
		if g.User != nil {
			c.Login, c.UserID, c.UserType = g.User.Login, g.User.ID, g.User.Type
		}
		if !Relevant(c) {
			continue
		}
		for _, t := range []struct{ name, value string }{{"created_at", c.CreatedAt}, {"updated_at", c.UpdatedAt}} {
			if _, err := time.Parse(time.RFC3339, t.value); err != nil {
				return nil, fmt.Errorf("comment %d: %s %q is not an RFC 3339 time", c.ID, t.name, t.value)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Parse reads an override command. ok is false when the body does not start
// with the command (not an override at all); err says why a body that does
// is not exactly `/csogate override <sha>: <reason>`. The sha is the full
// commit sha, 40 (or 64) lower-case hex digits: a short one would also name
// a later commit whose author searched for one sharing its first digits
// (7 digits take 2^28 tries, minutes of computing). The reason is the rest of the first line, trimmed:
// later lines are discussion and are neither checked nor quoted, so what is
// quoted is exactly one sentence the approver wrote on the command's line.
func Parse(body string) (sha, reason string, ok bool, err error) {
	return parseCommand(body, Command, "reason", "say why the commit cannot wait for a CSO")
}

// parseCommand reads `<command> <full sha>: <text>` on the body's first line
// (see Parse); what names the text in messages.
func parseCommand(body, command, what, hint string) (sha, text string, ok bool, err error) {
	if !strings.HasPrefix(body, command) {
		return "", "", false, nil
	}
	line, _, _ := strings.Cut(body, "\n")
	line = strings.TrimSuffix(line, "\r")
	rest, found := strings.CutPrefix(line, command+" ")
	if !found {
		return "", "", true, fmt.Errorf("write the command as `%s <commit sha>: <%s>` on its first line", command, what)
	}
	sha, text, found = strings.Cut(rest, ":")
	if !found {
		return "", "", true, fmt.Errorf("no colon after the commit sha; write `%s <commit sha>: <%s>`", command, what)
	}
	if (len(sha) != 40 && len(sha) != 64) || strings.TrimLeft(sha, "0123456789abcdef") != "" {
		return "", "", true, fmt.Errorf("%s is not a full commit sha: write all 40 lower-case hex digits of the head commit (GitHub shows them on the commit's page); a short sha could also name a later commit made to share its first digits", safetyfile.Excerpt(sha))
	}
	if !utf8.ValidString(text) {
		return "", "", true, fmt.Errorf("the %s is not valid UTF-8", what)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", "", true, fmt.Errorf("no %s after the colon: %s", what, hint)
	}
	if strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) || unicode.In(r, unicode.Bidi_Control) }) >= 0 {
		return "", "", true, fmt.Errorf("the %s contains control characters", what)
	}
	return sha, text, true, nil
}

// Change is who made the change under judgement and its head commit.
type Change struct {
	HeadSHA       string
	Author        string
	CommitAuthors []string
	Commits       []facts.Commit
	// GateFiles are the changed files that are the gate's own register,
	// configuration or policies: a change to what decides who may approve
	// or override is never cleared by an override.
	GateFiles []string
}

// Judge finds the override that applies to the change's head: the first, in
// the order posted, that passes every check. refused lists every other
// override comment with why it did not count. cfg nil: overrides are off.
func Judge(cfg *safetyfile.Emergency, comments []Comment, ch Change) (applies *decision.Override, refused []decision.OverrideRefusal) {
	ordered := slices.Clone(comments)
	// In the order posted: by time (an unreadable one first, to be refused),
	// then by id, which GitHub assigns in order.
	posted := func(c Comment) time.Time { t, _ := time.Parse(time.RFC3339, c.CreatedAt); return t }
	slices.SortStableFunc(ordered, func(a, b Comment) int {
		if c := posted(a).Compare(posted(b)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, c := range ordered {
		if !Relevant(c) || !isOverride(c) {
			continue
		}
		o, why := judgeOne(cfg, c, ch)
		if why != "" {
			refused = append(refused, decision.OverrideRefusal{CommentID: c.ID, By: c.Login, Why: why})
			continue
		}
		if applies == nil {
			applies = o
		}
	}
	return applies, refused
}

// EditedOverride is said of an override comment edited after it was
// posted; release mode finds such a refusal on a merged pull request.
const EditedOverride = "was edited after it was posted"

func judgeOne(cfg *safetyfile.Emergency, c Comment, ch Change) (*decision.Override, string) {
	sha, reason, isCommand, err := Parse(c.Body)
	switch {
	case !isCommand:
		return nil, "not an override command"
	case err != nil:
		return nil, err.Error()
	case cfg == nil:
		return nil, "overrides are off: the trusted configuration has no emergency section"
	}
	var ap *safetyfile.EmergencyApprover
	for i := range cfg.Approvers {
		if strings.EqualFold(cfg.Approvers[i].GitHub, c.Login) {
			ap = &cfg.Approvers[i]
		}
	}
	if ap == nil || c.Login == "" {
		return nil, fmt.Sprintf("@%s is not an emergency approver in the trusted configuration", c.Login)
	}
	if ap.GitHubID != c.UserID {
		return nil, fmt.Sprintf("@%s's GitHub user id %d is not the configuration's github_id %d: a renamed or recycled account cannot override", c.Login, c.UserID, ap.GitHubID)
	}
	if part := facts.Authorship(ch.Author, ch.CommitAuthors, ch.Commits, ap.GitHub, ap.Emails); part != "" {
		return nil, "not independent of the change: " + part + "; nobody may override their own change"
	}
	created, errC := time.Parse(time.RFC3339, c.CreatedAt)
	updated, errU := time.Parse(time.RFC3339, c.UpdatedAt)
	if errC != nil || errU != nil {
		return nil, "the comment's created_at or updated_at is not an RFC 3339 time"
	}
	if !created.Equal(updated) {
		return nil, "the comment " + EditedOverride + ": an edited override does not count; post a new comment"
	}
	head := strings.ToLower(ch.HeadSHA)
	if head == "" || head != sha {
		return nil, fmt.Sprintf("it names commit %s but the head under judgement is %s: an override ends with a new push; override the new head", sha, decision.ShortSHA(head))
	}
	if n := utf8.RuneCountInString(reason); n < cfg.MinReasonLength {
		return nil, fmt.Sprintf("the reason has %d characters; write a sentence of at least %d saying why the commit cannot wait for a CSO", n, cfg.MinReasonLength)
	}
	if len(ch.GateFiles) > 0 {
		return nil, fmt.Sprintf("the change alters the gate's own register, configuration or policies (%s): an override never clears that; it needs a CSO's approval", strings.Join(ch.GateFiles, ", "))
	}
	days := cfg.ReviewWithinDays
	if days < 1 {
		days = safetyfile.DefaultReviewWithinDays
	}
	return &decision.Override{By: c.Login, Name: ap.Name, Role: ap.Role, Reason: reason, CommentID: c.ID, CommentURL: c.URL,
		Commit: ch.HeadSHA, Time: created.UTC().Format(time.RFC3339),
		ReviewDue: ReviewDue(created, days), ReviewWithinDays: days}, ""
}

// ReviewDue is the last day, YYYY-MM-DD in UTC, of a retrospective review
// that must come within days calendar days of from: the review is on time
// through the whole of that day (UTC), and overdue from the next. Before the
// merge the PR gate counts from the override; release mode counts from the
// pull request's merged_at, the binding deadline.
func ReviewDue(from time.Time, days int) string {
	if days < 1 {
		days = safetyfile.DefaultReviewWithinDays
	}
	return from.UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

// Overdue reports whether a review due by due (YYYY-MM-DD) is overdue on
// today (a date, read in UTC). An unreadable due date is overdue: the gate
// does not guess in the pull request's favour.
func Overdue(due string, today time.Time) bool {
	d, err := time.Parse(time.DateOnly, due)
	if err != nil {
		return true
	}
	return today.UTC().Format(time.DateOnly) > d.Format(time.DateOnly)
}

// Clearable are the only violations an override clears: a missing approval
// of a pull request's head. (A release's missing sign-off, which release
// mode raises after the pull requests are judged, is never among them.)
var Clearable = map[string]bool{"CSO_APPROVAL_REQUIRED": true}

// Apply records the override outcome on the decision. An override that
// applies turns a decision blocked only by missing approvals (exit 1) into
// approved with the EMERGENCY_OVERRIDE warning; against anything else it is
// refused, saying what it cannot clear. A decision that needs no override
// is left as it is.
func Apply(d *decision.Decision, applies *decision.Override, refused []decision.OverrideRefusal) {
	d.OverridesRefused = append(d.OverridesRefused, refused...)
	if applies == nil || d.Decision != decision.Blocked {
		return
	}
	var others []string
	for _, code := range d.ViolationCodes() {
		if !Clearable[code] {
			others = append(others, code)
		}
	}
	if d.ExitCode != decision.ExitBlocked || len(others) > 0 {
		why := "an emergency override clears only a missing CSO approval, never " + strings.Join(others, ", ")
		if len(others) == 0 {
			why = "an emergency override never clears a failure or invalid input"
		}
		d.OverridesRefused = append(d.OverridesRefused, decision.OverrideRefusal{CommentID: applies.CommentID, By: applies.By, Why: why})
		return
	}
	d.Decision, d.ExitCode = decision.Approved, decision.ExitAllowed
	d.Violations = []policy.Finding{}
	d.Override = applies
	d.Warnings = append(d.Warnings, policy.Finding{Code: decision.CodeEmergencyOverride,
		Message: fmt.Sprintf("%s (@%s, %s) let commit %s through without a counted CSO approval: %q. A counted CSO must review it retrospectively by %s.",
			applies.Name, applies.By, applies.Role, decision.ShortSHA(applies.Commit), applies.Reason, applies.ReviewDue)})
}
