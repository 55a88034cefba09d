// Package buildinfo says which csogate a binary is, wherever it was built: a
// release build names its version with -ldflags; the Docker action's build,
// which gets no build arguments and no .git (the runner builds it from
// GitHub's tarball of the action's repository), reads the commit that git
// archive wrote into archive.txt; a go build in a git checkout reads the
// VCS stamp Go records in the binary.
package buildinfo

import (
	_ "embed"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
)

// archive is archive.txt: three lines, $Format:%H$, $Format:%cI$ and
// $Format:%D$, which git archive replaces with the commit, its time and its
// ref names (.gitattributes marks the file export-subst). Outside an
// archive the placeholders stay as they are.
//
//go:embed archive.txt
var archive string

// Dev is the version of a binary that knows nothing of where it came from
// (a test binary, or a build from a copy of the sources without .git).
const Dev = "dev"

// Info identifies a build.
type Info struct {
	// Version is the release version, or a Go pseudo-version made from the
	// commit (v0.0.0-20261204221500-f8ed6f9a1b2c), or Dev.
	Version string
	// Revision is the full commit hash; "" when unknown.
	Revision string
	// Time is the commit's time, RFC 3339; "" when unknown.
	Time string
	// Modified is true when the checkout had uncommitted changes.
	Modified bool
}

// String is the version with the commit, as csogate version prints it.
func (i Info) String() string {
	if i.Revision == "" {
		return i.Version
	}
	s := i.Version + " (commit " + i.Revision
	if i.Time != "" {
		s += ", " + i.Time
	}
	if i.Modified {
		s += ", modified"
	}
	return s + ")"
}

// Read identifies this binary; stamped is what -ldflags "-X main.version=…"
// set ("" or "dev" when nothing was).
func Read(stamped string) Info {
	var settings []debug.BuildSetting
	mainVersion := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings, mainVersion = bi.Settings, bi.Main.Version
	}
	return resolve(stamped, archive, mainVersion, settings)
}

var (
	commitHash = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)
	tagName    = regexp.MustCompile(`(?:^|, )tag: ([^,\s]+)`)
)

// resolve picks the most specific source: the version stamped by a release
// build, else a tag at the archived commit, else the module version Go
// recorded (go install …@v1.2.3, or the pseudo-version Go 1.24+ derives
// from a git checkout), else a pseudo-version of the commit; the commit
// comes from the VCS stamp, else the archive.
func resolve(stamped, archived, mainVersion string, settings []debug.BuildSetting) Info {
	var i Info
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	tag := ""
	if i.Revision == "" {
		lines := strings.Split(strings.TrimSpace(archived), "\n")
		if len(lines) >= 2 && commitHash.MatchString(strings.TrimSpace(lines[0])) {
			i.Revision = strings.TrimSpace(lines[0])
			if t, err := time.Parse(time.RFC3339, strings.TrimSpace(lines[1])); err == nil {
				i.Time = t.UTC().Format(time.RFC3339)
			}
			if len(lines) >= 3 {
				if m := tagName.FindStringSubmatch(lines[2]); m != nil {
					tag = m[1]
				}
			}
		}
	}
	switch {
	case stamped != "" && stamped != Dev:
		i.Version = stamped
	case tag != "":
		i.Version = tag
	case mainVersion != "" && mainVersion != "(devel)":
		i.Version = mainVersion
	case i.Revision != "":
		i.Version = pseudoVersion(i.Revision, i.Time, i.Modified)
	default:
		i.Version = Dev
	}
	return i
}

// pseudoVersion is the Go module pseudo-version of a commit, as go build
// derives it in a git checkout with no tag.
func pseudoVersion(rev, at string, modified bool) string {
	stamp := "00000000000000"
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		stamp = t.UTC().Format("20060102150405")
	}
	v := fmt.Sprintf("v0.0.0-%s-%s", stamp, rev[:12])
	if modified {
		v += "+dirty"
	}
	return v
}
