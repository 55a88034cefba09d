package safetyfile

import (
	"strings"
	"testing"
)

// The fuzz targets check that no input makes a reader panic, and that a file
// reported as valid really is: every hazard scored, every id present. A
// reader that silently accepted half a file would let a gate approve on it.

func FuzzLoadHazardLog(f *testing.F) {
	f.Add([]byte(validLog))
	f.Add([]byte("product: x\nhazards:\n  - &a {id: A}\n  - *a\n"))
	f.Add([]byte("hazards: [{id: H-1, initial: {severity: 3}}]"))
	f.Add([]byte("product: x\nhazards: []\n---\nproduct: y\n"))
	f.Add([]byte("<<: {product: x}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		log, _, problems := LoadHazardLog("f.yaml", data, Options{})
		if len(problems) > 0 {
			return
		}
		if strings.TrimSpace(log.Product) == "" || log.Hazards == nil {
			t.Fatalf("valid log without product or hazards: %q", data)
		}
		for _, h := range log.Hazards {
			if h.ID == "" || !h.InitialRisk().Valid() || !h.ResidualRisk().Valid() {
				t.Fatalf("valid log with an unassessed or unnamed hazard %+v from %q", h, data)
			}
		}
	})
}

func FuzzLoadManifest(f *testing.F) {
	f.Add([]byte("release: 2.4.0\nchanges:\n  - {id: CHG-1, summary: s, clinical: unsure, paths: [\"src/**\"]}\n"))
	f.Add([]byte("release: 1\nchanges: [{id: C, summary: s, clinical: yes}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, problems := LoadManifest("f.yaml", data)
		if len(problems) > 0 {
			return
		}
		for _, c := range m.Changes {
			if c.ID == "" {
				t.Fatalf("valid manifest with an unnamed change from %q", data)
			}
			switch c.Clinical {
			case "", ClinicalTrue, ClinicalFalse, ClinicalUnsure:
			default:
				t.Fatalf("clinical %q accepted from %q", c.Clinical, data)
			}
		}
	})
}

func FuzzLoadRegister(f *testing.F) {
	f.Add([]byte("officers:\n  - {github: a, name: A, body: GMC, registration: \"1\", trained: 2024-01-01}\n"))
	f.Add([]byte("officers: [{github: a, github_id: -1}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, _, problems := LoadRegister("f.yaml", data)
		if len(problems) > 0 {
			return
		}
		for _, o := range reg.Officers {
			if o.GitHub == "" || !o.Trained.IsSet() || o.GitHubID < 0 {
				t.Fatalf("valid register with an incomplete officer %+v from %q", o, data)
			}
		}
	})
}

func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte("approvals: {minimum: 2, by_residual_risk: {3: 2}}\nacceptable_residual_risk: 2\n"))
	f.Add([]byte("acceptable_residual_risk: 9"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _, problems := LoadConfig("f.yaml", data)
		if len(problems) > 0 {
			return
		}
		if cfg.Approvals.Minimum < 1 || cfg.AcceptableResidualRisk < 1 || cfg.AcceptableResidualRisk > 4 {
			t.Fatalf("valid config that weakens the gate %+v from %q", cfg, data)
		}
	})
}

func FuzzLoadComponentsMap(f *testing.F) {
	f.Add([]byte("HAZ-001: [\"src/**\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, problems := LoadComponentsMap("f.yaml", data)
		if len(problems) > 0 {
			return
		}
		for id, globs := range m {
			for _, g := range globs {
				if err := ValidGlob(g); err != nil {
					t.Fatalf("invalid glob %q for %s accepted from %q", g, id, data)
				}
			}
		}
	})
}
