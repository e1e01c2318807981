package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

var _ auth.AccessStore = (*Store)(nil)

// LoadAccess returns the staff role and tenant memberships of a GoTrue
// account, in one snapshot.
func (s *Store) LoadAccess(ctx context.Context, userID string) (a auth.Access, err error) {
	err = s.retryRepeatable(ctx, func() error {
		a, err = s.loadAccess(ctx, userID)
		return err
	})
	return a, err
}

func (s *Store) loadAccess(ctx context.Context, userID string) (auth.Access, error) {
	var a auth.Access
	rows, err := s.pool.Query(ctx, `
		SELECT NULL AS tenant_id, NULL AS tenant_name, NULL AS tenant_status, role
			FROM staff WHERE user_id = $1
		UNION ALL
		SELECT ou.tenant_id, t.name, t.status, ou.role
			FROM organization_users ou JOIN tenants t ON t.id = ou.tenant_id
			WHERE ou.user_id = $1
		ORDER BY 2 NULLS FIRST`, userID)
	if err != nil {
		return a, mapErr("load access", err)
	}
	var tenantID, name, status *string
	var role string
	_, err = pgx.ForEachRow(rows, []any{&tenantID, &name, &status, &role}, func() error {
		if tenantID == nil {
			a.Staff = tenant.Role(role)
			return nil
		}
		a.Memberships = append(a.Memberships, tenant.Membership{
			TenantID: *tenantID, TenantName: *name, TenantStatus: tenant.Status(*status),
			Role: tenant.MemberRole(role),
		})
		return nil
	})
	return a, mapErr("load access", err)
}

// CountAttempt adds one attempt under key to its current fixed window (a new
// window starts once the old one is over) and returns the window's count.
func (s *Store) CountAttempt(ctx context.Context, key string, windowSeconds int) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		INSERT INTO sign_in_attempts AS a (key, window_start, attempts) VALUES ($1, now(), 1)
		ON CONFLICT (key) DO UPDATE SET
			attempts = CASE WHEN a.window_start > now() - make_interval(secs => $2) THEN a.attempts + 1 ELSE 1 END,
			window_start = CASE WHEN a.window_start > now() - make_interval(secs => $2) THEN a.window_start ELSE now() END
		RETURNING attempts`, key, windowSeconds).Scan(&n)
	return n, mapErr("count sign-in attempt", err)
}

// Attempts returns the count of key's current window (0 once it is over),
// without counting anything.
func (s *Store) Attempts(ctx context.Context, key string, windowSeconds int) (int, error) {
	var n int
	err := s.retryRepeatable(ctx, func() error {
		return mapErr("read sign-in attempts", s.pool.QueryRow(ctx, `
			SELECT coalesce(max(attempts), 0) FROM sign_in_attempts
			WHERE key = $1 AND window_start > now() - make_interval(secs => $2)`, key, windowSeconds).Scan(&n))
	})
	return n, err
}

// PruneExpired deletes expired sessions and the sign-in counters whose
// window started before cutoff.
func (s *Store) PruneExpired(ctx context.Context, cutoff time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < now()`); err != nil {
		return mapErr("prune sessions", err)
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM sign_in_attempts WHERE window_start < $1`, cutoff)
	return mapErr("prune sign-in attempts", err)
}

// Staff is one platform staff member.
type Staff struct {
	UserID string
	Email  string
	Role   tenant.Role
}

// UpsertStaff gives an account a staff role (creating or changing it) and
// audits the change in the same transaction. It is for test fixtures: the
// console and the CLI go through tenant.StaffService, which also keeps the
// last platform admin. It reports the previous role
// ("" when the account was not staff).
func (s *Store) UpsertStaff(ctx context.Context, actor tenant.Actor, st Staff) (tenant.Role, error) {
	var previous tenant.Role
	err := s.withTx(ctx, readWrite, func(t *txStore) error {
		tx := t.tx
		var prev string
		err := tx.QueryRow(ctx, `SELECT role FROM staff WHERE user_id = $1 FOR UPDATE`, st.UserID).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return mapErr("upsert staff", err)
		}
		previous = tenant.Role(prev)
		if previous == st.Role {
			return nil
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO staff (user_id, email, role, created_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, email = EXCLUDED.email`,
			st.UserID, st.Email, string(st.Role), actor.Email)
		if err != nil {
			return mapErr("upsert staff", err)
		}
		ev := tenant.NewAuditEvent(actor, "", tenant.ActionStaffAdded)
		if previous != "" {
			ev.Action = tenant.ActionStaffRoleChanged
			ev.Before = map[string]any{"email": st.Email, "role": string(previous)}
		}
		ev.After = map[string]any{"email": st.Email, "role": string(st.Role), "user_id": st.UserID}
		return insertAudit(ctx, tx, ev)
	})
	return previous, err
}
