package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

func TestOutsideDevMetricsAreClosedWithoutAToken(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{production: true, openMetrics: true})
	anon := a.newBrowser(t)
	if res, _ := anon.get("/metrics"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("anonymous /metrics without METRICS_TOKEN outside dev: %d, want 404", res.StatusCode)
	}
	if res, _ := anon.get("/metrics", "Authorization", "Bearer "); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an empty bearer token opens /metrics: %d", res.StatusCode)
	}
	staff := a.newBrowser(t)
	staff.signIn(a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil))
	if res, _ := staff.get("/metrics"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("staff /metrics without METRICS_TOKEN outside dev: %d, want 404", res.StatusCode)
	}
}

// Outside dev with METRICS_TOKEN set (the harness's): one app for the
// metrics' doors and HSTS.
func TestOutsideDev(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{production: true})
	t.Run("metrics open to the token and staff", func(t *testing.T) {
		t.Parallel()
		outsideDevMetricsOpenToTheTokenAndStaff(t, a)
	})
	t.Run("every answer carries HSTS", func(t *testing.T) {
		t.Parallel()
		outsideDevEveryAnswerCarriesHSTS(t, a)
	})
}

func outsideDevMetricsOpenToTheTokenAndStaff(t *testing.T, a *app) {
	if res, _ := a.newBrowser(t).get("/metrics"); res.StatusCode == http.StatusOK {
		t.Fatal("/metrics open without the token")
	}
	res, body := a.newBrowser(t).get("/metrics", "Authorization", "Bearer scrape-token")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "console_http_requests_total") {
		t.Fatalf("/metrics with the token: %d", res.StatusCode)
	}
	staff := a.newBrowser(t)
	staff.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	if res, _ := staff.get("/metrics"); res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics for staff: %d", res.StatusCode)
	}
}

func outsideDevEveryAnswerCarriesHSTS(t *testing.T, a *app) {
	for _, path := range []string{"/login", "/healthz", "/no-such-page"} {
		res, _ := a.newBrowser(t).get(path)
		if got := res.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=63072000") {
			t.Errorf("GET %s: Strict-Transport-Security %q", path, got)
		}
	}
}

// (TestTenantPages checks that dev, plain http on localhost, sends no HSTS.)
func devSendsNoHSTS(t *testing.T, a *app) {
	res, _ := a.newBrowser(t).get("/login")
	if got := res.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("dev (plain http on localhost) sends HSTS %q", got)
	}
}
