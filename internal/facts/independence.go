package facts

import "github.com/csogate/csogate/internal/safetyfile"

// Authorship says how a person took part in the change — authored the pull
// request, or authored, committed or co-authored one of its commits under
// their login or one of their emails — naming the commit and the account or
// address; "" when they did not. It is the independence rule approvals
// follow, for others who act on a change (an emergency override).
func Authorship(author string, commitAuthors []string, commits []Commit, login string, emails []string) string {
	a := newAuthorship(&Sources{Author: author, CommitAuthors: commitAuthors, Commits: commits})
	return a.of(&safetyfile.Officer{GitHub: login, Emails: emails})
}
