// Command bench is the console's performance report (`make bench`).
//
// It creates a throw-away database next to TEST_DATABASE_URL, seeds it with
// the console's own `seed` command, runs the real `console serve` binary
// over loopback, signs in, and measures each page three ways: the SQL the
// handler issues (captured with a pgx tracer from the same store code, then
// replayed with pgx and the same parameters), the htmx fragment and the
// full page over HTTP. Searches are measured against a floor of their own
// (search.go): terms picked from the data by class, each timed over HTTP
// and against the fastest of several hand-written queries for the same
// page. Then list throughput with 1, 8 and 32 clients (with the server's
// CPU time per page), the live mirror's lag over 1,000 changes (on a small
// database of its own), import-yaml on a generated tree, the server's peak
// RSS and its time to /readyz. It prints a table and writes bench/results.json. The database is
// dropped at the end.
//
// From 500,000 tenants on (or with -private-cluster=on) it runs all of that
// on a private Postgres cluster of its own, sized for the working set
// (postgres.go), and removes the cluster at the end; the report records
// which server was used and its settings.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	console  string
	adminURL string
	scale    int
	runs     int
	duration time.Duration
	folders  int
	out      string
	keep     bool
	// privateCluster is auto, on or off: whether to run on a private
	// cluster sized for the run instead of the server at adminURL.
	privateCluster string
}

func run() error {
	var o options
	flag.StringVar(&o.console, "console", "bin/console", "the console binary to run")
	flag.StringVar(&o.adminURL, "db", os.Getenv("TEST_DATABASE_URL"), "a Postgres URL whose server may create and drop a database")
	flag.IntVar(&o.scale, "scale", envInt("BENCH_SCALE", 100_000), "tenants to seed (BENCH_SCALE)")
	flag.IntVar(&o.runs, "runs", envInt("BENCH_RUNS", 200), "timed runs per page and way (BENCH_RUNS)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "how long each throughput level runs")
	flag.IntVar(&o.folders, "folders", 10_000, "folders in the generated import-yaml tree")
	flag.StringVar(&o.out, "out", "bench/results.json", "where to write the JSON report")
	flag.BoolVar(&o.keep, "keep", false, "keep the database (and the private cluster) afterwards (prints its URL)")
	flag.StringVar(&o.privateCluster, "private-cluster", "auto",
		fmt.Sprintf("run on a private Postgres cluster sized for the run: on, off, or auto (from %d tenants on)", privateClusterScale))
	rejudge := flag.String("judge", "", "judge a stored report FILE again against the current targets, print it and rewrite it (nothing is measured)")
	flag.Parse()
	if *rejudge != "" {
		return judgeAgain(*rejudge)
	}
	// The deep pages are page 1,000 of 25 rows (pageCases), and about 3%
	// of the seeded tenants are deleted, which the list leaves out.
	const minScale = 26_000
	if o.scale < minScale {
		return fmt.Errorf("-scale %d is too small: page 1,000 of the list needs at least %d tenants", o.scale, minScale)
	}
	switch o.privateCluster {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("-private-cluster is auto, on or off, not %q", o.privateCluster)
	}
	ctx := context.Background()
	rep := report{Scale: o.scale, Runs: o.runs}

	// Whatever the run sets up is taken down at the end, on an error, or
	// when interrupted (the console it started gets the same signal from
	// the terminal).
	var cleanup undo
	defer cleanup.run()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "bench: interrupted; cleaning up")
		time.Sleep(500 * time.Millisecond)
		cleanup.run()
		os.Exit(130)
	}()

	server, err := choosePostgres(ctx, &o, &cleanup)
	if err != nil {
		return err
	}
	dbURL, drop, err := createDatabase(ctx, o.adminURL)
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "keeping the database:", dbURL)
	} else {
		cleanup.add(drop)
	}
	dataDir, err := os.MkdirTemp("", "console-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)
	env := consoleEnv(dbURL, dataDir)

	step("seeding %d tenants", o.scale)
	start := time.Now()
	if out, err := runConsole(o.console, env, "seed", "--tenants", strconv.Itoa(o.scale), "--seed", "1"); err != nil {
		return fmt.Errorf("seed: %w\n%s", err, out)
	}
	rep.SeedSeconds = time.Since(start).Seconds()
	const email, password = "bench-admin@console.example", "bench-admin-password"
	if out, err := runConsole(o.console, env, "create-staff", "--email", email, "--password", password, "--role", "platform_admin"); err != nil {
		return fmt.Errorf("create-staff: %w\n%s", err, out)
	}

	step("starting console serve")
	profile := filepath.Join(dataDir, "server-cpu.pprof")
	srv, err := startServer(o.console, append(append(env, apiRateEnv...), "CONSOLE_CPU_PROFILE="+profile))
	if err != nil {
		return err
	}
	defer srv.stop()
	rep.ReadyMillis = float64(srv.ready.Microseconds()) / 1000

	client, err := signIn(srv.base, email, password)
	if err != nil {
		return err
	}
	pool, capture, err := tracedPool(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	settings, err := showSettings(ctx, pool)
	if err != nil {
		return err
	}
	rep.Postgres = postgresServer{Server: server, Settings: settings}

	cases, err := pageCases(ctx, pool)
	if err != nil {
		return err
	}
	for _, c := range cases {
		step("measuring %s", c.Name)
		r, err := measure(ctx, o.runs, c, st, pool, capture, client, srv.base)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		rep.Pages = append(rep.Pages, r)
	}

	step("picking search terms by class from the data")
	terms, err := pickTerms(ctx, pool)
	if err != nil {
		return err
	}
	for _, term := range terms {
		step("measuring search %q (%s)", term.Term, term.Class)
		r, err := measureSearch(ctx, o.runs, term, st, pool, client, srv.base)
		if err != nil {
			return fmt.Errorf("search %q: %w", term.Term, err)
		}
		rep.Searches = append(rep.Searches, r)
	}

	for _, n := range []int{1, 8, 32} {
		step("throughput with %d clients for %s", n, o.duration)
		before, err := srv.cpuSeconds()
		if err != nil {
			return err
		}
		t := throughput(client, srv.base+"/tenants", n, o.duration)
		after, err := srv.cpuSeconds()
		if err != nil {
			return err
		}
		if t.Pages > 0 {
			t.ServerCPUMsPerPage = (after - before) * 1000 / float64(t.Pages)
		}
		rep.Throughput = append(rep.Throughput, t)
	}

	step("read API with 32 clients for %s, without and with If-None-Match", o.duration)
	if rep.API, err = benchAPI(ctx, o.console, env, pool, srv.base, 32, o.duration); err != nil {
		return fmt.Errorf("read API: %w", err)
	}

	step("live mirror: 1,000 changes from 4 writers over 200 tenants")
	if rep.Follower, err = benchFollower(ctx, o, 200, 1000, 4); err != nil {
		return fmt.Errorf("live mirror: %w", err)
	}

	step("import-yaml of %d generated folders", o.folders)
	tree := filepath.Join(dataDir, "tree")
	if err := writeTree(tree, o.folders); err != nil {
		return err
	}
	start = time.Now()
	if out, err := runConsole(o.console, env, "import-yaml", tree); err != nil {
		return fmt.Errorf("import-yaml: %w\n%s", err, tail(out, 2000))
	}
	secs := time.Since(start).Seconds()
	rep.Import = importFigures{Folders: o.folders, Seconds: secs, TenantsPerSecond: float64(o.folders) / secs}

	rep.PeakRSSMB, err = srv.peakRSS()
	if err != nil {
		return err
	}
	srv.stop()
	rep.ServerCPUTop = pprofTop(profile)
	rep.Machine, err = machine(ctx, pool)
	if err != nil {
		return err
	}
	rep.Targets = judge(rep)
	printReport(os.Stdout, rep)
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	return os.WriteFile(o.out, append(b, '\n'), 0o644)
}

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "• "+format+"\n", args...)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// ---------------------------------------------------------------- database

func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	name := fmt.Sprintf("console_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	conn.Close(ctx)
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		conn, err := pgx.Connect(context.Background(), adminURL)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: drop database:", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "bench: drop database:", err)
		}
	}
	return u.String(), drop, nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(database URL)"
	}
	return u.Redacted()
}

// capturer records the SQL and arguments of the queries issued while on.
type capturer struct {
	mu      sync.Mutex
	on      bool
	queries []captured
}

type captured struct {
	sql   string
	args  []any
	batch bool // sent in one pgx.Batch with its batch neighbours
}

func (c *capturer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	if c.on {
		c.queries = append(c.queries, captured{d.SQL, d.Args, false})
	}
	c.mu.Unlock()
	return ctx
}

func (c *capturer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Queries sent together (pgx.Batch, one round trip) are replayed together.
func (c *capturer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (c *capturer) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.mu.Lock()
	if c.on {
		c.queries = append(c.queries, captured{d.SQL, d.Args, true})
	}
	c.mu.Unlock()
}

func (c *capturer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (c *capturer) record(f func() error) ([]captured, error) {
	c.mu.Lock()
	c.on, c.queries = true, nil
	c.mu.Unlock()
	err := f()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.queries, err
}

func tracedPool(ctx context.Context, dbURL string) (*pgxpool.Pool, *capturer, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, nil, err
	}
	c := &capturer{}
	cfg.ConnConfig.Tracer = c
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	return pool, c, err
}

// ---------------------------------------------------------------- console

func consoleEnv(dbURL, dataDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DATABASE_URL", "APP_ENV", "GOTRUE_URL", "GOTRUE_ANON_KEY", "GOTRUE_SERVICE_ROLE_KEY",
			"CONSOLE_DATA_DIR", "LISTEN_ADDR", "LOG_LEVEL", "METRICS_TOKEN", "CONSOLE_SECRET_KEY":
			continue
		}
		env = append(env, kv)
	}
	// The development settings, stated: the embedded GoTrue, a secret key
	// generated in the throw-away data directory.
	return append(env, "DATABASE_URL="+dbURL, "APP_ENV=dev", "CONSOLE_DATA_DIR="+dataDir, "LOG_LEVEL=warn")
}

func runConsole(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

type server struct {
	cmd   *exec.Cmd
	base  string
	ready time.Duration
	logs  *strings.Builder
}

func startServer(bin string, env []string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{base: "http://" + addr, logs: &strings.Builder{}}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(env, "LISTEN_ADDR="+addr)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, &lockedWriter{w: s.logs}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	c := &http.Client{Timeout: time.Second}
	for time.Since(start) < 30*time.Second {
		resp, err := c.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.ready = time.Since(start)
				return s, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("console serve was not ready within 30 s:\n%s", tail(s.logs.String(), 2000))
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s *server) stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		_ = s.cmd.Wait()
	}
}

// cpuSeconds is the CPU time (user and system) the server has used.
func (s *server) cpuSeconds() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read the server's CPU time: %w", err)
	}
	// Fields after the command name (which may hold spaces) in ")": state
	// is field 3, utime 14 and stime 15, in clock ticks (100 a second on
	// Linux).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	user, _ := strconv.ParseFloat(f[11], 64)
	sys, _ := strconv.ParseFloat(f[12], 64)
	return (user + sys) / 100, nil
}

// peakRSS is the server's VmHWM: the most resident memory it has had.
func (s *server) peakRSS() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read the server's peak memory: %w", err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0, errors.New("no VmHWM in /proc/PID/status")
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return float64(kb) / 1024, nil
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

func signIn(base, email, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:       jar,
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	resp, err := client.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return nil, errors.New("the sign-in page has no CSRF field")
	}
	resp, err = client.PostForm(base+"/login", url.Values{"_csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("sign-in answered %d", resp.StatusCode)
	}
	return client, nil
}

// ---------------------------------------------------------------- pages

// pageCase is one page of the report: a list state or a tenant page.
type pageCase struct {
	Name   string
	Query  *tenant.ListQuery // a list page
	Tenant string            // or a tenant page
	Target string            // which target applies: list, search, deep, tenant
	// Audit, when a tenant's audit page exists, is measured the same way:
	// add a case with its URL and the store call it makes (see measure).
}

func pageCases(ctx context.Context, pool *pgxpool.Pool) ([]pageCase, error) {
	var first string
	if err := pool.QueryRow(ctx, `SELECT id FROM tenants WHERE status = 'active' ORDER BY id LIMIT 1`).Scan(&first); err != nil {
		return nil, err
	}
	list := func(q tenant.ListQuery) *tenant.ListQuery {
		q = q.Normalize()
		return &q
	}
	// The cursor of the last row of page 999 in name order: the link a
	// person following "Next" would have to page 1,000.
	var key, id string
	err := pool.QueryRow(ctx, `SELECT lower(name), id FROM tenants WHERE status <> 'deleted'
		ORDER BY lower(name), id OFFSET $1 LIMIT 1`, 999*25-1).Scan(&key, &id)
	if err != nil {
		return nil, fmt.Errorf("cursor of page 1,000: %w", err)
	}
	deep := tenant.ListQuery{Page: 1000, After: tenant.EncodeCursor(tenant.SortName, tenant.Cursor{Key: key, ID: id})}
	return []pageCase{
		{Name: "list page 1 (default)", Query: list(tenant.ListQuery{}), Target: "list"},
		{Name: "status filter (suspended)", Query: list(tenant.ListQuery{Status: tenant.StatusSuspended}), Target: "list"},
		{Name: "plan filter (enterprise)", Query: list(tenant.ListQuery{Plan: tenant.PlanEnterprise}), Target: "list"},
		{Name: "page 1,000 (cursor link)", Query: list(deep), Target: "deep"},
		{Name: "page 1,000 (old ?page= link)", Query: list(tenant.ListQuery{Page: 1000}), Target: "info"},
		{Name: "tenant page", Tenant: first, Target: "tenant"},
	}, nil
}

type stats struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

func summarize(d []time.Duration) stats {
	slices.Sort(d)
	at := func(p float64) float64 {
		if len(d) == 0 {
			return 0
		}
		i := int(p * float64(len(d)-1))
		return float64(d[i].Microseconds()) / 1000
	}
	return stats{P50: at(0.50), P95: at(0.95), P99: at(0.99)}
}

type pageResult struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	Target   string `json:"target"`
	Matches  string `json:"shown_count,omitempty"`
	Queries  int    `json:"handler_queries"`
	SQL      stats  `json:"raw_sql"`
	Fragment stats  `json:"http_fragment"`
	Full     stats  `json:"http_full_page"`
	// Ratio is the htmx fragment's p50 over the raw SQL's p50.
	Ratio float64 `json:"ratio_fragment_to_sql_p50"`
}

func measure(ctx context.Context, runs int, c pageCase, st *store.Store, pool *pgxpool.Pool, capt *capturer,
	client *http.Client, base string) (pageResult, error) {
	r := pageResult{Name: c.Name, Target: c.Target}
	var call func() error
	if c.Query != nil {
		r.URL = tenantviews.ListURL(*c.Query)
		call = func() error {
			res, err := st.ListTenants(ctx, *c.Query, tenant.EveryTenant())
			if err == nil {
				r.Matches = strconv.Itoa(res.Total)
				if res.Estimated {
					r.Matches = "about " + r.Matches
				}
			}
			return err
		}
	} else {
		r.URL = "/tenants/" + c.Tenant
		call = func() error {
			_, err := st.GetDetail(ctx, c.Tenant, 10)
			return err
		}
	}
	queries, err := capt.record(call)
	if err != nil {
		return r, err
	}
	r.Queries = len(queries)
	replay := func() error {
		// The tenant page reads in one read-only snapshot, as the store does.
		if c.Query == nil {
			return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
				func(tx pgx.Tx) error { return runQueries(ctx, tx, queries) })
		}
		return runQueries(ctx, pool, queries)
	}
	get := func(fragment bool) func() error {
		return func() error {
			req, _ := http.NewRequest(http.MethodGet, base+r.URL, nil)
			if fragment {
				req.Header.Set("HX-Request", "true")
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %d", r.URL, resp.StatusCode)
			}
			return nil
		}
	}
	ways := []struct {
		into *stats
		f    func() error
	}{{&r.SQL, replay}, {&r.Fragment, get(true)}, {&r.Full, get(false)}}
	if c.Query == nil {
		ways[1].f = get(false) // the tenant page has no fragment
	}
	for _, w := range ways {
		for range 10 { // warm up: caches, prepared statements, connections
			if err := w.f(); err != nil {
				return r, err
			}
		}
		d := make([]time.Duration, 0, runs)
		for range runs {
			start := time.Now()
			if err := w.f(); err != nil {
				return r, err
			}
			d = append(d, time.Since(start))
		}
		*w.into = summarize(d)
	}
	if r.SQL.P50 > 0 {
		r.Ratio = r.Fragment.P50 / r.SQL.P50
	}
	return r, nil
}

type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

func runQueries(ctx context.Context, q queryer, queries []captured) error {
	for i := 0; i < len(queries); i++ {
		c := queries[i]
		if c.batch {
			b := &pgx.Batch{}
			for ; i < len(queries) && queries[i].batch; i++ {
				b.Queue(queries[i].sql, queries[i].args...)
			}
			i--
			br := q.SendBatch(ctx, b)
			for range b.Len() {
				rows, err := br.Query()
				if err != nil {
					br.Close()
					return err
				}
				for rows.Next() {
					_ = rows.RawValues()
				}
				rows.Close()
			}
			if err := br.Close(); err != nil {
				return err
			}
			continue
		}
		rows, err := q.Query(ctx, c.sql, c.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			_ = rows.RawValues()
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------- load

type throughputResult struct {
	Clients     int     `json:"clients"`
	Seconds     float64 `json:"seconds"`
	Pages       int64   `json:"pages"`
	Errors      int64   `json:"errors"`
	PagesPerSec float64 `json:"pages_per_second"`
	Latency     stats   `json:"latency"`
	// ServerCPUMsPerPage is the console process's CPU time over the run
	// divided by the pages it served.
	ServerCPUMsPerPage float64 `json:"server_cpu_ms_per_page"`
}

// throughput has n clients sharing one session fetch the list's htmx
// fragment back to back for d.
func throughput(client *http.Client, u string, n int, d time.Duration) throughputResult {
	var pages, errs atomic.Int64
	lat := make([][]time.Duration, n)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("HX-Request", "true")
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
					continue
				}
				pages.Add(1)
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return throughputResult{Clients: n, Seconds: secs, Pages: pages.Load(), Errors: errs.Load(),
		PagesPerSec: float64(pages.Load()) / secs, Latency: summarize(all)}
}

// ---------------------------------------------------------------- import

type importFigures struct {
	Folders          int     `json:"folders"`
	Seconds          float64 `json:"seconds"`
	TenantsPerSecond float64 `json:"tenants_per_second"`
}

// writeTree writes n legacy client folders in the old platform's layout.
func writeTree(dir string, n int) error {
	places := []string{"Kruger", "Chobe", "Zanzibar", "Okavango", "Namib", "Etosha", "Lofoten", "Tuscany"}
	kinds := []string{"Safaris", "Retreats", "Journeys", "Tours", "Lodges"}
	for i := range n {
		id := fmt.Sprintf("bench%05d", i)
		name := places[i%len(places)] + " " + kinds[(i/len(places))%len(kinds)] + " " + strconv.Itoa(i)
		domain := id + ".example"
		yaml := fmt.Sprintf(`client:
  id: %[1]s
  name: "%[2]s"
  short_name: %[1]s
  currency: ZAR
  timezone: Africa/Johannesburg
  support_phone: "+27 21 555 0100"
  website: https://www.%[3]s
branding:
  company_name: "%[2]s Ltd"
  theme_id: safari_gold
  primary_color: "#C35D7D"
  secondary_color: "#AC0303"
  accent_color: "#79F74D"
email:
  primary: support@%[3]s
  sendgrid:
    from_name: "%[2]s"
    from_email: quotes@%[3]s
`, id, name, domain)
		if err := os.MkdirAll(filepath.Join(dir, id, "prompts"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, id, "client.yaml"), []byte(yaml), 0o644); err != nil {
			return err
		}
		prompt := "You are the quoting assistant of " + name + ". Answer in English.\n"
		if err := os.WriteFile(filepath.Join(dir, id, "prompts", "inbound.txt"), []byte(prompt), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------- report

type machineInfo struct {
	Cores    int    `json:"cores"`
	MemoryMB int    `json:"memory_mb"`
	Go       string `json:"go"`
	Postgres string `json:"postgres"`
	OS       string `json:"os"`
	Date     string `json:"date"`
	LoadAvg  string `json:"load_average_at_end"`
	CPUModel string `json:"cpu_model,omitempty"`
	Note     string `json:"note"`
}

func machine(ctx context.Context, pool *pgxpool.Pool) (machineInfo, error) {
	m := machineInfo{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		Date: time.Now().UTC().Format(time.RFC3339),
		Note: "a shared machine: other work ran at the same time, so figures are noisy; ratios measured in the same run hold better than absolute times"}
	if err := pool.QueryRow(ctx, `SELECT version()`).Scan(&m.Postgres); err != nil {
		return m, err
	}
	m.MemoryMB = memTotalMB()
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvg = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if s := regexp.MustCompile(`model name\s*:\s*(.+)`).FindSubmatch(b); s != nil {
			m.CPUModel = string(s[1])
		}
	}
	return m, nil
}

type report struct {
	Machine     machineInfo        `json:"machine"`
	Postgres    postgresServer     `json:"postgres"`
	Scale       int                `json:"tenants"`
	Runs        int                `json:"runs_per_measurement"`
	SeedSeconds float64            `json:"seed_seconds"`
	ReadyMillis float64            `json:"ready_ms"`
	PeakRSSMB   float64            `json:"peak_rss_mb"`
	Import      importFigures      `json:"import_yaml"`
	Pages       []pageResult       `json:"pages"`
	Searches    []searchResult     `json:"searches"`
	Throughput  []throughputResult `json:"throughput"`
	API         apiFigures         `json:"read_api"`
	Follower    followerFigures    `json:"live_mirror"`
	Targets     []targetResult     `json:"targets"`
	// ServerCPUTop is `go tool pprof -top` of the server over the whole run.
	ServerCPUTop []string `json:"server_cpu_profile_top"`
}

// pprofTop summarizes the server's CPU profile (and keeps a copy in bench/
// for a closer look, not committed).
func pprofTop(profile string) []string {
	if b, err := os.ReadFile(profile); err == nil {
		_ = os.WriteFile(filepath.Join("bench", "server-cpu.pprof"), b, 0o644)
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=25", profile).Output()
	if err != nil {
		return []string{"go tool pprof: " + err.Error()}
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

type targetResult struct {
	Target string `json:"target"`
	Figure string `json:"figure"`
	Met    bool   `json:"met"`
}

// judgeAgain reads a stored report, judges it against the current targets,
// prints it and writes it back: for a report measured before a target
// changed.
func judgeAgain(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	rep.Targets = judge(rep)
	printReport(os.Stdout, rep)
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}

// judge compares the figures with the targets for this scale.
func judge(r report) []targetResult {
	var out []targetResult
	add := func(target, figure string, met bool) {
		out = append(out, targetResult{target, figure, met})
	}
	big := r.Scale >= 1_000_000
	var page1 float64
	for _, p := range r.Pages {
		if p.Name == "list page 1 (default)" {
			page1 = p.Fragment.P50
		}
	}
	for _, p := range r.Pages {
		switch p.Target {
		case "list":
			if big {
				add(p.Name+": p99 ≤ 10 ms", fmt.Sprintf("%.2f ms", p.Fragment.P99), p.Fragment.P99 <= 10)
			} else {
				add(p.Name+": p50 ≤ 3 ms, p99 ≤ 10 ms", fmt.Sprintf("%.2f / %.2f ms", p.Fragment.P50, p.Fragment.P99),
					p.Fragment.P50 <= 3 && p.Fragment.P99 <= 10)
			}
		case "deep":
			if page1 > 0 {
				ratio := p.Fragment.P50 / page1
				add("page 1,000 ≤ 1.2× page 1 (p50)", fmt.Sprintf("%.2f×", ratio), ratio <= 1.2)
			}
		}
	}
	for _, sr := range r.Searches {
		name := fmt.Sprintf("search %q (%s)", sr.Term, sr.Class)
		short := len([]rune(sr.Term)) < 3
		switch {
		case big:
			add(name+": p50 ≤ 1.3× floor", fmt.Sprintf("%.2f×", sr.Ratio), sr.Ratio <= 1.3)
			limit := 150.0
			if short {
				limit = 20
			}
			add(fmt.Sprintf("%s: p99 ≤ %.0f ms", name, limit), fmt.Sprintf("%.2f ms", sr.HTTP.P99), sr.HTTP.P99 <= limit)
		default:
			add(name+": p99 ≤ 20 ms", fmt.Sprintf("%.2f ms", sr.HTTP.P99), sr.HTTP.P99 <= 20)
			if sr.Floor > 5 {
				add(name+": p50 ≤ 1.5× floor (floor > 5 ms)", fmt.Sprintf("%.2f×", sr.Ratio), sr.Ratio <= 1.5)
			}
		}
		if strings.HasPrefix(sr.Shown, "about") {
			add(name+": \"about\" counts within ±15%", fmt.Sprintf("%.1f%%", sr.CountError), sr.CountError <= 15)
		}
	}
	for _, t := range r.Throughput {
		if t.Clients == 32 {
			add("≥ 1,500 list pages/s at 32 clients, zero errors",
				fmt.Sprintf("%.0f pages/s, %d errors", t.PagesPerSec, t.Errors), t.PagesPerSec >= 1500 && t.Errors == 0)
		}
	}
	if r.SeedSeconds > 0 {
		rate := float64(r.Scale) / r.SeedSeconds
		add("seed ≥ 5,000 tenants/s", fmt.Sprintf("%.0f tenants/s", rate), rate >= 5000)
	}
	add("import-yaml ≥ 1,000 tenants/s", fmt.Sprintf("%.0f tenants/s", r.Import.TenantsPerSecond), r.Import.TenantsPerSecond >= 1000)
	out = append(out, judgeFollower(r.Follower)...)
	add("peak RSS < 100 MB", fmt.Sprintf("%.1f MB", r.PeakRSSMB), r.PeakRSSMB < 100)
	add("ready < 1 s", fmt.Sprintf("%.0f ms", r.ReadyMillis), r.ReadyMillis < 1000)
	return out
}

func printReport(w io.Writer, r report) {
	fmt.Fprintf(w, "\nTenant Console performance: %d tenants; %d cores, %d MB, %s, %s\n", r.Scale,
		r.Machine.Cores, r.Machine.MemoryMB, r.Machine.Go, strings.SplitN(r.Machine.Postgres, " on ", 2)[0])
	fmt.Fprintf(w, "load average at the end: %s (%s)\n", r.Machine.LoadAvg, "shared machine: figures are noisy")
	fmt.Fprintf(w, "postgres: %s;", r.Postgres.Server)
	for _, name := range reportedSettings {
		fmt.Fprintf(w, " %s=%s", name, r.Postgres.Settings[name])
	}
	fmt.Fprint(w, "\n\n")
	fmt.Fprintf(w, "%-30s %6s %-13s %22s %22s %22s %6s\n", "page (ms: p50/p95/p99)", "sql#", "count", "raw SQL", "HTTP fragment", "HTTP full page", "ratio")
	ms := func(s stats) string { return fmt.Sprintf("%.2f/%.2f/%.2f", s.P50, s.P95, s.P99) }
	for _, p := range r.Pages {
		fmt.Fprintf(w, "%-30s %6d %-13s %22s %22s %22s %5.2f×\n", p.Name, p.Queries, p.Matches, ms(p.SQL), ms(p.Fragment), ms(p.Full), p.Ratio)
	}
	fmt.Fprintf(w, "\n%-16s %-20s %-8s %8s %6s %-24s %-13s %6s %15s %8s %-20s %6s\n", "search term", "class", "field",
		"matches", "first", "console way", "count shown", "err%", "HTTP p50/p99", "floor", "floor way", "ratio")
	for _, sr := range r.Searches {
		fmt.Fprintf(w, "%-16q %-20s %-8s %8d %5.0f%% %-24s %-13s %6.1f %15s %8.2f %-20s %5.2f×\n", sr.Term, sr.Class, sr.Field,
			sr.Matches, sr.Position*100, sr.Path, sr.Shown, sr.CountError, fmt.Sprintf("%.2f/%.2f", sr.HTTP.P50, sr.HTTP.P99),
			sr.Floor, sr.FloorWay, sr.Ratio)
	}
	fmt.Fprintf(w, "\n%-10s %10s %8s %12s %22s %18s\n", "clients", "pages/s", "errors", "pages", "latency p50/p95/p99", "server CPU/page")
	for _, t := range r.Throughput {
		fmt.Fprintf(w, "%-10d %10.0f %8d %12d %22s %15.3f ms\n", t.Clients, t.PagesPerSec, t.Errors, t.Pages, ms(t.Latency), t.ServerCPUMsPerPage)
	}
	printAPI(w, r.API)
	printFollower(w, r.Follower)
	fmt.Fprintf(w, "\nseed: %.1f s   import-yaml: %d folders in %.1f s (%.0f tenants/s)   peak RSS: %.1f MB   ready: %.0f ms\n\n",
		r.SeedSeconds, r.Import.Folders, r.Import.Seconds, r.Import.TenantsPerSecond, r.PeakRSSMB, r.ReadyMillis)
	fmt.Fprintln(w, "server CPU profile (go tool pprof -top bench/server-cpu.pprof):")
	for i, l := range r.ServerCPUTop {
		if i < 22 {
			fmt.Fprintln(w, "  "+l)
		}
	}
	fmt.Fprintln(w)
	for _, t := range r.Targets {
		mark := "MET   "
		if !t.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "%s %-78s %s\n", mark, t.Target, t.Figure)
	}
}
