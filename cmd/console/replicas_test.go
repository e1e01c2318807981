package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/testdb"
)

// The console deployed as README "Several replicas" says: the schema
// migrated once as a deploy step, three `console serve` processes (the real
// binary) on one database and one GoTrue, behind a TLS load balancer that
// deals requests round-robin, and a `sync-yaml --follow` beside two of them.
// What a person does through the one address works whichever process
// answers, and the tree has one writer.
func TestSeveralReplicasBehindOneAddress(t *testing.T) {
	d := deployReplicas(t, 3)

	// A session made on one replica is honoured by the others: the sign-in
	// page comes from one, the sign-in (and its CSRF token) goes to the next,
	// and the pages after it come from all three.
	admin := d.newBrowser()
	admin.signIn(t, replicaAdminEmail, replicaAdminPassword)
	served := map[int]bool{}
	for range 6 {
		res := admin.do(t, http.MethodGet, "/tenants", nil, -1)
		if res.status != http.StatusOK || !strings.Contains(res.body, `id="tenant-search"`) {
			t.Fatalf("GET /tenants on replica %d: status %d, the signed-in list is not there:\n%.1500s", res.replica, res.status, res.body)
		}
		served[res.replica] = true
	}
	if len(served) != 3 {
		t.Fatalf("the list was served by replicas %v, not all three", served)
	}

	// Two followers of one tree (as on two replica hosts sharing the
	// volume the old runtime reads): one writes, the other waits.
	tree := filepath.Join(t.TempDir(), "clients")
	followers := []*replicaProcess{d.startFollower(t, tree), d.startFollower(t, tree)}
	writer, waiter := d.oneWriter(t, followers)

	// One onboarding form sent twice at the same moment, to two replicas
	// (a double click across the balancer): one tenant, one owner account,
	// and both answers lead to it.
	form := admin.onboardForm(t, "zambezi")
	var wg sync.WaitGroup
	answers := make([]replicaResponse, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = admin.do(t, http.MethodPost, "/tenants", form, i)
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/tenants/onboarded/"+form.Get("idempotency_key")) {
			t.Fatalf("submit %d (replica %d): status %d, location %q\n%.1500s", i, a.replica, a.status, a.location, a.body)
		}
		if page := admin.do(t, http.MethodGet, a.location, nil, -1); page.status != http.StatusOK || !strings.Contains(page.body, "Zambezi") {
			t.Fatalf("the result page %s (replica %d): status %d\n%.1500s", a.location, page.replica, page.status, page.body)
		}
	}
	t.Logf("the double submit: replica %d answered %s, replica %d answered %s",
		answers[0].replica, answers[0].location, answers[1].replica, answers[1].location)
	var tenants, owners int
	pool := connect(t, d.dbURL)
	ctx := context.Background()
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tenants WHERE short_name = 'zambezi'`).Scan(&tenants); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM organization_users WHERE email = 'owner@zambezi.example'`).Scan(&owners); err != nil {
		t.Fatal(err)
	}
	if tenants != 1 || owners != 1 {
		t.Fatalf("a double submit to two replicas made %d tenants and %d owners, want 1 and 1", tenants, owners)
	}
	// The owner's one account signs in with the password the form gave.
	d.newBrowser().signIn(t, "owner@zambezi.example", "paddle the zambezi river")
	var zambezi string
	if err := pool.QueryRow(ctx, `SELECT id FROM tenants WHERE short_name = 'zambezi'`).Scan(&zambezi); err != nil {
		t.Fatal(err)
	}

	// The new tenant reaches the tree, written by the writer alone.
	waitForFile(t, filepath.Join(tree, zambezi, "client.yaml"))
	if !strings.Contains(writer.logs.String(), "tenant_id="+zambezi) {
		t.Fatalf("the writing follower did not log the change:\n%s", writer.logs.String())
	}
	if strings.Contains(waiter.logs.String(), "mirror: applied") {
		t.Fatalf("the waiting follower wrote to the tree:\n%s", waiter.logs.String())
	}
	// The writer stops (a deploy, a crash): the other takes over and the
	// next change still arrives.
	writer.stop(t)
	took := d.waitWriting(t, waiter)
	t.Logf("the waiting follower took over %s after the writer stopped", took.Round(time.Millisecond))
	second := admin.onboardForm(t, "kafue")
	if a := admin.do(t, http.MethodPost, "/tenants", second, -1); a.status != http.StatusSeeOther {
		t.Fatalf("second onboarding: status %d\n%.1500s", a.status, a.body)
	}
	var kafue string
	if err := pool.QueryRow(ctx, `SELECT id FROM tenants WHERE short_name = 'kafue'`).Scan(&kafue); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, filepath.Join(tree, kafue, "client.yaml"))

	// Sign-in failures count across replicas: three wrong passwords on
	// replica 1 and two on replica 2 use up the five allowed, so replica 3
	// refuses even the right password.
	person := d.newBrowser()
	for i, replica := range []int{0, 0, 0, 1, 1} {
		res := person.postLogin(t, replicaSupportEmail, "not the password", replica)
		if !strings.Contains(res.body, "Email or password is incorrect.") {
			t.Fatalf("wrong password %d on replica %d: status %d\n%.1500s", i+1, res.replica, res.status, res.body)
		}
	}
	res := person.postLogin(t, replicaSupportEmail, replicaSupportPassword, 2)
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "Too many attempts.") {
		t.Fatalf("the right password on replica 3 after five failures elsewhere: status %d\n%.1500s", res.status, res.body)
	}
}

const (
	replicaAdminEmail      = "ops@replicas.example"
	replicaAdminPassword   = "a long enough password"
	replicaSupportEmail    = "support@replicas.example"
	replicaSupportPassword = "another long password"
)

// replicaDeployment is the processes of one deployment and the balancer in
// front of them.
type replicaDeployment struct {
	bin    string
	dbURL  string
	env    []string // what every process of the deployment is given
	public *httptest.Server
	lb     *roundRobin
}

// deployReplicas builds the console, migrates an empty database (the deploy
// step), starts one GoTrue and n replicas in production mode behind a TLS
// round-robin balancer, and makes two staff accounts.
func deployReplicas(t *testing.T, n int) *replicaDeployment {
	t.Helper()
	d := &replicaDeployment{bin: buildConsole(t), dbURL: testdb.Empty(t), lb: &roundRobin{}}
	d.public = httptest.NewUnstartedServer(d.lb.proxy())
	d.public.StartTLS()
	t.Cleanup(d.public.Close)

	// One GoTrue for every replica (a real deployment's, here the dev server
	// reached over GOTRUE_URL like any other).
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	d.env = append(cleanEnv(),
		"DATABASE_URL="+d.dbURL, "APP_ENV=production", "PUBLIC_URL="+d.public.URL,
		"CONSOLE_SECRET_KEY="+base64.StdEncoding.EncodeToString(key),
		"TRUSTED_PROXIES=127.0.0.1", "STAFF_MFA=optional", "LOG_FORMAT=text", "LOG_LEVEL=info")
	d.run(t, "migrate")
	dev, err := devgotrue.New(context.Background(), connect(t, d.dbURL), devgotrue.Options{Autoconfirm: true, PasswordHashCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	gtURL, stop, err := dev.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	d.env = append(d.env, "GOTRUE_URL="+gtURL, "GOTRUE_ANON_KEY="+dev.AnonKey(), "GOTRUE_SERVICE_ROLE_KEY="+dev.ServiceRoleKey())
	d.run(t, "create-staff", "--email", replicaAdminEmail, "--password", replicaAdminPassword, "--role", "platform_admin")
	d.run(t, "create-staff", "--email", replicaSupportEmail, "--password", replicaSupportPassword, "--role", "support")

	backends := make([]*url.URL, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := d.start(t, replicaServing, "serve")
			u, err := url.Parse(p.address)
			if err != nil {
				t.Error(err)
				return
			}
			backends[i] = u
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	d.lb.set(backends)
	return d
}

// buildConsole builds this package's binary into the test's directory.
func buildConsole(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "console")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is this process's environment without the console's settings,
// so that only what a test states reaches the processes it starts.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DATABASE_URL", "APP_ENV", "GOTRUE_URL", "GOTRUE_ANON_KEY", "GOTRUE_SERVICE_ROLE_KEY", "CONSOLE_DATA_DIR",
			"LISTEN_ADDR", "LOG_LEVEL", "LOG_FORMAT", "METRICS_TOKEN", "CONSOLE_SECRET_KEY", "CONSOLE_SECRET_KEY_PREVIOUS",
			"PUBLIC_URL", "TRUSTED_PROXIES", "STAFF_MFA", "MIGRATE_ON_START":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// run runs a console command of the deployment to its end.
func (d *replicaDeployment) run(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(d.bin, args...)
	cmd.Env = slices.Concat(d.env, []string{"CONSOLE_DATA_DIR=" + t.TempDir()})
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("console %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// replicaProcess is one long-running console process.
type replicaProcess struct {
	cmd     *exec.Cmd
	logs    *lockedBuffer
	address string // what it serves on, from its log
	done    chan struct{}
	once    sync.Once
}

var (
	replicaServing = regexp.MustCompile(`msg=serving url=(http://\S+)`)
	followerHealth = regexp.MustCompile(`msg="health endpoint" url=(http://\S+)`)
)

// start starts a console command and waits (bounded) until its log shows
// ready; it is stopped when the test ends.
func (d *replicaDeployment) start(t *testing.T, ready *regexp.Regexp, args ...string) *replicaProcess {
	t.Helper()
	p := &replicaProcess{logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(d.bin, args...)
	// A new slice: processes start at once, and appending to d.env could
	// write their settings into one shared array.
	p.cmd.Env = slices.Concat(d.env, []string{"LISTEN_ADDR=127.0.0.1:0", "CONSOLE_DATA_DIR=" + t.TempDir()})
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop(t) })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := ready.FindStringSubmatch(p.logs.String()); m != nil {
			p.address = m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("console %s stopped:\n%s", strings.Join(args, " "), p.logs.String())
		default:
		}
	}
	t.Fatalf("console %s did not start within 30s:\n%s", strings.Join(args, " "), p.logs.String())
	return nil
}

// stop ends the process as a deploy does (SIGTERM), killing it if it does
// not stop within 20 s.
func (p *replicaProcess) stop(t *testing.T) {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			t.Errorf("console did not stop on SIGTERM within 20s:\n%s", p.logs.String())
		}
	})
}

// startFollower starts `sync-yaml tree --follow` with its health endpoint.
func (d *replicaDeployment) startFollower(t *testing.T, tree string) *replicaProcess {
	t.Helper()
	return d.start(t, followerHealth, "sync-yaml", tree, "--follow", "--listen", "127.0.0.1:0")
}

// followerState is the state a follower's /healthz reports ("" when it
// does not answer).
func followerState(p *replicaProcess) string {
	res, err := http.Get(p.address)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`"state":"(\w+)"`).FindSubmatch(body)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// oneWriter waits (bounded) until one follower writes and the other waits.
func (d *replicaDeployment) oneWriter(t *testing.T, fs []*replicaProcess) (writer, waiter *replicaProcess) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		a, b := followerState(fs[0]), followerState(fs[1])
		switch {
		case a == "writing" && b == "waiting":
			return fs[0], fs[1]
		case a == "waiting" && b == "writing":
			return fs[1], fs[0]
		case a == "writing" && b == "writing":
			t.Fatal("both followers write")
		}
	}
	t.Fatalf("not one writer and one waiting follower after 20s: %q and %q", followerState(fs[0]), followerState(fs[1]))
	return nil, nil
}

// waitWriting waits (bounded) until p writes, and says how long it took.
func (d *replicaDeployment) waitWriting(t *testing.T, p *replicaProcess) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 20*time.Second {
		if followerState(p) == "writing" {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the waiting follower did not take over within 20s:\n%s", p.logs.String())
	return 0
}

func waitForFile(t *testing.T, file string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(file); err == nil {
			return
		}
	}
	t.Fatalf("%s did not appear within 20s", file)
}

// roundRobin is the load balancer: each request goes to the next replica,
// unless the test pins it to one (the pinReplica header). Each answer says
// which replica gave it (the servedBy header).
type roundRobin struct {
	mu       sync.Mutex
	backends []*url.URL
	next     atomic.Uint64
}

const (
	pinReplica = "X-Test-Replica"
	servedBy   = "X-Test-Served-By"
)

func (rr *roundRobin) set(backends []*url.URL) {
	rr.mu.Lock()
	rr.backends = backends
	rr.mu.Unlock()
}

func (rr *roundRobin) proxy() http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			rr.mu.Lock()
			backends := rr.backends
			rr.mu.Unlock()
			i := int(rr.next.Add(1)-1) % len(backends)
			if pin, err := strconv.Atoi(r.In.Header.Get(pinReplica)); err == nil {
				i = pin
			}
			r.SetURL(backends[i])
			r.Out.Host = r.In.Host // the public address, as a balancer keeps it
			r.SetXForwarded()      // X-Forwarded-For and -Proto: https
			r.Out.Header.Del(pinReplica)
			r.Out.Header.Set(servedBy, strconv.Itoa(i))
		},
		ModifyResponse: func(res *http.Response) error {
			res.Header.Set(servedBy, res.Request.Header.Get(servedBy))
			return nil
		},
	}
}

// replicaBrowser is a person's browser at the deployment's address.
type replicaBrowser struct {
	d      *replicaDeployment
	client *http.Client
}

func (d *replicaDeployment) newBrowser() *replicaBrowser {
	jar, _ := cookiejar.New(nil)
	// A copy: the server's Client is one value shared by every caller.
	client := *d.public.Client()
	client.Jar = jar
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &replicaBrowser{d: d, client: &client}
}

type replicaResponse struct {
	status   int
	body     string
	location string
	replica  int
}

// do sends a request (a form when form is not nil) to replica pin, or to
// whichever the balancer picks when pin is -1.
func (b *replicaBrowser) do(t *testing.T, method, path string, form url.Values, pin int) replicaResponse {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.d.public.URL+path, body)
	if err != nil {
		t.Error(err)
		return replicaResponse{}
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if pin >= 0 {
		req.Header.Set(pinReplica, strconv.Itoa(pin))
	}
	res, err := b.client.Do(req)
	if err != nil {
		t.Error(err) // t.Error: do runs on other goroutines too
		return replicaResponse{}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	replica, _ := strconv.Atoi(res.Header.Get(servedBy))
	return replicaResponse{status: res.StatusCode, body: string(data), location: res.Header.Get("Location"), replica: replica}
}

var (
	replicaCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	replicaKey  = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)
)

// field reads a hidden field's value from a page.
func field(t *testing.T, re *regexp.Regexp, page replicaResponse) string {
	t.Helper()
	m := re.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("the page from replica %d (status %d) has no %s:\n%.1500s", page.replica, page.status, re, page.body)
	}
	return m[1]
}

// postLogin fetches the sign-in page from any replica and sends the form to
// replica pin.
func (b *replicaBrowser) postLogin(t *testing.T, email, password string, pin int) replicaResponse {
	t.Helper()
	page := b.do(t, http.MethodGet, "/login", nil, -1)
	return b.do(t, http.MethodPost, "/login", url.Values{"_csrf": {field(t, replicaCSRF, page)},
		"email": {email}, "password": {password}}, pin)
}

func (b *replicaBrowser) signIn(t *testing.T, email, password string) {
	t.Helper()
	if res := b.postLogin(t, email, password, -1); res.status != http.StatusSeeOther {
		t.Fatalf("sign in on replica %d: status %d\n%.1500s", res.replica, res.status, res.body)
	}
}

// onboardForm is a filled onboarding form, fetched from one replica.
func (b *replicaBrowser) onboardForm(t *testing.T, short string) url.Values {
	t.Helper()
	page := b.do(t, http.MethodGet, "/tenants/new", nil, -1)
	name := strings.ToUpper(short[:1]) + short[1:] + " River Safaris"
	return url.Values{
		"_csrf": {field(t, replicaCSRF, page)}, "idempotency_key": {field(t, replicaKey, page)},
		"name": {name}, "short_name": {short}, "support_email": {"help@" + short + ".example"},
		"currency": {"ZMW"}, "timezone": {"Africa/Lusaka"}, "preset_theme": {"ocean_teal"}, "plan": {"pro"},
		"owner_email": {"owner@" + short + ".example"}, "owner_name": {fmt.Sprintf("Owner of %s", name)},
		"owner_mode": {"password"}, "owner_password": {"paddle the " + short + " river"},
	}
}
