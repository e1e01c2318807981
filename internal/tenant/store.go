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

// AuditTx is what every transaction that changes something offers: its
// audit event is written in the same transaction as the change.
type AuditTx interface {
	// InsertAudit records ev in the same transaction as the change it describes.
	InsertAudit(ctx context.Context, ev AuditEvent) error
}

// TxCore is what every transaction that changes one tenant starts from.
// Each use case's transaction (Tx, EditTx, PeopleTx) embeds it and adds
// its own reads and writes; internal/store runs them all one way (begin,
// commit, roll back, and one retry on a connection the server closed, so
// fn may run twice and must do nothing outside the transaction that
// cannot be repeated).
type TxCore interface {
	AuditTx
	// LockTenant reads a tenant's row and locks it until the transaction
	// ends, so changes to one tenant take turns; apperr.ErrNotFound when
	// there is none.
	LockTenant(ctx context.Context, id string) (Tenant, error)
}

// Tx is the set of writes available inside one transaction.
type Tx interface {
	TxCore
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
	// LifecycleStore: change a tenant's status, read its latest event.
	LifecycleStore
}
