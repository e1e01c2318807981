package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// signInBrowser signs p in from the sign-in page, checking that page with
// axe on the way (and keeping its picture as shot when shot is not empty).
func signInBrowser(t *testing.T, ctx context.Context, a *app, p person, shot string) {
	t.Helper()
	bt.Do(t, ctx, "open the console", chromedp.Navigate(a.URL+"/tenants"), chromedp.WaitVisible(chromedp.CSS("#email")))
	if shot != "" {
		bt.Screen(t, ctx, shot)
	} else {
		bt.CheckA11y(t, ctx, "sign-in")
	}
	bt.Do(t, ctx, "sign in as "+p.email,
		chromedp.SendKeys(chromedp.CSS("#email"), p.email),
		chromedp.SendKeys(chromedp.CSS("#password"), p.password),
		chromedp.Submit(chromedp.CSS("#password")))
	bt.WaitTrue(t, ctx, "signed in", `location.pathname.startsWith("/tenants") && document.querySelector("form[action='/logout']") !== null`)
	bt.WaitTrue(t, ctx, "htmx to load", `typeof htmx !== "undefined"`)
}

// A platform admin's day: sign in, search, onboard a tenant whose owner
// already has an account (the result page says so), open it, change its
// plan, delete it (typing its id) and restore it, and find all of that in
// the audit log. Every screen is checked with axe.
func TestBrowserJourneyPlatformAdmin(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	existing := a.createPerson(t, "mwila@luangwa.example", "", nil)
	ctx := bt.New(t)

	signInBrowser(t, ctx, a, admin, "sign-in")
	bt.WaitTrue(t, ctx, "the list", `document.querySelectorAll("#tenant-results tbody tr").length === 25`)
	bt.ReadmeScreen(t, ctx, "admin-list")
	// The Actions menu's items are reached with the arrow keys once it is
	// open (the ARIA menu pattern), not with Tab.
	bt.TabReaches(t, ctx, "the list's first row and the filters",
		"#tenant-search", `#status-tabs a`, `#tenant-results tbody tr:first-child a:not([role=menuitem])`, `#tenant-results tbody tr:first-child summary`)

	bt.Do(t, ctx, "search", chromedp.SendKeys(chromedp.CSS("#tenant-search"), "kruger"))
	bt.WaitTrue(t, ctx, "one match", `document.querySelectorAll("#tenant-results tbody tr").length === 1 &&
		document.querySelector("#tenant-results tbody tr").textContent.includes("Kruger Safaris")`)
	bt.WaitHTMXIdle(t, ctx)
	bt.Screen(t, ctx, "admin-search")

	bt.Do(t, ctx, "open the onboarding form", chromedp.Click(chromedp.CSS(`header a[href="/tenants/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")))
	bt.WaitTrue(t, ctx, "htmx to load", `typeof htmx !== "undefined"`)
	bt.Do(t, ctx, "fill it with an owner who already has an account",
		chromedp.SendKeys(chromedp.CSS("#name"), "Luangwa Walking Safaris"),
		chromedp.SendKeys(chromedp.CSS("#support_email"), "hello@luangwa.example"),
		chromedp.SendKeys(chromedp.CSS("#owner_email"), existing.email),
		chromedp.SendKeys(chromedp.CSS("#owner_password"), "walk the valley"))
	bt.ReadmeScreen(t, ctx, "admin-onboard")
	bt.Do(t, ctx, "onboard", chromedp.Click(chromedp.CSS(`form[action="/tenants"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#tenant-id")))
	id := bt.Eval[string](t, ctx, `document.querySelector("#tenant-id").textContent.trim()`)
	if !tenant.IsGeneratedID(id) {
		t.Fatalf("result page shows id %q", id)
	}
	if msg := bt.Eval[string](t, ctx, `document.querySelector("#owner-sign-in").textContent`); !strings.Contains(msg, "already exists") ||
		!strings.Contains(msg, "existing password") {
		t.Fatalf("the result page does not say the owner's account existed: %q", msg)
	}
	bt.ReadmeScreen(t, ctx, "admin-onboarded")

	bt.Do(t, ctx, "open the tenant", chromedp.Click(chromedp.CSS(`main a[href="/tenants/`+id+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#plan-form")))
	bt.WaitTrue(t, ctx, "the tenant page", `location.pathname === "/tenants/`+id+`" && document.querySelector("h1").textContent.includes("Luangwa Walking Safaris")`)
	bt.Screen(t, ctx, "admin-tenant")
	bt.Do(t, ctx, "move it to Enterprise", chromedp.SetValue(chromedp.CSS("#plan"), string(tenant.PlanEnterprise)),
		chromedp.Click(chromedp.CSS(`#plan-form button[name="defaults"]`)))
	bt.WaitTrue(t, ctx, "the plan saved", `document.body.textContent.includes("Plan and quotas saved") &&
		document.querySelector("#plan").value === "enterprise"`)
	bt.CheckA11y(t, ctx, "tenant after saving the plan")

	// The danger zone's Delete opens the same kind of dialog as the list's
	// actions menu: nothing happens until it is confirmed there.
	bt.Do(t, ctx, "ask to delete it", chromedp.Click(chromedp.CSS(`#lifecycle-card [data-opens-dialog="lifecycle-delete"]`)),
		chromedp.WaitVisible(chromedp.CSS("#confirm_id-delete-"+id)))
	bt.WaitTrue(t, ctx, "the dialog, modal, on the reason", `document.querySelector("#lifecycle-delete").matches(":modal") &&
		document.activeElement.id === "reason-delete-`+id+`"`)
	if s := a.state(t, id).status; s != tenant.StatusActive {
		t.Fatalf("opening the dialog changed the tenant: %s", s)
	}
	bt.Do(t, ctx, "give a reason and type the id",
		chromedp.SendKeys(chromedp.CSS("#reason-delete-"+id), "Signed up twice"),
		chromedp.SendKeys(chromedp.CSS("#confirm_id-delete-"+id), id))
	bt.ReadmeScreen(t, ctx, "admin-delete")
	bt.Do(t, ctx, "delete", chromedp.Click(chromedp.CSS(`#lifecycle-delete form[data-lifecycle-form="delete"] button[type="submit"]`)))
	bt.WaitTrue(t, ctx, "the tenant deleted, restore offered first", `document.querySelector('#lifecycle-card li[data-action="restore"]') !== null &&
		(document.querySelector("#danger-zone").compareDocumentPosition(document.querySelector("#usage-card")) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0`)
	bt.CheckA11y(t, ctx, "deleted tenant")
	bt.Do(t, ctx, "ask to restore it", chromedp.Click(chromedp.CSS(`#lifecycle-card [data-opens-dialog="lifecycle-restore"]`)),
		chromedp.WaitVisible(chromedp.CSS("#reason-restore-"+id)))
	bt.CheckA11y(t, ctx, "the restore dialog")
	bt.Do(t, ctx, "restore it", chromedp.SendKeys(chromedp.CSS("#reason-restore-"+id), "It was the real one"),
		chromedp.Click(chromedp.CSS(`#lifecycle-restore form[data-lifecycle-form="restore"] button[type="submit"]`)))
	bt.WaitTrue(t, ctx, "the tenant active again", `document.querySelector('#lifecycle-card li[data-action="delete"]') !== null &&
		document.querySelector('#lifecycle-card li[data-action="restore"]') === null`)

	bt.Do(t, ctx, "open the audit log", chromedp.Click(chromedp.CSS(`header a[href="/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#audit-filters")))
	bt.Do(t, ctx, "filter to the tenant", chromedp.SendKeys(chromedp.CSS("#audit-tenant"), id),
		chromedp.Click(chromedp.CSS(`#audit-filters button[type="submit"]`)))
	bt.WaitTrue(t, ctx, "the tenant's story in the log", `location.search.includes("tenant=`+id+`") &&
		["tenant.created", "plan.updated", "tenant.deleted", "tenant.restored"].every(a =>
			document.querySelector('#audit-list li[data-action="' + a + '"]') !== null)`)
	bt.WaitHTMXIdle(t, ctx)
	bt.ReadmeScreen(t, ctx, "audit-log")
}
