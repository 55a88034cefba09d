package evidence

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// checkPaths refuses a record that would make the replay read outside the
// record directory or the checkout, or read a file under a name that is not
// the input the record says it is. A record is untrusted input to replay: an
// auditor runs it in a checkout that may hold anything, and a record that
// points a workspace input at ../../etc/passwd, or its trusted/ copy at a
// link, must be refused (exit 2), never read and never "match".
func checkPaths(rec *Record, dir string) error {
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRecord, fmt.Sprintf(format, a...))
	}
	p := rec.Request.Paths
	for _, named := range []struct{ field, name string }{
		{"hazard_log", p.HazardLog}, {"manifest", p.Manifest}, {"components_map", p.ComponentsMap},
	} {
		if named.name != "" && !inCheckout(named.name) {
			return invalid("request.paths.%s %q is not a path inside the checkout (relative, without ..): replay reads only the checkout and the record", named.field, named.name)
		}
	}
	for i, in := range rec.Inputs {
		at := fmt.Sprintf("inputs[%d] (%s %s)", i, in.Role, in.Path)
		if in.Side == "workspace" && !inCheckout(in.Path) {
			return invalid("%s: a workspace input outside the checkout (absolute, or with ..): replay reads only the checkout", at)
		}
		if !namesInput(in.Role, in.Path, p) {
			return invalid("%s: the path is not the %s the request names (%s), so it is not the input the record says it is", at, in.Role, configured(in.Role, p))
		}
		if in.Copy != "" {
			if err := noLinks(dir, in.Copy); err != nil {
				return invalid("%s: %v", at, err)
			}
		}
	}
	if bm := rec.Request.BaseManifest; bm != nil {
		if err := noLinks(dir, bm.Copy); err != nil {
			return invalid("request.base_manifest: %v", err)
		}
	}
	for i, c := range rec.Request.TestResults {
		if c.Path == "" || !isSHA256(c.SHA256) || c.Copy != testResultsDir+"/"+c.SHA256 {
			return invalid("request.test_results[%d] needs a path, a SHA-256 and its copy %s/<sha256>", i, testResultsDir)
		}
		if err := noLinks(dir, c.Copy); err != nil {
			return invalid("request.test_results[%d]: %v", i, err)
		}
	}
	return nil
}

// inCheckout reports whether name is a clean, relative, slash-separated path
// that stays inside the directory it is relative to.
func inCheckout(name string) bool {
	return name != "" && !strings.ContainsAny(name, "\\\x00") && path.Clean(name) == name &&
		!path.IsAbs(name) && filepath.IsLocal(filepath.FromSlash(name))
}

// namesInput reports whether an input of role at name is the file the
// request's paths name for that role: the file itself, or a file under it
// for a hazard log kept as a directory and for policy directories. Roles a
// later version may add are left to ReadRecord's list.
func namesInput(role, name string, p Paths) bool {
	under := func(root string) bool {
		root = strings.TrimSuffix(path.Clean(root), "/")
		return root != "" && root != "." && (name == root || strings.HasPrefix(name, root+"/"))
	}
	switch role {
	case "hazard_log":
		return under(p.HazardLog)
	case "manifest":
		return name == path.Clean(p.Manifest)
	case "register":
		return name == path.Clean(p.Register)
	case "config":
		return name == path.Clean(p.Config)
	case "components_map":
		return name == path.Clean(p.ComponentsMap)
	case "policy":
		// Policy directories come from the flags and from the recorded
		// configuration; either way a policy is a .rego file at a clean
		// relative path.
		return inCheckout(name) && strings.HasSuffix(name, ".rego")
	}
	return true
}

func configured(role string, p Paths) string {
	switch role {
	case "hazard_log":
		return p.HazardLog
	case "manifest":
		return p.Manifest
	case "register":
		return p.Register
	case "config":
		return p.Config
	case "components_map":
		return p.ComponentsMap
	}
	return "a .rego file"
}

// noLinks refuses a copy that is, or lies under, a symbolic link inside the
// record directory: the copy would be read from wherever the link points.
func noLinks(dir, copyName string) error {
	cur := dir
	for _, part := range strings.Split(copyName, "/") {
		cur = filepath.Join(cur, part)
		info, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a missing copy is reported, with its hash, when it is read
		}
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("the record's copy %s is a symbolic link (at %s): a record holds its copies, it does not point at files", copyName, cur)
		}
	}
	return nil
}
