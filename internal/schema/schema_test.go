package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
	"github.com/csogate/csogate/schemas"
)

// goTypes are the Go types each schema describes: what the decoder fills.
var goTypes = map[string]reflect.Type{
	"hazard-log":        reflect.TypeOf(safetyfile.HazardLog{}),
	"manifest":          reflect.TypeOf(safetyfile.Manifest{}),
	"cso-register":      reflect.TypeOf(safetyfile.Register{}),
	"config":            reflect.TypeOf(safetyfile.Config{}),
	"hazard-components": reflect.TypeOf(safetyfile.ComponentsMap{}),
}

// defaultFiles are the base names of the safety files, by schema.
var defaultFiles = map[string]string{
	filepath.Base(safetyfile.HazardLogPath):     "hazard-log",
	filepath.Base(safetyfile.ManifestPath):      "manifest",
	filepath.Base(safetyfile.RegisterPath):      "cso-register",
	filepath.Base(safetyfile.ConfigPath):        "config",
	filepath.Base(safetyfile.ComponentsMapPath): "hazard-components",
}

func TestEveryNameHasASchema(t *testing.T) {
	t.Parallel()
	want := []string{"hazard-log", "manifest", "cso-register", "config", "hazard-components"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	Names()[0] = "changed"
	if Names()[0] != "hazard-log" {
		t.Fatal("Names() shares its slice with the caller")
	}
	for _, name := range Names() {
		data, ok := Get(name)
		if !ok {
			t.Errorf("Get(%q) found nothing", name)
			continue
		}
		doc := decodeSchema(t, name, data)
		for key, want := range map[string]string{
			"$schema": "https://json-schema.org/draft/2020-12/schema",
			"$id":     "csogate:" + name,
		} {
			if doc[key] != want {
				t.Errorf("%s: %s is %v, want %q", name, key, doc[key], want)
			}
		}
		for _, key := range []string{"title", "description"} {
			if s, _ := doc[key].(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s: the schema has no %s", name, key)
			}
		}
		if _, ok := goTypes[name]; !ok {
			t.Errorf("%s: no Go type is known for it; add it to goTypes", name)
		}
		data[0] = 'x'
		if again, _ := Get(name); again[0] != '{' {
			t.Errorf("Get(%q) shares its bytes with the caller", name)
		}
	}
	if _, ok := Get("hazard-log.schema.json"); ok {
		t.Error(`Get("hazard-log.schema.json") found a schema; names have no extension`)
	}
	if _, ok := Get("../go.mod"); ok {
		t.Error(`Get("../go.mod") found something`)
	}
	files, err := fs.Glob(schemas.FS, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name, ok := strings.CutSuffix(f, ".schema.json")
		if !ok || !slices.Contains(Names(), name) {
			t.Errorf("schemas/%s is embedded but is not one of Names()", f)
		}
	}
}

// TestSchemasMatchGoTypes walks each Go type as the decoder does (yaml tags,
// nested structs, lists, maps, pointers) beside its schema: every key the
// decoder accepts must be a property at the same place, every property must
// be a key the decoder accepts, and every struct must be a closed object.
func TestSchemasMatchGoTypes(t *testing.T) {
	t.Parallel()
	for _, name := range Names() {
		data, _ := Get(name)
		w := &typeWalker{t: t, name: name, root: decodeSchema(t, name, data)}
		w.walk(goTypes[name], w.root, "")
	}
}

type typeWalker struct {
	t    *testing.T
	name string
	root map[string]any
}

var (
	dateType       = reflect.TypeOf(safetyfile.Date{})
	severityType   = reflect.TypeOf(risk.Severity(0))
	likelihoodType = reflect.TypeOf(risk.Likelihood(0))
	clinicalType   = reflect.TypeOf(safetyfile.Clinical(""))
)

// leafDefs are the $defs the decoder's own scalar types must refer to.
var leafDefs = map[reflect.Type][]string{
	dateType:       {"date", "requiredDate"},
	severityType:   {"severity"},
	likelihoodType: {"likelihood"},
	clinicalType:   {"clinical"},
}

func (w *typeWalker) walk(t reflect.Type, raw any, at string) {
	where := w.name + " " + orRoot(at)
	node, ok := raw.(map[string]any)
	if !ok {
		w.t.Errorf("%s: the schema is %T, not an object", where, raw)
		return
	}
	resolved, refs := w.deref(node)
	if t.Kind() == reflect.Pointer {
		if !slices.Contains(schemaTypes(resolved), "null") {
			w.t.Errorf("%s: the Go field is a pointer (optional), so the schema should allow null", where)
		}
		t = t.Elem()
	}
	if defs, ok := leafDefs[t]; ok {
		if len(refs) == 0 || !slices.Contains(defs, refs[0]) {
			w.t.Errorf("%s: %s must refer to #/$defs/%s, not %v", where, t, strings.Join(defs, " or #/$defs/"), refs)
		}
		return
	}
	types := schemaTypes(resolved)
	switch t.Kind() {
	case reflect.Struct:
		if !slices.Contains(types, "object") {
			w.t.Errorf("%s: %s is a mapping, but the schema's type is %v", where, t, types)
		}
		if resolved["additionalProperties"] != false {
			w.t.Errorf("%s: additionalProperties must be false (unknown keys are errors)", where)
		}
		props, _ := resolved["properties"].(map[string]any)
		keys := yamlKeys(t)
		for _, key := range keys {
			if _, ok := props[key]; !ok {
				w.t.Errorf("%s: the decoder accepts key %q (%s), but the schema has no such property", where, key, t)
			}
		}
		for key := range props {
			if !slices.Contains(keys, key) {
				w.t.Errorf("%s: the schema has property %q, but %s has no field with yaml:%q", where, key, t, key)
			}
		}
		required, _ := resolved["required"].([]any)
		for _, r := range required {
			if _, ok := props[r.(string)]; !ok {
				w.t.Errorf("%s: required %q is not a property", where, r)
			}
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if key := yamlKey(f); key != "" && props[key] != nil {
				w.walk(f.Type, props[key], join(at, key))
			}
		}
	case reflect.Slice:
		if !slices.Contains(types, "array") {
			w.t.Errorf("%s: %s is a list, but the schema's type is %v", where, t, types)
		}
		if resolved["items"] == nil {
			w.t.Errorf("%s: a list needs items", where)
			return
		}
		w.walk(t.Elem(), resolved["items"], at+"[]")
	case reflect.Map:
		if !slices.Contains(types, "object") {
			w.t.Errorf("%s: %s is a mapping, but the schema's type is %v", where, t, types)
		}
		if _, ok := resolved["properties"]; ok {
			w.t.Errorf("%s: %s has free keys; it should have no properties", where, t)
		}
		if t.Key().Kind() != reflect.String {
			if names, _ := resolved["propertyNames"].(map[string]any); names["pattern"] == nil {
				w.t.Errorf("%s: %s has %s keys; propertyNames needs a pattern", where, t, t.Key())
			}
		}
		values, ok := resolved["additionalProperties"].(map[string]any)
		if !ok {
			w.t.Errorf("%s: additionalProperties must be the schema of the map's values", where)
			return
		}
		w.walk(t.Elem(), values, join(at, "*"))
	case reflect.String:
		w.wantScalar(where, t, resolved, "string")
	case reflect.Int, reflect.Int64:
		w.wantScalar(where, t, resolved, "integer")
	case reflect.Bool:
		w.wantScalar(where, t, resolved, "boolean")
	default:
		w.t.Errorf("%s: the test has no rule for %s; teach it", where, t)
	}
}

func (w *typeWalker) wantScalar(where string, t reflect.Type, node map[string]any, want string) {
	types := w.scalarTypes(node)
	if !slices.Contains(types, want) {
		w.t.Errorf("%s: %s needs a %s in the schema, which allows %v", where, t, want, types)
	}
	for _, bad := range []string{"object", "array"} {
		if slices.Contains(types, bad) {
			w.t.Errorf("%s: %s is a single value, but the schema allows an %s", where, t, bad)
		}
	}
}

// deref follows $ref to the schema that holds the structure, and returns the
// $defs names it went through.
func (w *typeWalker) deref(node map[string]any) (map[string]any, []string) {
	var refs []string
	for depth := 0; depth < 10; depth++ {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node, refs
		}
		def, ok := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := w.root["$defs"].(map[string]any)
		target, found := defs[def].(map[string]any)
		if !ok || !found {
			w.t.Errorf("%s: $ref %q does not resolve to a $defs entry", w.name, ref)
			return node, refs
		}
		refs = append(refs, def)
		node = target
	}
	w.t.Errorf("%s: $ref chain too long", w.name)
	return node, refs
}

// schemaTypes is a schema's "type", as a list.
func schemaTypes(node map[string]any) []string {
	switch v := node["type"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			out = append(out, s.(string))
		}
		return out
	}
	return nil
}

// scalarTypes is every JSON type a schema admits through type, enum or anyOf.
func (w *typeWalker) scalarTypes(node map[string]any) []string {
	out := schemaTypes(node)
	if enum, ok := node["enum"].([]any); ok {
		for _, v := range enum {
			out = append(out, jsonType(v))
		}
	}
	if anyOf, ok := node["anyOf"].([]any); ok {
		for _, branch := range anyOf {
			b, _ := w.deref(branch.(map[string]any))
			out = append(out, w.scalarTypes(b)...)
		}
	}
	if slices.Contains(out, "number") {
		out = append(out, "integer")
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// yamlKeys are the keys the decoder accepts for a struct: the name in each
// field's yaml tag, as safetyfile's decoder reads it (no tag or "-": none).
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if key := yamlKey(t.Field(i)); key != "" {
			keys = append(keys, key)
		}
	}
	return keys
}

func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

func join(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

func orRoot(at string) string {
	if at == "" {
		return "(root)"
	}
	return at
}

// subschemaKeywords name the keywords whose value is a schema, a list of
// schemas, or a map of names to schemas: where the structural checks descend.
var (
	schemaValued = []string{"items", "additionalProperties", "propertyNames", "not", "contains"}
	schemaLists  = []string{"anyOf", "allOf", "oneOf", "prefixItems"}
	schemaMaps   = []string{"properties", "$defs", "patternProperties"}
)

// TestObjectsAreClosedAndDocumented checks every subschema: an object with
// properties allows no others, a mapping says what its values are, and every
// property has a title and a description for editors to show.
func TestObjectsAreClosedAndDocumented(t *testing.T) {
	t.Parallel()
	for _, name := range Names() {
		data, _ := Get(name)
		eachSchema(decodeSchema(t, name, data), name, func(at string, node map[string]any) {
			if _, ok := node["properties"]; ok && node["additionalProperties"] != false {
				t.Errorf("%s: additionalProperties must be false where properties are listed (unknown keys are errors)", at)
			}
			if slices.Contains(schemaTypes(node), "object") && node["additionalProperties"] == nil && node["$ref"] == nil {
				t.Errorf("%s: an object must say additionalProperties: false, or give the schema of its values", at)
			}
			props, _ := node["properties"].(map[string]any)
			for key, p := range props {
				prop, _ := p.(map[string]any)
				for _, want := range []string{"title", "description"} {
					if s, _ := prop[want].(string); strings.TrimSpace(s) == "" {
						t.Errorf("%s.%s: no %s; editors show it as help", at, key, want)
					}
				}
			}
			if pattern, ok := node["pattern"].(string); ok {
				checkPortablePattern(t, at, pattern)
			}
			if names, ok := node["propertyNames"].(map[string]any); ok {
				if pattern, ok := names["pattern"].(string); ok {
					checkPortablePattern(t, at+".propertyNames", pattern)
				}
			}
		})
	}
}

// checkPortablePattern insists on the regular expressions every engine reads
// alike. VS Code's YAML extension compiles patterns with JavaScript's RegExp,
// which rejects Go's inline flags such as (?i): case is spelt out as [Aa].
func checkPortablePattern(t *testing.T, at, pattern string) {
	t.Helper()
	if _, err := regexp.Compile(pattern); err != nil {
		t.Errorf("%s: pattern %q: %v", at, pattern, err)
	}
	for _, bad := range []string{"(?", `\A`, `\z`, `\Z`, "[[:"} {
		if strings.Contains(pattern, bad) {
			t.Errorf("%s: pattern %q uses %s, which JavaScript (VS Code) does not read as Go does", at, pattern, bad)
		}
	}
}

func eachSchema(node map[string]any, at string, visit func(string, map[string]any)) {
	visit(at, node)
	for _, kw := range schemaValued {
		if sub, ok := node[kw].(map[string]any); ok {
			eachSchema(sub, at+"/"+kw, visit)
		}
	}
	for _, kw := range schemaLists {
		list, _ := node[kw].([]any)
		for i, sub := range list {
			if s, ok := sub.(map[string]any); ok {
				eachSchema(s, fmt.Sprintf("%s/%s/%d", at, kw, i), visit)
			}
		}
	}
	for _, kw := range schemaMaps {
		m, _ := node[kw].(map[string]any)
		for key, sub := range m {
			if s, ok := sub.(map[string]any); ok {
				eachSchema(s, at+"/"+kw+"/"+key, visit)
			}
		}
	}
}

// TestSharedDefinitionsAgree keeps the $defs that several files repeat (each
// schema stands alone, for editors) identical.
func TestSharedDefinitionsAgree(t *testing.T) {
	t.Parallel()
	first := map[string]any{}
	firstIn := map[string]string{}
	for _, name := range Names() {
		data, _ := Get(name)
		defs, _ := decodeSchema(t, name, data)["$defs"].(map[string]any)
		for def, body := range defs {
			if prev, ok := first[def]; ok {
				if !reflect.DeepEqual(prev, body) {
					t.Errorf("$defs/%s differs between %s and %s", def, firstIn[def], name)
				}
				continue
			}
			first[def], firstIn[def] = body, name
		}
	}
}

// TestBundledExamplesAreValid validates the example product's safety files
// against their schemas with a 2020-12 validator, as an editor would.
func TestBundledExamplesAreValid(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../examples/example-epr/safety/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d example files, want the hazard log, manifest, register and configuration", len(files))
	}
	compiled := compileAll(t)
	for _, file := range files {
		name, ok := defaultFiles[filepath.Base(file)]
		if !ok {
			t.Errorf("%s: no schema for this file name", file)
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if ok, problems := gateAccepts(name, data, nil); !ok {
			t.Errorf("%s: the gate rejects the bundled example: %v", file, problems)
		}
		if err := validate(compiled[name], data); err != nil {
			t.Errorf("%s: not valid against %s.schema.json: %v", file, name, err)
		}
	}
}

// TestSchemasAcceptWhatTheGateAccepts runs every safety file in the
// repository's examples and test data through the gate's loader and the
// schema: a file the gate accepts must never be flagged in an editor.
func TestSchemasAcceptWhatTheGateAccepts(t *testing.T) {
	t.Parallel()
	compiled := compileAll(t)
	checked := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while we walk: others work in the tree too
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != "../.." || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		name, ok := defaultFiles[d.Name()]
		if !ok {
			return nil
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if ok, _ := gateAccepts(name, data, nil); !ok {
			return nil
		}
		checked++
		if err := validate(compiled[name], data); err != nil {
			t.Errorf("%s: the gate accepts it, but %s.schema.json does not: %v", path, name, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d safety files the gate accepts are valid against their schemas", checked)
	if checked < 4 {
		t.Errorf("checked %d files the gate accepts; expected at least the four bundled examples", checked)
	}
}

// knownLog is the hazard log that manifests and components maps in the cases
// below refer to.
var knownLog = &safetyfile.HazardLog{Product: "P", Hazards: []safetyfile.Hazard{{ID: "HAZ-001"}, {ID: "HAZ-002"}, {ID: "HAZ-003"}}}

// gateAccepts reports whether csogate accepts a file as the schema name's
// kind, with references to hazards checked against log when it is given.
func gateAccepts(name string, data []byte, log *safetyfile.HazardLog) (bool, safetyfile.Problems) {
	var problems safetyfile.Problems
	switch name {
	case "hazard-log":
		_, _, problems = safetyfile.LoadHazardLog(name, data, safetyfile.Options{})
	case "manifest":
		m, locate, p := safetyfile.LoadManifest(name, data)
		problems = p
		if log != nil {
			problems = append(problems, safetyfile.CheckHazardRefs(m, locate, log, "hazard-log")...)
		}
	case "cso-register":
		_, _, problems = safetyfile.LoadRegister(name, data)
	case "config":
		_, _, problems = safetyfile.LoadConfig(name, data)
	case "hazard-components":
		m, locate, p := safetyfile.LoadComponentsMap(name, data)
		problems = p
		if log != nil {
			problems = append(problems, safetyfile.CheckComponentsMap(m, locate, log)...)
		}
	default:
		panic("no loader for " + name)
	}
	return len(problems) == 0, problems
}

// TestSchemaAgreesWithTheGate runs documents through the gate's loader and
// the schema. Most must get the same verdict from both; gateOnly cases are
// what only the gate can check (uniqueness, glob syntax, the risk matrix).
func TestSchemaAgreesWithTheGate(t *testing.T) {
	t.Parallel()
	compiled := compileAll(t)
	const hazard = "product: P\nhazards:\n  - id: HAZ-001\n    title: T\n    initial: {severity: major, likelihood: medium}\n    residual: {severity: major, likelihood: low}\n"
	const change = "release: 2.4.0\nchanges:\n  - id: CHG-1\n    summary: S\n"
	const officer = "officers:\n  - github: alice-gp\n    name: Dr A\n    body: GMC\n    registration: \"7012345\"\n    trained: 2024-03-01\n"
	tests := []struct {
		name, schema, doc string
		valid             bool
		// gateOnly: the schema accepts it; only the gate can tell it is wrong.
		gateOnly bool
	}{
		// Hazard log.
		{name: "minimal log", schema: "hazard-log", doc: hazard, valid: true},
		{name: "contract example", schema: "hazard-log", valid: true, doc: `product: Example EPR
standard: DCB0129
reviewed: 2026-10-01
hazards:
  - id: HAZ-001
    title: Wrong patient's record shown after search
    description: A search returns a different patient.
    causes: [Fuzzy matching]
    effects: [Wrong record read]
    harm: Wrong treatment.
    components: ["src/search/**"]
    controls:
      - id: CTL-001
        description: Patient banner shows NHS number and date of birth
        kind: design
        evidence: "tests/search_banner_test.go"
    initial:  {severity: major, likelihood: medium}
    residual: {severity: major, likelihood: very-low}
    risk: {initial: 3, residual: 2}
    status: open
    owner: Dr A
    updated: 2026-09-12
`},
		{name: "words in any case and spacing", schema: "hazard-log", valid: true,
			doc: "product: P\nhazards:\n  - id: h.1\n    title: T\n    initial: {severity: MAJOR, likelihood: \"Very Low\"}\n    residual: {severity: \" Minor \", likelihood: VERY_HIGH}\n  - id: h_2\n    title: T\n    initial: {severity: catastrophic, likelihood: verylow}\n    residual: {severity: Significant, likelihood: very  high}\n"},
		{name: "quoted dates, any-case standard, status and kind", schema: "hazard-log", valid: true,
			doc: "product: P\nstandard: dcb0160\nreviewed: \"2026-10-01\"\nhazards:\n  - id: HAZ-001\n    title: T\n    status: Closed\n    controls: [{description: D, kind: Training}]\n    updated: \"2024-02-29\"\n    initial: {severity: major, likelihood: low}\n    residual: {severity: major, likelihood: low}\n"},
		{name: "empty values for optional keys", schema: "hazard-log", valid: true,
			doc: "product: P\nstandard:\nreviewed:\nhazards:\n  - id: HAZ-001\n    title: T\n    description:\n    causes:\n    effects: [~]\n    components:\n    controls:\n    risk:\n    status:\n    owner:\n    updated:\n    initial: {severity: major, likelihood: low}\n    residual: {severity: major, likelihood: low}\n"},
		{name: "numbers as text", schema: "hazard-log", valid: true,
			doc: "product: 2048\nhazards:\n  - id: H1\n    title: 42\n    owner: 7\n    initial: {severity: minor, likelihood: low}\n    residual: {severity: minor, likelihood: low}\n"},
		{name: "no hazards yet", schema: "hazard-log", doc: "product: P\nhazards: []\n", valid: true},
		{name: "unknown key (typo)", schema: "hazard-log", doc: hazard + "    residul: {severity: major, likelihood: low}\n"},
		{name: "unknown top-level key", schema: "hazard-log", doc: hazard + "version: 2\n"},
		{name: "unknown key in an assessment", schema: "hazard-log", doc: strings.Replace(hazard, "likelihood: low}", "likelihood: low, risk: 2}", 1)},
		{name: "bad likelihood word", schema: "hazard-log", doc: strings.Replace(hazard, "likelihood: low", "likelihood: sometimes", 1)},
		{name: "likelihood split by a new line", schema: "hazard-log", doc: strings.Replace(hazard, "likelihood: low", `likelihood: "very\nlow"`, 1)},
		{name: "severity as a number", schema: "hazard-log", doc: strings.Replace(hazard, "severity: major, likelihood: low", "severity: 4, likelihood: low", 1)},
		{name: "likelihood missing", schema: "hazard-log", doc: strings.Replace(hazard, "{severity: major, likelihood: low}", "{severity: major}", 1)},
		{name: "residual missing", schema: "hazard-log", doc: strings.Replace(hazard, "    residual: {severity: major, likelihood: low}\n", "", 1)},
		{name: "bad date", schema: "hazard-log", doc: hazard + "reviewed: 01/10/2026\n"},
		{name: "impossible date", schema: "hazard-log", doc: hazard + "reviewed: 2026-02-30\n"},
		{name: "date with a time", schema: "hazard-log", doc: hazard + "reviewed: 2026-10-01T10:00:00Z\n"},
		{name: "date as a number", schema: "hazard-log", doc: hazard + "reviewed: 20261001\n"},
		{name: "product missing", schema: "hazard-log", doc: strings.Replace(hazard, "product: P\n", "", 1)},
		{name: "product blank", schema: "hazard-log", doc: strings.Replace(hazard, "product: P", `product: "  "`, 1)},
		{name: "product empty", schema: "hazard-log", doc: strings.Replace(hazard, "product: P", "product:", 1)},
		{name: "hazards missing", schema: "hazard-log", doc: "product: P\n"},
		{name: "hazards empty", schema: "hazard-log", doc: "product: P\nhazards:\n"},
		{name: "hazard id missing", schema: "hazard-log", doc: strings.Replace(hazard, "id: HAZ-001", "owner: X", 1)},
		{name: "hazard id starts with a digit", schema: "hazard-log", doc: strings.Replace(hazard, "id: HAZ-001", "id: 1-HAZ", 1)},
		{name: "hazard id as a number", schema: "hazard-log", doc: strings.Replace(hazard, "id: HAZ-001", "id: 7", 1)},
		{name: "title missing", schema: "hazard-log", doc: strings.Replace(hazard, "title: T\n", "", 1)},
		{name: "unknown standard", schema: "hazard-log", doc: hazard + "standard: DCB0999\n"},
		{name: "control without description", schema: "hazard-log", doc: hazard + "    controls: [{kind: design}]\n"},
		{name: "unknown control kind", schema: "hazard-log", doc: hazard + "    controls: [{description: D, kind: review}]\n"},
		{name: "stated risk out of range", schema: "hazard-log", doc: hazard + "    risk: {initial: 6}\n"},
		{name: "list where a value belongs", schema: "hazard-log", doc: hazard + "    harm: [a, b]\n"},
		{name: "value where a list belongs", schema: "hazard-log", doc: hazard + "    causes: one cause\n"},
		{name: "absolute component glob", schema: "hazard-log", doc: hazard + "    components: [\"/src/**\"]\n"},
		{name: "empty component glob", schema: "hazard-log", doc: hazard + "    components: [\"\"]\n"},
		{name: "duplicate hazard id", schema: "hazard-log", gateOnly: true, doc: hazard + "  - id: HAZ-001\n    title: T\n    initial: {severity: minor, likelihood: low}\n    residual: {severity: minor, likelihood: low}\n"},
		{name: "stated risk disagrees with the matrix", schema: "hazard-log", gateOnly: true, doc: hazard + "    risk: {initial: 5}\n"},
		{name: "component glob that does not compile", schema: "hazard-log", gateOnly: true, doc: hazard + "    components: [\"src/[\"]\n"},
		{name: "status the configuration must map", schema: "hazard-log", gateOnly: true, doc: hazard + "    status: Under review\n"},

		// Change manifest.
		{name: "minimal manifest", schema: "manifest", doc: change, valid: true},
		{name: "contract example", schema: "manifest", valid: true, doc: `release: 2.4.0
changes:
  - id: CHG-101
    summary: Allergy banner colour and wording
    clinical: true
    hazards: [HAZ-003]
    paths: ["src/ui/allergy/**"]
    assessment: Tested with three prescribers.
`},
		{name: "clinical in any case, quoted or not, or empty", schema: "manifest", valid: true,
			doc: "release: 3\nchanges:\n  - {id: A, summary: S, clinical: True}\n  - {id: B, summary: S, clinical: FALSE}\n  - {id: C, summary: S, clinical: \"Unsure\"}\n  - {id: D, summary: S, clinical: \" true \"}\n  - {id: E, summary: S, clinical: }\n"},
		{name: "release as a number", schema: "manifest", doc: "release: 2.4\nchanges: []\n", valid: true},
		{name: "clinical yes", schema: "manifest", doc: change + "    clinical: yes\n"},
		{name: "clinical maybe", schema: "manifest", doc: change + "    clinical: maybe\n"},
		{name: "release missing", schema: "manifest", doc: "changes: []\n"},
		{name: "changes missing", schema: "manifest", doc: "release: 1.0.0\n"},
		{name: "summary missing", schema: "manifest", doc: "release: 1\nchanges:\n  - id: CHG-1\n"},
		{name: "change id missing", schema: "manifest", doc: "release: 1\nchanges:\n  - summary: S\n"},
		{name: "unknown key in a change", schema: "manifest", doc: change + "    hazard: [HAZ-001]\n"},
		{name: "hazard id that cannot be in the log", schema: "manifest", doc: change + "    hazards: [3]\n"},
		{name: "absolute path glob", schema: "manifest", doc: change + "    paths: [\"/src/**\"]\n"},
		{name: "duplicate change id", schema: "manifest", gateOnly: true, doc: change + "  - id: CHG-1\n    summary: S\n"},
		{name: "hazard not in the log", schema: "manifest", gateOnly: true, doc: change + "    hazards: [HAZ-999]\n"},

		// CSO register.
		{name: "minimal register", schema: "cso-register", doc: officer, valid: true},
		{name: "contract example", schema: "cso-register", valid: true, doc: `officers:
  - github: alice-gp
    github_id: 583231
    name: Dr Alice Example
    body: GMC
    registration: "7012345"
    registration_expires: 2027-06-30
    trained: 2024-03-01
    products: ["Example EPR"]
`},
		{name: "body in any case, unquoted number, numeric login", schema: "cso-register", valid: true,
			doc: "officers:\n  - github: 12345\n    name: N\n    body: \" gphc \"\n    registration: 7012345\n    trained: \"2025-01-15\"\n    registration_expires:\n    github_id:\n    products:\n  - {github: b, name: N, body: Other, registration: R, trained: 2024-01-01}\n"},
		{name: "nobody", schema: "cso-register", doc: "officers: []\n", valid: true},
		{name: "officers missing", schema: "cso-register", doc: "{}\n"},
		{name: "trained missing", schema: "cso-register", doc: strings.Replace(officer, "    trained: 2024-03-01\n", "", 1)},
		{name: "trained empty", schema: "cso-register", doc: strings.Replace(officer, "trained: 2024-03-01", "trained:", 1)},
		{name: "trained not a date", schema: "cso-register", doc: strings.Replace(officer, "trained: 2024-03-01", "trained: March 2024", 1)},
		{name: "unknown body", schema: "cso-register", doc: strings.Replace(officer, "body: GMC", "body: RCN", 1)},
		{name: "body missing", schema: "cso-register", doc: strings.Replace(officer, "    body: GMC\n", "", 1)},
		{name: "name missing", schema: "cso-register", doc: strings.Replace(officer, "    name: Dr A\n", "", 1)},
		{name: "registration missing", schema: "cso-register", doc: strings.Replace(officer, "    registration: \"7012345\"\n", "", 1)},
		{name: "login with an underscore", schema: "cso-register", doc: strings.Replace(officer, "github: alice-gp", "github: alice_gp", 1)},
		{name: "login with a double hyphen", schema: "cso-register", doc: strings.Replace(officer, "github: alice-gp", "github: alice--gp", 1)},
		{name: "negative github_id", schema: "cso-register", doc: officer + "    github_id: -5\n"},
		{name: "unknown key in an officer", schema: "cso-register", doc: officer + "    email: a@example.org\n"},
		{name: "officer listed twice", schema: "cso-register", gateOnly: true, doc: officer + strings.TrimPrefix(officer, "officers:\n")},

		// Gate configuration.
		{name: "contract example", schema: "config", valid: true, doc: `clinical_paths: ["src/clinical/**"]
ignore_paths: ["docs/**", "**/*.md"]
approvals:
  minimum: 1
  by_residual_risk: {3: 2}
acceptable_residual_risk: 3
hazard_log_max_age_days: 365
stale_hazard_log: warn
policies: ["safety/policies"]
columns: {"Risk Cause": causes, "Mitigation": "Existing controls"}
statuses: {"Under review": open, "Done": " Closed "}
hazard_id_prefix: HAZ-
product: Example EPR
`},
		{name: "empty configuration", schema: "config", doc: "{}\n", valid: true},
		{name: "every key empty", schema: "config", valid: true,
			doc: "clinical_paths:\nignore_paths:\napprovals:\nacceptable_residual_risk:\nhazard_log_max_age_days:\nstale_hazard_log:\npolicies:\ncolumns:\nstatuses:\nhazard_id_prefix:\nproduct:\n"},
		{name: "empty prefix, padded keys, nested empties", schema: "config", valid: true,
			doc: "hazard_id_prefix: \"\"\napprovals: {minimum: , by_residual_risk: {\"05\": 3, 1: 1}}\nstale_hazard_log: block\npolicies: [policies, \"a/b\"]\n"},
		{name: "no approvals needed", schema: "config", doc: "approvals: {minimum: 0}\n"},
		{name: "threshold that is not a rating", schema: "config", doc: "approvals: {by_residual_risk: {6: 2}}\n"},
		{name: "threshold needing no approvals", schema: "config", doc: "approvals: {by_residual_risk: {3: 0}}\n"},
		{name: "unknown key in approvals", schema: "config", doc: "approvals: {min: 2}\n"},
		{name: "residual risk 5 acceptable", schema: "config", doc: "acceptable_residual_risk: 5\n"},
		{name: "maximum age zero", schema: "config", doc: "hazard_log_max_age_days: 0\n"},
		{name: "stale policy in capitals", schema: "config", doc: "stale_hazard_log: Block\n"},
		{name: "status mapped to an unknown status", schema: "config", doc: "statuses: {\"Under review\": pending}\n"},
		{name: "prefix starting with a digit", schema: "config", doc: "hazard_id_prefix: 1-\n"},
		{name: "absolute policy directory", schema: "config", doc: "policies: [\"/etc/policies\"]\n"},
		{name: "policy directory leaving the repository", schema: "config", doc: "policies: [\"../policies\"]\n"},
		{name: "policy directory climbing out", schema: "config", doc: "policies: [\"a/../../b\"]\n"},
		{name: "blank policy directory", schema: "config", doc: "policies: [\" \"]\n"},
		{name: "unknown top-level key", schema: "config", doc: "approval: {minimum: 2}\n"},
		{name: "absolute clinical path", schema: "config", doc: "clinical_paths: [\"/src/**\"]\n"},
		{name: "clinical path that does not compile", schema: "config", gateOnly: true, doc: "clinical_paths: [\"src/[\"]\n"},
		{name: "release baseline", schema: "config", valid: true, doc: "baseline: v2.3.0\n"},
		{name: "baseline that is no tag name", schema: "config", gateOnly: true, doc: "baseline: \"v2.3.0 or later\"\n"},

		// Components map.
		{name: "contract example", schema: "hazard-components", valid: true,
			doc: "HAZ-001: [\"src/search/**\"]\nHAZ-003: [\"src/ui/allergy/**\", \"src/api/allergies.go\"]\n"},
		{name: "hazard with no globs", schema: "hazard-components", doc: "HAZ-002:\n", valid: true},
		{name: "globs as one value", schema: "hazard-components", doc: "HAZ-001: \"src/**\"\n"},
		{name: "absolute glob", schema: "hazard-components", doc: "HAZ-001: [\"/src/**\"]\n"},
		{name: "id that cannot be in the log", schema: "hazard-components", doc: "7: [\"src/**\"]\n"},
		{name: "hazard not in the log", schema: "hazard-components", gateOnly: true, doc: "HAZ-999: [\"src/**\"]\n"},
		{name: "glob that does not compile", schema: "hazard-components", gateOnly: true, doc: "HAZ-001: [\"src/[\"]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.schema+"/"+tt.name, func(t *testing.T) {
			gateOK, problems := gateAccepts(tt.schema, []byte(tt.doc), knownLog)
			schemaErr := validate(compiled[tt.schema], []byte(tt.doc))
			wantSchema := tt.valid || tt.gateOnly
			if gateOK != tt.valid {
				t.Errorf("the gate says valid=%v, want %v; problems: %v", gateOK, tt.valid, problems)
			}
			if (schemaErr == nil) != wantSchema {
				t.Errorf("the schema says valid=%v, want %v; error: %v", schemaErr == nil, wantSchema, schemaErr)
			}
		})
	}
}

// TestWordsAgreeWithTheParsers checks the case-insensitive patterns against
// the parsers the decoder uses, spelling by spelling.
func TestWordsAgreeWithTheParsers(t *testing.T) {
	t.Parallel()
	compiled := compileAll(t)
	check := func(def string, parse func(string) error, words []string) {
		sch := compiled["hazard-log#/$defs/"+def]
		for _, w := range words {
			gateOK := parse(w) == nil
			schemaErr := sch.Validate(w)
			if gateOK != (schemaErr == nil) {
				t.Errorf("%s %q: the parser says valid=%v, the schema says %v (%v)", def, w, gateOK, schemaErr == nil, schemaErr)
			}
		}
	}
	check("severity", func(s string) error { _, err := risk.ParseSeverity(s); return err }, []string{
		"minor", "Minor", "SIGNIFICANT", "considerable", " major ", "_major_", "-major-", "\tCatastrophic\n",
		"catastrophe", "maj or", "5", "", "very-major", "major minor", "mAjOr",
	})
	check("likelihood", func(s string) error { _, err := risk.ParseLikelihood(s); return err }, []string{
		"very-low", "Very Low", "VERY_LOW", "very  low", "verylow", "very - low", "VeryHigh", "very-high", "very_high",
		"low", " LOW ", "-low-", "medium\n", "high", "very", "lowish", "very_very_low", "very\nlow", "", "3", "extremely low",
	})
	check("date", func(s string) error { _, err := safetyfile.ParseDate(s); return err }, []string{
		"2026-10-01", "2024-02-29", "2026-02-29", "2026-13-01", "2026-1-01", "26-10-01", "2026/10/01",
		"2026-10-01T00:00:00Z", "", "01-10-2026",
	})
}

// compileAll compiles every schema, and the $defs the word tests use, with
// format assertions on ("format": "date" is checked, as editors check it).
func compileAll(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, name := range Names() {
		data, _ := Get(name)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource("csogate:"+name, doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, loc := range append(Names(), "hazard-log#/$defs/severity", "hazard-log#/$defs/likelihood", "hazard-log#/$defs/date") {
		sch, err := c.Compile("csogate:" + loc)
		if err != nil {
			t.Fatalf("compile %s: %v", loc, err)
		}
		out[loc] = sch
	}
	return out
}

// validate checks a YAML document against a schema as an editor would: the
// YAML becomes JSON values first, with an unquoted date read as its text.
func validate(sch *jsonschema.Schema, data []byte) error {
	v, err := yamlToJSON(data)
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

func yamlToJSON(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	return nodeToJSON(doc.Content[0], 0)
}

// nodeToJSON turns a YAML node into the values encoding/json would produce:
// mappings keyed by the keys' text, and timestamps as the text written.
func nodeToJSON(n *yaml.Node, depth int) (any, error) {
	if depth > 100 {
		return nil, fmt.Errorf("line %d: nested too deeply", n.Line)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nodeToJSON(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := nodeToJSON(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			if key.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key that is not a single value", key.Line)
			}
			v, err := nodeToJSON(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			out[key.Value] = v
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str", "!!timestamp", "!!binary":
			return n.Value, nil
		case "!!null":
			return nil, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
}

func decodeSchema(t *testing.T, name string, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s.schema.json is not JSON: %v", name, err)
	}
	return doc
}

func TestYAMLToJSON(t *testing.T) {
	t.Parallel()
	got, err := yamlToJSON([]byte("a: 2026-10-01\nb: [1, 2.5, true, ~, \"x\"]\n3: &x {c: d}\ne: *x\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"a": "2026-10-01",
		"b": []any{1, 2.5, true, nil, "x"},
		"3": map[string]any{"c": "d"},
		"e": map[string]any{"c": "d"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("yamlToJSON = %#v, want %#v", got, want)
	}
	if v, err := yamlToJSON([]byte("# only a comment\n")); err != nil || v != nil {
		t.Errorf("empty document = %v, %v; want nil, nil", v, err)
	}
}
