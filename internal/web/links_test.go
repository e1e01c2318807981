package web_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/tenant"
)

// latestMail waits for the newest e-mail of kind to email in the dev
// GoTrue's mailbox (a recovery is asked of GoTrue after the page answers).
func (a *app) latestMail(t *testing.T, email, kind string) devgotrue.Mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := a.dev.LatestMail(context.Background(), email, kind)
		if err == nil {
			return m
		}
		if !errors.Is(err, devgotrue.ErrNoMail) || time.Now().After(deadline) {
			t.Fatalf("no %s e-mail to %s: %v", kind, email, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// followLink opens an e-mail's link as the person's browser would: GoTrue
// answers with a redirect to the console's callback, the session (or the
// error) in the fragment, which the browser keeps and the server never sees.
func (b *browser) followLink(link, wantTo string) url.Values {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	res, _ := b.do(req)
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("GET %s: status %d, want 303", link, res.StatusCode)
	}
	to, fragment, _ := strings.Cut(res.Header.Get("Location"), "#")
	if to != wantTo {
		b.t.Fatalf("the link leads to %s, want %s", to, wantTo)
	}
	v, err := url.ParseQuery(fragment)
	if err != nil {
		b.t.Fatalf("fragment %q: %v", fragment, err)
	}
	return v
}

// finishLink is what the callback page's script does: post the fragment
// with the page's CSRF token.
func (b *browser) finishLink(fragment url.Values) (*http.Response, string) {
	b.t.Helper()
	res, body := b.get("/auth/callback")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `src="/static/js/callback.js`) {
		b.t.Fatalf("callback page: status %d, or no script\n%s", res.StatusCode, clip(body))
	}
	form := url.Values{}
	for _, k := range []string{"access_token", "refresh_token", "type", "error_code"} {
		if fragment.Has(k) {
			form.Set(k, fragment.Get(k))
		}
	}
	return b.post("/auth/callback", form)
}

func TestInvitedPersonFollowsTheLinkChoosesAPasswordAndLandsOnTheTenant(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ob := a.newBrowser(t)
	ob.signIn(owner)
	ob.get("/tenants/" + tenantA + "/members")
	const email = "nia@africastay.example"
	if res, body := ob.post("/tenants/"+tenantA+"/members", url.Values{"email": {email}, "role": {"admin"}}); res.StatusCode >= 400 {
		t.Fatalf("invite: %d\n%s", res.StatusCode, clip(body))
	}

	m := a.latestMail(t, email, devgotrue.LinkInvite)
	callback := a.URL + "/auth/callback"
	if m.RedirectTo != callback {
		t.Fatalf("the invitation leads to %q, want the console's callback %q", m.RedirectTo, callback)
	}
	nia := a.newBrowser(t)
	fragment := nia.followLink(m.Link, callback)
	if fragment.Get("type") != "invite" || fragment.Get("access_token") == "" {
		t.Fatalf("fragment: %v", fragment)
	}
	res, body := nia.get("/auth/callback")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("callback page CSP %q: want the console's own", csp)
	}
	if !strings.Contains(body, "did not run") {
		t.Error("without its script, the callback page does not say what to do")
	}
	res, body = nia.finishLink(fragment)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/auth/password" {
		t.Fatalf("callback: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	// Not signed in yet: no console page until the password is chosen.
	if res, _ := nia.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("before choosing a password, /tenants answered %d", res.StatusCode)
	}

	res, body = nia.get("/auth/password")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Choose your password") || !strings.Contains(body, tenant.PasswordRules[0]) {
		t.Fatalf("password page: %d\n%s", res.StatusCode, clip(body))
	}
	for _, c := range []struct{ pw, again, want string }{
		{"short", "short", "Use at least 10 characters."},
		{"a long enough password", "a different one", "The two passwords differ"},
	} {
		res, body := nia.post("/auth/password", url.Values{"password": {c.pw}, "password_confirm": {c.again}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("password %q/%q: %d, want 422 saying %q\n%s", c.pw, c.again, res.StatusCode, c.want, clip(body))
		}
	}
	const password = "a long enough password"
	res, body = nia.post("/auth/password", url.Values{"password": {password}, "password_confirm": {password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants/"+tenantA {
		t.Fatalf("choose password: %d → %q, want the tenant\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	if res, body := nia.get("/tenants/" + tenantA); res.StatusCode != http.StatusOK || !strings.Contains(body, email) {
		t.Fatalf("the tenant page: %d\n%s", res.StatusCode, clip(body))
	}

	// One membership, from the invitation; signing in again adds nothing.
	again := a.newBrowser(t)
	again.signIn(person{email: email, password: password})
	var members, accepted int
	ctx := context.Background()
	_ = a.pool.QueryRow(ctx, `SELECT count(*) FROM organization_users WHERE tenant_id = $1 AND email = $2 AND role = 'admin'`,
		tenantA, email).Scan(&members)
	_ = a.pool.QueryRow(ctx, `SELECT count(*) FROM user_invitations WHERE tenant_id = $1 AND email = $2 AND status = 'accepted'`,
		tenantA, email).Scan(&accepted)
	if members != 1 || accepted != 1 || auditCount(t, a, tenantA, tenant.ActionInvitationAccepted) != 1 {
		t.Fatalf("%d memberships, %d accepted invitations, %d acceptance events; want one each", members, accepted,
			auditCount(t, a, tenantA, tenant.ActionInvitationAccepted))
	}
	var actor, addr string
	if err := a.pool.QueryRow(ctx, `SELECT actor_email, remote_addr FROM audit_events WHERE action = $1`,
		tenant.ActionPasswordSet).Scan(&actor, &addr); err != nil || actor != email || addr == "" {
		t.Fatalf("account.password_set: actor %q, address %q (%v)", actor, addr, err)
	}
	// The link is used up.
	if f := a.newBrowser(t).followLink(m.Link, callback); f.Get("error_code") != "otp_expired" {
		t.Fatalf("second use of the link: %v", f)
	}
	noTokenAnywhere(t, a, fragment.Get("access_token"), fragment.Get("refresh_token"), m.TokenHash)
}

// noTokenAnywhere checks that no token reached the log or the audit trail.
func noTokenAnywhere(t *testing.T, a *app, tokens ...string) {
	t.Helper()
	logs := a.logs.String()
	for _, tok := range tokens {
		if tok == "" {
			continue
		}
		if strings.Contains(logs, tok) {
			t.Errorf("a token is in the log")
		}
		var n int
		_ = a.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events
			WHERE coalesce(before::text, '') || coalesce(after::text, '') LIKE '%' || $1 || '%'`, tok).Scan(&n)
		if n > 0 {
			t.Errorf("a token is in %d audit rows", n)
		}
	}
}

func TestExpiredOrUsedLinkSaysSoInOneSentence(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	callback := a.URL + "/auth/callback"
	const email = "late@africastay.example"
	if _, err := a.gotrue.Invite(ctx, email, nil, callback); err != nil {
		t.Fatal(err)
	}
	m := a.latestMail(t, email, devgotrue.LinkInvite)
	if _, err := a.pool.Exec(ctx, `UPDATE devgotrue.one_time_tokens SET created_at = created_at - interval '25 hours'`); err != nil {
		t.Fatal(err)
	}
	b := a.newBrowser(t)
	fragment := b.followLink(m.Link, callback)
	if fragment.Get("error_code") != "otp_expired" {
		t.Fatalf("expired link: fragment %v", fragment)
	}
	res, body := b.finishLink(fragment)
	if res.StatusCode != http.StatusGone || !strings.Contains(body, auth.MsgLinkExpired) {
		t.Fatalf("expired link: %d\n%s", res.StatusCode, clip(body))
	}
	if res, _ := b.get("/auth/password"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("an expired link led to the password form")
	}

	// A token_hash link (/auth/confirm) works once, then says the same.
	if _, err := a.gotrue.Invite(ctx, email, nil, callback); err != nil {
		t.Fatal(err)
	}
	m = a.latestMail(t, email, devgotrue.LinkInvite)
	confirm := "/auth/confirm?" + url.Values{"token_hash": {m.TokenHash}, "type": {"invite"}}.Encode()
	if res, _ := a.newBrowser(t).do(mustRequest(t, http.MethodHead, a.URL+confirm)); res.StatusCode != http.StatusOK {
		t.Fatalf("HEAD of a confirm link: %d", res.StatusCode)
	}
	c := a.newBrowser(t)
	if res, body := c.get(confirm); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/auth/password" {
		t.Fatalf("confirm link (after a HEAD): %d\n%s", res.StatusCode, clip(body))
	}
	if res, body := c.get("/auth/password"); res.StatusCode != http.StatusOK || !strings.Contains(body, email) {
		t.Fatalf("password page after confirm: %d\n%s", res.StatusCode, clip(body))
	}
	if res, body := a.newBrowser(t).get(confirm); res.StatusCode != http.StatusGone || !strings.Contains(body, auth.MsgLinkExpired) {
		t.Fatalf("confirm link used twice: %d\n%s", res.StatusCode, clip(body))
	}
	noTokenAnywhere(t, a, m.TokenHash)
}

func TestCallbackRefusesATokenGoTrueDidNotIssue(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": owner.userID, "email": owner.email, "role": "authenticated", "aud": "authenticated",
		"exp": time.Now().Add(time.Hour).Unix(), "session_id": "6a9a0f56-1c39-4f3b-8c55-6f6d9d0b7c11",
	}).SignedString([]byte("not the server's secret"))
	if err != nil {
		t.Fatal(err)
	}
	b := a.newBrowser(t)
	for _, f := range []url.Values{
		{"access_token": {forged}, "refresh_token": {"whatever"}, "type": {"recovery"}},
		{"access_token": {"not-a-jwt"}, "refresh_token": {"whatever"}, "type": {"invite"}},
		{"access_token": {forged}, "refresh_token": {"whatever"}}, // no type
	} {
		res, body := b.finishLink(f)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, auth.MsgLinkInvalid) {
			t.Errorf("forged callback: %d\n%s", res.StatusCode, clip(body))
		}
		if res, _ := b.get("/auth/password"); res.StatusCode != http.StatusSeeOther {
			t.Fatal("a forged token led to the password form")
		}
	}
	// Without the page's CSRF token the post is refused before anything.
	res, _ := b.postRaw("/auth/callback", url.Values{"access_token": {forged}, "type": {"invite"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("callback without CSRF: %d, want 403", res.StatusCode)
	}
	noTokenAnywhere(t, a, forged)
}

// csrfValue hides what differs between two answers that must be the same.
var csrfValue = regexp.MustCompile(`value="[^"]*"`)

func TestForgotPasswordAnswersTheSameForAnyAddressAndLeadsToANewPassword(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{recoveryLimits: auth.Limits{PerEmail: 2, PerIP: 100, WindowSeconds: 900}})
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	b := a.newBrowser(t)
	if _, body := b.get("/login"); !strings.Contains(body, `href="/auth/forgot"`) {
		t.Fatal("the sign-in page has no “Forgot your password?”")
	}
	answers := map[string]string{}
	for _, email := range []string{owner.email, "nobody@africastay.example"} {
		b.get("/auth/forgot")
		res, body := b.post("/auth/forgot", url.Values{"email": {email}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, auth.MsgRecoverySent) {
			t.Fatalf("forgot %s: %d\n%s", email, res.StatusCode, clip(body))
		}
		answers[email] = csrfValue.ReplaceAllString(body, "")
	}
	if answers[owner.email] != answers["nobody@africastay.example"] {
		t.Fatal("the answer differs for an address with an account and one without")
	}
	// The limit counts every request, with or without an account.
	for _, email := range []string{owner.email, "nobody@africastay.example"} {
		b.post("/auth/forgot", url.Values{"email": {email}})
		if res, _ := b.post("/auth/forgot", url.Values{"email": {email}}); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("third request for %s: %d, want 429", email, res.StatusCode)
		}
	}
	if _, err := a.dev.LatestMail(context.Background(), "nobody@africastay.example", devgotrue.LinkRecovery); !errors.Is(err, devgotrue.ErrNoMail) {
		t.Errorf("an address without an account got mail: %v", err)
	}

	m := a.latestMail(t, owner.email, devgotrue.LinkRecovery)
	callback := a.URL + "/auth/callback"
	r := a.newBrowser(t)
	fragment := r.followLink(m.Link, callback)
	if res, body := r.finishLink(fragment); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d\n%s", res.StatusCode, clip(body))
	}
	if res, body := r.get("/auth/password"); !strings.Contains(body, "Choose a new password") {
		t.Fatalf("recovery password page: %d\n%s", res.StatusCode, clip(body))
	}
	res, body := r.post("/auth/password", url.Values{"password": {owner.password}, "password_confirm": {owner.password}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, auth.MsgSamePassword) {
		t.Fatalf("the old password again: %d\n%s", res.StatusCode, clip(body))
	}
	const fresh = "a brand new passphrase"
	res, body = r.post("/auth/password", url.Values{"password": {fresh}, "password_confirm": {fresh}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants/"+tenantA {
		t.Fatalf("new password: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	if auditCount(t, a, "", tenant.ActionPasswordRecovered) != 1 {
		t.Fatal("want one account.password_recovered event")
	}
	a.newBrowser(t).signIn(person{email: owner.email, password: fresh})
	noTokenAnywhere(t, a, fragment.Get("access_token"), fragment.Get("refresh_token"), m.TokenHash)
}

func TestInvitedToASuspendedTenantIsToldSoAfterChoosingAPassword(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ob := a.newBrowser(t)
	ob.signIn(owner)
	ob.get("/tenants/" + tenantA + "/members")
	const email = "sam@africastay.example"
	ob.post("/tenants/"+tenantA+"/members", url.Values{"email": {email}, "role": {"admin"}})
	m := a.latestMail(t, email, devgotrue.LinkInvite)
	if _, err := tenant.NewService(a.store).Lifecycle(context.Background(), tenant.System("test"), tenant.LifecycleRequest{
		TenantID: tenantA, Action: tenant.ActSuspend, Reason: "Unpaid invoices"}); err != nil {
		t.Fatal(err)
	}
	b := a.newBrowser(t)
	b.finishLink(b.followLink(m.Link, a.URL+"/auth/callback"))
	b.get("/auth/password")
	const password = "a long enough password"
	res, _ := b.post("/auth/password", url.Values{"password": {password}, "password_confirm": {password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("suspended tenant: %d → %q, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := b.get("/login"); !strings.Contains(body, html.EscapeString(auth.MsgSuspended)) {
		t.Fatalf("the sign-in page does not say the organization is suspended\n%s", clip(body))
	}
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("signed in despite a suspended tenant")
	}
}

func TestStaffAddedByEmailChoosesAPasswordAndLandsOnTheList(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedInAdmin(t)
	admin.get("/staff")
	const email = "sipho@console.example"
	if res, body := admin.post("/staff", url.Values{"email": {email}, "role": {"support"}}); res.StatusCode >= 400 {
		t.Fatalf("add staff: %d\n%s", res.StatusCode, clip(body))
	}
	m := a.latestMail(t, email, devgotrue.LinkInvite)
	b := a.newBrowser(t)
	b.finishLink(b.followLink(m.Link, a.URL+"/auth/callback"))
	b.get("/auth/password")
	const password = "support's own passphrase"
	res, body := b.post("/auth/password", url.Values{"password": {password}, "password_confirm": {password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants" {
		t.Fatalf("staff choosing a password: %d → %q, want the list\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	if res, _ := b.get("/audit"); res.StatusCode != http.StatusOK {
		t.Fatalf("the new support person cannot read the audit log: %d", res.StatusCode)
	}
}

// A staff member with a second factor who forgot their password: GoTrue
// sets no password from the recovery link's aal1 session, so the console
// asks for the app's code first (a wrong one is refused, and counted),
// then for the new password, and signs them in at aal2.
func TestForgotPasswordWithASecondFactorAsksForTheCodeFirst(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{staffMFA: true})
	support := a.createPerson(t, "sol@console.example", tenant.RoleSupport, nil)
	b := a.newBrowser(t)
	b.signIn(support)
	secret := b.enrolTOTP()

	r := a.newBrowser(t)
	r.get("/auth/forgot")
	if res, _ := r.post("/auth/forgot", url.Values{"email": {support.email}}); res.StatusCode != http.StatusOK {
		t.Fatalf("forgot: %d", res.StatusCode)
	}
	m := a.latestMail(t, support.email, devgotrue.LinkRecovery)
	fragment := r.followLink(m.Link, a.URL+"/auth/callback")
	res, _ := r.finishLink(fragment)
	wantRedirect(t, res, "/auth/password")

	// The password form waits for the code; a password posted before it is not taken.
	res, body := r.get("/auth/password")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `action="/auth/password/code"`) || strings.Contains(body, `id="password"`) {
		t.Fatalf("recovery with a factor: %d, want the code step\n%s", res.StatusCode, clip(body))
	}
	const fresh = "sol's brand new passphrase"
	res, _ = r.post("/auth/password", url.Values{"password": {fresh}, "password_confirm": {fresh}})
	wantRedirect(t, res, "/auth/password")
	res, body = r.post("/auth/password/code", url.Values{"code": {wrongTOTP(t, secret)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), auth.MsgCodeWrong) {
		t.Fatalf("wrong code: %d\n%s", res.StatusCode, clip(body))
	}
	res, _ = r.post("/auth/password/code", url.Values{"code": {totpCode(t, secret)}})
	wantRedirect(t, res, "/auth/password")
	if _, body := r.get("/auth/password"); !strings.Contains(body, "Choose a new password") {
		t.Fatalf("after the code: no password form\n%s", clip(body))
	}
	res, body = r.post("/auth/password", url.Values{"password": {fresh}, "password_confirm": {fresh}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants" {
		t.Fatalf("new password: %d → %q\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	if res, _ := r.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("signed in after the recovery: /tenants = %d, want 200 (no second code)", res.StatusCode)
	}
	if n := auditCount(t, a, "", tenant.ActionPasswordRecovered); n != 1 {
		t.Fatalf("%d account.password_recovered events, want 1", n)
	}
	// The next sign-in takes the new password, and asks for a code again.
	n := a.newBrowser(t)
	n.get("/login")
	res, _ = n.post("/login", url.Values{"email": {support.email}, "password": {fresh}})
	wantRedirect(t, res, "/auth/mfa")
	noTokenAnywhere(t, a, fragment.Get("access_token"), fragment.Get("refresh_token"), m.TokenHash)
}

// A recovery link of someone without a second factor never shows the code
// step, and a code posted anyway is not asked of GoTrue.
func TestRecoveryWithoutASecondFactorHasNoCodeStep(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	r := a.newBrowser(t)
	r.get("/auth/forgot")
	r.post("/auth/forgot", url.Values{"email": {owner.email}})
	m := a.latestMail(t, owner.email, devgotrue.LinkRecovery)
	r.finishLink(r.followLink(m.Link, a.URL+"/auth/callback"))
	res, _ := r.post("/auth/password/code", url.Values{"code": {"123456"}})
	wantRedirect(t, res, "/auth/password")
	if _, body := r.get("/auth/password"); !strings.Contains(body, `id="password"`) {
		t.Fatalf("no password form without a factor\n%s", clip(body))
	}
}
