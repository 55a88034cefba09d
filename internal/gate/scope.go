package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
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
	data, found, err := req.Trusted.ReadFile(ctx, p.HazardLog)
	if err != nil {
		return "", "", fmt.Errorf("reading %s from %s for the product officer scope is checked against: %w", p.HazardLog, side, err)
	}
	if !found {
		return "", fmt.Sprintf("%s has no hazard log (%s) yet and the configuration names no product", side, p.HazardLog), nil
	}
	l.record("hazard_log", p.HazardLog, "trusted", data)
	sort.SliceStable(l.files, func(i, j int) bool { return roleOrder[l.files[i].Role] < roleOrder[l.files[j].Role] })
	from = fmt.Sprintf("the hazard log at %s", side)
	if l.log != nil && l.sameAsWorkspaceLog(data) {
		product = l.log.Product
	} else {
		var head struct {
			Product string `yaml:"product"`
		}
		if err := yaml.Unmarshal(data, &head); err != nil {
			return "", fmt.Sprintf("the hazard log at %s cannot be read for its product (fix it there, or set product: in the configuration)", side), nil
		}
		product = head.Product
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
