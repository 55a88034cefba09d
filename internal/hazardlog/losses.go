package hazardlog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/csogate/csogate/internal/risk"
	"github.com/csogate/csogate/internal/safetyfile"
)

// verifyConfig reads an export back as it was written: no configured
// product (the layout's own wins), no id prefix added, no column mapping.
func verifyConfig() *safetyfile.Config {
	cfg := safetyfile.DefaultConfig()
	cfg.HazardIDPrefix = ""
	return &cfg
}

// maxLosses bounds the fields losses lists one by one.
const maxLosses = 20

// losses compares a log with what its export reads back as and lists every
// field that does not come back exactly, so an export never drops or
// changes anything silently. A risk the log does not state is written as
// the matrix gives it, which is no loss.
func losses(format Format, want, got *safetyfile.HazardLog) []string {
	var out []string
	if reordered, ok := inOrderOf(want, got); ok {
		out = append(out, fmt.Sprintf("%s: the hazards read back in another order (the layout orders them by file name); each hazard is kept", format))
		got = reordered
	}
	w, g := logFields(want), logFields(got)
	gotAt := make(map[string]string, len(g))
	for _, f := range g {
		gotAt[f.key] = f.value
	}
	wantKeys := make(map[string]bool, len(w))
	n := 0
	report := func(key, msg string) {
		n++
		if n <= maxLosses {
			out = append(out, fmt.Sprintf("%s %s: %s", format, fieldLabel(want, key), msg))
		}
	}
	for _, f := range w {
		wantKeys[f.key] = true
		v, ok := gotAt[f.key]
		switch {
		case !ok:
			report(f.key, fmt.Sprintf("%q is not kept by the %s layout", f.value, format))
		case v != f.value:
			report(f.key, fmt.Sprintf("%q reads back as %q", f.value, v))
		}
	}
	for _, f := range g {
		if !wantKeys[f.key] {
			report(f.key, fmt.Sprintf("reads back as %q, which the log does not hold", f.value))
		}
	}
	if n > maxLosses {
		out = append(out, fmt.Sprintf("%s: and %d more field(s) that do not read back as written", format, n-maxLosses))
	}
	return out
}

// inOrderOf puts got's hazards in want's order when both hold the same
// hazards, each id once, in another order.
func inOrderOf(want, got *safetyfile.HazardLog) (*safetyfile.HazardLog, bool) {
	if len(want.Hazards) != len(got.Hazards) {
		return got, false
	}
	at := make(map[string]int, len(got.Hazards))
	same := true
	for i, h := range got.Hazards {
		at[h.ID] = i
		same = same && h.ID == want.Hazards[i].ID
	}
	if same || len(at) != len(got.Hazards) {
		return got, false
	}
	out := *got
	out.Hazards = make([]safetyfile.Hazard, 0, len(want.Hazards))
	for _, h := range want.Hazards {
		i, ok := at[h.ID]
		if !ok {
			return got, false
		}
		out.Hazards = append(out.Hazards, got.Hazards[i])
	}
	return &out, true
}

type logField struct{ key, value string }

// logFields lists every field of a log that an export must keep, keyed by
// its place ("hazards[2].controls[0].evidence"); empty fields are left out.
func logFields(log *safetyfile.HazardLog) []logField {
	var out []logField
	add := func(key, value string) {
		if value != "" {
			out = append(out, logField{key, value})
		}
	}
	add("product", log.Product)
	add("standard", log.Standard)
	add("reviewed", log.Reviewed.String())
	for i := range log.Hazards {
		h := &log.Hazards[i]
		at := fmt.Sprintf("hazards[%d]", i)
		list := func(name string, items []string) {
			for k, v := range items {
				add(fmt.Sprintf("%s.%s[%d]", at, name, k), v)
			}
		}
		add(at+".id", h.ID)
		add(at+".title", h.Title)
		add(at+".description", h.Description)
		list("causes", h.Causes)
		list("effects", h.Effects)
		add(at+".harm", h.Harm)
		list("components", h.Components)
		for k, c := range h.Controls {
			ct := fmt.Sprintf("%s.controls[%d]", at, k)
			add(ct+".id", c.ID)
			add(ct+".description", c.Description)
			add(ct+".kind", exportKind(c.Kind))
			add(ct+".evidence", c.Evidence)
		}
		score := func(name string, s risk.Severity, l risk.Likelihood) {
			if s.Valid() {
				add(at+"."+name+".severity", s.String())
			}
			if l.Valid() {
				add(at+"."+name+".likelihood", l.String())
			}
		}
		score("initial", h.Initial.Severity, h.Initial.Likelihood)
		score("residual", h.Residual.Severity, h.Residual.Likelihood)
		stated := func(name string, n int, matrix risk.Rating) {
			if n == 0 {
				n = int(matrix)
			}
			if n != 0 {
				add(at+".risk."+name, strconv.Itoa(n))
			}
		}
		var si, sr int
		if h.Risk != nil {
			si, sr = h.Risk.Initial, h.Risk.Residual
		}
		stated("initial", si, h.InitialRisk())
		stated("residual", sr, h.ResidualRisk())
		status := h.Status
		if s, ok := safetyfile.NormaliseStatus(status, nil); ok {
			status = s
		}
		add(at+".status", status)
		add(at+".owner", h.Owner)
		add(at+".updated", h.Updated.String())
	}
	return out
}

// fieldLabel names a field for a person: the hazard's id for its index.
func fieldLabel(log *safetyfile.HazardLog, key string) string {
	i, rest, ok := hazardPath(key)
	if !ok || i >= len(log.Hazards) {
		return key
	}
	return strings.TrimSpace(log.Hazards[i].ID + " " + rest)
}
