package web

import (
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
)

// NewSessions returns the session manager: server-side sessions in store,
// ending after lifetime or after idle without use, in an HttpOnly, SameSite
// Lax cookie that is Secure outside development.
func NewSessions(store scs.Store, lifetime, idle time.Duration, dev bool) *scs.SessionManager {
	m := scs.New()
	m.Store = store
	m.Lifetime = lifetime
	m.IdleTimeout = idle
	m.Cookie.Name = "console_session"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = !dev
	m.Cookie.Path = "/"
	return m
}
