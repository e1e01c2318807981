package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/config"
)

// openGoTrue returns the GoTrue client the console talks to: the server at
// GOTRUE_URL, or — in dev with GOTRUE_URL unset — an embedded
// GoTrue-compatible dev server started in-process over the same database.
// The returned func stops what was started.
func openGoTrue(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool) (*gotrue.Client, func(), error) {
	if cfg.GoTrueURL != "" {
		if cfg.GoTrueServiceKey == "" {
			return nil, nil, errors.New("GOTRUE_URL is set but GOTRUE_SERVICE_ROLE_KEY is not: the console needs GoTrue's admin API")
		}
		return gotrue.New(gotrue.Config{
			URL: cfg.GoTrueURL, AnonKey: cfg.GoTrueAnonKey, ServiceRoleKey: cfg.GoTrueServiceKey,
			HTTPClient: &http.Client{Timeout: cfg.GoTrueTimeout},
		}), func() {}, nil
	}
	if !cfg.Dev() {
		return nil, nil, errors.New("GOTRUE_URL is required in production (APP_ENV unset or production): " +
			"the embedded dev auth server is for development only (APP_ENV=dev)")
	}
	srv, err := devgotrue.New(ctx, pool, devgotrue.Options{Logger: log, Autoconfirm: true})
	if err != nil {
		return nil, nil, err
	}
	url, stop, err := srv.Start(context.WithoutCancel(ctx), "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	log.Warn("using the embedded development auth server; set GOTRUE_URL to use a real GoTrue", "url", url)
	client := gotrue.New(gotrue.Config{URL: url, AnonKey: srv.AnonKey(), ServiceRoleKey: srv.ServiceRoleKey(),
		HTTPClient: &http.Client{Timeout: cfg.GoTrueTimeout}})
	return client, func() { _ = stop(context.Background()) }, nil
}
