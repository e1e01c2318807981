package mirror_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/mirror"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

var admin = tenant.Actor{UserID: "5b0f3c1e-0000-4000-8000-000000000001", Email: "ops@platform.example",
	Staff: tenant.RolePlatformAdmin}

// fixture is a fresh database holding the demo agencies (active, suspended
// and deleted ones), the services that change them, and a tree to mirror.
type fixture struct {
	pool    *pgxpool.Pool
	url     string
	store   *store.Store
	svc     *tenant.Service
	keyring *secrets.Keyring
	dir     string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	if err := st.BulkInsert(context.Background(), demo.Agencies(time.Now())); err != nil {
		t.Fatal(err)
	}
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := secrets.ParseKeyring(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{pool: pool, url: pool.Config().ConnString(), store: st, svc: tenant.NewService(st),
		keyring: kr, dir: filepath.Join(t.TempDir(), "clients")}
}

// follower starts a follower of f.dir; stop ends it and waits for it.
type runningFollower struct {
	*mirror.Follower
	stop func()
}

// follow starts a follower; observe, when set, hears each change it applies.
func (f *fixture) follow(t *testing.T, observe func(mirror.Change, time.Duration)) *runningFollower {
	t.Helper()
	fl := &mirror.Follower{
		Mirror: &mirror.Mirror{Dir: f.dir, Store: f.store},
		Dial: func(ctx context.Context) (mirror.Feed, error) {
			return store.DialChangeFeed(ctx, f.url)
		},
		ReconcileEvery: time.Hour, // announcements alone must carry changes here
		Retry:          50 * time.Millisecond,
		Observed:       observe,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fl.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("follower: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &runningFollower{Follower: fl, stop: stop}
}

// waitState waits (bounded) until fl is in state s.
func waitState(t *testing.T, fl *runningFollower, s mirror.State) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for fl.Status().State != s {
		if time.Now().After(deadline) {
			t.Fatalf("follower is %s, not %s, after 15s (last error %q)", fl.Status().State, s, fl.Status().LastError)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// snapshot reads every file of a tree, hidden entries aside, by path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exported is what export-yaml writes for the database now.
func (f *fixture) exported(t *testing.T) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	ex := &legacy.Exporter{Store: f.store}
	rep, err := ex.Export(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("export failed: %+v", rep.Failed)
	}
	return snapshot(t, dir)
}

// treeDiff lists the paths where got and want differ.
func treeDiff(got, want map[string]string) []string {
	var diff []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			diff = append(diff, "missing "+p)
		} else if g != w {
			diff = append(diff, "differs "+p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			diff = append(diff, "extra "+p)
		}
	}
	sort.Strings(diff)
	return diff
}

// waitMirrored waits (bounded, polling) until the live tree is byte for
// byte what export-yaml writes now.
func (f *fixture) waitMirrored(t *testing.T, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		want := f.exported(t)
		diff := treeDiff(snapshot(t, f.dir), want)
		if len(diff) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the tree still differs from export-yaml's after 20s:\n  %s", what, strings.Join(diff, "\n  "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond (bounded).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 20s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// noDrift checks that drift finds no difference between the tree and the
// database.
func (f *fixture) noDrift(t *testing.T) {
	t.Helper()
	dr := &legacy.Drifter{Store: f.store, Keyring: f.keyring}
	rep, err := dr.DriftDir(context.Background(), f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Empty() || len(rep.Errors) > 0 || len(rep.NotCompared) > 0 {
		var b bytes.Buffer
		rep.WriteSummary(&b)
		t.Fatalf("drift is not empty:\n%s", b.String())
	}
}

// reader reads the tree the whole time, as the old runtime would: every
// client.yaml it opens must parse and name its folder's tenant.
type reader struct {
	files  atomic.Int64
	failed atomic.Value // string
	stop   chan struct{}
	done   chan struct{}
}

func startReader(t *testing.T, dir string) *reader {
	t.Helper()
	r := &reader{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			select {
			case <-r.stop:
				return
			default:
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") {
					continue
				}
				file := filepath.Join(dir, e.Name(), "client.yaml")
				data, err := os.ReadFile(file)
				if errors.Is(err, fs.ErrNotExist) {
					// A folder that left whole between the listing and the read is
					// fine (it may be back already, whole); one that is there
					// without its file is not.
					if _, serr := os.Stat(filepath.Join(dir, e.Name())); serr == nil {
						if _, rerr := os.Stat(file); errors.Is(rerr, fs.ErrNotExist) {
							if _, serr := os.Stat(filepath.Join(dir, e.Name())); serr == nil {
								r.failed.Store(fmt.Sprintf("%s: a folder without its client.yaml", e.Name()))
							}
						}
					}
					continue
				}
				if err != nil {
					continue
				}
				r.files.Add(1)
				c, _, err := legacy.Parse(file, data)
				if err != nil || c.ID != e.Name() {
					r.failed.Store(fmt.Sprintf("%s: read a file that does not parse (%v, %d bytes)", file, err, len(data)))
				}
			}
		}
	}()
	t.Cleanup(r.finish)
	return r
}

func (r *reader) finish() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
}

func (r *reader) check(t *testing.T) {
	t.Helper()
	r.finish()
	if msg, _ := r.failed.Load().(string); msg != "" {
		t.Fatalf("a reader saw a partial tree: %s", msg)
	}
	if r.files.Load() == 0 {
		t.Fatal("the reader read no file")
	}
	t.Logf("the reader parsed %d client.yaml files, every one whole", r.files.Load())
}

// lagLog collects the lag of every change applied.
type lagLog struct {
	mu   sync.Mutex
	lags []time.Duration
}

func (l *lagLog) observe(_ mirror.Change, d time.Duration) {
	l.mu.Lock()
	l.lags = append(l.lags, d)
	l.mu.Unlock()
}

func (l *lagLog) report(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lags) == 0 {
		t.Log("no lag measured")
		return
	}
	s := slices.Clone(l.lags)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	t.Logf("lag (commit → folder right) over %d changes: p50 %s, p99 %s, max %s",
		len(s), at(0.50).Round(time.Microsecond), at(0.99).Round(time.Microsecond), s[len(s)-1].Round(time.Microsecond))
}

// killFeed ends the follower's dedicated connection from the server side.
func (f *fixture) killFeed(t *testing.T) {
	t.Helper()
	var n int
	err := f.pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND datname = current_database()`, store.ChangeFeedApplication).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no change feed connection to end")
	}
}

// removedAgrees waits (bounded) until .removed agrees with the database:
// every folder in it is a suspended or deleted tenant's, and its note says
// that status.
func (f *fixture) removedAgrees(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		problems := f.removedProblems(t)
		if len(problems) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf(".removed disagrees with the database after 20s:\n  %s", strings.Join(problems, "\n  "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fixture) removedProblems(t *testing.T) []string {
	t.Helper()
	statuses, err := f.store.TenantStatuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]tenant.Status{}
	for _, ts := range statuses {
		status[ts.ID] = ts.Status
	}
	entries, err := os.ReadDir(filepath.Join(f.dir, mirror.RemovedDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var problems []string
	for _, e := range entries {
		st, ok := status[e.Name()]
		if !ok || st == tenant.StatusActive {
			problems = append(problems, fmt.Sprintf(".removed holds %s, whose tenant is %q", e.Name(), st))
			continue
		}
		note, err := os.ReadFile(filepath.Join(f.dir, mirror.RemovedDir, e.Name(), mirror.RemovedNote))
		if err != nil || !strings.Contains(string(note), "status: "+string(st)+"\n") {
			problems = append(problems, fmt.Sprintf(".removed/%s says %q, the tenant is %s (%v)", e.Name(), note, st, err))
		}
	}
	return problems
}
