package safetyfile

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// bigLog writes a hazard log over largeFile with n hazards; mutate may
// change the text of hazard i.
func bigLog(n int, mutate func(i int, h string) string) string {
	var b strings.Builder
	b.WriteString("# a large log\nproduct: Example EPR\nstandard: DCB0129\nreviewed: 2026-10-01\nhazards:\n")
	for i := 1; i <= n; i++ {
		h := fmt.Sprintf(`  - id: HAZ-%05d
    title: "Hazard %d: wrong patient's record shown after search"
    description: >
      A search returns a different patient with a similar name and the
      clinician opens the wrong record; - not a list item.
    causes: ["Fuzzy matching", "Stale results"]
    components:
      - "src/area%d/module%d/**"
    controls:
      - {id: CTL-%d, description: Banner shows NHS number, kind: design, evidence: tests/x_test.go}
    initial:  {severity: major, likelihood: medium}
    residual: {severity: major, likelihood: very-low}
    risk: {initial: 3, residual: 2}
    status: open
    # a comment
`, i, i, i%40, i, i)
		if mutate != nil {
			h = mutate(i, h)
		}
		b.WriteString(h)
	}
	return b.String()
}

func decodeBoth(t *testing.T, data string) (split, whole *HazardLog, splitProblems, wholeProblems Problems) {
	t.Helper()
	run := func(whole bool) (*HazardLog, Problems) {
		var log HazardLog
		target := reflect.ValueOf(&log).Elem()
		d := newDecoder("h.yaml", target.Type(), Limit{})
		d.whole = whole
		d.r.locate = d.pos.locator()
		if d.decode([]byte(data), target, false) {
			d.r.problems = merge(d.r.problems, ValidateHazardLog(&log, d.r.locate, Options{}))
		}
		return &log, d.r.problems
	}
	split, splitProblems = run(false)
	whole, wholeProblems = run(true)
	return
}

// TestSplitParseIsExact checks that parsing a large log in two halves gives
// the same values, and the same problems at the same places, as one parse.
func TestSplitParseIsExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		data         string
		wantSplit    bool
		wantProblems int
	}{
		{name: "clean", data: bigLog(3000, nil), wantSplit: true},
		{name: "problems in both halves", wantSplit: true, wantProblems: 3, data: bigLog(3000, func(i int, h string) string {
			switch i {
			case 7:
				return strings.Replace(h, "likelihood: medium", "likelihood: offten", 1)
			case 2900:
				return strings.Replace(h, "    status: open", "    stauts: open", 1)
			case 3000:
				return strings.Replace(h, "risk: {initial: 3", "risk: {initial: 4", 1)
			}
			return h
		})},
		{name: "duplicate id across halves", wantSplit: true, wantProblems: 1, data: bigLog(3000, func(i int, h string) string {
			if i == 2999 {
				return strings.Replace(h, "HAZ-02999", "HAZ-00002", 1)
			}
			return h
		})},
		{name: "anchor declines", wantSplit: false, data: bigLog(3000, func(i int, h string) string {
			if i == 2 {
				return strings.Replace(h, "    causes:", "    causes: &c", 1)
			}
			return h
		})},
		{name: "key after the hazards declines", wantSplit: false, data: bigLog(3000, nil) + "owner: someone\n"},
		{name: "broken quote in second half declines", wantSplit: false, data: bigLog(3000, func(i int, h string) string {
			if i == 2500 {
				return strings.Replace(h, `title: "Hazard`, `title: "Hazard "broken`, 1)
			}
			return h
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if len(tt.data) < largeFile {
				t.Fatalf("test log is %d bytes, below the %d where splitting starts", len(tt.data), largeFile)
			}
			if _, ok := parseInHalves([]byte(tt.data)); ok != tt.wantSplit {
				t.Fatalf("parseInHalves ok = %v, want %v", ok, tt.wantSplit)
			}
			split, whole, sp, wp := decodeBoth(t, tt.data)
			if !reflect.DeepEqual(split, whole) {
				t.Errorf("split parse decoded different values (%d vs %d hazards)", len(split.Hazards), len(whole.Hazards))
			}
			if len(wp) < tt.wantProblems {
				t.Errorf("whole parse found %d problems, want at least %d: %v", len(wp), tt.wantProblems, wp)
			}
			if !reflect.DeepEqual(sp, wp) {
				t.Errorf("problems differ:\nsplit: %v\nwhole: %v", sp, wp)
			}
		})
	}
}
