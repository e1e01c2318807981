-- The whole data model of the tenant registry (product.md §3). Later features
-- (lifecycle, members, invitations, audit pages) fill tables created here.

-- +goose Up
-- pg_trgm is a trusted extension (PG13+): a database owner may create it. It
-- backs the list's "contains" search on name, id and e-mail addresses.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tenants (
    id                  text PRIMARY KEY
                        CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name                text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    short_name          text NOT NULL
                        CHECK (short_name ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(short_name) <= 63),
    status              text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'suspended', 'deleted')),
    plan                text NOT NULL DEFAULT 'lite'
                        CHECK (plan IN ('lite', 'pro', 'enterprise')),
    max_users           integer NOT NULL CHECK (max_users >= 0),
    max_monthly_quotes  integer NOT NULL CHECK (max_monthly_quotes >= 0),
    max_storage_gb      integer NOT NULL CHECK (max_storage_gb >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    created_by          text NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    suspended_at        timestamptz,
    suspended_by        text,
    suspended_reason    text,
    deleted_at          timestamptz,
    deleted_by          text,
    deleted_reason      text,
    source              text NOT NULL CHECK (source IN ('onboarding', 'yaml_import')),
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- a status always carries its when/who/why
    CHECK (status <> 'suspended' OR (suspended_at IS NOT NULL AND suspended_reason IS NOT NULL)),
    CHECK (status <> 'deleted' OR (deleted_at IS NOT NULL AND deleted_reason IS NOT NULL))
);
CREATE UNIQUE INDEX tenants_short_name_key ON tenants (short_name);
-- list: status tabs, plan filter, sort by name or creation, stable paging by id
CREATE INDEX tenants_status_name_idx ON tenants (status, lower(name), id);
CREATE INDEX tenants_status_created_idx ON tenants (status, created_at, id);
CREATE INDEX tenants_name_idx ON tenants (lower(name), id);
CREATE INDEX tenants_created_idx ON tenants (created_at, id);
CREATE INDEX tenants_plan_idx ON tenants (plan);
-- list: search (substring, case-insensitive)
CREATE INDEX tenants_name_trgm_idx ON tenants USING gin (lower(name) gin_trgm_ops);
CREATE INDEX tenants_id_trgm_idx ON tenants USING gin (id gin_trgm_ops);

CREATE TABLE tenant_settings (
    tenant_id         text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    company_name      text NOT NULL CHECK (btrim(company_name) <> ''),
    support_email     text NOT NULL CHECK (support_email ~ '^[^@\s]+@[^@\s]+$'),
    support_phone     text NOT NULL DEFAULT '',
    website           text NOT NULL DEFAULT '' CHECK (website = '' OR website ~ '^https://'),
    currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    timezone          text NOT NULL CHECK (timezone <> ''),
    email_from_name   text NOT NULL DEFAULT '',
    email_from_email  text NOT NULL CHECK (email_from_email ~ '^[^@\s]+@[^@\s]+$'),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        text NOT NULL,
    version           integer NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX tenant_settings_support_email_trgm_idx
    ON tenant_settings USING gin (lower(support_email) gin_trgm_ops);

CREATE TABLE tenant_branding (
    tenant_id        text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    preset_theme     text NOT NULL CHECK (preset_theme ~ '^[a-z0-9_]+$'),
    logo_url         text NOT NULL DEFAULT '' CHECK (logo_url = '' OR logo_url ~ '^https://'),
    color_primary    text NOT NULL CHECK (color_primary ~ '^#[0-9A-F]{6}$'),
    color_secondary  text NOT NULL CHECK (color_secondary ~ '^#[0-9A-F]{6}$'),
    color_accent     text NOT NULL CHECK (color_accent ~ '^#[0-9A-F]{6}$'),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL,
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE TABLE tenant_prompts (
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    body        text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Infrastructure credentials. A value is either AES-256-GCM ciphertext (with
-- the id of the key that sealed it, for rotation) or a reference to an
-- environment variable; never plain text. hint holds the last 4 characters,
-- enough for the masked display without decrypting.
CREATE TABLE tenant_secrets (
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name IN ('supabase_url', 'supabase_anon_key',
                                              'supabase_service_key', 'sendgrid_api_key')),
    kind        text NOT NULL CHECK (kind IN ('encrypted', 'env_ref')),
    ciphertext  bytea,
    key_id      text,
    env_ref     text,
    hint        text NOT NULL DEFAULT '' CHECK (char_length(hint) <= 4),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL,
    PRIMARY KEY (tenant_id, name),
    CHECK ((kind = 'encrypted' AND ciphertext IS NOT NULL AND key_id IS NOT NULL AND env_ref IS NULL)
        OR (kind = 'env_ref' AND env_ref ~ '^\$\{[A-Za-z_][A-Za-z0-9_]*\}$'
            AND ciphertext IS NULL AND key_id IS NULL))
);
CREATE INDEX tenant_secrets_key_id_idx ON tenant_secrets (key_id) WHERE key_id IS NOT NULL;

-- Platform staff; tenant people live in organization_users.
CREATE TABLE staff (
    user_id     uuid PRIMARY KEY,
    email       text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    role        text NOT NULL CHECK (role IN ('platform_admin', 'support')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL
);
CREATE UNIQUE INDEX staff_email_key ON staff (lower(email));

CREATE TABLE organization_users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL,
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    display_name  text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL
);
CREATE UNIQUE INDEX organization_users_tenant_email_key ON organization_users (tenant_id, lower(email));
CREATE UNIQUE INDEX organization_users_tenant_user_key ON organization_users (tenant_id, user_id);
CREATE INDEX organization_users_user_idx ON organization_users (user_id);
CREATE INDEX organization_users_email_trgm_idx
    ON organization_users USING gin (lower(email) gin_trgm_ops);

CREATE TABLE user_invitations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email        text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    invited_by   text NOT NULL,
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
-- at most one pending invitation per person and tenant
CREATE UNIQUE INDEX user_invitations_pending_key
    ON user_invitations (tenant_id, lower(email)) WHERE status = 'pending';

-- Append-only: no foreign key to tenants so the trail outlives a purged tenant.
CREATE TABLE audit_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor_id     text NOT NULL DEFAULT '',
    actor_email  text NOT NULL DEFAULT '',
    actor_role   text NOT NULL DEFAULT '',
    tenant_id    text,
    action       text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    before       jsonb,
    after        jsonb,
    request_id   text NOT NULL DEFAULT '',
    remote_addr  text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_change
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- scs's Postgres store (github.com/alexedwards/scs/pgxstore).
CREATE TABLE sessions (
    token   text PRIMARY KEY,
    data    bytea NOT NULL,
    expiry  timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE user_invitations;
DROP TABLE organization_users;
DROP TABLE staff;
DROP TABLE tenant_secrets;
DROP TABLE tenant_prompts;
DROP TABLE tenant_branding;
DROP TABLE tenant_settings;
DROP TABLE tenants;
