package pullfacts

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/safetyfile"
)

// Reader reads one repository's pull requests, and its files at commits
// through the contents API, each (ref, path) once: a release reads the same
// register or manifest for several pull requests, and GitHub's rate limit is
// shared with the rest of the workflow. It is safe for concurrent use: a
// read asked for while the same read is under way waits for it rather than
// asking GitHub again (release mode evaluates pull requests concurrently, and
// two of them often share a base commit). Errors are not kept, so a read that
// failed is tried again if asked again later.
type Reader struct {
	api         API
	owner, repo string

	mu    sync.Mutex
	files map[[2]string]*fileEntry
	dirs  map[[2]string]*dirEntry
	trees map[string]*treeEntry
	// pullFiles are the changed files of each pull request Request read,
	// with their blobs: release mode compares a merge's result with them.
	pullFiles map[int][]github.ChangedFile
}

// PullFiles are the changed files GitHub listed for pull request n when
// Request read it; nil when it has not.
func (r *Reader) PullFiles(n int) []github.ChangedFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pullFiles[n]
}

// treeEntry is a read of one commit's file tree, done once done is closed.
type treeEntry struct {
	done chan struct{}
	tree *repofiles.Tree
	err  error
}

// fileEntry is a read of one file, done once done is closed.
type fileEntry struct {
	done  chan struct{}
	data  []byte
	found bool
	err   error
}

// dirEntry is a read of one directory, done once done is closed.
type dirEntry struct {
	done  chan struct{}
	files map[string][]byte
	err   error
}

// NewReader reads owner/repo through api.
func NewReader(api API, owner, repo string) *Reader {
	return &Reader{api: api, owner: owner, repo: repo,
		files: map[[2]string]*fileEntry{}, dirs: map[[2]string]*dirEntry{}, trees: map[string]*treeEntry{}, pullFiles: map[int][]github.ChangedFile{}}
}

// File returns the file at ref; found is false when it does not exist there.
func (r *Reader) File(ctx context.Context, ref, name string) ([]byte, bool, error) {
	key := [2]string{ref, path.Clean(name)}
	r.mu.Lock()
	e, asked := r.files[key]
	if !asked {
		e = &fileEntry{done: make(chan struct{})}
		r.files[key] = e
	}
	r.mu.Unlock()
	if asked {
		select {
		case <-e.done:
			return e.data, e.found, e.err
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
	e.data, e.found, e.err = r.api.FileAt(ctx, r.owner, r.repo, ref, name)
	if e.err != nil {
		e.data, e.found = nil, false
		r.forget(func() { delete(r.files, key) })
	}
	close(e.done)
	return e.data, e.found, e.err
}

// Dir returns every file under dir at ref, keyed by repository path.
func (r *Reader) Dir(ctx context.Context, ref, dir string) (map[string][]byte, error) {
	key := [2]string{ref, path.Clean(dir)}
	r.mu.Lock()
	e, asked := r.dirs[key]
	if !asked {
		e = &dirEntry{done: make(chan struct{})}
		r.dirs[key] = e
	}
	r.mu.Unlock()
	if asked {
		select {
		case <-e.done:
			return maps.Clone(e.files), e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e.files, e.err = r.api.DirAt(ctx, r.owner, r.repo, ref, dir)
	if e.err != nil {
		e.files = nil
		r.forget(func() { delete(r.dirs, key) })
	}
	close(e.done)
	return maps.Clone(e.files), e.err
}

// RepoFiles is the repository's file list at sha (GitHub's git tree),
// read when the gate first asks for it and once per commit however many
// evaluations ask: a release judges several pull requests, and two may
// share a head.
func (r *Reader) RepoFiles(sha string) *RepoFiles {
	return &RepoFiles{r: r, sha: sha}
}

// RepoFiles is one commit's file list as gate.RepoFiles. It keeps the error
// a read returned, so Evaluate reports a failure of GitHub as GitHub's.
type RepoFiles struct {
	r   *Reader
	sha string

	mu  sync.Mutex
	err error
}

var _ gate.RepoFiles = (*RepoFiles)(nil)

// Tree implements gate.RepoFiles.
func (f *RepoFiles) Tree(ctx context.Context) (*repofiles.Tree, error) {
	tree, err := f.r.tree(ctx, f.sha)
	if err != nil {
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
	}
	return tree, err
}

// Err is the error the read returned, or nil.
func (f *RepoFiles) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (r *Reader) tree(ctx context.Context, sha string) (*repofiles.Tree, error) {
	r.mu.Lock()
	e, asked := r.trees[sha]
	if !asked {
		e = &treeEntry{done: make(chan struct{})}
		r.trees[sha] = e
	}
	r.mu.Unlock()
	if asked {
		select {
		case <-e.done:
			return e.tree, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	entries, err := r.api.Tree(ctx, r.owner, r.repo, sha)
	if err == nil {
		e.tree, err = github.TreeOf("GitHub's file tree of "+decision.ShortSHA(sha), entries)
	}
	if e.err = err; err != nil {
		e.tree = nil
		r.forget(func() { delete(r.trees, sha) })
	}
	close(e.done)
	return e.tree, e.err
}

// forget drops a failed read, so a later ask tries again; those already
// waiting for it get its error.
func (r *Reader) forget(drop func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	drop()
}

// Source is the gate.Source of the files at ref, named what in messages
// ("the base commit", "the released commit").
func (r *Reader) Source(ref, what string) *Source {
	return &Source{r: r, ref: ref, what: what}
}

// Source is one side of the trust boundary read at a commit through the
// contents API: a pull request's base commit (its register, configuration
// and policies as they were before the pull request, so its own edits to
// them take effect only once merged), a merge group's base, or a released
// commit. It keeps the first error a read returned, so a GitHub failure the
// gate can only report as its own error is reported as GitHub's.
type Source struct {
	r    *Reader
	ref  string
	what string

	mu  sync.Mutex
	err error
}

var _ gate.Source = (*Source)(nil)

// ReadFile implements gate.Source.
func (s *Source) ReadFile(ctx context.Context, name string) ([]byte, bool, error) {
	data, found, err := s.r.File(ctx, s.ref, name)
	s.keep(err)
	return data, found, err
}

// ReadDir implements gate.Source.
func (s *Source) ReadDir(ctx context.Context, dir string) (map[string][]byte, error) {
	files, err := s.r.Dir(ctx, s.ref, dir)
	s.keep(err)
	return files, err
}

// Describe implements gate.Source.
func (s *Source) Describe() string {
	return fmt.Sprintf("%s %s", s.what, decision.ShortSHA(s.ref))
}

// Err is the first error a read returned, or nil.
func (s *Source) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Source) keep(err error) {
	if _, ok := safetyfile.InputProblem(err); ok {
		// A symbolic link or a directory is a fault of the input, which the
		// gate reports as INPUT_INVALID there, not a failure to read GitHub.
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// Checkout writes the workspace side of the gate — the hazard log (a file,
// or every file of a directory log), the manifest and the components map —
// as they are at ref into a new directory under parent ("" for the system's
// temporary directory), and returns it; the caller removes it. This is how a
// pull request is judged on its own head when the job's checkout is
// something else: a merge group's merge, or a release. Files absent at ref
// stay absent; the gate reports them as it would in a checkout.
func (r *Reader) Checkout(ctx context.Context, ref, parent string, p gate.Paths) (string, error) {
	root, err := os.MkdirTemp(parent, "csogate-head-")
	if err != nil {
		return "", fmt.Errorf("creating a directory for the files at %s: %w", decision.ShortSHA(ref), err)
	}
	if err := r.materialise(ctx, ref, root, p); err != nil {
		os.RemoveAll(root)
		return "", err
	}
	return root, nil
}

func (r *Reader) materialise(ctx context.Context, ref, root string, p gate.Paths) error {
	write := func(name string, data []byte) error {
		full := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, data, 0o644)
	}
	// A symbolic link or a directory at ref is checked out as what it is,
	// as git would: the gate refuses it there (INPUT_INVALID, naming a
	// link's target) and reads nothing through a link.
	mirror := func(err error) error {
		var nf *safetyfile.NotFileError
		if errors.As(err, &nf) {
			return os.MkdirAll(filepath.Join(root, filepath.FromSlash(nf.Path)), 0o755)
		}
		var le *safetyfile.LinkError
		if !errors.As(err, &le) {
			return err
		}
		full := filepath.Join(root, filepath.FromSlash(le.Path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.Symlink(le.Target, full)
	}
	names := []string{p.Manifest, p.ComponentsMap}
	_, issues := IssuesLabel(p)
	dir := !issues && hazardLogIsDir(p)
	if !issues && !dir {
		names = append([]string{p.HazardLog}, names...)
	}
	// The reads are independent: all are asked at once, and what they
	// answered is written in the order above, as one after another would.
	type fileRead struct {
		data  []byte
		found bool
		err   error
	}
	reads := make([]fileRead, len(names))
	var dirFiles map[string][]byte
	var dirErr error
	var wg sync.WaitGroup
	if dir {
		wg.Go(func() { dirFiles, dirErr = r.Dir(ctx, ref, p.HazardLog) })
	}
	for i, name := range names {
		if name != "" {
			wg.Go(func() { reads[i].data, reads[i].found, reads[i].err = r.File(ctx, ref, name) })
		}
	}
	wg.Wait()
	// A hazard log kept as issues is read through the issues API by
	// Request, not from the commit.
	if dir {
		if dirErr != nil {
			return mirror(dirErr)
		}
		for name, data := range dirFiles {
			if err := write(name, data); err != nil {
				return err
			}
		}
	}
	for i, name := range names {
		if name == "" {
			continue
		}
		if err := reads[i].err; err != nil {
			if err := mirror(err); err != nil {
				return err
			}
			continue
		}
		if reads[i].found {
			if err := write(name, reads[i].data); err != nil {
				return err
			}
		}
	}
	return nil
}

// hazardLogIsDir tells a hazard log kept as a directory of Markdown files
// from a single file, by the readers' own rule (hazardlog.NamesOneFile).
func hazardLogIsDir(p gate.Paths) bool {
	return !hazardlog.NamesOneFile(p.HazardLog, p.HazardLogFormat)
}
