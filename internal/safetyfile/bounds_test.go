package safetyfile

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// aliasBomb is a hazard log of some 360 KB that validated before the decoder
// counted decoded bytes: one control with a 100 KB description, and 20,000
// aliases of it. Decoded, it is 2 GB of text, and every later step (facts,
// the decision record, export) copied it until the process ran out of memory.
func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString("product: Bomb\nstandard: DCB0129\nreviewed: 2026-10-01\nhazards:\n")
	b.WriteString("  - id: HAZ-001\n    title: t\n    description: d\n    causes: [c]\n    effects: [e]\n    harm: h\n")
	b.WriteString("    components: [\"src/**\"]\n")
	b.WriteString("    initial: {severity: major, likelihood: medium}\n    residual: {severity: major, likelihood: very-low}\n")
	b.WriteString("    risk: {initial: 3, residual: 2}\n    status: open\n    owner: o\n    updated: 2026-09-12\n")
	b.WriteString("    controls:\n      - &c\n        id: CTL-001\n        kind: design\n        evidence: e\n        description: ")
	b.WriteString(strings.Repeat("x", 100_000))
	b.WriteString("\n")
	for range 20_000 {
		b.WriteString("      - *c\n")
	}
	return []byte(b.String())
}

// TestAliasBombIsRefusedWithBoundedMemory: the decoder counts the bytes of
// every value it visits, through aliases too, and stops at the limit with
// one problem that names it and how to raise it.
func TestAliasBombIsRefusedWithBoundedMemory(t *testing.T) {
	data := aliasBomb()
	if len(data) > 400_000 {
		t.Fatalf("the bomb is %d bytes; it should be small", len(data))
	}
	cfg := DefaultConfig()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	log, _, problems := LoadHazardLog("h.yaml", data, Options{Limit: cfg.HazardLogLimit()})
	runtime.ReadMemStats(&after)
	if len(problems) != 1 || problems[0].Code != CodeInputInvalid {
		t.Fatalf("want one INPUT_INVALID problem, got %d: %v", len(problems), problems)
	}
	p := problems[0]
	for _, want := range []string{"64 MiB (67108864 bytes)", "aliases are expanded", "max_input_bytes", ConfigPath} {
		if !strings.Contains(p.Message, want) {
			t.Errorf("message lacks %q: %s", want, p.Message)
		}
	}
	if p.File != "h.yaml" || p.Line < 20 || p.Column == 0 {
		t.Errorf("problem at %s:%d:%d, want at the alias where the budget ran out", p.File, p.Line, p.Column)
	}
	if log == nil {
		t.Fatal("no log")
	}
	// The yaml.v3 tree of the file is a few MB; the budget keeps the walk
	// from allocating per decoded byte.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("decoding the bomb allocated %d MB", alloc>>20)
	}
}

// TestDecodedBytesLimitHoldsWithoutAliases: a file over the limit is refused
// before it is parsed, with a message about its size, not about aliases.
func TestDecodedBytesLimitHoldsWithoutAliases(t *testing.T) {
	t.Parallel()
	small := Limit{Bytes: 1 << 20, Raise: "raise max_input_bytes"}
	data := []byte("product: P\nstandard: DCB0129\nreviewed: 2026-10-01\nhazards: []\nx: " + strings.Repeat("y", 2<<20) + "\n")
	_, _, problems := LoadHazardLog("h.yaml", data, Options{Limit: small})
	if len(problems) != 1 {
		t.Fatalf("want one problem, got %d: %v", len(problems), problems)
	}
	want := fmt.Sprintf("the file is %d bytes, over the 1 MiB (1048576 bytes) csogate reads from one safety file; if the file really needs more, raise max_input_bytes", len(data))
	if problems[0].Message != want || problems[0].Line != 1 {
		t.Errorf("got %s:%d %q\nwant %q", problems[0].File, problems[0].Line, problems[0].Message, want)
	}
}

// TestValueCountMessageIsTrue: more values than the budget, with no alias
// anywhere, is not blamed on aliases; with aliases, it is. (The budget is
// lowered here: five million values take a gigabyte to parse.)
func TestValueCountMessageIsTrue(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, doc, want string
	}{
		{"plain", "clinical_paths:\n" + strings.Repeat("- a\n", 20), "the document has more than 5000000 values"},
		{"aliases", "clinical_paths: &l [a, a, a, a, a]\nignore_paths: *l\npolicies: *l\n", "expands to more than 5000000 values through aliases"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			target := reflect.ValueOf(&cfg).Elem()
			d := newDecoder("c.yaml", target.Type(), Limit{})
			d.budget = 12
			if d.decode([]byte(tt.doc), target, false) {
				t.Error("a decode the budget stopped reports success")
			}
			if len(d.r.problems) != 1 || !strings.Contains(d.r.problems[0].Message, tt.want) {
				t.Errorf("problems %v, want one saying %q", d.r.problems, tt.want)
			}
		})
	}
}

// TestFixedLimitSaysItIsFixed: files whose limit no configuration raises
// (the manifest, the register) say so rather than point at a key that does
// not apply to them.
func TestFixedLimitSaysItIsFixed(t *testing.T) {
	t.Parallel()
	p, over := CheckSize("safety/changes.yaml", DefaultMaxInputBytes+1, Limit{})
	if !over || !strings.HasSuffix(p.Message, "the limit is fixed for this file") || strings.Contains(p.Message, "max_input_bytes") {
		t.Errorf("over %v, message %q", over, p.Message)
	}
	if _, over := CheckSize("safety/changes.yaml", DefaultMaxInputBytes, Limit{}); over {
		t.Error("a file of exactly the limit is refused")
	}
}
