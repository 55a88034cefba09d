package pullfacts

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/policy"
)

// The attacks below run end to end: GitHub's JSON from the fake server, the
// real go-github client, the reader, the facts and the default policies.

// registerWithEmails is the bundled example's register with Alice's work
// addresses, and Bob, a lapsed CSO, and Cara, a CSO for another product.
const registerWithEmails = `officers:
  - {github: alice-gp, github_id: 583231, name: Dr Alice Example, body: GMC, registration: "7012345", trained: 2024-03-01,
     products: ["Example EPR"], emails: [alice.example@trust.nhs.uk, a.example@gp.nhs.net]}
  - {github: nurse-niamh, github_id: 1021937, name: Niamh Example RN, body: NMC, registration: "12A3456E", trained: 2025-01-15}
  - {github: bob-lapsed, github_id: 5001, name: Bob Example, body: NMC, registration: "99B", trained: 2024-01-01, registration_expires: 2025-01-01}
  - {github: cara-dds, github_id: 5002, name: Cara Example, body: GDC, registration: "D1", trained: 2024-01-01, products: [Dental Suite]}
  - {github: dev-dan, github_id: 5003, name: Dan Example, body: GMC, registration: "D2", trained: 2024-01-01}
`

var (
	attackHead = githubtest.SHA("attack-head")
	attackBase = githubtest.SHA("attack-base")
)

// attackServer is pull request #9 by dev-dan against the bundled example:
// the register and configuration and hazard log at its base.
func attackServer(t *testing.T) (*githubtest.Server, string) {
	t.Helper()
	srv := githubtest.New(t)
	srv.AddPull(githubtest.Pull{Number: 9, Author: "dev-dan", HeadSHA: attackHead, BaseSHA: attackBase})
	srv.AddFiles(9, githubtest.File{Path: "src/ui/allergy/banner.go", Status: "modified"})
	ws := t.TempDir()
	for _, name := range []string{"hazard-log.yaml", "changes.yaml", "csogate.yaml"} {
		data, err := os.ReadFile(filepath.Join("../../examples/example-epr/safety", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(ws, "safety"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, "safety", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if name != "changes.yaml" {
			srv.SetContent(attackBase, "safety/"+name, data)
		}
	}
	srv.SetContent(attackBase, "safety/cso-register.yaml", []byte(registerWithEmails))
	return srv, ws
}

func evaluatePull(t *testing.T, srv *githubtest.Server, ws string) *gate.Outcome {
	t.Helper()
	req, err := newReader(t, srv).Request(context.Background(), Pull{Number: 9, HeadSHA: attackHead, BaseSHA: attackBase, Author: "dev-dan",
		Workspace: ws, Paths: gate.DefaultPaths(), Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func approvalOf(d *decision.Decision, login string) (policy.Approval, bool) {
	for _, a := range d.Approvals {
		if a.Login == login {
			return a, true
		}
	}
	return policy.Approval{}, false
}

// TestIndependenceByRegisteredEmail: Alice commits, or is credited, under a
// work address that is not linked to her GitHub account. Today's gate sees
// only accounts and noreply addresses, so her approval would count.
func TestIndependenceByRegisteredEmail(t *testing.T) {
	t.Parallel()
	short := decision.ShortSHA(attackHead)
	tests := []struct {
		name   string
		commit githubtest.Commit
		want   string
	}{
		{
			name: "Co-authored-by with a work email",
			commit: githubtest.Commit{SHA: attackHead, AuthorLogin: "dev-dan",
				Message: "Reword the banner\n\nCo-authored-by: Alice <Alice.Example@Trust.NHS.uk>"},
			want: "commit " + short + " was co-authored by Co-authored-by: Alice.Example@Trust.NHS.uk, an address the CSO register lists for @alice-gp",
		},
		{
			// GitHub matched no account to the address: author is null.
			name:   "commit authored under an unlinked work email",
			commit: githubtest.Commit{SHA: attackHead, AuthorName: "Alice Example", AuthorEmail: "alice.example@trust.nhs.uk", CommitterLogin: "dev-dan", CommitterEmail: "dan@example.com"},
			want:   "commit " + short + " was authored by alice.example@trust.nhs.uk, an address the CSO register lists for @alice-gp",
		},
		{
			name:   "committer email",
			commit: githubtest.Commit{SHA: attackHead, AuthorLogin: "dev-dan", CommitterName: "Alice", CommitterEmail: "a.example@gp.nhs.net"},
			want:   "commit " + short + " was committed by a.example@gp.nhs.net, an address the CSO register lists for @alice-gp",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, ws := attackServer(t)
			srv.AddCommits(9, tt.commit)
			srv.AddReview(9, githubtest.Review{Login: "alice-gp", UserID: 583231, State: "APPROVED"})
			out := evaluatePull(t, srv, ws)
			a, ok := approvalOf(out.Decision, "alice-gp")
			if !ok || a.Counted || a.WhyNot != "APPROVER_NOT_INDEPENDENT" || !strings.Contains(a.WhyNotDetail, tt.want) {
				t.Fatalf("alice's approval %+v\nwant not counted, APPROVER_NOT_INDEPENDENT naming %q", a, tt.want)
			}
			if out.Decision.Decision != decision.Blocked {
				t.Errorf("decision %s, want blocked", out.Decision.Decision)
			}
			for _, e := range out.Decision.EligibleApprovers {
				if e.Login == "alice-gp" {
					t.Errorf("alice is listed as an eligible approver")
				}
			}
		})
	}
}

// TestDismissedStop: Niamh, a CSO, requests changes; someone dismisses her
// review. Only a dismisser whose own approval would count lifts the stop.
func TestDismissedStop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		by   string
		byID int64
		want string // "" when the stop is lifted, else in the message
	}{
		{name: "a lapsed CSO dismisses", by: "bob-lapsed", byID: 5001, want: "who does not qualify to lift it (APPROVER_REGISTRATION_EXPIRED: Bob Example (@bob-lapsed, NMC 99B)"},
		{name: "the pull request's author, listed in the register, dismisses", by: "dev-dan", byID: 5003,
			want: "who does not qualify to lift it (APPROVER_NOT_INDEPENDENT: Dan Example (@dev-dan, GMC D2) is not independent of the change: @dev-dan authored the pull request"},
		{name: "a recycled login with another user id dismisses", by: "alice-gp", byID: 777,
			want: "who does not qualify to lift it (APPROVER_ID_MISMATCH: Dr Alice Example (@alice-gp, GMC 7012345): GitHub user id 777 differs"},
		{name: "an out-of-scope CSO dismisses", by: "cara-dds", byID: 5002,
			want: "who does not qualify to lift it (APPROVER_OUT_OF_SCOPE: Cara Example (@cara-dds, GDC D1): the CSO register's products for this officer do not include Example EPR"},
		{name: "someone outside the register dismisses", by: "lead-larry", byID: 6000, want: "(APPROVER_NOT_REGISTERED: @lead-larry is not in the CSO register"},
		{name: "a qualified CSO dismisses", by: "alice-gp", byID: 583231},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, ws := attackServer(t)
			srv.AddCommits(9, githubtest.Commit{SHA: attackHead, AuthorLogin: "dev-dan"})
			srv.AddReview(9, githubtest.Review{Login: "nurse-niamh", UserID: 1021937, State: "APPROVED"})
			stop := srv.AddReview(9, githubtest.Review{Login: "nurse-niamh", UserID: 1021937, State: "CHANGES_REQUESTED"})
			srv.DismissReview(9, githubtest.Dismissal{ReviewID: stop, By: tt.by, ByID: tt.byID})
			srv.AddReview(9, githubtest.Review{Login: "alice-gp", UserID: 583231, State: "APPROVED"})
			d := evaluatePull(t, srv, ws).Decision
			var msgs []string
			for _, v := range d.Violations {
				if v.Code == "CSO_BLOCK_DISMISSED" {
					msgs = append(msgs, v.Message)
				}
			}
			if tt.want == "" {
				if len(msgs) != 0 || d.Decision != decision.Approved {
					t.Fatalf("decision %s, violations %+v; want the stop lifted and alice's approval to carry it", d.Decision, d.Violations)
				}
			} else if len(msgs) != 1 || !strings.Contains(msgs[0], tt.want) || d.Decision != decision.Blocked {
				t.Fatalf("decision %s, CSO_BLOCK_DISMISSED %q\nwant blocked, the message containing %q", d.Decision, msgs, tt.want)
			}
			// Niamh's earlier approval does not come back with the dismissal.
			if a, ok := approvalOf(d, "nurse-niamh"); ok {
				t.Errorf("niamh's approval %+v stands after her review was dismissed", a)
			}
		})
	}
}

// TestHeadCannotRenameTheProduct: the pull request renames its hazard log's
// product to the one an out-of-scope CSO covers; the base's log still names
// the product, so her approval stays out of scope.
func TestHeadCannotRenameTheProduct(t *testing.T) {
	t.Parallel()
	srv, ws := attackServer(t)
	log := filepath.Join(ws, "safety", "hazard-log.yaml")
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(string(data), "product: Example EPR", "product: Dental Suite", 1)
	if renamed == string(data) {
		t.Fatal("the example's hazard log no longer says product: Example EPR")
	}
	if err := os.WriteFile(log, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	// The example configuration names the product; without it the base's
	// hazard log does.
	srv.SetContent(attackBase, "safety/csogate.yaml", []byte("clinical_paths: [\"src/clinical/**\"]\n"))
	srv.AddCommits(9, githubtest.Commit{SHA: attackHead, AuthorLogin: "dev-dan"})
	srv.AddReview(9, githubtest.Review{Login: "cara-dds", UserID: 5002, State: "APPROVED"})
	out := evaluatePull(t, srv, ws)
	a, ok := approvalOf(out.Decision, "cara-dds")
	if !ok || a.Counted || a.WhyNot != "APPROVER_OUT_OF_SCOPE" ||
		!strings.Contains(a.WhyNotDetail, "do not include Example EPR, the product named by the hazard log at the base commit") {
		t.Fatalf("cara's approval %+v, want APPROVER_OUT_OF_SCOPE against the base's product", a)
	}
	if out.Decision.Decision != decision.Blocked {
		t.Errorf("decision %s, want blocked", out.Decision.Decision)
	}
}

// TestDeletedAccountReviewSkipped: GitHub sends user: null for a deleted
// account's review; the gate skips it with a warning instead of failing.
func TestDeletedAccountReviewSkipped(t *testing.T) {
	t.Parallel()
	srv, ws := attackServer(t)
	srv.AddCommits(9, githubtest.Commit{SHA: attackHead, AuthorLogin: "dev-dan"})
	ghost := srv.AddReview(9, githubtest.Review{State: "CHANGES_REQUESTED"})
	srv.AddReview(9, githubtest.Review{Login: "alice-gp", UserID: 583231, State: "APPROVED"})
	d := evaluatePull(t, srv, ws).Decision
	if d.Decision != decision.Approved {
		t.Fatalf("decision %s, violations %+v; want approved", d.Decision, d.Violations)
	}
	found := false
	for _, w := range d.Warnings {
		found = found || (w.Code == "REVIEW_SKIPPED" && strings.Contains(w.Message, "review "+strconv.FormatInt(ghost, 10)+" (changes_requested"))
	}
	if !found {
		t.Errorf("warnings %+v, want REVIEW_SKIPPED naming review %d", d.Warnings, ghost)
	}
}
