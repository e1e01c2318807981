package tenant_test

import (
	"context"

	"github.com/tenant-console/console/internal/tenant"
)

// fakeStore is a tenant.Store for tests about the domain alone: each method
// a case reaches is a field the test sets. Any other call panics on the nil
// embedded interface, so a case that must not touch the store shows it
// does not.
type fakeStore struct {
	tenant.Store
	InEditTxFunc func(ctx context.Context, fn func(tenant.EditTx) error) error
}

func (f *fakeStore) InEditTx(ctx context.Context, fn func(tenant.EditTx) error) error {
	return f.InEditTxFunc(ctx, fn)
}

// fakeEditTx is an edit transaction made of the functions a test sets.
type fakeEditTx struct {
	tenant.EditTx
	LockTenantFunc   func(ctx context.Context, id string) (tenant.Tenant, error)
	LockSettingsFunc func(ctx context.Context, id string) (*tenant.Settings, error)
	SaveSettingsFunc func(ctx context.Context, id string, s tenant.Settings, version int, by string) (int, error)
	InsertAuditFunc  func(ctx context.Context, ev tenant.AuditEvent) error
}

func (f *fakeEditTx) LockTenant(ctx context.Context, id string) (tenant.Tenant, error) {
	return f.LockTenantFunc(ctx, id)
}

func (f *fakeEditTx) LockSettings(ctx context.Context, id string) (*tenant.Settings, error) {
	return f.LockSettingsFunc(ctx, id)
}

func (f *fakeEditTx) SaveSettings(ctx context.Context, id string, s tenant.Settings, version int, by string) (int, error) {
	return f.SaveSettingsFunc(ctx, id, s, version, by)
}

func (f *fakeEditTx) InsertAudit(ctx context.Context, ev tenant.AuditEvent) error {
	return f.InsertAuditFunc(ctx, ev)
}
