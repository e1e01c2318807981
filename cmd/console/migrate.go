package main

import (
	"context"
	"io"

	"github.com/tenant-console/console/internal/store"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate", "Applies every pending migration to DATABASE_URL. Safe to run from\nseveral processes at once (an advisory lock serialises them).", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, log, err := loadConfig(stderr)
	if err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool, log); err != nil {
		return err
	}
	log.Info("database is up to date")
	return nil
}
