package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tenant-console/console/internal/devdb"
)

func runDevDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("devdb", "devdb [stop]",
		"Makes sure a PostgreSQL answers at DATABASE_URL and the database exists,\n"+
			"starting a project-local cluster under .data/postgres when no server\n"+
			"answers and PostgreSQL is installed; prints the URL to use (make test\n"+
			"uses it). `console devdb stop` stops the project-local cluster.", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, log, err := loadConfig(ctx, stderr)
	if err != nil {
		return err
	}
	dir := cfg.DataDir + "/postgres"
	switch fs.Arg(0) {
	case "":
	case "stop":
		return devdb.Stop(dir)
	default:
		fmt.Fprintf(stderr, "console devdb: unknown argument %q (want nothing or stop)\n", fs.Arg(0))
		return errUsage
	}
	url, err := devdb.Ensure(ctx, cfg.DatabaseURL, dir, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, url)
	return nil
}
