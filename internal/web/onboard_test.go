package web_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// onboardForm is a complete, valid onboarding form as a person fills it,
// taken from GET /tenants/new (so it carries that page's idempotency key).
func onboardForm(t *testing.T, b *browser, shortName, ownerEmail string) url.Values {
	t.Helper()
	res, page := b.get("/tenants/new")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /tenants/new: %d", res.StatusCode)
	}
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(page)
	if key == nil {
		t.Fatal("the form carries no idempotency key")
	}
	return url.Values{
		"idempotency_key": {key[1]},
		"name":            {"Zambezi Canoe Safaris"}, "short_name": {shortName},
		"support_email": {"help@zambezicanoe.example"}, "support_phone": {"+260 21 555 0199"},
		"website": {"https://www.zambezicanoe.example"}, "currency": {"ZMW"}, "timezone": {"Africa/Lusaka"},
		"preset_theme": {"ocean_teal"}, "color_primary": {"#0F766E"}, "color_secondary": {"#134E4A"}, "color_accent": {"#06B6D4"},
		"logo_url":        {"https://cdn.zambezicanoe.example/logo.png"},
		"email_from_name": {"Zambezi Canoe"}, "email_from_email": {""},
		"plan": {"pro"}, "max_users": {""}, "max_monthly_quotes": {""}, "max_storage_gb": {""},
		"owner_email": {ownerEmail}, "owner_name": {"Chanda Mwale"},
		"owner_mode": {"password"}, "owner_password": {"paddle the zambezi"},
	}
}

// tableCounts counts the rows of every table onboarding writes.
func (a *app) tableCounts(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range []string{"tenants", "tenant_settings", "tenant_branding", "tenant_prompts",
		"organization_users", "audit_events", "onboarding_requests"} {
		var n int
		if err := a.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

func sameCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// onboard submits form and follows the redirect to the result page.
func onboard(t *testing.T, b *browser, form url.Values) (status int, page string) {
	t.Helper()
	res, body := b.post("/tenants", form)
	if res.StatusCode != http.StatusSeeOther {
		return res.StatusCode, body
	}
	res, body = b.get(res.Header.Get("Location"))
	return res.StatusCode, body
}

var resultTenantID = regexp.MustCompile(`id="tenant-id"[^>]*>([^<]+)<`)

func TestOnboardANewOwnerWritesEveryTableOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	before := a.tableCounts(t)

	status, page := onboard(t, b, onboardForm(t, b, "zambezi-canoe", "Chanda@ZambeziCanoe.example"))
	if status != http.StatusOK {
		t.Fatalf("status %d\n%s", status, clip(page))
	}
	m := resultTenantID.FindStringSubmatch(page)
	if m == nil || !tenant.IsGeneratedID(m[1]) {
		t.Fatalf("the result page shows no new tn_ id\n%s", clip(page))
	}
	id := m[1]
	for _, want := range []string{"Zambezi Canoe Safaris", "chanda@zambezicanoe.example signs in with the password you set.",
		`data-created="tenant_settings"`, `data-created="tenant_branding"`, `data-created="tenant_prompts"`,
		`data-created="organization_users"`, `href="/tenants/` + id + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("result page lacks %q", want)
		}
	}

	after := a.tableCounts(t)
	for table, grew := range map[string]int{"tenants": 1, "tenant_settings": 1, "tenant_branding": 1, "tenant_prompts": 1,
		"organization_users": 1, "audit_events": 1, "onboarding_requests": 1} {
		if after[table]-before[table] != grew {
			t.Errorf("%s grew by %d, want %d", table, after[table]-before[table], grew)
		}
	}

	ctx := context.Background()
	var name, short, status2, plan, source, createdBy string
	var maxUsers int
	if err := a.pool.QueryRow(ctx, `SELECT name, short_name, status, plan, source, created_by, max_users FROM tenants WHERE id = $1`, id).
		Scan(&name, &short, &status2, &plan, &source, &createdBy, &maxUsers); err != nil {
		t.Fatal(err)
	}
	if name != "Zambezi Canoe Safaris" || short != "zambezi-canoe" || status2 != "active" || plan != "pro" ||
		source != "onboarding" || !strings.HasPrefix(createdBy, "admin-") || maxUsers != tenant.DefaultQuotas(tenant.PlanPro).MaxUsers {
		t.Errorf("tenants row: %s %s %s %s %s %s %d", name, short, status2, plan, source, createdBy, maxUsers)
	}
	var currency, tz, fromEmail, supportEmail string
	if err := a.pool.QueryRow(ctx, `SELECT currency, timezone, email_from_email, support_email FROM tenant_settings WHERE tenant_id = $1`, id).
		Scan(&currency, &tz, &fromEmail, &supportEmail); err != nil {
		t.Fatal(err)
	}
	if currency != "ZMW" || tz != "Africa/Lusaka" || fromEmail != "help@zambezicanoe.example" || supportEmail != "help@zambezicanoe.example" {
		t.Errorf("settings: %s %s from %s support %s (the sender defaults to the support e-mail)", currency, tz, fromEmail, supportEmail)
	}
	var theme, primary string
	if err := a.pool.QueryRow(ctx, `SELECT preset_theme, color_primary FROM tenant_branding WHERE tenant_id = $1`, id).Scan(&theme, &primary); err != nil {
		t.Fatal(err)
	}
	if theme != "ocean_teal" || primary != "#0F766E" {
		t.Errorf("branding: %s %s", theme, primary)
	}
	var prompt string
	if err := a.pool.QueryRow(ctx, `SELECT body FROM tenant_prompts WHERE tenant_id = $1 AND name = 'inbound'`, id).Scan(&prompt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prompt, "Zambezi Canoe Safaris") {
		t.Errorf("the default prompt does not name the company: %q", prompt)
	}
	var ownerEmail, role, userID string
	if err := a.pool.QueryRow(ctx, `SELECT email, role, user_id::text FROM organization_users WHERE tenant_id = $1`, id).Scan(&ownerEmail, &role, &userID); err != nil {
		t.Fatal(err)
	}
	acct, err := a.gotrue.FindUserByEmail(ctx, "chanda@zambezicanoe.example")
	if err != nil || ownerEmail != "chanda@zambezicanoe.example" || role != "owner" || userID != acct.ID {
		t.Errorf("owner row: %s %s %s (GoTrue id %s, %v)", ownerEmail, role, userID, acct.ID, err)
	}
	var action, after2 string
	if err := a.pool.QueryRow(ctx, `SELECT action, after::text FROM audit_events WHERE tenant_id = $1`, id).Scan(&action, &after2); err != nil {
		t.Fatal(err)
	}
	if action != "tenant.created" || strings.Contains(after2, "paddle the zambezi") {
		t.Errorf("audit: %s %s", action, after2)
	}

	// The new owner signs in with the password set in the form.
	owner := a.newBrowser(t)
	owner.signIn(person{email: "chanda@zambezicanoe.example", password: "paddle the zambezi"})
	if res, _ := owner.get("/tenants/" + id); res.StatusCode != http.StatusOK {
		t.Fatalf("the new owner cannot open the tenant: %d", res.StatusCode)
	}
}

func TestOnboardLinksAnExistingAccountWithoutTouchingItsPassword(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	existing := a.createPerson(t, "ana@existing.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberOwner})

	form := onboardForm(t, b, "zambezi-canoe", "ANA@Existing.EXAMPLE") // another case
	form.Set("owner_password", "a different password")
	status, page := onboard(t, b, form)
	if status != http.StatusOK {
		t.Fatalf("status %d\n%s", status, clip(page))
	}
	if !strings.Contains(page, htmlEscape("An account for ana@existing.example already exists; it was made owner of this tenant and signs in with its existing password.")) {
		t.Fatalf("the result page does not say the account was linked\n%s", clip(page))
	}
	id := resultTenantID.FindStringSubmatch(page)[1]

	// The old password still works, the form's does not; the owner now has two tenants.
	res, body := signInAttempt(t, a.newBrowser(t), existing.email, "a different password")
	expectRefusal(t, res, body, http.StatusUnauthorized, auth.MsgInvalidCredentials, existing.email)
	owner := a.newBrowser(t)
	owner.signIn(existing)
	for _, tenantID := range []string{"africastay", id} {
		if res, _ := owner.get("/tenants/" + tenantID); res.StatusCode != http.StatusOK {
			t.Errorf("the linked owner cannot open %s: %d", tenantID, res.StatusCode)
		}
	}
	var userID string
	if err := a.pool.QueryRow(context.Background(), `SELECT user_id::text FROM organization_users WHERE tenant_id = $1`, id).Scan(&userID); err != nil || userID != existing.userID {
		t.Fatalf("linked owner id %q, want the existing account %q (%v)", userID, existing.userID, err)
	}
}

func TestOnboardByInvitation(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	form := onboardForm(t, b, "zambezi-canoe", "invitee@zambezicanoe.example")
	form.Set("owner_mode", "invite")
	form.Set("owner_password", "")
	status, page := onboard(t, b, form)
	if status != http.StatusOK || !strings.Contains(page, "An invitation e-mail was sent to invitee@zambezicanoe.example") {
		t.Fatalf("status %d\n%s", status, clip(page))
	}
	u, err := a.gotrue.FindUserByEmail(context.Background(), "invitee@zambezicanoe.example")
	if err != nil || u.InvitedAt == nil {
		t.Fatalf("no invited account in GoTrue: %+v %v", u, err)
	}
}

func TestOnboardValidation(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	cases := []struct {
		field, value, message string
	}{
		{"name", "", "Enter"},
		{"short_name", "Not A Slug!", "letters"},
		{"short_name", "africa-stay", "taken by Africa Stay"},
		{"support_email", "not-an-email", "e-mail address"},
		{"website", "http://insecure.example", "https://"},
		{"logo_url", "ftp://cdn.example/logo.png", "https://"},
		{"currency", "XYZ", ""},
		{"timezone", "Mars/Olympus_Mons", "time zone"},
		{"preset_theme", "neon_pink", ""},
		{"color_primary", "blue", "#"},
		{"color_accent", "#GG1122", "#"},
		{"email_from_email", "nope", "e-mail address"},
		{"plan", "platinum", ""},
		{"max_users", "-3", ""},
		{"owner_email", "owner-at-nowhere", "e-mail address"},
		{"owner_password", "short", "10 characters"},
		{"owner_mode", "carrier-pigeon", ""},
	}
	before := a.tableCounts(t)
	for _, c := range cases {
		t.Run(c.field+"="+c.value, func(t *testing.T) {
			form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
			form.Set(c.field, c.value)
			res, page := b.post("/tenants", form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			errBlock := regexp.MustCompile(`(?s)id="` + c.field + `-error"[^>]*>(.*?)</p>`).FindStringSubmatch(page)
			if errBlock == nil || !strings.Contains(errBlock[1], c.message) {
				t.Fatalf("no message %q beside %s\n%s", c.message, c.field, clip(page))
			}
			if c.field != "owner_mode" {
				tag := regexp.MustCompile(`<(?:input|select)[^>]*\bid="` + c.field + `"[^>]*>`).FindString(page)
				if !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, c.field+"-error") {
					t.Errorf("%s is not marked invalid and linked to its message: %s", c.field, tag)
				}
			}
			// Everything typed is kept, the wrong value included.
			for _, name := range []string{"name", "short_name", "support_email", "support_phone", "website", "logo_url",
				"timezone", "color_primary", "color_accent", "email_from_email", "max_users", "owner_email", "idempotency_key"} {
				if v := form.Get(name); v != "" && !strings.Contains(page, `value="`+htmlEscape(v)+`"`) {
					t.Errorf("%s: %q not kept", name, v)
				}
			}
		})
	}
	if after := a.tableCounts(t); !sameCounts(before, after) {
		t.Fatalf("invalid forms wrote rows: %v → %v", before, after)
	}
}

func TestOnboardDoubleSubmitCreatesOneTenant(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
	before := a.tableCounts(t)

	// Two clicks at once, then a browser retry.
	var wg sync.WaitGroup
	pages := make([]string, 2)
	for i := range pages {
		wg.Add(1)
		tab := *b // same cookies, its own page
		go func() {
			defer wg.Done()
			_, pages[i] = onboard(t, &tab, cloneValues(form))
		}()
	}
	wg.Wait()
	_, retry := onboard(t, b, cloneValues(form))
	ids := map[string]bool{}
	for _, p := range append(pages, retry) {
		m := resultTenantID.FindStringSubmatch(p)
		if m == nil {
			t.Fatalf("a submit did not reach the result page\n%s", clip(p))
		}
		ids[m[1]] = true
	}
	if len(ids) != 1 {
		t.Fatalf("double submit created %d tenants: %v", len(ids), ids)
	}
	if !strings.Contains(retry, "already been submitted") {
		t.Error("the retry does not say nothing new was created")
	}
	if after := a.tableCounts(t); after["tenants"]-before["tenants"] != 1 || after["organization_users"]-before["organization_users"] != 1 {
		t.Fatalf("rows: %v → %v", before, after)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestOnboardWhenGoTrueIsDownWritesNothing(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	a := newAppWith(t, appOptions{accountsURL: closed})
	b := a.signedInAdmin(t)
	before := a.tableCounts(t)
	form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
	res, page := b.post("/tenants", form)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "The sign-in service cannot be reached right now") {
		t.Fatalf("status %d\n%s", res.StatusCode, clip(page))
	}
	if !strings.Contains(page, `value="Zambezi Canoe Safaris"`) || !strings.Contains(page, `value="`+form.Get("idempotency_key")+`"`) {
		t.Fatal("the form was not kept")
	}
	if after := a.tableCounts(t); !sameCounts(before, after) {
		t.Fatalf("rows written while GoTrue was down: %v → %v", before, after)
	}
}

func TestOnboardDatabaseFailureAfterTheAccountStep(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	ctx := context.Background()
	// A real fault in the middle of the transaction: the owner row is refused.
	if _, err := a.pool.Exec(ctx, `
		CREATE FUNCTION refuse_owner() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'disk full (injected)'; END; $$;
		CREATE TRIGGER refuse_owner BEFORE INSERT ON organization_users FOR EACH ROW EXECUTE FUNCTION refuse_owner();`); err != nil {
		t.Fatal(err)
	}
	before := a.tableCounts(t)
	form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
	res, page := b.post("/tenants", form)
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(page, "nothing was created") {
		t.Fatalf("status %d\n%s", res.StatusCode, clip(page))
	}
	if strings.Contains(page, "disk full") {
		t.Fatal("the database's error text reached the page")
	}
	if after := a.tableCounts(t); !sameCounts(before, after) {
		t.Fatalf("a failed transaction left rows: %v → %v", before, after)
	}
	if _, err := a.gotrue.FindUserByEmail(ctx, "chanda@zambezicanoe.example"); err != nil {
		t.Fatalf("the account step should have run: %v", err)
	}

	if _, err := a.pool.Exec(ctx, `DROP TRIGGER refuse_owner ON organization_users`); err != nil {
		t.Fatal(err)
	}
	status, page := onboard(t, b, form) // the same form, submitted again
	if status != http.StatusOK || !strings.Contains(page, "already exists; it was made owner") {
		t.Fatalf("retry: status %d\n%s", status, clip(page))
	}
	// The account made by the failed attempt kept the form's password.
	a.newBrowser(t).signIn(person{email: "chanda@zambezicanoe.example", password: "paddle the zambezi"})
}

func TestOnboardWhenGoTrueRejectsTheEmail(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	before := a.tableCounts(t)
	// The console's own check accepts a quoted local part; GoTrue's does not.
	form := onboardForm(t, b, "zambezi-canoe", `"chanda"@zambezicanoe.example`)
	res, page := b.post("/tenants", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", res.StatusCode, clip(page))
	}
	msg := regexp.MustCompile(`(?s)id="owner_email-error"[^>]*>(.*?)</p>`).FindStringSubmatch(page)
	if msg == nil || !strings.Contains(msg[1], "The sign-in service refused this e-mail address.") {
		t.Fatalf("no message beside the owner's e-mail\n%s", clip(page))
	}
	if after := a.tableCounts(t); !sameCounts(before, after) {
		t.Fatalf("rows written: %v → %v", before, after)
	}
}

func TestOnboardAnOwnerWhoOwnsAnotherTenant(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	if status, page := onboard(t, b, onboardForm(t, b, "first-canoe", "chanda@zambezicanoe.example")); status != http.StatusOK {
		t.Fatalf("first: %d\n%s", status, clip(page))
	}
	form := onboardForm(t, b, "second-canoe", "chanda@zambezicanoe.example")
	form.Set("name", "Second Canoe Co")
	status, page := onboard(t, b, form)
	if status != http.StatusOK || !strings.Contains(page, "already exists; it was made owner") {
		t.Fatalf("second: %d\n%s", status, clip(page))
	}
	owner := a.newBrowser(t)
	owner.signIn(person{email: "chanda@zambezicanoe.example", password: "paddle the zambezi"})
	_, list := owner.get("/tenants")
	if !strings.Contains(list, "Zambezi Canoe Safaris") || !strings.Contains(list, "Second Canoe Co") {
		t.Fatalf("the owner's list lacks one of their tenants\n%s", clip(list))
	}
}

func TestOnboardThemeFillsColours(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	res, body := b.get("/tenants/new/theme?preset_theme=forest_green", "HX-Request", "true")
	theme, _ := tenant.ThemeByID("forest_green")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="branding-colors"`) || !strings.Contains(body, theme.Primary) ||
		strings.Contains(body, "<html") {
		t.Fatalf("status %d\n%s", res.StatusCode, clip(body))
	}
}
