-- tenant_counts held one row per status and plan, and every new tenant's
-- transaction updated the row of its status and plan until it committed: two
-- writers creating tenants (import-yaml's workers, onboardings at once) took
-- turns on that one row. Each status and plan now has 32 stripes, picked by
-- the tenant id's hash (which never changes), so writers of different
-- tenants mostly touch different rows; readers add the stripes up.

-- +goose Up
-- No tenant is written while the counts are made again from the table.
LOCK TABLE tenants IN SHARE MODE;
ALTER TABLE tenant_counts ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
ALTER TABLE tenant_counts DROP CONSTRAINT tenant_counts_pkey;
DELETE FROM tenant_counts;
INSERT INTO tenant_counts (status, plan, stripe, n)
    SELECT status, plan, hashtext(id) & 31, count(*) FROM tenants GROUP BY 1, 2, 3;
ALTER TABLE tenant_counts ADD PRIMARY KEY (status, plan, stripe);
ALTER TABLE tenant_counts ALTER COLUMN stripe DROP DEFAULT;

-- As before, one statement-level trigger per event; the rows a statement
-- changes are locked in a fixed order, so two writers never deadlock on them.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tenant_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tenant_counts AS c (status, plan, stripe, n)
            SELECT status, plan, hashtext(id) & 31, count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (status, plan, stripe) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE tenant_counts c SET n = c.n - d.n
        FROM (SELECT status, plan, hashtext(id) & 31 AS stripe, count(*) AS n FROM old_rows
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) d
        WHERE c.status = d.status AND c.plan = d.plan AND c.stripe = d.stripe;
    ELSE
        INSERT INTO tenant_counts AS c (status, plan, stripe, n)
            SELECT status, plan, stripe, sum(d) FROM (
                SELECT status, plan, hashtext(id) & 31 AS stripe, 1 AS d FROM new_rows
                UNION ALL
                SELECT status, plan, hashtext(id) & 31, -1 FROM old_rows) x
            GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (status, plan, stripe) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tenant_counts_apply() RETURNS trigger
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
LOCK TABLE tenants IN SHARE MODE;
ALTER TABLE tenant_counts DROP CONSTRAINT tenant_counts_pkey;
DELETE FROM tenant_counts;
INSERT INTO tenant_counts (status, plan, stripe, n)
    SELECT status, plan, 0, count(*) FROM tenants GROUP BY 1, 2;
ALTER TABLE tenant_counts DROP COLUMN stripe;
ALTER TABLE tenant_counts ADD PRIMARY KEY (status, plan);
