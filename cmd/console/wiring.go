package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/config"
	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/store"
)

// loadConfig reads the environment commands run with ctx read (see
// withEnviron) and makes the logger.
func loadConfig(ctx context.Context, stderr io.Writer) (config.Config, *slog.Logger, error) {
	cfg, err := config.LoadFrom(environ(ctx))
	if err != nil {
		return cfg, nil, err
	}
	return cfg, logging.New(stderr, cfg.LogFormat, cfg.LogLevel), nil
}

// openPool connects to Postgres and checks that it answers.
func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database does not answer at %s: %w", redactURL(url), err)
	}
	return pool, nil
}

// redactURL hides a password in a connection URL before it is printed.
func redactURL(raw string) string {
	cfg, err := pgxpool.ParseConfig(raw)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	c := cfg.ConnConfig
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// openDatabase connects to the configured database and applies pending
// migrations: what every sub-command that works on tenants does once it has
// checked its own input. The caller closes the pool.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, pool, log); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// cliEnv is what a sub-command that works on tenants opens: the
// configuration and logger, the migrated database with its store and, when
// asked for, the secrets keyring. Close releases the pool.
type cliEnv struct {
	cfg     config.Config
	log     *slog.Logger
	pool    *pgxpool.Pool
	store   *store.Store
	keyring *secrets.Keyring
}

// cliNeeds says what openStore opens beyond the database.
type cliNeeds struct {
	// keyring: the command reads or writes secrets.
	keyring bool
	// runtimeParams are Postgres settings for every connection the command
	// opens (name, value pairs).
	runtimeParams [][2]string
}

// openStore loads the configuration, opens the keyring when needed (before
// the database, so a missing key is told without touching it), connects and
// migrates: the one way every CLI command gets its store.
func openStore(ctx context.Context, stderr io.Writer, needs cliNeeds) (*cliEnv, error) {
	cfg, log, err := loadConfig(ctx, stderr)
	if err != nil {
		return nil, err
	}
	env := &cliEnv{cfg: cfg, log: log}
	if needs.keyring {
		if env.keyring, err = openKeyring(cfg, log); err != nil {
			return nil, err
		}
	}
	for _, p := range needs.runtimeParams {
		cfg.DatabaseURL = withRuntimeParam(cfg.DatabaseURL, p[0], p[1])
	}
	if env.pool, err = openDatabase(ctx, cfg, log); err != nil {
		return nil, err
	}
	env.store = store.New(env.pool)
	return env, nil
}

// Close releases the database pool.
func (e *cliEnv) Close() { e.pool.Close() }
