package pullfacts

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/github"
)

// reviewFacts turns GitHub's reviews into the gate's, keeping GitHub's order
// (chronological) and its states as sent.
func reviewFacts(rs []github.Review) []facts.Review {
	out := make([]facts.Review, 0, len(rs))
	for _, r := range rs {
		out = append(out, facts.Review{ID: r.ID, Login: r.Login, UserID: r.UserID, State: r.State,
			CommitID: r.CommitID, SubmittedAt: r.SubmittedAt})
	}
	return out
}

// dismissalFacts turns review_dismissed events into the gate's dismissals:
// who dismissed which review, and what it had said.
func dismissalFacts(ds []github.Dismissal) []facts.Dismissal {
	out := make([]facts.Dismissal, 0, len(ds))
	for _, d := range ds {
		out = append(out, facts.Dismissal{ReviewID: d.ReviewID, DismissedBy: d.DismissedBy, DismissedByID: d.DismissedByID, OriginalState: d.OriginalState})
	}
	return out
}

// ChangedPaths lists the paths a change touches: every file's path, and a
// renamed file's old path too, since moving a file out of a hazard's
// components changes that component.
func ChangedPaths(files []github.ChangedFile) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, f.Path)
		if f.PreviousPath != "" && f.PreviousPath != f.Path {
			out = append(out, f.PreviousPath)
		}
	}
	return out
}

// commitPeople returns the logins behind a pull request's commits, for the
// independence check: each commit's author and committer accounts, and the
// accounts named by GitHub noreply addresses as author, committer or
// Co-authored-by: trailer. Reading too many people errs on the safe side (it
// can only stop an approval from counting), so every noreply-looking address
// counts. The committer "web-flow" (GitHub's web interface) is no person and
// no register lists it; it is kept rather than special-cased.
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
		add(NoreplyLogin(c.AuthorEmail))
		add(NoreplyLogin(c.CommitterEmail))
		for _, e := range c.CoAuthorEmails {
			add(NoreplyLogin(e))
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// commitFacts gives each commit's people with their accounts and addresses:
// the author and committer as GitHub matched them and as the commit records
// their email, and each Co-authored-by: trailer's address. The gate matches
// officers by login and by the emails the register lists for them, so a
// commit under a work address not linked to the officer's account still
// counts against the officer's independence.
func commitFacts(commits []github.Commit) []facts.Commit {
	out := make([]facts.Commit, 0, len(commits))
	for _, c := range commits {
		fc := facts.Commit{SHA: c.SHA, People: []facts.CommitPerson{
			{Role: "author", Logins: logins(c.AuthorLogin, NoreplyLogin(c.AuthorEmail)), Email: c.AuthorEmail},
			{Role: "committer", Logins: logins(c.CommitterLogin, NoreplyLogin(c.CommitterEmail)), Email: c.CommitterEmail},
		}}
		for _, e := range c.CoAuthorEmails {
			fc.People = append(fc.People, facts.CommitPerson{Role: "co-author", Logins: logins(NoreplyLogin(e)), Email: e})
		}
		out = append(out, fc)
	}
	return out
}

// logins lists the non-empty logins, each once.
func logins(ls ...string) []string {
	out := []string{}
	for _, l := range ls {
		if l != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, l) }) {
			out = append(out, l)
		}
	}
	return out
}

// noreplyAddress matches GitHub's private commit addresses,
// 12345+login@users.noreply.github.com and the older
// login@users.noreply.github.com, on github.com and on GitHub Enterprise
// Server (users.noreply.HOST or noreply.HOST). Logins are letters, digits
// and hyphens; apps commit as login[bot].
var noreplyAddress = regexp.MustCompile(`(?i)^(?:[0-9]+\+)?([a-z0-9][a-z0-9-]*(?:\[bot\])?)@(?:users\.)?noreply\.[a-z0-9.-]+$`)

// NoreplyLogin returns the login a GitHub noreply address stands for, or "".
func NoreplyLogin(email string) string {
	m := noreplyAddress.FindStringSubmatch(strings.TrimSpace(email))
	if m == nil {
		return ""
	}
	return m[1]
}
