package facts

import (
	"reflect"
	"testing"
	"time"
)

// standing builds the facts for reviews (and dismissals) on the test sources.
func standing(t *testing.T, s *Sources) []StandingReview {
	t.Helper()
	return build(t, s).Reviews
}

func TestReviewOrderFailsClosed(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return today.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name    string
		reviews []Review
		want    string // the standing state of alice's review
		wantID  int64
	}{
		{
			// Attacker: an approval whose time was lost (or left out of a
			// saved file) must not outrank a dated request for changes.
			name: "undated approval after dated changes requested",
			reviews: []Review{
				{ID: 1, Login: "alice-gp", UserID: 10, State: "CHANGES_REQUESTED", CommitID: head, SubmittedAt: at(-3)},
				{ID: 2, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head},
			},
			want: "changes_requested", wantID: 1,
		},
		{
			name: "undated approval listed first, dated changes requested second",
			reviews: []Review{
				{ID: 9, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head},
				{ID: 1, Login: "alice-gp", UserID: 10, State: "CHANGES_REQUESTED", CommitID: head, SubmittedAt: at(-3)},
			},
			want: "changes_requested", wantID: 1,
		},
		{
			// Attacker: a file that lists the later review first must not
			// make the earlier one stand; equal times go by review id.
			name: "equal times ordered by id, not position",
			reviews: []Review{
				{ID: 8, Login: "alice-gp", UserID: 10, State: "CHANGES_REQUESTED", CommitID: head, SubmittedAt: at(-1)},
				{ID: 7, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head, SubmittedAt: at(-1)},
			},
			want: "changes_requested", wantID: 8,
		},
		{
			name: "two undated reviews ordered by id",
			reviews: []Review{
				{ID: 5, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head},
				{ID: 4, Login: "alice-gp", UserID: 10, State: "CHANGES_REQUESTED", CommitID: head},
			},
			want: "approved", wantID: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sources()
			s.Reviews = tt.reviews
			got := standing(t, s)
			if len(got) != 1 || got[0].State != tt.want || got[0].ID != tt.wantID {
				t.Fatalf("standing = %+v, want alice's review %d (%s)", got, tt.wantID, tt.want)
			}
		})
	}
}

func TestDismisserChecks(t *testing.T) {
	t.Parallel()
	stop := Review{ID: 20, Login: "alice-gp", UserID: 10, State: "DISMISSED", CommitID: head}
	tests := []struct {
		name   string
		author string
		by     string
		byID   int64
		want   *Person
	}{
		{name: "lapsed CSO", by: "lapsed", want: &Person{Login: "lapsed", InRegister: true, Name: "L", Body: "NMC", Registration: "2",
			Checks: Checks{Registered: true, Trained: true, Independent: true, InScope: true, IDMatches: true}}},
		{name: "the pull request's author, listed in the register", by: "coder", author: "coder", want: &Person{Login: "coder", InRegister: true, Name: "C", Body: "GMC", Registration: "5",
			Checks: Checks{Registered: true, RegistrationCurrent: true, Trained: true, InScope: true, IDMatches: true}, IndependenceDetail: "@coder authored the pull request"}},
		{name: "recycled login with another user id", by: "alice-gp", byID: 99, want: &Person{Login: "alice-gp", UserID: 99, InRegister: true, Name: "Dr A", Body: "GMC", Registration: "1",
			Checks: Checks{Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, InScope: true}}},
		{name: "out-of-scope CSO", by: "elsewhere", want: &Person{Login: "elsewhere", InRegister: true, Name: "E", Body: "HCPC", Registration: "4",
			Checks: Checks{Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, IDMatches: true}}},
		{name: "qualified CSO", by: "alice-gp", byID: 10, want: &Person{Login: "alice-gp", UserID: 10, InRegister: true, Name: "Dr A", Body: "GMC", Registration: "1",
			Checks: Checks{Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, InScope: true, IDMatches: true}}},
		{name: "not in the register", by: "lead-lee", want: &Person{Login: "lead-lee"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sources()
			s.Author, s.CommitAuthors = tt.author, nil
			s.Reviews = []Review{stop}
			s.Dismissals = []Dismissal{{ReviewID: 20, DismissedBy: tt.by, DismissedByID: tt.byID, OriginalState: "changes_requested"}}
			got := standing(t, s)
			if len(got) != 1 || !reflect.DeepEqual(got[0].Dismisser, tt.want) {
				t.Fatalf("dismisser = %+v, want %+v", got[0].Dismisser, tt.want)
			}
		})
	}
}

func TestIndependenceByEmail(t *testing.T) {
	t.Parallel()
	const sha = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c"
	tests := []struct {
		name   string
		person CommitPerson
		want   string
	}{
		{name: "Co-authored-by with a work email", person: CommitPerson{Role: "co-author", Email: "Alice@Trust.NHS.uk"},
			want: "commit 9b8c7d6 was co-authored by Co-authored-by: Alice@Trust.NHS.uk, an address the CSO register lists for @Alice-GP"},
		{name: "commit authored under an unlinked work email", person: CommitPerson{Role: "author", Email: "alice@trust.nhs.uk"},
			want: "commit 9b8c7d6 was authored by alice@trust.nhs.uk, an address the CSO register lists for @Alice-GP"},
		{name: "committer email", person: CommitPerson{Role: "committer", Email: "a.example@gp.nhs.net"},
			want: "commit 9b8c7d6 was committed by a.example@gp.nhs.net, an address the CSO register lists for @Alice-GP"},
		{name: "linked account", person: CommitPerson{Role: "author", Logins: []string{"alice-gp"}, Email: "583231+alice-gp@users.noreply.github.com"},
			want: "commit 9b8c7d6 was authored by @alice-gp (583231+alice-gp@users.noreply.github.com)"},
		{name: "someone else's address", person: CommitPerson{Role: "co-author", Email: "bob@trust.nhs.uk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sources()
			s.Register.Officers[0].Emails = []string{"alice@trust.nhs.uk", "a.example@gp.nhs.net"}
			s.Commits = []Commit{{SHA: "1234567aaaa", People: []CommitPerson{{Role: "author", Logins: []string{"dev"}}}},
				{SHA: sha, People: []CommitPerson{tt.person}}}
			s.Reviews = []Review{{ID: 1, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head}}
			in := build(t, s)
			r := in.Reviews[0]
			if r.IndependenceDetail != tt.want || r.Checks.Independent != (tt.want == "") {
				t.Errorf("independent = %v, detail %q; want detail %q", r.Checks.Independent, r.IndependenceDetail, tt.want)
			}
			if in.Officers[0].Eligible != (tt.want == "") {
				t.Errorf("officer eligible = %v (%s), want %v", in.Officers[0].Eligible, in.Officers[0].Ineligible, tt.want == "")
			}
			named := false
			for _, a := range in.CommitAuthors {
				named = named || a == "Alice-GP"
			}
			if byEmail := tt.want != "" && tt.person.Logins == nil; named != byEmail {
				t.Errorf("commit_authors = %v; alice named %v, want %v", in.CommitAuthors, named, byEmail)
			}
		})
	}
}

func TestScopeIsTheTrustedProduct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		headProduct  string
		scopeProduct string
		wantAlice    bool // alice's products: [example epr]
		wantAnyone   bool // coder has no products: every product
	}{
		{name: "trusted product in scope", headProduct: "Example EPR", scopeProduct: "Example EPR", wantAlice: true, wantAnyone: true},
		// Attacker: the head renames its product to one the officer covers.
		{name: "head renames product", headProduct: "Example EPR", scopeProduct: "Other", wantAlice: false, wantAnyone: true},
		{name: "no trusted product", headProduct: "Example EPR", scopeProduct: "", wantAlice: false, wantAnyone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sources()
			s.HazardLog.Product, s.ScopeProduct = tt.headProduct, tt.scopeProduct
			s.CommitAuthors = nil
			s.Reviews = []Review{{ID: 1, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head}, {ID: 2, Login: "coder", State: "APPROVED", CommitID: head}}
			in := build(t, s)
			if in.Reviews[0].Checks.InScope != tt.wantAlice || in.Reviews[1].Checks.InScope != tt.wantAnyone {
				t.Errorf("in scope: alice %v, coder %v; want %v, %v", in.Reviews[0].Checks.InScope, in.Reviews[1].Checks.InScope, tt.wantAlice, tt.wantAnyone)
			}
			if in.ScopeProduct != tt.scopeProduct || in.Product != tt.headProduct {
				t.Errorf("product %q, scope product %q", in.Product, in.ScopeProduct)
			}
		})
	}
}

func TestReviewWithoutUserSkipped(t *testing.T) {
	t.Parallel()
	s := sources()
	s.Reviews = []Review{
		{ID: 1, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head},
		{ID: 2, State: "CHANGES_REQUESTED", CommitID: head},
		{ID: 3, State: "COMMENTED", CommitID: head},
	}
	in := build(t, s)
	if len(in.Reviews) != 1 || in.Reviews[0].Login != "alice-gp" {
		t.Errorf("standing = %+v, want alice's only", in.Reviews)
	}
	want := []SkippedReview{{ID: 2, State: "changes_requested", CommitID: head,
		Reason: "the review has no user: GitHub returns none for a deleted account, so nobody can be held to the register for it"}}
	if !reflect.DeepEqual(in.SkippedReviews, want) {
		t.Errorf("skipped = %+v, want %+v", in.SkippedReviews, want)
	}
}

// A dismissed review stands as dismissed: its author's earlier approval does
// not come back, whoever dismissed it.
func TestDismissalDoesNotRestoreApproval(t *testing.T) {
	t.Parallel()
	s := sources()
	s.Reviews = []Review{
		{ID: 1, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head, SubmittedAt: today.Add(-2 * time.Hour)},
		{ID: 2, Login: "alice-gp", UserID: 10, State: "DISMISSED", CommitID: head, SubmittedAt: today.Add(-time.Hour)},
	}
	s.Dismissals = []Dismissal{{ReviewID: 2, DismissedBy: "alice-gp", DismissedByID: 10, OriginalState: "CHANGES_REQUESTED"}}
	got := standing(t, s)
	if len(got) != 1 || got[0].State != "dismissed" {
		t.Errorf("standing = %+v, want alice's dismissed review", got)
	}
}
