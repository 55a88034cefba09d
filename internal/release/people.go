package release

import (
	"regexp"
	"sort"
	"strings"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/github"
)

// reviewFacts turns GitHub's reviews into the gate's, keeping GitHub's
// (chronological) order and its states as sent.
func reviewFacts(rs []github.Review) []facts.Review {
	out := make([]facts.Review, 0, len(rs))
	for _, r := range rs {
		out = append(out, facts.Review{ID: r.ID, Login: r.Login, UserID: r.UserID, State: r.State,
			CommitID: r.CommitID, SubmittedAt: r.SubmittedAt})
	}
	return out
}

// dismissalFacts turns review_dismissed events into the gate's dismissals.
func dismissalFacts(ds []github.Dismissal) []facts.Dismissal {
	out := make([]facts.Dismissal, 0, len(ds))
	for _, d := range ds {
		out = append(out, facts.Dismissal{ReviewID: d.ReviewID, DismissedBy: d.DismissedBy, OriginalState: d.OriginalState})
	}
	return out
}

// changedPaths lists the paths a change touches: every file's path, and a
// renamed file's old path too, since moving a file out of a hazard's
// components changes that component.
func changedPaths(files []github.ChangedFile) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, f.Path)
		if f.PreviousPath != "" && f.PreviousPath != f.Path {
			out = append(out, f.PreviousPath)
		}
	}
	return out
}

// commitPeople returns the logins behind commits, for the independence
// check: each commit's author and committer accounts, and the accounts named
// by GitHub noreply addresses as author, committer or Co-authored-by:
// trailer. Reading too many people errs on the safe side: it can only stop
// an approval from counting.
func commitPeople(commits []github.Commit) []string {
	seen := map[string]bool{}
	var out []string
	add := func(login string) {
		if login == "" || seen[strings.ToLower(login)] {
			return
		}
		seen[strings.ToLower(login)] = true
		out = append(out, login)
	}
	for _, c := range commits {
		add(c.AuthorLogin)
		add(c.CommitterLogin)
		add(noreplyLogin(c.AuthorEmail))
		add(noreplyLogin(c.CommitterEmail))
		for _, e := range c.CoAuthorEmails {
			add(noreplyLogin(e))
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// noreplyAddress matches GitHub's private commit addresses,
// 12345+login@users.noreply.github.com and the older
// login@users.noreply.github.com, on github.com and on GitHub Enterprise
// Server (users.noreply.HOST or noreply.HOST).
var noreplyAddress = regexp.MustCompile(`(?i)^(?:[0-9]+\+)?([a-z0-9][a-z0-9-]*(?:\[bot\])?)@(?:users\.)?noreply\.[a-z0-9.-]+$`)

// noreplyLogin returns the login a GitHub noreply address stands for, or "".
func noreplyLogin(email string) string {
	m := noreplyAddress.FindStringSubmatch(strings.TrimSpace(email))
	if m == nil {
		return ""
	}
	return m[1]
}

// commitAuthor names who made a commit: the GitHub login when GitHub matched
// one (or a noreply address names it), else the author's email address.
func commitAuthor(c github.Commit) string {
	if c.AuthorLogin != "" {
		return c.AuthorLogin
	}
	if l := noreplyLogin(c.AuthorEmail); l != "" {
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
