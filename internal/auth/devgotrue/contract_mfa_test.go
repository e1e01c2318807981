package devgotrue_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// Second factors: GoTrue's /factors API (TOTP), the aal and amr claims it
// writes into access tokens, the admin API over an account's factors, and
// signing out everywhere. Codes are computed as an authenticator app does,
// with github.com/pquerna/otp.

func init() { contractCases = append(contractCases, mfaCases...) }

// code is the TOTP code of secret now.
func (h *harness) code(secret string) string {
	h.t.Helper()
	c, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		h.t.Fatalf("TOTP code: %v", err)
	}
	return c
}

// wrongCode is a six-digit code that is not secret's in GoTrue's window
// (the previous, current and next 30 seconds).
func (h *harness) wrongCode(secret string) string {
	h.t.Helper()
	now := time.Now()
	var valid []string
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := totp.GenerateCode(secret, now.Add(d))
		if err != nil {
			h.t.Fatal(err)
		}
		valid = append(valid, c)
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !slices.Contains(valid, c) {
			return c
		}
	}
	h.t.Fatal("no wrong code found")
	return ""
}

// enrolled is an account with a verified TOTP factor, signed in at aal2.
type enrolled struct {
	user     gotrue.User
	password string
	factorID string
	secret   string
	session  gotrue.Session // aal2
}

// enrol makes an account and verifies a TOTP factor for it.
func (h *harness) enrol(label string) enrolled {
	h.t.Helper()
	email := h.email(label)
	u, pw := h.createUser(email, userSpec{confirmed: true})
	s := h.signIn(email, pw)
	e, err := h.client.EnrollTOTP(h.t.Context(), s.AccessToken, "console", "Tenant Console")
	if err != nil {
		h.skipIfRefused(err)
		h.t.Fatalf("EnrollTOTP: %v", err)
	}
	ch, err := h.client.ChallengeFactor(h.t.Context(), s.AccessToken, e.FactorID)
	if err != nil {
		h.t.Fatalf("ChallengeFactor: %v", err)
	}
	raised, err := h.client.VerifyFactor(h.t.Context(), s.AccessToken, e.FactorID, ch, h.code(e.Secret))
	if err != nil {
		h.t.Fatalf("VerifyFactor: %v", err)
	}
	return enrolled{user: u, password: pw, factorID: e.FactorID, secret: e.Secret, session: raised}
}

// bearer is raw's headers for a call with a user's access token.
func bearer(token string) map[string]*string {
	return map[string]*string{"Authorization": ptr("Bearer " + token)}
}

// amrMethods lists the methods of a token's amr claim, in its order.
func amrMethods(claims map[string]any) []string {
	var out []string
	list, _ := claims["amr"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		method, _ := m["method"].(string)
		out = append(out, method)
	}
	return out
}

var mfaCases = []contractCase{
	{name: "a TOTP factor is enrolled, challenged and verified: the session becomes aal2", run: func(h *harness) {
		email := h.email("mfa-enrol")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		if c := jwtClaims(h.t, s.AccessToken); c["aal"] != "aal1" || !slices.Equal(amrMethods(c), []string{"password"}) {
			h.t.Errorf("password sign-in: aal=%v amr=%v, want aal1 [password]", c["aal"], amrMethods(c))
		}
		if s.AAL != gotrue.AAL1 || len(s.User.Factors) != 0 {
			h.t.Errorf("session AAL %q, %d factors; want aal1 and none", s.AAL, len(s.User.Factors))
		}
		if _, ok := h.rec.last().json(h.t)["user"].(map[string]any)["factors"]; ok {
			h.t.Error(`the user of an account without factors has a "factors" key; GoTrue leaves it out`)
		}

		e, err := h.client.EnrollTOTP(h.t.Context(), s.AccessToken, "console", "Tenant Console")
		if err != nil {
			h.skipIfRefused(err)
			h.t.Fatalf("EnrollTOTP: %v", err)
		}
		body := h.rec.last().json(h.t)
		if body["type"] != "totp" || body["friendly_name"] != "console" || e.FactorID == "" {
			h.t.Errorf("enrol answer = %v, want type totp, friendly_name console and an id", body)
		}
		if !strings.Contains(e.QRCode, "<svg") || strings.HasPrefix(e.QRCode, "data:") {
			h.t.Errorf("qr_code starts %.40q, want an SVG document", e.QRCode)
		}
		if len(e.Secret) < 16 || !strings.HasPrefix(e.URI, "otpauth://totp/") || !strings.Contains(e.URI, "secret="+e.Secret) ||
			!strings.Contains(e.URI, "issuer=Tenant") {
			h.t.Errorf("secret %d characters, uri %q: want an otpauth URI with the secret and issuer", len(e.Secret), e.URI)
		}
		me, err := h.client.GetUser(h.t.Context(), s.AccessToken)
		if err != nil || len(me.Factors) != 1 || me.Factors[0].ID != e.FactorID || me.Factors[0].Verified() ||
			me.Factors[0].Type != gotrue.FactorTOTP {
			h.t.Fatalf("GET /user factors = %+v, %v; want the one unverified totp factor", me.Factors, err)
		}

		chID, err := h.client.ChallengeFactor(h.t.Context(), s.AccessToken, e.FactorID)
		if err != nil {
			h.t.Fatalf("ChallengeFactor: %v", err)
		}
		ch := h.rec.last().json(h.t)
		if ch["type"] != "totp" || chID == "" {
			h.t.Errorf("challenge answer = %v, want type totp and an id", ch)
		}
		if exp, _ := ch["expires_at"].(float64); time.Unix(int64(exp), 0).Before(time.Now()) {
			h.t.Errorf("challenge expires_at = %v, want a time to come", ch["expires_at"])
		}

		_, err = h.client.VerifyFactor(h.t.Context(), s.AccessToken, e.FactorID, chID, h.wrongCode(e.Secret))
		h.wantError(err, 422, "mfa_verification_failed")

		// The challenge stays open after a wrong code.
		raised, err := h.client.VerifyFactor(h.t.Context(), s.AccessToken, e.FactorID, chID, h.code(e.Secret))
		if err != nil {
			h.t.Fatalf("VerifyFactor: %v", err)
		}
		vb := h.rec.last().json(h.t)
		for _, k := range []string{"access_token", "refresh_token", "expires_in", "expires_at", "user"} {
			if _, ok := vb[k]; !ok {
				h.t.Errorf("verify answer has no %q", k)
			}
		}
		c := jwtClaims(h.t, raised.AccessToken)
		if c["aal"] != "aal2" || c["sub"] != u.ID || c["session_id"] != jwtClaims(h.t, s.AccessToken)["session_id"] {
			h.t.Errorf("verified token aal=%v sub=%v session=%v, want aal2 in the same session", c["aal"], c["sub"], c["session_id"])
		}
		if got := amrMethods(c); !slices.Equal(got, []string{"totp", "password"}) {
			h.t.Errorf("verified token amr = %v, want [totp password] (newest first)", got)
		}
		if raised.AAL != gotrue.AAL2 || raised.RefreshToken == s.RefreshToken {
			h.t.Errorf("verified session AAL %q, new refresh token %v; want aal2 and a new one", raised.AAL, raised.RefreshToken != s.RefreshToken)
		}
		if f, ok := gotrue.VerifiedTOTP(raised.User.Factors); !ok || f.ID != e.FactorID {
			h.t.Errorf("verify answer's user factors = %+v, want the factor verified", raised.User.Factors)
		}

		// A refresh keeps the level.
		again, err := h.client.Refresh(h.t.Context(), raised.RefreshToken)
		if err != nil || again.AAL != gotrue.AAL2 {
			h.t.Errorf("refresh after verify: AAL %q, %v; want aal2", again.AAL, err)
		}
	}},

	{name: "with a verified factor a password sign-in is aal1 until a code is verified", run: func(h *harness) {
		e := h.enrol("mfa-signin")
		s := h.signIn(e.user.Email, e.password)
		if s.AAL != gotrue.AAL1 {
			h.t.Errorf("password sign-in AAL = %q, want aal1", s.AAL)
		}
		if f, ok := gotrue.VerifiedTOTP(s.User.Factors); !ok || f.ID != e.factorID {
			h.t.Errorf("sign-in user factors = %+v, want the verified factor listed", s.User.Factors)
		}
		// At aal1 the password cannot change and no second factor starts.
		_, err := h.client.UpdatePassword(h.t.Context(), s.AccessToken, h.password())
		h.wantError(err, 401, "insufficient_aal")
		_, err = h.client.EnrollTOTP(h.t.Context(), s.AccessToken, "another", "Tenant Console")
		h.wantError(err, 403, "insufficient_aal")
		err = h.client.UnenrollFactor(h.t.Context(), s.AccessToken, e.factorID)
		h.wantError(err, 422, "insufficient_aal")

		ch, err := h.client.ChallengeFactor(h.t.Context(), s.AccessToken, e.factorID)
		if err != nil {
			h.t.Fatalf("ChallengeFactor: %v", err)
		}
		raised, err := h.client.VerifyFactor(h.t.Context(), s.AccessToken, e.factorID, ch, h.code(e.secret))
		if err != nil || raised.AAL != gotrue.AAL2 {
			h.t.Fatalf("VerifyFactor: AAL %q, %v; want aal2", raised.AAL, err)
		}
		// A challenge answers once.
		_, err = h.client.VerifyFactor(h.t.Context(), raised.AccessToken, e.factorID, ch, h.code(e.secret))
		h.wantError(err, 422, "mfa_ip_address_mismatch")
		// At aal2 the password can change.
		if _, err := h.client.UpdatePassword(h.t.Context(), raised.AccessToken, h.password()); err != nil {
			h.t.Errorf("UpdatePassword at aal2: %v", err)
		}
	}},

	{name: "verifying a code ends the account's other aal1 sessions", run: func(h *harness) {
		e := h.enrol("mfa-others")
		first := h.signIn(e.user.Email, e.password)
		second := h.signIn(e.user.Email, e.password)
		ch, err := h.client.ChallengeFactor(h.t.Context(), second.AccessToken, e.factorID)
		if err != nil {
			h.t.Fatal(err)
		}
		if _, err := h.client.VerifyFactor(h.t.Context(), second.AccessToken, e.factorID, ch, h.code(e.secret)); err != nil {
			h.t.Fatal(err)
		}
		_, err = h.client.GetUser(h.t.Context(), first.AccessToken)
		h.wantError(err, 403, "session_not_found")
		// The aal2 session of the enrolment stays.
		if _, err := h.client.GetUser(h.t.Context(), e.session.AccessToken); err != nil {
			h.t.Errorf("the aal2 session ended too: %v", err)
		}
	}},

	{name: "factor calls refuse what GoTrue refuses", run: func(h *harness) {
		email := h.email("mfa-refusals")
		_, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		h.wantWire(h.raw(http.MethodPost, "/factors", `{"friendly_name":"x"}`, bearer(s.AccessToken)), 400, "validation_failed")
		h.wantWire(h.raw(http.MethodPost, "/factors", `{"factor_type":"totp"}`, nil), 401, "no_authorization")

		e, err := h.client.EnrollTOTP(h.t.Context(), s.AccessToken, "", "Tenant Console")
		if err != nil {
			h.t.Fatalf("EnrollTOTP: %v", err)
		}
		// An empty friendly name conflicts with another empty one.
		_, err = h.client.EnrollTOTP(h.t.Context(), s.AccessToken, "", "Tenant Console")
		h.wantError(err, 422, "mfa_factor_name_conflict")

		_, err = h.client.ChallengeFactor(h.t.Context(), s.AccessToken, "1d7e5b0c-52c6-4c1f-8f3c-2a2e0c3e9b11")
		h.wantError(err, 404, "mfa_factor_not_found")
		_, err = h.client.ChallengeFactor(h.t.Context(), s.AccessToken, "not-a-uuid")
		h.wantError(err, 404, "validation_failed")
		_, err = h.client.VerifyFactor(h.t.Context(), s.AccessToken, e.FactorID, "1d7e5b0c-52c6-4c1f-8f3c-2a2e0c3e9b11", "123456")
		h.wantError(err, 422, "mfa_factor_not_found")
		ch, err := h.client.ChallengeFactor(h.t.Context(), s.AccessToken, e.FactorID)
		if err != nil {
			h.t.Fatal(err)
		}
		_, err = h.client.VerifyFactor(h.t.Context(), s.AccessToken, e.FactorID, ch, "")
		h.wantError(err, 400, "validation_failed")

		// Another account's factor is not found.
		other := h.enrol("mfa-refusals-other")
		_, err = h.client.ChallengeFactor(h.t.Context(), s.AccessToken, other.factorID)
		h.wantError(err, 404, "mfa_factor_not_found")

		// An unverified factor is unenrolled at aal1.
		if err := h.client.UnenrollFactor(h.t.Context(), s.AccessToken, e.FactorID); err != nil {
			h.t.Fatalf("UnenrollFactor: %v", err)
		}
		if got := h.rec.last().json(h.t)["id"]; got != e.FactorID {
			h.t.Errorf(`unenroll answer "id" = %v, want %s`, got, e.FactorID)
		}
	}},

	{name: "the admin API lists and deletes an account's factors; its sessions fall to aal1", run: func(h *harness) {
		e := h.enrol("mfa-admin")
		fs, err := h.client.AdminListFactors(h.t.Context(), e.user.ID)
		if err != nil || len(fs) != 1 || fs[0].ID != e.factorID || !fs[0].Verified() || fs[0].Type != gotrue.FactorTOTP {
			h.t.Fatalf("AdminListFactors = %+v, %v; want the verified totp factor", fs, err)
		}
		var wire []map[string]any
		if err := json.Unmarshal(h.rec.last().body, &wire); err != nil || len(wire) != 1 {
			h.t.Fatalf("list answer %s: want a JSON array of one factor (%v)", h.rec.last().body, err)
		}
		for _, k := range []string{"id", "status", "factor_type", "created_at", "updated_at"} {
			if _, ok := wire[0][k]; !ok {
				h.t.Errorf("listed factor has no %q", k)
			}
		}
		if _, ok := wire[0]["secret"]; ok {
			h.t.Error("a listed factor shows its secret")
		}

		if err := h.client.AdminDeleteFactor(h.t.Context(), e.user.ID, e.factorID); err != nil {
			h.t.Fatalf("AdminDeleteFactor: %v", err)
		}
		if got := h.rec.last().json(h.t)["id"]; got != e.factorID {
			h.t.Errorf(`delete answer "id" = %v, want the factor`, got)
		}
		err = h.client.AdminDeleteFactor(h.t.Context(), e.user.ID, e.factorID)
		h.wantError(err, 404, "mfa_factor_not_found")
		if fs, err := h.client.AdminListFactors(h.t.Context(), e.user.ID); err != nil || len(fs) != 0 {
			h.t.Errorf("after the delete: %+v, %v; want no factors", fs, err)
		}
		// The session it had raised goes on, at aal1 from its next token.
		lowered, err := h.client.Refresh(h.t.Context(), e.session.RefreshToken)
		if err != nil {
			h.t.Fatalf("Refresh: %v", err)
		}
		if c := jwtClaims(h.t, lowered.AccessToken); c["aal"] != "aal1" || slices.Contains(amrMethods(c), "totp") {
			h.t.Errorf("token after the delete: aal=%v amr=%v, want aal1 without totp", c["aal"], amrMethods(c))
		}
		h.wantWire(h.raw(http.MethodGet, "/admin/users/"+e.user.ID+"/factors", "", nil), 401, "no_authorization")
	}},

	{name: "logout with scope=global ends every session of the account", run: func(h *harness) {
		email := h.email("logout-global")
		_, pw := h.createUser(email, userSpec{confirmed: true})
		here, there := h.signIn(email, pw), h.signIn(email, pw)
		if err := h.client.SignOutEverywhere(h.t.Context(), here.AccessToken); err != nil {
			h.t.Fatalf("SignOutEverywhere: %v", err)
		}
		if h.rec.last().status != http.StatusNoContent {
			h.t.Errorf("logout status = %d, want 204", h.rec.last().status)
		}
		_, err := h.client.GetUser(h.t.Context(), there.AccessToken)
		h.wantError(err, 403, "session_not_found")
		_, err = h.client.Refresh(h.t.Context(), there.RefreshToken)
		h.wantError(err, 400, "refresh_token_not_found")
	}},
}

// TestDevChallengeExpires: a challenge older than GoTrue's five minutes is
// refused (mfa_challenge_expired) and used up. The dev server's clock is
// moved, so this runs against it only.
func TestDevChallengeExpires(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tg, _ := startDev(t, devgotrue.Options{Autoconfirm: true, Now: clock})
	h := newHarness(t, tg)
	email := h.email("mfa-expired")
	_, pw := h.createUser(email, userSpec{confirmed: true})
	s := h.signIn(email, pw)
	e, err := h.client.EnrollTOTP(t.Context(), s.AccessToken, "console", "Tenant Console")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := h.client.ChallengeFactor(t.Context(), s.AccessToken, e.FactorID)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(6 * time.Minute)
	mu.Unlock()
	code, err := totp.GenerateCode(e.Secret, clock())
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.client.VerifyFactor(t.Context(), s.AccessToken, e.FactorID, ch, code)
	h.wantError(err, 422, "mfa_challenge_expired")
	_, err = h.client.VerifyFactor(t.Context(), s.AccessToken, e.FactorID, ch, code)
	h.wantError(err, 422, "mfa_factor_not_found")
}
