package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

var _ tenant.StaffStore = (*Store)(nil)

type staffRow struct {
	UserID    string    `db:"user_id"`
	Email     string    `db:"email"`
	Role      string    `db:"role"`
	CreatedAt time.Time `db:"created_at"`
	CreatedBy string    `db:"created_by"`
}

func queryStaff(ctx context.Context, q querier, lock string) ([]tenant.StaffMember, error) {
	rows, err := q.Query(ctx, `SELECT user_id::text AS user_id, email, role, created_at, created_by
		FROM staff ORDER BY lower(email) `+lock)
	if err != nil {
		return nil, mapErr("list staff", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[staffRow])
	if err != nil {
		return nil, mapErr("list staff", err)
	}
	out := make([]tenant.StaffMember, len(recs))
	for i, r := range recs {
		out[i] = tenant.StaffMember{UserID: r.UserID, Email: r.Email, Role: tenant.Role(r.Role),
			CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy}
	}
	return out, nil
}

// ListStaff returns every staff member by e-mail.
func (s *Store) ListStaff(ctx context.Context) (all []tenant.StaffMember, err error) {
	err = s.retryRepeatable(ctx, func() error {
		all, err = queryStaff(ctx, s.pool, "")
		return err
	})
	return all, err
}

// InStaffTx runs fn in one transaction.
func (s *Store) InStaffTx(ctx context.Context, fn func(tenant.StaffTx) error) error {
	return s.withTx(ctx, readWrite, func(t *txStore) error { return fn(t) })
}

// LockStaff reads the staff table and locks it against other staff changes
// (SHARE ROW EXCLUSIVE conflicts with itself, not with readers), so the
// last-platform-admin count holds until commit even against a new row.
func (t *txStore) LockStaff(ctx context.Context) ([]tenant.StaffMember, error) {
	if _, err := t.tx.Exec(ctx, `LOCK TABLE staff IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return nil, mapErr("lock staff", err)
	}
	return queryStaff(ctx, t.tx, "")
}

func (t *txStore) PutStaff(ctx context.Context, st tenant.StaffMember, by string) error {
	_, err := t.tx.Exec(ctx, `
		INSERT INTO staff (user_id, email, role, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, email = EXCLUDED.email`,
		st.UserID, st.Email, string(st.Role), by)
	return mapErr("put staff", err)
}

func (t *txStore) DeleteStaff(ctx context.Context, userID string) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM staff WHERE user_id::text = $1`, userID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr("remove staff", err)
}
