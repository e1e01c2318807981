package legacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// memStore is legacy.Store in memory, for the importer's decisions. The
// real one (internal/store) is tested against Postgres there and through
// the CLI in cmd/console.
type memStore struct {
	mu      sync.Mutex // the importer works on a few folders at a time
	tenants map[string]legacy.Stored
	fail    map[string]error // LoadTenant and CreateImported errors by id
	created []string
	updates []legacy.Update
	audits  []tenant.AuditEvent
}

func newMemStore() *memStore {
	return &memStore{tenants: map[string]legacy.Stored{}, fail: map[string]error{}}
}

func (m *memStore) LoadTenant(_ context.Context, id string) (legacy.Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail[id]; err != nil {
		return legacy.Stored{}, err
	}
	st, ok := m.tenants[id]
	if !ok {
		return legacy.Stored{}, fmt.Errorf("load %s: %w", id, apperr.ErrNotFound)
	}
	return st, nil
}

func (m *memStore) ShortNameHolder(_ context.Context, short string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, st := range m.tenants {
		if st.Record.Tenant.ShortName == short {
			return id, nil
		}
	}
	return "", apperr.ErrNotFound
}

func (m *memStore) Existing(_ context.Context, ids, shortNames []string) (legacy.Existing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := legacy.Existing{IDs: map[string]bool{}, ShortNames: map[string]bool{}}
	for id, st := range m.tenants {
		if slices.Contains(ids, id) || slices.Contains(shortNames, st.Record.Tenant.ShortName) {
			e.IDs[id], e.ShortNames[st.Record.Tenant.ShortName] = true, true
		}
	}
	return e, nil
}

// CreateImported refuses what the database's constraints refuse: an id or
// a short name already taken.
func (m *memStore) CreateImported(_ context.Context, rec tenant.Record, secs []tenant.SealedSecret, ev tenant.AuditEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail[rec.Tenant.ID]; err != nil {
		return err
	}
	if _, ok := m.tenants[rec.Tenant.ID]; ok {
		return fmt.Errorf("insert tenant: %w (tenants_pkey)", apperr.ErrConflict)
	}
	for _, st := range m.tenants {
		if st.Record.Tenant.ShortName == rec.Tenant.ShortName {
			return fmt.Errorf("insert tenant: %w: %w", tenant.ErrShortNameTaken, apperr.ErrConflict)
		}
	}
	rec.Settings.Version, rec.Branding.Version, rec.Tenant.Version = 1, 1, 1
	m.tenants[rec.Tenant.ID] = legacy.Stored{Record: rec, HasSettings: true, HasBranding: true, Secrets: secs}
	m.created = append(m.created, rec.Tenant.ID)
	m.audits = append(m.audits, ev)
	return nil
}

func (m *memStore) UpdateImported(_ context.Context, u legacy.Update, ev tenant.AuditEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.updates = append(m.updates, u)
	m.audits = append(m.audits, ev)
	st := m.tenants[u.Record.Tenant.ID]
	st.Record.Tenant, st.Record.Settings, st.Record.Branding = u.Record.Tenant, u.Record.Settings, u.Record.Branding
	for _, p := range u.Prompts {
		st.Record.Prompts = append(slices.DeleteFunc(st.Record.Prompts, func(q tenant.Prompt) bool { return q.Name == p.Name }), p)
	}
	for _, s := range u.Secrets {
		st.Secrets = append(slices.DeleteFunc(st.Secrets, func(q tenant.SealedSecret) bool { return q.Name == s.Name }), s)
	}
	m.tenants[u.Record.Tenant.ID] = st
	return nil
}

func (m *memStore) ActiveTenantIDs(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for id, st := range m.tenants {
		if st.Record.Tenant.Status == tenant.StatusActive {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func testKeyring(t *testing.T) *secrets.Keyring {
	t.Helper()
	key, _ := secrets.GenerateKey()
	kr, err := secrets.ParseKeyring(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

const acmeYAML = `client:
  id: acme
  name: "Acme Travel"
  short_name: acme-travel
  currency: ZAR
  timezone: Africa/Johannesburg
branding:
  company_name: "Acme Travel Ltd"
  theme_id: ocean_teal
  primary_color: "#112233"
  secondary_color: "#445566"
  accent_color: "#778899"
email:
  primary: help@acme.example
  sendgrid:
    from_name: "Acme"
    from_email: quotes@acme.example
infrastructure:
  supabase:
    url: "https://acme1234.supabase.co"
    service_key: "eyJhbGciOiJIUzI1NiJ9.YWNtZQ.acme-service-signature"
  sendgrid:
    api_key: "${SENDGRID_API_KEY}"
`

func tree(t *testing.T, files map[string]string) legacy.Tree {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	tr, err := legacy.ReadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestImporterDecidesPerFolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	kr := testKeyring(t)
	im := &legacy.Importer{Store: st, Keyring: kr, Actor: tenant.System("cli:import-yaml")}
	files := map[string]string{"acme/client.yaml": acmeYAML, "acme/prompts/inbound.txt": "Hello.\n"}

	rep := im.Import(ctx, tree(t, files))
	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusCreated || !slices.Equal(f.PlainTextSecrets, []string{"supabase_url", "supabase_service_key"}) {
		t.Fatalf("first import: %+v", f)
	}
	ev := st.audits[0]
	if ev.Action != tenant.ActionTenantImported || ev.ActorEmail != "cli:import-yaml" || ev.After["source_file"] != "acme/client.yaml" {
		t.Errorf("audit %+v", ev)
	}
	if raw, _ := json.Marshal(ev.After); strings.Contains(string(raw), "acme-service-signature") || strings.Contains(string(raw), "acme1234") {
		t.Fatal("the audit event holds a secret value")
	}
	stored := st.tenants["acme"]
	if stored.Record.Tenant.Plan != tenant.PlanLite || stored.Record.Tenant.Source != tenant.SourceYAMLImport ||
		stored.Record.Tenant.CreatedBy != "cli:import-yaml" || len(stored.Secrets) != 3 {
		t.Errorf("created %+v", stored)
	}

	// Unchanged: nothing written.
	rep = im.Import(ctx, tree(t, files))
	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusUnchanged || len(st.updates) != 0 {
		t.Fatalf("second import: %+v", f)
	}

	// A change is reported, and written only with Update.
	files["acme/client.yaml"] = strings.Replace(acmeYAML, "acme-service-signature", "rotated-signature", 1)
	files["acme/prompts/inbound.txt"] = "Hello again.\n"
	rep = im.Import(ctx, tree(t, files))
	f, _ := rep.Folder("acme")
	if f.Status != legacy.StatusDiffers || len(f.Changes) != 2 || len(st.updates) != 0 {
		t.Fatalf("changed without Update: %+v", f)
	}
	if ch := f.Changes[1]; !ch.Secret || ch.Field != "infrastructure.supabase.service_key" || strings.Contains(ch.String(), "rotated") {
		t.Errorf("secret change %+v", ch)
	}
	im.Update = true
	rep = im.Import(ctx, tree(t, files))
	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusUpdated || len(st.updates) != 1 {
		t.Fatalf("with Update: %+v", f)
	}
	u := st.updates[0]
	if u.Tenant || u.Settings || u.Branding || len(u.Prompts) != 1 || len(u.Secrets) != 1 || u.Secrets[0].Name != "supabase_service_key" {
		t.Errorf("update %+v", u)
	}
	upd := st.audits[len(st.audits)-1]
	if upd.Action != tenant.ActionTenantUpdated || upd.Before["prompts.inbound"] != "Hello.\n" || upd.After["prompts.inbound"] != "Hello again.\n" {
		t.Errorf("update audit %+v", upd)
	}
	if raw, _ := json.Marshal(upd); strings.Contains(string(raw), "signature") {
		t.Fatal("the update audit holds a secret value")
	}
	plain, err := kr.Open(u.Secrets[0].Ciphertext, u.Secrets[0].KeyID, secrets.AAD("acme", "supabase_service_key"))
	if err != nil || !strings.HasSuffix(string(plain), "rotated-signature") {
		t.Errorf("updated secret opens: %v", err)
	}
}

func TestImporterKeepsStoredSecretsForPlaceholders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	im := &legacy.Importer{Store: st, Keyring: testKeyring(t), Actor: tenant.System("cli:import-yaml"), Update: true}
	im.Import(ctx, tree(t, map[string]string{"acme/client.yaml": acmeYAML}))
	before := st.tenants["acme"].Secrets

	c := legacy.FromStored(st.tenants["acme"])
	out, err := legacy.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "acme-service-signature") || !strings.Contains(string(out), legacy.Placeholder("acme", "supabase_service_key")) {
		t.Fatalf("export:\n%s", out)
	}
	rep := im.Import(ctx, tree(t, map[string]string{"acme/client.yaml": string(out)}))
	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusUnchanged || len(f.Kept) != 0 {
		t.Fatalf("re-import of the export: %+v", f)
	}
	if len(st.updates) != 0 || !slices.EqualFunc(before, st.tenants["acme"].Secrets, func(a, b tenant.SealedSecret) bool {
		return string(a.Ciphertext) == string(b.Ciphertext) && a.EnvRef == b.EnvRef
	}) {
		t.Error("the stored secrets were replaced by their placeholders")
	}

	// Only in the database: kept and reported, never deleted.
	noSecrets := strings.SplitN(string(out), "infrastructure:", 2)[0]
	rep = im.Import(ctx, tree(t, map[string]string{"acme/client.yaml": noSecrets}))
	f, _ := rep.Folder("acme")
	if f.Status != legacy.StatusUnchanged || len(f.Kept) != 3 || len(st.updates) != 0 {
		t.Errorf("a tree without the secrets: %+v", f)
	}
}

func TestImporterReportsWhatItCannotDo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	other := legacy.Stored{Record: tenant.Record{Tenant: tenant.Tenant{ID: "other", ShortName: "acme-travel", Status: tenant.StatusActive}}}
	st.tenants["other"] = other
	st.fail["broken"] = errors.New("connection reset")
	im := &legacy.Importer{Store: st, Keyring: testKeyring(t), Actor: tenant.System("cli:import-yaml")}
	broken := strings.NewReplacer("id: acme", "id: broken", "acme-travel", "broken-travel").Replace(acmeYAML)
	var progress []string
	im.Progress = func(done, total int, folder string) {
		progress = append(progress, fmt.Sprintf("%d/%d %s", done, total, folder))
	}
	rep := im.Import(ctx, tree(t, map[string]string{"acme/client.yaml": acmeYAML, "broken/client.yaml": broken, "zz/notes.txt": "x"}))

	acme, _ := rep.Folder("acme")
	if acme.Status != legacy.StatusSkipped || len(acme.Reasons) != 1 || acme.Reasons[0].Kind != legacy.SkipShortNameTaken ||
		acme.Reasons[0].String() != `acme/client.yaml:4: short name "acme-travel" is already used by the tenant "other" in the database; give this tenant another client.short_name` {
		t.Errorf("short name taken: %+v", acme)
	}
	if f, _ := rep.Folder("broken"); f.Status != legacy.StatusFailed || !strings.Contains(f.Error, "connection reset") {
		t.Errorf("failing folder: %+v", f)
	}
	if f, _ := rep.Folder("zz"); f.Status != legacy.StatusSkipped || f.Reasons[0].Kind != legacy.SkipNoClientFile {
		t.Errorf("folder without client.yaml: %+v", f)
	}
	if rep.OK() || rep.Counts.Failed != 1 || rep.Counts.Skipped != 2 {
		t.Errorf("counts %+v", rep.Counts)
	}
	if !slices.Equal(progress, []string{"0/3 acme", "1/3 broken", "2/3 zz", "3/3 "}) {
		t.Errorf("progress %v", progress)
	}
	var b strings.Builder
	rep.WriteSummary(&b)
	for _, want := range []string{"Skipped:\n  acme/client.yaml:4: short name", "[short_name_taken]", "Failed:\n  broken/client.yaml: ", "1 folder failed"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q\n%s", want, b.String())
		}
	}

	// A value sealed with a key the keyring does not hold cannot be compared.
	st2 := newMemStore()
	first := &legacy.Importer{Store: st2, Keyring: testKeyring(t), Actor: tenant.System("x")}
	first.Import(ctx, tree(t, map[string]string{"acme/client.yaml": acmeYAML}))
	second := &legacy.Importer{Store: st2, Keyring: testKeyring(t), Actor: tenant.System("x")}
	rep = second.Import(ctx, tree(t, map[string]string{"acme/client.yaml": acmeYAML}))
	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusFailed || !strings.Contains(f.Error, "does not hold") {
		t.Errorf("unknown key: %+v", f)
	}
}

func TestExporterWritesTheLegacyLayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	im := &legacy.Importer{Store: st, Keyring: testKeyring(t), Actor: tenant.System("x")}
	im.Import(ctx, tree(t, map[string]string{"acme/client.yaml": acmeYAML, "acme/prompts/inbound.txt": "Hello.\n"}))

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "acme", "prompts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme", "prompts", "old.txt"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "gone"), 0o755); err != nil {
		t.Fatal(err)
	}
	rep, err := (&legacy.Exporter{Store: st}).Export(ctx, dir)
	if err != nil || !rep.OK() {
		t.Fatalf("export: %v %+v", err, rep)
	}
	if !slices.Equal(rep.Written, []string{"acme"}) || rep.Files != 2 || !slices.Equal(rep.Stale, []string{"gone"}) {
		t.Errorf("report %+v", rep)
	}
	if _, err := os.Stat(filepath.Join(dir, "acme", "prompts", "old.txt")); !os.IsNotExist(err) {
		t.Error("a prompt the tenant no longer has was left in the export")
	}
	data, _ := os.ReadFile(filepath.Join(dir, "acme", "client.yaml"))
	if strings.Contains(string(data), "signature") || strings.Contains(string(data), "acme1234") ||
		!strings.Contains(string(data), `api_key: "${SENDGRID_API_KEY}"`) {
		t.Errorf("client.yaml:\n%s", data)
	}
	var b strings.Builder
	rep.WriteSummary(&b)
	if !strings.Contains(b.String(), "1 tenant written (2 files)") || !strings.Contains(b.String(), "gone") {
		t.Errorf("summary:\n%s", b.String())
	}
}

// racingStore is a memStore where another writer gets there first: the
// first create finds the tenant just created by another run, and the first
// update finds it just changed.
type racingStore struct {
	*memStore
	createRaced    bool
	updateRaced    bool
	createAttempts int
}

func (r *racingStore) CreateImported(ctx context.Context, rec tenant.Record, secs []tenant.SealedSecret, ev tenant.AuditEvent) error {
	r.createAttempts++
	if !r.createRaced {
		r.createRaced = true
		if err := r.memStore.CreateImported(ctx, rec, secs, ev); err != nil {
			return err
		}
		r.memStore.created, r.memStore.audits = nil, nil // the other run's, not ours
		return fmt.Errorf("insert tenant: %w (tenants_pkey)", apperr.ErrConflict)
	}
	return r.memStore.CreateImported(ctx, rec, secs, ev)
}

func (r *racingStore) UpdateImported(ctx context.Context, u legacy.Update, ev tenant.AuditEvent) error {
	if !r.updateRaced {
		r.updateRaced = true
		return fmt.Errorf("update tenant %s: changed meanwhile: %w", u.Record.Tenant.ID, apperr.ErrConflict)
	}
	return r.memStore.UpdateImported(ctx, u, ev)
}

// Two runs at once: the one that loses a race decides again from what the
// database now holds instead of failing the folder.
func TestImporterDecidesAgainAfterLosingARace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &racingStore{memStore: newMemStore()}
	im := &legacy.Importer{Store: st, Keyring: testKeyring(t), Actor: tenant.System("cli:import-yaml")}
	files := map[string]string{"acme/client.yaml": acmeYAML, "acme/prompts/inbound.txt": "Hello.\n"}

	rep := im.Import(ctx, tree(t, files))
	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusUnchanged || !rep.OK() {
		t.Fatalf("after losing the create: %+v", f)
	}
	if st.createAttempts != 1 || len(st.audits) != 0 {
		t.Errorf("%d creates, %d audit events: the tenant was written twice", st.createAttempts, len(st.audits))
	}

	files["acme/prompts/inbound.txt"] = "Hello again.\n"
	im.Update = true
	rep = im.Import(ctx, tree(t, files))
	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusUpdated || !rep.OK() || len(st.updates) != 1 {
		t.Fatalf("after losing the update: %+v, %d updates", f, len(st.updates))
	}
}

func TestImporterLeavesDeletedTenantsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	im := &legacy.Importer{Store: st, Keyring: testKeyring(t), Actor: tenant.System("cli:import-yaml"), Update: true}
	files := map[string]string{"acme/client.yaml": acmeYAML, "acme/prompts/inbound.txt": "Hello.\n"}
	im.Import(ctx, tree(t, files))
	gone := st.tenants["acme"]
	gone.Record.Tenant.Status = tenant.StatusDeleted
	st.tenants["acme"] = gone

	files["acme/prompts/inbound.txt"] = "Hello again.\n"
	rep := im.Import(ctx, tree(t, files))
	f, _ := rep.Folder("acme")
	if f.Status != legacy.StatusSkipped || len(st.updates) != 0 || !rep.OK() {
		t.Fatalf("deleted tenant: %+v", f)
	}
	if r := f.Reasons[0]; r.Kind != legacy.SkipTenantDeleted || r.Line != 2 || !strings.Contains(r.Message, "restore it in the console first") {
		t.Errorf("reason %q", r)
	}
}

// lateStore is a memStore where, right after the import has read which
// tenants exist, another writer creates one of the tree's tenants and takes
// another folder's short name: the hint is stale when the folders are
// written.
type lateStore struct {
	*memStore
	meanwhile func()
	loads     map[string]int // LoadTenant calls by id
}

func (l *lateStore) Existing(ctx context.Context, ids, shortNames []string) (legacy.Existing, error) {
	e, err := l.memStore.Existing(ctx, ids, shortNames)
	if l.meanwhile != nil {
		l.meanwhile()
		l.meanwhile = nil
	}
	return e, err
}

func (l *lateStore) LoadTenant(ctx context.Context, id string) (legacy.Stored, error) {
	l.mu.Lock()
	l.loads[id]++
	l.mu.Unlock()
	return l.memStore.LoadTenant(ctx, id)
}

// A folder that looked new when the run began is written without being read
// first; when the database has since got its tenant or its short name, the
// write is refused and the folder is decided again from what is there.
func TestImporterHintNeverDecides(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kr := testKeyring(t)
	actor := tenant.System("cli:import-yaml")
	mem := newMemStore()
	st := &lateStore{memStore: mem, loads: map[string]int{}}
	folder := func(id, short string) string {
		return strings.NewReplacer("id: acme", "id: "+id, "short_name: acme-travel", "short_name: "+short).Replace(acmeYAML)
	}
	files := map[string]string{
		"acme/client.yaml": folder("acme", "acme-travel"), "acme/prompts/inbound.txt": "Hello.\n",
		"beta/client.yaml": folder("beta", "beta-travel"), "beta/prompts/inbound.txt": "Hello.\n",
		"gamma/client.yaml": folder("gamma", "gamma-travel"), "gamma/prompts/inbound.txt": "Hello.\n",
	}
	st.meanwhile = func() {
		// Another run imports acme; the console gives beta's short name to
		// another tenant.
		other := &legacy.Importer{Store: mem, Keyring: kr, Actor: actor}
		if f, _ := other.Import(ctx, tree(t, map[string]string{"acme/client.yaml": files["acme/client.yaml"],
			"acme/prompts/inbound.txt": "Hello.\n"})).Folder("acme"); f.Status != legacy.StatusCreated {
			t.Fatalf("the other run: %+v", f)
		}
		mem.tenants["other"] = legacy.Stored{Record: tenant.Record{Tenant: tenant.Tenant{ID: "other", ShortName: "beta-travel", Status: tenant.StatusActive}}}
	}
	im := &legacy.Importer{Store: st, Keyring: kr, Actor: actor}
	rep := im.Import(ctx, tree(t, files))

	if f, _ := rep.Folder("acme"); f.Status != legacy.StatusUnchanged {
		t.Errorf("acme, created meanwhile by the other run: %+v", f)
	}
	if f, _ := rep.Folder("beta"); f.Status != legacy.StatusSkipped || len(f.Reasons) != 1 || f.Reasons[0].Kind != legacy.SkipShortNameTaken ||
		!strings.Contains(f.Reasons[0].Message, `used by the tenant "other"`) {
		t.Errorf("beta, its short name taken meanwhile: %+v", f)
	}
	if f, _ := rep.Folder("gamma"); f.Status != legacy.StatusCreated {
		t.Errorf("gamma: %+v", f)
	}
	if !slices.Equal(mem.created, []string{"acme", "gamma"}) || len(mem.audits) != 2 || !rep.OK() {
		t.Errorf("created %v with %d audit events", mem.created, len(mem.audits))
	}
	// Only the folders whose write was refused were read.
	if st.loads["gamma"] != 0 || st.loads["acme"] != 1 || st.loads["beta"] != 1 {
		t.Errorf("reads before writing: %v", st.loads)
	}

	// Run again: what was written is unchanged, beta still skipped.
	rep = im.Import(ctx, tree(t, files))
	if rep.Counts.Unchanged != 2 || rep.Counts.Skipped != 1 || len(mem.created) != 2 || len(mem.updates) != 0 {
		t.Errorf("second run: %+v", rep.Counts)
	}
}
