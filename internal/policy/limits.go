package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"
)

// Limits bound one evaluation. A custom policy is code the gate runs: one
// that iterates over a product of large collections can take minutes or
// exhaust the machine's memory, and a process killed by the runtime's
// out-of-memory crash says nothing a person can act on (and exits 2, which
// reads as bad input). Within the limits the evaluation is cancelled and
// reported as a policy error (GATE_ERROR, exit 3) naming the limit.
type Limits struct {
	// Time is the longest an evaluation may run.
	Time time.Duration
	// HeapGrowth is how far the process's heap may grow while the policies
	// are evaluated, in bytes. The heap is the process's, so evaluations run
	// at the same time share it: the bound is on the gate, not on one rule.
	HeapGrowth uint64
}

// DefaultLimits are generous for the default policies on a product far
// larger than any seen (5,000 hazards, 3,000 changed files: a few hundred
// MB and well under ten seconds), and small enough that a runaway custom
// policy stops long before a 7 GB hosted runner runs out of memory.
var DefaultLimits = Limits{Time: 2 * time.Minute, HeapGrowth: 3 << 30}

// heapSampleEvery is how often the heap is looked at during an evaluation.
// Reading one runtime metric does not stop the world; a policy that
// allocates gigabytes needs far longer than this to do it.
const heapSampleEvery = 5 * time.Millisecond

// errLimit is the cause of a cancellation by a limit.
type errLimit struct{ what string }

func (e errLimit) Error() string { return e.what }

// heapObjectsMetric is the live and not-yet-swept heap, in bytes.
const heapObjectsMetric = "/memory/classes/heap/objects:bytes"

func heapBytes(sample []metrics.Sample) uint64 {
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// withinLimits returns a context that is cancelled, with an errLimit cause,
// when the evaluation outlives l.Time or the heap grows by more than
// l.HeapGrowth; stop releases the watch.
func withinLimits(ctx context.Context, l Limits) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(l.Time, func() {
		cancel(errLimit{fmt.Sprintf("the policies did not finish within the %s limit on an evaluation", l.Time)})
	})
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: heapObjectsMetric}}
		start := heapBytes(sample)
		tick := time.NewTicker(heapSampleEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if now := heapBytes(sample); now > start && now-start > l.HeapGrowth {
					cancel(errLimit{fmt.Sprintf("the policies used more than %s of memory, the limit on an evaluation", bytesText(l.HeapGrowth))})
					return
				}
			}
		}
	}()
	return ctx, func() {
		timer.Stop()
		close(done)
		cancel(nil)
	}
}

// limitError explains an evaluation error caused by a limit, or returns nil.
func limitError(ctx context.Context) error {
	var l errLimit
	if errors.As(context.Cause(ctx), &l) {
		return fmt.Errorf("%s: evaluation stopped; a custom policy that iterates over every pair of two large collections (files × hazards, changes × reviews) is the usual cause — index by key instead, and test it with `csogate check --format input` on a large product", l.what)
	}
	return nil
}

func bytesText(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
