package hazardlog

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/csogate/csogate/internal/safetyfile"
)

// cleanCell tidies text as spreadsheets and their CSV exports write it:
// Windows line ends, Excel's escaped carriage return, non-breaking and
// zero-width spaces, and blanks around the value. The wording is kept.
func cleanCell(s string) string {
	if isClean(s) {
		return s // already tidy: most cells, and every cell read a second time
	}
	return tidyCell(s)
}

// tidyCell is cleanCell without the check that it has anything to do.
func tidyCell(s string) string {
	// A workbook's XML should hold only UTF-8; anything else is shown as
	// the replacement character rather than passed on as broken text.
	s = strings.ToValidUTF8(s, "\ufffd")
	s = strings.ReplaceAll(s, "_x000D_", "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	s = strings.ReplaceAll(s, "\u200b", "")
	s = strings.ReplaceAll(s, "\ufeff", "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// isClean reports, in one pass and without allocating, that cleanCell
// would give s back unchanged: the readers clean every cell as they read it
// and then look at it again many times.
func isClean(s string) bool {
	if s == "" {
		return true
	}
	if !utf8.ValidString(s) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		return false
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\r':
			return false
		case c == '\n':
			if i > 0 && (s[i-1] == ' ' || s[i-1] == '\t') {
				return false
			}
		case c == '_':
			if strings.HasPrefix(s[i:], "_x000D_") {
				return false
			}
		case c >= utf8.RuneSelf:
			rest := s[i:]
			if strings.HasPrefix(rest, "\u00a0") || strings.HasPrefix(rest, "\u200b") || strings.HasPrefix(rest, "\ufeff") {
				return false
			}
		}
	}
	return true
}

// oneLine collapses every run of blanks and line breaks to one space, for
// values that are a single line however a cell wraps them (ids, titles, scores).
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\t\r\v\f\u00a0\u0085") && !strings.Contains(s, "  ") && s == strings.TrimSpace(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

var numberPattern = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// intLike turns a whole number written as a float ("3.0", as XLSX stores
// numbers and some exports print them) into "3"; anything else is unchanged,
// so "1.10" stays a hazard number rather than becoming 1.1.
func intLike(s string) string {
	if !numberPattern.MatchString(s) || !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) >= 1e9 {
		return s
	}
	if r := math.Round(f); math.Abs(f-r) < 1e-9 {
		return strconv.FormatInt(int64(r), 10)
	}
	return s
}

// scoreText prepares a severity, likelihood or risk cell for the risk package's parsers.
func scoreText(s string) string { return intLike(oneLine(cleanCell(s))) }

// normaliseID reads a hazard number: a bare number ("7", "7.0", "1.2") gets
// the configured prefix (contract 1.5: "7" → "HAZ-7"); an id that already
// starts with a letter is kept as written.
func normaliseID(raw, prefix string) string {
	s := intLike(oneLine(cleanCell(raw)))
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		return prefix + s
	}
	return s
}

// dateLayouts are the ways hazard logs write dates; day-first, as NHS documents do.
var dateLayouts = []string{
	"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006", "02.01.2006", "2.1.2006",
	"2 Jan 2006", "2 January 2006", "02 Jan 2006", "02 January 2006", "2-Jan-2006", "2-Jan-06",
	"Jan 2, 2006", "January 2, 2006", "2 Jan 06", "02/01/06", "2/1/06",
}

// parseDate reads a date cell. serialOK allows an Excel serial day number
// (an XLSX date cell read raw); date1904 selects that workbook's epoch.
func parseDate(s string, serialOK, date1904 bool) (safetyfile.Date, bool) {
	s = oneLine(cleanCell(s))
	if s == "" {
		return safetyfile.Date{}, false
	}
	// A date-time ("2026-10-01 00:00:00", "2026-10-01T09:30:00Z") names its day first.
	if len(s) > 10 && (s[10] == ' ' || s[10] == 'T') {
		if d, err := safetyfile.ParseDate(s[:10]); err == nil {
			return d, true
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return safetyfile.Date{Time: t}, true
		}
	}
	if serialOK && numberPattern.MatchString(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 {
			if t, ok := excelSerialDate(f, date1904); ok {
				return safetyfile.Date{Time: t}, true
			}
		}
	}
	return safetyfile.Date{}, false
}

// excelSerialDate converts an Excel serial day number to its calendar day.
func excelSerialDate(serial float64, date1904 bool) (time.Time, bool) {
	days := math.Floor(serial)
	var epoch time.Time
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	} else {
		// Excel counts 1900-02-29, which never existed; from March 1900 on
		// the 1899-12-30 epoch absorbs that.
		epoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		if days < 61 {
			epoch = epoch.AddDate(0, 0, 1)
		}
	}
	t := epoch.AddDate(0, 0, int(days))
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
}

// splitComponents splits a Components cell into globs: one per line, or
// separated by ';' or by ',' outside braces (a glob's {a,b} keeps its comma).
// Quotes and backticks around a glob are dropped.
func splitComponents(s string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		g := strings.Trim(strings.TrimSpace(cur.String()), "`\"'")
		g = strings.TrimSpace(g)
		if g != "" {
			out = append(out, g)
		}
		cur.Reset()
	}
	for _, r := range s {
		switch {
		case r == '{':
			depth++
		case r == '}' && depth > 0:
			depth--
		case r == '\n' || r == ';' || (r == ',' && depth == 0):
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}

// appendUnique appends s unless it is empty or already present.
func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// spans prints row numbers compactly: "row 12", "rows 12-14", "rows 12-14, 16".
func spans(noun string, rows []int) string {
	if len(rows) == 0 {
		return ""
	}
	var parts []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(rows[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", rows[i], rows[j]))
		}
		i = j + 1
	}
	if len(rows) == 1 {
		return noun + " " + parts[0]
	}
	return noun + "s " + strings.Join(parts, ", ")
}

// editDistance is the Levenshtein distance (agnivade/levenshtein, already in the module graph through OPA), for naming the header a typo meant.
func editDistance(a, b string) int { return levenshtein.ComputeDistance(a, b) }

// distanceWithin is the edit distance of a and b when it is at most limit,
// else limit+1; it computes only the band of the table within limit of
// the diagonal, so checking a cell against every header name stays cheap.
func distanceWithin(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || d < -limit {
		return limit + 1
	}
	const far = 1 << 20
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		lo, hi := max(1, i-limit), min(len(rb), i+limit)
		for j := range cur {
			cur[j] = far
		}
		if i <= limit {
			cur[0] = i
		}
		rowMin := cur[0]
		for j := lo; j <= hi; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1)
}

// titleCase writes a canonical word as a spreadsheet shows it: "very-high" → "Very high".
func titleCase(word string) string {
	w := strings.ReplaceAll(word, "-", " ")
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}
