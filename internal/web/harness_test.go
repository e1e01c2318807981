package web_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/config"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
	"github.com/tenant-console/console/internal/web"
)

// app is the console served over a real listener, on a fresh database with
// the demo agencies, signing people in through the embedded dev GoTrue.
type app struct {
	*httptest.Server
	echo   *echo.Echo
	pool   *pgxpool.Pool
	store  *store.Store
	gotrue *gotrue.Client
	logs   *logBuffer
	// gotrueURL and serviceKey reach the dev GoTrue's admin API directly
	// (what an invited person's acceptance does there).
	gotrueURL, serviceKey string
	// dev is the embedded GoTrue, whose mailbox holds the e-mails it sent.
	dev *devgotrue.Server
}

type appOptions struct {
	limits  auth.Limits
	devAuth devgotrue.Options
	// gotrueURL, when set, points sign-in at another GoTrue (e.g. a closed
	// port, to see what happens when GoTrue is down); accountsURL does the
	// same for onboarding's account step only.
	gotrueURL, accountsURL string
	// openMetrics leaves METRICS_TOKEN unset (the harness sets one).
	openMetrics bool
	// wrapGoTrue, when set, puts a handler in front of the dev GoTrue (e.g.
	// to have it answer 500 for some calls); the console talks to it through
	// the real client as to any GoTrue.
	wrapGoTrue func(http.Handler) http.Handler
	// trustedProxies is TRUSTED_PROXIES (CIDRs); none by default.
	trustedProxies []string
	// production serves over TLS with APP_ENV=production's settings
	// (Secure cookies, HSTS).
	production bool
	// gotrueTimeout bounds each call to GoTrue (default: the client's).
	gotrueTimeout time.Duration
	// noDemoData leaves the registry empty (a database at an older
	// migration cannot take today's demo rows).
	noDemoData bool
	// databaseURL, when set, is the (migrated) database to run on instead
	// of a fresh clone from testdb.
	databaseURL string
	// tracer, when set, sees every query the console's pool issues.
	tracer pgx.QueryTracer
	// now, when set, is the console's clock for rechecking sessions with
	// GoTrue (AUTH_RECHECK_INTERVAL keeps its default).
	now func() time.Time
	// recoveryLimits bound "Forgot your password?" (default: auth's).
	recoveryLimits auth.Limits
	// staffMFA is STAFF_MFA=required; unset, staff sign in with a password
	// alone (production mode included, so its tests need no codes).
	staffMFA bool
	// apiRate limits each API token (zero: the default).
	apiRate web.APIRate
}

func newApp(t *testing.T) *app { return newAppWith(t, appOptions{}) }

func newAppWith(t *testing.T, opts appOptions) *app {
	t.Helper()
	ctx := context.Background()
	var pool *pgxpool.Pool
	switch {
	case opts.databaseURL != "":
		var err error
		if pool, err = pgxpool.New(ctx, opts.databaseURL); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
	case opts.tracer == nil:
		pool = testdb.New(t)
	default:
		cfg, err := pgxpool.ParseConfig(testdb.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.Tracer = opts.tracer
		if pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
	}
	st := store.New(pool)
	if !opts.noDemoData {
		if err := st.BulkInsert(ctx, demo.Agencies(time.Now())); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	logs := &logBuffer{}
	log := logging.New(logs, "text", "debug")

	devOpts := opts.devAuth
	devOpts.Logger, devOpts.Autoconfirm, devOpts.PasswordHashCost = log, true, bcrypt.MinCost
	dev, err := devgotrue.New(ctx, pool, devOpts)
	if err != nil {
		t.Fatalf("dev gotrue: %v", err)
	}
	gtURL, stop, err := dev.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dev gotrue: %v", err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	if opts.wrapGoTrue != nil {
		wrapped := httptest.NewServer(opts.wrapGoTrue(dev.Handler()))
		t.Cleanup(wrapped.Close)
		gtURL = wrapped.URL
	}
	gt := gotrue.New(gotrue.Config{URL: gtURL, AnonKey: dev.AnonKey(), ServiceRoleKey: dev.ServiceRoleKey()})
	elsewhere := func(url string) *gotrue.Client {
		if url == "" && opts.gotrueTimeout == 0 {
			return gt
		}
		if url == "" {
			url = gtURL
		}
		return gotrue.New(gotrue.Config{URL: url, AnonKey: dev.AnonKey(), ServiceRoleKey: dev.ServiceRoleKey(),
			HTTPClient: &http.Client{Timeout: opts.gotrueTimeout}})
	}
	consoleGT, accountsGT := elsewhere(opts.gotrueURL), elsewhere(opts.accountsURL)

	proxies, err := config.ParseCIDRs(opts.trustedProxies)
	if err != nil {
		t.Fatal(err)
	}
	if opts.limits.WindowSeconds == 0 {
		opts.limits = auth.DefaultLimits
	}
	// The listener comes first: e-mail links lead back to its address.
	srv := httptest.NewUnstartedServer(nil)
	scheme := map[bool]string{false: "http", true: "https"}[opts.production]
	callback := auth.CallbackURL(scheme + "://" + srv.Listener.Addr().String())
	accounts := auth.Accounts{Client: accountsGT, RedirectTo: callback}
	members := tenant.NewMemberService(st, accounts)
	h := web.New(web.Deps{
		Log:        log,
		Tenants:    tenant.NewService(st),
		Onboarding: tenant.NewOnboarding(st, accounts),
		Auth: &auth.Authenticator{GoTrue: consoleGT, Store: st, Limits: opts.limits, Log: log, Invitations: members,
			Audit: st, RedirectTo: callback, RecoveryLimits: opts.recoveryLimits},
		Members:        members,
		Staff:          tenant.NewStaffService(st, accounts),
		Access:         st,
		Sessions:       web.NewSessions(st.Sessions(pgxstore.NewWithCleanupInterval(pool, 0)), 12*time.Hour, time.Hour, !opts.production),
		Secrets:        tenant.NewSecretService(st, testKeyring(t)),
		Ready:          []web.ReadyCheck{{Name: "database", Check: st.Ping}, {Name: "gotrue", Check: gt.Health}},
		MetricsToken:   map[bool]string{false: "scrape-token", true: ""}[opts.openMetrics],
		Dev:            !opts.production,
		TrustedProxies: proxies,
		Audit:          tenant.NewAuditService(st),
		Now:            opts.now,
		DevMail:        devMailbox(dev, opts.production),
		StaffMFA:       opts.staffMFA,
		APITokens:      tenant.NewAPITokenService(st),
		Publisher:      tenant.NewPublisher(st),
		APIRate:        opts.apiRate,
	})
	srv.Config.Handler = h
	if opts.production {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return &app{Server: srv, echo: h, pool: pool, store: st, gotrue: gt, logs: logs,
		gotrueURL: gtURL, serviceKey: dev.ServiceRoleKey(), dev: dev}
}

// devMailbox is what `console dev` serves at /dev/mail: the dev GoTrue's
// mailbox, and nothing in production.
func devMailbox(dev *devgotrue.Server, production bool) web.DevMailbox {
	if production {
		return nil
	}
	return dev
}

// person is an account the tests create, with its roles.
type person struct {
	email, password string
	userID          string
}

// createPerson makes a GoTrue account and gives it a staff role and/or
// memberships (tenant id → role), written directly as fixtures.
func (a *app) createPerson(t *testing.T, email string, staff tenant.Role, memberships map[string]tenant.MemberRole) person {
	t.Helper()
	ctx := context.Background()
	p := person{email: email, password: "correct horse " + email}
	u, err := a.gotrue.CreateUser(ctx, gotrue.CreateUserParams{Email: email, Password: p.password, EmailConfirm: true})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	p.userID = u.ID
	if staff != "" {
		if _, err := a.store.UpsertStaff(ctx, tenant.System("test"), store.Staff{UserID: u.ID, Email: email, Role: staff}); err != nil {
			t.Fatal(err)
		}
	}
	for tenantID, role := range memberships {
		if _, err := a.pool.Exec(ctx, `INSERT INTO organization_users (tenant_id, user_id, email, role, created_by)
			VALUES ($1, $2, $3, $4, 'test')`, tenantID, u.ID, email, string(role)); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// browser is an HTTP client with a cookie jar that reads forms as a browser
// would: it takes the CSRF token from the page it is on. It sends no
// Sec-Fetch-Site header, so the token path is what is exercised.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	page   string // the last HTML received
	// router is the app's echo router: scenarios (run) are played straight
	// into it, with the browser's cookies, instead of over the listener.
	router http.Handler
}

func (a *app) newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: a.URL, client: &http.Client{Jar: jar, Transport: a.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, router: a.echo}
}

// get fetches path and remembers the page.
func (b *browser) get(path string, headers ...string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// post submits form to path with the CSRF token of the last page.
func (b *browser) post(path string, form url.Values, headers ...string) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		m := csrfField.FindStringSubmatch(b.page)
		if m == nil {
			b.t.Fatalf("POST %s: the last page has no _csrf field", path)
		}
		form.Set("_csrf", m[1])
	}
	return b.postRaw(path, form, headers...)
}

// postRaw submits form exactly as given (no token added).
func (b *browser) postRaw(path string, form url.Values, headers ...string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body := readAll(b.t, res)
	if strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		b.page = body
	}
	return res, body
}

// signIn signs p in and fails the test unless it lands somewhere.
func (b *browser) signIn(p person) {
	b.t.Helper()
	b.get("/login")
	res, body := b.post("/login", url.Values{"email": {p.email}, "password": {p.password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in %s: status %d\n%s", p.email, res.StatusCode, clip(body))
	}
}

// scenario is one request and what its answer must (not) contain: a row of
// a table of status and content cases, played by run.
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

// run plays scenarios as b (signed in or not), each a subtest: straight into
// the router through httptest with b's cookies (what a table of status and
// content cases needs), or over the listener for a browser without one.
func (b *browser) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = http.MethodGet
			}
			req, err := http.NewRequest(method, b.base+sc.url, strings.NewReader(sc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range sc.headers {
				req.Header.Set(k, v)
			}
			res := b.serve(t, req)
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
				if got := strings.Join(res.Header.Values(k), ", "); !strings.Contains(got, v) {
					t.Errorf("%s %s: header %s = %q, want it to contain %q", method, sc.url, k, got, v)
				}
			}
		})
	}
}

// serve answers req as the router does for a request from this browser on
// the loopback (its cookies in, the answer's cookies kept), or over the
// listener when the browser has no router.
func (b *browser) serve(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	if b.router == nil {
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, c := range b.client.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	req.RemoteAddr = "127.0.0.1:40000"
	req.RequestURI = req.URL.RequestURI()
	if req.URL.Scheme == "https" {
		req.TLS = &tls.ConnectionState{}
	}
	rec := httptest.NewRecorder()
	b.router.ServeHTTP(rec, req)
	res := rec.Result()
	b.client.Jar.SetCookies(req.URL, res.Cookies())
	return res
}

// signedInAdmin returns a browser signed in as a fresh platform admin.
func (a *app) signedInAdmin(t *testing.T) *browser {
	t.Helper()
	b := a.newBrowser(t)
	b.signIn(a.createPerson(t, fmt.Sprintf("admin-%d@console.example", time.Now().UnixNano()), tenant.RolePlatformAdmin, nil))
	return b
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
	if len(s) > 3000 {
		return s[:3000] + "…"
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
