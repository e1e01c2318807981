package store

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/tenant"
)

var _ tenant.MemberStore = (*Store)(nil)

// ListPeople reads a tenant, its members (owners, then admins, then
// members) and its invitations still marked pending, in one snapshot.
func (s *Store) ListPeople(ctx context.Context, tenantID string) (t tenant.Tenant, members []tenant.Member, invs []tenant.Invitation, err error) {
	err = s.withTx(ctx, snapshot,
		func(st *txStore) error {
			tx := st.tx
			var err error
			if t, err = getTenant(ctx, tx, tenantID); err != nil {
				return err
			}
			if members, err = listMembers(ctx, tx, tenantID, ""); err != nil {
				return err
			}
			if invs, err = queryInvitations(ctx, tx, `WHERE tenant_id = $1 AND status = 'pending'
				ORDER BY created_at DESC, id DESC`, tenantID); err != nil {
				return err
			}
			return nil
		})
	rank := map[tenant.MemberRole]int{tenant.MemberOwner: 0, tenant.MemberAdmin: 1, tenant.MemberMember: 2}
	slices.SortStableFunc(members, func(a, b tenant.Member) int { return rank[a.Role] - rank[b.Role] })
	return t, members, invs, err
}

// InPeopleTx runs fn in one transaction.
func (s *Store) InPeopleTx(ctx context.Context, fn func(tenant.PeopleTx) error) error {
	return s.withTx(ctx, readWrite, func(t *txStore) error { return fn(t) })
}

func (t *txStore) ExpireInvitations(ctx context.Context, tenantID string) error {
	_, err := t.tx.Exec(ctx, `UPDATE user_invitations SET status = 'expired'
		WHERE tenant_id = $1 AND status = 'pending' AND expires_at <= now()`, tenantID)
	return mapErr("expire invitations", err)
}

func (t *txStore) MemberByEmail(ctx context.Context, tenantID, email string) (tenant.Member, error) {
	return oneMember(ctx, t.tx, `tenant_id = $1 AND lower(email) = lower($2)`, tenantID, email)
}

func (t *txStore) MemberByUser(ctx context.Context, tenantID, userID string) (tenant.Member, error) {
	return oneMember(ctx, t.tx, `tenant_id = $1 AND user_id::text = $2`, tenantID, userID)
}

func oneMember(ctx context.Context, q querier, where string, args ...any) (tenant.Member, error) {
	rows, err := q.Query(ctx, `SELECT tenant_id, user_id::text AS user_id, email, display_name, role, created_at
		FROM organization_users WHERE `+where+` FOR UPDATE`, args...)
	if err != nil {
		return tenant.Member{}, mapErr("get member", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[memberRow])
	if err != nil {
		return tenant.Member{}, mapErr("get member", err)
	}
	return r.domain(), nil
}

func (t *txStore) PendingInvitation(ctx context.Context, tenantID, email string) (tenant.Invitation, error) {
	return oneInvitation(ctx, t.tx, `WHERE tenant_id = $1 AND lower(email) = lower($2) AND status = 'pending'
		FOR UPDATE`, tenantID, email)
}

func (t *txStore) Invitation(ctx context.Context, tenantID string, id int64) (tenant.Invitation, error) {
	return oneInvitation(ctx, t.tx, `WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, id)
}

func (t *txStore) CountSeats(ctx context.Context, tenantID string) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM organization_users WHERE tenant_id = $1) +
		(SELECT count(*) FROM user_invitations WHERE tenant_id = $1 AND status = 'pending' AND expires_at > now())`,
		tenantID).Scan(&n)
	return n, mapErr("count seats", err)
}

func (t *txStore) CountOwners(ctx context.Context, tenantID string) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT count(*) FROM organization_users WHERE tenant_id = $1 AND role = 'owner'`,
		tenantID).Scan(&n)
	return n, mapErr("count owners", err)
}

func (t *txStore) UpdateMemberRole(ctx context.Context, tenantID, userID string, role tenant.MemberRole) error {
	tag, err := t.tx.Exec(ctx, `UPDATE organization_users SET role = $3 WHERE tenant_id = $1 AND user_id::text = $2`,
		tenantID, userID, string(role))
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr("change member role", err)
}

func (t *txStore) DeleteMember(ctx context.Context, tenantID, userID string) error {
	// The tenant's search column loses the address in the same statement
	// (the subquery still sees the deleted row, hence the u.id <> d.id).
	tag, err := t.tx.Exec(ctx, `
		WITH d AS (DELETE FROM organization_users WHERE tenant_id = $1 AND user_id::text = $2 RETURNING id, tenant_id),
		t AS (UPDATE tenants t SET contact_emails = concat_ws(E'\x1f',
				(SELECT s.support_email FROM tenant_settings s WHERE s.tenant_id = t.id),
				(SELECT string_agg(u.email, E'\x1f' ORDER BY u.id) FROM organization_users u
					WHERE u.tenant_id = t.id AND u.id NOT IN (SELECT id FROM d)))
			WHERE t.id IN (SELECT tenant_id FROM d))
		SELECT FROM d`, tenantID, userID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr("remove member", err)
}

func (t *txStore) InsertInvitation(ctx context.Context, inv tenant.Invitation) (tenant.Invitation, error) {
	err := t.tx.QueryRow(ctx, `INSERT INTO user_invitations (tenant_id, email, role, invited_by, status, created_at, expires_at)
		VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING id`,
		inv.TenantID, inv.Email, string(inv.Role), inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt).Scan(&inv.ID)
	inv.Status = tenant.InvitationPending
	return inv, mapErr("insert invitation", err)
}

func (t *txStore) SetInvitationStatus(ctx context.Context, id int64, status tenant.InvitationStatus) error {
	_, err := t.tx.Exec(ctx, `UPDATE user_invitations SET status = $2 WHERE id = $1`, id, string(status))
	return mapErr("set invitation status", err)
}

func (t *txStore) ExtendInvitation(ctx context.Context, id int64, expiresAt time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE user_invitations SET expires_at = $2 WHERE id = $1`, id, expiresAt)
	return mapErr("extend invitation", err)
}

func (t *txStore) PendingInvitationsFor(ctx context.Context, email string) ([]tenant.Invitation, error) {
	return queryInvitations(ctx, t.tx, `WHERE lower(email) = lower($1) AND status = 'pending' AND expires_at > now()
		ORDER BY id`, email)
}

type invitationRow struct {
	ID        int64     `db:"id"`
	TenantID  string    `db:"tenant_id"`
	Email     string    `db:"email"`
	Role      string    `db:"role"`
	InvitedBy string    `db:"invited_by"`
	Status    string    `db:"status"`
	CreatedAt time.Time `db:"created_at"`
	ExpiresAt time.Time `db:"expires_at"`
}

func (r invitationRow) domain() tenant.Invitation {
	return tenant.Invitation{ID: r.ID, TenantID: r.TenantID, Email: r.Email, Role: tenant.MemberRole(r.Role),
		InvitedBy: r.InvitedBy, Status: tenant.InvitationStatus(r.Status), CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
}

const invitationColumns = `id, tenant_id, email, role, invited_by, status, created_at, expires_at`

func queryInvitations(ctx context.Context, q querier, rest string, args ...any) ([]tenant.Invitation, error) {
	rows, err := q.Query(ctx, `SELECT `+invitationColumns+` FROM user_invitations `+rest, args...)
	if err != nil {
		return nil, mapErr("list invitations", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByName[invitationRow])
	if err != nil {
		return nil, mapErr("list invitations", err)
	}
	out := make([]tenant.Invitation, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

func oneInvitation(ctx context.Context, q querier, rest string, args ...any) (tenant.Invitation, error) {
	rows, err := q.Query(ctx, `SELECT `+invitationColumns+` FROM user_invitations `+rest, args...)
	if err != nil {
		return tenant.Invitation{}, mapErr("get invitation", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[invitationRow])
	if err != nil {
		return tenant.Invitation{}, mapErr("get invitation", err)
	}
	return r.domain(), nil
}
