package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/config"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// make run on a registry that import-yaml filled (without the demo agencies)
// must still start: the demo owner owns what exists, or is left out.
func TestDemoPeopleFitTheRegistryTheyFind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name        string
		tenants     []string
		wantPeople  int
		wantTenants int
	}{
		{"no demo agencies", nil, 2, 0},
		{"only Africa Stay", []string{"africastay"}, 3, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pool := testdb.New(t)
			st := store.New(pool)
			var recs []tenant.Record
			for _, r := range demo.Agencies(time.Now()) {
				for _, id := range c.tenants {
					if r.Tenant.ID == id {
						recs = append(recs, r)
					}
				}
			}
			if len(recs) > 0 {
				if err := st.BulkInsert(ctx, recs); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := config.LoadFrom(map[string]string{"APP_ENV": "dev"}) // the embedded dev GoTrue
			if err != nil {
				t.Fatal(err)
			}
			log := logging.New(io.Discard, "text", "error")
			gt, stop, err := openGoTrue(ctx, cfg, log, pool)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			people, err := ensureDemoPeople(ctx, st, gt, log)
			if err != nil {
				t.Fatalf("ensureDemoPeople: %v", err)
			}
			if len(people) != c.wantPeople {
				t.Fatalf("%d demo people, want %d", len(people), c.wantPeople)
			}
			var members int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM organization_users`).Scan(&members); err != nil || members != c.wantTenants {
				t.Fatalf("memberships = %d (%v), want %d", members, err, c.wantTenants)
			}
			// Running it again changes nothing.
			if _, err := ensureDemoPeople(ctx, st, gt, log); err != nil {
				t.Fatalf("second run: %v", err)
			}
		})
	}
}
