package gate

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/policy"
	"github.com/csogate/csogate/internal/safetyfile"
)

// issuesProduct is the test product with its hazard log kept as GitHub
// issues (the product's log exported and listed as GitHub lists it) and
// cfgExtra added to its configuration; the change set is a documentation
// edit, which needs no CSO.
func issuesProduct(t *testing.T, cfgExtra string) *Request {
	t.Helper()
	data, err := os.ReadFile("testdata/product/safety/hazard-log.yaml")
	if err != nil {
		t.Fatal(err)
	}
	log, _, problems := safetyfile.LoadHazardLog("hazard-log.yaml", data, safetyfile.Options{})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	exported, _, err := hazardlog.ExportIssues(log, "hazard")
	if err != nil {
		t.Fatal(err)
	}
	var created []hazardlog.NewIssue
	if err := json.Unmarshal(exported, &created); err != nil {
		t.Fatal(err)
	}
	listing, err := hazardlog.AsListed(created, "https://api.github.com/repos/nhs-example/epr", time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile("testdata/product/safety/csogate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cfgExtra, "stale_hazard_log:") {
		cfg = []byte(strings.Replace(string(cfg), "stale_hazard_log: warn\n", "", 1))
	}
	req := product(t, map[string][]byte{"safety/csogate.yaml": append(cfg, "\nproduct: "+log.Product+"\n"+cfgExtra...)})
	manifest, err := os.ReadFile("testdata/product/safety/changes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	req.BaseManifest = manifest // no manifest change under review
	req.Paths.HazardLog, req.Paths.HazardLogFormat = "github-issues", "github-issues"
	req.HazardLogIssues = listing
	req.ChangedFiles = []string{"docs/guide.md"}
	req.Reviews = nil
	return req
}

func codes(fs []policy.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// TestIssueEditsNeedApproval: a change set that needs no CSO needs one once
// hazard issues were edited outside it (release mode's edits since the
// previous release): the hazard log is then a changed safety file, reported
// as not compared, since GitHub keeps no earlier version of an issue.
func TestIssueEditsNeedApproval(t *testing.T) {
	t.Parallel()
	req := issuesProduct(t, "hazard_log_reviewed: 2026-10-01\n")
	if out := Evaluate(context.Background(), req); out.Decision.Decision != decision.NotRequired {
		t.Fatalf("without edits: %s %v, want not required", out.Decision.Decision, codes(out.Decision.Violations))
	}
	req = issuesProduct(t, "hazard_log_reviewed: 2026-10-01\n")
	req.HazardLogIssuesEdited = []string{"#2"}
	out := Evaluate(context.Background(), req)
	d := out.Decision
	if d.Decision != decision.Blocked || !slices.Contains(d.ViolationCodes(), "CSO_APPROVAL_REQUIRED") {
		t.Fatalf("with #2 edited: %s %v, want blocked for a CSO's approval", d.Decision, d.ViolationCodes())
	}
	if c := out.Input.HazardLogChanges; c.Compared || !strings.Contains(c.Why, "1 hazard issue changed since the previous release (#2)") {
		t.Errorf("hazard log changes %+v, want not compared, naming #2", c)
	}
	// Under risk_reduction_without_control: block, a log that changed and
	// cannot be compared fails closed.
	req = issuesProduct(t, "hazard_log_reviewed: 2026-10-01\nrisk_reduction_without_control: block\n")
	req.HazardLogIssuesEdited = []string{"#2"}
	if d := Evaluate(context.Background(), req).Decision; !slices.Contains(d.ViolationCodes(), "RISK_REDUCED_WITHOUT_CONTROL") {
		t.Errorf("under block: %v, want RISK_REDUCED_WITHOUT_CONTROL", d.ViolationCodes())
	}
}

// TestHazardLogReviewed: an issue-backed log takes its review date from the
// trusted configuration's hazard_log_reviewed, so HAZARD_LOG_STALE judges
// it; without the key it is never reviewed. The key beside a log file, or
// in the future, is INPUT_INVALID.
func TestHazardLogReviewed(t *testing.T) {
	t.Parallel()
	stale := func(d *decision.Decision) bool {
		return slices.Contains(codes(d.Warnings), "HAZARD_LOG_STALE") || slices.Contains(codes(d.Violations), "HAZARD_LOG_STALE")
	}
	if d := Evaluate(context.Background(), issuesProduct(t, "hazard_log_reviewed: 2026-10-01\n")).Decision; stale(d) || d.ExitCode != decision.ExitAllowed {
		t.Errorf("reviewed 2026-10-01: exit %d, warnings %v; want allowed and current", d.ExitCode, codes(d.Warnings))
	}
	if d := Evaluate(context.Background(), issuesProduct(t, "")).Decision; !stale(d) {
		t.Errorf("no hazard_log_reviewed: warnings %v, want HAZARD_LOG_STALE", codes(d.Warnings))
	}
	if d := Evaluate(context.Background(), issuesProduct(t, "hazard_log_reviewed: 2024-01-01\nstale_hazard_log: block\n")).Decision; !slices.Contains(d.ViolationCodes(), "HAZARD_LOG_STALE") {
		t.Errorf("reviewed 2024-01-01 under block: %v, want HAZARD_LOG_STALE", d.ViolationCodes())
	}
	d := Evaluate(context.Background(), issuesProduct(t, "hazard_log_reviewed: 2027-01-01\n")).Decision
	if d.ExitCode != decision.ExitInvalid || !strings.Contains(d.Violations[0].Message, "hazard_log_reviewed: 2027-01-01 is in the future") {
		t.Errorf("in the future: exit %d %+v, want INPUT_INVALID", d.ExitCode, d.Violations)
	}
	cfg, err := os.ReadFile("testdata/product/safety/csogate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := product(t, map[string][]byte{"safety/csogate.yaml": append(cfg, "\nhazard_log_reviewed: 2026-10-01\n"...)})
	d = Evaluate(context.Background(), file).Decision
	if d.ExitCode != decision.ExitInvalid || !strings.Contains(d.Violations[0].Message, "is for a hazard log kept as GitHub issues") {
		t.Errorf("beside a log file: exit %d %+v, want INPUT_INVALID", d.ExitCode, d.Violations)
	}
}
