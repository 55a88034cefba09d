// Package risk holds the DCB0129 clinical risk matrix and the words clinicians
// use for severity and likelihood. It is the single source of truth for a risk
// rating: every other package asks it rather than keeping its own table.
package risk

import (
	"fmt"
	"strconv"
	"strings"
)

// Severity grades the harm a hazard can cause, from Minor (1) to Catastrophic (5).
// The zero value means "not assessed" and is never a valid score.
type Severity int

// Likelihood grades how probable the harm is, from VeryLow (1) to VeryHigh (5).
// The zero value means "not assessed" and is never a valid score.
type Likelihood int

// Rating is a DCB0129 risk rating, 1 (acceptable) to 5 (unacceptable).
type Rating int

const (
	Minor Severity = iota + 1
	Significant
	Considerable
	Major
	Catastrophic
)

const (
	VeryLow Likelihood = iota + 1
	Low
	Medium
	High
	VeryHigh
)

// SeverityWords are the canonical spellings, in order, as the contract writes them.
var SeverityWords = []string{"minor", "significant", "considerable", "major", "catastrophic"}

// LikelihoodWords are the canonical spellings, in order, as the contract writes them.
var LikelihoodWords = []string{"very-low", "low", "medium", "high", "very-high"}

// matrix is the DCB0129 risk matrix as NHS England publishes it, indexed
// [likelihood-1][severity-1]. It is deliberately not a product of the two
// scores: the 1–25 "likelihood × severity" scheme is a different matrix.
var matrix = [5][5]Rating{
	{1, 1, 2, 2, 3}, // very low
	{1, 2, 2, 3, 4}, // low
	{2, 2, 3, 3, 4}, // medium
	{2, 3, 3, 4, 5}, // high
	{3, 4, 4, 5, 5}, // very high
}

// Of returns the matrix rating of a severity and a likelihood, or 0 when either
// is not a valid score.
func Of(s Severity, l Likelihood) Rating {
	if !s.Valid() || !l.Valid() {
		return 0
	}
	return matrix[l-1][s-1]
}

// Valid reports whether s is one of the five severities.
func (s Severity) Valid() bool { return s >= Minor && s <= Catastrophic }

// Valid reports whether l is one of the five likelihoods.
func (l Likelihood) Valid() bool { return l >= VeryLow && l <= VeryHigh }

// Valid reports whether r is one of the five ratings.
func (r Rating) Valid() bool { return r >= 1 && r <= 5 }

func (s Severity) String() string {
	if !s.Valid() {
		return "unassessed"
	}
	return SeverityWords[s-1]
}

func (l Likelihood) String() string {
	if !l.Valid() {
		return "unassessed"
	}
	return LikelihoodWords[l-1]
}

// meanings are the DCB0129 descriptions of each rating, as the matrix's key states them.
var meanings = [5]string{
	"acceptable, no further action",
	"acceptable where the cost of further reduction outweighs the benefit",
	"undesirable, acceptable only where further reduction is impractical",
	"mandatory elimination or control to an acceptable level",
	"unacceptable",
}

// Meaning returns what DCB0129 says a rating demands.
func (r Rating) Meaning() string {
	if !r.Valid() {
		return "not rated"
	}
	return meanings[r-1]
}

// ratingWords are the short names published hazard logs use for each rating.
var ratingWords = [5]string{"very low", "low", "medium", "high", "very high"}

// Word returns the short name of a rating as hazard logs print it ("3 - Medium").
func (r Rating) Word() string {
	if !r.Valid() {
		return "not rated"
	}
	return ratingWords[r-1]
}

// Normalise folds a word as a person types it ("Very Low", "VERY_LOW",
// " very-low ") into the canonical hyphenated lower-case form ("very-low").
func Normalise(word string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	w = strings.Map(func(r rune) rune {
		switch r {
		case '_', ' ', '\t', '-':
			return '-'
		}
		return r
	}, w)
	for strings.Contains(w, "--") {
		w = strings.ReplaceAll(w, "--", "-")
	}
	return strings.Trim(w, "-")
}

// severityAliases are other words for a severity found in published hazard
// logs; "consequence" scales use the same five grades.
var severityAliases = map[string]Severity{
	"minor": Minor, "significant": Significant, "considerable": Considerable,
	"major": Major, "catastrophic": Catastrophic,
}

var likelihoodAliases = map[string]Likelihood{
	"very-low": VeryLow, "verylow": VeryLow, "low": Low, "medium": Medium,
	"high": High, "very-high": VeryHigh, "veryhigh": VeryHigh,
}

// ParseSeverity reads a severity word in any case and spacing. It does not
// accept numbers: the YAML formats name the grade in words (see ParseSeverityScore
// for spreadsheet cells).
func ParseSeverity(word string) (Severity, error) {
	if s, ok := severityAliases[Normalise(word)]; ok {
		return s, nil
	}
	return 0, fmt.Errorf("unknown severity %q; write one of %s", word, strings.Join(SeverityWords, ", "))
}

// ParseLikelihood reads a likelihood word in any case and spacing.
func ParseLikelihood(word string) (Likelihood, error) {
	if l, ok := likelihoodAliases[Normalise(word)]; ok {
		return l, nil
	}
	return 0, fmt.Errorf("unknown likelihood %q; write one of %s", word, strings.Join(LikelihoodWords, ", "))
}

// ParseSeverityScore reads a severity as hazard-log spreadsheets and Markdown
// files write it: a word ("Major"), a bare number 1–5, or "N - Word: description"
// ("4 - Major: Death or permanent life-changing incapacity"). When both a number
// and a word are present they must agree.
func ParseSeverityScore(cell string) (Severity, error) {
	n, word, err := splitScore(cell)
	if err != nil {
		return 0, fmt.Errorf("severity %w; write one of %s or 1-5", err, strings.Join(SeverityWords, ", "))
	}
	var fromWord Severity
	if word != "" {
		s, ok := severityAliases[Normalise(word)]
		if !ok {
			return 0, fmt.Errorf("unknown severity %q; write one of %s or 1-5", cell, strings.Join(SeverityWords, ", "))
		}
		fromWord = s
	}
	return reconcile(Severity(n), fromWord, cell, "severity")
}

// ParseLikelihoodScore is ParseSeverityScore for likelihood.
func ParseLikelihoodScore(cell string) (Likelihood, error) {
	n, word, err := splitScore(cell)
	if err != nil {
		return 0, fmt.Errorf("likelihood %w; write one of %s or 1-5", err, strings.Join(LikelihoodWords, ", "))
	}
	var fromWord Likelihood
	if word != "" {
		l, ok := likelihoodAliases[Normalise(word)]
		if !ok {
			return 0, fmt.Errorf("unknown likelihood %q; write one of %s or 1-5", cell, strings.Join(LikelihoodWords, ", "))
		}
		fromWord = l
	}
	return reconcile(Likelihood(n), fromWord, cell, "likelihood")
}

// ratingAliases maps the words published logs use for a rating to the
// ratings they can mean. The Digital Clinical Safety Platform's template
// calls both 1 and 2 "Acceptable" and 4 "Mandatory-risk-elimination".
var ratingAliases = map[string][]Rating{
	"very-low": {1}, "low": {2}, "medium": {3}, "moderate": {3}, "high": {4}, "very-high": {5},
	"acceptable": {1, 2}, "tolerable": {2}, "undesirable": {3}, "unacceptable": {5},
	"mandatory": {4}, "mandatory-elimination": {4}, "mandatory-risk-elimination": {4},
}

// ParseRatingScore reads a stated risk rating: "3", "3 - Medium", or a word.
func ParseRatingScore(cell string) (Rating, error) {
	n, word, err := splitScore(cell)
	if err != nil {
		return 0, fmt.Errorf("risk %w; write a number 1-5", err)
	}
	var fromWord Rating
	if word != "" {
		rs, ok := ratingAliases[Normalise(word)]
		if !ok {
			return 0, fmt.Errorf("unknown risk %q; write a number 1-5, optionally with its word (\"3 - Medium\")", cell)
		}
		fromWord = rs[0]
		for _, r := range rs {
			if int(r) == n {
				fromWord = r // the word fits the number it is written with
			}
		}
		if n == 0 && len(rs) > 1 {
			return 0, fmt.Errorf("risk %q can mean %d or %d; write the number with it (\"%d - %s\")", cell, rs[0], rs[1], rs[1], strings.TrimSpace(word))
		}
	}
	return reconcile(Rating(n), fromWord, cell, "risk")
}

type grade interface {
	~int
	Valid() bool
}

func reconcile[T grade](fromNumber, fromWord T, cell, what string) (T, error) {
	switch {
	case fromNumber != 0 && fromWord != 0 && fromNumber != fromWord:
		return 0, fmt.Errorf("%s %q names %d but its word means %d; correct one of them", what, cell, int(fromNumber), int(fromWord))
	case fromNumber != 0:
		if !fromNumber.Valid() {
			return 0, fmt.Errorf("%s %q is out of range; write 1-5", what, cell)
		}
		return fromNumber, nil
	case fromWord != 0:
		return fromWord, nil
	}
	return 0, fmt.Errorf("%s %q is not assessed", what, cell)
}

// splitScore splits "N - Word: description", "N", "Word" or "Word: description"
// into its number (0 when absent) and word ("" when absent). A blank or "TBC"
// cell is an error: a hazard nobody has scored cannot be released against.
func splitScore(cell string) (int, string, error) {
	s := strings.TrimSpace(cell)
	if i := strings.IndexAny(s, ":("); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	switch strings.ToLower(s) {
	case "", "tbc", "tbd", "n/a", "na", "-", "?", "unknown":
		return 0, "", fmt.Errorf("%q is not assessed", strings.TrimSpace(cell))
	}
	numPart, word := s, ""
	if i := strings.IndexAny(s, " -–."); i > 0 {
		if _, err := strconv.Atoi(s[:i]); err == nil {
			numPart = s[:i]
			word = strings.TrimLeft(s[i:], " -–.\t")
			// Spreadsheets store scores as numbers: "3.0" is 3, not 3 and a word "0".
			if s[i] == '.' && strings.Trim(s[i+1:], "0") == "" {
				word = ""
			}
		}
	}
	if n, err := strconv.Atoi(numPart); err == nil {
		return n, word, nil
	}
	return 0, s, nil
}
