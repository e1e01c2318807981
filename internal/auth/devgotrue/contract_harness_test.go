package devgotrue_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	gotruego "github.com/supabase-community/gotrue-go"
	"github.com/supabase-community/gotrue-go/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/testdb"
)

// target is a GoTrue the contract runs against.
type target struct {
	url         string
	anonKey     string
	serviceKey  string
	autoconfirm bool
	// real is a GoTrue from GOTRUE_TEST_URL, not the dev server: its own
	// rate limits and mail settings can refuse a case, which then skips.
	real bool
	// gateway: the URL goes through Supabase's API gateway (…/auth/v1).
	gateway bool
	// signupDisabled: the server refuses /signup (disable_signup), so the
	// cases that need it skip.
	signupDisabled bool
	// emailDomain is the domain of every address the cases make up.
	emailDomain string
	// dev is the dev server behind url, whose mailbox the cases can read;
	// nil for a real GoTrue.
	dev *devgotrue.Server
	// devPool is the dev server's database, for what no endpoint does
	// (making a link old).
	devPool *pgxpool.Pool
}

// defaultEmailDomain is the domain of made-up addresses unless
// GOTRUE_TEST_EMAIL_DOMAIN says otherwise (a server that checks MX records
// refuses example.com, which has none).
const defaultEmailDomain = "example.com"

// startDev starts a dev server on a fresh database and a free loopback port.
func startDev(t *testing.T, opts devgotrue.Options) (target, *devgotrue.Server) {
	t.Helper()
	if opts.PasswordHashCost == 0 {
		opts.PasswordHashCost = bcrypt.MinCost
	}
	pool := testdb.New(t)
	srv, err := devgotrue.New(t.Context(), pool, opts)
	if err != nil {
		t.Fatalf("devgotrue.New: %v", err)
	}
	url, stop, err := srv.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return target{
		url: url, anonKey: srv.AnonKey(), serviceKey: srv.ServiceRoleKey(),
		autoconfirm: opts.Autoconfirm, emailDomain: defaultEmailDomain, dev: srv, devPool: pool,
	}, srv
}

// realTarget reads the real GoTrue to test from the environment:
// GOTRUE_TEST_URL (GoTrue itself, or https://<ref>.supabase.co/auth/v1),
// GOTRUE_TEST_ANON_KEY, GOTRUE_TEST_SERVICE_ROLE_KEY and, optionally,
// GOTRUE_TEST_EMAIL_DOMAIN. What changes its answers is read from its
// GET /settings, never assumed.
func realTarget(t *testing.T) (target, bool) {
	tg := target{
		url:         strings.TrimRight(os.Getenv("GOTRUE_TEST_URL"), "/"),
		anonKey:     os.Getenv("GOTRUE_TEST_ANON_KEY"),
		serviceKey:  os.Getenv("GOTRUE_TEST_SERVICE_ROLE_KEY"),
		emailDomain: os.Getenv("GOTRUE_TEST_EMAIL_DOMAIN"),
		real:        true,
	}
	if tg.url == "" || tg.anonKey == "" || tg.serviceKey == "" {
		return tg, false
	}
	if tg.emailDomain == "" {
		tg.emailDomain = defaultEmailDomain
	}
	tg.gateway = strings.Contains(tg.url, "/auth/v1")
	h := newHarness(t, tg)
	res := h.raw(http.MethodGet, "/settings", "", nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET /settings = %d %s", res.status, res.body)
	}
	var settings struct {
		External struct {
			Email bool `json:"email"`
		} `json:"external"`
		DisableSignup     bool `json:"disable_signup"`
		MailerAutoconfirm bool `json:"mailer_autoconfirm"`
	}
	if err := json.Unmarshal(res.body, &settings); err != nil {
		t.Fatalf("GET /settings: %v", err)
	}
	if !settings.External.Email {
		t.Fatalf("the server has email logins disabled (GET /settings: external.email is false): the console signs in by email")
	}
	tg.autoconfirm = settings.MailerAutoconfirm
	tg.signupDisabled = settings.DisableSignup
	return tg, true
}

// harness is one case's view of a target: the adapter and the raw gotrue-go
// client, both through a recorder that keeps the last answer so the case
// can check the wire (status, headers, body) behind what the client returns.
type harness struct {
	t      *testing.T
	target target
	rec    *recorder
	client *gotrue.Client
	lib    gotruego.Client
	run    string // makes this case's emails unique on a shared server
}

func newHarness(t *testing.T, tg target) *harness {
	rec := &recorder{next: http.DefaultTransport}
	return &harness{
		t:      t,
		target: tg,
		rec:    rec,
		client: gotrue.New(gotrue.Config{
			URL: tg.url, AnonKey: tg.anonKey, ServiceRoleKey: tg.serviceKey,
			HTTPClient: &http.Client{Transport: rec, Timeout: callTimeout},
		}),
		lib: gotruego.New("", tg.anonKey).WithCustomGoTrueURL(tg.url).WithClient(http.Client{Transport: rec, Timeout: callTimeout}),
		run: randomHex(6),
	}
}

// callTimeout bounds one request to a target.
const callTimeout = 30 * time.Second

// email is a fresh lower-case address for this case.
func (h *harness) email(label string) string {
	return label + "-" + h.run + "@" + h.target.emailDomain
}

// password is a fresh password with every kind of character, so that a
// server requiring some (GOTRUE_PASSWORD_REQUIRED_CHARACTERS) takes it.
func (h *harness) password() string { return "Pw-a" + randomHex(8) + "!9" }

// skipIfLimited skips the case when a real server's own rate limit refused
// a request (429): a setting of that server, not a breach of the contract.
func (h *harness) skipIfLimited(status int, detail string) {
	h.t.Helper()
	if h.target.real && status == http.StatusTooManyRequests {
		h.t.Skipf("the server's rate limit refused a request (%s); run the contract again later", detail)
	}
}

// skipIfRefused is skipIfLimited for an error from the adapter or gotrue-go.
func (h *harness) skipIfRefused(err error) {
	h.t.Helper()
	var e *gotrue.Error
	if errors.As(gotrue.ParseError(err), &e) {
		h.skipIfLimited(e.Status, e.Code)
	}
}

// skipIfNoMail skips a case whose request sends e-mail (an invitation, a
// signup's confirmation) when a real server cannot send it: its mailer
// only sends to the project's team (email_address_not_authorized), finds
// the address undeliverable (email_address_invalid; set
// GOTRUE_TEST_EMAIL_DOMAIN), has used up its e-mail rate limit, or its SMTP
// server failed.
func (h *harness) skipIfNoMail(err error) {
	h.t.Helper()
	var e *gotrue.Error
	if !h.target.real || !errors.As(gotrue.ParseError(err), &e) {
		return
	}
	switch {
	case e.Code == "email_address_not_authorized", e.Code == "email_address_invalid",
		e.Code == "over_email_send_rate_limit":
		h.t.Skipf("the server cannot send e-mail to %s addresses (%s: %s)", h.target.emailDomain, e.Code, e.Message)
	case e.Status >= 500 && strings.Contains(strings.ToLower(e.Message), "email"):
		h.t.Skipf("the server failed to send e-mail (%d: %s); check its SMTP settings", e.Status, e.Message)
	}
	h.skipIfLimited(e.Status, e.Code)
}

// needSignup skips a case that uses /signup on a server that disables it.
func (h *harness) needSignup() {
	h.t.Helper()
	if h.target.signupDisabled {
		h.t.Skip("the server disables /signup (disable_signup)")
	}
}

// signup calls /signup through gotrue-go, skipping the case when a real
// server's rate limit or mailer refuses, and deletes what it made when the
// case ends.
func (h *harness) signup(email, password string) (*types.SignupResponse, error) {
	h.t.Helper()
	h.needSignup()
	res, err := h.lib.Signup(types.SignupRequest{Email: email, Password: password})
	if err != nil {
		h.skipIfNoMail(err)
		return nil, err
	}
	if id := res.User.ID; id != uuid.Nil {
		h.cleanup(id.String())
	}
	return res, nil
}

// invite invites email, skipping the case when a real server cannot send
// the invitation, and deletes the account when the case ends.
func (h *harness) invite(email string, data map[string]any) (gotrue.User, error) {
	h.t.Helper()
	u, err := h.client.Invite(h.t.Context(), email, data, "")
	if err != nil {
		h.skipIfNoMail(err)
		return u, err
	}
	h.cleanup(u.ID)
	return u, nil
}

type userSpec struct {
	confirmed bool
	password  string // empty: a random one is made and returned
	metadata  map[string]any
}

// createUser makes an account through the adapter and deletes it when the
// case ends, so a real GoTrue is left as it was found.
func (h *harness) createUser(email string, spec userSpec) (gotrue.User, string) {
	h.t.Helper()
	if spec.password == "" {
		spec.password = h.password()
	}
	u, err := h.client.CreateUser(h.t.Context(), gotrue.CreateUserParams{
		Email: email, Password: spec.password, EmailConfirm: spec.confirmed, Metadata: spec.metadata,
	})
	if err != nil {
		h.skipIfRefused(err)
		h.t.Fatalf("CreateUser(%s): %v", email, err)
	}
	h.cleanup(u.ID)
	return u, spec.password
}

func (h *harness) cleanup(id string) {
	h.t.Cleanup(func() { _ = h.client.DeleteUser(context.Background(), id) })
}

// cleanupIfMade deletes, when the case ends, an account a request that was
// meant to fail made all the same.
func (h *harness) cleanupIfMade(u gotrue.User, err error) {
	if err == nil && u.ID != "" {
		h.cleanup(u.ID)
	}
}

func (h *harness) signIn(email, password string) gotrue.Session {
	h.t.Helper()
	s, err := h.client.SignIn(h.t.Context(), email, password)
	if err != nil {
		h.skipIfRefused(err)
		h.t.Fatalf("SignIn(%s): %v", email, err)
	}
	return s
}

// wantError checks both what the adapter made of the answer and the
// answer itself: status, error_code in the body and in X-Sb-Error-Code,
// and the default body shape {"code":<status>,"error_code":…,"msg":…}.
func (h *harness) wantError(err error, status int, code string) {
	h.t.Helper()
	var e *gotrue.Error
	if !errors.As(err, &e) {
		h.t.Fatalf("error = %v (%T), want *gotrue.Error %d %s", err, err, status, code)
	}
	if status != http.StatusTooManyRequests {
		h.skipIfLimited(e.Status, e.Code)
	}
	if e.Status != status || e.Code != code {
		h.t.Errorf("error = %d %q, want %d %q (%v)", e.Status, e.Code, status, code, err)
	}
	wantWireError(h.t, h.rec.last(), status, code)
}

// response is one answer as it came over the wire.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// wantWire is wantWireError for a case, skipping it when a real server's
// rate limit answered instead.
func (h *harness) wantWire(r response, status int, code string) {
	h.t.Helper()
	if status != http.StatusTooManyRequests {
		h.skipIfLimited(r.status, r.header.Get("X-Sb-Error-Code"))
	}
	wantWireError(h.t, r, status, code)
}

func wantWireError(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("wire status = %d, want %d (%s)", r.status, status, r.body)
	}
	if got := r.header.Get("X-Sb-Error-Code"); got != code {
		t.Errorf("X-Sb-Error-Code = %q, want %q", got, code)
	}
	b := r.json(t)
	if got, _ := b["code"].(float64); int(got) != status {
		t.Errorf(`body "code" = %v, want the number %d (%s)`, b["code"], status, r.body)
	}
	if got := b["error_code"]; got != code {
		t.Errorf(`body "error_code" = %v, want %q (%s)`, got, code, r.body)
	}
	if msg, _ := b["msg"].(string); msg == "" {
		t.Errorf(`body "msg" missing (%s)`, r.body)
	}
}

// wantWireErrorV2 checks the shape asked for by X-Supabase-Api-Version:
// 2024-01-01, {"code":"<error_code>","message":…}.
func wantWireErrorV2(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("wire status = %d, want %d (%s)", r.status, status, r.body)
	}
	b := r.json(t)
	if got := b["code"]; got != code {
		t.Errorf(`body "code" = %v, want %q (%s)`, got, code, r.body)
	}
	if msg, _ := b["message"].(string); msg == "" {
		t.Errorf(`body "message" missing (%s)`, r.body)
	}
	for _, k := range []string{"error_code", "msg"} {
		if _, ok := b[k]; ok {
			t.Errorf("body has %q, which the 2024-01-01 shape does not (%s)", k, r.body)
		}
	}
}

// raw sends a request the client cannot express. headers may override the
// default apikey; a nil value removes a header.
func (h *harness) raw(method, path, body string, headers map[string]*string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(h.t.Context(), method, h.target.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("apikey", h.target.anonKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == nil {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, *v)
	}
	res, err := (&http.Client{Timeout: callTimeout}).Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// admin is raw's headers for a service-role call, sent as the adapter
// sends them: the key as apikey and, when it is a JWT, as the bearer (for
// Supabase's opaque sb_secret_ keys the gateway sets the bearer).
func (h *harness) admin() map[string]*string {
	headers := map[string]*string{"apikey": ptr(h.target.serviceKey)}
	if !isOpaqueKey(h.target.serviceKey) {
		headers["Authorization"] = ptr("Bearer " + h.target.serviceKey)
	}
	return headers
}

// isOpaqueKey reports whether key is one of Supabase's keys that are not
// JWTs (sb_secret_…, sb_publishable_…).
func isOpaqueKey(key string) bool {
	return strings.HasPrefix(key, "sb_secret_") || strings.HasPrefix(key, "sb_publishable_")
}

func ptr[T any](v T) *T { return &v }

// recorder keeps the last answer that went through it.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	resp response
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.resp = response{status: res.StatusCode, header: res.Header.Clone(), body: body}
	r.mu.Unlock()
	return res, nil
}

func (r *recorder) last() response {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resp
}

// jwtClaims reads a token's payload without checking it: the contract
// checks what GoTrue puts in, not the signature.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode JWT payload: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return c
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
