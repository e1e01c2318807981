package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tenant-console/console/internal/auth"
	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// A tenant owner's day. They own two tenants and switch between them; on
// one they open branding, pick a primary colour with the colour picker, see
// the preview and the contrast ratio change before saving, save, reload and
// see the new colour on the tenant page; they invite someone whose e-mail
// already has an account and are told so; then a platform admin suspends
// their tenants and their next click ends at the sign-in page saying so.
// Every screen is checked with axe, and the branding form by keyboard.
func TestBrowserJourneyOwner(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{
		tenantA: tenant.MemberOwner, tenantB: tenant.MemberOwner})
	a.createPerson(t, "kim@kruger.example", "", map[string]tenant.MemberRole{tenantB: tenant.MemberOwner})
	ctx := bt.New(t)

	signInBrowser(t, ctx, a, owner, "")
	bt.Screen(t, ctx, "owner-home")
	for _, id := range []string{tenantB, tenantA} {
		bt.Do(t, ctx, "open the switcher", chromedp.Click(chromedp.CSS(`header details summary`)),
			chromedp.WaitVisible(chromedp.CSS(`header details a[href="/tenants/`+id+`"]`)))
		if id == tenantB {
			bt.Screen(t, ctx, "owner-switcher")
		}
		bt.Do(t, ctx, "switch to "+id, chromedp.Click(chromedp.CSS(`header details a[href="/tenants/`+id+`"]`)))
		bt.WaitTrue(t, ctx, "the tenant "+id, `location.pathname === "/tenants/`+id+`" &&
			document.querySelector('header details a[aria-current="page"]')?.getAttribute("href") === "/tenants/`+id+`"`)
	}
	bt.CheckA11y(t, ctx, "owner's tenant")

	bt.Do(t, ctx, "open branding", chromedp.Click(chromedp.CSS(`#tenant-sections a[data-section="branding"]`)),
		chromedp.WaitVisible(chromedp.CSS("#color_primary")))
	bt.WaitTrue(t, ctx, "htmx to load and the picker to show", `typeof htmx !== "undefined" && !document.querySelector("#color_primary-picker").hidden`)
	bt.TabReaches(t, ctx, "the branding form", `form[action$="/branding"] :is(input:not([type=hidden]), select, button, a)`)
	before := bt.Eval[string](t, ctx, `document.querySelector("#contrast-ratio").textContent`)
	bt.Eval[bool](t, ctx, `window.__samePage = true`)

	const picked = "#FDE68A" // light: black text reads, white does not
	bt.Do(t, ctx, "pick a colour", chromedp.Evaluate[chromedp.Void](`(() => {
		const p = document.querySelector("#color_primary-picker");
		p.value = "`+strings.ToLower(picked)+`";
		p.dispatchEvent(new Event("input", {bubbles: true}));
	})()`))
	bt.WaitTrue(t, ctx, "the text field to follow the picker", `document.querySelector("#color_primary").value === "`+picked+`"`)
	bt.WaitTrue(t, ctx, "the preview in the new colour",
		`document.querySelector("#preview-email-header").getAttribute("fill") === "`+picked+`" &&
		 document.querySelector("#preview-dashboard rect[x='12']").getAttribute("fill") === "`+picked+`"`)
	after := bt.Eval[string](t, ctx, `document.querySelector("#contrast-ratio").textContent`)
	want, _ := tenant.ContrastOn(picked)
	if after == before || after != want.String() {
		t.Fatalf("contrast ratio %q → %q, want %q", before, after, want.String())
	}
	bt.WaitTrue(t, ctx, "the warning about white text", `document.querySelector("#contrast-white-warning") !== null`)
	bt.WaitHTMXIdle(t, ctx)
	bt.ReadmeScreen(t, ctx, "owner-branding")
	bt.Do(t, ctx, "type an accent colour", chromedp.Evaluate[chromedp.Void](`document.querySelector("#color_accent").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#color_accent"), "#111827"))
	bt.WaitTrue(t, ctx, "the preview's accent, and the picker following the text",
		`document.querySelector("#preview-email rect[x='336']").getAttribute("fill") === "#111827" &&
		 document.querySelector("#color_accent-picker").value === "#111827" &&
		 document.querySelector("#preview-problems") === null`)
	if !bt.Eval[bool](t, ctx, `(() => {
		const previews = performance.getEntriesByType("resource").map(e => e.name).filter(n => n.includes("/branding/preview?"));
		return previews.length > 0 && previews.every(n => !n.includes("_csrf"));
	})()`) {
		t.Fatal("no preview request, or one carrying the CSRF token in its URL")
	}
	if !bt.Eval[bool](t, ctx, `window.__samePage === true`) {
		t.Fatal("the preview reloaded the page")
	}
	var saved string
	_ = a.pool.QueryRow(context.Background(), `SELECT color_primary FROM tenant_branding WHERE tenant_id = $1`, tenantA).Scan(&saved)
	if saved == picked {
		t.Fatal("the colour was saved before the person saved")
	}

	bt.Do(t, ctx, "save", chromedp.Click(chromedp.CSS("#save-branding")), chromedp.WaitVisible(chromedp.CSS("#edit-notice")))
	if msg := bt.Eval[string](t, ctx, `document.querySelector("#edit-notice").textContent`); !strings.Contains(msg, "Primary colour") {
		t.Fatalf("notice: %q", msg)
	}
	bt.Do(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#color_primary")))
	if v := bt.Eval[string](t, ctx, `document.querySelector("#color_primary").value`); v != picked {
		t.Fatalf("after reload the field shows %q", v)
	}
	bt.Do(t, ctx, "open the tenant page", chromedp.Navigate(a.URL+"/tenants/"+tenantA), chromedp.WaitVisible(chromedp.CSS("h1")))
	bt.WaitTrue(t, ctx, "the new colour on the tenant page",
		`[...document.querySelectorAll("section[aria-label='Branding'] rect")].some(r => r.getAttribute("fill") === "`+picked+`")`)

	bt.Do(t, ctx, "open the members", chromedp.Click(chromedp.CSS(`a[href="/tenants/`+tenantA+`/members"]`)),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")))
	bt.CheckA11y(t, ctx, "members")
	bt.Do(t, ctx, "invite an existing account",
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "Kim@Kruger.example"),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "admin"),
		chromedp.Click(chromedp.CSS(`form[action="/tenants/`+tenantA+`/members"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#members-notice")))
	bt.WaitTrue(t, ctx, "told the person was added with their password",
		`document.querySelector("#members-notice").textContent.includes("kim@kruger.example already has an account; they were added as admin and sign in with their existing password.")`+
			` && document.querySelector("#members").textContent.includes("kim@kruger.example")`)
	bt.ReadmeScreen(t, ctx, "owner-members")

	// A platform admin suspends both of the owner's tenants meanwhile.
	svc := tenant.NewService(a.store)
	for _, id := range []string{tenantA, tenantB} {
		if _, err := svc.Lifecycle(context.Background(), tenant.System("ada@console.example"), tenant.LifecycleRequest{
			TenantID: id, Action: tenant.ActSuspend, Reason: "Unpaid invoices"}); err != nil {
			t.Fatalf("suspend %s: %v", id, err)
		}
	}
	bt.Do(t, ctx, "click back to the tenant", chromedp.Click(chromedp.CSS(`main a[href="/tenants/`+tenantA+`"]`)))
	bt.WaitTrue(t, ctx, "the sign-in page saying why", `location.pathname === "/login" &&
		document.body.textContent.includes("`+auth.MsgSuspended+`")`)
	bt.Screen(t, ctx, "owner-suspended")
}
