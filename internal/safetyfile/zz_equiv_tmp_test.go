package safetyfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/fixture"
)

func TestTmpEquivalence(t *testing.T) {
	var inputs [][]byte
	filepath.WalkDir("/work/main", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".mirror" || d.Name() == ".library") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.Contains(p, "testdata/fuzz")) {
			data, _ := os.ReadFile(p)
			inputs = append(inputs, data)
		}
		return nil
	})
	for _, dir := range []string{"/root/.cache/go-build/fuzz/github.com/csogate/csogate/internal/safetyfile", "/root/.cache/go-build/fuzz/github.com/csogate/csogate/internal/hazardlog/FuzzMarkdown", "/root/.cache/go-build/fuzz/github.com/csogate/csogate/internal/gate", "/work/main/internal/safetyfile/testdata/fuzz"} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(p)
			for _, line := range strings.Split(string(data), "\n") {
				for _, pre := range []string{"[]byte(", "string("} {
					if strings.HasPrefix(line, pre) && strings.HasSuffix(line, ")") {
						if u, err := strconv.Unquote(line[len(pre) : len(line)-1]); err == nil {
							inputs = append(inputs, []byte(u))
						}
					}
				}
			}
			return nil
		})
	}
	// fuzz corpus files are go test fuzz v1 encoded; include raw content lines too
	for _, k := range []int{1, 3} {
		f, _ := fixture.Generate(fixture.Small.Times(k))
		inputs = append(inputs, f.HazardLog, f.Manifest, f.Register, f.Config)
	}
	extra := []string{
		"statuses: {\"Under.review\": open, Under: closed, x: nope}\ncolumns: {\"a[1\": b}\napprovals: {by_residual_risk: {03: 2, 3: 0, x: 1, 3: 4}}\n",
		"HAZ-1: [\"a/**\", \"\"]\nHAZ-1.2: [x]\nHAZ-1: [y]\n",
		"a: &a [1,2]\nb: *a\n",
		"hazards:\n  - &h {id: X, title: t}\n  - *h\n  - id: Y\n    risk: null\n  - risk: {initial: x}\n",
		"officers: {a: b}\n",
		"hazards: [1, [2], {id: [3]}]\nproduct: [x]\n",
		"- a\n- b\n",
		"",
		"# only a comment\n",
		"a: 1\n---\nb: 2\n",
		"a[0]: [x]\na: [y, z]\n", "a: [y, z]\na[0]: [x]\n", "'': [a, '']\n'.': [b]\n'[0]': [c]\n",
		"statuses: {'': open, '.': x, '.[0]': y}\ncolumns: {'': a}\napprovals: {by_residual_risk: {'': 1, 1: x}}\n",
		"product: &p x\nstandard: *p\nhazards: &l []\n",
		bomb(),
	}
	for _, e := range extra {
		inputs = append(inputs, []byte(e))
	}
	types := []func() any{
		func() any { return new(HazardLog) }, func() any { return new(Manifest) }, func() any { return new(Register) },
		func() any { c := DefaultConfig(); return &c }, func() any { return new(ComponentsMap) },
	}
	n := 0
	for _, data := range inputs {
		for _, mk := range types {
			for _, allow := range []bool{false, true} {
				a, b := mk(), mk()
				pa, la, oka := decodeYAMLOpt("f.yaml", data, a, allow)
				pb, lb, okb := oldDecodeYAMLOpt("f.yaml", data, b, allow)
				if !reflect.DeepEqual(pa, pb) || oka != okb || !reflect.DeepEqual(a, b) {
					t.Fatalf("differ on %q (%T):\nnew %v %v\nold %v %v", data, a, pa, oka, pb, okb)
				}
				paths := []string{"", "x", "x.y", "[0]", "hazards[49999].causes[3]", "hazards[48000]", "hazards[48076].causes", "hazards[48075].causes[100]", "hazards[99999]", "hazards[0].nope", "hazards[0].id#key", "a.b.c"}
				seen := 0
				for p := range lastOldPos {
					if seen++; seen > 3000 {
						break
					}
					paths = append(paths, p, p+".zz", p+"[0]", p+"[1].id", p+"#key", p+".residual.severity", strings.TrimSuffix(p, "#key")+"x")
				}
				for _, p := range paths {
					n++
					if x, y := la(p), lb(p); x != y {
						t.Fatalf("locate(%q) on %q (%T): new %v old %v", p, data, a, x, y)
					}
				}
			}
		}
	}
	t.Logf("%d inputs, %d lookups", len(inputs), n)
}

func bomb() string {
	var b strings.Builder
	b.WriteString("product: x\nhazards:\n  - &h\n    id: H\n    causes: [")
	for i := 0; i < 100; i++ {
		b.WriteString("c, ")
	}
	b.WriteString("c]\n")
	for i := 0; i < 50000; i++ {
		b.WriteString("  - *h\n")
	}
	return b.String()
}
