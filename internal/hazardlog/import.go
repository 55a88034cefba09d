package hazardlog

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/safetyfile"
)

// Import renders a hazard log as csogate's YAML (contract 1.1), in the
// contract's key order, keeping the source's wording. Each hazard read from
// a spreadsheet row or Markdown file is preceded by a comment naming it, so
// a reviewer can check the conversion against the original.
func Import(log *safetyfile.HazardLog) ([]byte, error) {
	if log == nil {
		return nil, fmt.Errorf("import: no hazard log")
	}
	root := &yaml.Node{Kind: yaml.MappingNode}
	root.HeadComment = "csogate hazard log (docs/reference.md section 1.1)"
	add(root, "product", str(log.Product))
	if log.Standard != "" {
		add(root, "standard", plain(log.Standard))
	}
	if log.Reviewed.IsSet() {
		add(root, "reviewed", plain(log.Reviewed.String()))
	}
	hazards := &yaml.Node{Kind: yaml.SequenceNode}
	if len(log.Hazards) == 0 {
		hazards.Style = yaml.FlowStyle
	}
	for _, h := range log.Hazards {
		hazards.Content = append(hazards.Content, hazardNode(h))
	}
	add(root, "hazards", hazards)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return buf.Bytes(), nil
}

func hazardNode(h safetyfile.Hazard) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	if h.Source != "" {
		// One comment line, whatever the source's name holds.
		n.HeadComment = "from " + strings.Join(strings.Fields(h.Source), " ")
	}
	add(n, "id", str(h.ID))
	add(n, "title", str(h.Title))
	if h.Description != "" {
		add(n, "description", str(h.Description))
	}
	if len(h.Causes) > 0 {
		add(n, "causes", strList(h.Causes))
	}
	if len(h.Effects) > 0 {
		add(n, "effects", strList(h.Effects))
	}
	if h.Harm != "" {
		add(n, "harm", str(h.Harm))
	}
	if len(h.Components) > 0 {
		add(n, "components", strList(h.Components))
	}
	if len(h.Controls) > 0 {
		controls := &yaml.Node{Kind: yaml.SequenceNode}
		for _, c := range h.Controls {
			cn := &yaml.Node{Kind: yaml.MappingNode}
			if c.ID != "" {
				add(cn, "id", str(c.ID))
			}
			add(cn, "description", str(c.Description))
			if c.Kind != "" {
				add(cn, "kind", plain(c.Kind))
			}
			if c.Evidence != "" {
				add(cn, "evidence", str(c.Evidence))
			}
			controls.Content = append(controls.Content, cn)
		}
		add(n, "controls", controls)
	}
	add(n, "initial", assessmentNode(h.Initial))
	add(n, "residual", assessmentNode(h.Residual))
	if h.Risk != nil && (h.Risk.Initial != 0 || h.Risk.Residual != 0) {
		r := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		if h.Risk.Initial != 0 {
			add(r, "initial", plain(strconv.Itoa(h.Risk.Initial)))
		}
		if h.Risk.Residual != 0 {
			add(r, "residual", plain(strconv.Itoa(h.Risk.Residual)))
		}
		add(n, "risk", r)
	}
	if h.Status != "" {
		add(n, "status", str(h.Status))
	}
	if h.Owner != "" {
		add(n, "owner", str(h.Owner))
	}
	if h.Updated.IsSet() {
		add(n, "updated", plain(h.Updated.String()))
	}
	return n
}

// assessmentNode writes {severity: major, likelihood: low}; an unassessed
// score is left out so the YAML fails validation just as the source did.
func assessmentNode(a safetyfile.Assessment) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	if a.Severity.Valid() {
		add(n, "severity", plain(a.Severity.String()))
	}
	if a.Likelihood.Valid() {
		add(n, "likelihood", plain(a.Likelihood.String()))
	}
	return n
}

func add(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, value)
}

// str is a text value: quoted when YAML would read it as something else
// ("007", "yes", "2026-10-01"), a literal block when it spans lines.
func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") && literalSafe(s) {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// literalSafe says whether a literal block (|) keeps s exactly: it cannot
// hold trailing blanks, leading blanks on its first line, or tabs.
func literalSafe(s string) bool {
	if strings.HasPrefix(s, " ") || strings.ContainsAny(s, "\t\r") {
		return false
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasSuffix(l, " ") {
			return false
		}
	}
	return true
}

// plain is a value the contract spells without quotes (a word, number or date).
func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func strList(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range items {
		n.Content = append(n.Content, str(s))
	}
	return n
}
