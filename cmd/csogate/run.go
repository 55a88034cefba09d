package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/buildinfo"
	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/safetyfile"
)

// version is stamped by release builds with -ldflags "-X main.version=v1.2.3";
// build says which csogate this is, from that stamp or, without one, from
// the commit the sources came from (see internal/buildinfo).
var (
	version = ""
	build   = buildinfo.Read(version)
)

const usage = `csogate — clinical safety release gate (DCB0129 / DCB0160)

Usage:
  csogate [-C DIR] check --changed-files F|- [flags]   decide approved / not_required / blocked
  csogate [-C DIR] validate [flags]   check the safety files and list every problem
  csogate action                      the GitHub Action (reads INPUT_* and GITHUB_*; see action.yml)
  csogate [-C DIR] import --from FILE|DIR [--out F]      NHS-template spreadsheet, Markdown hazard files or hazard issues → YAML
  csogate [-C DIR] export --format xlsx|csv|markdown --out PATH   hazard log → NHS-template layouts
  csogate [-C DIR] export --format github-issues --dry-run        hazard log → the GitHub issues that would hold it (JSON)
  csogate [-C DIR] diff --base FILE|DIR --head FILE|DIR [--format text|json|markdown]
                                      what changed in the hazard log, hazard by hazard
  csogate schema [NAME] | --write DIR   JSON Schemas of the safety files, for editors
  csogate [-C DIR] verify --artifact F|--digest sha256:…|--commit SHA --attestation F
          --repo OWNER/REPO --workflow PATH --release TAG [--record DIR] [--release-note F]
          [--safety-case F]...
                                      may this artefact be deployed?
  csogate version

-C DIR runs as if started in DIR: every path is relative to it (as with git -C).

Run "csogate check -h", "csogate validate -h" or "csogate verify -h" for flags.
Exit codes: 0 approved or not required, 1 blocked by rules, 2 invalid input or usage, 3 operational failure.
`

// env reads the process environment; tests pass their own.
type env func(string) string

// run is the whole program behind main: it returns the exit code.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) int {
	root := "."
	if len(args) >= 2 && args[0] == "-C" {
		root, args = args[1], args[2:]
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return decision.ExitInvalid
	}
	switch args[0] {
	case "check":
		return runCheck(ctx, root, args[1:], getenv, stdin, stdout, stderr)
	case "validate":
		return runValidate(ctx, root, args[1:], stdout, stderr)
	case "import":
		return runImport(ctx, root, args[1:], stdout, stderr)
	case "export":
		return runExport(ctx, root, args[1:], stdout, stderr)
	case "diff":
		return runDiff(ctx, root, args[1:], stdout, stderr)
	case "schema":
		return runSchema(root, args[1:], stdout, stderr)
	case "action":
		return runAction(ctx, args[1:], getenv, stdout, stderr)
	case "verify":
		return runVerify(ctx, root, args[1:], stdin, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "csogate %s\n", build)
		return decision.ExitAllowed
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return decision.ExitAllowed
	}
	fmt.Fprintf(stderr, "csogate: unknown command %q\n\n%s", args[0], usage)
	return decision.ExitInvalid
}

// fileFlags are the input-file flags check and validate share.
type fileFlags struct {
	paths    gate.Paths
	policies multiFlag
	today    string
}

func (f *fileFlags) register(fs *flag.FlagSet) {
	f.paths = gate.DefaultPaths()
	fs.StringVar(&f.paths.HazardLog, "hazard-log", f.paths.HazardLog, "hazard log: YAML, NHS template .csv/.xlsx, a directory of Markdown hazard files, or (with --hazard-log-format github-issues) the hazard issues as gh api --paginate lists them")
	fs.StringVar(&f.paths.HazardLogFormat, "hazard-log-format", "", "hazard log layout when the extension does not say: yaml, csv, xlsx or markdown; github-issues[:label=NAME] for the JSON of gh api --paginate 'repos/OWNER/REPO/issues?labels=hazard&state=all'")
	fs.StringVar(&f.paths.Sheet, "sheet", "", "XLSX hazard log: the sheet to read (default: the one whose header row matches)")
	fs.StringVar(&f.paths.Manifest, "manifest", f.paths.Manifest, "change manifest of the release")
	fs.StringVar(&f.paths.Register, "register", f.paths.Register, "CSO register")
	fs.StringVar(&f.paths.Config, "config", f.paths.Config, "gate configuration (optional file)")
	fs.StringVar(&f.paths.ComponentsMap, "components", f.paths.ComponentsMap, "hazard id → code globs, for hazard logs that name no code (optional file)")
	fs.Var(&f.policies, "policies", "extra directory of Rego policies (repeatable)")
	fs.StringVar(&f.today, "today", "", "evaluate as of this date, YYYY-MM-DD (default: today, UTC)")
}

// finish applies what flag parsing cannot: explicit --config makes the file
// required, and absolute paths become relative to root (the working
// directory, or -C DIR), the form the gate reads files in.
func (f *fileFlags) finish(fs *flag.FlagSet, root string) (time.Time, error) {
	f.paths.Named = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) {
		f.paths.Named[fl.Name] = true
		if fl.Name == "config" {
			f.paths.ConfigRequired = true
		}
	})
	f.paths.Policies = append([]string(nil), f.policies...)
	for _, p := range []*string{&f.paths.HazardLog, &f.paths.Manifest, &f.paths.Register, &f.paths.Config, &f.paths.ComponentsMap} {
		if err := relativeToRoot(root, p); err != nil {
			return time.Time{}, err
		}
	}
	for i := range f.paths.Policies {
		if err := relativeToRoot(root, &f.paths.Policies[i]); err != nil {
			return time.Time{}, err
		}
	}
	if f.today == "" {
		return time.Now().UTC(), nil
	}
	d, err := safetyfile.ParseDate(f.today)
	if err != nil {
		return time.Time{}, fmt.Errorf("--today %q is not a date; write YYYY-MM-DD", f.today)
	}
	return d.Time, nil
}

// relativeToRoot rewrites an absolute path as one relative to root. The gate
// reads every file relative to the directory it runs in, and it recognises
// a change to its own inputs (SAFETY_FILE_CHANGED) by comparing their
// repository-relative names with the changed files: an absolute
// --hazard-log that kept its absolute form would never match and a change
// to the log would pass unnoticed. Relative paths, with or without "..",
// are left as typed so messages name them as the user did.
func relativeToRoot(root string, name *string) error {
	if !filepath.IsAbs(*name) {
		return nil
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolving the working directory %s: %w", root, err)
	}
	rel, err := filepath.Rel(absRoot, *name)
	if err != nil {
		return fmt.Errorf("%s cannot be reached from the working directory %s; give it relative to that directory", *name, absRoot)
	}
	*name = filepath.ToSlash(rel)
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("csogate "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
