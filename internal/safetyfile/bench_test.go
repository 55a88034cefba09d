package safetyfile

import (
	"bytes"
	"fmt"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/fixture"
)

// benchScales are the multiples of fixture.Small the stage benchmarks run
// at: 1× (50 hazards), 10× and 100× (5,000 hazards, the product).
var benchScales = []int{1, 10, 100}

// eachScale runs f as a sub-benchmark x1, x10, x100 with that product.
func eachScale(b *testing.B, f func(b *testing.B, p *fixture.Files)) {
	for _, k := range benchScales {
		p, err := fixture.Generate(fixture.Small.Times(k))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.HazardLog)))
			f(b, p)
		})
	}
}

// BenchmarkYAMLNode is yaml.v3's own parse of the hazard log into a node
// tree: the part of decoding that every reader of the file pays.
func BenchmarkYAMLNode(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		for b.Loop() {
			var n yaml.Node
			if err := yaml.NewDecoder(bytes.NewReader(p.HazardLog)).Decode(&n); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkYAMLAny is yaml.v3 decoding the hazard log into generic maps, as
// the floor program of .ci/bench does.
func BenchmarkYAMLAny(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		for b.Loop() {
			var v any
			if err := yaml.Unmarshal(p.HazardLog, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeHazardLog is the strict decoding of the hazard log into
// typed structs (node parse and walk), without validation.
func BenchmarkDecodeHazardLog(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		for b.Loop() {
			var log HazardLog
			if problems, _, ok := decodeYAML(HazardLogPath, p.HazardLog, &log); !ok || len(problems) > 0 {
				b.Fatal(problems)
			}
		}
	})
}

// BenchmarkValidateHazardLog is the validation of a decoded hazard log.
func BenchmarkValidateHazardLog(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		var log HazardLog
		problems, locate, ok := decodeYAML(HazardLogPath, p.HazardLog, &log)
		if !ok || len(problems) > 0 {
			b.Fatal(problems)
		}
		for b.Loop() {
			if problems := ValidateHazardLog(&log, locate, Options{}); len(problems) > 0 {
				b.Fatal(problems)
			}
		}
	})
}

// BenchmarkLoadHazardLog is decoding and validation together, as the gate
// reads a YAML hazard log.
func BenchmarkLoadHazardLog(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		for b.Loop() {
			if _, _, problems := LoadHazardLog(HazardLogPath, p.HazardLog, Options{}); len(problems) > 0 {
				b.Fatal(problems)
			}
		}
	})
}

// BenchmarkLoadManifest decodes and validates the change manifest.
func BenchmarkLoadManifest(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		b.SetBytes(int64(len(p.Manifest)))
		for b.Loop() {
			if _, _, problems := LoadManifest(ManifestPath, p.Manifest); len(problems) > 0 {
				b.Fatal(problems)
			}
		}
	})
}
