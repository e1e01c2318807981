-- Sign-in attempt counters, kept in Postgres so every console process behind
-- a load balancer enforces the same limits. One fixed window per key
-- ("email:…" or "ip:…").

-- +goose Up
CREATE TABLE sign_in_attempts (
    key           text PRIMARY KEY,
    window_start  timestamptz NOT NULL,
    attempts      integer NOT NULL CHECK (attempts >= 1)
);
CREATE INDEX sign_in_attempts_window_idx ON sign_in_attempts (window_start);

-- +goose Down
DROP TABLE sign_in_attempts;
