//go:build unix

package legacy

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Opening a named pipe blocks until someone writes to it: the tree reader
// must refuse it rather than hang the whole run.
func TestReadTreeRefusesANamedPipe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTenant(t, dir, "acme", "acme")
	if err := os.Mkdir(filepath.Join(dir, "pipe"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe", "client.yaml"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "acme", "prompts"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan Tree)
	go func() {
		tr, err := ReadTree(dir)
		if err != nil {
			t.Error(err)
		}
		done <- tr
	}()
	select {
	case tr := <-done:
		if r := result(t, tr, "pipe"); !strings.Contains(issueOf(t, r.Reasons, SkipUnreadable).Message, "not a regular file") {
			t.Errorf("pipe: %v", r.Reasons)
		}
		imported(t, tr, "acme")
	case <-time.After(10 * time.Second):
		t.Fatal("reading a tree with a named pipe hangs")
	}
}
