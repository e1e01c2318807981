package store

import (
	"context"
	"fmt"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// LockTenant (edit.go) reads the tenant FOR NO KEY UPDATE: two lifecycle
// requests, or one and a settings save, take turns on one tenant, and purge's
// FOR UPDATE SKIP LOCKED passes over it.

// SetStatus writes the status columns of nt and bumps the version, only
// when the stored version is still nt.Version (else apperr.ErrConflict).
func (t *txStore) SetStatus(ctx context.Context, nt tenant.Tenant) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE tenants SET status = $2,
			suspended_at = $3, suspended_by = $4, suspended_reason = $5,
			deleted_at = $6, deleted_by = $7, deleted_reason = $8,
			version = version + 1, updated_at = now()
		WHERE id = $1 AND version = $9`,
		nt.ID, string(nt.Status),
		nt.SuspendedAt, nullIfEmpty(nt.SuspendedBy), nullIfEmpty(nt.SuspendedReason),
		nt.DeletedAt, nullIfEmpty(nt.DeletedBy), nullIfEmpty(nt.DeletedReason), nt.Version)
	if err != nil {
		return mapErr("set tenant status", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("set tenant status: %w", apperr.ErrConflict)
	}
	return nil
}

// LatestAudit returns the newest audit event of a tenant.
func (t *txStore) LatestAudit(ctx context.Context, tenantID string) (tenant.AuditEvent, bool, error) {
	evs, err := latestAudit(ctx, t.tx, tenantID, 1)
	if err != nil || len(evs) == 0 {
		return tenant.AuditEvent{}, false, err
	}
	return evs[0], true, nil
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
