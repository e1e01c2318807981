package web

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// contentSecurityPolicy allows only the console's own scripts and styles (no
// inline script, no eval) and https logos; nobody may frame the console.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' https: data:; connect-src 'self'; font-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(dev bool) echo.MiddlewareFunc {
	cfg := middleware.SecureConfig{
		XSSProtection:         "0", // the legacy filter is harmful; CSP does the job
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ContentSecurityPolicy: contentSecurityPolicy,
		ReferrerPolicy:        "same-origin",
	}
	secure := middleware.SecureWithConfig(cfg)
	if dev {
		return secure
	}
	// echo sends HSTS only on a TLS connection or with X-Forwarded-Proto:
	// https. Outside dev the console is meant to be reached over https
	// (usually through a proxy that terminates TLS), so it always says so;
	// a browser ignores the header on plain http.
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := secure(next)
		return func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderStrictTransportSecurity, hsts)
			return h(c)
		}
	}
}

// hsts is two years, subdomains included.
const hsts = "max-age=63072000; includeSubDomains"
