package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

var seedBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// seedAudit inserts n synthetic events in one statement: three events share
// each second (so the id breaks ties), 50 tenants, 5 actions, 20 actors.
func seedAudit(tb testing.TB, pool *pgxpool.Pool, n int) {
	tb.Helper()
	ctx := context.Background()
	_, err := pool.Exec(ctx, `
		INSERT INTO audit_events (occurred_at, actor_id, actor_email, actor_role, tenant_id, action, before, after)
		SELECT $1::timestamptz + (i / 3) * interval '1 second',
			'u' || (i % 20), 'actor' || (i % 20) || '@x.example', 'support',
			'tn_' || lpad((i % 50)::text, 8, '0') || '_seed',
			(ARRAY['tenant.suspended','tenant.reactivated','settings.updated','branding.updated','tenant.updated'])[1 + i % 5],
			jsonb_build_object('status', 'active'), jsonb_build_object('status', 'suspended', 'reason', 'seed ' || i)
		FROM generate_series(1, $2) AS i`, seedBase, n)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE audit_events`); err != nil {
		tb.Fatal(err)
	}
}

// Filters and keyset pagination on 100,000 events: walking every page of a
// filter gives each matching event exactly once, newest first, and the
// count agrees with SQL.
func TestAuditFiltersAndPagination(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	seedAudit(t, pool, 100_000)
	st := store.New(pool)
	svc := tenant.NewAuditService(st)
	staff := tenant.Actor{Email: "sam@console.example", Staff: tenant.RoleSupport}
	ctx := context.Background()

	for _, tc := range []struct {
		name  string
		q     tenant.AuditQuery
		where string
	}{
		{"tenant and action", tenant.AuditQuery{TenantID: "tn_00000007_seed", Action: "settings.updated", Limit: 100},
			`tenant_id = 'tn_00000007_seed' AND action = 'settings.updated'`},
		{"actor", tenant.AuditQuery{Actor: "ACTOR3@x.example", Limit: 500},
			`actor_email = 'actor3@x.example'`},
		{"date range", tenant.AuditQuery{From: "2026-01-01", To: "2026-01-01", Action: "tenant.suspended", Limit: 500},
			`occurred_at < '2026-01-02' AND action = 'tenant.suspended'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE `+tc.where).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if want == 0 {
				t.Fatal("the filter matches nothing; the test would prove nothing")
			}
			q := tc.q.Normalize(time.UTC)
			seen := map[int64]bool{}
			var prev *tenant.AuditEvent
			pages := 0
			for {
				page, err := svc.Page(ctx, staff, q, "")
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for i := range page.Events {
					ev := page.Events[i]
					if seen[ev.ID] {
						t.Fatalf("event %d on two pages", ev.ID)
					}
					seen[ev.ID] = true
					if prev != nil && (ev.OccurredAt.After(prev.OccurredAt) || (ev.OccurredAt.Equal(prev.OccurredAt) && ev.ID > prev.ID)) {
						t.Fatalf("event %d after %d is not older", ev.ID, prev.ID)
					}
					if q.TenantID != "" && ev.TenantID != q.TenantID || q.Action != "" && ev.Action != q.Action {
						t.Fatalf("event %+v does not match the filter", ev)
					}
					prev = &ev
				}
				if page.Next == "" {
					break
				}
				q.After = page.Next
				q = q.Normalize(time.UTC)
			}
			if len(seen) != want || pages < 2 {
				t.Fatalf("walked %d events in %d pages, SQL counts %d", len(seen), pages, want)
			}
		})
	}

	// nonsense in the URL falls back to no filter instead of an error
	q := tenant.AuditQuery{Actor: "a\x00b", Action: "DROP TABLE", TenantID: "../x", From: "yesterday", After: "!!"}.Normalize(time.UTC)
	if q.Actor != "" || q.Action != "" || q.TenantID != "" || q.From != "" || q.Cursor != nil {
		t.Fatalf("normalised to %+v", q)
	}
	// tenant people: their own tenant's log only, owners and admins only
	owner := tenant.Actor{Memberships: []tenant.Membership{{TenantID: "tn_00000001_seed", Role: tenant.MemberOwner}}}
	member := tenant.Actor{Memberships: []tenant.Membership{{TenantID: "tn_00000001_seed", Role: tenant.MemberMember}}}
	if p, err := svc.Page(ctx, owner, tenant.AuditQuery{TenantID: "tn_00000002_seed"}.Normalize(time.UTC), "tn_00000001_seed"); err != nil || len(p.Events) == 0 || p.Events[0].TenantID != "tn_00000001_seed" {
		t.Fatalf("owner's own log: %v", err)
	}
	for _, c := range []struct {
		actor tenant.Actor
		scope string
	}{{owner, "tn_00000002_seed"}, {member, "tn_00000001_seed"}, {owner, ""}} {
		if _, err := svc.Page(ctx, c.actor, tenant.AuditQuery{}.Normalize(time.UTC), c.scope); err == nil {
			t.Errorf("%+v read the log of %q", c.actor.Memberships, c.scope)
		}
	}
}

// BenchmarkAuditPage reports the time of the first page and of a deep page
// (past 95% of the log) of 100,000 events (AUDIT_BENCH_ROWS=1000000 for
// more): with the keyset the cost follows the page size, not the depth.
func BenchmarkAuditPage(b *testing.B) {
	pool := testdb.New(b)
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("AUDIT_BENCH_ROWS")); err == nil && v >= 1000 {
		n = v
	}
	seedAudit(b, pool, n)
	st := store.New(pool)
	ctx := context.Background()
	deep := tenant.AuditCursor{At: seedBase.Add(time.Duration(n/3/20) * time.Second), ID: int64(n / 20)}
	for _, bc := range []struct {
		name string
		q    tenant.AuditQuery
	}{
		{"first", tenant.AuditQuery{}},
		{"deep", tenant.AuditQuery{After: deep.String()}},
		{"tenant/first", tenant.AuditQuery{TenantID: "tn_00000007_seed"}},
		{"tenant/deep", tenant.AuditQuery{TenantID: "tn_00000007_seed", After: deep.String()}},
		{"action/deep", tenant.AuditQuery{Action: "tenant.suspended", After: deep.String()}},
		{"actor/first", tenant.AuditQuery{Actor: "actor3@x.example"}},
		{"date/first", tenant.AuditQuery{From: "2026-01-02", To: "2026-01-02"}},
	} {
		q := bc.q.Normalize(time.UTC)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				evs, err := st.AuditEvents(ctx, q)
				if err != nil || len(evs) == 0 {
					b.Fatal(fmt.Sprint(len(evs), err))
				}
			}
		})
	}
}
