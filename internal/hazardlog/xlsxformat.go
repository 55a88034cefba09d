package hazardlog

import (
	"fmt"
	"math"
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
	textAts     int    // how many @: each shows the text once more
	general     bool   // General: in the text section, shows the text
	scaled      bool   // % or a comma after the digits: shows the number times 100, or over 1000
	dateTime    bool   // a date or time code: shows the number as a date or time
	// colour is what [Red], [White] or [Color2] paints the section in: six
	// hex digits, or "#N" for the workbook palette's Nth colour (Excel's
	// [ColorN]); "" when the format does not paint.
	colour string
}

// formatColours are the colour names a number format may hold, as Excel
// paints them.
var formatColours = map[string]string{
	"black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00",
	"magenta": "FF00FF", "red": "FF0000", "white": "FFFFFF", "yellow": "FFFF00",
}

// parseFormat splits a number format code into its sections and says what
// each shows. Quoted text, \-escaped and *-fill characters are literals;
// _X only reserves X's width; [..] holds a colour, a condition, a locale or
// currency, or an elapsed-time code. ! escapes the next character as \ does
// (whether Excel shows the ! too, the next character is not a placeholder).
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
		case r == '\\' || r == '*' || r == '!':
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
				cur.placeholder, cur.dateTime = true, true // elapsed time
			case formatColours[inner] != "":
				cur.colour = formatColours[inner]
			case strings.HasPrefix(inner, "color"):
				if n, err := strconv.Atoi(inner[len("color"):]); err == nil && n >= 1 && n <= 56 {
					cur.colour = "#" + strconv.Itoa(n)
				} else {
					cur.colour = "#?" // a colour Excel would not paint: not to be told
				}
			}
			i = j
		case r == ';':
			cur.code = string(rs[start:i])
			out = append(out, cur)
			cur, start = formatSection{}, i+1
		case r == '@':
			cur.textAt = true
			cur.textAts++
		case r == '%':
			cur.scaled = true
		case r == ',' && i > 0 && strings.ContainsRune("0#?,", rs[i-1]) && (i+1 == len(rs) || !strings.ContainsRune("0#?,", rs[i+1])):
			cur.scaled = true // #,##0, shows thousands
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
				cur.general = cur.general || word == "general"
				cur.dateTime = cur.dateTime || word != "general" && word != "e"
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
// era year, b the Buddhist year, E+ of the scientific notation), each of which shows part of the
// value.
func isDateTimeWord(w string) bool {
	switch w {
	case "am", "pm", "a", "p", "e", "b":
		return true
	}
	return strings.Trim(w, "ymdhsgeb") == ""
}

// formatShows says whether a cell holding value (text when isText) is shown
// by the format code as its value, with nothing of the format's own; why
// says what the format does instead.
func formatShows(code string, value string, isText bool) (ok bool, why string) {
	return sectionsShow(parseFormat(code), value, isText)
}

// appliedSections are the sections Excel may show a cell holding value
// through (text when isText); none when Excel shows it as it is.
func appliedSections(sections []formatSection, value string, isText bool) []formatSection {
	if isText {
		// Text takes the fourth section; with fewer, a single section that
		// has @ (its others are for numbers), else the text is shown as is.
		switch {
		case len(sections) >= 4:
			return sections[3:4]
		case sections[0].textAt:
			return sections[0:1]
		}
		return nil
	}
	num, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return nil // not a number Excel would format
	}
	numeric := sections[:min(len(sections), 3)]
	conditional := false
	for _, s := range numeric {
		conditional = conditional || s.condition
	}
	switch {
	case conditional || len(numeric) == 1:
		return numeric // which section applies depends on its condition: each must show the value
	case len(numeric) == 2 && num >= 0, len(numeric) == 3 && num > 0:
		return numeric[:1]
	case num < 0:
		return numeric[1:2]
	}
	return numeric[2:3]
}

// sectionColours are the colours a format may paint a cell holding value
// in (text when isText). Text shown as it is takes the colour of a format
// with no text section too, it is not told which: each counts.
func sectionColours(sections []formatSection, value string, isText bool) []string {
	applied := appliedSections(sections, value, isText)
	if isText && applied == nil {
		applied = sections
	}
	var out []string
	for _, s := range applied {
		if s.colour != "" {
			out = append(out, s.colour)
		}
	}
	return out
}

// sectionsShow is formatShows on a format already parsed.
func sectionsShow(sections []formatSection, value string, isText bool) (ok bool, why string) {
	applied := appliedSections(sections, value, isText)
	if isText {
		if applied == nil {
			return true, ""
		}
		s := applied[0]
		switch {
		case !s.textAt && s.general && s.ownText == "":
			return true, "" // General shows the text
		case !s.textAt:
			return false, "shows no text at all"
		case s.ownText != "":
			return false, fmt.Sprintf("adds %q to the text", s.ownText)
		case s.textAts > 1:
			return false, "shows the text more than once"
		}
		return true, ""
	}
	num, _ := strconv.ParseFloat(strings.TrimSpace(value), 64)
	for _, s := range applied {
		switch {
		case !s.placeholder && s.ownText != "":
			return false, fmt.Sprintf("shows %q instead of the number", s.ownText)
		case !s.placeholder:
			return false, "shows nothing for the number"
		case s.ownText != "":
			return false, fmt.Sprintf("adds %q to the number", s.ownText)
		case s.scaled:
			return false, "shows the number scaled (% shows it times 100, a comma after the digits over 1000)"
		case s.dateTime && math.Abs(num) < 366:
			// A date before 1901 is no date a hazard log holds: a small
			// number (a severity, a hazard number) shown as a day, month
			// or time shows another number.
			return false, "shows the number as a date or time"
		}
	}
	return true, ""
}
