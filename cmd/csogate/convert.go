package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/safetyfile"
	"github.com/csogate/csogate/internal/schema"
)

// loadLogForConversion reads a hazard log in any layout with the
// configuration (for columns, statuses, id prefix and product), printing every
// problem; it returns nil when the log cannot be converted faithfully.
func loadLogForConversion(root, from, format, sheet, configPath string, stdout, stderr io.Writer) (*safetyfile.HazardLog, int) {
	cfg := safetyfile.DefaultConfig()
	if data, err := os.ReadFile(filepath.Join(root, configPath)); err == nil {
		c, _, problems := safetyfile.LoadConfig(configPath, data)
		if len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintln(stdout, p)
			}
			return nil, decision.ExitInvalid
		}
		cfg = *c
	}
	full := filepath.Join(root, from)
	info, err := os.Stat(full)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot read: %v\n", from, err)
		return nil, decision.ExitInvalid
	}
	f, err := hazardlog.DetectFormat(from, info.IsDir(), format)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", from, err)
		return nil, decision.ExitInvalid
	}
	res := hazardlog.Load(full, hazardlog.Options{Format: f, Sheet: sheet, Config: &cfg})
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", w.Location, w.Message)
	}
	for _, p := range res.Problems {
		fmt.Fprintln(stdout, p)
	}
	if !res.Valid() {
		fmt.Fprintf(stdout, "%d problem(s) found; nothing written: fix them first, so the converted log says what the source says\n", len(res.Problems))
		return nil, decision.ExitInvalid
	}
	return res.Log, decision.ExitAllowed
}

// runImport converts a spreadsheet or Markdown hazard log into our YAML.
func runImport(_ context.Context, root string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("import", stderr)
	from := fs.String("from", "", "hazard log to import: an NHS-template .csv or .xlsx, a directory of Markdown hazard files, or a listing of hazard issues (with --hazard-log-format github-issues)")
	out := fs.String("out", safetyfile.HazardLogPath, "where to write the YAML hazard log, or - for standard output")
	format := fs.String("hazard-log-format", "", "layout of --from when its extension does not say: csv, xlsx, markdown, yaml, or github-issues[:label=NAME] for the JSON of gh api --paginate 'repos/OWNER/REPO/issues?labels=hazard&state=all'")
	sheet := fs.String("sheet", "", "XLSX: the sheet to read (default: the one whose header row matches)")
	config := fs.String("config", safetyfile.ConfigPath, "gate configuration (columns, statuses, hazard_id_prefix, product)")
	force := fs.Bool("force", false, "replace --out when it exists (its yaml-language-server schema line is kept)")
	if err := fs.Parse(args); err != nil {
		return decision.ExitInvalid
	}
	if *from == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "csogate import: --from FILE|DIR is required\n")
		return decision.ExitInvalid
	}
	target := filepath.Join(root, *out)
	// The existing log may hold work the import would lose (hazards added
	// since the spreadsheet was taken, comments): replacing it is asked for.
	_, statErr := os.Stat(target)
	exists := *out != "-" && statErr == nil
	if exists && !*force {
		fmt.Fprintf(stderr, "csogate import: %s already exists; give --force to replace it (its schema line is kept), or --out another file to compare first\n", *out)
		return decision.ExitInvalid
	}
	log, code := loadLogForConversion(root, *from, *format, *sheet, *config, stdout, stderr)
	if log == nil {
		return code
	}
	data, err := hazardlog.Import(log)
	if err != nil {
		fmt.Fprintf(stderr, "csogate import: %v\n", err)
		return decision.ExitOperational
	}
	if *out == "-" {
		_, err = stdout.Write(data)
	} else {
		var existing []byte
		if exists {
			if existing, err = os.ReadFile(target); err != nil {
				fmt.Fprintf(stderr, "csogate import: %v\n", err)
				return decision.ExitOperational
			}
		}
		if line, ok := schemaLine(existing, exists, root, target, stderr); ok {
			data = append([]byte(line+"\n"), data...)
		}
		if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
			err = replaceFile(target, data)
		}
		if err == nil {
			fmt.Fprintf(stderr, "wrote %s: %d hazards from %s\n", *out, len(log.Hazards), *from)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "csogate import: %v\n", err)
		return decision.ExitOperational
	}
	return decision.ExitAllowed
}

// schemaPrefix starts the comment that points the YAML editor extension at a schema.
const schemaPrefix = "# yaml-language-server: $schema="

// schemaLine is the schema comment the imported log starts with: the
// existing file's (replaced with --force), or for a new file one pointing
// at schemas/hazard-log.schema.json under the root, as the bundled example
// does. A file that had none gets none.
func schemaLine(existing []byte, exists bool, root, target string, stderr io.Writer) (string, bool) {
	if exists {
		first, _, _ := strings.Cut(string(existing), "\n")
		first = strings.TrimSuffix(first, "\r")
		return first, strings.HasPrefix(first, schemaPrefix)
	}
	file := filepath.Join(root, "schemas", schema.FileName("hazard-log"))
	rel, err := filepath.Rel(filepath.Dir(target), file)
	if err != nil {
		return "", false
	}
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintf(stderr, "csogate import: note: the schema line points at schemas/%s; run csogate schema --write schemas to write it\n", schema.FileName("hazard-log"))
	}
	return schemaPrefix + filepath.ToSlash(rel), true
}

// replaceFile writes path in one step, so a failed write leaves the old log whole.
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// runExport writes the hazard log in the NHS template's layouts.
func runExport(_ context.Context, root string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("export", stderr)
	from := fs.String("hazard-log", safetyfile.HazardLogPath, "hazard log to export, in any layout csogate reads")
	to := fs.String("format", "", "layout to write: xlsx, csv, markdown (a directory of hazard-N.md files) or github-issues[:label=NAME] (the issues that would hold the log, as JSON)")
	out := fs.String("out", "", "file (xlsx, csv, github-issues) or directory (markdown) to write")
	dryRun := fs.Bool("dry-run", false, "github-issues: print the issues that would be created (title, labels, issue-form body, state) as JSON on standard output; csogate creates no issue")
	inFormat := fs.String("hazard-log-format", "", "layout of --hazard-log when its extension does not say")
	sheet := fs.String("sheet", "", "XLSX input: the sheet to read")
	config := fs.String("config", safetyfile.ConfigPath, "gate configuration")
	if err := fs.Parse(args); err != nil {
		return decision.ExitInvalid
	}
	if *to == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "csogate export: --format xlsx|csv|markdown|github-issues and --out PATH (or --dry-run for github-issues) are required\n")
		return decision.ExitInvalid
	}
	format, err := hazardlog.DetectFormat("", false, *to)
	if err != nil {
		fmt.Fprintf(stderr, "csogate export: %v\n", err)
		return decision.ExitInvalid
	}
	label, toIssues := format.IssueLabel()
	switch {
	case toIssues && (*out == "") == !*dryRun:
		fmt.Fprintf(stderr, "csogate export: --format github-issues needs one of --dry-run (print the issues) and --out F (write them): csogate creates no issue itself\n")
		return decision.ExitInvalid
	case !toIssues && *dryRun:
		fmt.Fprintf(stderr, "csogate export: --dry-run is for --format github-issues\n")
		return decision.ExitInvalid
	case !toIssues && *out == "":
		fmt.Fprintf(stderr, "csogate export: --out PATH is required\n")
		return decision.ExitInvalid
	}
	log, code := loadLogForConversion(root, *from, *inFormat, *sheet, *config, stdout, stderr)
	if log == nil {
		return code
	}
	if toIssues {
		return exportIssues(root, log, label, *out, stdout, stderr)
	}
	lost, err := hazardlog.Export(log, format, filepath.Join(root, *out))
	if err != nil {
		fmt.Fprintf(stderr, "csogate export: %v\n", err)
		return decision.ExitOperational
	}
	fmt.Fprintf(stderr, "wrote %s: %d hazards as %s\n", *out, len(log.Hazards), format)
	// Loud, on every line: these fields would change if the file were imported again.
	for _, l := range lost {
		fmt.Fprintf(stderr, "csogate export: warning: %s\n", l)
	}
	if len(lost) > 0 {
		fmt.Fprintf(stderr, "csogate export: warning: %s does not keep the log exactly (above); importing it again would change those fields\n", *out)
	}
	return decision.ExitAllowed
}

// exportIssues prints (or writes) the GitHub issues that would hold the
// log, and warns of every field they would not keep.
func exportIssues(root string, log *safetyfile.HazardLog, label, out string, stdout, stderr io.Writer) int {
	data, lost, err := hazardlog.ExportIssues(log, label)
	if err != nil {
		fmt.Fprintf(stderr, "csogate export: %v\n", err)
		return decision.ExitOperational
	}
	if out == "" {
		_, err = stdout.Write(data)
	} else {
		err = replaceFile(filepath.Join(root, out), data)
		if err == nil {
			fmt.Fprintf(stderr, "wrote %s: %d hazards as github-issues\n", out, len(log.Hazards))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "csogate export: %v\n", err)
		return decision.ExitOperational
	}
	for _, l := range lost {
		fmt.Fprintf(stderr, "csogate export: warning: %s\n", l)
	}
	return decision.ExitAllowed
}
