package report

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/changedfiles"
	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/fixture"
	"github.com/csogate/csogate/internal/gate"
)

// fixtureDecision evaluates the fixture product of size s and returns its
// decision, which the renderers are measured on.
func fixtureDecision(b *testing.B, s fixture.Size) *decision.Decision {
	b.Helper()
	dir := b.TempDir()
	if err := fixture.Write(dir, s); err != nil {
		b.Fatal(err)
	}
	p, err := fixture.Generate(s)
	if err != nil {
		b.Fatal(err)
	}
	reviews, err := facts.ParseReviews(p.Reviews)
	if err != nil {
		b.Fatal(err)
	}
	today, _ := time.Parse(time.DateOnly, fixture.Today)
	out := gate.Evaluate(context.Background(), &gate.Request{Paths: gate.DefaultPaths(), WorkspaceRoot: dir,
		Trusted: gate.DirSource{Root: dir}, ChangedFiles: changedfiles.MustParse(p.ChangedFiles), Reviews: reviews,
		HeadSHA: fixture.HeadSHA, Author: fixture.Author, Today: today})
	if out.Decision.Decision != decision.Approved {
		b.Fatalf("fixture decision %s: %+v", out.Decision.Decision, out.Decision.Violations)
	}
	return out.Decision
}

func eachDecision(b *testing.B, render func(d *decision.Decision) error) {
	for _, k := range []int{1, 10, 100} {
		d := fixtureDecision(b, fixture.Small.Times(k))
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			fixture.Loop(b, func() error { return render(d) })
		})
	}
}

// BenchmarkRenderText renders the explanation `csogate check` prints.
func BenchmarkRenderText(b *testing.B) {
	eachDecision(b, func(d *decision.Decision) error { return Text(io.Discard, d) })
}

// BenchmarkRenderJSON renders the decision document (--format json).
func BenchmarkRenderJSON(b *testing.B) {
	eachDecision(b, func(d *decision.Decision) error { return JSON(io.Discard, d) })
}

// BenchmarkRenderMarkdown renders the job summary and pull-request comment.
func BenchmarkRenderMarkdown(b *testing.B) {
	eachDecision(b, func(d *decision.Decision) error {
		_, err := io.WriteString(io.Discard, Markdown(d, Links{}))
		return err
	})
}
