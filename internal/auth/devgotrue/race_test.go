package devgotrue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// raceServer is a dev server whose database the test reaches too, so it
// can play the concurrent request that takes an address first.
type raceServer struct {
	pool *pgxpool.Pool
	srv  *devgotrue.Server
	url  string
}

func newRaceServer(t *testing.T) raceServer {
	t.Helper()
	pool := testdb.New(t)
	srv, err := devgotrue.New(t.Context(), pool, devgotrue.Options{PasswordHashCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return raceServer{pool: pool, srv: srv, url: ts.URL}
}

// takenMeanwhile runs call while another transaction holds a new,
// uncommitted account for email: call's own look-up finds the address
// free, its insert waits on the unique index, and the other transaction
// commits once that insert is seen waiting. This is the interleaving of
// two concurrent requests for one new address, made deterministic.
func (rs raceServer) takenMeanwhile(t *testing.T, email string, confirmed bool, call func() any) any {
	t.Helper()
	ctx := t.Context()
	other, err := rs.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback(context.Background()) }()
	if _, err := other.Exec(ctx, `INSERT INTO devgotrue.users (id, email, email_confirmed_at, created_at, updated_at)
		VALUES ($1, $2, CASE WHEN $3 THEN now() END, now(), now())`, uuid.New(), email, confirmed); err != nil {
		t.Fatal(err)
	}
	done := make(chan any, 1)
	go func() { done <- call() }()
	waitForLockWaiter(t, rs.pool, other)
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return <-done
}

// waitForLockWaiter returns once a session is blocked on a lock that tx
// holds: the request's insert has reached the unique index.
func waitForLockWaiter(t *testing.T, pool *pgxpool.Pool, tx pgx.Tx) {
	t.Helper()
	var holder int
	if err := tx.QueryRow(t.Context(), `SELECT pg_backend_pid()`).Scan(&holder); err != nil {
		t.Fatal(err)
	}
	for {
		var waiting bool
		err := pool.QueryRow(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE $1 = ANY (pg_blocking_pids(pid)))`, holder).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		select {
		case <-t.Context().Done():
			t.Fatal("the request never reached the insert")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

type wireAnswer struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (rs raceServer) post(path, body string, headers map[string]string) wireAnswer {
	req, err := http.NewRequest(http.MethodPost, rs.url+path, strings.NewReader(body))
	if err != nil {
		return wireAnswer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("apikey", rs.srv.ServiceRoleKey())
	req.Header.Set("Authorization", "Bearer "+rs.srv.ServiceRoleKey())
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return wireAnswer{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return wireAnswer{status: res.StatusCode, header: res.Header, body: b, err: err}
}

// GoTrue checks that an address is free and then inserts; two requests for
// one new address can both pass the check, and the second insert fails on
// the unique index. GoTrue answers that 500 with the Postgres error as the
// body, not 422 email_exists; the dev server must too, or the console's
// handling of it is never exercised.
func TestConcurrentCreateOfOneAddressAnswersAsGoTrueDoes(t *testing.T) {
	t.Parallel()
	rs := newRaceServer(t)
	for _, path := range []string{"/admin/users", "/invite"} {
		t.Run(path, func(t *testing.T) {
			email := "race" + strings.ReplaceAll(path, "/", "-") + "@example.com"
			body := `{"email":"` + email + `","password":"a-long-password","email_confirm":true}`
			got := rs.takenMeanwhile(t, email, true, func() any { return rs.post(path, body, nil) }).(wireAnswer)
			if got.err != nil {
				t.Fatal(got.err)
			}
			if got.status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500: %s", got.status, got.body)
			}
			if code := got.header.Get("X-Sb-Error-Code"); code != "unexpected_failure" {
				t.Errorf("X-Sb-Error-Code %q, want unexpected_failure", code)
			}
			var pg struct{ Code, Message, Detail string }
			if err := json.Unmarshal(got.body, &pg); err != nil {
				t.Fatalf("body %s: %v", got.body, err)
			}
			if pg.Code != "23505" || pg.Message != `duplicate key value violates unique constraint "users_email_partial_key"` ||
				!strings.Contains(pg.Detail, email) {
				t.Errorf("body %s, want the Postgres unique violation of users_email_partial_key", got.body)
			}
		})
	}

	t.Run("2024-01-01 shape", func(t *testing.T) {
		email := "race-new-shape@example.com"
		got := rs.takenMeanwhile(t, email, true, func() any {
			return rs.post("/admin/users", `{"email":"`+email+`"}`, map[string]string{"X-Supabase-Api-Version": "2024-01-01"})
		}).(wireAnswer)
		if got.status != http.StatusInternalServerError ||
			strings.TrimSpace(string(got.body)) != `{"code":"unexpected_failure","message":"Database error saving new user"}` {
			t.Errorf("%d %s", got.status, got.body)
		}
	})

	t.Run("one at a time is still email_exists", func(t *testing.T) {
		email := "race-sequential@example.com"
		first := rs.post("/admin/users", `{"email":"`+email+`"}`, nil)
		second := rs.post("/admin/users", `{"email":"`+strings.ToUpper(email)+`"}`, nil)
		if first.status != http.StatusOK || second.status != http.StatusUnprocessableEntity ||
			second.header.Get("X-Sb-Error-Code") != "email_exists" {
			t.Errorf("first %d %s, second %d %s", first.status, first.body, second.status, second.body)
		}
	})
}

// The console reads that answer as "the account exists" and links it, as
// for email_exists; an invitation asks again and gets the account invited.
func TestConsoleReadsTheRaceAsAnExistingAccount(t *testing.T) {
	t.Parallel()
	rs := newRaceServer(t)
	client := gotrue.New(gotrue.Config{URL: rs.url, AnonKey: rs.srv.AnonKey(), ServiceRoleKey: rs.srv.ServiceRoleKey()})
	accounts := auth.Accounts{Client: client}

	email := "chanda@example.com"
	raw := rs.takenMeanwhile(t, email, true, func() any {
		_, err := client.CreateUser(context.Background(), gotrue.CreateUserParams{Email: email, Password: "a-long-password", EmailConfirm: true})
		return err
	})
	err, _ := raw.(error)
	if !gotrue.EmailTaken(err) {
		t.Fatalf("the race answer is not recognised: %v", err)
	}
	if errors.Is(err, tenant.ErrAccountExists) {
		t.Fatal("the client alone already speaks the domain's language")
	}

	type ensured struct {
		acct    tenant.Account
		outcome tenant.AccountOutcome
		err     error
	}
	email = "mwale@example.com"
	got := rs.takenMeanwhile(t, email, true, func() any {
		a, o, err := tenant.EnsureAccount(context.Background(), accounts, email, "a-long-password", "")
		return ensured{a, o, err}
	}).(ensured)
	if got.err != nil || got.outcome != tenant.AccountLinked || got.acct.Email != email {
		t.Fatalf("create during the race: %+v", got)
	}

	// An invitation asks again: a confirmed account is email_exists and
	// is linked; one still unconfirmed (another invitation's) is invited.
	for confirmed, want := range map[bool]tenant.AccountOutcome{true: tenant.AccountLinked, false: tenant.AccountInvited} {
		email := fmt.Sprintf("banda-%t@example.com", confirmed)
		got := rs.takenMeanwhile(t, email, confirmed, func() any {
			a, o, err := tenant.EnsureAccount(context.Background(), accounts, email, "", "")
			return ensured{a, o, err}
		}).(ensured)
		if got.err != nil || got.outcome != want || got.acct.Email != email {
			t.Errorf("invite during the race (other account confirmed: %t): %+v, want %s", confirmed, got, want)
		}
	}
}
