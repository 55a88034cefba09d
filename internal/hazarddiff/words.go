package hazarddiff

import (
	"strings"

	"github.com/csogate/csogate/internal/mdtext"
	"github.com/csogate/csogate/internal/safetyfile"
)

// controlLine describes a control in one line: its kind, what it does and its evidence.
func controlLine(c *safetyfile.Control) string {
	if c == nil {
		return ""
	}
	s := c.Description
	if c.Kind != "" {
		s = c.Kind + ": " + s
	}
	if c.Evidence != "" {
		s += " (evidence: " + c.Evidence + ")"
	}
	return s
}

// op is one run of a word diff.
type op struct {
	kind  byte // '=' kept, '-' removed, '+' added
	words []string
}

// maxDiffWords bounds the word diff's table (words before × words after);
// longer texts are shown as wholly replaced.
const maxDiffWords = 250_000

// context is how many unchanged words a short word diff keeps around a change.
const context = 4

// wordDiff is the longest-common-subsequence diff of two texts' words.
func wordDiff(before, after string) []op {
	a, b := strings.Fields(before), strings.Fields(after)
	if len(a)*len(b) > maxDiffWords {
		return []op{{'-', a}, {'+', b}}
	}
	// lcs[i][j] is the common length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []op
	emit := func(kind byte, w string) {
		if n := len(out); n > 0 && out[n-1].kind == kind {
			out[n-1].words = append(out[n-1].words, w)
			return
		}
		out = append(out, op{kind, []string{w}})
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			emit('=', a[i])
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			emit('-', a[i])
			i++
		default:
			emit('+', b[j])
			j++
		}
	}
	return out
}

// shorten keeps only context words of each unchanged run next to a change,
// marking what it drops with "…".
func shorten(ops []op) []op {
	out := make([]op, 0, len(ops))
	for k, o := range ops {
		if o.kind != '=' || len(o.words) <= 2*context {
			out = append(out, o)
			continue
		}
		var words []string
		if k > 0 {
			words = append(words, o.words[:context]...)
		}
		words = append(words, "…")
		if k < len(ops)-1 {
			words = append(words, o.words[len(o.words)-context:]...)
		}
		out = append(out, op{'=', words})
	}
	return out
}

// textWordDiff is a short word diff for a terminal: [-removed-] {+added+}.
func textWordDiff(before, after string) string {
	var parts []string
	for _, o := range shorten(wordDiff(before, after)) {
		w := strings.Join(o.words, " ")
		switch o.kind {
		case '-':
			w = "[-" + w + "-]"
		case '+':
			w = "{+" + w + "+}"
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}

// markdownWordDiff is a short word diff for a table: the before cell strikes
// out what was removed, the after cell bolds what was added. Words are
// escaped before the markup is put around them.
func markdownWordDiff(before, after string) (string, string) {
	var b, a []string
	for _, o := range shorten(wordDiff(before, after)) {
		w := mdtext.Inline(strings.Join(o.words, " "))
		switch o.kind {
		case '=':
			b, a = append(b, w), append(a, w)
		case '-':
			b = append(b, "~~"+w+"~~")
		case '+':
			a = append(a, "**"+w+"**")
		}
	}
	return orDash(strings.Join(b, " ")), orDash(strings.Join(a, " "))
}
