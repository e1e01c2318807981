package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/config"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

func runCreateStaff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("create-staff", "create-staff --email E --password P --role platform_admin|support",
		"Gives a person a staff role. Creates their GoTrue account with the password,\n"+
			"or — when the e-mail already has an account — links that account and\n"+
			"leaves its password as it is. Running it again changes only the role.", stderr)
	email := fs.String("email", "", "the person's e-mail address (required)")
	password := fs.String("password", "", "password for a new account (at least 10 characters; ignored for an existing account)")
	role := fs.String("role", "", "platform_admin or support (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// The flags go through the same field rules as the web forms.
	normalized, ok := tenant.FieldEmail.OK(*email)
	var problems []string
	if !ok {
		problems = append(problems, "--email: enter an e-mail address like name@example.com")
	}
	staffRole, ok := tenant.FieldStaffRole.OK(*role)
	if !ok {
		problems = append(problems, "--role: use platform_admin or support")
	}
	if _, msg := tenant.FieldPassword.Clean(*password); msg != "" && *password != "" {
		problems = append(problems, "--password: "+msg)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, "console create-staff:", p)
		}
		return errUsage
	}
	cfg, log, err := loadConfig(stderr)
	if err != nil {
		return err
	}
	pool, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := createStaff(ctx, cfg, log, pool, normalized, *password, tenant.Role(staffRole), tenant.System("cli:create-staff"))
	if err != nil {
		var weak errWeakPassword
		if errors.As(err, &weak) {
			fmt.Fprintln(stderr, "console create-staff: --password:", string(weak))
			return errUsage
		}
		return err
	}
	fmt.Fprintln(stdout, res)
	return nil
}

// errWeakPassword is the password policy's message.
type errWeakPassword string

func (e errWeakPassword) Error() string { return string(e) }

// createStaff ensures the account and the role and says what happened;
// the web console's staff page goes through the same use case.
func createStaff(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool,
	email, password string, role tenant.Role, actor tenant.Actor) (string, error) {
	gt, stop, err := openGoTrue(ctx, cfg, log, pool)
	if err != nil {
		return "", err
	}
	defer stop()
	staff := tenant.NewStaffService(store.New(pool), auth.Accounts{Client: gt})
	res, err := staff.Ensure(ctx, actor, tenant.StaffInput{Email: email, Role: string(role), Password: password, PasswordRequired: true})
	if verr, ok := apperr.AsValidation(err); ok {
		if msg := verr.Get("password"); msg != "" {
			return "", errWeakPassword(msg)
		}
		return "", errWeakPassword(verr.Error())
	}
	var refused *tenant.Refusal
	if errors.As(err, &refused) {
		return "", errors.New(refused.Message)
	}
	if err != nil {
		return "", err
	}
	return res.Message(), nil
}
