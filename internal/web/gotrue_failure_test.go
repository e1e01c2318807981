package web_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tenant-console/console/internal/auth"
)

// failingGoTrue puts a switch in front of the dev GoTrue: while on, the
// calls fail matches answer what a real GoTrue answers when its database
// fails (a 500 with unexpected_failure), everything else goes through.
type failingGoTrue struct {
	on    atomic.Bool
	fails func(*http.Request) bool
}

func (f *failingGoTrue) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.on.Load() && f.fails(r) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Sb-Error-Code", "unexpected_failure")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"code":500,"error_code":"unexpected_failure","msg":"Database error creating new user"}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestGoTrueFailureIsNotReportedAsUnreachable(t *testing.T) {
	t.Parallel()
	t.Run("sign-in", func(t *testing.T) {
		t.Parallel()
		f := &failingGoTrue{fails: func(r *http.Request) bool { return r.URL.Path == "/token" }}
		a := newAppWith(t, appOptions{wrapGoTrue: f.wrap})
		f.on.Store(true)
		res, body := signInAttempt(t, a.newBrowser(t), "ada@console.example", "some password")
		expectRefusal(t, res, body, http.StatusBadGateway, auth.MsgServiceError, "ada@console.example")
		if strings.Contains(body, auth.MsgUnavailable) {
			t.Fatal("GoTrue's own failure is reported as unreachable")
		}
		logs := a.logs.String()
		if !strings.Contains(logs, "GoTrue failed at sign-in") || !strings.Contains(logs, "error_code=unexpected_failure") ||
			!strings.Contains(logs, `msg="Database error creating new user"`) {
			t.Fatalf("the failure was not logged with GoTrue's error_code and msg:\n%s", logs)
		}
	})
	for _, mode := range []string{"password", "invite"} {
		t.Run("onboarding's owner account by "+mode, func(t *testing.T) {
			t.Parallel()
			f := &failingGoTrue{fails: func(r *http.Request) bool {
				return r.Method == http.MethodPost && (r.URL.Path == "/admin/users" || r.URL.Path == "/invite")
			}}
			a := newAppWith(t, appOptions{wrapGoTrue: f.wrap})
			b := a.signedInAdmin(t)
			before := a.tableCounts(t)
			form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
			if mode == "invite" {
				form.Set("owner_mode", "invite")
				form.Set("owner_password", "")
			}
			f.on.Store(true)
			res, page := b.post("/tenants", form)
			if res.StatusCode != http.StatusBadGateway || !strings.Contains(page, "The sign-in service had an error") {
				t.Fatalf("status %d\n%s", res.StatusCode, clip(page))
			}
			if strings.Contains(page, "cannot be reached") {
				t.Fatal("GoTrue's own failure is reported as unreachable")
			}
			if !strings.Contains(page, `value="Zambezi Canoe Safaris"`) {
				t.Fatal("the form was not kept")
			}
			if !strings.Contains(a.logs.String(), "error_code=unexpected_failure") {
				t.Fatal("the failure was not logged with GoTrue's error_code")
			}
			if after := a.tableCounts(t); !sameCounts(before, after) {
				t.Fatalf("rows written while GoTrue failed: %v → %v", before, after)
			}
			// Once GoTrue works again, the same form goes through.
			f.on.Store(false)
			if res, _ := b.post("/tenants", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("after GoTrue recovered: %d", res.StatusCode)
			}
		})
	}
}
