-- +goose Up
-- The console now keys sessions by the SHA-256 (hex) of the cookie's token,
-- so that reading this table gives nothing to present as a cookie. Rows
-- written before keep working: their raw token becomes its hash, the same
-- one the console computes from the cookie. Tokens are base64url text, so
-- their UTF-8 bytes are what the console hashes.
UPDATE sessions SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex');

-- +goose Down
-- Hashes cannot be turned back into tokens: everyone signs in again.
DELETE FROM sessions;
