// Package web is the console's HTTP face: the echo router, its middleware,
// one file per page or action, and the helpers that render templ views.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
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
	// Members runs a tenant's people and invitations; Staff the staff page.
	Members *tenant.MemberService
	Staff   *tenant.StaffService
	// Audit reads the audit log (GET /audit, /tenants/{id}/audit).
	Audit *tenant.AuditService
	// APITokens checks the read API's tokens and lets platform admins
	// manage them on /staff; Publisher is what the API reads; APIRate
	// limits each token (zero: DefaultAPIRate).
	APITokens *tenant.APITokenService
	Publisher *tenant.Publisher
	APIRate   APIRate

	Ready []ReadyCheck
	// Metrics is where request metrics are registered and what /metrics
	// serves; nil makes a fresh registry (tests build many servers).
	Metrics *prometheus.Registry
	// MetricsToken, when set, closes /metrics to all but a scraper sending
	// it as a bearer token, and staff; unset, /metrics is closed (not found)
	// outside dev and open in dev.
	MetricsToken string
	// TrustedProxies are the proxies (load balancers) whose X-Forwarded-For
	// is believed; with none, the client address is the connection's peer.
	TrustedProxies []*net.IPNet
	Dev            bool

	// AuthRecheck is how long a signed-in person's reads are served on
	// GoTrue's last word before it is asked again (0: a minute); writes
	// always ask.
	AuthRecheck time.Duration
	// Now is the clock the recheck reads (nil: time.Now), so tests can let
	// the bound pass without waiting.
	Now func() time.Time
	// DevMail is the embedded dev GoTrue's mailbox, served at /dev/mail in
	// dev; nil otherwise.
	DevMail DevMailbox
	// StaffMFA makes platform admins and support enrol a TOTP factor and
	// give a code at every sign-in (STAFF_MFA=required).
	StaffMFA bool
}

type server struct {
	Deps
	log       *slog.Logger
	refresher refresher
	checks    userChecks
	signouts  signouts
	echo      *echo.Echo
	apiLimits *apiLimits
}

// New returns the console's HTTP handler with every route registered.
func New(d Deps) *echo.Echo {
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	s := &server{Deps: d, log: d.Log, apiLimits: newAPILimits(d.APIRate)}
	d.Sessions.ErrorFunc = s.sessionError
	e := echo.New()
	s.echo = e
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = clientIP(d.TrustedProxies)

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
		browserOnly(s.sessions, sameOrigin(), csrf(d.Dev), s.identify),
	)
	for _, r := range routes {
		e.Add(r.method, r.path, r.handler, s.require(r.who))
		// HEAD wherever GET (echo does not add it): monitors and link
		// checkers ask it. The server sends no body for HEAD; the CSV
		// exports stop once their headers are out.
		if r.method == http.MethodGet {
			e.Add(http.MethodHead, r.path, r.handler, s.require(r.who))
		}
	}
	return e
}

// clientIP is how the client address (sign-in limits, audit rows, the
// access log) is found: X-Forwarded-For is read only when the connection
// comes from a configured proxy, and then only the addresses the trusted
// proxies appended; anything else is the connection's peer. Private and
// loopback addresses are not trusted by themselves: on a shared network
// anyone could send the header.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
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
		// e-mail links: whoever holds the link, before any console session
		{http.MethodGet, "/auth/callback", s.linkCallback, anyone},
		{http.MethodPost, "/auth/callback", s.linkCallbackFinish, anyone},
		{http.MethodGet, "/auth/confirm", s.linkConfirm, anyone},
		{http.MethodGet, "/auth/password", s.passwordForm, anyone},
		{http.MethodPost, "/auth/password", s.passwordSave, anyone},
		{http.MethodPost, "/auth/password/code", s.linkCode, anyone},
		{http.MethodGet, "/auth/forgot", s.forgotForm, anyone},
		{http.MethodPost, "/auth/forgot", s.forgotSend, anyone},
		// the second factor: after the password, before any other page
		{http.MethodGet, pathCode, s.codeForm, passwordDone},
		{http.MethodPost, pathCode, s.code, passwordDone},
		{http.MethodGet, pathEnrol, s.enrolForm, passwordDone},
		{http.MethodPost, pathEnrol, s.enrol, passwordDone},
		{http.MethodGet, "/account", s.account, signedIn},
		{http.MethodPost, "/account/password", s.accountPassword, signedIn},
		{http.MethodPost, "/account/sign-out-everywhere", s.accountSignOutEverywhere, signedIn},
		// the dev GoTrue's mailbox: not found outside dev
		{http.MethodGet, "/dev/mail", s.devMailbox, anyone},
		{http.MethodGet, "/dev/mail/:mail", s.devMail, anyone},
		{http.MethodGet, "/tenants", s.tenantList, signedIn},
		{http.MethodGet, "/tenants/new", s.tenantNew, adminOnly},
		{http.MethodGet, "/tenants/new/theme", s.tenantNewTheme, adminOnly},
		{http.MethodPost, "/tenants", s.tenantCreate, adminOnly},
		{http.MethodGet, "/tenants/onboarded/:key", s.tenantOnboarded, adminOnly},
		{http.MethodGet, "/tenants/:id", s.tenantShow, signedIn},
		{http.MethodPost, "/tenants/:id/secrets/:name", s.tenantSecretReplace, adminOnly},
		// a tenant's people: support reads, the use cases refuse its changes
		{http.MethodGet, "/tenants/:id/members", s.tenantMembers, tenantEditors},
		{http.MethodPost, "/tenants/:id/members", s.memberInvite, tenantEditors},
		{http.MethodPost, "/tenants/:id/members/:user/role", s.memberRole, tenantEditors},
		{http.MethodPost, "/tenants/:id/members/:user/remove", s.memberRemove, tenantEditors},
		{http.MethodPost, "/tenants/:id/invitations/:invitation/resend", s.invitationResend, tenantEditors},
		{http.MethodPost, "/tenants/:id/invitations/:invitation/revoke", s.invitationRevoke, tenantEditors},
		{http.MethodGet, "/staff", s.staffList, adminOnly},
		{http.MethodPost, "/staff", s.staffAdd, adminOnly},
		{http.MethodPost, "/staff/:user/role", s.staffRole, adminOnly},
		{http.MethodPost, "/staff/:user/remove", s.staffRemove, adminOnly},
		{http.MethodPost, "/staff/:user/mfa/reset", s.staffMFAReset, adminOnly},
		{http.MethodGet, "/tenants/:id/settings", s.tenantSettings, tenantEditors},
		{http.MethodPost, "/tenants/:id/settings", s.tenantSettingsSave, tenantEditors},
		{http.MethodGet, "/tenants/:id/branding", s.tenantBranding, tenantEditors},
		{http.MethodPost, "/tenants/:id/branding", s.tenantBrandingSave, tenantEditors},
		{http.MethodGet, "/tenants/:id/branding/preview", s.tenantBrandingPreview, tenantEditors},
		{http.MethodGet, "/tenants/:id/branding/theme", s.tenantBrandingTheme, tenantEditors},
		{http.MethodPost, "/tenants/:id/plan", s.tenantPlan, adminOnly},
		// lifecycle: staff; which action each staff role may ask is the domain's table
		{http.MethodGet, "/tenants/:id/lifecycle/:action", s.tenantLifecycleForm, staffOnly},
		{http.MethodPost, "/tenants/:id/lifecycle/:action", s.tenantLifecycle, staffOnly},
		{http.MethodPost, "/tenants/bulk", s.tenantBulk, staffOnly},
		{http.MethodGet, "/tenants/export.csv", s.tenantExport, signedIn},
		{http.MethodGet, "/audit", s.auditLog, staffOnly},
		{http.MethodGet, "/audit.csv", s.auditExport, staffOnly},
		// a tenant's own owners and admins too (the domain checks which tenant)
		{http.MethodGet, "/tenants/:id/audit", s.tenantAuditLog, signedIn},
		{http.MethodGet, "/tenants/:id/audit.csv", s.tenantAuditExport, signedIn},
		// API tokens: platform admins on the staff page
		{http.MethodPost, "/staff/api-tokens", s.staffTokenCreate, adminOnly},
		{http.MethodPost, "/staff/api-tokens/:token/revoke", s.staffTokenRevoke, adminOnly},
		// the read API: bearer tokens, no session (docs/design.md §14)
		{http.MethodGet, "/api/v1/openapi.json", s.apiOpenAPI, anyone},
		{http.MethodGet, "/api/v1/tenants", s.apiTenantFeed, apiToken},
		{http.MethodGet, "/api/v1/tenants/:id", s.apiTenantShow, apiToken},
	}
}

// home is GET /: the sign-in page for visitors; for a person in several
// organizations the chooser between them; for everyone else their landing.
func (s *server) home(c echo.Context) error {
	p, ok := principalOf(c)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	if to := landing(p); to != "/" {
		return c.Redirect(http.StatusSeeOther, to)
	}
	return render(c, http.StatusOK, tenantviews.ChooserPage(tenantviews.ChooserProps{
		Chrome: s.chrome(c, "Your organizations", "tenants"), Organizations: p.Memberships,
	}))
}
