package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/tenant"
)

// The legacy YAML commands (docs/design.md §6): import-yaml, export-yaml, drift.

func runImportYAML(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import-yaml", "import-yaml DIR [--dry-run] [--update] [--report FILE.json]",
		"Imports the legacy tenant tree DIR/{tenant_id}/client.yaml (+ prompts/*.txt) into\n"+
			"DATABASE_URL: one transaction per tenant (tenant, settings, branding, prompts,\n"+
			"secrets and a tenant.imported audit event). A broken folder is reported with\n"+
			"file:line and skipped; the others go on. Credentials given in plain text are\n"+
			"encrypted with CONSOLE_SECRET_KEY; ${ENV} references stay references.\n\n"+
			"Running it again changes nothing. A tenant that already exists is compared\n"+
			"field by field and never overwritten unless --update is given. New tenants get\n"+
			"plan lite with its default quotas.\n\n"+
			"Progress goes to stderr, the summary to stdout (created, updated, unchanged,\n"+
			"skipped with reasons, failed, warnings, tenants whose secrets to rotate).\n"+
			"Exit status 0 when every folder was imported, unchanged or deliberately\n"+
			"skipped; 1 when any folder failed; 2 on a usage mistake.", stderr)
	dryRun := fs.Bool("dry-run", false, "decide and report everything, write nothing")
	update := fs.Bool("update", false, "write the changed fields of tenants that already exist (audited as tenant.updated)")
	reportFile := fs.String("report", "", "also write the full report as JSON to this `file`")
	dir, err := oneDir(fs, args, stderr)
	if err != nil {
		return err
	}
	// A mistyped DIR is told before anything touches the database.
	if err := legacy.CheckTreeDir(dir); err != nil {
		return err
	}
	// Each tenant is still its own transaction, but its commit does not wait
	// for the disk flush (that wait was most of an import's time); one
	// commit that waits, before the report, puts them all on disk
	// (docs/design.md §6).
	env, err := openStore(ctx, stderr, cliNeeds{keyring: true,
		runtimeParams: [][2]string{{"synchronous_commit", "off"}}})
	if err != nil {
		return err
	}
	defer env.Close()
	p := &lazyProgress{w: stderr, label: "importing"}
	im := &legacy.Importer{
		Store: env.store, Keyring: env.keyring, Actor: tenant.System("cli:import-yaml"),
		DryRun: *dryRun, Update: *update, Log: env.log, Progress: p.update,
	}
	rep, err := im.ImportDir(ctx, dir)
	p.finish()
	if err != nil {
		return err
	}
	if rep.Counts.Created+rep.Counts.Updated > 0 && !*dryRun {
		// Also after an interrupt: what was written is then reported.
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), durableWait)
		err := env.store.WaitDurable(flushCtx)
		cancel()
		if err != nil {
			return fmt.Errorf("import-yaml: the database did not confirm that the imported tenants are on disk; run the import again: %w", err)
		}
	}
	rep.WriteSummary(stdout)
	if *reportFile != "" {
		if err := rep.WriteJSON(*reportFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nFull report: %s\n", *reportFile)
	}
	if !rep.OK() {
		return exitError{code: 1, err: fmt.Errorf("import-yaml: %d of %d folders failed", rep.Counts.Failed, rep.Counts.Folders)}
	}
	return nil
}

// durableWait bounds the wait for the import's writes to reach the disk.
const durableWait = 30 * time.Second

func runExportYAML(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export-yaml", "export-yaml DIR",
		"Writes the legacy layout DIR/{tenant_id}/client.yaml and prompts/*.txt from\n"+
			"DATABASE_URL for every active tenant, so the old runtime can keep reading YAML\n"+
			"while the database is the truth. Secrets are written as ${ENV} references\n"+
			"(their own reference, or ${TENANT_<ID>_<NAME>} for an encrypted value), never\n"+
			"as values; nothing is decrypted. Files are replaced whole; folders of DIR that\n"+
			"are not active tenants are listed and left alone. Importing the exported tree\n"+
			"reports every tenant unchanged.\n\n"+
			"Exit status 0 when every active tenant was written, 1 otherwise.", stderr)
	dir, err := oneDir(fs, args, stderr)
	if err != nil {
		return err
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	p := &lazyProgress{w: stderr, label: "exporting"}
	ex := &legacy.Exporter{Store: env.store, Progress: p.update}
	rep, err := ex.Export(ctx, dir)
	p.finish()
	if err != nil {
		return err
	}
	rep.WriteSummary(stdout)
	if !rep.OK() {
		return exitError{code: 1, err: fmt.Errorf("export-yaml: %d tenants could not be written", len(rep.Failed))}
	}
	return nil
}

func runDrift(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("drift", "drift DIR [--report FILE.json] [--exit-code]",
		"Compares the legacy tree DIR with DATABASE_URL and lists, per tenant and\n"+
			"field, what differs: the tree's value and the database's. Secrets are\n"+
			"compared (the stored value is decrypted in memory) but only ever reported\n"+
			"as differing, with the kind of value on each side. Also lists folders\n"+
			"without a tenant, active tenants without a folder, and folders the import\n"+
			"would skip. Writes nothing.\n\n"+
			"Exit status 0 when the comparison ran (1 with --exit-code when something\n"+
			"differs), 1 on an error, 2 on a usage mistake.", stderr)
	reportFile := fs.String("report", "", "also write the differences as JSON to this `file`")
	exitCode := fs.Bool("exit-code", false, "exit with status 1 when anything differs (like git diff --exit-code)")
	dir, err := oneDir(fs, args, stderr)
	if err != nil {
		return err
	}
	if err := legacy.CheckTreeDir(dir); err != nil {
		return err
	}
	env, err := openStore(ctx, stderr, cliNeeds{keyring: true})
	if err != nil {
		return err
	}
	defer env.Close()
	p := &lazyProgress{w: stderr, label: "comparing"}
	dr := &legacy.Drifter{Store: env.store, Keyring: env.keyring, Progress: p.update}
	rep, err := dr.DriftDir(ctx, dir)
	p.finish()
	if err != nil {
		return err
	}
	rep.WriteSummary(stdout)
	if *reportFile != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(*reportFile), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(*reportFile, append(data, '\n'), 0o600); err != nil {
			return err
		}
	}
	if len(rep.Errors) > 0 {
		return exitError{code: 1, err: fmt.Errorf("drift: %d tenants could not be compared", len(rep.Errors))}
	}
	if *exitCode && !rep.Empty() {
		return exitError{code: 1, err: fmt.Errorf("drift: %d differences", len(rep.Differences))}
	}
	return nil
}

// oneDir parses args, which hold flags and exactly one directory in any
// order (`import-yaml DIR --dry-run` as well as `import-yaml --dry-run DIR`).
func oneDir(fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 1 {
		fmt.Fprintf(stderr, "console %s: give exactly one directory (got %d)\n\n", fs.Name(), len(positional))
		fs.Usage()
		return "", errUsage
	}
	return positional[0], nil
}

// withRuntimeParam adds a Postgres setting to a connection string (URL or
// key=value form) for the connections opened with it.
func withRuntimeParam(conn, name, value string) string {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(name, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return conn + " " + name + "=" + value
}
