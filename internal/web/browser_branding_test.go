package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// A tenant owner opens branding, picks a primary colour with the colour
// picker, sees the preview and the contrast ratio change before saving,
// saves, reloads and sees the new colour on the tenant page.
func TestBrowserOwnerBrandingJourney(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ctx := bt.New(t)

	bt.Do(t, ctx, "sign in", chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), owner.email),
		chromedp.SendKeys(chromedp.CSS("#password"), owner.password),
		chromedp.Submit(chromedp.CSS("#password")))
	bt.WaitTrue(t, ctx, "the owner's tenant page", `location.pathname === "/tenants/`+tenantA+`"`)
	bt.Do(t, ctx, "open branding", chromedp.Click(chromedp.CSS(`#edit-links a[href$="/branding"]`)),
		chromedp.WaitVisible(chromedp.CSS("#color_primary")))
	bt.WaitTrue(t, ctx, "htmx to load and the picker to show", `typeof htmx !== "undefined" && !document.querySelector("#color_primary-picker").hidden`)
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
}
