package tenant

import (
	"context"
	"errors"
	"fmt"
)

// Account is a sign-in account in the identity provider (GoTrue).
type Account struct {
	ID    string
	Email string
}

// Accounts is the identity provider as the use cases need it. The console
// never stores passwords; GoTrue does.
type Accounts interface {
	// Create makes a confirmed account with a password. An existing e-mail
	// (in any letter case) gives ErrAccountExists.
	Create(ctx context.Context, email, password, name string) (Account, error)
	// Invite makes an account and sends an invitation e-mail; an existing
	// confirmed account gives ErrAccountExists.
	Invite(ctx context.Context, email, name string) (Account, error)
	// FindByEmail returns the account with email in any letter case, or an
	// error matching apperr.ErrNotFound.
	FindByEmail(ctx context.Context, email string) (Account, error)
}

var (
	// ErrAccountExists: the identity provider already has this e-mail.
	ErrAccountExists = errors.New("an account with this e-mail already exists")
	// ErrAccountRejected: the identity provider refused the e-mail address.
	ErrAccountRejected = errors.New("the identity provider refused this e-mail address")
)

// PasswordRejectedError is the identity provider's password policy refusing
// a password the console's own policy accepted (its policy may be stricter).
type PasswordRejectedError struct {
	Reason string // a sentence for the person who chose the password
}

func (e *PasswordRejectedError) Error() string { return "password rejected: " + e.Reason }

// AccountOutcome says how a person got their account.
type AccountOutcome string

const (
	AccountCreated AccountOutcome = "created" // new, with the password given
	AccountInvited AccountOutcome = "invited" // new (or re-invited), invitation e-mail sent
	AccountLinked  AccountOutcome = "linked"  // existed; its password is untouched
)

// EnsureAccount gets the account for email: it creates it (with password) or
// invites it (password ""), and when the e-mail already has an account it
// looks that account up and returns it — never failing on it and never
// changing its password.
func EnsureAccount(ctx context.Context, accounts Accounts, email, password, name string) (Account, AccountOutcome, error) {
	var (
		acct    Account
		err     error
		outcome = AccountCreated
	)
	if password == "" {
		outcome = AccountInvited
		acct, err = accounts.Invite(ctx, email, name)
	} else {
		acct, err = accounts.Create(ctx, email, password, name)
	}
	if err == nil {
		return acct, outcome, nil
	}
	if !errors.Is(err, ErrAccountExists) {
		return Account{}, "", fmt.Errorf("ensure account: %w", err)
	}
	acct, err = accounts.FindByEmail(ctx, email)
	if err != nil {
		return Account{}, "", fmt.Errorf("ensure account: look up the existing account: %w", err)
	}
	return acct, AccountLinked, nil
}
