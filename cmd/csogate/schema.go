package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/schema"
)

const schemaUsage = `Usage:
  csogate schema                         list the schema names
  csogate schema NAME                    print one schema (JSON Schema, draft 2020-12)
  csogate schema --write DIR [NAME...]   write DIR/NAME.schema.json (every schema by default)

Names: %s.
Point an editor at a schema with a first line such as
  # yaml-language-server: $schema=../schemas/hazard-log.schema.json
`

// runSchema prints, lists or writes the JSON Schemas of the safety files, for
// editors to complete and check them (csogate schema [NAME] | --write DIR).
func runSchema(root string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("schema", stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, schemaUsage, strings.Join(schema.Names(), ", ")) }
	dir := fs.String("write", "", "write NAME.schema.json for each schema into this directory (created if missing)")
	if err := fs.Parse(args); err != nil {
		return decision.ExitInvalid
	}
	names := fs.Args()
	for _, name := range names {
		if _, ok := schema.Get(name); !ok {
			fmt.Fprintf(stderr, "csogate schema: unknown schema %q; write one of %s\n", name, strings.Join(schema.Names(), ", "))
			return decision.ExitInvalid
		}
	}
	if *dir != "" {
		if len(names) == 0 {
			names = schema.Names()
		}
		return writeSchemas(underRoot(root, *dir), names, stdout, stderr)
	}
	switch len(names) {
	case 0:
		for _, name := range schema.Names() {
			fmt.Fprintln(stdout, name)
		}
		return decision.ExitAllowed
	case 1:
		data, _ := schema.Get(names[0])
		if _, err := stdout.Write(data); err != nil {
			fmt.Fprintf(stderr, "csogate schema: %v\n", err)
			return decision.ExitOperational
		}
		return decision.ExitAllowed
	}
	fmt.Fprintf(stderr, "csogate schema: name one schema to print, or use --write DIR to write several\n")
	return decision.ExitInvalid
}

// writeSchemas writes DIR/NAME.schema.json for each name and says what it wrote.
func writeSchemas(dir string, names []string, stdout, stderr io.Writer) int {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "csogate schema: %v\n", err)
		return decision.ExitOperational
	}
	for _, name := range names {
		data, _ := schema.Get(name)
		path := filepath.Join(dir, schema.FileName(name))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintf(stderr, "csogate schema: %v\n", err)
			return decision.ExitOperational
		}
		fmt.Fprintf(stdout, "wrote %s\n", path)
	}
	return decision.ExitAllowed
}
