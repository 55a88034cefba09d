package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	digestA = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	digestB = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// tree copies the repository's own action.yml and setup/action.yml and a
// checksums.txt into a temporary directory.
func tree(t *testing.T) (dir, checksums string) {
	t.Helper()
	dir = t.TempDir()
	for _, name := range []string{"action.yml", "setup/action.yml"} {
		data, err := os.ReadFile(filepath.Join("../..", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checksums = filepath.Join(dir, "checksums.txt")
	if err := os.WriteFile(checksums, []byte("abc  csogate_linux_amd64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, checksums
}

func read(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// changedLines returns the lines of after that differ from before's, which
// must have as many lines.
func changedLines(t *testing.T, before, after string) []string {
	t.Helper()
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	if len(a) != len(b) {
		t.Fatalf("%d lines became %d", len(b), len(a))
	}
	var out []string
	for i := range a {
		if a[i] != b[i] {
			out = append(out, a[i])
		}
	}
	return out
}

// TestPin pins the repository's own metadata: exactly the image line of
// action.yml and three defaults of setup/action.yml change, and a second
// release pins over the first.
func TestPin(t *testing.T) {
	t.Parallel()
	dir, checksums := tree(t)
	action0, setup0 := read(t, filepath.Join(dir, "action.yml")), read(t, filepath.Join(dir, "setup/action.yml"))
	r := release{Version: "v1.4.2", Repository: "CsoGate/csogate", Image: "ghcr.io/csogate/csogate:v1.4.2@" + digestA, ChecksumsFile: checksums}
	if err := pin(dir, r); err != nil {
		t.Fatal(err)
	}
	got := changedLines(t, action0, read(t, filepath.Join(dir, "action.yml")))
	if len(got) != 1 || got[0] != "  image: docker://ghcr.io/csogate/csogate:v1.4.2@"+digestA {
		t.Errorf("action.yml changed lines %q, want only the pinned image", got)
	}
	h := sha256.Sum256([]byte("abc  csogate_linux_amd64\n"))
	got = changedLines(t, setup0, read(t, filepath.Join(dir, "setup/action.yml")))
	want := []string{`    default: "v1.4.2"`, `    default: "` + hex.EncodeToString(h[:]) + `"`, `    default: "CsoGate/csogate"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("setup/action.yml changed lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	r.Version, r.Image = "v1.4.3", "ghcr.io/csogate/csogate:v1.4.3@"+digestB
	if err := pin(dir, r); err != nil {
		t.Fatal(err)
	}
	got = changedLines(t, action0, read(t, filepath.Join(dir, "action.yml")))
	if len(got) != 1 || got[0] != "  image: docker://ghcr.io/csogate/csogate:v1.4.3@"+digestB {
		t.Errorf("after a second pin, action.yml changed lines %q", got)
	}
}

// TestPinRefuses covers a release process gone wrong: an image by tag only
// (mutable), someone else's image, another version's image, a tag that is not
// a release, the dev action in place of the published one. Nothing is
// written.
func TestPinRefuses(t *testing.T) {
	t.Parallel()
	good := release{Version: "v1.4.2", Repository: "csogate/csogate", Image: "ghcr.io/csogate/csogate:v1.4.2@" + digestA}
	for _, tc := range []struct {
		name   string
		edit   func(*release)
		action func(string) string
		want   string
	}{
		{name: "image by tag only", edit: func(r *release) { r.Image = "ghcr.io/csogate/csogate:v1.4.2" }, want: "pinned by digest"},
		{name: "short digest", edit: func(r *release) { r.Image = "ghcr.io/csogate/csogate:v1.4.2@sha256:abc" }, want: "pinned by digest"},
		{name: "another registry", edit: func(r *release) { r.Image = "docker.io/csogate/csogate:v1.4.2@" + digestA }, want: "pinned by digest"},
		{name: "another owner's image", edit: func(r *release) { r.Image = "ghcr.io/mallory/csogate:v1.4.2@" + digestA }, want: "not under ghcr.io/csogate"},
		{name: "another version's image", edit: func(r *release) { r.Image = "ghcr.io/csogate/csogate:v1.4.1@" + digestA }, want: "not the release v1.4.2"},
		{name: "not a release tag", edit: func(r *release) { r.Version = "main" }, want: "not a release tag"},
		{name: "not owner/name", edit: func(r *release) { r.Repository = "csogate" }, want: "not owner/name"},
		{name: "no checksums", edit: func(r *release) { r.ChecksumsFile += ".missing" }, want: "-checksums"},
		{name: "dev action", action: func(s string) string {
			return strings.Replace(s, "image: docker://ghcr.io/csogate/csogate:v1", "image: ../Dockerfile", 1)
		}, want: "not a docker:// image"},
		{name: "two image lines", action: func(s string) string { return s + "  image: docker://x\n" }, want: "more than one image line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, checksums := tree(t)
			r := good
			r.ChecksumsFile = checksums
			if tc.edit != nil {
				tc.edit(&r)
			}
			if tc.action != nil {
				if err := os.WriteFile(filepath.Join(dir, "action.yml"), []byte(tc.action(read(t, filepath.Join(dir, "action.yml")))), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			action0, setup0 := read(t, filepath.Join(dir, "action.yml")), read(t, filepath.Join(dir, "setup/action.yml"))
			err := pin(dir, r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("pin: %v, want an error saying %q", err, tc.want)
			}
			if read(t, filepath.Join(dir, "action.yml")) != action0 || read(t, filepath.Join(dir, "setup/action.yml")) != setup0 {
				t.Errorf("a refused pin wrote the metadata")
			}
		})
	}
}
