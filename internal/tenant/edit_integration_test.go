package tenant_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

func editService(t *testing.T) (*tenant.Service, *store.Store, func(q string, args ...any) int) {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	if err := st.BulkInsert(context.Background(), demo.Agencies(time.Now())); err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int {
		var n int
		if err := pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return tenant.NewService(st), st, count
}

func settingsInput(t *testing.T, st *store.Store, id string) tenant.SettingsInput {
	t.Helper()
	d, err := st.GetDetail(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tenant.SettingsInputOf(d.Settings)
}

// Many saves of one form version at once: exactly one lands, the others are
// told the form is stale, and exactly one audit event is written.
func TestConcurrentSavesOfOneVersionLandOnce(t *testing.T) {
	t.Parallel()
	svc, st, count := editService(t)
	in := settingsInput(t, st, "africastay")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := in
			mine.CompanyName = fmt.Sprintf("Africa Stay %d", i)
			_, errs[i] = svc.EditSettings(context.Background(), admin, "africastay", mine)
		}()
	}
	wg.Wait()
	saved, stale := 0, 0
	for _, err := range errs {
		switch _, isStale := tenant.AsStale(err); {
		case err == nil:
			saved++
		case isStale && errors.Is(err, apperr.ErrConflict):
			stale++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if saved != 1 || stale != n-1 {
		t.Fatalf("%d saved, %d stale; want 1 and %d", saved, stale, n-1)
	}
	if v := count(`SELECT version FROM tenant_settings WHERE tenant_id = 'africastay'`); v != 2 {
		t.Fatalf("version %d", v)
	}
	if a := count(`SELECT count(*) FROM audit_events WHERE tenant_id = 'africastay' AND action = $1`, tenant.ActionSettingsUpdated); a != 1 {
		t.Fatalf("%d audit events", a)
	}
}

// A tenant without a settings row (legacy data) gets one from its first
// save, at version 0 → 1.
func TestFirstSaveCreatesMissingSettings(t *testing.T) {
	t.Parallel()
	svc, st, count := editService(t)
	in := settingsInput(t, st, "africastay")
	if count(`WITH d AS (DELETE FROM tenant_settings WHERE tenant_id = 'africastay' RETURNING 1) SELECT count(*) FROM d`) != 1 {
		t.Fatal("no row deleted")
	}
	page, err := svc.GetSettings(context.Background(), admin, "africastay")
	if err != nil || page.Settings != nil {
		t.Fatalf("page: %+v %v", page, err)
	}
	in.Version = "0"
	res, err := svc.EditSettings(context.Background(), admin, "africastay", in)
	if err != nil || res.Version != 1 || len(res.Changed) == 0 || res.Changed[0] != "company_name" {
		t.Fatalf("first save: %+v %v", res, err)
	}
	if count(`SELECT count(*) FROM tenant_settings WHERE tenant_id = 'africastay'`) != 1 {
		t.Fatal("no settings row")
	}
	// The same form again matches what is saved: unchanged, not stale.
	if res, err := svc.EditSettings(context.Background(), admin, "africastay", in); err != nil || len(res.Changed) != 0 {
		t.Fatalf("second save: %+v %v", res, err)
	}
}
