package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// What a person types reaches the database only through the field rules:
// these tests send what the rules exist for through the real router.

// gotrueUsers counts the dev GoTrue's accounts (same database).
func (a *app) gotrueUsers(t *testing.T) int {
	t.Helper()
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM devgotrue.users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fieldMessage is the message shown beside field, or "".
func fieldMessage(page, field string) string {
	m := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(field) + `-error"[^>]*>(.*?)</p>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}

func TestOnboardUpperCaseHTTPSWebsiteIsStoredNormalised(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
	form.Set("website", "HTTPS://Example.test/x")
	form.Set("logo_url", " HTTPS://CDN.Example.test/Logo.png ")
	status, page := onboard(t, b, form)
	if status != http.StatusOK {
		t.Fatalf("status %d, want the result page\n%s", status, clip(page))
	}
	var website, logo string
	if err := a.pool.QueryRow(context.Background(), `
		SELECT s.website, b.logo_url FROM tenants t
		JOIN tenant_settings s ON s.tenant_id = t.id JOIN tenant_branding b ON b.tenant_id = t.id
		WHERE t.short_name = 'zambezi-canoe'`).Scan(&website, &logo); err != nil {
		t.Fatal(err)
	}
	if website != "https://example.test/x" || logo != "https://cdn.example.test/Logo.png" {
		t.Errorf("stored website %q and logo %q; want the scheme and host in lower case, the path as typed", website, logo)
	}
}

// A NUL byte in any field of the onboarding form is refused beside that
// field, before the owner's account is made; nothing is written anywhere.
func TestOnboardNULInAnyFieldIsAFieldMessage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	before, accounts := a.tableCounts(t), a.gotrueUsers(t)
	for _, field := range tenant.OnboardFields {
		for _, bad := range []string{"\x00", "\xff\xfe"} {
			t.Run(field+"="+url.QueryEscape(bad), func(t *testing.T) {
				form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
				form.Set(field, "Zambezi"+bad+"Canoe")
				res, page := b.post("/tenants", form)
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422\n%s", res.StatusCode, clip(page))
				}
				if msg := fieldMessage(page, field); msg == "" {
					t.Fatalf("no message beside %s\n%s", field, clip(page))
				}
			})
		}
	}
	if after := a.tableCounts(t); !sameCounts(before, after) {
		t.Errorf("refused forms wrote rows: %v → %v", before, after)
	}
	if n := a.gotrueUsers(t); n != accounts {
		t.Errorf("refused forms made %d GoTrue accounts", n-accounts)
	}
}

func TestTenantSearchWithNULOrInvalidUTF8IsAnEmptyList(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	for _, q := range []string{"%00", "africa%00", "%FF%FE", "a%C3"} {
		for _, fragment := range []bool{false, true} {
			var headers []string
			if fragment {
				headers = []string{"HX-Request", "true"}
			}
			res, page := b.get("/tenants?q="+q, headers...)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("q=%s (htmx %v): status %d\n%s", q, fragment, res.StatusCode, clip(page))
			}
			if !strings.Contains(page, "Nothing was searched for.") || !strings.Contains(page, "control characters") && !strings.Contains(page, "not text") {
				t.Errorf("q=%s (htmx %v): the page does not say why nothing was searched\n%s", q, fragment, clip(page))
			}
			if strings.Contains(page, "Africa Stay") {
				t.Errorf("q=%s (htmx %v): listed tenants for a refused search", q, fragment)
			}
		}
	}
	// The search still works for what a person means.
	if res, page := b.get("/tenants?q=africa"); res.StatusCode != http.StatusOK || !strings.Contains(page, "Africa Stay") {
		t.Fatalf("q=africa: %d", res.StatusCode)
	}
}

// A refusal by the database that the rules did not foresee (here a trigger
// added for the test) shows the field's message beside it (422), and
// nothing of the tenant remains.
func TestOnboardConstraintRefusalIsAFieldMessage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	ctx := context.Background()
	if _, err := a.pool.Exec(ctx, `
		ALTER TABLE tenant_settings ADD CONSTRAINT tenant_settings_website_check1 CHECK (website NOT LIKE '%refused.example%');
		CREATE FUNCTION refuse_sender() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.email_from_name = 'Refused Sender' THEN
				RAISE EXCEPTION 'sender refused (injected)' USING ERRCODE = 'check_violation',
					TABLE = 'tenant_settings', COLUMN = 'email_from_name', CONSTRAINT = 'sender_rule';
			END IF;
			RETURN NEW;
		END; $$;
		CREATE TRIGGER refuse_sender BEFORE INSERT ON tenant_settings FOR EACH ROW EXECUTE FUNCTION refuse_sender();`); err != nil {
		t.Fatal(err)
	}
	before := a.tableCounts(t)
	cases := []struct{ field, value, says string }{
		{"website", "https://refused.example/", "could not be saved. Use an https:// address."},
		{"email_from_name", "Refused Sender", "could not be saved as the sender name"},
	}
	for _, c := range cases {
		form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
		form.Set(c.field, c.value)
		res, page := b.post("/tenants", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422\n%s", c.field, res.StatusCode, clip(page))
		}
		if msg := fieldMessage(page, c.field); !strings.Contains(msg, c.says) {
			t.Errorf("%s: message %q beside the field, want %q", c.field, msg, c.says)
		}
		if strings.Contains(page, "injected") || strings.Contains(page, "check1") {
			t.Errorf("%s: the database's error text reached the page", c.field)
		}
		if !strings.Contains(page, `value="`+htmlEscape(c.value)+`"`) {
			t.Errorf("%s: what was typed is not kept", c.field)
		}
	}
	if after := a.tableCounts(t); !sameCounts(before, after) {
		t.Fatalf("a refused write left rows: %v → %v", before, after)
	}
}

// The edit forms show a refusal by the database beside its field too.
func TestSettingsConstraintRefusalIsAFieldMessage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	b := a.signedInAs(t, e.admin)
	b.get("/tenants/" + tenantA)
	if _, err := a.pool.Exec(context.Background(),
		`ALTER TABLE tenant_settings ADD CONSTRAINT tenant_settings_website_check1 CHECK (website NOT LIKE '%refused.example%')`); err != nil {
		t.Fatal(err)
	}
	res, page := b.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA), "website", "https://refused.example/"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422\n%s", res.StatusCode, clip(page))
	}
	if msg := fieldMessage(page, "website"); !strings.Contains(msg, "could not be saved. Use an https:// address.") {
		t.Errorf("message beside the website: %q", msg)
	}
	if v := version(t, a, "tenant_settings", tenantA); v != 1 {
		t.Errorf("the refused save was written (version %d)", v)
	}
}
