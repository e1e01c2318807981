// Package auth signs people in through GoTrue, keeps their sessions and
// decides what they may do.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
)

// Accounts implements tenant.Accounts over GoTrue's admin API.
type Accounts struct {
	Client *gotrue.Client
	// RedirectTo is where invitation links lead: CallbackURL(PUBLIC_URL).
	// Empty leaves it to GoTrue's SITE_URL.
	RedirectTo string
}

var _ tenant.Accounts = Accounts{}

// Create makes a confirmed account with a password.
func (a Accounts) Create(ctx context.Context, email, password, name string) (tenant.Account, error) {
	u, err := a.Client.CreateUser(ctx, gotrue.CreateUserParams{
		Email: email, Password: password, EmailConfirm: true, Metadata: nameMetadata(name),
	})
	if err != nil {
		return tenant.Account{}, accountErr("create account", err)
	}
	return tenant.Account{ID: u.ID, Email: u.Email}, nil
}

// Invite makes an account and has GoTrue send the invitation e-mail.
func (a Accounts) Invite(ctx context.Context, email, name string) (tenant.Account, error) {
	u, err := a.Client.Invite(ctx, email, nameMetadata(name), a.RedirectTo)
	if gotrue.EmailTaken(err) {
		// A concurrent request made the account a moment ago. Asking again
		// gets GoTrue's settled answer: the same account invited (it is not
		// confirmed yet) or email_exists (it is), never a second account.
		u, err = a.Client.Invite(ctx, email, nameMetadata(name), a.RedirectTo)
	}
	if err != nil {
		return tenant.Account{}, accountErr("invite", err)
	}
	return tenant.Account{ID: u.ID, Email: u.Email}, nil
}

// FindByEmail finds the account with email, in any letter case.
func (a Accounts) FindByEmail(ctx context.Context, email string) (tenant.Account, error) {
	u, err := a.Client.FindUserByEmail(ctx, email)
	if err != nil {
		return tenant.Account{}, fmt.Errorf("find account: %w", err)
	}
	return tenant.Account{ID: u.ID, Email: u.Email}, nil
}

func nameMetadata(name string) map[string]any {
	if name == "" {
		return nil
	}
	return map[string]any{"full_name": name}
}

// accountErr names GoTrue's refusals in domain terms; unavailability keeps
// matching apperr.ErrUnavailable through the wrapped gotrue error.
//
// What POST /admin/users and POST /invite answer (supabase/auth
// internal/api/admin.go adminUserCreate, invite.go Invite, mail.go
// sendEmail):
//   - email_exists (422): the address has an account, in any letter case;
//     for /invite a confirmed one (an unconfirmed one is invited again);
//   - a 500 carrying the unique violation of users_email_partial_key: the
//     address got its account from a concurrent request (see
//     gotrue.EmailTaken), which is "it exists" too;
//   - validation_failed (400): malformed or missing address;
//   - email_address_invalid / email_address_not_authorized (400): /invite
//     only, the invitation cannot be sent to that address;
//   - weak_password (422): admin create on servers newer than v2.196, whose
//     password policy can be stricter than the console's;
//   - over_email_send_rate_limit (429): /invite, too many e-mails sent;
//   - 5xx: the database, a trigger on auth.users, or SMTP failed.
func accountErr(op string, err error) error {
	var ge *gotrue.Error
	switch {
	case gotrue.HasCode(err, "email_exists"), gotrue.HasCode(err, "user_already_exists"), gotrue.EmailTaken(err):
		return fmt.Errorf("%s: %w", op, tenant.ErrAccountExists)
	case gotrue.HasCode(err, "validation_failed"), gotrue.HasCode(err, "email_address_invalid"),
		gotrue.HasCode(err, "email_address_not_authorized"):
		return fmt.Errorf("%s: %w: %w", op, tenant.ErrAccountRejected, err)
	case errors.As(err, &ge) && ge.Code == "weak_password":
		return fmt.Errorf("%s: %w", op, &tenant.PasswordRejectedError{Reason: weakPasswordMessage(ge.Reasons)})
	case errors.As(err, &ge) && ge.Status == http.StatusTooManyRequests:
		// GoTrue's own limits: the same answer as GoTrue being down, try
		// again later.
		return fmt.Errorf("%s: %w: %w", op, apperr.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// weakPasswordMessage says why GoTrue's password policy refused a password,
// from weak_password's reasons.
func weakPasswordMessage(reasons []string) string {
	switch {
	case slices.Contains(reasons, "pwned"):
		return "The sign-in service refused this password: it is known from a data breach. Choose another."
	case slices.Contains(reasons, "characters"):
		return "The sign-in service requires more kinds of characters in a password " +
			"(lower- and upper-case letters, digits, symbols)."
	case slices.Contains(reasons, "length"):
		return "The sign-in service requires a longer password."
	}
	return "The sign-in service refused this password as too weak."
}
