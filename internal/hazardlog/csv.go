package hazardlog

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/safetyfile"
)

// loadCSV reads a CSV copy of the NHS template. Excel writes CSV with a
// byte-order mark, in Windows-1252 when not told otherwise, and with ';' in
// locales whose decimal mark is ','; all of these are read.
func loadCSV(file string, data []byte, cfg *safetyfile.Config) Result {
	text, recoded := decodeText(data)
	var warnings safetyfile.Problems
	if recoded {
		warnings = append(warnings, warning(safetyfile.Location{File: file},
			"the file is not UTF-8; it was read as Windows-1252 (Excel's default). Save it as \"CSV UTF-8\" to be sure of its characters"))
	}
	m := newMatcher(cfg)
	var (
		bestGrid   *grid
		bestHeader *header
		bestErr    *safetyfile.Problem
	)
	delims := []rune{',', ';', '\t'}
	if sep, rest, ok := sepLine(text); ok {
		// Excel's "sep=;" first line names the delimiter.
		delims, text = []rune{sep}, rest
	}
	for i, d := range delims {
		if i > 0 && (!strings.ContainsRune(text, d) || (bestHeader != nil && bestHeader.valid())) {
			continue // a delimiter the text lacks splits nothing; a found table stands
		}
		g, perr := csvGrid(file, text, d)
		h, _ := m.findHeader(g)
		if bestGrid == nil || (h != nil && (bestHeader == nil || h.better(bestHeader))) {
			bestGrid, bestHeader, bestErr = g, h, perr
		}
	}
	if bestHeader == nil || !bestHeader.valid() {
		problems := safetyfile.Problems{invalid(safetyfile.Location{File: file},
			"no hazard table found: none of the first %d rows names the template's columns (e.g. %q, %q, %q, %q); check the file is the hazard log, or map its headers under columns: in the gate configuration",
			headerScanRows, "Hazard number", "Hazard name", "Initial Severity", "Residual Likelihood")}
		if bestErr != nil {
			problems = append(problems, *bestErr)
		}
		return Result{Log: &safetyfile.HazardLog{Product: productName(file, cfg), Hazards: []safetyfile.Hazard{}}, Problems: problems, Warnings: warnings}
	}
	res := readTable(bestGrid, bestHeader, m, cfg)
	if bestErr != nil {
		res.Problems = append(res.Problems, *bestErr)
	}
	res.Warnings = append(warnings, res.Warnings...)
	return res
}

// unescapeFormula removes the apostrophe csvSafe puts before a cell that
// starts like a formula.
func unescapeFormula(v string) string {
	if len(v) >= 2 && v[0] == '\'' && startsLikeFormula(v[1:]) {
		return v[1:]
	}
	return v
}

// sepLine recognises Excel's "sep=X" first line.
func sepLine(text string) (rune, string, bool) {
	line, rest, _ := strings.Cut(text, "\n")
	line = strings.TrimRight(line, "\r")
	if !strings.HasPrefix(strings.ToLower(line), "sep=") {
		return 0, text, false
	}
	r, size := utf8.DecodeRuneInString(line[4:])
	if size == 0 || len(line) != 4+size || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return 0, text, false
	}
	// Keep the line count: replace the sep line with an empty line.
	return r, "\n" + rest, true
}

// csvGrid parses text with one delimiter into a grid that knows each
// field's line and column. A syntax error stops the reading and is returned
// as a problem: the rows after it cannot be trusted.
func csvGrid(file, text string, delim rune) (*grid, *safetyfile.Problem) {
	g := &grid{file: file, pos: [][]fieldAt{}, lines: newLineIndex(text)}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return g, nil
		}
		if err != nil {
			line, col := 0, 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line, col = pe.Line, pe.Column
				err = pe.Err
			}
			p := invalid(safetyfile.Location{File: file, Line: line, Column: col}, "CSV syntax error: %v; the rows from here on are not read (check the quotes on this line)", err)
			return g, &p
		}
		first, _ := r.FieldPos(0)
		g.line = append(g.line, first)
		pos := make([]fieldAt, len(rec))
		for i := range rec {
			line, col := r.FieldPos(i)
			pos[i] = fieldAt{int32(min(line, math.MaxInt32)), int32(min(col, math.MaxInt32))}
			rec[i] = unescapeFormula(cleanCell(rec[i]))
		}
		g.rows = append(g.rows, rec)
		g.pos = append(g.pos, pos)
	}
}

// lineIndex converts csv's byte columns to the character columns editors
// show; only lines with non-ASCII text need counting, once each.
type lineIndex struct {
	lines []string
	ascii []int8 // 0 unknown, 1 ASCII, 2 not
	// The fields of a record come left to right, so counting resumes from
	// the last field counted on the same line.
	curLine, curByte, curRune int
}

func newLineIndex(text string) *lineIndex {
	lines := strings.Split(text, "\n")
	return &lineIndex{lines: lines, ascii: make([]int8, len(lines))}
}

func (li *lineIndex) column(line, col int) int {
	if line < 1 || line > len(li.lines) || col < 1 {
		return col
	}
	l := li.lines[line-1]
	if li.ascii[line-1] == 0 {
		li.ascii[line-1] = 1
		for i := 0; i < len(l); i++ {
			if l[i] >= utf8.RuneSelf {
				li.ascii[line-1] = 2
				break
			}
		}
	}
	if li.ascii[line-1] == 1 || col-1 > len(l) {
		return col
	}
	if li.curLine != line || li.curByte > col-1 {
		li.curLine, li.curByte, li.curRune = line, 0, 0
	}
	li.curRune += utf8.RuneCountInString(l[li.curByte : col-1])
	li.curByte = col - 1
	return li.curRune + 1
}

// decodeText strips a UTF-8 byte-order mark and reads non-UTF-8 bytes as
// Windows-1252, reporting whether it had to.
func decodeText(data []byte) (string, bool) {
	s := strings.TrimPrefix(string(data), "\ufeff")
	if utf8.ValidString(s) {
		return s, false
	}
	var b strings.Builder
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String(), true
}

// cp1252 is Windows-1252's 0x80–0x9F range; the rest matches Latin-1.
var cp1252 = [32]rune{
	'€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f',
	'\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ',
}
