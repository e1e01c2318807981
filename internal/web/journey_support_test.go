package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// Support's day: sign in, look at the suspended tenants, filter the list to
// one tenant, suspend it from its row with a reason (the row changes in
// place, the Suspended count moves), find the event with its reason in the
// audit log, reactivate the suspended ones in bulk, and find branding
// offered read-only only, refused when posted anyway. Every screen is
// checked with axe.
func TestBrowserJourneySupport(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	support := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	ctx := bt.New(t)

	signInBrowser(t, ctx, a, support, "")
	bt.WaitTrue(t, ctx, "the list", `document.querySelector("#tenant-search") !== null`)
	bt.Do(t, ctx, "filter the suspended tenants", chromedp.Click(chromedp.CSS(`#status-tabs a[href*="status=suspended"]`)))
	bt.WaitTrue(t, ctx, "only suspended rows", `location.search.includes("status=suspended") &&
		document.querySelectorAll("#tenant-results tbody tr").length > 0 &&
		[...document.querySelectorAll("#tenant-results tbody tr")].every(tr => tr.dataset.status === "suspended")`)
	bt.WaitHTMXIdle(t, ctx)
	bt.Screen(t, ctx, "support-suspended")
	bt.Do(t, ctx, "back to all tenants", chromedp.Click(chromedp.CSS(`#status-tabs a:first-child`)))
	bt.WaitTrue(t, ctx, "all tenants", `!location.search.includes("status=suspended")`)
	bt.WaitHTMXIdle(t, ctx)
	bt.Eval[bool](t, ctx, `window.__samePage = true`)

	bt.Do(t, ctx, "filter to Kruger", chromedp.SendKeys(chromedp.CSS("#tenant-search"), "kruger"))
	bt.WaitTrue(t, ctx, "one row", `document.querySelectorAll("#tenant-results tbody tr").length === 1 &&
		document.querySelector("#tenant-row-tn_1f3a9c0b_k3xq") !== null`)
	bt.WaitHTMXIdle(t, ctx)
	suspendedCount := `document.querySelector('#status-tabs a[href*="status=suspended"] .tab-count').textContent.trim()`
	if n := bt.Eval[string](t, ctx, suspendedCount); n != "0" {
		t.Fatalf("suspended count before: %s", n)
	}

	row := `#tenant-row-tn_1f3a9c0b_k3xq`
	// By keyboard only: Enter opens the row's action, Tab reaches the
	// reason, then the button, and Enter confirms.
	bt.Do(t, ctx, "open the suspend form with Enter", chromedp.Focus(chromedp.CSS(row+` details[data-action="suspend"] summary`)),
		chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`#reason-suspend-tn_1f3a9c0b_k3xq`)))
	bt.Do(t, ctx, "Tab to the reason and type it", chromedp.KeyEvent("\t"))
	if id := bt.Eval[string](t, ctx, `document.activeElement.id`); id != "reason-suspend-tn_1f3a9c0b_k3xq" {
		t.Fatalf("Tab from the open Suspend… went to %q, not the reason", id)
	}
	bt.Do(t, ctx, "type the reason", chromedp.KeyEvent("Chargebacks under review"))
	bt.ReadmeScreen(t, ctx, "support-suspend")
	bt.Do(t, ctx, "Tab to the button", chromedp.KeyEvent("\t"))
	if !bt.Eval[bool](t, ctx, `document.activeElement.matches('`+row+` form[data-lifecycle-form="suspend"] button[type="submit"]')`) {
		t.Fatalf("Tab from the reason went to %s", bt.Eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	bt.Do(t, ctx, "confirm with Enter", chromedp.KeyEvent("\r"))
	bt.WaitTrue(t, ctx, "the row to show Suspended", `document.querySelector("`+row+`")?.dataset.status === "suspended" &&
		document.querySelector("`+row+` .badge").textContent.includes("Suspended")`)
	bt.WaitTrue(t, ctx, "the Suspended count to move", suspendedCount+` === "1"`)
	bt.WaitTrue(t, ctx, "the row to offer reactivation", `document.querySelector("`+row+` details[data-action=reactivate]") !== null`)
	if !bt.Eval[bool](t, ctx, `window.__samePage === true`) {
		t.Fatal("the action reloaded the page instead of swapping the row")
	}
	bt.WaitHTMXIdle(t, ctx)

	bt.Do(t, ctx, "open the audit log", chromedp.Click(chromedp.CSS(`header a[href="/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#audit-filters")))
	bt.Do(t, ctx, "filter to the tenant", chromedp.SendKeys(chromedp.CSS("#audit-tenant"), "tn_1f3a9c0b_k3xq"),
		chromedp.Click(chromedp.CSS(`#audit-filters button[type="submit"]`)))
	bt.WaitTrue(t, ctx, "the URL to carry the filter", `location.search.includes("tenant=tn_1f3a9c0b_k3xq")`)
	bt.WaitTrue(t, ctx, "the event with its reason", `[...document.querySelectorAll('#audit-list li[data-action="tenant.suspended"]')]
		.some(tr => tr.querySelector("[data-reason]").textContent.includes("Chargebacks under review") && tr.textContent.includes("sam@console.example"))`)
	if who := bt.Eval[string](t, ctx, `document.querySelector('#audit-list li[data-action="tenant.suspended"] time').title`); !strings.HasSuffix(who, "UTC") {
		t.Errorf("no UTC on hover: %q", who)
	}

	bt.WaitHTMXIdle(t, ctx)
	bt.Screen(t, ctx, "support-audit")

	// bulk: every row of the Suspended tab, reactivated with one reason
	bt.Do(t, ctx, "open the suspended tab", chromedp.Navigate(a.URL+"/tenants?status=suspended"),
		chromedp.WaitVisible(chromedp.CSS("#bulk-form")))
	rows := bt.Eval[int](t, ctx, `document.querySelectorAll("#tenant-results tbody tr").length`)
	bt.Do(t, ctx, "select all on the page", chromedp.Click(chromedp.CSS("[data-select-all]")))
	if n := bt.Eval[int](t, ctx, `document.querySelectorAll("[data-bulk-item]:checked").length`); n != rows || n < 2 {
		t.Fatalf("%d of %d rows selected", n, rows)
	}
	bt.Do(t, ctx, "reactivate them", chromedp.SetValue(chromedp.CSS("#bulk-action"), "reactivate"),
		chromedp.SendKeys(chromedp.CSS("#bulk-reason"), "Reviewed"),
		chromedp.Click(chromedp.CSS(`#bulk-form button[type="submit"]`)))
	bt.WaitTrue(t, ctx, "a summary per tenant", `document.querySelector("#bulk-summary")?.textContent.includes("done") &&
		document.querySelectorAll('#bulk-summary li[data-outcome="done"]').length === `+itoa(rows))
	bt.WaitTrue(t, ctx, "the tab to be empty and its count zero", `document.querySelectorAll("#tenant-results tbody tr").length === 0 &&
		`+suspendedCount+` === "0"`)
	bt.CheckA11y(t, ctx, "list after the bulk action")

	// Branding: support may look, not change.
	bt.Do(t, ctx, "open the tenant", chromedp.Navigate(a.URL+"/tenants/"+tenantB), chromedp.WaitVisible(chromedp.CSS("#tenant-sections")))
	if txt := bt.Eval[string](t, ctx, `document.querySelector('#tenant-sections a[data-section="branding"]').closest("main").querySelector('a[href$="/branding"]:not([data-section])').textContent.trim()`); txt != "View branding" {
		t.Fatalf("support is offered %q on the tenant page", txt)
	}
	bt.CheckA11y(t, ctx, "tenant as support")
	bt.Do(t, ctx, "open branding", chromedp.Click(chromedp.CSS(`#tenant-sections a[data-section="branding"]`)),
		chromedp.WaitVisible(chromedp.CSS("#color_primary")))
	if !bt.Eval[bool](t, ctx, `document.querySelector("#save-branding") === null && document.querySelector("#color_primary").matches(":disabled")`) {
		t.Fatal("the branding page lets support edit")
	}
	bt.Screen(t, ctx, "support-branding")
	status := bt.Eval[int](t, ctx, `(async () => {
		const f = document.querySelector("form[action$='/branding']");
		const body = new URLSearchParams({_csrf: f.querySelector("[name=_csrf]").value,
			version: f.querySelector("[name=version]").value, color_primary: "#000000"});
		return (await fetch(f.action, {method: "POST", body, redirect: "manual"})).status;
	})()`, chromedp.EvalAwaitPromise)
	if status != 403 {
		t.Fatalf("a forced branding POST by support answered %d, want 403", status)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
