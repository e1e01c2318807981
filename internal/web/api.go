package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// The read API for the platform's own code (docs/design.md §14): JSON under
// /api/v1/, authenticated by bearer token, outside the session and CSRF
// machinery, errors as RFC 9457 problem documents.

// apiPrefix starts every API address.
const apiPrefix = "/api/"

// APIRate is how many requests per second one API token may make, with
// bursts of up to Burst. Each console process counts its own.
type APIRate struct {
	PerSecond float64
	Burst     int
}

// DefaultAPIRate is the rate when none is configured.
var DefaultAPIRate = APIRate{PerSecond: 50, Burst: 100}

// browserOnly runs mws (sessions, same-origin and CSRF checks, identify)
// for every route but the API's: API callers present a token, carry no
// cookie to protect, and must not start sessions.
func browserOnly(mws ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		browser := next
		for i := len(mws) - 1; i >= 0; i-- {
			browser = mws[i](browser)
		}
		return func(c echo.Context) error {
			// c.Path is the matched route, so only real API routes skip.
			if strings.HasPrefix(c.Path(), apiPrefix) {
				return next(c)
			}
			return browser(c)
		}
	}
}

// isAPIRequest reports whether the answer must be the API's (JSON,
// problem documents), also for an address under it that has no route.
func isAPIRequest(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, apiPrefix)
}

const apiTokenKey = "api_token"

// withAPIToken lets through a request that presents a live token and is
// within the token's rate.
func (s *server) withAPIToken(c echo.Context, next echo.HandlerFunc) error {
	// The scheme's name is case-insensitive (RFC 9110 §11.1).
	scheme, presented, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	presented = strings.TrimSpace(presented)
	if !strings.EqualFold(scheme, "Bearer") || presented == "" {
		return s.apiUnauthenticated(c, apperr.E(apperr.Unauthenticated,
			"Send an API token in the Authorization header: Authorization: Bearer <token>."))
	}
	tok, err := s.APITokens.Authenticate(c.Request().Context(), presented)
	if apperr.KindOf(err) == apperr.Unauthenticated {
		return s.apiUnauthenticated(c, apperr.E(apperr.Unauthenticated,
			"The API token is not valid: it is mistyped, unknown or revoked."))
	}
	if err != nil {
		return err
	}
	if wait := s.apiLimits.wait(tok.ID); wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return apperr.E(apperr.RateLimited, fmt.Sprintf(
			"This token made more than %g requests a second. Try again after the time in Retry-After.", s.apiLimits.rate.PerSecond))
	}
	c.Set(apiTokenKey, tok)
	return next(c)
}

// apiUnauthenticated answers 401 with the challenge RFC 6750 asks for.
func (s *server) apiUnauthenticated(c echo.Context, err error) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tenant-console"`)
	return err
}

// apiLimits keeps one token bucket per API token.
type apiLimits struct {
	rate APIRate
	mu   sync.Mutex
	byID map[int64]*rate.Limiter
}

func newAPILimits(r APIRate) *apiLimits {
	if r.PerSecond <= 0 {
		r = DefaultAPIRate
	}
	r.Burst = max(r.Burst, 1)
	return &apiLimits{rate: r, byID: map[int64]*rate.Limiter{}}
}

// wait is 0 when token id may make a request now (and counts it), else
// how long until it may.
func (l *apiLimits) wait(id int64) time.Duration {
	l.mu.Lock()
	lim, ok := l.byID[id]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(l.rate.PerSecond), l.rate.Burst)
		l.byID[id] = lim
	}
	l.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d
	}
	return 0
}

// problemDocument is an RFC 9457 problem. Its type is about:blank: the
// status says what kind of problem it is, detail says it in words.
type problemDocument struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
}

// writeProblem answers an API request with p as a problem document.
func writeProblem(c echo.Context, p problem) error {
	body := problemDocument{Type: "about:blank", Title: http.StatusText(p.status), Status: p.status,
		Detail: p.message, Instance: c.Request().URL.Path}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	if c.Request().Method == http.MethodHead {
		return c.NoContent(p.status)
	}
	return c.JSON(p.status, body)
}

// apiTenant is a tenant's document as the API writes it
// (internal/web/api/openapi.yaml, schema Tenant). No secrets, no people.
type apiTenant struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	ShortName   string       `json:"short_name"`
	Status      string       `json:"status"`
	StatusSince *time.Time   `json:"status_since"`
	Plan        string       `json:"plan"`
	Quotas      apiQuotas    `json:"quotas"`
	Settings    *apiSettings `json:"settings"`
	Branding    *apiBranding `json:"branding"`
	Version     int64        `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

type apiQuotas struct {
	MaxUsers         int `json:"max_users"`
	MaxMonthlyQuotes int `json:"max_monthly_quotes"`
	MaxStorageGB     int `json:"max_storage_gb"`
}

type apiSettings struct {
	CompanyName    string `json:"company_name"`
	SupportEmail   string `json:"support_email"`
	SupportPhone   string `json:"support_phone"`
	Website        string `json:"website"`
	Currency       string `json:"currency"`
	Timezone       string `json:"timezone"`
	EmailFromName  string `json:"email_from_name"`
	EmailFromEmail string `json:"email_from_email"`
}

type apiBranding struct {
	PresetTheme    string `json:"preset_theme"`
	LogoURL        string `json:"logo_url"`
	ColorPrimary   string `json:"color_primary"`
	ColorSecondary string `json:"color_secondary"`
	ColorAccent    string `json:"color_accent"`
}

func newAPITenant(d tenant.PublishedTenant) apiTenant {
	t := d.Tenant
	out := apiTenant{
		ID: t.ID, Name: t.Name, ShortName: t.ShortName, Status: string(t.Status), Plan: string(t.Plan),
		Quotas:  apiQuotas{MaxUsers: t.Quotas.MaxUsers, MaxMonthlyQuotes: t.Quotas.MaxMonthlyQuotes, MaxStorageGB: t.Quotas.MaxStorageGB},
		Version: d.Revision, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: d.ChangedAt.UTC(),
	}
	switch t.Status {
	case tenant.StatusSuspended:
		out.StatusSince = utcPtr(t.SuspendedAt)
	case tenant.StatusDeleted:
		out.StatusSince = utcPtr(t.DeletedAt)
	}
	if s := d.Settings; s != nil {
		out.Settings = &apiSettings{CompanyName: s.CompanyName, SupportEmail: s.SupportEmail, SupportPhone: s.SupportPhone,
			Website: s.Website, Currency: s.Currency, Timezone: s.Timezone, EmailFromName: s.EmailFromName,
			EmailFromEmail: s.EmailFromEmail}
	}
	if b := d.Branding; b != nil {
		out.Branding = &apiBranding{PresetTheme: b.PresetTheme, LogoURL: b.LogoURL, ColorPrimary: b.ColorPrimary,
			ColorSecondary: b.ColorSecondary, ColorAccent: b.ColorAccent}
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
