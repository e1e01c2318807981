package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"

	"github.com/tenant-console/console/internal/logging"
	"github.com/tenant-console/console/internal/tenant"
)

// Dead connections: the server closes the console's database connections
// (pg_terminate_backend, a restart, the database refusing connections). A
// request that meets one before anything was committed is run once more on
// a live connection; when that fails too it answers 503 with the one error
// page (or a toast for htmx). None answers 500.

// adminConn is a connection of the test's own to the app's database,
// outside the console's pool.
func (a *app) adminConn(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, a.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// terminateAll terminates every backend of the app's database but admin's
// and waits until they are gone; it returns how many there were.
func terminateAll(t *testing.T, admin *pgx.Conn) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		var left int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			return n
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("terminated backends did not go away")
	return n
}

// postRoutes are the router's POST routes, in a fixed order: signing in
// and out last, as they change who is asking.
func postRoutes(e *echo.Echo) []*echo.Route {
	var out []*echo.Route
	for _, r := range e.Routes() {
		if r.Method == http.MethodPost {
			out = append(out, r)
		}
	}
	last := func(r *echo.Route) bool {
		return r.Path == "/login" || r.Path == "/logout" || r.Path == "/account/sign-out-everywhere"
	}
	slices.SortFunc(out, func(a, b *echo.Route) int {
		if last(a) != last(b) {
			if last(a) {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// writeFixture is what the write routes act on: a member of tenant A, a
// pending invitation of tenant A and a support staff member.
type writeFixture struct {
	member, staff string // user ids
	invitation    int64
	apiToken      int64
}

func (a *app) writeFixture(t *testing.T) writeFixture {
	t.Helper()
	var f writeFixture
	f.member = a.createPerson(t, "mosa@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberMember}).userID
	f.staff = a.createPerson(t, "sipho@console.example", tenant.RoleSupport, nil).userID
	if err := a.pool.QueryRow(context.Background(), `INSERT INTO user_invitations
		(tenant_id, email, role, invited_by, status, created_at, expires_at)
		VALUES ($1, 'thandi@africastay.example', 'member', 'test', 'pending', now(), now() + interval '7 days')
		RETURNING id`, tenantA).Scan(&f.invitation); err != nil {
		t.Fatal(err)
	}
	tok, _ := a.makeAPIToken(t, "fixture")
	f.apiToken = tok.ID
	return f
}

// path fills a route's parameters with the fixture's ids.
func (f writeFixture) path(route string) string {
	r := strings.NewReplacer(":id", tenantA, ":invitation", fmt.Sprint(f.invitation), ":name", "supabase_service_key",
		":action", string(tenant.ActSuspend), ":token", fmt.Sprint(f.apiToken))
	p := r.Replace(route)
	if strings.HasPrefix(p, "/staff/") {
		return strings.Replace(p, ":user", f.staff, 1)
	}
	return strings.Replace(p, ":user", f.member, 1)
}

// pageForm is what a person sends to a write route: the form's fields,
// and whether the page sends it with htmx (else only as a plain form).
type pageForm struct {
	values url.Values
	htmx   bool
}

// sends are the ways a page sends f: as a plain form (without script),
// and with htmx when the page does.
func (f pageForm) sends() []bool {
	if f.htmx {
		return []bool{false, true}
	}
	return []bool{false}
}

// formFor is the form a person would send to path: the one on the page
// that holds it, as the page fills it in, with a reason, confirmation and
// value where the page leaves them empty; a plausible form otherwise.
func formFor(b *browser, path string) pageForm {
	b.t.Helper()
	if path == "/tenants" {
		form := onboardForm(b.t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
		form.Set("_csrf", csrfField.FindStringSubmatch(b.page)[1])
		return pageForm{values: form}
	}
	pages := []string{path, path[:strings.LastIndex(path, "/")], "/tenants/" + tenantA,
		"/tenants/" + tenantA + "/members", "/staff", "/tenants/new"}
	for _, page := range pages {
		res, body := b.get(page)
		if res.StatusCode != http.StatusOK {
			continue
		}
		if form, htmx := formOnPage(b.t, body, path); form != nil {
			for k, v := range map[string]string{"reason": "moving to another provider", "confirm_id": tenantA,
				"value": "sk-test-0123456789", "email": "newperson@africastay.example", "password": "a long enough password",
				"name": "runtime"} {
				if _, ok := form[k]; ok && form.Get(k) == "" {
					form.Set(k, v)
				}
			}
			if strings.HasSuffix(path, "/bulk") { // the list's ticked rows and chosen action
				form.Set("ids", tenantA)
				form.Set("action", string(tenant.ActSuspend))
			}
			return pageForm{values: form, htmx: htmx}
		}
	}
	b.get("/tenants") // a fresh form token
	return pageForm{values: url.Values{"value": {"sk-test-0123456789"}, "name": {"Renamed"}, "reason": {"because"},
		"email": {"newperson@africastay.example"}, "role": {"admin"}, "plan": {"enterprise"},
		"_csrf": {csrfField.FindStringSubmatch(b.page)[1]}}, htmx: true}
}

// formOnPage reads the fields of the form on page that posts to path, and
// whether it posts with htmx. Where a row's button only asks (a removal),
// the form that confirms it is the one that acts.
func formOnPage(t *testing.T, page, path string) (url.Values, bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	for n := range doc.Descendants() {
		action, _ := attr(n, "action")
		if method, _ := attr(n, "method"); n.Data == "form" && action == path && strings.EqualFold(method, "post") {
			if form == nil {
				form = n
			}
			if strings.Contains(renderedHTML(n), `name="confirm" value="yes"`) {
				form = n
				break
			}
		}
	}
	if form == nil {
		return nil, false
	}
	vals := url.Values{}
	for n := range form.Descendants() {
		name, ok := attr(n, "name")
		if n.Type != html.ElementNode || !ok {
			continue
		}
		switch n.Data {
		case "input":
			typ, _ := attr(n, "type")
			_, checked := attr(n, "checked")
			if (typ == "checkbox" || typ == "radio") && !checked {
				if _, seen := vals[name]; !seen && typ == "radio" {
					vals[name] = nil // named, so a later checked one or the default fills it
				}
				continue
			}
			v, _ := attr(n, "value")
			vals.Set(name, v)
		case "textarea":
			text := ""
			if n.FirstChild != nil {
				text = n.FirstChild.Data
			}
			vals.Set(name, text)
		case "select":
			first, chosen := "", ""
			for o := range n.Descendants() {
				if o.Data != "option" {
					continue
				}
				v, _ := attr(o, "value")
				if first == "" {
					first = v
				}
				if _, sel := attr(o, "selected"); sel {
					chosen = v
				}
			}
			if chosen == "" {
				chosen = first
			}
			vals.Set(name, chosen)
		}
	}
	_, htmx := attr(form, "hx-post")
	return vals, htmx
}

// errorAnswer checks that an answer is the one 503 error page, or for htmx
// the 503 toast, and shows no database text.
func errorAnswer(t *testing.T, what string, res *http.Response, body string, htmx bool) {
	t.Helper()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%s: status %d, want 503\n%s", what, res.StatusCode, clip(body))
		return
	}
	if htmx {
		if !strings.Contains(res.Header.Get("HX-Trigger"), `"level":"error"`) {
			t.Errorf("%s: no error toast (HX-Trigger %q)", what, res.Header.Get("HX-Trigger"))
		}
	} else if n := strings.Count(strings.ToLower(body), "<html"); n != 1 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("%s: %d HTML documents, Content-Type %q", what, n, res.Header.Get("Content-Type"))
	}
	for _, leak := range []string{"SQLSTATE", "57P01", "55000", "FATAL", "terminating connection", "not currently accepting", "EOF"} {
		if strings.Contains(body, leak) {
			t.Errorf("%s: the answer shows %q", what, leak)
		}
	}
}

// TestEveryWriteRouteWithTheDatabaseGone: signed in, then the database
// refuses connections and every connection of the pool is terminated.
// Every POST route of the router, as a plain form and as htmx, answers 503
// with the one error page (or the toast), never 500.
func TestEveryWriteRouteWithTheDatabaseGone(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	f := a.writeFixture(t)
	b := a.signedInAdmin(t)
	routes := postRoutes(a.echo)
	forms := map[string]pageForm{}
	for _, r := range routes {
		forms[r.Path] = formFor(b, f.path(r.Path))
	}

	admin := a.adminConn(t)
	ctx := context.Background()
	// A database's connections are switched off from another database.
	cfg := admin.Config().Copy()
	db := pgx.Identifier{cfg.Database}.Sanitize()
	cfg.Database = "postgres"
	server, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = server.Exec(context.Background(), `ALTER DATABASE `+db+` ALLOW_CONNECTIONS true`)
		_ = server.Close(context.Background())
	})
	if _, err := server.Exec(ctx, `ALTER DATABASE `+db+` ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	terminated := terminateAll(t, admin)

	for _, r := range routes {
		for _, htmx := range []bool{false, true} { // htmx too, whatever the page does
			var headers []string
			if htmx {
				headers = []string{"HX-Request", "true"}
			}
			path := f.path(r.Path)
			res, body := b.postRaw(path, forms[r.Path].values, headers...)
			errorAnswer(t, fmt.Sprintf("POST %s (htmx %v)", path, htmx), res, body, htmx)
		}
	}
	if !strings.Contains(a.logs.String(), "status=503") {
		t.Error("the failures were not logged")
	}
	t.Logf("%d POST routes × plain and htmx answered 503 with the database gone (%d connections terminated)", len(routes), terminated)

	if _, err := server.Exec(ctx, `ALTER DATABASE `+db+` ALLOW_CONNECTIONS true`); err != nil {
		t.Fatal(err)
	}
	if res, body := b.get("/tenants"); res.StatusCode != http.StatusOK {
		t.Fatalf("the database back, GET /tenants: %d\n%s", res.StatusCode, clip(body))
	}
}

// beginKiller terminates, for real, the backend of a console request's
// transaction as it begins (after the request's session and reads): what a
// write meets when the server closes its connection. It kills the first
// perRequest begins of each request.
type beginKiller struct {
	mu         sync.Mutex
	admin      *pgx.Conn
	perRequest int
	killed     map[string]int // by request id
}

func (k *beginKiller) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	id := logging.RequestID(ctx) // only the console's requests carry one
	if id == "" || !strings.HasPrefix(strings.ToLower(data.SQL), "begin") {
		return ctx
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.admin == nil || k.killed[id] >= k.perRequest {
		return ctx
	}
	k.killed[id]++
	pid := conn.PgConn().PID()
	bg := context.Background()
	if _, err := k.admin.Exec(bg, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		panic(err)
	}
	for range 500 { // gone before BEGIN is sent
		var n int
		if err := k.admin.QueryRow(bg, `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&n); err != nil || n == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	return ctx
}

func (k *beginKiller) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (k *beginKiller) arm(admin *pgx.Conn) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.admin, k.killed = admin, map[string]int{}
}

func (k *beginKiller) kills(requestID string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.killed[requestID]
}

// TestEveryWriteRouteWhenItsTransactionLosesItsConnection: every POST
// route, with a form as its page fills it in, signed in as a platform
// admin. When the connection of the request's transaction is terminated as
// it begins, the store runs it once more on a live connection and the
// answer is what it would have been; when that connection is terminated
// too, the answer is 503 with the one error page (or the toast). Never 500.
func TestEveryWriteRouteWhenItsTransactionLosesItsConnection(t *testing.T) {
	t.Parallel()
	for _, perRequest := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d of its connections terminated", perRequest), func(t *testing.T) {
			t.Parallel()
			killer := &beginKiller{perRequest: perRequest}
			a := newAppWith(t, appOptions{tracer: killer})
			f := a.writeFixture(t)
			b := a.signedInAdmin(t)
			routes := postRoutes(a.echo)
			forms := map[string]pageForm{} // read before: pages begin transactions too
			for _, r := range routes {
				forms[r.Path] = formFor(b, f.path(r.Path))
			}
			killer.arm(a.adminConn(t))
			reached := map[string]bool{}
			for _, r := range routes {
				for _, htmx := range forms[r.Path].sends() {
					path := f.path(r.Path)
					var headers []string
					if htmx {
						headers = []string{"HX-Request", "true"}
					}
					res, body := b.postRaw(path, forms[r.Path].values, headers...)
					what := fmt.Sprintf("POST %s (htmx %v)", path, htmx)
					kills := killer.kills(res.Header.Get("X-Request-Id"))
					switch {
					case kills == 0 && res.StatusCode >= 500:
						t.Errorf("%s: status %d though no connection was terminated\n%s", what, res.StatusCode, clip(body))
					case kills == 0:
					case perRequest == 2 && r.Path == "/tenants/bulk":
						// Each ticked tenant has its own transaction; the
						// results list the ones that failed, to try again.
						reached[r.Path] = true
						if res.StatusCode >= 500 || (htmx && !strings.Contains(body, "could not be changed; try again")) {
							t.Errorf("%s: status %d\n%s", what, res.StatusCode, clip(body))
						}
					case perRequest == 2:
						reached[r.Path] = true
						errorAnswer(t, what, res, body, htmx)
					default:
						reached[r.Path] = true
						if res.StatusCode >= 500 {
							t.Errorf("%s: status %d after one terminated connection, want the answer of its retry\n%s",
								what, res.StatusCode, clip(body))
						}
					}
				}
			}
			for _, r := range routes {
				// Signing in and out open no transaction of the console's, nor
				// do the e-mail link pages without a link GoTrue issued (the
				// forgotten-password form only counts an attempt); their
				// writes go through the same transaction helper.
				if !reached[r.Path] && !noTransactionOfItsOwn[r.Path] {
					t.Errorf("POST %s never reached its transaction: its form did not get far enough", r.Path)
				}
			}
			// Onboarding (its transaction retried once, or refused twice)
			// wrote its tenant once, or not at all.
			var tenants, created int
			if err := a.pool.QueryRow(context.Background(), `SELECT
				(SELECT count(*) FROM tenants WHERE short_name = 'zambezi-canoe'),
				(SELECT count(*) FROM audit_events WHERE action = $1 AND after->>'short_name' = 'zambezi-canoe')`,
				tenant.ActionTenantCreated).Scan(&tenants, &created); err != nil {
				t.Fatal(err)
			}
			if want := 2 - perRequest; tenants != want || created != want {
				t.Errorf("onboarding wrote %d tenants and %d creation events, want %d", tenants, created, want)
			}
			t.Logf("%d of %d POST routes met a terminated transaction connection (%d a request)", len(reached), len(routes), perRequest)
		})
	}
}

// TestIdlePoolWithEveryBackendTerminatedAnswersNormally: the pool holds
// several connections used a moment ago (so it does not ping them); every
// backend is terminated; the next page answers normally, three times over.
func TestIdlePoolWithEveryBackendTerminatedAnswersNormally(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	admin := a.adminConn(t)
	for round := range 3 {
		var wg sync.WaitGroup
		for range 4 { // several connections in the pool
			wg.Go(func() {
				res, err := b.client.Get(a.URL + "/tenants/" + tenantA)
				if err == nil {
					res.Body.Close()
				}
			})
		}
		wg.Wait()
		if res, _ := b.get("/tenants"); res.StatusCode != http.StatusOK {
			t.Fatalf("round %d, before: %d", round, res.StatusCode)
		}
		idle := a.pool.Stat().IdleConns()
		n := terminateAll(t, admin)
		res, body := b.get("/tenants")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Africa Stay") {
			t.Fatalf("round %d: GET /tenants after %d backends (%d idle in the pool) were terminated: %d\n%s",
				round, n, idle, res.StatusCode, clip(body))
		}
		t.Logf("round %d: %d backends terminated (%d idle connections in the pool), then GET /tenants: 200", round, n, idle)
	}
}

// TestKillStormAnswersNoServerError: 200 requests (pages, and saves of the
// settings form) while every backend of the database is terminated every
// 25 milliseconds. Every answer is the page, a redirect, a stale-form
// answer, or the 503 error page: none is a 500.
func TestKillStormAnswersNoServerError(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	settingsPath := "/tenants/" + tenantA + "/settings"
	settings := formFor(b, settingsPath).values
	admin := a.adminConn(t)
	ctx := context.Background()

	stop := make(chan struct{})
	var terminated atomic.Int64
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(25 * time.Millisecond):
			}
			var n int64
			if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
				t.Errorf("terminate: %v", err)
				return
			}
			terminated.Add(n)
		}
	}()

	const requests, workers = 200, 4
	var next atomic.Int64
	statuses := make([]int, requests)
	bodies := make([]string, requests)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= requests {
					return
				}
				var req *http.Request
				switch i % 3 {
				case 0:
					req = mustRequest(t, http.MethodGet, a.URL+"/tenants")
				case 1:
					req = mustRequest(t, http.MethodGet, a.URL+"/tenants/"+tenantA)
				default:
					form := url.Values{}
					for k, v := range settings {
						form[k] = v
					}
					form.Set("company_name", fmt.Sprintf("Africa Stay %d", i))
					req, _ = http.NewRequest(http.MethodPost, a.URL+settingsPath, strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				res, err := b.client.Do(req)
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				statuses[i], bodies[i] = res.StatusCode, readAll(t, res)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-killerDone

	count := map[int]int{}
	for i, status := range statuses {
		count[status]++
		// The dev GoTrue keeps its users in this same database, so the storm
		// also kills its connections; its own failure answering the
		// console's re-check of a person is a 502, as a real GoTrue's would
		// be. Never a 500.
		if status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusBadGateway {
			t.Errorf("request %d: status %d\n%s", i, status, clip(bodies[i]))
		}
		if status == http.StatusServiceUnavailable && !strings.Contains(bodies[i], "Try again shortly") &&
			!strings.Contains(bodies[i], "try again") {
			t.Errorf("request %d: a 503 without its message\n%s", i, clip(bodies[i]))
		}
	}
	t.Logf("%d requests while %d backends were terminated: statuses %v", requests, terminated.Load(), count)
	if terminated.Load() == 0 {
		t.Fatal("no backend was terminated: the test proved nothing")
	}
}

// noTransactionOfItsOwn are the POST routes a form alone does not take to a
// console transaction.
var noTransactionOfItsOwn = map[string]bool{
	"/login": true, "/logout": true, "/auth/callback": true, "/auth/forgot": true, "/auth/password": true,
	// the account's own changes are GoTrue's; the console records one
	// audit row, outside any transaction
	"/auth/mfa": true, "/auth/mfa/enrol": true, "/auth/password/code": true, "/account/password": true, "/account/sign-out-everywhere": true,
	"/staff/:user/mfa/reset": true,
}

func renderedHTML(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	return b.String()
}
