// Command elfcheck fails unless the named file is a statically linked ELF
// executable: no program interpreter (PT_INTERP) and no shared libraries
// needed (DT_NEEDED). The Docker action's final image has no libc, so a
// binary that needs one would not start there. .ci/static-binary runs it.
package main

import (
	"debug/elf"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./.ci/elfcheck BINARY")
		os.Exit(2)
	}
	if err := check(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "elfcheck: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	fmt.Printf("elfcheck: %s is a static executable (no interpreter, no shared libraries)\n", os.Args[1])
}

func check(name string) error {
	f, err := elf.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		// A position-independent executable (ET_DYN) needs a loader too.
		return fmt.Errorf("ELF type %s, want %s", f.Type, elf.ET_EXEC)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("has a program interpreter (PT_INTERP): it was linked against libc; build with CGO_ENABLED=0")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return err
	}
	if len(libs) > 0 {
		return fmt.Errorf("needs shared libraries %v; build with CGO_ENABLED=0", libs)
	}
	return nil
}
