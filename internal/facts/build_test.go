package facts

import (
	"reflect"
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
	wantTouches := []Touch{{"src/search/index.go", "HAZ-001"}, {"src/search/dose.go", "HAZ-001"}, {"src/search/dose.go", "HAZ-002"}}
	if !reflect.DeepEqual(c.Touches, wantTouches) || c.CoveredFiles != 2 {
		t.Errorf("touches = %v covered %d; want %v, 2 (a file matched by two of a change's paths counts once)", c.Touches, c.CoveredFiles, wantTouches)
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
				{ID: 8, Login: "coder", State: "approved", CommitID: head, InRegister: true, Name: "C", Body: "GMC", Registration: "5", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, InScope: true, IDMatches: true}},
				{ID: 9, Login: "alice-gp", State: "approved", CommitID: head, InRegister: true, Name: "Dr A", Body: "GMC", Registration: "1", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, Independent: true, InScope: true}},
				{ID: 10, Login: "stranger", State: "approved", CommitID: head, Checks: Checks{OnHead: true}},
			},
		},
		{
			name:       "dismissal facts",
			reviews:    []Review{{ID: 11, Login: "coder", State: "DISMISSED", CommitID: head}, {ID: 12, Login: "lapsed", State: "dismissed", CommitID: head}},
			dismissals: []Dismissal{{ReviewID: 11, DismissedBy: "dev", OriginalState: "CHANGES_REQUESTED"}, {ReviewID: 12, DismissedBy: "ALICE-GP", OriginalState: "changes_requested"}},
			want: []StandingReview{
				{ID: 11, Login: "coder", State: "dismissed", CommitID: head, InRegister: true, Name: "C", Body: "GMC", Registration: "5", Checks: Checks{OnHead: true, Registered: true, RegistrationCurrent: true, Trained: true, InScope: true, IDMatches: true},
					DismissedState: "changes_requested", DismissedBy: "dev"},
				{ID: 12, Login: "lapsed", State: "dismissed", CommitID: head, InRegister: true, Name: "L", Body: "NMC", Registration: "2", Checks: Checks{OnHead: true, Registered: true, Trained: true, Independent: true, InScope: true, IDMatches: true},
					DismissedState: "changes_requested", DismissedBy: "ALICE-GP", DismissedByRegistered: true},
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
	tests := []struct {
		name    string
		in      string
		wantErr bool
		want    []Review
	}{
		{name: "github shape", in: `[{"id":1,"user":{"login":"a","id":7},"state":"APPROVED","commit_id":"c","submitted_at":"2026-11-20T10:00:00Z","body":"x"}]`,
			want: []Review{{ID: 1, Login: "a", UserID: 7, State: "APPROVED", CommitID: "c", SubmittedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}}},
		{name: "empty array", in: `[]`, want: []Review{}},
		{name: "not an array", in: `{"id":1}`, wantErr: true},
		{name: "no user", in: `[{"id":1,"state":"APPROVED"}]`, wantErr: true},
		{name: "no state", in: `[{"id":1,"user":{"login":"a"}}]`, wantErr: true},
		{name: "bad time", in: `[{"id":1,"user":{"login":"a"},"state":"APPROVED","submitted_at":"yesterday"}]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseReviews([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseReviews(f *testing.F) {
	f.Add([]byte(`[{"id":1,"user":{"login":"a","id":7},"state":"APPROVED","commit_id":"c","submitted_at":"2026-11-20T10:00:00Z"}]`))
	f.Add([]byte(`[null]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		reviews, err := ParseReviews(data)
		if err != nil {
			return
		}
		for _, r := range reviews {
			if r.Login == "" || r.State == "" {
				t.Fatalf("review without login or state accepted: %+v from %q", r, data)
			}
		}
	})
}
