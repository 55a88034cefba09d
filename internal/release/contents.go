package release

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
)

// contents reads files at commits through the contents API, each (ref, path)
// once: a release reads the same register or manifest for several pull
// requests, and GitHub's rate limit is shared with the rest of the workflow.
// Errors are not kept, so a read that failed is tried again if asked again.
type contents struct {
	api         API
	owner, repo string

	mu    sync.Mutex
	files map[[2]string]fileEntry
	dirs  map[[2]string]map[string][]byte
}

type fileEntry struct {
	data  []byte
	found bool
}

func newContents(api API, owner, repo string) *contents {
	return &contents{api: api, owner: owner, repo: repo,
		files: map[[2]string]fileEntry{}, dirs: map[[2]string]map[string][]byte{}}
}

// file returns the file at ref; found is false when it does not exist there.
func (c *contents) file(ctx context.Context, ref, name string) ([]byte, bool, error) {
	key := [2]string{ref, path.Clean(name)}
	c.mu.Lock()
	e, ok := c.files[key]
	c.mu.Unlock()
	if ok {
		return e.data, e.found, nil
	}
	data, found, err := c.api.FileAt(ctx, c.owner, c.repo, ref, name)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	c.files[key] = fileEntry{data: data, found: found}
	c.mu.Unlock()
	return data, found, nil
}

// dir returns every file under dir at ref, keyed by repository path.
func (c *contents) dir(ctx context.Context, ref, dir string) (map[string][]byte, error) {
	key := [2]string{ref, path.Clean(dir)}
	c.mu.Lock()
	files, ok := c.dirs[key]
	c.mu.Unlock()
	if ok {
		return maps.Clone(files), nil
	}
	files, err := c.api.DirAt(ctx, c.owner, c.repo, ref, dir)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.dirs[key] = files
	c.mu.Unlock()
	return maps.Clone(files), nil
}

// refSource is one side of the trust boundary read at a commit through the
// contents API: a pull request's base commit (its register, configuration
// and policies as they were before the pull request), or the released
// commit. It keeps the first error a read returned, so a GitHub failure the
// gate reports as its own error can be reported as GITHUB_UNAVAILABLE.
type refSource struct {
	c    *contents
	ref  string
	what string // e.g. "the base commit of #12"

	mu  sync.Mutex
	err error
}

var _ gate.Source = (*refSource)(nil)

// ReadFile implements gate.Source.
func (s *refSource) ReadFile(ctx context.Context, name string) ([]byte, bool, error) {
	data, found, err := s.c.file(ctx, s.ref, name)
	s.keep(err)
	return data, found, err
}

// ReadDir implements gate.Source.
func (s *refSource) ReadDir(ctx context.Context, dir string) (map[string][]byte, error) {
	files, err := s.c.dir(ctx, s.ref, dir)
	s.keep(err)
	return files, err
}

// Describe implements gate.Source.
func (s *refSource) Describe() string {
	return fmt.Sprintf("%s %s", s.what, decision.ShortSHA(s.ref))
}

func (s *refSource) keep(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// firstErr is the first error a read returned, or nil.
func (s *refSource) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// materialise writes the workspace side of the gate — hazard log (a file, or
// every file of a directory log), manifest and components map — as they are
// at ref into root, so the gate reads a pull request's own head rather than
// the release checkout. Files absent at ref stay absent; the gate reports
// them as it would in a checkout.
func materialise(ctx context.Context, c *contents, ref, root string, p gate.Paths) error {
	write := func(name string, data []byte) error {
		full := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, data, 0o644)
	}
	names := []string{p.Manifest, p.ComponentsMap}
	if hazardLogIsDir(p) {
		files, err := c.dir(ctx, ref, p.HazardLog)
		if err != nil {
			return err
		}
		for name, data := range files {
			if err := write(name, data); err != nil {
				return err
			}
		}
	} else {
		names = append([]string{p.HazardLog}, names...)
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		data, found, err := c.file(ctx, ref, name)
		if err != nil {
			return err
		}
		if found {
			if err := write(name, data); err != nil {
				return err
			}
		}
	}
	return nil
}

// hazardLogIsDir tells a hazard log kept as a directory of Markdown files
// from a single file, as the gate's readers do: by its extension, and
// without one by the format named (only Markdown logs are directories).
func hazardLogIsDir(p gate.Paths) bool {
	switch strings.ToLower(path.Ext(p.HazardLog)) {
	case ".yaml", ".yml", ".csv", ".xlsx", ".xlsm", ".md", ".markdown", ".xls", ".ods":
		return false
	}
	switch strings.ToLower(strings.TrimSpace(p.HazardLogFormat)) {
	case "", "markdown", "md":
		return true
	}
	return false
}
