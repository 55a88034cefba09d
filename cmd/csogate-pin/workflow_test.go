package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// releaseWorkflow is the part of .github/workflows/release.yml the test
// checks.
type releaseWorkflow struct {
	On struct {
		Push struct {
			Tags []string `yaml:"tags"`
		} `yaml:"push"`
	} `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Needs       []string          `yaml:"needs"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []step            `yaml:"steps"`
	} `yaml:"jobs"`
}

type step struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

// index is the position of the first step using the action (or running the
// command), or -1.
func index(steps []step, uses, run string) int {
	for i, s := range steps {
		if (uses != "" && strings.HasPrefix(s.Uses, uses+"@")) || (run != "" && strings.Contains(s.Run, run)) {
			return i
		}
	}
	return -1
}

// TestReleaseWorkflow holds the release workflow to the order that makes a
// release trustworthy: the major tags move only after the image is pushed
// and attested, the action is pinned to that image's digest, the binaries'
// checksums and the image are attested, and the Go version and GoReleaser
// version come from the one place each is set.
func TestReleaseWorkflow(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	var w releaseWorkflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.On.Push.Tags) == 0 || len(w.Permissions) != 0 {
		t.Errorf("the workflow must run on version tags only, with no permissions by default: on.push.tags %v, permissions %v", w.On.Push.Tags, w.Permissions)
	}
	binaries, image, pin := w.Jobs["binaries"], w.Jobs["image"], w.Jobs["pin"]
	if !slices.Contains(image.Needs, "binaries") || !slices.Contains(pin.Needs, "image") {
		t.Errorf("needs: image %v, pin %v; the image packages the released binaries and the pin needs the published image", image.Needs, pin.Needs)
	}

	gr := index(binaries.Steps, "goreleaser/goreleaser-action", "")
	attestBinaries := index(binaries.Steps, "actions/attest-build-provenance", "")
	switch {
	case gr < 0 || attestBinaries < gr:
		t.Errorf("binaries: GoReleaser at step %d, provenance at %d: want the binaries attested after they are built", gr, attestBinaries)
	case binaries.Steps[attestBinaries].With["subject-checksums"] != "dist/checksums.txt":
		t.Errorf("binaries: the provenance covers %v, want every file in dist/checksums.txt", binaries.Steps[attestBinaries].With)
	}
	snapshot, err := os.ReadFile("../../.ci/release-snapshot")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`goreleaser_version=(v[0-9.]+)`).FindSubmatch(snapshot)
	if gr >= 0 && (want == nil || binaries.Steps[gr].With["version"] != string(want[1])) {
		t.Errorf("binaries: GoReleaser %q, want the version .ci/release-snapshot checks the configuration with (%s)", binaries.Steps[gr].With["version"], want)
	}

	build := index(image.Steps, "docker/build-push-action", "")
	attestImage := index(image.Steps, "actions/attest-build-provenance", "")
	moveImageTags := index(image.Steps, "", "imagetools create")
	switch {
	case build < 0 || attestImage < build || moveImageTags < attestImage:
		t.Errorf("image: build at step %d, provenance at %d, minor and major tags moved at %d: want them in that order", build, attestImage, moveImageTags)
	default:
		b := image.Steps[build].With
		if b["file"] != "Dockerfile.release" || b["platforms"] != "linux/amd64,linux/arm64" || b["push"] != "true" || b["sbom"] != "true" {
			t.Errorf("image: build-push-action with %v, want Dockerfile.release for linux/amd64 and linux/arm64, pushed, with an SBOM", b)
		}
		if strings.Contains(b["tags"], "\n") || strings.Count(b["tags"], ":") != 1 {
			t.Errorf("image: the build pushes tags %q, want only the exact version: the moving tags follow the attestation", b["tags"])
		}
		if a := image.Steps[attestImage].With; a["subject-digest"] != "${{ steps.build.outputs.digest }}" || a["push-to-registry"] != "true" {
			t.Errorf("image: provenance with %v, want the pushed digest, stored in the registry", a)
		}
	}

	pinStep := index(pin.Steps, "", "go run ./cmd/csogate-pin")
	moveTags := index(pin.Steps, "", "git push --force origin")
	publish := index(pin.Steps, "", "gh release edit")
	if pinStep < 0 || moveTags < pinStep || publish < moveTags {
		t.Errorf("pin: csogate-pin at step %d, tags pushed at %d, release published at %d: want them in that order", pinStep, moveTags, publish)
	} else if run := pin.Steps[moveTags].Run; strings.Index(run, `refs/tags/$major`) < strings.Index(run, `refs/tags/$TAG`) {
		t.Errorf("pin: the major tag must move after the version tag points at the pinned commit:\n%s", run)
	}

	for name, job := range w.Jobs {
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "actions/setup-go@") && s.With["go-version-file"] != "go.mod" {
				t.Errorf("%s: setup-go with %v, want go-version-file: go.mod, the one place the Go version is set", name, s.With)
			}
		}
		if job.Permissions["contents"] == "" {
			t.Errorf("%s: permissions %v, want each job to name what it needs", name, job.Permissions)
		}
	}
}
