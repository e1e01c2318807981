package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/web"
)

// When Postgres drops the console's connections mid-request, each answer is
// either the page (the store ran the request's reads once more on a live
// connection) or one clean 503 error page: never a 500, nor scs's plain
// text with the page written after it. Once the connections are back,
// pages work.
func TestDatabaseDroppingConnectionsMidRequest(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("before: %d", res.StatusCode)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, a.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)

	stop := make(chan struct{})
	var terminated atomic.Int64
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(120 * time.Millisecond):
			}
			var n int64
			// Every backend of the test database but this admin connection:
			// the console's pool (and the dev GoTrue's, which shares it).
			if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
				t.Errorf("terminate: %v", err)
				return
			}
			terminated.Add(n)
		}
	}()

	type answer struct {
		path, contentType, body string
		status                  int
	}
	var (
		mu      sync.Mutex
		answers []answer
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(2 * time.Second)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := []string{"/tenants", "/tenants/africastay"}[i%2]
			for time.Now().Before(deadline) {
				res, err := b.client.Get(a.URL + path)
				if err != nil {
					t.Errorf("GET %s: %v", path, err)
					return
				}
				body := readAll(t, res)
				mu.Lock()
				answers = append(answers, answer{path, res.Header.Get("Content-Type"), body, res.StatusCode})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-killerDone

	var ok, failed int
	for _, an := range answers {
		if !strings.HasPrefix(an.contentType, "text/html") {
			t.Fatalf("GET %s: %d with Content-Type %q\n%s", an.path, an.status, an.contentType, clip(an.body))
		}
		if n := strings.Count(strings.ToLower(an.body), "<html"); n != 1 {
			t.Fatalf("GET %s: %d with %d <html> in one answer\n%s", an.path, an.status, n, clip(an.body))
		}
		switch {
		case an.status == http.StatusOK:
			ok++
		case an.status == http.StatusServiceUnavailable && strings.Contains(an.body, "Try again shortly"):
			failed++
		default:
			t.Fatalf("GET %s: status %d\n%s", an.path, an.status, clip(an.body))
		}
	}
	t.Logf("%d answers while %d backends were terminated: %d pages, %d error pages", len(answers), terminated.Load(), ok, failed)
	if terminated.Load() == 0 {
		t.Fatal("no backend was terminated: the test proved nothing")
	}
	logged := 0
	for _, line := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(line, "request failed") && strings.Contains(line, "status=503") && strings.Contains(line, "request_id=") {
			logged++
		}
	}
	if logged < failed {
		t.Fatalf("%d failures, %d logged with the request id", failed, logged)
	}

	// The pool pings connections idle for more than a second before use, so
	// after a pause the dead ones are replaced and every page works again.
	time.Sleep(1100 * time.Millisecond)
	for _, path := range []string{"/tenants", "/tenants/africastay", "/tenants", "/tenants/africastay", "/tenants"} {
		if res, body := b.get(path); res.StatusCode != http.StatusOK {
			t.Fatalf("after the drop, GET %s: %d\n%s", path, res.StatusCode, clip(body))
		}
	}
}

// brokenStore is a session store whose database is gone.
type brokenStore struct{}

func (brokenStore) Find(string) ([]byte, bool, error)      { return nil, false, errors.New("conn closed") }
func (brokenStore) Commit(string, []byte, time.Time) error { return errors.New("conn closed") }
func (brokenStore) Delete(string) error                    { return errors.New("conn closed") }

// Code that lets scs answer on its own (LoadAndSave) still gets the
// console's error page, logged with the request id, not scs's plain text.
func TestSessionLibraryErrorsGoThroughTheErrorHandler(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	sessions := web.NewSessions(brokenStore{}, time.Hour, time.Hour, true)
	web.New(web.Deps{Log: logging.New(logs, "text", "debug"), Sessions: sessions})
	h := sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran without its session")
	}))
	req := httptest.NewRequest(http.MethodGet, "/tenants", nil)
	req = req.WithContext(logging.WithRequestID(req.Context(), "req-session-broken"))
	req.AddCookie(&http.Cookie{Name: "console_session", Value: "some-token"})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
		strings.Count(body, "<html") != 1 || !strings.Contains(body, "Something went wrong") {
		t.Fatalf("%d %q\n%s", rec.Code, rec.Header().Get("Content-Type"), clip(body))
	}
	if !strings.Contains(logs.String(), "request_id=req-session-broken") || !strings.Contains(logs.String(), "session store") {
		t.Fatalf("not logged with the request id:\n%s", logs.String())
	}
}
