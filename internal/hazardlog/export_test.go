package hazardlog

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/csogate/csogate/internal/safetyfile"
)

// sources are the fixtures export and the round trip start from.
func sources(t *testing.T) []struct {
	name string
	res  Result
} {
	return []struct {
		name string
		res  Result
	}{
		{name: "csv", res: Load("testdata/csv/valid.csv", Options{Config: config(underReview)})},
		{name: "xlsx", res: loadData("hazard-log.xlsx", validWorkbook(t), FormatXLSX, config(underReview))},
		{name: "markdown", res: Load("testdata/markdown/valid", Options{Config: config(underReview)})},
		{name: "yaml", res: Load("testdata/yaml/hazard-log.yaml", Options{Config: config(nil)})},
	}
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	for _, src := range sources(t) {
		if src.name != "csv" && src.name != "yaml" {
			continue
		}
		if !src.res.Valid() {
			t.Fatalf("%s source: %v", src.name, src.res.Problems)
		}
		for _, format := range []Format{FormatCSV, FormatXLSX, FormatMarkdown, FormatYAML} {
			t.Run(src.name+"-to-"+string(format), func(t *testing.T) {
				t.Parallel()
				out := filepath.Join(t.TempDir(), "hazard-log."+string(format))
				lost, err := Export(src.res.Log, format, out)
				if err != nil {
					t.Fatal(err)
				}
				if len(lost) > 0 {
					t.Errorf("export reports losses: %q", lost)
				}
				name := fmt.Sprintf("export/from-%s.%s", src.name, format)
				switch format {
				case FormatXLSX:
					checkGolden(t, name+".txt", dumpXLSX(t, out))
				case FormatMarkdown:
					checkGolden(t, name+".txt", dumpDir(t, out))
				default:
					data, err := os.ReadFile(out)
					if err != nil {
						t.Fatal(err)
					}
					checkGolden(t, name, data)
				}
			})
		}
	}
}

// dumpXLSX lists a workbook as a reviewer checks it: each sheet's merged
// ranges, dropdowns, frozen panes and every non-empty cell with its fill.
func dumpXLSX(t *testing.T, path string) []byte {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "sheet %q\n", sheet)
		merges, err := f.GetMergeCells(sheet, true)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, m := range merges {
			refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		sort.Strings(refs)
		fmt.Fprintf(&b, "merged: %s\n", strings.Join(refs, " "))
		dvs, err := f.GetDataValidations(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, dv := range dvs {
			fmt.Fprintf(&b, "dropdown %s: %s\n", dv.Sqref, dv.Formula1)
		}
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "frozen: %v at %s\n", panes.Freeze, panes.TopLeftCell)
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				ref := columnName(c) + fmt.Sprint(r+1)
				fill := ""
				if id, err := f.GetCellStyle(sheet, ref); err == nil && id != 0 {
					if st, err := f.GetStyle(id); err == nil && st.Fill.Pattern == 1 && len(st.Fill.Color) > 0 {
						fill = " [fill " + st.Fill.Color[0] + "]"
					}
				}
				fmt.Fprintf(&b, "%s = %q%s\n", ref, v, fill)
			}
		}
	}
	return []byte(b.String())
}

// dumpDir concatenates the files of an exported directory, each under its name.
func dumpDir(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "==> %s <==\n%s", e.Name(), data)
	}
	return []byte(b.String())
}

// withoutSources drops what only says where a hazard came from, and states
// the matrix's risk where the log states none: every layout writes the risk
// (the sheet colours it), so it reads back stated, and agreeing.
func withoutSources(hs []safetyfile.Hazard) []safetyfile.Hazard {
	out := make([]safetyfile.Hazard, len(hs))
	for i, h := range hs {
		h.Source = ""
		r := safetyfile.Stated{Initial: int(h.InitialRisk()), Residual: int(h.ResidualRisk())}
		if h.Risk != nil {
			r = *h.Risk
		}
		h.Risk = &r
		out[i] = h
	}
	return out
}

// TestRoundTrip: import, then export, then import yields the same hazards,
// for every layout a log is imported from and every layout it is exported to.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, src := range sources(t) {
		for _, format := range []Format{FormatCSV, FormatXLSX, FormatMarkdown, FormatYAML} {
			t.Run(src.name+"-via-"+string(format), func(t *testing.T) {
				t.Parallel()
				if !src.res.Valid() {
					t.Fatalf("source: %v", src.res.Problems)
				}
				first := src.res.Log
				again := reimport(t, first, format)
				if !again.Valid() {
					t.Fatalf("re-import: %v", again.Problems)
				}
				if got, want := withoutSources(again.Log.Hazards), withoutSources(first.Hazards); !reflect.DeepEqual(got, want) {
					t.Fatalf("hazards differ after the round trip\n got %+v\nwant %+v", got, want)
				}
				if format != FormatMarkdown {
					if again.Log.Reviewed != first.Reviewed || again.Log.Standard != first.Standard {
						t.Errorf("reviewed/standard = %v/%q, want %v/%q", again.Log.Reviewed, again.Log.Standard, first.Reviewed, first.Standard)
					}
				}
			})
		}
	}
}

// reimport exports a log to a fresh place and loads it back.
func reimport(t *testing.T, log *safetyfile.HazardLog, format Format) Result {
	t.Helper()
	out := filepath.Join(t.TempDir(), "hazard-log."+string(format))
	if format == FormatMarkdown {
		out = filepath.Join(t.TempDir(), "hazards")
	}
	lost, err := Export(log, format, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) > 0 {
		t.Errorf("export to %s reports losses: %q", format, lost)
	}
	cfg := config(nil)
	cfg.Product = log.Product
	return Load(out, Options{Config: cfg})
}

// TestImportIsContractYAML: what Import writes is a hazard log the YAML
// reader accepts as it is, hazard for hazard.
func TestImportIsContractYAML(t *testing.T) {
	t.Parallel()
	for _, src := range sources(t) {
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			out, err := Import(src.res.Log)
			if err != nil {
				t.Fatal(err)
			}
			log, _, problems := safetyfile.LoadHazardLog("imported.yaml", out, safetyfile.Options{})
			if len(problems) > 0 {
				t.Fatalf("the imported YAML has problems %v\n%s", problems, out)
			}
			if got, want := withoutSources(log.Hazards), withoutSources(src.res.Log.Hazards); !reflect.DeepEqual(got, want) {
				t.Fatalf("hazards differ\n got %+v\nwant %+v", got, want)
			}
			if src.name != "yaml" && !strings.Contains(string(out), "  # from ") {
				t.Errorf("no source comments in\n%s", out)
			}
		})
	}
}

func TestImportQuotesWhatYAMLWouldMisread(t *testing.T) {
	t.Parallel()
	log := &safetyfile.HazardLog{Product: "2026", Hazards: []safetyfile.Hazard{{
		ID: "HAZ-1", Title: "yes", Owner: "007", Causes: []string{"null", "- dash", "a: b", "  indented\nlines  "},
	}}}
	out, err := Import(log)
	if err != nil {
		t.Fatal(err)
	}
	back, _, _ := safetyfile.LoadHazardLog("x.yaml", out, safetyfile.Options{})
	if back.Product != "2026" || back.Hazards[0].Title != "yes" || back.Hazards[0].Owner != "007" ||
		!reflect.DeepEqual(back.Hazards[0].Causes, log.Hazards[0].Causes) {
		t.Fatalf("read back %+v from\n%s", back, out)
	}
}

func TestExportErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hazard-1.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	log := &safetyfile.HazardLog{Product: "x", Hazards: []safetyfile.Hazard{}}
	tests := []struct {
		name    string
		log     *safetyfile.HazardLog
		format  Format
		path    string
		wantErr string
	}{
		{name: "markdown into a directory of hazard files", log: log, format: FormatMarkdown, path: dir, wantErr: "already holds Markdown files"},
		{name: "unknown format", log: log, format: "ods", path: filepath.Join(dir, "x.ods"), wantErr: "write one of yaml, csv, xlsx, markdown"},
		{name: "no log", format: FormatCSV, path: filepath.Join(dir, "x.csv"), wantErr: "no hazard log"},
		{name: "unwritable place", log: log, format: FormatCSV, path: filepath.Join(dir, "missing", "x.csv"), wantErr: "export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Export(tt.log, tt.format, tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestMarkdownFileNames(t *testing.T) {
	t.Parallel()
	used := map[string]bool{}
	var got []string
	for _, id := range []string{"HAZ-7", "H-7", "RX-A", "HAZ-007", "Haz 9/1"} {
		got = append(got, markdownFileName(id, used))
	}
	want := "hazard-7.md hazard-H-7.md hazard-RX-A.md hazard-007.md hazard-1.md"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}
}

func TestCSVExportDoesNotRunFormulas(t *testing.T) {
	t.Parallel()
	log := &safetyfile.HazardLog{Product: "x", Hazards: []safetyfile.Hazard{{
		ID: "HAZ-1", Title: "=HYPERLINK(\"http://example.invalid\")", Causes: []string{"- a bullet", "+44 number", "@user"},
		Initial:  safetyfile.Assessment{Severity: 4, Likelihood: 2},
		Residual: safetyfile.Assessment{Severity: 4, Likelihood: 2}, Status: "open",
	}}}
	data, err := exportCSV(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`'=HYPERLINK(`, `'- a bullet`, `'+44 number`, `'@user`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the CSV lacks %q:\n%s", want, data)
		}
	}
	cfg := config(nil)
	cfg.Product = "x"
	back := loadData("x.csv", data, FormatCSV, cfg)
	if !back.Valid() {
		t.Fatalf("problems %v", back.Problems)
	}
	if got := back.Log.Hazards[0]; got.Title != log.Hazards[0].Title || !reflect.DeepEqual(got.Causes, log.Hazards[0].Causes) {
		t.Fatalf("read back %q %q", got.Title, got.Causes)
	}
}
