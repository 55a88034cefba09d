package safetyfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/risk"
)

// positions records where each decoded value starts in the YAML source, so
// validation after decoding can still point at the line a person must edit.
//
// It is compact and built without a string per value: one entry per value
// the decoder visited, in a flat slice, and for each mapping, list or struct
// the entries of its children in a flat slice of slots (a struct's by field
// index, a list's by item, a Go map's as key and value pairs). A Locator
// finds a field path ("hazards[2].residual.severity") by walking it against
// the Go type that was decoded, so neither the field paths nor the yaml.v3
// node tree need to be kept: a 5,000-hazard log has ~200,000 values, and a
// string path and map entry for each cost more than parsing the file.
type positions struct {
	file  string
	root  reflect.Type
	nodes []posNode
	slots []int32
	// keys holds the source text of each Go map key, by its entry.
	keys map[int32]string
}

// posNode is where one value starts, and where its children's entries are in
// slots (first, n); n is 0 for scalars and for values of the wrong kind.
type posNode struct {
	line, col int32
	first, n  int32
}

// add records a value that starts at n and returns its entry.
func (p *positions) add(n *yaml.Node) int32 {
	p.nodes = append(p.nodes, posNode{line: int32(n.Line), col: int32(n.Column), first: -1})
	return int32(len(p.nodes) - 1)
}

// presize makes room for the entries of the tree under root before the walk
// records them: appended one by one, a slice grows by a quarter at a time
// past a few hundred entries, allocating some five times its final size
// (20 MB for a 5,000-hazard log and a 10,000-change manifest, where the
// tables end at 4 MB). The walk records about one entry per value (mapping
// keys are values only in Go maps) and as many child slots; an alias
// expanded again records more, and append still grows the tables then.
func (p *positions) presize(root *yaml.Node) {
	values := countValues(root, maxValues)
	if values < 1024 || len(p.nodes) > 0 {
		return
	}
	values += values / 8
	p.nodes = make([]posNode, 0, values)
	p.slots = make([]int32, 0, values)
}

// countValues counts the nodes under n that are not mapping keys, aliases
// not followed, up to limit.
func countValues(n *yaml.Node, limit int) int {
	count := 1
	for i, c := range n.Content {
		if count >= limit {
			break
		}
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue
		}
		count += countValues(c, limit-count)
	}
	return count
}

// reserve gives entry idx k child slots, all empty (-1), and returns the first.
func (p *positions) reserve(idx int32, k int) int32 {
	first := int32(len(p.slots))
	for range k {
		p.slots = append(p.slots, -1)
	}
	p.nodes[idx].first, p.nodes[idx].n = first, int32(k)
	return first
}

func (p *positions) location(idx int32) Location {
	n := p.nodes[idx]
	return Location{File: p.file, Line: int(n.line), Column: int(n.col)}
}

// locator returns a Locator that falls back to the nearest enclosing field
// when a path has no entry of its own (a missing key is reported at its parent).
func (p *positions) locator() Locator {
	return func(path string) Location {
		if len(p.nodes) == 0 {
			return Location{File: p.file, Line: 1, Column: 1}
		}
		_, best := p.find(0, p.root, path, true)
		return p.location(best)
	}
}

// find looks for rest, the part of a field path not yet followed, below
// entry idx (of Go type t). It returns how much of rest is left over at the
// deepest value the path reaches, and that value's entry. The path is
// followed field by field ("hazards", "[2]", ".residual"), so the value found
// is the longest prefix of the path, cut at a '.' or '[', that names a value
// in the file. Map keys are source text and may themselves hold '.', '[' or
// nothing at all, so every key the path continues with is followed; where two
// values have the same path, the one decoded last is where it is, as a
// position table keyed by path would have it.
func (p *positions) find(idx int32, t reflect.Type, rest string, atRoot bool) (left int, best int32) {
	left, best = len(rest), idx
	consider := func(child int32, ct reflect.Type, crest string) {
		if child < 0 {
			return
		}
		if l, b := p.find(child, ct, crest, false); l < left || l == left && b > best {
			left, best = l, b
		}
	}
	for t.Kind() == reflect.Pointer && !isLeaf(t) {
		t = t.Elem()
	}
	node := p.nodes[idx]
	if node.n == 0 || isLeaf(t) {
		return left, best
	}
	switch t.Kind() {
	case reflect.Slice:
		if rest == "" || rest[0] != '[' {
			return left, best
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 || !boundary(rest[end+1:]) {
			return left, best
		}
		i, err := strconv.Atoi(rest[1:end])
		if err != nil || i < 0 || i >= int(node.n) || strconv.Itoa(i) != rest[1:end] {
			return left, best
		}
		consider(p.slots[node.first+int32(i)], t.Elem(), rest[end+1:])
	case reflect.Struct:
		if !atRoot {
			if rest == "" || rest[0] != '.' {
				return left, best
			}
			rest = rest[1:]
		}
		end := strings.IndexAny(rest, ".[#")
		if end < 0 {
			end = len(rest)
		}
		if fi, known := fieldsOf(t).index[rest[:end]]; known && boundary(rest[end:]) {
			consider(p.slots[node.first+int32(fi)], t.Field(fi).Type, rest[end:])
		}
	case reflect.Map:
		if !atRoot {
			if rest == "" || rest[0] != '.' {
				return left, best
			}
			rest = rest[1:]
		}
		for i := int32(0); i+1 < node.n; i += 2 {
			k := p.slots[node.first+i]
			if k < 0 || !strings.HasPrefix(rest, p.keys[k]) {
				continue
			}
			after := rest[len(p.keys[k]):]
			if tail, ok := strings.CutPrefix(after, "#key"); ok && boundary(tail) {
				consider(k, t.Key(), tail)
			}
			switch v := p.slots[node.first+i+1]; {
			case boundary(after):
				consider(v, t.Elem(), after)
			case atRoot && p.keys[k] == "" && v > best && left == len(after):
				// The value of an empty key at the root has the empty
				// path, the last resort of every lookup.
				best = v
			}
		}
	}
	return left, best
}

// boundary reports whether a field path may end before rest: rest is empty
// or starts the next field or item.
func boundary(rest string) bool {
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// isLeaf reports whether values of t are decoded from one scalar.
func isLeaf(t reflect.Type) bool {
	switch t {
	case dateType, severityType, likelihoodType, clinicalType:
		return true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map, reflect.Pointer:
		return false
	}
	return true
}

// segment is one step of the field path the decoder is at: a field or map
// key, or a list item.
type segment struct {
	key   string // the field or map key; unused for a list item
	index int    // the list item, or -1
	// mapKey marks the path of a map key itself ("approvals.by_residual_risk.3#key").
	mapKey bool
}

// pathString writes the field path the decoder is at ("hazards[2].id"), for
// a message: the path is kept as a stack of segments, not a string per value.
func (d *decoder) pathString() string {
	var b strings.Builder
	for _, s := range d.path {
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
		if s.mapKey {
			b.WriteString("#key")
		}
	}
	return b.String()
}

// child decodes n into v as the value at segment s below the current path.
func (d *decoder) child(n *yaml.Node, v reflect.Value, s segment) int32 {
	d.path = append(d.path, s)
	idx := d.value(n, v)
	d.path = d.path[:len(d.path)-1]
	return idx
}

// decoder walks a yaml.v3 node tree into Go values by reflection. It differs
// from yaml.Node.Decode in three ways the contract needs: every unknown key,
// bad value and duplicate key is collected (not just the first), each with its
// line and column; scalars are read from their source text, so an id written
// 007 or a date written unquoted keeps its meaning; and the domain scalars
// (dates, severities, likelihoods, clinical flags) are checked as they decode.
type decoder struct {
	file string
	pos  *positions
	r    report
	// whole forces a single parse of a large file (tests compare the split
	// parse against it).
	whole bool
	// budget bounds the values visited, so aliases that expand exponentially
	// ("billion laughs") end in a problem rather than an endless run.
	budget int
	// bytesLeft bounds the bytes of scalar text visited, each use of an
	// alias counting its value again: a small file that repeats a long text
	// through aliases would otherwise decode to gigabytes, and every later
	// step (facts, record, export) copies it.
	bytesLeft int64
	limit     Limit
	// aliased is set once the walk has followed an alias, so the message of
	// an exhausted budget says truly whether aliases are the cause.
	aliased bool
	// exhausted is set when a budget ran out: the walk then stops, with one
	// problem.
	exhausted bool
	// path is where the decoder is, for messages.
	path []segment
}

// maxValues is far above any real safety file (a 5,000-hazard log has ~200,000 values).
const maxValues = 5_000_000

// DefaultMaxInputBytes is the default size limit of a safety file, and of
// the text of its values once aliases are expanded: some fourteen times a
// 5,000-hazard log (4.6 MB). The hazard log's limit is the configuration's
// max_input_bytes.
const DefaultMaxInputBytes = 64 << 20

// Limit is the size limit of one file, and how a person may raise it.
type Limit struct {
	// Bytes bounds the file's size and the bytes of its values once aliases
	// are expanded; 0 means DefaultMaxInputBytes.
	Bytes int64
	// Raise says how to raise the limit ("raise max_input_bytes in
	// safety/csogate.yaml"), or is empty when it is fixed.
	Raise string
}

func (l Limit) bytes() int64 {
	if l.Bytes <= 0 {
		return DefaultMaxInputBytes
	}
	return l.Bytes
}

// advice ends a message about the limit.
func (l Limit) advice() string {
	if l.Raise == "" {
		return "the limit is fixed for this file"
	}
	return "if the file really needs more, " + l.Raise
}

// sizeName writes n bytes for a person: "64 MiB (67108864 bytes)".
func sizeName(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// CheckSize reports a file of size bytes that is over the limit, at its
// first line, before anything reads or parses it.
func CheckSize(file string, size int64, limit Limit) (Problem, bool) {
	if size <= limit.bytes() {
		return Problem{}, false
	}
	return Problem{Location: Location{File: file, Line: 1, Column: 1}, Code: CodeInputInvalid,
		Message: fmt.Sprintf("the file is %d bytes, over the %s csogate reads from one safety file; %s", size, sizeName(limit.bytes()), limit.advice())}, true
}

// decodeYAML strictly decodes data (from file) into out, a pointer, and
// returns the problems and a Locator for later validation. ok is false when
// the file could not be parsed at all: validating an empty value would only
// add noise to the one problem that matters.
func decodeYAML(file string, data []byte, out any) (problems Problems, locate Locator, ok bool) {
	return decodeYAMLOpt(file, data, out, false, Limit{})
}

// decodeYAMLOpt is decodeYAML; allowEmpty accepts a file with no document
// (only comments) as "all defaults", for the optional files; limit bounds
// the file and its values.
func decodeYAMLOpt(file string, data []byte, out any, allowEmpty bool, limit Limit) (problems Problems, locate Locator, ok bool) {
	target := reflect.ValueOf(out).Elem()
	d := newDecoder(file, target.Type(), limit)
	if p, over := CheckSize(file, int64(len(data)), limit); over {
		d.pos.add(&yaml.Node{Line: 1, Column: 1})
		return Problems{p}, d.r.locate, false
	}
	ok = d.decode(data, target, allowEmpty)
	return d.r.problems, d.r.locate, ok
}

func newDecoder(file string, root reflect.Type, limit Limit) *decoder {
	d := &decoder{file: file, pos: &positions{file: file, root: root}, budget: maxValues, bytesLeft: limit.bytes(), limit: limit}
	d.r.locate = d.pos.locator()
	return d
}

// decode parses data into a yaml.v3 node tree and walks it into target. The
// tree is garbage once decode returns.
func (d *decoder) decode(data []byte, target reflect.Value, allowEmpty bool) bool {
	if len(data) >= largeFile && !d.whole {
		// Both cores parse; the collector runs as usual (pausing it here
		// measured no faster and held 5 MB more at the peak).
		if doc, ok := parseInHalves(data); ok {
			return d.walk(doc, target)
		}
	}
	if len(data) >= largeFile && len(data) <= hugeFile {
		defer pauseGC()()
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			if allowEmpty {
				return false
			}
			d.r.problems = append(d.r.problems, Problem{Location: Location{File: d.file, Line: 1, Column: 1}, Code: CodeInputInvalid,
				Message: "the file is empty; docs/reference.md, section 1, says what it must contain"})
			return false
		}
		d.r.problems = append(d.r.problems, syntaxProblem(d.file, data, err))
		return false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.r.problems = append(d.r.problems, Problem{Location: Location{File: d.file, Line: extra.Line, Column: extra.Column}, Code: CodeInputInvalid,
			Message: "a second YAML document (after ---) is not allowed; keep one document per file"})
	}
	return d.walk(&doc, target)
}

// walk decodes a parsed document into target.
func (d *decoder) walk(doc *yaml.Node, target reflect.Value) bool {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	d.pos.presize(root)
	d.value(root, target)
	if len(d.pos.nodes) == 0 {
		// Even a root the budget refused is where its problems are.
		d.pos.add(root)
	}
	// A walk a budget stopped decoded part of the file: validating it would
	// only bury the one problem that matters.
	return !d.exhausted
}

// largeFile is the size from which decoding pauses the garbage collector
// (pauseGC): a 5,000-hazard log is about 4.6 MB.
const largeFile = 1 << 20

// hugeFile is the size above which the collector keeps running: the parse of a
// file this large (hostile or mistaken) could hold gigabytes of garbage
// before the walk ends, and a runner's memory is not the gate's to spend.
const hugeFile = 32 << 20

// gcPause counts the decodings of large files under way; the collector is
// paused while there is any.
var gcPause struct {
	sync.Mutex
	depth   int
	percent int // the setting to restore
}

// pauseGC pauses the garbage collector while a large file is parsed and
// walked, and returns the function that collects once and resumes it.
//
// yaml.v3 parses the whole file into a node tree of about 17 times its size
// (some 80 MB for 5,000 hazards) before the walk can begin, and nearly all of
// it stays reachable until the walk ends: collections during the parse mark
// an ever larger heap (seven cycles, some 150 MB marked for 5,000 hazards)
// only to free the parser's scratch, about a fifth of what it allocates.
// Paused, the heap peaks at the tree plus that fifth, less than the twice the
// live heap a collection cycle lets it reach; one collection after the walk,
// when the tree is garbage, marks only the decoded values (~15 MB), and the
// rest of the run reuses the tree's pages instead of allocating on top of a
// dead tree. On the 5,000-hazard product the whole check takes a tenth less
// wall time, with the same peak memory (README, Performance). Concurrent
// decodings share the pause; the last to finish collects and restores the
// setting. A memory limit (GOMEMLIMIT) still applies meanwhile.
func pauseGC() (resume func()) {
	gcPause.Lock()
	if gcPause.depth == 0 {
		gcPause.percent = debug.SetGCPercent(-1)
	}
	gcPause.depth++
	gcPause.Unlock()
	return func() {
		gcPause.Lock()
		defer gcPause.Unlock()
		if gcPause.depth--; gcPause.depth == 0 {
			runtime.GC()
			debug.SetGCPercent(gcPause.percent)
		}
	}
}

// syntaxProblem turns a yaml.v3 syntax error ("yaml: line 3: ...") into a
// Problem. yaml.v3 names no line for a byte that is not UTF-8 or a control
// character it refuses, so those are located here.
func syntaxProblem(file string, data []byte, err error) Problem {
	if loc, msg, ok := badCharacter(data); ok {
		loc.File = file
		return Problem{Location: loc, Code: CodeInputInvalid, Message: msg}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.Index(rest, ":"); i > 0 {
			if n, convErr := strconv.Atoi(rest[:i]); convErr == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return Problem{Location: Location{File: file, Line: line}, Code: CodeInputInvalid,
		Message: "YAML syntax error: " + msg + "; check indentation and quoting on this line"}
}

func (d *decoder) fail(n *yaml.Node, format string, args ...any) {
	d.r.problems = append(d.r.problems, Problem{Location: Location{File: d.file, Line: n.Line, Column: n.Column},
		Code: CodeInputInvalid, Message: fmt.Sprintf(format, args...)})
}

var (
	dateType       = reflect.TypeOf(Date{})
	severityType   = reflect.TypeOf(risk.Severity(0))
	likelihoodType = reflect.TypeOf(risk.Likelihood(0))
	clinicalType   = reflect.TypeOf(Clinical(""))
)

// maxAliasDepth bounds alias resolution so a hostile file cannot loop or blow up.
const maxAliasDepth = 16

// value decodes n into v and returns the positions entry of the value, or -1
// when none was recorded (the budget ran out or an alias did not resolve).
func (d *decoder) value(n *yaml.Node, v reflect.Value) int32 {
	if d.exhausted {
		return -1
	}
	if d.budget--; d.budget < 0 {
		d.exhausted = true
		if d.aliased {
			d.fail(n, "the document expands to more than %d values through aliases (each use of an alias counts its values again); write the values out instead of repeating aliases", maxValues)
		} else {
			d.fail(n, "the document has more than %d values, far more than any safety file (a 5,000-hazard log has about 200,000); split it or remove what is repeated", maxValues)
		}
		return -1
	}
	for depth := 0; n.Kind == yaml.AliasNode; depth++ {
		if depth > maxAliasDepth || n.Alias == nil {
			d.fail(n, "alias *%s cannot be resolved; write the value out in full", n.Value)
			return -1
		}
		d.aliased = true
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && !d.spend(n, len(n.Value)) {
		return -1
	}
	idx := d.pos.add(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return idx // an explicit null leaves the default, as an absent key would
	}
	switch v.Type() {
	case dateType:
		d.date(n, v)
		return idx
	case severityType:
		if s, ok := d.scalar(n, "a severity"); ok {
			sev, err := risk.ParseSeverity(s)
			if err != nil {
				d.fail(n, "%s", err)
				return idx
			}
			v.SetInt(int64(sev))
		}
		return idx
	case likelihoodType:
		if s, ok := d.scalar(n, "a likelihood"); ok {
			l, err := risk.ParseLikelihood(s)
			if err != nil {
				d.fail(n, "%s", err)
				return idx
			}
			v.SetInt(int64(l))
		}
		return idx
	case clinicalType:
		if s, ok := d.scalar(n, "true, false or unsure"); ok {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true":
				v.SetString(string(ClinicalTrue))
			case "false":
				v.SetString(string(ClinicalFalse))
			case "unsure":
				v.SetString(string(ClinicalUnsure))
			default:
				d.fail(n, "clinical must be true, false or unsure, not %q; write unsure when in doubt (it is treated as clinical)", s)
			}
		}
		return idx
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		inner := d.value(n, elem.Elem())
		v.Set(elem)
		if inner >= 0 {
			return inner // the pointer and what it points to start at the same place
		}
	case reflect.Struct:
		d.structure(n, v, idx)
	case reflect.Slice:
		d.sequence(n, v, idx)
	case reflect.Map:
		d.mapping(n, v, idx)
	case reflect.String:
		if s, ok := d.scalar(n, "a text value"); ok {
			v.SetString(s)
		}
	case reflect.Int, reflect.Int64:
		if s, ok := d.scalar(n, "a whole number"); ok {
			i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				d.fail(n, "%s must be a whole number, not %q", fieldName(d.pathString()), s)
				return idx
			}
			v.SetInt(i)
		}
	case reflect.Bool:
		if s, ok := d.scalar(n, "true or false"); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				d.fail(n, "%s must be true or false, not %q", fieldName(d.pathString()), s)
				return idx
			}
			v.SetBool(b)
		}
	default:
		panic(fmt.Sprintf("safetyfile: decoder has no rule for %s", v.Type()))
	}
	return idx
}

// spend counts size bytes of scalar text at n against the budget, and
// reports false, with one problem at n, when they are more than is left.
func (d *decoder) spend(n *yaml.Node, size int) bool {
	if d.exhausted {
		return false
	}
	if d.bytesLeft -= int64(size); d.bytesLeft >= 0 {
		return true
	}
	d.exhausted = true
	limit := sizeName(d.limit.bytes())
	if d.aliased {
		d.fail(n, "the document's values come to more than %s once its aliases are expanded (each use of an alias counts its value again); write a long value out once instead of repeating it through aliases; %s", limit, d.limit.advice())
	} else {
		d.fail(n, "the document's values come to more than %s; %s", limit, d.limit.advice())
	}
	return false
}

// scalar returns the text of a scalar node, or reports that a list or mapping
// was written where a single value belongs.
func (d *decoder) scalar(n *yaml.Node, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, "%s must be %s, not a %s", fieldName(d.pathString()), want, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) date(n *yaml.Node, v reflect.Value) {
	s, ok := d.scalar(n, "a date (YYYY-MM-DD)")
	if !ok {
		return
	}
	date, err := ParseDate(strings.TrimSpace(s))
	if err != nil {
		d.fail(n, "%s %q is not a date; write YYYY-MM-DD, e.g. 2026-10-01", fieldName(d.pathString()), s)
		return
	}
	v.Set(reflect.ValueOf(date))
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, idx int32) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, "%s must be a mapping of keys to values, not a %s", fieldName(d.pathString()), kindName(n))
		return
	}
	fields := fieldsOf(v.Type())
	first := d.pos.reserve(idx, v.NumField())
	var seen uint64 // by field index; yamlFields refuses structs of more than 64 fields
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.fail(key, "keys must be plain words")
			continue
		}
		if !d.spend(key, len(key.Value)) {
			return
		}
		if key.Value == "<<" {
			d.fail(key, "merge keys (<<) are not supported; write the keys out in full")
			continue
		}
		fi, ok := fields.index[key.Value]
		if !ok {
			d.fail(key, "unknown key %q%s", key.Value, suggest(key.Value, fields.sorted))
			continue
		}
		if seen&(1<<fi) != 0 {
			d.fail(key, "key %q appears twice in this mapping; keep one", key.Value)
			continue
		}
		seen |= 1 << fi
		child := d.child(val, v.Field(fi), segment{key: key.Value, index: -1})
		d.pos.slots[first+int32(fi)] = child
	}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, idx int32) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "%s must be a list (write [a, b] or one \"- item\" per line), not a %s", fieldName(d.pathString()), kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	first := d.pos.reserve(idx, len(n.Content))
	for i, item := range n.Content {
		d.pos.slots[first+int32(i)] = d.child(item, s.Index(i), segment{index: i})
	}
	v.Set(s)
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, idx int32) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, "%s must be a mapping of keys to values, not a %s", fieldName(d.pathString()), kindName(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	first := d.pos.reserve(idx, len(n.Content)/2*2)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.fail(key, "keys must be plain values")
			continue
		}
		if seen[key.Value] {
			d.fail(key, "key %q appears twice in this mapping; keep one", key.Value)
			continue
		}
		seen[key.Value] = true
		k := reflect.New(v.Type().Key()).Elem()
		ki := d.child(key, k, segment{key: key.Value, index: -1, mapKey: true})
		if ki >= 0 {
			if d.pos.keys == nil {
				d.pos.keys = map[int32]string{}
			}
			d.pos.keys[ki] = key.Value
		}
		e := reflect.New(v.Type().Elem()).Elem()
		vi := d.child(val, e, segment{key: key.Value, index: -1})
		d.pos.slots[first+int32(i)], d.pos.slots[first+int32(i)+1] = ki, vi
		m.SetMapIndex(k, e)
	}
	v.Set(m)
}

// fieldName is the last key of a path, for messages ("hazards[2].id" → "id").
func fieldName(path string) string {
	path = strings.TrimSuffix(path, "#key")
	if i := strings.LastIndex(path, "."); i >= 0 {
		path = path[i+1:]
	}
	if path == "" {
		return "the document"
	}
	return path
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return fmt.Sprintf("single value (%q)", n.Value)
	}
	return "value"
}

// structFields are the yaml tag names of a struct's fields: their index,
// and the names sorted, for suggestions.
type structFields struct {
	index  map[string]int
	sorted []string
}

var fieldCache sync.Map // reflect.Type → *structFields

// fieldsOf maps each yaml tag name of a struct to its field index, once per type.
func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	if t.NumField() > 64 {
		panic(fmt.Sprintf("safetyfile: %s has more than 64 fields; the decoder tracks repeated keys in a 64-bit set", t))
	}
	f := &structFields{index: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		f.index[name] = i
		f.sorted = append(f.sorted, name)
	}
	sort.Strings(f.sorted)
	fieldCache.Store(t, f)
	return f
}

// suggest names the nearest known key for a typo ("residul" → "residual"),
// or lists the known keys when nothing is close.
func suggest(got string, known []string) string {
	best, bestDist := "", 1<<30
	for _, k := range known {
		if dist := editDistance(strings.ToLower(got), k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" && bestDist <= max(2, len(got)/3) {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; known keys are " + strings.Join(known, ", ")
}

// editDistance is the Levenshtein distance (agnivade/levenshtein, already in the module graph through OPA), for suggesting the key a typo meant.
func editDistance(a, b string) int { return levenshtein.ComputeDistance(a, b) }

// badCharacter finds the first byte YAML cannot hold: one that is not UTF-8
// (a file saved as Latin-1 or Windows-1252) or a character outside YAML's
// printable set (NUL and the other control characters but tab, line feed
// and carriage return). Files starting with a UTF-16 or UTF-32 byte-order
// mark are yaml.v3's to decode. Columns count characters from 1.
func badCharacter(data []byte) (Location, string, bool) {
	if len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE) ||
		len(data) >= 4 && data[0] == 0 && data[1] == 0 && data[2] == 0xFE && data[3] == 0xFF {
		return Location{}, "", false
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		at := Location{Line: line, Column: col}
		switch {
		case r == utf8.RuneError && size == 1:
			return at, fmt.Sprintf("byte 0x%02X is not UTF-8 (the file looks saved as Latin-1 or Windows-1252); save it as UTF-8", data[i]), true
		case r == 0:
			return at, "a NUL byte (0x00) is not allowed in YAML; remove it (is this a binary file, or one saved as UTF-16 without a byte-order mark?)", true
		case r == '\n':
			line, col = line+1, 0
		case r == '\t' || r == '\r' || r == 0x85:
		case r < 0x20 || r >= 0x7F && r < 0xA0 || r == 0xFFFE || r == 0xFFFF:
			return at, fmt.Sprintf("control character U+%04X is not allowed in YAML; remove it", r), true
		}
		col++
		i += size
	}
	return Location{}, "", false
}
