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

// eachScale runs f as sub-benchmarks x1, x10 and x100, each with its product.
func eachScale(b *testing.B, f func(b *testing.B, p *fixture.Files)) {
	for _, k := range benchScales {
		p, err := fixture.Generate(fixture.Small.Times(k))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) { f(b, p) })
	}
}

func problemsErr(problems Problems) error {
	if len(problems) > 0 {
		return fmt.Errorf("%d problems, first %s", len(problems), problems[0])
	}
	return nil
}

// BenchmarkYAMLNode is yaml.v3's own parse of the hazard log into a node
// tree: the part of decoding that every reader of the file pays.
func BenchmarkYAMLNode(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		b.SetBytes(int64(len(p.HazardLog)))
		fixture.Loop(b, func() error {
			var n yaml.Node
			return yaml.NewDecoder(bytes.NewReader(p.HazardLog)).Decode(&n)
		})
	})
}

// BenchmarkYAMLAny is yaml.v3 decoding the hazard log into generic maps, as
// the floor program of .ci/bench does.
func BenchmarkYAMLAny(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		b.SetBytes(int64(len(p.HazardLog)))
		fixture.Loop(b, func() error {
			var v any
			return yaml.Unmarshal(p.HazardLog, &v)
		})
	})
}

// BenchmarkDecodeHazardLog is the strict decoding of the hazard log into
// typed structs (yaml.v3's node parse, then the walk), without validation.
func BenchmarkDecodeHazardLog(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		b.SetBytes(int64(len(p.HazardLog)))
		fixture.Loop(b, func() error {
			var log HazardLog
			problems, _, _ := decodeYAML(HazardLogPath, p.HazardLog, &log)
			return problemsErr(problems)
		})
	})
}

// BenchmarkValidateHazardLog is the validation of a decoded hazard log.
func BenchmarkValidateHazardLog(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		var log HazardLog
		problems, locate, _ := decodeYAML(HazardLogPath, p.HazardLog, &log)
		if err := problemsErr(problems); err != nil {
			b.Fatal(err)
		}
		fixture.Loop(b, func() error { return problemsErr(ValidateHazardLog(&log, locate, Options{})) })
	})
}

// BenchmarkLoadHazardLog is decoding and validation together, as the gate
// reads a YAML hazard log.
func BenchmarkLoadHazardLog(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		b.SetBytes(int64(len(p.HazardLog)))
		fixture.Loop(b, func() error {
			_, _, problems := LoadHazardLog(HazardLogPath, p.HazardLog, Options{})
			return problemsErr(problems)
		})
	})
}

// BenchmarkLoadManifest decodes and validates the change manifest.
func BenchmarkLoadManifest(b *testing.B) {
	eachScale(b, func(b *testing.B, p *fixture.Files) {
		b.SetBytes(int64(len(p.Manifest)))
		fixture.Loop(b, func() error {
			_, _, problems := LoadManifest(ManifestPath, p.Manifest)
			return problemsErr(problems)
		})
	})
}
