package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// A person searches the list: the results swap in place (no page load), the
// URL follows, and the back button brings the earlier list back.
func TestBrowserSearchSwapsResultsAndBackRestores(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.createPerson(t, "admin@console.example", tenant.RolePlatformAdmin, nil)
	ctx := bt.New(t)

	bt.Do(t, ctx, "sign in", chromedp.Navigate(a.URL+"/tenants"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), admin.email),
		chromedp.SendKeys(chromedp.CSS("#password"), admin.password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#tenant-search")))
	bt.WaitTrue(t, ctx, "htmx to load", `typeof htmx !== "undefined"`)
	// A marker on window survives htmx swaps but not a full page load.
	bt.Eval[bool](t, ctx, `window.__samePage = true`)

	bt.Do(t, ctx, "type a search", chromedp.SendKeys(chromedp.CSS("#tenant-search"), "kruger"))
	bt.WaitTrue(t, ctx, "the results to show only Kruger",
		`document.querySelector("#tenant-summary")?.textContent.includes("of 1 tenant") &&
		 document.querySelectorAll("#tenant-results tbody tr").length === 1 &&
		 document.querySelector("#tenant-results tbody tr").textContent.includes("Kruger Safaris")`)
	bt.WaitTrue(t, ctx, "the URL to carry the search", `location.search.includes("q=kruger")`)
	if !bt.Eval[bool](t, ctx, `window.__samePage === true`) {
		t.Fatal("the search reloaded the whole page instead of swapping the results")
	}
	bt.WaitTrue(t, ctx, "the All tab to count the match",
		`document.querySelector('#status-tabs [aria-current="page"] .tab-count').textContent.trim() === "1"`)
	bt.WaitHTMXIdle(t, ctx)

	bt.Do(t, ctx, "open the Suspended tab", chromedp.Click(chromedp.CSS(`#status-tabs a[href*="status=suspended"]`)))
	bt.WaitTrue(t, ctx, "the URL to carry the status", `location.search.includes("status=suspended") && location.search.includes("q=kruger")`)
	bt.WaitTrue(t, ctx, "the empty state", `document.querySelector("#tenant-results").textContent.includes("No tenant matches")`)
	bt.WaitHTMXIdle(t, ctx)

	bt.Do(t, ctx, "go back", chromedp.NavigateBack())
	bt.WaitTrue(t, ctx, "back to the search without a status",
		`location.search === "?q=kruger" && document.querySelectorAll("#tenant-results tbody tr").length === 1`)
	if v := bt.Eval[string](t, ctx, `document.querySelector("#tenant-search").value`); v != "kruger" {
		t.Fatalf("after back the search box shows %q", v)
	}
	bt.WaitHTMXIdle(t, ctx)

	bt.Do(t, ctx, "go back again", chromedp.NavigateBack())
	bt.WaitTrue(t, ctx, "the full list", `location.search === "" && document.querySelectorAll("#tenant-results tbody tr").length === 25`)
	if v := bt.Eval[string](t, ctx, `document.querySelector("#tenant-search").value`); v != "" {
		t.Fatalf("after back the search box shows %q", v)
	}
}

// A person mistypes the password, sees why and keeps the e-mail, signs in,
// lands on the list and signs out.
func TestBrowserSignInJourney(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	ctx := bt.New(t)

	bt.Do(t, ctx, "open the console", chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	bt.Do(t, ctx, "sign in with a wrong password",
		chromedp.SendKeys(chromedp.CSS("#email"), admin.email),
		chromedp.SendKeys(chromedp.CSS("#password"), "not my password"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#login-error")))
	if msg := bt.Eval[string](t, ctx, `document.querySelector("#login-error").textContent.trim()`); msg != "Email or password is incorrect." {
		t.Fatalf("message = %q", msg)
	}
	bt.CheckA11y(t, ctx, "sign-in with an error")
	if v := bt.Eval[string](t, ctx, `document.querySelector("#email").value`); v != admin.email {
		t.Fatalf("e-mail field = %q after the failed attempt", v)
	}
	if v := bt.Eval[string](t, ctx, `document.querySelector("#password").value`); v != "" {
		t.Fatal("the password was sent back to the page")
	}

	bt.Do(t, ctx, "sign in with the right password",
		chromedp.SendKeys(chromedp.CSS("#password"), admin.password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#tenant-search")))
	bt.WaitTrue(t, ctx, "the list", `location.pathname === "/tenants" && document.body.textContent.includes("ada@console.example")`)

	bt.Do(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")))
	bt.WaitTrue(t, ctx, "the goodbye", `location.pathname === "/login" && document.body.textContent.includes("You have signed out.")`)
	bt.CheckA11y(t, ctx, "signed out")
	bt.Do(t, ctx, "try the list again", chromedp.Navigate(a.URL+"/tenants"), chromedp.WaitVisible(chromedp.CSS("#email")))
}

// A platform admin onboards a tenant: one field wrong first, fixed, then the
// result page; the new owner then signs in with the password that was set.
func TestBrowserOnboardingJourney(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	ctx := bt.New(t)

	bt.Do(t, ctx, "sign in", chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), admin.email),
		chromedp.SendKeys(chromedp.CSS("#password"), admin.password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/tenants/new"]`)))
	bt.Do(t, ctx, "open the form", chromedp.Click(chromedp.CSS(`main a[href="/tenants/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")))
	bt.WaitTrue(t, ctx, "htmx to load", `typeof htmx !== "undefined"`)

	forest, _ := tenant.ThemeByID("forest_green")
	bt.Do(t, ctx, "choose a theme", chromedp.SetValue(chromedp.CSS("#preset_theme"), "forest_green"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#preset_theme").dispatchEvent(new Event("change", {bubbles: true}))`))
	bt.WaitTrue(t, ctx, "the theme's colours", `document.querySelector("#color_primary").placeholder === "`+forest.Primary+`"`)

	bt.Do(t, ctx, "fill the form with a wrong support e-mail",
		chromedp.SendKeys(chromedp.CSS("#name"), "Luangwa Walking Safaris"),
		chromedp.SendKeys(chromedp.CSS("#support_email"), "not-an-email"),
		chromedp.SendKeys(chromedp.CSS("#owner_email"), "mwila@luangwa.example"),
		chromedp.SendKeys(chromedp.CSS("#owner_password"), "walk the valley"),
		chromedp.Click(chromedp.CSS(`form[action="/tenants"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#support_email-error")))
	if v := bt.Eval[string](t, ctx, `document.querySelector("#name").value`); v != "Luangwa Walking Safaris" {
		t.Fatalf("the company name was lost: %q", v)
	}
	if v := bt.Eval[string](t, ctx, `document.querySelector("#preset_theme").value`); v != "forest_green" {
		t.Fatalf("the theme was lost: %q", v)
	}
	bt.CheckA11y(t, ctx, "onboarding form with an error")

	bt.Do(t, ctx, "fix it and submit",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#support_email").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#support_email"), "hello@luangwa.example"),
		chromedp.Click(chromedp.CSS(`form[action="/tenants"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#tenant-id")))
	id := bt.Eval[string](t, ctx, `document.querySelector("#tenant-id").textContent.trim()`)
	if !tenant.IsGeneratedID(id) {
		t.Fatalf("result page shows id %q", id)
	}
	if msg := bt.Eval[string](t, ctx, `document.querySelector("#owner-sign-in").textContent`); !strings.Contains(msg, "signs in with the password you set") {
		t.Fatalf("result says %q", msg)
	}

	bt.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")))
	bt.Do(t, ctx, "sign in as the new owner",
		chromedp.SendKeys(chromedp.CSS("#email"), "mwila@luangwa.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "walk the valley"),
		chromedp.Submit(chromedp.CSS("#password")))
	bt.WaitTrue(t, ctx, "the owner's tenant", `location.pathname === "/tenants/`+id+`" && document.querySelector("h1").textContent.includes("Luangwa Walking Safaris")`)
}
