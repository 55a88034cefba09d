package junit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestParseRealReports reads one report from each runner, written as the
// runner writes it, and checks every case's outcome, message and controls.
func TestParseRealReports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string // "fullname outcome message-prefix"
		// props maps a case's full name to its "control" property values.
		props map[string]string
	}{
		{file: "go-junit-report.xml", want: []string{
			"github.com/example/epr/search.TestRanking/CTL-002_exact_NHS_number_first passed ",
			"github.com/example/epr/search.TestRanking/fuzzy_name_second passed ",
			"github.com/example/epr/search.TestBanner passed ",
			"github.com/example/epr/ui/allergy.TestBannerNotCollapsible_CTL-020 failed Failed",
			"github.com/example/epr/ui/allergy.TestBannerColour passed ",
		}},
		{file: "pytest.xml", want: []string{
			"tests.test_allergy_stop.test_hard_stop_on_matching_allergy passed ",
			"tests.test_allergy_stop.test_hard_stop_ignores_resolved_allergy failed AssertionError: expected hard stop for penicillin",
			"tests.test_weights.test_weight_age_warning[CTL-010] failed failed on setup with \"fixture 'clinic_db' not found\"",
			"tests.test_weights.test_paediatric_pharmacist_check skipped needs the pharmacy sandbox",
			"tests.test_search.test_exact_nhs_number_first passed ",
		}, props: map[string]string{
			"tests.test_allergy_stop.test_hard_stop_on_matching_allergy":      "CTL-021",
			"tests.test_allergy_stop.test_hard_stop_ignores_resolved_allergy": "CTL-021",
			"tests.test_search.test_exact_nhs_number_first":                   "CTL-002",
		}},
		{file: "TEST-com.example.epr.AllergyStopTest.xml", want: []string{
			"com.example.epr.AllergyStopTest.hardStopOnMatchingAllergy_CTL-021 passed ",
			"com.example.epr.AllergyStopTest.hardStopShowsAllergen failed expected: <Penicillin> but was: <null>",
			"com.example.epr.AllergyStopTest.hardStopAuditTrail failed Connection refused",
			"com.example.epr.AllergyStopTest.hardStopOverrideByPharmacist skipped pharmacist override not in this release",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Parse(tt.file, data, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Cases) != len(tt.want) {
				t.Fatalf("%d cases, want %d", len(rep.Cases), len(tt.want))
			}
			for i, c := range rep.Cases {
				got := c.FullName() + " " + string(c.Outcome) + " " + c.Message
				if !strings.HasPrefix(got, tt.want[i]) {
					t.Errorf("case %d: %q, want prefix %q", i, got, tt.want[i])
				}
				if c.Line < 1 {
					t.Errorf("case %d: line %d", i, c.Line)
				}
				var controls []string
				for _, p := range c.Properties {
					if p.Name == "control" {
						controls = append(controls, p.Value)
					}
				}
				if got, want := strings.Join(controls, ","), tt.props[c.FullName()]; got != want {
					t.Errorf("case %s: control properties %q, want %q", c.FullName(), got, want)
				}
			}
		})
	}
	// Surefire's system properties are the suite's, not a case's.
	data, _ := os.ReadFile("testdata/TEST-com.example.epr.AllergyStopTest.xml")
	rep, err := Parse("t.xml", data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rep.Cases[0].SuiteProperties); n != 5 {
		t.Errorf("suite properties %d, want 5", n)
	}
	if rep.Cases[0].Line != 10 {
		t.Errorf("first Surefire case at line %d, want 10", rep.Cases[0].Line)
	}
}

// TestAttackReports: files a broken tool, a hurried engineer or a forger
// would hand the gate. Each is refused with the file and line, or read with
// exactly the cases it holds; none runs away with time or memory.
func TestAttackReports(t *testing.T) {
	t.Parallel()
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<testsuite name="x"><testcase name="t">&lol9;</testcase></testsuite>`
	external := `<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuite name="x"><testcase name="&xxe;"/></testsuite>`
	undeclared := `<testsuite name="x"><testcase name="t&lol;"/></testsuite>`
	deep := "<testsuites>" + strings.Repeat("<testsuite name=\"s\">", 5000) + strings.Repeat("</testsuite>", 5000) + "</testsuites>"
	tests := []struct {
		name, doc string
		wantErr   string // "" means it parses
		wantCases int
	}{
		{name: "billion laughs", doc: laughs, wantErr: "x.xml:2: a document type declaration"},
		{name: "external entity", doc: external, wantErr: "x.xml:2: a document type declaration"},
		{name: "undeclared entity", doc: undeclared, wantErr: "x.xml:1: not well-formed XML"},
		{name: "deep nesting", doc: deep, wantErr: "x.xml:1: elements nested more than 32 deep"},
		{name: "not XML", doc: "PASS\nok  \tgithub.com/example/epr/search\t0.231s\n", wantErr: "x.xml:1: text outside the root element"},
		{name: "JSON", doc: `{"tests": [{"name": "TestX", "status": "pass"}]}`, wantErr: "x.xml:1: text outside the root element"},
		{name: "empty file", doc: "", wantErr: "x.xml:1: the test report is empty"},
		{name: "other XML", doc: "<?xml version=\"1.0\"?>\n<project><name>x</name></project>", wantErr: "x.xml:2: the root element is <project>"},
		{name: "cut short", doc: "<testsuites>\n<testsuite name=\"a\">\n<testcase name=\"t\">", wantErr: "x.xml:3: the report ends inside <testcase>: the file is cut short"},
		{name: "mismatched tags", doc: "<testsuites>\n<testsuite name=\"a\">\n</testcase></testsuites>", wantErr: "x.xml:3: not well-formed XML"},
		{name: "two roots", doc: "<testsuite name=\"a\"/>\n<testsuite name=\"b\"/>", wantErr: "x.xml:2: a second root element"},
		{name: "nameless case", doc: "<testsuite name=\"a\">\n<testcase classname=\"c\"/></testsuite>", wantErr: "x.xml:2: a <testcase> without a name"},
		{name: "case outside a suite", doc: "<testsuites><properties><testcase name=\"t\"/></properties></testsuites>", wantErr: "<testcase> inside <properties>"},
		{name: "latin-1", doc: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testsuite/>", wantErr: "not supported; write the report as UTF-8"},
		{name: "empty testsuites", doc: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites/>\n", wantCases: 0},
		{name: "byte-order mark", doc: "\xef\xbb\xbf<testsuite name=\"a\"><testcase name=\"t\"/></testsuite>", wantCases: 1},
		{name: "failure wins over skip", doc: "<testsuite><testcase name=\"t\"><skipped/><failure message=\"boom\"/></testcase></testsuite>", wantCases: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			rep, err := Parse("x.xml", []byte(tt.doc), DefaultLimits)
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if tt.wantErr != "" {
				var je *Error
				if err == nil || !errors.As(err, &je) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Cases) != tt.wantCases {
				t.Fatalf("%d cases, want %d", len(rep.Cases), tt.wantCases)
			}
			if tt.name == "failure wins over skip" && (rep.Cases[0].Outcome != Failed || rep.Cases[0].Message != "boom") {
				t.Errorf("%+v", rep.Cases[0])
			}
		})
	}
}

// TestAttackHugeReport: a report over the size limit is refused before it
// is parsed, and one with too many cases at the case that crossed it.
func TestAttackHugeReport(t *testing.T) {
	t.Parallel()
	lim := Limits{MaxBytes: 1 << 20, MaxDepth: 32, MaxCases: 1000}
	big := "<testsuite>" + strings.Repeat("<!-- padding -->", (1<<20)/16+1) + "</testsuite>"
	if _, err := Parse("big.xml", []byte(big), lim); err == nil || !strings.Contains(err.Error(), "big.xml:1: the test report is") {
		t.Errorf("over the size limit: %v", err)
	}
	many := "<testsuite>\n" + strings.Repeat("<testcase name=\"t\"/>\n", 1001) + "</testsuite>"
	if _, err := Parse("many.xml", []byte(many), lim); err == nil || !strings.Contains(err.Error(), "many.xml:1002: more than 1000 test cases") {
		t.Errorf("over the case limit: %v", err)
	}
}

// TestMessageBounded: a failure message of a megabyte keeps its first line,
// clipped.
func TestMessageBounded(t *testing.T) {
	t.Parallel()
	doc := "<testsuite><testcase name=\"t\"><failure><![CDATA[" + strings.Repeat("é", 1<<20) + "\nsecond]]></failure></testcase></testsuite>"
	rep, err := Parse("m.xml", []byte(doc), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Cases[0].Message; len(m) > maxMessage+len("…") || !strings.HasPrefix(m, "éé") {
		t.Errorf("message %d bytes: %.40q", len(m), m)
	}
}

// TestAttackRerunUntilItPasses: Maven Surefire's rerunFailingTestsCount
// reports a test that failed and then passed on a rerun as a <testcase>
// holding <flakyFailure> or <flakyError> and no <failure>; one that failed
// every run holds <failure> and <rerunFailure>. Repeating a test until it
// passes must not turn a control's failing test into a pass: a flaky test
// failed, with the first failure's message. A report written as UTF-16
// (PowerShell's default redirection) is refused at line 1, saying so.
func TestAttackRerunUntilItPasses(t *testing.T) {
	t.Parallel()
	utf16 := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return string(b)
	}
	for _, tt := range []struct {
		name, doc string
		outcome   Outcome
		message   string
		wantErr   string
	}{
		{name: "flaky failure", doc: `<testsuite name="s"><testcase name="CTL-1_stop" classname="c"><flakyFailure message="expected stop" type="AssertionError"><stackTrace>at c</stackTrace></flakyFailure></testcase></testsuite>`,
			outcome: Failed, message: "expected stop"},
		{name: "flaky error", doc: `<testsuite name="s"><testcase name="CTL-1_stop"><flakyError type="java.net.ConnectException"/></testcase></testsuite>`,
			outcome: Failed, message: "java.net.ConnectException"},
		{name: "rerun failure alone", doc: `<testsuite name="s"><testcase name="CTL-1_stop"><rerunFailure message="still broken"/></testcase></testsuite>`,
			outcome: Failed, message: "still broken"},
		{name: "failure then reruns", doc: `<testsuite name="s"><testcase name="CTL-1_stop"><failure message="broken"/><rerunFailure message="still broken"/></testcase></testsuite>`,
			outcome: Failed, message: "broken"},
		{name: "utf-16", doc: utf16(`<testsuite name="s"><testcase name="t"/></testsuite>`), wantErr: "x.xml:1: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Parse("x.xml", []byte(tt.doc), DefaultLimits)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "UTF-16") {
					t.Fatalf("err %v; want one at %q naming UTF-16", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Cases) != 1 || rep.Cases[0].Outcome != tt.outcome || !strings.HasPrefix(rep.Cases[0].Message, tt.message) {
				t.Errorf("%+v; want %s %q", rep.Cases, tt.outcome, tt.message)
			}
		})
	}
}
