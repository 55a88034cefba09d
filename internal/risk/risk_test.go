package risk

import "testing"

// TestMatrix checks all 25 cells against the DCB0129 matrix as NHS England
// publishes it (contract 1.1), written out cell by cell so a transposed row
// or column cannot hide.
func TestMatrix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		likelihood Likelihood
		severity   Severity
		want       Rating
	}{
		{VeryHigh, Minor, 3}, {VeryHigh, Significant, 4}, {VeryHigh, Considerable, 4}, {VeryHigh, Major, 5}, {VeryHigh, Catastrophic, 5},
		{High, Minor, 2}, {High, Significant, 3}, {High, Considerable, 3}, {High, Major, 4}, {High, Catastrophic, 5},
		{Medium, Minor, 2}, {Medium, Significant, 2}, {Medium, Considerable, 3}, {Medium, Major, 3}, {Medium, Catastrophic, 4},
		{Low, Minor, 1}, {Low, Significant, 2}, {Low, Considerable, 2}, {Low, Major, 3}, {Low, Catastrophic, 4},
		{VeryLow, Minor, 1}, {VeryLow, Significant, 1}, {VeryLow, Considerable, 2}, {VeryLow, Major, 2}, {VeryLow, Catastrophic, 3},
	}
	if len(tests) != 25 {
		t.Fatalf("matrix test covers %d cells, want 25", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.likelihood.String()+"/"+tt.severity.String(), func(t *testing.T) {
			t.Parallel()
			if got := Of(tt.severity, tt.likelihood); got != tt.want {
				t.Errorf("Of(%s, %s) = %d, want %d", tt.severity, tt.likelihood, got, tt.want)
			}
		})
	}
}

func TestOfUnassessed(t *testing.T) {
	t.Parallel()
	if got := Of(0, Medium); got != 0 {
		t.Errorf("Of(unassessed, medium) = %d, want 0", got)
	}
	if got := Of(Major, 0); got != 0 {
		t.Errorf("Of(major, unassessed) = %d, want 0", got)
	}
	if got := Of(6, 6); got != 0 {
		t.Errorf("Of(6, 6) = %d, want 0", got)
	}
}

func TestParseWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantSev Severity
		wantLik Likelihood
	}{
		{name: "canonical likelihood", in: "very-low", wantLik: VeryLow},
		{name: "title case with space", in: "Very Low", wantLik: VeryLow},
		{name: "upper case", in: "VERY LOW", wantLik: VeryLow},
		{name: "underscore", in: "very_low", wantLik: VeryLow},
		{name: "padded", in: "  very   high ", wantLik: VeryHigh},
		{name: "joined", in: "VeryHigh", wantLik: VeryHigh},
		{name: "severity upper", in: "CATASTROPHIC", wantSev: Catastrophic},
		{name: "severity title", in: "Considerable", wantSev: Considerable},
		{name: "unknown", in: "Offten"},
		{name: "number is not a word", in: "3"},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, lerr := ParseLikelihood(tt.in)
			s, serr := ParseSeverity(tt.in)
			if tt.wantLik != 0 {
				if lerr != nil || l != tt.wantLik {
					t.Errorf("ParseLikelihood(%q) = %v, %v; want %v", tt.in, l, lerr, tt.wantLik)
				}
			} else if lerr == nil {
				t.Errorf("ParseLikelihood(%q) = %v, want an error", tt.in, l)
			}
			if tt.wantSev != 0 {
				if serr != nil || s != tt.wantSev {
					t.Errorf("ParseSeverity(%q) = %v, %v; want %v", tt.in, s, serr, tt.wantSev)
				}
			} else if serr == nil {
				t.Errorf("ParseSeverity(%q) = %v, want an error", tt.in, s)
			}
		})
	}
}

func TestParseScores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		sev     Severity
		lik     Likelihood
		rating  Rating
		wantErr bool
	}{
		{name: "number and word with description", in: "3 - Medium: Possible", lik: Medium, rating: 3},
		{name: "bare number", in: "4", sev: Major, lik: High, rating: 4},
		{name: "spreadsheet float", in: "3.0", sev: Considerable, lik: Medium, rating: 3},
		{name: "not a whole number", in: "3.5", wantErr: true},
		{name: "word", in: "Major", sev: Major},
		{name: "number word disagree", in: "2 - High", wantErr: true},
		{name: "tbc", in: "TBC", wantErr: true},
		{name: "blank", in: "  ", wantErr: true},
		{name: "out of range", in: "7", wantErr: true},
		{name: "zero", in: "0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, serr := ParseSeverityScore(tt.in)
			l, lerr := ParseLikelihoodScore(tt.in)
			r, rerr := ParseRatingScore(tt.in)
			if tt.wantErr {
				if serr == nil && lerr == nil && rerr == nil {
					t.Errorf("parsing %q gave %v, %v, %v; want errors", tt.in, s, l, r)
				}
				return
			}
			if tt.sev != 0 && (serr != nil || s != tt.sev) {
				t.Errorf("ParseSeverityScore(%q) = %v, %v; want %v", tt.in, s, serr, tt.sev)
			}
			if tt.lik != 0 && (lerr != nil || l != tt.lik) {
				t.Errorf("ParseLikelihoodScore(%q) = %v, %v; want %v", tt.in, l, lerr, tt.lik)
			}
			if tt.rating != 0 && (rerr != nil || r != tt.rating) {
				t.Errorf("ParseRatingScore(%q) = %v, %v; want %v", tt.in, r, rerr, tt.rating)
			}
		})
	}
}

func TestNormalise(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Very Low": "very-low", "VERY_LOW": "very-low", " very--low ": "very-low", "High": "high", "very\tlow": "very-low",
	} {
		if got := Normalise(in); got != want {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}
