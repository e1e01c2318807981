package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// Every page names the favicon (no more 404 for /favicon.ico) and shows the
// product's mark, the sign-in page included; the icon is served.
// (A case of TestTenantPages.)
func faviconAndMark(t *testing.T, a *app) {
	b := a.newBrowser(t)
	_, page := b.get("/login")
	icon := regexp.MustCompile(`<link rel="icon" type="image/svg\+xml" href="(/static/favicon\.svg\?v=[0-9a-f]+)">`).FindStringSubmatch(page)
	if icon == nil || !strings.Contains(page, `<svg class="mark"`) {
		t.Fatalf("the sign-in page lacks the icon link or the mark\n%s", clip(page))
	}
	res, body := b.get(icon[1])
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body, "<svg") {
		t.Fatalf("favicon: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// Without JavaScript the list's actions still work: the menu's item is a
// link to the action's page, whose form posts and comes back to the same
// list, which says what happened in a sentence.
func TestLifecycleFromTheListWithoutJavaScript(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.newBrowser(t)
	b.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	_, page := b.get("/tenants?q=kruger")
	link := regexp.MustCompile(`<a href="(/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend\?[^"]+)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("no Suspend link in the row\n%s", clip(page))
	}
	res, page := b.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "<h1") || !strings.Contains(page, "Its people cannot sign in") {
		t.Fatalf("the action's page: %d\n%s", res.StatusCode, clip(page))
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
	res, _ = b.post("/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend", url.Values{"version": {version[1]},
		"reason": {"unpaid"}, "return": {"/tenants?q=kruger"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants?q=kruger" {
		t.Fatalf("post: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = b.get("/tenants?q=kruger")
	if !strings.Contains(page, "Kruger Safaris is suspended.") || !strings.Contains(page, `data-status="suspended"`) {
		t.Errorf("the list after the action\n%s", clip(page))
	}
}
