package hazardlog

import (
	"strings"
	"testing"
)

// TestFormatShows: formats Excel writes for numbers, dates and text show the
// value; formats an attacker writes to show a CSO something else do not.
func TestFormatShows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, value string
		text, want  bool
	}{
		// What spreadsheets really carry.
		{code: "General", value: "4", want: true},
		{code: "0", value: "4", want: true},
		{code: "0.00", value: "4", want: true},
		{code: "#,##0;[Red]-#,##0", value: "-4", want: true},
		{code: "dd/mm/yyyy", value: "46000", want: true},
		{code: `yyyy\-mm\-dd`, value: "46000", want: true},
		{code: `[$-F800]dddd\,\ mmmm\ dd\,\ yyyy`, value: "46000", want: true},
		{code: "d-mmm-yy", value: "46000", want: true},
		{code: "[h]:mm:ss", value: "46000.5", want: true},
		{code: "h:mm AM/PM", value: "46000.5", want: true},
		{code: `[$-809]dd/mm/yyyy;@`, value: "46000", want: true},
		{code: `[$-809]dd/mm/yyyy;@`, value: "Minor", text: true, want: true},
		{code: `dd\/mm\/yyyy`, value: "46000", want: true},
		{code: "mmm-yy", value: "46000", want: true},
		{code: `[$-x-sysdate]dddd, mmmm dd, yyyy`, value: "46000", want: true},
		{code: `[DBNum1][$-804]General`, value: "4", want: true},
		{code: `_-[$£-809]* #,##0.00_-;-[$£-809]* #,##0.00_-;_-[$£-809]* "-"??_-;_-@_-`, value: "Minor", text: true, want: true},
		{code: `0;0;0;General`, value: "Minor", text: true, want: true},
		{code: `[Red]0;[Blue]-0`, value: "4", want: true},
		{code: "0.00E+00", value: "4", want: true},
		{code: "0;-0;;@", value: "4", want: true},
		{code: "0;-0;;@", value: "Minor", text: true, want: true},
		{code: "@", value: "Minor", text: true, want: true},
		{code: "0.00", value: "Minor", text: true, want: true},
		{code: `[$£-809]#,##0.00`, value: "4", want: true},
		{code: `_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)`, value: "4", want: true},
		// A number shown as words, or as another number.
		{code: `"Catastrophic"`, value: "1", want: false},
		{code: `"5"`, value: "2", want: false},
		{code: `5`, value: "2", want: false},
		{code: `\5`, value: "2", want: false},
		{code: `0" (was 5)"`, value: "2", want: false},
		{code: `0\ \M\a\j\o\r`, value: "2", want: false},
		{code: `0*9`, value: "2", want: false},
		{code: `[>=3]"High";"Low"`, value: "4", want: false},
		{code: `[<3]0;"High"`, value: "1", want: false},
		{code: `;;;`, value: "2", want: false},
		{code: `0;0;"Major"`, value: "0", want: false},
		{code: `Major0`, value: "2", want: false},
		{code: `[$USD] 0`, value: "2", want: false},
		{code: `0!0`, value: "2", want: false},            // ! escapes as \ does: shows 20
		{code: `0,`, value: "4000", want: false},          // shows 4
		{code: `0%`, value: "0.04", want: false},          // shows 4%
		{code: `m`, value: "5", want: false},              // a severity of 5 shown as the month of 5 January 1900: 1
		{code: `[h]`, value: "1", want: false},            // shows 24
		{code: `[<3]0;[<5]0,;0`, value: "4", want: false}, // the second condition scales
		// Text hidden or replaced.
		{code: `;;;`, value: "Minor", text: true, want: false},
		{code: `;;;"Catastrophic"`, value: "Minor", text: true, want: false},
		{code: `0;0;0;"Very high"@`, value: "Low", text: true, want: false},
		{code: `"not "@`, value: "closed", text: true, want: false},
		{code: `@@`, value: "closed", text: true, want: false},
		{code: `;;;@\ @`, value: "closed", text: true, want: false},
	}
	for _, tt := range tests {
		got, why := formatShows(tt.code, tt.value, tt.text)
		if got != tt.want {
			t.Errorf("formatShows(%q, %q, text %v) = %v (%s), want %v", tt.code, tt.value, tt.text, got, why, tt.want)
		}
		if !got && why == "" {
			t.Errorf("formatShows(%q, %q): refused without saying why", tt.code, tt.value)
		}
	}
}

// FuzzFormatShows: any format code is parsed without panicking, and one
// that refuses says why.
func FuzzFormatShows(f *testing.F) {
	for _, s := range []string{"[White]@", "[Color2]0;[Color99]0", "0!0,%", "General", `"x"`, `0;-0;;@`, `[>=3]"High";"Low"`, `\`, `"`, `[`, `*`, `_`, `[$-F800]dddd`} {
		f.Add(s, "4", false)
		f.Add(s, "Minor", true)
	}
	f.Fuzz(func(t *testing.T, code, value string, text bool) {
		if ok, why := formatShows(code, value, text); !ok && why == "" {
			t.Fatalf("formatShows(%q, %q) refused without a reason", code, value)
		}
		for _, c := range sectionColours(parseFormat(code), value, text) {
			if _, ok := relativeLuminance(c); !ok && !strings.HasPrefix(c, "#") {
				t.Fatalf("format %q paints in %q, which is no colour", code, c)
			}
		}
	})
}
