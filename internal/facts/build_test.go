package facts

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

const head = "1111111111111111111111111111111111111111"

var today = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func date(s string) safetyfile.Date {
	d, err := safetyfile.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func sources() *Sources {
	cfg := safetyfile.DefaultConfig()
	cfg.IgnorePaths = []string{"docs/**"}
	cfg.ClinicalPaths = []string{"src/clinical/**"}
	return &Sources{
		HazardLog: &safetyfile.HazardLog{Product: "Example EPR", Reviewed: date("2026-10-01"), Hazards: []safetyfile.Hazard{
			{ID: "HAZ-001", Title: "Wrong patient", Components: []string{"src/search/**"},
				Initial: safetyfile.Assessment{Severity: risk.Major, Likelihood: risk.Medium}, Residual: safetyfile.Assessment{Severity: risk.Major, Likelihood: risk.VeryLow}},
			{ID: "HAZ-002", Title: "Wrong dose", Components: []string{"src/dose/**", "src/search/dose.go"},
				Initial: safetyfile.Assessment{Severity: risk.Catastrophic, Likelihood: risk.Medium}, Residual: safetyfile.Assessment{Severity: risk.Major, Likelihood: risk.Low}},
		}},
		HazardLogFile: "safety/hazard-log.yaml",
		Changes: []safetyfile.Change{
			{ID: "CHG-1", Summary: "search", Clinical: safetyfile.ClinicalTrue, Hazards: []string{"HAZ-001", "HAZ-404"}, Paths: []string{"src/search/**", "src/search/*.go"}},
			{ID: "CHG-2", Summary: "docs", Clinical: safetyfile.ClinicalFalse, Paths: []string{"docs/**"}},
		},
		Register: &safetyfile.Register{Officers: []safetyfile.Officer{
			{GitHub: "Alice-GP", GitHubID: 10, Name: "Dr A", Body: "GMC", Registration: "1", Trained: date("2024-01-01"), Products: []string{"example epr"}},
			{GitHub: "lapsed", Name: "L", Body: "NMC", Registration: "2", Trained: date("2024-01-01"), RegistrationExpires: date("2026-11-24")},
			{GitHub: "future", Name: "F", Body: "NMC", Registration: "3", Trained: date("2026-11-26")},
			{GitHub: "elsewhere", Name: "E", Body: "HCPC", Registration: "4", Trained: date("2024-01-01"), Products: []string{"Other"}},
			{GitHub: "coder", Name: "C", Body: "GMC", Registration: "5", Trained: date("2024-01-01")},
		}},
		Config:        &cfg,
		ChangedFiles:  []string{"./src/search/index.go", "src/search/dose.go", "src/search/index.go", "docs/a.md", "src/clinical/obs.go", "safety/cso-register.yaml", "safety/policies/x.rego", "", "README"},
		SafetyFiles:   map[string]string{"safety/cso-register.yaml": "register", "safety/policies/": "policy"},
		HeadSHA:       head,
		Author:        "dev",
		CommitAuthors: []string{"CODER", "dev"},
		Today:         today,
		ScopeProduct:  "Example EPR",
	}
}

func build(t *testing.T, s *Sources) *Input {
	t.Helper()
	m, err := Compile(s.HazardLog, s.Config)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Build(s, m)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestBuildFiles(t *testing.T) {
	t.Parallel()
	in := build(t, sources())
	wantFiles := []File{
		{Path: "src/search/index.go", Hazards: []string{"HAZ-001"}, CoveredBy: []string{"CHG-1"}},
		{Path: "src/search/dose.go", Hazards: []string{"HAZ-001", "HAZ-002"}, CoveredBy: []string{"CHG-1"}},
		{Path: "src/clinical/obs.go", Hazards: []string{}, ClinicalPath: true, CoveredBy: []string{}},
	}
	if !reflect.DeepEqual(in.Files, wantFiles) {
		t.Errorf("files = %+v\nwant %+v", in.Files, wantFiles)
	}
	if in.ChangedFileCount != 7 {
		t.Errorf("changed file count = %d, want 7 (duplicates and blanks dropped)", in.ChangedFileCount)
	}
	wantSafety := []SafetyFile{{Path: "safety/cso-register.yaml", Kind: "register"}, {Path: "safety/policies/x.rego", Kind: "policy"}}
	if !reflect.DeepEqual(in.SafetyFiles, wantSafety) {
		t.Errorf("safety files = %+v, want %+v", in.SafetyFiles, wantSafety)
	}
	c := in.Changes[0]
	if !reflect.DeepEqual(c.Hazards, []string{"HAZ-001"}) || !reflect.DeepEqual(c.UnknownHazards, []string{"HAZ-404"}) {
		t.Errorf("change hazards = %v unknown %v", c.Hazards, c.UnknownHazards)
	}
	wantGroups := []TouchGroup{
		{Hazards: []string{"HAZ-001"}, Files: 1, Sample: []string{"src/search/index.go"}, MaxResidualRisk: 2},
		{Hazards: []string{"HAZ-001", "HAZ-002"}, Files: 1, Sample: []string{"src/search/dose.go"}, MaxResidualRisk: 3},
	}
	if !reflect.DeepEqual(c.TouchGroups, wantGroups) || c.CoveredFiles != 2 {
		t.Errorf("touch groups = %+v covered %d; want %+v, 2 (a file matched by two of a change's paths counts once)", c.TouchGroups, c.CoveredFiles, wantGroups)
	}
	if !reflect.DeepEqual(c.TouchedHazards, []string{"HAZ-001", "HAZ-002"}) {
		t.Errorf("touched hazards = %v, want HAZ-001, HAZ-002", c.TouchedHazards)
	}
	if !reflect.DeepEqual(c.AffectedHazards, []string{"HAZ-001", "HAZ-002"}) {
		t.Errorf("affected hazards = %v, want HAZ-001 (named and touched), HAZ-002", c.AffectedHazards)
	}
	if !reflect.DeepEqual(in.FileHazards, []string{"HAZ-001", "HAZ-002"}) {
		t.Errorf("file hazards = %v, want HAZ-001, HAZ-002", in.FileHazards)
	}
	if err := CheckDerived(in); err != nil {
		t.Errorf("CheckDerived on Build's document: %v", err)
	}
	if in.Changes[1].CoveredFiles != 1 {
		t.Errorf("docs change covers %d files, want 1 (an ignored file is still covered)", in.Changes[1].CoveredFiles)
	}
	if _, ok := in.Hazards["HAZ-002"]; !ok || in.Hazards["HAZ-002"].ResidualRisk != 3 {
		t.Errorf("hazards = %+v, want HAZ-002 touched with residual risk 3", in.Hazards)
	}
	if in.HazardLog.AgeDays != 55 || in.HazardLog.Stale {
		t.Errorf("hazard log = %+v, want 55 days old, not stale", in.HazardLog)
	}
}

func TestBuildUnknownChangedFiles(t *testing.T) {
	t.Parallel()
	s := sources()
	s.ChangedFiles = nil
	in := build(t, s)
	if in.ChangedFilesKnown || len(in.Files) != 0 {
		t.Errorf("changed files unknown but input says known=%v files=%v", in.ChangedFilesKnown, in.Files)
	}
}

func TestStandingReviews(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return today.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name       string
		reviews    []Review
		dismissals []Dismissal
		want       []StandingReview
	}{
		{
			name: "latest stands, comments ignored, login case folded",
			reviews: []Review{
				{ID: 1, Login: "alice-gp", UserID: 10, State: "CHANGES_REQUESTED", CommitID: "old", SubmittedAt: at(-3)},
				{ID: 2, Login: "Alice-GP", UserID: 10, State: "approved", CommitID: head, SubmittedAt: at(-2)},
				{ID: 3, Login: "alice-gp", UserID: 10, State: "COMMENTED", CommitID: head, SubmittedAt: at(-1)},
				{ID: 4, Login: "alice-gp", UserID: 10, State: "PENDING", CommitID: head},
			},
			want: []StandingReview{{ID: 2, Login: "Alice-GP", UserID: 10, State: "approved", CommitID: head, SubmittedAt: at(-2).Format(time.RFC3339),
				InRegister: true, Name: "Dr A", Body: "GMC", Registration: "1",
				Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, InScope: true, IDMatches: true}}},
		},
		{
			name: "out-of-order input sorted by time",
			reviews: []Review{
				{ID: 2, Login: "alice-gp", UserID: 10, State: "APPROVED", CommitID: head, SubmittedAt: at(-1)},
				{ID: 1, Login: "alice-gp", UserID: 10, State: "CHANGES_REQUESTED", CommitID: head, SubmittedAt: at(-5)},
			},
			want: []StandingReview{{ID: 2, Login: "alice-gp", UserID: 10, State: "approved", CommitID: head, SubmittedAt: at(-1).Format(time.RFC3339),
				InRegister: true, Name: "Dr A", Body: "GMC", Registration: "1",
				Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, InScope: true, IDMatches: true}}},
		},
		{
			name:    "every officer check",
			reviews: []Review{{ID: 5, Login: "lapsed", State: "APPROVED", CommitID: "old"}, {ID: 6, Login: "future", State: "APPROVED", CommitID: head}, {ID: 7, Login: "elsewhere", State: "APPROVED", CommitID: head}, {ID: 8, Login: "coder", State: "APPROVED", CommitID: head}, {ID: 9, Login: "alice-gp", UserID: 0, State: "APPROVED", CommitID: head}, {ID: 10, Login: "stranger", State: "APPROVED", CommitID: head}},
			want: []StandingReview{
				{ID: 5, Login: "lapsed", State: "approved", CommitID: "old", InRegister: true, Name: "L", Body: "NMC", Registration: "2", Checks: Checks{Registered: true, Trained: true, Independent: true, InScope: true, IDMatches: true}},
				{ID: 6, Login: "future", State: "approved", CommitID: head, InRegister: true, Name: "F", Body: "NMC", Registration: "3", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Independent: true, InScope: true, IDMatches: true}},
				{ID: 7, Login: "elsewhere", State: "approved", CommitID: head, InRegister: true, Name: "E", Body: "HCPC", Registration: "4", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, IDMatches: true}},
				{ID: 8, Login: "coder", State: "approved", CommitID: head, InRegister: true, Name: "C", Body: "GMC", Registration: "5", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, InScope: true, IDMatches: true},
					IndependenceDetail: "@coder authored, committed or co-authored one of its commits"},
				{ID: 9, Login: "alice-gp", State: "approved", CommitID: head, InRegister: true, Name: "Dr A", Body: "GMC", Registration: "1", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, InScope: true}},
				{ID: 10, Login: "stranger", State: "approved", CommitID: head, Checks: Checks{OnHead: true}},
			},
		},
		{
			name:       "dismissal facts",
			reviews:    []Review{{ID: 11, Login: "coder", State: "DISMISSED", CommitID: head}, {ID: 12, Login: "lapsed", State: "dismissed", CommitID: head}},
			dismissals: []Dismissal{{ReviewID: 11, DismissedBy: "dev", OriginalState: "CHANGES_REQUESTED"}, {ReviewID: 12, DismissedBy: "ALICE-GP", DismissedByID: 10, OriginalState: "changes_requested"}},
			want: []StandingReview{
				{ID: 11, Login: "coder", State: "dismissed", CommitID: head, InRegister: true, Name: "C", Body: "GMC", Registration: "5", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, InScope: true, IDMatches: true},
					IndependenceDetail: "@coder authored, committed or co-authored one of its commits",
					DismissedState:     "changes_requested", DismissedBy: "dev", Dismisser: &Person{Login: "dev"}},
				{ID: 12, Login: "lapsed", State: "dismissed", CommitID: head, InRegister: true, Name: "L", Body: "NMC", Registration: "2", Checks: Checks{OnHead: true, Registered: true, Trained: true, Independent: true, InScope: true, IDMatches: true},
					DismissedState: "changes_requested", DismissedBy: "ALICE-GP", DismissedByRegistered: true,
					// Alice's register entry is pinned to id 10; the event gave 10.
					Dismisser: &Person{Login: "ALICE-GP", UserID: 10, InRegister: true, Name: "Dr A", Body: "GMC", Registration: "1",
						Checks: Checks{Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, InScope: true, IDMatches: true}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sources()
			s.Reviews, s.Dismissals = tt.reviews, tt.dismissals
			got := build(t, s).Reviews
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("reviews =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestOfficersEligibility(t *testing.T) {
	t.Parallel()
	in := build(t, sources())
	got := map[string]string{}
	for _, o := range in.Officers {
		got[o.Login] = o.Ineligible
		if o.Eligible != (o.Ineligible == "") {
			t.Errorf("%s: eligible %v with reason %q", o.Login, o.Eligible, o.Ineligible)
		}
	}
	want := map[string]string{"Alice-GP": "", "lapsed": "APPROVER_REGISTRATION_EXPIRED", "future": "APPROVER_NOT_TRAINED", "elsewhere": "APPROVER_OUT_OF_SCOPE", "coder": "APPROVER_NOT_INDEPENDENT"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("eligibility = %v, want %v", got, want)
	}
}

func TestParseReviews(t *testing.T) {
	t.Parallel()
	const one = `{"id":1,"user":{"login":"a","id":7},"state":"APPROVED","commit_id":"c","submitted_at":"2026-11-20T10:00:00Z","body":"x"}`
	const two = `{"id":2,"user":{"login":"b","id":8},"state":"CHANGES_REQUESTED","commit_id":"c","submitted_at":"2026-11-21T10:00:00Z"}`
	a := Review{ID: 1, Login: "a", UserID: 7, State: "APPROVED", CommitID: "c", SubmittedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	b := Review{ID: 2, Login: "b", UserID: 8, State: "CHANGES_REQUESTED", CommitID: "c", SubmittedAt: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	tests := []struct {
		name    string
		in      string
		wantErr string
		want    []Review
	}{
		{name: "github shape", in: "[" + one + "]", want: []Review{a}},
		{name: "empty array", in: `[]`, want: []Review{}},
		{name: "gh api --paginate: arrays one after another", in: "[" + one + "]\n[" + two + "]\n", want: []Review{a, b}},
		{name: "gh api --paginate, pages without separator", in: "[" + one + "][" + two + "][]", want: []Review{a, b}},
		{name: "gh api --paginate --slurp: an array of arrays", in: "[[" + one + "],[" + two + "]]", want: []Review{a, b}},
		{name: "slurp of no reviews", in: `[[]]`, want: []Review{}},
		{name: "deleted account: user null is kept without login", in: `[{"id":3,"user":null,"state":"APPROVED","commit_id":"c","submitted_at":null}]`,
			want: []Review{{ID: 3, State: "APPROVED", CommitID: "c"}}},
		{name: "submitted_at null is undated", in: `[{"id":4,"user":{"login":"a","id":7},"state":"APPROVED","commit_id":"c","submitted_at":null}]`,
			want: []Review{{ID: 4, Login: "a", UserID: 7, State: "APPROVED", CommitID: "c"}}},
		{name: "not an array", in: `{"id":1}`, wantErr: "not a JSON array of reviews"},
		{name: "empty input", in: ``, wantErr: "the input is empty"},
		{name: "null", in: `null`, wantErr: "not a JSON array of reviews"},
		{name: "trailing garbage after a page", in: "[" + one + "]x", wantErr: "after 1 page"},
		{name: "truncated second page", in: "[" + one + "][" + two[:20], wantErr: "after 1 page"},
		{name: "reviews mixed with arrays", in: "[" + one + ",[" + two + "]]", wantErr: "mixed"},
		{name: "slurp followed by a page", in: "[[" + one + "]][" + two + "]", wantErr: "mixed"},
		{name: "three levels", in: "[[[" + one + "]]]", wantErr: "nested more than twice"},
		{name: "null review", in: `[null]`, wantErr: "review 1: is \"null\", not a review object"},
		{name: "no user key", in: `[{"id":1,"state":"APPROVED"}]`, wantErr: "has no user"},
		{name: "user without login", in: `[{"id":1,"state":"APPROVED","user":{"id":7}}]`, wantErr: "user.has no login"},
		{name: "no state", in: `[{"id":1,"user":{"login":"a"}}]`, wantErr: "has no state"},
		{name: "no id", in: `[{"user":{"login":"a"},"state":"APPROVED"}]`, wantErr: "has no id"},
		{name: "id null", in: `[{"id":null,"user":{"login":"a"},"state":"APPROVED"}]`, wantErr: "null id"},
		{name: "bad time", in: `[{"id":1,"user":{"login":"a"},"state":"APPROVED","submitted_at":"yesterday"}]`, wantErr: "not an RFC 3339 time"},
		// Attacker: readers disagree on which of two keys wins.
		{name: "state twice", in: `[{"id":1,"user":{"login":"a"},"state":"CHANGES_REQUESTED","state":"APPROVED"}]`, wantErr: `the key "state" twice`},
		{name: "state in another case", in: `[{"id":1,"user":{"login":"a"},"state":"CHANGES_REQUESTED","State":"APPROVED"}]`, wantErr: `the key "State" twice`},
		{name: "login twice", in: `[{"id":1,"user":{"login":"a","LOGIN":"alice-gp"},"state":"APPROVED"}]`, wantErr: `the key "LOGIN" twice`},
		{name: "only a differently cased key", in: `[{"id":1,"user":{"login":"a"},"State":"APPROVED"}]`, wantErr: "has no state"},
		{name: "id as a string", in: `[{"id":"1","user":{"login":"a"},"state":"APPROVED"}]`, wantErr: "id is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseReviews([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("reviews %+v returned with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestTouchGroupsGrowWithFilesNotPairs is the issue-12 shape: a dozen
// hazards share each component glob and a change covers many files under
// it. The change must carry one group per distinct hazard set (counted, a
// few paths named), not one entry per (file, hazard) pair.
func TestTouchGroupsGrowWithFilesNotPairs(t *testing.T) {
	t.Parallel()
	s := sources()
	var hazards []safetyfile.Hazard
	for i := range 12 {
		hazards = append(hazards, safetyfile.Hazard{ID: fmt.Sprintf("HAZ-%03d", 100-i), Title: "shared", Components: []string{"src/mod0/**"},
			Initial: safetyfile.Assessment{Severity: risk.Major, Likelihood: risk.Low}, Residual: safetyfile.Assessment{Severity: risk.Minor, Likelihood: risk.Low}})
	}
	s.HazardLog.Hazards = hazards
	s.Changes = []safetyfile.Change{{ID: "CHG-1", Clinical: safetyfile.ClinicalTrue, Paths: []string{"src/**"}}}
	s.ChangedFiles = nil
	for i := range 500 {
		s.ChangedFiles = append(s.ChangedFiles, fmt.Sprintf("src/mod0/f%03d.go", i))
	}
	in := build(t, s)
	c := in.Changes[0]
	if len(c.TouchGroups) != 1 {
		t.Fatalf("touch groups = %d, want 1 (every file matches the same 12 hazards)", len(c.TouchGroups))
	}
	g := c.TouchGroups[0]
	if g.Files != 500 || !reflect.DeepEqual(g.Sample, []string{"src/mod0/f000.go", "src/mod0/f001.go", "src/mod0/f002.go"}) {
		t.Errorf("group = %d files, sample %v; want 500 files and the first %d paths", g.Files, g.Sample, SampleFiles)
	}
	if len(g.Hazards) != 12 || !sort.StringsAreSorted(g.Hazards) || !reflect.DeepEqual(g.Hazards, c.TouchedHazards) {
		t.Errorf("group hazards = %v, touched = %v; want the 12 ids sorted in both", g.Hazards, c.TouchedHazards)
	}
}
