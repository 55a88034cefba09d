// Package pullfacts turns what GitHub says about a pull request into a
// gate.Request: its reviews, changed files, commits and review dismissals,
// the manifest at its base, and the trusted side read at a commit. It is one
// place, so the pull-request gate and the release gate judge a pull request
// identically.
package pullfacts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/hazardlog"
)

// API is what pullfacts reads of GitHub; *github.Client provides it.
type API interface {
	Reviews(ctx context.Context, owner, repo string, number int) ([]github.Review, error)
	Files(ctx context.Context, owner, repo string, number int) ([]github.ChangedFile, error)
	Commits(ctx context.Context, owner, repo string, number int) ([]github.Commit, error)
	Dismissals(ctx context.Context, owner, repo string, number int) ([]github.Dismissal, error)
	FileAt(ctx context.Context, owner, repo, ref, path string) ([]byte, bool, error)
	DirAt(ctx context.Context, owner, repo, ref, dir string) (map[string][]byte, error)
	Tree(ctx context.Context, owner, repo, sha string) ([]github.TreeEntry, error)
}

var _ API = (*github.Client)(nil)

// IssueLister lists the issues of a hazard log kept as GitHub issues, as
// one JSON listing (*github.Client does); an API without it cannot judge
// such a log.
type IssueLister interface {
	HazardIssues(ctx context.Context, owner, repo, label string) ([]byte, error)
}

var _ IssueLister = (*github.Client)(nil)

// IssuesLabel reports whether the paths name a hazard log kept as GitHub
// issues, and the label that marks its hazards.
func IssuesLabel(p gate.Paths) (string, bool) {
	f, err := hazardlog.DetectFormat(p.HazardLog, false, p.HazardLogFormat)
	if err != nil {
		return "", false
	}
	return f.IssueLabel()
}

// Pull is a pull request to judge on its head commit.
type Pull struct {
	Number  int
	HeadSHA string
	// BaseSHA is the commit whose manifest the head's is compared with, to
	// find the changes under review: the base branch's tip for a
	// pull-request run, the pull request's base commit otherwise.
	BaseSHA string
	Author  string
	// Commits are the pull request's commits when the caller has read them
	// already; nil reads them.
	Commits []github.Commit
	// TrustedRef is the commit the register, configuration and policies are
	// read at, and TrustedWhat how messages name it: by default BaseSHA
	// ("the base commit"); the base branch's tip for a pull-request run; a
	// merge group's base for a pull request in a merge queue.
	TrustedRef, TrustedWhat string
	// Workspace is a directory holding the head's hazard log, manifest and
	// components map: the job's checkout of the head, or Reader.Checkout's.
	Workspace string
	Paths     gate.Paths
	Today     time.Time
	// HazardLogIssues is the listing of a hazard log kept as GitHub issues
	// when the caller has read it already (release mode lists it once for
	// every pull request of the release); nil lists it when the paths name
	// such a log.
	HazardLogIssues []byte
}

// Request gathers the pull request's facts — reviews, changed files (a
// rename's previous path too), commits, review dismissals, and the manifest
// at its base, which decides the changes under review — and returns the
// gate.Request that judges it. Its Trusted is a *Source at p.TrustedRef.
// An error names what could not be read.
//
// The reads are independent, so they are all asked at once (the client
// keeps within its cap on requests in flight), and their errors are judged
// in the order above once all have answered: what a run asks GitHub, and
// the error it reports, do not depend on which answer came first.
func (r *Reader) Request(ctx context.Context, p Pull) (*gate.Request, error) {
	n := p.Number
	var (
		reviews      []github.Review
		files        []github.ChangedFile
		commits      = p.Commits
		dismissals   []github.Dismissal
		baseManifest []byte
		found        bool
		// Issues have no commit: the hazard log kept as issues is read as
		// it is now, and the decision record keeps what was read.
		issues = p.HazardLogIssues
	)
	err := all(
		func() (err error) {
			if reviews, err = r.api.Reviews(ctx, r.owner, r.repo, n); err != nil {
				return fmt.Errorf("reading the reviews of #%d: %w", n, err)
			}
			return nil
		},
		func() (err error) {
			if files, err = r.api.Files(ctx, r.owner, r.repo, n); err != nil {
				return fmt.Errorf("reading the changed files of #%d: %w", n, err)
			}
			r.mu.Lock()
			r.pullFiles[n] = files
			r.mu.Unlock()
			return nil
		},
		func() (err error) {
			if commits != nil {
				return nil
			}
			if commits, err = r.api.Commits(ctx, r.owner, r.repo, n); err != nil {
				return fmt.Errorf("reading the commits of #%d: %w", n, err)
			}
			return nil
		},
		func() (err error) {
			if dismissals, err = r.api.Dismissals(ctx, r.owner, r.repo, n); err != nil {
				return fmt.Errorf("reading the review dismissals of #%d: %w", n, err)
			}
			return nil
		},
		func() (err error) {
			if baseManifest, found, err = r.File(ctx, p.BaseSHA, p.Paths.Manifest); err != nil {
				return fmt.Errorf("reading the manifest of #%d at its base %s: %w", n, decision.ShortSHA(p.BaseSHA), err)
			}
			if !found {
				baseManifest = nil
			}
			return nil
		},
		func() (err error) {
			label, ok := IssuesLabel(p.Paths)
			if !ok || issues != nil {
				return nil
			}
			lister, ok := r.api.(IssueLister)
			if !ok {
				return fmt.Errorf("reading the hazard issues (label %q): this run cannot list issues", label)
			}
			if issues, err = lister.HazardIssues(ctx, r.owner, r.repo, label); err != nil {
				return fmt.Errorf("reading the hazard log kept as issues labelled %q: %w", label, err)
			}
			return nil
		},
	)
	if err != nil {
		return nil, err
	}
	ref, what := p.TrustedRef, p.TrustedWhat
	if ref == "" {
		ref = p.BaseSHA
	}
	if what == "" {
		what = "the base commit"
	}
	return &gate.Request{
		Paths:           p.Paths,
		WorkspaceRoot:   p.Workspace,
		Trusted:         r.Source(ref, what),
		BaseManifest:    baseManifest,
		HazardLogIssues: issues,
		ChangedFiles:    ChangedPaths(files),
		Reviews:         reviewFacts(reviews),
		Dismissals:      dismissalFacts(dismissals),
		HeadSHA:         p.HeadSHA,
		Author:          p.Author,
		CommitAuthors:   commitPeople(commits),
		Commits:         commitFacts(commits),
		Today:           p.Today,
		RepoFiles:       r.RepoFiles(p.HeadSHA),
	}, nil
}

// Evaluate has the gate judge req. The outcome is never nil. The error is a
// failed read of the trusted side, which the gate can report only as its own
// failure: the caller reports it as what it is (GitHub's, most often), with
// the outcome for what the gate did see.
func Evaluate(ctx context.Context, req *gate.Request) (*gate.Outcome, error) {
	out := gate.Evaluate(ctx, req)
	if s, ok := req.Trusted.(*Source); ok {
		if err := s.Err(); err != nil {
			return out, fmt.Errorf("reading the register, configuration and policies from %s: %w", s.Describe(), err)
		}
	}
	if f, ok := req.RepoFiles.(*RepoFiles); ok {
		if err := f.Err(); err != nil {
			return out, fmt.Errorf("reading the file tree of %s, to check hazard components and control evidence: %w", decision.ShortSHA(f.sha), err)
		}
	}
	return out, nil
}

// all runs the reads at once, waits for every one, and returns the first
// error in the order given: all of them are asked whatever fails, so which
// requests a failing run makes, and which error it reports, never depend on
// timing.
func all(reads ...func() error) error {
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() { errs[i] = read() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
