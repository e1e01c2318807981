package auth

import (
	"context"
	"errors"

	"github.com/tenant-console/console/internal/tenant"
)

// Access is every role an account holds, as stored: a staff role (or none)
// and its tenant memberships with each tenant's status.
type Access struct {
	Staff       tenant.Role
	Memberships []tenant.Membership
}

var (
	// ErrNoAccess: a valid account with no staff role and no membership.
	ErrNoAccess = errors.New("this account has no access to the console")
	// ErrTenantSuspended: a tenant person whose tenants are all suspended or deleted.
	ErrTenantSuspended = errors.New("the account's organizations are suspended")
)

// Usable returns the memberships the person may use now — owner or admin
// of an active tenant — or why they may not use the console at all. Staff
// always may. A tenant's plain members use the product, not the console:
// their memberships do not count.
func (a Access) Usable() ([]tenant.Membership, error) {
	var console, active []tenant.Membership
	for _, m := range a.Memberships {
		if m.Role != tenant.MemberOwner && m.Role != tenant.MemberAdmin {
			continue
		}
		console = append(console, m)
		if m.TenantStatus == tenant.StatusActive {
			active = append(active, m)
		}
	}
	switch {
	case a.Staff != "":
		return active, nil
	case len(console) == 0:
		return nil, ErrNoAccess
	case len(active) == 0:
		return nil, ErrTenantSuspended
	}
	return active, nil
}

// AccessStore is what sign-in needs from the database.
type AccessStore interface {
	// LoadAccess returns the roles of the GoTrue account userID.
	LoadAccess(ctx context.Context, userID string) (Access, error)
	// CountAttempt records one failed sign-in under key and returns how
	// many were recorded under it within the current window.
	CountAttempt(ctx context.Context, key string, windowSeconds int) (int, error)
	// Attempts returns how many failures are recorded under key within the
	// current window, recording nothing.
	Attempts(ctx context.Context, key string, windowSeconds int) (int, error)
}

// Principal is a signed-in person with what they may use right now.
type Principal struct {
	UserID      string
	Email       string
	Staff       tenant.Role
	Memberships []tenant.Membership // active tenants only
}

// Actor is the principal as the domain sees them for one request.
func (p Principal) Actor(requestID, remoteAddr string) tenant.Actor {
	return tenant.Actor{
		UserID: p.UserID, Email: p.Email, Staff: p.Staff, Memberships: p.Memberships,
		RequestID: requestID, RemoteAddr: remoteAddr,
	}
}

// Resolve loads the current roles of a signed-in account: called at sign-in
// and again on every request, so a suspended tenant or a removed role takes
// effect at the person's next request.
func Resolve(ctx context.Context, store AccessStore, userID, email string) (Principal, error) {
	access, err := store.LoadAccess(ctx, userID)
	if err != nil {
		return Principal{}, err
	}
	usable, err := access.Usable()
	if err != nil {
		return Principal{}, err
	}
	return Principal{UserID: userID, Email: email, Staff: access.Staff, Memberships: usable}, nil
}
