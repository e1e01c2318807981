package web_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestTenantPages(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	htmx := map[string]string{"HX-Request": "true"}
	a.run(t, []scenario{
		{name: "root redirects to the list", url: "/", wantStatus: http.StatusFound,
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
func TestListFragmentAndPageShowTheSameRows(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rowIDs := regexp.MustCompile(`id="tenant-row-([a-z0-9_]+)"`)
	get := func(hx bool) []string {
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/tenants?q=a&status=active&plan=pro&sort=-created", nil)
		if hx {
			req.Header.Set("HX-Request", "true")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
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

func TestStaticFilesAreCachedByVersion(t *testing.T) {
	t.Parallel()
	a := newApp(t)
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
	readAll(t, must(http.Get(a.URL+"/tenants/africastay")))
	readAll(t, must(http.Get(a.URL+"/tenants/unknown")))
	readAll(t, must(http.Get(a.URL+"/no/such/page")))
	body := readAll(t, must(http.Get(a.URL+"/metrics")))
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

func TestEveryLogLineOfARequestCarriesItsID(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := must(http.Get(a.URL + "/tenants/tn_00000000_zzzz"))
	readAll(t, res)
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
