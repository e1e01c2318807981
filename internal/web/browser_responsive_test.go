package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// widths are the screens every page must fit: two phones, a tablet, a laptop.
var widths = []int64{360, 390, 768, 1280}

// axeWidths are those axe checks every page at (a phone and a laptop).
var axeWidths = map[int64]bool{390: true, 1280: true}

// fitsProblems lists what does not fit the window: the page scrolling
// sideways, or a visible control (link, button, field, menu) whose box
// reaches past either edge. A control inside a box that scrolls sideways
// by itself (a wide table in its wrapper) can be scrolled to, so it counts
// only if that box sticks out.
const fitsProblems = `(() => {
	const W = window.innerWidth, out = [];
	const doc = document.documentElement;
	if (doc.scrollWidth > W) out.push("the page is " + doc.scrollWidth + " px wide");
	const scroller = el => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const o = getComputedStyle(p).overflowX;
			if (o === "auto" || o === "scroll" || o === "hidden") return p;
		}
		return null;
	};
	const name = el => el.outerHTML.replace(/\s+/g, " ").slice(0, 110);
	for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
		if (r.width <= 1 && r.height <= 1) continue; // visually hidden (sr-only)
		let box = r;
		const s = scroller(el);
		if (s) box = s.getBoundingClientRect();
		if (box.left < -1 || box.right > W + 1) out.push(name(el) + " spans " + Math.round(r.left) + "–" + Math.round(r.right) + " px");
	}
	return out;
})()`

// checkFits resizes the page to each width and fails on what does not fit;
// axe runs at the widths in axeWidths.
func checkFits(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, w := range widths {
		bt.Do(t, ctx, fmt.Sprintf("resize to %d px", w), chromedp.EmulateViewport(w, 844))
		bt.WaitTrue(t, ctx, "the layout at the new width", fmt.Sprintf(`window.innerWidth === %d`, w))
		bt.Eval[bool](t, ctx, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)
		if problems := bt.Eval[[]string](t, ctx, fitsProblems); len(problems) > 0 {
			t.Errorf("%s at %d px:\n\t%s", page, w, strings.Join(problems, "\n\t"))
		}
		if axeWidths[w] {
			bt.CheckA11y(t, ctx, fmt.Sprintf("%s at %d px", page, w))
		}
	}
}

// visit opens path and checks it at every width.
func visit(t *testing.T, ctx context.Context, a *app, path string) {
	t.Helper()
	bt.Do(t, ctx, "open "+path, chromedp.EmulateViewport(1280, 844), chromedp.Navigate(a.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
	bt.WaitTrue(t, ctx, "the page's scripts", `typeof htmx !== "undefined" && document.readyState === "complete"`)
	checkFits(t, ctx, path)
}

// checkMenuReachesSignOut folds the header at a phone's width: the links
// are behind Menu, which opens them with Sign out in reach and closes again.
func checkMenuReachesSignOut(t *testing.T, ctx context.Context) {
	t.Helper()
	bt.Do(t, ctx, "a phone", chromedp.EmulateViewport(360, 740))
	bt.WaitTrue(t, ctx, "the folded header", `window.innerWidth === 360 &&
		getComputedStyle(document.querySelector("[data-nav-toggle]")).display !== "none" &&
		document.querySelector('form[action="/logout"] button').getClientRects().length === 0`)
	bt.Do(t, ctx, "open the menu", chromedp.Click(chromedp.CSS("[data-nav-toggle]")))
	bt.WaitTrue(t, ctx, "Sign out in reach", `(() => {
		const r = document.querySelector('form[action="/logout"] button').getBoundingClientRect();
		return document.querySelector("[data-nav-toggle]").getAttribute("aria-expanded") === "true" &&
			r.width > 0 && r.left >= 0 && r.right <= innerWidth;
	})()`)
	if problems := bt.Eval[[]string](t, ctx, fitsProblems); len(problems) > 0 {
		t.Errorf("the open menu at 360 px:\n\t%s", strings.Join(problems, "\n\t"))
	}
	bt.CheckA11y(t, ctx, "the open menu at 360 px")
	bt.Do(t, ctx, "close the menu", chromedp.Click(chromedp.CSS("[data-nav-toggle]")))
	bt.WaitTrue(t, ctx, "the menu closed", `document.querySelector("[data-nav-toggle]").getAttribute("aria-expanded") === "false"`)
}

// Every page each role can reach fits a 360, 390, 768 and 1280 px wide
// window without scrolling sideways, with every control in reach, and axe
// finds nothing at 390 and 1280 px: the sign-in and e-mail link pages, each
// section of a tenant (active, suspended and deleted), the owner's chooser,
// Your account, and the second factor's pages. One browser per role,
// resized in place.
func TestBrowserEveryPageFitsEveryScreen(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	// suspended and deleted in the demo data
	const suspended, deleted = "tn_4d1f2b33_x9ke", "tn_9c6e7a88_f7rh"
	people := map[string]person{
		"admin":   a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil),
		"support": a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil),
		"owner": a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{
			tenantA: tenant.MemberOwner, tenantB: tenant.MemberAdmin}),
	}
	sections := func(id string) []string {
		base := "/tenants/" + id
		return []string{base, base + "/settings", base + "/branding", base + "/members", base + "/audit"}
	}
	tenantPages := sections(tenantA)
	pages := map[string][]string{
		"admin": concat([]string{"/tenants", "/tenants/new", "/staff", "/audit", "/account", "/tenants?status=deleted",
			"/tenants/" + tenantA + "/lifecycle/delete", "/tenants/" + deleted + "/lifecycle/restore"},
			tenantPages, sections(suspended), sections(deleted)),
		"support": concat([]string{"/tenants", "/audit", "/account", "/tenants/" + tenantA + "/lifecycle/suspend"},
			tenantPages, sections(deleted)),
		// two organizations: the chooser at /, then each one's pages
		"owner": concat([]string{"/", "/tenants", "/account"}, tenantPages, sections(tenantB)),
	}
	t.Run("signed out", func(t *testing.T) {
		t.Parallel()
		ctx := bt.New(t)
		for _, path := range []string{"/login", "/auth/forgot", "/auth/confirm"} {
			visit(t, ctx, a, path)
		}
	})
	t.Run("second factor", func(t *testing.T) {
		t.Parallel()
		a := newAppWith(t, appOptions{staffMFA: true})
		support := a.createPerson(t, "sol@console.example", tenant.RoleSupport, nil)
		ctx := bt.New(t)
		signInPassword(t, ctx, a, support, "/auth/mfa/enrol")
		visit(t, ctx, a, "/auth/mfa/enrol")
		enrolInBrowser(t, ctx, "")
		bt.WaitTrue(t, ctx, "the tenants", `location.pathname === "/tenants"`)
		visit(t, ctx, a, "/account")
		signOutInBrowser(t, ctx)
		signInPassword(t, ctx, a, support, "/auth/mfa")
		visit(t, ctx, a, "/auth/mfa")
	})
	for _, role := range []string{"admin", "support", "owner"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			ctx := bt.New(t)
			signInBrowser(t, ctx, a, people[role], "")
			for _, path := range pages[role] {
				visit(t, ctx, a, path)
			}
			bt.Do(t, ctx, "back to the list", chromedp.EmulateViewport(1280, 844), chromedp.Navigate(a.URL+"/tenants"),
				chromedp.WaitVisible(chromedp.CSS("main h1")))
			checkMenuReachesSignOut(t, ctx)
		})
	}
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
