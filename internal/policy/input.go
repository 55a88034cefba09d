package policy

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/csogate/csogate/internal/facts"
)

// inputValue converts the facts document to a Rego value directly, without
// the JSON round trip ast.InterfaceToValue makes for structs. It follows the
// JSON field names, and writes nil slices and maps as [] and {} rather than
// null, so a policy may count or iterate any list of the schema without
// guarding against null (count(null) is an error under strict built-ins).
//
// The document's top-level lists and objects (the changes, the hazards, the
// test evidence, ...) are converted on goroutines of their own, each with its
// own converter: converting is a tenth of a second on a 10,000-change
// manifest, on the path between reading the files and the policies, and a
// machine has a second core. A slice shared between two of them is converted
// once in each; the value is the same.
func inputValue(in *facts.Input) (ast.Value, error) {
	if in == nil {
		return ast.Null{}, nil
	}
	v := reflect.ValueOf(in).Elem()
	fields := structFields(v.Type())
	terms := make([]*ast.Term, len(fields))
	errs := make([]error, len(fields))
	var wg sync.WaitGroup
	scalars := newConverter()
	for i, f := range fields {
		switch v.Field(f.index).Kind() {
		case reflect.Slice, reflect.Map, reflect.Struct:
			wg.Add(1)
			go func() {
				defer wg.Done()
				terms[i], errs[i] = newConverter().term(v.Field(f.index))
			}()
		default:
			terms[i], errs[i] = scalars.term(v.Field(f.index))
		}
	}
	wg.Wait()
	pairs := make([][2]*ast.Term, len(fields))
	for i, f := range fields {
		if errs[i] != nil {
			return nil, fmt.Errorf(".%s: %w", f.name, errs[i])
		}
		pairs[i] = [2]*ast.Term{f.key, terms[i]}
	}
	return ast.NewObject(pairs...), nil
}

func newConverter() *converter {
	return &converter{shared: map[sliceKey]*ast.Term{}, strings: map[string]*ast.Term{}}
}

// checkInput refuses a facts document whose changes or files refer to a
// hazard it does not describe: the policies would see no residual risk for it,
// and an unscored hazard must block, not pass.
func checkInput(in *facts.Input) error {
	missing := func(id, where string) error {
		return fmt.Errorf("the facts document is inconsistent: hazard %s (%s) is not in input.hazards", id, where)
	}
	for _, c := range in.Changes {
		for _, id := range c.Hazards {
			if _, ok := in.Hazards[id]; !ok {
				return missing(id, "named by "+c.ID)
			}
		}
		for _, id := range c.TouchedHazards {
			if _, ok := in.Hazards[id]; !ok {
				return missing(id, "touched by "+c.ID)
			}
		}
		for _, g := range c.TouchGroups {
			for _, id := range g.Hazards {
				if _, ok := in.Hazards[id]; !ok {
					return missing(id, "touched by "+c.ID+" in "+strings.Join(g.Sample, ", "))
				}
			}
		}
	}
	for _, f := range in.Files {
		for _, id := range f.Hazards {
			if _, ok := in.Hazards[id]; !ok {
				return missing(id, "matched by "+f.Path)
			}
		}
	}
	if err := facts.CheckDerived(in); err != nil {
		return fmt.Errorf("the facts document is inconsistent: %w", err)
	}
	return nil
}

// converter turns Go values into Rego terms. A slice the facts share between
// many places (facts.Build gives every changed file that matches the same
// globs the same hazard list) is converted once and its term shared: Rego
// values are immutable, and 3,000 files under a glob of 100 hazards would
// otherwise make 300,000 terms.
type converter struct {
	shared  map[sliceKey]*ast.Term
	strings map[string]*ast.Term
}

// sliceKey identifies a slice's contents by where they are in memory.
type sliceKey struct {
	data uintptr
	n    int
	typ  reflect.Type
}

// emptyArray is every empty list's term: Rego values are immutable.
var emptyArray = ast.ArrayTerm()

// str returns the one term of a string that lists hold.
func (c *converter) str(s string) *ast.Term {
	t, ok := c.strings[s]
	if !ok {
		t = ast.InternedTerm(s)
		c.strings[s] = t
	}
	return t
}

func (c *converter) term(v reflect.Value) (*ast.Term, error) {
	switch v.Kind() {
	case reflect.String:
		return ast.InternedTerm(v.String()), nil
	case reflect.Bool:
		return ast.InternedTerm(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.InternedTerm(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.UIntNumberTerm(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return ast.FloatNumberTerm(v.Float()), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.NullTerm(), nil
		}
		return c.term(v.Elem())
	case reflect.Slice, reflect.Array:
		var key sliceKey
		if v.Kind() == reflect.Slice && v.Len() > 0 {
			key = sliceKey{data: v.Pointer(), n: v.Len(), typ: v.Type()}
			if t, ok := c.shared[key]; ok {
				return t, nil
			}
		}
		if v.Len() == 0 {
			return emptyArray, nil
		}
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			if v.Type().Elem().Kind() == reflect.String {
				// Hazard ids and change ids recur across lists (a broad
				// glob's hundred ids in every change under it): one term
				// each.
				terms[i] = c.str(v.Index(i).String())
				continue
			}
			x, err := c.term(v.Index(i))
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			terms[i] = x
		}
		t := ast.ArrayTerm(terms...)
		if key.n > 0 {
			c.shared[key] = t
		}
		return t, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key type %s: want string", v.Type().Key())
		}
		pairs := make([][2]*ast.Term, 0, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			x, err := c.term(iter.Value())
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", iter.Key().String(), err)
			}
			pairs = append(pairs, [2]*ast.Term{ast.StringTerm(iter.Key().String()), x})
		}
		return ast.ObjectTerm(pairs...), nil
	case reflect.Struct:
		fields := structFields(v.Type())
		pairs := make([][2]*ast.Term, 0, len(fields))
		for _, f := range fields {
			x, err := c.term(v.Field(f.index))
			if err != nil {
				return nil, fmt.Errorf(".%s: %w", f.name, err)
			}
			pairs = append(pairs, [2]*ast.Term{f.key, x})
		}
		return ast.ObjectTerm(pairs...), nil
	default:
		return nil, fmt.Errorf("cannot convert %s", v.Type())
	}
}

type field struct {
	index int
	name  string
	key   *ast.Term
}

var fieldCache sync.Map // reflect.Type → []field

// structFields lists the exported fields of a struct type with their JSON
// names, as encoding/json would name them (json:"-" is skipped).
func structFields(t reflect.Type) []field {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.([]field)
	}
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			// Embedded structs would need encoding/json's flattening rules;
			// the facts schema has none, and the conversion test would catch
			// one.
			continue
		}
		name := sf.Name
		if tag, ok := sf.Tag.Lookup("json"); ok {
			tagName, _, _ := strings.Cut(tag, ",")
			if tagName == "-" {
				continue
			}
			if tagName != "" {
				name = tagName
			}
		}
		fields = append(fields, field{index: i, name: name, key: ast.StringTerm(name)})
	}
	fieldCache.Store(t, fields)
	return fields
}
