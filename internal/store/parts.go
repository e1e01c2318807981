package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// The one-row-per-tenant parts (settings, branding) and the lists hanging
// off a tenant (prompts, members, secrets).

type settingsRow struct {
	CompanyName    string    `db:"company_name"`
	SupportEmail   string    `db:"support_email"`
	SupportPhone   string    `db:"support_phone"`
	Website        string    `db:"website"`
	Currency       string    `db:"currency"`
	Timezone       string    `db:"timezone"`
	EmailFromName  string    `db:"email_from_name"`
	EmailFromEmail string    `db:"email_from_email"`
	UpdatedAt      time.Time `db:"updated_at"`
	UpdatedBy      string    `db:"updated_by"`
	Version        int       `db:"version"`
}

// getSettings returns nil (no error) when the tenant has no settings row yet:
// legacy tenants may lack one, and the page says so.
func getSettings(ctx context.Context, q querier, id string) (*tenant.Settings, error) {
	rows, err := q.Query(ctx, `SELECT company_name, support_email, support_phone, website, currency,
			timezone, email_from_name, email_from_email, updated_at, updated_by, version
		FROM tenant_settings WHERE tenant_id = $1`, id)
	if err != nil {
		return nil, mapErr("get settings", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[settingsRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr("get settings", err)
	}
	s := tenant.Settings(r)
	return &s, nil
}

type brandingRow struct {
	PresetTheme    string    `db:"preset_theme"`
	LogoURL        string    `db:"logo_url"`
	ColorPrimary   string    `db:"color_primary"`
	ColorSecondary string    `db:"color_secondary"`
	ColorAccent    string    `db:"color_accent"`
	UpdatedAt      time.Time `db:"updated_at"`
	UpdatedBy      string    `db:"updated_by"`
	Version        int       `db:"version"`
}

// getBranding returns nil (no error) when the tenant has no branding row.
func getBranding(ctx context.Context, q querier, id string) (*tenant.Branding, error) {
	rows, err := q.Query(ctx, `SELECT preset_theme, logo_url, color_primary, color_secondary,
			color_accent, updated_at, updated_by, version
		FROM tenant_branding WHERE tenant_id = $1`, id)
	if err != nil {
		return nil, mapErr("get branding", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[brandingRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr("get branding", err)
	}
	b := tenant.Branding(r)
	return &b, nil
}

type promptRow struct {
	Name      string    `db:"name"`
	Body      string    `db:"body"`
	UpdatedAt time.Time `db:"updated_at"`
}

func listPrompts(ctx context.Context, q querier, id string) ([]tenant.Prompt, error) {
	rows, err := q.Query(ctx, `SELECT name, body, updated_at FROM tenant_prompts
		WHERE tenant_id = $1 ORDER BY name`, id)
	if err != nil {
		return nil, mapErr("list prompts", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[promptRow])
	if err != nil {
		return nil, mapErr("list prompts", err)
	}
	out := make([]tenant.Prompt, len(recs))
	for i, r := range recs {
		out[i] = tenant.Prompt(r)
	}
	return out, nil
}

type memberRow struct {
	TenantID    string    `db:"tenant_id"`
	UserID      string    `db:"user_id"`
	Email       string    `db:"email"`
	DisplayName string    `db:"display_name"`
	Role        string    `db:"role"`
	CreatedAt   time.Time `db:"created_at"`
}

func (r memberRow) domain() tenant.Member {
	return tenant.Member{
		TenantID: r.TenantID, UserID: r.UserID, Email: r.Email, DisplayName: r.DisplayName,
		Role: tenant.MemberRole(r.Role), CreatedAt: r.CreatedAt,
	}
}

// listMembers returns a tenant's people with role, or all of them when role is "".
func listMembers(ctx context.Context, q querier, id string, role tenant.MemberRole) ([]tenant.Member, error) {
	rows, err := q.Query(ctx, `SELECT tenant_id, user_id::text AS user_id, email, display_name, role, created_at
		FROM organization_users WHERE tenant_id = $1 AND ($2 = '' OR role = $2)
		ORDER BY lower(email)`, id, string(role))
	if err != nil {
		return nil, mapErr("list members", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[memberRow])
	if err != nil {
		return nil, mapErr("list members", err)
	}
	out := make([]tenant.Member, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

type secretMetaRow struct {
	Name      string    `db:"name"`
	Kind      string    `db:"kind"`
	EnvRef    *string   `db:"env_ref"`
	Hint      string    `db:"hint"`
	KeyID     *string   `db:"key_id"`
	UpdatedAt time.Time `db:"updated_at"`
	UpdatedBy string    `db:"updated_by"`
}

// listSecretMeta describes a tenant's credentials; it never reads a value.
func listSecretMeta(ctx context.Context, q querier, id string) ([]tenant.SecretMeta, error) {
	rows, err := q.Query(ctx, `SELECT name, kind, env_ref, hint, key_id, updated_at, updated_by
		FROM tenant_secrets WHERE tenant_id = $1 ORDER BY name`, id)
	if err != nil {
		return nil, mapErr("list secrets", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[secretMetaRow])
	if err != nil {
		return nil, mapErr("list secrets", err)
	}
	out := make([]tenant.SecretMeta, len(recs))
	for i, r := range recs {
		out[i] = tenant.SecretMeta{
			Name: r.Name, Kind: r.Kind, EnvRef: deref(r.EnvRef), Hint: r.Hint,
			KeyID: deref(r.KeyID), UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy,
		}
	}
	return out, nil
}
