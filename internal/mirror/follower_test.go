package mirror_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/mirror"
	"github.com/tenant-console/console/internal/tenant"
)

const sampleTree = "../legacy/testdata/legacy-clients"

// onboarding returns the onboarding use case over the fixture's database
// and the GoTrue-compatible dev server.
func (f *fixture) onboarding(t *testing.T) *tenant.Onboarding {
	t.Helper()
	ctx := context.Background()
	srv, err := devgotrue.New(ctx, f.pool, devgotrue.Options{Autoconfirm: true, PasswordHashCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	gt := gotrue.New(gotrue.Config{URL: url, AnonKey: srv.AnonKey(), ServiceRoleKey: srv.ServiceRoleKey()})
	return tenant.NewOnboarding(f.store, auth.Accounts{Client: gt})
}

func (f *fixture) editSettings(t *testing.T, id string, change func(*tenant.SettingsInput)) error {
	t.Helper()
	d, err := f.store.GetDetail(context.Background(), id, 0)
	if err != nil {
		return err
	}
	in := tenant.SettingsInputOf(d.Settings)
	change(&in)
	_, err = f.svc.EditSettings(context.Background(), admin, id, in)
	return err
}

func (f *fixture) editBranding(t *testing.T, id, theme string) error {
	t.Helper()
	d, err := f.store.GetDetail(context.Background(), id, 0)
	if err != nil {
		return err
	}
	_, err = f.svc.EditBranding(context.Background(), admin, id, tenant.BrandingInputOf(d.Branding).WithTheme(theme))
	return err
}

func (f *fixture) changePlan(t *testing.T, id string, maxUsers int) error {
	t.Helper()
	d, err := f.store.GetDetail(context.Background(), id, 0)
	if err != nil {
		return err
	}
	in := tenant.PlanInputOf(d.Tenant)
	in.MaxUsers = strconv.Itoa(maxUsers)
	_, err = f.svc.ChangePlan(context.Background(), admin, id, in)
	return err
}

func (f *fixture) lifecycle(id string, act tenant.LifecycleAction, reason string) error {
	_, err := f.svc.Lifecycle(context.Background(), admin, tenant.LifecycleRequest{
		TenantID: id, Action: act, Reason: reason, ConfirmID: id})
	return err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Every kind of change made through the services reaches the tree, a
// suspended or deleted tenant's folder leaves for .removed and comes back,
// a purged one goes; a lost connection loses no change.
func TestFollowerCarriesEveryKindOfChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ob := f.onboarding(t)
	r := startReader(t, f.dir)
	lags := &lagLog{}
	fl := f.follow(t, lags.observe)
	waitState(t, fl, mirror.Writing)
	f.waitMirrored(t, "the start")

	in := tenant.NewOnboardInput()
	in.Name, in.SupportEmail, in.Timezone, in.Currency = "Kruger Safaris Two", "help@kruger2.example", "Africa/Johannesburg", "zar"
	in.PresetTheme, in.OwnerEmail, in.OwnerName, in.OwnerPassword = "safari_gold", "thandi@kruger2.example", "Thandi", "lion-kings-2024!"
	res, err := ob.Onboard(context.Background(), admin, in)
	must(t, err)
	f.waitMirrored(t, "onboarding")
	if _, err := os.Stat(filepath.Join(f.dir, res.TenantID, "client.yaml")); err != nil {
		t.Fatalf("the onboarded tenant has no folder: %v", err)
	}

	must(t, f.editSettings(t, "africastay", func(in *tenant.SettingsInput) { in.CompanyName = "Africa Stay Holdings" }))
	f.waitMirrored(t, "a settings save")
	if !strings.Contains(readFile(t, filepath.Join(f.dir, "africastay", "client.yaml")), `"Africa Stay Holdings"`) {
		t.Fatal("client.yaml lacks the new company name")
	}
	must(t, f.editBranding(t, "africastay", "ocean_teal"))
	f.waitMirrored(t, "a branding save")
	must(t, f.changePlan(t, "africastay", 77))
	f.waitMirrored(t, "a plan change")

	must(t, f.lifecycle("africastay", tenant.ActSuspend, "Unpaid invoices"))
	f.waitMirrored(t, "a suspension")
	note := readFile(t, filepath.Join(f.dir, mirror.RemovedDir, "africastay", mirror.RemovedNote))
	if !strings.Contains(note, "status: suspended") || !strings.Contains(note, `reason: "Unpaid invoices"`) {
		t.Fatalf("removed.yaml says:\n%s", note)
	}
	if _, err := os.Stat(filepath.Join(f.dir, mirror.RemovedDir, "africastay", "client.yaml")); err != nil {
		t.Fatalf("the suspended tenant's files did not move to .removed: %v", err)
	}
	must(t, f.lifecycle("africastay", tenant.ActReactivate, ""))
	f.waitMirrored(t, "a reactivation")
	waitFor(t, ".removed/africastay to go", func() bool {
		_, err := os.Stat(filepath.Join(f.dir, mirror.RemovedDir, "africastay"))
		return os.IsNotExist(err)
	})

	const gone = "tn_2b7c11d4_m2pa"
	must(t, f.lifecycle(gone, tenant.ActDelete, "Closed the business"))
	f.waitMirrored(t, "a deletion")
	if note := readFile(t, filepath.Join(f.dir, mirror.RemovedDir, gone, mirror.RemovedNote)); !strings.Contains(note, "status: deleted") {
		t.Fatalf("removed.yaml says:\n%s", note)
	}
	must(t, f.lifecycle(gone, tenant.ActRestore, ""))
	f.waitMirrored(t, "a restore")
	must(t, f.lifecycle(gone, tenant.ActDelete, "Closed for good"))
	f.waitMirrored(t, "a second deletion")
	for {
		_, ok, err := f.store.PurgeNext(context.Background(), time.Now().Add(time.Hour), tenant.System("test:purge"))
		must(t, err)
		if !ok {
			break
		}
	}
	f.waitMirrored(t, "a purge")
	waitFor(t, "the purged tenant's folder to go", func() bool {
		_, err := os.Stat(filepath.Join(f.dir, mirror.RemovedDir, gone))
		return os.IsNotExist(err)
	})

	im := &legacy.Importer{Store: f.store, Keyring: f.keyring, Actor: tenant.System("test:import-yaml")}
	rep, err := im.ImportDir(context.Background(), sampleTree)
	must(t, err)
	if rep.Counts.Created == 0 {
		t.Fatal("the import created no tenant")
	}
	f.waitMirrored(t, "an import")

	// The connection that listens (and holds the lock) dies: the follower
	// connects again, reconciles, and the next change still arrives.
	f.killFeed(t)
	must(t, f.editSettings(t, "tn_1f3a9c0b_k3xq", func(in *tenant.SettingsInput) { in.SupportPhone = "+27 13 555 0199" }))
	f.waitMirrored(t, "a change after the connection was killed")
	waitState(t, fl, mirror.Writing)
	if !strings.Contains(fl.Status().LastError, "connection") {
		t.Fatalf("the lost connection is not reported: %+v", fl.Status())
	}
	must(t, f.editBranding(t, "tn_1f3a9c0b_k3xq", "minimal_gray"))
	f.waitMirrored(t, "a change after the reconnection")

	f.noDrift(t)
	f.removedAgrees(t)
	r.check(t)
	lags.report(t)
}

// Two followers of one tree: one writes, the other waits its turn and takes
// over when the first stops.
func TestOnlyOneFollowerWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.follow(t, nil)
	waitState(t, first, mirror.Writing)
	f.waitMirrored(t, "the start")

	var secondApplied sync.Map
	second := f.follow(t, func(c mirror.Change, _ time.Duration) { secondApplied.Store(c.TenantID, true) })
	waitState(t, second, mirror.Waiting)

	must(t, f.editSettings(t, "africastay", func(in *tenant.SettingsInput) { in.CompanyName = "Written by the first" }))
	f.waitMirrored(t, "a change while both run")
	if st := second.Status().State; st != mirror.Waiting {
		t.Fatalf("the second follower is %s while the first writes", st)
	}
	if _, wrote := secondApplied.Load("africastay"); wrote {
		t.Fatal("the waiting follower applied a change")
	}

	first.stop()
	waitState(t, second, mirror.Writing)
	must(t, f.editSettings(t, "africastay", func(in *tenant.SettingsInput) { in.CompanyName = "Written by the second" }))
	f.waitMirrored(t, "a change after the takeover")
	waitFor(t, "the second follower to apply the change", func() bool {
		_, ok := secondApplied.Load("africastay")
		return ok
	})
	f.noDrift(t)
}
