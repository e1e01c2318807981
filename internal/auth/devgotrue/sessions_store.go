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

// amrEntry is one authentication method of a session: GoTrue's amr claim.
type amrEntry struct {
	Method    string `json:"method"`
	Timestamp int64  `json:"timestamp"`
}

// sessionRow is what a session says about how its user signed in.
type sessionRow struct {
	ID       uuid.UUID
	AAL      string
	FactorID *uuid.UUID
	AMR      []amrEntry
}

// Assurance levels: a password (or a link) is aal1; a verified second
// factor on top makes the session aal2.
const (
	aal1 = "aal1"
	aal2 = "aal2"
)

// createSession starts a session for userID, begun by method (GoTrue's amr:
// "password", "invite", "recovery"), and returns it with its first refresh
// token.
func createSession(ctx context.Context, q querier, userID uuid.UUID, now time.Time, method string) (sessionRow, string, error) {
	sess := sessionRow{ID: uuid.New(), AAL: aal1, AMR: []amrEntry{{Method: method, Timestamp: now.Unix()}}}
	if _, err := q.Exec(ctx, `INSERT INTO devgotrue.sessions (id, user_id, created_at, aal, amr) VALUES ($1, $2, $3, $4, $5)`,
		sess.ID, userID, now, sess.AAL, sess.AMR); err != nil {
		return sessionRow{}, "", fmt.Errorf("create session: %w", err)
	}
	token, err := addRefreshToken(ctx, q, sess.ID, now)
	if err != nil {
		return sessionRow{}, "", err
	}
	return sess, token, nil
}

// findSession returns a session, or ok false when it has ended.
func findSession(ctx context.Context, q querier, id uuid.UUID) (sessionRow, bool, error) {
	sess := sessionRow{ID: id}
	err := q.QueryRow(ctx, `SELECT aal, factor_id, amr FROM devgotrue.sessions WHERE id = $1`, id).
		Scan(&sess.AAL, &sess.FactorID, &sess.AMR)
	if errors.Is(err, pgx.ErrNoRows) {
		return sessionRow{}, false, nil
	}
	if err != nil {
		return sessionRow{}, false, fmt.Errorf("find session: %w", err)
	}
	return sess, true, nil
}

// raiseSession records that factorID was verified in the session (method
// "totp"): GoTrue's AddClaimToSession and UpdateAALAndAssociatedFactor.
// A method already there has its time renewed.
func raiseSession(ctx context.Context, q querier, sess sessionRow, factorID uuid.UUID, method string, now time.Time) (sessionRow, error) {
	amr := []amrEntry{{Method: method, Timestamp: now.Unix()}}
	for _, e := range sess.AMR {
		if e.Method != method {
			amr = append(amr, e)
		}
	}
	sess.AMR, sess.AAL, sess.FactorID = amr, aal2, &factorID
	if _, err := q.Exec(ctx, `UPDATE devgotrue.sessions SET aal = $2, factor_id = $3, amr = $4 WHERE id = $1`,
		sess.ID, sess.AAL, sess.FactorID, sess.AMR); err != nil {
		return sessionRow{}, fmt.Errorf("raise session: %w", err)
	}
	return sess, nil
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

// refreshTokenRow is a refresh token locked for rotation.
type refreshTokenRow struct {
	SessionID uuid.UUID  `db:"session_id"`
	UserID    uuid.UUID  `db:"user_id"`
	Revoked   bool       `db:"revoked"`
	RevokedAt *time.Time `db:"revoked_at"`
}

// lockRefreshToken finds a token and locks it until tx ends, so two
// concurrent refreshes cannot both use it.
func lockRefreshToken(ctx context.Context, tx pgx.Tx, token string) (refreshTokenRow, error) {
	rows, err := tx.Query(ctx, `SELECT rt.session_id, s.user_id, rt.revoked, rt.revoked_at
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

func revokeRefreshToken(ctx context.Context, q querier, token string, now time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE devgotrue.refresh_tokens SET revoked = true, revoked_at = $2
		WHERE token_hash = $1 AND NOT revoked`, hashToken(token), now); err != nil {
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
