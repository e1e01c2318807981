-- What keeps the tenant list fast at a million tenants: counts per status
-- and plan kept up to date by the database itself (so every writer, present
-- or future, keeps them right in its own transaction), and prefix indexes for
-- search terms too short for trigrams.

-- +goose Up
CREATE TABLE tenant_counts (
    status  text NOT NULL,
    plan    text NOT NULL,
    -- no CHECK (n >= 0): an upsert's proposed row carries the (negative)
    -- change, and Postgres checks it before it finds the conflict.
    n       bigint NOT NULL,
    PRIMARY KEY (status, plan)
);
INSERT INTO tenant_counts (status, plan, n)
    SELECT status, plan, count(*) FROM tenants GROUP BY status, plan;

-- One statement-level trigger per event (transition tables allow only one
-- event each). A statement that does not change any status or plan (most
-- updates) touches no counter row; the others lock their (status, plan) rows
-- in a fixed order, so two writers never deadlock on them.
-- +goose StatementBegin
CREATE FUNCTION tenant_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tenant_counts AS c (status, plan, n)
            SELECT status, plan, count(*) FROM new_rows GROUP BY status, plan ORDER BY status, plan
        ON CONFLICT (status, plan) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE tenant_counts c SET n = c.n - d.n
        FROM (SELECT status, plan, count(*) AS n FROM old_rows GROUP BY status, plan ORDER BY status, plan) d
        WHERE c.status = d.status AND c.plan = d.plan;
    ELSE
        INSERT INTO tenant_counts AS c (status, plan, n)
            SELECT status, plan, sum(d) FROM (
                SELECT status, plan, 1 AS d FROM new_rows
                UNION ALL
                SELECT status, plan, -1 FROM old_rows) x
            GROUP BY status, plan HAVING sum(d) <> 0 ORDER BY status, plan
        ON CONFLICT (status, plan) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION tenant_counts_reset() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tenant_counts;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER tenants_count_insert AFTER INSERT ON tenants
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_counts_apply();
CREATE TRIGGER tenants_count_update AFTER UPDATE ON tenants
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_counts_apply();
CREATE TRIGGER tenants_count_delete AFTER DELETE ON tenants
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_counts_apply();
CREATE TRIGGER tenants_count_truncate AFTER TRUNCATE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_counts_reset();

-- Search terms of one or two characters have no trigram: they match the
-- start of each searched column through these. Each carries the tenant id,
-- so the matching ids come from the index alone (index-only scans), however
-- many tenants share a first letter.
CREATE INDEX tenants_name_prefix_idx ON tenants (lower(name) text_pattern_ops) INCLUDE (id);
CREATE INDEX tenants_id_prefix_idx ON tenants (id text_pattern_ops);
CREATE INDEX tenant_settings_support_email_prefix_idx
    ON tenant_settings (lower(support_email) text_pattern_ops) INCLUDE (tenant_id);
CREATE INDEX organization_users_email_prefix_idx
    ON organization_users (lower(email) text_pattern_ops) INCLUDE (tenant_id);

-- +goose Down
DROP INDEX organization_users_email_prefix_idx;
DROP INDEX tenant_settings_support_email_prefix_idx;
DROP INDEX tenants_id_prefix_idx;
DROP INDEX tenants_name_prefix_idx;
DROP TRIGGER tenants_count_truncate ON tenants;
DROP TRIGGER tenants_count_delete ON tenants;
DROP TRIGGER tenants_count_update ON tenants;
DROP TRIGGER tenants_count_insert ON tenants;
DROP FUNCTION tenant_counts_reset();
DROP FUNCTION tenant_counts_apply();
DROP TABLE tenant_counts;
