-- The read API for platform code (docs/design.md §14): bearer tokens stored
-- only as hashes, and a change marker on every tenant row that moves with
-- any change to what the API shows of it (registry row, settings,
-- branding), so the API has a cheap ETag and a feed of changes.

-- +goose Up

-- changed_xid is the transaction that last changed the tenant's document;
-- the feed is ordered by it (not by time) and only ever reaches up to the
-- oldest transaction still running, so a change committed late can never
-- land behind a reader's cursor. revision counts those transactions: one
-- step per transaction that changes anything the API shows.
ALTER TABLE tenants
    ADD COLUMN changed_at  timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN changed_xid xid8 NOT NULL DEFAULT '0',
    ADD COLUMN revision    bigint NOT NULL DEFAULT 1 CHECK (revision >= 1);

UPDATE tenants t SET changed_xid = pg_current_xact_id(),
    changed_at = greatest(t.updated_at,
        (SELECT updated_at FROM tenant_settings WHERE tenant_id = t.id),
        (SELECT updated_at FROM tenant_branding WHERE tenant_id = t.id));

ALTER TABLE tenants ALTER COLUMN changed_xid SET DEFAULT pg_current_xact_id();

-- the feed's keyset, and where updated_since starts it
CREATE INDEX tenants_changes_idx ON tenants (changed_xid, id);
CREATE INDEX tenants_changed_at_idx ON tenants (changed_at) INCLUDE (changed_xid);

-- Any update of a tenant row marks it; a transaction counts once however
-- many statements it runs.
-- +goose StatementBegin
CREATE FUNCTION tenants_mark_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.changed_xid <> pg_current_xact_id() THEN
        NEW.revision := OLD.revision + 1;
        NEW.changed_xid := pg_current_xact_id();
    END IF;
    NEW.changed_at := now();
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER tenants_changed BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_mark_changed();

-- A write to settings or branding marks the tenant row, once per
-- statement (COPY of a whole seed included), skipping tenants this
-- transaction already marked (the insert that creates a tenant marks it).
-- Every writer locks the tenant row before its parts, so this takes no
-- lock out of that order.
-- +goose StatementBegin
CREATE FUNCTION tenant_parts_mark_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenants t SET changed_at = now()
    WHERE t.id IN (SELECT tenant_id FROM changed_rows)
        AND t.changed_xid <> pg_current_xact_id();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER tenant_settings_inserted AFTER INSERT ON tenant_settings
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_parts_mark_changed();
CREATE TRIGGER tenant_settings_updated AFTER UPDATE ON tenant_settings
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_parts_mark_changed();
CREATE TRIGGER tenant_branding_inserted AFTER INSERT ON tenant_branding
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_parts_mark_changed();
CREATE TRIGGER tenant_branding_updated AFTER UPDATE ON tenant_branding
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_parts_mark_changed();

-- A token is shown once, when it is made; only its SHA-256 is kept. hint is
-- its first characters, enough to tell tokens apart in a list.
CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    token_hash    bytea NOT NULL CHECK (octet_length(token_hash) = 32),
    hint          text NOT NULL CHECK (char_length(hint) <= 16),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    revoked_by    text,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
-- one live token per name; a revoked one's name may be reused
CREATE UNIQUE INDEX api_tokens_live_name_key ON api_tokens (name) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE api_tokens;
DROP TRIGGER tenant_branding_updated ON tenant_branding;
DROP TRIGGER tenant_branding_inserted ON tenant_branding;
DROP TRIGGER tenant_settings_updated ON tenant_settings;
DROP TRIGGER tenant_settings_inserted ON tenant_settings;
DROP FUNCTION tenant_parts_mark_changed();
DROP TRIGGER tenants_changed ON tenants;
DROP FUNCTION tenants_mark_changed();
DROP INDEX tenants_changed_at_idx;
DROP INDEX tenants_changes_idx;
ALTER TABLE tenants DROP COLUMN revision, DROP COLUMN changed_xid, DROP COLUMN changed_at;
