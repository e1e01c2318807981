package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/auth"
)

// Faults: what a person sees, and what the database holds, when the
// console's dependencies fail underneath it.

// gotrueTimeout is the GoTrue client timeout of these tests: short, so a
// GoTrue that hangs costs the test a fraction of a second.
const gotrueTimeout = 300 * time.Millisecond

// closedURL is an address where nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// slowURL is a GoTrue that accepts the connection and then says nothing for
// far longer than the client waits (until the client gives up).
func slowURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client hanging up
		// (r.Context ends), so the test does not wait out the sleep.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusGatewayTimeout)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// rowCounts counts the rows of every table in the database (every schema:
// the registry's and the dev GoTrue's).
func (a *app) rowCounts(t *testing.T) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := a.pool.Query(ctx, `SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		_ = rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	counts := map[string]int{}
	for _, table := range tables {
		var n int
		if err := a.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	if len(counts) < 10 {
		t.Fatalf("only %d tables counted: %v", len(counts), counts)
	}
	return counts
}

// changedTables lists the tables whose row count differs.
func changedTables(before, after map[string]int, ignore ...string) []string {
	var out []string
	for table, n := range after {
		if before[table] != n && !strings.Contains(strings.Join(ignore, " "), table) {
			out = append(out, table)
		}
	}
	return out
}

var gotrueFaults = []struct {
	name string
	url  func(*testing.T) string
}{
	{"unreachable (closed port)", closedURL},
	{"slow (no answer within the timeout)", slowURL},
}

func TestFaultGoTrueDuringSignIn(t *testing.T) {
	t.Parallel()
	for _, fault := range gotrueFaults {
		t.Run(fault.name, func(t *testing.T) {
			t.Parallel()
			a := newAppWith(t, appOptions{gotrueURL: fault.url(t), gotrueTimeout: gotrueTimeout})
			b := a.newBrowser(t)
			b.get("/login")
			before := a.rowCounts(t)
			start := time.Now()
			res, body := signInAttempt(t, b, "ada@console.example", "some password")
			took := time.Since(start)
			expectRefusal(t, res, body, http.StatusServiceUnavailable, auth.MsgUnavailable, "ada@console.example")
			if took > 3*time.Second {
				t.Errorf("the refusal took %s; the GoTrue timeout is %s", took, gotrueTimeout)
			}
			// The attempt is counted before GoTrue is asked (that is what the
			// limit is for); nothing else is written.
			if changed := changedTables(before, a.rowCounts(t), "public.sign_in_attempts"); len(changed) != 0 {
				t.Fatalf("rows written while GoTrue was %s: %v", fault.name, changed)
			}
			if sessionCookie(t, b) != "" {
				if res, _ := b.get("/tenants"); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("a failed sign-in let the person in: %d", res.StatusCode)
				}
			}
			t.Logf("GoTrue %s at sign-in: %d %q in %s", fault.name, res.StatusCode, auth.MsgUnavailable, took.Round(time.Millisecond))
		})
	}
}

func TestFaultGoTrueDuringOnboarding(t *testing.T) {
	t.Parallel()
	for _, fault := range gotrueFaults {
		t.Run(fault.name, func(t *testing.T) {
			t.Parallel()
			a := newAppWith(t, appOptions{accountsURL: fault.url(t), gotrueTimeout: gotrueTimeout})
			b := a.signedInAdmin(t)
			form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
			before := a.rowCounts(t)
			start := time.Now()
			res, page := b.post("/tenants", form)
			took := time.Since(start)
			const msg = "The sign-in service cannot be reached right now, so nothing was created. Try again shortly."
			if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, msg) {
				t.Fatalf("status %d\n%s", res.StatusCode, clip(page))
			}
			if !strings.Contains(page, `value="Zambezi Canoe Safaris"`) || !strings.Contains(page, `value="`+form.Get("idempotency_key")+`"`) {
				t.Fatal("the form was not kept")
			}
			if took > 3*time.Second {
				t.Errorf("the answer took %s; the GoTrue timeout is %s", took, gotrueTimeout)
			}
			if changed := changedTables(before, a.rowCounts(t)); len(changed) != 0 {
				t.Fatalf("rows written while GoTrue was %s: %v", fault.name, changed)
			}
			t.Logf("GoTrue %s at onboarding: %d in %s, nothing written", fault.name, res.StatusCode, took.Round(time.Millisecond))
		})
	}
}

// killWhenWaiting terminates, times times over, a backend of the app's
// database that waits for a lock (the request's query, then its retry on
// another connection), each one it had not terminated yet, and reports
// which query the first ran.
func (a *app) killWhenWaiting(t *testing.T, ctx context.Context, times int) string {
	t.Helper()
	var first string
	killed := []int{}
	deadline := time.Now().Add(10 * time.Second)
	for len(killed) < times && time.Now().Before(deadline) {
		var pid int
		var query string
		err := a.pool.QueryRow(ctx, `SELECT pid, query FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
				AND pid <> ALL($1) LIMIT 1`, killed).Scan(&pid, &query)
		if err == nil {
			var ok bool
			if err := a.pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
				t.Fatalf("pg_terminate_backend(%d): %v %v", pid, ok, err)
			}
			killed = append(killed, pid)
			if first == "" {
				first = query
			}
			continue
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(killed) < times {
		t.Fatalf("%d of %d requests came to wait on the lock", len(killed), times)
	}
	return first
}

// TestFaultConnectionKilledMidRequest: a request's database connection is
// terminated (pg_terminate_backend) while its query runs, and so is the
// connection of the store's one retry. The request ends with one clean
// error page (no database text, security headers on, no half page);
// nothing is half-written; the next request succeeds.
func TestFaultConnectionKilledMidRequest(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	b := a.signedInAdmin(t)
	form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")

	cases := []struct {
		name, method, path string
		// lock is taken in another transaction so the request's query
		// waits on it and is caught mid-flight.
		lock string
		// accounts: onboarding makes the owner's GoTrue account before its
		// transaction, by design (a retry links it); the dev GoTrue keeps
		// it in the same database.
		accounts bool
		// message is what the person reads.
		message string
	}{
		{"the list", http.MethodGet, "/tenants?q=safari", "LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE", false, "Try again shortly."},
		{"a tenant page", http.MethodGet, "/tenants/" + tenantA, "LOCK TABLE tenant_settings IN ACCESS EXCLUSIVE MODE", false, "Try again shortly."},
		// Onboarding's transaction has written the tenant when it reaches
		// the prompts (SHARE lets reads through, holds back writes).
		{"onboarding, inside its transaction", http.MethodPost, "/tenants", "LOCK TABLE tenant_prompts IN SHARE MODE", true,
			"The tenant could not be saved, so nothing was created. Submit the form again"},
	}
	for _, c := range cases {
		before := a.rowCounts(t)
		b.get("/tenants") // a fresh form token, before the lock bites
		tx, err := a.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, c.lock); err != nil {
			t.Fatal(err)
		}
		type answer struct {
			res  *http.Response
			body string
		}
		done := make(chan answer, 1)
		req := mustRequest(t, c.method, b.base+c.path)
		if c.method == http.MethodPost {
			form.Set("_csrf", csrfField.FindStringSubmatch(b.page)[1])
			req, _ = http.NewRequest(c.method, b.base+c.path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		go func() {
			res, err := b.client.Do(req)
			if err != nil {
				done <- answer{}
				return
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			done <- answer{res, string(body)}
		}()
		query := a.killWhenWaiting(t, ctx, 2)
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		var got answer
		select {
		case got = <-done:
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: no answer after its connection was killed", c.name)
		}
		if got.res == nil {
			t.Fatalf("%s: the connection to the console broke", c.name)
		}
		res, body := got.res, got.body
		// The database dropped the connection: the person can only try
		// again, and is told so.
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, c.message) {
			t.Errorf("%s: status %d after its connection was killed, want 503 saying %q\n%s", c.name, res.StatusCode, c.message, clip(body))
		}
		if n := strings.Count(strings.ToLower(body), "<html"); n != 1 {
			t.Errorf("%s: %d HTML documents in one answer", c.name, n)
		}
		for _, leak := range []string{"terminating connection", "SQLSTATE", "57P01", "pg_terminate", "FATAL", "unexpected EOF", "conn closed"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: the page shows %q", c.name, leak)
			}
		}
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s: the error page lacks its headers", c.name)
		}
		ignore := []string{"public.sessions"}
		if c.accounts {
			ignore = append(ignore, "devgotrue.users", "devgotrue.identities")
		}
		if changed := changedTables(before, a.rowCounts(t), ignore...); len(changed) != 0 {
			t.Errorf("%s: rows left by the killed request: %v", c.name, changed)
		}
		t.Logf("killed mid-request (%s, waiting in %.60q): %d", c.name, query, res.StatusCode)

		// The next request succeeds on a fresh connection.
		if c.method == http.MethodGet {
			if res, body := b.get(c.path); res.StatusCode != http.StatusOK {
				t.Fatalf("%s after the kill: %d\n%s", c.name, res.StatusCode, clip(body))
			}
		} else {
			b.get("/tenants")
			status, page := onboard(t, b, form) // the same form, sent again
			if status != http.StatusOK || !strings.Contains(page, "Zambezi Canoe Safaris") {
				t.Fatalf("%s sent again: %d\n%s", c.name, status, clip(page))
			}
		}
	}
	if !strings.Contains(a.logs.String(), "level=ERROR") {
		t.Error("the failures were not logged as errors")
	}
}
