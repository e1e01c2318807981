// Package web is the console's HTTP face: the echo router, its middleware,
// one file per page or action, and the helpers that render templ views.
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/layout"
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
	Ready   []ReadyCheck
	// Metrics is where request metrics are registered and what /metrics
	// serves; nil makes a fresh registry (tests build many servers).
	Metrics *prometheus.Registry
	Dev     bool
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
	e.IPExtractor = echo.ExtractIPDirect()

	known := map[string]bool{}
	for _, r := range s.routes() {
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
		middleware.BodyLimit("1M"),
	)
	for _, r := range s.routes() {
		e.Add(r.method, r.path, r.handler)
	}
	return e
}

// route is one registered address and who may use it.
type route struct {
	method  string
	path    string
	handler echo.HandlerFunc
}

func (s *server) routes() []route {
	return []route{
		{http.MethodGet, "/", s.home},
		{http.MethodGet, "/healthz", s.healthz},
		{http.MethodGet, "/readyz", s.readyz},
		{http.MethodGet, "/metrics", s.metrics},
		{http.MethodGet, "/static/*", s.static},
		{http.MethodGet, "/tenants", s.tenantList},
		{http.MethodGet, "/tenants/:id", s.tenantShow},
	}
}

// actor is who is making the request, as the domain sees them.
func (s *server) actor(c echo.Context) tenant.Actor {
	// Until sign-in exists the console is open: everyone acts as staff.
	return tenant.Actor{Email: "anonymous", Staff: tenant.RoleSupport, RequestID: c.Response().Header().Get(echo.HeaderXRequestID), RemoteAddr: c.RealIP()}
}

// chrome is the page shell's data for this request.
func (s *server) chrome(c echo.Context, title, nav string) layout.Chrome {
	return layout.Chrome{Title: title, Nav: nav}
}

func (s *server) home(c echo.Context) error {
	return c.Redirect(http.StatusFound, "/tenants")
}
