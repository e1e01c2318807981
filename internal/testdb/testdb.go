// Package testdb gives each test a fresh, migrated Postgres database.
//
// The schema is migrated once into a template database named after a hash of
// the migration files; every test then gets its own clone
// (CREATE DATABASE … TEMPLATE …), so tests run in parallel without seeing each
// other's rows. The server is TEST_DATABASE_URL, else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres.
package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb opens
	"github.com/peterldowns/pgtestdb"

	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/migrations"
)

// New returns a pool connected to a fresh database holding the full schema.
// The database is dropped when the test ends (kept when it fails, for a look).
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	conf := pgtestdb.Custom(t, serverConfig(t), migrator{})
	pool, err := pgxpool.New(context.Background(), conf.URL())
	if err != nil {
		t.Fatalf("testdb: connect: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// URL is New for code that opens its own connections (e.g. the CLI).
func URL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, serverConfig(t), migrator{}).URL()
}

func serverConfig(t testing.TB) pgtestdb.Config {
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = os.Getenv("DATABASE_URL")
	}
	if raw == "" {
		raw = "postgres://postgres@127.0.0.1:5432/postgres"
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("testdb: bad database url: %v", err)
	}
	password, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       port,
		User:       u.User.Username(),
		Password:   password,
		Database:   "postgres",
		Options:    "sslmode=disable",
		// pg_trgm is a trusted extension: the (non-superuser) test role may
		// create it as the owner of the template database.
		ForceTerminateConnections: true,
	}
}

// migrator applies the project's migrations to the template database.
type migrator struct{}

func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return store.MigrateDB(ctx, db, nil)
}

// Empty returns the URL of a fresh database without any schema, for tests
// about what happens before migrations (dropped when the test ends).
func Empty(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, serverConfig(t), pgtestdb.NoopMigrator{}).URL()
}
