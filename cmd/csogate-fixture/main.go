// Command csogate-fixture writes a synthetic product of any size in the
// contract's formats, for benchmarks and for trying the gate at scale:
//
//	go run ./cmd/csogate-fixture -out /tmp/large -hazards 5000 -changes 1000 -files 3000 -reviews 300
//	csogate -C /tmp/large check --changed-files changed-files.txt --reviews reviews.json \
//	    --head-sha c0ffee5e4b7d8a06c5e1f2b3a4d5c6e7f8091a2b --author dev-dan --today 2026-11-25
//
// The product is approved with one counted CSO approval; see internal/fixture.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/csogate/csogate/internal/fixture"
)

func main() {
	out := flag.String("out", "", "directory to write the product into (created if needed)")
	hazards := flag.Int("hazards", fixture.Large.Hazards, "hazards in the hazard log")
	changes := flag.Int("changes", fixture.Large.Changes, "changes in the manifest")
	files := flag.Int("files", fixture.Large.Files, "changed files of the pull request")
	reviews := flag.Int("reviews", fixture.Large.Reviews, "reviews of the pull request (one is the counted CSO approval)")
	shared := flag.Int("shared-glob", 0, "hazards sharing each module's component glob (0 or 1: one each)")
	globs := flag.String("globs", "", `component glob kind: "" (a module's /** and a neighbour's api.go), "broad" (also src/** and **/*) or "braces" (a 50-extension brace set)`)
	officers := flag.Int("officers", 0, "registered CSOs (0: the default 20)")
	printArgs := flag.Bool("print-check-args", false, "only print the arguments of csogate check (after \"check\") that evaluate a written product, one per line")
	flag.Parse()
	if *printArgs && flag.NArg() == 0 {
		fmt.Println(strings.Join(fixture.CheckArgs(), "\n"))
		return
	}
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: csogate-fixture -out DIR [-hazards N] [-changes M] [-files F] [-reviews R] [-shared-glob K] [-globs broad|braces] [-officers O] | -print-check-args")
		os.Exit(2)
	}
	size := fixture.Size{Hazards: *hazards, Changes: *changes, Files: *files, Reviews: *reviews,
		Shape: fixture.Shape{SharedGlob: *shared, Globs: *globs, Officers: *officers}}
	if err := fixture.Write(*out, size); err != nil {
		fmt.Fprintf(os.Stderr, "csogate-fixture: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (%s)\ncheck it with: csogate -C %s check %s\n", *out, size, *out, strings.Join(fixture.CheckArgs(), " "))
}
