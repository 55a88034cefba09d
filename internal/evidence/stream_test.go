package evidence

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestRecordIsStreamedWhole: the record is written through a buffer to a
// temporary file and renamed, so it is byte for byte what marshal gives
// (its seal holds) and no partial file is left beside it.
func TestRecordIsStreamedWhole(t *testing.T) {
	t.Parallel()
	_, dir, _ := record(t, eprApproved)
	rec, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, RecordFile)); !bytes.Equal(got, want) {
		t.Error("the streamed record differs from its marshalled form")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != RecordFile && e.Name()[0] == '.' {
			t.Errorf("a temporary file %s is left in the record", e.Name())
		}
	}
}

// TestNoRecordWhenWritingFails: a record that cannot be written whole
// leaves no record.json, not a truncated one.
func TestNoRecordWhenWritingFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, RecordFile)
	if err := writeJSONFile(name, map[string]any{"bad": func() {}}); err == nil {
		t.Fatal("encoding a function succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("a failed write left %v", entries)
	}
}
