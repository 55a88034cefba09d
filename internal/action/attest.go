package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/csogate/csogate/internal/buildinfo"
	"github.com/csogate/csogate/internal/evidence"
)

// The inputs that name what the attestation is about.
const (
	inSubjectPath   = "subject-path"
	inSubjectDigest = "subject-digest"
	inSubjectName   = "subject-name"
)

// The attestation's files, beside the decision document.
const (
	// StatementFile is the decision as an in-toto Statement v1.
	StatementFile = "csogate-in-toto.json"
	// PredicateFile is the statement's predicate alone, for actions/attest
	// (predicate-path), which makes and signs the statement itself.
	PredicateFile = "csogate-predicate.json"
)

// WithBuild names the build: its version and the commit it was made from,
// for the log, the User-Agent and the decision record.
func WithBuild(b buildinfo.Info) Option {
	return func(o *options) { o.version, o.build = b.Version, b }
}

// attestFiles are the attestation's files as the steps after this one see
// them, for the outputs; "" when not written.
type attestFiles struct {
	statement, predicate, predicateType string
}

// subject is what the workflow says the attestation is about.
type subject struct {
	path   string // a workspace file whose SHA-256 is taken
	digest string // hex SHA-256 given as sha256:…
	name   string
}

var (
	sha256Digest  = regexp.MustCompile(`^sha256:([0-9a-f]{64})$`)
	subjectCommit = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
)

// readSubject reads and checks the subject inputs; it returns a sentence
// per bad input. Without them the subject is the judged commit.
func readSubject(get func(string) string) (subject, []string) {
	s := subject{name: strings.TrimSpace(get(inSubjectName))}
	p, d := strings.TrimSpace(get(inSubjectPath)), strings.TrimSpace(get(inSubjectDigest))
	var problems []string
	if p != "" && d != "" {
		problems = append(problems, fmt.Sprintf("input %s and input %s are both set: name the artefact once, by its file or by its digest", inSubjectPath, inSubjectDigest))
	}
	if p != "" {
		clean, err := repoPath(p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("input %s: %v", inSubjectPath, err))
		}
		s.path = clean
	}
	if d != "" {
		m := sha256Digest.FindStringSubmatch(strings.ToLower(d))
		if m == nil {
			problems = append(problems, fmt.Sprintf("input %s: %q is not sha256: followed by 64 hex digits, e.g. the image digest docker/build-push-action outputs", inSubjectDigest, d))
		} else {
			s.digest = m[1]
		}
	}
	if strings.ContainsAny(s.name, "\r\n") {
		problems = append(problems, fmt.Sprintf("input %s must be one line", inSubjectName))
		s.name = ""
	}
	if len(problems) > 0 {
		// The run is blocked for these; its statement names the commit.
		return subject{}, problems
	}
	return s, nil
}

// runIdentity names the run, from the runner's variables.
func (r *runner) runIdentity(res *result) evidence.RunIdentity {
	g := r.gha.Getenv
	id := evidence.RunIdentity{SHA: g("GITHUB_SHA"), WorkflowRef: g("GITHUB_WORKFLOW_REF"), WorkflowSHA: g("GITHUB_WORKFLOW_SHA"),
		RunID: g("GITHUB_RUN_ID"), RunAttempt: g("GITHUB_RUN_ATTEMPT"),
		ActionRepository: g("GITHUB_ACTION_REPOSITORY"), ActionRef: g("GITHUB_ACTION_REF")}
	if res.release != nil {
		id.ReleaseTag = res.release.Tag
	}
	return id
}

// writeAttestation writes the record in recordDir as an in-toto statement
// and its predicate about sub, naming the release note (nil for none) by
// its hash. Nothing is written without a subject: a run that failed before
// it knew the commit.
func (r *runner) writeAttestation(recordDir string, sub *evidence.Subject, note []byte) error {
	if sub == nil {
		return nil
	}
	rec, err := evidence.Load(recordDir)
	if err != nil {
		return fmt.Errorf("reading back the decision record to attest it: %w", err)
	}
	st, err := evidence.NewStatement(rec, *sub)
	if err != nil {
		return err
	}
	if note != nil {
		st.Predicate.ReleaseNote = evidence.NewPredicateFile(ReleaseNoteFile, note)
	}
	for _, f := range []struct {
		name string
		v    any
		dst  *string
	}{{StatementFile, st, &r.attest.statement}, {PredicateFile, st.Predicate, &r.attest.predicate}} {
		data, err := marshalIndent(f.v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(r.env.outputDir(), f.name), data, 0o644); err != nil {
			return fmt.Errorf("writing the attestation: %w", err)
		}
		*f.dst = r.env.outputPath(f.name)
	}
	r.attest.predicateType = st.PredicateType
	return nil
}

func marshalIndent(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return b.Bytes(), err
}

// attestationSubject is what the statement is about: the workflow's
// subject, or else the judged commit (the released commit, or the pull
// request's head); nil when there is none to name.
func (r *runner) attestationSubject(res *result) (*evidence.Subject, error) {
	name := r.subject.name
	switch {
	case r.subject.path != "":
		sum, err := evidence.FileSHA256(filepath.Join(r.env.Workspace, filepath.FromSlash(r.subject.path)))
		if err != nil {
			return nil, fmt.Errorf("input %s: hashing the artefact: %w", inSubjectPath, err)
		}
		if name == "" {
			name = path.Base(r.subject.path)
		}
		return &evidence.Subject{Name: name, Digest: map[string]string{"sha256": sum}}, nil
	case r.subject.digest != "":
		if name == "" {
			name = r.repoURL()
		}
		return &evidence.Subject{Name: name, Digest: map[string]string{"sha256": r.subject.digest}}, nil
	}
	commit := res.d.HeadSHA
	if res.release != nil {
		commit = res.release.ReleaseSHA
	}
	if !isCommitHash(commit) {
		return nil, nil
	}
	if name == "" {
		name = r.repoURL()
	}
	return &evidence.Subject{Name: name, Digest: map[string]string{"gitCommit": commit}}, nil
}

// repoURL is the repository's address, the name of a commit or an image
// digest that the workflow does not name otherwise.
func (r *runner) repoURL() string {
	if r.env.Owner == "" {
		return "repository"
	}
	return r.env.ServerURL + "/" + r.env.Owner + "/" + r.env.Repo
}

// isCommitHash reports whether s is a full SHA-1 or SHA-256 commit hash.
func isCommitHash(s string) bool {
	return subjectCommit.MatchString(s)
}
