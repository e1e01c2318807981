package tenant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/apperr"
)

// LifecycleAction is something a person asks of a tenant's status.
type LifecycleAction string

const (
	ActSuspend    LifecycleAction = "suspend"
	ActReactivate LifecycleAction = "reactivate"
	ActDelete     LifecycleAction = "delete"
	ActRestore    LifecycleAction = "restore"
)

// LifecycleActions in the order pages offer them.
var LifecycleActions = []LifecycleAction{ActSuspend, ActReactivate, ActDelete, ActRestore}

// PurgeAfter is how long a deleted tenant can still be restored; `console
// purge` removes it after that.
const PurgeAfter = 30 * 24 * time.Hour

// ActionTenantPurged records that a deleted tenant's rows were removed.
const ActionTenantPurged = "tenant.purged"

// Transition is one row of the lifecycle table: from a status, an action
// leads to another status, asked by one of Roles, audited as Audit.
type Transition struct {
	Action LifecycleAction
	From   Status
	To     Status
	Roles  []Role
	Audit  string
}

// Transitions is the whole lifecycle: any pair (action, status) missing here
// is refused. Tenant people have no lifecycle action on their own tenant.
var Transitions = []Transition{
	{ActSuspend, StatusActive, StatusSuspended, []Role{RolePlatformAdmin, RoleSupport}, ActionTenantSuspended},
	{ActReactivate, StatusSuspended, StatusActive, []Role{RolePlatformAdmin, RoleSupport}, ActionTenantReactivated},
	{ActDelete, StatusActive, StatusDeleted, []Role{RolePlatformAdmin}, ActionTenantDeleted},
	{ActDelete, StatusSuspended, StatusDeleted, []Role{RolePlatformAdmin}, ActionTenantDeleted},
	{ActRestore, StatusDeleted, StatusActive, []Role{RolePlatformAdmin}, ActionTenantRestored},
}

// Valid reports whether a is a known lifecycle action.
func (a LifecycleAction) Valid() bool { return slices.Contains(LifecycleActions, a) }

// Target is the status the action leads to (whatever the starting one).
func (a LifecycleAction) Target() Status {
	for _, t := range Transitions {
		if t.Action == a {
			return t.To
		}
	}
	return ""
}

// Label is the action as a button says it.
func (a LifecycleAction) Label() string {
	switch a {
	case ActSuspend:
		return "Suspend"
	case ActReactivate:
		return "Reactivate"
	case ActDelete:
		return "Delete"
	case ActRestore:
		return "Restore"
	}
	return string(a)
}

// ReasonRequired reports whether the action needs a reason.
func (a LifecycleAction) ReasonRequired() bool { return a == ActSuspend || a == ActDelete }

// MayAsk reports whether the actor's role may ask action at all.
func (a Actor) MayAsk(action LifecycleAction) bool {
	if a.Staff == "" {
		return false
	}
	for _, t := range Transitions {
		if t.Action == action && slices.Contains(t.Roles, a.Staff) {
			return true
		}
	}
	return false
}

// Offers lists the actions the actor may ask of a tenant in status s now:
// what the tenant page and the list row show as buttons.
func (a Actor) Offers(s Status) []LifecycleAction {
	var out []LifecycleAction
	for _, act := range LifecycleActions {
		if _, ok := transition(act, s); ok && a.MayAsk(act) {
			out = append(out, act)
		}
	}
	return out
}

func transition(action LifecycleAction, from Status) (Transition, bool) {
	for _, t := range Transitions {
		if t.Action == action && t.From == from {
			return t, true
		}
	}
	return Transition{}, false
}

// PurgeDate is when a deleted tenant may be purged.
func (t Tenant) PurgeDate() time.Time {
	if t.DeletedAt == nil {
		return time.Time{}
	}
	return t.DeletedAt.Add(PurgeAfter)
}

// LifecycleRequest is one lifecycle form as typed.
type LifecycleRequest struct {
	TenantID string
	Action   LifecycleAction
	// Version is the tenant's version the form was shown with; 0 skips the
	// check (bulk actions act on whatever each tenant is now).
	Version int
	Reason  string
	// ConfirmID is the tenant id typed to confirm a delete.
	ConfirmID string
}

// Refusal kinds: why a lifecycle request changed nothing.
const (
	RefusedAlready = "already" // the tenant is already in the target status
	RefusedState   = "state"   // the transition does not exist from the current status
	RefusedStale   = "stale"   // someone else changed the tenant since the form was shown
	RefusedPurged  = "expired" // a deleted tenant past the grace period
)

// refusal is a lifecycle request the current state of the tenant does not
// allow: an apperr.Conflict whose Code says which kind (RefusedAlready…)
// and whose message is what the person reads.
func refusal(code, format string, a ...any) error {
	return &apperr.Error{Kind: apperr.Conflict, Code: code, Message: fmt.Sprintf(format, a...)}
}

// RefusalCode is the lifecycle refusal kind of err (RefusedAlready…), or "".
func RefusalCode(err error) string {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
		return e.Code
	}
	return ""
}

// LifecycleStore is what the lifecycle use cases need inside a transaction.
type LifecycleStore interface {
	TxCore
	// SetStatus writes t's status columns and bumps its version, when the
	// stored version is still t.Version.
	SetStatus(ctx context.Context, t Tenant) error
	// LatestAudit returns the newest audit event of a tenant (ok false: none).
	LatestAudit(ctx context.Context, tenantID string) (AuditEvent, bool, error)
}

// Lifecycle runs one lifecycle request in one transaction with its audit
// event, and returns the tenant as it is afterwards. When the tenant's
// state refuses the request (an apperr.Conflict with a RefusalCode), it
// returns the tenant as it is now with the refusal.
func (s *Service) Lifecycle(ctx context.Context, actor Actor, req LifecycleRequest) (Tenant, error) {
	if !req.Action.Valid() || !ValidID(req.TenantID) || !actor.CanSee(req.TenantID) {
		return Tenant{}, fmt.Errorf("lifecycle %q: %w", req.TenantID, apperr.ErrNotFound)
	}
	if !actor.MayAsk(req.Action) {
		return Tenant{}, fmt.Errorf("lifecycle %s by %s: %w", req.Action, actor.Staff, apperr.ErrForbidden)
	}
	errs := apperr.NewValidation()
	reason := FieldReasonOptional.Into(errs, "", req.Reason)
	if req.Action.ReasonRequired() {
		reason = FieldReason.Into(errs, "", req.Reason)
	}
	if req.Action == ActDelete && strings.TrimSpace(req.ConfirmID) != req.TenantID {
		errs.Add("confirm_id", "Type the tenant's id, "+req.TenantID+", to confirm.")
	}
	if err := errs.OrNil(); err != nil {
		return Tenant{}, err
	}
	var after Tenant
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		after, err = applyLifecycle(ctx, tx, actor, req, reason, time.Now().UTC().Truncate(time.Microsecond))
		return err
	})
	if err != nil {
		if RefusalCode(err) == "" {
			after = Tenant{}
		}
		return after, fmt.Errorf("lifecycle %s %q: %w", req.Action, req.TenantID, err)
	}
	return after, nil
}

// applyLifecycle is one request's check, change and audit event inside tx.
func applyLifecycle(ctx context.Context, tx Tx, actor Actor, req LifecycleRequest, reason string, now time.Time) (Tenant, error) {
	cur, err := tx.LockTenant(ctx, req.TenantID)
	if err != nil {
		return Tenant{}, err
	}
	if req.Version != 0 && cur.Version != req.Version {
		return cur, staleError(ctx, tx, cur)
	}
	tr, ok := transition(req.Action, cur.Status)
	if !ok {
		if cur.Status == req.Action.Target() {
			return cur, refusal(RefusedAlready, "%s is already %s; nothing was changed.", cur.Name, statusWord(cur.Status))
		}
		return cur, refusal(RefusedState, "%s is %s, so it cannot be %s. Nothing was changed.", cur.Name, statusWord(cur.Status), pastTense(req.Action))
	}
	if req.Action == ActRestore && cur.DeletedAt != nil && now.After(cur.PurgeDate()) {
		return cur, refusal(RefusedPurged, "%s was deleted more than 30 days ago and is waiting to be purged; it can no longer be restored.", cur.Name)
	}

	next := cur
	next.Status = tr.To
	before := map[string]any{"status": string(cur.Status)}
	afterF := map[string]any{"status": string(tr.To)}
	switch req.Action {
	case ActSuspend:
		next.SuspendedAt, next.SuspendedBy, next.SuspendedReason = &now, actor.Email, reason
		afterF["suspended_at"], afterF["suspended_by"], afterF["suspended_reason"] = now, actor.Email, reason
	case ActReactivate:
		next.SuspendedAt, next.SuspendedBy, next.SuspendedReason = nil, "", ""
		before["suspended_reason"], before["suspended_by"] = cur.SuspendedReason, cur.SuspendedBy
	case ActDelete:
		next.DeletedAt, next.DeletedBy, next.DeletedReason = &now, actor.Email, reason
		afterF["deleted_at"], afterF["deleted_by"], afterF["deleted_reason"] = now, actor.Email, reason
		// A tenant deleted while suspended comes back active on restore;
		// the suspension is over with the deletion.
		if cur.Status == StatusSuspended {
			next.SuspendedAt, next.SuspendedBy, next.SuspendedReason = nil, "", ""
			before["suspended_reason"] = cur.SuspendedReason
		}
	case ActRestore:
		next.DeletedAt, next.DeletedBy, next.DeletedReason = nil, "", ""
		before["deleted_reason"], before["deleted_by"] = cur.DeletedReason, cur.DeletedBy
	}
	if err := tx.SetStatus(ctx, next); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return cur, staleError(ctx, tx, cur)
		}
		return Tenant{}, err
	}
	next.Version = cur.Version + 1
	ev := NewAuditEvent(actor, cur.ID, tr.Audit)
	ev.Before, ev.After = before, afterF
	if reason != "" {
		ev.After[AuditReasonKey] = reason
	}
	if err := tx.InsertAudit(ctx, ev); err != nil {
		return Tenant{}, err
	}
	return next, nil
}

// AuditReasonKey is where an event's reason is kept in its After map.
const AuditReasonKey = "reason"

// Reason is why the change was made, when the person said.
func (ev AuditEvent) Reason() string {
	r, _ := ev.After[AuditReasonKey].(string)
	return r
}

// staleError says what happened since the form was shown: who, when, and
// the status it left the tenant in.
func staleError(ctx context.Context, tx Tx, cur Tenant) error {
	msg := fmt.Sprintf("%s was changed by someone else since you opened this form; it is now %s.", cur.Name, statusWord(cur.Status))
	if ev, ok, err := tx.LatestAudit(ctx, cur.ID); err == nil && ok {
		who := ev.ActorEmail
		if who == "" {
			who = "the system"
		}
		msg = fmt.Sprintf("%s was changed meanwhile: %s (%s) at %s UTC; it is now %s. Check and try again.",
			cur.Name, who, strings.TrimPrefix(ev.Action, "tenant."), ev.OccurredAt.UTC().Format("2006-01-02 15:04:05"), statusWord(cur.Status))
	}
	return refusal(RefusedStale, "%s", msg)
}

func statusWord(s Status) string {
	switch s {
	case StatusActive:
		return "active"
	case StatusSuspended:
		return "suspended"
	case StatusDeleted:
		return "deleted"
	}
	return string(s)
}

func pastTense(a LifecycleAction) string {
	switch a {
	case ActSuspend:
		return "suspended"
	case ActReactivate:
		return "reactivated"
	case ActDelete:
		return "deleted"
	case ActRestore:
		return "restored"
	}
	return string(a)
}

// Bulk outcomes, one per tenant.
const (
	BulkDone       = "done"
	BulkAlready    = "already"
	BulkNotAllowed = "not_allowed"
	BulkFailed     = "failed"
)

// BulkResult is what happened to one tenant of a bulk action.
type BulkResult struct {
	TenantID string
	Name     string
	Outcome  string
	Message  string
	Tenant   Tenant // the tenant afterwards, when it could be read
	Err      error  // for the log when Outcome is BulkFailed
}

// maxBulk bounds one bulk request (a page holds at most 100 rows).
const maxBulk = 100

// Bulk applies one action with one reason to many tenants, each in its own
// transaction, so one refusal does not undo the rest.
func (s *Service) Bulk(ctx context.Context, actor Actor, action LifecycleAction, ids []string, reason string) ([]BulkResult, error) {
	errs := apperr.NewValidation()
	// Delete is left out: it asks for each tenant's id typed again.
	if action != ActSuspend && action != ActReactivate && action != ActRestore {
		errs.Add("action", "Choose suspend, reactivate or restore.")
		return nil, errs
	}
	if !actor.MayAsk(action) {
		return nil, fmt.Errorf("bulk %s: %w", action, apperr.ErrForbidden)
	}
	if len(ids) == 0 {
		errs.Add("ids", "Select at least one tenant.")
	}
	if len(ids) > maxBulk {
		errs.Add("ids", fmt.Sprintf("Select at most %d tenants at a time.", maxBulk))
	}
	if action.ReasonRequired() {
		FieldReason.Into(errs, "", reason)
	} else {
		FieldReasonOptional.Into(errs, "", reason)
	}
	if err := errs.OrNil(); err != nil {
		return nil, err
	}
	var out []BulkResult
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		r := BulkResult{TenantID: id}
		t, err := s.Lifecycle(ctx, actor, LifecycleRequest{TenantID: id, Action: action, Reason: reason})
		code := RefusalCode(err)
		switch {
		case err == nil:
			r.Outcome, r.Tenant, r.Name = BulkDone, t, t.Name
			r.Message = fmt.Sprintf("%s: %s.", t.Name, pastTense(action))
		case code != "":
			r.Tenant, r.Name, r.Message = t, t.Name, apperr.MessageOf(err)
			r.Outcome = BulkNotAllowed
			if code == RefusedAlready {
				r.Outcome = BulkAlready
			}
		case errors.Is(err, apperr.ErrNotFound):
			r.Outcome, r.Message = BulkNotAllowed, id+": no such tenant."
		case ctx.Err() != nil:
			return out, ctx.Err()
		default:
			r.Outcome, r.Message, r.Err = BulkFailed, id+": could not be changed; try again.", err
		}
		out = append(out, r)
	}
	return out, nil
}

// MaySeeAudit reports whether the actor may read a tenant's audit log:
// staff, and the tenant's own owners and admins.
func (a Actor) MaySeeAudit(tenantID string) bool {
	if a.IsStaff() {
		return true
	}
	m, ok := a.Membership(tenantID)
	return ok && (m.Role == MemberOwner || m.Role == MemberAdmin)
}
