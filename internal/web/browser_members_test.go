package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// A tenant owner signs in, lands on their tenant, opens its members and
// invites someone whose e-mail already has an account: they are told that
// person was added and keeps their password.
func TestBrowserOwnerInvitesAnExistingAccount(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	a.createPerson(t, "kim@kruger.example", "", map[string]tenant.MemberRole{tenantB: tenant.MemberOwner})
	ctx := bt.New(t)

	bt.Do(t, ctx, "sign in", chromedp.Navigate(a.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), owner.email),
		chromedp.SendKeys(chromedp.CSS("#password"), owner.password),
		chromedp.Submit(chromedp.CSS("#password")))
	bt.WaitTrue(t, ctx, "the owner's tenant page", `location.pathname === "/tenants/`+tenantA+`"`)
	bt.Do(t, ctx, "open the members", chromedp.Click(chromedp.CSS(`a[href="/tenants/`+tenantA+`/members"]`)),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")))
	bt.Do(t, ctx, "invite an existing account",
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "Kim@Kruger.example"),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "admin"),
		chromedp.Click(chromedp.CSS(`form[action="/tenants/`+tenantA+`/members"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#members-notice")))
	bt.WaitTrue(t, ctx, "told the person was added with their password",
		`document.querySelector("#members-notice").textContent.includes("kim@kruger.example already has an account; they were added as admin and sign in with their existing password.")`+
			` && document.querySelector("#members").textContent.includes("kim@kruger.example")`)
}
