// Package hazardlog reads a product's hazard log in whatever layout its
// Clinical Safety Officer keeps it — csogate's YAML (contract 1.1), a CSV or
// XLSX copy of the NHS Digital hazard-log template, or a directory of Markdown
// hazard files as the Digital Clinical Safety Platform writes them — into the
// one safetyfile.HazardLog the gate decides on. It also writes the log back:
// Import renders it as our YAML, Export in the template's layouts.
//
// Real hazard logs are messy (typos in headers, title rows, several rows per
// hazard, "TBC" scores, statuses outside the standard's list), so the readers
// are lenient about layout and strict about content: every score, status and
// stated risk is checked, every problem is reported at once with the exact
// cell or line, and a log with any problem must not be released against.
package hazardlog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/csogate/csogate/internal/safetyfile"
)

// Format is a hazard-log layout.
type Format string

// The layouts a hazard log may be kept in.
const (
	FormatYAML     Format = "yaml"
	FormatCSV      Format = "csv"
	FormatXLSX     Format = "xlsx"
	FormatMarkdown Format = "markdown"
)

// Formats lists the accepted values of --hazard-log-format, in the order
// messages name them.
var Formats = []Format{FormatYAML, FormatCSV, FormatXLSX, FormatMarkdown}

// DetectFormat chooses the layout of the hazard log at path: override (the
// --hazard-log-format flag) when given, else a directory is Markdown and a
// file is known by its extension.
func DetectFormat(path string, isDir bool, override string) (Format, error) {
	if isDir {
		// A directory is only ever a Markdown log: one named like a file
		// (hazard-log.yaml/) is a mistake to name, not a layout to guess.
		if f, err := DetectFormat(path, false, override); err == nil && f != FormatMarkdown {
			return "", fmt.Errorf("%s is a directory, not a file: a %s hazard log is one file; name the file itself, or give a directory of Markdown hazard files", path, f)
		}
		if strings.TrimSpace(override) == "" {
			return FormatMarkdown, nil
		}
	}
	if o := strings.ToLower(strings.TrimSpace(override)); o != "" {
		if f, ok, err := parseIssuesFormat(o); ok {
			return f, err
		}
		switch o {
		case "yaml", "yml":
			return FormatYAML, nil
		case "csv":
			return FormatCSV, nil
		case "xlsx", "xlsm", "excel":
			return FormatXLSX, nil
		case "markdown", "md":
			return FormatMarkdown, nil
		}
		return "", fmt.Errorf("hazard-log format %q is not known; write one of %s", override, formatList())
	}
	if isDir {
		return FormatMarkdown, nil
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yaml", ".yml":
		return FormatYAML, nil
	case ".csv":
		return FormatCSV, nil
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	case ".md", ".markdown":
		return FormatMarkdown, nil
	case ".xls":
		return "", fmt.Errorf("%s: the Excel 97-2003 .xls format cannot be read; save the workbook as .xlsx", path)
	case ".ods":
		return "", fmt.Errorf("%s: OpenDocument spreadsheets cannot be read; save the workbook as .xlsx or .csv", path)
	default:
		return "", &unknownExtension{fmt.Errorf("%s: cannot tell the hazard log's layout from its extension %q; name a .yaml, .csv or .xlsx file or a directory of Markdown hazard files, or give --hazard-log-format (%s)", path, ext, formatList())}
	}
}

// unknownExtension is DetectFormat's error for a file name whose extension
// names no layout, the name a directory log has.
type unknownExtension struct{ error }

// NamesOneFile reports from its name alone whether the hazard log is one
// file rather than a directory of Markdown files, for a log read through
// the contents API, which cannot be looked at first: its extension is one
// DetectFormat knows (or refuses by name, like .xls), or the format named is
// a single-file layout. DetectFormat stays the one list of extensions.
func NamesOneFile(path, override string) bool {
	var unknown *unknownExtension
	if _, err := DetectFormat(path, false, ""); !errors.As(err, &unknown) {
		return true
	}
	f, err := DetectFormat(path, false, override)
	return err == nil && f != FormatMarkdown
}

func formatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(append(names, string(FormatGitHubIssues)+"[:label=NAME]"), ", ")
}

// Options says how to read a hazard log.
type Options struct {
	// Format is the layout; empty means DetectFormat from the path.
	Format Format
	// Sheet names the XLSX sheet to read; empty means the one whose header row matches.
	Sheet string
	// Config supplies columns, statuses, hazard_id_prefix and product. Nil means the defaults.
	Config *safetyfile.Config
}

// Result is everything Load found.
type Result struct {
	Log *safetyfile.HazardLog
	// Problems are errors, every one, each with its file and exact place;
	// any of them makes the log unusable (INPUT_INVALID, fail closed).
	Problems safetyfile.Problems
	// Warnings are what a person should know but that does not invalidate the
	// log, such as a misspelt header read as the column it obviously means.
	Warnings safetyfile.Problems
	// Files maps every file read, by its path as given, to its SHA-256 (hex).
	Files map[string]string
	// Err is set when a file of the log exists but could not be read (a
	// permission, an I/O failure): the gate's own failure, not a fault in
	// the log, which the gate reports as it does for its other inputs. The
	// same fault is also among Problems, for callers that only list them.
	Err error
	// Refused is set when the log could not be read as a whole (too large,
	// a YAML syntax error, a decoding limit reached): its hazards are
	// unknown, not absent.
	Refused bool
}

// Valid reports whether the log may be decided on: it was read and has no
// problem. A result with any problem must fail closed (INPUT_INVALID).
func (r Result) Valid() bool { return r.Log != nil && len(r.Problems) == 0 }

// Load reads the hazard log at path (a file, or a directory of Markdown
// hazard files), validates it with safetyfile.ValidateHazardLog and returns
// everything found. It never panics: a reader that fails unexpectedly is
// reported as a problem, so the gate still fails closed.
func Load(path string, opts Options) (res Result) {
	res.Files = map[string]string{}
	cfg := opts.Config
	if cfg == nil {
		def := safetyfile.DefaultConfig()
		cfg = &def
	}
	defer func() {
		if r := recover(); r != nil {
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: path},
				"the hazard log could not be read (internal error: %v); it is treated as invalid; please report this with the file", r))
			if res.Log == nil {
				res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
			}
		}
	}()
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		// The gate checks every directory on the way too (CheckNoLink);
		// this guards the other callers.
		target, _ := os.Readlink(path)
		le := &safetyfile.LinkError{Path: path, Target: target}
		res.Problems = append(res.Problems, invalid(safetyfile.Location{File: path}, "%s", le.Reason()))
		res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
		return res
	}
	format := opts.Format
	if format == "" {
		info, err := os.Stat(path)
		if err != nil {
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: path}, "cannot read the hazard log: %v", err))
			res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
			return res
		}
		format, err = DetectFormat(path, info.IsDir(), "")
		if err != nil {
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: path}, "%v", err))
			res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
			return res
		}
	}
	if format == FormatMarkdown {
		res = loadMarkdown(path, cfg)
		res.finish()
		return res
	}
	if info, err := os.Stat(path); err == nil {
		// Refused before it is read: the parse of a file holds many times
		// its size.
		if p, over := safetyfile.CheckSize(path, info.Size(), cfg.HazardLogLimit()); over {
			res.Problems = append(res.Problems, p)
			res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
			res.Refused = true
			return res
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		res.Problems = append(res.Problems, invalid(safetyfile.Location{File: path}, "cannot read the hazard log: %v", err))
		res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
		res.Err = err
		return res
	}
	res = loadBytes(path, data, format, opts.Sheet, cfg)
	res.finish()
	return res
}

// loadBytes reads one hazard-log file already in memory; the fuzz targets
// enter here.
func loadBytes(file string, data []byte, format Format, sheet string, cfg *safetyfile.Config) Result {
	var res Result
	p, over := safetyfile.CheckSize(file, int64(len(data)), cfg.HazardLogLimit())
	issueLabel, isIssues := format.IssueLabel()
	switch {
	case over:
		res = Result{Log: &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}, Problems: safetyfile.Problems{p}, Refused: true}
	case format == FormatYAML:
		log, _, problems, read := safetyfile.ReadHazardLog(file, data, safetyfile.Options{Statuses: cfg.Statuses, Limit: cfg.HazardLogLimit()})
		res = Result{Log: log, Problems: problems, Refused: !read}
	case format == FormatCSV:
		res = loadCSV(file, data, cfg)
	case format == FormatXLSX:
		res = loadXLSX(file, data, sheet, cfg)
	case format == FormatMarkdown:
		res = markdownResult(file, false, []mdInput{{file, data}}, cfg)
	case isIssues:
		res = loadIssues(file, data, issueLabel, cfg)
	default:
		res = Result{Log: &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}},
			Problems: safetyfile.Problems{invalid(safetyfile.Location{File: file}, "hazard-log format %q is not known; write one of %s", format, formatList())}}
	}
	if res.Files == nil {
		res.Files = map[string]string{}
	}
	res.Files[file] = digest(data)
	return res
}

// finish puts problems and warnings in reading order and drops repeats (a
// merged cell read on several rows reports its fault once).
func (res *Result) finish() {
	if res.Log == nil {
		res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
	}
	if res.Files == nil {
		res.Files = map[string]string{}
	}
	res.Problems.Clean()
	res.Warnings.Clean()
	res.Problems = sortedUnique(res.Problems)
	res.Warnings = sortedUnique(res.Warnings)
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func invalid(loc safetyfile.Location, format string, args ...any) safetyfile.Problem {
	return safetyfile.Problem{Location: loc, Code: safetyfile.CodeInputInvalid, Message: fmt.Sprintf(format, args...)}
}

// warning builds a warning; warnings carry no reason code because they do
// not change the decision.
func warning(loc safetyfile.Location, format string, args ...any) safetyfile.Problem {
	return safetyfile.Problem{Location: loc, Message: fmt.Sprintf(format, args...)}
}

// sortedUnique orders problems by file, then line and column or sheet, row
// and column of the cell (so G12 comes before A13), keeping the first of any
// identical repeats.
func sortedUnique(ps safetyfile.Problems) safetyfile.Problems {
	if len(ps) == 0 {
		return ps
	}
	seen := map[string]bool{}
	out := make(safetyfile.Problems, 0, len(ps))
	for _, p := range ps {
		key := p.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		as, ar, ac := cellOrder(a.Location)
		bs, br, bc := cellOrder(b.Location)
		if as != bs {
			return as < bs
		}
		if ar != br {
			return ar < br
		}
		return ac < bc
	})
	return out
}

// cellOrder gives a location's sort key: its sheet (if any), row or line, and column.
func cellOrder(l safetyfile.Location) (string, int, int) {
	if l.Cell == "" {
		return "", l.Line, l.Column
	}
	sheet, row, col := parseCellLabel(l.Cell)
	return sheet, row, col
}

// dropCovered removes validator problems at a place that already has a
// problem: the reader reported the cause there ("unknown likelihood
// "Offten"") and the validator would only repeat its consequence
// ("likelihood is not assessed").
func dropCovered(own, validator safetyfile.Problems) safetyfile.Problems {
	at := map[string]bool{}
	for _, p := range own {
		at[p.Location.String()] = true
	}
	out := own
	for _, p := range validator {
		key := p.Location.String()
		if at[key] {
			continue
		}
		at[key] = true
		out = append(out, p)
	}
	return out
}

// productName is the product a layout without a product field belongs to:
// the configured product, else the file or folder name without extension.
func productName(path string, cfg *safetyfile.Config) string {
	if p := strings.TrimSpace(cfg.Product); p != "" {
		return p
	}
	base := filepath.Base(filepath.Clean(path))
	if base == "." || base == string(filepath.Separator) {
		return ""
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}
