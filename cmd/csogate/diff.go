package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/hazarddiff"
	"github.com/csogate/csogate/internal/safetyfile"
)

// runDiff prints what changed between two versions of a hazard log, hazard
// by hazard, in any layouts (the two may differ): what the CSO reviews.
func runDiff(_ context.Context, root string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", stderr)
	base := fs.String("base", "", "the hazard log before: YAML, NHS template .csv/.xlsx, or a directory of Markdown hazard files")
	head := fs.String("head", "", "the hazard log after, in any of the same layouts")
	baseFormat := fs.String("base-format", "", "layout of --base when its extension does not say: yaml, csv, xlsx or markdown")
	headFormat := fs.String("head-format", "", "layout of --head when its extension does not say")
	sheet := fs.String("sheet", "", "XLSX: the sheet to read (default: the one whose header row matches)")
	config := fs.String("config", safetyfile.ConfigPath, "gate configuration (columns, statuses, hazard_id_prefix, product)")
	format := fs.String("format", "text", "output: text, json or markdown")
	if err := fs.Parse(args); err != nil {
		return decision.ExitInvalid
	}
	if *base == "" || *head == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "csogate diff: --base FILE|DIR and --head FILE|DIR are required\n")
		return decision.ExitInvalid
	}
	switch *format {
	case "text", "json", "markdown":
	default:
		fmt.Fprintf(stderr, "csogate diff: --format %q is not known; write text, json or markdown\n", *format)
		return decision.ExitInvalid
	}
	before, code := loadLogForConversion(root, relToRoot(root, *base), *baseFormat, *sheet, *config, stderr, stderr)
	if before == nil {
		return code
	}
	after, code := loadLogForConversion(root, relToRoot(root, *head), *headFormat, *sheet, *config, stderr, stderr)
	if after == nil {
		return code
	}
	changes := hazarddiff.Diff(before, after)
	var err error
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(struct {
			Base    string                    `json:"base"`
			Head    string                    `json:"head"`
			Changes []hazarddiff.HazardChange `json:"hazard_log_changes"`
		}{*base, *head, changes})
	case "markdown":
		md := "No hazard changed.\n"
		if len(changes) > 0 {
			md = strings.TrimPrefix(hazarddiff.Markdown(changes, "####"), "\n")
		}
		_, err = fmt.Fprintf(stdout, "### What changed in the hazard log\n\n%s", md)
	default:
		_, err = io.WriteString(stdout, hazarddiff.Text(changes))
	}
	if err != nil {
		fmt.Fprintf(stderr, "csogate diff: %v\n", err)
		return decision.ExitOperational
	}
	return decision.ExitAllowed
}

// relToRoot names an absolute path relative to root, as the loaders join
// every path to root.
func relToRoot(root, name string) string {
	if !filepath.IsAbs(name) {
		return name
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return name
	}
	if rel, err := filepath.Rel(absRoot, name); err == nil {
		return rel
	}
	return name
}
