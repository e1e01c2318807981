package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// runAPIToken is `console api-token create|list|revoke`: the read API's
// tokens from the command line, as platform admins manage them on /staff.
func runAPIToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "api-token create --name NAME | list | revoke (--id ID | --name NAME)"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fs := newFlagSet("api-token", synopsis, apiTokenHelp, stderr)
		fs.Usage()
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	fs := newFlagSet("api-token "+args[0], synopsis, apiTokenHelp, stderr)
	var name *string
	var id *int64
	switch args[0] {
	case "create":
		name = fs.String("name", "", "what will use the token, e.g. runtime (required)")
	case "list":
	case "revoke":
		id = fs.Int64("id", 0, "the token's id, as list shows it")
		name = fs.String("name", "", "the name of the live token to revoke")
	default:
		fmt.Fprintf(stderr, "console api-token: unknown action %q\n\n", args[0])
		fs.Usage()
		return errUsage
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if args[0] == "revoke" && (*id == 0) == (*name == "") {
		fmt.Fprintln(stderr, "console api-token revoke: give the token's --id or its --name (one of them)")
		return errUsage
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	tokens := tenant.NewAPITokenService(env.store)
	actor := tenant.System("cli:api-token")

	switch args[0] {
	case "create":
		made, err := tokens.Create(ctx, actor, *name)
		if verr, ok := apperr.AsValidation(err); ok {
			fmt.Fprintln(stderr, "console api-token create: --name:", verr.Fields["name"])
			return errUsage
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Made API token %d, %s. Copy it now: it is not stored and will not be shown again.\n",
			made.Token.ID, made.Token.Name)
		fmt.Fprintln(stdout, made.Secret)
		return nil
	case "list":
		list, err := tokens.List(ctx, actor)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tTOKEN\tCREATED\tLAST USED\tSTATUS")
		for _, t := range list {
			used, status := "never", "live"
			if t.LastUsedAt != nil {
				used = t.LastUsedAt.UTC().Format(time.RFC3339)
			}
			if !t.Live() {
				status = "revoked " + t.RevokedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%d\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Hint, t.CreatedAt.UTC().Format(time.RFC3339), used, status)
		}
		return w.Flush()
	}
	// revoke
	if *name != "" {
		list, err := tokens.List(ctx, actor)
		if err != nil {
			return err
		}
		for _, t := range list {
			if t.Live() && t.Name == *name {
				*id = t.ID
			}
		}
		if *id == 0 {
			fmt.Fprintf(stderr, "console api-token revoke: no live token is called %q (see console api-token list)\n", *name)
			return exitError{1, errors.New("no such token")}
		}
	}
	tok, err := tokens.Revoke(ctx, actor, *id)
	if errors.Is(err, apperr.ErrNotFound) {
		fmt.Fprintf(stderr, "console api-token revoke: there is no token %d (see console api-token list)\n", *id)
		return exitError{1, err}
	}
	if err != nil {
		return err
	}
	if !tok.Live() {
		fmt.Fprintf(stdout, "Token %d, %s, was already revoked; nothing changed.\n", tok.ID, tok.Name)
		return nil
	}
	fmt.Fprintf(stdout, "Revoked token %d, %s: it no longer opens the API.\n", tok.ID, tok.Name)
	return nil
}

const apiTokenHelp = "Manages the tokens platform code presents to the read API (/api/v1/):\n" +
	"  create --name runtime   makes a token and prints it once, on stdout; only its\n" +
	"                          SHA-256 is stored, so copy it now\n" +
	"  list                    every token: id, name, first characters, last use, status\n" +
	"  revoke --id 3           stops a token at once (or --name runtime: the live one)\n" +
	"Each create and revoke is written to the audit log. Platform admins do the same\n" +
	"on the staff page."
