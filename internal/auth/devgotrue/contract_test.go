package devgotrue_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supabase-community/gotrue-go/types"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
)

// The contract: what GoTrue answers on the calls the console makes, as
// recorded in docs/gotrue-wire.md. It always runs against the dev server and,
// when GOTRUE_TEST_URL, GOTRUE_TEST_ANON_KEY and GOTRUE_TEST_SERVICE_ROLE_KEY
// are set, against that real GoTrue too; both must pass the same cases.
// Cases never assume an empty server: every email is unique to the run,
// and every account a case makes is deleted when it ends. Against a real
// server they run one at a time; one that meets the server's own rate
// limits, or needs e-mail the server cannot send, skips rather than fails.

// contractCase is one recorded behaviour.
type contractCase struct {
	name string
	// autoconfirm, when set, limits the case to servers with that signup
	// setting (the only one that changes answers the console sees).
	autoconfirm *bool
	run         func(h *harness)
}

func TestContractDevServer(t *testing.T) {
	t.Parallel()
	for _, autoconfirm := range []bool{false, true} {
		t.Run(fmt.Sprintf("autoconfirm=%v", autoconfirm), func(t *testing.T) {
			t.Parallel()
			tg, _ := startDev(t, devgotrue.Options{Autoconfirm: autoconfirm})
			// Cases that do not depend on autoconfirm run once, on the first server.
			runContract(t, tg, !autoconfirm)
		})
	}
}

func TestContractRealGoTrue(t *testing.T) {
	t.Parallel()
	tg, ok := realTarget(t)
	if !ok {
		t.Skip("GOTRUE_TEST_URL, GOTRUE_TEST_ANON_KEY and GOTRUE_TEST_SERVICE_ROLE_KEY are not all set: " +
			"the contract runs against the dev server only")
	}
	runContract(t, tg, true)
}

func runContract(t *testing.T, tg target, withCommon bool) {
	for _, c := range contractCases {
		switch {
		case c.autoconfirm == nil && !withCommon:
			continue
		case c.autoconfirm != nil && *c.autoconfirm != tg.autoconfirm:
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			// A real server takes the cases one at a time: bursts would
			// only meet its rate limits.
			if !tg.real {
				t.Parallel()
			}
			c.run(newHarness(t, tg))
		})
	}
}

var (
	autoconfirmOn  = ptr(true)
	autoconfirmOff = ptr(false)
)

var contractCases = []contractCase{
	{name: "health answers as GoTrue", run: func(h *harness) {
		if err := h.client.Health(h.t.Context()); err != nil {
			h.t.Fatalf("Health: %v", err)
		}
		if got := h.rec.last().json(h.t)["name"]; got != "GoTrue" {
			h.t.Errorf(`health "name" = %v, want "GoTrue"`, got)
		}
	}},

	{name: "sign-in with the right password returns a session", run: func(h *harness) {
		email := h.email("ok")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		if s.AccessToken == "" || s.RefreshToken == "" || s.ExpiresIn <= 0 {
			h.t.Errorf("session = %v, want both tokens and expires_in", s)
		}
		if s.User.ID != u.ID || s.User.Email != email {
			h.t.Errorf("session user = %s %s, want %s %s", s.User.ID, s.User.Email, u.ID, email)
		}
		body := h.rec.last().json(h.t)
		for _, k := range []string{"access_token", "refresh_token", "expires_in", "user"} {
			if _, ok := body[k]; !ok {
				h.t.Errorf("token answer has no %q", k)
			}
		}
		c := jwtClaims(h.t, s.AccessToken)
		want := map[string]any{"sub": u.ID, "email": email, "role": "authenticated", "is_anonymous": false}
		for k, v := range want {
			if c[k] != v {
				h.t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if aud := fmt.Sprint(c["aud"]); !strings.Contains(aud, "authenticated") {
			h.t.Errorf("claim aud = %v, want authenticated", c["aud"])
		}
		if sid, _ := c["session_id"].(string); uuid.Validate(sid) != nil {
			h.t.Errorf("claim session_id = %v, want a UUID", c["session_id"])
		}
		if exp, iat := c["exp"].(float64), c["iat"].(float64); exp <= iat {
			h.t.Errorf("claims exp %v <= iat %v", exp, iat)
		}
		got, err := h.client.GetUser(h.t.Context(), s.AccessToken)
		if err != nil || got.ID != u.ID {
			h.t.Errorf("GetUser(token) = %v, %v, want %s", got.ID, err, u.ID)
		}
	}},

	{name: "wrong password is invalid_credentials", run: func(h *harness) {
		email := h.email("wrong")
		h.createUser(email, userSpec{confirmed: true})
		_, err := h.client.SignIn(h.t.Context(), email, "not-the-password")
		h.wantError(err, 400, "invalid_credentials")
	}},

	{name: "unknown email is invalid_credentials, word for word as a wrong password", run: func(h *harness) {
		email := h.email("known")
		h.createUser(email, userSpec{confirmed: true})
		_, wrongPw := h.client.SignIn(h.t.Context(), email, "not-the-password")
		_, unknown := h.client.SignIn(h.t.Context(), h.email("unknown"), "not-the-password")
		h.wantError(unknown, 400, "invalid_credentials")
		var a, b *gotrue.Error
		if errors.As(wrongPw, &a) && errors.As(unknown, &b) && a.Message != b.Message {
			h.t.Errorf("unknown email says %q, wrong password %q: they must not differ", b.Message, a.Message)
		}
	}},

	{name: "missing password is invalid_credentials", run: func(h *harness) {
		// gotrue-go refuses to send this request: raw HTTP.
		email := h.email("nopw")
		h.createUser(email, userSpec{confirmed: true})
		for _, body := range []string{`{"email":"` + email + `"}`, `{"email":"` + email + `","password":""}`} {
			h.wantWire(h.raw(http.MethodPost, "/token?grant_type=password", body, nil), 400, "invalid_credentials")
		}
		// The adapter asks GoTrue too, rather than answer for it.
		_, err := h.client.SignIn(h.t.Context(), email, "")
		h.wantError(err, 400, "invalid_credentials")
	}},

	{name: "unconfirmed email with the right password is email_not_confirmed", run: func(h *harness) {
		email := h.email("unconfirmed")
		_, pw := h.createUser(email, userSpec{confirmed: false})
		_, err := h.client.SignIn(h.t.Context(), email, pw)
		h.wantError(err, 400, "email_not_confirmed")
	}},

	{name: "unconfirmed email with a wrong password is invalid_credentials", run: func(h *harness) {
		email := h.email("unconfirmed-wrong")
		h.createUser(email, userSpec{confirmed: false})
		_, err := h.client.SignIn(h.t.Context(), email, "not-the-password")
		h.wantError(err, 400, "invalid_credentials")
	}},

	{name: "banned account is user_banned, with the right or a wrong password", run: func(h *harness) {
		email := h.email("banned")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		if _, err := h.client.BanUser(h.t.Context(), u.ID, 876000*time.Hour); err != nil {
			h.t.Fatalf("BanUser: %v", err)
		}
		for _, try := range []string{pw, "not-the-password", ""} {
			_, err := h.client.SignIn(h.t.Context(), email, try)
			h.wantError(err, 400, "user_banned")
		}
	}},

	{name: "invitation never accepted is invalid_credentials", run: func(h *harness) {
		email := h.email("invited")
		if _, err := h.invite(email, nil); err != nil {
			h.t.Fatalf("Invite: %v", err)
		}
		_, err := h.client.SignIn(h.t.Context(), email, "any-password")
		h.wantError(err, 400, "invalid_credentials")
	}},

	{name: "form-encoded token request is bad_json", run: func(h *harness) {
		email := h.email("form")
		_, pw := h.createUser(email, userSpec{confirmed: true})
		res := h.raw(http.MethodPost, "/token?grant_type=password", "email="+email+"&password="+pw,
			map[string]*string{"Content-Type": ptr("application/x-www-form-urlencoded")})
		h.wantWire(res, 400, "bad_json")
	}},

	{name: "api version 2024-01-01 answers errors as {code, message}", run: func(h *harness) {
		email := h.email("apiversion")
		h.createUser(email, userSpec{confirmed: true})
		res := h.raw(http.MethodPost, "/token?grant_type=password",
			`{"email":"`+email+`","password":"not-the-password"}`,
			map[string]*string{"X-Supabase-Api-Version": ptr("2024-01-01")})
		h.skipIfLimited(res.status, res.header.Get("X-Sb-Error-Code"))
		wantWireErrorV2(h.t, res, 400, "invalid_credentials")
		if got := res.header.Get("X-Sb-Error-Code"); got != "invalid_credentials" {
			h.t.Errorf("X-Sb-Error-Code = %q, want invalid_credentials", got)
		}
		if err := gotrue.ParseError(fmt.Errorf("response status code %d: %s", res.status, res.body)); !gotrue.HasCode(err, "invalid_credentials") {
			h.t.Errorf("ParseError of the 2024-01-01 body = %v", err)
		}
	}},

	{name: "admin create returns the user with a UUID id", run: func(h *harness) {
		email := h.email("create")
		u, _ := h.createUser(email, userSpec{confirmed: true, metadata: map[string]any{"full_name": "Ada Admin"}})
		if uuid.Validate(u.ID) != nil {
			h.t.Errorf("id = %q, want a UUID", u.ID)
		}
		if u.Email != email || !u.Confirmed() {
			h.t.Errorf("user = %s confirmed=%v, want %s confirmed", u.Email, u.Confirmed(), email)
		}
		// Confirming (email_confirm) also sets email_verified, as GoTrue's
		// User.Confirm does.
		if u.UserMetadata["full_name"] != "Ada Admin" || u.UserMetadata["email_verified"] != true {
			h.t.Errorf("user_metadata = %v, want full_name kept and email_verified true", u.UserMetadata)
		}
		got, err := h.client.GetUserByID(h.t.Context(), u.ID)
		if err != nil || got.Email != email {
			h.t.Errorf("GetUserByID = %v, %v", got.Email, err)
		}
	}},

	{name: "admin create of an existing email in another case is email_exists", run: func(h *harness) {
		email := h.email("dup")
		h.createUser(email, userSpec{confirmed: true})
		u, err := h.client.CreateUser(h.t.Context(), gotrue.CreateUserParams{Email: strings.ToUpper(email), Password: h.password()})
		h.cleanupIfMade(u, err)
		h.wantError(err, 422, "email_exists")
	}},

	{name: "admin create of an email taken by /signup is email_exists", run: func(h *harness) {
		email := h.email("signedup")
		if _, err := h.signup(email, h.password()); err != nil {
			h.t.Fatalf("Signup: %v", err)
		}
		u, err := h.client.CreateUser(h.t.Context(), gotrue.CreateUserParams{Email: email, Password: h.password()})
		h.cleanupIfMade(u, err)
		h.wantError(err, 422, "email_exists")
	}},

	{name: "admin create accepts a 5-character password (no policy)", run: func(h *harness) {
		email := h.email("short")
		h.createUser(email, userSpec{confirmed: true, password: "abcde"})
		h.signIn(email, "abcde")
	}},

	{name: "malformed email is validation_failed on signup, admin create and invite", run: func(h *harness) {
		const bad = "not-an-email"
		if !h.target.signupDisabled {
			_, err := h.lib.Signup(types.SignupRequest{Email: bad, Password: h.password()})
			h.wantError(gotrue.ParseError(err), 400, "validation_failed")
		}
		u, err := h.client.CreateUser(h.t.Context(), gotrue.CreateUserParams{Email: bad, Password: h.password()})
		h.cleanupIfMade(u, err)
		h.wantError(err, 400, "validation_failed")
		u, err = h.client.Invite(h.t.Context(), bad, nil, "")
		h.cleanupIfMade(u, err)
		h.wantError(err, 400, "validation_failed")
	}},

	{name: "invite of a new email returns the user with invited_at", run: func(h *harness) {
		u, err := h.invite(h.email("invite"), map[string]any{"tenant": "acme"})
		if err != nil {
			h.t.Fatalf("Invite: %v", err)
		}
		if u.InvitedAt == nil || uuid.Validate(u.ID) != nil || u.Confirmed() {
			h.t.Errorf("invited user = id %q invited_at %v confirmed %v", u.ID, u.InvitedAt, u.Confirmed())
		}
		if u.UserMetadata["tenant"] != "acme" {
			h.t.Errorf("user_metadata = %v, want the invitation's data", u.UserMetadata)
		}
	}},

	{name: "invite again before acceptance re-invites the same account", run: func(h *harness) {
		email := h.email("reinvite")
		first, err := h.invite(email, nil)
		if err != nil {
			h.t.Fatalf("Invite: %v", err)
		}
		again, err := h.invite(strings.ToUpper(email), nil)
		if err != nil {
			h.t.Fatalf("second Invite: %v", err)
		}
		if again.ID != first.ID || again.InvitedAt == nil {
			h.t.Errorf("re-invite = %s (invited_at %v), want %s", again.ID, again.InvitedAt, first.ID)
		}
	}},

	{name: "invite of a confirmed account is email_exists", run: func(h *harness) {
		email := h.email("member")
		h.createUser(email, userSpec{confirmed: true})
		u, err := h.client.Invite(h.t.Context(), strings.ToUpper(email), nil, "")
		h.cleanupIfMade(u, err)
		h.wantError(err, 422, "email_exists")
	}},

	{name: "invite of an unconfirmed account invites that account", run: func(h *harness) {
		email := h.email("unconfirmed-invite")
		u, pw := h.createUser(email, userSpec{confirmed: false})
		again, err := h.invite(email, nil)
		if err != nil {
			h.t.Fatalf("Invite: %v", err)
		}
		if again.ID != u.ID || again.InvitedAt == nil {
			h.t.Errorf("invite = %s (invited_at %v), want the account %s", again.ID, again.InvitedAt, u.ID)
		}
		// The invitation leaves the password alone.
		_, err = h.client.SignIn(h.t.Context(), email, pw)
		h.wantError(err, 400, "email_not_confirmed")
	}},

	{name: "signup of an existing email is user_already_exists", autoconfirm: autoconfirmOn, run: func(h *harness) {
		email := h.email("exists-on")
		h.createUser(email, userSpec{confirmed: true})
		_, err := h.signup(email, h.password())
		h.wantError(gotrue.ParseError(err), 422, "user_already_exists")
	}},

	{name: "signup of an existing email answers 200 with a made-up user", autoconfirm: autoconfirmOff, run: func(h *harness) {
		email := h.email("exists-off")
		u, _ := h.createUser(email, userSpec{confirmed: true})
		h.needSignup()
		res, err := h.lib.Signup(types.SignupRequest{Email: email, Password: h.password()})
		if err != nil {
			h.skipIfRefused(err)
			h.t.Fatalf("Signup of a taken email: %v, want no error (enumeration protection)", err)
		}
		if res.User.ID.String() == u.ID {
			h.t.Error("signup revealed the existing account's id")
		}
	}},

	{name: "signup of a new email signs in at once", autoconfirm: autoconfirmOn, run: func(h *harness) {
		res, err := h.signup(h.email("new-on"), h.password())
		if err != nil {
			h.t.Fatalf("Signup: %v", err)
		}
		if res.AccessToken == "" || res.User.EmailConfirmedAt == nil {
			h.t.Errorf("signup with autoconfirm gave no session or an unconfirmed user")
		}
	}},

	{name: "signup of a new email waits for confirmation", autoconfirm: autoconfirmOff, run: func(h *harness) {
		email := h.email("new-off")
		pw := h.password()
		res, err := h.signup(email, pw)
		if err != nil {
			h.t.Fatalf("Signup: %v", err)
		}
		if res.AccessToken != "" || res.User.EmailConfirmedAt != nil {
			h.t.Errorf("signup without autoconfirm gave a session or a confirmed user")
		}
		_, err = h.client.SignIn(h.t.Context(), email, pw)
		h.wantError(err, 400, "email_not_confirmed")
	}},

	{name: "signup with a password under 6 characters is weak_password", run: func(h *harness) {
		_, err := h.signup(h.email("weak"), "12345")
		err = gotrue.ParseError(err)
		h.wantError(err, 422, "weak_password")
		// A server with a stricter policy may add other reasons.
		var e *gotrue.Error
		if errors.As(err, &e) && !slices.Contains(e.Reasons, "length") {
			h.t.Errorf("reasons = %v, want length among them", e.Reasons)
		}
	}},

	{name: "signup without a password is a 400 validation_failed", run: func(h *harness) {
		h.needSignup()
		h.wantWire(h.raw(http.MethodPost, "/signup", `{"email":"`+h.email("nopw")+`","password":""}`, nil), 400, "validation_failed")
	}},

	{name: "weak_password in the 2024-01-01 shape keeps its reasons", run: func(h *harness) {
		h.needSignup()
		res := h.raw(http.MethodPost, "/signup", `{"email":"`+h.email("weak-v2")+`","password":"12345"}`,
			map[string]*string{"X-Supabase-Api-Version": ptr("2024-01-01")})
		h.skipIfLimited(res.status, "signup")
		wantWireErrorV2(h.t, res, 422, "weak_password")
		wp, _ := res.json(h.t)["weak_password"].(map[string]any)
		if reasons, _ := wp["reasons"].([]any); !slices.Contains(reasons, any("length")) {
			h.t.Errorf("weak_password = %v, want length among the reasons", wp)
		}
	}},

	{name: "refresh without a token is a 400 validation_failed", run: func(h *harness) {
		// Not the OAuth {"error":"invalid_request"} shape (gotrue-wire.md,
		// checked on a v2.196.0-based build).
		h.wantWire(h.raw(http.MethodPost, "/token?grant_type=refresh_token", `{"refresh_token":""}`, nil), 400, "validation_failed")
		// The client answers that itself, as GoTrue would.
		var e *gotrue.Error
		if _, err := h.client.Refresh(h.t.Context(), ""); !errors.As(err, &e) || e.Status != 400 || e.Code != "validation_failed" {
			h.t.Errorf("Refresh(\"\") = %v, want 400 validation_failed like GoTrue", err)
		}
	}},

	{name: "list users filters on email, case-sensitively, with paging headers", run: func(h *harness) {
		tag := "list" + h.run
		for _, p := range []string{"a", "b", "c"} {
			h.createUser(p+"-"+tag+"@example.com", userSpec{})
		}
		res := h.raw(http.MethodGet, "/admin/users?filter="+tag+"&per_page=2&page=1", "", h.admin())
		if res.status != http.StatusOK {
			h.t.Fatalf("list = %d %s", res.status, res.body)
		}
		if users, _ := res.json(h.t)["users"].([]any); len(users) != 2 {
			h.t.Errorf("page 1 of 2 per page has %d users, want 2", len(users))
		}
		if got := res.header.Get("X-Total-Count"); got != "3" {
			h.t.Errorf("X-Total-Count = %q, want 3", got)
		}
		if link := res.header.Get("Link"); !strings.Contains(link, `rel="next"`) || !strings.Contains(link, `rel="last"`) {
			h.t.Errorf("Link = %q, want next and last", link)
		}
		res = h.raw(http.MethodGet, "/admin/users?filter="+strings.ToUpper(tag), "", h.admin())
		if users, _ := res.json(h.t)["users"].([]any); res.status != http.StatusOK || len(users) != 0 {
			h.t.Errorf("upper-case filter = %d with %d users, want 200 with none", res.status, len(users))
		}
	}},

	{name: "list users with per_page=abc is validation_failed", run: func(h *harness) {
		h.wantWire(h.raw(http.MethodGet, "/admin/users?per_page=abc", "", h.admin()), 400, "validation_failed")
	}},

	{name: "unknown user id is user_not_found", run: func(h *harness) {
		_, err := h.client.GetUserByID(h.t.Context(), uuid.NewString())
		h.wantError(err, 404, "user_not_found")
		if !errors.Is(err, apperr.ErrNotFound) {
			h.t.Error("user_not_found does not match apperr.ErrNotFound")
		}
	}},

	{name: "user id that is not a UUID is a 404 validation_failed", run: func(h *harness) {
		h.wantWire(h.raw(http.MethodGet, "/admin/users/not-a-uuid", "", h.admin()), 404, "validation_failed")
	}},

	{name: "ban sets banned_until and none lifts it", run: func(h *harness) {
		email := h.email("unban")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		banned, err := h.client.BanUser(h.t.Context(), u.ID, 876000*time.Hour)
		if err != nil {
			h.t.Fatalf("BanUser: %v", err)
		}
		if !banned.BannedAt(time.Now().Add(24 * time.Hour * 365 * 50)) {
			h.t.Errorf("banned_until = %v, want about 100 years ahead", banned.BannedUntil)
		}
		lifted, err := h.client.UnbanUser(h.t.Context(), u.ID)
		if err != nil {
			h.t.Fatalf("UnbanUser: %v", err)
		}
		if lifted.BannedAt(time.Now()) {
			h.t.Errorf("banned_until = %v after none", lifted.BannedUntil)
		}
		h.signIn(email, pw)
	}},

	{name: "a ban stops an access token issued before it", run: func(h *harness) {
		email := h.email("ban-token")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		if _, err := h.client.BanUser(h.t.Context(), u.ID, time.Hour); err != nil {
			h.t.Fatalf("BanUser: %v", err)
		}
		_, err := h.client.GetUser(h.t.Context(), s.AccessToken)
		h.wantError(err, 403, "user_banned")
	}},

	{name: "a ban stops a refresh token issued before it", run: func(h *harness) {
		email := h.email("ban-refresh")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		if _, err := h.client.BanUser(h.t.Context(), u.ID, time.Hour); err != nil {
			h.t.Fatalf("BanUser: %v", err)
		}
		_, err := h.client.Refresh(h.t.Context(), s.RefreshToken)
		h.wantError(err, 400, "user_banned")
	}},

	{name: "refresh gives a new working session", run: func(h *harness) {
		email := h.email("refresh")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		next, err := h.client.Refresh(h.t.Context(), s.RefreshToken)
		if err != nil {
			h.t.Fatalf("Refresh: %v", err)
		}
		if next.RefreshToken == "" || next.RefreshToken == s.RefreshToken {
			h.t.Error("refresh did not rotate the refresh token")
		}
		if got, err := h.client.GetUser(h.t.Context(), next.AccessToken); err != nil || got.ID != u.ID {
			h.t.Errorf("GetUser(refreshed token) = %v, %v", got.ID, err)
		}
	}},

	{name: "logout is 204 and the token then gets session_not_found", run: func(h *harness) {
		email := h.email("logout")
		_, pw := h.createUser(email, userSpec{confirmed: true})
		s := h.signIn(email, pw)
		if err := h.client.SignOut(h.t.Context(), s.AccessToken); err != nil {
			h.t.Fatalf("SignOut: %v", err)
		}
		if got := h.rec.last().status; got != http.StatusNoContent {
			h.t.Errorf("logout status = %d, want 204", got)
		}
		_, err := h.client.GetUser(h.t.Context(), s.AccessToken)
		h.wantError(err, 403, "session_not_found")
	}},

	{name: "sign-out ends only the session of its token", run: func(h *harness) {
		email := h.email("logout-local")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		here, elsewhere := h.signIn(email, pw), h.signIn(email, pw)
		if err := h.client.SignOut(h.t.Context(), here.AccessToken); err != nil {
			h.t.Fatalf("SignOut: %v", err)
		}
		_, err := h.client.GetUser(h.t.Context(), here.AccessToken)
		h.wantError(err, 403, "session_not_found")
		if got, err := h.client.GetUser(h.t.Context(), elsewhere.AccessToken); err != nil || got.ID != u.ID {
			h.t.Errorf("the other session after sign-out: %v, %v, want it still good", got.ID, err)
		}
		if _, err := h.client.Refresh(h.t.Context(), elsewhere.RefreshToken); err != nil {
			h.skipIfRefused(err)
			h.t.Errorf("the other session's refresh token after sign-out: %v", err)
		}
	}},

	{name: "admin route without a bearer is no_authorization", run: func(h *harness) {
		res := h.raw(http.MethodGet, "/admin/users", "", nil)
		if h.target.gateway && res.status == http.StatusForbidden && res.header.Get("X-Sb-Error-Code") == "not_admin" {
			// Supabase's gateway, given a publishable key and no bearer,
			// forwards the anon role as the bearer.
			h.t.Log("the gateway sent the anon role as the bearer: not_admin instead of no_authorization")
			return
		}
		h.wantWire(res, 401, "no_authorization")
	}},

	{name: "admin route with the anon key is not_admin", run: func(h *harness) {
		bearer := h.target.anonKey
		if isOpaqueKey(bearer) {
			// No anon JWT to send: a user's access token is just as little an admin.
			email := h.email("not-admin")
			_, pw := h.createUser(email, userSpec{confirmed: true})
			bearer = h.signIn(email, pw).AccessToken
		}
		res := h.raw(http.MethodGet, "/admin/users", "", map[string]*string{"Authorization": ptr("Bearer " + bearer)})
		h.wantWire(res, 403, "not_admin")
	}},

	{name: "admin route with a badly signed token is bad_jwt", run: func(h *harness) {
		// The service key's header and claims with a signature the server did
		// not make (for an opaque key, a token that is no JWT at all).
		key := h.target.serviceKey
		forged := key[:strings.LastIndex(key, ".")+1] + "c2lnbmF0dXJlLW5vdC1ieS10aGUtc2VydmVy"
		res := h.raw(http.MethodGet, "/admin/users", "", map[string]*string{"Authorization": ptr("Bearer " + forged)})
		h.wantWire(res, 403, "bad_jwt")
	}},

	{name: "unknown route is 404", run: func(h *harness) {
		if res := h.raw(http.MethodGet, "/no-such-route", "", nil); res.status != http.StatusNotFound {
			h.t.Errorf("status = %d, want 404", res.status)
		}
	}},

	{name: "delete removes the account", run: func(h *harness) {
		email := h.email("delete")
		u, pw := h.createUser(email, userSpec{confirmed: true})
		if err := h.client.DeleteUser(h.t.Context(), u.ID); err != nil {
			h.t.Fatalf("DeleteUser: %v", err)
		}
		_, err := h.client.GetUserByID(h.t.Context(), u.ID)
		h.wantError(err, 404, "user_not_found")
		_, err = h.client.SignIn(h.t.Context(), email, pw)
		h.wantError(err, 400, "invalid_credentials")
	}},

	{name: "find by email reaches beyond the first 50 matches and ignores case", run: func(h *harness) {
		// Every decoy's address contains the wanted one, so the filter
		// matches all of them; the wanted account is the oldest, so the
		// newest-first listing puts it after the first 50.
		want := h.email("find")
		u, _ := h.createUser(want, userSpec{})
		const decoys = 55
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i := range decoys {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				d, err := h.client.CreateUser(h.t.Context(), gotrue.CreateUserParams{Email: fmt.Sprintf("%02d%s", i, want)})
				if err != nil {
					h.t.Errorf("decoy %d: %v", i, err)
					return
				}
				h.cleanup(d.ID)
			})
		}
		wg.Wait()
		if h.t.Failed() {
			return
		}
		first := h.raw(http.MethodGet, "/admin/users?filter="+want+"&per_page=50&page=1", "", h.admin())
		if strings.Contains(string(first.body), u.ID) {
			h.t.Fatal("the wanted account is on the first page: the case proves nothing")
		}
		for _, asked := range []string{want, strings.ToUpper(want), "Find" + strings.TrimPrefix(want, "find")} {
			got, err := h.client.FindUserByEmail(h.t.Context(), asked)
			if err != nil || got.ID != u.ID {
				h.t.Errorf("FindUserByEmail(%s) = %q, %v, want %s", asked, got.ID, err, u.ID)
			}
		}
	}},

	{name: "find by email of an unknown address is not found", run: func(h *harness) {
		_, err := h.client.FindUserByEmail(h.t.Context(), h.email("nobody"))
		if !errors.Is(err, apperr.ErrNotFound) {
			h.t.Errorf("FindUserByEmail(unknown) = %v, want apperr.ErrNotFound", err)
		}
	}},
}
