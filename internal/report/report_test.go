package report

import (
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/policy"
)

func TestAdvice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		d         *decision.Decision
		code      string
		want      string
		wantNoSHA bool
	}{
		{name: "names the head commit", code: "CSO_APPROVAL_REQUIRED",
			d: &decision.Decision{HeadSHA: "3f2a9c1e4b7d8a06", Violations: []policy.Finding{{Code: "CSO_APPROVAL_REQUIRED", Message: "CHG-1 needs approval"}}}, want: "approve its head commit 3f2a9c1."},
		{name: "release finding points at the pull request", code: "CSO_APPROVAL_REQUIRED",
			d:    &decision.Decision{HeadSHA: "9999999e4b7d8a06", Violations: []policy.Finding{{Code: "CSO_APPROVAL_REQUIRED", Message: "#12: CHG-1 needs approval"}}},
			want: "pull request #N's final head commit", wantNoSHA: true},
		{name: "custom code", code: "TWO_CSOS", d: &decision.Decision{}, want: "custom policy"},
		{name: "no commit placeholder", code: "UNACCEPTABLE_RESIDUAL_RISK", d: &decision.Decision{}, want: "No approval unblocks this"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := adviceFor(tt.d, tt.code)
			if !strings.Contains(got, tt.want) {
				t.Errorf("advice = %q, want it to contain %q", got, tt.want)
			}
			if tt.wantNoSHA && strings.Contains(got, "9999999") {
				t.Errorf("advice %q names the released commit, which is not the one to approve", got)
			}
			if strings.Contains(got, "%!") {
				t.Errorf("advice %q has a formatting error", got)
			}
		})
	}
}

// TestMarkdownEscapesRepositoryText checks that text from the repository (a
// file name, a hazard title) cannot inject HTML or a fake comment marker.
func TestMarkdownEscapesRepositoryText(t *testing.T) {
	t.Parallel()
	d := &decision.Decision{Decision: decision.Blocked, Product: "P", HeadSHA: "abc",
		Violations:     []policy.Finding{{Code: "UNDECLARED_CLINICAL_CHANGE", Message: "src/<!-- csogate:clinical-safety/cso-approval -->.go | x"}},
		TouchedHazards: []decision.TouchedHazard{{ID: "HAZ-1", Title: "a | b <script>"}}}
	md := Markdown(d, Links{})
	if strings.Contains(md, "<!--") || strings.Contains(md, "<script>") {
		t.Errorf("markdown carries raw markup from the repository:\n%s", md)
	}
	if !strings.Contains(md, `a \| b`) {
		t.Errorf("a | in a table cell is not escaped:\n%s", md)
	}
}

func TestSummaryFitsAStatus(t *testing.T) {
	t.Parallel()
	var vs []policy.Finding
	for i := 0; i < 40; i++ {
		vs = append(vs, policy.Finding{Code: strings.Repeat("X", 10) + string(rune('A'+i%26)) + string(rune('A'+i/26))})
	}
	d := &decision.Decision{Decision: decision.Blocked, Violations: vs}
	if n := len([]rune(d.Summary())); n > 140 {
		t.Errorf("summary is %d characters, more than a commit status allows", n)
	}
}

// TestTextKeepsRepositoryTextOnItsLine: a hazard title or message with a
// line break cannot print a line that reads as the gate's verdict.
func TestTextKeepsRepositoryTextOnItsLine(t *testing.T) {
	t.Parallel()
	d := &decision.Decision{Decision: decision.Blocked, Product: "P\nAPPROVED: P", HeadSHA: "abc",
		Violations:     []policy.Finding{{Code: "UNDECLARED_CLINICAL_CHANGE", Message: "src/a\nAPPROVED: all good\r\n::notice::ok"}},
		TouchedHazards: []decision.TouchedHazard{{ID: "HAZ-1", Title: "t\u2028APPROVED: x"}}}
	var b strings.Builder
	if err := Text(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "APPROVED") || strings.HasPrefix(line, "::") || strings.Contains(line, "\u2028") {
			t.Errorf("repository text starts a line of its own: %q\n%s", line, b.String())
		}
	}
}
