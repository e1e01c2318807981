package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// signInPassword types e-mail and password on the sign-in page and waits
// for the page the console sends the person to.
func signInPassword(t *testing.T, ctx context.Context, a *app, p person, wantPath string) {
	t.Helper()
	bt.Do(t, ctx, "open the sign-in page", chromedp.Navigate(a.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
	bt.Do(t, ctx, "sign in as "+p.email,
		chromedp.SendKeys(chromedp.CSS("#email"), p.email),
		chromedp.SendKeys(chromedp.CSS("#password"), p.password),
		chromedp.Submit(chromedp.CSS("#password")))
	bt.WaitTrue(t, ctx, "on "+wantPath, `location.pathname === "`+wantPath+`"`)
}

// enrolInBrowser reads the key off the enrolment page, as a person types
// it into an authenticator app, and answers with the app's code.
func enrolInBrowser(t *testing.T, ctx context.Context, shot string) string {
	t.Helper()
	bt.WaitTrue(t, ctx, "the QR code and the key", `document.querySelector("#enrol-qr").complete &&
		document.querySelector("#enrol-qr").naturalWidth > 0 && document.querySelector("#enrol-secret").textContent.length >= 16`)
	if shot != "" {
		bt.ReadmeScreen(t, ctx, shot)
	} else {
		bt.CheckA11y(t, ctx, "enrolment")
	}
	secret := bt.Eval[string](t, ctx, `document.querySelector("#enrol-secret").textContent`)
	bt.Do(t, ctx, "type the app's code",
		chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, secret)),
		chromedp.Submit(chromedp.CSS("#code")))
	return secret
}

func signOutInBrowser(t *testing.T, ctx context.Context) {
	t.Helper()
	bt.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	bt.WaitTrue(t, ctx, "the sign-in page", `location.pathname === "/login"`)
}

// A new support person, with STAFF_MFA=required, is taken to the
// enrolment page right after the password and reaches the tenants only
// once their app's code is verified; their next sign-in asks for a code,
// and a wrong one is refused. A platform admin (enrolled too) resets their
// factor from the staff page with a reason, and their next sign-in asks
// them to enrol again. Every screen is checked with axe.
func TestBrowserJourneyStaffSecondFactor(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{staffMFA: true})
	admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	support := a.createPerson(t, "sol@console.example", tenant.RoleSupport, nil)
	ctx := bt.New(t)

	signInPassword(t, ctx, a, support, "/auth/mfa/enrol")
	bt.Do(t, ctx, "try the tenant list first", chromedp.Navigate(a.URL+"/tenants"))
	bt.WaitTrue(t, ctx, "sent back to the enrolment", `location.pathname === "/auth/mfa/enrol"`)
	secret := enrolInBrowser(t, ctx, "mfa-enrol")
	bt.WaitTrue(t, ctx, "the tenants, signed in", `location.pathname === "/tenants" && document.querySelector("#tenant-table, table") !== null`)
	signOutInBrowser(t, ctx)

	signInPassword(t, ctx, a, support, "/auth/mfa")
	bt.Screen(t, ctx, "mfa-code")
	bt.Do(t, ctx, "type a wrong code",
		chromedp.SendKeys(chromedp.CSS("#code"), wrongTOTP(t, secret)),
		chromedp.Submit(chromedp.CSS("#code")))
	bt.WaitTrue(t, ctx, "the code refused beside the field", `document.querySelector("#code-error") !== null && location.pathname === "/auth/mfa"`)
	bt.CheckA11y(t, ctx, "a wrong code")
	bt.Do(t, ctx, "type the right code",
		chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, secret)),
		chromedp.Submit(chromedp.CSS("#code")))
	bt.WaitTrue(t, ctx, "the tenants", `location.pathname === "/tenants"`)
	signOutInBrowser(t, ctx)

	signInPassword(t, ctx, a, admin, "/auth/mfa/enrol")
	enrolInBrowser(t, ctx, "")
	bt.WaitTrue(t, ctx, "the tenants", `location.pathname === "/tenants"`)
	bt.Do(t, ctx, "open the staff page", chromedp.Navigate(a.URL+"/staff"), chromedp.WaitVisible(chromedp.CSS("#staff")))
	reset := "#mfa-reset-" + support.userID
	bt.Do(t, ctx, "open the reset of support's factor", chromedp.Click(chromedp.CSS(reset+" summary")),
		chromedp.WaitVisible(chromedp.CSS("#mfa-reason-"+support.userID)))
	bt.CheckA11y(t, ctx, "the reset form")
	bt.Do(t, ctx, "reset with a reason",
		chromedp.SendKeys(chromedp.CSS("#mfa-reason-"+support.userID), "new phone"),
		chromedp.Click(chromedp.CSS(reset+` button[type="submit"]`)))
	bt.WaitTrue(t, ctx, "the reset said", `document.querySelector("#staff-notice") !== null &&
		document.querySelector("#staff-notice").textContent.includes("second factor is reset")`)
	signOutInBrowser(t, ctx)

	signInPassword(t, ctx, a, support, "/auth/mfa/enrol")
	bt.WaitTrue(t, ctx, "a new key to set up", `document.querySelector("#enrol-secret") !== null &&
		document.querySelector("#enrol-secret").textContent !== `+jsonQuote(secret))
	if n := auditCount(t, a, "", tenant.ActionMFAReset); n != 1 {
		t.Errorf("%d account.mfa_reset events, want 1", n)
	}
}

func jsonQuote(s string) string { return `"` + s + `"` }
