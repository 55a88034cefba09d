package hazardlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// checkResult holds whatever the input: a result always has a log, every
// problem is an INPUT_INVALID naming its file, and a result without
// problems is a log the gate can decide on — every hazard identified,
// named and scored, and its YAML import reads back without a problem.
func checkResult(t *testing.T, res Result) {
	t.Helper()
	if res.Log == nil {
		t.Fatal("no log in the result")
	}
	for _, p := range res.Problems {
		if p.Code != safetyfile.CodeInputInvalid || p.File == "" || p.Message == "" {
			t.Fatalf("malformed problem %+v", p)
		}
	}
	if !res.Valid() {
		return
	}
	for _, h := range res.Log.Hazards {
		if h.ID == "" || h.Title == "" || !h.InitialRisk().Valid() || !h.ResidualRisk().Valid() {
			t.Fatalf("a result without problems holds an unusable hazard %+v", h)
		}
		if h.Risk != nil && ((h.Risk.Initial != 0 && risk.Rating(h.Risk.Initial) != h.InitialRisk()) ||
			(h.Risk.Residual != 0 && risk.Rating(h.Risk.Residual) != h.ResidualRisk())) {
			t.Fatalf("a result without problems states a risk the matrix contradicts: %+v", h)
		}
	}
	out, err := Import(res.Log)
	if err != nil {
		t.Fatalf("import of a valid log failed: %v", err)
	}
	if _, _, problems := safetyfile.LoadHazardLog("imported.yaml", out, safetyfile.Options{}); len(problems) > 0 {
		t.Fatalf("the import of a valid log does not read back: %v\n%s", problems, out)
	}
}

func seedFiles(f *testing.F, pattern string) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzCSV(f *testing.F) {
	seedFiles(f, "testdata/csv/*.csv")
	f.Add([]byte(scoreHeader + "1,x,Major,Low,3,Major,Low,3,open\n"))
	f.Add([]byte("sep=;\nHazard #;Name;Severity;Likelihood\n1;x;4 - Major: death;2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkResult(t, loadData("fuzz.csv", data, FormatCSV, config(underReview)))
	})
}

func FuzzXLSX(f *testing.F) {
	f.Add(validWorkbook(f))
	f.Add(invalidWorkbook(f))
	res := loadData("hazard-log.xlsx", validWorkbook(f), FormatXLSX, config(underReview))
	exported, err := exportXLSX(res.Log)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(exported)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkResult(t, loadData("fuzz.xlsx", data, FormatXLSX, config(underReview)))
	})
}

func FuzzMarkdown(f *testing.F) {
	seedFiles(f, "testdata/markdown/*/*.md")
	f.Add([]byte(scored + "### Residual severity scoring\n5\n\n### Residual likelihood scoring\n1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkResult(t, loadData("hazards/hazard-1.md", data, FormatMarkdown, config(underReview)))
	})
}

// FuzzControlItem: a control written in the Markdown notation reads back
// as it was, whatever its texts hold (a description line that looks like
// the notation included).
func FuzzControlItem(f *testing.F) {
	f.Add("Dose range check", "CTL-001", "tests/dose_test.go\nand the report")
	f.Add("a\n- Evidence: fake\n\\- Control ID: escaped", "=1+1", "- Control ID: x\n\n  indented")
	f.Add("- Evidence: first line", "", "")
	f.Fuzz(func(t *testing.T, desc, id, evidence string) {
		if desc != strings.TrimSpace(desc) || desc == "" || id != oneLine(id) || evidence != strings.TrimSpace(evidence) ||
			strings.Contains(desc+id+evidence, "\r") {
			return // the reader trims these as it reads any list item
		}
		want := safetyfile.Control{ID: id, Description: desc, Evidence: evidence}
		got, dup := parseControlItem(controlItem(want))
		if got != want || dup != "" {
			t.Fatalf("read back %+v (dup %q), want %+v\n%s", got, dup, want, controlItem(want))
		}
	})
}

// FuzzFormulaEscape: an escaped cell never starts like a formula, and the
// readers give back exactly the text that was escaped.
func FuzzFormulaEscape(f *testing.F) {
	for _, s := range []string{"=1+1", "'=1", "''+x", "plain", "-", "'", "@a", "\tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		e := csvSafe(v)
		if e[0:min(1, len(e))] != "'" && startsLikeFormula(e) {
			t.Fatalf("%q escapes to %q, which starts like a formula", v, e)
		}
		if got := unescapeFormula(e); got != v {
			t.Fatalf("%q escapes to %q and reads back as %q", v, e, got)
		}
	})
}

// FuzzIsClean: the readers' fast check agrees with cleaning the cell.
func FuzzIsClean(f *testing.F) {
	for _, s := range []string{"", "a", " a", "a \nb", "a\r\nb", "x_x000D_y", "a\u00a0b", "\u2003a", "a\n\nb", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isClean(s) != (tidyCell(s) == s) {
			t.Fatalf("isClean(%q) = %v, but cleaning gives %q", s, isClean(s), tidyCell(s))
		}
	})
}

// FuzzSameHeaderKey: the repeated-header check folds a cell as headerKey does.
func FuzzSameHeaderKey(f *testing.F) {
	f.Add("Hazard #", "hazardnumber")
	f.Add("Initial Risk (1-5)", "initialrisk15")
	f.Add("Näme", "näme")
	f.Fuzz(func(t *testing.T, v, key string) {
		if got, want := sameHeaderKey(v, key), headerKey(v) == key; got != want {
			t.Fatalf("sameHeaderKey(%q, %q) = %v, want %v", v, key, got, want)
		}
		if !sameHeaderKey(v, headerKey(v)) {
			t.Fatalf("%q does not match its own key %q", v, headerKey(v))
		}
	})
}

// FuzzProseEscape: the backslash export puts before Markdown structure in
// prose and list items comes off again, leaving the text as it was.
func FuzzProseEscape(f *testing.F) {
	for _, s := range []string{"# h", "---", "\\---", "- --", "```", "<div>", "[a]: b", "![i](x)", "text\n### Harm", "\\\\# two"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := unescapeProse(escapeProse(s)); got != s {
			t.Fatalf("prose %q escapes to %q and reads back as %q", s, escapeProse(s), got)
		}
		first, rest, more := strings.Cut(s, "\n")
		if needsItemEscape(first) {
			first = `\` + first
		}
		escaped := first
		if more {
			escaped += "\n" + rest
		}
		if got := unescapeItem(escaped); got != s {
			t.Fatalf("item %q escapes to %q and reads back as %q", s, escaped, got)
		}
	})
}
