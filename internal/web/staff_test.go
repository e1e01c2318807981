package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

func staffRole(t *testing.T, a *app, email string) string {
	t.Helper()
	var role string
	_ = a.pool.QueryRow(context.Background(), `SELECT role FROM staff WHERE lower(email) = lower($1)`, email).Scan(&role)
	return role
}

func TestStaffPage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ada := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	support := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})

	// Only platform admins see the page and the link to it.
	for _, p := range []person{support, owner} {
		b := a.newBrowser(t)
		b.signIn(p)
		if res, page := b.get("/tenants"); res.StatusCode != 200 || strings.Contains(page, `href="/staff"`) {
			t.Errorf("%s: the staff link shows", p.email)
		}
		if res, _ := b.get("/staff"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s on /staff: %d, want 403", p.email, res.StatusCode)
		}
	}
	b := a.newBrowser(t)
	b.signIn(ada)
	res, page := b.get("/staff")
	if res.StatusCode != 200 || !strings.Contains(page, `href="/staff"`) {
		t.Fatalf("platform admin on /staff: %d", res.StatusCode)
	}
	wantIn(t, page, "ada@console.example", "sam@console.example", "Platform admin", "Support")

	t.Run("the last platform admin stays one", func(t *testing.T) {
		before := allAudit(t, a)
		b.get("/staff")
		res, page := b.post("/staff/"+ada.userID+"/role", url.Values{"role": {"support"}})
		if res.StatusCode != 409 || !strings.Contains(page, "ada@console.example is the last platform admin and cannot be demoted.") {
			t.Errorf("demoting the last platform admin: %d\n%s", res.StatusCode, clip(page))
		}
		res, page = b.post("/staff/"+ada.userID+"/remove", confirmYes())
		if res.StatusCode != 409 || !strings.Contains(page, "is the last platform admin and cannot be removed.") {
			t.Errorf("removing the last platform admin: %d", res.StatusCode)
		}
		if allAudit(t, a) != before || staffRole(t, a, ada.email) != "platform_admin" {
			t.Error("a refused change wrote something")
		}
	})

	t.Run("an existing account is linked and keeps its password", func(t *testing.T) {
		added := auditCount(t, a, "", tenant.ActionStaffAdded)
		b.get("/staff")
		code, page := b.settle(b.post("/staff", url.Values{"email": {"OLU@AfricaStay.example"}, "role": {"platform_admin"}}))
		wantIn(t, page, "An account for olu@africastay.example already exists; it keeps its password. It is now platform_admin.")
		if code != 200 || staffRole(t, a, owner.email) != "platform_admin" {
			t.Fatalf("status %d, role %q", code, staffRole(t, a, owner.email))
		}
		if n := auditCount(t, a, "", tenant.ActionStaffAdded); n != added+1 {
			t.Errorf("%d staff.added events, want %d", n, added+1)
		}
		ob := a.newBrowser(t)
		ob.signIn(owner) // the old password
		if res, _ := ob.get("/staff"); res.StatusCode != 200 {
			t.Errorf("the new platform admin on /staff: %d", res.StatusCode)
		}
	})

	t.Run("a new address is invited", func(t *testing.T) {
		b.get("/staff")
		_, page := b.settle(b.post("/staff", url.Values{"email": {"new-ops@console.example"}, "role": {"support"}}))
		wantIn(t, page, "An invitation was sent to new-ops@console.example. It is now support.")
		if _, err := a.gotrue.FindUserByEmail(context.Background(), "new-ops@console.example"); err != nil {
			t.Errorf("no GoTrue account: %v", err)
		}
	})

	t.Run("role change and removal, each audited; the removed person is stopped", func(t *testing.T) {
		sb := a.newBrowser(t)
		sb.signIn(support)
		b.get("/staff")
		_, page := b.settle(b.post("/staff/"+support.userID+"/role", url.Values{"role": {"platform_admin"}}))
		wantIn(t, page, "sam@console.example is now platform_admin.")
		// Now ada is not the last one: she may step down.
		_, page = b.settle(b.post("/staff/"+support.userID+"/remove", confirmYes()))
		wantIn(t, page, "sam@console.example is no longer staff.")
		if staffRole(t, a, support.email) != "" {
			t.Error("still staff")
		}
		if auditCount(t, a, "", tenant.ActionStaffRoleChanged) != 1 || auditCount(t, a, "", tenant.ActionStaffRemoved) != 1 {
			t.Error("want one staff.role_changed and one staff.removed event")
		}
		res, _ := sb.get("/tenants")
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("removed staff's next request: %d", res.StatusCode)
		}
		_, login := sb.get(res.Header.Get("Location"))
		wantIn(t, login, auth.MsgNoAccess)
	})

	t.Run("hostile input is refused beside its field", func(t *testing.T) {
		for _, c := range []struct{ email, role, field, msg string }{
			{"<script>alert(1)</script>", "support", "email", "e-mail address"},
			{strings.Repeat("a", 10000) + "@x.example", "support", "email", ""},
			{"ok@x.example", "owner", "role", "Choose platform_admin or support."},
			{"nul\x00@x.example", "support", "email", "control characters"},
		} {
			b.get("/staff")
			res, page := b.post("/staff", url.Values{"email": {c.email}, "role": {c.role}})
			if res.StatusCode != 422 || !strings.Contains(page, `id="staff-`+c.field+`-error"`) || !strings.Contains(page, c.msg) {
				t.Errorf("%q/%q: %d, want 422 with %q", c.email, c.role, res.StatusCode, c.msg)
			}
			if strings.Contains(page, "<script>alert") || strings.ContainsRune(page, 0) {
				t.Error("hostile input reached the page")
			}
		}
	})
}
