package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// The security sweep walks the router's own route table, so a route added
// later is swept without editing these tests.

// foreignID is a tenant id that exists nowhere: what a foreign tenant's
// routes must look like to someone who may not see it.
const foreignID = "tn_00000000_none"

// routeParams are plausible values for path parameters other than :id; a
// parameter not listed gets "x1" (the answer must still be a refusal).
var routeParams = map[string]string{
	"name": "supabase_service_key",
	"key":  "onboard-key-0001",
	// a lifecycle action's form (GET) or post
	"action": "suspend",
	"*":      "css/app.css",
}

var pathParam = regexp.MustCompile(`:[A-Za-z_]+|\*`)

// fillPath puts tenantID for :id and a plausible value for every other
// parameter of an echo route path.
func fillPath(path, tenantID string) string {
	return pathParam.ReplaceAllStringFunc(path, func(p string) string {
		name := strings.TrimPrefix(p, ":")
		if name == "id" {
			return url.PathEscape(tenantID)
		}
		if v, ok := routeParams[name]; ok {
			return v
		}
		return "x1"
	})
}

// tenantRoutes are the router's pages and actions that take a tenant id.
// The read API's are left to api_test.go: they answer bearer tokens, not
// sessions, so a signed-in person gets 401 there for every tenant alike.
func tenantRoutes(e *echo.Echo) []*echo.Route {
	var out []*echo.Route
	for _, r := range e.Routes() {
		if strings.Contains(r.Path, ":id") && !strings.HasPrefix(r.Path, "/api/") {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *echo.Route) int { return strings.Compare(a.Method+a.Path, b.Method+b.Path) })
	return out
}

// tenantStrings is every piece of text the database holds about id that a
// page about it could show (long enough not to occur by chance).
func (a *app) tenantStrings(t *testing.T, id string) []string {
	t.Helper()
	rows, err := a.pool.Query(context.Background(), `
		SELECT name FROM tenants WHERE id = $1
		UNION SELECT company_name FROM tenant_settings WHERE tenant_id = $1
		UNION SELECT support_email FROM tenant_settings WHERE tenant_id = $1
		UNION SELECT support_phone FROM tenant_settings WHERE tenant_id = $1
		UNION SELECT website FROM tenant_settings WHERE tenant_id = $1
		UNION SELECT email_from_email FROM tenant_settings WHERE tenant_id = $1
		UNION SELECT logo_url FROM tenant_branding WHERE tenant_id = $1
		UNION SELECT email FROM organization_users WHERE tenant_id = $1
		UNION SELECT id FROM tenants WHERE id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if len(s) >= 6 {
			out = append(out, s)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(out) < 3 {
		t.Fatalf("tenant %s has too little data to look for: %v", id, out)
	}
	return out
}

// TestSweepForeignTenantIsNotFound: a person of tenant A (owner, admin or
// member), asking about B on every route that takes a tenant id, GET and
// POST with a valid CSRF token, gets the same refusal as for a tenant that
// does not exist — 404, or the 403 of a route their role may never use —
// not one string of B's data, and B is left unchanged.
func TestSweepForeignTenantIsNotFound(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	a.createPerson(t, "bongani@tenant-b.example", "", map[string]tenant.MemberRole{tenantB: tenant.MemberOwner})
	secretsOfB := a.tenantStrings(t, tenantB)
	stateOfB := a.tenantState(t, tenantB)

	var paths []string // each address once; both methods are tried on it
	for _, r := range tenantRoutes(a.echo) {
		if !slices.Contains(paths, r.Path) {
			paths = append(paths, r.Path)
		}
	}
	if len(paths) == 0 {
		t.Fatal("the router has no route with a tenant id")
	}
	checked, forbidden := 0, 0
	// A plain member cannot sign in at all (members_test proves it).
	roles := []tenant.MemberRole{tenant.MemberOwner, tenant.MemberAdmin}
	for _, role := range roles {
		b := a.newBrowser(t)
		b.signIn(a.createPerson(t, string(role)+"@africastay.example", "", map[string]tenant.MemberRole{tenantA: role}))
		for _, p := range paths {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				ask := func(id string) (*http.Response, string) {
					b.get("/tenants") // a page with a fresh form token
					path := fillPath(p, id)
					if method == http.MethodGet {
						return b.get(path)
					}
					// A form as a person would send it, aimed at the tenant.
					return b.post(path, url.Values{"value": {"sk-test"}, "name": {"Renamed"}, "reason": {"because"},
						"email": {"someone@example.com"}, "role": {"admin"}, "tenant_id": {id}, "plan": {"enterprise"}})
				}
				resB, bodyB := ask(tenantB)
				resNone, _ := ask(foreignID)
				what := fmt.Sprintf("%s %s as the %s of %s", method, fillPath(p, tenantB), role, tenantA)
				if resB.StatusCode == http.StatusMethodNotAllowed && resNone.StatusCode == http.StatusMethodNotAllowed {
					continue // the route has no such method: nothing to learn
				}
				checked++
				// 403 only from a role check that answers before any tenant is
				// looked at, and so answers a tenant that does not exist alike.
				if resB.StatusCode != resNone.StatusCode ||
					(resB.StatusCode != http.StatusNotFound && resB.StatusCode != http.StatusForbidden) {
					t.Errorf("%s: status %d, for a tenant that does not exist %d; want 404 for both\n%s",
						what, resB.StatusCode, resNone.StatusCode, clip(bodyB))
				}
				if resB.StatusCode == http.StatusForbidden {
					forbidden++
				}
				for _, s := range secretsOfB {
					if strings.Contains(bodyB, s) || strings.Contains(bodyB, htmlEscape(s)) {
						t.Errorf("%s: the answer shows %q of tenant %s", what, s, tenantB)
					}
				}
				if now := a.tenantState(t, tenantB); now != stateOfB {
					t.Fatalf("%s changed tenant %s:\n%s\n→\n%s", what, tenantB, stateOfB, now)
				}
			}
		}
	}
	t.Logf("foreign-tenant sweep: %d addresses × GET/POST × %d member roles, %d route answers checked on %s (%d refused by role before any lookup)",
		len(paths), len(roles), checked, tenantB, forbidden)
	if checked == 0 {
		t.Fatal("nothing was checked")
	}
}

// tenantState is everything stored about tenant id, as text, to see that
// nothing changed.
func (a *app) tenantState(t *testing.T, id string) string {
	t.Helper()
	var state string
	err := a.pool.QueryRow(context.Background(), `SELECT concat_ws(E'\n',
		(SELECT row_to_json(x)::text FROM tenants x WHERE id = $1),
		(SELECT row_to_json(x)::text FROM tenant_settings x WHERE tenant_id = $1),
		(SELECT row_to_json(x)::text FROM tenant_branding x WHERE tenant_id = $1),
		(SELECT json_agg(x ORDER BY name)::text FROM tenant_secrets x WHERE tenant_id = $1),
		(SELECT json_agg(x ORDER BY user_id)::text FROM organization_users x WHERE tenant_id = $1),
		(SELECT count(*)::text FROM audit_events WHERE tenant_id = $1))`, id).Scan(&state)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// TestSweepSearchIsLiteral: %, _, \ and quotes in a search are the
// characters themselves, not LIKE wildcards or SQL.
func TestSweepSearchIsLiteral(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	names := map[string]string{
		"pct-safaris":    "100% Safaris",
		"under-tours":    "Under_score Tours",
		"back-travel":    `Back\slash Travel`,
		"quote-trips":    `O'Brien "Quoted" Trips`,
		"plain-safaris":  "1000 Safaris",
		"plain-tours":    "Underscore Tours",
		"plain-travel":   "Backslash Travel",
		"plain-o-trips":  "OBrien Quoted Trips",
		"dquote-lodge":   `The "Lodge"`,
		"percent-campus": "%%%",
	}
	for id, name := range names {
		insertTenant(t, a, id, name)
	}
	b := a.signedInAdmin(t)
	for _, term := range []string{"%", "_", `\`, "'", `"`, "%%", "0%", "_score", `k\s`, `O'Brien "Quoted"`, "'; --", `\%`, `%_`} {
		var want []string
		// Terms of one or two characters match the start of a field (too
		// short for the trigram indexes); longer ones match anywhere.
		at := "> 0"
		if utf8.RuneCountInString(term) < 3 {
			at = "= 1"
		}
		rows, err := a.pool.Query(ctx, strings.ReplaceAll(`
			SELECT t.id FROM tenants t JOIN tenant_settings s ON s.tenant_id = t.id
			WHERE t.status <> 'deleted' AND (strpos(lower(t.name), lower($1)) AT OR strpos(t.id, $1) AT
				OR strpos(lower(s.support_email), lower($1)) AT
				OR EXISTS (SELECT 1 FROM organization_users o WHERE o.tenant_id = t.id AND strpos(lower(o.email), lower($1)) AT))
			ORDER BY t.id`, "AT", at), term)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			want = append(want, id)
		}
		rows.Close()
		for _, fragment := range []bool{false, true} {
			var headers []string
			if fragment {
				headers = []string{"HX-Request", "true"}
			}
			res, body := b.get("/tenants?per_page=100&q="+url.QueryEscape(term), headers...)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("search %q: status %d", term, res.StatusCode)
			}
			got := listedIDs(body)
			if !slices.Equal(got, want) {
				t.Errorf("search %q (fragment %v) lists %v, want exactly the tenants holding it literally: %v", term, fragment, got, want)
			}
		}
	}
}

var nextField = regexp.MustCompile(`name="next" value="([^"]*)"`)

var rowID = regexp.MustCompile(`id="tenant-row-([^"]+)"`)

// listedIDs are the tenant ids of a list page's rows, sorted.
func listedIDs(page string) []string {
	var ids []string
	for _, m := range rowID.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	slices.Sort(ids)
	return ids
}

// insertTenant writes a tenant with its settings and branding straight into
// the database, as an import would.
func insertTenant(t *testing.T, a *app, id, name string) {
	t.Helper()
	_, err := a.pool.Exec(context.Background(), `
		WITH t AS (INSERT INTO tenants (id, name, short_name, plan, max_users, max_monthly_quotes, max_storage_gb, created_by, source)
			VALUES ($1, $2, $1, 'lite', 5, 100, 1, 'import', 'yaml_import') RETURNING id),
		s AS (INSERT INTO tenant_settings (tenant_id, company_name, support_email, currency, timezone, email_from_email, updated_by)
			SELECT id, $2, 'help@' || id || '.example', 'ZAR', 'Africa/Johannesburg', 'no-reply@' || id || '.example', 'import' FROM t)
		INSERT INTO tenant_branding (tenant_id, preset_theme, color_primary, color_secondary, color_accent, updated_by)
			SELECT id, 'ocean_teal', '#0F766E', '#134E4A', '#06B6D4', 'import' FROM t`, id, name)
	if err != nil {
		t.Fatalf("insert tenant %s: %v", id, err)
	}
}

// TestSweepSignInNextCannotLeaveTheConsole: whatever the next parameter
// says, signing in (or visiting /login signed in) lands on this console.
func TestSweepSignInNextCannotLeaveTheConsole(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	p := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	evil := []string{
		"//evil.example", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
		"https://evil.example", "http:evil.example", "https:/evil.example", "HTTPS://evil.example",
		"/%2F%2Fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%09/evil.example",
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
		"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "\t//evil.example",
		"////evil.example", "/.//evil.example", "///evil.example", "/%0d%0aSet-Cookie:x=1",
		"evil.example", "@evil.example", "/@evil.example", "https://127.0.0.1.evil.example",
	}
	base, _ := url.Parse(a.URL)
	// staysHere resolves a Location as a browser would (backslashes are
	// slashes, tabs and newlines are dropped) and says whether it is on
	// this console.
	staysHere := func(loc string) bool {
		browserish := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "").Replace(strings.TrimSpace(loc))
		u, err := url.Parse(browserish)
		if err != nil {
			return false
		}
		to := base.ResolveReference(u)
		return to.Scheme == base.Scheme && to.Host == base.Host && strings.HasPrefix(loc, "/")
	}
	checks := 0
	for _, next := range evil {
		b := a.newBrowser(t)
		b.get("/login?next=" + url.QueryEscape(next))
		if m := nextField.FindStringSubmatch(b.page); m != nil && !staysHere(html.UnescapeString(m[1])) {
			t.Errorf("next=%q: the sign-in form carries %q", next, m[1])
		}
		res, _ := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}, "next": {next}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !staysHere(loc) {
			t.Errorf("sign-in with next=%q: %d to %q", next, res.StatusCode, loc)
		}
		// Signed in, /login?next=… redirects at once.
		res, _ = b.get("/login?next=" + url.QueryEscape(next))
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !staysHere(loc) {
			t.Errorf("GET /login?next=%q signed in: %d to %q", next, res.StatusCode, loc)
		}
		checks += 2
	}
	// A raw, undecoded next (not form-encoded by a well-behaved client).
	for _, raw := range []string{"//evil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example", "/%5C%5Cevil.example", "https:%2F%2Fevil.example"} {
		b := a.newBrowser(t)
		b.signIn(p)
		res, _ := b.get("/login?next=" + raw)
		if loc := res.Header.Get("Location"); !staysHere(loc) {
			t.Errorf("GET /login?next=%s (raw): to %q", raw, loc)
		}
		checks++
	}
	t.Logf("open redirect: %d next values, %d redirects checked", len(evil), checks)
}

// TestSweepSessionCookieFlags: outside dev the session and CSRF cookies are
// HttpOnly, SameSite=Lax and Secure; in dev (plain http) they cannot be
// Secure but keep the rest.
func TestSweepSessionCookieFlags(t *testing.T) {
	t.Parallel()
	for _, production := range []bool{true, false} {
		t.Run(fmt.Sprintf("production=%v", production), func(t *testing.T) {
			t.Parallel()
			a := newAppWith(t, appOptions{production: production})
			p := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
			b := a.newBrowser(t)
			resLogin, _ := b.get("/login")
			res, body := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in: %d\n%s", res.StatusCode, clip(body))
			}
			seen := map[string]bool{}
			for _, c := range append(resLogin.Cookies(), res.Cookies()...) {
				seen[c.Name] = true
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != production {
					t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Secure=%v, want true, Lax, %v", c.Name, c.HttpOnly, c.SameSite, c.Secure, production)
				}
			}
			for _, name := range []string{"console_session", "console_csrf"} {
				if !seen[name] {
					t.Errorf("no %s cookie was set (saw %v)", name, seen)
				}
			}
			if production {
				// Signed in over TLS, the Secure cookie works.
				if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
					t.Fatalf("the list over TLS: %d", res.StatusCode)
				}
			}
		})
	}
}

// TestSweepSecurityHeadersOnEveryResponse: every route (as a visitor and as
// a platform admin), error pages, static files and unknown addresses carry
// the security headers; HSTS only outside dev.
func TestSweepSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	for _, production := range []bool{true, false} {
		t.Run(fmt.Sprintf("production=%v", production), func(t *testing.T) {
			t.Parallel()
			a := newAppWith(t, appOptions{production: production, limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
			admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
			owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
			check := func(what string, res *http.Response) {
				t.Helper()
				h := res.Header
				csp := h.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("%s (%d): CSP %q lacks %q", what, res.StatusCode, csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("%s: CSP allows inline script or eval: %q", what, csp)
				}
				for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
					if got := h.Get(k); got != v {
						t.Errorf("%s (%d): %s = %q, want %q", what, res.StatusCode, k, got, v)
					}
				}
				hsts := h.Get("Strict-Transport-Security")
				if production && !strings.Contains(hsts, "max-age=") {
					t.Errorf("%s (%d): no HSTS outside dev", what, res.StatusCode)
				}
				if !production && hsts != "" {
					t.Errorf("%s: HSTS in dev over plain http: %q", what, hsts)
				}
			}
			count := 0
			for _, who := range []*person{nil, &admin, &owner} {
				b := a.newBrowser(t)
				name := "visitor"
				if who != nil {
					b.signIn(*who)
					name = who.email
				}
				for _, r := range a.echo.Routes() {
					if r.Path == "/logout" {
						continue // signing out would change who asks for the rest
					}
					b.get("/login")
					if who != nil {
						b.get("/tenants")
					}
					path := fillPath(r.Path, tenantA)
					var res *http.Response
					if r.Method == http.MethodPost {
						res, _ = b.post(path, nil)
					} else {
						res, _ = b.do(mustRequest(t, r.Method, b.base+path))
					}
					check(name+": "+r.Method+" "+path, res)
					count++
				}
				for _, extra := range []struct{ method, path string }{
					{http.MethodGet, "/no/such/page"},
					{http.MethodGet, "/static/no-such-file.css"},
					{http.MethodGet, "/static/js/console.js"},
					{http.MethodGet, "/tenants/" + foreignID},
					{http.MethodPut, "/tenants"},
					{http.MethodDelete, "/login"},
					{http.MethodHead, "/tenants"},
					{http.MethodPost, "/tenants/" + foreignID + "/no-such-action"},
				} {
					res, _ := b.do(mustRequest(t, extra.method, b.base+extra.path))
					check(name+": "+extra.method+" "+extra.path, res)
					count++
				}
				// A refused form (no CSRF token) is an error page too.
				res, _ := b.postRaw("/login", url.Values{"email": {"x@example.com"}})
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("POST /login without a token: %d", res.StatusCode)
				}
				check(name+": POST /login without a token", res)
				count++
			}
			t.Logf("security headers: %d responses checked", count)
		})
	}
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestSweepSessionLifecycle: the session id changes at sign-in, and after
// sign-out the old id is worthless: replayed, it gets the sign-in page, and
// the server no longer holds it.
func TestSweepSessionLifecycle(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	p := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.get("/login")
	b.post("/logout", nil) // an anonymous session (the goodbye notice) to plant
	anonymous := sessionCookie(t, b)
	if anonymous == "" {
		t.Fatal("no anonymous session")
	}
	b.signIn(p)
	signedIn := sessionCookie(t, b)
	if signedIn == "" || signedIn == anonymous {
		t.Fatalf("the session id did not change at sign-in: %q → %q", anonymous, signedIn)
	}
	replay := func(token string) *browser {
		other := a.newBrowser(t)
		u, _ := url.Parse(a.URL)
		other.client.Jar.SetCookies(u, []*http.Cookie{{Name: "console_session", Value: token}})
		return other
	}
	if res, _ := replay(signedIn).get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("the signed-in cookie does not work from another client: %d", res.StatusCode)
	}

	b.get("/tenants")
	if res, _ := b.post("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	var left int
	if err := a.pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token = $1`, sha256Hex(signedIn)).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatal("the signed-out session is still stored on the server")
	}
	old := replay(signedIn)
	res, _ := old.get("/tenants")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("the old cookie after sign-out: %d %q, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := old.get(res.Header.Get("Location"))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `action="/login"`) || strings.Contains(body, p.email) {
		t.Fatalf("the old cookie after sign-out: %d\n%s", res.StatusCode, clip(body))
	}
	if res, _ := old.get("/tenants/" + tenantA); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a tenant page with the old cookie: %d", res.StatusCode)
	}
}
