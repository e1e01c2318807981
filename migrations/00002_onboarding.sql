-- Idempotency of onboarding (product.md §4.3): the onboarding form carries a
-- key; the transaction that creates the tenant claims it first and stores the
-- result shown to the person, so a double submit or a retry creates one
-- tenant and shows the same result. The result never holds a password.

-- +goose Up
CREATE TABLE onboarding_requests (
    key         text PRIMARY KEY CHECK (key ~ '^[A-Za-z0-9._:-]{8,100}$'),
    -- Deferred: the key is claimed before the tenant row exists, so that a
    -- concurrent request with the same key waits on the claim.
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
                DEFERRABLE INITIALLY DEFERRED,
    result      jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX onboarding_requests_tenant_idx ON onboarding_requests (tenant_id);

-- +goose Down
DROP TABLE onboarding_requests;
