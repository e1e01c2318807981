package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/devdb"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
)

// privateCluster starts a throw-away Postgres cluster of its own (initdb
// into a temporary directory, on a free port), migrated, and stopped when
// the test ends: a test may restart it without touching the Postgres other
// tests share. It returns the database URL and the data directory.
func privateCluster(t *testing.T) (dbURL, dataDir string) {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// initdb runs as the postgres user, which must reach the directory.
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	dataDir = filepath.Join(dir, "pg")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	want := "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/console_faults?sslmode=disable"

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		if err := devdb.Stop(dataDir); err != nil {
			t.Errorf("stop the private cluster: %v", err)
		}
	})
	dbURL, err = devdb.Ensure(ctx, want, dataDir, slog.New(slog.DiscardHandler))
	if errors.Is(err, devdb.ErrNoPostgres) && os.Getenv("CI") == "" {
		t.Skipf("PostgreSQL's initdb and pg_ctl are not installed: %v", err)
	}
	if err != nil {
		t.Fatalf("private cluster: %v", err)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate the private cluster: %v", err)
	}
	return dbURL, dataDir
}

// loadResult is what one onboarding under load was answered.
type loadResult struct {
	key    string
	status int
	err    error // no answer, or no form to fill
	leak   string
	plain  bool // a bare text answer, not the console's error page
	at     time.Time
}

var idempotencyField = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)

// onboardOnce fetches a fresh form and submits it, as a person would, without
// failing the test (it runs in a load goroutine).
func onboardOnce(b *browser, worker, n int) loadResult {
	get, err := b.client.Get(b.base + "/tenants/new")
	if err != nil {
		return loadResult{err: err}
	}
	page, _ := io.ReadAll(get.Body)
	get.Body.Close()
	key, token := idempotencyField.FindSubmatch(page), csrfField.FindSubmatch(page)
	if get.StatusCode != http.StatusOK || key == nil || token == nil {
		return loadResult{status: get.StatusCode, err: fmt.Errorf("GET /tenants/new: %d", get.StatusCode), leak: leaked(page),
			plain: !strings.Contains(string(page), "<html")}
	}
	short := fmt.Sprintf("load-%d-%d", worker, n)
	form := url.Values{
		"_csrf": {string(token[1])}, "idempotency_key": {string(key[1])},
		"name": {fmt.Sprintf("Load %d-%d Safaris", worker, n)}, "short_name": {short},
		"support_email": {"help@" + short + ".example"}, "currency": {"ZAR"}, "timezone": {"Africa/Johannesburg"},
		"preset_theme": {"ocean_teal"}, "plan": {"pro"},
		"owner_email": {"owner@" + short + ".example"}, "owner_mode": {"password"}, "owner_password": {"a load test password"},
	}
	res, err := b.client.PostForm(b.base+"/tenants", form)
	if err != nil {
		return loadResult{key: string(key[1]), err: err}
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return loadResult{key: string(key[1]), status: res.StatusCode, leak: leaked(body),
		plain: res.StatusCode >= 400 && !strings.Contains(string(body), "<html")}
}

// leaked is the database or network error text an error page shows, if any.
func leaked(page []byte) string {
	for _, leak := range []string{"SQLSTATE", "terminating connection", "connection refused", "dial tcp", "conn closed", "FATAL", "unexpected EOF"} {
		if strings.Contains(string(page), leak) {
			return leak
		}
	}
	return ""
}

func readyz(a *app) int {
	res, err := a.Client().Get(a.URL + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// TestFaultPostgresRestartUnderLoad: while a few admins onboard tenants
// without pause, Postgres is shut down (pg_ctl stop -m fast) and started
// again, then restarted in one step (pg_ctl restart -m fast). /readyz says
// 503 while it is down and 200 once it is back, without restarting the
// console; onboarding works again; every onboarding answered with success
// exists with all its rows, and no tenant is half-made.
func TestFaultPostgresRestartUnderLoad(t *testing.T) {
	t.Parallel()
	dbURL, dataDir := privateCluster(t)
	a := newAppWith(t, appOptions{databaseURL: dbURL, limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	if code := readyz(a); code != http.StatusOK {
		t.Fatalf("/readyz before the fault: %d", code)
	}
	const workers = 3
	browsers := make([]*browser, workers)
	for i := range browsers {
		browsers[i] = a.newBrowser(t)
		browsers[i].signIn(a.createPerson(t, fmt.Sprintf("admin%d@console.example", i), tenant.RolePlatformAdmin, nil))
	}

	var (
		mu        sync.Mutex
		results   []loadResult
		successes int
	)
	succeeded := func() int { mu.Lock(); defer mu.Unlock(); return successes }
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w, b := range browsers {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				r := onboardOnce(b, w, n)
				r.at = time.Now()
				mu.Lock()
				results = append(results, r)
				if r.status == http.StatusSeeOther {
					successes++
				}
				mu.Unlock()
				if r.status != http.StatusSeeOther {
					time.Sleep(50 * time.Millisecond) // an outage: do not spin
				}
			}
		})
	}
	stopLoad := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopLoad)
	waitFor := func(what string, limit time.Duration, cond func() bool) time.Duration {
		t.Helper()
		start := time.Now()
		for !cond() {
			if time.Since(start) > limit {
				stopLoad()
				t.Fatalf("waited %s for %s", limit, what)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(start)
	}

	waitFor("onboardings before the fault", 30*time.Second, func() bool { return succeeded() >= 3 })
	beforeFault := succeeded()
	if err := devdb.Stop(dataDir); err != nil {
		t.Fatalf("stop postgres: %v", err)
	}
	down := time.Now()
	toNotReady := waitFor("/readyz to report the database down", 10*time.Second, func() bool { return readyz(a) == http.StatusServiceUnavailable })
	time.Sleep(500 * time.Millisecond) // the load keeps hitting the outage
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := devdb.Ensure(ctx, dbURL, dataDir, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("start postgres again: %v", err)
	}
	toReady := waitFor("/readyz to recover", 30*time.Second, func() bool { return readyz(a) == http.StatusOK })
	ready := time.Now()
	outage := time.Since(down)
	afterFault := succeeded()
	waitFor("onboardings after the restart", 30*time.Second, func() bool { return succeeded() >= afterFault+3 })

	// Then in one step, as an operator would: pg_ctl restart -m fast, with
	// /readyz watched throughout.
	watch := make(chan struct{})
	sawDown := make(chan bool, 1)
	go func() {
		down := false
		for {
			select {
			case <-watch:
				sawDown <- down
				return
			default:
			}
			down = down || readyz(a) == http.StatusServiceUnavailable
			time.Sleep(5 * time.Millisecond)
		}
	}()
	beforeRestart, restartAt := succeeded(), time.Now()
	if err := devdb.Restart(dataDir); err != nil {
		stopLoad()
		t.Fatalf("pg_ctl restart: %v", err)
	}
	waitFor("/readyz after pg_ctl restart", 30*time.Second, func() bool { return readyz(a) == http.StatusOK })
	close(watch)
	restartSeen := <-sawDown
	waitFor("onboardings after pg_ctl restart", 30*time.Second, func() bool { return succeeded() >= beforeRestart+3 })
	stopLoad()

	// Every onboarding answered with success is whole.
	ctx = context.Background()
	statuses := map[int]int{}
	var acknowledged []string
	failedAfterReady, plain := 0, 0
	for _, r := range results {
		statuses[r.status]++
		if r.plain {
			plain++ // the session store's own answer when it cannot load a session
		}
		if r.leak != "" {
			t.Errorf("an error page during the outage shows %q", r.leak)
		}
		if r.status != http.StatusSeeOther && r.at.After(ready) && r.at.Before(restartAt) {
			failedAfterReady++
		}
		if r.status == http.StatusSeeOther {
			acknowledged = append(acknowledged, r.key)
		}
	}
	for _, key := range acknowledged {
		var id string
		if err := a.pool.QueryRow(ctx, `SELECT tenant_id FROM onboarding_requests WHERE key = $1`, key).Scan(&id); err != nil {
			t.Errorf("onboarding %s was answered with success but is not in the database: %v", key, err)
		}
	}
	var tenants, halfMade int
	if err := a.pool.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE
			NOT EXISTS (SELECT 1 FROM tenant_settings s WHERE s.tenant_id = t.id)
			OR NOT EXISTS (SELECT 1 FROM tenant_branding b WHERE b.tenant_id = t.id)
			OR NOT EXISTS (SELECT 1 FROM tenant_prompts p WHERE p.tenant_id = t.id)
			OR NOT EXISTS (SELECT 1 FROM organization_users o WHERE o.tenant_id = t.id AND o.role = 'owner')
			OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.tenant_id = t.id)
			OR NOT EXISTS (SELECT 1 FROM onboarding_requests r WHERE r.tenant_id = t.id))
		FROM tenants t WHERE t.short_name LIKE 'load-%'`).Scan(&tenants, &halfMade); err != nil {
		t.Fatal(err)
	}
	if halfMade != 0 {
		t.Errorf("%d of %d onboarded tenants lack some of their rows", halfMade, tenants)
	}
	if tenants < len(acknowledged) {
		t.Errorf("%d onboardings acknowledged, %d tenants stored", len(acknowledged), tenants)
	}
	if readyz(a) != http.StatusOK {
		t.Error("/readyz is not ready after the load")
	}
	t.Logf("pg_ctl restart -m fast under load: /readyz 503 seen by a 5 ms watcher: %v; onboarding resumed", restartSeen)
	t.Logf("postgres stopped and started under load (%d admins onboarding): /readyz 503 after %s, 200 again %s after the start (outage %s); "+
		"answers over both outages %v (%d of them bare text, %d failed between /readyz ready again and the restart); %d acknowledged (%d before the stop), %d tenants stored, %d half-made",
		workers, toNotReady.Round(time.Millisecond), toReady.Round(time.Millisecond), outage.Round(time.Millisecond),
		statuses, plain, failedAfterReady, len(acknowledged), beforeFault, tenants, halfMade)
}
