package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
	"github.com/tenant-console/console/internal/web"
)

// app is the console served over a real listener on a fresh database.
type app struct {
	*httptest.Server
	store *store.Store
	logs  *logBuffer
}

func newApp(t *testing.T) *app {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	if err := st.BulkInsert(context.Background(), demo.Agencies(time.Now())); err != nil {
		t.Fatalf("seed: %v", err)
	}
	logs := &logBuffer{}
	log := logging.New(logs, "text", "debug")
	h := web.New(web.Deps{
		Log:     log,
		Tenants: tenant.NewService(st),
		Ready:   []web.ReadyCheck{{Name: "database", Check: st.Ping}},
		Dev:     true,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &app{Server: srv, store: st, logs: logs}
}

// scenario is one request and what its answer must (not) contain.
type scenario struct {
	name           string
	method         string
	url            string
	body           string
	headers        map[string]string
	wantStatus     int
	wantContent    []string
	notWantContent []string
	wantHeaders    map[string]string
}

func (a *app) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	client := noRedirectClient()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = http.MethodGet
			}
			req, err := http.NewRequest(method, a.URL+sc.url, strings.NewReader(sc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range sc.headers {
				req.Header.Set(k, v)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, res)
			if res.StatusCode != sc.wantStatus {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, sc.url, res.StatusCode, sc.wantStatus, clip(body))
			}
			for _, want := range sc.wantContent {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s: body lacks %q\n%s", method, sc.url, want, clip(body))
				}
			}
			for _, not := range sc.notWantContent {
				if strings.Contains(body, not) {
					t.Errorf("%s %s: body contains %q", method, sc.url, not)
				}
			}
			for k, v := range sc.wantHeaders {
				if got := res.Header.Get(k); !strings.Contains(got, v) {
					t.Errorf("%s %s: header %s = %q, want it to contain %q", method, sc.url, k, got, v)
				}
			}
		})
	}
}

func noRedirectClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// logBuffer collects the log lines of concurrent requests.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
