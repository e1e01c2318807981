package web_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// An invited person gets in on their own. An owner invites a new admin and
// signs out; in the same browser the new admin opens the invitation from the
// development mailbox, follows its link through GoTrue back to the console,
// whose callback page's script hands the session over and clears it from the
// address bar, chooses a password (typed twice, the rules shown first) and
// lands on the tenant, signed in. Every screen is checked with axe.
func TestBrowserJourneyInvitedMember(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ctx := bt.New(t)
	const email = "zola@africastay.example"
	const password = "zola's own passphrase"

	signInBrowser(t, ctx, a, owner, "")
	bt.Do(t, ctx, "open the members", chromedp.Navigate(a.URL+"/tenants/"+tenantA+"/members"),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")))
	bt.Do(t, ctx, "invite a new admin",
		chromedp.SendKeys(chromedp.CSS("#invite-email"), email),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "admin"),
		chromedp.Click(chromedp.CSS(`form[action="/tenants/`+tenantA+`/members"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#members-notice")))
	bt.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	bt.WaitTrue(t, ctx, "the sign-in page", `location.pathname === "/login"`)

	bt.Do(t, ctx, "open the mailbox", chromedp.Navigate(a.URL+"/dev/mail"), chromedp.WaitVisible(chromedp.CSS("#mail")))
	bt.ReadmeScreen(t, ctx, "dev-mail")
	bt.Do(t, ctx, "open the invitation", chromedp.Click(chromedp.CSS(`#mail tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS("#mail-link")))
	bt.WaitTrue(t, ctx, "the invitation to "+email, `document.body.textContent.includes("To `+email+`")`)
	bt.Screen(t, ctx, "dev-mail-invite")

	bt.Do(t, ctx, "follow the link", chromedp.Click(chromedp.CSS("#mail-link")))
	bt.WaitTrue(t, ctx, "the password form, the link's tokens gone from the address bar",
		`location.pathname === "/auth/password" && location.hash === "" && document.querySelector("#password") !== null`)
	bt.WaitTrue(t, ctx, "the rules shown before the fields",
		`document.querySelector("#password-rules").textContent.includes(`+strconv.Quote(tenant.PasswordRules[0])+`) &&
		 document.querySelector("h1").textContent === "Choose your password"`)
	bt.ReadmeScreen(t, ctx, "choose-password")

	bt.Do(t, ctx, "type the password twice",
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), password),
		chromedp.Submit(chromedp.CSS("#password_confirm")))
	bt.WaitTrue(t, ctx, "the tenant, signed in as the new admin",
		`location.pathname === "/tenants/`+tenantA+`" && document.querySelector("header").textContent.includes("`+email+`")`)
	bt.CheckA11y(t, ctx, "the tenant after choosing a password")

	var members int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM organization_users
		WHERE tenant_id = $1 AND email = $2 AND role = 'admin'`, tenantA, email).Scan(&members); err != nil || members != 1 {
		t.Fatalf("%d memberships (%v), want one", members, err)
	}
}
