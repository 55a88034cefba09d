package pullfacts

import (
	"slices"
	"testing"

	"github.com/csogate/csogate/internal/github"
)

func TestNoreplyLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		email, want string
	}{
		{"583231+alice-gp@users.noreply.github.com", "alice-gp"},
		{"alice-gp@users.noreply.github.com", "alice-gp"},
		{"ALICE-GP@USERS.NOREPLY.GITHUB.COM", "ALICE-GP"},
		{" 583231+alice-gp@users.noreply.github.com ", "alice-gp"},
		{"49699333+dependabot[bot]@users.noreply.github.com", "dependabot[bot]"},
		{"7+alice@users.noreply.ghes.example.com", "alice"},
		{"7+alice@noreply.ghes.example.com", "alice"},
		{"noreply@github.com", ""}, // web-flow's committer address: no person
		{"alice@nhs.net", ""},
		{"alice-gp@users.noreply.github.com.evil", "alice-gp"}, // reading too many people only errs safe
		{"alice gp@users.noreply.github.com", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := NoreplyLogin(tc.email); got != tc.want {
			t.Errorf("NoreplyLogin(%q) = %q, want %q", tc.email, got, tc.want)
		}
	}
}

func TestCommitPeople(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		commits []github.Commit
		want    []string
	}{
		{
			name: "accounts, noreply authors and committers, co-authors; case-insensitive, sorted",
			commits: []github.Commit{
				{AuthorLogin: "dev-dan", CommitterLogin: "web-flow", AuthorEmail: "dan@example.com", CommitterEmail: "noreply@github.com"},
				{AuthorEmail: "583231+alice-gp@users.noreply.github.com", CommitterEmail: "dan@example.com",
					CoAuthorEmails: []string{"nurse-niamh@users.noreply.github.com", "someone@example.com", "1+Dev-Dan@users.noreply.github.com"}},
				{AuthorLogin: "Bob", CommitterLogin: "bob"},
			},
			want: []string{"alice-gp", "Bob", "dev-dan", "nurse-niamh", "web-flow"},
		},
		{
			name: "the first spelling of a login is kept; apps' noreply addresses count",
			commits: []github.Commit{
				{AuthorLogin: "dev-dana", CommitterLogin: "web-flow"},
				{AuthorEmail: "12345+Alice-GP@users.noreply.github.com", CoAuthorEmails: []string{"bob-dev@users.noreply.github.com", "carol@example.com"}},
				{AuthorLogin: "DEV-DANA", CommitterEmail: "ci-bot[bot]@users.noreply.github.com"},
			},
			want: []string{"Alice-GP", "bob-dev", "ci-bot[bot]", "dev-dana", "web-flow"},
		},
		{name: "no commits", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := commitPeople(tc.commits); !slices.Equal(got, tc.want) {
				t.Errorf("commitPeople = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestChangedPaths(t *testing.T) {
	t.Parallel()
	files := []github.ChangedFile{
		{Path: "src/new/banner.go", PreviousPath: "src/ui/allergy/banner.go", Status: "renamed"},
		{Path: "src/search/index.go", Status: "removed"},
		{Path: "README.md", Status: "modified"},
		{Path: "docs/same.md", PreviousPath: "docs/same.md", Status: "changed"},
	}
	want := []string{"src/new/banner.go", "src/ui/allergy/banner.go", "src/search/index.go", "README.md", "docs/same.md"}
	if got := ChangedPaths(files); !slices.Equal(got, want) {
		t.Errorf("ChangedPaths = %v, want %v", got, want)
	}
}

func TestReviewAndDismissalFacts(t *testing.T) {
	t.Parallel()
	reviews := reviewFacts([]github.Review{
		{ID: 2, Login: "alice-gp", UserID: 583231, State: "APPROVED", CommitID: "abc"},
		{ID: 1, Login: "bob-dev", State: "commented"},
	})
	if len(reviews) != 2 || reviews[0].ID != 2 || reviews[0].UserID != 583231 || reviews[0].CommitID != "abc" || reviews[1].State != "commented" {
		t.Errorf("reviewFacts = %+v, want GitHub's order and states as sent", reviews)
	}
	dismissals := dismissalFacts([]github.Dismissal{{ReviewID: 9, DismissedBy: "lead-larry", OriginalState: "changes_requested"}})
	if len(dismissals) != 1 || dismissals[0].ReviewID != 9 || dismissals[0].DismissedBy != "lead-larry" || dismissals[0].OriginalState != "changes_requested" {
		t.Errorf("dismissalFacts = %+v", dismissals)
	}
}
