package devgotrue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Factor states and the one type the dev server enrols.
const (
	factorUnverified = "unverified"
	factorVerified   = "verified"
	factorTOTP       = "totp"
)

// factorRow is one row of devgotrue.mfa_factors.
type factorRow struct {
	ID               uuid.UUID  `db:"id"`
	UserID           uuid.UUID  `db:"user_id"`
	FriendlyName     string     `db:"friendly_name"`
	FactorType       string     `db:"factor_type"`
	Status           string     `db:"status"`
	Secret           string     `db:"secret"`
	CreatedAt        time.Time  `db:"created_at"`
	UpdatedAt        time.Time  `db:"updated_at"`
	LastChallengedAt *time.Time `db:"last_challenged_at"`
}

func (f factorRow) verified() bool { return f.Status == factorVerified }

const factorColumns = `id, user_id, friendly_name, factor_type, status, secret, created_at, updated_at, last_challenged_at`

var errNoFactor = errors.New("no such factor")

// listFactors returns a user's factors, oldest first.
func listFactors(ctx context.Context, q querier, userID uuid.UUID) ([]factorRow, error) {
	rows, err := q.Query(ctx, `SELECT `+factorColumns+` FROM devgotrue.mfa_factors WHERE user_id = $1
		ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list factors: %w", err)
	}
	fs, err := pgx.CollectRows(rows, pgx.RowToStructByName[factorRow])
	if err != nil {
		return nil, fmt.Errorf("list factors: %w", err)
	}
	return fs, nil
}

// findOwnedFactor is GoTrue's FindOwnedFactorByID: a factor of userID.
func findOwnedFactor(ctx context.Context, q querier, userID, id uuid.UUID) (factorRow, error) {
	rows, err := q.Query(ctx, `SELECT `+factorColumns+` FROM devgotrue.mfa_factors WHERE user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return factorRow{}, fmt.Errorf("find factor: %w", err)
	}
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[factorRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return factorRow{}, errNoFactor
	}
	if err != nil {
		return factorRow{}, fmt.Errorf("find factor: %w", err)
	}
	return f, nil
}

func insertFactor(ctx context.Context, q querier, f factorRow) error {
	if _, err := q.Exec(ctx, `INSERT INTO devgotrue.mfa_factors (`+factorColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		f.ID, f.UserID, f.FriendlyName, f.FactorType, f.Status, f.Secret, f.CreatedAt, f.UpdatedAt, f.LastChallengedAt); err != nil {
		return fmt.Errorf("insert factor: %w", err)
	}
	return nil
}

// deleteExpiredFactors is GoTrue's DeleteExpiredFactors: unverified factors
// older than the expiry that were never challenged are dropped.
func deleteExpiredFactors(ctx context.Context, q querier, olderThan time.Time) error {
	if _, err := q.Exec(ctx, `DELETE FROM devgotrue.mfa_factors f WHERE status <> 'verified' AND created_at < $1
		AND NOT EXISTS (SELECT 1 FROM devgotrue.mfa_challenges c WHERE c.factor_id = f.id)`, olderThan); err != nil {
		return fmt.Errorf("delete expired factors: %w", err)
	}
	return nil
}

// removeFactor deletes a factor and lowers the sessions it had raised to
// aal1, taking its method out of their amr (GoTrue's
// DowngradeSessionsToAAL1).
func removeFactor(ctx context.Context, q querier, f factorRow) error {
	if _, err := q.Exec(ctx, `DELETE FROM devgotrue.mfa_factors WHERE id = $1`, f.ID); err != nil {
		return fmt.Errorf("delete factor: %w", err)
	}
	if _, err := q.Exec(ctx, `UPDATE devgotrue.sessions SET aal = 'aal1', factor_id = NULL,
		amr = COALESCE((SELECT jsonb_agg(e) FROM jsonb_array_elements(amr) e WHERE e->>'method' <> $3), '[]')
		WHERE user_id = $1 AND factor_id = $2`, f.UserID, f.ID, f.FactorType); err != nil {
		return fmt.Errorf("downgrade sessions: %w", err)
	}
	return nil
}

// challengeRow is one row of devgotrue.mfa_challenges.
type challengeRow struct {
	ID         uuid.UUID  `db:"id"`
	FactorID   uuid.UUID  `db:"factor_id"`
	IPAddress  string     `db:"ip_address"`
	CreatedAt  time.Time  `db:"created_at"`
	VerifiedAt *time.Time `db:"verified_at"`
}

var errNoChallenge = errors.New("no such challenge")

func findChallenge(ctx context.Context, q querier, factorID, id uuid.UUID) (challengeRow, error) {
	rows, err := q.Query(ctx, `SELECT id, factor_id, ip_address, created_at, verified_at
		FROM devgotrue.mfa_challenges WHERE id = $1 AND factor_id = $2`, id, factorID)
	if err != nil {
		return challengeRow{}, fmt.Errorf("find challenge: %w", err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[challengeRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return challengeRow{}, errNoChallenge
	}
	if err != nil {
		return challengeRow{}, fmt.Errorf("find challenge: %w", err)
	}
	return c, nil
}
