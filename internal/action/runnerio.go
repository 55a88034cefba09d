package action

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/release"
	"github.com/csogate/csogate/internal/report"
	"github.com/csogate/csogate/internal/safetyfile"
)

// The files the action writes into its output directory.
const (
	// DecisionFile is the decision document (contract section 2).
	DecisionFile = "csogate-decision.json"
	// RecordDir is the decision record's directory: evidence's record.json
	// and its copies of the trusted files.
	RecordDir = "csogate-record"
	// ReleaseNoteFile is release mode's clinical safety release note.
	ReleaseNoteFile = "csogate-release-note.md"
	// SafetyCaseFile and SafetyCaseHTMLFile are release mode's DCB0129
	// Clinical Safety Case Report addendum, as Markdown and as a printable
	// HTML page.
	SafetyCaseFile     = release.SafetyCaseFile
	SafetyCaseHTMLFile = release.SafetyCaseHTMLFile
)

// The runner's limits.
const (
	maxSummaryBytes = 1 << 20 // GITHUB_STEP_SUMMARY, per step
	maxAnnotations  = 10      // errors (and, separately, warnings) shown per step
)

// report writes the decision where the runner shows it: the job log, the
// annotations, the evidence (the decision record, and a release's release
// note), the decision file, the job summary and the step outputs. A failure
// to write them makes the run a failure (and Run corrects the commit
// status). The evidence goes first, so that the decision file, the summary
// and the outputs report a failure to keep it; a failure after it is written
// makes the record and the decision file be written again, so that neither
// holds a decision the run did not end with.
func (r *runner) report(res *result) {
	d := res.d
	r.printDecision(res)
	r.annotate(res)

	written := verdictOf(d)
	evidenceErr := r.writeEvidence(res)
	if evidenceErr != nil {
		r.fileFailed(res, "writing the evidence", evidenceErr)
	}
	decisionErr := r.writeDecisionFile(d)
	if decisionErr != nil {
		r.fileFailed(res, "writing the decision file", decisionErr)
	}
	// A write that fails after the record and the decision file turns the
	// decision; they are written again, to say what the run ended with.
	defer func() {
		if verdictOf(d) == written {
			return
		}
		if evidenceErr == nil {
			if err := r.writeEvidence(res); err != nil {
				// No record at all rather than one of a decision the run did not end with.
				_ = os.Remove(filepath.Join(r.env.outputDir(), RecordDir, evidence.RecordFile))
				r.fileFailed(res, "writing the evidence again with the final decision", err)
			}
		}
		if decisionErr == nil {
			if err := r.writeDecisionFile(d); err != nil {
				_ = os.Remove(filepath.Join(r.env.outputDir(), DecisionFile))
				r.fileFailed(res, "writing the decision file again with the final decision", err)
			}
		}
	}()
	if r.gha.Getenv("GITHUB_STEP_SUMMARY") != "" {
		markdown := res.summary
		if markdown == nil {
			markdown = func() string { return report.Markdown(d, report.Links{RunURL: r.env.RunURL}) }
		}
		text := markdown()
		if len(res.notes) > 0 {
			text = "> " + strings.Join(res.notes, "\n>\n> ") + "\n\n" + text
		}
		summary := truncateBytes(text, maxSummaryBytes-1024,
			"\n\n*The summary is cut here: %d more lines would exceed the 1 MiB GitHub allows a step. The decision file (output decision-file) and the evidence record hold all of it.*\n")
		if err := r.fileCommand("step-summary", summary); err != nil {
			r.fileFailed(res, "writing the job summary (GITHUB_STEP_SUMMARY)", err)
		}
	}
	if r.gha.Getenv("GITHUB_OUTPUT") != "" {
		if err := r.setOutputs(d); err != nil {
			r.fileFailed(res, "writing the step outputs (GITHUB_OUTPUT)", err)
		}
	}
}

// verdict is what a failed write changes in a decision.
type verdict struct {
	decision   string
	exit, nVio int
}

func verdictOf(d *decision.Decision) verdict {
	return verdict{string(d.Decision), d.ExitCode, len(d.Violations)}
}

// fileFailed records a failed write to the runner's files: the run fails.
func (r *runner) fileFailed(res *result, doing string, err error) {
	r.errorf(nil, "csogate: %s: %v", doing, err)
	d := res.d
	d.Decision, d.ExitCode = decision.Blocked, decision.ExitOperational
	d.Violations = append(d.Violations, policy.Finding{Code: decision.CodeGateError,
		Message: fmt.Sprintf("%s: %v; the gate fails closed: rerun the job once the cause is fixed", doing, err)})
}

// printDecision writes the explanation to the job log. Workflow commands are
// switched off around it: the text quotes the repository's files, which must
// not be able to issue commands to the runner.
func (r *runner) printDecision(res *result) {
	var text bytes.Buffer
	if err := report.Text(&text, res.d); err != nil {
		text.WriteString(err.Error())
	}
	stop := randomToken()
	_ = r.command(func() {
		r.gha.Group(fmt.Sprintf("Clinical safety decision for %s: %s", res.what, res.d.Decision))
		r.gha.IssueCommand(&githubactions.Command{Name: "stop-commands", Message: stop})
	}, true)
	r.log.Write(text.Bytes())
	_ = r.command(func() {
		r.gha.IssueCommand(&githubactions.Command{Name: stop})
		r.gha.EndGroup()
	}, true)
}

// annotate raises error annotations for what blocks — at the file, line and
// column of an input problem where there is one — and warning annotations
// for the warnings, within the ten of each the runner shows.
func (r *runner) annotate(res *result) {
	d := res.d
	type note struct {
		loc   safetyfile.Location
		title string
		msg   string
	}
	var errs []note
	for _, p := range d.Problems {
		msg := p.Message
		if p.Cell != "" {
			msg = p.Cell + ": " + msg
		}
		errs = append(errs, note{loc: p.Location, title: orCode(p.Code), msg: msg})
	}
	if len(d.Problems) == 0 {
		for _, v := range d.Violations {
			errs = append(errs, note{loc: safetyfile.Location{File: v.File}, title: v.Code, msg: v.Message})
		}
	}
	var warns []note
	for _, w := range d.Warnings {
		warns = append(warns, note{loc: safetyfile.Location{File: w.File}, title: w.Code, msg: w.Message})
	}
	if res.outcome != nil {
		for _, w := range res.outcome.Warnings {
			warns = append(warns, note{loc: w.Location, title: orCode(w.Code), msg: w.Message})
		}
	}
	emit := func(notes []note, raise func(a *githubactions.Action, msg string), kind string) {
		for i, n := range notes {
			if i == maxAnnotations-1 && len(notes) > maxAnnotations {
				n = note{title: "csogate", msg: fmt.Sprintf("%d more %s: see the job summary", len(notes)-i, kind)}
			}
			a := r.gha.WithFieldsMap(annotationFields(n.loc, n.title))
			_ = r.command(func() { raise(a, n.msg) }, true)
			if i == maxAnnotations-1 {
				return
			}
		}
	}
	emit(errs, func(a *githubactions.Action, msg string) { a.Errorf("%s", msg) }, "problems")
	emit(warns, func(a *githubactions.Action, msg string) { a.Warningf("%s", msg) }, "warnings")
}

// annotationFields are the properties of an annotation; go-githubactions
// escapes them.
func annotationFields(loc safetyfile.Location, title string) map[string]string {
	f := map[string]string{"title": title}
	if loc.File != "" {
		f["file"] = loc.File
		if loc.Line > 0 {
			f["line"] = strconv.Itoa(loc.Line)
			if loc.Column > 0 {
				f["col"] = strconv.Itoa(loc.Column)
			}
		}
	}
	return f
}

func orCode(code string) string {
	if code == "" {
		return decision.CodeInputInvalid
	}
	return code
}

// setOutputs writes the step outputs of contract section 4.
func (r *runner) setOutputs(d *decision.Decision) error {
	violations := d.Violations
	if violations == nil {
		violations = []policy.Finding{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(violations); err != nil {
		return err
	}
	outputs := [][2]string{
		{"decision", d.Decision},
		{"clinical-changes", strconv.Itoa(len(d.ClinicalChanges))},
		{"violations", strings.TrimSpace(buf.String())},
	}
	for _, f := range [][2]string{{"decision-file", r.decisionFile}, {"record-file", r.recordFile}, {"release-note", r.releaseNote},
		{"safety-case", r.safetyCase}, {"safety-case-html", r.safetyCaseHTML},
		{"in-toto", r.attest.statement}, {"predicate", r.attest.predicate}, {"predicate-type", r.attest.predicateType}} {
		if f[1] != "" {
			outputs = append(outputs, f)
		}
	}
	for _, o := range outputs {
		if err := r.fileCommand("output", heredoc(o[0], o[1])); err != nil {
			return err
		}
	}
	return nil
}

// heredoc is a GITHUB_OUTPUT entry, name<<DELIM value DELIM, with a random
// delimiter that does not occur in the value: a value quoting the
// repository's files cannot end the entry early and set other outputs.
func heredoc(name, value string) string {
	for {
		delim := "csogate_" + randomToken()
		if !strings.Contains(value, delim) {
			return name + "<<" + delim + "\n" + value + "\n" + delim
		}
	}
}

// writeDecisionFile writes the decision document (contract section 2) and
// remembers its path for the decision-file output.
func (r *runner) writeDecisionFile(d *decision.Decision) error {
	var buf bytes.Buffer
	if err := report.JSON(&buf, d); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.env.outputDir(), DecisionFile), buf.Bytes(), 0o644); err != nil {
		return err
	}
	r.decisionFile = r.env.outputPath(DecisionFile)
	return nil
}

// writeEvidence writes the decision record of the run into RecordDir — what
// the gate evaluated, with copies of the trusted files, or, when the gate did
// not run, the paths and the decision saying why — and in release mode the
// clinical safety release note, and remembers their paths for the outputs.
// The record holds the run's final decision, whatever changed it after the
// gate (a failed write to GitHub).
func (r *runner) writeEvidence(res *result) error {
	// The artefact is hashed first: a record is not written for a run whose
	// attestation cannot be.
	sub, err := r.attestationSubject(res)
	if err != nil {
		return err
	}
	req := res.request
	if req == nil {
		req = &gate.Request{Paths: r.in.Paths, HeadSHA: res.d.HeadSHA, Today: r.env.Today}
	}
	out := &gate.Outcome{}
	if res.outcome != nil {
		*out = *res.outcome
	}
	out.Decision = res.d
	meta := evidence.Meta{Version: r.version, EventName: r.env.EventName, RunURL: r.env.RunURL,
		PullRequest: res.pull, CreatedAt: r.now().UTC(), Revision: r.build.Revision, Modified: r.build.Modified, Run: r.runIdentity(res)}
	if r.env.Owner != "" {
		meta.Repository = r.env.Owner + "/" + r.env.Repo
	}
	write := func(dir string) (string, error) { return evidence.Write(dir, req, out, meta) }
	if res.releaseRun != nil {
		write = func(dir string) (string, error) { return evidence.WriteRelease(dir, req, out, *res.releaseRun, meta) }
	}
	if _, err := write(filepath.Join(r.env.outputDir(), RecordDir)); err != nil {
		return err
	}
	r.recordFile = r.env.outputPath(path.Join(RecordDir, evidence.RecordFile))
	var note []byte
	if res.release != nil {
		note = []byte(evidence.ReleaseNote(out, meta))
		if err := os.WriteFile(filepath.Join(r.env.outputDir(), ReleaseNoteFile), note, 0o644); err != nil {
			return fmt.Errorf("writing the release note: %w", err)
		}
		r.releaseNote = r.env.outputPath(ReleaseNoteFile)
		// The addendum is rendered as the record named it by hash.
		md, page, err := evidence.SafetyCase(res.release)
		if err != nil {
			return err
		}
		for _, f := range []struct {
			name string
			data []byte
			dst  *string
		}{{SafetyCaseFile, md, &r.safetyCase}, {SafetyCaseHTMLFile, page, &r.safetyCaseHTML}} {
			if err := os.WriteFile(filepath.Join(r.env.outputDir(), f.name), f.data, 0o644); err != nil {
				return fmt.Errorf("writing the safety case addendum: %w", err)
			}
			*f.dst = r.env.outputPath(f.name)
		}
	}
	return r.writeAttestation(filepath.Join(r.env.outputDir(), RecordDir), sub, note)
}

// fileCommand appends to one of the runner's files (GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY) through go-githubactions.
func (r *runner) fileCommand(name, message string) error {
	return r.command(func() { r.gha.IssueFileCommand(&githubactions.Command{Name: name, Message: message}) }, true)
}

// command runs a go-githubactions call, turning its panic on a failed write
// into an error.
func (r *runner) command(f func(), do bool) (err error) {
	if !do {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	f()
	return nil
}

// errorf raises an error annotation, at loc when given.
func (r *runner) errorf(loc *safetyfile.Location, format string, a ...any) {
	g := r.gha
	if loc != nil {
		g = g.WithFieldsMap(annotationFields(*loc, "csogate"))
	}
	if err := r.command(func() { g.Errorf(format, a...) }, true); err != nil {
		fmt.Fprintf(r.errs, format+"\n", a...)
	}
}

// warnf raises a warning annotation.
func (r *runner) warnf(format string, a ...any) {
	if err := r.command(func() { r.gha.Warningf(format, a...) }, true); err != nil {
		fmt.Fprintf(r.errs, format+"\n", a...)
	}
}

// truncateBytes shortens s to at most limit bytes, at a line end, appending note.
func truncateBytes(s string, limit int, note string) string {
	if len(s) <= limit {
		return s
	}
	cut := s[:max(limit-len(fmt.Sprintf(note, strings.Count(s, "\n")+1)), 0)]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut + fmt.Sprintf(note, linesLeft(s, cut))
}

// randomToken is 16 random bytes in hex, for delimiters no file can predict.
func randomToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// maskingWriter replaces the token wherever it appears, whatever printed it:
// the runner masks it too once ::add-mask:: is seen, this guards the lines
// before and any runner that does not.
type maskingWriter struct {
	mu     sync.Mutex
	w      io.Writer
	secret string
}

func (m *maskingWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secret == "" || !bytes.Contains(p, []byte(m.secret)) {
		return m.w.Write(p)
	}
	// The mask command itself must carry the token for the runner to learn it.
	if bytes.Equal(bytes.TrimRight(p, "\r\n"), []byte("::add-mask::"+escapeCommandData(m.secret))) {
		return m.w.Write(p)
	}
	if _, err := m.w.Write(bytes.ReplaceAll(p, []byte(m.secret), []byte("***"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// escapeCommandData escapes a workflow command's message as go-githubactions does.
func escapeCommandData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}
