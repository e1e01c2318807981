package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// signInFrom posts the sign-in form as a client at address (through a
// trusted proxy that says so in X-Forwarded-For).
func signInFrom(t *testing.T, a *app, address, email, password string) (*http.Response, string) {
	t.Helper()
	b := a.newBrowser(t)
	b.get("/login", "X-Forwarded-For", address)
	return b.post("/login", url.Values{"email": {email}, "password": {password}}, "X-Forwarded-For", address)
}

func TestAFailingAttackerCannotLockTheAdminOut(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{trustedProxies: []string{"127.0.0.1/32"}})
	admin := a.createPerson(t, "admin@console.example", tenant.RolePlatformAdmin, nil)
	const attacker, office = "203.0.113.66", "198.51.100.10"

	for i := range 6 {
		res, body := signInFrom(t, a, attacker, admin.email, "guess number "+string(rune('a'+i)))
		want, msg := http.StatusUnauthorized, auth.MsgInvalidCredentials
		if i == 5 {
			want, msg = http.StatusTooManyRequests, auth.MsgRateLimited
		}
		expectRefusal(t, res, body, want, msg, admin.email)
	}
	// The attacker's address stays stopped, even with the right password.
	res, body := signInFrom(t, a, attacker, admin.email, admin.password)
	expectRefusal(t, res, body, http.StatusTooManyRequests, auth.MsgRateLimited, admin.email)
	// The admin, from their own address, signs in.
	if res, body := signInFrom(t, a, office, admin.email, admin.password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin from another address: %d\n%s", res.StatusCode, clip(body))
	}
}

func TestOnlyFailuresCount(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 3, PerIP: 3, WindowSeconds: 60}})
	p := a.createPerson(t, "busy@console.example", tenant.RoleSupport, nil)
	for i := range 8 {
		if res, body := signInAttempt(t, a.newBrowser(t), p.email, p.password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d with the right password: %d\n%s", i+1, res.StatusCode, clip(body))
		}
	}
}

func TestOneAddressTryingManyAccountsHitsItsCeiling(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{
		trustedProxies: []string{"127.0.0.1/32"},
		limits:         auth.Limits{PerEmail: 5, PerIP: 4, WindowSeconds: 60},
	})
	p := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	const sprayer = "203.0.113.7"
	for _, email := range []string{"a@console.example", "b@console.example", "c@console.example", "d@console.example"} {
		res, body := signInFrom(t, a, sprayer, email, "password123")
		expectRefusal(t, res, body, http.StatusUnauthorized, auth.MsgInvalidCredentials, email)
	}
	res, body := signInFrom(t, a, sprayer, p.email, p.password)
	expectRefusal(t, res, body, http.StatusTooManyRequests, auth.MsgRateLimited, p.email)
	if res, _ := signInFrom(t, a, "192.0.2.44", p.email, p.password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another address: %d", res.StatusCode)
	}
}
