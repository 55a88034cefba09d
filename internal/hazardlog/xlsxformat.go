package hazardlog

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A spreadsheet shows a cell through its number format, and a custom format
// can show something other than what the cell stores: `"Catastrophic"` shows
// that word for any number, `;;;"Minor"` shows "Minor" for any text, `;;;`
// shows nothing, and `0" (was 5)"` adds words of its own. A CSO reviewing the
// workbook reads what Excel shows; the gate reads what is stored. So a cell
// the gate reads must be shown by a format that shows its value and adds no
// words or digits of its own (formatShows), or the log is refused.

// formatSection is one ;-separated part of a number format code.
type formatSection struct {
	code        string
	placeholder bool   // a digit placeholder, General or a date/time code: shows a number
	textAt      bool   // @: shows the text
	condition   bool   // [>=5] and the like: which section applies depends on the value
	ownText     string // the first literal that holds a letter or digit, "" when none
}

// parseFormat splits a number format code into its sections and says what
// each shows. Quoted text, \-escaped and *-fill characters are literals;
// _X only reserves X's width; [..] holds a colour, a condition, a locale or
// currency, or an elapsed-time code.
func parseFormat(code string) []formatSection {
	var out []formatSection
	cur := formatSection{}
	start := 0
	literal := func(s string) {
		if cur.ownText == "" && strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			cur.ownText = s
		}
	}
	rs := []rune(code)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			literal(string(rs[i+1 : min(j, len(rs))]))
			i = j
		case r == '\\' || r == '*':
			if i+1 < len(rs) {
				literal(string(rs[i+1]))
				i++
			}
		case r == '_':
			i++ // the next character's width, never shown
		case r == '[':
			j := i + 1
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			inner := strings.ToLower(string(rs[i+1 : min(j, len(rs))]))
			switch {
			case strings.HasPrefix(inner, "$"):
				// [$€-809]: a currency symbol before the dash is shown.
				sym, _, _ := strings.Cut(inner[1:], "-")
				literal(sym)
			case strings.HasPrefix(inner, "<") || strings.HasPrefix(inner, ">") || strings.HasPrefix(inner, "="):
				cur.condition = true
			case inner != "" && strings.Trim(inner, "hms") == "":
				cur.placeholder = true // elapsed time
			}
			i = j
		case r == ';':
			cur.code = string(rs[start:i])
			out = append(out, cur)
			cur, start = formatSection{}, i+1
		case r == '@':
			cur.textAt = true
		case r == '0' || r == '#' || r == '?':
			cur.placeholder = true
		case unicode.IsLetter(r):
			j := i
			for j < len(rs) && unicode.IsLetter(rs[j]) {
				j++
			}
			word := strings.ToLower(string(rs[i:j]))
			if word == "general" || isDateTimeWord(word) {
				cur.placeholder = true
			} else {
				literal(string(rs[i:j])) // Excel shows a bare letter it does not know as itself
			}
			i = j - 1
		case unicode.IsDigit(r):
			literal(string(r)) // 1-9 outside quotes: shown as written
		}
	}
	cur.code = string(rs[start:])
	return append(out, cur)
}

// isDateTimeWord says whether a run of letters in a format is made only of
// date and time codes (yyyy, mmm, dd, hh, ss, AM/PM's letters, e for the
// era year, E+ of the scientific notation), each of which shows part of the
// value.
func isDateTimeWord(w string) bool {
	switch w {
	case "am", "pm", "a", "p", "e", "b":
		return true
	}
	return strings.Trim(w, "ymdhsg") == ""
}

// formatShows says whether a cell holding value (text when isText) is shown
// by the format code as its value, with nothing of the format's own; why
// says what the format does instead.
func formatShows(code string, value string, isText bool) (ok bool, why string) {
	return sectionsShow(parseFormat(code), value, isText)
}

// sectionsShow is formatShows on a format already parsed.
func sectionsShow(sections []formatSection, value string, isText bool) (ok bool, why string) {
	if isText {
		// Text takes the fourth section; with fewer, a single section that
		// has @ (its others are for numbers), else the text is shown as is.
		var s *formatSection
		switch {
		case len(sections) >= 4:
			s = &sections[3]
		case sections[0].textAt:
			s = &sections[0]
		default:
			return true, ""
		}
		if !s.textAt {
			return false, "shows no text at all"
		}
		if s.ownText != "" {
			return false, fmt.Sprintf("adds %q to the text", s.ownText)
		}
		return true, ""
	}
	num, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return true, "" // not a number Excel would format
	}
	var check []formatSection
	numeric := sections[:min(len(sections), 3)]
	conditional := false
	for _, s := range numeric {
		conditional = conditional || s.condition
	}
	switch {
	case conditional || len(numeric) == 1:
		check = numeric // which section applies depends on its condition: each must show the value
	case len(numeric) == 2 && num >= 0, len(numeric) == 3 && num > 0:
		check = numeric[:1]
	case num < 0:
		check = numeric[1:2]
	default:
		check = numeric[2:3]
	}
	for _, s := range check {
		if !s.placeholder {
			if s.ownText != "" {
				return false, fmt.Sprintf("shows %q instead of the number", s.ownText)
			}
			return false, "shows nothing for the number"
		}
		if s.ownText != "" {
			return false, fmt.Sprintf("adds %q to the number", s.ownText)
		}
	}
	return true, ""
}
