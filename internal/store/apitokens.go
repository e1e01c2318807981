package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

// API tokens (tenant.APITokenStore): kept as SHA-256 hashes only.

var _ tenant.APITokenStore = (*Store)(nil)

type apiTokenRow struct {
	ID         int64      `db:"id"`
	Name       string     `db:"name"`
	Hint       string     `db:"hint"`
	CreatedAt  time.Time  `db:"created_at"`
	CreatedBy  string     `db:"created_by"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
	RevokedBy  *string    `db:"revoked_by"`
}

const apiTokenColumns = `id, name, hint, created_at, created_by, last_used_at, revoked_at, revoked_by`

func (r apiTokenRow) domain() tenant.APIToken {
	return tenant.APIToken{ID: r.ID, Name: r.Name, Hint: r.Hint, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy,
		LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt, RevokedBy: deref(r.RevokedBy)}
}

func collectAPITokens(rows pgx.Rows) ([]tenant.APIToken, error) {
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[apiTokenRow])
	out := make([]tenant.APIToken, len(list))
	for i, r := range list {
		out[i] = r.domain()
	}
	return out, err
}

// ListAPITokens returns every token, live ones first, newest first.
func (s *Store) ListAPITokens(ctx context.Context) (list []tenant.APIToken, err error) {
	err = s.retryRepeatable(ctx, func() error {
		rows, err := s.pool.Query(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens
			ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC`)
		if err != nil {
			return mapErr("list api tokens", err)
		}
		list, err = collectAPITokens(rows)
		return mapErr("list api tokens", err)
	})
	return list, err
}

// InAPITokenTx runs fn in one transaction.
func (s *Store) InAPITokenTx(ctx context.Context, fn func(tenant.APITokenTx) error) error {
	return s.withTx(ctx, readWrite, func(t *txStore) error { return fn(t) })
}

// InsertAPIToken stores a new token.
func (t *txStore) InsertAPIToken(ctx context.Context, name string, hash []byte, hint, by string) (tenant.APIToken, error) {
	rows, err := t.tx.Query(ctx, `INSERT INTO api_tokens (name, token_hash, hint, created_by)
		VALUES ($1, $2, $3, $4) RETURNING `+apiTokenColumns, name, hash, hint, by)
	if err != nil {
		return tenant.APIToken{}, mapErr("insert api token", err)
	}
	list, err := collectAPITokens(rows)
	if UniqueViolation(err, "api_tokens_live_name_key") {
		return tenant.APIToken{}, fmt.Errorf("insert api token %s: %w", name, tenant.ErrAPITokenNameTaken)
	}
	if err != nil {
		return tenant.APIToken{}, mapErr("insert api token", err)
	}
	return list[0], nil
}

// RevokeAPIToken marks token id revoked (a revoked one keeps its first
// revocation) and returns it as it was before.
func (t *txStore) RevokeAPIToken(ctx context.Context, id int64, by string) (tenant.APIToken, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return tenant.APIToken{}, mapErr("revoke api token", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[apiTokenRow])
	if err != nil {
		return tenant.APIToken{}, mapErr("revoke api token", err)
	}
	if r.RevokedAt == nil {
		if _, err := t.tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 WHERE id = $1`, id, by); err != nil {
			return tenant.APIToken{}, mapErr("revoke api token", err)
		}
	}
	return r.domain(), nil
}

// UseAPIToken finds the live token with hash and, in the same statement,
// notes its use when the last note is more than a minute old: one round
// trip per request, one write per token per minute.
func (s *Store) UseAPIToken(ctx context.Context, hash []byte) (tok tenant.APIToken, err error) {
	err = s.retryRepeatable(ctx, func() error {
		rows, err := s.pool.Query(ctx, `
			WITH found AS (
				SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL
			), noted AS (
				UPDATE api_tokens a SET last_used_at = now() FROM found
				WHERE a.id = found.id AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
					-- read again on the row it locks: of requests racing
					-- past the minute, the first notes it, the rest skip
					AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute')
			)
			SELECT `+apiTokenColumns+` FROM found`, hash)
		if err != nil {
			return mapErr("use api token", err)
		}
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[apiTokenRow])
		if err != nil {
			return mapErr("use api token", err)
		}
		tok = r.domain()
		return nil
	})
	return tok, err
}
