package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/tenant"
)

// shortLived is a dev GoTrue whose access tokens live one second, so a test
// sees them expire.
var shortLived = devgotrue.Options{AccessTokenTTL: time.Second}

// pastExpiry waits until a token issued now has expired (exp is in whole
// seconds, so it is at most a second away).
func pastExpiry() { time.Sleep(1100 * time.Millisecond) }

// expectEnded checks that b's session was ended with message.
func expectEnded(t *testing.T, b *browser, message string) {
	t.Helper()
	res, body := b.get("/tenants")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("after the refused refresh: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), clip(body))
	}
	if _, body := b.get(res.Header.Get("Location")); !strings.Contains(body, htmlEscape(message)) {
		t.Fatalf("the sign-in page does not say %q:\n%s", message, clip(body))
	}
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the ended session still opens the list: %d", res.StatusCode)
	}
}

func TestABanInGoTrueEndsTheSessionWhenTheTokenExpires(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{devAuth: shortLived})
	p := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	b := a.newBrowser(t)
	b.signIn(p)
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", res.StatusCode)
	}
	// PUT /admin/users/{id} {"ban_duration": …} on the dev server's admin API.
	if _, err := a.gotrue.BanUser(context.Background(), p.userID, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	pastExpiry()
	expectEnded(t, b, auth.MsgBanned)
	if !strings.Contains(a.logs.String(), "session ended: GoTrue refused the refresh") {
		t.Fatal("the ended session was not logged")
	}
}

func TestADeletedAccountEndsTheSessionWhenTheTokenExpires(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{devAuth: shortLived})
	p := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	b := a.newBrowser(t)
	b.signIn(p)
	if err := a.gotrue.DeleteUser(context.Background(), p.userID); err != nil {
		t.Fatal(err)
	}
	pastExpiry()
	expectEnded(t, b, auth.MsgSessionEnded)
}

func TestSessionsOutliveTheirAccessTokens(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{devAuth: shortLived})
	b := a.signedInAdmin(t)
	for round := range 2 {
		pastExpiry()
		// Several requests of one browser at once, as htmx sends them: one
		// refresh serves them all (the refresh token is single-use).
		var wg sync.WaitGroup
		statuses := make(chan int, 5)
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := b.client.Get(a.URL + "/tenants")
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
				t.Fatalf("round %d: a request after the token expired: %d", round, st)
			}
		}
	}
	b.get("/tenants")
	if res, _ := b.post("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out after refreshes: %d", res.StatusCode)
	}
	if strings.Contains(a.logs.String(), "GoTrue sign-out failed") {
		t.Fatal("sign-out used a stale access token")
	}
}

func TestGoTrueDownAtRefreshKeepsTheSession(t *testing.T) {
	t.Parallel()
	f := &failingGoTrue{fails: func(r *http.Request) bool { return r.URL.Path == "/token" }}
	a := newAppWith(t, appOptions{devAuth: shortLived, wrapGoTrue: f.wrap})
	b := a.signedInAdmin(t)
	f.on.Store(true)
	pastExpiry()
	res, body := b.get("/tenants")
	if res.StatusCode != http.StatusBadGateway || strings.Count(body, "<html") != 1 {
		t.Fatalf("GoTrue failing at refresh: %d\n%s", res.StatusCode, clip(body))
	}
	f.on.Store(false)
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("after GoTrue recovered: %d", res.StatusCode)
	}
}
