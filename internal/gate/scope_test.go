package gate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/facts"
	"github.com/csogate/csogate/internal/fixture"
	"github.com/csogate/csogate/internal/safetyfile"
)

// renamedLog is the test product's hazard log with its product renamed.
func renamedLog(t *testing.T, to string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/product/safety/hazard-log.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Replace(string(data), "product: Example EPR", "product: "+to, 1))
}

// scopedRegister is the test register with an officer, cara, whose scope is
// only "Dental Suite": out of scope for Example EPR.
const scopedRegister = "officers:\n" +
	"  - {github: cara-dds, github_id: 7, name: Cara Example, body: GDC, registration: \"D1\", trained: 2024-01-01, products: [Dental Suite]}\n" +
	"  - {github: nurse-niamh, github_id: 1021937, name: Niamh Example RN, body: NMC, registration: \"12A3456E\", trained: 2025-01-15}\n"

// memSource is a trusted side held in memory, as the base commit is.
type memSource map[string][]byte

func (m memSource) ReadFile(_ context.Context, name string) ([]byte, bool, error) {
	d, ok := m[name]
	return d, ok, nil
}

func (m memSource) ReadDir(context.Context, string) (map[string][]byte, error) {
	return map[string][]byte{}, nil
}

func (m memSource) Describe() string { return "the base commit" }

// failingSource cannot read the hazard log.
type failingSource struct{ memSource }

func (f failingSource) ReadFile(ctx context.Context, name string) ([]byte, bool, error) {
	if name == safetyfile.HazardLogPath {
		return nil, false, errors.New("connection reset")
	}
	return f.memSource.ReadFile(ctx, name)
}

func TestOfficerScopeIsTheTrustedProduct(t *testing.T) {
	t.Parallel()
	base := map[string][]byte{
		safetyfile.RegisterPath:  []byte(scopedRegister),
		safetyfile.HazardLogPath: renamedLog(t, "Example EPR"),
	}
	tests := []struct {
		name       string
		headLog    []byte
		trusted    map[string][]byte
		reviewer   string
		wantCount  bool
		wantWhyNot string
		wantDetail string
	}{
		{
			// Attacker: the pull request renames its hazard log's product
			// to the one the out-of-scope CSO covers.
			name: "head renames product to the out-of-scope CSO's", headLog: renamedLog(t, "Dental Suite"), trusted: base, reviewer: "cara-dds",
			wantWhyNot: "APPROVER_OUT_OF_SCOPE",
			wantDetail: "do not include Example EPR, the product named by the hazard log at the base commit",
		},
		{
			name: "head renames product, YAML case and spaces", headLog: renamedLog(t, "'  dental suite '"), trusted: base, reviewer: "cara-dds",
			wantWhyNot: "APPROVER_OUT_OF_SCOPE",
		},
		{
			name: "configuration product wins over the trusted log", headLog: renamedLog(t, "Example EPR"), reviewer: "cara-dds", wantCount: true,
			trusted: map[string][]byte{safetyfile.RegisterPath: []byte(scopedRegister), safetyfile.HazardLogPath: renamedLog(t, "Example EPR"),
				safetyfile.ConfigPath: []byte("product: Dental Suite\n")},
		},
		{
			// The first pull request adds the log: no product is named on
			// the trusted side, so a scoped officer cannot be shown in scope.
			name: "no trusted hazard log: a scoped CSO is out of scope", headLog: renamedLog(t, "Dental Suite"), reviewer: "cara-dds",
			trusted:    map[string][]byte{safetyfile.RegisterPath: []byte(scopedRegister)},
			wantWhyNot: "APPROVER_OUT_OF_SCOPE",
			wantDetail: "the base commit has no hazard log (safety/hazard-log.yaml) yet and the configuration names no product",
		},
		{
			name: "no trusted hazard log: an unscoped CSO may approve", headLog: renamedLog(t, "Dental Suite"), reviewer: "nurse-niamh", wantCount: true,
			trusted: map[string][]byte{safetyfile.RegisterPath: []byte(scopedRegister)},
		},
		{
			name: "trusted log names no product", headLog: renamedLog(t, "Dental Suite"), reviewer: "cara-dds",
			trusted:    map[string][]byte{safetyfile.RegisterPath: []byte(scopedRegister), safetyfile.HazardLogPath: []byte("hazards: []\n")},
			wantWhyNot: "APPROVER_OUT_OF_SCOPE",
			wantDetail: "names no product",
		},
		{
			name: "trusted log unreadable YAML", headLog: renamedLog(t, "Dental Suite"), reviewer: "cara-dds",
			trusted:    map[string][]byte{safetyfile.RegisterPath: []byte(scopedRegister), safetyfile.HazardLogPath: []byte("product: [unclosed\n")},
			wantWhyNot: "APPROVER_OUT_OF_SCOPE",
			wantDetail: "cannot be read for its product",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := product(t, map[string][]byte{safetyfile.HazardLogPath: tt.headLog})
			req.Trusted = memSource(tt.trusted)
			id := map[string]int64{"cara-dds": 7, "nurse-niamh": 1021937}[tt.reviewer]
			req.Reviews = []facts.Review{{ID: 1, Login: tt.reviewer, UserID: id, State: "APPROVED", CommitID: head}}
			out := Evaluate(context.Background(), req)
			if len(out.Decision.Approvals) != 1 {
				t.Fatalf("decision %s, approvals %+v, violations %+v", out.Decision.Decision, out.Decision.Approvals, out.Decision.Violations)
			}
			a := out.Decision.Approvals[0]
			if a.Counted != tt.wantCount || a.WhyNot != tt.wantWhyNot || !strings.Contains(a.WhyNotDetail, tt.wantDetail) {
				t.Errorf("approval counted %v, why_not %s: %s\nwant counted %v, %s containing %q", a.Counted, a.WhyNot, a.WhyNotDetail, tt.wantCount, tt.wantWhyNot, tt.wantDetail)
			}
			if !tt.wantCount && out.Decision.Decision == decision.Approved {
				t.Errorf("decision approved")
			}
		})
	}
}

// A trusted log identical to the head's is recorded but not parsed again;
// one that differs is read for its product alone.
func TestScopeProductRecordsTheTrustedLog(t *testing.T) {
	t.Parallel()
	req := product(t, nil)
	out := Evaluate(context.Background(), req)
	if out.Input == nil || out.Input.ScopeProduct != "Example EPR" || out.Trusted[safetyfile.HazardLogPath] == nil {
		t.Fatalf("scope product %+v, trusted copy %v", out.Input, out.Trusted[safetyfile.HazardLogPath] != nil)
	}
	if !strings.Contains(out.Input.ScopeProductFrom, "the hazard log at the working directory") {
		t.Errorf("scope product from %q", out.Input.ScopeProductFrom)
	}
}

func TestScopeProductOtherLayoutsUseTheNameRule(t *testing.T) {
	t.Parallel()
	req := product(t, nil)
	csv := "ID,Hazard name,Hazard description,Initial severity,Initial likelihood,Residual severity,Residual likelihood,Status\n"
	if err := os.WriteFile(filepath.Join(req.WorkspaceRoot, "safety", "Dental Suite.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	req.Paths.HazardLog = "safety/Dental Suite.csv"
	req.Trusted = memSource{safetyfile.RegisterPath: []byte(scopedRegister)}
	var l loaded
	cfg := safetyfile.DefaultConfig()
	l.config = &cfg
	product, from, err := l.scopeProduct(context.Background(), req)
	if err != nil || product != "Dental Suite" || !strings.Contains(from, "the hazard log's name") {
		t.Errorf("scope product %q from %q, err %v; want the file name", product, from, err)
	}
}

func TestScopeProductUnreadableTrustedSideFailsClosed(t *testing.T) {
	t.Parallel()
	req := product(t, nil)
	req.Trusted = failingSource{memSource{safetyfile.RegisterPath: []byte(scopedRegister)}}
	out := Evaluate(context.Background(), req)
	if out.Decision.Decision != decision.Blocked || out.Decision.ExitCode != decision.ExitOperational ||
		!strings.Contains(out.Decision.Violations[0].Message, "connection reset") {
		t.Errorf("decision %s exit %d %+v, want blocked exit 3 naming the failure", out.Decision.Decision, out.Decision.ExitCode, out.Decision.Violations)
	}
}

// BenchmarkScopeProduct reads the trusted side's product from the 5,000-hazard
// fixture: the same bytes as the head's log (no second parse) and a log that
// differs (read for its product).
func BenchmarkScopeProduct(b *testing.B) {
	req := fixtureRequest(b, fixture.Small.Times(100))
	data, err := os.ReadFile(filepath.Join(req.WorkspaceRoot, safetyfile.HazardLogPath))
	if err != nil {
		b.Fatal(err)
	}
	l, err := load(context.Background(), req, true)
	if err != nil || len(l.problems) > 0 {
		b.Fatalf("load: %v %v", err, l.problems)
	}
	for _, tc := range []struct {
		name string
		log  []byte
	}{{"same", data}, {"changed", append(append([]byte{}, data...), "# changed\n"...)}} {
		b.Run(tc.name, func(b *testing.B) {
			req.Trusted = memSource{safetyfile.HazardLogPath: tc.log}
			fixture.Loop(b, func() error {
				run := &loaded{config: l.config, log: l.log, files: append([]InputFile(nil), l.files...)}
				product, _, err := run.scopeProduct(context.Background(), req)
				if err == nil && product == "" {
					err = fmt.Errorf("no product")
				}
				return err
			})
		})
	}
}

func TestLeadingProduct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		doc    string
		want   string
		wantOK bool
	}{
		{name: "first key", doc: "product: Example EPR\nhazards: []\n", want: "Example EPR", wantOK: true},
		{name: "after comments, a document marker and plain keys", doc: "# log\n---\nstandard: DCB0129\nreviewed: 2026-10-01\nproduct: \"Example EPR\" # quoted\nhazards:\n  - id: H\n", want: "Example EPR", wantOK: true},
		{name: "CRLF", doc: "product: 'Example EPR'\r\nhazards: []\r\n", want: "Example EPR", wantOK: true},
		{name: "number as product", doc: "product: 2026\n", want: "2026", wantOK: true},
		{name: "after a block value", doc: "hazards:\n  - id: H\nproduct: X\n"},
		{name: "after a multi-line quoted value", doc: "title: \"a\nproduct: X\"\nproduct: Y\n"},
		{name: "after a block scalar", doc: "notes: |\nproduct: X\n"},
		{name: "twice", doc: "product: X\nproduct: Y\n"},
		{name: "block value", doc: "product: >\n  X\n"},
		{name: "empty value", doc: "product:\n  X\n"},
		{name: "alias", doc: "name: &p X\nproduct: *p\n"},
		{name: "list", doc: "product: [X]\n"},
		{name: "flow document", doc: "{product: X}\n"},
		{name: "none", doc: "hazards: []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := leadingProduct([]byte(tt.doc))
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("leadingProduct = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// FuzzLeadingProduct: whenever the quick read answers and the whole
// document parses, the whole document names the same product.
func FuzzLeadingProduct(f *testing.F) {
	for _, seed := range []string{"product: X\nhazards: []\n", "standard: DCB0129\nproduct: \"X\"\n", "title: \"a\nproduct: X\"\nproduct: Y\n", "a: |\nproduct: X\n", "---\nproduct: X\n---\nproduct: Y\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := leadingProduct(data)
		if !ok {
			return
		}
		var doc struct {
			Product string `yaml:"product"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return
		}
		if doc.Product != got {
			t.Fatalf("quick read %q, the document says %q: %q", got, doc.Product, data)
		}
	})
}
