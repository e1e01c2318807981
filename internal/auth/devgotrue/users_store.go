package devgotrue

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what both a pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	errNoUser     = errors.New("no such user")
	errEmailTaken = errors.New("email taken")
)

// userRow is one row of devgotrue.users.
type userRow struct {
	ID                 uuid.UUID      `db:"id"`
	Email              string         `db:"email"`
	EncryptedPassword  *string        `db:"encrypted_password"`
	EmailConfirmedAt   *time.Time     `db:"email_confirmed_at"`
	InvitedAt          *time.Time     `db:"invited_at"`
	ConfirmationSentAt *time.Time     `db:"confirmation_sent_at"`
	LastSignInAt       *time.Time     `db:"last_sign_in_at"`
	BannedUntil        *time.Time     `db:"banned_until"`
	UserMetadata       map[string]any `db:"raw_user_meta_data"`
	CreatedAt          time.Time      `db:"created_at"`
	UpdatedAt          time.Time      `db:"updated_at"`
	// Factors are the account's second factors, as GoTrue loads them with
	// the user (find*), so every user object it answers lists them.
	Factors []factorRow `db:"-"`
}

// bannedAt mirrors GoTrue's IsBanned: banned_until stays set after a ban
// runs out, so only a future value counts.
func (u userRow) bannedAt(now time.Time) bool {
	return u.BannedUntil != nil && u.BannedUntil.After(now)
}

const userColumns = `id, email, encrypted_password, email_confirmed_at, invited_at, confirmation_sent_at,
	last_sign_in_at, banned_until, raw_user_meta_data, created_at, updated_at`

func scanUser(rows pgx.Rows) (userRow, error) {
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[userRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return userRow{}, errNoUser
	}
	return u, err
}

func findUserByID(ctx context.Context, q querier, id uuid.UUID) (userRow, error) {
	rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM devgotrue.users WHERE id = $1`, id)
	if err != nil {
		return userRow{}, fmt.Errorf("find user by id: %w", err)
	}
	u, err := scanUser(rows)
	if err != nil && !errors.Is(err, errNoUser) {
		err = fmt.Errorf("find user by id: %w", err)
	}
	if err == nil {
		u.Factors, err = listFactors(ctx, q, u.ID)
	}
	return u, err
}

// findUserByEmail matches case-insensitively, as GoTrue does.
func findUserByEmail(ctx context.Context, q querier, email string) (userRow, error) {
	rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM devgotrue.users WHERE lower(email) = lower($1)`, email)
	if err != nil {
		return userRow{}, fmt.Errorf("find user by email: %w", err)
	}
	u, err := scanUser(rows)
	if err != nil && !errors.Is(err, errNoUser) {
		err = fmt.Errorf("find user by email: %w", err)
	}
	if err == nil {
		u.Factors, err = listFactors(ctx, q, u.ID)
	}
	return u, err
}

// insertUser adds a user whose address the caller found free. When a
// concurrent request took it since, the unique index refuses the row and
// the answer is GoTrue's for that race (see errInsertRace), not
// email_exists: GoTrue, too, only checks before it inserts.
func insertUser(ctx context.Context, q querier, u userRow) error {
	_, err := q.Exec(ctx, `INSERT INTO devgotrue.users (`+userColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, u.Email, u.EncryptedPassword, u.EmailConfirmedAt, u.InvitedAt, u.ConfirmationSentAt,
		u.LastSignInAt, u.BannedUntil, metadataOrEmpty(u.UserMetadata), u.CreatedAt, u.UpdatedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return &postgresError{status: http.StatusInternalServerError, pg: pgErr, msg: "Database error saving new user"}
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// updateUser writes every mutable column of u.
func updateUser(ctx context.Context, q querier, u userRow) error {
	tag, err := q.Exec(ctx, `UPDATE devgotrue.users SET email = $2, encrypted_password = $3,
		email_confirmed_at = $4, invited_at = $5, confirmation_sent_at = $6, last_sign_in_at = $7,
		banned_until = $8, raw_user_meta_data = $9, updated_at = $10
		WHERE id = $1`,
		u.ID, u.Email, u.EncryptedPassword, u.EmailConfirmedAt, u.InvitedAt, u.ConfirmationSentAt,
		u.LastSignInAt, u.BannedUntil, metadataOrEmpty(u.UserMetadata), u.UpdatedAt)
	if isUniqueViolation(err) {
		return errEmailTaken
	}
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return errNoUser
	}
	return nil
}

func deleteUser(ctx context.Context, q querier, id uuid.UUID) error {
	if _, err := q.Exec(ctx, `DELETE FROM devgotrue.users WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// listUsers is GoTrue's FindUsersInAudience: newest first; the filter is
// LIKE on email (so case-sensitive) or ILIKE on the full name, with the
// filter's own % and _ left as wildcards, exactly as GoTrue does.
func listUsers(ctx context.Context, q querier, filter string, page, perPage uint64) ([]userRow, uint64, error) {
	const match = `($1 = '' OR email LIKE '%' || $1 || '%' OR raw_user_meta_data->>'full_name' ILIKE '%' || $1 || '%')`
	var total uint64
	if err := q.QueryRow(ctx, `SELECT count(*) FROM devgotrue.users WHERE `+match, filter).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT `+userColumns+` FROM devgotrue.users WHERE `+match+`
		ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`, filter, perPage, (page-1)*perPage)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, pgx.RowToStructByName[userRow])
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return users, total, nil
}

func metadataOrEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
