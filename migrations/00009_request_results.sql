-- What a request sent with a form's idempotency key did (adding staff,
-- inviting a member), written in the transaction that made the change: a
-- double submit, or a retry, is answered with the first request's result
-- instead of doing it again (docs/design.md, "Double submits"). Onboarding
-- keeps its own table, onboarding_requests, tied to the tenant it made.
-- Rows are only useful for as long as a form stays open; those older than a
-- day are deleted when a new one is written.

-- +goose Up
CREATE TABLE request_results (
    -- What kind of request and on whose behalf, e.g. "staff_add:<user id>":
    -- a key only ever answers the person (and tenant) whose form made it.
    scope      text NOT NULL,
    key        text NOT NULL,
    result     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX request_results_created_idx ON request_results (created_at);

-- +goose Down
DROP TABLE request_results;
