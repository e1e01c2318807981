package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/tenant"
)

// consoleClient talks to a console started by startConsole, signed in as a
// platform admin.
type consoleClient struct {
	t    testing.TB
	base string
	http *http.Client
}

// startConsole runs `console serve`'s code on a free port against the
// database at url (with the embedded dev GoTrue), creates a platform admin
// with create-staff and signs in. The console stops when the test ends.
func startConsole(t testing.TB, dbURL string) *consoleClient {
	t.Helper()
	setenv(t, "LISTEN_ADDR", "127.0.0.1:0")
	setenv(t, "APP_ENV", "dev")
	setenv(t, "CONSOLE_DATA_DIR", t.TempDir())
	const email, password = "ops@console.example", "a long enough password"
	if _, errOut, err := runCLI(t, dbURL, "create-staff", "--email", email, "--password", password, "--role", "platform_admin"); err != nil {
		t.Fatalf("create-staff: %v\n%s", err, errOut)
	}

	cfg := testConfig(t, dbURL)
	ctx, cancel := context.WithCancel(context.Background())
	pool := connect(t, dbURL)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	log := logging.New(io.Discard, "text", "error")
	gt, err := openAuthServer(ctx, cfg, log, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gt.stop)
	go func() {
		done <- serve(ctx, cfg, log, pool, gt, func(a string) { addr <- a })
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve: %v", err)
		}
	})

	jar, _ := cookiejar.New(nil)
	c := &consoleClient{t: t, base: base, http: &http.Client{Jar: jar}}
	page := c.get("/login")
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if token == nil {
		t.Fatal("sign-in page has no CSRF token")
	}
	res, err := c.http.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "_csrf": {token[1]}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="tenant-search"`) {
		t.Fatalf("sign in: status %d\n%.2000s", res.StatusCode, body)
	}
	return c
}

func (c *consoleClient) get(path string, headers ...string) string {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: status %d\n%.2000s", path, res.StatusCode, body)
	}
	return string(body)
}

// list asks for the list fragment with a search and a status filter.
func (c *consoleClient) list(search string, status tenant.Status) string {
	return c.get("/tenants?q="+url.QueryEscape(search)+"&status="+string(status), "HX-Request", "true")
}

func TestServeAnswersAndStopsGracefully(t *testing.T) {
	t.Parallel()
	c := startConsole(t, testdbURL(t))
	if body := c.get("/readyz"); !strings.Contains(body, `"gotrue":"ok"`) || !strings.Contains(body, `"database":"ok"`) {
		t.Fatalf("readyz = %s", body)
	}
}

func TestServeRefusesTheDevAuthServerInProduction(t *testing.T) {
	t.Parallel()
	setenv(t, "APP_ENV", "production")
	setenv(t, "GOTRUE_URL", "")
	_, _, err := runCLI(t, testdbURL(t), "serve")
	if err == nil || !strings.Contains(err.Error(), "GOTRUE_URL is required in production") {
		t.Fatalf("serve in production without GOTRUE_URL: %v", err)
	}
}
