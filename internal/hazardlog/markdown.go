package hazardlog

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// mdField is what a Markdown hazard section holds.
type mdField int

const (
	mdUnknown mdField = iota
	mdIgnore
	mdID
	mdTitle
	mdLikelihood
	mdSeverity
	mdRisk
	mdResidualLikelihood
	mdResidualSeverity
	mdResidualRisk
	mdDescription
	mdCauses
	mdEffects
	mdHazard
	mdHarm
	mdExisting
	mdNewControls
	mdResidualProse
	mdStatus
	mdCode
	mdOwner
	mdUpdated
)

// mdSections maps a heading (folded like a spreadsheet header) to its field.
// The Digital Clinical Safety Platform's template headings come first; the
// rest are spellings of the same sections, and what export writes.
var mdSections = map[string]mdField{
	"hazardname": mdTitle, "name": mdTitle, "hazardtitle": mdTitle,
	"hazardid": mdID, "hazardnumber": mdID, "id": mdID, "hazardno": mdID, "hazardref": mdID,
	"likelihoodscoring": mdLikelihood, "likelihood": mdLikelihood, "initiallikelihoodscoring": mdLikelihood, "initiallikelihood": mdLikelihood,
	"severityscoring": mdSeverity, "severity": mdSeverity, "initialseverityscoring": mdSeverity, "initialseverity": mdSeverity,
	"riskscoring": mdRisk, "risk": mdRisk, "riskrating": mdRisk, "initialriskscoring": mdRisk, "initialrisk": mdRisk, "initialriskrating": mdRisk,
	"residuallikelihoodscoring": mdResidualLikelihood, "residuallikelihood": mdResidualLikelihood,
	"residualseverityscoring": mdResidualSeverity, "residualseverity": mdResidualSeverity,
	"residualriskscoring": mdResidualRisk, "residualrisk": mdResidualRisk, "residualriskrating": mdResidualRisk,
	"description": mdDescription, "hazarddescription": mdDescription,
	"causes": mdCauses, "cause": mdCauses, "possiblecauses": mdCauses,
	"effect": mdEffects, "effects": mdEffects,
	"hazard": mdHazard,
	"harm":   mdHarm, "harms": mdHarm,
	"existingcontrols": mdExisting, "controls": mdExisting,
	"newhazardcontrols": mdNewControls, "hazardcontrols": mdNewControls, "newcontrols": mdNewControls, "additionalcontrols": mdNewControls,
	"residualhazardriskassessment": mdResidualProse, "residualriskassessment": mdResidualProse,
	"hazardstatus": mdStatus, "status": mdStatus,
	"codeassociatedwithhazard": mdCode, "code": mdCode, "components": mdCode,
	"assignment": mdOwner, "owner": mdOwner, "hazardowner": mdOwner,
	"lastupdated": mdUpdated, "updated": mdUpdated,
	"generalutilitylabel": mdIgnore, "labelling": mdIgnore, "labels": mdIgnore, "project": mdIgnore,
	"hazardtype": mdIgnore, "hazardtypes": mdIgnore,
}

// mdControlKinds maps a sub-heading inside a controls section to the kind
// of the controls under it.
var mdControlKinds = map[string]string{
	"designcontrols": "design", "designcontrol": "design", "design": "design",
	"testcontrols": "test", "testcontrol": "test", "testingcontrols": "test", "test": "test", "testing": "test",
	"trainingcontrols": "training", "trainingcontrol": "training", "training": "training",
	"businessprocesschange": "procedure", "businessprocesschanges": "procedure", "businessprocesscontrols": "procedure",
	"businessprocesschangecontrols": "procedure", "businessprocess": "procedure", "processcontrols": "procedure",
	"procedure": "procedure", "procedures": "procedure",
	"othercontrols": "other", "other": "other",
	// Export writes existing controls that follow new ones here, to keep their order.
	"existingcontrols": "", "existingcontrol": "",
}

// loadMarkdown reads a directory of Markdown hazard files (or one file).
func loadMarkdown(path string, cfg *safetyfile.Config) Result {
	res := Result{Files: map[string]string{}}
	info, err := os.Stat(path)
	if err != nil {
		res.Log = &safetyfile.HazardLog{Product: productName(path, cfg), Hazards: []safetyfile.Hazard{}}
		res.Problems = append(res.Problems, invalid(safetyfile.Location{File: path}, "cannot read the hazard log: %v", err))
		return res
	}
	var names []string
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			res.Log = &safetyfile.HazardLog{Product: productName(path, cfg), Hazards: []safetyfile.Hazard{}}
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: path}, "cannot read the hazard directory: %v", err))
			res.Err = err
			return res
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.IsDir() || (ext != ".md" && ext != ".markdown") {
				continue
			}
			if e.Type()&fs.ModeSymlink != 0 {
				// A hazard file read through a link would be a hidden edit
				// of the log, or a read of anything on disk.
				file := filepath.Join(path, e.Name())
				target, _ := os.Readlink(file)
				le := &safetyfile.LinkError{Path: file, Target: target}
				res.Problems = append(res.Problems, invalid(safetyfile.Location{File: file}, "%s", le.Reason()))
				continue
			}
			if strings.Contains(strings.ToLower(e.Name()), "template") {
				res.Warnings = append(res.Warnings, warning(safetyfile.Location{File: filepath.Join(path, e.Name())}, "a template, not a hazard; skipped"))
				continue
			}
			names = append(names, filepath.Join(path, e.Name()))
		}
		sortNatural(names)
	} else {
		names = []string{path}
	}
	// The hazard files together are the log: max_input_bytes bounds their
	// sum, checked before any is read.
	var total int64
	for _, file := range names {
		if st, err := os.Stat(file); err == nil {
			total += st.Size()
		}
	}
	if p, over := safetyfile.CheckSize(path, total, cfg.HazardLogLimit()); over {
		p.Message = strings.Replace(p.Message, "the file is", "the hazard files together are", 1)
		p.Line, p.Column = 0, 0 // a directory has no lines
		res.Problems = append(res.Problems, p)
		res.Log = &safetyfile.HazardLog{Hazards: []safetyfile.Hazard{}}
		res.Refused = true
		return res
	}
	var inputs []mdInput
	for _, file := range names {
		data, err := os.ReadFile(file)
		if err != nil {
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: file}, "cannot read the hazard file: %v", err))
			res.Err = err
			continue
		}
		res.Files[file] = digest(data)
		inputs = append(inputs, mdInput{file, data})
	}
	read := markdownResult(path, info.IsDir(), inputs, cfg)
	read.Problems = append(res.Problems, read.Problems...)
	read.Warnings = append(res.Warnings, read.Warnings...)
	read.Files = res.Files
	read.Err = res.Err
	return read
}

// mdInput is one hazard file's name and bytes.
type mdInput struct {
	file string
	data []byte
}

// markdownResult reads hazard files already in memory into one validated
// log; inDir says they come from a directory, where a file that is not a
// hazard (an index, a summary page) is skipped rather than an error.
func markdownResult(root string, inDir bool, inputs []mdInput, cfg *safetyfile.Config) Result {
	var res Result
	log := &safetyfile.HazardLog{Product: productName(root, cfg), Hazards: []safetyfile.Hazard{}}
	res.Log = log
	var locs []places
	for _, in := range inputs {
		hf := readMarkdownHazard(in.file, in.data, cfg)
		res.Warnings = append(res.Warnings, hf.warnings...)
		if !hf.isHazard {
			if inDir && readMarkdownIndex(in.data, log, cfg) {
				continue
			}
			if inDir {
				res.Warnings = append(res.Warnings, warning(safetyfile.Location{File: in.file}, "no hazard sections (### Hazard name, ### Likelihood scoring, ...); not read as a hazard"))
				continue
			}
			res.Problems = append(res.Problems, invalid(safetyfile.Location{File: in.file, Line: 1}, "no hazard sections found; a Markdown hazard file has ### Hazard name, ### Likelihood scoring, ### Severity scoring and ### Hazard status sections"))
			continue
		}
		res.Problems = append(res.Problems, hf.problems...)
		log.Hazards = append(log.Hazards, hf.h)
		locs = append(locs, placesOf(hf.loc))
	}
	if inDir && len(log.Hazards) == 0 && len(res.Problems) == 0 {
		res.Problems = append(res.Problems, invalid(safetyfile.Location{File: root}, "no Markdown hazard files (hazard-N.md with ### Hazard name, ### Likelihood scoring, ... sections) in this directory"))
	}
	locate := tableLocator(log, locs, safetyfile.Location{File: root})
	validation := safetyfile.ValidateHazardLog(log, locate, safetyfile.Options{Statuses: cfg.Statuses})
	res.Problems = dropCovered(res.Problems, validation)
	return res
}

var numberInName = regexp.MustCompile(`[0-9]+`)

// indexLine matches "Product: X", "**Last reviewed:** 2026-10-01" and the like
// on a page of the log that is not a hazard (an index or front page).
var indexLine = regexp.MustCompile(`(?i)^[*_\s]*(product|standard|last reviewed|reviewed)[*_\s]*:[*_\s]*(.+?)[*_\s]*$`)

// readMarkdownIndex takes the log-wide facts from a front page: the product
// (unless the configuration names it, which wins), the standard and the date
// of the last review. It reports whether the page held any of them.
func readMarkdownIndex(data []byte, log *safetyfile.HazardLog, cfg *safetyfile.Config) bool {
	found := false
	for _, line := range strings.Split(string(data), "\n") {
		m := indexLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		value := strings.TrimSpace(m[2])
		switch strings.ToLower(m[1]) {
		case "product":
			if strings.TrimSpace(cfg.Product) == "" && value != "" {
				log.Product, found = value, true
			}
		case "standard":
			if sm := standardPattern.FindStringSubmatch(value); sm != nil {
				log.Standard, found = "DCB0"+sm[1], true
			}
		default:
			if d, err := safetyfile.ParseDate(value); err == nil {
				log.Reviewed, found = d, true
			}
		}
	}
	return found
}

// sortNatural orders hazard-2.md before hazard-10.md.
func sortNatural(files []string) {
	key := func(s string) (int, bool) {
		m := numberInName.FindString(filepath.Base(s))
		n, err := strconv.Atoi(m)
		return n, err == nil
	}
	sort.SliceStable(files, func(i, j int) bool {
		a, aok := key(files[i])
		b, bok := key(files[j])
		if aok && bok && a != b {
			return a < b
		}
		if aok != bok {
			return aok
		}
		return files[i] < files[j]
	})
}

// mdHazardFile is one Markdown hazard as read.
type mdHazardFile struct {
	h                  safetyfile.Hazard
	loc                map[string]safetyfile.Location
	problems, warnings safetyfile.Problems
	isHazard           bool
}

// mdSection is a section of a hazard file: a heading and the blocks under it.
type mdSection struct {
	field   mdField
	heading string
	line    int // the heading's line
	blocks  []mdBlock
}

// mdBlock is one top-level block under a heading, with its source lines.
type mdBlock struct {
	node       ast.Node
	start, end int // 1-based lines, inclusive
}

// mdDoc is a parsed hazard file with the helpers to read its text as written.
type mdDoc struct {
	file  string
	src   []byte
	lines []string
}

// hazardFileName reads the number in hazard-7.md, Hazard_0007.md, hazard 7.md.
var hazardFileName = regexp.MustCompile(`(?i)^hazard[-_ ]?([0-9][0-9A-Za-z.]*)$`)

// readMarkdownHazard reads one hazard file. Headings of level 1 to 3 start
// sections (the template writes ###, some copies ##); deeper headings are
// structure inside a section. HTML blocks (the template's icons and
// comments) and thematic breaks are not content.
func readMarkdownHazard(file string, data []byte, cfg *safetyfile.Config) *mdHazardFile {
	hf := &mdHazardFile{loc: map[string]safetyfile.Location{}}
	hf.h.Source = file
	decoded, recoded := decodeText(data)
	if recoded {
		hf.warnings = append(hf.warnings, warning(safetyfile.Location{File: file},
			"the file is not UTF-8; it was read as Windows-1252. Save it as UTF-8 to be sure of its characters"))
	}
	src, front := stripFrontMatter([]byte(decoded))
	d := &mdDoc{file: file, src: src, lines: strings.Split(string(src), "\n")}
	for i, l := range d.lines {
		d.lines[i] = strings.TrimRight(l, "\r")
	}
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	// Blocks above the first heading (a page title, the template's icons)
	// belong to no section and are not read.
	var sections []*mdSection
	var cur *mdSection
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		start := d.lineOf(nodeStart(n))
		if h, ok := n.(*ast.Heading); ok && h.Level <= 3 && d.atx(h) {
			cur = &mdSection{heading: d.headingText(h), line: start}
			cur.field = mdSections[headerKey(withoutNotes(cur.heading))]
			sections = append(sections, cur)
			continue
		}
		if cur != nil {
			cur.blocks = append(cur.blocks, mdBlock{node: n, start: start})
		}
	}
	d.setEnds(sections)

	by := map[mdField][]*mdSection{}
	for _, s := range sections {
		by[s.field] = append(by[s.field], s)
	}
	hf.isHazard = len(by[mdTitle]) > 0 || len(by[mdLikelihood]) > 0 || len(by[mdSeverity]) > 0
	if !hf.isHazard {
		return hf
	}
	for _, s := range by[mdUnknown] {
		if len(d.blockTexts(s)) > 0 {
			hf.warnings = append(hf.warnings, warning(safetyfile.Location{File: file, Line: s.line}, "section %q is not a hazard-log section; it is not read", s.heading))
		}
	}
	line1 := safetyfile.Location{File: file, Line: 1}
	h := &hf.h

	// The id: a field in the file wins over the file name (hazard-7.md → HAZ-7).
	hf.loc["id"] = line1
	if v, at, _ := d.single(by[mdID], hf); v != "" {
		h.ID, hf.loc["id"] = normaliseID(v, cfg.HazardIDPrefix), at
	} else if front.id != "" {
		h.ID, hf.loc["id"] = normaliseID(front.id, cfg.HazardIDPrefix), safetyfile.Location{File: file, Line: front.idLine}
	} else {
		stem := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		if m := hazardFileName.FindStringSubmatch(stem); m != nil {
			h.ID = normaliseID(m[1], cfg.HazardIDPrefix)
		} else if idLike(stem) {
			h.ID = normaliseID(stem, cfg.HazardIDPrefix)
		} else {
			hf.problems = append(hf.problems, invalid(line1, "cannot tell this hazard's id: name the file hazard-N.md, or add a ### Hazard ID section"))
		}
	}

	// A name may wrap over lines; it is one line of text.
	for _, s := range by[mdTitle] {
		if _, ok := hf.loc["title"]; !ok {
			hf.loc["title"] = safetyfile.Location{File: file, Line: s.line}
		}
		t, line := oneLine(d.text(s)), d.firstLine(s)
		switch {
		case t == "":
		case h.Title == "":
			h.Title, hf.loc["title"] = t, safetyfile.Location{File: file, Line: line}
		case !strings.EqualFold(t, h.Title):
			hf.problems = append(hf.problems, invalid(safetyfile.Location{File: file, Line: line},
				"a second hazard name %q (the first is %q, line %d); a file holds one hazard: keep one name", t, h.Title, hf.loc["title"].Line))
		}
	}
	if len(by[mdTitle]) == 0 {
		hf.loc["title"] = line1
		hf.problems = append(hf.problems, invalid(line1, "no ### Hazard name section; add one with the hazard's short name"))
	}

	// One scoring stands for both initial and residual (contract 1.5); a
	// file with residual scoring sections has its own residual.
	initial := d.score(hf, by, mdSeverity, mdLikelihood, mdRisk, "", line1)
	h.Initial = initial.a
	hf.loc["initial.severity"], hf.loc["initial.likelihood"], hf.loc["risk.initial"] = initial.sevLoc, initial.likLoc, initial.rskLoc
	hf.loc["initial"] = initial.sevLoc
	residual := initial
	rs, rl := len(by[mdResidualSeverity]) > 0, len(by[mdResidualLikelihood]) > 0
	switch {
	case rs || rl:
		// A missing half of the residual scoring is reported at the half that is there.
		there := by[mdResidualSeverity]
		if !rs {
			there = by[mdResidualLikelihood]
		}
		residual = d.score(hf, by, mdResidualSeverity, mdResidualLikelihood, mdResidualRisk, "residual ",
			safetyfile.Location{File: file, Line: there[0].line})
	case len(by[mdResidualRisk]) > 0:
		hf.problems = append(hf.problems, invalid(safetyfile.Location{File: file, Line: by[mdResidualRisk][0].line},
			"a residual risk without ### Residual severity scoring and ### Residual likelihood scoring cannot be checked; add both sections"))
	default:
		for _, s := range by[mdResidualProse] {
			if len(d.blockTexts(s)) > 0 {
				hf.warnings = append(hf.warnings, warning(safetyfile.Location{File: file, Line: s.line},
					"the residual assessment is prose; the hazard's one scoring stands for its residual risk too, with no reduction assumed (add ### Residual likelihood scoring and ### Residual severity scoring to score it)"))
				break
			}
		}
	}
	h.Residual = residual.a
	hf.loc["residual.severity"], hf.loc["residual.likelihood"], hf.loc["risk.residual"] = residual.sevLoc, residual.likLoc, residual.rskLoc
	hf.loc["residual"] = residual.sevLoc
	stated := func(s rowScore) int {
		if s.stated != 0 {
			return int(s.stated)
		}
		return int(risk.Of(s.a.Severity, s.a.Likelihood))
	}
	if si, sr := stated(initial), stated(residual); si != 0 || sr != 0 {
		h.Risk = &safetyfile.Stated{Initial: si, Residual: sr}
	}

	var descs []string
	for _, s := range by[mdDescription] {
		descs = appendUnique(descs, d.text(s))
	}
	for _, s := range by[mdHazard] {
		descs = appendUnique(descs, d.text(s))
	}
	h.Description = strings.Join(descs, "\n\n")
	var harms []string
	for _, s := range by[mdHarm] {
		harms = appendUnique(harms, d.text(s))
	}
	h.Harm = strings.Join(harms, "\n\n")
	for _, s := range by[mdCauses] {
		for _, it := range d.items(s, "") {
			h.Causes = appendUnique(h.Causes, it.text)
		}
	}
	for _, s := range by[mdEffects] {
		for _, it := range d.items(s, "") {
			h.Effects = appendUnique(h.Effects, it.text)
		}
	}
	for _, f := range []mdField{mdExisting, mdNewControls} {
		kind := ""
		if f == mdNewControls {
			kind = "other" // new controls of no stated kind
		}
		for _, s := range by[f] {
			for _, it := range d.items(s, kind) {
				c, dup := parseControlItem(it.text)
				if dup != "" {
					hf.problems = append(hf.problems, invalid(safetyfile.Location{File: file, Line: it.line},
						"this control has a second %q line; a control has one: keep the one that applies", dup))
				}
				c.Kind = it.kind
				if findControl(h.Controls, c.Kind, c.Description, c.ID, c.Evidence) >= 0 {
					continue
				}
				hf.loc[fmt.Sprintf("controls[%d]", len(h.Controls))] = safetyfile.Location{File: file, Line: it.line}
				h.Controls = append(h.Controls, c)
			}
		}
	}
	if v, at, _ := d.single(by[mdStatus], hf); v != "" {
		h.Status, hf.loc["status"] = v, at
	}
	var owners []string
	for _, s := range by[mdOwner] {
		owners = appendUnique(owners, oneLine(d.text(s)))
	}
	h.Owner = strings.Join(owners, "; ")
	if v, at, _ := d.single(by[mdUpdated], hf); v != "" {
		if date, ok := parseDate(v, false, false); ok {
			h.Updated, hf.loc["updated"] = date, at
		} else {
			hf.problems = append(hf.problems, invalid(at, "last updated %q is not a date; write YYYY-MM-DD, e.g. 2026-10-01", v))
		}
	}
	for _, s := range by[mdCode] {
		for _, it := range d.items(s, "") {
			for i, line := range strings.Split(it.text, "\n") {
				at := safetyfile.Location{File: file, Line: it.line + i}
				glob, ok := componentFromLine(line)
				switch {
				case ok && !slices.Contains(h.Components, glob):
					hf.loc[fmt.Sprintf("components[%d]", len(h.Components))] = at
					h.Components = append(h.Components, glob)
				case !ok && glob != "":
					hf.warnings = append(hf.warnings, warning(at, "%q is not a repository path or glob; it is not read as a component", glob))
				}
			}
		}
	}
	return hf
}

// frontMatter is what a YAML front-matter block says that a hazard needs.
type frontMatter struct {
	id     string
	idLine int
}

// stripFrontMatter blanks a leading "---" YAML block (mkdocs pages carry
// one) so the Markdown parser does not read it as a heading, keeping line
// numbers; it returns the id the block gives, if any.
func stripFrontMatter(data []byte) ([]byte, frontMatter) {
	var fm frontMatter
	src := bytes.TrimPrefix(data, []byte("\ufeff"))
	lines := strings.Split(string(src), "\n")
	if len(lines) < 2 || strings.TrimRight(lines[0], "\r ") != "---" {
		return src, fm
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if l := strings.TrimRight(lines[i], "\r "); l == "---" || l == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return src, fm
	}
	for i := 0; i <= end; i++ {
		if key, value, ok := strings.Cut(lines[i], ":"); ok && i > 0 {
			switch headerKey(key) {
			case "id", "hazardid", "hazardnumber":
				fm.id, fm.idLine = strings.Trim(strings.TrimSpace(value), `"'`), i+1
			}
		}
		lines[i] = ""
	}
	return []byte(strings.Join(lines, "\n")), fm
}

// nodeStart is the byte offset where a block starts, or -1.
func nodeStart(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() != ast.TypeBlock {
			continue
		}
		if s := nodeStart(c); s >= 0 {
			return s
		}
	}
	return -1
}

// lineOf is the 1-based line of a byte offset (0 when unknown).
func (d *mdDoc) lineOf(offset int) int {
	if offset < 0 {
		return 0
	}
	return bytes.Count(d.src[:min(offset, len(d.src))], []byte("\n")) + 1
}

// atx reports a "### Heading"; a setext heading (a line underlined with
// --- or ===) is read as text, because the template's "-----" dividers
// turn the line above them into one when a blank line is missing.
func (d *mdDoc) atx(h *ast.Heading) bool {
	p := h.Pos()
	return p >= 0 && p < len(d.src) && d.src[p] == '#'
}

var (
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
	imageSyntax = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
)

// headingText is a heading's words without markup.
func (d *mdDoc) headingText(h *ast.Heading) string {
	var b strings.Builder
	for i := 0; i < h.Lines().Len(); i++ {
		seg := h.Lines().At(i)
		b.Write(seg.Value(d.src))
	}
	s := htmlTag.ReplaceAllString(b.String(), "")
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "#"))
	return strings.TrimRight(strings.Trim(s, "*_` "), ":")
}

// setEnds gives each block its last line: the line before the next block,
// section or end of file, less trailing blank lines.
func (d *mdDoc) setEnds(sections []*mdSection) {
	for si, s := range sections {
		limit := len(d.lines)
		if si+1 < len(sections) {
			limit = sections[si+1].line - 1
		}
		for bi := range s.blocks {
			end := limit
			if bi+1 < len(s.blocks) {
				end = s.blocks[bi+1].start - 1
			}
			s.blocks[bi].end = d.trimEnd(s.blocks[bi].start, end)
		}
	}
}

func (d *mdDoc) trimEnd(start, end int) int {
	for end > start && end <= len(d.lines) && strings.TrimSpace(d.lines[end-1]) == "" {
		end--
	}
	return end
}

// raw is lines start..end as written, each trimmed, blank ends dropped.
func (d *mdDoc) raw(start, end int) string {
	if start < 1 {
		start = 1
	}
	end = min(end, len(d.lines))
	var out []string
	for i := start; i <= end; i++ {
		out = append(out, strings.TrimSpace(d.lines[i-1]))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// content says whether a block carries text: not an HTML block (icons,
// comments), a thematic break, or a paragraph of nothing but images and HTML.
func (d *mdDoc) content(n ast.Node) bool {
	switch n.Kind() {
	case ast.KindHTMLBlock, ast.KindThematicBreak, ast.KindLinkReferenceDefinition:
		return false
	case ast.KindParagraph:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c.Kind() {
			case ast.KindImage, ast.KindRawHTML:
				continue
			case ast.KindText:
				if len(bytes.TrimSpace(d.src[c.(*ast.Text).Segment.Start:c.(*ast.Text).Segment.Stop])) == 0 {
					continue
				}
			}
			return true
		}
		return false
	}
	return true
}

// blockTexts are the texts of a section's content blocks, as written.
func (d *mdDoc) blockTexts(s *mdSection) []string {
	var out []string
	for _, b := range s.blocks {
		if !d.content(b.node) {
			continue
		}
		if t := d.raw(b.start, b.end); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// firstLine is the line of a section's first content, or of its heading.
func (d *mdDoc) firstLine(s *mdSection) int {
	for _, b := range s.blocks {
		if d.content(b.node) && d.raw(b.start, b.end) != "" {
			return b.start
		}
	}
	return s.line
}

// text is a prose section's text as written, Markdown and all.
// Blocks are joined as they were written: on the next line when one
// follows straight on (a list right under a paragraph), else after a blank line.
func (d *mdDoc) text(s *mdSection) string {
	var b strings.Builder
	prevEnd := 0
	for _, bl := range s.blocks {
		if !d.content(bl.node) {
			continue
		}
		t := unescapeProse(d.raw(bl.start, bl.end))
		if t == "" {
			continue
		}
		switch {
		case prevEnd == 0:
		case bl.start == prevEnd+1:
			b.WriteString("\n")
		default:
			b.WriteString("\n\n")
		}
		b.WriteString(t)
		prevEnd = bl.end
	}
	return b.String()
}

// mdItem is one entry of a list section (a cause, a control, a code path).
type mdItem struct {
	text string
	line int
	kind string
}

var listMarker = regexp.MustCompile(`^([-*+]|[0-9]{1,9}[.)])([ \t]+|$)`)

// items reads a list section: each list item is an entry, as is each
// paragraph outside a list. Sub-headings (#### Design controls) set the
// kind of the entries under them.
func (d *mdDoc) items(s *mdSection, kind string) []mdItem {
	var out []mdItem
	for _, b := range s.blocks {
		switch n := b.node.(type) {
		case *ast.Heading:
			if !d.atx(n) {
				break
			}
			if k, ok := mdControlKinds[headerKey(withoutNotes(d.headingText(n)))]; ok {
				kind = k
			} else {
				kind = "other"
			}
			continue
		case *ast.List:
			var starts []int
			for it := n.FirstChild(); it != nil; it = it.NextSibling() {
				starts = append(starts, d.lineOf(nodeStart(it)))
			}
			for i, start := range starts {
				end := b.end
				if i+1 < len(starts) {
					end = starts[i+1] - 1
				}
				end = d.trimEnd(start, end)
				if t := unescapeItem(d.itemText(start, end)); t != "" {
					out = append(out, mdItem{text: t, line: start, kind: kind})
				}
			}
			continue
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			var lines []string
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				lines = append(lines, strings.TrimRight(string(seg.Value(d.src)), "\r\n"))
			}
			if t := strings.TrimSpace(strings.Join(lines, "\n")); t != "" {
				line := b.start
				if n.Lines().Len() > 0 {
					line = d.lineOf(n.Lines().At(0).Start)
				}
				out = append(out, mdItem{text: t, line: line, kind: kind})
			}
			continue
		}
		if !d.content(b.node) {
			continue
		}
		if t := d.raw(b.start, b.end); t != "" {
			out = append(out, mdItem{text: t, line: b.start, kind: kind})
		}
	}
	return out
}

// itemText is a list item's text as written: its marker removed and its
// continuation lines de-indented, nested lists and all.
func (d *mdDoc) itemText(start, end int) string {
	if start < 1 || start > len(d.lines) {
		return ""
	}
	first := d.lines[start-1]
	trimmed := strings.TrimLeft(first, " \t")
	indent := len(first) - len(trimmed)
	m := listMarker.FindString(trimmed)
	indent += len(m)
	out := []string{strings.TrimSpace(trimmed[len(m):])}
	for i := start + 1; i <= min(end, len(d.lines)); i++ {
		l := d.lines[i-1]
		cut := 0
		for cut < len(l) && cut < indent && (l[cut] == ' ' || l[cut] == '\t') {
			cut++
		}
		out = append(out, strings.TrimRight(l[cut:], " \t"))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// valueLine is a line of a scoring or status section reduced to its value:
// list markers, HTML, images and emphasis removed.
func valueLine(l string) string {
	l = imageSyntax.ReplaceAllString(l, "")
	l = htmlTag.ReplaceAllString(l, "")
	l = strings.TrimSpace(l)
	if m := listMarker.FindString(l); m != "" && (m[0] < '0' || m[0] > '9') {
		l = l[len(m):]
	}
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "*_`"))
}

// single reads a one-value section (a score, the status, the id): its
// first value line and where it is. More than one value across the
// section and its repeats is an error: which one holds is unclear.
func (d *mdDoc) single(secs []*mdSection, hf *mdHazardFile) (string, safetyfile.Location, bool) {
	var value string
	var at safetyfile.Location
	for _, s := range secs {
		if at == (safetyfile.Location{}) {
			at = safetyfile.Location{File: d.file, Line: s.line}
		}
		for _, b := range s.blocks {
			if !d.content(b.node) {
				continue
			}
			for i := b.start; i <= b.end && i <= len(d.lines); i++ {
				v := valueLine(d.lines[i-1])
				if v == "" {
					continue
				}
				switch {
				case value == "":
					value, at = oneLine(v), safetyfile.Location{File: d.file, Line: i}
				case !strings.EqualFold(oneLine(v), value):
					hf.problems = append(hf.problems, invalid(safetyfile.Location{File: d.file, Line: i},
						"### %s has a second value %q (the first, %q, is on line %d); keep the one that applies", s.heading, oneLine(v), value, at.Line))
				}
			}
		}
	}
	return value, at, len(secs) > 0
}

// score reads a severity, likelihood and optional risk section; a missing
// or unreadable score is an error at its line.
func (d *mdDoc) score(hf *mdHazardFile, by map[mdField][]*mdSection, sevF, likF, rskF mdField, which string, missingAt safetyfile.Location) rowScore {
	line1 := missingAt
	s := rowScore{sevLoc: line1, likLoc: line1, rskLoc: line1}
	sevOK, likOK := false, false
	read := func(f mdField, name, example string, parse func(string) error) (safetyfile.Location, bool) {
		v, at, present := d.single(by[f], hf)
		if !present {
			hf.problems = append(hf.problems, invalid(line1, "no ### %s section; add one with the %s score, e.g. %q", name, strings.ToLower(strings.TrimSuffix(name, " scoring")), example))
			return line1, false
		}
		if err := parse(v); err != nil {
			hf.problems = append(hf.problems, invalid(at, "%v", err))
			return at, false
		}
		return at, true
	}
	title := func(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
	s.sevLoc, sevOK = read(sevF, title(which+"severity scoring"), "3 - Considerable", func(v string) error {
		sev, err := risk.ParseSeverityScore(scoreText(v))
		s.a.Severity = sev
		return err
	})
	s.likLoc, likOK = read(likF, title(which+"likelihood scoring"), "3 - Medium: Possible", func(v string) error {
		lik, err := risk.ParseLikelihoodScore(scoreText(v))
		s.a.Likelihood = lik
		return err
	})
	s.ok = sevOK && likOK
	if v, at, present := d.single(by[rskF], hf); present {
		s.rskLoc = at
		if v == "" {
			return s // a blank risk is fine: the matrix gives it
		}
		rating, err := risk.ParseRatingScore(scoreText(v))
		switch {
		case err != nil:
			hf.problems = append(hf.problems, invalid(at, "%v", err))
		case s.ok && rating != risk.Of(s.a.Severity, s.a.Likelihood):
			m := risk.Of(s.a.Severity, s.a.Likelihood)
			hf.problems = append(hf.problems, invalid(at,
				"%s: stated %srisk %d disagrees with the DCB0129 matrix: %s severity with %s likelihood is %d (%s); correct the risk or the scores",
				orUnnumbered(hf.h.ID), which, int(rating), s.a.Severity, s.a.Likelihood, int(m), m.Meaning()))
		default:
			s.stated = rating
		}
	} else {
		s.rskLoc = s.sevLoc
	}
	return s
}

var (
	markdownLink = regexp.MustCompile(`\[[^\]]*\]\([^)]*\)`)
	lineSuffix   = regexp.MustCompile(`(:[0-9]+(-[0-9]+)?|#L[0-9]+(-L?[0-9]+)?)$`)
	fileLike     = regexp.MustCompile(`^[A-Za-z0-9_.@+-]+\.[A-Za-z0-9]{1,8}$`)
)

// componentFromLine reads one line of "Code associated with hazard": a
// repository path or glob (bare, in backticks, with a list marker or a
// ":12-30" line range) is a component; a link to a documentation page, a
// URL or an HTML comment is a reference only (ok false, glob ""); other
// text comes back with ok false so it can be reported.
func componentFromLine(line string) (string, bool) {
	l := strings.TrimSpace(line)
	if m := listMarker.FindString(l); m != "" {
		l = strings.TrimSpace(l[len(m):])
	}
	switch {
	case l == "", strings.HasPrefix(l, "<!--"), strings.HasPrefix(l, "<"):
		return "", false
	case markdownLink.MatchString(l), strings.Contains(l, "://"):
		return "", false
	}
	l = strings.TrimSpace(strings.Trim(l, "`\"'"))
	l = strings.TrimPrefix(l, "./")
	l = lineSuffix.ReplaceAllString(l, "")
	if l == "" || strings.ContainsAny(l, " \t") {
		return l, false
	}
	if strings.ContainsAny(l, "/*?[{") || fileLike.MatchString(l) {
		return l, true
	}
	return l, false
}
