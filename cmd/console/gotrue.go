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
	"github.com/tenant-console/console/internal/web"
)

// openGoTrue returns the GoTrue client the console talks to: the server at
// GOTRUE_URL, or — in dev with GOTRUE_URL unset — an embedded
// GoTrue-compatible dev server started in-process over the same database.
// The returned func stops what was started.
func openGoTrue(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool) (*gotrue.Client, func(), error) {
	a, err := openAuthServer(ctx, cfg, log, pool)
	if err != nil {
		return nil, nil, err
	}
	return a.client, a.stop, nil
}

// authServer is the GoTrue the console talks to and, when it is the
// embedded dev server, its mailbox.
type authServer struct {
	client *gotrue.Client
	// mail is nil for a real GoTrue, which sends its e-mail.
	mail *devgotrue.Server
	stop func()
}

// mailbox is what /dev/mail serves: nil (not found) unless GoTrue is the
// embedded dev server.
func (a authServer) mailbox() web.DevMailbox {
	if a.mail == nil {
		return nil
	}
	return a.mail
}

// devPasswordHashCost is the bcrypt cost of the embedded dev server's
// password hashes; zero is bcrypt's default. The package's tests lower it
// (bcrypt's slowness is the point in use, and only a cost in tests).
var devPasswordHashCost int

// openAuthServer is openGoTrue keeping the dev server's mailbox.
func openAuthServer(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool) (authServer, error) {
	if cfg.GoTrueURL != "" {
		if cfg.GoTrueServiceKey == "" {
			return authServer{}, errors.New("GOTRUE_URL is set but GOTRUE_SERVICE_ROLE_KEY is not: the console needs GoTrue's admin API")
		}
		return authServer{client: gotrue.New(gotrue.Config{
			URL: cfg.GoTrueURL, AnonKey: cfg.GoTrueAnonKey, ServiceRoleKey: cfg.GoTrueServiceKey,
			HTTPClient: &http.Client{Timeout: cfg.GoTrueTimeout},
		}), stop: func() {}}, nil
	}
	if !cfg.Dev() {
		return authServer{}, errors.New("GOTRUE_URL is required in production (APP_ENV unset or production): " +
			"the embedded dev auth server is for development only (APP_ENV=dev)")
	}
	srv, err := devgotrue.New(ctx, pool, devgotrue.Options{Logger: log, Autoconfirm: true, SiteURL: cfg.PublicURL,
		PasswordHashCost: devPasswordHashCost})
	if err != nil {
		return authServer{}, err
	}
	url, stop, err := srv.Start(context.WithoutCancel(ctx), "127.0.0.1:0")
	if err != nil {
		return authServer{}, err
	}
	log.Warn("using the embedded development auth server; set GOTRUE_URL to use a real GoTrue. "+
		"Its e-mails are kept at /dev/mail", "url", url)
	client := gotrue.New(gotrue.Config{URL: url, AnonKey: srv.AnonKey(), ServiceRoleKey: srv.ServiceRoleKey(),
		HTTPClient: &http.Client{Timeout: cfg.GoTrueTimeout}})
	return authServer{client: client, mail: srv, stop: func() { _ = stop(context.Background()) }}, nil
}
