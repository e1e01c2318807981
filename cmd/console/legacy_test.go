package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/testdb"
)

const sampleTree = "../../internal/legacy/testdata/legacy-clients"

// withKey sets the environment a CLI run reads its secret key from (a
// fresh random key) and returns the keyring, to open what the run sealed.
func withKey(t *testing.T) *secrets.Keyring {
	t.Helper()
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	setKey(t, key)
	kr, err := secrets.ParseKeyring(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func setKey(t *testing.T, key string, previous ...string) {
	t.Helper()
	setenv(t, "APP_ENV", "dev")
	setenv(t, "CONSOLE_DATA_DIR", t.TempDir())
	setenv(t, "LOG_LEVEL", "debug")
	setenv(t, secrets.EnvKey, key)
	setenv(t, secrets.EnvPreviousKeys, strings.Join(previous, ","))
}

// copyTree copies the sample tree into a temporary directory the test may
// change.
func copyTree(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(sampleTree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sampleTree, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func editFile(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

var secretKeys = map[string]string{
	"url": secrets.NameSupabaseURL, "anon_key": secrets.NameSupabaseAnonKey,
	"service_key": secrets.NameSupabaseServiceKey, "api_key": secrets.NameSendgridAPIKey,
}

// fileSecrets reads the credentials of every client.yaml under dir straight
// from the text (not through the importer): tenant folder → name → value.
// ${ENV} references are left out.
func fileSecrets(t *testing.T, dir string) map[string]map[string]string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s+(url|anon_key|service_key|api_key):\s*"?([^"\r\n]+?)"?\s*$`)
	out := map[string]map[string]string{}
	files, err := filepath.Glob(filepath.Join(dir, "*", "client.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		folder := filepath.Base(filepath.Dir(f))
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if secrets.IsEnvRef(m[2]) {
				continue
			}
			if out[folder] == nil {
				out[folder] = map[string]string{}
			}
			out[folder][secretKeys[m[1]]] = m[2]
		}
	}
	if len(out) < 49 {
		t.Fatalf("found secrets in only %d files of %s", len(out), dir)
	}
	return out
}

func flatValues(m map[string]map[string]string) []string {
	var out []string
	for _, byName := range m {
		for _, v := range byName {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// dumpTables returns every row of every table, as text, sorted: two equal
// dumps mean nothing was written in between (updated_at and version
// columns included, audit rows counted).
func dumpTables(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.tables
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
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, table := range tables {
		rows, err := pool.Query(ctx, `SELECT t::text FROM `+table+` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, table+": "+line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func readReport(t *testing.T, file string) legacy.Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rep legacy.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func folderOf(t *testing.T, rep legacy.Report, folder string) legacy.FolderReport {
	t.Helper()
	f, ok := rep.Folder(folder)
	if !ok {
		t.Fatalf("no report for %s", folder)
	}
	return f
}

func TestImportYAMLSampleTree(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	kr := withKey(t)
	dir := copyTree(t)
	reportFile := filepath.Join(t.TempDir(), "report.json")
	out, errOut, err := runCLI(t, url, "import-yaml", dir, "--report", reportFile)
	if err != nil {
		t.Fatalf("import-yaml: %v (exit %d)\n%s\n%s", err, exitCode(err), out, errOut)
	}
	rep := readReport(t, reportFile)
	want := legacy.Counts{Folders: 52, Created: 50, Skipped: 2, Warnings: rep.Counts.Warnings}
	if rep.Counts != want {
		t.Fatalf("counts %+v, want %+v", rep.Counts, want)
	}

	// The two folders that cannot be imported, with file:line.
	tab := folderOf(t, rep, "tn_f0eaec1b_dpi5")
	if tab.Status != legacy.StatusSkipped || len(tab.Reasons) == 0 || tab.Reasons[0].Kind != legacy.SkipSyntax ||
		tab.Reasons[0].File != "tn_f0eaec1b_dpi5/client.yaml" || tab.Reasons[0].Line != 6 || !strings.Contains(tab.Reasons[0].Message, "tab") {
		t.Errorf("tab file: %+v", tab)
	}
	none := folderOf(t, rep, "tn_313a21de_xqsi")
	if none.Status != legacy.StatusSkipped || len(none.Reasons) == 0 || none.Reasons[0].Kind != legacy.SkipNoClientFile {
		t.Errorf("folder without client.yaml: %+v", none)
	}
	for _, line := range []string{
		"tn_f0eaec1b_dpi5/client.yaml:6: found a tab character in the indentation",
		"tn_313a21de_xqsi: the folder has no client.yaml",
		"created                  50",
		"skipped                   2",
		"failed                    0",
		"Rotate: 49 tenants held credentials in plain text",
		"africastay: supabase_url, supabase_anon_key, supabase_service_key, sendgrid_api_key",
		"tn_c8928038_4dxg/client.yaml:14: branding.primary_color \"blue\" is not #RRGGBB",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("the summary lacks %q\n%s", line, out)
		}
	}
	if strings.Contains(out, "tn_d8f595a0_xths: supabase_url") {
		t.Error("a tenant with env references is listed for rotation")
	}
	// Not a terminal: a progress line now and then, on stderr.
	if !strings.Contains(errOut, "importing 0/52 africastay") || !strings.Contains(errOut, "importing 52/52") || strings.Contains(errOut, "\r") {
		t.Errorf("progress on a non-terminal:\n%s", errOut)
	}

	// The variants are imported, each with the warning that says what was done.
	for folder, kind := range map[string]legacy.Kind{
		"tn_227731a0_jjma": legacy.WarnNoBranding, "tn_bebd0d16_w7hj": legacy.WarnLayout,
		"tn_c8928038_4dxg": legacy.WarnInvalidColor, "tn_9e29e7bd_5egd": legacy.WarnUnknownTimezone,
		"tn_3e5c90fb_mepp": legacy.WarnNormalized, "tn_784bf130_vu4t": legacy.WarnUnknownKey,
		"tn_ef79a19a_xejq": legacy.WarnLayout, "tn_550b877b_dtwa": legacy.WarnDerived,
		"tn_c20c20e5_f5ab": legacy.WarnMissingPrompt, "africastay": legacy.WarnPlainSecret,
	} {
		f := folderOf(t, rep, folder)
		if f.Status != legacy.StatusCreated || !legacy.HasKind(f.Warnings, kind) {
			t.Errorf("%s: status %s, warnings %v; want created with a %s warning", folder, f.Status, f.Warnings, kind)
		}
	}
	extra, _ := json.Marshal(folderOf(t, rep, "tn_784bf130_vu4t").ExtraKeys)
	if string(extra) != `[{"path":"client.legacy_crm_id","line":10},{"path":"client.beta_features","line":11},{"path":"features","line":30}]` {
		t.Errorf("extra keys %s", extra)
	}
	if len(rep.Rotate) != 49 {
		t.Errorf("%d tenants to rotate, want 49", len(rep.Rotate))
	}

	pool := connect(t, url)
	ctx := context.Background()
	for table, want := range map[string]int{"tenants": 50, "tenant_settings": 50, "tenant_branding": 50, "tenant_prompts": 49, "tenant_secrets": 200} {
		if n := count(t, pool, `SELECT count(*) FROM `+table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM tenants WHERE source = 'yaml_import' AND plan = 'lite' AND status = 'active'
		AND max_users = 5 AND max_monthly_quotes = 500 AND max_storage_gb = 5 AND created_by = 'cli:import-yaml'`); n != 50 {
		t.Errorf("%d tenants with plan lite, its quotas, source yaml_import and created_by cli:import-yaml; want 50", n)
	}
	if n := count(t, pool, `SELECT count(DISTINCT tenant_id) FROM audit_events WHERE action = 'tenant.imported'
		AND actor_email = 'cli:import-yaml' AND actor_role = 'platform_admin'`); n != 50 || count(t, pool, `SELECT count(*) FROM audit_events`) != 50 {
		t.Errorf("want exactly one tenant.imported audit event per tenant")
	}

	// Every field of a few tenants, as the YAML gives it.
	type fields struct {
		name, short, company, email, phone, website, currency, tz, fromName, fromEmail string
		theme, logo, primary, secondary, accent                                        string
	}
	for id, w := range map[string]fields{
		"africastay": {"Africa Stay", "africastay", "Africa Stay (Pty) Ltd", "support@africastay.com", "+27 13 833 7686",
			"https://www.africastay.com", "ZAR", "Africa/Johannesburg", "Africa Stay", "quotes@africastay.com",
			"safari_gold", "https://cdn.addogetaways.com/logo.png", "#C35D7D", "#AC0303", "#79F74D"},
		"tn_d8f595a0_xths": {"Tsavo Safaris", "tsavo-safaris", "Tsavo Safaris (Pty) Ltd", "support@tsavosafaris.africa", "+27 52 905 8063",
			"https://www.tsavosafaris.africa", "KES", "Australia/Sydney", "Tsavo Safaris", "quotes@tsavosafaris.africa",
			"midnight_purple", "https://cdn.tsavosafaris.africa/logo.png", "#088838", "#A62174", "#743165"},
		"tn_bebd0d16_w7hj": {"Wild Coast Retreats", "wild-coast-retreats", "Wild Coast Retreats (Pty) Ltd", "support@wildcoastretreats.africa", "+27 54 959 4322",
			"https://www.wildcoastretreats.africa", "USD", "Africa/Windhoek", "Wild Coast Retreats", "quotes@wildcoastretreats.africa",
			"sunset_orange", "https://cdn.wildcoastretreats.africa/logo.png", "#9FA44D", "#CE53CC", "#3232FB"},
		"tn_ef79a19a_xejq": {"Sossusvlei Journeys", "sossusvlei-journeys", "Sossusvlei Journeys Ltd", "support@sossusvleijourneys.com", "+27 39 668 7062",
			"https://www.sossusvleijourneys.com", "ZAR", "Australia/Sydney", "Sossusvlei Journeys", "quotes@sossusvleijourneys.com",
			"ocean_teal", "https://cdn.sossusvleijourneys.com/logo.png", "#6783E1", "#A49567", "#D3D7C3"},
	} {
		var g fields
		err := pool.QueryRow(ctx, `SELECT t.name, t.short_name, s.company_name, s.support_email, s.support_phone, s.website,
				s.currency, s.timezone, s.email_from_name, s.email_from_email,
				b.preset_theme, b.logo_url, b.color_primary, b.color_secondary, b.color_accent
			FROM tenants t JOIN tenant_settings s ON s.tenant_id = t.id JOIN tenant_branding b ON b.tenant_id = t.id
			WHERE t.id = $1`, id).Scan(&g.name, &g.short, &g.company, &g.email, &g.phone, &g.website, &g.currency, &g.tz,
			&g.fromName, &g.fromEmail, &g.theme, &g.logo, &g.primary, &g.secondary, &g.accent)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", id, g, w)
		}
	}

	// Secrets: encrypted, opening to the YAML's value, hint its last 4
	// characters; references stay references.
	values := fileSecrets(t, dir)
	rows, err := pool.Query(ctx, `SELECT tenant_id, name, kind, ciphertext, coalesce(key_id, ''), coalesce(env_ref, ''), hint FROM tenant_secrets`)
	if err != nil {
		t.Fatal(err)
	}
	opened := 0
	for rows.Next() {
		var id, name, kind, keyID, ref, hint string
		var ct []byte
		if err := rows.Scan(&id, &name, &kind, &ct, &keyID, &ref, &hint); err != nil {
			t.Fatal(err)
		}
		want, plain := values[id][name]
		switch {
		case id == "tn_d8f595a0_xths":
			if kind != "env_ref" || ref != "${"+strings.ToUpper(name)+"}" || ct != nil || keyID != "" {
				t.Errorf("%s %s: kind %s ref %q, want the reference kept", id, name, kind, ref)
			}
		case !plain:
			t.Errorf("%s %s: stored but not in the YAML", id, name)
		default:
			got, err := kr.Open(ct, keyID, secrets.AAD(id, name))
			if err != nil || string(got) != want || kind != "encrypted" || keyID != kr.CurrentID() || hint != want[len(want)-4:] {
				t.Errorf("%s %s: kind %s key %s hint %q, opens to the YAML value: %v (%v)", id, name, kind, keyID, hint, string(got) == want, err)
			}
			opened++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if opened != 196 {
		t.Errorf("%d encrypted secrets checked, want 196", opened)
	}
	var sendgrid []byte
	if err := pool.QueryRow(ctx, `SELECT ciphertext FROM tenant_secrets WHERE tenant_id = 'tn_ef79a19a_xejq' AND name = 'sendgrid_api_key'`).Scan(&sendgrid); err != nil {
		t.Fatal(err)
	}
	if got, _ := kr.Open(sendgrid, kr.CurrentID(), secrets.AAD("tn_ef79a19a_xejq", "sendgrid_api_key")); string(got) != "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" {
		t.Error("the SendGrid key given under email.sendgrid was not stored")
	}

	// Prompts, as the files hold them.
	file, _ := os.ReadFile(filepath.Join(dir, "africastay", "prompts", "inbound.txt"))
	var body string
	if err := pool.QueryRow(ctx, `SELECT body FROM tenant_prompts WHERE tenant_id = 'africastay' AND name = 'inbound'`).Scan(&body); err != nil || body != string(file) {
		t.Errorf("africastay's inbound prompt: %q (%v)", body, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM tenant_prompts WHERE tenant_id = 'tn_c20c20e5_f5ab'`); n != 0 {
		t.Errorf("the tenant without prompts/ has %d prompts", n)
	}
}

func TestImportYAMLSecondRunWritesNothing(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	withKey(t)
	dir := copyTree(t)
	if out, errOut, err := runCLI(t, url, "import-yaml", dir); err != nil {
		t.Fatalf("first run: %v\n%s\n%s", err, out, errOut)
	}
	pool := connect(t, url)
	before := dumpTables(t, pool)
	reportFile := filepath.Join(t.TempDir(), "again.json")
	out, errOut, err := runCLI(t, url, "import-yaml", dir, "--report", reportFile)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, errOut)
	}
	rep := readReport(t, reportFile)
	if c := rep.Counts; c.Unchanged != 50 || c.Skipped != 2 || c.Created+c.Updated+c.Differs+c.Failed != 0 {
		t.Fatalf("second run: %+v", c)
	}
	if !strings.Contains(out, "unchanged                50") {
		t.Errorf("summary:\n%s", out)
	}
	if after := dumpTables(t, pool); after != before {
		t.Fatal("the second run wrote to the database")
	}
}

func TestImportYAMLDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	withKey(t)
	dir := copyTree(t)
	pool := connect(t, url)
	reportFile := filepath.Join(t.TempDir(), "dry.json")
	out, errOut, err := runCLI(t, url, "import-yaml", "--dry-run", dir, "--report", reportFile)
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, errOut)
	}
	for _, table := range []string{"tenants", "tenant_settings", "tenant_branding", "tenant_prompts", "tenant_secrets", "audit_events"} {
		if n := count(t, pool, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("dry run wrote %d rows to %s", n, table)
		}
	}
	for _, want := range []string{"dry run: nothing was written", "would be created         50", "tn_f0eaec1b_dpi5/client.yaml:6:"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run summary lacks %q:\n%s", want, out)
		}
	}
	if rep := readReport(t, reportFile); !rep.DryRun || rep.Counts.Created != 50 {
		t.Errorf("dry run report: %+v", rep.Counts)
	}
}

func TestImportYAMLUpdatesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	kr := withKey(t)
	dir := copyTree(t)
	if _, errOut, err := runCLI(t, url, "import-yaml", dir); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	pool := connect(t, url)
	ctx := context.Background()
	editFile(t, filepath.Join(dir, "africastay", "client.yaml"), `primary_color: "#C35D7D"`, `primary_color: "#112233"`)
	const newKey = "SG.rotated-after-the-leak.Zq8"
	editFile(t, filepath.Join(dir, "tn_bebd0d16_w7hj", "client.yaml"), "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", newKey)
	before := dumpTables(t, pool)

	// Without --update the differences are reported, not written.
	out, errOut, err := runCLI(t, url, "import-yaml", dir)
	if err != nil {
		t.Fatalf("import without --update: %v\n%s", err, errOut)
	}
	for _, want := range []string{
		"differ, not updated       2   (run with --update to write them)",
		`branding.primary_color: tree "#112233", database "#C35D7D" (line 14)`,
		"infrastructure.sendgrid.api_key: differs (tree: a plain-text value; database: an encrypted value (key " + kr.CurrentID() + ")) (line 29)",
		"unchanged                48",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, newKey) || strings.Contains(errOut, newKey) {
		t.Fatal("the new secret value is in the output")
	}
	if dumpTables(t, pool) != before {
		t.Fatal("an import without --update wrote to the database")
	}

	// With --update: those fields are written and audited, nothing else.
	out, errOut, err = runCLI(t, url, "import-yaml", dir, "--update")
	if err != nil {
		t.Fatalf("import --update: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "updated                   2") || !strings.Contains(out, "unchanged                48") {
		t.Errorf("summary:\n%s", out)
	}
	var primary, secondary string
	var brandingVersion, settingsVersion, tenantVersion int
	err = pool.QueryRow(ctx, `SELECT b.color_primary, b.color_secondary, b.version, s.version, t.version
		FROM tenant_branding b JOIN tenant_settings s USING (tenant_id) JOIN tenants t ON t.id = b.tenant_id
		WHERE b.tenant_id = 'africastay'`).Scan(&primary, &secondary, &brandingVersion, &settingsVersion, &tenantVersion)
	if err != nil {
		t.Fatal(err)
	}
	if primary != "#112233" || secondary != "#AC0303" || brandingVersion != 2 || settingsVersion != 1 || tenantVersion != 1 {
		t.Errorf("africastay: primary %s secondary %s, versions branding %d settings %d tenant %d", primary, secondary, brandingVersion, settingsVersion, tenantVersion)
	}
	var auditBefore, auditAfter map[string]any
	err = pool.QueryRow(ctx, `SELECT before, after FROM audit_events WHERE tenant_id = 'africastay' AND action = 'tenant.updated'`).Scan(&auditBefore, &auditAfter)
	if err != nil {
		t.Fatal(err)
	}
	if len(auditBefore) != 1 || auditBefore["color_primary"] != "#C35D7D" || auditAfter["color_primary"] != "#112233" {
		t.Errorf("audit of the update: before %v after %v", auditBefore, auditAfter)
	}
	var secBefore, secAfter string
	err = pool.QueryRow(ctx, `SELECT before::text, after::text FROM audit_events WHERE tenant_id = 'tn_bebd0d16_w7hj' AND action = 'tenant.updated'`).Scan(&secBefore, &secAfter)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(secBefore, `"sendgrid_api_key": {"kind": "encrypted", "key_id": "`+kr.CurrentID()+`"}`) || strings.Contains(secAfter, newKey) || strings.Contains(secAfter, "Zq8") {
		t.Errorf("audit of a secret update: before %s after %s", secBefore, secAfter)
	}
	var ct []byte
	if err := pool.QueryRow(ctx, `SELECT ciphertext FROM tenant_secrets WHERE tenant_id = 'tn_bebd0d16_w7hj' AND name = 'sendgrid_api_key'`).Scan(&ct); err != nil {
		t.Fatal(err)
	}
	if got, err := kr.Open(ct, kr.CurrentID(), secrets.AAD("tn_bebd0d16_w7hj", "sendgrid_api_key")); err != nil || string(got) != newKey {
		t.Errorf("the updated secret does not open to the new value (%v)", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_events WHERE action = 'tenant.updated'`); n != 2 {
		t.Errorf("%d update audit events, want 2", n)
	}
	// Everything else is as it was.
	changed := 0
	after := strings.Split(dumpTables(t, pool), "\n")
	for _, line := range after {
		if !strings.Contains(before, line) {
			changed++
			if !strings.Contains(line, "africastay") && !strings.Contains(line, "tn_bebd0d16_w7hj") {
				t.Errorf("a row of another tenant changed: %.120s", line)
			}
		}
	}
	// branding row, africastay's change marker (what the read API serves),
	// secret row, two audit events
	if changed != 5 {
		t.Errorf("%d rows changed, want 5", changed)
	}

	out, _, err = runCLI(t, url, "import-yaml", dir, "--update")
	if err != nil || !strings.Contains(out, "unchanged                50") {
		t.Errorf("a run after the update: %v\n%s", err, out)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	kr := withKey(t)
	dir := copyTree(t)
	if _, errOut, err := runCLI(t, url, "import-yaml", dir); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	pool := connect(t, url)
	// A suspended tenant is not exported.
	if _, err := pool.Exec(context.Background(), `UPDATE tenants SET status = 'suspended', suspended_at = now(),
		suspended_reason = 'test', suspended_by = 'test' WHERE id = 'tn_0bbe2c38_v9r5'`); err != nil {
		t.Fatal(err)
	}
	before := dumpTables(t, pool)

	exported := filepath.Join(t.TempDir(), "export")
	out, errOut, err := runCLI(t, url, "export-yaml", exported)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "49 tenants written (97 files)") {
		t.Errorf("export summary:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(exported, "tn_0bbe2c38_v9r5")); !os.IsNotExist(err) {
		t.Error("a suspended tenant was exported")
	}
	// No secret value anywhere in the exported tree.
	var all strings.Builder
	err = filepath.WalkDir(exported, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		all.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range flatValues(fileSecrets(t, dir)) {
		if strings.Contains(all.String(), v) {
			t.Fatal("a secret value is in the exported tree")
		}
	}
	africastay, _ := os.ReadFile(filepath.Join(exported, "africastay", "client.yaml"))
	if !strings.Contains(string(africastay), `service_key: "${TENANT_AFRICASTAY_SUPABASE_SERVICE_KEY}"`) {
		t.Errorf("export of africastay:\n%s", africastay)
	}
	tsavo, _ := os.ReadFile(filepath.Join(exported, "tn_d8f595a0_xths", "client.yaml"))
	if !strings.Contains(string(tsavo), `service_key: "${SUPABASE_SERVICE_KEY}"`) {
		t.Errorf("export of a tenant with references:\n%s", tsavo)
	}

	// Importing the export: every tenant unchanged, the secrets kept.
	reportFile := filepath.Join(t.TempDir(), "roundtrip.json")
	if _, errOut, err := runCLI(t, url, "import-yaml", exported, "--update", "--report", reportFile); err != nil {
		t.Fatalf("import of the export: %v\n%s", err, errOut)
	}
	rep := readReport(t, reportFile)
	if c := rep.Counts; c.Unchanged != 49 || c.Folders != 49 {
		t.Fatalf("import of the export: %+v", c)
	}
	if dumpTables(t, pool) != before {
		t.Fatal("importing the export changed the database")
	}
	var ct []byte
	if err := pool.QueryRow(context.Background(), `SELECT ciphertext FROM tenant_secrets WHERE tenant_id = 'africastay' AND name = 'supabase_service_key'`).Scan(&ct); err != nil {
		t.Fatal(err)
	}
	if got, _ := kr.Open(ct, kr.CurrentID(), secrets.AAD("africastay", "supabase_service_key")); !strings.HasPrefix(string(got), "eyJ") {
		t.Error("the stored secret was replaced by its placeholder")
	}

	// Exporting again gives the same bytes.
	again := filepath.Join(t.TempDir(), "again")
	if _, _, err := runCLI(t, url, "export-yaml", again); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(filepath.Join(again, "africastay", "client.yaml"))
	if string(second) != string(africastay) {
		t.Error("two exports of an unchanged tenant differ")
	}
	// The drift between the export and the database is empty.
	if out, _, err := runCLI(t, url, "drift", exported, "--exit-code"); err != nil || !strings.Contains(out, "No drift") {
		t.Errorf("drift of the export: %v\n%s", err, out)
	}
}

func TestDrift(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	withKey(t)
	dir := copyTree(t)
	if _, errOut, err := runCLI(t, url, "import-yaml", dir); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	out, _, err := runCLI(t, url, "drift", dir, "--exit-code")
	if err != nil || !strings.Contains(out, "No drift") || !strings.Contains(out, "tn_f0eaec1b_dpi5/client.yaml:6:") {
		t.Fatalf("drift right after the import: %v\n%s", err, out)
	}

	pool := connect(t, url)
	if _, err := pool.Exec(context.Background(), `UPDATE tenant_branding SET color_accent = '#000000' WHERE tenant_id = 'africastay'`); err != nil {
		t.Fatal(err)
	}
	const newValue = "eyJhbGciOiJIUzI1NiJ9.ZHJpZnQ.drift-only-in-the-tree"
	editFile(t, filepath.Join(dir, "tn_bebd0d16_w7hj", "client.yaml"), `service_key: "eyJ`, `service_key: "`+newValue+`"`+"\n    old_service_key: \"eyJ")
	editFile(t, filepath.Join(dir, "tn_3e5c90fb_mepp", "client.yaml"), "currency: usd", "currency: EUR")

	reportFile := filepath.Join(t.TempDir(), "drift.json")
	out, _, err = runCLI(t, url, "drift", dir, "--report", reportFile)
	if err != nil {
		t.Fatalf("drift: %v\n%s", err, out)
	}
	for _, want := range []string{
		"Drift between " + dir + " and the database: 3 differences in 3 tenants.",
		"africastay\n  branding.accent_color: tree \"#79F74D\", database \"#000000\"",
		"tn_3e5c90fb_mepp\n  client.currency: tree \"EUR\", database \"USD\"",
		"tn_bebd0d16_w7hj\n  infrastructure.supabase.service_key: differs (tree: a plain-text value; database: an encrypted value",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("drift lacks %q\n%s", want, out)
		}
	}
	data, _ := os.ReadFile(reportFile)
	if strings.Contains(out, newValue) || strings.Contains(string(data), newValue) {
		t.Fatal("drift shows a secret value")
	}
	var rep legacy.DriftReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) != 3 || !slices.Equal(rep.Tenants(), []string{"africastay", "tn_3e5c90fb_mepp", "tn_bebd0d16_w7hj"}) {
		t.Errorf("drift report: %+v", rep.Differences)
	}
	if _, _, err := runCLI(t, url, "drift", dir, "--exit-code"); exitCode(err) != 1 {
		t.Errorf("drift --exit-code with differences: exit %d", exitCode(err))
	}

	// A tenant only in the database, and a folder only in the tree.
	if err := os.RemoveAll(filepath.Join(dir, "tn_006943ff_d8yf")); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(context.Background(), `DELETE FROM tenants WHERE id = 'tn_013f6552_sbrt'`); err != nil {
		t.Fatal(err)
	}
	out, _, _ = runCLI(t, url, "drift", dir)
	if !strings.Contains(out, "tn_006943ff_d8yf\n  only in the database") || !strings.Contains(out, "tn_013f6552_sbrt\n  only in the tree") {
		t.Errorf("drift of whole tenants:\n%s", out)
	}
	if !strings.Contains(dumpTables(t, pool), "tenant_settings") {
		t.Fatal("drift broke the database")
	}
}

func TestImportYAMLFolderFailingOnTheDatabase(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	withKey(t)
	dir := copyTree(t)
	pool := connect(t, url)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `
		CREATE FUNCTION fail_one_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.tenant_id = 'tn_3e5c90fb_mepp' THEN RAISE EXCEPTION 'injected failure for %', NEW.tenant_id; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER fail_one_tenant BEFORE INSERT ON tenant_secrets FOR EACH ROW EXECUTE FUNCTION fail_one_tenant();`)
	if err != nil {
		t.Fatal(err)
	}
	reportFile := filepath.Join(t.TempDir(), "report.json")
	out, _, err := runCLI(t, url, "import-yaml", dir, "--report", reportFile)
	if exitCode(err) != 1 {
		t.Fatalf("exit status %d (%v), want 1\n%s", exitCode(err), err, out)
	}
	rep := readReport(t, reportFile)
	if c := rep.Counts; c.Created != 49 || c.Failed != 1 || c.Skipped != 2 {
		t.Fatalf("counts %+v", c)
	}
	f := folderOf(t, rep, "tn_3e5c90fb_mepp")
	if f.Status != legacy.StatusFailed || !strings.Contains(f.Error, "injected failure for tn_3e5c90fb_mepp") {
		t.Errorf("failed folder: %+v", f)
	}
	if !strings.Contains(out, "Failed:\n  tn_3e5c90fb_mepp/client.yaml: ") || !strings.Contains(out, "1 folder failed") {
		t.Errorf("summary:\n%s", out)
	}
	// Its transaction left nothing behind.
	for _, table := range []string{"tenants WHERE id", "tenant_settings WHERE tenant_id", "tenant_branding WHERE tenant_id",
		"tenant_prompts WHERE tenant_id", "tenant_secrets WHERE tenant_id", "audit_events WHERE tenant_id"} {
		if n := count(t, pool, `SELECT count(*) FROM `+table+` = 'tn_3e5c90fb_mepp'`); n != 0 {
			t.Errorf("%s: %d rows of the failed tenant", table, n)
		}
	}

	// Once the cause is gone, a new run imports just that one.
	if _, err := pool.Exec(ctx, `DROP TRIGGER fail_one_tenant ON tenant_secrets`); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, url, "import-yaml", dir)
	if err != nil || !strings.Contains(out, "created                   1") || !strings.Contains(out, "unchanged                49") {
		t.Errorf("after the fix: %v\n%s", err, out)
	}
}

func TestImportYAMLLeaksNoSecret(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	setKey(t, "") // as `make run` does: a development key generated under CONSOLE_DATA_DIR, and logged about
	dir := copyTree(t)
	values := flatValues(fileSecrets(t, dir))
	const replaced = "SG.replaced-in-the-tree.KEEPSECRET-9q"
	editFile(t, filepath.Join(dir, "africastay", "client.yaml"), "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", replaced)
	values = append(values, replaced)

	var outputs strings.Builder
	reports := t.TempDir()
	for i, args := range [][]string{
		{"import-yaml", dir, "--dry-run", "--report", filepath.Join(reports, "dry.json")},
		{"import-yaml", dir, "--report", filepath.Join(reports, "import.json")},
		{"import-yaml", sampleTree, "--report", filepath.Join(reports, "differs.json")},
		{"import-yaml", sampleTree, "--update", "--report", filepath.Join(reports, "update.json")},
		{"drift", dir, "--report", filepath.Join(reports, "drift.json")},
		{"export-yaml", filepath.Join(reports, "export")},
	} {
		out, errOut, err := runCLI(t, url, args...)
		if err != nil {
			t.Fatalf("run %d %v: %v\n%s", i, args, err, errOut)
		}
		outputs.WriteString(out + errOut)
	}
	if !strings.Contains(outputs.String(), "level=INFO msg=\"generated a development secret key") || !strings.Contains(outputs.String(), "level=DEBUG") {
		t.Fatalf("the log lines were not captured:\n%s", outputs.String())
	}
	err := filepath.WalkDir(reports, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		outputs.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pool := connect(t, url)
	dump := dumpTables(t, pool)
	for _, table := range []string{"tenant_secrets", "audit_events", "tenants"} {
		if !strings.Contains(dump, table+": ") {
			t.Fatalf("the dump has no %s rows", table)
		}
	}
	for _, v := range values {
		for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v)), hex.EncodeToString([]byte(v))} {
			if strings.Contains(dump, form) {
				t.Fatalf("a secret value (%d characters) is in the database", len(v))
			}
			if strings.Contains(outputs.String(), form) {
				t.Fatalf("a secret value (%d characters) is in a report, the output or the logs", len(v))
			}
		}
	}
	// The only trace allowed is the hint: at most the last 4 characters.
	if n := count(t, pool, `SELECT count(*) FROM tenant_secrets WHERE char_length(hint) > 4 OR (kind = 'env_ref' AND hint <> '')`); n != 0 {
		t.Errorf("%d hints break the rule", n)
	}
}

func TestRotateSecretKey(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	keyA, _ := secrets.GenerateKey()
	keyB, _ := secrets.GenerateKey()
	setKey(t, keyA)
	dir := copyTree(t)
	if _, errOut, err := runCLI(t, url, "import-yaml", dir); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	pool := connect(t, url)
	ctx := context.Background()
	krA, _ := secrets.ParseKeyring(keyA, nil)
	krB, _ := secrets.ParseKeyring(keyB, nil)

	setKey(t, keyB, keyA)
	out, errOut, err := runCLI(t, url, "rotate-secret-key")
	if err != nil {
		t.Fatalf("rotate: %v\n%s\n%s", err, out, errOut)
	}
	if !strings.Contains(out, "Current key "+krB.CurrentID()+": 196 secrets re-encrypted") || !strings.Contains(out, "0 left under an old key") {
		t.Errorf("rotate summary:\n%s", out)
	}
	if !strings.Contains(errOut, "re-encrypting 196/196") {
		t.Errorf("rotate progress:\n%s", errOut)
	}
	if n := count(t, pool, `SELECT count(*) FROM tenant_secrets WHERE kind = 'encrypted' AND key_id <> $1`, krB.CurrentID()); n != 0 {
		t.Fatalf("%d rows not under the new key", n)
	}
	values := fileSecrets(t, dir)
	rows, err := pool.Query(ctx, `SELECT tenant_id, name, ciphertext FROM tenant_secrets WHERE kind = 'encrypted'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, name string
		var ct []byte
		if err := rows.Scan(&id, &name, &ct); err != nil {
			t.Fatal(err)
		}
		if got, err := krB.Open(ct, krB.CurrentID(), secrets.AAD(id, name)); err != nil || string(got) != values[id][name] {
			t.Errorf("%s %s does not open to its value under the new key (%v)", id, name, err)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	var before, after string
	err = pool.QueryRow(ctx, `SELECT before::text, after::text FROM audit_events WHERE action = 'secret.rotated'
		AND tenant_id = 'africastay' AND before ? 'supabase_service_key'`).Scan(&before, &after)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, krA.CurrentID()) || !strings.Contains(after, krB.CurrentID()) {
		t.Errorf("rotation audit: before %s after %s", before, after)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_events WHERE action = 'secret.rotated'`); n != 196 {
		t.Errorf("%d rotation audit events, want 196", n)
	}

	// Again: nothing to do, nothing written.
	snapshot := dumpTables(t, pool)
	out, _, err = runCLI(t, url, "rotate-secret-key")
	if err != nil || !strings.Contains(out, ": 0 secrets re-encrypted") {
		t.Errorf("second rotation: %v\n%s", err, out)
	}
	if dumpTables(t, pool) != snapshot {
		t.Error("a second rotation wrote to the database")
	}
	// The import still finds everything unchanged under the new key.
	if out, _, err := runCLI(t, url, "import-yaml", dir); err != nil || !strings.Contains(out, "unchanged                50") {
		t.Errorf("import after the rotation: %v\n%s", err, out)
	}

	// A key that is not given cannot be rotated from: reported, exit 1.
	keyC, _ := secrets.GenerateKey()
	setKey(t, keyC)
	out, _, err = runCLI(t, url, "rotate-secret-key")
	if exitCode(err) != 1 || !strings.Contains(out, "Could not re-encrypt 196") || !strings.Contains(out, "(key "+krB.CurrentID()+")") {
		t.Errorf("rotation without the old key: exit %d\n%.600s", exitCode(err), out)
	}
}

func TestRotateSecretKeyGenerate(t *testing.T) {
	t.Parallel()
	out, errOut, err := runCLI(t, "postgres://unused", "rotate-secret-key", "--generate")
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(out)
	if _, err := secrets.ParseKey(key); err != nil || strings.Count(out, "\n") != 1 {
		t.Errorf("--generate printed %q: %v", out, err)
	}
	if strings.Contains(errOut, key) || !strings.Contains(errOut, secrets.EnvPreviousKeys) {
		t.Errorf("--generate stderr: %q", errOut)
	}
}

func TestOpenKeyring(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	// Each subtest starts from the process environment (see setenv).
	keyless := func(t *testing.T, appEnv string) {
		setenv(t, secrets.EnvKey, "")
		setenv(t, secrets.EnvPreviousKeys, "")
		setenv(t, "CONSOLE_DATA_DIR", dataDir)
		setenv(t, "APP_ENV", appEnv)
	}

	t.Run("dev generates a key once", func(t *testing.T) {
		keyless(t, "dev")
		var logs strings.Builder
		cfg, log, err := loadConfig(cliContext(context.Background(), t, ""), &logs)
		if err != nil {
			t.Fatal(err)
		}
		kr, err := openKeyring(cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dataDir, "secret-key")
		info, err := os.Stat(file)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v, mode %v", err, info.Mode())
		}
		data, _ := os.ReadFile(file)
		key := strings.TrimSpace(string(data))
		if !strings.Contains(logs.String(), "generated a development secret key") || !strings.Contains(logs.String(), kr.CurrentID()) ||
			strings.Contains(logs.String(), key) {
			t.Errorf("log: %s", logs.String())
		}
		again, err := openKeyring(cfg, log)
		if err != nil || again.CurrentID() != kr.CurrentID() {
			t.Errorf("second open: %v, key %s then %s", err, kr.CurrentID(), again.CurrentID())
		}
	})
	t.Run("production refuses to run without a key", func(t *testing.T) {
		keyless(t, "production")
		cfg, log, err := loadConfig(cliContext(context.Background(), t, ""), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		_, err = openKeyring(cfg, log)
		if err == nil || !strings.Contains(err.Error(), "CONSOLE_SECRET_KEY is not set") ||
			!strings.Contains(err.Error(), "console rotate-secret-key --generate") || !strings.Contains(err.Error(), "openssl rand -base64 32") {
			t.Errorf("production without a key: %v", err)
		}
		_, _, err = runCLI(t, "postgres://unused", "import-yaml", sampleTree)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), "CONSOLE_SECRET_KEY is not set") {
			t.Errorf("import-yaml in production without a key: %v", err)
		}
	})
	t.Run("a bad key is refused without repeating it", func(t *testing.T) {
		keyless(t, "production")
		setenv(t, secrets.EnvKey, "not-a-key-but-a-secret-looking-thing")
		cfg, log, _ := loadConfig(cliContext(context.Background(), t, ""), io.Discard)
		_, err := openKeyring(cfg, log)
		if err == nil || strings.Contains(err.Error(), "not-a-key-but") {
			t.Errorf("bad key: %v", err)
		}
	})
}

func TestLegacyCommandsUsage(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	for _, args := range [][]string{
		{"import-yaml"},
		{"import-yaml", "a", "b"},
		{"export-yaml"},
		{"drift"},
		{"import-yaml", "--frobnicate", "a"},
	} {
		_, errOut, err := runCLI(t, "postgres://unused", args...)
		if exitCode(err) != 2 || !strings.Contains(errOut, "Usage: console "+args[0]) {
			t.Errorf("%v: exit %d\n%s", args, exitCode(err), errOut)
		}
	}
	withKey(t)
	_, _, err := runCLI(t, url, "import-yaml", filepath.Join(t.TempDir(), "missing"))
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("missing directory: %v", err)
	}
}

const messyTree = "../../internal/legacy/testdata/messy-clients"

// The messy tree end to end: no folder fails on the database (each bad
// value is skipped or warned about first; of the twins, the folder named as
// the id is imported), a second run and the import of
// the export change nothing, and drift right after is empty.
func TestImportYAMLMessyTree(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	withKey(t)
	reportFile := filepath.Join(t.TempDir(), "messy.json")
	out, errOut, err := runCLI(t, url, "import-yaml", messyTree, "--report", reportFile)
	if err != nil {
		t.Fatalf("import: %v\n%s\n%s", err, out, errOut)
	}
	rep := readReport(t, reportFile)
	if c := rep.Counts; c.Created != 20 || c.Failed != 0 || c.Created+c.Skipped != c.Folders {
		t.Fatalf("counts %+v\n%s", c, out)
	}
	for _, want := range []string{
		"quoted-email/client.yaml:18: email.primary", "invisible-name/client.yaml:4: client.name",
		"upper-keys/client.yaml: client.yaml has no client: section",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}

	pool := connect(t, url)
	before := dumpTables(t, pool)
	if out, _, err := runCLI(t, url, "import-yaml", messyTree); err != nil || !strings.Contains(out, "unchanged                20") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	if out, _, err := runCLI(t, url, "drift", messyTree, "--exit-code"); err != nil || !strings.Contains(out, "No drift") {
		t.Errorf("drift: %v\n%s", err, out)
	}
	exported := filepath.Join(t.TempDir(), "export")
	if _, errOut, err := runCLI(t, url, "export-yaml", exported); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	if out, _, err := runCLI(t, url, "import-yaml", exported, "--update"); err != nil || !strings.Contains(out, "unchanged                20") {
		t.Errorf("import of the export: %v\n%s", err, out)
	}
	if dumpTables(t, pool) != before {
		t.Error("a second run or the import of the export wrote to the database")
	}
}

// Runs at once on one database: each tenant is created once, and no run
// fails a folder for having lost a race to another.
func TestImportYAMLConcurrentRuns(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	withKey(t)
	dir := copyTree(t)
	ctx := cliContext(context.Background(), t, url)
	const runs = 3
	var (
		wg   sync.WaitGroup
		errs [runs]error
		outs [runs]bytes.Buffer
	)
	for i := range runs {
		wg.Go(func() {
			var errOut bytes.Buffer
			errs[i] = run(ctx, []string{"import-yaml", dir}, &outs[i], &errOut)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v\n%s", i, err, outs[i].String())
		}
	}
	pool := connect(t, url)
	if n := count(t, pool, `SELECT count(*) FROM tenants`); n != 50 {
		t.Errorf("%d tenants, want 50", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_events WHERE action = 'tenant.imported'`); n != 50 {
		t.Errorf("%d import audit events, want 50", n)
	}
}

// A mistyped DIR is reported before the database is opened.
func TestImportYAMLChecksDirFirst(t *testing.T) {
	t.Parallel()
	withKey(t)
	missing := filepath.Join(t.TempDir(), "missing")
	for _, cmd := range []string{"import-yaml", "drift"} {
		_, _, err := runCLI(t, "postgres://nobody@127.0.0.1:1/nothing", cmd, missing)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), missing+": no such file or directory; give the folder that holds the tenant folders") {
			t.Errorf("%s: %v", cmd, err)
		}
	}
}
