package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/config"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/web"
)

// defaultMemoryLimit is serve's soft memory limit when GOMEMLIMIT is unset.
const defaultMemoryLimit = 64 << 20

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve",
		"Serves the web console on LISTEN_ADDR (default 127.0.0.1:8080) until\n"+
			"SIGINT or SIGTERM, then finishes the requests in flight.\n\n"+
			"With APP_ENV unset it runs as production: Secure cookies, HSTS, GOTRUE_URL\n"+
			"required (no embedded dev auth server), /metrics closed unless METRICS_TOKEN\n"+
			"is set, and no migrations unless asked (--migrate or MIGRATE_ON_START=true).\n"+
			"APP_ENV=dev applies pending migrations first; `console dev` is the\n"+
			"development setup.", stderr)
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving (as MIGRATE_ON_START=true does)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// CONSOLE_CPU_PROFILE=FILE writes a CPU profile of the whole run (for
	// `make bench` and `go tool pprof`); it is not a setting for production.
	if path := environ(ctx)["CONSOLE_CPU_PROFILE"]; path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("CPU profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("CPU profile: %w", err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	cfg, log, err := loadConfig(ctx, stderr)
	if err != nil {
		return err
	}
	// The heap's live set is a few megabytes; without a limit, a burst of
	// requests lets it grow to twice its peak (GOGC) and the memory stays
	// mapped. A soft limit has the collector work harder near it instead.
	// GOMEMLIMIT, when set, is the operator's (the runtime reads it).
	if _, set := environ(ctx)["GOMEMLIMIT"]; !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	// GoTrue first: a production start without GOTRUE_URL stops before it
	// touches the schema.
	gt, err := openAuthServer(ctx, cfg, log, pool)
	if err != nil {
		return err
	}
	defer gt.stop()
	if _, err := cfg.PublicBase(cfg.ListenAddr); err != nil {
		return err
	}
	if cfg.MigrateAtStart(*migrate) {
		if err := store.Migrate(ctx, pool, log); err != nil {
			return err
		}
	} else {
		log.Info("not applying migrations at start (production); run `console migrate`, or set MIGRATE_ON_START=true")
	}
	return serve(ctx, cfg, log, pool, gt, nil)
}

// serve runs the console until ctx ends. ready, if not nil, is called with
// the address once the listener is open.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, auths authServer, ready func(addr string)) error {
	gt := auths.client
	st := store.New(pool)
	keyring, err := openKeyring(cfg, log)
	if err != nil {
		return err
	}
	// pgxstore's own cleanup goroutine races with StopCleanup at shutdown;
	// pruneExpired deletes expired sessions instead.
	sessionStore := st.Sessions(pgxstore.NewWithCleanupInterval(pool, 0))
	go pruneExpired(ctx, st, log)

	// Listen first: in dev, e-mail links lead back to the address taken.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another console running? set LISTEN_ADDR to use another address)", cfg.ListenAddr, err)
	}
	defer ln.Close()
	public, err := cfg.PublicBase(ln.Addr().String())
	if err != nil {
		return err
	}
	callback := auth.CallbackURL(public)
	accounts := auth.Accounts{Client: gt, RedirectTo: callback}
	members := tenant.NewMemberService(st, accounts)
	handler := web.New(web.Deps{
		Log:        log,
		Tenants:    tenant.NewService(st),
		Onboarding: tenant.NewOnboarding(st, accounts),
		Secrets:    tenant.NewSecretService(st, keyring),
		Members:    members,
		Staff:      tenant.NewStaffService(st, accounts),
		Auth: &auth.Authenticator{GoTrue: gt, Store: st, Limits: auth.DefaultLimits, Log: log,
			Invitations: members, Audit: st, RedirectTo: callback},
		Access:   st,
		Sessions: web.NewSessions(sessionStore, cfg.SessionLifetime, cfg.SessionIdle, cfg.Dev()),
		Audit:    tenant.NewAuditService(st),

		APITokens: tenant.NewAPITokenService(st),
		Publisher: tenant.NewPublisher(st),
		APIRate:   web.APIRate{PerSecond: cfg.APIRateLimit, Burst: cfg.APIRateBurst},
		Ready: []web.ReadyCheck{
			{Name: "database", Check: st.Ping},
			{Name: "gotrue", Check: gt.Health},
		},
		MetricsToken:   cfg.MetricsToken,
		TrustedProxies: cfg.TrustedProxies,
		Dev:            cfg.Dev(),
		AuthRecheck:    cfg.AuthRecheck,
		DevMail:        auths.mailbox(),
		StaffMFA:       cfg.RequireStaffMFA(),
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("serving", "url", "http://"+ln.Addr().String(), "env", cfg.AppEnv, "staff_mfa_required", cfg.RequireStaffMFA())
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// pruneExpired deletes expired sessions and sign-in counters every few
// minutes until ctx ends.
func pruneExpired(ctx context.Context, st *store.Store, log *slog.Logger) {
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := st.PruneExpired(ctx, time.Now().Add(-time.Hour)); err != nil {
				log.Warn("prune expired sessions and sign-in counters", "error", err)
			}
		}
	}
}
