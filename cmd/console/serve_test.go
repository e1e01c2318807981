package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/testdb"
)

// lockedBuffer is a log sink read while the server writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// productionEnv is what a deployment sets when it forgets APP_ENV: a
// database, a real GoTrue (here the dev server, reached like any GoTrue over
// GOTRUE_URL) and the secret key; APP_ENV and MIGRATE_ON_START unset.
func productionEnv(t *testing.T, dbURL string) {
	t.Helper()
	pool := testdb.New(t)
	dev, err := devgotrue.New(context.Background(), pool, devgotrue.Options{Autoconfirm: true, PasswordHashCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	gtURL, stop, err := dev.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	for k, v := range map[string]string{
		"DATABASE_URL": dbURL, "LISTEN_ADDR": "127.0.0.1:0", "CONSOLE_DATA_DIR": t.TempDir(),
		"GOTRUE_URL": gtURL, "GOTRUE_ANON_KEY": dev.AnonKey(), "GOTRUE_SERVICE_ROLE_KEY": dev.ServiceRoleKey(),
		"CONSOLE_SECRET_KEY": base64.StdEncoding.EncodeToString(key), "METRICS_TOKEN": "",
		"PUBLIC_URL": "https://console.example.com",
	} {
		setenv(t, k, v)
	}
	for _, k := range []string{"APP_ENV", "MIGRATE_ON_START"} {
		unsetenv(t, k)
	}
}

var servingLine = regexp.MustCompile(`msg=serving url=(http://\S+)`)

// startServe runs `console serve args…` until the test ends and returns its
// base URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- runServe(cliContext(ctx, t, ""), args, logs, logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve: %v", err)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := servingLine.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve stopped: %v\n%s", err, logs.String())
		default:
		}
	}
	t.Fatalf("serve did not start\n%s", logs.String())
	return ""
}

func hasTable(t *testing.T, dbURL, table string) bool {
	t.Helper()
	var ok bool
	if err := connect(t, dbURL).QueryRow(context.Background(), `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestServeWithoutAppEnvRefusesToStartWithoutGoTrueAndDoesNotMigrate(t *testing.T) {
	t.Parallel()
	dbURL := testdb.Empty(t)
	productionEnv(t, dbURL)
	setenv(t, "GOTRUE_URL", "")
	_, _, err := runCLI(t, dbURL, "serve")
	if err == nil || !strings.Contains(err.Error(), "GOTRUE_URL is required in production") {
		t.Fatalf("serve with APP_ENV and GOTRUE_URL unset: %v", err)
	}
	if hasTable(t, dbURL, "goose_db_version") || hasTable(t, dbURL, "tenants") {
		t.Fatal("serve migrated the database before refusing")
	}
}

func TestServeWithoutAppEnvIsProduction(t *testing.T) {
	t.Parallel()
	dbURL := testdb.Empty(t)
	productionEnv(t, dbURL)
	base := startServe(t)
	if hasTable(t, dbURL, "goose_db_version") || hasTable(t, dbURL, "sessions") {
		t.Fatal("serve with APP_ENV unset applied migrations without being asked")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("no HSTS header: %q", got)
	}
	if c := cookieNamed(res, "console_csrf"); c == nil || !c.Secure || !c.HttpOnly {
		t.Errorf("CSRF cookie %+v, want Secure and HttpOnly", c)
	}
	res, err = client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without METRICS_TOKEN: %d, want 404", res.StatusCode)
	}
}

func TestServeMigratesWhenAskedAndItsSessionCookieIsSecure(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"--migrate", "MIGRATE_ON_START=true"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			dbURL := testdb.Empty(t)
			productionEnv(t, dbURL)
			var args []string
			if how == "--migrate" {
				args = []string{"--migrate"}
			} else {
				setenv(t, "MIGRATE_ON_START", "true")
			}
			base := startServe(t, args...)
			if !hasTable(t, dbURL, "sessions") {
				t.Fatalf("serve %s did not migrate", how)
			}
			// A cookie jar keeps Secure cookies away from http://, so carry
			// the CSRF cookie by hand: sign-out leaves a session (its notice).
			res, err := http.Get(base + "/login")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := readBody(res)
			csrfCookie := cookieNamed(res, "console_csrf")
			token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
			if csrfCookie == nil || token == nil {
				t.Fatal("no CSRF cookie or token")
			}
			req, _ := http.NewRequest(http.MethodPost, base+"/logout", strings.NewReader(url.Values{"_csrf": {token[1]}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(csrfCookie)
			res, err = http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-out: %d", res.StatusCode)
			}
			if c := cookieNamed(res, "console_session"); c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie %+v, want Secure, HttpOnly, SameSite=Lax", c)
			}
		})
	}
}

func readBody(res *http.Response) (string, error) {
	defer res.Body.Close()
	var b bytes.Buffer
	_, err := b.ReadFrom(res.Body)
	return b.String(), err
}

func TestServeInProductionRefusesToStartWithoutPublicURL(t *testing.T) {
	t.Parallel()
	dbURL := testdb.Empty(t)
	productionEnv(t, dbURL)
	setenv(t, "PUBLIC_URL", "")
	_, _, err := runCLI(t, dbURL, "serve")
	if err == nil || !strings.Contains(err.Error(), "PUBLIC_URL is required in production") {
		t.Fatalf("serve in production with PUBLIC_URL unset: %v", err)
	}
	if hasTable(t, dbURL, "tenants") {
		t.Fatal("serve migrated the database before refusing")
	}
}
