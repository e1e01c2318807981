package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sameOrigin refuses state-changing requests that a browser marks as coming
// from another site (Sec-Fetch-Site) or whose Origin is not this host, before
// the token check: a stolen token must not help a cross-site form either.
func sameOrigin() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if isSafeMethod(req.Method) {
				return next(c)
			}
			switch req.Header.Get("Sec-Fetch-Site") {
			case "", "same-origin", "none":
			default:
				return fmt.Errorf("%w: Sec-Fetch-Site %q", errCSRF, req.Header.Get("Sec-Fetch-Site"))
			}
			if origin := req.Header.Get(echo.HeaderOrigin); origin != "" {
				u, err := url.Parse(origin)
				if err != nil || !strings.EqualFold(u.Host, req.Host) {
					return fmt.Errorf("%w: Origin %q is not %q", errCSRF, origin, req.Host)
				}
			}
			return next(c)
		}
	}
}

// csrf requires a token (hidden _csrf field, or X-CSRF-Token header from htmx)
// matching the HttpOnly cookie on every state-changing request, whatever
// Sec-Fetch-Site says. echo's middleware lets a request with Sec-Fetch-Site
// same-origin or none through without the token, and then gives pages a
// placeholder instead of a token; it never sees the header here (sameOrigin
// has already judged it), so every POST is checked and every page gets a
// real token.
func csrf(dev bool) echo.MiddlewareFunc {
	check := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		ContextKey:     "csrf",
		CookieName:     "console_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		CookieSecure:   !dev,
		ErrorHandler: func(err error, c echo.Context) error {
			return fmt.Errorf("%w: %v", errCSRF, err)
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := check(next)
		return func(c echo.Context) error {
			c.Request().Header.Del(echo.HeaderSecFetchSite)
			return h(c)
		}
	}
}

// csrfToken is the token forms must send back.
func csrfToken(c echo.Context) string {
	t, _ := c.Get("csrf").(string)
	return t
}
