// Package web is the console's HTTP face: the echo router, its middleware,
// one file per page or action, and the helpers that render templ views.
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// ReadyCheck is one dependency /readyz asks about.
type ReadyCheck struct {
	Name  string
	Check func(context.Context) error
}

// Deps are what the web layer needs; cmd/console wires them.
type Deps struct {
	Log     *slog.Logger
	Tenants *tenant.Service
	// Onboarding creates tenants (GET/POST /tenants/new, /tenants).
	Onboarding *tenant.Onboarding
	Auth       *auth.Authenticator
	Access     auth.AccessStore
	Sessions   *scs.SessionManager
	Secrets    *tenant.SecretService
	Ready      []ReadyCheck
	// Metrics is where request metrics are registered and what /metrics
	// serves; nil makes a fresh registry (tests build many servers).
	Metrics *prometheus.Registry
	// MetricsToken, when set, closes /metrics to all but a scraper sending
	// it as a bearer token, and staff; unset, /metrics is open like /healthz.
	MetricsToken string
	Dev          bool
}

type server struct {
	Deps
	log *slog.Logger
}

// New returns the console's HTTP handler with every route registered.
func New(d Deps) *echo.Echo {
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	s := &server{Deps: d, log: d.Log}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	// The client address (sign-in limits, audit rows) comes from X-Forwarded-For
	// only when the request arrives from a private or loopback address, i.e.
	// through a load balancer; a client on the internet cannot spoof it.
	e.IPExtractor = echo.ExtractIPFromXFFHeader()

	routes := s.routes()
	known := map[string]bool{}
	for _, r := range routes {
		known[r.path] = true
	}
	e.Use(
		requestID(),
		accessLog(s.log),
		newMetrics(d.Metrics).middleware(known),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.ErrorContext(c.Request().Context(), "panic", slog.Any("error", err), slog.String("stack", string(stack)))
				return err
			},
		}),
		securityHeaders(d.Dev),
		// Pages compress about tenfold; bodies under 1 KiB are not worth it.
		// The fastest level: higher ones cost CPU for a few per cent more.
		middleware.GzipWithConfig(middleware.GzipConfig{Level: 1, MinLength: 1024}),
		middleware.BodyLimit("1M"),
		echo.WrapMiddleware(d.Sessions.LoadAndSave),
		sameOrigin(),
		csrf(d.Dev),
		s.identify,
	)
	for _, r := range routes {
		e.Add(r.method, r.path, r.handler, s.require(r.who))
	}
	return e
}

// route is one address, its handler, and who may use it. Every route must
// say who: the route × role test walks this list through the real router.
type route struct {
	method  string
	path    string
	handler echo.HandlerFunc
	who     audience
}

func (s *server) routes() []route {
	return []route{
		{http.MethodGet, "/", s.home, anyone},
		{http.MethodGet, "/healthz", s.healthz, anyone},
		{http.MethodGet, "/readyz", s.readyz, anyone},
		{http.MethodGet, "/metrics", s.metrics, monitoring},
		{http.MethodGet, "/static/*", s.static, anyone},
		{http.MethodGet, "/login", s.loginForm, anyone},
		{http.MethodPost, "/login", s.login, anyone},
		{http.MethodPost, "/logout", s.logout, anyone},
		{http.MethodGet, "/tenants", s.tenantList, signedIn},
		{http.MethodGet, "/tenants/new", s.tenantNew, adminOnly},
		{http.MethodGet, "/tenants/new/theme", s.tenantNewTheme, adminOnly},
		{http.MethodPost, "/tenants", s.tenantCreate, adminOnly},
		{http.MethodGet, "/tenants/onboarded/:key", s.tenantOnboarded, adminOnly},
		{http.MethodGet, "/tenants/:id", s.tenantShow, signedIn},
		{http.MethodPost, "/tenants/:id/secrets/:name", s.tenantSecretReplace, adminOnly},
		{http.MethodGet, "/tenants/:id/settings", s.tenantSettings, tenantEditors},
		{http.MethodPost, "/tenants/:id/settings", s.tenantSettingsSave, tenantEditors},
		{http.MethodGet, "/tenants/:id/branding", s.tenantBranding, tenantEditors},
		{http.MethodPost, "/tenants/:id/branding", s.tenantBrandingSave, tenantEditors},
		{http.MethodGet, "/tenants/:id/branding/preview", s.tenantBrandingPreview, tenantEditors},
		{http.MethodGet, "/tenants/:id/branding/theme", s.tenantBrandingTheme, tenantEditors},
		{http.MethodPost, "/tenants/:id/plan", s.tenantPlan, adminOnly},
	}
}

func (s *server) home(c echo.Context) error {
	if _, ok := principalOf(c); !ok {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return c.Redirect(http.StatusSeeOther, "/tenants")
}
