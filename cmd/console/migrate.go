package main

import (
	"context"
	"io"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate", "Applies every pending migration to DATABASE_URL. Safe to run from\nseveral processes at once (an advisory lock serialises them).", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	env.log.Info("database is up to date")
	return nil
}
