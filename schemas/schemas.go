// Package schemas holds the JSON Schemas (draft 2020-12) of csogate's YAML
// files, as files users can point their editors at and as an embedded file
// system for the binary. internal/schema is the API the command line uses;
// this package only exists because go:embed cannot reach a parent directory.
package schemas

import "embed"

// FS holds NAME.schema.json for each safety file (see internal/schema.Names).
//
//go:embed *.schema.json
var FS embed.FS
