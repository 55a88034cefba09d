package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

const rev = "f8ed6f9a1b2c3d4e5f60718293a4b5c6d7e8f901"

func TestResolve(t *testing.T) {
	t.Parallel()
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
		{Key: "vcs.time", Value: "2026-12-04T22:15:00Z"}, {Key: "vcs.modified", Value: "true"}}
	unexpanded := "$Format:%H$\n$Format:%cI$\n$Format:%D$\n"
	archived := rev + "\n2026-12-04T23:15:00+01:00\nHEAD -> main, tag: v1.4.0, origin/main\n"
	untagged := rev + "\n2026-12-04T23:15:00+01:00\nHEAD -> main\n"
	tests := []struct {
		name                       string
		stamped, archive, mainVers string
		settings                   []debug.BuildSetting
		want                       Info
	}{
		{name: "nothing known (a test binary)", archive: unexpanded, mainVers: "(devel)",
			want: Info{Version: Dev}},
		{name: "release build with -ldflags", stamped: "v1.4.0", archive: unexpanded,
			want: Info{Version: "v1.4.0"}},
		{name: "release build in a checkout", stamped: "v1.4.0", archive: unexpanded, settings: vcs,
			want: Info{Version: "v1.4.0", Revision: rev, Time: "2026-12-04T22:15:00Z", Modified: true}},
		{name: "Docker action from a tagged archive, no build args", stamped: "", archive: archived,
			want: Info{Version: "v1.4.0", Revision: rev, Time: "2026-12-04T22:15:00Z"}},
		{name: "Docker action from an untagged archive", stamped: "dev", archive: untagged, mainVers: "(devel)",
			want: Info{Version: "v0.0.0-20261204221500-f8ed6f9a1b2c", Revision: rev, Time: "2026-12-04T22:15:00Z"}},
		{name: "go build in a git checkout", archive: unexpanded, mainVers: "v0.0.0-20261204221500-f8ed6f9a1b2c+dirty", settings: vcs,
			want: Info{Version: "v0.0.0-20261204221500-f8ed6f9a1b2c+dirty", Revision: rev, Time: "2026-12-04T22:15:00Z", Modified: true}},
		{name: "VCS stamp without a module version", archive: unexpanded, mainVers: "(devel)", settings: vcs,
			want: Info{Version: "v0.0.0-20261204221500-f8ed6f9a1b2c+dirty", Revision: rev, Time: "2026-12-04T22:15:00Z", Modified: true}},
		{name: "go install of a release", archive: unexpanded, mainVers: "v1.4.0",
			want: Info{Version: "v1.4.0"}},
		{name: "archive line that is no commit", archive: "not-a-commit\n2026-12-04T22:15:00Z\ntag: v9\n", mainVers: "(devel)",
			want: Info{Version: Dev}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := resolve(tt.stamped, tt.archive, tt.mainVers, tt.settings); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	got := Info{Version: "v1.4.0", Revision: rev, Time: "2026-12-04T22:15:00Z", Modified: true}.String()
	if want := "v1.4.0 (commit " + rev + ", 2026-12-04T22:15:00Z, modified)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (Info{Version: Dev}).String(); got != Dev {
		t.Errorf("got %q, want %q", got, Dev)
	}
}

// TestArchiveFileIsExportSubst: the embedded file must hold the
// placeholders git archive expands (or, in an archive, their expansion).
func TestArchiveFileIsExportSubst(t *testing.T) {
	t.Parallel()
	if !strings.Contains(archive, "$Format:%H$") && !commitHash.MatchString(strings.SplitN(archive, "\n", 2)[0]) {
		t.Errorf("archive.txt holds neither the placeholder nor a commit: %q", archive)
	}
}
