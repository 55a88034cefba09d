// Package schema serves the JSON Schemas (draft 2020-12) of the gate's YAML
// files — hazard log, change manifest, CSO register, gate configuration and
// components map — so editors can complete and check them as people type.
//
// The schemas are written by hand in the top-level schemas directory, with a
// title and description on every key taken from the contract. They describe
// what the decoder accepts (unknown keys are errors; severity and likelihood
// words in any case and spacing; dates as YYYY-MM-DD), but csogate validate
// stays the authority: unique ids, glob syntax, the risk matrix and references
// between files are checked only there. Tests keep the schemas in step with
// the Go types in internal/safetyfile and with the decoder's verdicts.
package schema

import (
	"slices"

	"github.com/csogate/csogate/schemas"
)

// names are the schemas in the order the contract introduces their files.
var names = []string{"hazard-log", "manifest", "cso-register", "config", "hazard-components"}

// Names returns the schema names: hazard-log, manifest, cso-register, config
// and hazard-components. Each is served as NAME.schema.json.
func Names() []string { return slices.Clone(names) }

// FileName is the file a schema is written to: NAME.schema.json.
func FileName(name string) string { return name + ".schema.json" }

// Get returns the schema called name, as JSON, and whether there is one.
// The bytes are the caller's own.
func Get(name string) ([]byte, bool) {
	if !slices.Contains(names, name) {
		return nil, false
	}
	data, err := schemas.FS.ReadFile(FileName(name))
	if err != nil {
		// Every name has its file; TestEveryNameHasASchema keeps it so.
		return nil, false
	}
	return data, true
}
