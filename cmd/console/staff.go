package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

func runCreateStaff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("create-staff", "create-staff --email E --role platform_admin|support [--password-stdin]",
		"Gives a person a staff role. Creates their GoTrue account with a password,\n"+
			"or — when the e-mail already has an account — links that account and\n"+
			"leaves its password as it is. Running it again changes only the role.\n\n"+
			"The password of a new account is asked for on the terminal (not echoed,\n"+
			"typed twice), or read from the first line of stdin with --password-stdin:\n"+
			"  pass show console/ops | console create-staff --email … --role … --password-stdin\n"+
			"--password still works but prints a warning: other users of the machine can\n"+
			"see it in the process list and it stays in the shell history.", stderr)
	email := fs.String("email", "", "the person's e-mail address (required)")
	password := fs.String("password", "", "DISCOURAGED (visible to other users): the password for a new account; prefer the prompt or --password-stdin")
	passwordStdin := fs.Bool("password-stdin", false, "read the password for a new account from the first line of stdin")
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
	if *passwordStdin && *password != "" {
		problems = append(problems, "--password-stdin: give the password one way, not also with --password")
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, "console create-staff:", p)
		}
		return errUsage
	}
	// Where the password of a new account comes from; asked only when an
	// account is to be made (an existing one keeps its password).
	newPassword := func() (string, error) { return *password, nil }
	switch {
	case *password != "":
		warnPasswordFlag(stderr, "password")
	case *passwordStdin:
		pw, err := readPasswordStdin(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "console create-staff:", err)
			return errUsage
		}
		newPassword = func() (string, error) { return pw, nil }
	default:
		newPassword = func() (string, error) {
			return promptPassword(ctx, stderr, "Password for the new account "+normalized)
		}
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	res, err := createStaff(ctx, env, normalized, newPassword, tenant.Role(staffRole), tenant.System("cli:create-staff"))
	if err != nil {
		var weak errWeakPassword
		switch {
		case errors.As(err, &weak):
			fmt.Fprintln(stderr, "console create-staff: --password:", string(weak))
			return errUsage
		case errors.Is(err, errNoPassword):
			fmt.Fprintln(stderr, "console create-staff: "+normalized+" has no account yet, so it needs a password: "+
				"run the command in a terminal to be asked for it, or pass it on stdin with --password-stdin")
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
func createStaff(ctx context.Context, env *cliEnv,
	email string, newPassword func() (string, error), role tenant.Role, actor tenant.Actor) (string, error) {
	gt, stop, err := openGoTrue(ctx, env.cfg, env.log, env.pool)
	if err != nil {
		return "", err
	}
	defer stop()
	accounts := auth.Accounts{Client: gt}
	// An existing account keeps its password, so a password is asked for
	// only when there is no account yet.
	password := ""
	if _, err := accounts.FindByEmail(ctx, email); err != nil {
		if !errors.Is(err, apperr.ErrNotFound) {
			return "", err
		}
		if password, err = newPassword(); err != nil {
			return "", err
		}
	}
	staff := tenant.NewStaffService(env.store, accounts)
	res, err := staff.Ensure(ctx, actor, tenant.StaffInput{Email: email, Role: string(role), Password: password, PasswordRequired: true})
	if verr, ok := apperr.AsValidation(err); ok {
		if msg := verr.Get("password"); msg != "" {
			return "", errWeakPassword(msg)
		}
		return "", errWeakPassword(verr.Error())
	}
	if msg := tenant.Refused(err); msg != "" {
		return "", errors.New(msg)
	}
	if err != nil {
		return "", err
	}
	return res.Message(), nil
}
