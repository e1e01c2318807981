-- One search column per tenant, so a list search reads one index instead of
-- four joined ones (docs/design.md §17).
--
-- contact_emails holds the support e-mail and every member's e-mail, joined
-- by U+001F; the statements that write settings or members keep it right in
-- the same transaction. search is generated from it, the name and the id in
-- the same statement that writes the row: U+001F before each field, so "any
-- field starts with" is LIKE '%' || U+001F || term || '%'. A search term
-- cannot contain U+001F (the field rules refuse control characters), so a
-- match never spans two fields.

-- +goose Up
ALTER TABLE tenants ADD COLUMN contact_emails text NOT NULL DEFAULT '';
UPDATE tenants t SET contact_emails = concat_ws(E'\x1f',
    (SELECT s.support_email FROM tenant_settings s WHERE s.tenant_id = t.id),
    (SELECT string_agg(u.email, E'\x1f' ORDER BY u.id) FROM organization_users u WHERE u.tenant_id = t.id));
ALTER TABLE tenants ADD COLUMN search text NOT NULL GENERATED ALWAYS AS (
    E'\x1f' || lower(name) || E'\x1f' || id || E'\x1f' || lower(contact_emails)) STORED;

-- Every "contains" term of three characters or more goes through this one
-- index (the four per-column ones it replaces are dropped below).
CREATE INDEX tenants_search_trgm_idx ON tenants USING gin (search gin_trgm_ops);

-- The list in name order with everything a search filters on, so walking it
-- for a common term never reads the table (index-only). It replaces
-- tenants_name_idx. name is included because the planner needs the column
-- itself to read lower(name) from the index; created_at for the names that
-- start with a short term, read as a range of it in creation order.
CREATE INDEX tenants_search_walk_idx ON tenants (lower(name), id)
    INCLUDE (name, status, plan, created_at, search);

-- A repeatable sample per status: the tenants whose id hashes below a
-- bucket. It tells how common a term is in each tab (for the "about" counts)
-- and roughly where in name order its first matches lie, from the index
-- alone, whatever the order the rows were written in.
CREATE INDEX tenants_search_sample_idx ON tenants (status, (hashtext(id) & 1023))
    INCLUDE (id, plan, created_at, search);

DROP INDEX tenants_name_idx;
DROP INDEX tenants_name_trgm_idx;
DROP INDEX tenants_id_trgm_idx;
DROP INDEX tenant_settings_support_email_trgm_idx;
DROP INDEX organization_users_email_trgm_idx;

-- +goose Down
CREATE INDEX organization_users_email_trgm_idx ON organization_users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX tenant_settings_support_email_trgm_idx ON tenant_settings USING gin (lower(support_email) gin_trgm_ops);
CREATE INDEX tenants_id_trgm_idx ON tenants USING gin (id gin_trgm_ops);
CREATE INDEX tenants_name_trgm_idx ON tenants USING gin (lower(name) gin_trgm_ops);
CREATE INDEX tenants_name_idx ON tenants (lower(name), id);
DROP INDEX tenants_search_sample_idx;
DROP INDEX tenants_search_walk_idx;
DROP INDEX tenants_search_trgm_idx;
ALTER TABLE tenants DROP COLUMN search;
ALTER TABLE tenants DROP COLUMN contact_emails;
