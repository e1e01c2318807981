package web_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/web"
)

// signInAttempt posts the sign-in form and returns the answer.
func signInAttempt(t *testing.T, b *browser, email, password string) (*http.Response, string) {
	t.Helper()
	b.get("/login")
	return b.post("/login", url.Values{"email": {email}, "password": {password}})
}

// expectRefusal checks the sign-in form came back with message, the e-mail
// kept, and status.
func expectRefusal(t *testing.T, res *http.Response, body string, status int, message, email string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d\n%s", res.StatusCode, status, clip(body))
	}
	if !strings.Contains(body, htmlEscape(message)) {
		t.Fatalf("page lacks %q\n%s", message, clip(body))
	}
	if !strings.Contains(body, `value="`+htmlEscape(email)+`"`) {
		t.Fatalf("the e-mail %q was not kept in the form", email)
	}
	if strings.Contains(body, "GoTrue") || strings.Contains(body, "error_code") {
		t.Fatalf("raw GoTrue error shown to the person:\n%s", clip(body))
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// Signing in, its refusals, its session and the CSRF checks: one app, each
// case with its own people, side by side. Expiring sessions comes last, on
// its own: it expires every session of the app.
func TestSignIn(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	t.Run("cases", func(t *testing.T) {
		for _, c := range []struct {
			name string
			test func(*testing.T, *app)
		}{
			{"messages", signInMessages},
			{"the session is renewed at sign-in", sessionIsRenewedAtSignIn},
			{"session cookie flags", sessionCookieFlags},
			{"sign-out ends the session", signOutEndsTheSession},
			{"returns to the page asked for only when it is local", signInReturnsToTheAskedPageOnlyWhenLocal},
			{"owner of a tenant suspended meanwhile", suspendedTenantOwner},
			{"CSRF", csrfChecks},
			{"pages always carry a real CSRF token", pagesAlwaysCarryARealCSRFToken},
		} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.test(t, a)
			})
		}
	})
	t.Run("an expired session ends access", func(t *testing.T) { expiredSessionEndsAccess(t, a) })
}

func signInMessages(t *testing.T, a *app) {
	ctx := context.Background()
	admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)

	t.Run("wrong password and unknown e-mail get the same message", func(t *testing.T) {
		res, body := signInAttempt(t, a.newBrowser(t), admin.email, "not the password")
		expectRefusal(t, res, body, http.StatusUnauthorized, auth.MsgInvalidCredentials, admin.email)
		res, body = signInAttempt(t, a.newBrowser(t), "nobody@console.example", "whatever password")
		expectRefusal(t, res, body, http.StatusUnauthorized, auth.MsgInvalidCredentials, "nobody@console.example")
	})

	t.Run("unconfirmed e-mail", func(t *testing.T) {
		_, err := a.gotrue.CreateUser(ctx, gotrue.CreateUserParams{Email: "new@console.example", Password: "a fine password", EmailConfirm: false})
		if err != nil {
			t.Fatal(err)
		}
		res, body := signInAttempt(t, a.newBrowser(t), "new@console.example", "a fine password")
		expectRefusal(t, res, body, http.StatusForbidden, auth.MsgEmailNotConfirmed, "new@console.example")
	})

	t.Run("banned account, even with a wrong password", func(t *testing.T) {
		p := a.createPerson(t, "banned@console.example", tenant.RoleSupport, nil)
		if _, err := a.gotrue.BanUser(ctx, p.userID, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		res, body := signInAttempt(t, a.newBrowser(t), p.email, p.password)
		expectRefusal(t, res, body, http.StatusForbidden, auth.MsgBanned, p.email)
		res, body = signInAttempt(t, a.newBrowser(t), p.email, "wrong password")
		expectRefusal(t, res, body, http.StatusForbidden, auth.MsgBanned, p.email)
	})

	t.Run("valid account without any role", func(t *testing.T) {
		p := a.createPerson(t, "stranger@console.example", "", nil)
		res, body := signInAttempt(t, a.newBrowser(t), p.email, p.password)
		expectRefusal(t, res, body, http.StatusForbidden, auth.MsgNoAccess, p.email)
	})

	t.Run("tenant person whose tenants are all suspended or deleted", func(t *testing.T) {
		// tn_4d1f2b33_x9ke is suspended and tn_9c6e7a88_f7rh deleted in the demo data.
		p := a.createPerson(t, "okavango@console.example", "", map[string]tenant.MemberRole{
			"tn_4d1f2b33_x9ke": tenant.MemberOwner, "tn_9c6e7a88_f7rh": tenant.MemberAdmin})
		res, body := signInAttempt(t, a.newBrowser(t), p.email, p.password)
		expectRefusal(t, res, body, http.StatusForbidden, auth.MsgSuspended, p.email)
	})

	t.Run("empty fields are named", func(t *testing.T) {
		res, body := signInAttempt(t, a.newBrowser(t), "", "")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter your e-mail address.") ||
			!strings.Contains(body, "Enter your password.") {
			t.Fatalf("status %d\n%s", res.StatusCode, clip(body))
		}
	})

	t.Run("the right password signs in and lands on the list", func(t *testing.T) {
		b := a.newBrowser(t)
		res, _ := signInAttempt(t, b, " ADA@console.example ", admin.password)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants" {
			t.Fatalf("status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
		}
		if _, body := b.get("/tenants"); !strings.Contains(body, "ada@console.example") {
			t.Fatal("the list does not show who is signed in")
		}
	})
}

func TestSignInTooManyAttempts(t *testing.T) {
	t.Parallel()
	t.Run("the console's own limit per e-mail", func(t *testing.T) {
		t.Parallel()
		a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 3, PerIP: 100, WindowSeconds: 60}})
		p := a.createPerson(t, "typo@console.example", tenant.RoleSupport, nil)
		for range 3 {
			res, body := signInAttempt(t, a.newBrowser(t), p.email, "wrong password")
			expectRefusal(t, res, body, http.StatusUnauthorized, auth.MsgInvalidCredentials, p.email)
		}
		res, body := signInAttempt(t, a.newBrowser(t), p.email, p.password)
		expectRefusal(t, res, body, http.StatusTooManyRequests, auth.MsgRateLimited, p.email)
		// Another e-mail from the same address is not held back.
		other := a.createPerson(t, "other@console.example", tenant.RoleSupport, nil)
		if res, _ := signInAttempt(t, a.newBrowser(t), other.email, other.password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("another account was refused: %d", res.StatusCode)
		}
	})
	t.Run("GoTrue's rate limit", func(t *testing.T) {
		t.Parallel()
		a := newAppWith(t, appOptions{devAuth: devgotrue.Options{TokenRateLimit: devgotrue.RateLimit{Requests: 2, Window: time.Minute}}})
		p := a.createPerson(t, "busy@console.example", tenant.RoleSupport, nil)
		var res *http.Response
		var body string
		for range 3 {
			res, body = signInAttempt(t, a.newBrowser(t), p.email, p.password)
		}
		expectRefusal(t, res, body, http.StatusTooManyRequests, auth.MsgRateLimited, p.email)
	})
}

func TestSignInWhenGoTrueIsDown(t *testing.T) {
	t.Parallel()
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + ln.Addr().String()
		ln.Close()
		a := newAppWith(t, appOptions{gotrueURL: closed})
		res, body := signInAttempt(t, a.newBrowser(t), "ada@console.example", "some password")
		expectRefusal(t, res, body, http.StatusServiceUnavailable, auth.MsgUnavailable, "ada@console.example")
		if !strings.Contains(a.logs.String(), "GoTrue unavailable at sign-in") {
			t.Fatal("the outage was not logged")
		}
	})
	t.Run("answering 502 from a proxy", func(t *testing.T) {
		t.Parallel()
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		}))
		t.Cleanup(proxy.Close)
		a := newAppWith(t, appOptions{gotrueURL: proxy.URL})
		res, body := signInAttempt(t, a.newBrowser(t), "ada@console.example", "some password")
		expectRefusal(t, res, body, http.StatusServiceUnavailable, auth.MsgUnavailable, "ada@console.example")
		if !strings.Contains(a.logs.String(), "502") {
			t.Fatal("the 502 was not logged with its detail")
		}
	})
}

func sessionIsRenewedAtSignIn(t *testing.T, a *app) {
	p := a.createPerson(t, "renewed@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.get("/login")
	b.post("/logout", nil) // leaves an anonymous session (the goodbye notice)
	before := sessionCookie(t, b)
	if before == "" {
		t.Fatal("no anonymous session to plant")
	}
	b.signIn(p)
	after := sessionCookie(t, b)
	if after == "" || after == before {
		t.Fatalf("session token not renewed at sign-in: %q → %q", before, after)
	}
	// Someone holding the old token is not signed in.
	planted := a.newBrowser(t)
	u, _ := url.Parse(a.URL)
	planted.client.Jar.SetCookies(u, []*http.Cookie{{Name: "console_session", Value: before}})
	if res, _ := planted.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the pre-sign-in token opens the list: %d", res.StatusCode)
	}
}

func sessionCookie(t *testing.T, b *browser) string {
	t.Helper()
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "console_session" {
			return c.Value
		}
	}
	return ""
}

func sessionCookieFlags(t *testing.T, a *app) {
	p := a.createPerson(t, "cookie@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.get("/login")
	res, _ := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}})
	var found bool
	for _, c := range res.Cookies() {
		if c.Name == "console_session" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie HttpOnly=%v SameSite=%v", c.HttpOnly, c.SameSite)
			}
		}
	}
	if !found {
		t.Fatal("sign-in set no session cookie")
	}
}

func signOutEndsTheSession(t *testing.T, a *app) {
	b := a.signedInAdmin(t)
	_, page := b.get("/tenants")
	if !strings.Contains(page, `action="/logout"`) {
		t.Fatal("no sign-out form on the list")
	}
	res, _ := b.post("/logout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("sign out: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := b.get("/login"); !strings.Contains(body, "You have signed out.") {
		t.Fatal("no goodbye notice")
	}
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("list after sign-out: %d", res.StatusCode)
	}
}

func signInReturnsToTheAskedPageOnlyWhenLocal(t *testing.T, a *app) {
	p := a.createPerson(t, "next@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	res, _ := b.get("/tenants/africastay?tab=x")
	if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape("/tenants/africastay?tab=x") {
		t.Fatalf("anonymous visit redirected to %q", loc)
	}
	b.get(res.Header.Get("Location"))
	if !strings.Contains(b.page, `name="next" value="/tenants/africastay?tab=x"`) {
		t.Fatal("the sign-in form does not carry the page asked for")
	}
	res, _ = b.post("/login", url.Values{"email": {p.email}, "password": {p.password}, "next": {"/tenants/africastay?tab=x"}})
	if loc := res.Header.Get("Location"); loc != "/tenants/africastay?tab=x" {
		t.Fatalf("after sign-in: %q", loc)
	}
	for _, evil := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		b := a.newBrowser(t)
		b.get("/login")
		res, _ := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}, "next": {evil}})
		if loc := res.Header.Get("Location"); loc != "/tenants" {
			t.Errorf("next=%q sent the person to %q", evil, loc)
		}
	}
}

func suspendedTenantOwner(t *testing.T, a *app) {
	ctx := context.Background()
	owner := a.createPerson(t, "thandi@africastay.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberOwner})
	b := a.newBrowser(t)
	b.signIn(owner)
	if res, _ := b.get("/tenants/africastay"); res.StatusCode != http.StatusOK {
		t.Fatalf("own tenant: %d", res.StatusCode)
	}

	if _, err := a.pool.Exec(ctx, `UPDATE tenants SET status = 'suspended', suspended_at = now(),
		suspended_by = 'test', suspended_reason = 'Invoice overdue' WHERE id = 'africastay'`); err != nil {
		t.Fatal(err)
	}
	res, _ := b.get("/tenants/africastay")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("existing session after suspension: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := b.get(res.Header.Get("Location")); !strings.Contains(body, htmlEscape(auth.MsgSuspended)) {
		t.Fatalf("sign-in page does not say why:\n%s", clip(body))
	}
	res, body := signInAttempt(t, a.newBrowser(t), owner.email, owner.password)
	expectRefusal(t, res, body, http.StatusForbidden, auth.MsgSuspended, owner.email)
}

func csrfChecks(t *testing.T, a *app) {
	p := a.createPerson(t, "csrf@console.example", tenant.RolePlatformAdmin, nil)

	t.Run("a POST without a token is refused", func(t *testing.T) {
		b := a.newBrowser(t)
		b.get("/login")
		res, body := b.postRaw("/login", url.Values{"email": {p.email}, "password": {p.password}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Form expired") {
			t.Fatalf("status %d\n%s", res.StatusCode, clip(body))
		}
	})
	t.Run("a POST with a wrong token is refused", func(t *testing.T) {
		b := a.newBrowser(t)
		b.get("/login")
		res, _ := b.postRaw("/login", url.Values{"email": {p.email}, "password": {p.password}, "_csrf": {"forged"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("a POST from a foreign Origin is refused, even with a token", func(t *testing.T) {
		b := a.newBrowser(t)
		b.signIn(p)
		b.get("/tenants")
		res, _ := b.post("/logout", nil, "Origin", "https://evil.example")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
			t.Fatal("the refused sign-out signed the person out")
		}
	})
	t.Run("a cross-site POST is refused", func(t *testing.T) {
		b := a.newBrowser(t)
		b.get("/login")
		res, _ := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}}, "Sec-Fetch-Site", "cross-site")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("htmx sends the token as a header", func(t *testing.T) {
		b := a.newBrowser(t)
		b.signIn(p)
		_, page := b.get("/tenants")
		token := csrfField.FindStringSubmatch(page)[1]
		if !strings.Contains(page, `hx-headers="{&#34;X-CSRF-Token&#34;:&#34;`+token+`&#34;}"`) {
			t.Fatal("the page does not give htmx the token")
		}
		res, _ := b.postRaw("/logout", url.Values{}, "X-CSRF-Token", token, "HX-Request", "true")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("the same-origin browser path works, with the token", func(t *testing.T) {
		b := a.newBrowser(t)
		b.get("/login", "Sec-Fetch-Site", "none")
		res, _ := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}},
			"Sec-Fetch-Site", "same-origin", "Origin", a.URL)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("a POST without a token is refused whatever Sec-Fetch-Site says", func(t *testing.T) {
		for _, site := range []string{"same-origin", "none"} {
			b := a.newBrowser(t)
			b.get("/login", "Sec-Fetch-Site", site)
			res, body := b.postRaw("/login", url.Values{"email": {p.email}, "password": {p.password}},
				"Sec-Fetch-Site", site, "Origin", a.URL)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Form expired") {
				t.Fatalf("Sec-Fetch-Site %s without a token: status %d\n%s", site, res.StatusCode, clip(body))
			}
		}
		// Signed in, an htmx POST without the header token: refused, and the
		// person is still signed in.
		b := a.newBrowser(t)
		b.signIn(p)
		b.get("/tenants")
		res, _ := b.postRaw("/logout", url.Values{}, "Sec-Fetch-Site", "same-origin", "HX-Request", "true", "Origin", a.URL)
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("htmx POST without a token: %d", res.StatusCode)
		}
		if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
			t.Fatal("the refused sign-out signed the person out")
		}
	})
}

// Pages carry a real token even for browsers that send Sec-Fetch-Site, so a
// form read from such a page can be posted by any client.
func pagesAlwaysCarryARealCSRFToken(t *testing.T, a *app) {
	p := a.createPerson(t, "token@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.get("/login", "Sec-Fetch-Site", "none")
	token := csrfField.FindStringSubmatch(b.page)
	if token == nil || len(token[1]) < 32 || strings.Contains(token[1], "sec_fetch") {
		t.Fatalf("token on the page: %v", token)
	}
	res, _ := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("posting the page's token without Sec-Fetch-Site: %d", res.StatusCode)
	}
}

// A session past its expiry (idle or absolute, scs writes the earlier of the
// two into the store) no longer signs anyone in.
func expiredSessionEndsAccess(t *testing.T, a *app) {
	b := a.signedInAdmin(t)
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("before expiry: %d", res.StatusCode)
	}
	if _, err := a.pool.Exec(context.Background(), `UPDATE sessions SET expiry = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after expiry: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestSessionsHonourTheConfiguredTimeouts(t *testing.T) {
	t.Parallel()
	m := web.NewSessions(nil, 8*time.Hour, 30*time.Minute, false)
	if m.Lifetime != 8*time.Hour || m.IdleTimeout != 30*time.Minute {
		t.Fatalf("lifetime %s, idle %s", m.Lifetime, m.IdleTimeout)
	}
	if !m.Cookie.HttpOnly || m.Cookie.SameSite != http.SameSiteLaxMode || !m.Cookie.Secure {
		t.Fatalf("outside dev the cookie must be HttpOnly, SameSite=Lax and Secure: %+v", m.Cookie)
	}
	if web.NewSessions(nil, time.Hour, time.Hour, true).Cookie.Secure {
		t.Fatal("in dev (plain http on localhost) the cookie cannot be Secure")
	}
}
