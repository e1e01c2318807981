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
// that carries the version it was read at and the values it was read with:
// a stale form never overwrites a newer save (it is merged three ways, and
// the person confirms), an unchanged form writes nothing, and every save
// writes the change and one audit event in one transaction.

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

// FormState is what every edit form carries besides its fields.
type FormState struct {
	// Version is the row's version the form was read at.
	Version string
	// Original holds the values the form was read with, by field key; a
	// key it lacks (a form from before they were carried) is unknown.
	Original map[string]string
	// Unchosen are fields the form did not send at all: on the page a stale
	// form gets, a field both people changed that was left unchosen.
	Unchosen []string
}

// stateOf is the state of a form filled with what is saved at version.
func stateOf(version int, saved map[string]any, keys []string) FormState {
	orig := make(map[string]string, len(keys))
	for _, k := range keys {
		orig[k] = str(saved[k])
	}
	return FormState{Version: strconv.Itoa(version), Original: orig}
}

// Resolution is how a stale form's field is merged with what was saved
// meanwhile.
type Resolution int

const (
	// ResolveSame: both hold the same value; nothing to ask.
	ResolveSame Resolution = iota
	// ResolveTheirs: only the other person changed the field; their value
	// is kept, so a stale form never quietly reverts it.
	ResolveTheirs
	// ResolveYours: only this form changed the field; its value is kept.
	ResolveYours
	// ResolveAsk: both changed it to different values, or the form did not
	// say what it was read with; the person has to choose.
	ResolveAsk
)

// FieldValue is one field of an edit form: as the form was read, as saved
// now, and as typed.
type FieldValue struct {
	Key         string
	Original    string // what the form was read with, when HasOriginal
	HasOriginal bool
	Saved       string // what the database holds now
	Yours       string // what the form sent (normalised)
}

// Differs reports whether the saved value is not the one typed.
func (f FieldValue) Differs() bool { return f.Saved != f.Yours }

// Resolution merges the field three ways: the value it was read with is
// the base, the saved value theirs, the typed value yours.
func (f FieldValue) Resolution() Resolution {
	switch {
	case !f.Differs():
		return ResolveSame
	case !f.HasOriginal:
		return ResolveAsk
	case f.Yours == f.Original:
		return ResolveTheirs
	case f.Saved == f.Original:
		return ResolveYours
	}
	return ResolveAsk
}

// StaleError is a form read at an older version than the row now has. It
// carries every field, as read, saved and typed, and the version to send
// again with the merged values.
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

const msgUnchosen = "Choose which value to keep: the one saved meanwhile or yours."

// checkState reads the version a form carries — a missing or mangled one
// is refused (the page has to be reloaded) — and refuses fields it left
// unchosen rather than take them for emptied.
func checkState(errs *apperr.ValidationError, st FormState) int {
	for _, k := range st.Unchosen {
		errs.Add(k, msgUnchosen)
	}
	n, err := strconv.Atoi(strings.TrimSpace(st.Version))
	if err != nil || n < 0 {
		errs.Add("version", "This form lacks the version it was read at. Reload the page and make your change again.")
		return -1
	}
	return n
}

// editKind is what differs between the edit forms: the value they edit
// (T), its fields and how it is locked and written.
type editKind[T any] struct {
	action string
	fields []string
	// rules clean each field; the values a form was read with go through
	// them too, so they compare like the typed ones and reach a page only
	// as values their rule accepts (one that fails is taken as unknown).
	rules map[string]Field
	// values are T's fields by key, for the comparison and the audit.
	values func(T) map[string]any
	// lock reads the row (locked): nil and version 0 when there is none yet.
	lock func(ctx context.Context, tx EditTx, id string) (*T, int, error)
	// save writes typed at the version read and returns the new version.
	save func(ctx context.Context, tx EditTx, id string, typed T, version int, by string) (int, error)
}

// runEdit is the shape every save shares: lock the row, write only a
// change, and only at the version the form was read at (else merge it three
// ways into a *StaleError for the person to confirm), and audit it.
func runEdit[T any](ctx context.Context, s *Service, k editKind[T], actor Actor, id string, typed T, version int, original map[string]string) (EditResult, error) {
	var res EditResult
	err := s.store.InEditTx(ctx, func(tx EditTx) error {
		if _, err := lockChangeable(ctx, tx, id); err != nil {
			return err
		}
		cur, v, err := k.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		saved := map[string]any{}
		if cur != nil {
			saved = k.values(*cur)
		}
		after := k.values(typed)
		fields := make([]FieldValue, len(k.fields))
		ev := NewAuditEvent(actor, id, k.action)
		ev.Before, ev.After = map[string]any{}, map[string]any{}
		var changed []string
		for i, key := range k.fields {
			o, known := k.original(original, key)
			fields[i] = FieldValue{Key: key, Original: o, HasOriginal: known, Saved: str(saved[key]), Yours: str(after[key])}
			if fields[i].Differs() {
				changed = append(changed, key)
				ev.Before[key], ev.After[key] = saved[key], after[key]
			}
		}
		res.Version = v
		if len(changed) == 0 {
			return nil // the form says what is saved already: nothing to write
		}
		if v != version {
			return &StaleError{Version: v, Fields: fields}
		}
		if res.Version, err = k.save(ctx, tx, id, typed, v, actorName(actor)); err != nil {
			return err
		}
		if err := tx.InsertAudit(ctx, ev); err != nil {
			return err
		}
		res.Changed = changed
		return nil
	})
	return res, refusalBesideColumn(err)
}

// original is the value the form was read with for key, through its rule;
// false when the form lacks it or it fails the rule.
func (k editKind[T]) original(original map[string]string, key string) (string, bool) {
	raw, ok := original[key]
	if !ok {
		return "", false
	}
	v, msg := k.rules[key].Clean(raw)
	return v, msg == ""
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	}
	return ""
}

// actorName is what updated_by records.
func actorName(a Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return a.UserID
}
