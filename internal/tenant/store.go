package tenant

import "context"

// Store is the persistence the use cases need; internal/store implements it
// over Postgres. Reads return apperr.ErrNotFound for a missing tenant.
type Store interface {
	// ListTenants returns one page of tenants; scope, when not nil, limits
	// the rows to those tenant ids.
	ListTenants(ctx context.Context, q ListQuery, scope []string) (ListResult, error)
	// GetDetail returns a tenant with its settings, branding, prompts,
	// owners, secret descriptions and latest audit events.
	GetDetail(ctx context.Context, id string, auditLimit int) (Detail, error)
	// InTx runs fn in one transaction: every write fn makes lands, or none.
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is the set of writes available inside one transaction.
type Tx interface {
	// InsertAudit records ev in the same transaction as the change it describes.
	InsertAudit(ctx context.Context, ev AuditEvent) error
}
