package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// editors are the people the edit tests sign in as.
type editors struct {
	owner, support, admin person
}

func newEditors(t *testing.T, a *app) editors {
	return editors{
		owner:   a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner}),
		support: a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil),
		admin:   a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil),
	}
}

func (a *app) signedInAs(t *testing.T, p person) *browser {
	t.Helper()
	b := a.newBrowser(t)
	b.signIn(p)
	return b
}

// savedSettings, savedBranding and savedPlan are the forms as their pages
// fill them: what is stored, at the stored version, with the values read
// (orig_…) — straight from the database.
func savedSettings(t *testing.T, a *app, id string) url.Values {
	t.Helper()
	in := tenant.SettingsInputOf(detailOf(t, a, id).Settings)
	return formValues(in, in.FormState, tenant.SettingsFields)
}

func savedBranding(t *testing.T, a *app, id string) url.Values {
	t.Helper()
	in := tenant.BrandingInputOf(detailOf(t, a, id).Branding)
	return formValues(in, in.FormState, tenant.BrandingFields)
}

func savedPlan(t *testing.T, a *app, id string) url.Values {
	t.Helper()
	in := tenant.PlanInputOf(detailOf(t, a, id).Tenant)
	return formValues(in, in.FormState, tenant.PlanFields)
}

func detailOf(t *testing.T, a *app, id string) tenant.Detail {
	t.Helper()
	d, err := a.store.GetDetail(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func formValues(in interface{ Get(string) string }, st tenant.FormState, keys []string) url.Values {
	v := url.Values{"version": {st.Version}}
	for _, k := range keys {
		v.Set(k, in.Get(k))
		v.Set("orig_"+k, st.Original[k])
	}
	return v
}

// withoutOriginals is a form from before the edit pages carried the values
// they were read with.
func withoutOriginals(v url.Values) url.Values {
	out := with(v)
	for k := range out {
		if strings.HasPrefix(k, "orig_") {
			delete(out, k)
		}
	}
	return out
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

type auditRow struct {
	action, role  string
	before, after map[string]any
}

func auditOf(t *testing.T, a *app, id, action string) []auditRow {
	t.Helper()
	rows, err := a.pool.Query(context.Background(), `SELECT action, actor_role, coalesce(before, '{}'), coalesce(after, '{}')
		FROM audit_events WHERE tenant_id = $1 AND action = $2 ORDER BY id`, id, action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		var b, af []byte
		if err := rows.Scan(&r.action, &r.role, &b, &af); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(b, &r.before)
		_ = json.Unmarshal(af, &r.after)
		out = append(out, r)
	}
	return out
}

func version(t *testing.T, a *app, table, id string) int {
	t.Helper()
	col := "tenant_id"
	if table == "tenants" {
		col = "id"
	}
	var v int
	if err := a.pool.QueryRow(context.Background(), `SELECT version FROM `+table+` WHERE `+col+` = $1`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// follow fetches where a redirect points.
func (b *browser) follow(res *http.Response) (*http.Response, string) {
	b.t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("status %d, want a redirect", res.StatusCode)
	}
	return b.get(res.Header.Get("Location"))
}

func TestSettingsWhoMayEditWhat(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)

	owner := a.signedInAs(t, e.owner)
	res, body := owner.get("/tenants/" + tenantA)
	if res.StatusCode != 200 || !strings.Contains(body, "Edit settings") || !strings.Contains(body, "Edit branding") {
		t.Fatalf("the owner's tenant page lacks the edit links (%d)", res.StatusCode)
	}
	if strings.Contains(body, `id="plan-form"`) {
		t.Fatal("the owner is offered the plan form")
	}
	res, body = owner.get("/tenants/" + tenantA + "/settings")
	if res.StatusCode != 200 || strings.Contains(body, "<fieldset disabled") {
		t.Fatalf("owner's settings page: %d, disabled: %v", res.StatusCode, strings.Contains(body, "<fieldset disabled"))
	}
	res, body = owner.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA), "company_name", "Africa Stay (Pty) Ltd"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner saving their settings: %d\n%s", res.StatusCode, clip(body))
	}
	_, body = owner.follow(res)
	if !strings.Contains(body, "Settings saved: Company name.") {
		t.Fatalf("no saved notice:\n%s", clip(body))
	}

	// A tenant admin edits too.
	tadmin := a.signedInAs(t, a.createPerson(t, "ama@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberAdmin}))
	tadmin.get("/tenants/" + tenantA + "/branding")
	if res, _ := tadmin.post("/tenants/"+tenantA+"/branding", with(savedBranding(t, a, tenantA), "color_accent", "#0EA5E9")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("tenant admin saving branding: %d", res.StatusCode)
	}

	// The owner of A asking about B: "not found", on every edit address.
	for _, path := range []string{"/settings", "/branding", "/branding/preview", "/branding/theme"} {
		if res, _ := owner.get("/tenants/" + tenantB + path); res.StatusCode != http.StatusNotFound {
			t.Errorf("owner of A GET B%s: %d, want 404", path, res.StatusCode)
		}
	}
	owner.get("/tenants/" + tenantA + "/settings") // a page with a token
	for path, form := range map[string]url.Values{
		"/settings": with(savedSettings(t, a, tenantB), "company_name", "Taken over"),
		"/branding": with(savedBranding(t, a, tenantB), "color_primary", "#000000"),
	} {
		if res, _ := owner.post("/tenants/"+tenantB+path, form); res.StatusCode != http.StatusNotFound {
			t.Errorf("owner of A POST B%s: %d, want 404", path, res.StatusCode)
		}
	}
	if res, _ := owner.post("/tenants/"+tenantA+"/plan", with(savedPlan(t, a, tenantA), "plan", "lite")); res.StatusCode != http.StatusForbidden {
		t.Errorf("owner changing their own plan: %d, want 403", res.StatusCode)
	}
	var name string
	_ = a.pool.QueryRow(context.Background(), `SELECT company_name FROM tenant_settings WHERE tenant_id = $1`, tenantB).Scan(&name)
	if name == "Taken over" {
		t.Fatal("the owner of A changed B's settings")
	}

	// Support reads, read-only, and may not save.
	support := a.signedInAs(t, e.support)
	_, body = support.get("/tenants/" + tenantB)
	if !strings.Contains(body, "View settings") || strings.Contains(body, "Edit settings") {
		t.Fatal("support's tenant page should offer to view, not edit, the settings")
	}
	for _, path := range []string{"/settings", "/branding"} {
		res, body := support.get("/tenants/" + tenantB + path)
		if res.StatusCode != 200 || !strings.Contains(body, "<fieldset disabled") || !strings.Contains(body, `id="read-only"`) {
			t.Errorf("support GET %s: %d, read-only: %v", path, res.StatusCode, strings.Contains(body, "<fieldset disabled"))
		}
	}
	for path, form := range map[string]url.Values{
		"/settings": with(savedSettings(t, a, tenantB), "company_name", "Support was here"),
		"/branding": with(savedBranding(t, a, tenantB), "color_primary", "#000000"),
		"/plan":     with(savedPlan(t, a, tenantB), "plan", "lite"),
	} {
		if res, _ := support.post("/tenants/"+tenantB+path, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("support POST %s: %d, want 403", path, res.StatusCode)
		}
	}

	// A platform admin edits any tenant.
	admin := a.signedInAs(t, e.admin)
	admin.get("/tenants/" + tenantB)
	res, _ = admin.post("/tenants/"+tenantB+"/settings", with(savedSettings(t, a, tenantB), "currency", "usd", "timezone", "Africa/Nairobi"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin saving B's settings: %d", res.StatusCode)
	}
	ev := auditOf(t, a, tenantB, tenant.ActionSettingsUpdated)
	if len(ev) != 1 || ev[0].role != "platform_admin" || ev[0].after["currency"] != "USD" || ev[0].after["timezone"] != "Africa/Nairobi" {
		t.Fatalf("audit of the admin's save: %+v", ev)
	}
	if n := len(auditOf(t, a, tenantB, tenant.ActionSettingsUpdated)); n != 1 {
		t.Fatalf("%d audit rows", n)
	}
	if a := auditOf(t, a, tenantA, tenant.ActionSettingsUpdated); len(a) != 1 || a[0].role != "owner" {
		t.Fatalf("audit of the owner's save: %+v", a)
	}
}

// Each field rule, through the form that uses it: refused with its message
// beside the field (422), what was typed kept, nothing written.
func TestEditFormsRefuseEachFieldBesideIt(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	b := a.signedInAs(t, e.admin)
	b.get("/tenants/" + tenantA)

	for _, c := range []struct {
		form, field, typed, message string
	}{
		{"settings", "company_name", "   ", "Enter the company's name."},
		{"settings", "company_name", strings.Repeat("n", 201), "Use at most 200 characters."},
		{"settings", "support_email", "not-an-email", "e-mail address"},
		{"settings", "support_phone", "call me maybe", "Enter a phone number like +27 21 555 0100."},
		{"settings", "website", "http://africastay.com", "https://"},
		{"settings", "currency", "ZZZ", "currency"},
		{"settings", "timezone", "Mars/Olympus_Mons", "time zone"},
		{"settings", "email_from_name", strings.Repeat("s", 201), "Use at most 200 characters."},
		{"settings", "email_from_email", "sales@", "e-mail address"},
		{"branding", "preset_theme", "neon_pink", "Choose one of the preset themes."},
		{"branding", "color_primary", "red", "Use a colour like #1E40AF."},
		{"branding", "color_secondary", "#12345", "Use a colour like #1E40AF."},
		{"branding", "color_accent", "#GGGGGG", "Use a colour like #1E40AF."},
		{"branding", "logo_url", "ftp://africastay.com/logo.png", "https://"},
		{"plan", "plan", "gold", "Choose a plan: Lite, Pro or Enterprise."},
		{"plan", "max_users", "-1", "Enter a whole number, 0 or more."},
		{"plan", "max_users", "2.5", "Enter a whole number, 0 or more."},
		{"plan", "max_monthly_quotes", "lots", "Enter a whole number, 0 or more."},
		{"plan", "max_storage_gb", "99999999999", "Enter a whole number, 0 or more."},
		{"plan", "max_storage_gb", "1000000001", "Enter a number up to 1,000,000,000."},
	} {
		t.Run(c.form+"/"+c.field, func(t *testing.T) {
			var form url.Values
			switch c.form {
			case "settings":
				form = savedSettings(t, a, tenantA)
			case "branding":
				form = savedBranding(t, a, tenantA)
			default:
				form = savedPlan(t, a, tenantA)
			}
			res, body := b.post("/tenants/"+tenantA+"/"+c.form, with(form, c.field, c.typed))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.StatusCode, clip(body))
			}
			m := regexp.MustCompile(`(?s)<p id="` + c.field + `-error" class="field-error">(.*?)</p>`).FindStringSubmatch(body)
			if m == nil || !strings.Contains(html.UnescapeString(m[1]), c.message) {
				t.Fatalf("no message containing %q beside %s", c.message, c.field)
			}
			if c.field != "currency" && c.field != "preset_theme" && c.field != "plan" &&
				!strings.Contains(body, `value="`+html.EscapeString(c.typed)+`"`) {
				t.Errorf("what was typed (%q) is not kept", c.typed)
			}
		})
	}
	for _, table := range []string{"tenant_settings", "tenant_branding", "tenants"} {
		if v := version(t, a, table, tenantA); v != 1 {
			t.Errorf("%s was written (version %d)", table, v)
		}
	}
	var n int
	_ = a.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE tenant_id = $1`, tenantA).Scan(&n)
	if n != 0 {
		t.Errorf("%d audit rows after refused forms", n)
	}
}

func TestUnchangedFormWritesNothing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	b := a.signedInAs(t, e.owner)
	b.get("/tenants/" + tenantA + "/settings")
	for _, c := range []struct {
		form  string
		table string
		v     url.Values
	}{
		{"settings", "tenant_settings", savedSettings(t, a, tenantA)},
		// normalised to what is saved: the same values in other letter case and spacing
		{"settings", "tenant_settings", with(savedSettings(t, a, tenantA), "currency", " zar ", "support_email", strings.ToUpper(savedSettings(t, a, tenantA).Get("support_email")))},
		{"branding", "tenant_branding", with(savedBranding(t, a, tenantA), "color_primary", strings.ToLower(savedBranding(t, a, tenantA).Get("color_primary")))},
	} {
		res, _ := b.post("/tenants/"+tenantA+"/"+c.form, c.v)
		_, body := b.follow(res)
		if !strings.Contains(body, "No changes") {
			t.Errorf("%s: the page does not say there were no changes", c.form)
		}
		if v := version(t, a, c.table, tenantA); v != 1 {
			t.Errorf("%s: version %d after an unchanged save", c.form, v)
		}
	}
	admin := a.signedInAs(t, e.admin)
	admin.get("/tenants/" + tenantA)
	res, _ := admin.post("/tenants/"+tenantA+"/plan", savedPlan(t, a, tenantA))
	if _, body := admin.follow(res); !strings.Contains(body, "No changes") {
		t.Error("plan: the page does not say there were no changes")
	}
	var n int
	_ = a.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE tenant_id = $1`, tenantA).Scan(&n)
	if n != 0 {
		t.Fatalf("%d audit rows after unchanged saves", n)
	}
}

func TestSaveAuditsOnlyTheChangedFields(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	b := a.signedInAs(t, e.owner)
	b.get("/tenants/" + tenantA + "/branding")
	before := savedBranding(t, a, tenantA)
	res, _ := b.post("/tenants/"+tenantA+"/branding", with(before, "color_primary", "#0f766e", "logo_url", "https://cdn.africastay.com/logo.svg"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	ev := auditOf(t, a, tenantA, tenant.ActionBrandingUpdated)
	if len(ev) != 1 {
		t.Fatalf("%d audit rows, want 1", len(ev))
	}
	wantBefore := map[string]any{"color_primary": before.Get("color_primary"), "logo_url": before.Get("logo_url")}
	wantAfter := map[string]any{"color_primary": "#0F766E", "logo_url": "https://cdn.africastay.com/logo.svg"}
	if !equalMaps(ev[0].before, wantBefore) || !equalMaps(ev[0].after, wantAfter) {
		t.Fatalf("audit before %v after %v; want %v → %v", ev[0].before, ev[0].after, wantBefore, wantAfter)
	}
	if v := version(t, a, "tenant_branding", tenantA); v != 2 {
		t.Fatalf("version %d, want 2", v)
	}

	admin := a.signedInAs(t, e.admin)
	admin.get("/tenants/" + tenantB)
	res, _ = admin.post("/tenants/"+tenantB+"/plan", with(savedPlan(t, a, tenantB), "plan", "enterprise", "defaults", "1"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("plan: status %d", res.StatusCode)
	}
	_, body := admin.follow(res)
	if !strings.Contains(body, "Plan and quotas saved") || !strings.Contains(body, "250 users") {
		t.Fatalf("the tenant page does not show the new plan's quotas:\n%s", clip(body))
	}
	pe := auditOf(t, a, tenantB, tenant.ActionPlanUpdated)
	q := tenant.DefaultQuotas(tenant.PlanEnterprise)
	if len(pe) != 1 || pe[0].after["plan"] != "enterprise" || pe[0].after["max_users"] != float64(q.MaxUsers) || pe[0].before["plan"] != "pro" {
		t.Fatalf("plan audit: %+v", pe)
	}
	// an emptied quota is the plan's default
	res, _ = admin.post("/tenants/"+tenantB+"/plan", with(savedPlan(t, a, tenantB), "plan", "lite", "max_storage_gb", " ", "max_users", "7"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("plan with an empty quota: %d", res.StatusCode)
	}
	if got := savedPlan(t, a, tenantB); got.Get("max_storage_gb") != "5" || got.Get("max_users") != "7" || got.Get("max_monthly_quotes") != "50000" {
		t.Fatalf("quotas: %v", got)
	}
}

func equalMaps(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Two people edit the same settings: the second save is stale and gets
// the page merging both, and keeps what they choose of each.
func TestStaleFormGetsSideBySideAndKeepsEither(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	owner, admin := a.signedInAs(t, e.owner), a.signedInAs(t, e.admin)
	owner.get("/tenants/" + tenantA + "/settings")
	admin.get("/tenants/" + tenantA + "/settings")
	read := savedSettings(t, a, tenantA) // both read version 1

	res, _ := admin.post("/tenants/"+tenantA+"/settings", with(read, "company_name", "Africa Stay Holdings"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.StatusCode)
	}
	res, body := owner.post("/tenants/"+tenantA+"/settings", with(read, "support_email", "help@africastay.com"))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409\n%s", res.StatusCode, clip(body))
	}
	page := conflictOf(t, body)
	page.wantChosen(t, "company_name", "theirs", "Africa Stay Holdings")
	page.wantChosen(t, "support_email", "yours", "help@africastay.com")
	if _, ok := page.rows["currency"]; ok {
		t.Error("a field both agree on is offered as a conflict")
	}
	if page.form.Get("version") != "2" {
		t.Errorf("the page carries version %q, want 2", page.form.Get("version"))
	}
	if got := savedSettings(t, a, tenantA); got.Get("support_email") == "help@africastay.com" {
		t.Fatal("the stale form was written")
	}

	// Keep mine for the name after all (undoing theirs on purpose), mine for the e-mail.
	choice := with(page.form, "company_name", read.Get("company_name"))
	res, body = owner.post("/tenants/"+tenantA+"/settings", choice)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the choices: %d\n%s", res.StatusCode, clip(body))
	}
	got := savedSettings(t, a, tenantA)
	if got.Get("company_name") != read.Get("company_name") || got.Get("support_email") != "help@africastay.com" || got.Get("version") != "3" {
		t.Fatalf("after the choices: %v", got)
	}
	if ev := auditOf(t, a, tenantA, tenant.ActionSettingsUpdated); len(ev) != 2 || len(ev[1].after) != 2 || ev[1].after["support_email"] != "help@africastay.com" {
		t.Fatalf("audit: %+v", ev)
	}

	// The plan form is guarded the same way: both changed the users.
	plan := savedPlan(t, a, tenantA)
	admin.get("/tenants/" + tenantA)
	if res, _ := admin.post("/tenants/"+tenantA+"/plan", with(plan, "max_users", "30")); res.StatusCode != http.StatusSeeOther {
		t.Fatal("plan save failed")
	}
	res, body = admin.post("/tenants/"+tenantA+"/plan", with(plan, "max_users", "40"))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale plan form: %d", res.StatusCode)
	}
	conflictOf(t, body).wantAsked(t, "max_users", "30", "40")
}

// The preview draws only what passed its field rule: a valid colour as a
// fill attribute, anything else replaced by the saved colour with a message.
func TestBrandingPreviewDrawsOnlyValidColours(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	b := a.signedInAs(t, e.owner)
	saved := savedBranding(t, a, tenantA)
	q := with(saved, "color_primary", "#ffffff").Encode()
	res, body := b.get("/tenants/"+tenantA+"/branding/preview?"+q, "HX-Request", "true")
	if res.StatusCode != 200 || !strings.Contains(body, `fill="#FFFFFF"`) || !strings.Contains(body, "White 1.0:1, Black 21.0:1") ||
		!strings.Contains(body, `id="contrast-white-warning"`) || strings.Contains(body, "<html") {
		t.Fatalf("preview of white: %d\n%s", res.StatusCode, clip(body))
	}
	hostile := "red;background:url(https://evil.example/x)"
	q = with(saved, "color_primary", hostile, "logo_url", "javascript:alert(1)").Encode()
	_, body = b.get("/tenants/"+tenantA+"/branding/preview?"+q, "HX-Request", "true")
	if strings.Contains(body, "evil.example") || strings.Contains(body, "javascript:") || strings.Contains(body, "style=") {
		t.Fatalf("the preview carries the raw value:\n%s", body)
	}
	if !strings.Contains(body, `fill="`+saved.Get("color_primary")+`"`) || !strings.Contains(body, "The preview shows the saved colour.") ||
		!strings.Contains(body, "The preview shows the saved logo.") {
		t.Fatalf("the preview should fall back to the saved colour with a message:\n%s", clip(body))
	}
	// a theme fills in its colours and redraws the preview out of band
	_, body = b.get("/tenants/"+tenantA+"/branding/theme?"+with(saved, "preset_theme", "ocean_teal").Encode(), "HX-Request", "true")
	teal, _ := tenant.ThemeByID("ocean_teal")
	if !strings.Contains(body, `id="color_primary" name="color_primary" type="text" value="`+teal.Primary+`"`) ||
		!strings.Contains(body, `hx-swap-oob="true"`) || !strings.Contains(body, `fill="`+teal.Accent+`"`) {
		t.Fatalf("theme fragment:\n%s", clip(body))
	}
	// without JavaScript, the button fills the theme in without saving
	b.get("/tenants/" + tenantA + "/branding")
	res, body = b.post("/tenants/"+tenantA+"/branding", with(saved, "preset_theme", "ocean_teal", "apply_theme", "1"))
	if res.StatusCode != 200 || !strings.Contains(body, `value="`+teal.Secondary+`"`) || version(t, a, "tenant_branding", tenantA) != 1 {
		t.Fatalf("apply theme without JS: %d", res.StatusCode)
	}
}

// Hostile input in every field of these forms is either refused with a
// field message, or stored and shown inert on every page that shows it.
func TestEditFormsHostileInput(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	b := a.signedInAs(t, e.admin)
	b.get("/tenants/" + tenantA)
	hostile := []string{
		`<script>alert(1)</script>`,
		`"><svg onload=alert(1)>`,
		`javascript:alert(1)`,
		`data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
		`'); DROP TABLE tenants; --`,
		`red;background:url(https://evil.example/x)`,
		strings.Repeat("A", 10000),
		"Africa\x00Stay",
		"\u202Eyats acirfA\u202C",
	}
	forms := map[string]func() url.Values{
		"settings": func() url.Values { return savedSettings(t, a, tenantA) },
		"branding": func() url.Values { return savedBranding(t, a, tenantA) },
		"plan":     func() url.Values { return savedPlan(t, a, tenantA) },
	}
	fields := map[string][]string{"settings": tenant.SettingsFields, "branding": tenant.BrandingFields, "plan": tenant.PlanFields}
	stored := 0
	for form, keys := range fields {
		for _, key := range keys {
			for i, value := range hostile {
				res, body := b.post("/tenants/"+tenantA+"/"+form, with(forms[form](), key, value))
				switch res.StatusCode {
				case http.StatusUnprocessableEntity:
					if !strings.Contains(body, `id="`+key+`-error"`) {
						t.Errorf("%s %s hostile #%d refused without a message beside the field", form, key, i)
					}
					assertInert(t, form+" "+key+" 422 page", body)
				case http.StatusSeeOther:
					stored++
				default:
					t.Errorf("%s %s hostile #%d: status %d", form, key, i, res.StatusCode)
				}
				b.get("/tenants/" + tenantA) // a fresh token for the next post
			}
		}
	}
	if stored == 0 {
		t.Fatal("nothing hostile was stored: the rendering half of the test tested nothing")
	}
	for _, path := range []string{"", "/settings", "/branding", "/branding/preview?" + savedBranding(t, a, tenantA).Encode()} {
		res, body := b.get("/tenants/" + tenantA + path)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		assertInert(t, "GET /tenants/"+tenantA+path, body)
	}
	// a stale form shows saved and typed values side by side: inert too
	b.get("/tenants/" + tenantA + "/settings")
	res, body := b.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA), "version", "1",
		"company_name", `"><svg onload=alert(1)>`, "email_from_name", `<script>alert(1)</script>`))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale hostile form: %d", res.StatusCode)
	}
	assertInert(t, "conflict page", body)
	res, body = b.get("/tenants?q=africa")
	if res.StatusCode != 200 {
		t.Fatalf("the list broke: %d", res.StatusCode)
	}
	assertInert(t, "list", body)
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM tenants`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("tenants: %d, %v", n, err)
	}
	var nul int
	_ = a.pool.QueryRow(context.Background(), `SELECT count(*) FROM tenant_settings WHERE position(chr(65533) in company_name) > 0`).Scan(&nul)
	if nul != 0 {
		t.Error("a NUL byte was stored mangled")
	}
	t.Logf("%d hostile values stored (and shown inert), the rest refused", stored)
}

// assertInert fails when a page carries markup or a style the hostile
// values could have injected.
func assertInert(t *testing.T, where, body string) {
	t.Helper()
	for _, bad := range []string{"<script>alert", "<svg onload", `href="javascript:`, `src="javascript:`,
		`href="data:`, `src="data:`, "style="} {
		if strings.Contains(body, bad) {
			i := strings.Index(body, bad)
			t.Errorf("%s: contains %q: …%s…", where, bad, body[max(0, i-80):min(len(body), i+80)])
		}
	}
	for _, m := range regexp.MustCompile(`fill="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if !regexp.MustCompile(`^#[0-9A-F]{6}$`).MatchString(m[1]) {
			t.Errorf("%s: a fill that is not #RRGGBB: %q", where, m[1])
		}
	}
}
