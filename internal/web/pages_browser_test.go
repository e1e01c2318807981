package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
)

// fitsScreen is true when nothing in the page's content reaches past the
// screen's right edge, every disclosure open.
const fitsScreen = `(() => {
	document.querySelectorAll("details").forEach(d => d.open = true);
	const main = document.querySelector("main");
	// a wide table may scroll inside its own card; the page must not
	const right = Math.max(...[...main.querySelectorAll("*")].filter(e => !e.parentElement.closest(".overflow-x-auto"))
		.map(e => e.getBoundingClientRect().right));
	return main.scrollWidth <= main.clientWidth && right <= innerWidth;
})()`

// The audit log on a 390 px phone: sentences and their fields, long values
// included, wrap inside the screen; nothing scrolls sideways.
func TestBrowserAuditLogFitsAPhone(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ab := a.signedInAdmin(t)
	long := "A very long reason that keeps going: the customer's accountant asked us to hold the account until the disputed invoices of last quarter are settled"
	ab.get("/tenants/" + tenantA)
	if res, body := ab.post("/tenants/"+tenantA+"/lifecycle/suspend", url.Values{
		"version": {strconv.Itoa(a.state(t, tenantA).version)}, "reason": {long}}); res.StatusCode != 303 {
		t.Fatalf("suspend: %d\n%s", res.StatusCode, clip(body))
	}
	ab.get("/tenants/" + tenantA + "/settings")
	if res, body := ab.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA),
		"website", "https://www.africastay.com/a/very/long/path/that/has/no/spaces/at/all/and/goes/on/for/a/while")); res.StatusCode != 303 {
		t.Fatalf("settings: %d\n%s", res.StatusCode, clip(body))
	}
	admin := a.createPerson(t, "ada@console.example", "platform_admin", nil)
	ctx := bt.New(t)
	signInBrowser(t, ctx, a, admin, "")
	bt.Do(t, ctx, "a phone's screen", chromedp.EmulateViewport(390, 844))
	for _, path := range []string{"/audit", "/tenants/" + tenantA + "/audit", "/tenants/" + tenantA, "/tenants/" + tenantA + "/members", "/staff"} {
		bt.Do(t, ctx, "open "+path, chromedp.Navigate(a.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
		if !bt.Eval[bool](t, ctx, fitsScreen) {
			t.Errorf("%s is wider than a 390 px screen; the widest parts: %s", path, bt.Eval[string](t, ctx, `[...document.querySelectorAll("main *")]
				.filter(e => !e.parentElement.closest(".overflow-x-auto")).sort((a, b) => b.scrollWidth - a.scrollWidth)
				.slice(0, 3).map(e => e.outerHTML.slice(0, 160)).join("\n")`))
		}
		if bt.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth`) {
			t.Errorf("%s: the page as a whole scrolls sideways (%d px on a 390 px screen)", path, bt.Eval[int](t, ctx, `document.documentElement.scrollWidth`))
		}
	}
	bt.Do(t, ctx, "open the audit log", chromedp.Navigate(a.URL+"/audit"), chromedp.WaitVisible(chromedp.CSS("#audit-list")))
	if !bt.Eval[bool](t, ctx, `[...document.querySelectorAll("#audit-list [data-sentence]")].some(p => p.textContent.includes("suspended") && p.querySelector("a[data-tenant]"))`) {
		t.Error("no sentence with the tenant linked")
	}
	// values wrap between words, never inside one
	if words := bt.Eval[string](t, ctx, `[...document.querySelectorAll(".audit-diff dd")].map(d => getComputedStyle(d).wordBreak).join(",")`); strings.Contains(words, "break-all") {
		t.Errorf("diff values break mid-word: %s", words)
	}
	bt.Screen(t, ctx, "audit-phone")
}
