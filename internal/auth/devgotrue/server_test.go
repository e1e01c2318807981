package devgotrue_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/testdb"
)

// clock is a settable time source for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// serve mounts the server's Handler on an httptest server, the way a host
// process can embed it without Start.
func serve(t *testing.T, srv *devgotrue.Server) *gotrue.Client {
	t.Helper()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return gotrue.New(gotrue.Config{URL: ts.URL, AnonKey: srv.AnonKey(), ServiceRoleKey: srv.ServiceRoleKey()})
}

func TestKeysAndTokensSurviveARestart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := testdb.New(t)
	opts := devgotrue.Options{PasswordHashCost: bcrypt.MinCost}

	first, err := devgotrue.New(ctx, pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := serve(t, first)
	if _, err := c.CreateUser(ctx, gotrue.CreateUserParams{Email: "ada@example.com", Password: "pw-123456", EmailConfirm: true}); err != nil {
		t.Fatal(err)
	}
	s, err := c.SignIn(ctx, "ada@example.com", "pw-123456")
	if err != nil {
		t.Fatal(err)
	}

	second, err := devgotrue.New(ctx, pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	if second.AnonKey() != first.AnonKey() || second.ServiceRoleKey() != first.ServiceRoleKey() {
		t.Error("the API keys changed across a restart")
	}
	if _, err := serve(t, second).GetUser(ctx, s.AccessToken); err != nil {
		t.Errorf("a token from before the restart is refused: %v", err)
	}
}

func TestServersStartingTogetherShareOneSchema(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	keys := make([]string, 4)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			srv, err := devgotrue.New(t.Context(), pool, devgotrue.Options{})
			if err != nil {
				t.Errorf("New: %v", err)
				return
			}
			keys[i] = srv.ServiceRoleKey()
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if k != keys[0] {
			t.Fatal("servers started together made different secrets")
		}
	}
}

func TestTokenRateLimitAnswersLikeGoTrue(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	srv, err := devgotrue.New(t.Context(), testdb.New(t), devgotrue.Options{
		PasswordHashCost: bcrypt.MinCost,
		TokenRateLimit:   devgotrue.RateLimit{Requests: 2, Window: time.Minute},
		Now:              clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := serve(t, srv)
	ctx := t.Context()
	for range 2 {
		if _, err := c.SignIn(ctx, "nobody@example.com", "pw-123456"); !gotrue.HasCode(err, "invalid_credentials") {
			t.Fatalf("within the limit: %v", err)
		}
	}
	_, err = c.SignIn(ctx, "nobody@example.com", "pw-123456")
	if !gotrue.HasCode(err, "over_request_rate_limit") {
		t.Fatalf("over the limit: %v, want over_request_rate_limit", err)
	}
	var e *gotrue.Error
	if !errors.As(err, &e) || e.Status != http.StatusTooManyRequests {
		t.Errorf("over the limit: %v, want status 429", err)
	}
	clk.Advance(time.Minute)
	if _, err := c.SignIn(ctx, "nobody@example.com", "pw-123456"); !gotrue.HasCode(err, "invalid_credentials") {
		t.Errorf("after the window: %v", err)
	}
}

func TestExpiredAccessTokenIsBadJWT(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	srv, err := devgotrue.New(t.Context(), testdb.New(t), devgotrue.Options{
		PasswordHashCost: bcrypt.MinCost, AccessTokenTTL: time.Minute, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := serve(t, srv)
	ctx := t.Context()
	if _, err := c.CreateUser(ctx, gotrue.CreateUserParams{Email: "bo@example.com", Password: "pw-123456", EmailConfirm: true}); err != nil {
		t.Fatal(err)
	}
	s, err := c.SignIn(ctx, "bo@example.com", "pw-123456")
	if err != nil {
		t.Fatal(err)
	}
	if s.ExpiresIn != 60 {
		t.Errorf("expires_in = %d, want 60", s.ExpiresIn)
	}
	clk.Advance(2 * time.Minute)
	if _, err := c.GetUser(ctx, s.AccessToken); !gotrue.HasCode(err, "bad_jwt") {
		t.Errorf("expired token: %v, want bad_jwt", err)
	}
}

func TestLogsSayDevelopmentOnlyAndHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := devgotrue.New(t.Context(), testdb.New(t), devgotrue.Options{PasswordHashCost: bcrypt.MinCost, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := srv.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	c := gotrue.New(gotrue.Config{URL: url, AnonKey: srv.AnonKey(), ServiceRoleKey: srv.ServiceRoleKey()})
	ctx := t.Context()

	const password = "Sup3r-Secret-pw"
	email := "cy@example.com"
	if _, err := c.CreateUser(ctx, gotrue.CreateUserParams{Email: email, Password: password, EmailConfirm: true}); err != nil {
		t.Fatal(err)
	}
	s, err := c.SignIn(ctx, email, password)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.SignIn(ctx, email, "wrong-"+password)
	_, _ = c.GetUser(ctx, s.AccessToken)
	_, _ = c.FindUserByEmail(ctx, email)

	out := logs.String()
	if !strings.Contains(out, "DEVELOPMENT-ONLY") {
		t.Errorf("no development-only warning in the log:\n%s", out)
	}
	if !strings.Contains(out, "/token") {
		t.Errorf("requests are not logged:\n%s", out)
	}
	for _, secret := range []string{password, s.AccessToken, s.RefreshToken, srv.ServiceRoleKey(), srv.AnonKey(), email} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a secret or an address (%.12s…):\n%s", secret, out)
		}
	}
}

func TestAdminPasswordChangeFollowsPolicyAndEndsSessions(t *testing.T) {
	t.Parallel()
	tg, _ := startDev(t, devgotrue.Options{})
	h := newHarness(t, tg)
	email := h.email("reset")
	u, pw := h.createUser(email, userSpec{confirmed: true, metadata: map[string]any{"full_name": "Old", "team": "a"}})
	s := h.signIn(email, pw)

	res := h.raw(http.MethodPut, "/admin/users/"+u.ID, `{"password":"12345"}`, h.admin())
	wantWireError(t, res, 422, "weak_password")

	res = h.raw(http.MethodPut, "/admin/users/"+u.ID,
		`{"password":"new-password","user_metadata":{"full_name":"New","team":null}}`, h.admin())
	if res.status != http.StatusOK {
		t.Fatalf("PUT = %d %s", res.status, res.body)
	}
	meta, _ := res.json(t)["user_metadata"].(map[string]any)
	if meta["full_name"] != "New" || meta["team"] != nil {
		t.Errorf("user_metadata = %v, want full_name replaced and team removed", meta)
	}
	_, err := h.client.GetUser(t.Context(), s.AccessToken)
	h.wantError(err, 403, "session_not_found")
	h.signIn(email, "new-password")
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSignupChecksInGoTruesOrder(t *testing.T) {
	t.Parallel()
	tg, _ := startDev(t, devgotrue.Options{})
	h := newHarness(t, tg)
	for _, tt := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"password":"pw-123456"}`, 422, "anonymous_provider_disabled"},
		{`{"email":"` + h.email("a") + `","password":""}`, 400, "validation_failed"},
		{`{"email":"` + h.email("b") + `","password":"12345"}`, 422, "weak_password"},
		{`{"email":"` + h.email("c") + `","phone":"+15555550100","password":"pw-123456"}`, 400, "validation_failed"},
		{`{"phone":"+15555550100","password":"pw-123456"}`, 400, "phone_provider_disabled"},
		{`{"email":"not-an-email","password":"pw-123456"}`, 400, "validation_failed"},
	} {
		wantWireError(t, h.raw(http.MethodPost, "/signup", tt.body, nil), tt.status, tt.code)
	}
}

func TestSignupOfAnUnconfirmedAccountResendsAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	tg, _ := startDev(t, devgotrue.Options{Now: clk.Now})
	h := newHarness(t, tg)
	email := h.email("pending")
	u, err := h.client.Invite(t.Context(), email, map[string]any{"tenant": "acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"email":"` + email + `","password":"pw-123456"}`
	res := h.raw(http.MethodPost, "/signup", body, nil)
	wantWireError(t, res, 429, "over_email_send_rate_limit")
	if msg, _ := res.json(t)["msg"].(string); !strings.Contains(msg, "after 60 seconds") {
		t.Errorf("msg = %q", msg)
	}
	clk.Advance(time.Minute)
	res = h.raw(http.MethodPost, "/signup", body, nil)
	if res.status != http.StatusOK {
		t.Fatalf("signup a minute later = %d %s", res.status, res.body)
	}
	// The account itself comes back, but an invited one without its data.
	b := res.json(t)
	meta, _ := b["user_metadata"].(map[string]any)
	ids, _ := b["identities"].([]any)
	if b["id"] != u.ID || len(meta) != 0 || len(ids) != 0 {
		t.Errorf("signup answer = %s, want the invited account without metadata or identities", res.body)
	}
}

func TestSignupMetadataIsTheIdentitysData(t *testing.T) {
	t.Parallel()
	tg, _ := startDev(t, devgotrue.Options{Autoconfirm: true})
	h := newHarness(t, tg)
	res := h.raw(http.MethodPost, "/signup", `{"email":"`+h.email("meta")+`","password":"pw-123456","data":{"full_name":"Ada","sub":"x"}}`, nil)
	if res.status != http.StatusOK {
		t.Fatalf("signup = %d %s", res.status, res.body)
	}
	user, _ := res.json(t)["user"].(map[string]any)
	meta, _ := user["user_metadata"].(map[string]any)
	if meta["full_name"] != "Ada" || meta["sub"] != user["id"] || meta["email_verified"] != true || meta["phone_verified"] != false {
		t.Errorf("user_metadata = %v", meta)
	}
}

func TestWeakPasswordInTheNewShapeHasNoErrorCodeHeader(t *testing.T) {
	t.Parallel()
	tg, _ := startDev(t, devgotrue.Options{})
	h := newHarness(t, tg)
	res := h.raw(http.MethodPost, "/signup", `{"email":"`+h.email("weak")+`","password":"12345"}`,
		map[string]*string{"X-Supabase-Api-Version": ptr("2024-01-01")})
	wantWireErrorV2(t, res, 422, "weak_password")
	if got := res.header.Get("X-Sb-Error-Code"); got != "" {
		t.Errorf("X-Sb-Error-Code = %q, want none (GoTrue's weak-password branch sets none)", got)
	}
	if got := res.header.Get("X-Supabase-Api-Version"); got != "2024-01-01" {
		t.Errorf("X-Supabase-Api-Version = %q, want it echoed", got)
	}
}

func TestTokenReadsTheGrantTypeFromAFormBodyToo(t *testing.T) {
	t.Parallel()
	tg, _ := startDev(t, devgotrue.Options{})
	h := newHarness(t, tg)
	res := h.raw(http.MethodPost, "/token", "grant_type=password&email=a%40example.com&password=x",
		map[string]*string{"Content-Type": ptr("application/x-www-form-urlencoded")})
	wantWireError(t, res, 400, "bad_json")
}
