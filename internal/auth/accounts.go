// Package auth signs people in through GoTrue, keeps their sessions and
// decides what they may do.
package auth

import (
	"context"
	"fmt"

	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
)

// Accounts implements tenant.Accounts over GoTrue's admin API.
type Accounts struct {
	Client *gotrue.Client
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
	u, err := a.Client.Invite(ctx, email, nameMetadata(name))
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
func accountErr(op string, err error) error {
	switch {
	case gotrue.HasCode(err, "email_exists"), gotrue.HasCode(err, "user_already_exists"):
		return fmt.Errorf("%s: %w", op, tenant.ErrAccountExists)
	case gotrue.HasCode(err, "validation_failed"), gotrue.HasCode(err, "email_address_invalid"),
		gotrue.HasCode(err, "email_address_not_authorized"):
		return fmt.Errorf("%s: %w: %w", op, tenant.ErrAccountRejected, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
