package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// recheckBound is the default AUTH_RECHECK_INTERVAL.
const recheckBound = time.Minute

// testClock is the console's clock in these tests: the real time, moved on
// by hand, so a minute passes without waiting for it.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// userCalls counts the console's GET /user calls to GoTrue; when down is
// set, those calls get no answer at all (the connection is dropped).
type userCalls struct {
	n    atomic.Int64
	down atomic.Bool
}

func (u *userCalls) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/user" {
			u.n.Add(1)
			if u.down.Load() {
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					_ = conn.Close()
				}
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// companyName is tenant id's saved company name.
func companyName(t *testing.T, a *app, id string) string {
	t.Helper()
	var name string
	if err := a.pool.QueryRow(context.Background(), `SELECT company_name FROM tenant_settings WHERE tenant_id = $1`, id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// expectSentToSignIn checks that a refused form sent the person to the
// sign-in page, which says message, and that the session is over.
func expectSentToSignIn(t *testing.T, b *browser, res *http.Response, body, message string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("the form after the session ended: %d %q, want the sign-in page\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	if _, page := b.get("/login"); !strings.Contains(page, htmlEscape(message)) {
		t.Fatalf("the sign-in page does not say %q:\n%s", message, clip(page))
	}
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the ended session still opens the list: %d", res.StatusCode)
	}
}

func TestABanStopsTheNextWriteAndReadsWithinTheBound(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	calls := &userCalls{}
	a := newAppWith(t, appOptions{now: clock.now, wrapGoTrue: calls.wrap})
	p := a.createPerson(t, "ban-me@console.example", tenant.RolePlatformAdmin, nil)
	writer, reader := a.newBrowser(t), a.newBrowser(t)
	writer.signIn(p)
	reader.signIn(p)
	before := companyName(t, a, tenantA)

	// An admin bans the person: PUT /admin/users/{id} {"ban_duration":…}.
	if _, err := a.gotrue.BanUser(context.Background(), p.userID, 24*time.Hour); err != nil {
		t.Fatal(err)
	}

	// Within the bound, pages are still served on GoTrue's last word…
	clock.advance(recheckBound / 2)
	if res, body := writer.get("/tenants/" + tenantA + "/settings"); res.StatusCode != http.StatusOK {
		t.Fatalf("a page within the bound: %d\n%s", res.StatusCode, clip(body))
	}
	if n := calls.n.Load(); n != 0 {
		t.Fatalf("reads within the bound asked GoTrue %d times", n)
	}
	// …but the next change asks GoTrue first, and is refused.
	res, body := writer.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA), "company_name", "Written while banned"))
	expectSentToSignIn(t, writer, res, body, auth.MsgBanned)
	if got := companyName(t, a, tenantA); got != before {
		t.Fatalf("the banned person's change was saved: %q", got)
	}
	if rows := auditOf(t, a, tenantA, tenant.ActionSettingsUpdated); len(rows) != 0 {
		t.Fatalf("the refused change was audited: %v", rows)
	}

	// Their other session, only reading, ends once the bound has passed.
	clock.advance(recheckBound)
	res, body = reader.get("/tenants")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("a page after the bound: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	if _, page := reader.get(res.Header.Get("Location")); !strings.Contains(page, htmlEscape(auth.MsgBanned)) {
		t.Fatalf("the sign-in page does not say the account is disabled:\n%s", clip(page))
	}
	if !strings.Contains(a.logs.String(), "session ended: GoTrue refused the access token") {
		t.Fatal("the ended session was not logged")
	}
}

func TestASignOutEverywhereStopsTheNextWrite(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	p := a.createPerson(t, "everywhere@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.signIn(p)
	before := companyName(t, a, tenantA)

	// The person signs out of every device elsewhere (POST /logout, scope
	// global, with another session's access token).
	other, err := a.gotrue.SignIn(context.Background(), p.email, p.password)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, a.gotrueURL+"/logout?scope=global", nil)
	req.Header.Set("Authorization", "Bearer "+other.AccessToken)
	out, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if out.StatusCode != http.StatusNoContent {
		t.Fatalf("global sign-out at GoTrue: %d", out.StatusCode)
	}

	if res, _ := b.get("/tenants/" + tenantA + "/settings"); res.StatusCode != http.StatusOK {
		t.Fatalf("a page within the bound: %d", res.StatusCode)
	}
	res, body := b.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA), "company_name", "Written after signing out"))
	expectSentToSignIn(t, b, res, body, auth.MsgSessionEnded)
	if got := companyName(t, a, tenantA); got != before {
		t.Fatalf("the change after a global sign-out was saved: %q", got)
	}
}

// burst sends n GETs of path from b at once and fails unless all are 200.
func burst(t *testing.T, a *app, b *browser, path string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := b.client.Get(a.URL + path)
			if err != nil {
				t.Error(err)
				return
			}
			readAll(t, res)
			statuses <- res.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusOK {
			t.Fatalf("GET %s in a burst: %d", path, st)
		}
	}
}

func TestReadsAskGoTrueAtMostOncePerBound(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	calls := &userCalls{}
	a := newAppWith(t, appOptions{now: clock.now, wrapGoTrue: calls.wrap})
	b := a.signedInAdmin(t)

	burst(t, a, b, "/tenants", 50)
	if n := calls.n.Load(); n != 0 {
		t.Fatalf("50 reads right after signing in asked GoTrue %d times, want 0 (sign-in is GoTrue's word)", n)
	}
	clock.advance(recheckBound + time.Second)
	burst(t, a, b, "/tenants", 50)
	if n := calls.n.Load(); n != 1 {
		t.Fatalf("50 reads at once after the bound asked GoTrue %d times, want 1", n)
	}
	burst(t, a, b, "/tenants", 50)
	if n := calls.n.Load(); n != 1 {
		t.Fatalf("50 more reads within the new bound asked GoTrue %d times in all, want 1", n)
	}
	t.Logf("GET /user calls for 150 reads over two bounds: %d", calls.n.Load())

	// A write asks every time.
	b.get("/tenants/" + tenantA + "/settings")
	if res, _ := b.post("/tenants/"+tenantA+"/settings", savedSettings(t, a, tenantA)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving settings: %d", res.StatusCode)
	}
	if n := calls.n.Load(); n != 2 {
		t.Fatalf("a write after the reads: %d GET /user calls in all, want 2", n)
	}
}

func TestGoTrueUnreachableAtARecheck(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	calls := &userCalls{}
	a := newAppWith(t, appOptions{now: clock.now, wrapGoTrue: calls.wrap})
	b := a.signedInAdmin(t)
	before := companyName(t, a, tenantA)
	b.get("/tenants/" + tenantA + "/settings")
	form := with(savedSettings(t, a, tenantA), "company_name", "Written while unverifiable")

	calls.down.Store(true)
	// A write that GoTrue cannot confirm is refused, and nothing is written.
	res, body := b.post("/tenants/"+tenantA+"/settings", form)
	if res.StatusCode != http.StatusServiceUnavailable || strings.Count(body, "<html") != 1 {
		t.Fatalf("a write while GoTrue is unreachable: %d\n%s", res.StatusCode, clip(body))
	}
	if got := companyName(t, a, tenantA); got != before {
		t.Fatalf("a write GoTrue could not confirm was saved: %q", got)
	}
	// Reads go on for a while on GoTrue's last word (the sign-in)…
	clock.advance(2 * recheckBound)
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("a read within the grace: %d", res.StatusCode)
	}
	if !strings.Contains(a.logs.String(), "GoTrue could not confirm the session") {
		t.Fatal("serving on GoTrue's last word was not logged")
	}
	// …but not for ever.
	clock.advance(10 * recheckBound)
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a read long after GoTrue's last word: %d", res.StatusCode)
	}
	// GoTrue back: the session was kept.
	calls.down.Store(false)
	clock.advance(recheckBound)
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("after GoTrue came back: %d", res.StatusCode)
	}
	b.get("/tenants/" + tenantA + "/settings")
	if res, _ := b.post("/tenants/"+tenantA+"/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a write after GoTrue came back: %d", res.StatusCode)
	}
}
