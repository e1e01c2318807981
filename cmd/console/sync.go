package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tenant-console/console/internal/mirror"
	"github.com/tenant-console/console/internal/store"
)

func runSyncYAML(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sync-yaml", "sync-yaml DIR [--follow [--listen ADDR] [--reconcile-every 5m]]",
		"Makes DIR exactly what export-yaml would write from DATABASE_URL: a folder\n"+
			"DIR/{tenant_id}/ (client.yaml, prompts/*.txt) for every active tenant, and\n"+
			"nothing else. The folder of a suspended or deleted tenant moves to\n"+
			"DIR/.removed/{tenant_id}/ with a removed.yaml saying when and why, and comes\n"+
			"back on reactivate or restore; the folder of a purged tenant, and any folder\n"+
			"or file that is no tenant's, is removed: DIR belongs to the mirror. Secrets\n"+
			"are ${ENV} references, never values. Every file is replaced whole and a new\n"+
			"folder appears whole, so a reader never sees half of either.\n\n"+
			"Without --follow it brings DIR in line once and lists what it changed.\n\n"+
			"With --follow it keeps DIR current until stopped: every committed change to a\n"+
			"tenant is announced by the database and reaches DIR within a second; the whole\n"+
			"tree is reconciled at start, after every lost connection and every\n"+
			"--reconcile-every. Run one on each of several hosts if you like: only one\n"+
			"writes at a time (a database lock) and another takes over within seconds if it\n"+
			"stops. Each change is logged (tenant id and what changed, never a secret);\n"+
			"--listen serves /healthz and /metrics (lag, last reconcile, errors).\n\n"+
			"Exit status 0 when every tenant's folder is right, 1 otherwise, 2 on a usage\n"+
			"mistake. With --follow: 0 when stopped by a signal.", stderr)
	follow := fs.Bool("follow", false, "keep DIR current until stopped")
	listen := fs.String("listen", "", "with --follow: serve /healthz and /metrics on this `address` (e.g. 127.0.0.1:9464)")
	every := fs.Duration("reconcile-every", 5*time.Minute, "with --follow: time between full reconciles")
	lockName := fs.String("lock-name", "sync-yaml", "with --follow: the lock followers of one tree share; give another for a second tree")
	dir, err := oneDir(fs, args, stderr)
	if err != nil {
		return err
	}
	if !*follow && *listen != "" {
		fmt.Fprintln(stderr, "console sync-yaml: --listen goes with --follow")
		return errUsage
	}
	if *every <= 0 {
		fmt.Fprintln(stderr, "console sync-yaml: --reconcile-every: use a positive duration such as 5m")
		return errUsage
	}
	env, err := openStore(ctx, stderr, cliNeeds{})
	if err != nil {
		return err
	}
	defer env.Close()
	p := &lazyProgress{w: stderr, label: "syncing"}
	m := &mirror.Mirror{Dir: dir, Store: env.store, Log: env.log, Progress: p.update}
	if !*follow {
		m.Log = nil // the summary lists every change
		rep, err := m.Reconcile(ctx)
		p.finish()
		if err != nil {
			return err
		}
		rep.WriteSummary(stdout)
		if !rep.OK() {
			return exitError{code: 1, err: fmt.Errorf("sync-yaml: %d tenants could not be written", len(rep.Failed))}
		}
		return nil
	}
	// Progress for the first reconcile, which may be long; the later ones
	// are one log line each.
	var started atomic.Bool
	m.Progress = func(done, total int, id string) {
		if started.Load() {
			return
		}
		p.update(done, total, id)
		if done == total {
			p.finish()
			started.Store(true)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := &mirror.Follower{
		Mirror: m,
		Dial: func(ctx context.Context) (mirror.Feed, error) {
			return store.DialChangeFeed(ctx, env.cfg.DatabaseURL)
		},
		LockName:       *lockName,
		ReconcileEvery: *every,
		Log:            env.log,
		Metrics:        mirror.NewMetrics(reg),
	}
	if *listen != "" {
		stop, err := serveHealth(ctx, *listen, mirror.Handler(f, reg), env.log)
		if err != nil {
			return err
		}
		defer stop()
	}
	env.log.Info("following", slog.String("dir", dir), slog.Duration("reconcile_every", *every))
	return f.Run(ctx)
}

// serveHealth serves h on addr until stop is called.
func serveHealth(ctx context.Context, addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("health endpoint stopped", slog.Any("error", err))
		}
	}()
	log.Info("health endpoint", slog.String("url", "http://"+ln.Addr().String()+"/healthz"))
	return func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}, nil
}
