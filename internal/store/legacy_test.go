package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

func importedRecord(id, name, short string) tenant.Record {
	return tenant.Record{
		Tenant: tenant.Tenant{ID: id, Name: name, ShortName: short, Status: tenant.StatusActive, Plan: tenant.PlanLite,
			Quotas: tenant.DefaultQuotas(tenant.PlanLite), CreatedBy: "cli:import-yaml", Source: tenant.SourceYAMLImport},
		Settings: tenant.Settings{CompanyName: name, SupportEmail: "help@" + short + ".example", Currency: "ZAR",
			Timezone: "UTC", EmailFromEmail: "help@" + short + ".example", UpdatedBy: "cli:import-yaml"},
		Branding: tenant.Branding{PresetTheme: "ocean_teal", ColorPrimary: "#0F766E", ColorSecondary: "#134E4A",
			ColorAccent: "#06B6D4", UpdatedBy: "cli:import-yaml"},
		Prompts: []tenant.Prompt{{Name: "inbound", Body: "Hello."}},
	}
}

func newKeyring(t *testing.T) *secrets.Keyring {
	t.Helper()
	key, _ := secrets.GenerateKey()
	kr, err := secrets.ParseKeyring(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestImportedTenantWritesAndLoads(t *testing.T) {
	t.Parallel()
	st := store.New(testdb.New(t))
	ctx := context.Background()
	kr := newKeyring(t)
	actor := tenant.System("cli:import-yaml")

	if _, err := st.LoadTenant(ctx, "acme"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing tenant: %v", err)
	}
	sealed, err := tenant.SealSecret(kr, "acme", secrets.NameSupabaseServiceKey, secrets.NewValue("eyJ.service.key-1234"))
	if err != nil {
		t.Fatal(err)
	}
	ref := tenant.SealedSecret{Name: secrets.NameSupabaseURL, Kind: tenant.SecretEnvRef, EnvRef: "${SUPABASE_URL}"}
	rec := importedRecord("acme", "Acme Travel", "acme-travel")
	if err := st.CreateImported(ctx, rec, []tenant.SealedSecret{sealed, ref}, tenant.NewAuditEvent(actor, "acme", tenant.ActionTenantImported)); err != nil {
		t.Fatal(err)
	}
	got, err := st.LoadTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasSettings || !got.HasBranding || got.Record.Tenant.Source != tenant.SourceYAMLImport ||
		got.Record.Settings.SupportEmail != "help@acme-travel.example" || len(got.Record.Prompts) != 1 || len(got.Secrets) != 2 {
		t.Fatalf("loaded %+v", got)
	}
	stored, _ := got.Secret(secrets.NameSupabaseServiceKey)
	plain, err := kr.Open(stored.Ciphertext, stored.KeyID, secrets.AAD("acme", secrets.NameSupabaseServiceKey))
	if err != nil || string(plain) != "eyJ.service.key-1234" || stored.Hint != "1234" || stored.UpdatedBy != "cli:import-yaml" {
		t.Errorf("stored secret: hint %q, by %q, opens: %v", stored.Hint, stored.UpdatedBy, err)
	}
	if r, _ := got.Secret(secrets.NameSupabaseURL); r.Kind != tenant.SecretEnvRef || r.EnvRef != "${SUPABASE_URL}" || r.Ciphertext != nil {
		t.Errorf("reference %v", r)
	}
	if id, err := st.ShortNameHolder(ctx, "acme-travel"); err != nil || id != "acme" {
		t.Errorf("short name holder: %q %v", id, err)
	}
	e, err := st.Existing(ctx, []string{"acme", "nobody"}, []string{"acme-travel", "free"})
	if err != nil || !e.IDs["acme"] || e.IDs["nobody"] || !e.ShortNames["acme-travel"] || e.ShortNames["free"] {
		t.Errorf("existing: %+v %v", e, err)
	}
	if e, err := st.Existing(ctx, []string{"nobody"}, []string{"free"}); err != nil || e.IDs == nil || len(e.IDs)+len(e.ShortNames) != 0 {
		t.Errorf("nothing existing: %+v %v", e, err)
	}
	if ids, err := st.ActiveTenantIDs(ctx); err != nil || len(ids) != 1 || ids[0] != "acme" {
		t.Errorf("active: %v %v", ids, err)
	}

	// A second tenant with the same short name is refused as such.
	err = st.CreateImported(ctx, importedRecord("acme2", "Acme Two", "acme-travel"), nil, tenant.NewAuditEvent(actor, "acme2", tenant.ActionTenantImported))
	if !errors.Is(err, tenant.ErrShortNameTaken) {
		t.Errorf("duplicate short name: %v", err)
	}

	// An update writes the parts asked for, guarded by their versions.
	u := legacy.Update{Record: got.Record, Branding: true, By: "cli:import-yaml",
		Prompts: []tenant.Prompt{{Name: "follow_up", Body: "Bye."}}}
	u.Record.Branding.ColorPrimary = "#112233"
	if err := st.UpdateImported(ctx, u, tenant.NewAuditEvent(actor, "acme", tenant.ActionTenantUpdated)); err != nil {
		t.Fatal(err)
	}
	again, _ := st.LoadTenant(ctx, "acme")
	if again.Record.Branding.ColorPrimary != "#112233" || again.Record.Branding.Version != 2 || again.Record.Settings.Version != 1 || len(again.Record.Prompts) != 2 {
		t.Errorf("after update: %+v", again.Record)
	}
	// The same update again is stale: it was loaded at version 1.
	if err := st.UpdateImported(ctx, u, tenant.NewAuditEvent(actor, "acme", tenant.ActionTenantUpdated)); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("stale update: %v", err)
	}
	if latest, _ := st.LoadTenant(ctx, "acme"); len(latest.Record.Prompts) != 2 || latest.Record.Branding.Version != 2 {
		t.Error("a refused update wrote something")
	}
}

// CreateImported sends its writes together; each refusal still reads as
// that write's own, and a refused tenant leaves nothing behind.
func TestCreateImportedRefusals(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	st := store.New(pool)
	ctx := context.Background()
	actor := tenant.System("cli:import-yaml")
	imported := func(id string) tenant.AuditEvent { return tenant.NewAuditEvent(actor, id, tenant.ActionTenantImported) }
	if err := st.CreateImported(ctx, importedRecord("acme", "Acme Travel", "acme-travel"), nil, imported("acme")); err != nil {
		t.Fatal(err)
	}

	err := st.CreateImported(ctx, importedRecord("acme", "Acme Again", "acme-again"), nil, imported("acme"))
	if !errors.Is(err, apperr.ErrConflict) || errors.Is(err, tenant.ErrShortNameTaken) {
		t.Errorf("the same id again: %v", err)
	}
	err = st.CreateImported(ctx, importedRecord("acme2", "Acme Two", "acme-travel"), nil, imported("acme2"))
	if !errors.Is(err, tenant.ErrShortNameTaken) || !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("the same short name again: %v", err)
	}
	badPrompt := importedRecord("beta", "Beta", "beta")
	badPrompt.Prompts[0].Name = "In Bound"
	err = st.CreateImported(ctx, badPrompt, nil, imported("beta"))
	if r, ok := apperr.AsRefused(err); !ok || r.Field != "tenant_prompts.name" || !strings.Contains(err.Error(), "insert tenant prompt In Bound") {
		t.Errorf("refused prompt: %v", err)
	}
	badSecret := tenant.SealedSecret{Name: secrets.NameSupabaseURL, Kind: tenant.SecretEnvRef, EnvRef: "${SUPABASE_URL}", Hint: "too long"}
	err = st.CreateImported(ctx, importedRecord("beta", "Beta", "beta"), []tenant.SealedSecret{badSecret}, imported("beta"))
	if r, ok := apperr.AsRefused(err); !ok || r.Field != "tenant_secrets.hint" || !strings.Contains(err.Error(), "write secret supabase_url") {
		t.Errorf("refused secret: %v", err)
	}
	var tenants, events int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM tenants), (SELECT count(*) FROM audit_events)`).Scan(&tenants, &events); err != nil ||
		tenants != 1 || events != 1 {
		t.Errorf("refused writes left %d tenants and %d audit events (%v)", tenants, events, err)
	}
	// The connections they used were left outside any transaction.
	if err := st.CreateImported(ctx, importedRecord("beta", "Beta", "beta"), nil, imported("beta")); err != nil {
		t.Errorf("after the refusals: %v", err)
	}
}

func TestReplaceSecretAndRotate(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	st := store.New(pool)
	ctx := context.Background()
	oldKey, _ := secrets.GenerateKey()
	old, err := secrets.ParseKeyring(oldKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	actor := tenant.System("test")
	if err := st.CreateImported(ctx, importedRecord("acme", "Acme Travel", "acme-travel"), nil,
		tenant.NewAuditEvent(actor, "acme", tenant.ActionTenantImported)); err != nil {
		t.Fatal(err)
	}
	svc := tenant.NewSecretService(st, old)
	if _, err := svc.Replace(ctx, tenant.Actor{Email: "sam@x.example", Staff: tenant.RoleSupport}, "acme", secrets.NameSendgridAPIKey, secrets.NewValue("SG.abc.def-5678")); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("support replacing a secret: %v", err)
	}
	if _, err := svc.Replace(ctx, actor, "nobody", secrets.NameSendgridAPIKey, secrets.NewValue("SG.abc.def-5678")); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown tenant: %v", err)
	}
	meta, err := svc.Replace(ctx, actor, "acme", secrets.NameSendgridAPIKey, secrets.NewValue("SG.abc.def-5678"))
	if err != nil || meta.Hint != "5678" || meta.KeyID != old.CurrentID() {
		t.Fatalf("replace: %+v %v", meta, err)
	}
	if _, err := svc.Replace(ctx, actor, "acme", secrets.NameSendgridAPIKey, secrets.NewValue("SG.second.value-9999")); err != nil {
		t.Fatal(err)
	}
	var before, after string
	if err := pool.QueryRow(ctx, `SELECT before::text, after::text FROM audit_events WHERE action = 'secret.changed' ORDER BY id DESC LIMIT 1`).Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	want := `{"sendgrid_api_key": {"kind": "encrypted", "key_id": "` + old.CurrentID() + `"}}`
	if before != want || after != want {
		t.Errorf("audit: before %s after %s", before, after)
	}

	newKey, _ := secrets.GenerateKey()
	onlyNew, _ := secrets.ParseKeyring(newKey, nil)
	// Without the old key the row cannot be opened: reported, not lost.
	res, err := st.RotateSecrets(ctx, onlyNew, actor, 10, nil)
	if err != nil || len(res.Failed) != 1 || res.Rotated != 0 || res.Remaining != 1 || res.Pending != 1 {
		t.Fatalf("rotation without the old key: %+v %v", res, err)
	}
	both, _ := secrets.ParseKeyring(newKey, []string{oldKey})
	var progress []int
	res, err = st.RotateSecrets(ctx, both, actor, 1, func(done, total int) { progress = append(progress, done, total) })
	if err != nil || res.Rotated != 1 || res.Remaining != 0 || res.Current != 1 || len(res.Failed) != 0 || len(progress) != 2 {
		t.Fatalf("rotation: %+v %v, progress %v", res, err, progress)
	}
	var ct []byte
	var keyID string
	if err := pool.QueryRow(ctx, `SELECT ciphertext, key_id FROM tenant_secrets WHERE tenant_id = 'acme'`).Scan(&ct, &keyID); err != nil {
		t.Fatal(err)
	}
	if plain, err := onlyNew.Open(ct, keyID, secrets.AAD("acme", secrets.NameSendgridAPIKey)); err != nil || string(plain) != "SG.second.value-9999" {
		t.Errorf("after rotation the value does not open under the new key: %v", err)
	}
	if res, err := st.RotateSecrets(ctx, both, actor, 1, nil); err != nil || res.Pending != 0 || res.Rotated != 0 {
		t.Errorf("second rotation: %+v %v", res, err)
	}
}
