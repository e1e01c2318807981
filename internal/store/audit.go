package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// InsertAudit records ev inside the transaction of the change it describes.
func (t *txStore) InsertAudit(ctx context.Context, ev tenant.AuditEvent) error {
	return insertAudit(ctx, t.tx, ev)
}

// RecordAudit records an event that is the only write of its change (a
// person setting their own password, kept by GoTrue).
func (s *Store) RecordAudit(ctx context.Context, ev tenant.AuditEvent) error {
	return insertAudit(ctx, s.pool, ev)
}

func insertAudit(ctx context.Context, q querier, ev tenant.AuditEvent) error {
	return auditStmt(ev).exec(ctx, q)
}

// auditStmt is the insert of one audit event.
func auditStmt(ev tenant.AuditEvent) stmt {
	var tenantID *string
	if ev.TenantID != "" {
		tenantID = &ev.TenantID
	}
	return stmt{op: "insert audit event", sql: `
		INSERT INTO audit_events
			(actor_id, actor_email, actor_role, tenant_id, action, before, after, request_id, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		args: []any{ev.ActorID, ev.ActorEmail, ev.ActorRole, tenantID, ev.Action,
			nilIfEmpty(ev.Before), nilIfEmpty(ev.After), ev.RequestID, ev.RemoteAddr}}
}

// nilIfEmpty stores an empty before/after as SQL NULL rather than {}.
func nilIfEmpty(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

type auditRow struct {
	ID         int64          `db:"id"`
	OccurredAt time.Time      `db:"occurred_at"`
	ActorID    string         `db:"actor_id"`
	ActorEmail string         `db:"actor_email"`
	ActorRole  string         `db:"actor_role"`
	TenantID   *string        `db:"tenant_id"`
	Action     string         `db:"action"`
	Before     map[string]any `db:"before"`
	After      map[string]any `db:"after"`
	RequestID  string         `db:"request_id"`
	RemoteAddr string         `db:"remote_addr"`
	TenantName *string        `db:"tenant_name"`
}

func (r auditRow) domain() tenant.AuditEvent {
	ev := tenant.AuditEvent{
		ID: r.ID, OccurredAt: r.OccurredAt, ActorID: r.ActorID, ActorEmail: r.ActorEmail,
		ActorRole: r.ActorRole, Action: r.Action, Before: r.Before, After: r.After,
		RequestID: r.RequestID, RemoteAddr: r.RemoteAddr,
	}
	if r.TenantID != nil {
		ev.TenantID = *r.TenantID
	}
	if r.TenantName != nil {
		ev.TenantName = *r.TenantName
	}
	return ev
}

// auditColumns are read FROM audit_events. The tenant's current name comes
// along by a subquery on its primary key: the rows of one page cost one
// query, however many tenants they name.
const auditColumns = `id, occurred_at, actor_id, actor_email, actor_role, tenant_id, action,
	before, after, request_id, remote_addr,
	(SELECT t.name FROM tenants t WHERE t.id = audit_events.tenant_id) AS tenant_name`

// latestAudit returns the newest limit events of one tenant.
func latestAudit(ctx context.Context, q querier, tenantID string, limit int) ([]tenant.AuditEvent, error) {
	rows, err := q.Query(ctx, `SELECT `+auditColumns+` FROM audit_events
		WHERE tenant_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, mapErr("list audit events", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[auditRow])
	if err != nil {
		return nil, mapErr("list audit events", err)
	}
	out := make([]tenant.AuditEvent, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}
