package hazardlog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/golden"
	"github.com/csogate/csogate/internal/safetyfile"
)

// checkGolden compares got with testdata/golden/name (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", filepath.FromSlash(name)), got)
}

// config is the default configuration with the given status mapping.
func config(statuses map[string]string) *safetyfile.Config {
	cfg := safetyfile.DefaultConfig()
	cfg.Statuses = statuses
	return &cfg
}

var underReview = map[string]string{"Under review": "open"}

// render writes a result as a person reviews it: problems, warnings and the
// YAML import.
func render(t *testing.T, res Result) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# problems\n")
	for _, p := range res.Problems {
		b.WriteString(p.String() + "\n")
	}
	b.WriteString("# warnings\n")
	for _, p := range res.Warnings {
		b.WriteString(p.String() + "\n")
	}
	b.WriteString("# import\n")
	out, err := Import(res.Log)
	if err != nil {
		t.Fatal(err)
	}
	b.Write(out)
	return b.Bytes()
}

// loadData reads bytes as the named file, the way Load reads a file.
func loadData(name string, data []byte, format Format, cfg *safetyfile.Config) Result {
	res := loadBytes(name, data, format, "", cfg)
	res.finish()
	return res
}

func TestDetectFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		path     string
		isDir    bool
		override string
		want     Format
		wantErr  string
	}{
		{name: "yaml", path: "safety/hazard-log.yaml", want: FormatYAML},
		{name: "yml upper case", path: "LOG.YML", want: FormatYAML},
		{name: "csv", path: "hazard-log.csv", want: FormatCSV},
		{name: "xlsx", path: "Hazard Log v3.xlsx", want: FormatXLSX},
		{name: "macro-enabled workbook", path: "hazard-log.xlsm", want: FormatXLSX},
		{name: "directory is markdown", path: "docs/hazards", isDir: true, want: FormatMarkdown},
		{name: "one markdown file", path: "hazard-7.md", want: FormatMarkdown},
		{name: "override wins over extension", path: "export.txt", override: "CSV", want: FormatCSV},
		{name: "a directory named as a YAML file", path: "safety/hazard-log.yaml", isDir: true, wantErr: "safety/hazard-log.yaml is a directory, not a file"},
		{name: "a directory is never a single-file layout", path: "log", isDir: true, override: "yaml", wantErr: "is a directory, not a file"},
		{name: "a directory with markdown named", path: "log", isDir: true, override: "markdown", want: FormatMarkdown},
		{name: "override md", path: "x", override: "md", want: FormatMarkdown},
		{name: "unknown override names accepted values", path: "x.csv", override: "ods", wantErr: "write one of yaml, csv, xlsx, markdown"},
		{name: "unknown extension", path: "hazard-log.txt", wantErr: "--hazard-log-format"},
		{name: "old excel", path: "hazard-log.xls", wantErr: "save the workbook as .xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DetectFormat(tt.path, tt.isDir, tt.override)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestLoadGolden reads each fixture and compares every problem, warning
// and the YAML import with its golden file.
func TestLoadGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		load func(t *testing.T) Result
	}{
		{name: "csv-valid", load: func(*testing.T) Result { return Load("testdata/csv/valid.csv", Options{Config: config(underReview)}) }},
		{name: "csv-valid-unmapped-status", load: func(*testing.T) Result { return Load("testdata/csv/valid.csv", Options{Config: config(nil)}) }},
		{name: "csv-invalid", load: func(*testing.T) Result { return Load("testdata/csv/invalid.csv", Options{Config: config(nil)}) }},
		{name: "xlsx-valid", load: func(t *testing.T) Result {
			return loadData("hazard-log.xlsx", validWorkbook(t), FormatXLSX, config(underReview))
		}},
		{name: "xlsx-invalid", load: func(t *testing.T) Result {
			return loadData("hazard-log.xlsx", invalidWorkbook(t), FormatXLSX, config(nil))
		}},
		{name: "markdown-valid", load: func(*testing.T) Result {
			return Load("testdata/markdown/valid", Options{Config: config(underReview)})
		}},
		{name: "markdown-invalid", load: func(*testing.T) Result {
			return Load("testdata/markdown/invalid", Options{Config: config(nil)})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, "load/"+tt.name+".txt", render(t, tt.load(t)))
		})
	}
}

func TestValidFixturesHaveNoProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		res  Result
	}{
		{name: "csv", res: Load("testdata/csv/valid.csv", Options{Config: config(underReview)})},
		{name: "xlsx", res: loadData("hazard-log.xlsx", validWorkbook(t), FormatXLSX, config(underReview))},
		{name: "markdown", res: Load("testdata/markdown/valid", Options{Config: config(underReview)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !tt.res.Valid() {
				t.Fatalf("got problems %v, want none", tt.res.Problems)
			}
			if got := len(tt.res.Log.Hazards); got < 3 {
				t.Fatalf("got %d hazards, want at least 3", got)
			}
		})
	}
}

// TestLocations checks the places the contract's examples name, exactly.
func TestLocations(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("testdata/markdown/invalid/hazard-7.md")
	if err != nil {
		t.Fatal(err)
	}
	csvText, err := os.ReadFile("testdata/csv/invalid.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		res  Result
		want string
	}{
		{
			name: "xlsx cell",
			res:  loadData("hazard-log.xlsx", invalidWorkbook(t), FormatXLSX, config(nil)),
			want: `hazard-log.xlsx: sheet "Hazard Log" cell G12: unknown likelihood "Offten"; write one of very-low, low, medium, high, very-high`,
		},
		{
			name: "markdown line",
			res:  loadData("hazards/hazard-7.md", md, FormatMarkdown, config(nil)),
			want: `hazards/hazard-7.md:8: unknown likelihood "Offten"`,
		},
		{
			name: "csv line and column",
			res:  loadData("hazard-log.csv", csvText, FormatCSV, config(nil)),
			want: `hazard-log.csv:4:46: unknown likelihood "Offten"`,
		},
		{
			name: "xlsx stated risk names both",
			res:  loadData("hazard-log.xlsx", invalidWorkbook(t), FormatXLSX, config(nil)),
			want: `hazard-log.xlsx: sheet "Hazard Log" cell H7: HAZ-2: stated initial risk 4 disagrees with the DCB0129 matrix: major severity with low likelihood is 3`,
		},
		{
			name: "validator problem mapped to its cell",
			res:  loadData("hazard-log.xlsx", invalidWorkbook(t), FormatXLSX, config(nil)),
			want: `hazard-log.xlsx: sheet "Hazard Log" cell L8: HAZ-3: status "Under review" is not known; write one of open, transferred, closed, mitigated`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var all []string
			for _, p := range tt.res.Problems {
				if p.Code != safetyfile.CodeInputInvalid {
					t.Errorf("problem %q has code %q, want %s", p, p.Code, safetyfile.CodeInputInvalid)
				}
				all = append(all, p.String())
				if strings.HasPrefix(p.String(), tt.want) {
					return
				}
			}
			t.Fatalf("no problem starts with\n%s\ngot:\n%s", tt.want, strings.Join(all, "\n"))
		})
	}
}

func TestLoadRecordsFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xlsxPath := filepath.Join(dir, "hazard-log.xlsx")
	data := validWorkbook(t)
	if err := os.WriteFile(xlsxPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		path      string
		wantFiles []string
	}{
		{name: "xlsx", path: xlsxPath, wantFiles: []string{xlsxPath}},
		{name: "csv", path: "testdata/csv/valid.csv", wantFiles: []string{"testdata/csv/valid.csv"}},
		{name: "markdown directory", path: "testdata/markdown/valid", wantFiles: []string{
			"testdata/markdown/valid/hazard-1.md", "testdata/markdown/valid/hazard-10.md",
			"testdata/markdown/valid/hazard-2.md", "testdata/markdown/valid/hazard-summary.md",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Load(tt.path, Options{Config: config(underReview)})
			if len(res.Files) != len(tt.wantFiles) {
				t.Fatalf("got files %v, want %v", res.Files, tt.wantFiles)
			}
			for _, f := range tt.wantFiles {
				content, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := res.Files[f], digest(content); got != want {
					t.Errorf("Files[%s] = %q, want %q", f, got, want)
				}
			}
		})
	}
	if got, want := digest(data), Load(xlsxPath, Options{}).Files[xlsxPath]; got != want {
		t.Errorf("got %s, want %s", want, got)
	}
}

func TestLoadYAML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "hazard-log.yaml")
	yaml := `product: Example EPR
hazards:
  - id: HAZ-001
    title: Wrong patient
    initial: {severity: Major, likelihood: medium}
    residual: {severity: major, likelihood: very low}
    status: Under review
`
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		statuses map[string]string
		wantErr  string
	}{
		{name: "mapped status", statuses: underReview},
		{name: "unmapped status", wantErr: path + `:7:13: HAZ-001: status "Under review" is not known`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Load(path, Options{Config: config(tt.statuses)})
			if tt.wantErr == "" {
				if !res.Valid() || res.Log.Hazards[0].Status != "open" {
					t.Fatalf("got %v, status %q; want a valid log with status open", res.Problems, res.Log.Hazards[0].Status)
				}
				return
			}
			if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0].String(), tt.wantErr) {
				t.Fatalf("got %v, want one problem starting %q", res.Problems, tt.wantErr)
			}
		})
	}
}

// TestLoadFailsClosed feeds inputs that are not hazard logs: each must come
// back with a problem naming the file, never a usable log.
func TestLoadFailsClosed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		opts Options
		want string
	}{
		{name: "missing file", path: filepath.Join(dir, "nope.csv"), want: "cannot read the hazard log"},
		{name: "xlsx that is not a zip", path: write("bad.xlsx", []byte("not a workbook")), want: "cannot read the workbook"},
		{name: "csv with no header", path: write("notes.csv", []byte("a,b\n1,2\n")), want: "no hazard table found"},
		{name: "empty csv", path: write("empty.csv", nil), want: "no hazard table found"},
		{name: "unknown extension", path: write("log.txt", []byte("x")), want: "cannot tell the hazard log's layout"},
		{name: "empty directory", path: empty, want: "no Markdown hazard files"},
		{name: "markdown file that is not a hazard", path: write("readme.md", []byte("# Read me\n")), want: "no hazard sections found"},
		{name: "named sheet missing", path: write("ok.xlsx", validWorkbook(t)), opts: Options{Sheet: "Risks"}, want: `the workbook has no sheet "Risks"; its sheets are "Cover", "Hazard Log", "Matrix"`},
		{name: "named sheet without a header", path: write("ok2.xlsx", validWorkbook(t)), opts: Options{Sheet: "cover"}, want: `no hazard table found: sheet "Cover"`},
		{name: "csv with a quote left open", path: write("quote.csv", []byte("Hazard number,Hazard name,Severity,Likelihood\n1,\"x,Major,Low\n")), want: "Severity and Likelihood cells are blank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Load(tt.path, tt.opts)
			if res.Valid() || res.Log == nil {
				t.Fatalf("got a valid result, want a problem containing %q", tt.want)
			}
			for _, p := range res.Problems {
				if strings.Contains(p.Message, tt.want) && p.File != "" {
					return
				}
			}
			t.Fatalf("got %v, want a problem containing %q", res.Problems, tt.want)
		})
	}
}

func TestSheetOption(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log.xlsx")
	if err := os.WriteFile(path, validWorkbook(t), 0o644); err != nil {
		t.Fatal(err)
	}
	res := Load(path, Options{Sheet: "hazard log", Config: config(underReview)})
	if !res.Valid() || len(res.Log.Hazards) != 3 {
		t.Fatalf("got %d hazards, problems %v; want 3 and none", len(res.Log.Hazards), res.Problems)
	}
}

func TestSecondHazardSheetIsReported(t *testing.T) {
	t.Parallel()
	table := func(name, title string) xlsxSheet {
		return xlsxSheet{name: name, cells: map[string]any{
			"A1": "Hazard number", "B1": "Hazard name", "C1": "Initial Severity", "D1": "Initial Likelihood",
			"E1": "Residual Severity", "F1": "Residual Likelihood", "G1": "Hazard Status",
			"A2": 1, "B2": title, "C2": "Major", "D2": "Low", "E2": "Major", "F2": "Low", "G2": "Closed",
		}}
	}
	data := buildXLSX(t, table("Open hazards", "Wrong patient"), table("Closed hazards", "Old hazard"))
	res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
	if !res.Valid() || res.Log.Hazards[0].Title != "Wrong patient" {
		t.Fatalf("got %v, %+v", res.Problems, res.Log.Hazards)
	}
	expectMessages(t, "warning", res.Warnings, []string{`hazard-log.xlsx: sheet "Closed hazards": this sheet also holds a hazard table, but only sheet "Open hazards" is read`})
}
