package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// confirmYes is what the confirming form of a removal sends besides its token.
func confirmYes() url.Values { return url.Values{"confirm": {"yes"}} }

var invitationRow = regexp.MustCompile(`id="invitation-([0-9]+)"`)

// A row's Remove or Revoke only asks: its form posts without confirm=yes,
// which answers with the question naming the person (the page a browser
// without JavaScript gets; with it, the same form in a <dialog>). Only the
// confirming form removes.
func TestRemovingSomeoneAsksFirst(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ade := a.createPerson(t, "ade@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberAdmin})
	b := a.signedInAs(t, owner)
	_, page := b.get(membersA)
	if !strings.Contains(page, `<option value="member" selected>`) {
		t.Error("the invite form does not start at the least-privileged role")
	}
	if code, page := b.invite(tenantA, "newbie@africastay.example", "member"); code != 200 {
		t.Fatalf("invite: %d\n%s", code, clip(page))
	}
	_, page = b.get(membersA)
	removeAde := membersA + "/" + ade.userID + "/remove"
	wantIn(t, page, `data-opens-dialog="remove-`+ade.userID+`"`, `<dialog id="remove-`+ade.userID+`"`,
		"Remove ade@africastay.example from Africa Stay?", `name="confirm" value="yes"`, `formmethod="dialog"`)
	// the row's own form carries no confirmation
	rowForm := regexp.MustCompile(`<form method="post" action="` + regexp.QuoteMeta(removeAde) + `"><input type="hidden" name="_csrf" value="[^"]*">\s*<button`)
	if !rowForm.MatchString(page) {
		t.Fatalf("the row's Remove is not a bare form:\n%s", clip(page))
	}

	before := allAudit(t, a)
	res, ask := b.post(removeAde, nil) // one click on the row's button
	if res.StatusCode != 200 || !strings.Contains(ask, "Remove ade@africastay.example from Africa Stay?") ||
		!strings.Contains(ask, `name="confirm" value="yes"`) || !strings.Contains(ask, `href="`+membersA+`"`) {
		t.Fatalf("an unconfirmed removal: %d, want the question\n%s", res.StatusCode, clip(ask))
	}
	if memberRole(t, a, tenantA, ade.email) != "admin" || allAudit(t, a) != before {
		t.Fatal("one click removed someone")
	}
	if _, page := b.settle(b.post(removeAde, confirmYes())); !strings.Contains(page, "ade@africastay.example was removed.") ||
		memberRole(t, a, tenantA, ade.email) != "" {
		t.Fatalf("the confirmed removal did not remove\n%s", clip(page))
	}

	// revoking an invitation asks the same way
	_, page = b.get(membersA)
	m := invitationRow.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no invitation row")
	}
	revoke := fmt.Sprintf("/tenants/%s/invitations/%s/revoke", tenantA, m[1])
	if res, ask := b.post(revoke, nil); res.StatusCode != 200 || !strings.Contains(ask, "Revoke the invitation of newbie@africastay.example to Africa Stay?") {
		t.Fatalf("an unconfirmed revocation: %d\n%s", res.StatusCode, clip(ask))
	}
	if id, status, _ := invitationState(t, a, tenantA, "newbie@africastay.example"); status != "pending" || strconv.FormatInt(id, 10) != m[1] {
		t.Fatalf("one click revoked the invitation: %s", status)
	}
	if _, page := b.settle(b.post(revoke, confirmYes())); !strings.Contains(page, "The invitation of newbie@africastay.example was revoked.") {
		t.Fatalf("the confirmed revocation\n%s", clip(page))
	}

	// and so does removing staff
	ab := a.signedInAdmin(t)
	sam := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	_, page = ab.get("/staff")
	wantIn(t, page, `<dialog id="remove-`+sam.userID+`"`, "Remove sam@console.example from the staff?")
	if res, ask := ab.post("/staff/"+sam.userID+"/remove", nil); res.StatusCode != 200 || !strings.Contains(ask, "Remove sam@console.example from the staff?") {
		t.Fatalf("an unconfirmed staff removal: %d\n%s", res.StatusCode, clip(ask))
	}
	if staffRole(t, a, sam.email) != "support" {
		t.Fatal("one click removed staff")
	}
	if _, page := ab.settle(ab.post("/staff/"+sam.userID+"/remove", confirmYes())); !strings.Contains(page, "sam@console.example is no longer staff.") {
		t.Fatalf("the confirmed staff removal\n%s", clip(page))
	}
}

// removeForm matches a row's Remove form for a user id.
func removeForm(path string) string { return `action="` + path + `"` }

// Removals that would be refused are not offered: your own row, the last
// owner, the last platform admin; each row says why instead. The domain
// refuses them all the same.
func TestRefusedRemovalsAreNotOffered(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ade := a.createPerson(t, "ade@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberAdmin})

	// the owner: not their own row; the admin's row is offered
	ob := a.signedInAs(t, owner)
	_, page := ob.get(membersA)
	if strings.Contains(page, removeForm(membersA+"/"+owner.userID+"/remove")) || !strings.Contains(page, "You are the last owner") {
		t.Errorf("the owner's own row offers Remove, or says nothing\n%s", clip(page))
	}
	if !strings.Contains(page, removeForm(membersA+"/"+ade.userID+"/remove")) {
		t.Error("the admin's row offers no Remove")
	}
	// the admin: not their own row, not the owner's (only owners remove owners)
	adb := a.signedInAs(t, ade)
	_, page = adb.get(membersA)
	if strings.Contains(page, removeForm(membersA+"/"+ade.userID+"/remove")) || strings.Contains(page, removeForm(membersA+"/"+owner.userID+"/remove")) {
		t.Errorf("the admin is offered removing themselves or the owner\n%s", clip(page))
	}
	// a platform admin: the last owner's row says why it is not offered
	ab := a.signedInAdmin(t)
	_, page = ab.get(membersA)
	if strings.Contains(page, removeForm(membersA+"/"+owner.userID+"/remove")) || !strings.Contains(page, "The last owner cannot be demoted or removed") {
		t.Errorf("the last owner is offered for removal\n%s", clip(page))
	}
	// the domain refuses removing yourself too
	before := allAudit(t, a)
	if res, page := adb.post(membersA+"/"+ade.userID+"/remove", confirmYes()); res.StatusCode != http.StatusConflict ||
		!strings.Contains(page, "You cannot remove yourself") {
		t.Errorf("removing yourself: %d\n%s", res.StatusCode, clip(page))
	}
	if allAudit(t, a) != before {
		t.Error("a refused removal wrote something")
	}

	// staff: the platform admin's own row (here also the last platform
	// admin) offers no Remove; a support row does
	sam := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	_, page = ab.get("/staff")
	adminID := regexp.MustCompile(`id="staff-([0-9a-f-]{36})"><td class="text-sm">admin-[0-9]+@console.example`).FindStringSubmatch(page)
	if adminID == nil {
		t.Fatalf("no row of the signed-in admin\n%s", clip(page))
	}
	if strings.Contains(page, removeForm("/staff/"+adminID[1]+"/remove")) || !strings.Contains(page, "This is you") {
		t.Errorf("the admin's own staff row offers Remove\n%s", clip(page))
	}
	if !strings.Contains(page, removeForm("/staff/"+sam.userID+"/remove")) {
		t.Error("the support row offers no Remove")
	}
	// a second platform admin sees the first as removable, and is told
	// the last one is not once the other is support
	bo := a.createPerson(t, "bo@console.example", tenant.RolePlatformAdmin, nil)
	bb := a.signedInAs(t, bo)
	_, page = bb.get("/staff")
	if !strings.Contains(page, removeForm("/staff/"+adminID[1]+"/remove")) {
		t.Error("another platform admin is not offered removing the first")
	}
	before = allAudit(t, a)
	if res, page := bb.post("/staff/"+bo.userID+"/remove", confirmYes()); res.StatusCode != http.StatusConflict ||
		!strings.Contains(page, "You cannot remove yourself from the staff") {
		t.Errorf("removing yourself from the staff: %d\n%s", res.StatusCode, clip(page))
	}
	if allAudit(t, a) != before {
		t.Error("a refused removal wrote something")
	}
}

// Role changes that would be refused are not offered either: the last
// owner's row and the last platform admin's row have no role select, and
// say why; once there is a second one, both rows offer it.
func TestRefusedRoleChangesAreNotOffered(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	ade := a.createPerson(t, "ade@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberAdmin})
	roleSelect := func(id string) string { return `id="role-` + id + `"` }

	ab := a.signedInAdmin(t)
	for who, b := range map[string]*browser{"the owner": a.signedInAs(t, owner), "a platform admin": ab} {
		_, page := b.get(membersA)
		if strings.Contains(page, roleSelect(owner.userID)) || !strings.Contains(page, "data-role-fixed") {
			t.Errorf("%s is offered changing the last owner's role, or is not told why\n%s", who, clip(page))
		}
		if !strings.Contains(page, roleSelect(ade.userID)) {
			t.Errorf("%s is not offered changing the admin's role", who)
		}
	}
	ob := a.signedInAs(t, owner)
	ob.get(membersA)
	if _, page := ob.settle(ob.post(membersA+"/"+ade.userID+"/role", url.Values{"role": {"owner"}})); !strings.Contains(page, roleSelect(owner.userID)) ||
		!strings.Contains(page, roleSelect(ade.userID)) {
		t.Errorf("with two owners, a role select is missing\n%s", clip(page))
	}

	// staff: the only platform admin's row has no role select; a second
	// platform admin makes both changeable
	_, page := ab.get("/staff")
	if n := strings.Count(page, `id="staff-role-`); n != 0 || !strings.Contains(page, "This is you, the last platform admin") {
		t.Errorf("the last platform admin's row offers %d role selects, or does not say why\n%s", n, clip(page))
	}
	a.createPerson(t, "bo@console.example", tenant.RolePlatformAdmin, nil)
	if _, page = ab.get("/staff"); strings.Count(page, `id="staff-role-`) != 2 {
		t.Errorf("with two platform admins, %d role selects, want 2", strings.Count(page, `id="staff-role-`))
	}
}

// A deleted tenant's pages are read-only with Restore first; every change
// to it but its lifecycle is refused with a sentence saying why.
func TestDeletedTenantIsReadOnly(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ab := a.signedInAdmin(t)
	settings := savedSettings(t, a, tenantA)
	a.putInStatus(t, tenantA, tenant.StatusDeleted)

	_, page := ab.get("/tenants/" + tenantA)
	restore := strings.Index(page, `action="/tenants/`+tenantA+`/lifecycle/restore"`)
	details := strings.Index(page, `aria-label="Details"`)
	if restore < 0 || details < 0 || restore > details {
		t.Errorf("Restore is not first on a deleted tenant's page (restore at %d, details at %d)", restore, details)
	}
	for _, offered := range []string{`id="plan-form"`, `/secrets/`, "Edit settings", "Edit branding"} {
		if strings.Contains(page, offered) {
			t.Errorf("a deleted tenant's page offers %q", offered)
		}
	}
	_, page = ab.get("/tenants/" + tenantA + "/settings")
	if strings.Contains(page, "Save settings") || !strings.Contains(page, "<fieldset disabled") || !strings.Contains(page, "is deleted") {
		t.Errorf("a deleted tenant's settings page is editable\n%s", clip(page))
	}
	_, page = ab.get("/tenants/" + tenantA + "/branding")
	if strings.Contains(page, "Save branding") {
		t.Error("a deleted tenant's branding page is editable")
	}
	_, page = ab.get(membersA)
	if strings.Contains(page, "Invite someone") || strings.Contains(page, `/remove"`) {
		t.Error("a deleted tenant's members page offers changes")
	}

	before := allAudit(t, a)
	for path, form := range map[string]url.Values{
		"/tenants/" + tenantA + "/settings":                 with(settings, "company_name", "Renamed while deleted"),
		"/tenants/" + tenantA + "/secrets/sendgrid_api_key": {"value": {"SG.new-value-1234"}},
		"/tenants/" + tenantA + "/plan":                     with(savedPlan(t, a, tenantA), "plan", "pro"),
		membersA:                                            {"email": {"late@africastay.example"}, "role": {"member"}},
	} {
		ab.get("/tenants/" + tenantA)
		res, page := ab.post(path, form)
		if res.StatusCode != http.StatusConflict || !strings.Contains(html.UnescapeString(page), "Africa Stay is deleted, so it cannot be changed. Restore it first.") {
			t.Errorf("POST %s to a deleted tenant: %d\n%s", path, res.StatusCode, clip(page))
		}
	}
	if allAudit(t, a) != before {
		t.Error("a change to a deleted tenant was written")
	}
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// visibleText is a page's text as read, without its markup.
func visibleText(page string) string {
	return html.UnescapeString(tagPattern.ReplaceAllString(page, " "))
}

// The audit log reads as sentences: who (with their role) did what to
// which tenant, its name linked, the reason quoted; the fields behind a
// disclosure with the forms' labels, never a column name.
func TestAuditEventsReadAsSentences(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ab := a.signedInAdmin(t)
	ab.get("/tenants/" + tenantA)
	if res, body := ab.post("/tenants/"+tenantA+"/lifecycle/suspend", url.Values{
		"version": {strconv.Itoa(a.state(t, tenantA).version)}, "reason": {"Unpaid invoice"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d\n%s", res.StatusCode, clip(body))
	}
	ab.get("/tenants/" + tenantA + "/settings")
	if res, body := ab.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA), "support_email", "help@africastay.example")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", res.StatusCode, clip(body))
	}

	for _, path := range []string{"/audit", "/tenants/" + tenantA + "/audit", "/tenants/" + tenantA} {
		_, page := ab.get(path)
		text := strings.Join(strings.Fields(visibleText(page)), " ")
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`admin-[0-9]+@console\.example \(platform admin\) suspended Africa Stay — “ ?Unpaid invoice ?” just now`),
			regexp.MustCompile(`admin-[0-9]+@console\.example \(platform admin\) changed the settings of Africa Stay just now`),
			regexp.MustCompile(`Support e-mail \(changed\) support@africastay\.com → changed to help@africastay\.example`),
			regexp.MustCompile(`Status \(changed\) Active → changed to Suspended`),
		} {
			if !want.MatchString(text) {
				t.Errorf("%s lacks %s:\n%s", path, want, clip(text))
			}
		}
		if !strings.Contains(page, `<a href="/tenants/`+tenantA+`" class="link font-semibold" data-tenant>Africa Stay</a>`) {
			t.Errorf("%s does not link the tenant by its name", path)
		}
		for _, raw := range []string{"suspended_at", "suspended_reason", "support_email", "tenant.suspended", "settings.updated", "platform_admin"} {
			if strings.Contains(text, raw) {
				t.Errorf("%s shows the raw word %q to people", path, raw)
			}
		}
		if !strings.Contains(page, "<details") || !strings.Contains(page, "<del") {
			t.Errorf("%s has no disclosed old → new diff", path)
		}
	}
	// the filter names actions in words
	_, page := ab.get("/audit")
	if !strings.Contains(page, `<option value="tenant.suspended">Suspended</option>`) {
		t.Error("the action filter shows codes, not words")
	}
}

// The audit log's query count does not grow with the tenants its rows name.
func TestAuditPageNamesTenantsInOneQuery(t *testing.T) {
	t.Parallel()
	log := &queryLog{}
	a := newAppWith(t, appOptions{tracer: log})
	ab := a.signedInAdmin(t)
	svc := tenant.NewService(a.store)
	for _, id := range []string{tenantA, tenantB, "tn_006943ff_d8yf"} {
		if _, err := svc.Lifecycle(context.Background(), tenant.System("test"), tenant.LifecycleRequest{
			TenantID: id, Action: tenant.ActSuspend, Reason: "fixture"}); err != nil {
			t.Fatal(err)
		}
	}
	log.reset()
	_, page := ab.get("/audit")
	if got := log.taken(); len(got) > 4 {
		t.Errorf("GET /audit issued %d queries:\n%s", len(got), strings.Join(got, "\n---\n"))
	}
	if strings.Count(page, "data-tenant>") < 3 {
		t.Error("the events do not name their tenants")
	}
}
