// Package tenant is the domain of the console: the registry of tenants, their
// settings and branding, who may see them, and the use cases that change them.
// It defines the storage interface it needs; internal/store implements it.
package tenant

import (
	"time"
)

// Status is where a tenant is in its lifecycle.
type Status string

const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusDeleted   Status = "deleted"
)

// Statuses in the order the list's tabs show them.
var Statuses = []Status{StatusActive, StatusSuspended, StatusDeleted}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusActive, StatusSuspended, StatusDeleted:
		return true
	}
	return false
}

// Plan is the commercial plan; it sets the default quotas.
type Plan string

const (
	PlanLite       Plan = "lite"
	PlanPro        Plan = "pro"
	PlanEnterprise Plan = "enterprise"
)

// Plans in the order forms offer them.
var Plans = []Plan{PlanLite, PlanPro, PlanEnterprise}

// Valid reports whether p is a known plan.
func (p Plan) Valid() bool {
	switch p {
	case PlanLite, PlanPro, PlanEnterprise:
		return true
	}
	return false
}

// Quotas limit what a tenant may use.
type Quotas struct {
	MaxUsers         int
	MaxMonthlyQuotes int
	MaxStorageGB     int
}

// DefaultQuotas returns the quotas a plan starts with.
func DefaultQuotas(p Plan) Quotas {
	switch p {
	case PlanPro:
		return Quotas{MaxUsers: 25, MaxMonthlyQuotes: 5000, MaxStorageGB: 50}
	case PlanEnterprise:
		return Quotas{MaxUsers: 250, MaxMonthlyQuotes: 50000, MaxStorageGB: 500}
	default:
		return Quotas{MaxUsers: 5, MaxMonthlyQuotes: 500, MaxStorageGB: 5}
	}
}

// Source says how a tenant entered the registry.
type Source string

const (
	SourceOnboarding Source = "onboarding"
	SourceYAMLImport Source = "yaml_import"
)

// Tenant is one row of the registry.
type Tenant struct {
	ID              string
	Name            string
	ShortName       string
	Status          Status
	Plan            Plan
	Quotas          Quotas
	CreatedAt       time.Time
	CreatedBy       string
	UpdatedAt       time.Time
	SuspendedAt     *time.Time
	SuspendedBy     string
	SuspendedReason string
	DeletedAt       *time.Time
	DeletedBy       string
	DeletedReason   string
	Source          Source
	Version         int
}

// Settings are a tenant's company and e-mail details.
// ReadOnly reports whether nothing of the tenant may change but its
// lifecycle: a deleted tenant is kept only to be restored or purged.
func (t Tenant) ReadOnly() bool { return t.Status == StatusDeleted }

type Settings struct {
	CompanyName    string
	SupportEmail   string
	SupportPhone   string
	Website        string
	Currency       string
	Timezone       string
	EmailFromName  string
	EmailFromEmail string
	UpdatedAt      time.Time
	UpdatedBy      string
	Version        int
}

// Branding is how a tenant's product looks.
type Branding struct {
	PresetTheme    string
	LogoURL        string
	ColorPrimary   string
	ColorSecondary string
	ColorAccent    string
	UpdatedAt      time.Time
	UpdatedBy      string
	Version        int
}

// Prompt is one of a tenant's assistant prompt texts.
type Prompt struct {
	Name      string
	Body      string
	UpdatedAt time.Time
}

// MemberRole is a person's role inside one tenant.
type MemberRole string

const (
	MemberOwner  MemberRole = "owner"
	MemberAdmin  MemberRole = "admin"
	MemberMember MemberRole = "member"
)

// Member is a person who belongs to a tenant (organization_users).
type Member struct {
	TenantID    string
	UserID      string
	Email       string
	DisplayName string
	Role        MemberRole
	CreatedAt   time.Time
}

// SecretMeta describes a stored credential without its value.
type SecretMeta struct {
	Name      string
	Kind      string // "encrypted" or "env_ref"
	EnvRef    string // the ${NAME} reference when Kind is env_ref
	Hint      string // last 4 characters, for the mask
	KeyID     string
	UpdatedAt time.Time
	UpdatedBy string
}

// Mask is how the UI shows a secret: never more than its last 4 characters.
func (s SecretMeta) Mask() string {
	if s.Kind == "env_ref" {
		return s.EnvRef
	}
	return "••••" + s.Hint
}

// Detail is everything the tenant page shows.
type Detail struct {
	Tenant   Tenant
	Settings *Settings // nil when the tenant has none yet
	Branding *Branding
	Prompts  []Prompt
	Owners   []Member
	Secrets  []SecretMeta
	Audit    []AuditEvent // newest first, the latest few
	// Seats is members plus pending invitations: what Quotas.MaxUsers limits.
	Seats int
}

// Record is a tenant with its one-row parts and prompts: what onboarding,
// the legacy importer and the seeder write together.
type Record struct {
	Tenant   Tenant
	Settings Settings
	Branding Branding
	Prompts  []Prompt
	// Members are the tenant's people, written with it by the seeder's
	// BulkInsert; onboarding adds its owner through the members' own path.
	Members []Member
}

// Valid reports whether r is a known role inside a tenant.
func (r MemberRole) Valid() bool {
	switch r {
	case MemberOwner, MemberAdmin, MemberMember:
		return true
	}
	return false
}
