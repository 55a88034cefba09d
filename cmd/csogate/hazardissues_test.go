package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/safetyfile"
)

// issuesWorkspace is the example product with its hazard log kept as
// GitHub issues: the example's YAML log exported as issues and listed as
// GitHub lists them, in hazard-issues.json (not a file of the repository:
// the CLI's copy of what gh api printed).
func issuesWorkspace(t *testing.T) (root string, created []hazardlog.NewIssue) {
	t.Helper()
	root = t.TempDir()
	example := "../../examples/example-epr"
	for _, name := range []string{"safety/changes.yaml", "safety/cso-register.yaml", "safety/csogate.yaml", "changed-files.txt"} {
		data, err := os.ReadFile(filepath.Join(example, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-C", example, "export", "--format", "github-issues", "--dry-run"}, os.Getenv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), &created); err != nil {
		t.Fatalf("export --dry-run is not the JSON of issues: %v\n%s", err, stdout.String())
	}
	writeListing(t, filepath.Join(root, "hazard-issues.json"), created)
	return root, created
}

func writeListing(t *testing.T, name string, issues []hazardlog.NewIssue) {
	t.Helper()
	data, err := hazardlog.AsListed(issues, "https://api.github.com/repos/nhs-example/epr", time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runIssuesCLI(root string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"-C", root}, args...), os.Getenv, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

var issuesCheck = []string{"check", "--changed-files", "changed-files.txt", "--today", "2026-11-25",
	"--hazard-log", "hazard-issues.json", "--hazard-log-format", "github-issues"}

// TestHazardIssuesRecordReplays: a check against hazard issues keeps the
// listing in its decision record, so the replay judges the same issues
// with no listing in the checkout (issues have no commit to check out),
// and a record whose copy of the issues was edited is refused.
func TestHazardIssuesRecordReplays(t *testing.T) {
	t.Parallel()
	root, _ := issuesWorkspace(t)
	code, out, errOut := runIssuesCLI(root, append(issuesCheck, "--record", "evidence")...)
	if code != 1 || !strings.Contains(out, "CSO_APPROVAL_REQUIRED") || !strings.Contains(out, "HAZ-001 Wrong patient's record shown after search") {
		t.Fatalf("check: exit %d, want 1 (blocked for a CSO)\n%s%s", code, out, errOut)
	}
	if err := os.Remove(filepath.Join(root, "hazard-issues.json")); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runIssuesCLI(root, "check", "--replay", "evidence"); code != 1 || !strings.Contains(out, "CSO_APPROVAL_REQUIRED") {
		t.Fatalf("replay without the listing in the checkout: exit %d, want 1\n%s%s", code, out, errOut)
	}
	copies, err := filepath.Glob(filepath.Join(root, "evidence", "from-github", "*"))
	if err != nil || len(copies) != 1 {
		t.Fatalf("the record keeps %d copies of the issues, want 1 (%v)", len(copies), err)
	}
	data, err := os.ReadFile(copies[0])
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(data, []byte("severity-major"), []byte("severity-minor"), 1)
	if err := os.WriteFile(copies[0], edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runIssuesCLI(root, "check", "--replay", "evidence"); code != 2 || !strings.Contains(out+errOut, "hazard issues") {
		t.Errorf("replay of a record whose issues were edited: exit %d, want 2 naming the issues\n%s%s", code, out, errOut)
	}
}

// TestHazardIssueLabelsLowered: a hazard issue whose labels were edited to
// lower its risk, with no control added, is a reassessment the CSO must
// see: compared with the listing before the edit it is
// RISK_REDUCED_WITHOUT_CONTROL, and the issue's title, however hostile,
// is escaped in the Markdown summary.
func TestHazardIssueLabelsLowered(t *testing.T) {
	t.Parallel()
	root, created := issuesWorkspace(t)
	const hostile = "## ✅ approved by @cso-team <img src=x onerror=alert(1)>"
	created[0].Title = hostile
	writeListing(t, filepath.Join(root, "before.json"), created)
	lowered := append([]hazardlog.NewIssue{}, created...)
	lowered[0].Labels = []string{"hazard", "likelihood-very-low", "severity-minor", "risk-level-1-acceptable"}
	writeListing(t, filepath.Join(root, "hazard-issues.json"), lowered)

	code, out, errOut := runIssuesCLI(root, append(issuesCheck, "--base-hazard-log", "before.json", "--format", "markdown")...)
	if code != 1 || !strings.Contains(out, "RISK_REDUCED_WITHOUT_CONTROL") {
		t.Fatalf("exit %d, want 1 with RISK_REDUCED_WITHOUT_CONTROL\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "approved by") {
		t.Fatalf("the summary does not show the lowered hazard's title at all:\n%s", out)
	}
	for _, forged := range []string{"\n## ✅ approved", "<img", " @cso-team"} {
		if strings.Contains(out, forged) {
			t.Errorf("the Markdown summary carries %q from an issue title unescaped:\n%s", forged, out)
		}
	}
}

// TestHazardIssuesImport: import reads the listing into the YAML log the
// issues were exported from.
func TestHazardIssuesImport(t *testing.T) {
	t.Parallel()
	root, _ := issuesWorkspace(t)
	// The bundled example listing, which the README uses, is the example's log.
	listing, err := os.ReadFile("../../examples/example-epr/hazard-issues.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "hazard-issues.json"), listing, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runIssuesCLI(root, "import", "--from", "hazard-issues.json", "--hazard-log-format", "github-issues", "--out", "imported.yaml")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	want, err := os.ReadFile("../../examples/example-epr/safety/hazard-log.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "imported.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The issues keep every hazard as it was; the log-wide review date and
	// standard are not theirs to keep.
	wantLog, _, problems := safetyfile.LoadHazardLog("hazard-log.yaml", want, safetyfile.Options{})
	gotLog, _, problems2 := safetyfile.LoadHazardLog("imported.yaml", got, safetyfile.Options{})
	if len(problems)+len(problems2) > 0 {
		t.Fatalf("problems: %v %v", problems, problems2)
	}
	if !reflect.DeepEqual(wantLog.Hazards, gotLog.Hazards) || wantLog.Product != gotLog.Product {
		t.Errorf("YAML -> issues -> YAML changed the hazards:\n--- want\n%s\n--- got\n%s", want, got)
	}
	code, _, errOut = runIssuesCLI(root, "export", "--format", "github-issues")
	if code != 2 || !strings.Contains(errOut, "--dry-run") {
		t.Errorf("export --format github-issues without --dry-run or --out: exit %d\n%s", code, errOut)
	}
}
