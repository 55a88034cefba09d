package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// DigestAlgorithm names how Integrity is computed: SHA-256 over the
// record's canonical JSON, with Integrity itself left out. The canonical
// form is the JSON decoded (numbers kept as written) and encoded again with
// object keys sorted, no insignificant whitespace and no HTML escaping, so
// indentation or key order cannot change the digest, and any change of a
// value does.
const DigestAlgorithm = "csogate.record-digest/v1"

// integrityKey is Record.Integrity's key in record.json.
const integrityKey = "integrity"

// Integrity is the record's digest over its whole content — the inputs with
// their hashes, the request, the facts, the decision, the approvals and the
// metadata (tool, time, context) — so that no field can be edited unseen.
// A digest proves integrity only: whoever edits a record can compute a new
// one. Origin comes from the attestation, which signs Digest.
type Integrity struct {
	Algorithm string `json:"algorithm"`
	// Fields holds the SHA-256 of each part of the record: each top-level
	// key, and each key of a top-level object ("request.reviews",
	// "context.run_id"), so a refusal names the part that was edited.
	Fields map[string]string `json:"fields"`
	// Digest is "sha256:" and the SHA-256 of the whole canonical record.
	Digest string `json:"digest"`
}

// seal computes the integrity of a record from its JSON (without integrity).
func seal(data []byte) (*Integrity, error) {
	whole, parts, err := canonicalParts(data)
	if err != nil {
		return nil, err
	}
	in := &Integrity{Algorithm: DigestAlgorithm, Fields: map[string]string{}, Digest: "sha256:" + sha(whole)}
	for k, v := range parts {
		in.Fields[k] = sha(v)
	}
	return in, nil
}

// checkIntegrity refuses a record whose content is not what its integrity
// says, naming every part that differs.
func checkIntegrity(data []byte, stated *Integrity) error {
	if stated == nil {
		return fmt.Errorf("%w: the record has no %s digest: it was not written by this csogate, or the digest was removed", ErrInvalidRecord, integrityKey)
	}
	if stated.Algorithm != DigestAlgorithm {
		return fmt.Errorf("%w: %s.algorithm is %q; this csogate checks %q", ErrInvalidRecord, integrityKey, stated.Algorithm, DigestAlgorithm)
	}
	actual, err := seal(data)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidRecord, err)
	}
	// A part under a top-level key the digest does not know at all is
	// named once, by that key.
	tops := func(fields map[string]string) map[string]bool {
		out := map[string]bool{}
		for k := range fields {
			top, _, _ := strings.Cut(k, ".")
			out[top] = true
		}
		return out
	}
	statedTops, actualTops := tops(stated.Fields), tops(actual.Fields)
	named := map[string]bool{}
	var edited []string
	name := func(k, why string) {
		if top, _, _ := strings.Cut(k, "."); !statedTops[top] || !actualTops[top] {
			k = top
		}
		if !named[k] {
			named[k] = true
			edited = append(edited, k+" ("+why+")")
		}
	}
	for k, sum := range actual.Fields {
		switch want, ok := stated.Fields[k]; {
		case !ok:
			name(k, "not covered by the digest: added after the gate wrote the record")
		case want != sum:
			name(k, "changed")
		}
	}
	for k := range stated.Fields {
		if _, ok := actual.Fields[k]; !ok {
			name(k, "covered by the digest but no longer in the record")
		}
	}
	if len(edited) > 0 {
		sort.Strings(edited)
		return fmt.Errorf("%w: the record was edited after the gate wrote it, these parts do not match its digest: %s; "+
			"an edited record is not evidence: use the record the gate wrote (the attestation names its digest)",
			ErrInvalidRecord, strings.Join(edited, "; "))
	}
	if stated.Digest != actual.Digest {
		return fmt.Errorf("%w: %s.digest is %s, but the record's content hashes to %s: the digest was edited",
			ErrInvalidRecord, integrityKey, stated.Digest, actual.Digest)
	}
	return nil
}

// canonicalParts returns the canonical JSON of a record without its
// integrity, and of each of its parts by name.
func canonicalParts(data []byte) ([]byte, map[string][]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, nil, fmt.Errorf("computing the record's digest: %v", err)
	}
	delete(m, integrityKey)
	whole, err := canonical(m)
	if err != nil {
		return nil, nil, err
	}
	parts := map[string][]byte{}
	for k, v := range m {
		obj, isObject := v.(map[string]any)
		if !isObject || len(obj) == 0 {
			if parts[k], err = canonical(v); err != nil {
				return nil, nil, err
			}
			continue
		}
		for k2, v2 := range obj {
			if parts[k+"."+k2], err = canonical(v2); err != nil {
				return nil, nil, err
			}
		}
	}
	return whole, parts, nil
}

// canonical encodes a decoded JSON value: encoding/json sorts map keys and
// writes json.Number as written.
func canonical(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("computing the record's digest: %v", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// RecordDigest is the digest of record.json's bytes as ReadRecord checks
// it: "sha256:" and the SHA-256 of the canonical record. The attestation's
// predicate carries it; csogate verify compares the two.
func RecordDigest(data []byte) (string, error) {
	whole, _, err := canonicalParts(data)
	if err != nil {
		return "", err
	}
	return "sha256:" + sha(whole), nil
}
