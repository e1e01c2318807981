package main

import (
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/testdb"
)

// treeFiles reads every file of a tree by path, hidden entries aside.
func treeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sync-yaml pointed at the old platform's own tree, with stale and
// unknown folders, loose files and leftovers, makes it byte for byte what
// export-yaml writes; a second run changes nothing; drift finds nothing.
func TestSyncYAMLConvergesToExport(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	withKey(t)
	dir := copyTree(t)
	if _, errOut, err := runCLI(t, url, "import-yaml", dir); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	pool := connect(t, url)
	if _, err := pool.Exec(context.Background(), `UPDATE tenants SET status = 'suspended', suspended_at = now(),
		suspended_reason = 'Unpaid invoices', suspended_by = 'test' WHERE id = 'tn_0bbe2c38_v9r5'`); err != nil {
		t.Fatal(err)
	}
	// What the tree holds beyond the database: a folder of a tenant that does
	// not exist, a prompt a tenant no longer has, a loose file, an edited
	// client.yaml and what an interrupted run left.
	for file, body := range map[string]string{
		"tn_00000000_gone/client.yaml":   "client:\n  id: tn_00000000_gone\n",
		"africastay/prompts/old.txt":     "an old prompt",
		"africastay/notes.md":            "kept by hand",
		"README.txt":                     "the old tree",
		".mirror-new-africastay-1/x":     "half built",
		"tn_006943ff_d8yf/client.yaml":   "client:\n  id: tn_006943ff_d8yf\n  name: edited by hand\n",
		".removed/tn_11111111_away/x.md": "a tenant long gone",
	} {
		p := filepath.Join(dir, filepath.FromSlash(file))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	exported := filepath.Join(t.TempDir(), "export")
	if _, errOut, err := runCLI(t, url, "export-yaml", exported); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	out, errOut, err := runCLI(t, url, "sync-yaml", dir)
	if err != nil {
		t.Fatalf("sync-yaml: %v\n%s%s", err, out, errOut)
	}
	for _, want := range []string{
		"tn_00000000_gone deleted: no such tenant in the database",
		"tn_0bbe2c38_v9r5 removed: suspended: Unpaid invoices",
		"README.txt deleted",
		"africastay updated (",
		"prompts/old.txt",
		"tn_006943ff_d8yf updated (client.yaml)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary does not say %q:\n%s", want, out)
		}
	}
	got, want := treeFiles(t, dir), treeFiles(t, exported)
	var diff []string
	for p := range want {
		if got[p] != want[p] {
			diff = append(diff, "differs or missing: "+p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			diff = append(diff, "extra: "+p)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Fatalf("the synced tree is not export-yaml's:\n  %s", strings.Join(diff, "\n  "))
	}
	note, err := os.ReadFile(filepath.Join(dir, ".removed", "tn_0bbe2c38_v9r5", "removed.yaml"))
	if err != nil || !strings.Contains(string(note), `reason: "Unpaid invoices"`) {
		t.Fatalf("the suspended tenant's note: %v\n%s", err, note)
	}
	for _, gone := range []string{".mirror-new-africastay-1", ".removed/tn_11111111_away"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s is still there", gone)
		}
	}

	out, _, err = runCLI(t, url, "sync-yaml", dir)
	if err != nil || !strings.Contains(out, "already matched the database") {
		t.Fatalf("a second sync: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, url, "drift", dir, "--exit-code"); err != nil || !strings.Contains(out, "No drift") {
		t.Fatalf("drift after sync: %v\n%s", err, out)
	}
}

func TestSyncYAMLUsage(t *testing.T) {
	t.Parallel()
	if _, _, err := runCLI(t, "postgres://unused", "sync-yaml"); exitCode(err) != 2 {
		t.Fatalf("no directory: exit %d", exitCode(err))
	}
	_, errOut, err := runCLI(t, "postgres://unused", "sync-yaml", t.TempDir(), "--listen", "127.0.0.1:0")
	if exitCode(err) != 2 || !strings.Contains(errOut, "--listen goes with --follow") {
		t.Fatalf("--listen without --follow: exit %d\n%s", exitCode(err), errOut)
	}
}

// The follower as an operator runs it: it writes the tree, serves its
// health and metrics, and stops cleanly on a signal.
func TestSyncYAMLFollowServesHealthAndMetrics(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := filepath.Join(t.TempDir(), "clients")
	if _, errOut, err := runCLI(t, url, "seed", "--tenants", "20"); err != nil {
		t.Fatalf("seed: %v\n%s", err, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, errOut lockedBuffer
	runCtx := cliContext(ctx, t, url)
	go func() { done <- run(runCtx, []string{"sync-yaml", dir, "--follow", "--listen", addr}, &out, &errOut) }()

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get("/healthz")
		if code == http.StatusOK && strings.Contains(body, `"state":"writing"`) && strings.Contains(body, "last_reconcile") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not say writing after 20s: %d %s\n%s", code, body, errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) == 0 {
		t.Fatal("the follower wrote no folder")
	}
	code, metrics := get("/metrics")
	for _, want := range []string{"console_mirror_writing 1", "console_mirror_last_reconcile_timestamp_seconds", "console_mirror_lag_seconds_bucket"} {
		if code != http.StatusOK || !strings.Contains(metrics, want) {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the follower ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the follower did not stop")
	}
}
