package action

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"
	"gopkg.in/yaml.v3"
)

// actionYAML is the part of action.yml the tests check.
type actionYAML struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using string   `yaml:"using"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
	} `yaml:"runs"`
}

// The two Docker actions with the contract's inputs and outputs: the one
// workflows use, which runs the published image, and the dev action, which
// builds the gate from this checkout's Dockerfile. dev/action.yml is derived
// from action.yml (TestDevActionYAMLIsDerived), so both are held to the
// contract by every test here.
const (
	actionFile    = "../../action.yml"
	devActionFile = "../../dev/action.yml"
)

var actionFiles = []string{actionFile, devActionFile}

// publishedImage is what action.yml may run: the release image on the GitHub
// Container Registry, by major tag on the default branch, and on a release
// tag by exact version pinned by digest (cmd/csogate-pin writes it).
var publishedImage = regexp.MustCompile(`^docker://ghcr\.io/[a-z0-9][a-z0-9-]*/csogate:v[0-9]+(\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?@sha256:[0-9a-f]{64})?$`)

// devImage is the dev action's image: the source Dockerfile at the
// repository's root, whose build context the runner then makes the root.
const devImage = "../Dockerfile"

var updateDevAction = flag.Bool("update-dev-action", false, "rewrite dev/action.yml from action.yml")

func loadActionYAML(t *testing.T) actionYAML {
	t.Helper()
	return loadActionYAMLFile(t, actionFile)
}

func loadActionYAMLFile(t *testing.T, name string) actionYAML {
	t.Helper()
	data := readFile(t, name)
	var a actionYAML
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return a
}

// TestActionYAMLMatchesContract holds action.yml and dev/action.yml to
// CONTRACT section 4: every input with its default, every output, each
// described; a Docker action with branding, running the published image
// (action.yml) or the source Dockerfile (dev/action.yml).
func TestActionYAMLMatchesContract(t *testing.T) {
	t.Parallel()
	for _, file := range actionFiles {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			checkActionYAML(t, file, loadActionYAMLFile(t, file))
		})
	}
}

func checkActionYAML(t *testing.T, file string, a actionYAML) {
	contractInputs := map[string]string{
		"token":          "${{ github.token }}",
		"hazard-log":     "safety/hazard-log.yaml",
		"manifest":       "safety/changes.yaml",
		"register":       "safety/cso-register.yaml",
		"config":         "safety/csogate.yaml",
		"policies":       "",
		"status-context": "clinical-safety/cso-approval",
		"comment":        "true",
		"request-review": "true",
		"fail-on-block":  "true",
		"release-ref":    "",
		"since":          "",
		// The emergency override's retrospective review reminders.
		"retrospective-issues": "true",
		"test-results":         "",
		// Issue 11: the attestation's subject.
		"subject-path": "", "subject-digest": "", "subject-name": "",
	}
	contractOutputs := []string{"decision", "clinical-changes", "violations", "decision-file", "record-file", "release-note",
		"safety-case", "safety-case-html", "in-toto", "predicate", "predicate-type"}

	for name, want := range contractInputs {
		in, ok := a.Inputs[name]
		switch {
		case !ok:
			t.Errorf("input %s is missing", name)
		case in.Default == nil || *in.Default != want:
			t.Errorf("input %s: default %v, want %q", name, in.Default, want)
		case strings.TrimSpace(in.Description) == "":
			t.Errorf("input %s has no description", name)
		case in.Required:
			t.Errorf("input %s is required; every input has a default", name)
		}
	}
	for name := range a.Inputs {
		if _, ok := contractInputs[name]; !ok {
			t.Errorf("input %s is not in the contract", name)
		}
	}
	for _, name := range contractOutputs {
		if o, ok := a.Outputs[name]; !ok || strings.TrimSpace(o.Description) == "" {
			t.Errorf("output %s is missing or undescribed", name)
		}
	}
	if len(a.Outputs) != len(contractOutputs) {
		t.Errorf("outputs %v, want those of the contract %v", keys(a.Outputs), contractOutputs)
	}
	if a.Runs.Using != "docker" || len(a.Runs.Args) != 0 {
		t.Errorf("runs = %+v, want a Docker action whose image's ENTRYPOINT gives the arguments", a.Runs)
	}
	switch file {
	case actionFile:
		if !publishedImage.MatchString(a.Runs.Image) {
			t.Errorf("action.yml runs image %q, want the published image (%s)", a.Runs.Image, publishedImage)
		}
	case devActionFile:
		if a.Runs.Image != devImage {
			t.Errorf("dev/action.yml runs image %q, want the source Dockerfile %s", a.Runs.Image, devImage)
		}
	}
	if a.Name == "" || a.Description == "" || a.Branding.Icon == "" || a.Branding.Color == "" {
		t.Errorf("name, description or branding missing")
	}
}

// TestEveryInputReadIsDeclared reads the inputs as the action does and checks
// each variable it asked for is an input action.yml declares, under the name
// a Docker action receives (upper case, hyphens kept), with the same default.
func TestEveryInputReadIsDeclared(t *testing.T) {
	t.Parallel()
	for _, file := range actionFiles {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			checkInputsDeclared(t, loadActionYAMLFile(t, file))
		})
	}
}

func checkInputsDeclared(t *testing.T, a actionYAML) {
	var asked []string
	getenv := func(k string) string {
		if strings.HasPrefix(k, "INPUT_") {
			asked = append(asked, k)
		}
		return ""
	}
	readInputs(githubactions.New(githubactions.WithGetenv(getenv)))
	declared := map[string]string{}
	for name := range a.Inputs {
		declared["INPUT_"+strings.ToUpper(name)] = name
	}
	for _, k := range asked {
		name, ok := declared[k]
		if !ok {
			t.Errorf("the action reads %s, which action.yml does not declare", k)
			continue
		}
		if d := a.Inputs[name].Default; name != inToken && (d == nil || *d != inputDefaults[name]) {
			t.Errorf("input %s: the code's default %q differs from action.yml's %v", name, inputDefaults[name], d)
		}
	}
	for k := range declared {
		if !slices.Contains(asked, k) {
			t.Errorf("action.yml declares %s, which the action never reads", k)
		}
	}
}

// TestOutputsSetAreDeclared runs the action and checks each output it sets
// is one action.yml declares.
func TestOutputsSetAreDeclared(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.approve(alice, aliceID)
	o := f.run()
	for _, file := range actionFiles {
		a := loadActionYAMLFile(t, file)
		for name := range o.outputs {
			if _, ok := a.Outputs[name]; !ok {
				t.Errorf("the action sets output %s, which %s does not declare", name, file)
			}
		}
	}
	for _, name := range []string{"decision", "clinical-changes", "violations", "decision-file"} {
		if _, ok := o.outputs[name]; !ok {
			t.Errorf("output %s was not set", name)
		}
	}
}

// TestDockerfile checks the rules a Docker action's image must follow and the
// build the static-binary check repeats.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	stages := regexp.MustCompile(`(?m)^FROM `).Split(text, -1)
	final := stages[len(stages)-1]
	for _, want := range []string{
		`CGO_ENABLED=0`, `-trimpath`, `-X main.version=${VERSION}`, `ARG VERSION`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
	}
	if !strings.Contains(final, `ENTRYPOINT ["/csogate", "action"]`) {
		t.Errorf("the final stage lacks the exec-form ENTRYPOINT [\"/csogate\", \"action\"]")
	}
	if !strings.Contains(text, "/rootfs/etc/ssl/certs/ca-certificates.crt") || !strings.Contains(final, "COPY --from=build /rootfs/ /") {
		t.Errorf("the final image has no CA certificates")
	}
	for _, forbidden := range []string{"\nUSER ", "\nWORKDIR "} {
		if strings.Contains(final, forbidden) {
			t.Errorf("the final stage sets %s; GitHub runs Docker actions as root in the workspace", strings.TrimSpace(forbidden))
		}
	}
	if len(stages) < 3 {
		t.Errorf("the Dockerfile has %d stages, want a multi-stage build", len(stages)-1)
	}
}

// TestDevActionYAMLIsDerived keeps dev/action.yml to action.yml with only
// its name and runs: block changed, so the two can never offer different
// inputs or outputs. After a change to action.yml:
//
//	go test ./internal/action -run TestDevActionYAMLIsDerived -update-dev-action
func TestDevActionYAMLIsDerived(t *testing.T) {
	t.Parallel()
	want, err := devActionYAML(readFile(t, actionFile))
	if err != nil {
		t.Fatal(err)
	}
	if *updateDevAction {
		if err := os.WriteFile(devActionFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := readFile(t, devActionFile); !bytes.Equal(got, want) {
		t.Errorf("dev/action.yml is not action.yml with the source build's name and runs: block; regenerate it:\n" +
			"  go test ./internal/action -run TestDevActionYAMLIsDerived -update-dev-action")
	}
}

// TestDevActionYAMLDerivation checks the derivation on inputs it must
// refuse: an action.yml whose runs: block is missing, or not the last block,
// would otherwise give a dev action that silently drops or keeps lines.
func TestDevActionYAMLDerivation(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"no runs block":      "name: csogate clinical safety gate\ninputs: {}\n",
		"runs not last":      "name: csogate clinical safety gate\nruns:\n  using: docker\n  image: x\noutputs: {}\n",
		"name not first":     "description: x\nname: csogate clinical safety gate\nruns:\n  using: docker\n",
		"two runs blocks":    "name: csogate clinical safety gate\nruns:\n  using: docker\nruns:\n  using: docker\n",
		"name already dev'd": "name: csogate clinical safety gate (from source)\nruns:\n  using: docker\n",
	} {
		if out, err := devActionYAML([]byte(text)); err == nil {
			t.Errorf("%s: derived\n%s\nwant an error", name, out)
		}
	}
}

// devActionYAML is action.yml for the dev action: named "(from source)",
// with a runs: block that builds the source Dockerfile.
func devActionYAML(root []byte) ([]byte, error) {
	const name = "name: csogate clinical safety gate\n"
	text := string(root)
	if !strings.HasPrefix(text, name) {
		return nil, fmt.Errorf("action.yml does not start with %q", strings.TrimSpace(name))
	}
	i := strings.Index(text, "\nruns:\n")
	if i < 0 || strings.Count(text, "\nruns:") != 1 {
		return nil, fmt.Errorf("action.yml has no single top-level runs: block")
	}
	for _, line := range strings.Split(strings.TrimSuffix(text[i+len("\nruns:\n"):], "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, " ") {
			return nil, fmt.Errorf("action.yml's runs: block is not its last block (%q follows it)", line)
		}
	}
	var b strings.Builder
	b.WriteString("# The gate built from this checkout's source, for developing csogate itself:\n")
	b.WriteString("#   uses: ./dev   (or <owner>/csogate/dev@<branch or commit>)\n")
	b.WriteString("# It compiles the whole module in the Dockerfile on every run (minutes);\n")
	b.WriteString("# workflows use the published image instead: uses: <owner>/csogate@v1.\n")
	b.WriteString("# Generated from action.yml, which it must match but for the name and runs:\n")
	b.WriteString("#   go test ./internal/action -run TestDevActionYAMLIsDerived -update-dev-action\n")
	b.WriteString(strings.TrimSuffix(name, "\n") + " (from source)\n")
	b.WriteString(text[len(name) : i+1])
	b.WriteString("runs:\n  using: docker\n  image: " + devImage + "\n")
	return []byte(b.String()), nil
}

// TestReleaseDockerfile checks the image the release publishes: one stage
// FROM scratch that only copies the prebuilt binary (no compiler, no RUN),
// the CA certificates, the OCI labels the registry shows, and the action's
// exec-form ENTRYPOINT, with neither USER nor WORKDIR.
func TestReleaseDockerfile(t *testing.T) {
	t.Parallel()
	text := string(readFile(t, "../../Dockerfile.release"))
	froms := regexp.MustCompile(`(?m)^FROM .*$`).FindAllString(text, -1)
	if len(froms) != 1 || froms[0] != "FROM scratch" {
		t.Errorf("Dockerfile.release stages %q, want the single stage FROM scratch", froms)
	}
	for _, forbidden := range []string{"\nRUN ", "\nUSER ", "\nWORKDIR ", "\nADD "} {
		if strings.Contains(text, forbidden) {
			t.Errorf("Dockerfile.release has %s: it only packages the released binary", strings.TrimSpace(forbidden))
		}
	}
	for _, want := range []string{
		"COPY ${TARGETPLATFORM}/csogate /csogate",
		"COPY rootfs/ /",
		`ENTRYPOINT ["/csogate", "action"]`,
		`org.opencontainers.image.source="${SOURCE}"`,
		`org.opencontainers.image.version="${VERSION}"`,
		`org.opencontainers.image.revision="${REVISION}"`,
		`org.opencontainers.image.licenses="${LICENSES}"`,
		`org.opencontainers.image.created="${CREATED}"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile.release lacks %s", want)
		}
	}
}

// TestDockerfilePinned checks the source Dockerfile's base images are pinned
// by digest, and that its Go image is the Go version go.mod names, the one
// place the toolchain version is set (workflows read it with
// actions/setup-go's go-version-file).
func TestDockerfilePinned(t *testing.T) {
	t.Parallel()
	goVersion := regexp.MustCompile(`(?m)^go ([0-9]+\.[0-9]+\.[0-9]+)$`).FindSubmatch(readFile(t, "../../go.mod"))
	if goVersion == nil {
		t.Fatal("go.mod has no go line with a full version (go 1.N.P)")
	}
	from := regexp.MustCompile(`(?m)^FROM ([^ \n]+)`)
	for _, m := range from.FindAllSubmatch(readFile(t, "../../Dockerfile"), -1) {
		image := string(m[1])
		if image == "scratch" {
			continue
		}
		if !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(image) {
			t.Errorf("Dockerfile: FROM %s is not pinned by digest", image)
		}
		if name, _, _ := strings.Cut(image, "@"); strings.HasPrefix(name, "golang:") &&
			!strings.HasPrefix(name, "golang:"+string(goVersion[1])+"-") && name != "golang:"+string(goVersion[1]) {
			t.Errorf("Dockerfile: FROM %s, want the Go version go.mod names, %s", name, goVersion[1])
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
