package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// BulkInsert writes many new tenants with COPY, all in one transaction: the
// fast path for seeding. It writes no audit events (seeded data is synthetic).
func (s *Store) BulkInsert(ctx context.Context, recs []tenant.Record) error {
	return s.withTx(ctx, readWrite, func(t *txStore) error {
		tx := t.tx
		// The trigram index of the search column takes new rows into a
		// pending list and sorts them in at the next flush: a longer list
		// flushes a batch in one go instead of every few hundred rows
		// (Tidy flushes the rest).
		if _, err := tx.Exec(ctx, `SET LOCAL gin_pending_list_limit = '64MB'`); err != nil {
			return mapErr("copy tenants", err)
		}
		now := time.Now()
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"tenants"},
			[]string{"id", "name", "short_name", "status", "plan", "max_users", "max_monthly_quotes",
				"max_storage_gb", "created_at", "created_by", "updated_at", "suspended_at", "suspended_by",
				"suspended_reason", "deleted_at", "deleted_by", "deleted_reason", "source", "contact_emails"},
			pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
				t := recs[i].Tenant
				return []any{t.ID, t.Name, t.ShortName, string(t.Status), string(t.Plan),
					t.Quotas.MaxUsers, t.Quotas.MaxMonthlyQuotes, t.Quotas.MaxStorageGB,
					t.CreatedAt, t.CreatedBy, now, t.SuspendedAt, nullable(t.SuspendedBy),
					nullable(t.SuspendedReason), t.DeletedAt, nullable(t.DeletedBy),
					nullable(t.DeletedReason), string(t.Source),
					contactEmails(recs[i].Settings.SupportEmail, recs[i].Members)}, nil
			}))
		if err != nil {
			return mapErr("copy tenants", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"tenant_settings"},
			[]string{"tenant_id", "company_name", "support_email", "support_phone", "website", "currency",
				"timezone", "email_from_name", "email_from_email", "updated_by"},
			pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
				s := recs[i].Settings
				return []any{recs[i].Tenant.ID, s.CompanyName, s.SupportEmail, s.SupportPhone, s.Website,
					s.Currency, s.Timezone, s.EmailFromName, s.EmailFromEmail, recs[i].Tenant.CreatedBy}, nil
			}))
		if err != nil {
			return mapErr("copy tenant settings", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"tenant_branding"},
			[]string{"tenant_id", "preset_theme", "logo_url", "color_primary", "color_secondary",
				"color_accent", "updated_by"},
			pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
				b := recs[i].Branding
				return []any{recs[i].Tenant.ID, b.PresetTheme, b.LogoURL, b.ColorPrimary,
					b.ColorSecondary, b.ColorAccent, recs[i].Tenant.CreatedBy}, nil
			}))
		if err != nil {
			return mapErr("copy tenant branding", err)
		}
		var prompts [][]any
		for _, r := range recs {
			for _, p := range r.Prompts {
				prompts = append(prompts, []any{r.Tenant.ID, p.Name, p.Body, r.Tenant.CreatedBy})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tenant_prompts"},
			[]string{"tenant_id", "name", "body", "updated_by"}, pgx.CopyFromRows(prompts)); err != nil {
			return mapErr("copy tenant prompts", err)
		}
		var members [][]any
		for _, r := range recs {
			for _, m := range r.Members {
				members = append(members, []any{r.Tenant.ID, m.UserID, m.Email, m.DisplayName, string(m.Role),
					timeOr(m.CreatedAt, r.Tenant.CreatedAt), r.Tenant.CreatedBy})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"organization_users"},
			[]string{"tenant_id", "user_id", "email", "display_name", "role", "created_at", "created_by"},
			pgx.CopyFromRows(members)); err != nil {
			return mapErr("copy tenant members", err)
		}
		return nil
	})
}

// timeOr is t, or def when t is zero.
func timeOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// nullable stores "" as SQL NULL for optional text columns.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CountTenants returns how many tenants the registry holds (any status).
func (s *Store) CountTenants(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tenants: %w", err)
	}
	return n, nil
}

// Tidy refreshes the planner's statistics and the visibility map of the
// tenant tables after a bulk load, so the list's queries use their indexes
// (index-only where they can) right away instead of after autovacuum.
func (s *Store) Tidy(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `VACUUM (ANALYZE) tenants, tenant_settings, tenant_branding, tenant_prompts, organization_users`)
	return mapErr("vacuum tenant tables", err)
}
