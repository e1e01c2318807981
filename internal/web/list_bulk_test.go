package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// rowBox is a list row's bulk checkbox as the page has it ("" if none).
func rowBox(page, id string) string {
	return regexp.MustCompile(`<input[^>]*name="ids" value="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(page)
}

// A bulk action refused for a missing reason comes back with the same rows
// still ticked and the count, with htmx and without.
func TestBulkSelectionKeptAfterError(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.newBrowser(t)
	b.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	_, page := b.get("/tenants")
	if box := rowBox(page, "africastay"); box == "" || strings.Contains(box, "checked") {
		t.Fatalf("before: checkbox %q", box)
	}
	picked := []string{"africastay", "tn_1f3a9c0b_k3xq"}
	for _, hx := range [][]string{{"HX-Request", "true"}, nil} {
		res, body := b.post("/tenants/bulk", url.Values{"ids": picked, "action": {"suspend"}, "reason": {""}}, hx...)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="bulk-reason-error"`) {
			t.Fatalf("htmx=%v: status %d\n%s", hx != nil, res.StatusCode, clip(body))
		}
		for _, id := range picked {
			if box := rowBox(body, id); !strings.Contains(box, " checked") {
				t.Errorf("htmx=%v: %s lost its tick: %q", hx != nil, id, box)
			}
		}
		if box := rowBox(body, "tn_4d1f2b33_x9ke"); box == "" || strings.Contains(box, " checked") {
			t.Errorf("htmx=%v: a row nobody ticked: %q", hx != nil, box)
		}
		if !strings.Contains(body, "2 selected") {
			t.Errorf("htmx=%v: the bar does not say 2 selected\n%s", hx != nil, clip(body))
		}
		if a.state(t, "africastay").status != tenant.StatusActive {
			t.Fatal("suspended without a reason")
		}
		b.get("/tenants")
	}
}

// bulkButtons are the actions the bulk bar offers, in order.
func bulkButtons(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-bulk-action="([a-z]+)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// The bulk bar offers only what fits the tab (Restore on Deleted,
// Reactivate on Suspended…) and the viewer's role; a tenant's owner gets
// none of staff's list tools.
func TestBulkActionsPerTab(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.signedInAdmin(t)
	support := a.newBrowser(t)
	support.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	owner := a.newBrowser(t)
	owner.signIn(a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner}))

	for _, tc := range []struct {
		who  string
		b    *browser
		path string
		want string
	}{
		{"admin", admin, "/tenants", "suspend reactivate"},
		{"admin", admin, "/tenants?status=active", "suspend"},
		{"admin", admin, "/tenants?status=suspended", "reactivate"},
		{"admin", admin, "/tenants?status=deleted", "restore"},
		{"support", support, "/tenants?status=suspended", "reactivate"},
		{"support", support, "/tenants?status=deleted", ""},
		{"owner", owner, "/tenants", ""},
	} {
		_, page := tc.b.get(tc.path)
		if got := strings.Join(bulkButtons(page), " "); got != tc.want {
			t.Errorf("%s on %s: bulk actions %q, want %q", tc.who, tc.path, got, tc.want)
		}
		if tc.want == "" && (strings.Contains(page, `id="bulk-form"`) || strings.Contains(page, "data-bulk-item")) {
			t.Errorf("%s on %s: checkboxes without any bulk action", tc.who, tc.path)
		}
	}

	_, page := owner.get("/tenants")
	for _, staffOnly := range []string{`id="status-tabs"`, `id="tenant-plan"`, `id="tenant-per-page"`, "Export CSV", "data-menu", `id="action-dialog"`} {
		if strings.Contains(page, staffOnly) {
			t.Errorf("the owner's list shows %s", staffOnly)
		}
	}

	// Restore in bulk, from the Deleted tab.
	const deleted = "tn_1f3a9c0b_k3xq"
	a.putInStatus(t, deleted, tenant.StatusDeleted)
	admin.get("/tenants?status=deleted")
	res, body := admin.post("/tenants/bulk", url.Values{"ids": {deleted}, "action": {"restore"}, "status": {"deleted"}}, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "1 done") {
		t.Fatalf("bulk restore: %d\n%s", res.StatusCode, clip(body))
	}
	if s := a.state(t, deleted).status; s != tenant.StatusActive {
		t.Errorf("after bulk restore the tenant is %s", s)
	}
	// Delete is never in bulk.
	res, _ = admin.post("/tenants/bulk", url.Values{"ids": {"africastay"}, "action": {"delete"}, "reason": {"x"}}, "HX-Request", "true")
	if res.StatusCode != http.StatusUnprocessableEntity || a.state(t, "africastay").status != tenant.StatusActive {
		t.Errorf("bulk delete: %d", res.StatusCode)
	}
}
