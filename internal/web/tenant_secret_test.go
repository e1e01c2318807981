package web_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// testKey is the console's secret key in these tests (base64 of 32 bytes).
const testKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="

func testKeyring(t testing.TB) *secrets.Keyring {
	t.Helper()
	kr, err := secrets.ParseKeyring(testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

const legacyTree = "../legacy/testdata/legacy-clients"

// importLegacy imports the sample legacy tree into the app's database
// (updating the demo tenants it shares ids with) and returns the report.
func importLegacy(t *testing.T, a *app) *legacy.Report {
	t.Helper()
	im := &legacy.Importer{Store: a.store, Keyring: testKeyring(t), Actor: tenant.System("cli:import-yaml"), Update: true}
	rep, err := im.ImportDir(context.Background(), legacyTree)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("import failed: %+v", rep.Counts)
	}
	return rep
}

// treeSecrets reads every credential value of the sample tree straight from
// the files (not through the importer), by tenant and name.
func treeSecrets(t *testing.T) map[string]map[string]string {
	t.Helper()
	tr, err := legacy.ReadTree(legacyTree)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, c := range tr.Clients() {
		for _, s := range c.Secrets {
			if s.IsPlainText() {
				if out[c.ID] == nil {
					out[c.ID] = map[string]string{}
				}
				out[c.ID][s.Name] = s.Value.Reveal()
			}
		}
	}
	return out
}

func storedSecret(t *testing.T, pool *pgxpool.Pool, tenantID, name string) (kind string, ciphertext []byte, keyID, envRef *string, hint string) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `SELECT kind, ciphertext, key_id, env_ref, hint FROM tenant_secrets
		WHERE tenant_id = $1 AND name = $2`, tenantID, name).Scan(&kind, &ciphertext, &keyID, &envRef, &hint)
	if err != nil {
		t.Fatalf("%s %s: %v", tenantID, name, err)
	}
	return
}

func TestTenantSecretsOnThePage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	importLegacy(t, a)
	values := treeSecrets(t)["africastay"]
	if len(values) != 4 {
		t.Fatalf("africastay secrets in the tree: %d", len(values))
	}

	admin := a.signedInAdmin(t)
	res, page := admin.get("/tenants/africastay")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("tenant page: %d", res.StatusCode)
	}
	for name, v := range values {
		mask := "••••" + v[len(v)-4:]
		if !strings.Contains(page, `data-secret-mask="`+name+`">`+mask+"<") {
			t.Errorf("%s: the page lacks the mask %s", name, mask)
		}
		if strings.Contains(page, v) {
			t.Errorf("%s: the page shows the value", name)
		}
	}
	inputs := regexp.MustCompile(`<input[^>]*name="value"[^>]*>`).FindAllString(page, -1)
	if len(inputs) != len(secrets.Names) {
		t.Fatalf("%d replace inputs, want one per credential: %v", len(inputs), inputs)
	}
	for _, in := range inputs {
		if !strings.Contains(in, `type="password"`) || !strings.Contains(in, `autocomplete="new-password"`) || strings.Contains(in, " value=") {
			t.Errorf("replace input %s: want a password field, never filled in", in)
		}
	}

	// Tenants with references show the reference, not a mask.
	_, page = admin.get("/tenants/tn_d8f595a0_xths")
	if !strings.Contains(page, "${SUPABASE_SERVICE_KEY}") || !strings.Contains(page, "environment reference") {
		t.Error("an env reference is not shown as such")
	}

	support := a.newBrowser(t)
	support.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	owner := a.newBrowser(t)
	owner.signIn(a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberOwner}))
	for who, b := range map[string]*browser{"support": support, "owner": owner} {
		res, page := b.get("/tenants/africastay")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: tenant page %d", who, res.StatusCode)
		}
		if strings.Contains(page, "Infrastructure credentials") || strings.Contains(page, "••••") || strings.Contains(page, `name="value"`) {
			t.Errorf("%s sees the credentials section", who)
		}
		// The route refuses them even with a valid form (token from their page).
		res, _ = b.post("/tenants/africastay/secrets/supabase_service_key", url.Values{"value": {"eyJ.from-" + who + ".sig-1234"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s replacing a secret: status %d, want 403", who, res.StatusCode)
		}
	}
	if _, _, _, _, hint := storedSecret(t, a.pool, "africastay", secrets.NameSupabaseServiceKey); hint != values[secrets.NameSupabaseServiceKey][len(values[secrets.NameSupabaseServiceKey])-4:] {
		t.Error("a refused replacement changed the secret")
	}
}

func TestReplaceASecretThroughTheConsole(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	importLegacy(t, a)
	ctx := context.Background()
	kr := testKeyring(t)
	admin := a.signedInAdmin(t)
	admin.get("/tenants/africastay")
	const path = "/tenants/africastay/secrets/supabase_service_key"

	// Refused values: the card comes back with the error, nothing changes.
	for _, bad := range []string{"", "   ", "two words", "$NOT_A_REF", "line\nbreak", strings.Repeat("x", tenant.MaxSecretLength+1)} {
		res, body := admin.post(path, url.Values{"value": {bad}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `role="alert"`) {
			t.Errorf("value %.20q: status %d, want 422 with the error\n%s", bad, res.StatusCode, clip(body))
		}
		if bad != "" && strings.TrimSpace(bad) != "" && strings.Contains(body, bad) {
			t.Errorf("value %.20q is echoed back", bad)
		}
	}
	res, body := admin.post("/tenants/africastay/secrets/supabase_url", url.Values{"value": {"http://not-https.example"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "https://") {
		t.Errorf("http Supabase URL: status %d", res.StatusCode)
	}
	res, _ = admin.post("/tenants/africastay/secrets/master_password", url.Values{"value": {"whatever-1234"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown secret name: status %d, want 404", res.StatusCode)
	}

	// A plain form post: replaced, redirected back to the tenant page.
	const newValue = "eyJhbGciOiJIUzI1NiJ9.bmV3LXNlcnZpY2Uta2V5.NEWsig-w9Xz"
	admin.get("/tenants/africastay")
	res, _ = admin.post(path, url.Values{"value": {"  " + newValue + "\t"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants/africastay#secrets-card" {
		t.Fatalf("replace: status %d, location %q", res.StatusCode, res.Header.Get("Location"))
	}
	kind, ct, keyID, envRef, hint := storedSecret(t, a.pool, "africastay", secrets.NameSupabaseServiceKey)
	if kind != tenant.SecretEncrypted || envRef != nil || keyID == nil || *keyID != kr.CurrentID() || hint != "w9Xz" {
		t.Fatalf("stored: kind %s, key %v, hint %q", kind, keyID, hint)
	}
	plain, err := kr.Open(ct, *keyID, secrets.AAD("africastay", secrets.NameSupabaseServiceKey))
	if err != nil || string(plain) != newValue {
		t.Fatalf("the new ciphertext does not open to the new value (err %v)", err)
	}
	var before, after string
	var actor string
	err = a.pool.QueryRow(ctx, `SELECT actor_email, before::text, after::text FROM audit_events
		WHERE tenant_id = 'africastay' AND action = 'secret.changed' ORDER BY id DESC LIMIT 1`).Scan(&actor, &before, &after)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(actor, "admin-") || !strings.Contains(before, `"supabase_service_key"`) ||
		!strings.Contains(after, `"key_id": "`+kr.CurrentID()+`"`) || strings.Contains(after, "w9Xz") {
		t.Errorf("audit: actor %s, before %s, after %s", actor, before, after)
	}
	_, page := admin.get("/tenants/africastay")
	if !strings.Contains(page, "••••w9Xz") || strings.Contains(page, newValue) {
		t.Error("the page does not show the new mask, or shows the value")
	}

	// With htmx: the card comes back with a notice and a toast; an env
	// reference is stored as a reference.
	res, body = admin.post("/tenants/africastay/secrets/sendgrid_api_key", url.Values{"value": {"${SENDGRID_API_KEY}"}}, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="secrets-card"`) || strings.Contains(body, "<html") ||
		!strings.Contains(body, "now reads the environment variable ${SENDGRID_API_KEY}") || !strings.Contains(res.Header.Get("HX-Trigger"), "toast") {
		t.Fatalf("htmx replace: status %d, HX-Trigger %q\n%s", res.StatusCode, res.Header.Get("HX-Trigger"), clip(body))
	}
	kind, ct, keyID, envRef, hint = storedSecret(t, a.pool, "africastay", secrets.NameSendgridAPIKey)
	if kind != tenant.SecretEnvRef || envRef == nil || *envRef != "${SENDGRID_API_KEY}" || ct != nil || keyID != nil || hint != "" {
		t.Errorf("env ref stored as kind %s", kind)
	}

	// A tenant without credentials gets them set.
	admin.get("/tenants/tn_2b7c11d4_m2pa")
	res, _ = admin.post("/tenants/tn_2b7c11d4_m2pa/secrets/supabase_url", url.Values{"value": {"https://zanzibar123.supabase.co"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("set a missing secret: status %d", res.StatusCode)
	}

	checkNoSecretLeaks(t, a, append(allTreeValues(t), newValue), admin.page)
}

func allTreeValues(t *testing.T) []string {
	var out []string
	for _, byName := range treeSecrets(t) {
		for _, v := range byName {
			out = append(out, v)
		}
	}
	return out
}

// checkNoSecretLeaks dumps every table of the database (all columns as
// text, audit before/after and sessions included), the log lines and the
// last page, and fails if any secret value appears in them, as it is, in
// base64 or in hex. The only trace of a value allowed is its hint: at most
// its last 4 characters, in tenant_secrets.hint.
func checkNoSecretLeaks(t *testing.T, a *app, values []string, pages ...string) {
	t.Helper()
	ctx := context.Background()
	rows, err := a.pool.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	var dump strings.Builder
	for _, table := range tables {
		rows, err := a.pool.Query(ctx, `SELECT t::text FROM `+table+` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			dump.WriteString(table + ": " + line + "\n")
		}
		rows.Close()
	}
	for _, want := range []string{"tenant_secrets", "audit_events", "sessions"} {
		if !strings.Contains(dump.String(), want+": ") {
			t.Fatalf("the dump has no %s rows", want)
		}
	}
	haystacks := map[string]string{"database": dump.String(), "logs": a.logs.String()}
	for i, p := range pages {
		haystacks["page "+string(rune('0'+i))] = p
	}
	for _, v := range values {
		forms := []string{v, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v)), hex.EncodeToString([]byte(v))}
		for where, text := range haystacks {
			for _, f := range forms {
				if strings.Contains(text, f) {
					t.Fatalf("a secret value (%d characters) appears in the %s", len(v), where)
				}
			}
		}
	}
	hints, err := a.pool.Query(ctx, `SELECT hint FROM tenant_secrets`)
	if err != nil {
		t.Fatal(err)
	}
	defer hints.Close()
	for hints.Next() {
		var h string
		if err := hints.Scan(&h); err != nil {
			t.Fatal(err)
		}
		if len([]rune(h)) > 4 {
			t.Errorf("hint %q is longer than 4 characters", h)
		}
	}
}

// The import report written as JSON holds no value either.
func TestImportReportHoldsNoSecret(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := importLegacy(t, a)
	file := filepath.Join(t.TempDir(), "report.json")
	if err := rep.WriteJSON(file); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, v := range allTreeValues(t) {
		if strings.Contains(string(data), v) {
			t.Fatal("a secret value appears in the JSON report")
		}
	}
}

// Saving a credential with the value it already holds writes nothing and
// audits nothing; a different value is written and audited.
func TestSecretSavedWithItsValueWritesNothing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	importLegacy(t, a)
	ctx := context.Background()
	admin := a.signedInAdmin(t)
	const path = "/tenants/africastay/secrets/supabase_service_key"
	changes := func() int {
		var n int
		if err := a.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE tenant_id = 'africastay' AND action = $1`,
			tenant.ActionSecretChanged).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stored := func() string {
		_, ct, _, _, _ := storedSecret(t, a.pool, "africastay", secrets.NameSupabaseServiceKey)
		return string(ct)
	}
	current := treeSecrets(t)["africastay"][secrets.NameSupabaseServiceKey]
	if current == "" {
		t.Fatal("the sample tenant has no service key")
	}
	before, ctBefore := changes(), stored()

	// The value it holds (as pasted, with the spaces copying adds).
	admin.get("/tenants/africastay")
	res, _ := admin.post(path, url.Values{"value": {" " + current + "\n"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the current value: %d", res.StatusCode)
	}
	if _, page := admin.follow(res); !strings.Contains(page, "No changes") || strings.Contains(page, current) {
		t.Error("the page does not say nothing changed (or shows the value)")
	}
	if n := changes(); n != before {
		t.Fatalf("saving the current value wrote %d secret.changed events", n-before)
	}
	if stored() != ctBefore {
		t.Fatal("saving the current value re-sealed it")
	}
	// With htmx too.
	res, body := admin.post(path, url.Values{"value": {current}}, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "No changes") || changes() != before {
		t.Fatalf("htmx, current value: %d, %d events", res.StatusCode, changes()-before)
	}

	// A different value is written and audited.
	res, _ = admin.post(path, url.Values{"value": {current + "x"}})
	if res.StatusCode != http.StatusSeeOther || changes() != before+1 || stored() == ctBefore {
		t.Fatalf("a new value: %d, %d events", res.StatusCode, changes()-before)
	}
	// And the same reference twice: one event.
	admin.get("/tenants/africastay")
	for range 2 {
		admin.post(path, url.Values{"value": {"${SUPABASE_SERVICE_KEY}"}})
		admin.get("/tenants/africastay")
	}
	if n := changes(); n != before+2 {
		t.Fatalf("a reference saved twice: %d events, want 1", n-before-1)
	}
}
