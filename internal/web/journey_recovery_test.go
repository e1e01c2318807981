package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// openMail opens, in the development mailbox, the newest e-mail to the
// address whose subject is subject, and follows its link. A recovery
// e-mail is sent after the page has answered, so the list is reloaded
// until it is there.
func openMail(t *testing.T, ctx context.Context, a *app, to, subject string) {
	t.Helper()
	row := `[...document.querySelectorAll("#mail tbody tr")].find(r =>
		r.cells[1].textContent.trim() === ` + strconv.Quote(to) + ` && r.cells[2].textContent.trim() === ` + strconv.Quote(subject) + `)`
	deadline := time.Now().Add(10 * time.Second)
	for {
		bt.Do(t, ctx, "open the mailbox", chromedp.Navigate(a.URL+"/dev/mail"), chromedp.WaitReady(chromedp.CSS("main")))
		if bt.Eval[bool](t, ctx, `!!(`+row+`)`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q e-mail to %s in the mailbox", subject, to)
		}
		time.Sleep(100 * time.Millisecond)
	}
	bt.Eval[bool](t, ctx, `(`+row+`.querySelector("a").click(), true)`)
	bt.Do(t, ctx, "open the e-mail "+subject, chromedp.WaitVisible(chromedp.CSS("#mail-link")))
	bt.Do(t, ctx, "follow its link", chromedp.Click(chromedp.CSS("#mail-link")))
}

// askForRecovery fills in "Forgot your password?" and waits for its one answer.
func askForRecovery(t *testing.T, ctx context.Context, email string) {
	t.Helper()
	bt.WaitTrue(t, ctx, "the forgot-password form", `location.pathname === "/auth/forgot" && document.querySelector("#forgot-email") !== null`)
	bt.Do(t, ctx, "ask for a link for "+email,
		chromedp.SendKeys(chromedp.CSS("#forgot-email"), email),
		chromedp.Submit(chromedp.CSS("#forgot-email")))
	bt.WaitTrue(t, ctx, "the same answer for any address", `document.querySelector("#forgot-sent") !== null`)
}

// chooseNewPassword types the new password twice on "Choose a new password".
func chooseNewPassword(t *testing.T, ctx context.Context, password, shot string) {
	t.Helper()
	bt.WaitTrue(t, ctx, "“Choose a new password”, the link's tokens gone from the address bar",
		`location.pathname === "/auth/password" && location.hash === "" &&
		 document.querySelector("h1").textContent === "Choose a new password" && document.querySelector("#password") !== null`)
	bt.Screen(t, ctx, shot)
	bt.Do(t, ctx, "type the new password twice",
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), password),
		chromedp.Submit(chromedp.CSS("#password_confirm")))
}

// An invitation left too long: the owner invites a new admin, the link
// expires before they open it, and following it from the mailbox says so
// in one sentence. The page's own advice works: a new password link
// leads to "Choose a new password" and signs them in on the tenant they
// were invited to. Every screen is checked with axe.
func TestBrowserJourneyExpiredInvitationThenForgotPassword(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ctx := bt.New(t)
	const email = "late@africastay.example"
	const password = "late but here at last"

	signInBrowser(t, ctx, a, owner, "")
	bt.Do(t, ctx, "open the members", chromedp.Navigate(a.URL+"/tenants/"+tenantA+"/members"),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")))
	bt.Do(t, ctx, "invite a new admin",
		chromedp.SendKeys(chromedp.CSS("#invite-email"), email),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "admin"),
		chromedp.Click(chromedp.CSS(`form[action="/tenants/`+tenantA+`/members"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#members-notice")))
	signOutInBrowser(t, ctx)

	// A day and more goes by: the dev GoTrue keeps a link working for 24 hours.
	if tag, err := a.pool.Exec(context.Background(), `UPDATE devgotrue.one_time_tokens SET created_at = created_at - interval '25 hours'
		WHERE user_id = (SELECT id FROM devgotrue.users WHERE email = $1)`, email); err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("ageing the invitation's link: %v (%d rows)", err, tag.RowsAffected())
	}
	openMail(t, ctx, a, email, "You have been invited")
	bt.WaitTrue(t, ctx, "one sentence: expired, and who can send a new one",
		`location.pathname === "/auth/callback" && location.hash === "" &&
		 document.querySelector("#link-problem") !== null &&
		 document.querySelector("#link-problem").textContent.includes("This link has expired or has already been used") &&
		 document.querySelector("#link-problem").textContent.includes("ask whoever invited you")`)
	bt.ReadmeScreen(t, ctx, "link-expired")

	bt.Do(t, ctx, "take the page's advice: ask for a new password link",
		chromedp.Click(chromedp.CSS(`#link-problem ~ p a[href="/auth/forgot"]`)))
	bt.WaitTrue(t, ctx, "not signed in by the expired link", `document.querySelector("form[action='/logout']") === null`)
	bt.CheckA11y(t, ctx, "forgot password")
	askForRecovery(t, ctx, email)
	bt.CheckA11y(t, ctx, "the link sent")

	openMail(t, ctx, a, email, "Reset Your Password")
	chooseNewPassword(t, ctx, password, "choose-new-password")
	bt.WaitTrue(t, ctx, "the tenant, signed in as the new admin",
		`location.pathname === "/tenants/`+tenantA+`" && document.querySelector("header").textContent.includes("`+email+`")`)
	bt.CheckA11y(t, ctx, "the tenant after a new password")

	signOutInBrowser(t, ctx)
	signInPassword(t, ctx, a, person{email: email, password: password}, "/tenants/"+tenantA)
	if n := auditCount(t, a, "", tenant.ActionPasswordRecovered); n != 1 {
		t.Errorf("%d account.password_recovered events, want 1", n)
	}
}

// A support person with a second factor forgets their password: the
// recovery link asks for their app's code before "Choose a new password"
// (GoTrue sets no password from the link alone), a wrong code is refused,
// and the right one leads on to the new password and the tenants, without
// a second code. Every screen is checked with axe.
func TestBrowserJourneyForgotPasswordWithSecondFactor(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{staffMFA: true})
	support := a.createPerson(t, "sol@console.example", tenant.RoleSupport, nil)
	ctx := bt.New(t)
	const password = "sol's newly chosen passphrase"

	signInPassword(t, ctx, a, support, "/auth/mfa/enrol")
	secret := enrolInBrowser(t, ctx, "")
	bt.WaitTrue(t, ctx, "the tenants", `location.pathname === "/tenants"`)
	signOutInBrowser(t, ctx)

	bt.Do(t, ctx, "Forgot your password?", chromedp.Click(chromedp.CSS("#forgot-link")))
	askForRecovery(t, ctx, support.email)
	openMail(t, ctx, a, support.email, "Reset Your Password")
	bt.WaitTrue(t, ctx, "the code first, the link's tokens gone from the address bar",
		`location.pathname === "/auth/password" && location.hash === "" &&
		 document.querySelector("form[action='/auth/password/code'] #code") !== null && document.querySelector("#password") === null`)
	bt.ReadmeScreen(t, ctx, "recovery-code")
	bt.Do(t, ctx, "type a wrong code",
		chromedp.SendKeys(chromedp.CSS("#code"), wrongTOTP(t, secret)),
		chromedp.Submit(chromedp.CSS("#code")))
	bt.WaitTrue(t, ctx, "the code refused beside the field", `document.querySelector("#code-error") !== null`)
	bt.CheckA11y(t, ctx, "a wrong code before the new password")
	bt.Do(t, ctx, "type the right code",
		chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, secret)),
		chromedp.Submit(chromedp.CSS("#code")))
	chooseNewPassword(t, ctx, password, "choose-new-password-after-code")
	bt.WaitTrue(t, ctx, "the tenants, no second code asked", `location.pathname === "/tenants" && document.querySelector("form[action='/logout']") !== null`)

	signOutInBrowser(t, ctx)
	signInPassword(t, ctx, a, person{email: support.email, password: password}, "/auth/mfa")
}
