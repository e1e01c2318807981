package mirror_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/mirror"
	"github.com/tenant-console/console/internal/tenant"
)

// A realistic run: 1,000 changes of every kind (settings, branding, plan,
// suspend, reactivate, delete, restore, onboarding, import, purge) from
// four writers at once and a purge and an import beside them; the
// follower's connection killed twice and the follower restarted once in
// the middle, a reader reading throughout. The tree ends as export-yaml
// writes it, drift finds nothing, and no reader saw half a file.
func TestFollowerUnderLoad(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.onboarding(t)
	statuses, err := f.store.TenantStatuses(context.Background())
	must(t, err)
	var ids []string
	for _, s := range statuses {
		ids = append(ids, s.ID)
	}
	r := startReader(t, f.dir)
	lags := &lagLog{}
	fl := f.follow(t, lags.observe)
	waitState(t, fl, mirror.Writing)
	f.waitMirrored(t, "the start")

	const total, workers = 1000, 4
	run := &loadRun{f: f, ob: ob, kinds: map[string]int{}}
	var done sync.WaitGroup
	for w := range workers {
		done.Add(1)
		go func() {
			defer done.Done()
			// No two writers change one tenant (the purge and the import
			// still may): each races only the follower.
			lw := &loadWriter{w: w, rng: rand.New(rand.NewPCG(uint64(w), 17)), status: map[string]tenant.Status{},
				mine: ids[w*len(ids)/workers : (w+1)*len(ids)/workers]}
			for _, s := range statuses {
				lw.status[s.ID] = s.Status
			}
			for run.written.Load() < total && !t.Failed() {
				run.change(t, lw)
			}
		}()
	}
	// Beside the writers, as the count passes each mark: the purge job
	// (tenants deleted over a second ago), an import of the sample tree and
	// later an import that updates a few of its folders, and the faults:
	// the connection killed at 250 and 750, the follower restarted at 500.
	marks := []struct {
		at int64
		do func()
	}{
		{150, func() { run.purge(t) }},
		{250, func() { f.killFeed(t) }},
		{300, func() { run.importTree(t, sampleTree, false) }},
		{400, func() { run.purge(t) }},
		{500, func() {
			fl.stop()
			fl = f.follow(t, lags.observe)
		}},
		{650, func() { run.importTree(t, editedSample(t), true) }},
		{750, func() { f.killFeed(t) }},
		{850, func() { run.purge(t) }},
	}
	for _, m := range marks {
		for run.written.Load() < m.at && !t.Failed() {
			time.Sleep(5 * time.Millisecond)
		}
		m.do()
	}
	done.Wait()
	if t.Failed() {
		return
	}
	waitState(t, fl, mirror.Writing)
	f.waitMirrored(t, "1,000 changes")
	f.noDrift(t)
	f.removedAgrees(t)
	r.check(t)
	t.Logf("%d changes written (%v), %d refused by the rules, %d aimed at a tenant purged meanwhile",
		run.written.Load(), run.kinds, run.refused.Load(), run.purgedAway.Load())
	for _, kind := range []string{"settings", "branding", "plan", "suspend", "reactivate", "delete", "restore", "onboard", "import", "purge"} {
		if run.kinds[kind] == 0 {
			t.Errorf("no %s change was written", kind)
		}
	}
	lags.report(t)
}

// loadRun counts what a load run wrote.
type loadRun struct {
	f          *fixture
	ob         *tenant.Onboarding
	written    atomic.Int64
	refused    atomic.Int64
	purgedAway atomic.Int64
	mu         sync.Mutex
	kinds      map[string]int
}

func (l *loadRun) wrote(kind string, n int) {
	l.written.Add(int64(n))
	l.mu.Lock()
	l.kinds[kind] += n
	l.mu.Unlock()
}

// loadWriter is one writer of a load run: the tenants it alone changes
// and the status it last saw each in, so that it mostly asks for what the
// rules allow (reactivating a suspended tenant, not an active one).
type loadWriter struct {
	w, i   int
	rng    *rand.Rand
	status map[string]tenant.Status
	mine   []string
}

// change makes one random change to one of the writer's tenants, or
// onboards a tenant, which becomes one of its own.
func (l *loadRun) change(t *testing.T, lw *loadWriter) {
	f, w, i := l.f, lw.w, lw.i
	lw.i++
	if len(lw.mine) == 0 || lw.rng.IntN(20) == 0 {
		short := fmt.Sprintf("load-%d-%d", w, i)
		in := tenant.NewOnboardInput()
		in.Name, in.ShortName, in.SupportEmail = fmt.Sprintf("Load %d-%d Safaris", w, i), short, "help@"+short+".example"
		in.OwnerEmail, in.OwnerName, in.OwnerPassword = "owner@"+short+".example", "Owner", "a load test password"
		res, err := l.ob.Onboard(context.Background(), admin, in)
		if err != nil {
			t.Errorf("onboard %s: %v", short, err)
			return
		}
		l.wrote("onboard", 1)
		lw.mine = append(lw.mine, res.TenantID)
		lw.status[res.TenantID] = tenant.StatusActive
		return
	}
	id := lw.mine[lw.rng.IntN(len(lw.mine))]
	var kind string
	var err error
	var after tenant.Status
	switch roll := lw.rng.IntN(10); {
	case lw.status[id] == tenant.StatusDeleted:
		kind, after = "restore", tenant.StatusActive
		err = f.lifecycle(id, tenant.ActRestore, "")
	case lw.status[id] == tenant.StatusSuspended && roll < 6:
		kind, after = "reactivate", tenant.StatusActive
		err = f.lifecycle(id, tenant.ActReactivate, "")
	case roll < 3:
		kind = "settings"
		err = f.editSettings(t, id, func(in *tenant.SettingsInput) { in.CompanyName = fmt.Sprintf("Company %d-%d", w, i) })
	case roll < 5:
		kind = "branding"
		err = f.editBranding(t, id, tenant.Themes[lw.rng.IntN(len(tenant.Themes))].ID)
	case roll < 7:
		kind = "plan"
		err = f.changePlan(t, id, 10+lw.rng.IntN(90))
	case roll < 9 && lw.status[id] == tenant.StatusActive:
		kind, after = "suspend", tenant.StatusSuspended
		err = f.lifecycle(id, tenant.ActSuspend, fmt.Sprintf("Load test %d-%d", w, i))
	default:
		kind, after = "delete", tenant.StatusDeleted
		err = f.lifecycle(id, tenant.ActDelete, fmt.Sprintf("Load test %d-%d", w, i))
	}
	switch {
	case err == nil:
		l.wrote(kind, 1)
		if after != "" {
			lw.status[id] = after
		}
	case errors.Is(err, apperr.ErrNotFound):
		// The purge job took it: it is no one's any more.
		l.purgedAway.Add(1)
		lw.mine = removeID(lw.mine, id)
	case errors.Is(err, apperr.ErrConflict) || isValidation(err):
		// Refused by the rules (e.g. editing a suspended tenant), nothing
		// written; the status is read again in case the writer's was wrong.
		l.refused.Add(1)
		if d, err := f.store.GetDetail(context.Background(), id, 0); err == nil {
			lw.status[id] = d.Tenant.Status
		}
	default:
		t.Errorf("%s %s: %v", kind, id, err)
	}
}

func removeID(ids []string, id string) []string {
	out := make([]string, 0, len(ids))
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// purge runs the purge job over every tenant deleted more than a second
// ago, as `console purge` does after the retention period.
func (l *loadRun) purge(t *testing.T) {
	for {
		_, ok, err := l.f.store.PurgeNext(context.Background(), time.Now().Add(-time.Second), tenant.System("test:purge"))
		if err != nil {
			t.Errorf("purge: %v", err)
			return
		}
		if !ok {
			return
		}
		l.wrote("purge", 1)
	}
}

// importTree imports dir (update: rewriting the tenants that exist).
func (l *loadRun) importTree(t *testing.T, dir string, update bool) {
	im := &legacy.Importer{Store: l.f.store, Keyring: l.f.keyring, Actor: tenant.System("test:import-yaml"), Update: update}
	rep, err := im.ImportDir(context.Background(), dir)
	if err != nil {
		t.Errorf("import %s: %v", dir, err)
		return
	}
	if n := rep.Counts.Created + rep.Counts.Updated; n > 0 {
		l.wrote("import", n)
	}
}

// editedSample is a copy of the sample tree in which a few folders give
// their tenant a new company name.
func editedSample(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "edited")
	must(t, os.CopyFS(dir, os.DirFS(sampleTree)))
	entries, err := os.ReadDir(dir)
	must(t, err)
	for i, e := range entries {
		if i%5 != 0 {
			continue
		}
		file := filepath.Join(dir, e.Name(), "client.yaml")
		data, err := os.ReadFile(file)
		must(t, err)
		edited := strings.Replace(string(data), "company_name: ", fmt.Sprintf("company_name: \"Imported %d\" # was ", i), 1)
		must(t, os.WriteFile(file, []byte(edited), 0o644))
	}
	return dir
}

func isValidation(err error) bool {
	_, ok := apperr.AsValidation(err)
	return ok
}
