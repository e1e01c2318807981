package tenant_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/tenant-console/console/internal/tenant"
)

// race runs fns at once and returns their errors.
func race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = fn() }()
	}
	wg.Wait()
	return errs
}

// oneRefused reports whether exactly one of errs is a refusal with its
// reason and the others are nil.
func oneRefused(errs []error) bool {
	refused := 0
	for _, err := range errs {
		switch {
		case tenant.Refused(err) != "":
			refused++
		case err != nil:
			return false
		}
	}
	return refused == 1
}

// Two owners demoting each other at the same moment cannot leave the tenant
// without one: the tenant row lock orders them and the second sees one owner.
func TestTwoOwnersCannotBothStepDown(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	res := h.onboard(t, form())
	id := res.TenantID
	second := uuid.NewString()
	if _, err := h.pool.Exec(ctx, `INSERT INTO organization_users (tenant_id, user_id, email, role, created_by)
		VALUES ($1, $2, 'second@krugersafaris.example', 'owner', 'test')`, id, second); err != nil {
		t.Fatal(err)
	}
	var first string
	if err := h.pool.QueryRow(ctx, `SELECT user_id::text FROM organization_users WHERE tenant_id = $1 AND user_id <> $2`,
		id, second).Scan(&first); err != nil {
		t.Fatal(err)
	}
	members := tenant.NewMemberService(h.store, h.accounts)
	for range 5 {
		errs := race(
			func() error { _, err := members.ChangeRole(ctx, admin, id, first, "admin"); return err },
			func() error { _, err := members.Remove(ctx, admin, id, second); return err },
		)
		if !oneRefused(errs) {
			t.Fatalf("concurrent demotion and removal of the two owners: %v", errs)
		}
		var owners int
		_ = h.pool.QueryRow(ctx, `SELECT count(*) FROM organization_users WHERE tenant_id = $1 AND role = 'owner'`, id).Scan(&owners)
		if owners != 1 {
			t.Fatalf("%d owners left", owners)
		}
		// Put both back for the next round.
		_, _ = h.pool.Exec(ctx, `UPDATE organization_users SET role = 'owner' WHERE tenant_id = $1`, id)
		_, _ = h.pool.Exec(ctx, `INSERT INTO organization_users (tenant_id, user_id, email, role, created_by)
			VALUES ($1, $2, 'second@krugersafaris.example', 'owner', 'test') ON CONFLICT DO NOTHING`, id, second)
	}
}

// Two platform admins removing each other at once leave one of them.
func TestTwoPlatformAdminsCannotRemoveEachOther(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	a, b := uuid.NewString(), uuid.NewString()
	for _, p := range []struct{ id, email string }{{a, "a@ops.example"}, {b, "b@ops.example"}} {
		if _, err := h.pool.Exec(ctx, `INSERT INTO staff (user_id, email, role, created_by) VALUES ($1, $2, 'platform_admin', 'test')`,
			p.id, p.email); err != nil {
			t.Fatal(err)
		}
	}
	staff := tenant.NewStaffService(h.store, h.accounts)
	errs := race(
		func() error { _, err := staff.Remove(ctx, admin, a); return err },
		func() error { _, err := staff.ChangeRole(ctx, admin, b, "support"); return err },
	)
	if !oneRefused(errs) {
		t.Fatalf("concurrent removal and demotion of the two platform admins: %v", errs)
	}
	var n int
	_ = h.pool.QueryRow(ctx, `SELECT count(*) FROM staff WHERE role = 'platform_admin'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d platform admins left", n)
	}
	var events int
	_ = h.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('staff.removed', 'staff.role_changed')`).Scan(&events)
	if events != 1 {
		t.Errorf("%d audit events, want 1 (the change that happened)", events)
	}
}
