package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

var enrolSecret = regexp.MustCompile(`id="enrol-secret"[^>]*>([A-Z2-7]+)<`)

// totpCode is what an authenticator app shows for secret now.
func totpCode(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongTOTP is a code that is not secret's around now.
func wrongTOTP(t *testing.T, secret string) string {
	t.Helper()
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		ok := true
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			if v, _ := totp.GenerateCode(secret, time.Now().Add(d)); v == c {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// enrolTOTP sets up a second factor on the enrolment page, as a person
// with an authenticator app does, and returns its secret.
func (b *browser) enrolTOTP() string {
	b.t.Helper()
	res, body := b.get("/auth/mfa/enrol")
	if res.StatusCode != http.StatusOK {
		b.t.Fatalf("enrolment page: %d\n%s", res.StatusCode, clip(body))
	}
	m := enrolSecret.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("enrolment page shows no secret\n%s", clip(body))
	}
	if !strings.Contains(body, `src="data:image/svg+xml;base64,`) {
		b.t.Errorf("enrolment page shows no QR code image")
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		b.t.Errorf("enrolment page Cache-Control = %q, want no-store", res.Header.Get("Cache-Control"))
	}
	res, body = b.post("/auth/mfa/enrol", url.Values{"code": {totpCode(b.t, m[1])}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("enrolment code: %d\n%s", res.StatusCode, clip(body))
	}
	return m[1]
}

// giveCode answers the code page.
func (b *browser) giveCode(code string) (*http.Response, string) {
	b.t.Helper()
	b.get("/auth/mfa")
	return b.post("/auth/mfa", url.Values{"code": {code}})
}

func wantRedirect(t *testing.T, res *http.Response, prefix string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), prefix) {
		t.Fatalf("status %d to %q, want 303 to %s…", res.StatusCode, res.Header.Get("Location"), prefix)
	}
}

func TestStaffWithoutFactorEnrolsBeforeAnyStaffPage(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{staffMFA: true})
	support := a.createPerson(t, "sasha@console.example", tenant.RoleSupport, nil)
	b := a.newBrowser(t)
	b.get("/login")
	res, _ := b.post("/login", url.Values{"email": {support.email}, "password": {support.password}})
	wantRedirect(t, res, "/auth/mfa/enrol")

	// At aal1 no staff page, read or write, is served: each goes to the enrolment.
	for _, path := range []string{"/tenants", "/audit", "/tenants/africastay", "/account"} {
		res, body := b.get(path)
		wantRedirect(t, res, "/auth/mfa/enrol?next="+url.QueryEscape(path))
		if strings.Contains(body, "Africa Stay") {
			t.Errorf("GET %s at aal1 shows tenant data", path)
		}
	}
	b.get("/auth/mfa/enrol")
	res, _ = b.post("/tenants/africastay/lifecycle/suspend", url.Values{"reason": {"test"}})
	wantRedirect(t, res, "/auth/mfa/enrol")
	if got := tenantStatus(t, a, "africastay"); got != "active" {
		t.Fatalf("a suspend at aal1 left the tenant %s", got)
	}

	secret := b.enrolTOTP()
	res, body := b.get("/tenants")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Africa Stay") {
		t.Fatalf("after enrolment /tenants = %d", res.StatusCode)
	}
	if n := auditCount(t, a, "", tenant.ActionMFAEnrolled); n != 1 {
		t.Errorf("%d account.mfa_enrolled events, want 1", n)
	}
	if strings.Contains(a.logs.String(), secret) || auditMentions(t, a, secret) {
		t.Error("the TOTP secret is in the log or the audit trail")
	}

	// The next sign-in asks for a code.
	b2 := a.newBrowser(t)
	b2.get("/login")
	res, _ = b2.post("/login", url.Values{"email": {support.email}, "password": {support.password}})
	wantRedirect(t, res, "/auth/mfa")
	res, _ = b2.get("/tenants")
	wantRedirect(t, res, "/auth/mfa?next=")
	res, body = b2.giveCode(wrongTOTP(t, secret))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), auth.MsgCodeWrong) {
		t.Fatalf("wrong code: %d\n%s", res.StatusCode, clip(body))
	}
	code := totpCode(t, secret)
	res, _ = b2.giveCode(code)
	wantRedirect(t, res, "/tenants")
	if res, _ := b2.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("after the code /tenants = %d", res.StatusCode)
	}
	if strings.Contains(a.logs.String(), "code="+code) || auditMentions(t, a, code) {
		t.Error("a code is in the log or the audit trail")
	}
}

func TestOwnerWithoutFactorIsNotAskedForOne(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{staffMFA: true})
	owner := a.createPerson(t, "oona@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	b := a.newBrowser(t)
	b.get("/login")
	res, _ := b.post("/login", url.Values{"email": {owner.email}, "password": {owner.password}})
	wantRedirect(t, res, "/tenants/africastay")
	if res, _ := b.get("/tenants/africastay"); res.StatusCode != http.StatusOK {
		t.Fatalf("owner's tenant = %d", res.StatusCode)
	}
	// An owner may enrol from their account page; then they are asked too.
	_, body := b.get("/account")
	if !strings.Contains(body, `href="/auth/mfa/enrol"`) {
		t.Fatal("account page offers no second factor")
	}
	secret := b.enrolTOTP()
	b2 := a.newBrowser(t)
	b2.get("/login")
	res, _ = b2.post("/login", url.Values{"email": {owner.email}, "password": {owner.password}})
	wantRedirect(t, res, "/auth/mfa")
	res, _ = b2.giveCode(totpCode(t, secret))
	wantRedirect(t, res, "/tenants/africastay")
}

func TestWrongCodesAreLimitedLikePasswords(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{staffMFA: true, limits: auth.Limits{PerEmail: 3, PerIP: 30, WindowSeconds: 60}})
	admin := a.createPerson(t, "ayo@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.signIn(admin)
	secret := b.enrolTOTP()

	b2 := a.newBrowser(t)
	b2.signIn(admin)
	for i := range 3 {
		res, _ := b2.giveCode(wrongTOTP(t, secret))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: status %d, want 422", i+1, res.StatusCode)
		}
	}
	// Limited now: even the right code is refused without asking GoTrue.
	res, body := b2.giveCode(totpCode(t, secret))
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts") {
		t.Fatalf("after 3 wrong codes: %d\n%s", res.StatusCode, clip(body))
	}
	if res, _ := b2.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a limited session reached /tenants: %d", res.StatusCode)
	}
	// A malformed code is said so, and not counted.
	b3 := a.newBrowser(t)
	b3.signIn(a.createPerson(t, "other-admin@console.example", tenant.RolePlatformAdmin, nil))
	b3.get("/auth/mfa/enrol")
	res, body = b3.post("/auth/mfa/enrol", url.Values{"code": {"12ab"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, auth.MsgCodeShape) {
		t.Fatalf("malformed code: %d", res.StatusCode)
	}
}

func TestSignOutEverywhereEndsTheOtherBrowsersSessions(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "eve@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	here, there := a.newBrowser(t), a.newBrowser(t)
	here.signIn(owner)
	there.signIn(owner)
	if res, _ := there.get("/tenants/africastay"); res.StatusCode != http.StatusOK {
		t.Fatal("the other browser is not signed in")
	}
	here.get("/account")
	res, _ := here.post("/account/sign-out-everywhere", nil)
	wantRedirect(t, res, "/login")
	_, body := here.get("/login")
	if !strings.Contains(body, "You have signed out on every device.") {
		t.Error("no goodbye on the sign-in page")
	}
	// The other browser's very next request, a page read, ends its session.
	res, _ = there.get("/tenants/africastay")
	wantRedirect(t, res, "/login")
	_, body = there.get("/login")
	if !strings.Contains(body, auth.MsgSessionEnded) {
		t.Errorf("the other browser is not told its session ended\n%s", clip(body))
	}
	if n := auditCount(t, a, "", tenant.ActionSignedOutEverywhere); n != 1 {
		t.Errorf("%d account.signed_out_everywhere events, want 1", n)
	}
}

func TestChangePasswordAsksForTheCurrentOne(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "cara@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	b, other := a.newBrowser(t), a.newBrowser(t)
	b.signIn(owner)
	other.signIn(owner)
	b.get("/account")
	newPassword := "a brand new passphrase"
	res, body := b.post("/account/password", url.Values{
		"current_password": {"not my password"}, "password": {newPassword}, "password_confirm": {newPassword},
	})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, auth.MsgCurrentPasswordWrong) {
		t.Fatalf("wrong current password: %d\n%s", res.StatusCode, clip(body))
	}
	res, body = b.post("/account/password", url.Values{
		"current_password": {owner.password}, "password": {newPassword}, "password_confirm": {newPassword + "x"},
	})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The two passwords differ") {
		t.Fatalf("mismatched new passwords: %d", res.StatusCode)
	}
	res, _ = b.post("/account/password", url.Values{
		"current_password": {owner.password}, "password": {newPassword}, "password_confirm": {newPassword},
	})
	wantRedirect(t, res, "/account")
	_, body = b.get("/account")
	if !strings.Contains(body, "Your password is changed") {
		t.Error("no notice after the change")
	}
	// The other browser's session ended; this one goes on.
	res, _ = other.get("/tenants/africastay")
	wantRedirect(t, res, "/login")
	if res, _ := b.get("/tenants/africastay"); res.StatusCode != http.StatusOK {
		t.Errorf("the changing browser was signed out: %d", res.StatusCode)
	}
	// The old password no longer signs in; the new one does.
	old := a.newBrowser(t)
	old.get("/login")
	if res, _ := old.post("/login", url.Values{"email": {owner.email}, "password": {owner.password}}); res.StatusCode == http.StatusSeeOther {
		t.Error("the old password still signs in")
	}
	owner.password = newPassword
	a.newBrowser(t).signIn(owner)
	if n := auditCount(t, a, "", tenant.ActionPasswordChanged); n != 1 {
		t.Errorf("%d account.password_changed events, want 1", n)
	}
	if strings.Contains(a.logs.String(), newPassword) || auditMentions(t, a, newPassword) {
		t.Error("the new password is in the log or the audit trail")
	}
}

func TestAdminResetsAnotherStaffMembersFactor(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newAppWith(t, appOptions{staffMFA: true, now: clock})
	admin := a.createPerson(t, "abe@console.example", tenant.RolePlatformAdmin, nil)
	support := a.createPerson(t, "suki@console.example", tenant.RoleSupport, nil)
	ab, sb := a.newBrowser(t), a.newBrowser(t)
	ab.signIn(admin)
	ab.enrolTOTP()
	sb.signIn(support)
	sb.enrolTOTP()
	if res, _ := sb.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatal("support is not in")
	}

	_, body := ab.get("/staff")
	if strings.Contains(body, `action="/staff/`+admin.userID+`/mfa/reset"`) {
		t.Error("the staff page offers the admin a reset of their own factor")
	}
	if !strings.Contains(body, `action="/staff/`+support.userID+`/mfa/reset"`) {
		t.Fatal("the staff page offers no reset for support")
	}
	res, body := ab.post("/staff/"+support.userID+"/mfa/reset", url.Values{"reason": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("reset without a reason: %d\n%s", res.StatusCode, clip(body))
	}
	res, body = ab.post("/staff/"+admin.userID+"/mfa/reset", url.Values{"reason": {"mine"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, auth.MsgResetOwnFactors) {
		t.Fatalf("reset of one's own factor: %d\n%s", res.StatusCode, clip(body))
	}
	res, _ = ab.post("/staff/"+support.userID+"/mfa/reset", url.Values{"reason": {"lost her phone"}})
	wantRedirect(t, res, "/staff")
	_, body = ab.get("/staff")
	if !strings.Contains(body, "second factor is reset") {
		t.Error("no notice after the reset")
	}
	var reason string
	if err := a.pool.QueryRow(context.Background(), `SELECT after->>'reason' FROM audit_events WHERE action = $1`,
		tenant.ActionMFAReset).Scan(&reason); err != nil || reason != "lost her phone" {
		t.Fatalf("account.mfa_reset event reason = %q, %v", reason, err)
	}

	// Support's pages: served on GoTrue's last word until the recheck is
	// due, then the enrolment again. A write asks GoTrue at once.
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	res, _ = sb.get("/tenants")
	wantRedirect(t, res, "/auth/mfa/enrol")
	sb.enrolTOTP()
	if res, _ := sb.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("after enrolling again /tenants = %d", res.StatusCode)
	}
}

// auditMentions reports whether any audit row holds s.
func auditMentions(t *testing.T, a *app, s string) bool {
	t.Helper()
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events
		WHERE coalesce(before::text, '') || coalesce(after::text, '') || actor_email LIKE '%' || $1 || '%'`, s).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func tenantStatus(t *testing.T, a *app, id string) string {
	t.Helper()
	var status string
	if err := a.pool.QueryRow(context.Background(), `SELECT status FROM tenants WHERE id = $1`, id).Scan(&status); err != nil {
		t.Fatal(err)
	}
	return status
}
