package devgotrue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaSQL is the dev server's own schema. It is not one of the console's
// migrations: production uses Supabase, which keeps its users elsewhere.
const schemaSQL = `
CREATE SCHEMA IF NOT EXISTS devgotrue;

-- One row: the JWT secret, kept so tokens and keys survive a restart.
CREATE TABLE IF NOT EXISTS devgotrue.config (
	id         boolean PRIMARY KEY DEFAULT true CHECK (id),
	jwt_secret text NOT NULL,
	created_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS devgotrue.users (
	id                   uuid PRIMARY KEY,
	email                text NOT NULL,
	-- NULL for an invitation never accepted: no password can match.
	encrypted_password   text,
	email_confirmed_at   timestamptz,
	invited_at           timestamptz,
	confirmation_sent_at timestamptz,
	last_sign_in_at      timestamptz,
	banned_until         timestamptz,
	raw_user_meta_data   jsonb NOT NULL DEFAULT '{}',
	created_at           timestamptz NOT NULL,
	updated_at           timestamptz NOT NULL
);
-- Named as GoTrue names its index, since a race between two requests for
-- one address shows the name in the answer (see insertUser).
ALTER INDEX IF EXISTS devgotrue.users_email_lower_key RENAME TO users_email_partial_key;
CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key ON devgotrue.users (lower(email));

CREATE TABLE IF NOT EXISTS devgotrue.sessions (
	id         uuid PRIMARY KEY,
	user_id    uuid NOT NULL REFERENCES devgotrue.users (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON devgotrue.sessions (user_id);
-- The assurance level and the methods behind it (GoTrue's amr claims), and
-- the factor that raised the session to aal2.
ALTER TABLE devgotrue.sessions ADD COLUMN IF NOT EXISTS aal text NOT NULL DEFAULT 'aal1';
ALTER TABLE devgotrue.sessions ADD COLUMN IF NOT EXISTS factor_id uuid;
ALTER TABLE devgotrue.sessions ADD COLUMN IF NOT EXISTS amr jsonb NOT NULL DEFAULT '[]';

-- Refresh tokens are stored hashed: a database dump is not a key ring.
CREATE TABLE IF NOT EXISTS devgotrue.refresh_tokens (
	token_hash text PRIMARY KEY,
	session_id uuid NOT NULL REFERENCES devgotrue.sessions (id) ON DELETE CASCADE,
	revoked    boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_idx ON devgotrue.refresh_tokens (session_id);
-- revoked_at starts GoTrue's reuse interval (see refreshGrant).
ALTER TABLE devgotrue.refresh_tokens ADD COLUMN IF NOT EXISTS revoked_at timestamptz;

-- The links of sent e-mails (invite, recovery), as GoTrue's one_time_tokens:
-- one per account and kind, replaced by the next, deleted once used.
CREATE TABLE IF NOT EXISTS devgotrue.one_time_tokens (
	user_id    uuid NOT NULL REFERENCES devgotrue.users (id) ON DELETE CASCADE,
	token_type text NOT NULL,
	token_hash text NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (user_id, token_type)
);
CREATE INDEX IF NOT EXISTS one_time_tokens_hash_idx ON devgotrue.one_time_tokens (token_hash);

-- Second factors (TOTP only) and their challenges, as GoTrue's mfa_factors
-- and mfa_challenges. The secret is kept in clear: a development database.
CREATE TABLE IF NOT EXISTS devgotrue.mfa_factors (
	id                 uuid PRIMARY KEY,
	user_id            uuid NOT NULL REFERENCES devgotrue.users (id) ON DELETE CASCADE,
	friendly_name      text NOT NULL DEFAULT '',
	factor_type        text NOT NULL,
	status             text NOT NULL,
	secret             text NOT NULL,
	created_at         timestamptz NOT NULL,
	updated_at         timestamptz NOT NULL,
	last_challenged_at timestamptz
);
CREATE INDEX IF NOT EXISTS mfa_factors_user_id_idx ON devgotrue.mfa_factors (user_id);
CREATE TABLE IF NOT EXISTS devgotrue.mfa_challenges (
	id          uuid PRIMARY KEY,
	factor_id   uuid NOT NULL REFERENCES devgotrue.mfa_factors (id) ON DELETE CASCADE,
	ip_address  text NOT NULL,
	created_at  timestamptz NOT NULL,
	verified_at timestamptz
);

-- Every e-mail the server would have sent: the development mailbox.
CREATE TABLE IF NOT EXISTS devgotrue.mail (
	id          bigserial PRIMARY KEY,
	user_id     uuid NOT NULL,
	to_email    text NOT NULL,
	kind        text NOT NULL,
	subject     text NOT NULL,
	link        text NOT NULL,
	token_hash  text NOT NULL,
	redirect_to text NOT NULL,
	sent_at     timestamptz NOT NULL
);
`

// schemaLockKey serialises schema creation: two servers starting at once
// would otherwise race on CREATE ... IF NOT EXISTS (it is not atomic).
const schemaLockKey = 0x646576676f74 // "devgot"

// setup creates the schema if needed and returns the JWT secret and when it
// was made, generating and storing the secret on first start.
func setup(ctx context.Context, pool *pgxpool.Pool, now time.Time) (secret []byte, createdAt time.Time, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLockKey)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, schemaSQL); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx,
			`INSERT INTO devgotrue.config (jwt_secret, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
			hex.EncodeToString(fresh), now); err != nil {
			return fmt.Errorf("store secret: %w", err)
		}
		var hexSecret string
		if err := tx.QueryRow(ctx, `SELECT jwt_secret, created_at FROM devgotrue.config`).Scan(&hexSecret, &createdAt); err != nil {
			return fmt.Errorf("load secret: %w", err)
		}
		secret = []byte(hexSecret)
		return nil
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("devgotrue: setup: %w", err)
	}
	return secret, createdAt, nil
}
