package devdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartPrivateRunsWithItsSettingsAndStopRemovesIt(t *testing.T) {
	if _, err := findBinaries(context.Background(), t.TempDir()); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI has PostgreSQL installed, but: %v", err)
		}
		t.Skipf("PostgreSQL binaries not installed: %v", err)
	}
	dataDir := filepath.Join(postgresReachableTempDir(t), "pg")
	settings := []Setting{
		{"shared_buffers", "64MB"},
		{"work_mem", "16MB"},
		{"random_page_cost", "1.1"},
		{"jit", "off"},
		{"application_name", "it's quoted"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := StartPrivate(ctx, dataDir, settings, testLogger(t))
	if err != nil {
		t.Fatalf("StartPrivate: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = p.Stop()
		}
	})

	conn, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		t.Fatalf("connect to %s: %v", p.URL, err)
	}
	for _, s := range settings {
		var got string
		if err := conn.QueryRow(ctx, "SHOW "+s.Name).Scan(&got); err != nil {
			t.Fatalf("SHOW %s: %v", s.Name, err)
		}
		if got != s.Value {
			t.Errorf("SHOW %s = %q, want %q", s.Name, got, s.Value)
		}
	}
	_ = conn.Close(ctx)
	if _, servedDir := currentDatabase(t, p.URL); servedDir != dataDir {
		t.Fatalf("the server runs from %q, want %q", servedDir, dataDir)
	}

	// A second private cluster may not take over the directory.
	if _, err := StartPrivate(ctx, dataDir, nil, nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("StartPrivate in a used directory: %v, want a refusal", err)
	}

	cfg, err := pgx.ParseConfig(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	stopped = true
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if network, address := serverAddr(cfg); answers(ctx, network, address) {
		t.Fatalf("something still answers at %s after Stop", address)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Fatalf("the data directory is still there after Stop (%v)", err)
	}
}

func TestStartPrivateRefusesASettingThatAddsLines(t *testing.T) {
	for _, s := range []Setting{
		{"work_mem = '1GB'\nfsync", "off"},
		{"", "on"},
		{"work_mem", "16MB\nfsync = off"},
	} {
		if _, err := StartPrivate(context.Background(), t.TempDir(), []Setting{s}, nil); err == nil {
			t.Errorf("StartPrivate accepted the setting %q = %q", s.Name, s.Value)
		}
	}
}
