package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/hazarddiff"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/safetyfile"
)

// trustedLog is the trusted side's hazard log as read, once per evaluation:
// officer scope and the hazard-log diff share the read.
type trustedLog struct {
	read  bool
	files map[string][]byte // by repository path; empty when absent
	err   error
}

// baseLogSource is where the trusted side's hazard log is read: the
// --base-hazard-log the CLI was given, else the trusted side.
func baseLogSource(req *Request) Source {
	if req.BaseHazardLog != nil {
		return req.BaseHazardLog
	}
	return req.Trusted
}

// trustedLogFiles reads the trusted side's hazard log once (a file, or every
// file of a Markdown directory) and records it as a trusted input, so a
// replay compares against the same log.
func (l *loaded) trustedLogFiles(ctx context.Context, req *Request, dir bool) (map[string][]byte, error) {
	if l.baseLog.read {
		return l.baseLog.files, l.baseLog.err
	}
	l.baseLog.read = true
	src, name := baseLogSource(req), req.Paths.HazardLog
	files := map[string][]byte{}
	if dir {
		all, err := src.ReadDir(ctx, name)
		if err != nil {
			l.baseLog.err = err
			return nil, err
		}
		files = all
	} else {
		data, found, err := src.ReadFile(ctx, name)
		if err != nil {
			l.baseLog.err = err
			return nil, err
		}
		if found {
			files[name] = data
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		l.record("hazard_log", n, "trusted", files[n])
	}
	sort.SliceStable(l.files, func(i, j int) bool { return roleOrder[l.files[i].Role] < roleOrder[l.files[j].Role] })
	l.baseLog.files = files
	return files, nil
}

// compareHazardLog compares the head's hazard log with the trusted side's,
// hazard by hazard. A change set whose changed files leave the log alone
// has nothing to compare and costs no read (unless a base log was named).
func (l *loaded) compareHazardLog(ctx context.Context, req *Request) (facts.HazardLogChanges, error) {
	p := req.Paths
	src := baseLogSource(req)
	out := facts.HazardLogChanges{Base: src.Describe(), RiskReductionWithoutControl: l.config.RiskReductionWithoutControl,
		Changes: []hazarddiff.HazardChange{}}
	if l.log == nil {
		out.Why = "the head's hazard log was not read"
		return out, nil
	}
	if n := len(req.HazardLogIssuesEdited); n > 0 {
		edited := fmt.Sprintf("%d hazard issue%s changed since the previous release (%s)", n, map[bool]string{true: "", false: "s"}[n == 1], strings.Join(req.HazardLogIssuesEdited, ", "))
		if req.BaseHazardLogIssues == nil {
			out.Why = "the hazard log is kept as GitHub issues, and GitHub keeps no earlier version of an issue to compare with; " + edited
			return out, nil
		}
		out.Base = "the hazard issues as they stood at the previous release (labels, state and titles from each issue's timeline; bodies as they are now, for GitHub keeps no earlier body)"
		base := hazardlog.LoadIssues(p.HazardLog, req.BaseHazardLogIssues, l.logFormat, l.config)
		if !base.Valid() {
			first := "none given"
			if len(base.Problems) > 0 {
				first = base.Problems[0].String()
			}
			out.Why = fmt.Sprintf("the hazard issues as they stood at the previous release do not read cleanly (%d problems, first: %s), so they cannot be compared hazard by hazard; %s",
				len(base.Problems), first, edited)
			return out, nil
		}
		if l.componentsMap != nil {
			safetyfile.ApplyComponentsMap(base.Log, l.componentsMap)
		}
		out.Compared = true
		out.Changes = hazarddiff.Diff(base.Log, l.log)
		return out, nil
	}
	// A base log named explicitly (--base-hazard-log) is always compared:
	// the CLI's --hazard-log may be spelt unlike the changed-files list.
	if req.BaseHazardLog == nil && req.ChangedFiles != nil && !touches(req.ChangedFiles, p.HazardLog) {
		out.Compared = true
		return out, nil
	}
	dir := l.logFormat == hazardlog.FormatMarkdown
	files, err := l.trustedLogFiles(ctx, req, dir)
	if err != nil {
		if problem, ok := safetyfile.InputProblem(err); ok {
			out.Why = fmt.Sprintf("the hazard log at %s cannot be read: %s", src.Describe(), problem.Message)
			return out, nil
		}
		return out, fmt.Errorf("reading the hazard log %s from %s to compare it with the head's: %w", p.HazardLog, src.Describe(), err)
	}
	if len(files) == 0 {
		out.Why = fmt.Sprintf("%s has no hazard log (%s) to compare with", src.Describe(), p.HazardLog)
		return out, nil
	}
	if l.sameFilesAsWorkspaceLog(files) {
		out.Compared = true
		return out, nil
	}
	base, err := l.parseTrustedLog(files, p, dir)
	if err != nil {
		return out, err
	}
	if !base.Valid() {
		out.Why = fmt.Sprintf("the hazard log at %s does not read cleanly (%d problems; csogate validate lists them), so it cannot be compared hazard by hazard", src.Describe(), len(base.Problems))
		return out, nil
	}
	if l.componentsMap != nil {
		// The head's components map names the code of both versions, so
		// only the log's own edits show as component changes.
		safetyfile.ApplyComponentsMap(base.Log, l.componentsMap)
	}
	out.Compared = true
	out.Changes = hazarddiff.Diff(base.Log, l.log)
	return out, nil
}

// touches reports whether a changed file is the hazard log or under it.
func touches(changed []string, logPath string) bool {
	logPath = strings.TrimSuffix(path.Clean(logPath), "/")
	for _, f := range changed {
		if f == logPath || strings.HasPrefix(f, logPath+"/") {
			return true
		}
	}
	return false
}

// sameFilesAsWorkspaceLog reports whether the trusted files are exactly the
// files the head's log was read from, byte for byte.
func (l *loaded) sameFilesAsWorkspaceLog(files map[string][]byte) bool {
	head := map[string]string{}
	for _, f := range l.files {
		if f.Role == "hazard_log" && f.Side == "workspace" {
			head[f.Path] = f.SHA256
		}
	}
	if len(head) != len(files) {
		return false
	}
	for name, data := range files {
		sum := sha256.Sum256(data)
		if head[name] != hex.EncodeToString(sum[:]) {
			return false
		}
	}
	return true
}

// parseTrustedLog reads the trusted files with the same reader, options and
// configuration as the head's log, from a private temporary directory.
func (l *loaded) parseTrustedLog(files map[string][]byte, p Paths, dir bool) (hazardlog.Result, error) {
	tmp, err := os.MkdirTemp("", "csogate-base-log-")
	if err != nil {
		return hazardlog.Result{}, fmt.Errorf("comparing the hazard log: %w", err)
	}
	defer os.RemoveAll(tmp)
	logPath := strings.TrimSuffix(path.Clean(p.HazardLog), "/")
	root := filepath.Join(tmp, path.Base(logPath))
	for name, data := range files {
		target := root
		if dir {
			rel := strings.TrimPrefix(name, logPath+"/")
			if rel == name || !filepath.IsLocal(filepath.FromSlash(rel)) {
				return hazardlog.Result{}, fmt.Errorf("comparing the hazard log: %s is not under %s", name, logPath)
			}
			target = filepath.Join(root, filepath.FromSlash(rel))
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return hazardlog.Result{}, fmt.Errorf("comparing the hazard log: %w", err)
		}
		if err := os.WriteFile(target, data, 0o600); err != nil {
			return hazardlog.Result{}, fmt.Errorf("comparing the hazard log: %w", err)
		}
	}
	res := hazardlog.Load(root, hazardlog.Options{Format: l.logFormat, Sheet: p.Sheet, Config: l.config})
	if res.Err != nil {
		return res, fmt.Errorf("reading the trusted side's hazard log %s: %w", p.HazardLog, res.Err)
	}
	return res, nil
}

// PathSource serves one file or directory on disk as if it were at As in
// the repository: the CLI's --base-hazard-log, the trusted side's hazard log.
type PathSource struct {
	Path string // on disk
	As   string // the repository path it stands for
	Name string // as the user named it, for messages
}

// ReadFile implements Source.
func (s PathSource) ReadFile(_ context.Context, name string) ([]byte, bool, error) {
	if path.Clean(name) != path.Clean(s.As) {
		return nil, false, nil
	}
	info, err := os.Lstat(s.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, false, &safetyfile.LinkError{Path: s.Path}
	case info.IsDir():
		return nil, false, &safetyfile.NotFileError{Path: s.Path}
	}
	data, err := os.ReadFile(s.Path)
	return data, err == nil, err
}

// ReadDir implements Source.
func (s PathSource) ReadDir(ctx context.Context, dir string) (map[string][]byte, error) {
	if path.Clean(dir) != path.Clean(s.As) {
		return map[string][]byte{}, nil
	}
	files, err := DirSource{Root: s.Path}.ReadDir(ctx, ".")
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(files))
	for rel, data := range files {
		out[path.Join(path.Clean(s.As), rel)] = data
	}
	return out, nil
}

// Describe implements Source.
func (s PathSource) Describe() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Path
}

// logReading is the layout, configuration and components map the head's
// hazard log was read with.
type logReading struct {
	format        hazardlog.Format
	config        *safetyfile.Config
	componentsMap safetyfile.ComponentsMap
}

// CompareHazardLogWith compares the hazard log the evaluation read with the
// one src serves at the same path, read in the same layout, with the same
// configuration and components map, hazard by hazard, as the trusted side's
// log is compared. It is a report, not part of the decision: release mode
// shows what changed in the log since the previous release. A log src does
// not have, or one that does not read cleanly, is not compared (Why says
// so); the error is a failure to read src.
func (o *Outcome) CompareHazardLogWith(ctx context.Context, src Source, p Paths) (facts.HazardLogChanges, error) {
	if o.logReading == nil || o.HazardLog == nil {
		return facts.HazardLogChanges{Base: src.Describe(), Why: "the hazard log was not read", Changes: []hazarddiff.HazardChange{}}, nil
	}
	r := o.logReading
	l := &loaded{log: o.HazardLog, logFormat: r.format, config: r.config, componentsMap: r.componentsMap,
		files: append([]InputFile(nil), o.Files...)}
	return l.compareHazardLog(ctx, &Request{Paths: p, BaseHazardLog: src})
}
