package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/fixture"
)

// BenchmarkCheck is the whole `csogate check` in process, as the command line
// runs it on the fixture product at 1×, 10× and 100× (5,000 hazards, 1,000
// changes, 3,000 files, 300 reviews): reading the changed files and reviews,
// the gate, and the text rendering. Process start-up is not included; the
// whole-process comparison in .ci/bench measures that.
func BenchmarkCheck(b *testing.B) {
	for _, k := range []int{1, 10, 100} {
		dir := b.TempDir()
		if err := fixture.Write(dir, fixture.Small.Times(k)); err != nil {
			b.Fatal(err)
		}
		args := append([]string{"-C", dir, "check"}, fixture.CheckArgs()...)
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			fixture.Loop(b, func() error {
				var stderr strings.Builder
				if code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr); code != decision.ExitAllowed {
					return fmt.Errorf("exit %d: %s", code, stderr.String())
				}
				return nil
			})
		})
	}
}
