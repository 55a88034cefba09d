package override

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/safetyfile"
)

const head = "3f2a9c1e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b"

const reason = "Sepsis alert outage in ED; the hotfix cannot wait for the CSO."

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, sha, reason string
		command, valid          bool
	}{
		{name: "short sha could name a crafted later commit", body: "/csogate override 3f2a9c1: " + reason, command: true},
		{name: "12 digits", body: "/csogate override 3f2a9c1e4b7d: " + reason, command: true},
		{name: "full sha, CRLF, discussion after", body: "/csogate override " + head + ":  " + reason + "  \r\nmore words", sha: head, reason: reason, command: true, valid: true},
		{name: "not a command", body: "please /csogate override " + head + ": " + reason},
		{name: "leading space is not the command", body: " /csogate override " + head + ": " + reason},
		{name: "other command", body: "/csogate retrospective 3f2a9c1: fine"},
		{name: "glued", body: "/csogate overrides " + head + ": " + reason, command: true},
		{name: "two spaces", body: "/csogate override  " + head + ": " + reason, command: true},
		{name: "no colon", body: "/csogate override " + head + " " + reason, command: true},
		{name: "upper-case sha", body: "/csogate override 3F2A9C1: " + reason, command: true},
		{name: "six digits", body: "/csogate override 3f2a9c: " + reason, command: true},
		{name: "41 digits", body: "/csogate override " + head + "0: " + reason, command: true},
		{name: "not hex", body: "/csogate override 3f2a9cz: " + reason, command: true},
		{name: "no reason", body: "/csogate override " + head + ":   \nreason on the next line", command: true},
		{name: "control character", body: "/csogate override " + head + ": " + reason + "\x1b[31m", command: true},
		{name: "bidi override", body: "/csogate override " + head + ": " + reason + "\u202e", command: true},
		{name: "bad utf-8", body: "/csogate override " + head + ": " + reason + "\xff", command: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sha, r, command, err := Parse(tt.body)
			if command != tt.command || (err == nil) != (tt.valid || !tt.command) || sha != tt.sha || r != tt.reason {
				t.Errorf("Parse = %q, %q, %v, %v; want %q, %q, command %v, valid %v", sha, r, command, err, tt.sha, tt.reason, tt.command, tt.valid)
			}
		})
	}
}

// FuzzParseOverride: a body is accepted only in the exact command form; what
// is accepted has a full sha of 40 or 64 lower-case hex digits and a reason that is
// the trimmed rest of the first line, on one line, without control characters.
func FuzzParseOverride(f *testing.F) {
	for _, s := range []string{"/csogate override 3f2a9c1: " + reason, "/csogate override " + head + ": x\ny", "/csogate override :", "/csogate override abcdefg:\t\r\n", "hello"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		sha, r, command, err := Parse(body)
		if command != strings.HasPrefix(body, Command) {
			t.Fatalf("command %v for %q", command, body)
		}
		if !command || err != nil {
			if sha != "" || r != "" {
				t.Fatalf("refused %q but returned %q, %q", body, sha, r)
			}
			return
		}
		if (len(sha) != 40 && len(sha) != 64) || strings.Trim(sha, "0123456789abcdef") != "" {
			t.Fatalf("sha %q from %q", sha, body)
		}
		first, _, _ := strings.Cut(body, "\n")
		first = strings.TrimSuffix(first, "\r")
		if rest := strings.TrimPrefix(first, Command+" "+sha+":"); strings.TrimSpace(rest) != r {
			t.Fatalf("reason %q is not the rest of the first line %q", r, first)
		}
		if r == "" || !utf8.ValidString(r) || strings.ContainsAny(r, "\r\n\x00\x1b") {
			t.Fatalf("reason %q", r)
		}
	})
}

var emergency = &safetyfile.Emergency{ReviewWithinDays: 3, MinReasonLength: 20, Approvers: []safetyfile.EmergencyApprover{
	{GitHub: "medical-director", GitHubID: 7001, Name: "Dr Jo Example", Role: "Medical Director", Emails: []string{"jo@trust.example"}},
}}

func comment(id int64, login string, uid int64, body string) Comment {
	return Comment{ID: id, Login: login, UserID: uid, UserType: "User", Body: body,
		CreatedAt: "2026-11-24T02:10:00Z", UpdatedAt: "2026-11-24T02:10:00Z", URL: "https://github.com/o/r/pull/1#issuecomment-1"}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	valid := comment(1, "medical-director", 7001, "/csogate override "+head+": "+reason)
	edited := valid
	edited.UpdatedAt = "2026-11-24T02:11:00Z"
	bot := valid
	bot.UserType = "Bot"
	change := Change{HeadSHA: head, Author: "dev-dan"}
	byEmail := change
	byEmail.Commits = []facts.Commit{{SHA: head, People: []facts.CommitPerson{{Role: "co-author", Email: "JO@trust.example"}}}}
	tests := []struct {
		name     string
		cfg      *safetyfile.Emergency
		comments []Comment
		change   Change
		applies  bool
		why      string
	}{
		{name: "valid", cfg: emergency, comments: []Comment{valid}, change: change, applies: true},
		{name: "off", comments: []Comment{valid}, change: change, why: "overrides are off"},
		{name: "author", cfg: emergency, comments: []Comment{valid}, change: Change{HeadSHA: head, Author: "Medical-Director"}, why: "authored the pull request"},
		{name: "co-author by registered email", cfg: emergency, comments: []Comment{valid}, change: byEmail, why: "an address the CSO register lists"},
		{name: "not listed", cfg: emergency, comments: []Comment{comment(2, "rita", 8, valid.Body)}, change: change, why: "not an emergency approver"},
		{name: "id mismatch", cfg: emergency, comments: []Comment{comment(3, "medical-director", 9, valid.Body)}, change: change, why: "github_id 7001"},
		{name: "edited", cfg: emergency, comments: []Comment{edited}, change: change, why: "edited"},
		{name: "older sha", cfg: emergency, comments: []Comment{comment(4, "medical-director", 7001, "/csogate override 1234567890abcdef1234567890abcdef12345678: "+reason)}, change: change, why: "a new push"},
		{name: "short reason", cfg: emergency, comments: []Comment{comment(5, "medical-director", 7001, "/csogate override "+head+": urgent")}, change: change, why: "at least 20"},
		{name: "bot ignored", cfg: emergency, comments: []Comment{bot}, change: change},
		{name: "the change edits the register", cfg: emergency, comments: []Comment{valid}, change: Change{HeadSHA: head, Author: "dev-dan", GateFiles: []string{"safety/cso-register.yaml"}}, why: "never clears that"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			applies, refused := Judge(tt.cfg, tt.comments, tt.change)
			if (applies != nil) != tt.applies {
				t.Fatalf("applies = %+v, refused %+v", applies, refused)
			}
			if tt.why == "" && len(refused) > 0 || tt.why != "" && (len(refused) != 1 || !strings.Contains(refused[0].Why, tt.why)) {
				t.Errorf("refused %+v; want one saying %q", refused, tt.why)
			}
			if applies != nil && (applies.Reason != reason || applies.ReviewDue != "2026-11-27" || applies.Commit != head || applies.Role != "Medical Director") {
				t.Errorf("override %+v", applies)
			}
		})
	}
}

func TestApplyClearsOnlyAMissingApproval(t *testing.T) {
	t.Parallel()
	o := &decision.Override{By: "medical-director", Name: "Dr Jo Example", Role: "Medical Director", Reason: reason, Commit: head, ReviewDue: "2026-11-27"}
	blocked := func(exit int, codes ...string) *decision.Decision {
		d := &decision.Decision{Decision: decision.Blocked, ExitCode: exit}
		for _, c := range codes {
			d.Violations = append(d.Violations, policy.Finding{Code: c})
		}
		return d
	}
	for _, tt := range []struct {
		name     string
		d        *decision.Decision
		approved bool
	}{
		{"missing approval", blocked(1, "CSO_APPROVAL_REQUIRED"), true},
		{"release sign-off", blocked(1, "CSO_RELEASE_SIGNOFF_REQUIRED"), false},
		{"changes requested", blocked(1, "CSO_APPROVAL_REQUIRED", "CSO_CHANGES_REQUESTED"), false},
		{"residual risk", blocked(1, "CSO_APPROVAL_REQUIRED", "UNACCEPTABLE_RESIDUAL_RISK"), false},
		{"dismissed stop", blocked(1, "CSO_BLOCK_DISMISSED"), false},
		{"custom policy", blocked(1, "CSO_APPROVAL_REQUIRED", "ORG_PEN_TEST"), false},
		{"direct push", blocked(1, "DIRECT_PUSH"), false},
		{"invalid input", blocked(2, "INPUT_INVALID"), false},
		{"failure", blocked(3, "CSO_APPROVAL_REQUIRED"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Apply(tt.d, o, nil)
			if got := tt.d.Decision == decision.Approved; got != tt.approved {
				t.Fatalf("decision %s", tt.d.Decision)
			}
			if tt.approved && (tt.d.Override != o || tt.d.ExitCode != 0 || len(tt.d.Warnings) != 1 || tt.d.Warnings[0].Code != decision.CodeEmergencyOverride ||
				!strings.HasPrefix(tt.d.Summary(), "EMERGENCY OVERRIDE by @medical-director — retrospective CSO review due by 2026-11-27")) {
				t.Errorf("approved decision %+v, summary %q", tt.d, tt.d.Summary())
			}
			if !tt.approved && (tt.d.Override != nil || len(tt.d.OverridesRefused) != 1) {
				t.Errorf("blocked decision %+v", tt.d)
			}
		})
	}
}

func TestParseComments(t *testing.T) {
	t.Parallel()
	got, err := ParseComments([]byte(`[{"id": 1, "user": {"login": "octocat", "id": 1, "type": "User"}, "body": "Me too", "created_at": "2011-04-14T16:00:49Z", "updated_at": "2011-04-14T16:00:49Z"},
	 {"id": 2, "user": {"login": "medical-director", "id": 7001, "type": "User"}, "body": "/csogate override ` + head + `: ` + reason + `", "created_at": "2026-11-24T02:10:00Z", "updated_at": "2026-11-24T02:10:00Z", "html_url": "https://x"},
	 {"id": 3, "user": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}, "body": "/csogate override ` + head + `: ` + reason + `", "created_at": "2026-11-24T02:10:00Z", "updated_at": "2026-11-24T02:10:00Z"}]`))
	if err != nil || len(got) != 1 || got[0].ID != 2 || got[0].UserID != 7001 || got[0].URL != "https://x" {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, bad := range []string{`{}`, `[{"user": {"login": "a"}, "body": "/csogate override x"}]`, `[{"id": 1, "body": "/csogate override 3f2a9c1: x", "created_at": "yesterday", "updated_at": ""}]`} {
		if _, err := ParseComments([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestAttackShortSHAOverrideCarriesToACollidingHead: the approver overrides
// the head they read, quoting its 7-digit short sha as GitHub shows it. The
// author then pushes other code in a commit whose sha starts with the same 7
// hex digits (2^28 SHA-1 tries: minutes on a laptop, by varying the commit
// message). The override was for the commit the approver saw, not for any
// commit sharing its first digits: it must not let the new head through.
func TestAttackShortSHAOverrideCarriesToACollidingHead(t *testing.T) {
	t.Parallel()
	seen := head // the head the approver overrode
	for _, n := range []int{7, 12} {
		t.Run(fmt.Sprintf("%d digits", n), func(t *testing.T) {
			// The author's later push shares the first n digits (12 is 2^48
			// tries: a rented GPU cluster), nothing else.
			colliding := seen[:n] + strings.Repeat("e", 40-n)
			c := comment(1, "medical-director", 7001, "/csogate override "+seen[:n]+": "+reason)
			applies, refused := Judge(emergency, []Comment{c}, Change{HeadSHA: colliding, Author: "dev-dan"})
			if applies != nil {
				t.Fatalf("an override naming %s lets %s through: %+v (refused %+v)", seen[:n], colliding, applies, refused)
			}
		})
	}
}

func TestParseRetrospective(t *testing.T) {
	t.Parallel()
	const finding = "Banner wording is ambiguous; follow-up raised."
	tests := []struct {
		name, body, sha, finding string
		command, valid           bool
	}{
		{name: "valid", body: "/csogate retrospective " + head + ": " + finding + "\nmore", sha: head, finding: finding, command: true, valid: true},
		{name: "short sha", body: "/csogate retrospective 3f2a9c1: " + finding, command: true},
		{name: "no finding", body: "/csogate retrospective " + head + ":  ", command: true},
		{name: "no colon", body: "/csogate retrospective " + head + " fine", command: true},
		{name: "glued", body: "/csogate retrospectively " + head + ": fine", command: true},
		{name: "control character", body: "/csogate retrospective " + head + ": fine\x1b[0m", command: true},
		{name: "override is not retrospective", body: "/csogate override " + head + ": " + reason},
		{name: "quoted", body: "> /csogate retrospective " + head + ": fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sha, f, command, err := ParseRetrospective(tt.body)
			if command != tt.command || (err == nil) != (tt.valid || !tt.command) || sha != tt.sha || f != tt.finding {
				t.Errorf("ParseRetrospective = %q, %q, %v, %v", sha, f, command, err)
			}
		})
	}
}

// FuzzParseRetrospective: only the exact command form is accepted, with a
// full lower-case sha and a one-line finding free of control characters.
func FuzzParseRetrospective(f *testing.F) {
	for _, s := range []string{"/csogate retrospective " + head + ": fine", "/csogate retrospective 3f2a9c1: x", "/csogate retrospective :", "hello"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		sha, finding, command, err := ParseRetrospective(body)
		if command != strings.HasPrefix(body, RetrospectiveCommand) {
			t.Fatalf("command %v for %q", command, body)
		}
		if !command || err != nil {
			if sha != "" || finding != "" {
				t.Fatalf("refused %q but returned %q, %q", body, sha, finding)
			}
			return
		}
		if (len(sha) != 40 && len(sha) != 64) || strings.Trim(sha, "0123456789abcdef") != "" {
			t.Fatalf("sha %q from %q", sha, body)
		}
		if finding == "" || !utf8.ValidString(finding) || strings.ContainsAny(finding, "\r\n\x00\x1b") {
			t.Fatalf("finding %q", finding)
		}
	})
}

// TestRetrospectiveCandidates: only unedited, exact commands naming the head
// stand for a review; an override comment is not one; the rest are refused
// with why.
func TestRetrospectiveCandidates(t *testing.T) {
	t.Parallel()
	valid := comment(1, "nurse-niamh", 1021937, "/csogate retrospective "+head+": reviewed, fine")
	edited := comment(2, "nurse-niamh", 1021937, valid.Body)
	edited.UpdatedAt = "2026-11-25T00:00:00Z"
	other := comment(3, "nurse-niamh", 1021937, "/csogate retrospective 1234567890abcdef1234567890abcdef12345678: fine")
	bot := comment(4, "csogate[bot]", 9, valid.Body)
	bot.UserType = "Bot"
	over := comment(5, "medical-director", 7001, "/csogate override "+head+": "+reason)
	reviews, refused := RetrospectiveCandidates([]Comment{valid, edited, other, bot, over}, head)
	if len(reviews) != 1 || reviews[0].ID != 1 || reviews[0].State != "APPROVED" || reviews[0].CommitID != head || reviews[0].Login != "nurse-niamh" {
		t.Errorf("reviews %+v", reviews)
	}
	if len(refused) != 2 || !strings.Contains(refused[0].Why, "edited") || !strings.Contains(refused[1].Why, "merged head") {
		t.Errorf("refused %+v", refused)
	}
}

func TestOverdue(t *testing.T) {
	t.Parallel()
	merged := time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC)
	due := ReviewDue(merged, 3)
	if due != "2026-11-27" {
		t.Fatalf("due %s", due)
	}
	for day, want := range map[string]bool{"2026-11-26": false, "2026-11-27": false, "2026-11-28": true} {
		d, _ := time.Parse(time.DateOnly, day)
		if got := Overdue(due, d.Add(23*time.Hour)); got != want {
			t.Errorf("Overdue on %s = %v", day, got)
		}
	}
	// The day is UTC's: the first minute of 2026-11-28 in UTC is overdue,
	// 00:30 on 2026-11-28 in Athens (still 2026-11-27 in UTC) is not; a
	// merge at 00:30 in Athens is a merge on the UTC day before.
	athens := time.FixedZone("EET", 2*60*60)
	if !Overdue(due, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)) || Overdue(due, time.Date(2026, 11, 28, 0, 30, 0, 0, athens)) {
		t.Error("the due day is not read in UTC")
	}
	if got := ReviewDue(time.Date(2026, 11, 25, 0, 30, 0, 0, athens), 3); got != "2026-11-27" {
		t.Errorf("a merge at 00:30 in Athens on 2026-11-25 is due by %s; want 2026-11-27", got)
	}
	if !Overdue("someday", merged) {
		t.Error("an unreadable due date is not overdue")
	}
}
