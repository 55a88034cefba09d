package github

import (
	"fmt"
	"strings"
)

// UnavailableError means GitHub could not be read (or written) even after
// retrying: 5xx answers, timeouts, network errors, or a rate limit that would
// last longer than the client may wait. The gate reports it as
// GITHUB_UNAVAILABLE and fails closed.
type UnavailableError struct {
	// Operation is the request that failed, e.g. "GET /repos/o/r/pulls/7/reviews".
	Operation string
	// Last describes the last answer: a status line such as "502 Bad Gateway",
	// or what went wrong on the network, such as "no response within 30s".
	Last string
	// Attempts is how many times the request was sent.
	Attempts int
	// Reason says why the client stopped trying, when that is not simply
	// that the retries ran out (e.g. a rate limit longer than MaxWait).
	Reason string
	// Err is the last network error, if the last attempt had no HTTP answer.
	Err error
}

func (e *UnavailableError) Error() string {
	plural := "s"
	if e.Attempts == 1 {
		plural = ""
	}
	msg := fmt.Sprintf("%s: %s after %d attempt%s", e.Operation, e.Last, e.Attempts, plural)
	if e.Reason != "" {
		msg += "; " + e.Reason
	}
	return msg
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// PermissionError means GitHub refused the request because the token lacks a
// permission (a 403 that is not a rate limit, or a 404 on a write). Its
// message names the entry the workflow's permissions: block needs, because
// that is the only thing the user can change.
type PermissionError struct {
	// Operation says what the gate was doing, e.g. "creating a commit status".
	Operation string
	// Permission is the permissions: entry that grants it, e.g. "statuses: write".
	Permission string
	// Alternative is another entry that also grants it, if there is one.
	Alternative string
	// StatusCode and GitHubMessage are what GitHub answered, for the logs.
	StatusCode    int
	GitHubMessage string
}

func (e *PermissionError) Error() string {
	msg := fmt.Sprintf("%s needs %q in the workflow's permissions: block", e.Operation, e.Permission)
	if e.Alternative != "" {
		msg += fmt.Sprintf(" (%q also works)", e.Alternative)
	}
	return msg
}

// StatusError is any other error answer from GitHub (404 on a read, 401, 422,
// ...), which retrying will not change.
type StatusError struct {
	Operation     string // what the gate was doing, e.g. "reading the pull request"
	StatusCode    int
	Status        string // the status line, e.g. "404 Not Found"
	GitHubMessage string // GitHub's "message", e.g. "Bad credentials"
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: GitHub answered %s", e.Operation, e.Status)
	if e.GitHubMessage != "" {
		msg += fmt.Sprintf(" (%s)", e.GitHubMessage)
	}
	if e.StatusCode == 401 {
		msg += ": the token is missing, expired or revoked"
	}
	return msg
}

// redactedError carries an error whose text might, against expectations,
// contain the token; Error() masks it and Unwrap keeps errors.As working.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact masks every occurrence of secret in s.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}
