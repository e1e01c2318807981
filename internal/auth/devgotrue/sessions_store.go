package devgotrue

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

var errNoRefreshToken = errors.New("no such refresh token")

// newRefreshToken returns an opaque token; only its hash is stored.
func newRefreshToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// createSession starts a session for userID and returns it with its first
// refresh token.
func createSession(ctx context.Context, q querier, userID uuid.UUID, now time.Time) (uuid.UUID, string, error) {
	id := uuid.New()
	if _, err := q.Exec(ctx, `INSERT INTO devgotrue.sessions (id, user_id, created_at) VALUES ($1, $2, $3)`,
		id, userID, now); err != nil {
		return uuid.Nil, "", fmt.Errorf("create session: %w", err)
	}
	token, err := addRefreshToken(ctx, q, id, now)
	if err != nil {
		return uuid.Nil, "", err
	}
	return id, token, nil
}

func addRefreshToken(ctx context.Context, q querier, sessionID uuid.UUID, now time.Time) (string, error) {
	token, err := newRefreshToken()
	if err != nil {
		return "", err
	}
	if _, err := q.Exec(ctx,
		`INSERT INTO devgotrue.refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)`,
		hashToken(token), sessionID, now); err != nil {
		return "", fmt.Errorf("add refresh token: %w", err)
	}
	return token, nil
}

func sessionExists(ctx context.Context, q querier, id uuid.UUID) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM devgotrue.sessions WHERE id = $1)`, id).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("find session: %w", err)
	}
	return ok, nil
}

// refreshTokenRow is a refresh token locked for rotation.
type refreshTokenRow struct {
	SessionID uuid.UUID `db:"session_id"`
	UserID    uuid.UUID `db:"user_id"`
	Revoked   bool      `db:"revoked"`
}

// lockRefreshToken finds a token and locks it until tx ends, so two
// concurrent refreshes cannot both use it.
func lockRefreshToken(ctx context.Context, tx pgx.Tx, token string) (refreshTokenRow, error) {
	rows, err := tx.Query(ctx, `SELECT rt.session_id, s.user_id, rt.revoked
		FROM devgotrue.refresh_tokens rt JOIN devgotrue.sessions s ON s.id = rt.session_id
		WHERE rt.token_hash = $1 FOR UPDATE OF rt`, hashToken(token))
	if err != nil {
		return refreshTokenRow{}, fmt.Errorf("find refresh token: %w", err)
	}
	rt, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[refreshTokenRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return refreshTokenRow{}, errNoRefreshToken
	}
	if err != nil {
		return refreshTokenRow{}, fmt.Errorf("find refresh token: %w", err)
	}
	return rt, nil
}

func revokeRefreshToken(ctx context.Context, q querier, token string) error {
	if _, err := q.Exec(ctx, `UPDATE devgotrue.refresh_tokens SET revoked = true WHERE token_hash = $1`,
		hashToken(token)); err != nil {
		return fmt.Errorf("revoke refresh token: %w", err)
	}
	return nil
}

// logoutScope is GoTrue's ?scope= of POST /logout.
type logoutScope string

const (
	scopeGlobal logoutScope = "global" // every session of the user (the default)
	scopeLocal  logoutScope = "local"  // only the token's session
	scopeOthers logoutScope = "others" // every session but the token's
)

// deleteSessions ends sessions; their refresh tokens go with them.
func deleteSessions(ctx context.Context, q querier, userID, current uuid.UUID, scope logoutScope) error {
	var err error
	switch scope {
	case scopeLocal:
		_, err = q.Exec(ctx, `DELETE FROM devgotrue.sessions WHERE id = $1`, current)
	case scopeOthers:
		_, err = q.Exec(ctx, `DELETE FROM devgotrue.sessions WHERE user_id = $1 AND id <> $2`, userID, current)
	default:
		_, err = q.Exec(ctx, `DELETE FROM devgotrue.sessions WHERE user_id = $1`, userID)
	}
	if err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}
