package repofiles

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func tree(t *testing.T, entries map[string]Kind) *Tree {
	t.Helper()
	tr, err := New("test tree", entries)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

var head = map[string]Kind{
	"src/search/query.go":          File,
	"src/ui/allergy/banner.go":     File,
	"tests/search/banner_test.go":  File,
	"tests/search/ranking_test.go": File,
	"tests/link_test.go":           Link,
	"vendor/dosecalc":              Submodule,
	"docs/safety/Test Report.pdf":  File,
	"README.md":                    File,
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		in     string
		kind   EvidenceKind
		target string
	}{
		{"", EvidenceNone, ""},
		{"  ", EvidenceNone, ""},
		{"tests/search/banner_test.go", EvidencePath, "tests/search/banner_test.go"},
		{"README.md", EvidencePath, "README.md"},
		{"tests/search/*_test.go", EvidenceGlob, "tests/search/*_test.go"},
		{"https://trust.example/usability-study", EvidenceURL, "https://trust.example/usability-study"},
		{"HTTP://x.example", EvidenceURL, "HTTP://x.example"},
		{"test:TestDoseCalc", EvidenceTest, "TestDoseCalc"},
		{"TestDoseCalc", EvidenceText, "TestDoseCalc"},
		{"Usability study 2024, report UX-12", EvidenceText, "Usability study 2024, report UX-12"},
		{"file:docs/safety/Test Report.pdf", EvidencePath, "docs/safety/Test Report.pdf"},
		{"../../etc/passwd", EvidencePath, "../../etc/passwd"},
		{"/etc/passwd", EvidencePath, "/etc/passwd"},
		{`tests\search\banner_test.go`, EvidencePath, `tests\search\banner_test.go`},
		{"**", EvidenceGlob, "**"},
		{"v1", EvidenceText, "v1"},
	} {
		kind, target := Classify(c.in)
		if kind != c.kind || target != c.target {
			t.Errorf("Classify(%q) = %s %q, want %s %q", c.in, kind, target, c.kind, c.target)
		}
	}
}

// TestEvidenceAttacks: what a hurried engineer or a hostile pull request
// writes as evidence, and what the gate must make of it.
func TestEvidenceAttacks(t *testing.T) {
	tr := tree(t, head)
	for _, c := range []struct {
		evidence, status, detail string
	}{
		{"tests/search/banner_test.go", "present", "is a file"},
		{"./tests/search/banner_test.go", "present", "is a file"},
		{"file:docs/safety/Test Report.pdf", "present", "is a file"},
		{"tests/search/*_test.go", "present", "matches tests/search/banner_test.go and other files"},
		{"tests/search/banner*.go", "present", "matches tests/search/banner_test.go"},
		{"tests/prescribing/*_test.go", "missing", "matches no file"},
		{"tests/search/gone_test.go", "missing", "names no file"},
		{"../../etc/passwd", "refused", "has a .. segment"},
		{"tests/../../etc/passwd", "refused", "has a .. segment"},
		{"/etc/passwd", "refused", "is an absolute path"},
		{`C:\evidence\report.pdf`, "refused", "backslash"},
		{"C:/evidence/report.pdf", "refused", "is an absolute path"},
		{"tests/link_test.go", "missing", "is a symbolic link"},
		{"tests/link*.go", "missing", "matches no file"}, // a glob counts regular files only
		{"vendor/dosecalc", "missing", "is a submodule"},
		{"tests/search", "missing", "is a directory"},
		{"tests/search/", "missing", "is a directory"},
		{"Tests/Search/Banner_test.go", "missing", "tests/search/banner_test.go differs only in letter case"},
		{"**", "refused", "matches any file"},
		{"*", "refused", "matches any file"},
		{"**/*", "refused", "matches any file"},
		{"*.*", "refused", "matches any file"},
		{"{**,*}", "refused", "matches any file"},
		{"[a-z]*/**", "refused", "matches any file"},
		{"**/*_test.go", "present", "matches tests/search/banner_test.go and other files"},
		{"tests/[", "refused", "not a valid glob"},
		{"file:.", "refused", "names the repository itself"},
		{"https://trust.example/study", "not_checked", "a URL"},
		{"test:TestBanner", "not_checked", "a test"},
		{"Pharmacist review of every dose", "not_checked", "text"},
	} {
		res := Check(tr, []Hazard{{ID: "HAZ-001", Controls: []Control{{ID: "CTL-001", Evidence: c.evidence}}}})
		if len(res.Evidence) != 1 {
			t.Fatalf("%q: %d evidence results", c.evidence, len(res.Evidence))
		}
		got := res.Evidence[0]
		if got.Status != c.status || !strings.Contains(got.Detail, c.detail) {
			t.Errorf("evidence %q: %s %q, want %s containing %q", c.evidence, got.Status, got.Detail, c.status, c.detail)
		}
		// The record keeps only the witnesses; they must give the same answer.
		replayed := Check(tree(t, res.Witnesses), []Hazard{{ID: "HAZ-001", Controls: []Control{{ID: "CTL-001", Evidence: c.evidence}}}})
		if !reflect.DeepEqual(replayed.Evidence, res.Evidence) {
			t.Errorf("evidence %q: from the witnesses %+v, from the tree %+v", c.evidence, replayed.Evidence, res.Evidence)
		}
	}
}

// A list of paths is looked up item by item; prose that mentions a path is
// text, never half-checked.
func TestEvidenceLists(t *testing.T) {
	tr := tree(t, head)
	res := Check(tr, []Hazard{{ID: "HAZ-001", Controls: []Control{
		{ID: "CTL-001", Evidence: "tests/search/banner_test.go, tests/search/gone_test.go"},
		{ID: "CTL-002", Evidence: "tests/search/ranking_test.go; tests/search/*_test.go"},
		{ID: "CTL-003", Evidence: "See tests/search/banner_test.go for the banner"},
	}}})
	var got []string
	for _, e := range res.Evidence {
		got = append(got, e.Control+" "+e.Evidence+" "+e.Status)
	}
	want := []string{
		"CTL-001 tests/search/banner_test.go present", "CTL-001 tests/search/gone_test.go missing",
		"CTL-002 tests/search/ranking_test.go present", "CTL-002 tests/search/*_test.go present",
		"CTL-003 See tests/search/banner_test.go for the banner not_checked",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("evidence =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestOrphanedComponents(t *testing.T) {
	tr := tree(t, head)
	hazards := []Hazard{
		{ID: "HAZ-001", Components: []string{"src/search/**"}},
		{ID: "HAZ-002", Components: []string{"src/prescribing/**", "src/api/dose.go"}},
		{ID: "HAZ-003", Components: []string{"src/ui/allergy/**", "src/api/allergies.go"}},
		{ID: "HAZ-004", Components: []string{"vendor/dosecalc/**"}}, // below a submodule: present
		{ID: "HAZ-005", Components: []string{"tests/link_test.go"}}, // a link is code too
		{ID: "HAZ-006"}, // names no code: nothing to orphan
	}
	res := Check(tr, hazards)
	want := []Orphaned{
		{Hazard: "HAZ-002", Globs: []string{"src/prescribing/**", "src/api/dose.go"}, AllGlobs: true},
		{Hazard: "HAZ-003", Globs: []string{"src/api/allergies.go"}},
	}
	if !reflect.DeepEqual(res.Orphaned, want) {
		t.Errorf("orphaned = %+v, want %+v", res.Orphaned, want)
	}
	replayed := Check(tree(t, res.Witnesses), hazards)
	if !reflect.DeepEqual(replayed.Orphaned, res.Orphaned) {
		t.Errorf("from the witnesses %+v, from the tree %+v", replayed.Orphaned, res.Orphaned)
	}
}

func TestNewRefusesPathsOutsideTheRepository(t *testing.T) {
	for _, p := range []string{"", "/etc/passwd", "../x", "."} {
		if _, err := New("GitHub's tree", map[string]Kind{p: File}); err == nil {
			t.Errorf("New accepted %q", p)
		}
	}
	if _, err := New("GitHub's tree", map[string]Kind{"a": "blob"}); err == nil {
		t.Error("New accepted an unknown kind")
	}
}

func TestWalkSkipsGitAndDoesNotFollowLinks(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write := func(name string) {
		full := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".git/HEAD")
	write("tests/a_test.go")
	write("lib/sub/.git")
	write("lib/sub/x.go")
	if err := os.WriteFile(filepath.Join(outside, "secret_test.go"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "tests", "linked")); err != nil {
		t.Fatal(err)
	}
	tr, err := Walk(root, "the working directory")
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]Kind{"tests/a_test.go": File, "tests/linked": Link, "tests": Dir, "lib/sub": Submodule} {
		if k, ok := tr.Kind(p); !ok || k != want {
			t.Errorf("%s: %s %v, want %s", p, k, ok, want)
		}
	}
	for _, p := range []string{".git/HEAD", ".git", "tests/linked/secret_test.go", "lib/sub/x.go"} {
		if _, ok := tr.Kind(p); ok {
			t.Errorf("%s is listed", p)
		}
	}
	res := Check(tr, []Hazard{{ID: "H", Controls: []Control{{ID: "C", Evidence: "tests/linked/*_test.go"}}}})
	if res.Evidence[0].Status != "missing" {
		t.Errorf("a glob through a link found %+v", res.Evidence[0])
	}
}

func TestCheckIsOnePassOverManyFiles(t *testing.T) {
	entries := map[string]Kind{}
	for i := 0; i < 50000; i++ {
		entries["src/module"+strings.Repeat("x", i%7)+"/f"+strconv.Itoa(i)+".go"] = File
	}
	tr := tree(t, entries)
	var hazards []Hazard
	for i := 0; i < 500; i++ {
		hazards = append(hazards, Hazard{ID: "H" + strconv.Itoa(i), Components: []string{"src/gone" + strconv.Itoa(i) + "/**"},
			Controls: []Control{{ID: "C", Evidence: "src/module/f" + strconv.Itoa(i*7) + ".go"}}})
	}
	res := Check(tr, hazards)
	if len(res.Orphaned) != 500 || res.Evidence[0].Status != "present" {
		t.Fatalf("orphaned %d, evidence %+v", len(res.Orphaned), res.Evidence[0])
	}
}

// TestEvidenceFileURLsAreRefused: a file:// URL looks like a path the gate
// checks but names a file on somebody's machine; listed as a URL it would be
// "not checked" and the control's evidence silently never looked for. It is
// refused, saying how to write a repository path. A path hidden behind an
// invisible character is not the file it looks like.
func TestEvidenceFileURLsAreRefused(t *testing.T) {
	tr := tree(t, head)
	for _, c := range []struct {
		evidence, status, detail string
	}{
		{"file:///etc/passwd", "refused", "file:// URL"},
		{"file://tests/search/banner_test.go", "refused", "file:// URL"},
		{"FILE:///C:/evidence/report.pdf", "refused", "file:// URL"},
		{"file:tests/search/banner_test.go", "present", "is a file"},
		{"tests/search/banner_test.go\u200b", "missing", "names no file"},
		{"https://trust.example/study", "not_checked", "a URL"},
	} {
		res := Check(tr, []Hazard{{ID: "HAZ-001", Controls: []Control{{ID: "CTL-001", Evidence: c.evidence}}}})
		if len(res.Evidence) != 1 {
			t.Fatalf("%q: %d evidence results", c.evidence, len(res.Evidence))
		}
		if got := res.Evidence[0]; got.Status != c.status || !strings.Contains(got.Detail, c.detail) {
			t.Errorf("evidence %q: %s %q, want %s containing %q", c.evidence, got.Status, got.Detail, c.status, c.detail)
		}
	}
}
