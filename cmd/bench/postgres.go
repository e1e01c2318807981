package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/devdb"
)

// ---------------------------------------------------------------- postgres

// privateClusterScale is the size from which -private-cluster=auto runs a
// cluster of its own: below it the tables and indexes fit the default 128 MB
// of shared buffers well enough, above it they do not (README, "A million
// tenants").
const privateClusterScale = 500_000

// privateClusterDir is where the private clusters go: on the project's disk
// like devdb's own cluster, not in a temporary directory that may be held in
// memory, since a million tenants take several GB.
const privateClusterDir = ".data"

// reportedSettings are read back with SHOW from the server a run used, at
// every scale, so the figures can be read against them.
var reportedSettings = []string{"shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
	"max_wal_size", "checkpoint_timeout", "random_page_cost", "jit"}

// clusterSettings are the private cluster's server settings for a machine
// with memMB of memory (0: unknown).
func clusterSettings(memMB int) []devdb.Setting {
	if memMB <= 0 {
		memMB = 4096 // not Linux: assume a small machine
	}
	mb := func(n int) string { return strconv.Itoa(n) + "MB" }
	return []devdb.Setting{
		// The working set in memory: at a million tenants the search's
		// three indexes are about 0.8 GB, the tenants table with all its
		// indexes about 1.5 GB; 1 GB holds the hot part, the page cache
		// the rest. A quarter of the memory on a smaller machine.
		{Name: "shared_buffers", Value: mb(min(1024, memMB/4))},
		// What the planner may count on being cached (shared buffers and
		// the page cache) when it weighs an index scan; half the memory, as
		// the machine is shared with other work.
		{Name: "effective_cache_size", Value: mb(memMB / 2)},
		// A search's top-N over a common term and the old ?page= link's
		// sort stay in memory.
		{Name: "work_mem", Value: "16MB"},
		// The VACUUM (ANALYZE) after seeding flushes the trigram index's
		// pending list and collects dead rows in it.
		{Name: "maintenance_work_mem", Value: mb(min(512, memMB/8))},
		// Seeding writes GBs of WAL: checkpoints come every 15 minutes or
		// 4 GB, not every 1 GB as by default.
		{Name: "max_wal_size", Value: "4GB"},
		{Name: "checkpoint_timeout", Value: "15min"},
		// Random reads cost about as much as sequential ones on an SSD,
		// and the data is mostly in memory anyway.
		{Name: "random_page_cost", Value: "1.1"},
		// The console's queries take milliseconds. When a plan's estimated
		// cost passes jit_above_cost (as a search over a million rows can),
		// compiling it costs 5–20 ms (measured on this machine on a 6M-row
		// filter and sort), the whole budget of a list page, and more with
		// inlining and optimisation; it gains nothing on short queries.
		{Name: "jit", Value: "off"},
	}
}

// choosePostgres picks the server the run uses and says which, for the
// report. A private cluster takes o.adminURL's place (the live mirror's
// database goes there too) and is removed with the rest in cleanup. With
// -private-cluster=auto a cluster that cannot be started (no PostgreSQL
// binaries) is reported on stderr and the given server is used instead.
func choosePostgres(ctx context.Context, o *options, cleanup *undo) (string, error) {
	if o.privateCluster == "on" || (o.privateCluster == "auto" && o.scale >= privateClusterScale) {
		server, err := startPrivateCluster(ctx, o, cleanup)
		switch {
		case err == nil:
			return server, nil
		case o.privateCluster == "on":
			return "", err
		}
		fmt.Fprintf(os.Stderr, "bench: cannot run a private Postgres cluster sized for %d tenants (%v);\n"+
			"bench: using the given server with whatever settings it has\n", o.scale, err)
	}
	if o.adminURL == "" {
		return "", errors.New("set TEST_DATABASE_URL (or -db) to a Postgres the bench may create a database on")
	}
	cfg, err := pgx.ParseConfig(o.adminURL)
	if err != nil {
		return "", fmt.Errorf("parse the database URL: %w", err)
	}
	return "given server at " + net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), nil
}

// startPrivateCluster starts a private cluster under privateClusterDir with
// clusterSettings and points o.adminURL at it.
func startPrivateCluster(ctx context.Context, o *options, cleanup *undo) (string, error) {
	if err := os.MkdirAll(privateClusterDir, 0o755); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(privateClusterDir, "bench-postgres-")
	if err != nil {
		return "", err
	}
	step("starting a private Postgres cluster in %s", dir)
	p, err := devdb.StartPrivate(ctx, dir, clusterSettings(memTotalMB()), nil)
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	if o.keep {
		fmt.Fprintf(os.Stderr, "keeping the private cluster in %s (stop it with pg_ctl stop -D %s, then delete it)\n", p.DataDir, p.DataDir)
	} else {
		cleanup.add(func() {
			if err := p.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "bench: stop the private cluster:", err)
			}
		})
	}
	o.adminURL = p.URL
	cfg, err := pgx.ParseConfig(p.URL)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("private cluster at 127.0.0.1:%d", cfg.Port), nil
}

// postgresServer is where a run's databases live and the settings it runs
// with, as the report records them.
type postgresServer struct {
	Server   string            `json:"server"`
	Settings map[string]string `json:"settings"`
}

// showSettings reads reportedSettings from the server pool is connected to.
func showSettings(ctx context.Context, pool *pgxpool.Pool) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range reportedSettings {
		var v string
		if err := pool.QueryRow(ctx, "SHOW "+name).Scan(&v); err != nil {
			return nil, fmt.Errorf("SHOW %s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// memTotalMB is the machine's memory from /proc/meminfo; 0 when unknown.
func memTotalMB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	s := regexp.MustCompile(`MemTotal:\s+(\d+) kB`).FindSubmatch(b)
	if s == nil {
		return 0
	}
	kb, _ := strconv.Atoi(string(s[1]))
	return kb / 1024
}

// undo holds the steps that take down what a run set up (its databases, its
// private cluster) and runs them last first, once: at the end of the run, on
// an error or on an interrupt.
type undo struct {
	mu    sync.Mutex
	steps []func()
	done  bool
}

func (u *undo) add(step func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.steps = append(u.steps, step)
}

func (u *undo) run() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return
	}
	u.done = true
	for i := len(u.steps) - 1; i >= 0; i-- {
		u.steps[i]()
	}
}
