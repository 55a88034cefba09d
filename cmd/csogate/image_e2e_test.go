//go:build imagee2e

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// With -tags imagee2e, TestActionEndToEnd runs the release image named by
// CSOGATE_E2E_IMAGE (built from Dockerfile.release by .ci/image-e2e) instead
// of the binary, the way the runner runs a Docker action: the workspace, the
// event file, the file-command files and RUNNER_TEMP mounted where the runner
// mounts them, the working directory /github/workspace, the environment given
// with -e, and the host's network so the image reaches the fake GitHub on the
// loopback address. The outputs, the summary and the decision files are then
// read back from the host side of the mounts.
func init() {
	launchAction = launchImage
}

func launchImage(t *testing.T, _, workspace string, env []string) *exec.Cmd {
	t.Helper()
	image := os.Getenv("CSOGATE_E2E_IMAGE")
	podman := strings.Fields(os.Getenv("CSOGATE_E2E_PODMAN"))
	if image == "" || len(podman) == 0 {
		t.Fatal("the imagee2e build runs the release image: set CSOGATE_E2E_IMAGE to the image and CSOGATE_E2E_PODMAN to the podman command (bash .ci/image-e2e does both)")
	}
	var temp string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "RUNNER_TEMP="); ok {
			temp = v
		}
	}
	if temp == "" {
		t.Fatal("launchImage: the environment has no RUNNER_TEMP")
	}
	// Host directory → where the runner mounts it, the most specific first.
	mounts := []struct{ host, container string }{
		{filepath.Join(temp, "_github_workflow"), "/github/workflow"},
		{filepath.Join(temp, "_runner_file_commands"), "/github/file_commands"},
		{temp, "/github/runner_temp"},
		{workspace, "/github/workspace"},
	}
	if err := os.MkdirAll(filepath.Join(temp, "_github_home"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := append(podman[1:], "run", "--rm", "--network=host", "--workdir", "/github/workspace",
		"-v", filepath.Join(temp, "_github_home")+":/github/home", "-e", "HOME=/github/home", "-e", "CI=true")
	for _, m := range mounts {
		args = append(args, "-v", m.host+":"+m.container)
	}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		if name != "RUNNER_WORKSPACE" { // the runner passes it as the host path
			for _, m := range mounts {
				if rest, ok := strings.CutPrefix(value, m.host); ok && (rest == "" || rest[0] == '/') {
					value = m.container + rest
					break
				}
			}
		}
		args = append(args, "-e", name+"="+value)
	}
	args = append(args, image)
	return exec.Command(podman[0], args...)
}
