package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/csogate/csogate/policies"
)

// testTimeout bounds one Rego test.
const testTimeout = time.Minute

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

// runTests runs the default tests against the defaults alone, so a custom
// policy cannot make them fail by adding findings, then the user's tests
// against the defaults and every user source, as Load compiles them. Results
// are sorted by file and line.
func runTests(ctx context.Context, user []Source) ([]*tester.Result, error) {
	defaults, err := embedded(policies.Default)
	if err != nil {
		return nil, err
	}
	tests, err := embedded(policies.Tests)
	if err != nil {
		return nil, err
	}
	// A broken user source is reported before any test runs.
	if _, err := parseAll(defaults, user); err != nil {
		return nil, err
	}
	results, err := runModules(ctx, slices.Concat(defaults, tests), nil)
	if err != nil {
		return nil, err
	}
	if len(user) > 0 {
		more, err := runModules(ctx, defaults, user)
		if err != nil {
			return nil, err
		}
		results = append(results, more...)
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

// runModules compiles trusted and user sources together and runs every test
// rule among them, built-in errors fatal as in Eval.
func runModules(ctx context.Context, trusted, user []Source) ([]*tester.Result, error) {
	modules, err := parseAll(trusted, user)
	if err != nil {
		return nil, err
	}
	ch, err := tester.NewRunner().
		SetCompiler(newCompiler()).
		SetDefaultRegoVersion(ast.RegoV1).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		// OPA's 5 s default is for a quiet machine; a busy CI runner with the
		// race detector can take longer, and the caller's ctx still bounds
		// the whole run.
		SetTimeout(testTimeout).
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
