package gate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadTestResultsRefusesLinks: a pull request that commits a report
// path as a symbolic link (reports/TEST-x.xml -> /proc/self/environ, or a
// directory link to /) would have the gate read a file from outside the
// workspace and copy it into the decision record, an artifact anyone who
// can read the run may download. A linked report is refused, naming it; a
// linked directory is not walked.
func TestReadTestResultsRefusesLinks(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	const secret = "GITHUB_TOKEN=ghs_secret"
	write := func(name, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := `<testsuite name="s"><testcase name="t"/></testsuite>`
	write(filepath.Join(root, "reports", "TEST-ok.xml"), report)
	write(filepath.Join(outside, "environ.xml"), "<!-- "+secret+" -->"+report)
	write(filepath.Join(outside, "deep", "TEST-far.xml"), "<!-- "+secret+" -->"+report)
	if err := os.Symlink(filepath.Join(outside, "environ.xml"), filepath.Join(root, "reports", "TEST-leak.xml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "reports", "linked")); err != nil {
		t.Fatal(err)
	}
	for _, pattern := range []string{"reports/**/*.xml", "reports/*.xml", "reports/TEST-leak.xml"} {
		files, problems, err := ReadTestResults(root, []string{pattern})
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		for _, f := range files {
			if strings.Contains(string(f.Data), secret) {
				t.Errorf("%s: read %s from outside the workspace through a link", pattern, f.Path)
			}
		}
		found := false
		for _, p := range problems {
			found = found || p.File == "reports/TEST-leak.xml" && strings.Contains(p.Message, "symbolic link")
		}
		if !found {
			t.Errorf("%s: no problem naming reports/TEST-leak.xml as a symbolic link: %v", pattern, problems)
		}
	}
}
