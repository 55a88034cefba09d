package repofiles

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/csogate/csogate/internal/globset"
)

// EvidenceKind is what a control's evidence string names.
type EvidenceKind string

// The kinds of evidence. Only EvidencePath and EvidenceGlob are looked up in
// the repository; the others are listed as not checked.
const (
	EvidenceNone EvidenceKind = "none" // empty
	EvidencePath EvidenceKind = "path" // one file, e.g. tests/search/banner_test.go
	EvidenceGlob EvidenceKind = "glob" // files by a doublestar glob, e.g. tests/search/*_test.go
	EvidenceURL  EvidenceKind = "url"  // http(s)://…: never fetched
	EvidenceTest EvidenceKind = "test" // test:NAME: judged by test results, not by a file
	EvidenceText EvidenceKind = "text" // prose ("Usability study 2024"): not a file
)

var (
	scheme    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	extension = regexp.MustCompile(`\.[A-Za-z][A-Za-z0-9]{0,9}$`)
	drive     = regexp.MustCompile(`^[A-Za-z]:`)
)

// Classify decides what an evidence string names, by this rule (README,
// docs/reference.md section 1.1):
//
//   - empty: none;
//   - a file:// URL: refused (a file on somebody's machine);
//   - a URL (`scheme://…`): not fetched;
//   - `test:NAME`: a test, judged by test results;
//   - `file:PATH`: a path or glob, spaces allowed;
//   - one word (no white space) with a `/`, a glob character (`*?[{`) or a
//     file extension (`.go`, `.pdf`): a path, or a glob when it has a glob
//     character;
//   - anything else: text, not a file.
//
// target is the path or glob with `file:` and white space removed.
func Classify(evidence string) (kind EvidenceKind, target string) {
	e := strings.TrimSpace(evidence)
	lower := strings.ToLower(e)
	switch {
	case e == "":
		return EvidenceNone, ""
	case strings.HasPrefix(lower, "file://"):
		// Looks like a path the gate checks, but names a file on somebody's
		// machine: refused (never "not checked", which passes unseen).
		return EvidencePath, e
	case scheme.MatchString(e):
		return EvidenceURL, e
	case strings.HasPrefix(lower, "test:"):
		return EvidenceTest, strings.TrimSpace(e[len("test:"):])
	case strings.HasPrefix(lower, "file:"):
		target = strings.TrimSpace(e[len("file:"):])
	case strings.IndexFunc(e, isSpace) >= 0:
		return EvidenceText, e
	case strings.ContainsAny(e, `/\*?[{`) || extension.MatchString(e):
		target = e
	default:
		return EvidenceText, e
	}
	if strings.ContainsAny(target, "*?[{") {
		return EvidenceGlob, target
	}
	return EvidencePath, target
}

// Items splits evidence that lists several paths or globs — separated by
// commas, semicolons or white space, every item a path or glob by
// Classify's rule ("tests/a_test.go, tests/b_test.go") — into its items,
// each looked up on its own. Anything else is one item: prose that mentions
// a path is text, never half-checked.
func Items(evidence string) []string {
	e := strings.TrimSpace(evidence)
	if kind, _ := Classify(e); kind != EvidenceText {
		return []string{e}
	}
	items := strings.FieldsFunc(e, func(r rune) bool { return r == ',' || r == ';' || isSpace(r) })
	if len(items) < 2 {
		return []string{e}
	}
	for _, it := range items {
		if kind, _ := Classify(it); kind != EvidencePath && kind != EvidenceGlob {
			return []string{e}
		}
	}
	return items
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// Hazard is what the check needs of a hazard.
type Hazard struct {
	ID         string
	Components []string
	Controls   []Control
}

// Control is what the check needs of a control.
type Control struct {
	ID       string
	Evidence string
}

// Orphaned is a hazard whose component globs match nothing at the head.
type Orphaned struct {
	Hazard string   `json:"hazard"`
	Globs  []string `json:"globs"` // the globs that match no file, in the log's order
	// AllGlobs is true when none of the hazard's globs matches anything:
	// no change to its code is gated any more.
	AllGlobs bool `json:"all_globs"`
}

// Evidence is one control's evidence as found at the head.
type Evidence struct {
	Hazard   string       `json:"hazard"`
	Control  string       `json:"control"`
	Evidence string       `json:"evidence"`
	Kind     EvidenceKind `json:"kind"`
	// Status: present (a file is there), missing (nothing is, or not a
	// file), refused (the string cannot name evidence in the repository:
	// absolute, outside it, a glob matching any file), not_checked (a URL,
	// a test, text).
	Status string `json:"status"`
	// Detail says why, for a message ("matches no file", "is a symbolic
	// link", "matches 3 files, e.g. tests/a_test.go").
	Detail string `json:"detail"`
}

// Result is what the check found, and the entries of the tree it stood on
// (Witnesses): a tree of those alone gives the same result, so a decision
// record keeps them instead of the whole tree.
type Result struct {
	Orphaned  []Orphaned
	Evidence  []Evidence
	Witnesses map[string]Kind
}

// job is one glob to match against the files.
type job struct {
	pattern string
	matched string // first path it matched, "" when none yet
	count   int
	onTree  bool // a component: a submodule above the glob's files counts
}

// Check answers, for each hazard, which component globs match nothing,
// and for each control with a path or glob, whether a file is there. It
// passes over the tree's paths once, so its cost is linear in the files plus
// the globs.
func Check(t *Tree, hazards []Hazard) Result {
	res := Result{Orphaned: []Orphaned{}, Evidence: []Evidence{}, Witnesses: map[string]Kind{}}
	var jobs []*job
	index := map[string]int{} // pattern (and whether a component) → job
	jobFor := func(p string, component bool) int {
		key := p
		if component {
			key = "\x00" + p
		}
		if i, ok := index[key]; ok {
			return i
		}
		jobs = append(jobs, &job{pattern: p, onTree: component})
		index[key] = len(jobs) - 1
		return len(jobs) - 1
	}
	type pending struct {
		ev  Evidence
		job int // -1 when not a glob job
	}
	var compJobs [][]int
	var evs []pending
	for _, h := range hazards {
		var js []int
		for _, g := range h.Components {
			if globset.Valid(g) != nil {
				js = append(js, -1) // validation reported it; it matches nothing
				continue
			}
			js = append(js, jobFor(g, true))
		}
		compJobs = append(compJobs, js)
		for _, c := range h.Controls {
			for _, item := range Items(c.Evidence) {
				kind, target := Classify(item)
				ev := Evidence{Hazard: h.ID, Control: c.ID, Evidence: strings.TrimSpace(item), Kind: kind}
				switch kind {
				case EvidenceNone:
					continue
				case EvidenceURL:
					ev.Status, ev.Detail = "not_checked", "is a URL: csogate does not fetch it"
				case EvidenceTest:
					ev.Status, ev.Detail = "not_checked", "names a test: judged by test results, not by a file"
				case EvidenceText:
					ev.Status, ev.Detail = "not_checked", "is text, not a file path (write file:PATH for a path with spaces)"
				default:
					if why := refuse(target, kind); why != "" {
						ev.Status, ev.Detail = "refused", why
						break
					}
					if kind == EvidenceGlob {
						evs = append(evs, pending{ev: ev, job: jobFor(normaliseGlob(target), false)})
						continue
					}
					ev.Status, ev.Detail = t.lookup(path.Clean(strings.TrimPrefix(target, "./")), res.Witnesses)
				}
				evs = append(evs, pending{ev: ev, job: -1})
			}
		}
	}
	t.matchAll(jobs, res.Witnesses)
	for hi, h := range hazards {
		var missing []string
		for gi, j := range compJobs[hi] {
			if j < 0 || jobs[j].count == 0 {
				missing = append(missing, h.Components[gi])
			}
		}
		if len(missing) > 0 {
			res.Orphaned = append(res.Orphaned, Orphaned{Hazard: h.ID, Globs: missing, AllGlobs: len(missing) == len(h.Components)})
		}
	}
	for _, p := range evs {
		ev := p.ev
		if p.job >= 0 {
			j := jobs[p.job]
			switch j.count {
			case 0:
				ev.Status, ev.Detail = "missing", "matches no file"
			case 1:
				ev.Status, ev.Detail = "present", "matches "+j.matched
			default:
				ev.Status, ev.Detail = "present", "matches "+j.matched+" and other files"
			}
		}
		res.Evidence = append(res.Evidence, ev)
	}
	return res
}

// lookup says whether p is a regular file, and what it is if not.
func (t *Tree) lookup(p string, witness map[string]Kind) (status, detail string) {
	k, ok := t.Kind(p)
	if ok {
		witness[p] = k
	}
	switch {
	case !ok:
		if q := t.sameButCase(p); q != "" {
			witness[q] = t.entries[q]
			return "missing", "names no file; " + q + " differs only in letter case (paths are case-sensitive)"
		}
		return "missing", "names no file"
	case k == File:
		return "present", "is a file"
	case k == Dir:
		return "missing", "is a directory, not a file: name the file, or a glob such as " + p + "/**"
	case k == Link:
		return "missing", "is a symbolic link: evidence must be the file itself, not a link to it"
	}
	return "missing", "is a submodule: another repository's commit, not a file of this one"
}

// matchAll runs every glob over the tree's paths in one pass, stopping once
// each has matched; the first match of each is a witness.
func (t *Tree) matchAll(jobs []*job, witness map[string]Kind) {
	if len(jobs) == 0 {
		return
	}
	patterns := make([]string, len(jobs))
	for i, j := range jobs {
		patterns[i] = j.pattern
	}
	set, _ := globset.Compile(patterns) // every pattern is valid: checked above
	// A component is matched once; an evidence glob twice, for its message
	// ("matches a and other files").
	const enough = 2
	open := len(jobs)
	for _, p := range t.names {
		k := t.entries[p]
		var hits []int
		if k == Submodule {
			hits = set.MatchTree(p)
		} else {
			hits = set.Match(p)
		}
		for _, i := range hits {
			j := jobs[i]
			if !j.onTree && k != File {
				continue // evidence is a regular file
			}
			if j.onTree && j.count > 0 {
				continue
			}
			if j.count == 0 {
				j.matched = p
				witness[p] = k
			} else if j.count < enough {
				witness[p] = k
			}
			if j.count < enough {
				j.count++
				if j.count == enough || j.onTree {
					open--
				}
			}
		}
		if open == 0 {
			return
		}
	}
}

// refuse says why a path or glob cannot name evidence in the repository;
// "" when it can.
func refuse(target string, kind EvidenceKind) string {
	switch {
	case target == "":
		return "names no file"
	case strings.HasPrefix(strings.ToLower(target), "file://"):
		return "is a file:// URL, a file on somebody's machine: write the path relative to the repository's root, e.g. file:docs/safety/report.pdf"
	case strings.ContainsRune(target, '\\'):
		return "has a backslash: write repository paths with /"
	case strings.IndexFunc(target, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return "has a control character"
	case strings.HasPrefix(target, "/") || drive.MatchString(target):
		return "is an absolute path: evidence must be a path inside the repository, relative to its root"
	}
	for _, seg := range strings.Split(target, "/") {
		if seg == ".." {
			return "has a .. segment: evidence must be a path inside the repository"
		}
	}
	if kind == EvidenceGlob {
		if err := globset.Valid(normaliseGlob(target)); err != nil {
			return "is not a valid glob: " + err.Error()
		}
		if matchesAnything(target) {
			return "is a glob that matches any file, which shows nothing: name the evidence's files"
		}
	}
	if path.Clean(strings.TrimPrefix(target, "./")) == "." {
		return "names the repository itself, not a file"
	}
	return ""
}

// normaliseGlob makes a trailing "/" mean everything below, as globset does.
func normaliseGlob(g string) string {
	return strings.TrimPrefix(g, "./")
}

// matchesAnything reports a glob with no literal character of its own
// ("**", "*", "**/*", "*.*", "{*,**}"): it would match any file, so it
// shows nothing about a control.
func matchesAnything(g string) bool {
	var b strings.Builder
	depth := 0
	for _, r := range g {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth > 0:
		case strings.ContainsRune("*?/{},.", r):
		default:
			b.WriteRune(r)
		}
	}
	return b.Len() == 0
}

// SortedWitnesses lists the witnesses by path, for a record.
func SortedWitnesses(w map[string]Kind) []Entry {
	out := make([]Entry, 0, len(w))
	for p, k := range w {
		out = append(out, Entry{Path: p, Kind: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Entry is one path of a tree and its kind, as a record keeps it.
type Entry struct {
	Path string `json:"path"`
	Kind Kind   `json:"kind"`
}
