package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// What the read API reads (tenant.PublishedStore): a tenant's document in
// one statement, and the feed keyed by (changed_xid, id) (migration 00011).

var _ tenant.PublishedStore = (*Store)(nil)

// publishedSelect reads documents: the registry row with its settings and
// branding (either may be missing) and the change marker. changed_xid goes
// out as text: pgx has no type for xid8.
const publishedSelect = `SELECT t.id, t.name, t.short_name, t.status, t.plan, t.max_users,
		t.max_monthly_quotes, t.max_storage_gb, t.created_at, t.created_by, t.updated_at,
		t.suspended_at, t.suspended_by, t.suspended_reason, t.deleted_at, t.deleted_by,
		t.deleted_reason, t.source, t.version,
		t.revision, t.changed_at, t.changed_xid::text,
		s.company_name, s.support_email, s.support_phone, s.website, s.currency, s.timezone,
		s.email_from_name, s.email_from_email, s.updated_at, s.updated_by, s.version,
		b.preset_theme, b.logo_url, b.color_primary, b.color_secondary, b.color_accent,
		b.updated_at, b.updated_by, b.version
	FROM tenants t
	LEFT JOIN tenant_settings s ON s.tenant_id = t.id
	LEFT JOIN tenant_branding b ON b.tenant_id = t.id`

// scanPublished reads one row of publishedSelect.
func scanPublished(row pgx.CollectableRow) (tenant.PublishedTenant, error) {
	var t tenantRow
	var doc tenant.PublishedTenant
	var xid string
	var s struct {
		company, email, phone, website, currency, tz, fromName, fromEmail, by *string
		at                                                                    *time.Time
		version                                                               *int
	}
	var b struct {
		theme, logo, primary, secondary, accent, by *string
		at                                          *time.Time
		version                                     *int
	}
	err := row.Scan(&t.ID, &t.Name, &t.ShortName, &t.Status, &t.Plan, &t.MaxUsers, &t.MaxMonthlyQuotes,
		&t.MaxStorageGB, &t.CreatedAt, &t.CreatedBy, &t.UpdatedAt, &t.SuspendedAt, &t.SuspendedBy,
		&t.SuspendedReason, &t.DeletedAt, &t.DeletedBy, &t.DeletedReason, &t.Source, &t.Version,
		&doc.Revision, &doc.ChangedAt, &xid,
		&s.company, &s.email, &s.phone, &s.website, &s.currency, &s.tz, &s.fromName, &s.fromEmail, &s.at, &s.by, &s.version,
		&b.theme, &b.logo, &b.primary, &b.secondary, &b.accent, &b.at, &b.by, &b.version)
	if err != nil {
		return doc, err
	}
	doc.Tenant = t.domain()
	if doc.ChangeXID, err = strconv.ParseUint(xid, 10, 64); err != nil {
		return doc, err
	}
	if s.version != nil {
		doc.Settings = &tenant.Settings{CompanyName: *s.company, SupportEmail: *s.email, SupportPhone: *s.phone,
			Website: *s.website, Currency: *s.currency, Timezone: *s.tz, EmailFromName: *s.fromName,
			EmailFromEmail: *s.fromEmail, UpdatedAt: *s.at, UpdatedBy: *s.by, Version: *s.version}
	}
	if b.version != nil {
		doc.Branding = &tenant.Branding{PresetTheme: *b.theme, LogoURL: *b.logo, ColorPrimary: *b.primary,
			ColorSecondary: *b.secondary, ColorAccent: *b.accent, UpdatedAt: *b.at, UpdatedBy: *b.by, Version: *b.version}
	}
	return doc, nil
}

// PublishedTenant reads tenant id's document.
func (s *Store) PublishedTenant(ctx context.Context, id string) (tenant.PublishedTenant, error) {
	var doc tenant.PublishedTenant
	err := s.retryRepeatable(ctx, func() error {
		rows, err := s.pool.Query(ctx, publishedSelect+` WHERE t.id = $1`, id)
		if err != nil {
			return mapErr("published tenant", err)
		}
		doc, err = pgx.CollectExactlyOneRow(rows, scanPublished)
		return mapErr("published tenant", err)
	})
	return doc, err
}

// ChangedTenants reads the feed after from, up to the oldest transaction
// still running. The horizon is read first: every change before it is
// committed by then, so the page's own (later) snapshot sees them all.
func (s *Store) ChangedTenants(ctx context.Context, from tenant.ChangeCursor, limit int) ([]tenant.PublishedTenant, uint64, error) {
	var docs []tenant.PublishedTenant
	var horizon uint64
	err := s.retryRepeatable(ctx, func() error {
		var h string
		if err := s.pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&h); err != nil {
			return mapErr("feed horizon", err)
		}
		var err error
		if horizon, err = strconv.ParseUint(h, 10, 64); err != nil {
			return err
		}
		rows, err := s.pool.Query(ctx, publishedSelect+`
			WHERE (t.changed_xid, t.id) > ($1::text::xid8, $2) AND t.changed_xid < $3::text::xid8
			ORDER BY t.changed_xid, t.id
			LIMIT $4`, strconv.FormatUint(from.XID, 10), from.ID, h, limit)
		if err != nil {
			return mapErr("feed", err)
		}
		docs, err = pgx.CollectRows(rows, scanPublished)
		return mapErr("feed", err)
	})
	return docs, horizon, err
}

// FeedStart is the earliest change made at or after t, or the horizon
// when that is earlier (a transaction that began after t may still be
// running): the feed from there holds every change since t, and perhaps a
// few from just before.
func (s *Store) FeedStart(ctx context.Context, t time.Time) (tenant.ChangeCursor, error) {
	var xid string
	err := s.retryRepeatable(ctx, func() error {
		return mapErr("feed start", s.pool.QueryRow(ctx, `
			SELECT least(min(changed_xid), pg_snapshot_xmin(pg_current_snapshot()))::text
			FROM tenants WHERE changed_at >= $1`, t).Scan(&xid))
	})
	if err != nil {
		return tenant.ChangeCursor{}, err
	}
	n, err := strconv.ParseUint(xid, 10, 64)
	return tenant.ChangeCursor{XID: n}, err
}
