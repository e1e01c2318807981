package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// Support's day, on a phone (390×844): sign in, look at the suspended
// tenants, filter the list to one tenant, suspend it from its Actions menu
// by keyboard, confirming with a reason in the dialog (the table does not
// move; the row changes in place, the Suspended count moves), read the
// event as a sentence in the audit log, reactivate the suspended ones in
// bulk after confirming their count, and find branding offered read-only
// only, refused when posted anyway. Every screen is checked with axe.
func TestBrowserJourneySupport(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	support := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	ctx := bt.New(t)
	bt.Do(t, ctx, "a phone", chromedp.EmulateViewport(390, 844))

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

	bt.WaitTrue(t, ctx, "no bulk bar while nothing is ticked", `document.querySelector("#bulk-form").getClientRects().length === 0`)
	bt.ReadmeScreen(t, ctx, "support-list-phone")
	row := `#tenant-row-tn_1f3a9c0b_k3xq`
	rowTop := `Math.round(document.querySelector("` + row + `").getBoundingClientRect().top)`
	top := bt.Eval[int](t, ctx, rowTop)
	// By keyboard only: Enter on Actions opens the menu on its first item,
	// Enter there opens the dialog on the reason; Tab past Cancel to the
	// button, and Enter confirms.
	bt.Do(t, ctx, "open the actions menu with Enter", chromedp.Focus(chromedp.CSS(row+` details[data-menu] summary`)),
		chromedp.KeyEvent("\r"))
	bt.WaitTrue(t, ctx, "the menu on its first item", `document.activeElement.matches('`+row+` [role="menu"] [role="menuitem"][data-action="suspend"]')`)
	if n := bt.Eval[int](t, ctx, `document.querySelectorAll('`+row+` [role="menuitem"]').length`); n != 1 {
		t.Fatalf("support's menu on an active tenant has %d items, want Suspend only", n)
	}
	bt.CheckA11y(t, ctx, "the open actions menu")
	bt.Do(t, ctx, "choose Suspend", chromedp.KeyEvent("\r"))
	bt.WaitTrue(t, ctx, "the dialog with the reason focused", `document.querySelector("#action-dialog").open &&
		document.activeElement.id === "reason-suspend-tn_1f3a9c0b_k3xq"`)
	if !bt.Eval[bool](t, ctx, `!document.querySelector("`+row+` details[data-menu]").open`) {
		t.Error("the menu stayed open under the dialog")
	}
	if now := bt.Eval[int](t, ctx, rowTop); now != top {
		t.Errorf("opening the dialog moved the row from y=%d to y=%d", top, now)
	}
	bt.Do(t, ctx, "type the reason", chromedp.KeyEvent("Chargebacks under review"))
	bt.ReadmeScreen(t, ctx, "support-suspend")
	bt.Do(t, ctx, "Tab past Cancel to the button", chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"))
	if !bt.Eval[bool](t, ctx, `document.activeElement.matches('#action-dialog form[data-lifecycle-form="suspend"] button[type="submit"]')`) {
		t.Fatalf("Tab from the reason went to %s", bt.Eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	bt.Do(t, ctx, "confirm with Enter", chromedp.KeyEvent("\r"))
	bt.WaitTrue(t, ctx, "the row to show Suspended", `document.querySelector("`+row+`")?.dataset.status === "suspended" &&
		document.querySelector("`+row+` .badge").textContent.includes("Suspended")`)
	bt.WaitTrue(t, ctx, "the dialog closed", `!document.querySelector("#action-dialog").open`)
	bt.WaitTrue(t, ctx, "the Suspended count to move", suspendedCount+` === "1"`)
	bt.WaitTrue(t, ctx, "the row to offer reactivation", `document.querySelector('`+row+` [data-action="reactivate"]') !== null`)
	bt.WaitTrue(t, ctx, "the row to say so", `document.querySelector("`+row+` [data-row-notice]")?.textContent === "Kruger Safaris is suspended."`)
	bt.WaitTrue(t, ctx, "focus back on the row's menu", `document.activeElement.matches("`+row+` details[data-menu] summary")`)
	if !bt.Eval[bool](t, ctx, `window.__samePage === true`) {
		t.Fatal("the action reloaded the page instead of swapping the row")
	}
	bt.WaitHTMXIdle(t, ctx)
	bt.WaitTrue(t, ctx, "no progress bar or dimmed content left once the requests are done",
		`!document.querySelector("#page-progress.is-active, .is-loading, [aria-busy=true]")`)

	bt.Do(t, ctx, "open the header's menu", chromedp.Click(chromedp.CSS("[data-nav-toggle]")))
	bt.Do(t, ctx, "open the audit log", chromedp.Click(chromedp.CSS(`header a[href="/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#audit-filters")))
	bt.Do(t, ctx, "filter to the tenant", chromedp.SendKeys(chromedp.CSS("#audit-tenant"), "tn_1f3a9c0b_k3xq"),
		chromedp.Click(chromedp.CSS(`#audit-filters button[type="submit"]`)))
	bt.WaitTrue(t, ctx, "the URL to carry the filter", `location.search.includes("tenant=tn_1f3a9c0b_k3xq")`)
	// the event as a sentence: who, in what role, did what to which
	// tenant (linked), and why; when, relative, with the exact time on hover
	bt.WaitTrue(t, ctx, "the event as a sentence", `[...document.querySelectorAll('#audit-list li[data-action="tenant.suspended"] [data-sentence]')]
		.some(p => p.textContent.replace(/\s+/g, " ").trim() === "sam@console.example (support) suspended Kruger Safaris — “Chargebacks under review”" &&
			p.querySelector("a[data-tenant]")?.getAttribute("href") === "/tenants/tn_1f3a9c0b_k3xq")`)
	if when := bt.Eval[string](t, ctx, `document.querySelector('#audit-list li[data-action="tenant.suspended"] time').firstChild.textContent.trim()`); when != "just now" && !strings.HasSuffix(when, "ago") {
		t.Errorf("the event's time reads %q, want how long ago", when)
	}
	if who := bt.Eval[string](t, ctx, `document.querySelector('#audit-list li[data-action="tenant.suspended"] time').title`); !strings.HasSuffix(who, "UTC") {
		t.Errorf("no UTC on hover: %q", who)
	}

	bt.WaitHTMXIdle(t, ctx)
	bt.ReadmeScreen(t, ctx, "support-audit-phone")

	// bulk: every row of the Suspended tab, reactivated with one reason
	bt.Do(t, ctx, "open the suspended tab", chromedp.Navigate(a.URL+"/tenants?status=suspended"),
		chromedp.WaitVisible(chromedp.CSS("[data-select-all]")))
	bt.WaitTrue(t, ctx, "no bulk bar while nothing is ticked", `document.querySelector("#bulk-form").getClientRects().length === 0`)
	rows := bt.Eval[int](t, ctx, `document.querySelectorAll("#tenant-results tbody tr").length`)
	bt.Do(t, ctx, "select all on the page", chromedp.Click(chromedp.CSS("[data-select-all]")))
	if n := bt.Eval[int](t, ctx, `document.querySelectorAll("[data-bulk-item]:checked").length`); n != rows || n < 2 {
		t.Fatalf("%d of %d rows selected", n, rows)
	}
	bt.WaitTrue(t, ctx, "the bar with the count", `document.querySelector("[data-bulk-count]").textContent === "`+itoa(rows)+` selected" &&
		document.querySelector("#bulk-form").getClientRects().length > 0`)
	if got := bt.Eval[string](t, ctx, `[...document.querySelectorAll("[data-bulk-action]")].map(b => b.value).join(" ")`); got != "reactivate" {
		t.Fatalf("the Suspended tab's bulk actions: %q", got)
	}
	bt.Do(t, ctx, "ask to reactivate them", chromedp.SendKeys(chromedp.CSS("#bulk-reason"), "Reviewed"),
		chromedp.Click(chromedp.CSS(`[data-bulk-action="reactivate"]`)))
	bt.WaitTrue(t, ctx, "the dialog asking with the count", `document.querySelector("#bulk-dialog").open &&
		document.querySelector("#bulk-dialog-title").textContent === "Reactivate `+itoa(rows)+` tenants?"`)
	if s := a.state(t, "tn_1f3a9c0b_k3xq").status; s != tenant.StatusSuspended {
		t.Fatalf("the bulk action ran before it was confirmed: %s", s)
	}
	bt.Screen(t, ctx, "support-bulk-confirm")
	bt.Do(t, ctx, "confirm", chromedp.Click(chromedp.CSS("[data-bulk-confirm]")))
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
