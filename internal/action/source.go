package action

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
)

// contentsSource reads files at one commit through the contents API. It is
// the trusted side of a pull request: the register, the configuration and the
// policies come from the base commit, so a pull request's own edits to them
// take effect only once merged.
type contentsSource struct {
	gh          gitHub
	owner, repo string
	ref         string
	// what names the commit in messages, e.g. "the base commit".
	what string
}

var _ gate.Source = contentsSource{}

// ReadFile implements gate.Source.
func (s contentsSource) ReadFile(ctx context.Context, name string) ([]byte, bool, error) {
	return s.gh.FileAt(ctx, s.owner, s.repo, s.ref, name)
}

// ReadDir implements gate.Source.
func (s contentsSource) ReadDir(ctx context.Context, dir string) (map[string][]byte, error) {
	return s.gh.DirAt(ctx, s.owner, s.repo, s.ref, dir)
}

// Describe implements gate.Source.
func (s contentsSource) Describe() string {
	return fmt.Sprintf("%s %s", s.what, decision.ShortSHA(s.ref))
}

// checkout writes the workspace-side inputs of the gate — hazard log,
// manifest, components map — as they are at ref into a new directory under
// parent, and returns it. A merge group's checkout is the group's merge, not
// the pull request's head, so this is how each pull request in the group is
// evaluated on its own head commit. Files absent at ref are left absent: the
// gate reports them as it would in the workspace.
func checkout(ctx context.Context, gh gitHub, owner, repo, ref, parent string, p gate.Paths) (string, error) {
	root, err := os.MkdirTemp(parent, "csogate-head-")
	if err != nil {
		return "", fmt.Errorf("creating a directory for the files at %s: %w", decision.ShortSHA(ref), err)
	}
	write := func(name string, data []byte) error {
		full := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, data, 0o644)
	}
	files := []string{p.Manifest, p.ComponentsMap}
	if hazardLogIsDir(p) {
		entries, err := gh.DirAt(ctx, owner, repo, ref, p.HazardLog)
		if err != nil {
			return "", err
		}
		for name, data := range entries {
			if err := write(name, data); err != nil {
				return "", err
			}
		}
	} else {
		files = append([]string{p.HazardLog}, files...)
	}
	for _, name := range files {
		data, found, err := gh.FileAt(ctx, owner, repo, ref, name)
		if err != nil {
			return "", err
		}
		if found {
			if err := write(name, data); err != nil {
				return "", err
			}
		}
	}
	return root, nil
}

// hazardLogIsDir tells a hazard log kept as a directory of Markdown files
// from a single file by its extension, as the gate's readers do.
func hazardLogIsDir(p gate.Paths) bool {
	switch strings.ToLower(path.Ext(p.HazardLog)) {
	case ".yaml", ".yml", ".csv", ".xlsx", ".xlsm", ".md", ".markdown", ".xls", ".ods":
		return false
	}
	return true
}
