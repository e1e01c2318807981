package gotrue

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tenant-console/console/internal/apperr"
)

// seen is one request as the fake GoTrue received it.
type seen struct {
	method, path string
	query        map[string]string
	apikey, auth string
	body         string
}

// fakeGoTrue records every request and answers with answer.
type fakeGoTrue struct {
	mu       sync.Mutex
	requests []seen
	answer   http.HandlerFunc
}

func newFake(t *testing.T, prefix string, answer http.HandlerFunc) (*fakeGoTrue, string) {
	t.Helper()
	f := &fakeGoTrue{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		q := map[string]string{}
		for k := range r.URL.Query() {
			q[k] = r.URL.Query().Get(k)
		}
		f.mu.Lock()
		f.requests = append(f.requests, seen{
			method: r.Method, path: strings.TrimPrefix(r.URL.Path, prefix), query: q,
			apikey: r.Header.Get("apikey"), auth: r.Header.Get("Authorization"), body: string(b),
		})
		f.mu.Unlock()
		f.answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL + prefix
}

func (f *fakeGoTrue) last() seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

func (f *fakeGoTrue) all() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.requests...)
}

const userJSON = `{"id":"0b0f5a3e-8a4c-4a7e-9d59-3f0d5b0e0c11","aud":"authenticated","role":"authenticated",` +
	`"email":"ada@example.com","email_confirmed_at":"2026-01-02T03:04:05.123456Z","phone":"",` +
	`"confirmed_at":"2026-01-02T03:04:05.123456Z","app_metadata":{"provider":"email","providers":["email"]},` +
	`"user_metadata":{"full_name":"Ada","email_verified":true},"identities":[{"identity_id":"5c3b6d0e-2f4a-4b8c-9e1d-7a6f5e4d3c2b",` +
	`"id":"0b0f5a3e-8a4c-4a7e-9d59-3f0d5b0e0c11","user_id":"0b0f5a3e-8a4c-4a7e-9d59-3f0d5b0e0c11",` +
	`"identity_data":{"email":"ada@example.com","email_verified":false,"phone_verified":false,` +
	`"sub":"0b0f5a3e-8a4c-4a7e-9d59-3f0d5b0e0c11"},"provider":"email","last_sign_in_at":null,` +
	`"created_at":"2026-01-02T03:04:05.123456Z","updated_at":"2026-01-02T03:04:05.123456Z","email":"ada@example.com"}],` +
	`"created_at":"2026-01-02T03:04:05.123456Z","updated_at":"2026-01-02T03:04:05.123456Z",` +
	`"banned_until":null,"invited_at":null,"deleted_at":null,"is_anonymous":false,"banned_reason":null}`

// answerLikeGoTrue answers every endpoint the console uses with a success.
func answerLikeGoTrue(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/token"):
		fmt.Fprint(w, `{"access_token":"at","token_type":"bearer","expires_in":3600,"expires_at":1,"refresh_token":"rt","user":`+userJSON+`}`)
	case strings.HasSuffix(p, "/logout"):
		w.WriteHeader(http.StatusNoContent)
	case strings.HasSuffix(p, "/health"):
		fmt.Fprint(w, `{"version":"v2.196.0","name":"GoTrue","description":"GoTrue is a user registration and authentication API"}`)
	case strings.HasSuffix(p, "/admin/users") && r.Method == http.MethodGet:
		w.Header().Set("X-Total-Count", "1")
		fmt.Fprint(w, `{"users":[`+userJSON+`],"aud":"authenticated"}`)
	case r.Method == http.MethodDelete:
		fmt.Fprint(w, `{}`)
	default:
		fmt.Fprint(w, userJSON)
	}
}

func TestEveryCallSendsTheRightKeys(t *testing.T) {
	t.Parallel()
	// Behind Supabase's gateway every request needs an apikey; admin calls
	// carry the service role key as apikey and bearer, the others the anon key.
	for _, prefix := range []string{"", "/auth/v1"} {
		f, url := newFake(t, prefix, answerLikeGoTrue)
		c := New(Config{URL: url + "/", AnonKey: "anon", ServiceRoleKey: "svc"})
		ctx := t.Context()
		id := "0b0f5a3e-8a4c-4a7e-9d59-3f0d5b0e0c11"
		type check struct {
			name, method, path, apikey, auth string
			run                              func() error
		}
		checks := []check{
			{"sign in", "POST", "/token", "anon", "", func() error { _, err := c.SignIn(ctx, "ada@example.com", "pw"); return err }},
			{"empty password", "POST", "/token", "anon", "", func() error { _, err := c.SignIn(ctx, "ada@example.com", ""); return err }},
			{"refresh", "POST", "/token", "anon", "", func() error { _, err := c.Refresh(ctx, "rt"); return err }},
			{"get user", "GET", "/user", "anon", "Bearer at", func() error { _, err := c.GetUser(ctx, "at"); return err }},
			{"sign out", "POST", "/logout", "anon", "Bearer at", func() error { return c.SignOut(ctx, "at") }},
			{"health", "GET", "/health", "anon", "", func() error { return c.Health(ctx) }},
			{"create", "POST", "/admin/users", "svc", "Bearer svc", func() error {
				_, err := c.CreateUser(ctx, CreateUserParams{Email: "ada@example.com", Password: "pw-123456"})
				return err
			}},
			{"invite", "POST", "/invite", "svc", "Bearer svc", func() error { _, err := c.Invite(ctx, "ada@example.com", nil, ""); return err }},
			{"get by id", "GET", "/admin/users/" + id, "svc", "Bearer svc", func() error { _, err := c.GetUserByID(ctx, id); return err }},
			{"ban", "PUT", "/admin/users/" + id, "svc", "Bearer svc", func() error { _, err := c.BanUser(ctx, id, time.Hour); return err }},
			{"delete", "DELETE", "/admin/users/" + id, "svc", "Bearer svc", func() error { return c.DeleteUser(ctx, id) }},
			{"find", "GET", "/admin/users", "svc", "Bearer svc", func() error { _, err := c.FindUserByEmail(ctx, "ada@example.com"); return err }},
		}
		for _, ch := range checks {
			if err := ch.run(); err != nil {
				t.Errorf("%s (prefix %q): %v", ch.name, prefix, err)
				continue
			}
			got := f.last()
			if got.method != ch.method || got.path != ch.path || got.apikey != ch.apikey || got.auth != ch.auth {
				t.Errorf("%s (prefix %q): sent %s %s apikey=%q auth=%q, want %s %s apikey=%q auth=%q", ch.name, prefix,
					got.method, got.path, got.apikey, got.auth, ch.method, ch.path, ch.apikey, ch.auth)
			}
		}
	}
}

func TestSignOutEndsOnlyThisSession(t *testing.T) {
	t.Parallel()
	f, url := newFake(t, "", answerLikeGoTrue)
	if err := New(Config{URL: url, AnonKey: "anon"}).SignOut(t.Context(), "at"); err != nil {
		t.Fatal(err)
	}
	if got := f.last().query["scope"]; got != "local" {
		t.Errorf("logout scope = %q, want local", got)
	}
}

func TestSignInWithEmptyPasswordAsksGoTrue(t *testing.T) {
	t.Parallel()
	// A banned account hears user_banned whatever the password, an empty one
	// too: only GoTrue knows, so the adapter asks instead of guessing.
	f, url := newFake(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Sb-Error-Code", "user_banned")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":400,"error_code":"user_banned","msg":"User is banned"}`)
	})
	_, err := New(Config{URL: url, AnonKey: "anon"}).SignIn(t.Context(), "ada@example.com", "")
	if !HasCode(err, "user_banned") {
		t.Fatalf("SignIn(empty password) = %v, want user_banned", err)
	}
	got := f.last()
	if got.query["grant_type"] != "password" {
		t.Errorf("grant_type = %q", got.query["grant_type"])
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(got.body), &body); err != nil || body["email"] != "ada@example.com" {
		t.Errorf("body = %s (%v), want the email as JSON", got.body, err)
	}
}

func TestErrorCodeHeaderIsAuthoritative(t *testing.T) {
	t.Parallel()
	// A trigger on auth.users that raises: GoTrue answers the Postgres
	// error's own body, but its error code header still says what happened.
	_, url := newFake(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Sb-Error-Code", "unexpected_failure")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"code":"P0001","message":"tenant quota exceeded"}`)
	})
	c := New(Config{URL: url, AnonKey: "anon", ServiceRoleKey: "svc"})
	_, lib := c.CreateUser(t.Context(), CreateUserParams{Email: "ada@example.com"})
	_, direct := c.FindUserByEmail(t.Context(), "ada@example.com")
	for name, err := range map[string]error{"library call": lib, "direct call": direct} {
		var e *Error
		if !errors.As(err, &e) || e.Code != "unexpected_failure" || e.Message != "tenant quota exceeded" {
			t.Errorf("%s: %#v, want unexpected_failure with the database's message", name, e)
		}
		if !errors.Is(err, apperr.ErrUpstream) || errors.Is(err, apperr.ErrUnavailable) {
			t.Errorf("%s: a 500 does not read as GoTrue's own failure", name)
		}
	}
}

func TestWeakPasswordInTheNewShapeKeepsItsCode(t *testing.T) {
	t.Parallel()
	// GoTrue sends no X-Sb-Error-Code with weak_password in the 2024-01-01 shape.
	_, url := newFake(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"code":"weak_password","message":"Password is known to be weak","weak_password":{"reasons":["pwned"]}}`)
	})
	_, err := New(Config{URL: url, ServiceRoleKey: "svc"}).CreateUser(t.Context(), CreateUserParams{Email: "a@example.com", Password: "password"})
	var e *Error
	if !errors.As(err, &e) || e.Code != "weak_password" || len(e.Reasons) != 1 || e.Reasons[0] != "pwned" {
		t.Fatalf("CreateUser() = %v, want weak_password with reasons [pwned]", err)
	}
}

func TestGatewayRefusalHasNoCode(t *testing.T) {
	t.Parallel()
	_, url := newFake(t, "/auth/v1", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Invalid API key","hint":"Double check your Supabase anon or service_role API key."}`)
	})
	_, err := New(Config{URL: url, AnonKey: "wrong"}).SignIn(t.Context(), "ada@example.com", "pw")
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusUnauthorized || e.Code != "" || e.Message != "Invalid API key" {
		t.Fatalf("SignIn() = %v, want a 401 without a code", err)
	}
}

func TestSuccessWithAForeignBodyIsUnavailable(t *testing.T) {
	t.Parallel()
	// A URL that reaches a web site instead of GoTrue: 200 with HTML.
	_, url := newFake(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><title>Welcome</title>")
	})
	c := New(Config{URL: url, AnonKey: "anon", ServiceRoleKey: "svc"})
	_, lib := c.SignIn(t.Context(), "ada@example.com", "pw")
	_, direct := c.FindUserByEmail(t.Context(), "ada@example.com")
	for name, err := range map[string]error{"library call": lib, "direct call": direct} {
		var be *BadResponseError
		if !errors.As(err, &be) || be.Status != http.StatusOK || !errors.Is(err, apperr.ErrUnavailable) {
			t.Errorf("%s: %v, want an unavailable *BadResponseError", name, err)
		}
	}
}

func TestUserDecodesEveryFieldGoTrueSends(t *testing.T) {
	t.Parallel()
	_, url := newFake(t, "", answerLikeGoTrue)
	u, err := New(Config{URL: url, ServiceRoleKey: "svc"}).GetUserByID(t.Context(), "0b0f5a3e-8a4c-4a7e-9d59-3f0d5b0e0c11")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	if u.ID != "0b0f5a3e-8a4c-4a7e-9d59-3f0d5b0e0c11" || u.Email != "ada@example.com" || !u.Confirmed() ||
		!u.EmailConfirmedAt.Equal(want) || u.BannedUntil != nil || u.InvitedAt != nil || u.UserMetadata["full_name"] != "Ada" {
		t.Errorf("user = %+v", u)
	}
}

// listServer is a fake GET /admin/users over stored emails with GoTrue's
// filter (email LIKE '%filter%', case-sensitive), newest first.
func listServer(t *testing.T, emails []string, totalHeader bool, capPerPage int) (*fakeGoTrue, string) {
	t.Helper()
	return newFake(t, "", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("page"))
		perPage, _ := strconv.Atoi(q.Get("per_page"))
		if capPerPage > 0 && perPage > capPerPage {
			perPage = capPerPage
		}
		var match []string
		for _, e := range emails {
			if strings.Contains(e, q.Get("filter")) {
				match = append(match, e)
			}
		}
		from, to := min((page-1)*perPage, len(match)), min(page*perPage, len(match))
		users := make([]string, 0, to-from)
		for _, e := range match[from:to] {
			users = append(users, fmt.Sprintf(`{"id":%q,"email":%q,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z","identities":null}`,
				uuid.NewSHA1(uuid.NameSpaceURL, []byte(e)), e))
		}
		if totalHeader {
			w.Header().Set("X-Total-Count", strconv.Itoa(len(match)))
		}
		fmt.Fprintf(w, `{"users":[%s],"aud":"authenticated"}`, strings.Join(users, ","))
	})
}

func TestFindUserByEmail(t *testing.T) {
	t.Parallel()
	decoys := func(n int, suffix string) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%03d%s", i, suffix))
		}
		return out
	}
	tests := []struct {
		name        string
		stored      []string
		total       bool
		capPerPage  int
		ask         string
		found       string // "" for not found
		wantFilters []string
	}{
		{
			name: "lower-cased address first", stored: []string{"ada@example.com"}, total: true,
			ask: "Ada@Example.COM", found: "ada@example.com", wantFilters: []string{"ada@example.com"},
		},
		{
			name: "address as typed for an account stored in mixed case", stored: []string{"Bob@Acme.dev"}, total: true,
			ask: "Bob@Acme.dev", found: "Bob@Acme.dev", wantFilters: []string{"bob@acme.dev", "Bob@Acme.dev"},
		},
		{
			name: "beyond the first page", stored: append(decoys(120, "x@acme.dev"), "x@acme.dev"), total: true,
			ask: "x@acme.dev", found: "x@acme.dev",
			wantFilters: []string{"x@acme.dev", "x@acme.dev", "x@acme.dev"},
		},
		{
			name: "X-Total-Count stops after a full last page", stored: decoys(50, "y@acme.dev"), total: true,
			ask: "y@acme.dev", wantFilters: []string{"y@acme.dev"},
		},
		{
			name: "without X-Total-Count a short page stops", stored: decoys(60, "y@acme.dev"),
			ask: "y@acme.dev", wantFilters: []string{"y@acme.dev", "y@acme.dev"},
		},
		{
			name: "a server that pages by less than asked is read to the end", stored: append(decoys(45, "z@acme.dev"), "z@acme.dev"),
			total: true, capPerPage: 20, ask: "z@acme.dev", found: "z@acme.dev",
			wantFilters: []string{"z@acme.dev", "z@acme.dev", "z@acme.dev"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, url := listServer(t, tt.stored, tt.total, tt.capPerPage)
			u, err := New(Config{URL: url, ServiceRoleKey: "svc"}).FindUserByEmail(t.Context(), tt.ask)
			switch {
			case tt.found == "" && !errors.Is(err, apperr.ErrNotFound):
				t.Errorf("FindUserByEmail(%q) = %q, %v, want not found", tt.ask, u.Email, err)
			case tt.found != "" && (err != nil || u.Email != tt.found):
				t.Errorf("FindUserByEmail(%q) = %q, %v, want %q", tt.ask, u.Email, err, tt.found)
			}
			var filters []string
			for i, r := range f.all() {
				filters = append(filters, r.query["filter"])
				if r.query["per_page"] != "50" || r.query["page"] == "" {
					t.Errorf("request %d: page=%q per_page=%q, want both (offset paging)", i, r.query["page"], r.query["per_page"])
				}
			}
			if strings.Join(filters, " ") != strings.Join(tt.wantFilters, " ") {
				t.Errorf("filters asked = %q, want %q", filters, tt.wantFilters)
			}
		})
	}
}

func TestZeroTimeoutMeansTheDefault(t *testing.T) {
	t.Parallel()
	if c := New(Config{HTTPClient: &http.Client{}}); c.timeout != DefaultTimeout {
		t.Errorf("timeout = %v, want %v", c.timeout, DefaultTimeout)
	}
	if c := New(Config{HTTPClient: &http.Client{Timeout: time.Second}}); c.timeout != time.Second {
		t.Errorf("timeout = %v, want 1s", c.timeout)
	}
}

func TestOpaqueSupabaseKeysGoOnlyInTheAPIKeyHeader(t *testing.T) {
	t.Parallel()
	// sb_secret_… is no JWT: Supabase's gateway mints the service_role JWT
	// for it, so sending it as the bearer would only reach GoTrue unreadable.
	f, url := newFake(t, "/auth/v1", answerLikeGoTrue)
	c := New(Config{URL: url, AnonKey: "sb_publishable_x", ServiceRoleKey: "sb_secret_y"})
	if _, err := c.Invite(t.Context(), "ada@example.com", nil, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.last(); got.apikey != "sb_secret_y" || got.auth != "" {
		t.Errorf("invite sent apikey=%q auth=%q, want the secret key as apikey only", got.apikey, got.auth)
	}
	if _, err := c.FindUserByEmail(t.Context(), "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := f.last(); got.apikey != "sb_secret_y" || got.auth != "" {
		t.Errorf("list sent apikey=%q auth=%q, want the secret key as apikey only", got.apikey, got.auth)
	}
	if _, err := c.GetUser(t.Context(), "user-jwt"); err != nil {
		t.Fatal(err)
	}
	if got := f.last(); got.apikey != "sb_publishable_x" || got.auth != "Bearer user-jwt" {
		t.Errorf("get user sent apikey=%q auth=%q", got.apikey, got.auth)
	}
}
