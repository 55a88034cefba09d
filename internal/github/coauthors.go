package github

import (
	"regexp"
	"strings"
)

// coAuthorLine matches a Co-authored-by: trailer; git treats trailer keys
// case-insensitively, and so does GitHub.
var coAuthorLine = regexp.MustCompile(`(?i)^\s*co-authored-by\s*:(.*)$`)

// CoAuthorEmails returns the email addresses of the Co-authored-by: trailers
// in a commit message ("Co-authored-by: Name <email>"), in order, without
// duplicates (compared case-insensitively; the addresses are returned as
// written, so compare them case-insensitively too).
//
// Every such line counts, not only those in the final trailer block: for an
// independence check, reading too many co-authors errs on the safe side,
// reading too few does not.
func CoAuthorEmails(message string) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(message, "\n") {
		m := coAuthorLine.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		email := trailerEmail(m[1])
		if email == "" || seen[strings.ToLower(email)] {
			continue
		}
		seen[strings.ToLower(email)] = true
		out = append(out, email)
	}
	return out
}

// trailerEmail takes the address out of "Name <email>", or accepts a bare
// address.
func trailerEmail(v string) string {
	v = strings.TrimSpace(v)
	if open := strings.LastIndex(v, "<"); open >= 0 {
		end := strings.Index(v[open:], ">")
		if end < 0 {
			return ""
		}
		return strings.TrimSpace(v[open+1 : open+end])
	}
	if strings.Contains(v, "@") && !strings.ContainsAny(v, " \t") {
		return v
	}
	return ""
}
