package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/gate"
)

// writeEvidence is check --record DIR: it writes the decision record (with
// copies of the trusted files, so check --replay DIR needs no network) and
// the clinical safety release note of the evaluation into dir.
func writeEvidence(dir string, req *gate.Request, out *gate.Outcome, stderr io.Writer) error {
	meta := evidence.Meta{Version: build.Version, Revision: build.Revision, Modified: build.Modified, CreatedAt: time.Now().UTC()}
	// The note first and the record last: a run that stops in between
	// leaves no record.json, so no record speaks for a run that did not end.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the record directory: %w", err)
	}
	note := filepath.Join(dir, evidence.ReleaseNoteFile)
	if err := os.WriteFile(note, []byte(evidence.ReleaseNote(out, meta)), 0o644); err != nil {
		return fmt.Errorf("writing the release note: %w", err)
	}
	recordFile, err := evidence.Write(dir, req, out, meta)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "csogate check: decision record %s, release note %s\n", recordFile, note)
	return nil
}

// underRoot resolves a path given on the command line against the working
// directory that -C set, as every other path of the command is.
func underRoot(root, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(root, name)
}
