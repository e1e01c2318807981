package devgotrue_test

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// The e-mail links: /invite and /recover send them, GET /verify (the
// default templates' link) and POST /verify (a template linking to the site
// with {{ .TokenHash }}) use them up, PUT /user sets the password. A case
// that must read the e-mail runs on the dev server only: a real GoTrue's
// mail goes to a real mailbox.

// callbackURL is where the cases ask links to lead. A real GoTrue replaces
// it with its SITE_URL unless its allow list takes it; the cases that run
// there do not depend on it.
const callbackURL = "http://console.test/auth/callback"

// mail returns the newest e-mail of kind sent to email, skipping the case
// on a real GoTrue.
func (h *harness) mail(email, kind string) devgotrue.Mail {
	h.t.Helper()
	if h.target.dev == nil {
		h.t.Skip("the e-mails of a real GoTrue cannot be read here")
	}
	m, err := h.target.dev.LatestMail(h.t.Context(), email, kind)
	if err != nil {
		h.t.Fatalf("mailbox: %s mail to %s: %v", kind, email, err)
	}
	return m
}

// follow opens a link as a browser would, without following the redirect.
func (h *harness) follow(link string) (status int, location *url.URL) {
	h.t.Helper()
	c := &http.Client{Timeout: callTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	res, err := c.Get(link)
	if err != nil {
		h.t.Fatalf("GET %s: %v", link, err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		h.t.Fatalf("Location %q: %v", res.Header.Get("Location"), err)
	}
	return res.StatusCode, loc
}

// fragment reads a redirect's URL fragment as GoTrue writes it.
func (h *harness) fragment(loc *url.URL) url.Values {
	h.t.Helper()
	v, err := url.ParseQuery(loc.Fragment)
	if err != nil {
		h.t.Fatalf("fragment %q: %v", loc.Fragment, err)
	}
	return v
}

// wantExpiredRedirect checks GoTrue's answer to a used, expired or unknown
// link: a 303 with the error in the fragment, never a session.
func (h *harness) wantExpiredRedirect(status int, loc *url.URL) {
	h.t.Helper()
	if status != http.StatusSeeOther {
		h.t.Fatalf("GET /verify = %d, want 303", status)
	}
	f := h.fragment(loc)
	if f.Get("error") != "access_denied" || f.Get("error_code") != "otp_expired" || f.Get("error_description") == "" {
		h.t.Errorf("fragment = %v, want error=access_denied, error_code=otp_expired and a description", f)
	}
	if f.Has("access_token") || f.Has("refresh_token") {
		h.t.Errorf("an error redirect carries tokens: %v", f)
	}
}

func init() { contractCases = append(contractCases, linkCases...) }

var linkCases = []contractCase{
	{name: "an invitation's link redirects with a session in the fragment, once", run: func(h *harness) {
		email := h.email("link-invite")
		u, err := h.client.Invite(h.t.Context(), email, nil, callbackURL)
		if err != nil {
			h.skipIfNoMail(err)
			h.t.Fatalf("InviteTo: %v", err)
		}
		h.cleanup(u.ID)
		m := h.mail(email, devgotrue.LinkInvite)
		if m.Subject == "" || !strings.Contains(m.Link, "/verify?") || m.RedirectTo != callbackURL {
			h.t.Errorf("mail = %+v, want a subject and a /verify link leading to %s", m, callbackURL)
		}
		status, loc := h.follow(m.Link)
		if status != http.StatusSeeOther {
			h.t.Fatalf("GET /verify = %d, want 303", status)
		}
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != callbackURL || loc.RawQuery != "" {
			h.t.Errorf("redirect to %s?%s, want %s", got, loc.RawQuery, callbackURL)
		}
		f := h.fragment(loc)
		for k, want := range map[string]string{"token_type": "bearer", "type": "invite"} {
			if f.Get(k) != want {
				h.t.Errorf("fragment %s = %q, want %q", k, f.Get(k), want)
			}
		}
		for _, k := range []string{"access_token", "refresh_token", "expires_in", "expires_at"} {
			if f.Get(k) == "" {
				h.t.Errorf("fragment has no %s", k)
			}
		}
		if c := jwtClaims(h.t, f.Get("access_token")); c["sub"] != u.ID || c["aal"] != "aal1" {
			h.t.Errorf("claims sub=%v aal=%v, want %s aal1", c["sub"], c["aal"], u.ID)
		}
		s, err := h.client.SessionFrom(h.t.Context(), f.Get("access_token"), f.Get("refresh_token"))
		if err != nil || s.User.ID != u.ID || !s.User.Confirmed() {
			h.t.Fatalf("SessionFrom = %s confirmed=%v, %v; want %s, confirmed", s.User.ID, s.User.Confirmed(), err, u.ID)
		}
		// Confirmed, but still without a password until PUT /user.
		_, err = h.client.SignIn(h.t.Context(), email, "any-password")
		h.wantError(err, 400, "invalid_credentials")
		pw := h.password()
		if _, err := h.client.UpdatePassword(h.t.Context(), s.AccessToken, pw); err != nil {
			h.t.Fatalf("UpdatePassword: %v", err)
		}
		h.signIn(email, pw)
		h.wantExpiredRedirect(h.follow(m.Link))
	}},

	{name: "a token_hash link gives a session on POST /verify, once", run: func(h *harness) {
		email := h.email("link-hash")
		if _, err := h.invite(email, nil); err != nil {
			h.t.Fatalf("Invite: %v", err)
		}
		m := h.mail(email, devgotrue.LinkInvite)
		s, err := h.client.VerifyTokenHash(h.t.Context(), gotrue.LinkInvite, m.TokenHash)
		if err != nil {
			h.t.Fatalf("VerifyTokenHash: %v", err)
		}
		if s.AccessToken == "" || s.RefreshToken == "" || s.User.Email != email || !s.User.Confirmed() {
			h.t.Errorf("session = %v (user %s, confirmed %v), want tokens for %s, confirmed", s, s.User.Email, s.User.Confirmed(), email)
		}
		_, err = h.client.VerifyTokenHash(h.t.Context(), gotrue.LinkInvite, m.TokenHash)
		h.wantError(err, 403, "otp_expired")
	}},

	{name: "an unknown token_hash is 403 otp_expired", run: func(h *harness) {
		_, err := h.client.VerifyTokenHash(h.t.Context(), gotrue.LinkInvite, strings.Repeat("ab", 28))
		h.wantError(err, 403, "otp_expired")
		_, err = h.client.VerifyTokenHash(h.t.Context(), gotrue.LinkRecovery, strings.Repeat("cd", 28))
		h.wantError(err, 403, "otp_expired")
	}},

	{name: "an unknown link token redirects with otp_expired in the fragment", run: func(h *harness) {
		h.wantExpiredRedirect(h.follow(h.target.url + "/verify?" + url.Values{
			"token": {strings.Repeat("ef", 28)}, "type": {"invite"}, "redirect_to": {callbackURL},
		}.Encode()))
	}},

	{name: "POST /verify without a type, or with both token and token_hash, is validation_failed", run: func(h *harness) {
		h.wantWire(h.raw(http.MethodPost, "/verify", `{"token_hash":"abc"}`, nil), 400, "validation_failed")
		h.wantWire(h.raw(http.MethodPost, "/verify", `{"type":"invite","token_hash":"abc","token":"123456"}`, nil),
			400, "validation_failed")
		h.wantWire(h.raw(http.MethodPost, "/verify", `{"type":"invite"}`, nil), 400, "validation_failed")
	}},

	{name: "recover answers 200 {} with or without an account", run: func(h *harness) {
		email := h.email("recover")
		h.createUser(email, userSpec{confirmed: true})
		for _, addr := range []string{email, h.email("recover-nobody")} {
			err := h.client.Recover(h.t.Context(), addr, callbackURL)
			h.skipIfNoMail(err)
			if err != nil {
				h.t.Fatalf("Recover(%s): %v", addr, err)
			}
			if got := h.rec.last(); got.status != http.StatusOK || strings.TrimSpace(string(got.body)) != "{}" {
				h.t.Errorf("recover(%s) = %d %s, want 200 {}", addr, got.status, got.body)
			}
		}
		res := h.raw(http.MethodPost, "/recover", `{"email":"`+h.email("recover-raw-nobody")+`"}`, nil)
		if res.status != http.StatusOK || strings.TrimSpace(string(res.body)) != "{}" {
			h.t.Errorf("recover of an unknown address = %d %s, want 200 {}", res.status, res.body)
		}
	}},

	{name: "recover without an email is validation_failed", run: func(h *harness) {
		h.wantWire(h.raw(http.MethodPost, "/recover", `{}`, nil), 400, "validation_failed")
		h.wantWire(h.raw(http.MethodPost, "/recover", `{"email":"not an address"}`, nil), 400, "validation_failed")
	}},

	{name: "a second recover within a minute is 429 for an account, 200 for no account", run: func(h *harness) {
		email := h.email("recover-twice")
		h.createUser(email, userSpec{confirmed: true})
		first := h.raw(http.MethodPost, "/recover", `{"email":"`+email+`"}`, nil)
		if first.status != http.StatusOK {
			if h.target.real {
				h.t.Skipf("the server did not send the first recovery (%d %s)", first.status, first.body)
			}
			h.t.Fatalf("first recover = %d %s", first.status, first.body)
		}
		h.wantWire(h.raw(http.MethodPost, "/recover", `{"email":"`+email+`"}`, nil), 429, "over_email_send_rate_limit")
		nobody := `{"email":"` + h.email("recover-twice-nobody") + `"}`
		for range 2 {
			if res := h.raw(http.MethodPost, "/recover", nobody, nil); res.status != http.StatusOK {
				h.t.Errorf("recover of an unknown address = %d %s, want 200", res.status, res.body)
			}
		}
	}},

	{name: "a recovery link signs in with type=recovery; the new password must differ", run: func(h *harness) {
		email := h.email("link-recover")
		_, old := h.createUser(email, userSpec{confirmed: true})
		other := h.signIn(email, old)
		if err := h.client.Recover(h.t.Context(), email, callbackURL); err != nil {
			h.skipIfNoMail(err)
			h.t.Fatalf("Recover: %v", err)
		}
		m := h.mail(email, devgotrue.LinkRecovery)
		status, loc := h.follow(m.Link)
		f := h.fragment(loc)
		if status != http.StatusSeeOther || f.Get("type") != "recovery" || f.Get("access_token") == "" {
			h.t.Fatalf("GET /verify = %d, fragment type %q: want 303 with a recovery session", status, f.Get("type"))
		}
		_, err := h.client.UpdatePassword(h.t.Context(), f.Get("access_token"), old)
		h.wantError(err, 422, "same_password")
		pw := h.password()
		if _, err := h.client.UpdatePassword(h.t.Context(), f.Get("access_token"), pw); err != nil {
			h.t.Fatalf("UpdatePassword: %v", err)
		}
		h.signIn(email, pw)
		// The password change ended the account's other sessions, not this one.
		_, err = h.client.GetUser(h.t.Context(), other.AccessToken)
		h.wantError(err, 403, "session_not_found")
		if _, err := h.client.GetUser(h.t.Context(), f.Get("access_token")); err != nil {
			h.t.Errorf("the recovery session ended with the password change: %v", err)
		}
	}},

	{name: "a recovery link of an account with a verified factor sets a password only after a code", run: func(h *harness) {
		e := h.enrol("link-recover-mfa")
		if err := h.client.Recover(h.t.Context(), e.user.Email, callbackURL); err != nil {
			h.skipIfNoMail(err)
			h.t.Fatalf("Recover: %v", err)
		}
		m := h.mail(e.user.Email, devgotrue.LinkRecovery)
		_, loc := h.follow(m.Link)
		f := h.fragment(loc)
		link, err := h.client.SessionFrom(h.t.Context(), f.Get("access_token"), f.Get("refresh_token"))
		if err != nil {
			h.t.Fatalf("SessionFrom: %v", err)
		}
		if fac, ok := gotrue.VerifiedTOTP(link.User.Factors); link.AAL != gotrue.AAL1 || !ok || fac.ID != e.factorID {
			h.t.Fatalf("recovery session AAL %q, factors %+v: want aal1 with the verified factor listed", link.AAL, link.User.Factors)
		}
		pw := h.password()
		_, err = h.client.UpdatePassword(h.t.Context(), link.AccessToken, pw)
		h.wantError(err, 401, "insufficient_aal")
		ch, err := h.client.ChallengeFactor(h.t.Context(), link.AccessToken, e.factorID)
		if err != nil {
			h.t.Fatalf("ChallengeFactor from the recovery session: %v", err)
		}
		raised, err := h.client.VerifyFactor(h.t.Context(), link.AccessToken, e.factorID, ch, h.code(e.secret))
		if err != nil || raised.AAL != gotrue.AAL2 {
			h.t.Fatalf("VerifyFactor from the recovery session: AAL %q, %v; want aal2", raised.AAL, err)
		}
		if _, err := h.client.UpdatePassword(h.t.Context(), raised.AccessToken, pw); err != nil {
			h.t.Fatalf("UpdatePassword at aal2: %v", err)
		}
		if s := h.signIn(e.user.Email, pw); s.AAL != gotrue.AAL1 {
			h.t.Errorf("sign-in with the new password: AAL %q, want aal1 (a code is due)", s.AAL)
		}
	}},

	{name: "an expired link redirects with otp_expired", run: func(h *harness) {
		if h.target.dev == nil {
			h.t.Skip("a real GoTrue's link lifetime cannot be waited out here")
		}
		email := h.email("link-expired")
		if _, err := h.invite(email, nil); err != nil {
			h.t.Fatalf("Invite: %v", err)
		}
		m := h.mail(email, devgotrue.LinkInvite)
		if _, err := h.target.devPool.Exec(h.t.Context(), `UPDATE devgotrue.one_time_tokens
			SET created_at = created_at - interval '25 hours'
			WHERE user_id = (SELECT id FROM devgotrue.users WHERE email = $1)`, email); err != nil {
			h.t.Fatal(err)
		}
		h.wantExpiredRedirect(h.follow(m.Link))
	}},

	{name: "PUT /user refuses a weak password and a missing token", run: func(h *harness) {
		email := h.email("put-user")
		_, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		_, err := h.client.UpdatePassword(h.t.Context(), s.AccessToken, "12345")
		h.wantError(err, 422, "weak_password")
		h.wantWire(h.raw(http.MethodPut, "/user", `{"password":"`+h.password()+`"}`, nil), 401, "no_authorization")
		h.signIn(email, pw) // unchanged
	}},
}
