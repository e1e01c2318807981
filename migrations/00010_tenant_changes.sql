-- Announces every committed change to a tenant on the channel
-- tenant_changed, for the live YAML mirror (console sync-yaml --follow).
-- Every change to a tenant writes an audit event in its own transaction
-- (docs/design.md §11), so announcing the event announces the change. NOTIFY
-- is transactional: listeners hear it when the transaction commits, never
-- for one rolled back. The payload is JSON: the tenant id and the time of
-- the audit insert (microseconds since the epoch), the last statement of a
-- change, so a follower can measure how long the change took to reach it.
-- Seeding (BulkInsert) writes no audit event and announces nothing; the
-- follower's periodic full reconcile picks it up.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION audit_events_announce_tenant_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenant_changed', json_build_object(
        'tenant_id', NEW.tenant_id,
        'at_us', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_tenant_changed
    AFTER INSERT ON audit_events
    FOR EACH ROW WHEN (NEW.tenant_id IS NOT NULL)
    EXECUTE FUNCTION audit_events_announce_tenant_change();

-- +goose Down
DROP TRIGGER audit_events_tenant_changed ON audit_events;
DROP FUNCTION audit_events_announce_tenant_change();
