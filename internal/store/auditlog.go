package store

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

var _ tenant.AuditReader = (*Store)(nil)

// auditFilter is the WHERE clause of an audit query. Every filter is on a
// column the (occurred_at, id) or (tenant_id, occurred_at, id) indexes can
// walk in order, so a page stops after Limit rows however deep it is.
func auditFilter(q tenant.AuditQuery) *filter {
	f := &filter{}
	if q.TenantID != "" {
		f.and("tenant_id = " + f.arg(q.TenantID))
	}
	if q.Action != "" {
		f.and("action = " + f.arg(q.Action))
	}
	if q.Actor != "" {
		f.and("lower(actor_email) = " + f.arg(q.Actor))
	}
	if !q.FromTime.IsZero() {
		f.and("occurred_at >= " + f.arg(q.FromTime))
	}
	if !q.ToTime.IsZero() {
		f.and("occurred_at < " + f.arg(q.ToTime))
	}
	if q.Cursor != nil {
		// Row comparison: Postgres walks the index from the cursor on.
		f.and("(occurred_at, id) < (" + f.arg(q.Cursor.At) + ", " + f.arg(q.Cursor.ID) + ")")
	}
	return f
}

// AuditEvents returns one keyset page of the audit log, newest first.
func (s *Store) AuditEvents(ctx context.Context, q tenant.AuditQuery) (evs []tenant.AuditEvent, err error) {
	err = s.retryRepeatable(ctx, func() error {
		evs, err = s.auditEvents(ctx, q)
		return err
	})
	return evs, err
}

func (s *Store) auditEvents(ctx context.Context, q tenant.AuditQuery) ([]tenant.AuditEvent, error) {
	f := auditFilter(q)
	sql := `SELECT ` + auditColumns + ` FROM audit_events` + f.where() +
		` ORDER BY occurred_at DESC, id DESC LIMIT ` + strconv.Itoa(q.Limit)
	rows, err := s.pool.Query(ctx, sql, f.args...)
	if err != nil {
		return nil, mapErr("audit page", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[auditRow])
	if err != nil {
		return nil, mapErr("audit page", err)
	}
	out := make([]tenant.AuditEvent, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// EachAuditEvent streams every event matching q to fn, newest first, one
// row at a time (the export never holds the log in memory).
func (s *Store) EachAuditEvent(ctx context.Context, q tenant.AuditQuery, fn func(tenant.AuditEvent) error) error {
	return s.retryRepeatable(ctx, func() error { return s.eachAuditEvent(ctx, q, fn) })
}

func (s *Store) eachAuditEvent(ctx context.Context, q tenant.AuditQuery, fn func(tenant.AuditEvent) error) error {
	f := auditFilter(q)
	rows, err := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_events`+f.where()+
		` ORDER BY occurred_at DESC, id DESC`, f.args...)
	if err != nil {
		return mapErr("audit export", err)
	}
	defer rows.Close()
	handed := false
	for rows.Next() {
		r, err := pgx.RowToStructByName[auditRow](rows)
		if err != nil {
			return afterRows(handed, mapErr("audit export", err))
		}
		handed = true
		if err := fn(r.domain()); err != nil {
			return notRepeatable{err}
		}
	}
	return afterRows(handed, mapErr("audit export", rows.Err()))
}

// EachTenant streams every tenant of the list's filter (all pages) to fn,
// in the list's order (the CSV export).
func (s *Store) EachTenant(ctx context.Context, q tenant.ListQuery, scope tenant.Scope, fn func(tenant.ListItem) error) error {
	return s.retryRepeatable(ctx, func() error { return s.eachTenant(ctx, q, scope, fn) })
}

func (s *Store) eachTenant(ctx context.Context, q tenant.ListQuery, scope tenant.Scope, fn func(tenant.ListItem) error) error {
	f := baseFilter(q, scope)
	if q.Status == "" {
		f.and("t.status <> " + f.arg(string(tenant.StatusDeleted)))
	} else {
		f.and("t.status = " + f.arg(string(q.Status)))
	}
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.name, lower(t.name) AS name_key, t.short_name, t.status, t.plan, t.created_at, t.source,
			t.deleted_at, t.version, coalesce(s.support_email, '') AS support_email
		FROM tenants t LEFT JOIN tenant_settings s ON s.tenant_id = t.id`+f.where()+
		` ORDER BY `+listOrder[q.Sort], f.args...)
	if err != nil {
		return mapErr("tenant export", err)
	}
	defer rows.Close()
	handed := false
	for rows.Next() {
		r, err := pgx.RowToStructByName[listRow](rows)
		if err != nil {
			return afterRows(handed, mapErr("tenant export", err))
		}
		handed = true
		it := tenant.ListItem{
			ID: r.ID, Name: r.Name, ShortName: r.ShortName, Status: tenant.Status(r.Status),
			Plan: tenant.Plan(r.Plan), SupportEmail: r.SupportEmail, CreatedAt: r.CreatedAt,
			Source: tenant.Source(r.Source), DeletedAt: r.DeletedAt, Version: r.Version,
		}
		if err := fn(it); err != nil {
			return notRepeatable{err}
		}
	}
	return afterRows(handed, mapErr("tenant export", rows.Err()))
}
