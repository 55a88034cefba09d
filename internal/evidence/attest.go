package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/csogate/csogate/internal/decision"
)

// StatementType is the in-toto Statement v1 type.
const StatementType = "https://in-toto.io/Statement/v1"

// PredicateType names csogate's decision predicate. It is csogate's own
// rather than SLSA's Verification Summary (VSA) or in-toto's Simple
// Verification Result: both reduce the outcome to passed or failed, and have
// no place for what an auditor of a clinical safety decision needs — the
// decision of three (approved, not_required, blocked), the release, the
// reason codes, the CSO approvals counted, and the digest of the record that
// holds the evidence.
const PredicateType = "https://github.com/csogate/csogate/attestation/decision/v1"

// Statement is an in-toto Statement v1 whose predicate is a csogate decision.
type Statement struct {
	Type          string     `json:"_type"`
	Subject       []Subject  `json:"subject"`
	PredicateType string     `json:"predicateType"`
	Predicate     *Predicate `json:"predicate"`
}

// Subject is an in-toto resource descriptor: what the statement is about.
type Subject struct {
	Name string `json:"name"`
	// Digest maps an algorithm ("sha256", "gitCommit") to a lower-case hex value.
	Digest map[string]string `json:"digest"`
}

// Predicate is the decision an attestation signs: what was decided about
// which release, on what grounds, and the digest of the record that holds
// the evidence. Numbers are small integers: a Sigstore bundle carries the
// predicate as a protobuf Struct, where every number is a double.
type Predicate struct {
	Decision string `json:"decision"`
	Product  string `json:"product"`
	// Release is the manifest's release; ReleaseTag the tag the run gated
	// ("" outside release mode).
	Release    string `json:"release"`
	ReleaseTag string `json:"release_tag"`
	HeadSHA    string `json:"head_sha"`
	// Violations are the reason codes of the violations, in order.
	Violations        []string            `json:"violations"`
	RequiredApprovals int                 `json:"required_approvals"`
	CountedApprovals  int                 `json:"counted_approvals"`
	Approvals         []PredicateApproval `json:"approvals"`
	Record            PredicateRecord     `json:"record"`
	// ReleaseNote names the clinical safety release note of a release run
	// by its hash, so the copy attached to the release can be checked.
	ReleaseNote *PredicateFile `json:"release_note,omitempty"`
	// SafetyCase and SafetyCaseHTML name a release run's DCB0129 Clinical
	// Safety Case Report addendum, Markdown and HTML, by hash, as its
	// record does.
	SafetyCase     *PredicateFile `json:"safety_case,omitempty"`
	SafetyCaseHTML *PredicateFile `json:"safety_case_html,omitempty"`
	Tool           Tool           `json:"tool"`
	Context        Context        `json:"context"`
	CreatedAt      string         `json:"created_at"`
}

// PredicateApproval is a counted CSO approval.
type PredicateApproval struct {
	Reviewer     string `json:"reviewer"`
	Registration string `json:"registration"`
	Commit       string `json:"commit"`
}

// PredicateRecord names the decision record by its digest.
type PredicateRecord struct {
	Schema string `json:"schema"`
	Digest string `json:"digest"` // Integrity.Digest
}

// PredicateFile is a file the predicate names by its SHA-256.
type PredicateFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// NewPredicateFile names data, the content of the file name.
func NewPredicateFile(name string, data []byte) *PredicateFile {
	return &PredicateFile{Name: name, SHA256: sha(data)}
}

// NewStatement makes the attestation of a record, which ReadRecord or Load
// has checked, about subject.
func NewStatement(rec *Record, subject Subject) (*Statement, error) {
	if rec.Integrity == nil || rec.Decision == nil {
		return nil, fmt.Errorf("the record has no digest or no decision to attest")
	}
	d := rec.Decision
	p := &Predicate{Decision: d.Decision, Product: d.Product, Release: d.Release, ReleaseTag: rec.Context.ReleaseTag,
		HeadSHA: d.HeadSHA, Violations: []string{}, RequiredApprovals: d.RequiredApprovals, CountedApprovals: d.CountedApprovals,
		Approvals: []PredicateApproval{}, Record: PredicateRecord{Schema: rec.Schema, Digest: rec.Integrity.Digest},
		Tool: rec.Tool, Context: rec.Context, CreatedAt: rec.CreatedAt}
	for _, v := range d.Violations {
		p.Violations = append(p.Violations, v.Code)
	}
	if rec.Release != nil {
		p.SafetyCase, p.SafetyCaseHTML = rec.Release.SafetyCase, rec.Release.SafetyCaseHTML
	}
	for _, a := range rec.Approvals {
		if a.Counted {
			p.Approvals = append(p.Approvals, PredicateApproval{Reviewer: a.Reviewer, Registration: a.Registration, Commit: a.Commit})
		}
	}
	if len(subject.Digest) == 0 || subject.Name == "" {
		return nil, fmt.Errorf("the attestation needs a subject with a name and a digest")
	}
	return &Statement{Type: StatementType, Subject: []Subject{subject}, PredicateType: PredicateType, Predicate: p}, nil
}

// Signer is who signed an attestation, as the Sigstore certificate that
// gh attestation verify checked says (sigstore-go's certificate summary).
type Signer struct {
	// SourceRepositoryURI is the repository whose workflow ran:
	// https://github.com/owner/repo.
	SourceRepositoryURI string `json:"sourceRepositoryURI"`
	// BuildSignerURI is the workflow file that signed, at its ref:
	// https://github.com/owner/repo/.github/workflows/release.yml@refs/tags/v1.
	BuildSignerURI string `json:"buildSignerURI"`
	// SourceRepositoryRef is the ref the run was for (refs/tags/v1).
	SourceRepositoryRef string `json:"sourceRepositoryRef"`
	Issuer              string `json:"issuer"`
}

// Attestation is one attestation to verify: its statement, and its signer
// when a signature was verified (nil for a plain statement).
type Attestation struct {
	Statement Statement
	Signer    *Signer
}

// ParseAttestations reads what csogate verify is given: the JSON that
// gh attestation verify --format json prints — an array of results, each
// {"verificationResult": {"statement": …, "signature": {"certificate": …}}}
// — or a single in-toto statement, which carries no signature.
func ParseAttestations(data []byte) ([]Attestation, error) {
	trimmed := strings.TrimSpace(string(data))
	switch {
	case strings.HasPrefix(trimmed, "["):
		var results []struct {
			VerificationResult *struct {
				Statement *Statement `json:"statement"`
				Signature *struct {
					Certificate *Signer `json:"certificate"`
				} `json:"signature"`
			} `json:"verificationResult"`
		}
		if err := json.Unmarshal(data, &results); err != nil {
			return nil, fmt.Errorf("not the output of gh attestation verify --format json: %v", err)
		}
		if len(results) == 0 {
			return nil, fmt.Errorf("gh attestation verify printed no verified attestation")
		}
		out := make([]Attestation, 0, len(results))
		for i, r := range results {
			vr := r.VerificationResult
			if vr == nil || vr.Statement == nil {
				return nil, fmt.Errorf("result %d has no verificationResult.statement: pass the output of gh attestation verify --format json", i)
			}
			if vr.Signature == nil || vr.Signature.Certificate == nil {
				return nil, fmt.Errorf("result %d has no verificationResult.signature.certificate: csogate verify needs a certificate naming the signing workflow", i)
			}
			out = append(out, Attestation{Statement: *vr.Statement, Signer: vr.Signature.Certificate})
		}
		return out, nil
	case strings.HasPrefix(trimmed, "{"):
		var st Statement
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, fmt.Errorf("not an in-toto statement: %v", err)
		}
		if st.Type != StatementType {
			return nil, fmt.Errorf("_type is %q, not an in-toto Statement v1 (%s)", st.Type, StatementType)
		}
		return []Attestation{{Statement: st}}, nil
	}
	return nil, fmt.Errorf("neither a JSON array (gh attestation verify --format json) nor an in-toto statement")
}

// Expected is what csogate verify requires of an attestation.
type Expected struct {
	// Algorithm and Digest are the artefact's: "sha256" or "gitCommit", hex.
	Algorithm, Digest string
	// Repository is owner/repo; Workflow the signing workflow file, as
	// .github/workflows/release.yml (in Repository) or
	// owner/repo/.github/workflows/release.yml (a reusable workflow), with an
	// optional @ref.
	Repository, Workflow string
	// Release is the tag of the release to deploy.
	Release string
	// Unsigned accepts a plain statement, whose repository and workflow are
	// only what the predicate claims: for offline tests, never for a deploy.
	Unsigned bool
}

// Verdict is the outcome of checking attestations against Expected.
type Verdict struct {
	// Chosen is the attestation the verdict rests on: the newest csogate
	// decision about this artefact, release, repository and workflow; nil
	// when none is.
	Chosen *Attestation
	// Failures says, for each way the attestations did not match, what.
	Failures []string
}

// OK reports whether the attestations prove an allowed decision.
func (v *Verdict) OK() bool { return v.Chosen != nil && len(v.Failures) == 0 }

// Verify checks attestations against want: a csogate decision statement
// about the artefact, signed by the expected repository and workflow, for
// the expected release. Of those, the newest (by the signed created_at)
// counts, and it must be approved or not_required: a later blocked
// decision (a CSO's approval withdrawn) overrides an earlier approval.
func Verify(atts []Attestation, want Expected) *Verdict {
	v := &Verdict{}
	var matching []*Attestation
	for i := range atts {
		a := &atts[i]
		label := fmt.Sprintf("attestation %d", i+1)
		if a.Statement.PredicateType != PredicateType {
			v.Failures = append(v.Failures, fmt.Sprintf("%s: predicateType is %s, not a csogate decision (%s)", label, orNothing(a.Statement.PredicateType), PredicateType))
			continue
		}
		if a.Statement.Predicate == nil {
			v.Failures = append(v.Failures, label+": the statement has no predicate")
			continue
		}
		if problems := checkAttestation(a, want); len(problems) > 0 {
			for _, p := range problems {
				v.Failures = append(v.Failures, label+": "+p)
			}
			continue
		}
		matching = append(matching, a)
	}
	if len(matching) == 0 {
		if len(v.Failures) == 0 {
			v.Failures = append(v.Failures, "no attestation given")
		}
		return v
	}
	chosen := matching[0]
	for _, a := range matching[1:] {
		p, c := a.Statement.Predicate, chosen.Statement.Predicate
		if p.CreatedAt > c.CreatedAt || (p.CreatedAt == c.CreatedAt && p.Decision == decision.Blocked) {
			chosen = a
		}
	}
	// The others did not match this artefact or signer; only the chosen
	// one's shortcomings decide now.
	v.Failures = nil
	v.Chosen = chosen
	p := chosen.Statement.Predicate
	if p.Decision != decision.Approved && p.Decision != decision.NotRequired {
		v.Failures = append(v.Failures, fmt.Sprintf("the decision for release %s is %s (violations: %s), made %s: it may not be deployed",
			want.Release, p.Decision, orNothing(strings.Join(p.Violations, ", ")), p.CreatedAt))
	}
	return v
}

// checkAttestation lists how a csogate statement differs from want.
func checkAttestation(a *Attestation, want Expected) []string {
	var problems []string
	st, p := a.Statement, a.Statement.Predicate
	if !hasDigest(st.Subject, want.Algorithm, want.Digest) {
		problems = append(problems, fmt.Sprintf("it is not about this artefact: its subjects are %s, the artefact is %s:%s",
			subjects(st.Subject), want.Algorithm, want.Digest))
	}
	repoURI, signer := "", ""
	if a.Signer != nil {
		repoURI, signer = a.Signer.SourceRepositoryURI, a.Signer.BuildSignerURI
	} else if want.Unsigned {
		// Only what the predicate claims: no origin is proven.
		repoURI, signer = p.Context.Repository, p.Context.WorkflowRef
	} else {
		problems = append(problems, "it is a plain statement with no verified signature: pass the output of "+
			"gh attestation verify --format json (or --unsigned for an offline test, which proves no origin)")
	}
	if a.Signer != nil || want.Unsigned {
		if got := repoPath(repoURI); !strings.EqualFold(got, want.Repository) {
			problems = append(problems, fmt.Sprintf("it was signed in the repository %s, not %s", orNothing(got), want.Repository))
		}
		if got := repoPath(signer); !workflowMatches(got, want) {
			problems = append(problems, fmt.Sprintf("it was signed by the workflow %s, not %s", orNothing(got), expectedWorkflow(want)))
		}
	}
	if tag := strings.TrimPrefix(want.Release, "refs/tags/"); p.ReleaseTag != tag {
		problems = append(problems, fmt.Sprintf("it is the decision for release %s, not %s", orNothing(p.ReleaseTag), tag))
	}
	return problems
}

func hasDigest(subjects []Subject, algorithm, digest string) bool {
	for _, s := range subjects {
		if v, ok := s.Digest[algorithm]; ok && digest != "" && strings.EqualFold(v, digest) {
			return true
		}
	}
	return false
}

func subjects(ss []Subject) string {
	var parts []string
	for _, s := range ss {
		for alg, d := range s.Digest {
			parts = append(parts, fmt.Sprintf("%s (%s:%s)", s.Name, alg, d))
		}
	}
	return orNothing(strings.Join(parts, ", "))
}

// repoPath drops the scheme and host of a GitHub URL:
// https://github.com/o/r/.github/workflows/f.yml@ref → o/r/.github/workflows/f.yml@ref.
func repoPath(uri string) string {
	if rest, ok := strings.CutPrefix(uri, "https://"); ok {
		if _, p, ok := strings.Cut(rest, "/"); ok {
			return p
		}
		return ""
	}
	return uri
}

// expectedWorkflow is want.Workflow with the repository in front when it
// names a file of the expected repository, and the release's tag as its ref
// when it names none.
func expectedWorkflow(want Expected) string {
	w := strings.TrimPrefix(want.Workflow, "./")
	if strings.HasPrefix(w, ".github/") {
		w = want.Repository + "/" + w
	}
	if !strings.Contains(w, "@") {
		w += "@refs/tags/" + strings.TrimPrefix(want.Release, "refs/tags/")
	}
	return w
}

// workflowMatches compares the signer (owner/repo/path@ref) with the
// expected workflow. An expectation without a ref means the run for the
// release's own tag: the workflow file of any other ref (a branch anyone
// with push access can edit it on, a pull request) proves nothing.
func workflowMatches(signer string, want Expected) bool {
	exp := expectedWorkflow(want)
	if want.Workflow == "" {
		return false
	}
	expRepo, expPath := splitRepo(exp)
	gotRepo, gotPath := splitRepo(signer)
	return expRepo != "" && strings.EqualFold(expRepo, gotRepo) && expPath == gotPath
}

// splitRepo splits owner/repo/rest into owner/repo and rest.
func splitRepo(s string) (string, string) {
	parts := strings.SplitN(s, "/", 3)
	if len(parts) < 3 {
		return "", s
	}
	return parts[0] + "/" + parts[1], parts[2]
}

func orNothing(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// VerifyRecord checks that the record in dir is the one the attestation
// signed — its digest, recomputed from its content, is the predicate's — and
// that replaying it against the checkout at root re-derives the attested
// decision. It returns what did not match; an error means the record or the
// checkout could not be used at all.
func VerifyRecord(ctx context.Context, p *Predicate, dir, root string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, RecordFile)); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, RecordFile), err)
	}
	rec, err := Load(dir)
	if err != nil {
		return []string{fmt.Sprintf("the record is refused: %v", err)}, nil
	}
	if rec.Integrity.Digest != p.Record.Digest {
		return []string{fmt.Sprintf("the record's digest is %s, but the attestation signed the record %s: this is not the record of the attested decision",
			rec.Integrity.Digest, p.Record.Digest)}, nil
	}
	res, err := replay(ctx, rec, dir, root)
	var mismatch *Mismatch
	switch {
	case errors.As(err, &mismatch):
		return []string{fmt.Sprintf("the replay refuses the record: %v", err)}, nil
	case err != nil:
		return nil, err
	}
	var failures []string
	for _, d := range res.Differences {
		failures = append(failures, "the replay differs from the record: "+d.String())
	}
	if res.Decision.Decision != p.Decision {
		failures = append(failures, fmt.Sprintf("the replay derives %s, the attestation says %s", res.Decision.Decision, p.Decision))
	}
	return failures, nil
}

// VerifyReleaseNote checks that note is the release note the attestation
// signed.
func VerifyReleaseNote(p *Predicate, note []byte) []string {
	switch {
	case p.ReleaseNote == nil:
		return []string{"the attestation names no release note: it was not made by a release run"}
	case sha(note) != p.ReleaseNote.SHA256:
		return []string{fmt.Sprintf("the release note's sha256 is %s, but the attestation signed %s: the note was edited",
			sha(note), p.ReleaseNote.SHA256)}
	}
	return nil
}

// VerifySafetyCase checks that data is the safety case addendum the
// attestation signed, as Markdown or as HTML.
func VerifySafetyCase(p *Predicate, data []byte) []string {
	if p.SafetyCase == nil && p.SafetyCaseHTML == nil {
		return []string{"the attestation names no safety case addendum: it was not made by a release run of a csogate that writes one"}
	}
	var signed []string
	for _, f := range []*PredicateFile{p.SafetyCase, p.SafetyCaseHTML} {
		if f == nil {
			continue
		}
		if sha(data) == f.SHA256 {
			return nil
		}
		signed = append(signed, fmt.Sprintf("%s %s", f.Name, f.SHA256))
	}
	return []string{fmt.Sprintf("the safety case's sha256 is %s, but the attestation signed %s: the addendum was edited, or is another release's",
		sha(data), strings.Join(signed, " and "))}
}

// FileSHA256 is the hex SHA-256 of a regular file: the digest an
// attestation's subject and csogate verify compare. A directory, device or
// other non-file is an error, not an empty digest.
func FileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a file", name)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
