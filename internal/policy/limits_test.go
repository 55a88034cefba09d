package policy

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// runaway is a custom policy that builds every pair of two large ranges: the
// shape of a rule written over files × hazards without an index. Unbounded,
// it takes minutes and exhausts the machine's memory.
var runaway = []Source{{Path: "safety/policies/runaway.rego", Content: []byte(`package csogate.custom.runaway

violation contains {"code": "RUNAWAY", "message": "m"} if {
	pairs := [[i, j] | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)]
	count(pairs) == 0
}
`)}}

// TestEvalLimits checks that a policy that runs away is stopped by the limit
// it reaches first and reported as an error naming that limit, never a
// Result, and never the runtime's out-of-memory crash.
func TestEvalLimits(t *testing.T) {
	engine, err := Load(context.Background(), runaway)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name   string
		limits Limits
		want   string
	}{
		{"memory", Limits{Time: 5 * time.Minute, HeapGrowth: 64 << 20}, "used more than 64 MiB of memory"},
		{"time", Limits{Time: 300 * time.Millisecond, HeapGrowth: 1 << 40}, "did not finish within the 300ms limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := engine.EvalWithin(context.Background(), derived(clinicalInput()), tt.limits)
			if err == nil {
				t.Fatalf("EvalWithin succeeded with %+v, want the %s limit's error", r, tt.name)
			}
			if !reflect.DeepEqual(r, Result{}) {
				t.Errorf("EvalWithin returned a Result with its error: %+v", r)
			}
			for _, w := range []string{tt.want, "evaluation stopped", "index by key"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

// TestEvalWithinLimitsIsUnchanged checks that the watch changes nothing for
// an evaluation that stays within its limits, and that a caller's own
// cancellation is not reported as a limit.
func TestEvalWithinLimitsIsUnchanged(t *testing.T) {
	t.Parallel()
	engine := loadDefaults(t)
	want, err := engine.EvalWithin(context.Background(), derived(clinicalInput()), Limits{Time: time.Hour, HeapGrowth: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	got, err := engine.Eval(context.Background(), derived(clinicalInput()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Eval within the default limits = %+v, want %+v", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := engine.Eval(ctx, derived(clinicalInput())); err == nil || strings.Contains(err.Error(), "limit") {
		t.Errorf("Eval on a cancelled context: %v, want an error that is not a limit's", err)
	}
}

func TestBytesText(t *testing.T) {
	t.Parallel()
	for n, want := range map[uint64]string{3 << 30: "3 GiB", 64 << 20: "64 MiB", 1536 << 20: "1536 MiB", 512: "512 bytes"} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %q, want %q", n, got, want)
		}
	}
}
