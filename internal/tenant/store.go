package tenant

import "context"

// Store is the persistence the use cases need; internal/store implements it
// over Postgres. Reads return apperr.ErrNotFound for a missing tenant.
type Store interface {
	// ListTenants returns one page of the tenants in scope.
	ListTenants(ctx context.Context, q ListQuery, scope Scope) (ListResult, error)
	// GetDetail returns a tenant with its settings, branding, prompts,
	// owners, secret descriptions and latest audit events.
	GetDetail(ctx context.Context, id string, auditLimit int) (Detail, error)
	// InTx runs fn in one transaction: every write fn makes lands, or none.
	InTx(ctx context.Context, fn func(Tx) error) error
	// ShortNameOwner returns the name of the tenant (of any status) whose
	// short name is shortName, or apperr.ErrNotFound when it is free.
	ShortNameOwner(ctx context.Context, shortName string) (string, error)
	// OnboardingResult returns the result stored under an onboarding
	// idempotency key, or apperr.ErrNotFound when the key never completed.
	OnboardingResult(ctx context.Context, key string) (OnboardResult, error)
	// EditStore: saving settings, branding and plan at a version.
	EditStore
	// EachTenant streams every tenant matching q (all pages) to fn.
	EachTenant(ctx context.Context, q ListQuery, scope Scope, fn func(ListItem) error) error
}

// Tx is the set of writes available inside one transaction.
type Tx interface {
	// InsertAudit records ev in the same transaction as the change it describes.
	InsertAudit(ctx context.Context, ev AuditEvent) error
	// InsertRecord writes a new tenant with its settings, branding and
	// prompts. A short name already used gives an error matching
	// ErrShortNameTaken (and apperr.ErrConflict).
	InsertRecord(ctx context.Context, rec Record) error
	// InsertMember adds a person to a tenant (organization_users).
	InsertMember(ctx context.Context, m Member, createdBy string) error
	// SaveOnboardingResult claims an onboarding idempotency key for res.
	// A key already claimed gives an error matching apperr.ErrConflict; a
	// key claimed by a transaction still running makes this wait for it.
	SaveOnboardingResult(ctx context.Context, key string, res OnboardResult) error
	// LifecycleStore: lock a tenant, change its status, read its latest event.
	LifecycleStore
}
