package devdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// serverURL is the Postgres server the rest of the test suite uses.
func serverURL() string {
	for _, k := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// currentDatabase connects to dbURL and asks the server which database and
// data directory it serves.
func currentDatabase(t *testing.T, dbURL string) (db, dataDir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", dbURL, err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		t.Fatalf("current_database: %v", err)
	}
	// Only superusers may read data_directory; the local cluster's role is one.
	_ = conn.QueryRow(ctx, `SELECT current_setting('data_directory', true)`).Scan(&dataDir)
	return db, dataDir
}

func TestEnsureCreatesTheDatabaseOnARunningServer(t *testing.T) {
	base, err := url.Parse(serverURL())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(base.String())
	if err != nil {
		t.Fatal(err)
	}
	if network, address := serverAddr(cfg); !answers(context.Background(), network, address) {
		t.Skipf("no Postgres answers at %s", base.Redacted())
	}
	name := randomName("devdb_test_")
	target := *base
	target.Path = "/" + name
	t.Cleanup(func() {
		admin := *base
		admin.Path = "/postgres"
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, admin.String())
		if err != nil {
			t.Errorf("cleanup: connect: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("cleanup: drop %s: %v", name, err)
		}
	})

	ctx := context.Background()
	got, err := Ensure(ctx, target.String(), t.TempDir(), testLogger(t))
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if got != target.String() {
		t.Fatalf("Ensure returned %s, want the URL it was given (%s)", got, target.String())
	}
	if db, _ := currentDatabase(t, got); db != name {
		t.Fatalf("connected to database %q, want %q", db, name)
	}

	// A second call finds the database and changes nothing.
	if again, err := Ensure(ctx, target.String(), t.TempDir(), testLogger(t)); err != nil || again != got {
		t.Fatalf("second Ensure = %q, %v; want %q, nil", again, err, got)
	}
}

func TestEnsureStartsALocalClusterWhenNoServerAnswers(t *testing.T) {
	if _, err := findBinaries(context.Background(), t.TempDir()); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI has PostgreSQL installed, but: %v", err)
		}
		t.Skipf("PostgreSQL binaries not installed: %v", err)
	}
	dataDir := filepath.Join(postgresReachableTempDir(t), "pg")
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	want := "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/devdb_cluster_test?sslmode=disable"
	t.Cleanup(func() {
		if err := Stop(dataDir); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	got, err := Ensure(ctx, want, dataDir, testLogger(t))
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if got != want {
		t.Fatalf("Ensure returned %s, want %s (the port was free)", got, want)
	}
	db, servedDir := currentDatabase(t, got)
	if db != "devdb_cluster_test" {
		t.Fatalf("connected to database %q, want devdb_cluster_test", db)
	}
	if servedDir != dataDir {
		t.Fatalf("the server runs from %q, want the project-local %q", servedDir, dataDir)
	}

	// Running again reuses the running cluster.
	if again, err := Ensure(ctx, want, dataDir, testLogger(t)); err != nil || again != got {
		t.Fatalf("second Ensure = %q, %v; want %q, nil", again, err, got)
	}

	// Asked for another port, Ensure finds the cluster already running and
	// answers with the port it really listens on.
	otherPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(want, ":"+strconv.Itoa(port)+"/", ":"+strconv.Itoa(otherPort)+"/", 1)
	if running, err := Ensure(ctx, other, dataDir, testLogger(t)); err != nil || running != want {
		t.Fatalf("Ensure on port %d = %q, %v; want the running cluster's %q", otherPort, running, err, want)
	}

	// After Stop nothing answers; Ensure starts the same cluster again,
	// and the database made before is still there.
	if err := Stop(dataDir); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if answers(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port)) {
		t.Fatalf("something still answers on port %d after Stop", port)
	}
	if err := Stop(dataDir); err != nil {
		t.Fatalf("Stop of a stopped cluster: %v", err)
	}
	restarted, err := Ensure(ctx, want, dataDir, testLogger(t))
	if err != nil {
		t.Fatalf("Ensure after Stop: %v", err)
	}
	if _, servedDir := currentDatabase(t, restarted); servedDir != dataDir {
		t.Fatalf("after restart the server runs from %q, want %q", servedDir, dataDir)
	}
}

// postgresReachableTempDir is a temporary directory that the postgres user
// can enter too, for when the tests run as root (t.TempDir is mode 0700).
func postgresReachableTempDir(t *testing.T) string {
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func TestEnsureSaysWhatToInstallWithoutPostgres(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := binDirPatterns
	binDirPatterns = []string{filepath.Join(t.TempDir(), "*", "bin")}
	t.Cleanup(func() { binDirPatterns = saved })
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}

	_, err = Ensure(context.Background(), "postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/x", t.TempDir(), nil)
	if !errors.Is(err, ErrNoPostgres) {
		t.Fatalf("Ensure error = %v, want ErrNoPostgres", err)
	}
	for _, hint := range []string{"apt-get install postgresql", "brew install postgresql@15", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error does not tell the reader %q:\n%v", hint, err)
		}
	}
}

func TestOnlyThisMachineGetsALocalCluster(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1":           true,
		"127.0.0.2":           true,
		"::1":                 true,
		"localhost":           true,
		"/var/run/postgresql": true,
		"db.example.com":      false,
		"10.0.0.5":            false,
	} {
		if got := isLocal(host); got != want {
			t.Errorf("isLocal(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestLocalURLKeepsUserDatabaseAndOptions(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5432/tenant_console?sslmode=disable",
			"postgres://postgres@127.0.0.1:6543/tenant_console?sslmode=disable"},
		{"postgresql://alice:s3cret@localhost/app",
			"postgresql://alice:s3cret@127.0.0.1:6543/app"},
		{"host=localhost port=5432 user=bob dbname=console",
			"postgres://bob@127.0.0.1:6543/console"},
	} {
		cfg, err := pgx.ParseConfig(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := withLocalPort(tc.in, cfg, 6543); got != tc.want {
			t.Errorf("withLocalPort(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
