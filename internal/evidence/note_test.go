package evidence

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/golden"
	"github.com/csogate/csogate/internal/policy"
)

// goldenPolicyHash stands in for the policy bundle's hash in the golden
// notes, which would otherwise change with every edit of a default policy.
const goldenPolicyHash = "0000000000000000000000000000000000000000000000000000000000000000"

func TestReleaseNoteGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		sc     scenario
	}{
		{"approved.md", eprApproved},
		{"blocked.md", eprBlocked},
		{"markdown-hazard-log.md", mdApproved},
		{"invalid-input.md", invalidHazardLog},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			_, _, out := evaluate(t, tt.sc)
			if out.PolicyHash != "" {
				out.PolicyHash = goldenPolicyHash
			}
			got := ReleaseNote(out, testMeta)
			golden.Check(t, filepath.Join("testdata", "golden", tt.golden), []byte(got))
		})
	}
}

// TestReleaseNoteContents checks what a Clinical Safety Case Report needs
// from the note, independently of its layout.
func TestReleaseNoteContents(t *testing.T) {
	t.Parallel()
	_, _, out := evaluate(t, eprApproved)
	note := ReleaseNote(out, testMeta)
	for _, want := range []string{
		"# Clinical safety release note: Example EPR 2.4.0",
		"**approved**",
		"`3f2a9c1`",
		out.PolicyHash,
		// a change with its declaration and impact assessment
		"| CHG-101 | Allergy banner colour and wording | true | HAZ-003 | 2 | New wording tested with three prescribers",
		"| CHG-102 | Faster patient search index | unsure | HAZ-001 | 2 |",
		"CHG-103 Update the developer documentation (declared clinical: false)",
		// a hazard with both assessments and what DCB0129 says of them
		"### HAZ-003 Allergy not visible when prescribing",
		"| Initial | major | high | 4 | mandatory elimination or control to an acceptable level |",
		"| Residual | major | very-low | 2 | acceptable where the cost of further reduction outweighs the benefit |",
		// controls and their evidence, and one without evidence
		"| CTL-020 | design | Allergy banner cannot be collapsed while prescribing | tests/ui/allergy_banner_test.go (not checked) |",
		// approvals, counted and not
		"| Dr Alice Example | GMC | 7012345 | `alice-gp` | 81 | `3f2a9c1` | 2026-11-20T14:31:05Z | yes |",
		"`dev-dan` | 80 |",
		"no: APPROVER_NOT_REGISTERED",
		// the inputs it rests on
		"| hazard log | `safety/hazard-log.yaml` | the head commit |",
		"| register | `safety/cso-register.yaml` | the trusted side |",
	} {
		if !strings.Contains(note, want) {
			t.Errorf("the note lacks %q:\n%s", want, note)
		}
	}
	for _, f := range out.Files {
		if !strings.Contains(note, f.SHA256) {
			t.Errorf("the note does not cite the SHA-256 of %s", f.Path)
		}
	}
}

func TestReleaseNoteEscapes(t *testing.T) {
	t.Parallel()
	out := &gate.Outcome{Decision: &decision.Decision{Decision: decision.Blocked, Product: "P<script>", Release: "1|2",
		Violations: []policy.Finding{{Code: "X", Message: "a <b>bold</b>\nclaim"}},
		Approvals:  []policy.Approval{{Login: "a`b", Name: "N | M", WhyNot: "APPROVAL_STALE"}}}}
	note := ReleaseNote(out, Meta{})
	for _, bad := range []string{"<script>", "<b>", "N | M", "a`b"} {
		if strings.Contains(note, bad) {
			t.Errorf("the note carries %q unescaped:\n%s", bad, note)
		}
	}
	if !strings.Contains(note, "N \\| M") || !strings.Contains(note, "a &lt;b&gt;bold&lt;/b&gt; claim") {
		t.Errorf("the note does not escape as expected:\n%s", note)
	}
}

func TestCell(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a | b", `a \| b`},
		{"line one\nline two\n", "line one<br>line two"},
		{"  spaced   out  ", "spaced out"},
		{"<img src=x>", "&lt;img src=x&gt;"},
	}
	for _, tt := range tests {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
