package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/devdb"
	"github.com/tenant-console/console/internal/store"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev", "dev",
		"Runs the console for development (what `make run` does):\n"+
			"  1. makes sure the database exists: creates it on the server at\n"+
			"     DATABASE_URL, or starts a project-local PostgreSQL under .data/\n"+
			"     when no server answers and PostgreSQL is installed;\n"+
			"  2. applies migrations;\n"+
			"  3. seeds a few dozen demo tenants when the registry is empty;\n"+
			"  4. serves on LISTEN_ADDR (default http://127.0.0.1:8080).", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, log, err := loadConfig(stderr)
	if err != nil {
		return err
	}
	if !cfg.Dev() {
		return fmt.Errorf("console dev is for development; APP_ENV is %q (use console serve)", cfg.AppEnv)
	}
	url, err := devdb.Ensure(ctx, cfg.DatabaseURL, cfg.DataDir+"/postgres", log)
	if err != nil {
		return err
	}
	cfg.DatabaseURL = url
	pool, err := openPool(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool, log); err != nil {
		return err
	}
	st := store.New(pool)
	n, err := st.CountTenants(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		if err := st.BulkInsert(ctx, demo.Agencies(time.Now())); err != nil {
			return fmt.Errorf("seed demo tenants: %w", err)
		}
		log.Info("seeded demo tenants", "count", len(demo.Agencies(time.Now())))
	}
	return serve(ctx, cfg, log, pool, func(addr string) {
		fmt.Fprintf(stdout, "\nTenant Console is running on http://%s  (Ctrl-C stops it)\n\n", addr)
	})
}
