package release

import (
	"strconv"
	"strings"
)

// semver is a semantic version (semver.org 2.0.0) read from a tag name. Build
// metadata is dropped: it does not take part in precedence.
type semver struct {
	core [3]uint64
	pre  []string // pre-release identifiers; nil for a release
}

// parseSemver reads a tag such as v2.4.0, 2.4.0 or v2.4.0-rc.1+build.5. A tag
// that is not exactly a semantic version (v2.4, release-2024, latest) is not
// a release tag for ordering, and ok is false.
func parseSemver(tag string) (v semver, ok bool) {
	s := strings.TrimPrefix(strings.TrimPrefix(tag, "v"), "V")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if !identifiers(s[i+1:], false) {
			return semver{}, false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		if !identifiers(s[i+1:], true) {
			return semver{}, false
		}
		v.pre = strings.Split(s[i+1:], ".")
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	for i, p := range parts {
		if !numeric(p) {
			return semver{}, false
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return semver{}, false
		}
		v.core[i] = n
	}
	return v, true
}

// identifiers checks a dot-separated list of pre-release or build identifiers:
// non-empty, [0-9A-Za-z-], and for pre-releases no leading zero on a number.
func identifiers(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		digits := true
		for _, c := range id {
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				digits = false
			default:
				return false
			}
		}
		if pre && digits && !numeric(id) {
			return false
		}
	}
	return true
}

// numeric reports whether s is a number as semver writes it: digits, and no
// leading zero unless it is 0.
func numeric(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// compare orders versions by semver precedence: -1, 0 or +1. A pre-release
// comes before its release (2.4.0-rc.1 < 2.4.0); pre-release identifiers
// compare numerically when both are numbers, numbers before words, and a
// shorter list first when one is a prefix of the other.
func (a semver) compare(b semver) int {
	for i := range a.core {
		if a.core[i] != b.core[i] {
			if a.core[i] < b.core[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case a.pre == nil && b.pre == nil:
		return 0
	case a.pre == nil:
		return 1
	case b.pre == nil:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := compareIdentifier(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a.pre) < len(b.pre):
		return -1
	case len(a.pre) > len(b.pre):
		return 1
	}
	return 0
}

func compareIdentifier(x, y string) int {
	nx, errx := strconv.ParseUint(x, 10, 64)
	ny, erry := strconv.ParseUint(y, 10, 64)
	switch {
	case errx == nil && erry == nil:
		if nx == ny {
			return 0
		}
		if nx < ny {
			return -1
		}
		return 1
	case errx == nil:
		return -1
	case erry == nil:
		return 1
	}
	return strings.Compare(x, y)
}

// versionOf is the release a tag names, as the manifest's release: writes it:
// the tag without refs/tags/ and without a leading v before a digit.
func versionOf(tag string) string {
	tag = strings.TrimPrefix(tag, "refs/tags/")
	if len(tag) > 1 && (tag[0] == 'v' || tag[0] == 'V') && tag[1] >= '0' && tag[1] <= '9' {
		return tag[1:]
	}
	return tag
}
