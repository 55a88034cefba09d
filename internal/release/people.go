package release

import (
	"strings"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/pullfacts"
)

// commitAuthor names who made a commit: the GitHub login when GitHub matched
// one (or a noreply address names it), else the author's email address.
func commitAuthor(c github.Commit) string {
	if c.AuthorLogin != "" {
		return c.AuthorLogin
	}
	if l := pullfacts.NoreplyLogin(c.AuthorEmail); l != "" {
		return l
	}
	return c.AuthorEmail
}

// mention writes an author as a person reads it: @login, or the email
// address as it is.
func mention(author string) string {
	switch {
	case author == "":
		return "an unknown author"
	case strings.Contains(author, "@"):
		return author
	}
	return "@" + author
}
