package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// What the demo registry looks like from its pages, to a platform admin,
// tenant people and anonymous browsers: one app for all of it. The admin's
// table comes first, alone (it expects Africa Stay without an owner); the
// other cases, each with its own person, then run side by side.
func TestTenantPages(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	htmx := map[string]string{"HX-Request": "true"}
	t.Run("as a platform admin", func(t *testing.T) { tenantPagesAsAdmin(t, a, htmx) })
	for _, c := range []struct {
		name string
		test func(*testing.T, *app)
	}{
		{"the list as fragment and page shows the same rows", listFragmentAndPageShowTheSameRows},
		{"static files are cached by version", staticFilesAreCachedByVersion},
		{"tenant people see only their tenants", tenantPeopleSeeOnlyTheirTenants},
		{"a person in several tenants gets a switcher", tenantSwitcher},
		{"every page names the favicon and shows the mark", faviconAndMark},
		{"dev sends no HSTS", devSendsNoHSTS},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, a)
		})
	}
}

func tenantPagesAsAdmin(t *testing.T, a *app, htmx map[string]string) {
	a.signedInAdmin(t).run(t, []scenario{
		{name: "root redirects to the list", url: "/", wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/tenants"}},
		{name: "list is a whole page", url: "/tenants", wantStatus: 200,
			wantContent:    []string{"<!doctype html>", `id="tenant-search"`, "Africa Stay", "Showing 1–25 of 34 tenants"},
			notWantContent: []string{"Coral Coast Divers"}, // deleted: hidden unless asked for
			wantHeaders:    map[string]string{"Vary": "HX-Request", "Content-Type": "text/html"}},
		{name: "list for htmx is a fragment", url: "/tenants?q=kruger", headers: htmx, wantStatus: 200,
			wantContent:    []string{"Kruger Safaris", `hx-swap-oob="true"`, "Showing 1–1 of 1 tenant"},
			notWantContent: []string{"<html", "<head", `id="tenant-search"`},
			wantHeaders:    map[string]string{"Vary": "HX-Request"}},
		{name: "history restore gets a whole page", url: "/tenants?q=kruger", wantStatus: 200,
			headers:     map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"},
			wantContent: []string{"<!doctype html>", "Kruger Safaris"}},
		{name: "search keeps what was typed in the box", url: "/tenants?q=%3Cscript%3Ekru", wantStatus: 200,
			wantContent:    []string{`value="&lt;script&gt;kru"`, "No tenant matches “&lt;script&gt;kru”", "Clear the search"},
			notWantContent: []string{"<script>kru"}},
		{name: "deleted tab lists deleted tenants", url: "/tenants?status=deleted", wantStatus: 200,
			wantContent: []string{"Coral Coast Divers", "Victoria Falls Voyages", "Showing 1–2 of 2"}},
		{name: "plan filter and empty state", url: "/tenants?status=suspended&plan=enterprise", wantStatus: 200,
			wantContent: []string{"No tenant has this status and plan.", "Show all tenants"}},
		{name: "nonsense parameters fall back to defaults", url: "/tenants?page=-3&per_page=7&sort=evil&status=bogus", wantStatus: 200,
			wantContent: []string{"Showing 1–25 of 34 tenants"}},
		{name: "second page", url: "/tenants?page=2", wantStatus: 200,
			wantContent: []string{"Showing 26–34 of 34 tenants", "Page 2 of 2", `rel="prev"`}},
		{name: "tenant page", url: "/tenants/africastay", wantStatus: 200,
			wantContent: []string{"Africa Stay", "support@africastay.com", `fill="#92400E"`, "Safari gold", "No owner yet"}},
		{name: "unknown tenant is a 404 page", url: "/tenants/tn_00000000_zzzz", wantStatus: 404,
			wantContent: []string{"<!doctype html>", "404 Not Found", "Go to the tenant list"}},
		{name: "malformed tenant id is a 404 page", url: "/tenants/..%2F..%2Fetc", wantStatus: 404},
		{name: "unknown page is a 404 page", url: "/nowhere", wantStatus: 404, wantContent: []string{"Page not found"}},
		{name: "htmx error gets a toast, not a page", url: "/tenants/nope", headers: htmx, wantStatus: 404,
			notWantContent: []string{"<html"},
			wantHeaders:    map[string]string{"HX-Trigger": `"toast"`}},
		{name: "security headers", url: "/tenants", wantStatus: 200, wantHeaders: map[string]string{
			"Content-Security-Policy": "script-src 'self'", "X-Content-Type-Options": "nosniff",
			"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "X-Request-Id": ""}},
		{name: "healthz", url: "/healthz", wantStatus: 200, wantContent: []string{`"status":"ok"`}},
		{name: "readyz checks the database", url: "/readyz", wantStatus: 200, wantContent: []string{`"database":"ok"`}},
	})
}

// The same list URL, asked for as a page and as a fragment, shows the same rows.
func listFragmentAndPageShowTheSameRows(t *testing.T, a *app) {
	b := a.signedInAdmin(t)
	rowIDs := regexp.MustCompile(`id="tenant-row-([a-z0-9_]+)"`)
	get := func(hx bool) []string {
		var headers []string
		if hx {
			headers = []string{"HX-Request", "true"}
		}
		_, body := b.get("/tenants?q=a&status=active&plan=pro&sort=-created", headers...)
		if hx == strings.Contains(body, "<html") {
			t.Fatalf("HX-Request=%v: whole page = %v", hx, !hx)
		}
		var ids []string
		for _, m := range rowIDs.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		return ids
	}
	page, fragment := get(false), get(true)
	if len(page) == 0 || !slices.Equal(page, fragment) {
		t.Fatalf("page rows %v, fragment rows %v", page, fragment)
	}
}

func staticFilesAreCachedByVersion(t *testing.T, a *app) {
	page := readAll(t, must(http.Get(a.URL+"/tenants")))
	css := regexp.MustCompile(`href="(/static/css/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatal("page links no versioned stylesheet")
	}
	res := must(http.Get(a.URL + css[1]))
	body := readAll(t, res)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || len(body) < 1000 {
		t.Fatalf("versioned css: %d, Cache-Control %q, %d bytes", res.StatusCode, res.Header.Get("Cache-Control"), len(body))
	}
	res = must(http.Get(a.URL + "/static/vendor/htmx.min.js"))
	readAll(t, res)
	if res.StatusCode != 200 || strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("unversioned htmx: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res := must(http.Get(a.URL + "/static/static.go")); res.StatusCode != 404 {
		t.Fatalf("source file served: %d", res.StatusCode)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	b.get("/tenants/africastay")
	b.get("/tenants/unknown")
	b.get("/no/such/page")
	// A scraper reads the metrics with the configured token; without it, no.
	if res, _ := a.newBrowser(t).get("/metrics"); res.StatusCode == http.StatusOK {
		t.Fatal("/metrics is open to anonymous requests")
	}
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer scrape-token")
	body := readAll(t, must(http.DefaultClient.Do(req)))
	for _, want := range []string{
		`console_http_requests_total{method="GET",route="/tenants/:id",status="200"} 1`,
		`console_http_requests_total{method="GET",route="/tenants/:id",status="404"} 1`,
		`console_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`console_http_request_duration_seconds_bucket{method="GET",route="/tenants/:id",status="200"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestMetricsAreOpenWithoutAToken(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{openMetrics: true})
	b := a.newBrowser(t)
	b.get("/healthz")
	res, body := b.get("/metrics")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "console_http_requests_total") {
		t.Fatalf("anonymous /metrics without METRICS_TOKEN: %d", res.StatusCode)
	}
}

func TestEveryLogLineOfARequestCarriesItsID(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res, _ := a.signedInAdmin(t).get("/tenants/tn_00000000_zzzz")
	id := res.Header.Get("X-Request-Id")
	var lines []string
	for _, l := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(l, "tn_00000000_zzzz") {
			lines = append(lines, l)
		}
	}
	if id == "" || len(lines) < 2 { // the failure and the access line
		t.Fatalf("request id %q, log lines %q", id, lines)
	}
	for _, l := range lines {
		if !strings.Contains(l, "request_id="+id) {
			t.Errorf("log line without the request id: %s", l)
		}
	}
}

func must(res *http.Response, err error) *http.Response {
	if err != nil {
		panic(err)
	}
	return res
}

// Tenant people see only their own tenants: in the list, in search, by id.
func tenantPeopleSeeOnlyTheirTenants(t *testing.T, a *app) {
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberOwner})
	b := a.newBrowser(t)
	b.get("/login")
	res, _ := b.post("/login", url.Values{"email": {owner.email}, "password": {owner.password}})
	if loc := res.Header.Get("Location"); loc != "/tenants/africastay" {
		t.Fatalf("an owner of one tenant lands on %q, want their tenant", loc)
	}
	b.run(t, []scenario{
		{name: "list holds only the own tenant", url: "/tenants", wantStatus: 200,
			wantContent: []string{"Africa Stay", "Showing 1–1 of 1 tenant"}, notWantContent: []string{"Kruger Safaris"}},
		{name: "search does not reach other tenants", url: "/tenants?q=kruger", wantStatus: 200,
			wantContent: []string{"No tenant matches"}},
		{name: "another tenant's page is not found", url: "/tenants/tn_1f3a9c0b_k3xq", wantStatus: 404,
			notWantContent: []string{"Kruger"}},
		{name: "no onboarding link", url: "/tenants/africastay", wantStatus: 200,
			notWantContent: []string{`href="/tenants/new"`}},
	})
}

// A person in several tenants gets a switcher and lands on their chooser.
func tenantSwitcher(t *testing.T, a *app) {
	owner := a.createPerson(t, "multi@console.example", "", map[string]tenant.MemberRole{
		"africastay": tenant.MemberOwner, "tn_1f3a9c0b_k3xq": tenant.MemberAdmin, "tn_4d1f2b33_x9ke": tenant.MemberOwner})
	b := a.newBrowser(t)
	b.get("/login")
	res, _ := b.post("/login", url.Values{"email": {owner.email}, "password": {owner.password}})
	if loc := res.Header.Get("Location"); loc != "/" { // "Your organizations"
		t.Fatalf("lands on %q", loc)
	}
	_, page := b.get("/tenants/africastay")
	for _, want := range []string{"Switch organization", `href="/tenants/tn_1f3a9c0b_k3xq"`, `href="/tenants/africastay"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The suspended tenant (Okavango) is not offered.
	if strings.Contains(page, `href="/tenants/tn_4d1f2b33_x9ke"`) {
		t.Error("the switcher offers a suspended tenant")
	}
}
