package safetyfile

import (
	"fmt"
	"sort"
)

// Reason codes a file problem carries (contract section 3).
const (
	CodeInputInvalid  = "INPUT_INVALID"
	CodeUnknownHazard = "UNKNOWN_HAZARD"
)

// Location is a place in an input file: a line and column for YAML, CSV and
// Markdown, or a named cell for a spreadsheet.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Cell names a place that has no line, e.g. `sheet "Hazard Log" cell G12`.
	Cell string `json:"cell,omitempty"`
}

// String prints the location as editors and GitHub annotations expect:
// "file:line:column", "file:line", or "file: <cell>".
func (l Location) String() string {
	switch {
	case l.Cell != "":
		return fmt.Sprintf("%s: %s", l.File, l.Cell)
	case l.Line > 0 && l.Column > 0:
		return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// Problem is one thing wrong with an input file, with where it is and what to do.
type Problem struct {
	Location
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p Problem) String() string { return p.Location.String() + ": " + p.Message }

// Problems is every problem found in a set of files.
type Problems []Problem

// Sort orders problems by file, line and column so output is stable.
// Problems at named cells keep the order their reader gave them (sheet, row,
// column): comparing cell names as text would put A13 before G12.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Locator finds where a field lives, given its path within the document
// ("hazards[3].residual.severity"). Readers of each layout supply their own.
type Locator func(fieldPath string) Location

// report is a helper that collects problems found through a Locator.
type report struct {
	locate   Locator
	problems Problems
}

func (r *report) add(fieldPath, code, format string, args ...any) {
	r.problems = append(r.problems, Problem{Location: r.locate(fieldPath), Code: code, Message: fmt.Sprintf(format, args...)})
}

func (r *report) invalid(fieldPath, format string, args ...any) {
	r.add(fieldPath, CodeInputInvalid, format, args...)
}
