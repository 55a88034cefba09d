package hazarddiff

import (
	"reflect"
	"testing"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// genLog builds a small hazard log from fuzz bytes: few ids and few words,
// so two logs often share hazards and differ in a field or two.
func genLog(data []byte) *safetyfile.HazardLog {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	words := []string{"", "wrong", "patient", "dose", "late", "a b", "x"}
	pick := func() string { return words[next()%len(words)] }
	log := &safetyfile.HazardLog{Product: "P"}
	for n := next() % 6; n > 0; n-- {
		h := safetyfile.Hazard{
			ID: []string{"HAZ-1", "HAZ-2", "HAZ-3", "HAZ-4"}[next()%4], Title: pick(), Description: pick(), Harm: pick(),
			Status: []string{"open", "closed", "transferred", ""}[next()%4], Owner: pick(),
			Initial:  safetyfile.Assessment{Severity: risk.Severity(next() % 6), Likelihood: risk.Likelihood(next() % 6)},
			Residual: safetyfile.Assessment{Severity: risk.Severity(next() % 6), Likelihood: risk.Likelihood(next() % 6)},
		}
		for k := next() % 3; k > 0; k-- {
			h.Causes = append(h.Causes, pick())
			h.Effects = append(h.Effects, pick())
			h.Components = append(h.Components, []string{"src/a/**", "src/b.go", "c"}[next()%3])
			h.Controls = append(h.Controls, safetyfile.Control{ID: []string{"", "C1", "C2"}[next()%3], Description: pick(), Evidence: pick()})
		}
		log.Hazards = append(log.Hazards, h)
	}
	return log
}

// FuzzDiff checks the diff's two properties: a log compared with itself
// shows nothing, and every field the diff reports has exactly the base's
// value before and the head's after, while every field it does not report
// is equal on both sides.
func FuzzDiff(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 1, 2, 3, 4, 2, 2}, []byte{3, 0, 1, 2, 3, 1, 2, 3, 2, 2, 2})
	f.Add([]byte{2, 1, 1, 1, 1, 0, 5, 5, 5, 5, 2, 1, 2, 3}, []byte{1, 2, 4, 4, 4})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		base, head := genLog(a), genLog(b)
		if got := Diff(base, base); len(got) != 0 {
			t.Fatalf("diff(a, a) = %+v", got)
		}
		before, after := index(base), index(head)
		reported := map[string]bool{}
		for _, c := range Diff(base, head) {
			if reported[c.ID] {
				t.Fatalf("%s reported twice", c.ID)
			}
			reported[c.ID] = true
			bh, ah := before[c.ID], after[c.ID]
			switch c.Change {
			case Added:
				if bh != nil || ah == nil {
					t.Fatalf("%s added but present before or absent after", c.ID)
				}
			case Removed:
				if bh == nil || ah != nil {
					t.Fatalf("%s removed but absent before or present after", c.ID)
				}
			case Modified:
				if bh == nil || ah == nil {
					t.Fatalf("%s modified but missing on one side", c.ID)
				}
				vb, va := values(bh), values(ah)
				listed := map[string]bool{}
				for _, fl := range c.Fields {
					listed[fl.Field] = true
					if !reflect.DeepEqual(fl.Before, vb[fl.Field]) || !reflect.DeepEqual(fl.After, va[fl.Field]) {
						t.Fatalf("%s %s: %v → %v, the logs say %v → %v", c.ID, fl.Field, fl.Before, fl.After, vb[fl.Field], va[fl.Field])
					}
				}
				for _, name := range FieldNames {
					if !listed[name] && !reflect.DeepEqual(vb[name], va[name]) {
						t.Fatalf("%s %s differs (%v → %v) but is not reported", c.ID, name, vb[name], va[name])
					}
				}
				if !reflect.DeepEqual(applyControls(bh.Controls, c.Controls), keyed(ah.Controls)) {
					t.Fatalf("%s: the control changes applied to the base do not give the head's controls", c.ID)
				}
			default:
				t.Fatalf("%s: change %q", c.ID, c.Change)
			}
		}
		for id, ah := range after {
			if bh := before[id]; !reported[id] && bh != nil {
				if _, changed := compare(bh, ah); changed {
					t.Fatalf("%s changed but not reported", id)
				}
			}
		}
	})
}

// keyed maps controls by key, the first of each key.
func keyed(cs []safetyfile.Control) map[string]safetyfile.Control {
	m := map[string]safetyfile.Control{}
	for _, c := range cs {
		if _, ok := m[controlKey(&c)]; !ok {
			m[controlKey(&c)] = c
		}
	}
	return m
}

func applyControls(base []safetyfile.Control, changes []ControlChange) map[string]safetyfile.Control {
	m := keyed(base)
	for _, cc := range changes {
		switch cc.Change {
		case Removed:
			delete(m, cc.Key)
		default:
			m[cc.Key] = *cc.After
		}
	}
	return m
}
