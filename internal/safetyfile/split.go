package safetyfile

import (
	"bytes"
	"sync"

	"gopkg.in/yaml.v3"
)

// parseInHalves parses a large file whose last top-level key is a block
// sequence (the hazard log's hazards:) as two documents on two goroutines:
// the head with the first half of the items, and the rest of the items under
// the same key, padded with blank lines so that every node keeps its line
// and column. The second half's items are then appended to the first's
// sequence, giving the tree a single parse would. Parsing is most of the
// cost of reading a 5,000-hazard log, and a machine has a second core.
//
// It declines (ok false), and the caller parses the whole file as usual,
// whenever the split might not be exact: a file with anchors (an alias in
// one half could name an anchor in the other), document markers, a last key
// that is not a block sequence, or either half failing to parse (the whole
// parse then reports the error at its true place).
func parseInHalves(data []byte) (doc *yaml.Node, ok bool) {
	if bytes.IndexByte(data, '&') >= 0 || bytes.Contains(data, []byte("\n---")) || bytes.Contains(data, []byte("\n...")) ||
		bytes.HasPrefix(data, []byte("---")) || bytes.IndexByte(data, '\t') >= 0 || bytes.IndexByte(data, '\r') >= 0 {
		return nil, false
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	key, prefix := lastSequenceKey(lines)
	if key < 0 {
		return nil, false
	}
	split := -1
	for i := key + 1 + (len(lines)-key)/2; i < len(lines); i++ {
		if bytes.HasPrefix(lines[i], prefix) {
			split = i
			break
		}
	}
	if split < 0 {
		return nil, false
	}
	head := data[:lineOffset(lines, split)]
	var tail bytes.Buffer
	tail.Grow(len(data) - len(head) + split)
	tail.Write(bytes.Repeat([]byte("\n"), split-1))
	tail.Write(bytes.TrimRight(lines[key], "\n"))
	tail.WriteByte('\n')
	tail.Write(data[len(head):])

	var first, second yaml.Node
	var errFirst, errSecond error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		errSecond = yaml.Unmarshal(tail.Bytes(), &second)
	}()
	errFirst = yaml.Unmarshal(head, &first)
	wg.Wait()
	if errFirst != nil || errSecond != nil {
		return nil, false
	}
	a, b := lastValue(&first), lastValue(&second)
	if a == nil || b == nil || a.Kind != yaml.SequenceNode || b.Kind != yaml.SequenceNode || len(a.Content) == 0 || len(b.Content) == 0 {
		return nil, false
	}
	// The second document must be exactly the one key over the rest of the items.
	if root := second.Content[0]; len(root.Content) != 2 {
		return nil, false
	}
	a.Content = append(a.Content, b.Content...)
	return &first, true
}

// lastSequenceKey finds the last top-level key of a block mapping when its
// value is a block sequence that runs to the end of the file, and returns its
// line and the prefix its items start with ("  - " or "- "); -1 otherwise.
func lastSequenceKey(lines [][]byte) (int, []byte) {
	key := -1
	for i, l := range lines {
		if len(l) == 0 || l[0] == ' ' || l[0] == '#' || l[0] == '\n' || l[0] == '-' {
			continue
		}
		// A top-level line that is not "name:" alone ends any candidate.
		k := bytes.TrimRight(l, "\n")
		if bytes.HasSuffix(k, []byte(":")) && !bytes.ContainsAny(k[:len(k)-1], ":{}[]'\"#") {
			key = i
		} else {
			key = -1
		}
	}
	if key < 0 || key+1 >= len(lines) {
		return -1, nil
	}
	for _, l := range lines[key+1:] {
		trimmed := bytes.TrimLeft(l, " ")
		if len(trimmed) == 0 || trimmed[0] == '\n' || trimmed[0] == '#' {
			continue
		}
		if bytes.HasPrefix(trimmed, []byte("- ")) {
			indent := l[:len(l)-len(trimmed)]
			return key, append(append(make([]byte, 0, len(indent)+2), indent...), "- "...)
		}
		return -1, nil
	}
	return -1, nil
}

// lastValue is the value of the last key of a document's root mapping.
func lastValue(doc *yaml.Node) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || len(root.Content) < 2 {
		return nil
	}
	return root.Content[len(root.Content)-1]
}

func lineOffset(lines [][]byte, n int) int {
	off := 0
	for _, l := range lines[:n] {
		off += len(l)
	}
	return off
}
