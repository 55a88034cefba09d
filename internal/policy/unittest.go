package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/csogate/csogate/policies"
)

// Test runs every Rego unit test (the embedded default tests plus the user's
// *_test.rego files) with OPA's tester, built-in errors fatal as in Eval. It
// returns nil when all pass, and otherwise an error listing each failed test
// with file:line.
func Test(ctx context.Context, user []Source) error {
	results, err := runTests(ctx, user)
	if err != nil {
		return err
	}
	var failed []error
	for _, r := range results {
		if !r.Fail && r.Error == nil {
			continue // passed, or a todo_ test OPA skips
		}
		failed = append(failed, testFailure(r))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d policy tests failed:\n%w", len(failed), len(results), errors.Join(failed...))
	}
	return nil
}

// runTests compiles the defaults, their tests and the user's sources together
// and runs every test rule, sorted by file and line.
func runTests(ctx context.Context, user []Source) ([]*tester.Result, error) {
	defaults, err := embedded(policies.Default)
	if err != nil {
		return nil, err
	}
	tests, err := embedded(policies.Tests)
	if err != nil {
		return nil, err
	}
	modules, err := parseAll(slices.Concat(defaults, tests), user)
	if err != nil {
		return nil, err
	}
	ch, err := tester.NewRunner().
		SetCompiler(newCompiler()).
		SetDefaultRegoVersion(ast.RegoV1).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		RunTests(ctx, nil)
	if err != nil {
		var astErrs ast.Errors
		if errors.As(err, &astErrs) {
			return nil, compileErrors(astErrs)
		}
		return nil, fmt.Errorf("running policy tests: %w", err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("running policy tests: %w", err)
	}
	slices.SortFunc(results, func(a, b *tester.Result) int {
		return cmp.Or(
			strings.Compare(a.Location.File, b.Location.File),
			cmp.Compare(a.Location.Row, b.Location.Row),
			strings.Compare(a.Name, b.Name),
		)
	})
	return results, nil
}

// testFailure says which test failed, where, and how.
func testFailure(r *tester.Result) error {
	where := fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
	name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
	switch {
	case r.Error != nil:
		return fmt.Errorf("%s: %s: ERROR: %w", where, name, evalError(r.Error))
	default:
		msg := fmt.Sprintf("%s: %s: FAIL", where, name)
		if r.FailedAt != nil && r.FailedAt.Location != nil {
			msg += fmt.Sprintf(" at %s:%d: %s", r.FailedAt.Location.File, r.FailedAt.Location.Row, r.FailedAt)
		}
		return errors.New(msg)
	}
}
