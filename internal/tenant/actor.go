package tenant

import "slices"

// Role is what a person may do: a staff role, or a role inside a tenant.
type Role string

const (
	RolePlatformAdmin Role = "platform_admin"
	RoleSupport       Role = "support"
	RoleOwner         Role = Role(MemberOwner)
	RoleAdmin         Role = Role(MemberAdmin)
	RoleMember        Role = Role(MemberMember)
)

// Membership is one tenant a person belongs to.
type Membership struct {
	TenantID     string
	TenantName   string
	TenantStatus Status
	Role         MemberRole
}

// Actor is who is doing something, as the domain sees them: the signed-in
// person (or a CLI operator) with their roles, plus what the audit trail needs.
type Actor struct {
	UserID      string
	Email       string
	Staff       Role // RolePlatformAdmin, RoleSupport, or "" for tenant people
	Memberships []Membership
	RequestID   string
	RemoteAddr  string
}

// System is the actor of CLI runs and background jobs: a platform admin
// identified by name (e.g. "cli:import-yaml") instead of an account.
func System(name string) Actor {
	return Actor{Email: name, Staff: RolePlatformAdmin}
}

// IsStaff reports whether the actor is platform staff (sees every tenant).
func (a Actor) IsStaff() bool { return a.Staff == RolePlatformAdmin || a.Staff == RoleSupport }

// IsPlatformAdmin reports whether the actor may do everything.
func (a Actor) IsPlatformAdmin() bool { return a.Staff == RolePlatformAdmin }

// Membership returns the actor's membership of tenantID, if any.
func (a Actor) Membership(tenantID string) (Membership, bool) {
	i := slices.IndexFunc(a.Memberships, func(m Membership) bool { return m.TenantID == tenantID })
	if i < 0 {
		return Membership{}, false
	}
	return a.Memberships[i], true
}

// CanSee reports whether the actor may know that tenantID exists.
func (a Actor) CanSee(tenantID string) bool {
	if a.IsStaff() {
		return true
	}
	_, ok := a.Membership(tenantID)
	return ok
}

// Scope is which tenants a query may return. Its zero value returns none,
// so a scope forgotten on the way to a query cannot mean every tenant.
type Scope struct {
	every bool
	ids   []string
}

// EveryTenant is the scope of staff and of the system's own commands.
func EveryTenant() Scope { return Scope{every: true} }

// OnlyTenants limits a query to ids (none: no tenant).
func OnlyTenants(ids ...string) Scope { return Scope{ids: append([]string{}, ids...)} }

// Every reports whether the scope is every tenant.
func (s Scope) Every() bool { return s.every }

// IDs are the tenants a limited scope allows (empty for Every).
func (s Scope) IDs() []string { return s.ids }

// TenantScope is the tenants the actor may list: every tenant for staff,
// their own for a tenant's people.
func (a Actor) TenantScope() Scope {
	if a.IsStaff() {
		return EveryTenant()
	}
	ids := make([]string, 0, len(a.Memberships))
	for _, m := range a.Memberships {
		ids = append(ids, m.TenantID)
	}
	return OnlyTenants(ids...)
}

// PrimaryRole is the role recorded in the audit trail for an action on
// tenantID: the staff role when there is one, else the membership role.
func (a Actor) PrimaryRole(tenantID string) Role {
	if a.Staff != "" {
		return a.Staff
	}
	if m, ok := a.Membership(tenantID); ok {
		return Role(m.Role)
	}
	return ""
}
