package store_test

import (
	"context"
	"testing"

	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

func TestLoadAccess(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	const user = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	if _, err := st.Pool().Exec(ctx, `INSERT INTO organization_users (tenant_id, user_id, email, role, created_by) VALUES
		('africastay', $1, 'p@x.dev', 'owner', 't'), ('tn_4d1f2b33_x9ke', $1, 'p@x.dev', 'admin', 't')`, user); err != nil {
		t.Fatal(err)
	}
	a, err := st.LoadAccess(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if a.Staff != "" || len(a.Memberships) != 2 {
		t.Fatalf("access = %+v", a)
	}
	if m := a.Memberships[0]; m.TenantID != "africastay" || m.TenantName != "Africa Stay" ||
		m.TenantStatus != tenant.StatusActive || m.Role != tenant.MemberOwner {
		t.Fatalf("first membership = %+v", m)
	}
	if m := a.Memberships[1]; m.TenantStatus != tenant.StatusSuspended || m.Role != tenant.MemberAdmin {
		t.Fatalf("second membership = %+v", m)
	}

	prev, err := st.UpsertStaff(ctx, tenant.System("test"), store.Staff{UserID: user, Email: "p@x.dev", Role: tenant.RoleSupport})
	if err != nil || prev != "" {
		t.Fatalf("upsert staff: %v, previous %q", err, prev)
	}
	if prev, err = st.UpsertStaff(ctx, tenant.System("test"), store.Staff{UserID: user, Email: "p@x.dev", Role: tenant.RolePlatformAdmin}); err != nil || prev != tenant.RoleSupport {
		t.Fatalf("change role: %v, previous %q", err, prev)
	}
	if a, _ = st.LoadAccess(ctx, user); a.Staff != tenant.RolePlatformAdmin {
		t.Fatalf("staff = %q", a.Staff)
	}
	var audits int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('staff.added', 'staff.role_changed')`).Scan(&audits); err != nil || audits != 2 {
		t.Fatalf("staff audit events = %d (%v), want 2", audits, err)
	}
	if a, err := st.LoadAccess(ctx, "00000000-0000-0000-0000-000000000000"); err != nil || a.Staff != "" || len(a.Memberships) != 0 {
		t.Fatalf("unknown account: %+v %v", a, err)
	}
}

func TestCountAttemptWindows(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	for want := 1; want <= 3; want++ {
		if n, err := st.CountAttempt(ctx, "email:a@x.dev", 60); err != nil || n != want {
			t.Fatalf("attempt %d counted as %d (%v)", want, n, err)
		}
	}
	if n, _ := st.CountAttempt(ctx, "email:b@x.dev", 60); n != 1 {
		t.Fatalf("another key shares the count: %d", n)
	}
	// Reading the count does not add to it.
	for range 2 {
		if n, err := st.Attempts(ctx, "email:a@x.dev", 60); err != nil || n != 3 {
			t.Fatalf("Attempts = %d (%v), want 3", n, err)
		}
	}
	if n, err := st.Attempts(ctx, "email:nobody@x.dev", 60); err != nil || n != 0 {
		t.Fatalf("Attempts of an unknown key = %d (%v), want 0", n, err)
	}
	// Once the window is over, counting starts again.
	if _, err := st.Pool().Exec(ctx, `UPDATE sign_in_attempts SET window_start = now() - interval '2 minutes'`); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Attempts(ctx, "email:a@x.dev", 60); n != 0 {
		t.Fatalf("after the window Attempts = %d, want 0", n)
	}
	if n, _ := st.CountAttempt(ctx, "email:a@x.dev", 60); n != 1 {
		t.Fatalf("after the window: %d, want 1", n)
	}
}
