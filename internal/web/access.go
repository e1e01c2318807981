package web

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/layout"
)

// audience is who may use a route. The role check happens here, on the
// server, for every route; tenant-scoped routes additionally get only the
// person's own tenants from the domain (anything else is "not found").
type audience int

const (
	anyone    audience = iota // no sign-in needed
	signedIn                  // anyone with console access: staff or tenant people
	staffOnly                 // platform admins and support
	adminOnly                 // platform admins
	// monitoring is closed unless METRICS_TOKEN is set: then a scraper
	// presents it as a bearer token, or staff sign in. In dev without a
	// token it is open, like the health checks.
	monitoring
	// tenantEditors are platform admins, support (read-only: the use cases
	// refuse their changes) and the owners and admins of the :id tenant;
	// anyone else is told the tenant is not found.
	tenantEditors
	// passwordDone is anyone signed in with their password, before or
	// after their second factor: the pages that ask for it (every other
	// route sends a person whose second factor is due to them).
	passwordDone
	// apiToken is platform code presenting an API token (the read API);
	// a browser's session counts for nothing there.
	apiToken
)

// Session keys.
const (
	sessUserID      = "user_id"
	sessEmail       = "email"
	sessGoTrueToken = "gotrue_access_token"
	// sessGoTrueRefresh and sessGoTrueExpiry (unix seconds) let the
	// console ask GoTrue again once the access token runs out.
	sessGoTrueRefresh = "gotrue_refresh_token"
	sessGoTrueExpiry  = "gotrue_expires_at"
	// sessGoTrueChecked (unix milliseconds) is when GoTrue last vouched
	// for the session: at sign-in and at each refresh.
	sessGoTrueChecked = "gotrue_checked_at"
	sessFlash         = "flash"
)

const principalKey = "principal"

// identify loads the signed-in person's current roles on every request, so
// a suspended tenant or a removed role stops an existing session at once,
// and has GoTrue confirm the account before every write and at least every
// AuthRecheck for reads (see checkGoTrueSession), so a ban stops writes at
// once and reads within that bound.
func (s *server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		userID := s.Sessions.GetString(ctx, sessUserID)
		if userID == "" {
			return next(c)
		}
		ended, err := s.checkGoTrueSession(ctx, userID, isWrite(c.Request()))
		if err != nil {
			return err
		}
		if ended != "" {
			if err := s.Sessions.Destroy(ctx); err != nil {
				return err
			}
			s.Sessions.Put(ctx, sessFlash, ended)
			c.Set(sessionEndedKey, true)
			return next(c) // as a visitor: require sends them to the sign-in page
		}
		p, err := auth.Resolve(ctx, s.Access, userID, s.Sessions.GetString(ctx, sessEmail))
		if errors.Is(err, auth.ErrNoAccess) || errors.Is(err, auth.ErrTenantSuspended) {
			s.log.InfoContext(ctx, "session ended: the account lost its access", slog.String("user_id", userID), slog.Any("reason", err))
			if err := s.Sessions.Destroy(ctx); err != nil {
				return err
			}
			msg := auth.MsgNoAccess
			if errors.Is(err, auth.ErrTenantSuspended) {
				msg = auth.MsgSuspended
			}
			s.Sessions.Put(ctx, sessFlash, msg)
			return next(c) // as a visitor: require sends them to the sign-in page
		}
		if err != nil {
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// sessionEndedKey marks a request whose session identify has just ended:
// the person is sent to the sign-in page, which says why, even from a form.
const sessionEndedKey = "session_ended"

// isWrite reports whether a request may change something, so GoTrue must
// confirm the person first. Signing in and out are not: sign-in asks GoTrue
// itself, and signing out must work when GoTrue does not answer.
func isWrite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return r.URL.Path != "/login" && r.URL.Path != "/logout"
}

func principalOf(c echo.Context) (auth.Principal, bool) {
	p, ok := c.Get(principalKey).(auth.Principal)
	return p, ok
}

// require refuses a request whose person may not use the route.
func (s *server) require(who audience) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if who == apiToken {
				return s.withAPIToken(c, next)
			}
			if who == monitoring && s.MetricsToken == "" && !s.Dev {
				// No token configured outside dev: nobody gets the metrics.
				return apperr.ErrNotFound
			}
			if who == anyone || (who == monitoring && (s.MetricsToken == "" || s.hasMetricsToken(c))) {
				return next(c)
			}
			p, ok := principalOf(c)
			if !ok {
				return s.toSignIn(c)
			}
			if who == passwordDone {
				return next(c)
			}
			if step := s.secondFactorStep(c.Request().Context(), p); step != "" {
				return s.toSecondFactor(c, step)
			}
			switch {
			case (who == staffOnly || who == monitoring) && p.Staff == "",
				who == adminOnly && p.Staff != tenant.RolePlatformAdmin:
				return apperr.ErrForbidden
			case who == tenantEditors && !p.Actor("", "").CanReadEdits(c.Param("id")):
				return apperr.ErrNotFound
			}
			return next(c)
		}
	}
}

// hasMetricsToken reports whether the request carries the configured
// metrics bearer token (never true when none is configured).
func (s *server) hasMetricsToken(c echo.Context) bool {
	if s.MetricsToken == "" {
		return false
	}
	got, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.MetricsToken)) == 1
}

// toSignIn sends a visitor to the sign-in page, coming back afterwards.
func (s *server) toSignIn(c echo.Context) error {
	req := c.Request()
	to := "/login?next=" + url.QueryEscape(req.URL.RequestURI())
	if htmxOf(c).Request {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusUnauthorized)
	}
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return c.Redirect(http.StatusSeeOther, to)
	}
	if ended, _ := c.Get(sessionEndedKey).(bool); ended {
		// The form cannot be sent again after signing in; the sign-in page
		// shows why the session ended.
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return apperr.ErrUnauthenticated
}

// localPath returns next when it is a path on this site, else "".
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.ContainsAny(next, "\r\n") {
		return ""
	}
	return next
}

// landing is where a person goes after signing in: staff to the list, a
// person in one organization to its Overview, a person in several to the
// home page's "Your organizations".
func landing(p auth.Principal) string {
	switch {
	case p.Staff != "":
		return "/tenants"
	case len(p.Memberships) == 1:
		return "/tenants/" + url.PathEscape(p.Memberships[0].TenantID)
	case len(p.Memberships) > 1:
		return "/"
	}
	return "/tenants"
}

// actor is who is making the request, as the domain sees them.
func (s *server) actor(c echo.Context) tenant.Actor {
	p, _ := principalOf(c)
	return p.Actor(c.Response().Header().Get(echo.HeaderXRequestID), c.RealIP())
}

// chrome is the page shell's data for this request.
func (s *server) chrome(c echo.Context, title, nav string) layout.Chrome {
	ch := layout.Chrome{Title: title, Nav: nav, CSRFToken: csrfToken(c)}
	p, ok := principalOf(c)
	if !ok {
		return ch
	}
	current := c.Param("id")
	ch.User = &layout.User{
		Email:          p.Email,
		RoleLabel:      roleLabel(p, current),
		CanOnboard:     p.Staff == tenant.RolePlatformAdmin,
		CanManageStaff: p.Staff == tenant.RolePlatformAdmin,
		Tenants:        p.Memberships,
		CurrentTenant:  current,
		CanAudit:       p.Staff != "",
	}
	return ch
}

func roleLabel(p auth.Principal, tenantID string) string {
	switch p.Staff {
	case tenant.RolePlatformAdmin:
		return "Platform admin"
	case tenant.RoleSupport:
		return "Support"
	}
	role := tenant.MemberRole("")
	for _, m := range p.Memberships {
		if m.TenantID == tenantID || role == "" {
			role = m.Role
		}
	}
	switch role {
	case tenant.MemberOwner:
		return "Owner"
	case tenant.MemberAdmin:
		return "Admin"
	}
	return "Member"
}
