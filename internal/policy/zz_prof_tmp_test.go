package policy

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/csogate/csogate/internal/fixture"
)

func TestTmpProfile(t *testing.T) {
	e := loadDefaults(t)
	in := fixtureInput(t, fixture.Small.Times(100))
	v, _ := inputValue(in)
	p := profiler.New()
	_, err := e.query.Eval(context.Background(), rego.EvalParsedInput(v), rego.EvalQueryTracer(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.ReportTopNResults(25, []string{"total_time_ns"}) {
		fmt.Printf("%8.1fms num_eval=%6d redo=%6d gen=%6d %s:%d\n", float64(r.ExprTimeNs)/1e6, r.NumEval, r.NumRedo, r.NumGenExpr, r.Location.File, r.Location.Row)
	}
}
