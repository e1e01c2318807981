package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// Saving a tenant's settings, branding and plan at the version the form was
// read at. Each Lock* reads a row FOR NO KEY UPDATE, so two saves of one row
// run one after the other and the second sees the first's version.

var _ tenant.EditTx = (*txStore)(nil)

// InEditTx runs fn in one transaction and commits only when fn succeeds.
func (s *Store) InEditTx(ctx context.Context, fn func(tenant.EditTx) error) error {
	return s.withTx(ctx, readWrite, func(t *txStore) error { return fn(t) })
}

// LockTenant reads the registry row and locks it.
func (t *txStore) LockTenant(ctx context.Context, id string) (tenant.Tenant, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1 FOR NO KEY UPDATE`, id)
	if err != nil {
		return tenant.Tenant{}, mapErr("lock tenant", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[tenantRow])
	if err != nil {
		return tenant.Tenant{}, mapErr("lock tenant", err)
	}
	return r.domain(), nil
}

// LockSettings reads the settings row and locks it; nil when there is none.
func (t *txStore) LockSettings(ctx context.Context, id string) (*tenant.Settings, error) {
	rows, err := t.tx.Query(ctx, `SELECT company_name, support_email, support_phone, website, currency,
			timezone, email_from_name, email_from_email, updated_at, updated_by, version
		FROM tenant_settings WHERE tenant_id = $1 FOR NO KEY UPDATE`, id)
	if err != nil {
		return nil, mapErr("lock settings", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[settingsRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr("lock settings", err)
	}
	s := tenant.Settings(r)
	return &s, nil
}

// LockBranding reads the branding row and locks it; nil when there is none.
func (t *txStore) LockBranding(ctx context.Context, id string) (*tenant.Branding, error) {
	rows, err := t.tx.Query(ctx, `SELECT preset_theme, logo_url, color_primary, color_secondary,
			color_accent, updated_at, updated_by, version
		FROM tenant_branding WHERE tenant_id = $1 FOR NO KEY UPDATE`, id)
	if err != nil {
		return nil, mapErr("lock branding", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[brandingRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr("lock branding", err)
	}
	b := tenant.Branding(r)
	return &b, nil
}

// SaveSettings writes the settings at version (0: the tenant has none yet)
// and returns the new version.
func (t *txStore) SaveSettings(ctx context.Context, id string, s tenant.Settings, version int, by string) (int, error) {
	var row pgx.Row
	if version == 0 {
		row = t.tx.QueryRow(ctx, `
			WITH saved AS (
				INSERT INTO tenant_settings (tenant_id, company_name, support_email, support_phone, website,
					currency, timezone, email_from_name, email_from_email, updated_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				ON CONFLICT (tenant_id) DO NOTHING
				RETURNING tenant_id, support_email, version)`+savedContacts+`
			SELECT version FROM saved`,
			id, s.CompanyName, s.SupportEmail, s.SupportPhone, s.Website, s.Currency, s.Timezone,
			s.EmailFromName, s.EmailFromEmail, by)
	} else {
		row = t.tx.QueryRow(ctx, `
			WITH saved AS (
				UPDATE tenant_settings SET company_name = $2, support_email = $3, support_phone = $4,
					website = $5, currency = $6, timezone = $7, email_from_name = $8, email_from_email = $9,
					updated_by = $10, updated_at = now(), version = version + 1
				WHERE tenant_id = $1 AND version = $11
				RETURNING tenant_id, support_email, version)`+savedContacts+`
			SELECT version FROM saved`,
			id, s.CompanyName, s.SupportEmail, s.SupportPhone, s.Website, s.Currency, s.Timezone,
			s.EmailFromName, s.EmailFromEmail, by, version)
	}
	return savedVersion(row, "save settings")
}

// SaveBranding writes the branding at version (0: none yet).
func (t *txStore) SaveBranding(ctx context.Context, id string, b tenant.Branding, version int, by string) (int, error) {
	var row pgx.Row
	if version == 0 {
		row = t.tx.QueryRow(ctx, `
			INSERT INTO tenant_branding (tenant_id, preset_theme, logo_url, color_primary,
				color_secondary, color_accent, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (tenant_id) DO NOTHING
			RETURNING version`,
			id, b.PresetTheme, b.LogoURL, b.ColorPrimary, b.ColorSecondary, b.ColorAccent, by)
	} else {
		row = t.tx.QueryRow(ctx, `
			UPDATE tenant_branding SET preset_theme = $2, logo_url = $3, color_primary = $4,
				color_secondary = $5, color_accent = $6, updated_by = $7, updated_at = now(),
				version = version + 1
			WHERE tenant_id = $1 AND version = $8
			RETURNING version`,
			id, b.PresetTheme, b.LogoURL, b.ColorPrimary, b.ColorSecondary, b.ColorAccent, by, version)
	}
	return savedVersion(row, "save branding")
}

// SavePlan writes the tenant's plan and quotas at version.
func (t *txStore) SavePlan(ctx context.Context, id string, p tenant.Plan, q tenant.Quotas, version int, _ string) (int, error) {
	row := t.tx.QueryRow(ctx, `
		UPDATE tenants SET plan = $2, max_users = $3, max_monthly_quotes = $4, max_storage_gb = $5,
			updated_at = now(), version = version + 1
		WHERE id = $1 AND version = $6
		RETURNING version`,
		id, string(p), q.MaxUsers, q.MaxMonthlyQuotes, q.MaxStorageGB, version)
	return savedVersion(row, "save plan")
}

// savedVersion reads the version a save returned; no row means the version
// had moved (or the row appeared meanwhile).
func savedVersion(row pgx.Row, op string) (int, error) {
	var v int
	err := row.Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, tenant.ErrVersionMoved
	}
	return v, mapErr(op, err)
}
