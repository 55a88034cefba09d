package action

import (
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

func loadActionYAML(t *testing.T) actionYAML {
	t.Helper()
	data := readFile(t, "../../action.yml")
	var a actionYAML
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// TestActionYAMLMatchesContract holds action.yml to CONTRACT section 4:
// every input with its default, every output, each described; a Docker
// action with branding.
func TestActionYAMLMatchesContract(t *testing.T) {
	t.Parallel()
	a := loadActionYAML(t)
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
		// Issue 11: the attestation's subject.
		"subject-path": "", "subject-digest": "", "subject-name": "",
	}
	contractOutputs := []string{"decision", "clinical-changes", "violations", "decision-file", "record-file", "release-note",
		"in-toto", "predicate", "predicate-type"}

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
	if a.Runs.Using != "docker" || a.Runs.Image != "Dockerfile" || len(a.Runs.Args) != 0 {
		t.Errorf("runs = %+v, want the Dockerfile, whose ENTRYPOINT gives the arguments", a.Runs)
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
	a := loadActionYAML(t)
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
	a := loadActionYAML(t)
	f := newFixture(t)
	f.approve(alice, aliceID)
	o := f.run()
	for name := range o.outputs {
		if _, ok := a.Outputs[name]; !ok {
			t.Errorf("the action sets output %s, which action.yml does not declare", name)
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

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
