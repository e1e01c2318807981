package tenant_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

func lifecycleFixture(t *testing.T) (*tenant.Service, *pgxpool.Pool, func(id string) (tenant.Tenant, int)) {
	t.Helper()
	ctx := context.Background()
	pool := testdb.New(t)
	st := store.New(pool)
	if err := st.BulkInsert(ctx, demo.Agencies(time.Now())); err != nil {
		t.Fatal(err)
	}
	read := func(id string) (tenant.Tenant, int) {
		d, err := st.GetDetail(ctx, id, 100)
		if err != nil {
			t.Fatal(err)
		}
		return d.Tenant, len(d.Audit)
	}
	return tenant.NewService(st), pool, read
}

// Every cell of status × action × role: allowed ones move the status, bump
// the version and write one event; refused ones change nothing.
func TestLifecycleTable(t *testing.T) {
	t.Parallel()
	svc, _, read := lifecycleFixture(t)
	ctx := context.Background()
	admin := tenant.Actor{UserID: "u-admin", Email: "ada@console.example", Staff: tenant.RolePlatformAdmin}
	support := tenant.Actor{UserID: "u-sup", Email: "sam@console.example", Staff: tenant.RoleSupport}
	owner := tenant.Actor{UserID: "u-own", Email: "olu@x.example",
		Memberships: []tenant.Membership{{TenantID: "africastay", Role: tenant.MemberOwner}}}

	// one tenant per starting status, put there by an admin
	start := map[tenant.Status]string{
		tenant.StatusActive: "africastay", tenant.StatusSuspended: "tn_1f3a9c0b_k3xq", tenant.StatusDeleted: "tn_006943ff_d8yf",
	}
	reset := func(id string, to tenant.Status) {
		cur, _ := read(id)
		for cur.Status != to {
			var act tenant.LifecycleAction
			switch {
			case cur.Status == tenant.StatusDeleted:
				act = tenant.ActRestore
			case to == tenant.StatusDeleted:
				act = tenant.ActDelete
			case to == tenant.StatusSuspended:
				act = tenant.ActSuspend
			default:
				act = tenant.ActReactivate
			}
			if _, err := svc.Lifecycle(ctx, admin, tenant.LifecycleRequest{TenantID: id, Action: act, Reason: "fixture", ConfirmID: id}); err != nil {
				t.Fatalf("reset %s to %s: %v", id, to, err)
			}
			cur, _ = read(id)
		}
	}
	for _, from := range tenant.Statuses {
		for _, act := range tenant.LifecycleActions {
			for _, who := range []struct {
				name  string
				actor tenant.Actor
			}{{"admin", admin}, {"support", support}, {"owner", owner}} {
				id := start[from]
				if who.name == "owner" {
					id = "africastay"
				}
				reset(id, from)
				before, events := read(id)
				_, err := svc.Lifecycle(ctx, who.actor, tenant.LifecycleRequest{
					TenantID: id, Action: act, Version: before.Version, Reason: "because", ConfirmID: id})
				after, eventsAfter := read(id)

				var allowed bool
				for _, tr := range tenant.Transitions {
					if tr.Action == act && tr.From == from {
						for _, r := range tr.Roles {
							allowed = allowed || r == who.actor.Staff
						}
					}
				}
				name := string(from) + " " + string(act) + " by " + who.name
				if allowed {
					if err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					if after.Status != act.Target() || after.Version != before.Version+1 || eventsAfter != events+1 {
						t.Errorf("%s: status %s version %d→%d events %d→%d", name, after.Status, before.Version, after.Version, events, eventsAfter)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s: allowed, want refused", name)
				}
				switch {
				case who.name == "owner" && !errors.Is(err, apperr.ErrForbidden):
					t.Errorf("%s: %v, want forbidden", name, err)
				case who.name != "owner" && !who.actor.MayAsk(act) && !errors.Is(err, apperr.ErrForbidden):
					t.Errorf("%s: %v, want forbidden", name, err)
				case who.actor.MayAsk(act) && tenant.RefusalCode(err) == "":
					t.Errorf("%s: %v, want a refusal", name, err)
				}
				if after.Status != before.Status || after.Version != before.Version || eventsAfter != events {
					t.Errorf("%s: refused but changed: status %s→%s events %d→%d", name, before.Status, after.Status, events, eventsAfter)
				}
			}
		}
	}
}

// Two people send the same form at once: one wins, the other is told who
// changed the tenant and to what.
func TestLifecycleSameVersionOneWins(t *testing.T) {
	t.Parallel()
	svc, _, read := lifecycleFixture(t)
	ctx := context.Background()
	admin := tenant.Actor{UserID: "u-admin", Email: "ada@console.example", Staff: tenant.RolePlatformAdmin}
	support := tenant.Actor{UserID: "u-sup", Email: "sam@console.example", Staff: tenant.RoleSupport}
	cur, events := read("africastay")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, req := range []struct {
		actor tenant.Actor
		act   tenant.LifecycleAction
	}{{support, tenant.ActSuspend}, {admin, tenant.ActDelete}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Lifecycle(ctx, req.actor, tenant.LifecycleRequest{TenantID: "africastay", Action: req.act,
				Version: cur.Version, Reason: "race", ConfirmID: "africastay"})
		}()
	}
	wg.Wait()
	var conflicts int
	for _, err := range errs {
		if tenant.RefusalCode(err) == tenant.RefusedStale && errors.Is(err, apperr.ErrConflict) {
			conflicts++
			if msg := apperr.MessageOf(err); msg == "" || !containsAny(msg, "sam@console.example", "ada@console.example") {
				t.Errorf("the loser is not told who won: %q", msg)
			}
		} else if err != nil {
			t.Errorf("unexpected error %v", err)
		}
	}
	after, eventsAfter := read("africastay")
	if conflicts != 1 || after.Version != cur.Version+1 || eventsAfter != events+1 {
		t.Fatalf("conflicts %d, version %d→%d, events %d→%d", conflicts, cur.Version, after.Version, events, eventsAfter)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// The table has one row per (action, from status), and every action leads
// to one status whatever it starts from.
func TestTransitionTableIsAFunction(t *testing.T) {
	seen := map[[2]string]bool{}
	for _, tr := range tenant.Transitions {
		k := [2]string{string(tr.Action), string(tr.From)}
		if seen[k] {
			t.Errorf("two rows for %v", k)
		}
		seen[k] = true
		if tr.To != tr.Action.Target() || !tr.From.Valid() || !tr.To.Valid() || len(tr.Roles) == 0 {
			t.Errorf("row %+v", tr)
		}
	}
}

// A tenant deleted longer ago than the grace period can no longer be
// restored (purge is due); the refusal changes nothing.
func TestRestoreAfterGracePeriodRefused(t *testing.T) {
	t.Parallel()
	svc, pool, read := lifecycleFixture(t)
	ctx := context.Background()
	admin := tenant.Actor{Email: "ada@console.example", Staff: tenant.RolePlatformAdmin}
	const id = "tn_1f3a9c0b_k3xq"
	if _, err := svc.Lifecycle(ctx, admin, tenant.LifecycleRequest{TenantID: id, Action: tenant.ActDelete, Reason: "closed", ConfirmID: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE tenants SET deleted_at = now() - interval '31 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	before, events := read(id)
	_, err := svc.Lifecycle(ctx, admin, tenant.LifecycleRequest{TenantID: id, Action: tenant.ActRestore})
	if tenant.RefusalCode(err) != tenant.RefusedPurged || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("restore after 31 days: %v", err)
	}
	after, eventsAfter := read(id)
	if after.Status != tenant.StatusDeleted || after.Version != before.Version || eventsAfter != events {
		t.Fatal("the refusal changed the tenant")
	}
}
