package tenant

import "time"

// AuditEvent is one append-only record of a change. Before and After hold the
// changed fields (never a secret's value) and are stored as jsonb.
type AuditEvent struct {
	ID         int64
	OccurredAt time.Time
	ActorID    string
	ActorEmail string
	ActorRole  string
	TenantID   string
	Action     string
	Before     map[string]any
	After      map[string]any
	RequestID  string
	RemoteAddr string
}

// Audit actions, named <subject>.<verb>.
const (
	ActionTenantCreated     = "tenant.created"
	ActionTenantImported    = "tenant.imported"
	ActionTenantUpdated     = "tenant.updated"
	ActionTenantSuspended   = "tenant.suspended"
	ActionTenantReactivated = "tenant.reactivated"
	ActionTenantDeleted     = "tenant.deleted"
	ActionTenantRestored    = "tenant.restored"
	ActionSettingsUpdated   = "settings.updated"
	ActionBrandingUpdated   = "branding.updated"
	ActionSecretChanged     = "secret.changed"
	ActionMemberAdded       = "member.added"
	ActionMemberRemoved     = "member.removed"
	ActionStaffCreated      = "staff.created"
	ActionStaffChanged      = "staff.changed"
)

// NewAuditEvent starts an event for actor; callers fill Before/After.
func NewAuditEvent(actor Actor, tenantID, action string) AuditEvent {
	return AuditEvent{
		ActorID:    actor.UserID,
		ActorEmail: actor.Email,
		ActorRole:  string(actor.PrimaryRole(tenantID)),
		TenantID:   tenantID,
		Action:     action,
		RequestID:  actor.RequestID,
		RemoteAddr: actor.RemoteAddr,
	}
}
