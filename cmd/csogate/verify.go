package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/evidence"
)

var (
	sha256Arg = regexp.MustCompile(`^sha256:([0-9a-f]{64})$`)
	commitArg = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
)

// runVerify is csogate verify: may this artefact be deployed as this
// release? It reads an attestation that gh attestation verify has already
// checked cryptographically (its --format json output) and requires a
// csogate decision about the artefact, signed by the expected repository
// and workflow, approved or not_required for the expected release; with
// --record, also that the record is the one signed and replays to the same
// decision; with --release-note and --safety-case, that the files attached
// to the release are the ones signed. Exit 0 only then; 1 on any mismatch or a blocked decision; 2
// for input it cannot use.
func runVerify(ctx context.Context, root string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", stderr)
	var (
		artifact    = fs.String("artifact", "", "the artefact to deploy: a file, whose SHA-256 the attestation's subject must carry")
		digest      = fs.String("digest", "", "the artefact by digest, sha256:<64 hex digits> (an image digest)")
		commit      = fs.String("commit", "", "the artefact is a commit: the attestation's subject must carry it as gitCommit")
		attestation = fs.String("attestation", "", "the output of gh attestation verify ARTEFACT --repo OWNER/REPO --predicate-type "+evidence.PredicateType+" --format json (a file, or - for standard input)")
		repo        = fs.String("repo", "", "the repository whose workflow must have signed: OWNER/REPO")
		workflow    = fs.String("workflow", "", "the workflow that must have signed: .github/workflows/release.yml (in --repo), or OWNER/REPO/.github/workflows/f.yml for a reusable one; @REF to require its ref")
		release     = fs.String("release", "", "the release tag being deployed: the decision must be for it")
		recordDir   = fs.String("record", "", "the decision record directory (csogate-record): its digest must be the one signed, and its replay against the checkout (-C) must derive the signed decision")
		releaseNote = fs.String("release-note", "", "the clinical safety release note attached to the release: it must be the one the attestation signed")
		safetyCases multiFlag
		unsigned    = fs.Bool("unsigned", false, "accept a plain in-toto statement (the action's in-toto output) without a signature: for offline tests only, it proves no origin")
	)
	fs.Var(&safetyCases, "safety-case", "the DCB0129 safety case addendum attached to the release, Markdown or HTML (repeatable): each must be one the attestation signed")
	if err := fs.Parse(args); err != nil {
		return decision.ExitInvalid
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "csogate verify: "+format+"\n", a...)
		return decision.ExitInvalid
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	var named []string
	for name, v := range map[string]string{"--artifact": *artifact, "--digest": *digest, "--commit": *commit} {
		if v != "" {
			named = append(named, name)
		}
	}
	if len(named) != 1 {
		return usageErr("name the artefact once: --artifact FILE, --digest sha256:… or --commit SHA (got %d)", len(named))
	}
	for name, v := range map[string]string{"--attestation": *attestation, "--repo": *repo, "--workflow": *workflow, "--release": *release} {
		if strings.TrimSpace(v) == "" {
			return usageErr("%s is required", name)
		}
	}
	if strings.Count(*repo, "/") != 1 {
		return usageErr("--repo %q is not OWNER/REPO", *repo)
	}

	want := evidence.Expected{Repository: *repo, Workflow: *workflow, Release: *release, Unsigned: *unsigned}
	what := ""
	switch {
	case *artifact != "":
		sum, err := evidence.FileSHA256(underRoot(root, *artifact))
		if err != nil {
			return usageErr("--artifact: %v", err)
		}
		want.Algorithm, want.Digest, what = "sha256", sum, *artifact+" (sha256:"+sum+")"
	case *digest != "":
		m := sha256Arg.FindStringSubmatch(strings.ToLower(*digest))
		if m == nil {
			return usageErr("--digest %q is not sha256: followed by 64 hex digits", *digest)
		}
		want.Algorithm, want.Digest, what = "sha256", m[1], "sha256:"+m[1]
	default:
		c := strings.ToLower(*commit)
		if !commitArg.MatchString(c) {
			return usageErr("--commit %q is not a full commit hash (40 or 64 hex digits)", *commit)
		}
		want.Algorithm, want.Digest, what = "gitCommit", c, "commit "+c
	}

	var data []byte
	var err error
	if *attestation == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 64<<20))
	} else {
		data, err = os.ReadFile(underRoot(root, *attestation))
	}
	if err != nil {
		return usageErr("--attestation: %v", err)
	}
	atts, err := evidence.ParseAttestations(data)
	if err != nil {
		return usageErr("--attestation %s: %v", *attestation, err)
	}

	v := evidence.Verify(atts, want)
	var failures []string
	failures = append(failures, v.Failures...)
	if v.Chosen != nil && *recordDir != "" {
		more, err := evidence.VerifyRecord(ctx, v.Chosen.Statement.Predicate, underRoot(root, *recordDir), root)
		if err != nil {
			return usageErr("--record: %v", err)
		}
		failures = append(failures, more...)
	}
	if v.Chosen != nil && *releaseNote != "" {
		note, err := os.ReadFile(underRoot(root, *releaseNote))
		if err != nil {
			return usageErr("--release-note: %v", err)
		}
		failures = append(failures, evidence.VerifyReleaseNote(v.Chosen.Statement.Predicate, note)...)
	}
	if v.Chosen != nil {
		for _, f := range safetyCases {
			data, err := os.ReadFile(underRoot(root, f))
			if err != nil {
				return usageErr("--safety-case: %v", err)
			}
			for _, why := range evidence.VerifySafetyCase(v.Chosen.Statement.Predicate, data) {
				failures = append(failures, f+": "+why)
			}
		}
	}
	if len(failures) > 0 || v.Chosen == nil {
		fmt.Fprintf(stdout, "csogate verify: REFUSED: %s may not be deployed as release %s\n", what, *release)
		for _, f := range failures {
			fmt.Fprintf(stdout, "  ✗ %s\n", f)
		}
		return decision.ExitBlocked
	}
	p := v.Chosen.Statement.Predicate
	fmt.Fprintf(stdout, "csogate verify: OK: %s is release %s of %s, clinical safety decision %s (%d CSO approval(s) counted), made %s by csogate %s\n",
		what, *release, orUnknown(p.Product), p.Decision, p.CountedApprovals, p.CreatedAt, orUnknown(p.Tool.Version))
	if v.Chosen.Signer != nil {
		fmt.Fprintf(stdout, "  signed by %s in %s\n", v.Chosen.Signer.BuildSignerURI, v.Chosen.Signer.SourceRepositoryURI)
	} else {
		fmt.Fprintf(stdout, "  UNSIGNED: the statement's origin is not proven (--unsigned); deploy only on a signed attestation\n")
	}
	fmt.Fprintf(stdout, "  decision record %s", p.Record.Digest)
	if *recordDir != "" {
		fmt.Fprintf(stdout, ": matches %s and replays to the same decision", *recordDir)
	}
	fmt.Fprintln(stdout)
	if *releaseNote != "" {
		fmt.Fprintf(stdout, "  release note %s: the one signed\n", *releaseNote)
	}
	for _, f := range safetyCases {
		fmt.Fprintf(stdout, "  safety case %s: the one signed\n", f)
	}
	return decision.ExitAllowed
}
