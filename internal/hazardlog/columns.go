package hazardlog

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/safetyfile"
)

// field is what a spreadsheet column holds, named as the configuration's
// columns: map names it ("causes", "initial.severity", "controls.design").
type field string

const (
	fieldID          field = "id"
	fieldTitle       field = "title"
	fieldDescription field = "description"
	fieldEffects     field = "effects"
	fieldHarm        field = "harm"
	fieldCauses      field = "causes"
	fieldControls    field = "controls" // kind not stated: the template's "Existing controls"
	fieldDesign      field = "controls.design"
	fieldTest        field = "controls.test"
	fieldTraining    field = "controls.training"
	fieldProcedure   field = "controls.procedure"
	fieldOther       field = "controls.other"
	// The id and evidence of the one control on a row: columns the
	// template lacks, which export adds so nothing of a control is lost.
	fieldControlID          field = "controls.id"
	fieldControlEvidence    field = "controls.evidence"
	fieldInitialSeverity    field = "initial.severity"
	fieldInitialLikelihood  field = "initial.likelihood"
	fieldInitialRisk        field = "risk.initial"
	fieldResidualSeverity   field = "residual.severity"
	fieldResidualLikelihood field = "residual.likelihood"
	fieldResidualRisk       field = "risk.residual"
	// A sheet that scores each hazard once has bare Severity, Likelihood and
	// Risk columns; next to phased columns they take the phase beside them.
	fieldSeverity   field = "severity"
	fieldLikelihood field = "likelihood"
	fieldRisk       field = "risk"
	fieldActions    field = "actions"
	// fieldNotes are columns real logs carry that no hazard-log field holds
	// (comments, dates raised, categories): read past, with a warning when
	// they hold text, rather than refused like an unknown header.
	fieldNotes      field = "notes"
	fieldOwner      field = "owner"
	fieldStatus     field = "status"
	fieldComponents field = "components"
	fieldUpdated    field = "updated"
	// fieldIgnore is for columns: entries that tell the reader to skip a column.
	fieldIgnore field = "ignore"
)

// fieldSpec is one column of the NHS template: its name as the template
// spells it, the other spellings real copies use, and whether a hazard can
// have only one value for it.
type fieldSpec struct {
	field   field
	name    string
	aliases []string
	single  bool
}

// fieldSpecs is the header table. Matching ignores case, spaces and
// punctuation ("Hazard #" reads "hazard number"), so each entry lists only
// genuinely different wordings.
var fieldSpecs = []fieldSpec{
	{fieldID, "Hazard number", []string{"Hazard #", "Hazard ID", "Hazard No", "Hazard Num", "Hazard Ref", "Hazard Reference", "ID", "No", "Number", "Ref", "#"}, true},
	{fieldTitle, "Hazard name", []string{"Name", "Hazard title", "Title", "Hazard summary", "Summary"}, true},
	{fieldDescription, "Hazard description", []string{"Description", "Hazard", "Hazard details", "Detailed description"}, false},
	{fieldEffects, "Potential Clinical impact", []string{"Clinical impact", "Potential clinical impacts", "Clinical impacts", "Potential impact", "Impact", "Effect", "Effects", "Clinical effect", "Potential clinical effect"}, false},
	{fieldHarm, "Harm", []string{"Potential harm", "Clinical harm", "Harms"}, false},
	{fieldCauses, "Possible causes", []string{"Possible cause", "Cause", "Causes", "Potential causes", "Potential cause", "Hazard cause", "Hazard causes", "Root cause", "Root causes"}, false},
	{fieldControls, "Existing controls", []string{"Existing control", "Existing controls in place", "Current controls", "Controls in place", "Existing mitigations", "Existing mitigation", "Controls", "Mitigations", "Control measures"}, false},
	{fieldDesign, "Design controls", []string{"Design control", "Design"}, false},
	{fieldTest, "Test controls", []string{"Test control", "Testing controls", "Testing control", "Test", "Testing"}, false},
	{fieldTraining, "Training Control", []string{"Training controls", "Training"}, false},
	{fieldProcedure, "Business Process Change", []string{"Business process changes", "Business process change controls", "Business process controls", "Business process control", "Business process", "Process controls", "Procedural controls", "Procedure"}, false},
	{fieldOther, "Other controls", []string{"Other control", "Additional controls", "New controls", "New hazard controls", "Further controls"}, false},
	{fieldControlID, "Control ID", []string{"Control number", "Control no", "Control ref", "Control reference"}, true},
	{fieldControlEvidence, "Control evidence", []string{"Evidence", "Control evidence reference", "Evidence of control", "Verification evidence"}, true},
	{fieldInitialSeverity, "Initial Severity", []string{"I. Consequence", "Initial Consequence", "I. Severity", "Initial hazard severity", "Pre-mitigation severity", "Initial severity score"}, true},
	{fieldInitialLikelihood, "Initial Likelihood", []string{"I. Likelihood", "Initial probability", "I. Probability", "Pre-mitigation likelihood", "Initial likelihood score"}, true},
	{fieldInitialRisk, "Initial Risk", []string{"I. Risk score", "I. Risk", "I. Risk rating", "Initial risk rating", "Initial risk score", "Initial risk level", "Initial rating", "Initial hazard risk", "Pre-mitigation risk"}, true},
	{fieldResidualSeverity, "Residual Severity", []string{"R. Consequence", "Residual Consequence", "R. Severity", "Residual hazard severity", "Post-mitigation severity", "Residual severity score"}, true},
	{fieldResidualLikelihood, "Residual Likelihood", []string{"R. Likelihood", "Residual probability", "R. Probability", "Post-mitigation likelihood", "Residual likelihood score"}, true},
	{fieldResidualRisk, "Residual Risk", []string{"R. Risk score", "R. Risk", "R. Risk rating", "Residual risk rating", "Residual risk score", "Residual risk level", "Residual rating", "Residual hazard risk", "Post-mitigation risk"}, true},
	{fieldSeverity, "Severity", []string{"Consequence", "Severity score", "Severity rating"}, true},
	{fieldLikelihood, "Likelihood", []string{"Probability", "Likelihood score", "Likelihood rating"}, true},
	{fieldRisk, "Risk", []string{"Risk rating", "Risk score", "Risk level", "Rating"}, true},
	{fieldActions, "Actions", []string{"Action", "Further actions", "Further action", "Actions required", "Action required", "Actions to be taken"}, false},
	{fieldNotes, "Comments", []string{"Comment", "Notes", "Note", "Hazard type", "Hazard types", "Hazard category", "Category",
		"Date raised", "Date identified", "Date logged", "Date opened", "Raised by", "Identified by", "Review date", "Next review date",
		"Cause ID", "Cause number", "Version"}, false},
	{fieldOwner, "Owner", []string{"Hazard owner", "Risk owner", "Action owner", "Assigned to", "Assignee", "Assignment"}, true},
	{fieldStatus, "Hazard Status", []string{"Status", "Risk status", "Current status"}, true},
	{fieldComponents, "Components", []string{"Component", "Code", "Code associated with hazard", "Code globs", "Code paths", "Paths", "Software components"}, false},
	{fieldUpdated, "Last updated", []string{"Updated", "Date updated", "Last update", "Date last updated", "Last modified", "Last reviewed", "Date reviewed"}, true},
}

// knownTypos are misspelt headers found in real copies of the template;
// they are read as the column they obviously mean, with a warning.
var knownTypos = map[string]field{
	"Initial Likelihoos":  fieldInitialLikelihood,
	"Intial Likelihood":   fieldInitialLikelihood,
	"Intial Severity":     fieldInitialSeverity,
	"Intial Risk":         fieldInitialRisk,
	"Residual Likelihoos": fieldResidualLikelihood,
	"Training Contrpl":    fieldTraining,
	"Existing contols":    fieldControls,
}

var (
	// longestAlias is the longest normalised name, beyond which no header is a misspelling.
	longestAlias int
	specOf       = map[field]*fieldSpec{}
	aliasIndex   = map[string]field{} // normalised header → field
	typoIndex    = map[string]field{}
)

func init() {
	for i := range fieldSpecs {
		s := &fieldSpecs[i]
		specOf[s.field] = s
		aliasIndex[headerKey(s.name)] = s.field
		for _, a := range s.aliases {
			aliasIndex[headerKey(a)] = s.field
		}
	}
	for t, f := range knownTypos {
		typoIndex[headerKey(t)] = f
	}
	for k := range aliasIndex {
		longestAlias = max(longestAlias, len(k))
	}
}

// fieldNames lists the names the configuration's columns: map may use.
func fieldNames() []string {
	names := []string{string(fieldIgnore)}
	for _, s := range fieldSpecs {
		names = append(names, string(s.field))
	}
	sort.Strings(names)
	return names
}

// displayName is how messages name a field: as the template spells it.
func displayName(f field) string {
	if s, ok := specOf[f]; ok {
		return s.name
	}
	return string(f)
}

// headerKey folds a header for matching: lower case, letters and digits
// only, with '#' read as "number" ("Hazard #" → "hazardnumber").
func headerKey(s string) string {
	// Most headers are ASCII: fold them byte by byte without allocating per rune.
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return headerKeyUnicode(s)
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c == '#':
			b = append(b, "number"...)
		}
	}
	return string(b)
}

func headerKeyUnicode(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "#", " number ")
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// withoutNotes drops bracketed notes from a header ("Initial Risk (1-5)" → "Initial Risk").
func withoutNotes(s string) string {
	if !strings.ContainsAny(s, "([") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
			continue
		case ')', ']':
			if depth > 0 {
				depth--
				continue
			}
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// matchHow says how a header was recognised; only exact and configured
// matches pass without a warning.
type matchHow int

const (
	howExact matchHow = iota
	howConfig
	howTypo
	howFuzzy
	howPosition
)

type hit struct {
	field field
	how   matchHow
}

// matcher recognises headers: the configuration's columns: map first (the
// user's word wins), then the template's names and aliases, then known typos,
// then a near miss of one edit.
type matcher struct {
	config    map[string]field
	badConfig map[string]string // normalised header → target that names no field
	kinds     map[string]string // group label → groupKind, worked out once
}

func (m *matcher) groupKind(label string) string {
	k, ok := m.kinds[label]
	if !ok {
		k = groupKind(label)
		m.kinds[label] = k
	}
	return k
}

func newMatcher(cfg *safetyfile.Config) *matcher {
	m := &matcher{config: map[string]field{}, badConfig: map[string]string{}, kinds: map[string]string{}}
	for from, to := range cfg.Columns {
		key := headerKey(from)
		if key == "" {
			continue
		}
		if f, ok := resolveTarget(to); ok {
			m.config[key] = f
		} else {
			m.badConfig[key] = to
		}
	}
	return m
}

// resolveTarget reads the right-hand side of a columns: entry: a field name
// ("causes", "initial.severity", "ignore") or any header the template knows
// ("Possible causes").
func resolveTarget(to string) (field, bool) {
	t := strings.ToLower(strings.TrimSpace(to))
	if field(t) == fieldIgnore {
		return fieldIgnore, true
	}
	if _, ok := specOf[field(t)]; ok {
		return field(t), true
	}
	if f, ok := aliasIndex[headerKey(to)]; ok {
		return f, true
	}
	return "", false
}

// exact recognises a header by configuration, name, alias or known typo.
func (m *matcher) exact(text string) (hit, bool) {
	for _, s := range []string{text, withoutNotes(text)} {
		key := headerKey(s)
		if key == "" {
			continue
		}
		if f, ok := m.config[key]; ok {
			return hit{f, howConfig}, true
		}
		if f, ok := aliasIndex[key]; ok {
			return hit{f, howExact}, true
		}
		if f, ok := typoIndex[key]; ok {
			return hit{f, howTypo}, true
		}
	}
	return hit{}, false
}

// fuzzy accepts a header one edit away (two for long ones) from exactly one
// field's names: the typos real copies carry ("Residual Severty").
func (m *matcher) fuzzy(text string) (hit, bool) {
	key := headerKey(withoutNotes(text))
	if len(key) < 7 || len(key) > longestAlias+2 {
		return hit{}, false
	}
	limit := 1
	if len(key) >= 14 {
		limit = 2
	}
	best, fields := limit+1, map[field]bool{}
	for alias, f := range aliasIndex {
		if d := len(alias) - len(key); d > limit || d < -limit {
			continue
		}
		d := distanceWithin(key, alias, limit)
		switch {
		case d < best:
			best, fields = d, map[field]bool{f: true}
		case d == best:
			fields[f] = true
		}
	}
	if best <= limit && len(fields) == 1 {
		for f := range fields {
			return hit{f, howFuzzy}, true
		}
	}
	return hit{}, false
}

// nearest names the template column closest to an unrecognised header.
func nearest(text string) string {
	key := headerKey(withoutNotes(text))
	best, name := 1<<30, ""
	for _, s := range fieldSpecs {
		for _, n := range append([]string{s.name}, s.aliases...) {
			if d := editDistance(key, headerKey(n)); d < best {
				best, name = d, s.name
			}
		}
	}
	return name
}

// groupKind reads a header group label ("Initial hazard risk assessment",
// "Residual", "Additional controls") as the phase or kind it gives the
// columns under it, or "" when it is not a group label.
func groupKind(label string) string {
	words := strings.FieldsFunc(strings.ToLower(label), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	has := func(match func(string) bool) bool {
		for _, w := range words {
			if match(w) {
				return true
			}
		}
		return false
	}
	switch {
	case has(func(w string) bool {
		return distanceWithin(w, "residual", 1) <= 1 || w == "post" || w == "after" || w == "revised"
	}):
		return "residual"
	case has(func(w string) bool {
		return distanceWithin(w, "initial", 1) <= 1 || w == "pre" || w == "before" || w == "inherent"
	}):
		return "initial"
	case has(func(w string) bool {
		return w == "control" || w == "controls" || w == "mitigation" || w == "mitigations"
	}):
		return "controls"
	}
	return ""
}

// headerCol is one column of the header as read.
type headerCol struct {
	col   int
	text  string // the header as a person reads it, group label included
	hit   hit
	ok    bool
	loc   safetyfile.Location
	inner bool // the header came from the row above (a vertically merged or two-row header)
}

// header is a candidate header row and what its columns mean.
type header struct {
	row       int
	twoRows   bool // the row above holds group labels or vertically merged headers
	cols      []headerCol
	distinct  int // distinct fields recognised
	unmatched int
}

func (h *header) has(f field) bool {
	for _, c := range h.cols {
		if c.ok && c.hit.field == f {
			return true
		}
	}
	return false
}

// valid says whether a row is a hazard table's header: three or more
// recognised columns, one of them naming the hazard.
func (h *header) valid() bool {
	return h.distinct >= 3 && (h.has(fieldID) || h.has(fieldTitle) || h.has(fieldDescription))
}

// better reports whether h is a more convincing header than o.
func (h *header) better(o *header) bool {
	if h.distinct != o.distinct {
		return h.distinct > o.distinct
	}
	if h.unmatched != o.unmatched {
		return h.unmatched < o.unmatched
	}
	return false
}

// headerScanRows bounds the search for the header row below title rows,
// a version table and notes.
const headerScanRows = 100

// findHeader picks the grid's header row: the row (alone, or with the row
// above it as group labels) that names the most template columns. A first
// pass reads every row with exact names only, which is cheap; the few rows
// that look like headers are then read again allowing for misspellings,
// which costs an edit distance per cell and per name.
func (m *matcher) findHeader(g *grid) (*header, bool) {
	type candidate struct {
		row      int
		two      bool
		distinct int
	}
	var cands []candidate
	for r := 0; r < len(g.rows) && r < headerScanRows; r++ {
		if g.blankRow(r) {
			continue
		}
		for _, two := range []bool{false, true} {
			if two && r == 0 {
				continue
			}
			if h := m.readHeader(g, r, two, false); h.distinct >= 2 {
				cands = append(cands, candidate{r, two, h.distinct})
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].distinct > cands[j].distinct })
	var best *header
	for i, c := range cands {
		if i == headerCandidates {
			break
		}
		h := m.readHeader(g, c.row, c.two, true)
		if best == nil || h.better(best) {
			best = h
		}
	}
	if best == nil || !best.valid() {
		return best, false
	}
	return best, true
}

// headerCandidates is how many likely header rows are read in full.
const headerCandidates = 8

// readHeader reads row r as the header, with row r-1 as its upper row when
// twoRows; fuzzy allows misspelt headers.
func (m *matcher) readHeader(g *grid, r int, twoRows, fuzzy bool) *header {
	h := &header{row: r, twoRows: twoRows}
	width := len(g.rows[r])
	if twoRows {
		width = max(width, len(g.rows[r-1]))
	}
	// Each column's group label, carried right across blank cells (a CSV
	// of a merged "Initial" cell has it only in the first column), and the
	// kind each label gives, worked out once per label.
	groups := make([]string, width)
	kinds := map[string]string{}
	if twoRows {
		last := ""
		for c := 0; c < width; c++ {
			label := g.merged(r-1, c)
			if label == "" {
				label = last
			} else {
				last = label
			}
			groups[c] = label
			if _, ok := kinds[label]; !ok {
				kinds[label] = m.groupKind(label)
			}
		}
	}
	seen := map[field]bool{}
	for c := 0; c < width; c++ {
		text := oneLine(cleanCell(g.cell(r, c)))
		loc := g.cellLoc(r, c)
		inner := false
		if text == "" && twoRows {
			if up := oneLine(cleanCell(g.sameColumn(r-1, c))); up != "" {
				text, loc, inner = up, g.cellLoc(g.originRow(r-1, c), c), true
			}
		}
		if text == "" {
			continue
		}
		col := headerCol{col: c, text: text, loc: loc, inner: inner}
		group := ""
		if twoRows && !inner {
			group = kinds[groups[c]]
		}
		var byGroup bool
		col.hit, col.ok, byGroup = m.recognise(text, group, fuzzy)
		if byGroup {
			// Messages name the column as a person reads it: group, then header.
			col.text = oneLine(cleanCell(groups[c])) + " / " + text
		}
		if col.ok {
			if !seen[col.hit.field] && col.hit.field != fieldIgnore {
				h.distinct++
			}
			seen[col.hit.field] = true
		} else {
			h.unmatched++
		}
		h.cols = append(h.cols, col)
	}
	return h
}

// recognise matches one header, using its group label (initial, residual,
// controls) when the header alone is ambiguous ("Severity", "Design");
// byGroup says the group label decided it.
func (m *matcher) recognise(text, group string, fuzzy bool) (h hit, ok, byGroup bool) {
	alone, ok := m.exact(text)
	if ok && (!isBareScore(alone.field) || alone.how == howConfig) {
		return alone, true, false
	}
	var combos []string
	if group != "" {
		combos = []string{group + " " + text, text + " " + group}
		if group == "controls" {
			combos = append(combos, text+" control")
		}
	}
	for _, c := range combos {
		if h, ok := m.exact(c); ok && !isBareScore(h.field) {
			return h, true, true
		}
	}
	if ok {
		return alone, true, false
	}
	if !fuzzy {
		return hit{}, false, false
	}
	if h, ok := m.fuzzy(text); ok {
		return h, true, false
	}
	for _, c := range combos {
		if h, ok := m.fuzzy(c); ok && !isBareScore(h.field) {
			return h, true, true
		}
	}
	return hit{}, false, false
}

func isBareScore(f field) bool {
	return f == fieldSeverity || f == fieldLikelihood || f == fieldRisk
}

// phased gives a bare score field the phase it takes.
func phased(f field, phase string) field {
	switch {
	case f == fieldSeverity && phase == "initial":
		return fieldInitialSeverity
	case f == fieldSeverity && phase == "residual":
		return fieldResidualSeverity
	case f == fieldLikelihood && phase == "initial":
		return fieldInitialLikelihood
	case f == fieldLikelihood && phase == "residual":
		return fieldResidualLikelihood
	case f == fieldRisk && phase == "initial":
		return fieldInitialRisk
	case f == fieldRisk && phase == "residual":
		return fieldResidualRisk
	}
	return f
}

func phaseOf(f field) string {
	switch f {
	case fieldInitialSeverity, fieldInitialLikelihood, fieldInitialRisk:
		return "initial"
	case fieldResidualSeverity, fieldResidualLikelihood, fieldResidualRisk:
		return "residual"
	}
	return ""
}

// columnSet is the resolved header: which column holds each field.
type columnSet struct {
	header  *header
	byField map[field][]int
	// single is true when the sheet scores each hazard once (bare Severity,
	// Likelihood): that score is both initial and residual (contract 1.5).
	single bool
	// headerLoc is the header row, where a missing column is reported.
	headerLoc safetyfile.Location
}

func (cs *columnSet) col(f field) int {
	if cols := cs.byField[f]; len(cols) > 0 {
		return cols[0]
	}
	return -1
}

// resolve turns the chosen header into a columnSet, reporting unrecognised
// headers, duplicated single-valued columns and missing required columns.
func (m *matcher) resolve(g *grid, h *header) (*columnSet, safetyfile.Problems, safetyfile.Problems) {
	var problems, warnings safetyfile.Problems
	cs := &columnSet{header: h, byField: map[field][]int{}, headerLoc: g.rowLoc(h.row)}
	// Bare scores take the phase of the nearest phased score column, left
	// first; with none, the n-th bare column of a kind is the n-th phase.
	count := map[field]int{}
	anyPhased := false
	for _, c := range h.cols {
		if c.ok && phaseOf(c.hit.field) != "" {
			anyPhased = true
		}
	}
	for i := range h.cols {
		c := &h.cols[i]
		if !c.ok || !isBareScore(c.hit.field) {
			continue
		}
		phase := ""
		if anyPhased {
			for j := i - 1; j >= 0 && phase == ""; j-- {
				if h.cols[j].ok {
					phase = phaseOf(h.cols[j].hit.field)
				}
			}
			for j := i + 1; j < len(h.cols) && phase == ""; j++ {
				if h.cols[j].ok {
					phase = phaseOf(h.cols[j].hit.field)
				}
			}
		} else {
			count[c.hit.field]++
			switch n := count[c.hit.field]; {
			case n == 1 && bareCount(h, c.hit.field) == 1:
				continue // a single scoring: both initial and residual
			case n == 1:
				phase = "initial"
			case n == 2:
				phase = "residual"
			}
		}
		if phase == "" {
			continue // reported as a duplicate below
		}
		c.hit = hit{phased(c.hit.field, phase), howPosition}
		warnings = append(warnings, warning(c.loc, "header %q read as %q (by its place among the score columns); name it so to be sure", c.text, displayName(c.hit.field)))
	}
	for _, c := range h.cols {
		if !c.ok {
			if target, bad := m.badConfig[headerKey(c.text)]; bad {
				problems = append(problems, invalid(c.loc, "header %q: the configuration's columns: maps it to %q, which is not a hazard-log field; map it to one of %s",
					c.text, target, strings.Join(fieldNames(), ", ")))
				continue
			}
			problems = append(problems, invalid(c.loc, "header %q matches no hazard-log column (the nearest is %q); rename it, or map it under columns: in the gate configuration (e.g. %q: ignore to leave it out, or to a field such as causes or description)",
				c.text, nearest(c.text), c.text))
			continue
		}
		switch c.hit.how {
		case howTypo, howFuzzy:
			warnings = append(warnings, warning(c.loc, "header %q read as %q (a misspelling); correct the header to be sure", c.text, displayName(c.hit.field)))
		}
		if c.hit.field == fieldIgnore {
			continue
		}
		if prev := cs.byField[c.hit.field]; len(prev) > 0 && specOf[c.hit.field].single {
			problems = append(problems, invalid(c.loc, "header %q is a second %q column (the first is column %s); a hazard has one %s: rename or remove one, or map it under columns: (e.g. %q: ignore)",
				c.text, displayName(c.hit.field), columnName(prev[0]), strings.ToLower(displayName(c.hit.field)), c.text))
			continue
		}
		cs.byField[c.hit.field] = append(cs.byField[c.hit.field], c.col)
	}
	// Any data under a blank header is reported: it would otherwise be lost.
	headerWidth := 0
	for _, c := range h.cols {
		headerWidth = max(headerWidth, c.col+1)
	}
	named := map[int]bool{}
	for _, c := range h.cols {
		named[c.col] = true
	}
	for r := h.row + 1; r < len(g.rows); r++ {
		for c := range g.rows[r] {
			if !named[c] && cleanCell(g.cell(r, c)) != "" {
				warnings = append(warnings, warning(g.cellLoc(r, c), "this cell is in a column with no header, so it is not read; give the column a header"))
				named[c] = true // once per column
			}
		}
	}
	_, sev := cs.byField[fieldSeverity]
	_, lik := cs.byField[fieldLikelihood]
	cs.single = sev || lik
	if cs.single {
		warnings = append(warnings, warning(cs.headerLoc, "the sheet scores each hazard once (no Initial and Residual columns); that score stands for both initial and residual risk, with no reduction assumed"))
	}
	missing := func(f field, alternatives ...field) {
		if len(cs.byField[f]) > 0 {
			return
		}
		for _, a := range alternatives {
			if len(cs.byField[a]) > 0 {
				return
			}
		}
		s := specOf[f]
		problems = append(problems, invalid(cs.headerLoc, "the header row has no %q column (also read as %q, %q); add it, or map its header under columns: in the gate configuration",
			s.name, s.aliases[0], s.aliases[1]))
	}
	missing(fieldID)
	missing(fieldTitle, fieldDescription)
	missing(fieldInitialSeverity, fieldSeverity)
	missing(fieldInitialLikelihood, fieldLikelihood)
	missing(fieldResidualSeverity, fieldSeverity)
	missing(fieldResidualLikelihood, fieldLikelihood)
	return cs, problems, warnings
}

func bareCount(h *header, f field) int {
	n := 0
	for _, c := range h.cols {
		if c.ok && c.hit.field == f {
			n++
		}
	}
	return n
}

// columnName is a spreadsheet column's letters (0 → "A").
func columnName(c int) string {
	name := ""
	for n := c + 1; n > 0; n = (n - 1) / 26 {
		name = string(rune('A'+(n-1)%26)) + name
	}
	return name
}

// describeColumns lists the header table as a Markdown table, for the
// documentation: each column as the template spells it, the field it fills
// (the name a columns: entry uses) and the other spellings read as it.
func describeColumns() string {
	var b strings.Builder
	b.WriteString("| Template column | Field | Also read as |\n|---|---|---|\n")
	for _, s := range fieldSpecs {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.name, s.field, strings.Join(s.aliases, ", "))
	}
	typos := make([]string, 0, len(knownTypos))
	for t, f := range knownTypos {
		typos = append(typos, fmt.Sprintf("%s → %s", t, displayName(f)))
	}
	sort.Strings(typos)
	fmt.Fprintf(&b, "\nKnown misspellings (read with a warning): %s.\n", strings.Join(typos, "; "))
	b.WriteString("Any other header one edit away from exactly one column's names (two for long names) is read as that column, with a warning.\n")
	return b.String()
}
