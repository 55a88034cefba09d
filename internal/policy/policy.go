// Package policy evaluates the gate's Rego policies: it compiles the embedded
// defaults and the user's custom policies once, evaluates the single entry
// point data.csogate.gate.decision on a facts document, and turns what Rego
// decided into typed results. Any failure to compile or evaluate is an error,
// never an empty result: a broken rule must not read as "no violations".
package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/policies"
)

// Query is the one document the gate reads from its policies.
const Query = "data.csogate.gate.decision"

// CustomPackagePrefix is the package every user policy must declare a child
// of: package csogate.custom.<name>.
const CustomPackagePrefix = "csogate.custom"

// defaultDir is the path prefix of the embedded policies in messages and in
// the bundle hash. It cannot clash with a user's repository path, because
// user sources are repository-relative and the defaults are not files there.
const defaultDir = "csogate/policies/"

// Source is one Rego file: its path (for messages) and content. User policies
// come from the trusted base (files or the GitHub contents API), hence bytes
// not paths.
type Source struct {
	Path    string
	Content []byte
}

// Engine is a compiled policy bundle, ready to evaluate many inputs.
type Engine struct {
	query rego.PreparedEvalQuery
	hash  string
}

// Result is what the policies decided about one input.
type Result struct {
	ClinicallyRelevant bool             `json:"clinically_relevant"`
	ClinicalChanges    []ClinicalChange `json:"clinical_changes"`
	Approvals          []Approval       `json:"approvals"`
	CountedApprovals   int              `json:"counted_approvals"`
	RequiredApprovals  int              `json:"required_approvals"`
	TouchedHazards     []string         `json:"touched_hazards"`
	Violations         []Finding        `json:"violations"`
	Warnings           []Finding        `json:"warnings"`
	Rules              []Rule           `json:"rules"`
}

// ClinicalChange is a clinically relevant manifest change and why it is.
type ClinicalChange struct {
	ID              string   `json:"id"`
	Hazards         []string `json:"hazards"`
	MaxResidualRisk int      `json:"max_residual_risk"`
	Reasons         []string `json:"reasons"`
}

// Approval is a standing approving review, whether it counted, and if not,
// the first reason code (contract 3) that excluded it.
type Approval struct {
	Login        string `json:"login"`
	Name         string `json:"name"`
	Body         string `json:"body"`
	Registration string `json:"registration"`
	Commit       string `json:"commit"`
	SubmittedAt  string `json:"submitted_at"`
	ReviewID     int64  `json:"review_id"`
	Counted      bool   `json:"counted"`
	WhyNot       string `json:"why_not"`
	WhyNotDetail string `json:"why_not_detail"`
}

// Finding is a violation or warning: a reason code and a message for the
// engineering lead and the CSO, with the change, hazard or file it concerns.
type Finding struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Change  string `json:"change,omitempty"`
	Hazard  string `json:"hazard,omitempty"`
	File    string `json:"file,omitempty"`
}

// Rule is the outcome of one default rule: passed, failed, warning or
// not_applicable.
type Rule struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// Load compiles the embedded defaults plus user sources once. A user module
// whose package is not csogate.custom.<name>, or whose violation or warning
// rule is not a partial set, is an error naming the file, line and the fix;
// so is any compile error (file:line:col). User *_test.rego files are
// compiled too but only run by Test.
func Load(ctx context.Context, user []Source) (*Engine, error) {
	defaults, err := embedded(policies.Default)
	if err != nil {
		return nil, err
	}
	modules, err := parseAll(defaults, user)
	if err != nil {
		return nil, err
	}
	compiler := newCompiler()
	if compiler.Compile(modules); compiler.Failed() {
		return nil, compileErrors(compiler.Errors)
	}
	query, err := rego.New(
		rego.Query(Query),
		rego.Compiler(compiler),
		rego.StrictBuiltinErrors(true),
		// The decision is decoded from the AST directly (decode.go): no
		// conversion to Go maps and back.
		rego.GenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("preparing %s: %w", Query, err)
	}
	return &Engine{query: query, hash: bundleHash(defaults, user)}, nil
}

// Eval evaluates the decision on input within DefaultLimits. Built-in errors
// are fatal (strict); an undefined decision, output that does not have the
// decision's shape (for example a custom violation without a string code and
// message), a limit reached or any evaluation error is an error, never a
// Result.
func (e *Engine) Eval(ctx context.Context, input *facts.Input) (Result, error) {
	return e.EvalWithin(ctx, input, DefaultLimits)
}

// EvalWithin is Eval within the given limits.
func (e *Engine) EvalWithin(ctx context.Context, input *facts.Input, limits Limits) (Result, error) {
	if input == nil {
		return Result{}, errors.New("evaluating policies: no input")
	}
	if err := checkInput(input); err != nil {
		return Result{}, fmt.Errorf("evaluating policies: %w", err)
	}
	value, err := inputValue(input)
	if err != nil {
		return Result{}, fmt.Errorf("evaluating policies: converting the input: %w", err)
	}
	if err := ctx.Err(); err != nil {
		// OPA looks at cancellation only now and then: a small input could
		// be evaluated in full after the caller gave up.
		return Result{}, fmt.Errorf("evaluating %s: %w", Query, err)
	}
	limited, stop := withinLimits(ctx, limits)
	rs, err := e.query.Eval(limited, rego.EvalParsedInput(value))
	stop()
	if err != nil {
		if lerr := limitError(limited); lerr != nil {
			return Result{}, fmt.Errorf("evaluating %s: %w", Query, lerr)
		}
		return Result{}, fmt.Errorf("evaluating %s: %w", Query, evalError(err))
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return Result{}, fmt.Errorf("evaluating %s: the decision is undefined (a default rule failed to produce a value; check the input against schema %s)", Query, facts.SchemaVersion)
	}
	if len(rs) > 1 {
		return Result{}, fmt.Errorf("evaluating %s: %d decisions, want exactly one", Query, len(rs))
	}
	term, ok := rs[0].Expressions[0].Value.(*ast.Term)
	if !ok {
		return Result{}, fmt.Errorf("evaluating %s: unexpected result type %T", Query, rs[0].Expressions[0].Value)
	}
	result, err := decodeResult(term.Value)
	if err != nil {
		return Result{}, fmt.Errorf("evaluating %s: %w", Query, err)
	}
	return result, nil
}

// BundleHash is the SHA-256 (hex) over the sorted (path, content) of every
// module the engine compiled (the embedded defaults and every user source), for
// evidence records: the same policies give the same hash.
func (e *Engine) BundleHash() string { return e.hash }

func bundleHash(defaults, user []Source) string {
	all := slices.Concat(defaults, user)
	slices.SortFunc(all, func(a, b Source) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, s := range all {
		// Length-prefixed, so no two bundles share an encoding.
		fmt.Fprintf(h, "%d:%s%d:", len(s.Path), s.Path, len(s.Content))
		h.Write(s.Content)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// embedded reads the .rego files of an embedded directory as sources, sorted
// by name.
func embedded(fsys fs.FS) ([]Source, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading embedded policies: %w", err)
	}
	var out []Source
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".rego") {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading embedded policy %s: %w", e.Name(), err)
		}
		out = append(out, Source{Path: defaultDir + e.Name(), Content: data})
	}
	if len(out) == 0 {
		return nil, errors.New("reading embedded policies: none found")
	}
	return out, nil
}

// parseAll parses trusted default sources and user sources (Rego v1), checking
// that user modules stay in their namespace, and reports every problem at
// once.
func parseAll(defaults, user []Source) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(defaults)+len(user))
	var problems []error
	for _, s := range defaults {
		m, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("embedded policy: %w", err)
		}
		modules[s.Path] = m
	}
	for i, s := range user {
		if s.Path == "" {
			problems = append(problems, fmt.Errorf("user policy %d: no path", i+1))
			continue
		}
		if _, dup := modules[s.Path]; dup {
			problems = append(problems, fmt.Errorf("%s: given twice; each policy file must be loaded once", s.Path))
			continue
		}
		m, err := parse(s)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if errs := checkUserModule(s.Path, m); len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		modules[s.Path] = m
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return modules, nil
}

func parse(s Source) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(s.Path, string(s.Content), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
	if err != nil {
		var astErrs ast.Errors
		if errors.As(err, &astErrs) {
			return nil, compileErrors(astErrs)
		}
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s:1:1: empty policy: a Rego file needs at least `package %s.<name>`", s.Path, CustomPackagePrefix)
	}
	return m, nil
}

// checkUserModule keeps a user module in its own namespace, so it can add
// rules but never replace or extend a default one, and makes sure its
// findings reach the decision: a `violation` that is not a partial set would
// be silently ignored by the aggregation, which would fail open.
func checkUserModule(path string, m *ast.Module) []error {
	var errs []error
	pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
	name, ok := strings.CutPrefix(pkg, CustomPackagePrefix+".")
	loc := m.Package.Location
	if !ok || name == "" || len(m.Package.Path) != 4 {
		errs = append(errs, fmt.Errorf("%s: package %s: a custom policy must be in its own package csogate.custom.<name> (for example `package %s.%s`), so it adds rules without changing the default ones; write `violation contains {\"code\": ..., \"message\": ...} if {...}` there",
			position(path, loc), pkg, CustomPackagePrefix, suggestName(path)))
		return errs
	}
	for _, r := range m.Rules {
		ref := r.Head.Ref()
		if len(ref) == 0 {
			continue
		}
		head, ok := ref[0].Value.(ast.Var)
		if !ok || (head != "violation" && head != "warning") {
			continue
		}
		if len(ref) != 1 || r.Head.RuleKind() != ast.MultiValue {
			errs = append(errs, fmt.Errorf("%s: %s must be a partial set rule, `%s contains {\"code\": \"MY_CODE\", \"message\": \"...\"} if {...}`, or the gate would not see its findings",
				position(path, r.Location), head, head))
		}
	}
	return errs
}

// suggestName turns a file name into a valid package name for the fix in a
// message: safety/policies/two-csos.rego → two_csos.
func suggestName(path string) string {
	base := path[strings.LastIndex(path, "/")+1:]
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".rego"), "_test")
	var b strings.Builder
	for i, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
			b.WriteRune(r)
		case r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "mine"
	}
	return b.String()
}

func position(path string, loc *ast.Location) string {
	if loc == nil {
		return path + ":1:1"
	}
	return path + ":" + strconv.Itoa(loc.Row) + ":" + strconv.Itoa(loc.Col)
}

// newCompiler is the compiler for both evaluation and tests: Rego v1, and
// only deterministic built-ins, so that a decision can be re-derived from its
// recorded input (check --replay) and no policy reaches the network.
func newCompiler() *ast.Compiler {
	return ast.NewCompiler().
		WithDefaultRegoVersion(ast.RegoV1).
		WithCapabilities(capabilities())
}

func capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := c.Builtins[:0:0]
	for _, b := range c.Builtins {
		if !b.Nondeterministic {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	return c
}

// nondeterministic names the built-ins capabilities leaves out, for the hint
// on an "undefined function" error.
func nondeterministic(name string) bool {
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Name == name {
			return b.Nondeterministic
		}
	}
	return false
}

// compileErrors lists every compile error as file:line:col: message.
func compileErrors(errs ast.Errors) error {
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		msg := e.Code + ": " + e.Message
		if name, ok := strings.CutPrefix(e.Message, "undefined function "); ok && nondeterministic(name) {
			msg += " (csogate policies may not use non-deterministic built-ins such as http.send or time.now_ns: a decision must follow from its recorded input alone)"
		}
		if e.Location != nil {
			out = append(out, fmt.Errorf("%s: %s", position(e.Location.File, e.Location), msg))
		} else {
			out = append(out, errors.New(msg))
		}
	}
	if len(out) == 0 {
		return errors.New("compiling policies: unknown error")
	}
	return errors.Join(out...)
}

// evalError gives an evaluation error its file:line:col.
func evalError(err error) error {
	var te *topdown.Error
	if errors.As(err, &te) && te.Location != nil {
		return fmt.Errorf("%s: %s: %s", position(te.Location.File, te.Location), te.Code, te.Message)
	}
	return err
}
