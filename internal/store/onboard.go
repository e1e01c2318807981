package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// The writes of onboarding and the reads it needs before them.

var _ tenant.Tx = (*txStore)(nil)

// ShortNameOwner returns the name of the tenant, of any status, that holds
// shortName; apperr.ErrNotFound when none does.
func (s *Store) ShortNameOwner(ctx context.Context, shortName string) (string, error) {
	var name string
	err := s.retryRepeatable(ctx, func() error {
		return mapErr("short name owner",
			s.pool.QueryRow(ctx, `SELECT name FROM tenants WHERE short_name = $1`, shortName).Scan(&name))
	})
	return name, err
}

// OnboardingResult returns the result stored under an idempotency key;
// apperr.ErrNotFound when no completed request used it.
func (s *Store) OnboardingResult(ctx context.Context, key string) (tenant.OnboardResult, error) {
	var raw []byte
	err := s.retryRepeatable(ctx, func() error {
		return mapErr("onboarding result",
			s.pool.QueryRow(ctx, `SELECT result FROM onboarding_requests WHERE key = $1`, key).Scan(&raw))
	})
	if err != nil {
		return tenant.OnboardResult{}, err
	}
	var res tenant.OnboardResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return tenant.OnboardResult{}, fmt.Errorf("onboarding result: decode: %w", err)
	}
	return res, nil
}

// SaveOnboardingResult claims key for res. ON CONFLICT DO NOTHING waits for
// a transaction that holds the same key and then inserts nothing when that
// one committed, which is reported as apperr.ErrConflict.
func (t *txStore) SaveOnboardingResult(ctx context.Context, key string, res tenant.OnboardResult) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("save onboarding result: encode: %w", err)
	}
	tag, err := t.tx.Exec(ctx, `
		INSERT INTO onboarding_requests (key, tenant_id, result) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO NOTHING`, key, res.TenantID, raw)
	if err != nil {
		return mapErr("save onboarding result", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save onboarding result: key already used: %w", apperr.ErrConflict)
	}
	return nil
}

// InsertRecord writes a new tenant with its settings, branding and prompts,
// in one round trip.
func (t *txStore) InsertRecord(ctx context.Context, rec tenant.Record) error {
	return sendAll(ctx, t.tx, recordStmts(rec)...)
}

// recordStmts are the inserts of a new tenant with its settings, branding
// and prompts. A short name already held fails as tenant.ErrShortNameTaken.
func recordStmts(rec tenant.Record) []stmt {
	tn, st, br := rec.Tenant, rec.Settings, rec.Branding
	if tn.Status == "" {
		tn.Status = tenant.StatusActive
	}
	updatedBy := tn.CreatedBy
	stmts := []stmt{{op: "insert tenant", sql: `
		INSERT INTO tenants (id, name, short_name, status, plan, max_users, max_monthly_quotes,
			max_storage_gb, created_at, created_by, updated_at, source, contact_emails)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, now()), $10, coalesce($9, now()), $11, $12)`,
		args: []any{tn.ID, tn.Name, tn.ShortName, string(tn.Status), string(tn.Plan), tn.Quotas.MaxUsers,
			tn.Quotas.MaxMonthlyQuotes, tn.Quotas.MaxStorageGB, timeOrNil(tn.CreatedAt), tn.CreatedBy,
			string(tn.Source), contactEmails(st.SupportEmail, nil)},
		mapFail: func(err error) error {
			if UniqueViolation(err, "tenants_short_name_key") {
				return fmt.Errorf("insert tenant: %w: %w", tenant.ErrShortNameTaken, apperr.ErrConflict)
			}
			return mapErr("insert tenant", err)
		},
	}, {op: "insert tenant settings", sql: `
		INSERT INTO tenant_settings (tenant_id, company_name, support_email, support_phone, website,
			currency, timezone, email_from_name, email_from_email, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, now()), $11)`,
		args: []any{tn.ID, st.CompanyName, st.SupportEmail, st.SupportPhone, st.Website, st.Currency,
			st.Timezone, st.EmailFromName, st.EmailFromEmail, timeOrNil(tn.CreatedAt), updatedBy},
	}, {op: "insert tenant branding", sql: `
		INSERT INTO tenant_branding (tenant_id, preset_theme, logo_url, color_primary,
			color_secondary, color_accent, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), $8)`,
		args: []any{tn.ID, br.PresetTheme, br.LogoURL, br.ColorPrimary, br.ColorSecondary, br.ColorAccent,
			timeOrNil(tn.CreatedAt), updatedBy},
	}}
	for _, p := range rec.Prompts {
		stmts = append(stmts, stmt{op: "insert tenant prompt " + p.Name, sql: `
			INSERT INTO tenant_prompts (tenant_id, name, body, updated_at, updated_by)
			VALUES ($1, $2, $3, coalesce($4, now()), $5)`,
			args: []any{tn.ID, p.Name, p.Body, timeOrNil(tn.CreatedAt), updatedBy}})
	}
	return stmts
}

// InsertMember adds a person to a tenant.
func (t *txStore) InsertMember(ctx context.Context, m tenant.Member, createdBy string) error {
	// The tenant's search column gains the address in the same statement.
	_, err := t.tx.Exec(ctx, `
		WITH m AS (
			INSERT INTO organization_users (tenant_id, user_id, email, display_name, role, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, coalesce($6, now()), $7)
			RETURNING tenant_id, email)
		UPDATE tenants t SET contact_emails = concat_ws(E'\x1f', nullif(t.contact_emails, ''), m.email)
		FROM m WHERE t.id = m.tenant_id`,
		m.TenantID, m.UserID, m.Email, m.DisplayName, string(m.Role), timeOrNil(m.CreatedAt), createdBy)
	return mapErr("insert member", err)
}

// timeOrNil lets the database default a zero time to now().
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
