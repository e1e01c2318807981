package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/tenant"
)

// What the legacy YAML import, export and drift need (legacy.Store).

var _ legacy.Store = (*Store)(nil)

// LoadTenant reads a tenant, its settings, branding, prompts and secret rows
// in one repeatable-read snapshot, so the parts agree with each other.
func (s *Store) LoadTenant(ctx context.Context, id string) (legacy.Stored, error) {
	var st legacy.Stored
	err := s.withTx(ctx, snapshot,
		func(ts *txStore) error {
			st = legacy.Stored{}
			tx := ts.tx
			t, err := getTenant(ctx, tx, id)
			if err != nil {
				return err
			}
			st.Record.Tenant = t
			settings, err := getSettings(ctx, tx, id)
			if err != nil {
				return err
			}
			if settings != nil {
				st.Record.Settings, st.HasSettings = *settings, true
			}
			branding, err := getBranding(ctx, tx, id)
			if err != nil {
				return err
			}
			if branding != nil {
				st.Record.Branding, st.HasBranding = *branding, true
			}
			if st.Record.Prompts, err = listPrompts(ctx, tx, id); err != nil {
				return err
			}
			st.Secrets, err = listSealedSecrets(ctx, tx, id)
			return err
		})
	if err != nil {
		return legacy.Stored{}, fmt.Errorf("load tenant %s: %w", id, err)
	}
	return st, nil
}

// ShortNameHolder returns the id of the tenant, of any status, that holds
// shortName; apperr.ErrNotFound when none does.
func (s *Store) ShortNameHolder(ctx context.Context, shortName string) (string, error) {
	var id string
	err := s.retryRepeatable(ctx, func() error {
		return mapErr("short name holder",
			s.pool.QueryRow(ctx, `SELECT id FROM tenants WHERE short_name = $1`, shortName).Scan(&id))
	})
	return id, err
}

// Existing returns which of ids are tenants and which of shortNames are
// held, of any status, in one query (both columns are unique indexes).
func (s *Store) Existing(ctx context.Context, ids, shortNames []string) (legacy.Existing, error) {
	var e legacy.Existing
	err := s.retryRepeatable(ctx, func() error {
		e = legacy.Existing{IDs: map[string]bool{}, ShortNames: map[string]bool{}}
		rows, err := s.pool.Query(ctx, `SELECT id, short_name FROM tenants
			WHERE id = ANY($1) OR short_name = ANY($2)`, ids, shortNames)
		if err != nil {
			return mapErr("existing tenants", err)
		}
		var id, short string
		_, err = pgx.ForEachRow(rows, []any{&id, &short}, func() error {
			e.IDs[id], e.ShortNames[short] = true, true
			return nil
		})
		return mapErr("existing tenants", err)
	})
	if err != nil {
		return legacy.Existing{}, err
	}
	return e, nil
}

// CreateImported writes a tenant read from a legacy folder with all its
// rows and its audit event, in one transaction of two round trips
// (writeAll).
func (s *Store) CreateImported(ctx context.Context, rec tenant.Record, secrets []tenant.SealedSecret, ev tenant.AuditEvent) error {
	stmts := recordStmts(rec)
	for _, sec := range secrets {
		if sec.UpdatedBy == "" {
			sec.UpdatedBy = rec.Tenant.CreatedBy
		}
		stmts = append(stmts, secretStmt(rec.Tenant.ID, sec))
	}
	stmts = append(stmts, auditStmt(ev))
	return s.writeAll(ctx, stmts...)
}

// UpdateImported writes the changed rows of an existing tenant and ev in
// one transaction. Each one-row part is written only if its version is
// still the one loaded; otherwise nothing is written (apperr.ErrConflict).
func (s *Store) UpdateImported(ctx context.Context, u legacy.Update, ev tenant.AuditEvent) error {
	rec := u.Record
	id := rec.Tenant.ID
	return s.withTx(ctx, readWrite, func(t *txStore) error {
		tx := t.tx
		// The tenant row first, as every writer of a tenant's parts does
		// (migration 00011's change marker updates it after a part).
		if _, err := t.LockTenant(ctx, id); err != nil {
			return err
		}
		if u.Tenant {
			tag, err := tx.Exec(ctx, `UPDATE tenants SET name = $2, short_name = $3, updated_at = now(),
					version = version + 1
				WHERE id = $1 AND version = $4`,
				id, rec.Tenant.Name, rec.Tenant.ShortName, rec.Tenant.Version)
			if UniqueViolation(err, "tenants_short_name_key") {
				return fmt.Errorf("update tenant: %w: %w", tenant.ErrShortNameTaken, apperr.ErrConflict)
			}
			if err != nil {
				return mapErr("update tenant", err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("update tenant %s: changed meanwhile: %w", id, apperr.ErrConflict)
			}
		}
		if u.Settings {
			st := rec.Settings
			tag, err := tx.Exec(ctx, `
				WITH saved AS (
					INSERT INTO tenant_settings AS cur (tenant_id, company_name, support_email, support_phone, website,
						currency, timezone, email_from_name, email_from_email, updated_at, updated_by)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
					ON CONFLICT (tenant_id) DO UPDATE SET
						company_name = EXCLUDED.company_name, support_email = EXCLUDED.support_email,
						support_phone = EXCLUDED.support_phone, website = EXCLUDED.website,
						currency = EXCLUDED.currency, timezone = EXCLUDED.timezone,
						email_from_name = EXCLUDED.email_from_name, email_from_email = EXCLUDED.email_from_email,
						updated_at = now(), updated_by = EXCLUDED.updated_by, version = cur.version + 1
					WHERE cur.version = $11
					RETURNING tenant_id, support_email)`+savedContacts+`
				SELECT FROM saved`,
				id, st.CompanyName, st.SupportEmail, st.SupportPhone, st.Website, st.Currency, st.Timezone,
				st.EmailFromName, st.EmailFromEmail, u.By, st.Version)
			if err != nil {
				return mapErr("update tenant settings", err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("update settings of %s: changed meanwhile: %w", id, apperr.ErrConflict)
			}
		}
		if u.Branding {
			br := rec.Branding
			tag, err := tx.Exec(ctx, `
				INSERT INTO tenant_branding AS cur (tenant_id, preset_theme, logo_url, color_primary,
					color_secondary, color_accent, updated_at, updated_by)
				VALUES ($1, $2, $3, $4, $5, $6, now(), $7)
				ON CONFLICT (tenant_id) DO UPDATE SET
					preset_theme = EXCLUDED.preset_theme, logo_url = EXCLUDED.logo_url,
					color_primary = EXCLUDED.color_primary, color_secondary = EXCLUDED.color_secondary,
					color_accent = EXCLUDED.color_accent,
					updated_at = now(), updated_by = EXCLUDED.updated_by, version = cur.version + 1
				WHERE cur.version = $8`,
				id, br.PresetTheme, br.LogoURL, br.ColorPrimary, br.ColorSecondary, br.ColorAccent, u.By, br.Version)
			if err != nil {
				return mapErr("update tenant branding", err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("update branding of %s: changed meanwhile: %w", id, apperr.ErrConflict)
			}
		}
		for _, p := range u.Prompts {
			_, err := tx.Exec(ctx, `
				INSERT INTO tenant_prompts (tenant_id, name, body, updated_at, updated_by)
				VALUES ($1, $2, $3, now(), $4)
				ON CONFLICT (tenant_id, name) DO UPDATE SET body = EXCLUDED.body, updated_at = now(),
					updated_by = EXCLUDED.updated_by`,
				id, p.Name, p.Body, u.By)
			if err != nil {
				return mapErr("update tenant prompt "+p.Name, err)
			}
		}
		for _, sec := range u.Secrets {
			if sec.UpdatedBy == "" {
				sec.UpdatedBy = u.By
			}
			if err := upsertSecret(ctx, tx, id, sec); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, ev)
	})
}

// ActiveTenantIDs lists the active tenants' ids, sorted.
func (s *Store) ActiveTenantIDs(ctx context.Context) (ids []string, err error) {
	err = s.retryRepeatable(ctx, func() error {
		rows, err := s.pool.Query(ctx, `SELECT id FROM tenants WHERE status = 'active' ORDER BY id`)
		if err != nil {
			return mapErr("list active tenants", err)
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return mapErr("list active tenants", err)
	})
	return ids, err
}
