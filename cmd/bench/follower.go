package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/mirror"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

// ---------------------------------------------------------------- live mirror

// followerFigures are the live mirror's lag, from a change's commit to its
// tenant's files renamed into place, over a run of changes.
type followerFigures struct {
	Tenants int     `json:"tenants"`
	Changes int     `json:"changes"`
	Writers int     `json:"writers"`
	Lag     stats   `json:"lag"`
	MaxMS   float64 `json:"max_ms"`
}

var benchActor = tenant.Actor{UserID: "5b0f3c1e-0000-4000-8000-00000000be4c", Email: "bench@console.example",
	Staff: tenant.RolePlatformAdmin}

// benchFollower seeds a small database of its own (the follower's first
// reconcile writes every tenant's folder, which is not what is measured),
// runs a follower over a fresh tree as `sync-yaml --follow` does, and has
// writers make changes through the same services the console's pages use:
// settings, branding, plan, suspend and reactivate.
func benchFollower(ctx context.Context, o options, tenants, changes, writers int) (followerFigures, error) {
	figs := followerFigures{Tenants: tenants, Changes: changes, Writers: writers}
	dbURL, drop, err := createDatabase(ctx, o.adminURL)
	if err != nil {
		return figs, err
	}
	defer drop()
	dir, err := os.MkdirTemp("", "console-bench-mirror-")
	if err != nil {
		return figs, err
	}
	defer os.RemoveAll(dir)
	if out, err := runConsole(o.console, consoleEnv(dbURL, dir), "seed", "--tenants", strconv.Itoa(tenants), "--seed", "2"); err != nil {
		return figs, fmt.Errorf("seed: %w\n%s", err, tail(out, 2000))
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return figs, err
	}
	defer pool.Close()
	st := store.New(pool)
	ids, err := st.ActiveTenantIDs(ctx)
	if err != nil || len(ids) < writers {
		return figs, fmt.Errorf("active tenants: %d, %v", len(ids), err)
	}

	var mu sync.Mutex
	var lags []time.Duration
	f := &mirror.Follower{
		Mirror: &mirror.Mirror{Dir: filepath.Join(dir, "clients"), Store: st},
		Dial: func(ctx context.Context) (mirror.Feed, error) {
			return store.DialChangeFeed(ctx, dbURL)
		},
		Observed: func(_ mirror.Change, lag time.Duration) {
			mu.Lock()
			lags = append(lags, lag)
			mu.Unlock()
		},
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.Run(runCtx) }()
	defer func() { stop(); <-done }()
	if err := waitUntil(60*time.Second, func() bool { return !f.Status().LastReconcile.IsZero() }); err != nil {
		return figs, fmt.Errorf("the follower's first reconcile: %w (%s)", err, f.Status().LastError)
	}

	svc := tenant.NewService(st)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 3))
			mine := ids[w*len(ids)/writers : (w+1)*len(ids)/writers] // one writer per tenant: no refusals
			suspended := map[string]bool{}
			for i, wrote := 0, 0; wrote < changes/writers; i++ {
				ok, err := benchChange(ctx, svc, st, rng, mine[rng.IntN(len(mine))], i, suspended)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					wrote++
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return figs, err
	}
	want := changes / writers * writers
	if err := waitUntil(30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(lags) >= want }); err != nil {
		return figs, fmt.Errorf("the follower applied %d of %d changes: %w", len(lags), want, err)
	}
	mu.Lock()
	defer mu.Unlock()
	figs.Changes = len(lags)
	figs.Lag = summarize(lags) // sorts
	figs.MaxMS = float64(lags[len(lags)-1].Microseconds()) / 1000
	return figs, nil
}

// benchChange makes one change to tenant id; false when it was one that
// changes nothing (a theme or quota it already has), so nothing was
// written or announced.
func benchChange(ctx context.Context, svc *tenant.Service, st *store.Store, rng *rand.Rand, id string, i int, suspended map[string]bool) (bool, error) {
	if suspended[id] {
		suspended[id] = false
		_, err := svc.Lifecycle(ctx, benchActor, tenant.LifecycleRequest{TenantID: id, Action: tenant.ActReactivate, ConfirmID: id})
		return err == nil, err
	}
	d, err := st.GetDetail(ctx, id, 0)
	if err != nil {
		return false, err
	}
	var res tenant.EditResult
	switch rng.IntN(4) {
	case 0:
		in := tenant.SettingsInputOf(d.Settings)
		in.CompanyName = fmt.Sprintf("Bench Company %d", i)
		res, err = svc.EditSettings(ctx, benchActor, id, in)
	case 1:
		res, err = svc.EditBranding(ctx, benchActor, id, tenant.BrandingInputOf(d.Branding).WithTheme(tenant.Themes[rng.IntN(len(tenant.Themes))].ID))
	case 2:
		in := tenant.PlanInputOf(d.Tenant)
		in.MaxUsers = strconv.Itoa(10 + rng.IntN(90))
		res, err = svc.ChangePlan(ctx, benchActor, id, in)
	case 3:
		suspended[id] = true
		_, err = svc.Lifecycle(ctx, benchActor, tenant.LifecycleRequest{TenantID: id, Action: tenant.ActSuspend,
			Reason: "Bench", ConfirmID: id})
		return err == nil, err
	}
	return err == nil && len(res.Changed) > 0, err
}

func waitUntil(d time.Duration, cond func() bool) error {
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return errors.New("timed out after " + d.String())
		}
	}
	return nil
}

func printFollower(w io.Writer, f followerFigures) {
	if f.Changes == 0 {
		return
	}
	fmt.Fprintf(w, "\nlive mirror (sync-yaml --follow), %d changes from %d writers over %d tenants: lag commit → file renamed p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		f.Changes, f.Writers, f.Tenants, f.Lag.P50, f.Lag.P99, f.MaxMS)
}

func judgeFollower(f followerFigures) []targetResult {
	return []targetResult{{"live mirror lag p99 ≤ 1 s", fmt.Sprintf("%.0f ms", f.Lag.P99), f.Changes > 0 && f.Lag.P99 <= 1000}}
}
