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
	// TenantName is the tenant's name now, read with the event (not
	// stored in it); "" once the tenant is purged.
	TenantName string
}

// Audit actions, named <subject>.<verb>.
const (
	ActionTenantCreated      = "tenant.created"
	ActionTenantImported     = "tenant.imported"
	ActionTenantUpdated      = "tenant.updated"
	ActionTenantSuspended    = "tenant.suspended"
	ActionTenantReactivated  = "tenant.reactivated"
	ActionTenantDeleted      = "tenant.deleted"
	ActionTenantRestored     = "tenant.restored"
	ActionSettingsUpdated    = "settings.updated"
	ActionBrandingUpdated    = "branding.updated"
	ActionSecretChanged      = "secret.changed"
	ActionMemberInvited      = "member.invited"
	ActionMemberAdded        = "member.added"
	ActionMemberRoleChanged  = "member.role_changed"
	ActionMemberRemoved      = "member.removed"
	ActionInvitationRevoked  = "invitation.revoked"
	ActionInvitationResent   = "invitation.resent"
	ActionInvitationAccepted = "invitation.accepted"
	ActionStaffAdded         = "staff.added"
	ActionStaffRoleChanged   = "staff.role_changed"
	ActionStaffRemoved       = "staff.removed"
	// A person chose their password from an invitation's link, or a new
	// one from a recovery link.
	ActionPasswordSet       = "account.password_set"
	ActionPasswordRecovered = "account.password_recovered"
	// A person changed their password, signed out of every device, or
	// enrolled a second factor, from their account page; a platform admin
	// reset another staff member's second factors.
	ActionPasswordChanged     = "account.password_changed"
	ActionSignedOutEverywhere = "account.signed_out_everywhere"
	ActionMFAEnrolled         = "account.mfa_enrolled"
	ActionMFAReset            = "account.mfa_reset"
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

// AuditFields is what an audit event records of a new tenant: every registry,
// settings and branding field by its column name (no prompt bodies, no
// secrets).
func (r Record) AuditFields() map[string]any {
	t, s, b := r.Tenant, r.Settings, r.Branding
	return map[string]any{
		"name": t.Name, "short_name": t.ShortName, "status": string(t.Status), "plan": string(t.Plan),
		"max_users": t.Quotas.MaxUsers, "max_monthly_quotes": t.Quotas.MaxMonthlyQuotes,
		"max_storage_gb": t.Quotas.MaxStorageGB, "source": string(t.Source),
		"company_name": s.CompanyName, "support_email": s.SupportEmail, "support_phone": s.SupportPhone,
		"website": s.Website, "currency": s.Currency, "timezone": s.Timezone,
		"email_from_name": s.EmailFromName, "email_from_email": s.EmailFromEmail,
		"preset_theme": b.PresetTheme, "logo_url": b.LogoURL, "color_primary": b.ColorPrimary,
		"color_secondary": b.ColorSecondary, "color_accent": b.ColorAccent,
	}
}
