// Command floor is the yardstick of .ci/bench, in two modes.
//
//	floor decode DIR
//
// reads the inputs of a product directory as csogate check does — the hazard
// log, change manifest, CSO register and configuration under DIR/safety,
// changed-files.txt and reviews.json — and only decodes them: the YAML files
// with gopkg.in/yaml.v3 into generic values (map[string]any, []any), the
// reviews with encoding/json into []map[string]any, the changed files split
// into lines. It validates, matches and decides nothing; it is the cost no
// gate reading these formats can avoid (its "floor"), and prints a one-line
// summary so the decoding cannot be optimised away.
//
//	floor measure [-n RUNS] [-C DIR] [-o FILE] -- COMMAND [ARG...]
//
// runs COMMAND RUNS times (default 5) and prints "wall_seconds
// peak_rss_kib exit_code cpu_seconds": the best (least) wall time, peak
// resident set and CPU time (user and system) over the runs, as the kernel's
// rusage of the child reports them (ru_maxrss, ru_utime, ru_stime), so no GNU
// time is needed. On a shared machine the CPU time is the steadier measure. Standard output of COMMAND goes to FILE (default
// discarded); its standard error is passed through.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "decode":
		if len(os.Args) != 3 {
			usage()
		}
		if err := decode(os.Args[2]); err != nil {
			fmt.Fprintf(os.Stderr, "floor decode: %v\n", err)
			os.Exit(1)
		}
	case "measure":
		os.Exit(measure(os.Args[2:]))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: floor decode DIR | floor measure [-n RUNS] [-C DIR] [-o FILE] -- COMMAND [ARG...]")
	os.Exit(2)
}

func decode(dir string) error {
	values := 0
	for _, name := range []string{"safety/hazard-log.yaml", "safety/changes.yaml", "safety/cso-register.yaml", "safety/csogate.yaml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		values += count(v)
	}
	data, err := os.ReadFile(filepath.Join(dir, "reviews.json"))
	if err != nil {
		return err
	}
	var reviews []map[string]any
	if err := json.Unmarshal(data, &reviews); err != nil {
		return fmt.Errorf("reviews.json: %w", err)
	}
	for _, r := range reviews {
		values += count(r)
	}
	data, err = os.ReadFile(filepath.Join(dir, "changed-files.txt"))
	if err != nil {
		return err
	}
	files := bytes.Count(data, []byte("\n"))
	fmt.Printf("decoded %d values, %d reviews, %d changed files\n", values, len(reviews), files)
	return nil
}

// count walks a decoded value, so the whole tree is touched.
func count(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 1
		for _, x := range v {
			n += count(x)
		}
		return n
	case []any:
		n := 1
		for _, x := range v {
			n += count(x)
		}
		return n
	}
	return 1
}

func measure(args []string) int {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	runs := fs.Int("n", 5, "runs; the best wall time and the smallest peak RSS are reported")
	dir := fs.String("C", "", "working directory of the command")
	out := fs.String("o", "", "file for the command's standard output of the last run (default: discarded)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cmdline := fs.Args()
	if len(cmdline) == 0 {
		usage()
	}
	bestWall, bestCPU, bestRSS, exit := time.Duration(1<<62), time.Duration(1<<62), int64(1<<62), 0
	for range max(1, *runs) {
		cmd := exec.Command(cmdline[0], cmdline[1:]...)
		cmd.Dir = *dir
		cmd.Stderr = os.Stderr
		var stdout io.Writer = io.Discard
		var f *os.File
		if *out != "" {
			var err error
			if f, err = os.Create(*out); err != nil {
				fmt.Fprintf(os.Stderr, "floor measure: %v\n", err)
				return 2
			}
			stdout = f
		}
		cmd.Stdout = stdout
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if f != nil {
			f.Close()
		}
		var ee *exec.ExitError
		switch {
		case err == nil:
			exit = 0
		case errors.As(err, &ee):
			exit = ee.ExitCode()
		default:
			fmt.Fprintf(os.Stderr, "floor measure: %v\n", err)
			return 2
		}
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			fmt.Fprintln(os.Stderr, "floor measure: no rusage on this platform")
			return 2
		}
		bestWall = min(bestWall, wall)
		bestCPU = min(bestCPU, time.Duration(ru.Utime.Nano()+ru.Stime.Nano()))
		bestRSS = min(bestRSS, ru.Maxrss) // KiB on Linux
	}
	fmt.Printf("%.4f %d %d %.4f\n", bestWall.Seconds(), bestRSS, exit, bestCPU.Seconds())
	return 0
}
