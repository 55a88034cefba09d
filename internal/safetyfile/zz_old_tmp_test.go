package safetyfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/risk"
)

// oldPositions maps a field path ("hazards[2].residual.severity") to where its
// value starts in the YAML source, so validation after decoding can still
// point at the line a person must edit.
type oldPositions map[string]Location

// locator returns a Locator that falls back to the nearest enclosing field
// when a path has no entry of its own (a missing key is reported at its parent).
func (p oldPositions) locator(file string) Locator {
	return func(path string) Location {
		for {
			if loc, ok := p[path]; ok {
				return loc
			}
			i := strings.LastIndexAny(path, ".[")
			if i < 0 {
				if loc, ok := p[""]; ok {
					return loc
				}
				return Location{File: file, Line: 1, Column: 1}
			}
			path = path[:i]
		}
	}
}

// oldDecoder walks a yaml.v3 node tree into Go values by reflection. It differs
// from yaml.Node.Decode in three ways the contract needs: every unknown key,
// bad value and duplicate key is collected (not just the first), each with its
// line and column; scalars are read from their source text, so an id written
// 007 or a date written unquoted keeps its meaning; and the domain scalars
// (dates, severities, likelihoods, clinical flags) are checked as they decode.
type oldDecoder struct {
	file string
	pos  oldPositions
	r    report
	// budget bounds the values visited, so aliases that expand exponentially
	// ("billion laughs") end in a problem rather than an endless run.
	budget int
}

// oldMaxValues is far above any real safety file (a 5,000-hazard log has ~200,000 values).
const oldMaxValues = 5_000_000

// oldDecodeYAML strictly decodes data (from file) into out, a pointer, and
// returns the problems and a Locator for later validation. ok is false when
// the file could not be parsed at all: validating an empty value would only
// add noise to the one problem that matters.
func oldDecodeYAML(file string, data []byte, out any) (problems Problems, locate Locator, ok bool) {
	return oldDecodeYAMLOpt(file, data, out, false)
}

// oldDecodeYAMLOpt is oldDecodeYAML; allowEmpty accepts a file with no document
// (only comments) as "all defaults", for the optional files.
var lastOldPos oldPositions

func oldDecodeYAMLOpt(file string, data []byte, out any, allowEmpty bool) (problems Problems, locate Locator, ok bool) {
	d := &oldDecoder{file: file, pos: oldPositions{}, budget: oldMaxValues}
	d.r.locate = d.pos.locator(file)
	lastOldPos = d.pos
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			if allowEmpty {
				return nil, d.r.locate, false
			}
			d.r.problems = append(d.r.problems, Problem{Location: Location{File: file, Line: 1, Column: 1}, Code: CodeInputInvalid,
				Message: "the file is empty; see the contract for what it must contain"})
			return d.r.problems, d.r.locate, false
		}
		d.r.problems = append(d.r.problems, oldSyntaxProblem(file, err))
		return d.r.problems, d.r.locate, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.r.problems = append(d.r.problems, Problem{Location: Location{File: file, Line: extra.Line, Column: extra.Column}, Code: CodeInputInvalid,
			Message: "a second YAML document (after ---) is not allowed; keep one document per file"})
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	d.pos[""] = Location{File: file, Line: root.Line, Column: root.Column}
	d.value(root, reflect.ValueOf(out).Elem(), "")
	return d.r.problems, d.r.locate, true
}

// oldSyntaxProblem turns a yaml.v3 syntax error ("yaml: line 3: ...") into a Problem.
func oldSyntaxProblem(file string, err error) Problem {
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

func (d *oldDecoder) at(n *yaml.Node, path string) {
	d.pos[path] = Location{File: d.file, Line: n.Line, Column: n.Column}
}

func (d *oldDecoder) fail(n *yaml.Node, format string, args ...any) {
	d.r.problems = append(d.r.problems, Problem{Location: Location{File: d.file, Line: n.Line, Column: n.Column},
		Code: CodeInputInvalid, Message: fmt.Sprintf(format, args...)})
}

var (
	oldDateType       = reflect.TypeOf(Date{})
	oldSeverityType   = reflect.TypeOf(risk.Severity(0))
	oldLikelihoodType = reflect.TypeOf(risk.Likelihood(0))
	oldClinicalType   = reflect.TypeOf(Clinical(""))
)

// oldMaxAliasDepth bounds alias resolution so a hostile file cannot loop or blow up.
const oldMaxAliasDepth = 16

func (d *oldDecoder) value(n *yaml.Node, v reflect.Value, path string) {
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.fail(n, "the document expands to more than %d values through aliases; write the values out instead of repeating aliases", oldMaxValues)
		}
		return
	}
	for depth := 0; n.Kind == yaml.AliasNode; depth++ {
		if depth > oldMaxAliasDepth || n.Alias == nil {
			d.fail(n, "alias *%s cannot be resolved; write the value out in full", n.Value)
			return
		}
		n = n.Alias
	}
	d.at(n, path)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an explicit null leaves the default, as an absent key would
	}
	switch v.Type() {
	case oldDateType:
		d.date(n, v, path)
		return
	case oldSeverityType:
		if s, ok := d.scalar(n, path, "a severity"); ok {
			sev, err := risk.ParseSeverity(s)
			if err != nil {
				d.fail(n, "%s", err)
				return
			}
			v.SetInt(int64(sev))
		}
		return
	case oldLikelihoodType:
		if s, ok := d.scalar(n, path, "a likelihood"); ok {
			l, err := risk.ParseLikelihood(s)
			if err != nil {
				d.fail(n, "%s", err)
				return
			}
			v.SetInt(int64(l))
		}
		return
	case oldClinicalType:
		if s, ok := d.scalar(n, path, "true, false or unsure"); ok {
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
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		d.value(n, elem.Elem(), path)
		v.Set(elem)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.String:
		if s, ok := d.scalar(n, path, "a text value"); ok {
			v.SetString(s)
		}
	case reflect.Int, reflect.Int64:
		if s, ok := d.scalar(n, path, "a whole number"); ok {
			i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				d.fail(n, "%s must be a whole number, not %q", oldFieldName(path), s)
				return
			}
			v.SetInt(i)
		}
	case reflect.Bool:
		if s, ok := d.scalar(n, path, "true or false"); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				d.fail(n, "%s must be true or false, not %q", oldFieldName(path), s)
				return
			}
			v.SetBool(b)
		}
	default:
		panic(fmt.Sprintf("safetyfile: oldDecoder has no rule for %s", v.Type()))
	}
}

// scalar returns the text of a scalar node, or reports that a list or mapping
// was written where a single value belongs.
func (d *oldDecoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, "%s must be %s, not a %s", oldFieldName(path), want, oldKindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *oldDecoder) date(n *yaml.Node, v reflect.Value, path string) {
	s, ok := d.scalar(n, path, "a date (YYYY-MM-DD)")
	if !ok {
		return
	}
	date, err := ParseDate(strings.TrimSpace(s))
	if err != nil {
		d.fail(n, "%s %q is not a date; write YYYY-MM-DD, e.g. 2026-10-01", oldFieldName(path), s)
		return
	}
	v.Set(reflect.ValueOf(date))
}

func (d *oldDecoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, "%s must be a mapping of keys to values, not a %s", oldFieldName(path), oldKindName(n))
		return
	}
	fields := oldYamlFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.fail(key, "keys must be plain words")
			continue
		}
		if key.Value == "<<" {
			d.fail(key, "merge keys (<<) are not supported; write the keys out in full")
			continue
		}
		idx, ok := fields[key.Value]
		if !ok {
			d.fail(key, "unknown key %q%s", key.Value, oldSuggest(key.Value, oldSortedKeys(fields)))
			continue
		}
		if seen[key.Value] {
			d.fail(key, "key %q appears twice in this mapping; keep one", key.Value)
			continue
		}
		seen[key.Value] = true
		d.value(val, v.Field(idx), oldJoin(path, key.Value))
	}
}

func (d *oldDecoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "%s must be a list (write [a, b] or one \"- item\" per line), not a %s", oldFieldName(path), oldKindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *oldDecoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, "%s must be a mapping of keys to values, not a %s", oldFieldName(path), oldKindName(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
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
		d.value(key, k, oldJoin(path, key.Value)+"#key")
		e := reflect.New(v.Type().Elem()).Elem()
		d.value(val, e, oldJoin(path, key.Value))
		m.SetMapIndex(k, e)
	}
	v.Set(m)
}

func oldJoin(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// oldFieldName is the last key of a path, for messages ("hazards[2].id" → "id").
func oldFieldName(path string) string {
	path = strings.TrimSuffix(path, "#key")
	if i := strings.LastIndex(path, "."); i >= 0 {
		path = path[i+1:]
	}
	if path == "" {
		return "the document"
	}
	return path
}

func oldKindName(n *yaml.Node) string {
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

// oldYamlFields maps each yaml tag name of a struct to its field index.
func oldYamlFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = i
	}
	return out
}

func oldSortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// oldSuggest names the nearest known key for a typo ("residul" → "residual"),
// or lists the known keys when nothing is close.
func oldSuggest(got string, known []string) string {
	best, bestDist := "", 1<<30
	for _, k := range known {
		if dist := oldEditDistance(strings.ToLower(got), k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" && bestDist <= max(2, len(got)/3) {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; known keys are " + strings.Join(known, ", ")
}

// oldEditDistance is the Levenshtein distance, for suggesting the key a typo meant.
func oldEditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
