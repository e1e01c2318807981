// Package devgotrue is a development-only auth server that answers like
// Supabase Auth (GoTrue) for the endpoints the console uses, so the console
// and its tests run without Supabase. What it must answer is recorded in
// docs/gotrue-wire.md; contract_test.go checks it against that record and,
// when configured, against a real GoTrue.
//
// It keeps its users in Postgres, in its own schema "devgotrue", which it
// creates itself. It sends no email: invitations and recoveries are
// kept in its mailbox (Mail, MailByID), never delivered. Never expose it
// outside a developer machine.
package devgotrue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"
)

// Options tune the dev server. The zero value is a usable default.
type Options struct {
	// Logger receives the request log; nil discards it.
	Logger *slog.Logger
	// Autoconfirm confirms emails at /signup, like GoTrue's
	// MAILER_AUTOCONFIRM. Off, a signup waits for a confirmation that only
	// the admin API (email_confirm) can give here.
	Autoconfirm bool
	// TokenRateLimit limits POST /token per client IP; zero is no limit.
	TokenRateLimit RateLimit
	// AccessTokenTTL is the access tokens' lifetime; zero is GoTrue's 1h.
	AccessTokenTTL time.Duration
	// PasswordHashCost is the bcrypt cost; zero is bcrypt.DefaultCost.
	// Tests lower it to bcrypt.MinCost to run fast.
	PasswordHashCost int
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// SiteURL is GoTrue's SITE_URL: where an e-mail link leads when the
	// call that sent it named no redirect_to, and whose host a redirect_to
	// must have (GoTrue's allow list, reduced to that). Empty accepts any
	// redirect_to: the dev server does not know where the console listens.
	SiteURL string
	// LinkLifetime is how long an e-mail link works (GoTrue's
	// MAILER_OTP_EXP); zero is GoTrue's default, 24 hours.
	LinkLifetime time.Duration
}

// RateLimit allows Requests per Window.
type RateLimit struct {
	Requests int
	Window   time.Duration
}

// Server is the dev auth server.
type Server struct {
	pool       *pgxpool.Pool
	log        *slog.Logger
	opts       Options
	secret     []byte
	anonKey    string
	serviceKey string
	limiter    *rateLimiter
	handler    http.Handler
}

// New prepares the server on pool: it creates the devgotrue schema when
// missing and loads (or makes, once) the JWT secret.
func New(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = time.Hour
	}
	if opts.LinkLifetime <= 0 {
		opts.LinkLifetime = 24 * time.Hour
	}
	if opts.PasswordHashCost == 0 {
		opts.PasswordHashCost = bcrypt.DefaultCost
	}
	secret, createdAt, err := setup(ctx, pool, opts.Now())
	if err != nil {
		return nil, err
	}
	s := &Server{pool: pool, log: opts.Logger, opts: opts, secret: secret}
	if s.anonKey, err = apiKey(secret, roleAnon, createdAt); err != nil {
		return nil, fmt.Errorf("devgotrue: sign anon key: %w", err)
	}
	if s.serviceKey, err = apiKey(secret, roleService, createdAt); err != nil {
		return nil, fmt.Errorf("devgotrue: sign service role key: %w", err)
	}
	if opts.TokenRateLimit.Requests > 0 && opts.TokenRateLimit.Window > 0 {
		s.limiter = newRateLimiter(opts.TokenRateLimit, opts.Now)
	}
	s.handler = s.logRequests(s.routes())
	s.log.WarnContext(ctx, "devgotrue: DEVELOPMENT-ONLY auth server, not for production: "+
		"users live in the devgotrue schema, e-mails are kept in its mailbox and never sent", "autoconfirm", opts.Autoconfirm)
	return s, nil
}

// Handler answers GoTrue's endpoints at the root (/token, /admin/users, …).
func (s *Server) Handler() http.Handler { return s.handler }

// AnonKey is the public API key (role "anon"), like Supabase's anon key.
func (s *Server) AnonKey() string { return s.anonKey }

// ServiceRoleKey is the admin API key (role "service_role"). Keep it
// server-side, as Supabase's.
func (s *Server) ServiceRoleKey() string { return s.serviceKey }

// Start serves Handler on addr (use "127.0.0.1:0" for a free port) until
// stop is called or ctx ends. baseURL is what gotrue.Config.URL wants.
func (s *Server) Start(ctx context.Context, addr string) (baseURL string, stop func(context.Context) error, err error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("devgotrue: listen: %w", err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("devgotrue: serve", "error", err)
		}
	}()
	stopWatch := context.AfterFunc(ctx, func() { _ = srv.Close() })
	baseURL = "http://" + ln.Addr().String()
	s.log.InfoContext(ctx, "devgotrue: listening (development only)", "url", baseURL)
	stop = func(ctx context.Context) error {
		stopWatch()
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("devgotrue: shutdown: %w", err)
		}
		return nil
	}
	return baseURL, stop, nil
}

// logRequests logs method, path and status: never the query, headers or
// body, which carry emails, passwords and tokens.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log.DebugContext(r.Context(), "devgotrue: request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration", time.Since(start))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
