package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// countsDrift lists the statuses and plans whose counter differs from the
// tenants table.
func countsDrift(t *testing.T, st *store.Store) []string {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `
		SELECT coalesce(c.status, t.status), coalesce(c.plan, t.plan), coalesce(c.n, 0), coalesce(t.n, 0)
		FROM (SELECT status, plan, sum(n) AS n FROM tenant_counts GROUP BY 1, 2) c
		FULL JOIN (SELECT status, plan, count(*) AS n FROM tenants GROUP BY 1, 2) t
			ON t.status = c.status AND t.plan = c.plan
		WHERE coalesce(c.n, 0) <> coalesce(t.n, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var status, plan string
	var counted, real int
	if _, err := pgx.ForEachRow(rows, []any{&status, &plan, &counted, &real}, func() error {
		out = append(out, fmt.Sprintf("%s/%s: counted %d, table %d", status, plan, counted, real))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Writers that create, suspend, restore and delete tenants at the same time
// leave the counters agreeing with the table, and one writer's open
// transaction does not hold up another creating a tenant of the same status
// and plan (the counters are striped by tenant id).
func TestTenantCountsFollowConcurrentWriters(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	ctx := context.Background()
	gen := demo.NewGenerator(5, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	var seed []tenant.Record
	for range 2000 {
		seed = append(seed, gen.Next())
	}
	if err := st.BulkInsert(ctx, seed); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	next := func() tenant.Record {
		mu.Lock()
		defer mu.Unlock()
		return gen.Next()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				rec := next()
				if err := st.BulkInsert(ctx, []tenant.Record{rec}); err != nil {
					errs <- err
					return
				}
				victim := seed[w*400+i].Tenant.ID
				var sql string
				switch i % 3 {
				case 0:
					sql = `UPDATE tenants SET status = 'suspended', suspended_at = now(), suspended_reason = 'test' WHERE id = $1 AND status = 'active'`
				case 1:
					sql = `UPDATE tenants SET status = 'active' WHERE id = $1 AND status = 'suspended'`
				default:
					sql = `DELETE FROM tenants WHERE id = $1`
				}
				if _, err := st.Pool().Exec(ctx, sql, victim); err != nil {
					errs <- err
					return
				}
				if _, err := st.Pool().Exec(ctx, `UPDATE tenants SET plan = 'enterprise' WHERE id = $1`, rec.Tenant.ID); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if drift := countsDrift(t, st); len(drift) > 0 {
		t.Fatalf("tenant_counts disagree with the table: %v", drift)
	}

	// Two new active lite tenants whose ids fall in different stripes: the
	// second is written while the first's transaction is still open.
	first, second := next(), next()
	for stripe(t, st, second.Tenant.ID) == stripe(t, st, first.Tenant.ID) {
		second = next()
	}
	first.Tenant.Status, first.Tenant.Plan = tenant.StatusActive, tenant.PlanLite
	second.Tenant.Status, second.Tenant.Plan = tenant.StatusActive, tenant.PlanLite
	tx, err := st.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO tenants (id, name, short_name, status, plan, max_users, max_monthly_quotes,
		max_storage_gb, created_by, source) VALUES ($1, $2, $3, 'active', 'lite', 5, 100, 1, 'test', 'onboarding')`,
		first.Tenant.ID, first.Tenant.Name, first.Tenant.ShortName); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := st.BulkInsert(waitCtx, []tenant.Record{second}); err != nil {
		t.Fatalf("a second writer waited on the first's open transaction: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if drift := countsDrift(t, st); len(drift) > 0 {
		t.Fatalf("tenant_counts disagree with the table: %v", drift)
	}
}

func stripe(t *testing.T, st *store.Store, id string) int {
	t.Helper()
	var n int
	if err := st.Pool().QueryRow(context.Background(), `SELECT hashtext($1) & 31`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
