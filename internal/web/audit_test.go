package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// The audit pages show who, when (viewer's zone, UTC on hover), what, the
// reason and a field-by-field diff; credentials appear only as "changed".
// The CSV export streams the same filter with RFC 4180 quoting and
// spreadsheet formulas neutralised.
func TestAuditPagesAndCSV(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedInAdmin(t)
	const secret = "SG.very-secret-sendgrid-value-9876"
	admin.get("/tenants/africastay")
	if res, body := admin.post("/tenants/africastay/secrets/sendgrid_api_key", url.Values{"value": {secret}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("replace secret: %d\n%s", res.StatusCode, clip(body))
	}
	admin.get("/tenants/africastay")
	reason := `=HYPERLINK("http://evil.example","click"), see "ticket" 42`
	if res, body := admin.post("/tenants/africastay/lifecycle/suspend", url.Values{
		"version": {strconv.Itoa(a.state(t, "africastay").version)}, "reason": {reason}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d\n%s", res.StatusCode, clip(body))
	}

	support := a.newBrowser(t)
	support.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	res, body := support.get("/audit?tenant=africastay")
	if res.StatusCode != 200 {
		t.Fatalf("/audit: %d", res.StatusCode)
	}
	for _, want := range []string{
		`data-action="tenant.suspended"`, "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;), see &#34;ticket&#34; 42",
		`diff-changed" data-field="status"`, "UTC\">", `data-field="sendgrid_api_key"`, `<span class="italic text-gray-600">changed</span>`,
		`value="africastay"`, "(platform admin)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/audit lacks %q", want)
		}
	}
	if strings.Contains(body, secret) || strings.Contains(body, "9876") {
		t.Error("the audit page shows the secret")
	}
	// filters narrow, the URL carries them
	_, body = support.get("/audit?tenant=africastay&action=tenant.suspended")
	if strings.Count(body, `data-action="`) != 1 || !strings.Contains(body, "Export CSV") || !strings.Contains(body, `href="/audit.csv?action=tenant.suspended&amp;tenant=africastay"`) {
		t.Errorf("filtered page:\n%s", clip(body))
	}
	_, body = support.get("/audit?actor=nobody@x.example")
	if !strings.Contains(body, "No events match these filters.") {
		t.Error("no empty state")
	}

	res, body = support.get("/audit.csv?tenant=africastay")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	if !strings.HasPrefix(body, "id,occurred_at_utc,actor_email,actor_role,actor_id,tenant_id,action,reason,before,after,request_id,client_address\r\n") {
		t.Fatalf("csv header: %q", clip(body))
	}
	if !strings.Contains(body, `"'=HYPERLINK(""http://evil.example"",""click""), see ""ticket"" 42"`) {
		t.Errorf("the reason is not quoted and neutralised:\n%s", body)
	}
	if strings.Contains(body, secret) || strings.Contains(body, "9876") {
		t.Error("the CSV holds the secret")
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) < 3 {
		t.Fatalf("csv does not parse: %v (%d records)", err, len(recs))
	}
	for _, r := range recs[1:] {
		if len(r) != 12 || r[5] != "africastay" {
			t.Errorf("csv row %v", r)
		}
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}

	// a tenant's own log: its owners and admins, in the tenant's time zone
	a.putInStatus(t, "africastay", tenant.StatusActive)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberOwner})
	member := a.createPerson(t, "mo@africastay.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberMember})
	ob := a.newBrowser(t)
	ob.signIn(owner)
	res, body = ob.get("/tenants/africastay/audit?action=tenant.suspended")
	if res.StatusCode != 200 || !strings.Contains(body, "SAST") || !strings.Contains(body, "Africa/Johannesburg") || !strings.Contains(body, `data-reason`) {
		t.Fatalf("owner's audit page: %d\n%s", res.StatusCode, clip(body))
	}
	if res, _ := ob.get("/tenants/tn_1f3a9c0b_k3xq/audit"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another tenant's log: %d", res.StatusCode)
	}
	// A plain member has no console access at all, so no way to the log.
	mb := a.newBrowser(t)
	mb.get("/login")
	if res, body := mb.post("/login", url.Values{"email": {member.email}, "password": {member.password}}); !strings.Contains(body, "no access to the console") {
		t.Errorf("a member signs in: %d\n%s", res.StatusCode, clip(body))
	}
}

// The list's CSV export: every page of the current filter, streamed, with
// the same quoting and neutralisation.
func TestListCSVExport(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	if _, err := a.pool.Exec(context.Background(), `UPDATE tenants SET name = '@SUM(A1:A9), "Safaris"' WHERE id = 'tn_006943ff_d8yf'`); err != nil {
		t.Fatal(err)
	}
	b := a.signedInAdmin(t)
	_, page := b.get("/tenants?plan=pro")
	if !strings.Contains(page, `href="/tenants/export.csv?plan=pro"`) {
		t.Fatal("the list does not link its export")
	}
	res, body := b.get("/tenants/export.csv?plan=pro")
	if res.StatusCode != 200 || !strings.HasPrefix(body, "id,name,short_name,status,plan,support_email,created_at_utc,deleted_at_utc,purge_date_utc,source\r\n") {
		t.Fatalf("%d %q", res.StatusCode, clip(body))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM tenants WHERE plan = 'pro' AND status <> 'deleted'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != want || want <= 25 && len(recs) < 3 {
		t.Fatalf("%d rows, want %d", len(recs)-1, want)
	}
	if !strings.Contains(body, `"'@SUM(A1:A9), ""Safaris"""`) {
		t.Errorf("not neutralised:\n%s", body)
	}
	for _, r := range recs[1:] {
		if r[4] != "pro" || r[3] == "deleted" {
			t.Errorf("row outside the filter: %v", r)
		}
	}
	// deleted tab: the purge date is there
	_, body = b.get("/tenants/export.csv?status=deleted")
	recs, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if len(recs) < 2 || recs[1][3] != "deleted" || recs[1][8] == "" {
		t.Errorf("deleted export: %v", recs)
	}
}

// Paging keeps the filters: "Older →" carries them and the cursor, the next
// page holds other (older) events, and htmx gets that URL pushed.
func TestAuditPagingKeepsFilters(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	if _, err := a.pool.Exec(context.Background(), `
		INSERT INTO audit_events (occurred_at, tenant_id, action, actor_email, actor_role, after)
		SELECT now() - i * interval '1 minute', 'africastay', 'settings.updated', 'olu@africastay.example', 'owner',
			jsonb_build_object('website', 'https://v' || i || '.example')
		FROM generate_series(1, 120) AS i`); err != nil {
		t.Fatal(err)
	}
	b := a.signedInAdmin(t)
	_, first := b.get("/tenants/africastay/audit?action=settings.updated")
	next := regexp.MustCompile(`href="(/tenants/africastay/audit\?[^"]*after=[^"]*)"[^>]*rel="next"`).FindStringSubmatch(first)
	if next == nil || !strings.Contains(next[1], "action=settings.updated") {
		t.Fatalf("no next link carrying the filter:\n%s", clip(first))
	}
	href := html.UnescapeString(next[1])
	res, second := b.get(href, "HX-Request", "true")
	if res.StatusCode != 200 || strings.Contains(second, "<html") || res.Header.Get("HX-Push-Url") != href {
		t.Fatalf("next page: %d push %q want %q", res.StatusCode, res.Header.Get("HX-Push-Url"), href)
	}
	ids := regexp.MustCompile(`id="audit-(\d+)"`)
	seen := map[string]bool{}
	for _, m := range ids.FindAllStringSubmatch(first, -1) {
		seen[m[1]] = true
	}
	if len(seen) != 50 {
		t.Fatalf("first page has %d events", len(seen))
	}
	for _, m := range ids.FindAllStringSubmatch(second, -1) {
		if seen[m[1]] {
			t.Fatalf("event %s on both pages", m[1])
		}
	}
	if !strings.Contains(second, "← Newest") || !strings.Contains(second, "https://v51.example") {
		t.Errorf("second page:\n%s", clip(second))
	}
}
