package tenant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// Staff (docs/design.md §1): platform admins and support, managed by platform
// admins from /staff or `console create-staff`; both go through StaffService.

// StaffMember is one row of the staff table.
type StaffMember struct {
	UserID    string
	Email     string
	Role      Role
	CreatedAt time.Time
	CreatedBy string
}

// StaffStore is the persistence the staff use cases need.
type StaffStore interface {
	// ListStaff returns every staff member, by e-mail.
	ListStaff(ctx context.Context) ([]StaffMember, error)
	// InStaffTx runs fn in one transaction.
	InStaffTx(ctx context.Context, fn func(StaffTx) error) error
	// ResultStore: what an add-staff form's earlier submit did.
	ResultStore
}

// StaffTx is what one staff transaction may read and write.
type StaffTx interface {
	// AuditTx: staff belong to no tenant, so there is no tenant to lock.
	AuditTx
	// LockStaff reads every staff row and locks them until the transaction
	// ends, so two changes cannot both count the same last platform admin.
	LockStaff(ctx context.Context) ([]StaffMember, error)
	// PutStaff inserts a staff member or changes their role and e-mail.
	PutStaff(ctx context.Context, st StaffMember, by string) error
	DeleteStaff(ctx context.Context, userID string) error
	// ResultTx: an add-staff form's result, stored with the change.
	ResultTx
}

// StaffService holds the staff use cases.
type StaffService struct {
	store    StaffStore
	accounts Accounts
	gate     keyGate
}

// NewStaffService returns the staff use cases.
func NewStaffService(store StaffStore, accounts Accounts) *StaffService {
	return &StaffService{store: store, accounts: accounts}
}

func staffOnlyAdmins(actor Actor) error {
	if !actor.IsPlatformAdmin() {
		return fmt.Errorf("staff: %w", apperr.ErrForbidden)
	}
	return nil
}

// List returns every staff member.
func (s *StaffService) List(ctx context.Context, actor Actor) ([]StaffMember, error) {
	if err := staffOnlyAdmins(actor); err != nil {
		return nil, err
	}
	list, err := s.store.ListStaff(ctx)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return list, nil
}

// StaffInput is the add-staff form (or the CLI's flags).
type StaffInput struct {
	Email string `form:"email"`
	Role  string `form:"role"`
	// Password, when set, is a new account's password (the CLI); empty
	// sends a new person a GoTrue invitation. An existing account keeps
	// its password either way.
	Password string `form:"-"`
	// PasswordRequired: a new account needs Password (the CLI makes
	// accounts that sign in at once; the web console invites).
	PasswordRequired bool `form:"-"`
	// IdempotencyKey comes with the form (see keyGate): a second submit
	// of one form answers with the first one's result. Empty for the CLI.
	IdempotencyKey string `form:"idempotency_key"`
}

// StaffResult says what Ensure did. It is stored under the form's
// idempotency key.
type StaffResult struct {
	Email    string         `json:"email"`
	Role     Role           `json:"role"`
	Previous Role           `json:"previous,omitempty"` // "" when the person was not staff
	Account  AccountOutcome `json:"account"`
}

// Message is the sentence the person who asked reads.
func (r StaffResult) Message() string {
	var how string
	switch r.Account {
	case AccountLinked:
		how = fmt.Sprintf("An account for %s already exists; it keeps its password.", r.Email)
	case AccountInvited:
		how = fmt.Sprintf("An invitation was sent to %s.", r.Email)
	default:
		how = fmt.Sprintf("Created the account %s with the password given.", r.Email)
	}
	switch r.Previous {
	case r.Role:
		return how + fmt.Sprintf(" It already was %s; nothing changed.", r.Role)
	case "":
		return how + fmt.Sprintf(" It is now %s.", r.Role)
	}
	return how + fmt.Sprintf(" Its role changed from %s to %s.", r.Previous, r.Role)
}

// Ensure gives the person with in.Email the staff role in.Role: an existing
// GoTrue account is linked and keeps its password; a new one is created
// with in.Password or, without one, invited. A person who is staff already
// has their role changed (the last platform admin stays one). Submits of
// one form (in.IdempotencyKey) do this once and all answer its result.
func (s *StaffService) Ensure(ctx context.Context, actor Actor, in StaffInput) (StaffResult, error) {
	if err := staffOnlyAdmins(actor); err != nil {
		return StaffResult{}, err
	}
	errs := apperr.NewValidation()
	email := FieldEmail.Into(errs, "email", in.Email)
	role := Role(FieldStaffRole.Into(errs, "role", in.Role))
	if err := errs.OrNil(); err != nil {
		return StaffResult{}, err
	}
	key := newRequestKey(in.IdempotencyKey, "staff_add", actor.UserID)
	return once(ctx, &s.gate, s.store, key, func() (StaffResult, error) {
		return s.ensure(ctx, actor, in, email, role, key)
	})
}

// ensure is Ensure once its input is valid.
func (s *StaffService) ensure(ctx context.Context, actor Actor, in StaffInput, email string, role Role, key requestKey) (StaffResult, error) {
	errs := apperr.NewValidation()
	// An existing account keeps its password, so the policy only matters
	// for a new one: look first, create only when there is none.
	res := StaffResult{Email: email, Role: role, Account: AccountLinked}
	acct, err := s.accounts.FindByEmail(ctx, email)
	switch {
	case err == nil:
	case errors.Is(err, apperr.ErrNotFound):
		if in.Password != "" || in.PasswordRequired {
			if msg := CheckPassword(in.Password, email); msg != "" {
				errs.Add("password", msg)
				return StaffResult{}, errs
			}
		}
		acct, res.Account, err = EnsureAccount(ctx, s.accounts, email, in.Password, "")
		var rejected *PasswordRejectedError
		switch {
		case errors.As(err, &rejected):
			errs.Add("password", rejected.Reason)
			return StaffResult{}, errs
		case err != nil:
			return StaffResult{}, inviteAccountErr(err)
		}
	default:
		return StaffResult{}, fmt.Errorf("add staff: %w", err)
	}
	err = s.store.InStaffTx(ctx, func(tx StaffTx) error {
		all, err := tx.LockStaff(ctx)
		if err != nil {
			return err
		}
		res.Previous = ""
		for _, st := range all {
			if st.UserID == acct.ID {
				res.Previous = st.Role
			}
		}
		if res.Previous == role {
			return saveResult(ctx, tx, key, res)
		}
		if res.Previous == RolePlatformAdmin {
			if err := keepAPlatformAdmin(all, email, "demoted"); err != nil {
				return err
			}
		}
		if err := saveResult(ctx, tx, key, res); err != nil {
			return err
		}
		if err := tx.PutStaff(ctx, StaffMember{UserID: acct.ID, Email: email, Role: role}, actor.Email); err != nil {
			return err
		}
		ev := NewAuditEvent(actor, "", ActionStaffAdded)
		if res.Previous != "" {
			ev.Action = ActionStaffRoleChanged
			ev.Before = map[string]any{"email": email, "role": string(res.Previous)}
		}
		ev.After = map[string]any{"email": email, "role": string(role), "user_id": acct.ID}
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return StaffResult{}, fmt.Errorf("add staff %s: %w", email, err)
	}
	return res, nil
}

// ChangeRole changes a staff member's role.
func (s *StaffService) ChangeRole(ctx context.Context, actor Actor, userID, rawRole string) (StaffMember, error) {
	if err := staffOnlyAdmins(actor); err != nil {
		return StaffMember{}, err
	}
	errs := apperr.NewValidation()
	role := Role(FieldStaffRole.Into(errs, "role", rawRole))
	if err := errs.OrNil(); err != nil {
		return StaffMember{}, err
	}
	var st StaffMember
	err := s.store.InStaffTx(ctx, func(tx StaffTx) error {
		all, err := tx.LockStaff(ctx)
		if err != nil {
			return err
		}
		if st, err = findStaff(all, userID); err != nil {
			return err
		}
		if st.Role == role {
			return refuse("%s already is %s; nothing changed.", st.Email, role)
		}
		if st.Role == RolePlatformAdmin {
			if err := keepAPlatformAdmin(all, st.Email, "demoted"); err != nil {
				return err
			}
		}
		before := st.Role
		st.Role = role
		if err := tx.PutStaff(ctx, st, actor.Email); err != nil {
			return err
		}
		ev := NewAuditEvent(actor, "", ActionStaffRoleChanged)
		ev.Before = map[string]any{"email": st.Email, "role": string(before)}
		ev.After = map[string]any{"email": st.Email, "role": string(role)}
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return StaffMember{}, fmt.Errorf("change staff role: %w", err)
	}
	return st, nil
}

// Remove takes a person's staff role away; their session loses it at their
// next request. Their GoTrue account stays.
func (s *StaffService) Remove(ctx context.Context, actor Actor, userID string) (StaffMember, error) {
	if err := staffOnlyAdmins(actor); err != nil {
		return StaffMember{}, err
	}
	var st StaffMember
	err := s.store.InStaffTx(ctx, func(tx StaffTx) error {
		all, err := tx.LockStaff(ctx)
		if err != nil {
			return err
		}
		if st, err = findStaff(all, userID); err != nil {
			return err
		}
		if st.Role == RolePlatformAdmin {
			if err := keepAPlatformAdmin(all, st.Email, "removed"); err != nil {
				return err
			}
		}
		if st.UserID == actor.UserID {
			return refuse("You cannot remove yourself from the staff; another platform admin can.")
		}
		if err := tx.DeleteStaff(ctx, userID); err != nil {
			return err
		}
		ev := NewAuditEvent(actor, "", ActionStaffRemoved)
		ev.Before = map[string]any{"email": st.Email, "role": string(st.Role), "user_id": st.UserID}
		return tx.InsertAudit(ctx, ev)
	})
	if err != nil {
		return StaffMember{}, fmt.Errorf("remove staff: %w", err)
	}
	return st, nil
}

// StaffUnremovable is why viewer cannot remove st from the staff (all of
// it), in a few words for the row that does not offer it, or "" when
// Remove would be done. Remove refuses the same cases.
func StaffUnremovable(viewer Actor, all []StaffMember, st StaffMember) string {
	switch {
	case st.UserID == viewer.UserID:
		return "This is you; another platform admin can remove you."
	case st.Role == RolePlatformAdmin && keepAPlatformAdmin(all, st.Email, "removed") != nil:
		return "The last platform admin cannot be removed."
	}
	return ""
}

// StaffRoleFixed is why viewer cannot change st's staff role, in a few
// words for the row that does not offer it, or "" when a change would be
// done. ChangeRole refuses the same case; Remove refuses it too, so a row
// whose role is fixed offers neither.
func StaffRoleFixed(viewer Actor, all []StaffMember, st StaffMember) string {
	if st.Role != RolePlatformAdmin || keepAPlatformAdmin(all, st.Email, "demoted") == nil {
		return ""
	}
	if st.UserID == viewer.UserID {
		return "This is you, the last platform admin: make someone else a platform admin before changing your role."
	}
	return "The last platform admin cannot be demoted or removed."
}

func findStaff(all []StaffMember, userID string) (StaffMember, error) {
	for _, st := range all {
		if st.UserID == userID {
			return st, nil
		}
	}
	return StaffMember{}, fmt.Errorf("staff %q: %w", userID, apperr.ErrNotFound)
}

func keepAPlatformAdmin(all []StaffMember, email, verb string) error {
	admins := 0
	for _, st := range all {
		if st.Role == RolePlatformAdmin {
			admins++
		}
	}
	if admins <= 1 {
		return refuse("%s is the last platform admin and cannot be %s. Make someone else a platform admin first.", email, verb)
	}
	return nil
}
