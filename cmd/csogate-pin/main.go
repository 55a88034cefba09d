// Command csogate-pin writes a release into the actions' metadata, on the
// release's own commit (the release workflow runs it after the image is
// published, commits the result and moves the release tag there):
//
//	go run ./cmd/csogate-pin -version v1.4.2 -repository csogate/csogate \
//	    -image ghcr.io/csogate/csogate:v1.4.2@sha256:<digest> -checksums dist/checksums.txt
//
// action.yml's runs.image becomes the published image pinned by digest, so
// uses: csogate/csogate@v1.4.2 always runs the very image that was built and
// attested for it; setup/action.yml's defaults become the release's tag,
// repository and the SHA-256 of its checksums.txt, so the setup action
// refuses release assets changed after publication.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	tagPattern   = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
	repoPattern  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	imagePattern = regexp.MustCompile(`^ghcr\.io/([a-z0-9][a-z0-9-]*)/csogate:(v[^@]+)@sha256:[0-9a-f]{64}$`)
)

func main() {
	dir := flag.String("C", ".", "the repository's root")
	version := flag.String("version", "", "the release tag, e.g. v1.4.2")
	repository := flag.String("repository", "", "owner/name of the repository the release belongs to")
	image := flag.String("image", "", "the published image, ghcr.io/OWNER/csogate:TAG@sha256:DIGEST")
	checksums := flag.String("checksums", "", "the release's checksums.txt")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: csogate-pin [-C DIR] -version TAG -repository OWNER/NAME -image REF -checksums FILE")
		os.Exit(2)
	}
	if err := pin(*dir, release{Version: *version, Repository: *repository, Image: *image, ChecksumsFile: *checksums}); err != nil {
		fmt.Fprintf(os.Stderr, "csogate-pin: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("pinned %s: action.yml runs docker://%s; setup/action.yml installs %s\n", *version, *image, *version)
}

type release struct {
	Version, Repository, Image, ChecksumsFile string
}

// check refuses anything but a well-formed release whose image is this
// repository's, tagged with this version and pinned by digest.
func (r release) check() error {
	if !tagPattern.MatchString(r.Version) {
		return fmt.Errorf("-version %q is not a release tag (vMAJOR.MINOR.PATCH)", r.Version)
	}
	if !repoPattern.MatchString(r.Repository) {
		return fmt.Errorf("-repository %q is not owner/name", r.Repository)
	}
	m := imagePattern.FindStringSubmatch(r.Image)
	if m == nil {
		return fmt.Errorf("-image %q is not ghcr.io/OWNER/csogate:TAG@sha256:DIGEST (the image must be pinned by digest)", r.Image)
	}
	owner, _, _ := strings.Cut(r.Repository, "/")
	if m[1] != strings.ToLower(owner) {
		return fmt.Errorf("-image %q is not under ghcr.io/%s, the repository's owner", r.Image, strings.ToLower(owner))
	}
	if m[2] != r.Version {
		return fmt.Errorf("-image %q is tagged %s, not the release %s", r.Image, m[2], r.Version)
	}
	return nil
}

func pin(dir string, r release) error {
	if err := r.check(); err != nil {
		return err
	}
	data, err := os.ReadFile(r.ChecksumsFile)
	if err != nil {
		return fmt.Errorf("-checksums: %w", err)
	}
	if len(data) == 0 {
		return fmt.Errorf("-checksums %s is empty", r.ChecksumsFile)
	}
	h := sha256.Sum256(data)
	checksumsSHA := hex.EncodeToString(h[:])

	actionPath := filepath.Join(dir, "action.yml")
	action, err := os.ReadFile(actionPath)
	if err != nil {
		return err
	}
	pinned, err := setImage(string(action), "docker://"+r.Image)
	if err != nil {
		return fmt.Errorf("%s: %w", actionPath, err)
	}
	setupPath := filepath.Join(dir, "setup", "action.yml")
	setup, err := os.ReadFile(setupPath)
	if err != nil {
		return err
	}
	setupPinned := string(setup)
	for _, d := range []struct{ input, value string }{
		{"version", r.Version}, {"repository", r.Repository}, {"checksums-sha256", checksumsSHA},
	} {
		if setupPinned, err = setDefault(setupPinned, d.input, d.value); err != nil {
			return fmt.Errorf("%s: %w", setupPath, err)
		}
	}

	// Read back what was written as the runner will read it.
	var a struct {
		Runs struct {
			Image string `yaml:"image"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal([]byte(pinned), &a); err != nil || a.Runs.Image != "docker://"+r.Image {
		return fmt.Errorf("%s: pinned runs.image reads back as %q (%v)", actionPath, a.Runs.Image, err)
	}
	var s struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal([]byte(setupPinned), &s); err != nil ||
		s.Inputs["version"].Default != r.Version || s.Inputs["repository"].Default != r.Repository ||
		s.Inputs["checksums-sha256"].Default != checksumsSHA {
		return fmt.Errorf("%s: pinned defaults read back as %+v (%v)", setupPath, s.Inputs, err)
	}
	if err := os.WriteFile(actionPath, []byte(pinned), 0o644); err != nil {
		return err
	}
	return os.WriteFile(setupPath, []byte(setupPinned), 0o644)
}

// setImage replaces the one runs: image line, keeping every other byte.
func setImage(text, image string) (string, error) {
	lines := strings.SplitAfter(text, "\n")
	inRuns, found := false, -1
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "runs:"):
			inRuns = true
		case line != "" && line[0] != ' ' && line[0] != '#' && line[0] != '\n':
			inRuns = false
		case inRuns && strings.HasPrefix(line, "  image:"):
			if found >= 0 {
				return "", errors.New("runs: has more than one image line")
			}
			found = i
		}
	}
	if found < 0 {
		return "", errors.New("no image line in the runs: block")
	}
	if !strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(lines[found], "  image:")), "docker://") {
		return "", fmt.Errorf("runs image %q is not a docker:// image: pin the published action.yml, not the dev one", strings.TrimSpace(lines[found]))
	}
	lines[found] = "  image: " + image + "\n"
	return strings.Join(lines, ""), nil
}

// setDefault sets the default: of one input, quoted so YAML reads it as a
// string, keeping every other byte.
func setDefault(text, input, value string) (string, error) {
	lines := strings.SplitAfter(text, "\n")
	inInputs, inInput, found := false, false, -1
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "inputs:"):
			inInputs = true
		case line != "" && line[0] != ' ' && line[0] != '#' && line[0] != '\n':
			inInputs, inInput = false, false
		case inInputs && strings.HasPrefix(line, "  ") && len(line) > 2 && line[2] != ' ' && line[2] != '#':
			inInput = strings.TrimRight(line, "\r\n") == "  "+input+":"
		case inInput && strings.HasPrefix(line, "    default:"):
			if found >= 0 {
				return "", fmt.Errorf("input %s has more than one default", input)
			}
			found = i
		}
	}
	if found < 0 {
		return "", fmt.Errorf("input %s has no default: line", input)
	}
	lines[found] = fmt.Sprintf("    default: %q\n", value)
	return strings.Join(lines, ""), nil
}
