// Command console is Tenant Console: the web console and its operator
// sub-commands. main only wires things together; the work lives in internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/caarlos0/env/v11"
)

// command is one sub-command.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web console", runServe},
		{"dev", "set up a local database, migrate, seed demo data and serve (make run)", runDev},
		{"create-staff", "give a person a staff role (platform_admin or support)", runCreateStaff},
		{"devdb", "make sure the development database exists and print its URL (devdb stop: stop it)", runDevDB},
		{"migrate", "apply pending database migrations", runMigrate},
		{"onboard", "onboard a tenant from flags or a YAML/JSON file", runOnboard},
		{"seed", "insert synthetic tenants (--tenants N)", runSeed},
		{"import-yaml", "import the legacy YAML tenant tree (DIR/{tenant_id}/client.yaml)", runImportYAML},
		{"export-yaml", "write the legacy YAML layout from the database (secrets as ${ENV} references)", runExportYAML},
		{"sync-yaml", "keep a directory what export-yaml writes (--follow: live, within a second of each change)", runSyncYAML},
		{"drift", "list field by field what differs between a legacy YAML tree and the database", runDrift},
		{"purge", "remove tenants deleted more than 30 days ago (--older-than, --dry-run)", runPurge},
		{"api-token", "make, list and revoke the read API's tokens (create --name runtime prints one once)", runAPIToken},
		{"rotate-secret-key", "re-encrypt tenant secrets under the current CONSOLE_SECRET_KEY (--generate: a new key)", runRotateSecretKey},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx = withEnviron(ctx, env.ToMap(os.Environ()))
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "console:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errUsage means the usage text was already printed for a mistake.
var errUsage = errors.New("usage")

// exitError carries a specific exit status (e.g. an import with failures).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		usage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	fmt.Fprintf(stderr, "console: unknown command %q\n\n", args[0])
	usage(stderr)
	return errUsage
}

func usage(w io.Writer) {
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	var b strings.Builder
	b.WriteString("Tenant Console: the tenant registry of the platform, as a web console and CLI.\n\n")
	b.WriteString("Usage: console <command> [flags]\n\nCommands:\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-18s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun `console <command> --help` for the flags of a command.\n")
	b.WriteString("Configuration comes from the environment (DATABASE_URL, LISTEN_ADDR, APP_ENV, …); see README.md.\n")
	fmt.Fprint(w, b.String())
}

// newFlagSet returns a flag set whose --help prints a description first.
func newFlagSet(name, synopsis, description string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: console %s\n\n%s\n", synopsis, description)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args; a bad flag has already printed the usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
