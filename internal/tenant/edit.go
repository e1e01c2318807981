package tenant

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tenant-console/console/internal/apperr"
)

// Editing a tenant's one-row parts (settings, branding, plan) from a form
// that carries the version it was read at (product.md §4.5): a stale form
// never overwrites a newer save, an unchanged form writes nothing, and every
// save writes the change and one audit event in one transaction.

// ActionPlanUpdated records a change of a tenant's plan or quotas.
const ActionPlanUpdated = "plan.updated"

// CanEdit reports whether the actor may change tenantID's settings and
// branding: platform admins any tenant, owners and admins their own.
func (a Actor) CanEdit(tenantID string) bool {
	if a.IsPlatformAdmin() {
		return true
	}
	m, ok := a.Membership(tenantID)
	return ok && (m.Role == MemberOwner || m.Role == MemberAdmin)
}

// CanReadEdits reports whether the actor may open tenantID's edit pages:
// those who may edit, and support (read-only).
func (a Actor) CanReadEdits(tenantID string) bool {
	return a.Staff == RoleSupport || a.CanEdit(tenantID)
}

// editAccess returns nil when the actor may edit tenantID; a tenant they may
// not even open is "not found", so ids of other tenants do not leak.
func editAccess(a Actor, tenantID string) error {
	switch {
	case !ValidID(tenantID) || !a.CanReadEdits(tenantID):
		return apperr.ErrNotFound
	case !a.CanEdit(tenantID):
		return apperr.ErrForbidden
	}
	return nil
}

// FieldValue is one field of an edit form as saved and as typed.
type FieldValue struct {
	Key   string
	Saved string // what the database holds now
	Yours string // what the form sent (normalised)
}

// Differs reports whether the saved value is not the one typed.
func (f FieldValue) Differs() bool { return f.Saved != f.Yours }

// StaleError is a form read at an older version than the row now has. It
// carries every field, saved and typed, and the version to send again with
// the person's choice.
type StaleError struct {
	Version int
	Fields  []FieldValue
}

func (e *StaleError) Error() string {
	var keys []string
	for _, f := range e.Fields {
		if f.Differs() {
			keys = append(keys, f.Key)
		}
	}
	return fmt.Sprintf("stale form (now version %d; differs in %s)", e.Version, strings.Join(keys, ", "))
}

// Unwrap makes a stale form an apperr.ErrConflict.
func (e *StaleError) Unwrap() error { return apperr.ErrConflict }

// AsStale unwraps err into a *StaleError when it is one.
func AsStale(err error) (*StaleError, bool) {
	var s *StaleError
	ok := errors.As(err, &s)
	return s, ok
}

// ErrVersionMoved is what a store returns when UPDATE … WHERE version = $n
// found no row at that version.
var ErrVersionMoved = fmt.Errorf("the row's version moved: %w", apperr.ErrConflict)

// EditResult says what a save did.
type EditResult struct {
	// Changed are the keys of the fields written; empty: nothing changed
	// and nothing was written.
	Changed []string
	Version int // the row's version after the save
}

// EditStore is the persistence of the edit use cases.
type EditStore interface {
	// InEditTx runs fn in one transaction.
	InEditTx(ctx context.Context, fn func(EditTx) error) error
}

// EditTx reads a row for update and writes it only at the version read.
type EditTx interface {
	TxCore
	// LockSettings returns the tenant's settings row locked, or nil when it
	// has none yet (its version is then 0).
	LockSettings(ctx context.Context, id string) (*Settings, error)
	LockBranding(ctx context.Context, id string) (*Branding, error)
	// SaveSettings writes s when the row is at version (0: no row yet) and
	// returns the new version; ErrVersionMoved otherwise.
	SaveSettings(ctx context.Context, id string, s Settings, version int, by string) (int, error)
	SaveBranding(ctx context.Context, id string, b Branding, version int, by string) (int, error)
	// SavePlan writes the tenant's plan and quotas at version.
	SavePlan(ctx context.Context, id string, p Plan, q Quotas, version int, by string) (int, error)
}

// formVersion reads the version a form carries; a missing or mangled one
// is refused (the page has to be reloaded).
func formVersion(errs *apperr.ValidationError, raw string) int {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < 0 {
		errs.Add("version", "This form lacks the version it was read at. Reload the page and make your change again.")
		return -1
	}
	return n
}

// diff returns the before and after of the fields whose values differ, by
// key, and the keys in form order.
func diff(fields []FieldValue, before, after map[string]any) (b, a map[string]any, keys []string) {
	b, a = map[string]any{}, map[string]any{}
	for _, f := range fields {
		if f.Differs() {
			keys = append(keys, f.Key)
			b[f.Key], a[f.Key] = before[f.Key], after[f.Key]
		}
	}
	return b, a, keys
}

// edit is the shape every save shares: lock the row, compare versions,
// write only a change, audit it.
type edit struct {
	actor    Actor
	tenantID string
	action   string
	version  int // the version the form was read at
	// lock reads the row (locked) and returns its version, every field
	// saved vs typed, and the audit values of both.
	lock func(ctx context.Context, tx EditTx) (version int, fields []FieldValue, saved, typed map[string]any, err error)
	// save writes the typed values at the version read.
	save func(ctx context.Context, tx EditTx, version int) (int, error)
}

func (s *Service) runEdit(ctx context.Context, e edit) (EditResult, error) {
	var res EditResult
	err := s.store.InEditTx(ctx, func(tx EditTx) error {
		if _, err := tx.LockTenant(ctx, e.tenantID); err != nil {
			return err
		}
		version, fields, saved, typed, err := e.lock(ctx, tx)
		if err != nil {
			return err
		}
		before, after, keys := diff(fields, saved, typed)
		res.Version = version
		if len(keys) == 0 {
			return nil // the form says what is saved already: nothing to write
		}
		if version != e.version {
			return &StaleError{Version: version, Fields: fields}
		}
		if res.Version, err = e.save(ctx, tx, version); err != nil {
			return err
		}
		ev := NewAuditEvent(e.actor, e.tenantID, e.action)
		ev.Before, ev.After = before, after
		if err := tx.InsertAudit(ctx, ev); err != nil {
			return err
		}
		res.Changed = keys
		return nil
	})
	return res, refusalBesideColumn(err)
}

// actorName is what updated_by records.
func actorName(a Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return a.UserID
}
