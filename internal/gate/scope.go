package gate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/csogate/csogate/internal/hazardlog"
)

// scopeProduct is the product officer scope is checked against, and a phrase
// saying where it came from (contract 4.1). It is named on the trusted side
// only — the configuration's product, else the trusted side's hazard log —
// never by the head's hazard log, which a pull request can rename to the
// product of a CSO whose scope it wants.
//
// For a YAML log it is the trusted side's `product:`; the other layouts carry
// no product field, so they take the name rule of contract 1.5 (the log's
// file or folder name), which the trusted path fixes. When the trusted side
// has no YAML log yet (the pull request that adds it) or its log names no
// product, the product is "": officers limited to named products are then
// out of scope and only an officer without products may approve. That fails
// closed without locking a new repository out: an unscoped CSO, or a
// configuration `product:`, lets the first log in.
//
// The trusted log is read and recorded like every trusted file, so a replay
// sees it. When it is byte for byte the head's log, as on every pull request
// that leaves the log alone, the product already parsed is reused rather
// than parsing a large log twice.
func (l *loaded) scopeProduct(ctx context.Context, req *Request) (product, from string, err error) {
	p := req.Paths
	side := req.Trusted.Describe()
	if c := strings.TrimSpace(l.config.Product); c != "" {
		return c, fmt.Sprintf("the configuration (%s) at %s", p.Config, side), nil
	}
	format, ferr := hazardlog.DetectFormat(p.HazardLog, false, p.HazardLogFormat)
	if ferr != nil || format != hazardlog.FormatYAML {
		// A directory of Markdown files or a spreadsheet: the name rule.
		name := path.Base(path.Clean(p.HazardLog))
		return strings.TrimSuffix(name, path.Ext(name)), fmt.Sprintf("the hazard log's name, %s (the configuration names no product)", p.HazardLog), nil
	}
	side = baseLogSource(req).Describe()
	files, err := l.trustedLogFiles(ctx, req, false)
	if err != nil {
		return "", "", fmt.Errorf("reading %s from %s for the product officer scope is checked against: %w", p.HazardLog, side, err)
	}
	data, found := files[p.HazardLog]
	if !found {
		return "", fmt.Sprintf("%s has no hazard log (%s) yet and the configuration names no product", side, p.HazardLog), nil
	}
	from = fmt.Sprintf("the hazard log at %s", side)
	if l.log != nil && l.sameAsWorkspaceLog(data) {
		product = l.log.Product
	} else if p, ok := leadingProduct(data); ok {
		product = p
	} else {
		var doc struct {
			Product string `yaml:"product"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return "", fmt.Sprintf("the hazard log at %s cannot be read for its product (fix it there, or set product: in the configuration)", side), nil
		}
		product = doc.Product
	}
	if product = strings.TrimSpace(product); product == "" {
		return "", fmt.Sprintf("the hazard log at %s names no product and the configuration names none", side), nil
	}
	return product, from, nil
}

// sameAsWorkspaceLog reports whether data is exactly the single-file hazard
// log read from the workspace.
func (l *loaded) sameAsWorkspaceLog(data []byte) bool {
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	n, same := 0, false
	for _, f := range l.files {
		if f.Role == "hazard_log" && f.Side == "workspace" {
			n++
			same = f.SHA256 == want
		}
	}
	return n == 1 && same
}

// leadingProduct reads `product:` from the head of a YAML hazard log without
// parsing the hazards, for a log as people write it: the product line comes
// before any indented line, and every top-level line before it is a complete
// one-line `key: value`. Then the line is certainly the document's top-level
// product key. Anything less plain (a block or multi-line value before it,
// anchors, tags, a second product line anywhere) answers ok=false, and the
// caller parses the whole document.
func leadingProduct(data []byte) (product string, ok bool) {
	if bytes.Count(data, []byte("\nproduct:"))+boolInt(bytes.HasPrefix(data, []byte("product:"))) != 1 {
		return "", false
	}
	first := true
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		trimmed := bytes.TrimSpace(line)
		switch {
		case len(trimmed) == 0 || trimmed[0] == '#':
			continue
		case first && string(trimmed) == "---":
			first = false
			continue
		case line[0] == ' ' || line[0] == '\t':
			return "", false // a block value before the product line
		}
		first = false
		value, isKey := oneLineValue(line)
		if !isKey {
			return "", false
		}
		if bytes.HasPrefix(line, []byte("product:")) {
			if len(value) == 0 {
				return "", false
			}
			var doc struct {
				Product string `yaml:"product"`
			}
			if err := yaml.Unmarshal(line, &doc); err != nil || continues(data) {
				return "", false
			}
			return doc.Product, true
		}
	}
	return "", false
}

// continues reports whether the lines after a value could continue it: an
// indented line before the next top-level line (a plain scalar may run on
// over several lines, across blank lines and comments).
func continues(rest []byte) bool {
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			continue
		case line[0] == ' ' || line[0] == '\t':
			return true
		case line[0] == '#':
			continue
		}
		return false
	}
	return false
}

// plainKey is a top-level key as hazard logs write them.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*:(?:[ \t]|$)`)

// oneLineValue reports whether line is a complete one-line `key: value`
// (the value a scalar or closed flow collection on this line, not a block
// scalar, anchor, alias or tag), and returns the value as written.
func oneLineValue(line []byte) ([]byte, bool) {
	m := plainKey.Find(line)
	if m == nil {
		return nil, false
	}
	value := bytes.TrimSpace(line[len(m):])
	if len(value) > 0 && bytes.IndexByte([]byte("|>&*!%@`"), value[0]) >= 0 {
		return nil, false
	}
	var doc map[string]any
	if err := yaml.Unmarshal(line, &doc); err != nil || len(doc) != 1 {
		return nil, false
	}
	return value, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
