package hazardlog

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// fieldAt is a CSV field's line and byte column, as encoding/csv gives them.
type fieldAt struct{ line, col int32 }

// cellRef is a zero-based row and column of a grid.
type cellRef struct{ r, c int }

// grid is a sheet as the CSV and XLSX readers hand it to the table reader:
// rows of cell text, merged ranges, and how to name a place in the file.
type grid struct {
	file  string
	sheet string // XLSX sheet name; "" for CSV
	rows  [][]string
	// origin maps each cell inside a merged range, other than its top-left
	// cell, to that top-left cell, which holds the value (XLSX only).
	origin map[cellRef]cellRef
	// width is the number of columns a merged range's top-left cell spans.
	width map[cellRef]int
	// pos gives each cell's place in the file (CSV line and byte column),
	// row by row, in 8 bytes a cell; nil for XLSX. cellLoc turns it into the
	// character column an editor shows, through lines, for the few cells a
	// message names.
	pos   [][]fieldAt
	lines *lineIndex
	// line gives the physical line of each CSV record; nil for XLSX.
	line []int
	// serialDates says date cells may hold Excel serial numbers; date1904 picks their epoch.
	serialDates, date1904 bool
	// display notes the cells Excel hides or shows otherwise than stored
	// (XLSX only; nil for CSV).
	display *sheetDisplay
}

// cell is the text of a cell itself ("" outside the sheet).
func (g *grid) cell(r, c int) string {
	if r < 0 || r >= len(g.rows) || c < 0 || c >= len(g.rows[r]) {
		return ""
	}
	return g.rows[r][c]
}

// merged is the text shown at a cell: its own, or its merged range's.
func (g *grid) merged(r, c int) string {
	if o, ok := g.origin[cellRef{r, c}]; ok {
		return g.cell(o.r, o.c)
	}
	return g.cell(r, c)
}

// sameColumn is the text shown at a cell when only vertical merging counts:
// a value merged down from above in the same column, not across from the left.
func (g *grid) sameColumn(r, c int) string {
	if o, ok := g.origin[cellRef{r, c}]; ok && o.c == c {
		return g.cell(o.r, o.c)
	}
	return g.cell(r, c)
}

// originRow is the row of the cell that holds what (r, c) shows.
func (g *grid) originRow(r, c int) int {
	if o, ok := g.origin[cellRef{r, c}]; ok && o.c == c {
		return o.r
	}
	return r
}

// cellLoc names a cell as a person finds it: the top-left cell of a merged
// range (where its value is edited), a CSV line and column.
func (g *grid) cellLoc(r, c int) safetyfile.Location {
	if c < 0 {
		return g.rowLoc(r)
	}
	if o, ok := g.origin[cellRef{r, c}]; ok {
		r, c = o.r, o.c
	}
	if g.sheet != "" || g.pos == nil {
		return safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q cell %s%d", g.sheet, columnName(c), r+1)}
	}
	if r < len(g.pos) && c < len(g.pos[r]) {
		at := g.pos[r][c]
		return safetyfile.Location{File: g.file, Line: int(at.line), Column: g.lines.column(int(at.line), int(at.col))}
	}
	return g.rowLoc(r)
}

// rowLoc names a whole row: an XLSX row, a CSV record's line.
func (g *grid) rowLoc(r int) safetyfile.Location {
	if g.sheet != "" || g.pos == nil {
		return safetyfile.Location{File: g.file, Cell: fmt.Sprintf("sheet %q row %d", g.sheet, r+1)}
	}
	return safetyfile.Location{File: g.file, Line: g.rowNumber(r)}
}

// rowNumber is the row (XLSX) or line (CSV) number a person sees.
func (g *grid) rowNumber(r int) int {
	if g.line != nil && r >= 0 && r < len(g.line) {
		return g.line[r]
	}
	return r + 1
}

func (g *grid) blankRow(r int) bool {
	for _, v := range g.rows[r] {
		if cleanCell(v) != "" {
			return false
		}
	}
	return true
}

// value is a data cell's text, with a vertically merged cell (a hazard
// number spanning its cause rows) read on every row it covers.
func (g *grid) value(r, c int) string {
	if c < 0 {
		return ""
	}
	return cleanCell(g.sameColumn(r, c))
}

var cellLabel = regexp.MustCompile(`^sheet (".*") (?:cell ([A-Z]+)([0-9]+)|row ([0-9]+))$`)

// parseCellLabel reads back a Location.Cell written by cellLoc or rowLoc, for sorting.
func parseCellLabel(s string) (string, int, int) {
	m := cellLabel.FindStringSubmatch(s)
	if m == nil {
		return s, 0, 0
	}
	sheet, err := strconv.Unquote(m[1])
	if err != nil {
		sheet = m[1]
	}
	if m[4] != "" {
		row, _ := strconv.Atoi(m[4])
		return sheet, row, 0
	}
	row, _ := strconv.Atoi(m[3])
	col := 0
	for _, ch := range m[2] {
		col = col*26 + int(ch-'A') + 1
	}
	return sheet, row, col
}

// rowScore is one row's assessment for one phase.
type rowScore struct {
	row                    int
	a                      safetyfile.Assessment
	stated                 risk.Rating
	sevLoc, likLoc, rskLoc safetyfile.Location
	ok                     bool // severity and likelihood both read
}

// hazardRows gathers the rows that make one hazard (hazard → cause → control).
type hazardRows struct {
	h                    safetyfile.Hazard
	rows                 []int
	loc                  map[string]safetyfile.Location
	titleAt              int
	initial, residual    []rowScore
	descs, harms, owners []string
	statuses             []statusAt
	updatedAt            safetyfile.Location
}

type statusAt struct {
	raw string
	loc safetyfile.Location
}

// tableReader turns a grid under a recognised header into hazards.
type tableReader struct {
	g   *grid
	cs  *columnSet
	cfg *safetyfile.Config
	// productSet is true once the title block named the product.
	productSet bool
	problems   safetyfile.Problems
	warnings   safetyfile.Problems
	// unread marks the columns with text that has no field (Actions, Comments).
	unread map[int]bool
	// headerKeys are the header cells' folded names, for repeatedHeader.
	headerKeys []string
}

// readTable reads the hazards below the header and validates them; the
// shared half of the CSV and XLSX readers.
func readTable(g *grid, h *header, m *matcher, cfg *safetyfile.Config) Result {
	cs, problems, warnings := m.resolve(g, h)
	t := &tableReader{g: g, cs: cs, cfg: cfg, problems: problems, warnings: warnings, unread: map[int]bool{}}
	log := &safetyfile.HazardLog{Product: productName(g.file, cfg), Hazards: []safetyfile.Hazard{}}
	t.preamble(log, h)
	// A hazard's rows follow one another, so each hazard is settled as the
	// next one starts: only its places are kept, and one map serves as every
	// hazard's scratch (a map a hazard, of a million rows, was most of the memory).
	var cur *hazardRows
	n := hazardStarts(g, h.row, cs.col(fieldID))
	log.Hazards = make([]safetyfile.Hazard, 0, n)
	locs := make([]places, 0, n)
	scratch := make(map[string]safetyfile.Location, 32)
	done := func() {
		if cur == nil {
			return
		}
		t.finish(cur)
		log.Hazards = append(log.Hazards, cur.h)
		locs = append(locs, placesOf(cur.loc))
	}
	for r := h.row + 1; r < len(g.rows); r++ {
		if g.blankRow(r) {
			continue
		}
		if t.repeatedHeader(r) {
			t.warnings = append(t.warnings, warning(g.rowLoc(r), "this row repeats the header; it is skipped"))
			continue
		}
		if note, text := t.noteRow(r); note {
			t.warnings = append(t.warnings, warning(g.rowLoc(r), "read as a note, not a hazard: %q", truncate(text, 60)))
			continue
		}
		idCol := cs.col(fieldID)
		id := normaliseID(g.value(r, idCol), cfg.HazardIDPrefix)
		switch {
		case id == "" && cur != nil && idCol >= 0:
			// A continuation row: another cause or control of the hazard above.
			// (Without a number column rows cannot be grouped: each is a hazard.)
		case id != "" && cur != nil && cur.h.ID == id:
			// The hazard number repeated on each of its rows.
		default:
			done()
			clear(scratch)
			cur = &hazardRows{loc: scratch, titleAt: -1}
			cur.h.ID = id
			cur.loc["id"] = g.cellLoc(r, idCol)
			if id == "" && idCol >= 0 {
				t.problems = append(t.problems, invalid(g.cellLoc(r, idCol), "this row describes a hazard but has no hazard number; write its number (e.g. 1 or HAZ-001)"))
			}
		}
		t.addRow(cur, r)
	}
	done()
	for _, c := range h.cols {
		if t.unread[c.col] {
			t.warnings = append(t.warnings, warning(c.loc,
				"the %q column has no place in csogate's hazard log; its text is not imported and stays only in this file", c.text))
		}
	}
	locate := tableLocator(log, locs, cs.headerLoc)
	validation := safetyfile.ValidateHazardLog(log, locate, safetyfile.Options{Statuses: cfg.Statuses})
	return Result{Log: log, Problems: dropCovered(t.problems, validation), Warnings: t.warnings}
}

// tableLocator maps the validator's field paths to cells; a path with no
// cell of its own falls back to its hazard's number cell (or name cell when
// the name is what is missing), then to the header row.
func tableLocator(log *safetyfile.HazardLog, locs []places, fallback safetyfile.Location) safetyfile.Locator {
	return func(path string) safetyfile.Location {
		i, rest, ok := hazardPath(path)
		if !ok || i >= len(locs) {
			return fallback
		}
		loc := locs[i]
		for {
			if l, ok := loc.get(rest); ok {
				return l
			}
			if rest == "" {
				break
			}
			j := strings.LastIndexAny(rest, ".[")
			if j < 0 {
				rest = ""
			} else {
				rest = rest[:j]
			}
		}
		if h := log.Hazards[i]; h.Title == "" && h.ID != "" {
			if l, ok := loc.get("title"); ok {
				return l
			}
		}
		if l, ok := loc.get("id"); ok {
			return l
		}
		return fallback
	}
}

// hazardStarts estimates how many hazards the rows below the header hold
// (the rows whose number differs from the row above's), so the log is
// allocated once rather than grown by copying.
func hazardStarts(g *grid, headerRow, idCol int) int {
	if idCol < 0 {
		return len(g.rows) - headerRow
	}
	n, prev := 0, ""
	for r := headerRow + 1; r < len(g.rows); r++ {
		if v := g.cell(r, idCol); v != "" && v != prev {
			n, prev = n+1, v
		}
	}
	return n
}

// places are where a hazard's fields were read, by field path: a short
// list, searched in order, smaller than a map for the score of fields a
// hazard has.
type places []place

type place struct {
	path string
	loc  safetyfile.Location
}

func placesOf(m map[string]safetyfile.Location) places {
	out := make(places, 0, len(m))
	for path, loc := range m {
		out = append(out, place{path, loc})
	}
	return out
}

func (p places) get(path string) (safetyfile.Location, bool) {
	for _, x := range p {
		if x.path == path {
			return x.loc, true
		}
	}
	return safetyfile.Location{}, false
}

// hazardPath splits "hazards[3].residual.severity" into 3 and "residual.severity".
func hazardPath(path string) (int, string, bool) {
	const prefix = "hazards["
	if !strings.HasPrefix(path, prefix) {
		return 0, "", false
	}
	end := strings.IndexByte(path, ']')
	if end < 0 {
		return 0, "", false
	}
	i, err := strconv.Atoi(path[len(prefix):end])
	if err != nil || i < 0 {
		return 0, "", false
	}
	return i, strings.TrimPrefix(path[end+1:], "."), true
}

// preamble reads what a template's title block says above the header:
// the product, the standard, and the date of the log's last review.
func (t *tableReader) preamble(log *safetyfile.HazardLog, h *header) {
	last := h.row
	if h.twoRows {
		last--
	}
	for r := 0; r < last; r++ {
		row := t.g.rows[r]
		for c := 0; c+1 < len(row); c++ {
			label := headerKey(row[c])
			if label == "" {
				continue
			}
			value := ""
			for k := c + 1; k < len(row) && value == ""; k++ {
				value = oneLine(cleanCell(row[k]))
			}
			switch label {
			case "standard", "clinicalsafetystandard", "standards":
				if m := standardPattern.FindStringSubmatch(value); m != nil && log.Standard == "" {
					log.Standard = "DCB0" + m[1]
				}
			case "product", "productname", "system", "systemname":
				// A title block naming the product beats the file name, but
				// never the configuration, which the trusted side controls.
				if value != "" && strings.TrimSpace(t.cfg.Product) == "" && !t.productSet {
					log.Product, t.productSet = value, true
				}
			case "lastreviewed", "reviewed", "datereviewed", "dateoflastreview", "lastreview", "reviewedon", "dateapproved", "approved":
				if d, ok := parseDate(value, t.g.serialDates, t.g.date1904); ok && !log.Reviewed.IsSet() {
					log.Reviewed = d
				}
			}
		}
	}
}

var standardPattern = regexp.MustCompile(`(?i)DCB\s*0?(129|160)`)

// repeatedHeader reports a data row that repeats the header's names (a
// header printed again on each page).
func (t *tableReader) repeatedHeader(r int) bool {
	if t.headerKeys == nil {
		t.headerKeys = make([]string, len(t.cs.header.cols))
		for i, c := range t.cs.header.cols {
			t.headerKeys[i] = headerKey(t.g.cell(t.cs.header.row, c.col))
		}
	}
	same := 0
	for i, c := range t.cs.header.cols {
		if c.inner {
			continue
		}
		if v := t.g.cell(r, c.col); v != "" && sameHeaderKey(v, t.headerKeys[i]) {
			same++
		}
	}
	return same >= 3 && same*2 >= len(t.cs.header.cols)
}

// sameHeaderKey reports headerKey(v) == key, without building headerKey(v)
// for the ASCII cells of every data row.
func sameHeaderKey(v, key string) bool {
	k := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= utf8.RuneSelf:
			return headerKey(v) == key
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '#':
			if !strings.HasPrefix(key[k:], "number") {
				return false
			}
			k += len("number")
			continue
		case !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9'):
			continue
		}
		if k >= len(key) || key[k] != c {
			return false
		}
		k++
	}
	return k == len(key)
}

// noteRow reports a row that is a note or a section title, not a hazard: a
// single value merged across the table, or a lone text in the number or
// name column that cannot be a hazard number.
func (t *tableReader) noteRow(r int) (bool, string) {
	filled, c := 0, -1
	for i := range t.g.rows[r] {
		if cleanCell(t.g.rows[r][i]) != "" {
			filled, c = filled+1, i
			if filled > 1 {
				return false, ""
			}
		}
	}
	if filled != 1 {
		return false, ""
	}
	text := oneLine(cleanCell(t.g.rows[r][c]))
	if t.g.width[cellRef{r, c}] >= 3 {
		return true, text
	}
	switch c {
	case t.cs.col(fieldID):
		return !idLike(text), text
	case t.cs.col(fieldTitle):
		return true, text
	}
	return false, ""
}

var idShape = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)

// idLike says whether a cell could be a hazard number ("7", "HAZ-007", "1.2").
func idLike(s string) bool { return len(s) <= 24 && idShape.MatchString(s) }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// controlFields are the control columns, each with the kind it gives its controls.
var controlFields = []struct {
	f    field
	kind string
}{
	{fieldControls, ""}, {fieldDesign, "design"}, {fieldTest, "test"},
	{fieldTraining, "training"}, {fieldProcedure, "procedure"}, {fieldOther, "other"},
}

// addRow adds one row's cells to its hazard.
func (t *tableReader) addRow(hr *hazardRows, r int) {
	g, cs, h := t.g, t.cs, &hr.h
	hr.rows = append(hr.rows, r)
	if hr.loc["id"] == (safetyfile.Location{}) {
		hr.loc["id"] = g.cellLoc(r, cs.col(fieldID))
	}
	if col := cs.col(fieldTitle); col >= 0 {
		if title := oneLine(g.value(r, col)); title != "" {
			switch {
			case h.Title == "":
				h.Title, hr.titleAt = title, r
				hr.loc["title"] = g.cellLoc(r, col)
			case !strings.EqualFold(title, h.Title):
				t.problems = append(t.problems, invalid(g.cellLoc(r, col),
					"hazard %s is named %q here but %q on %s; rows with one hazard number are one hazard: give this one its own number, or leave the name blank on the hazard's further rows",
					orUnnumbered(h.ID), title, h.Title, rowWord(g, hr.titleAt)))
			}
		}
		if _, ok := hr.loc["title"]; !ok {
			hr.loc["title"] = g.cellLoc(r, col)
		}
	}
	for _, col := range cs.byField[fieldDescription] {
		if v := g.value(r, col); v != "" {
			hr.descs = appendUnique(hr.descs, v)
			if _, ok := hr.loc["description"]; !ok {
				hr.loc["description"] = g.cellLoc(r, col)
			}
		}
		if _, ok := hr.loc["title"]; !ok && cs.col(fieldTitle) < 0 {
			hr.loc["title"] = g.cellLoc(r, col)
		}
	}
	for _, col := range cs.byField[fieldEffects] {
		h.Effects = appendUnique(h.Effects, g.value(r, col))
	}
	for _, col := range cs.byField[fieldHarm] {
		hr.harms = appendUnique(hr.harms, g.value(r, col))
	}
	for _, col := range cs.byField[fieldCauses] {
		h.Causes = appendUnique(h.Causes, g.value(r, col))
	}
	t.addControls(hr, r)
	for _, col := range cs.byField[fieldComponents] {
		for _, glob := range splitComponents(g.value(r, col)) {
			if !slices.Contains(h.Components, glob) {
				hr.loc[fmt.Sprintf("components[%d]", len(h.Components))] = g.cellLoc(r, col)
				h.Components = append(h.Components, glob)
			}
		}
	}
	for _, col := range cs.byField[fieldOwner] {
		hr.owners = appendUnique(hr.owners, oneLine(g.value(r, col)))
	}
	for _, col := range cs.byField[fieldStatus] {
		if v := oneLine(g.value(r, col)); v != "" {
			hr.statuses = append(hr.statuses, statusAt{v, g.cellLoc(r, col)})
		}
		if _, ok := hr.loc["status"]; !ok {
			hr.loc["status"] = g.cellLoc(r, col)
		}
	}
	for _, col := range cs.byField[fieldUpdated] {
		v := g.value(r, col)
		if v == "" {
			continue
		}
		d, ok := parseDate(v, g.serialDates, g.date1904)
		if !ok {
			t.problems = append(t.problems, invalid(g.cellLoc(r, col), "last updated %q is not a date; write YYYY-MM-DD, e.g. 2026-10-01", oneLine(v)))
			continue
		}
		if d.After(h.Updated.Time) {
			h.Updated, hr.updatedAt = d, g.cellLoc(r, col)
		}
	}
	for _, f := range []field{fieldActions, fieldNotes} {
		for _, col := range cs.byField[f] {
			if g.value(r, col) != "" {
				t.unread[col] = true
			}
		}
	}
	if cs.single {
		s, tried := t.score(r, fieldSeverity, fieldLikelihood, fieldRisk, h.ID, "")
		if tried {
			hr.initial = append(hr.initial, s)
			hr.residual = append(hr.residual, s)
		}
		return
	}
	if s, tried := t.score(r, fieldInitialSeverity, fieldInitialLikelihood, fieldInitialRisk, h.ID, "initial"); tried {
		hr.initial = append(hr.initial, s)
	}
	if s, tried := t.score(r, fieldResidualSeverity, fieldResidualLikelihood, fieldResidualRisk, h.ID, "residual"); tried {
		hr.residual = append(hr.residual, s)
	}
}

// addControls adds a row's controls to its hazard. The row's Control ID and
// Control evidence cells belong to the one control on the row; on a row
// with several controls they could belong to any, so that is a problem.
func (t *tableReader) addControls(hr *hazardRows, r int) {
	g, cs, h := t.g, t.cs, &hr.h
	type cell struct {
		kind, text string
		col        int
	}
	var cells []cell
	for _, cf := range controlFields {
		for _, col := range cs.byField[cf.f] {
			if v := g.value(r, col); v != "" {
				cells = append(cells, cell{cf.kind, v, col})
			}
		}
	}
	idCol, evCol := cs.col(fieldControlID), cs.col(fieldControlEvidence)
	id, evidence := oneLine(g.value(r, idCol)), g.value(r, evCol)
	if (id != "" || evidence != "") && len(cells) != 1 {
		at := g.cellLoc(r, idCol)
		if id == "" {
			at = g.cellLoc(r, evCol)
		}
		if len(cells) == 0 {
			t.problems = append(t.problems, invalid(at, "this row has a control id or evidence but no control; write the control on this row, in its kind's control column"))
		} else {
			t.problems = append(t.problems, invalid(at, "this row has %d controls but one Control ID and Control evidence, which could belong to any of them; put each control on its own row with its id and evidence", len(cells)))
		}
		id, evidence = "", ""
	}
	for _, c := range cells {
		if i := findControl(h.Controls, c.kind, c.text, id, evidence); i >= 0 {
			// The same control again (a merged cell, or repeated on each
			// row of its hazard): it gains the id and evidence it lacked.
			if id != "" {
				h.Controls[i].ID = id
			}
			if evidence != "" {
				h.Controls[i].Evidence = evidence
			}
			continue
		}
		hr.loc[fmt.Sprintf("controls[%d]", len(h.Controls))] = g.cellLoc(r, c.col)
		h.Controls = append(h.Controls, safetyfile.Control{ID: id, Description: c.text, Kind: c.kind, Evidence: evidence})
	}
}

// findControl is the index of the control of this kind and text that the
// id and evidence do not set apart from it (either is blank on one side or
// the same on both), or -1: two controls with one text but different ids
// are two controls.
func findControl(cs []safetyfile.Control, kind, desc, id, evidence string) int {
	for i, c := range cs {
		if c.Kind == kind && c.Description == desc &&
			(id == "" || c.ID == "" || c.ID == id) && (evidence == "" || c.Evidence == "" || c.Evidence == evidence) {
			return i
		}
	}
	return -1
}

func orUnnumbered(id string) string {
	if id == "" {
		return "(no number)"
	}
	return id
}

func rowWord(g *grid, r int) string {
	if g.sheet != "" || g.line == nil {
		return fmt.Sprintf("row %d", g.rowNumber(r))
	}
	return fmt.Sprintf("line %d", g.rowNumber(r))
}

// score reads one row's severity, likelihood and stated risk for a phase.
// A row with all three blank does not score (a continuation row); a row
// with any of them filled must have a readable severity and likelihood.
func (t *tableReader) score(r int, sevF, likF, rskF field, id, phase string) (rowScore, bool) {
	g, cs := t.g, t.cs
	sc, lc, rc := cs.col(sevF), cs.col(likF), cs.col(rskF)
	sv, lv, rv := scoreText(g.value(r, sc)), scoreText(g.value(r, lc)), scoreText(g.value(r, rc))
	s := rowScore{row: r, sevLoc: t.colLoc(r, sc), likLoc: t.colLoc(r, lc), rskLoc: t.colLoc(r, rc)}
	if sv == "" && lv == "" && rv == "" {
		return s, false
	}
	sevOK, likOK := false, false
	if sc >= 0 {
		if sev, err := risk.ParseSeverityScore(sv); err != nil {
			t.problems = append(t.problems, invalid(s.sevLoc, "%v", err))
		} else {
			s.a.Severity, sevOK = sev, true
		}
	}
	if lc >= 0 {
		if lik, err := risk.ParseLikelihoodScore(lv); err != nil {
			t.problems = append(t.problems, invalid(s.likLoc, "%v", err))
		} else {
			s.a.Likelihood, likOK = lik, true
		}
	}
	s.ok = sevOK && likOK
	if rv != "" {
		rating, err := risk.ParseRatingScore(rv)
		switch {
		case err != nil:
			t.problems = append(t.problems, invalid(s.rskLoc, "%v", err))
		case s.ok && rating != risk.Of(s.a.Severity, s.a.Likelihood):
			m := risk.Of(s.a.Severity, s.a.Likelihood)
			which := phase + " "
			if phase == "" {
				which = ""
			}
			t.problems = append(t.problems, invalid(s.rskLoc,
				"%s: stated %srisk %d disagrees with the DCB0129 matrix: %s severity with %s likelihood is %d (%s); correct the risk or the scores",
				orUnnumbered(id), which, int(rating), s.a.Severity, s.a.Likelihood, int(m), m.Meaning()))
		default:
			s.stated = rating
		}
	}
	return s, true
}

// colLoc is a cell's place, or the header row when the column is missing
// (where the missing column was reported).
func (t *tableReader) colLoc(r, c int) safetyfile.Location {
	if c < 0 {
		return t.cs.headerLoc
	}
	return t.g.cellLoc(r, c)
}

// finish settles a hazard from its rows: its highest-rated initial and
// residual rows, its status, and its texts.
func (t *tableReader) finish(hr *hazardRows) {
	h := &hr.h
	first := hr.rows[0]
	if t.g.sheet != "" || t.g.line == nil {
		h.Source = fmt.Sprintf("%s sheet %q %s", t.g.file, t.g.sheet, spans("row", rowNumbers(t.g, hr.rows)))
	} else {
		h.Source = fmt.Sprintf("%s %s", t.g.file, spans("line", rowNumbers(t.g, hr.rows)))
	}
	h.Description = strings.Join(hr.descs, "\n\n")
	if t.cs.col(fieldTitle) < 0 && len(hr.descs) > 0 {
		h.Title = oneLine(hr.descs[0]) // contract 1.5: a sheet with only a description column
	}
	h.Harm = strings.Join(hr.harms, "\n\n")
	h.Owner = strings.Join(hr.owners, "; ")
	if hr.updatedAt != (safetyfile.Location{}) {
		hr.loc["updated"] = hr.updatedAt
	}
	initial, residual := t.phase(hr, hr.initial, first, "initial"), t.phase(hr, hr.residual, first, "residual")
	if t.cs.single {
		residual = initial // one scoring stands for both (contract 1.5)
	}
	h.Initial, h.Residual = initial.a, residual.a
	hr.loc["initial.severity"], hr.loc["initial.likelihood"], hr.loc["risk.initial"] = initial.sevLoc, initial.likLoc, initial.rskLoc
	hr.loc["residual.severity"], hr.loc["residual.likelihood"], hr.loc["risk.residual"] = residual.sevLoc, residual.likLoc, residual.rskLoc
	// A whole assessment missing is reported where its severity goes.
	hr.loc["initial"], hr.loc["residual"] = initial.sevLoc, residual.sevLoc
	// The stated risk, or the matrix's when the cell is blank, so the YAML
	// shows every hazard's rating; either way it agrees with the matrix.
	stated := func(s rowScore) int {
		if s.stated != 0 {
			return int(s.stated)
		}
		return int(risk.Of(s.a.Severity, s.a.Likelihood))
	}
	if si, sr := stated(initial), stated(residual); si != 0 || sr != 0 {
		h.Risk = &safetyfile.Stated{Initial: si, Residual: sr}
	}
	t.settleStatus(hr)
}

func rowNumbers(g *grid, rows []int) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = g.rowNumber(r)
	}
	return out
}

// phase settles one phase of a hazard's assessment from its rows, and
// reports a hazard none of whose rows scores it at its first row's cells.
func (t *tableReader) phase(hr *hazardRows, rows []rowScore, first int, which string) rowScore {
	sevF, likF, rskF := fieldInitialSeverity, fieldInitialLikelihood, fieldInitialRisk
	switch {
	case t.cs.single:
		sevF, likF, rskF, which = fieldSeverity, fieldLikelihood, fieldRisk, ""
	case which == "residual":
		sevF, likF, rskF = fieldResidualSeverity, fieldResidualLikelihood, fieldResidualRisk
	}
	s := t.pick(rows, first, sevF, likF, rskF)
	if len(rows) == 0 && t.cs.col(sevF) >= 0 && t.cs.col(likF) >= 0 {
		if which != "" {
			which += " "
		}
		t.problems = append(t.problems, invalid(s.sevLoc,
			"%s: the %s cells are blank: score the hazard's %sseverity and likelihood (a hazard nobody has scored cannot be released against)",
			orUnnumbered(hr.h.ID), columnPair(sevF, likF), which))
	}
	return s
}

// columnPair names two columns for a message: "Residual Severity and Residual Likelihood".
func columnPair(a, b field) string { return displayName(a) + " and " + displayName(b) }

// pick chooses the row that stands for the hazard in one phase: the highest
// risk of its rows (then the higher severity, then likelihood), so that a
// hazard is never rated below its worst cause. With no readable row, the
// first attempted row's partial reading keeps its faults in place; with no
// attempt, the hazard's first row, where "not assessed" is reported.
func (t *tableReader) pick(rows []rowScore, first int, sevF, likF, rskF field) rowScore {
	var best *rowScore
	for i := range rows {
		s := &rows[i]
		if !s.ok {
			continue
		}
		if best == nil || stronger(s, best) {
			best = s
		}
	}
	if best != nil {
		return *best
	}
	if len(rows) > 0 {
		return rows[0]
	}
	return rowScore{row: first,
		sevLoc: t.colLoc(first, t.cs.col(sevF)), likLoc: t.colLoc(first, t.cs.col(likF)), rskLoc: t.colLoc(first, t.cs.col(rskF))}
}

func stronger(a, b *rowScore) bool {
	ra, rb := risk.Of(a.a.Severity, a.a.Likelihood), risk.Of(b.a.Severity, b.a.Likelihood)
	if ra != rb {
		return ra > rb
	}
	if a.a.Severity != b.a.Severity {
		return a.a.Severity > b.a.Severity
	}
	return a.a.Likelihood > b.a.Likelihood
}

// statusRank orders statuses from the one that asks most of the gate; when
// a hazard's rows disagree, the most open one stands.
var statusRank = map[string]int{"open": 0, "mitigated": 1, "transferred": 2, "closed": 3}

// settleStatus gives the hazard one status from its rows. An unknown status
// is kept as written, so the validator reports it at its cell.
func (t *tableReader) settleStatus(hr *hazardRows) {
	if len(hr.statuses) == 0 {
		return
	}
	type known struct {
		s  statusAt
		as string
	}
	var all []known
	for _, s := range hr.statuses {
		norm, ok := safetyfile.NormaliseStatus(s.raw, t.cfg.Statuses)
		if !ok {
			hr.h.Status, hr.loc["status"] = s.raw, s.loc
			return
		}
		all = append(all, known{s, norm})
	}
	sort.SliceStable(all, func(i, j int) bool { return statusRank[all[i].as] < statusRank[all[j].as] })
	hr.h.Status, hr.loc["status"] = all[0].s.raw, all[0].s.loc
	for _, k := range all[1:] {
		if k.as != all[0].as {
			t.warnings = append(t.warnings, warning(k.s.loc, "hazard %s has status %q here but %q elsewhere; a hazard has one status, so %q stands (the most open)",
				orUnnumbered(hr.h.ID), k.s.raw, all[0].s.raw, all[0].as))
		}
	}
}
