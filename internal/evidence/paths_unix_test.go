//go:build unix

package evidence

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestAttackRecordCopyThatNeverEnds: a record is untrusted input to replay,
// and a record directory unpacked from an archive can hold any kind of file.
// A copy that is a named pipe nobody writes to, or a link to one (or to a device
// that never ends), must be refused at once, never read: otherwise the auditor's
// replay hangs or runs out of memory.
func TestAttackRecordCopyThatNeverEnds(t *testing.T) {
	t.Parallel()
	const sum = "0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		name string
		make func(t *testing.T, full string)
	}{
		{"named pipe", func(t *testing.T, full string) {
			if err := syscall.Mkfifo(full, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"link to a named pipe outside the record", func(t *testing.T, full string) {
			pipe := filepath.Join(t.TempDir(), "pipe")
			if err := syscall.Mkfifo(pipe, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(pipe, full); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			name := githubDir + "/" + sum
			if err := os.MkdirAll(filepath.Join(dir, githubDir), 0o755); err != nil {
				t.Fatal(err)
			}
			tt.make(t, filepath.Join(dir, filepath.FromSlash(name)))
			done := make(chan error, 1)
			go func() {
				_, err := readCopy(dir, name, sum, "altered")
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("read a copy that is not a regular file")
				}
			case <-time.After(3 * time.Second):
				t.Fatal("replay hangs reading the copy")
			}
		})
	}
}
