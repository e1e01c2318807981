package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

const membersA = "/tenants/" + tenantA + "/members"

// auditCount counts the audit events of action about tenantID.
func auditCount(t *testing.T, a *app, tenantID, action string) int {
	t.Helper()
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events
		WHERE coalesce(tenant_id, '') = $1 AND action = $2`, tenantID, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func allAudit(t *testing.T, a *app) int {
	t.Helper()
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// settle follows a post/redirect/get and returns the page it lands on.
func (b *browser) settle(res *http.Response, body string) (int, string) {
	b.t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		return res.StatusCode, body
	}
	r, page := b.get(res.Header.Get("Location"))
	return r.StatusCode, page
}

// invite posts the invite form of the members page of tenantID.
func (b *browser) invite(tenantID, email, role string) (int, string) {
	b.t.Helper()
	b.get("/tenants/" + tenantID + "/members")
	return b.settle(b.post("/tenants/"+tenantID+"/members", url.Values{"email": {email}, "role": {role}}))
}

func wantIn(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q\n%s", w, clip(page))
		}
	}
}

// invitationState reads the status of email's newest invitation to tenantID.
func invitationState(t *testing.T, a *app, tenantID, email string) (id int64, status string, expires time.Time) {
	t.Helper()
	err := a.pool.QueryRow(context.Background(), `SELECT id, status, expires_at FROM user_invitations
		WHERE tenant_id = $1 AND lower(email) = lower($2) ORDER BY id DESC LIMIT 1`, tenantID, email).Scan(&id, &status, &expires)
	if err != nil {
		t.Fatalf("invitation of %s: %v", email, err)
	}
	return id, status, expires
}

func memberRole(t *testing.T, a *app, tenantID, email string) string {
	t.Helper()
	var role string
	err := a.pool.QueryRow(context.Background(), `SELECT role FROM organization_users
		WHERE tenant_id = $1 AND lower(email) = lower($2)`, tenantID, email).Scan(&role)
	if err != nil {
		return ""
	}
	return role
}

// acceptAtGoTrue is what an invited person does with the invitation link:
// set a password, which confirms the address.
func acceptAtGoTrue(t *testing.T, a *app, email, password string) {
	t.Helper()
	u, err := a.gotrue.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, a.gotrueURL+"/admin/users/"+u.ID,
		strings.NewReader(fmt.Sprintf(`{"password":%q,"email_confirm":true}`, password)))
	req.Header.Set("Authorization", "Bearer "+a.serviceKey)
	req.Header.Set("apikey", a.serviceKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusOK {
		t.Fatalf("accept at GoTrue: %d %s", res.StatusCode, body)
	}
}

func TestMembersWhoMaySeeAndChange(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	a.createPerson(t, "kim@kruger.example", "", map[string]tenant.MemberRole{tenantB: tenant.MemberOwner})
	support := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)

	ob := a.newBrowser(t)
	ob.signIn(owner)
	res, page := ob.get(membersA)
	if res.StatusCode != 200 {
		t.Fatalf("owner on own members: %d", res.StatusCode)
	}
	wantIn(t, page, "olu@africastay.example", "Invite someone", "Owner")
	// Another tenant's people are "not found", to look at and to change.
	if res, _ := ob.get("/tenants/" + tenantB + "/members"); res.StatusCode != 404 {
		t.Errorf("owner of A on B's members: %d, want 404", res.StatusCode)
	}
	ob.get(membersA)
	if res, _ := ob.post("/tenants/"+tenantB+"/members", url.Values{"email": {"x@y.example"}, "role": {"admin"}}); res.StatusCode != 404 {
		t.Errorf("owner of A inviting into B: %d, want 404", res.StatusCode)
	}

	// Support reads, never writes.
	sb := a.newBrowser(t)
	sb.signIn(support)
	res, page = sb.get("/tenants/" + tenantB + "/members")
	if res.StatusCode != 200 || !strings.Contains(page, "kim@kruger.example") || strings.Contains(page, "Invite someone") {
		t.Errorf("support on B's members: %d, want the list without the invite form\n%s", res.StatusCode, clip(page))
	}
	before := allAudit(t, a)
	kim := regexp.MustCompile(`id="member-([0-9a-f-]{36})"`).FindStringSubmatch(page)
	for _, path := range []string{"/tenants/" + tenantB + "/members", "/tenants/" + tenantB + "/members/" + kim[1] + "/remove",
		"/tenants/" + tenantB + "/members/" + kim[1] + "/role"} {
		if res, _ := sb.post(path, url.Values{"email": {"x@y.example"}, "role": {"admin"}}); res.StatusCode != 403 {
			t.Errorf("support POST %s: %d, want 403", path, res.StatusCode)
		}
	}
	if allAudit(t, a) != before || memberRole(t, a, tenantB, "kim@kruger.example") != "owner" {
		t.Error("support changed something")
	}

	// A platform admin may do it for any tenant.
	ab := a.signedInAdmin(t)
	if code, page := ab.invite(tenantB, "new-at-kruger@kruger.example", "admin"); code != 200 || !strings.Contains(page, "Invitation sent to new-at-kruger@kruger.example") {
		t.Errorf("platform admin inviting into B: %d\n%s", code, clip(page))
	}
}

func TestInvitationCases(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	// An account that exists already (a member of another tenant).
	kim := a.createPerson(t, "kim@kruger.example", "", map[string]tenant.MemberRole{tenantB: tenant.MemberOwner})
	b := a.newBrowser(t)
	b.signIn(owner)

	t.Run("new e-mail: a GoTrue invitation and a row for 7 days", func(t *testing.T) {
		code, page := b.invite(tenantA, "Nia@Africastay.example", "admin")
		wantIn(t, page, "Invitation sent to nia@africastay.example as admin")
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		_, status, expires := invitationState(t, a, tenantA, "nia@africastay.example")
		if status != "pending" || time.Until(expires) < 7*24*time.Hour-time.Minute || time.Until(expires) > 7*24*time.Hour {
			t.Errorf("invitation %s expiring %v, want pending for 7 days", status, expires)
		}
		if _, err := a.gotrue.FindUserByEmail(context.Background(), "nia@africastay.example"); err != nil {
			t.Errorf("GoTrue has no invited account: %v", err)
		}
		if n := auditCount(t, a, tenantA, tenant.ActionMemberInvited); n != 1 {
			t.Errorf("%d member.invited events, want 1", n)
		}
		wantIn(t, page, `data-state="pending"`, ">Resend<", ">Revoke<")
	})

	t.Run("existing account in other letters: added at once, password untouched", func(t *testing.T) {
		code, page := b.invite(tenantA, "KIM@Kruger.Example", "admin")
		wantIn(t, page, "kim@kruger.example already has an account; they were added as admin and sign in with their existing password.")
		if code != 200 || memberRole(t, a, tenantA, "kim@kruger.example") != "admin" {
			t.Fatalf("status %d, role %q", code, memberRole(t, a, tenantA, "kim@kruger.example"))
		}
		if n := auditCount(t, a, tenantA, tenant.ActionMemberAdded); n != 1 {
			t.Errorf("%d member.added events, want 1", n)
		}
		// Their password still works: they sign in and see both tenants.
		kb := a.newBrowser(t)
		kb.signIn(kim)
		_, list := kb.get("/tenants")
		wantIn(t, list, "Africa Stay", "Kruger Safaris")
	})

	t.Run("already a member: said, nothing changed", func(t *testing.T) {
		before := allAudit(t, a)
		code, page := b.invite(tenantA, "kim@KRUGER.example", "member")
		wantIn(t, page, "kim@kruger.example is already a member (admin); nothing changed.")
		if code != 200 || allAudit(t, a) != before || memberRole(t, a, tenantA, "kim@kruger.example") != "admin" {
			t.Errorf("status %d; something changed", code)
		}
	})

	t.Run("pending invitation: said, with resend and revoke", func(t *testing.T) {
		before := allAudit(t, a)
		_, page := b.invite(tenantA, "nia@africastay.example", "member")
		wantIn(t, page, "nia@africastay.example already has a pending invitation (admin); resend or revoke it below.", ">Resend<", ">Revoke<")
		if allAudit(t, a) != before {
			t.Error("a second invitation was written")
		}
	})

	t.Run("resend: 7 more days, audited", func(t *testing.T) {
		id, _, _ := invitationState(t, a, tenantA, "nia@africastay.example")
		if _, err := a.pool.Exec(context.Background(), `UPDATE user_invitations SET created_at = now() - interval '3 days',
			expires_at = now() + interval '4 days' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		b.get(membersA)
		code, page := b.settle(b.post(fmt.Sprintf("/tenants/%s/invitations/%d/resend", tenantA, id), nil))
		wantIn(t, page, "Invitation sent to nia@africastay.example again")
		_, status, expires := invitationState(t, a, tenantA, "nia@africastay.example")
		if code != 200 || status != "pending" || time.Until(expires) < 7*24*time.Hour-time.Minute {
			t.Errorf("status %d, invitation %s until %v", code, status, expires)
		}
		if n := auditCount(t, a, tenantA, tenant.ActionInvitationResent); n != 1 {
			t.Errorf("%d invitation.resent events, want 1", n)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		id, _, _ := invitationState(t, a, tenantA, "nia@africastay.example")
		b.get(membersA)
		_, page := b.settle(b.post(fmt.Sprintf("/tenants/%s/invitations/%d/revoke", tenantA, id), confirmYes()))
		wantIn(t, page, "The invitation of nia@africastay.example was revoked.", "No open invitations.")
		if _, status, _ := invitationState(t, a, tenantA, "nia@africastay.example"); status != "revoked" {
			t.Errorf("status %s", status)
		}
		if n := auditCount(t, a, tenantA, tenant.ActionInvitationRevoked); n != 1 {
			t.Errorf("%d invitation.revoked events, want 1", n)
		}
		// A revoked invitation cannot be resent.
		b.get(membersA)
		if res, page := b.post(fmt.Sprintf("/tenants/%s/invitations/%d/resend", tenantA, id), nil); res.StatusCode != 409 ||
			!strings.Contains(page, "is revoked") {
			t.Errorf("resend of a revoked invitation: %d", res.StatusCode)
		}
	})

	t.Run("expired: shown as expired, invited again", func(t *testing.T) {
		b.invite(tenantA, "old@africastay.example", "member")
		id, _, _ := invitationState(t, a, tenantA, "old@africastay.example")
		if _, err := a.pool.Exec(context.Background(), `UPDATE user_invitations SET created_at = now() - interval '8 days',
			expires_at = now() - interval '1 day' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		_, page := b.get(membersA)
		wantIn(t, page, `data-state="expired"`, ">Invite again<")
		if res, _ := b.post(fmt.Sprintf("/tenants/%s/invitations/%d/resend", tenantA, id), nil); res.StatusCode != 409 {
			t.Errorf("resend of an expired invitation: %d, want 409 (invite again instead)", res.StatusCode)
		}
		_, page = b.invite(tenantA, "old@africastay.example", "member")
		wantIn(t, page, "Invitation sent to old@africastay.example as member")
		newID, status, _ := invitationState(t, a, tenantA, "old@africastay.example")
		var oldStatus string
		_ = a.pool.QueryRow(context.Background(), `SELECT status FROM user_invitations WHERE id = $1`, id).Scan(&oldStatus)
		if newID == id || status != "pending" || oldStatus != "expired" {
			t.Errorf("re-invitation: new %d (%s), old %d (%s)", newID, status, id, oldStatus)
		}
	})

	t.Run("the invited person signs in and is a member", func(t *testing.T) {
		b.invite(tenantA, "ayo@africastay.example", "admin")
		acceptAtGoTrue(t, a, "ayo@africastay.example", "ayo's new password")
		ab := a.newBrowser(t)
		ab.get("/login")
		res, _ := ab.post("/login", url.Values{"email": {"ayo@africastay.example"}, "password": {"ayo's new password"}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/tenants/"+tenantA {
			t.Fatalf("invited admin signing in: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if memberRole(t, a, tenantA, "ayo@africastay.example") != "admin" {
			t.Error("no membership after sign-in")
		}
		if _, status, _ := invitationState(t, a, tenantA, "ayo@africastay.example"); status != "accepted" {
			t.Errorf("invitation %s, want accepted", status)
		}
		if n := auditCount(t, a, tenantA, tenant.ActionInvitationAccepted); n != 1 {
			t.Errorf("%d invitation.accepted events", n)
		}
	})
}

func TestLastOwnerStays(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	admin := a.createPerson(t, "ade@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberAdmin})
	b := a.newBrowser(t)
	b.signIn(owner)
	b.get(membersA)
	before := allAudit(t, a)
	res, page := b.post(membersA+"/"+owner.userID+"/role", url.Values{"role": {"admin"}})
	if res.StatusCode != 409 || !strings.Contains(page, "olu@africastay.example is the last owner and cannot be demoted.") {
		t.Errorf("demoting the last owner: %d\n%s", res.StatusCode, clip(page))
	}
	res, page = b.post(membersA+"/"+owner.userID+"/remove", confirmYes())
	if res.StatusCode != 409 || !strings.Contains(page, "is the last owner and cannot be removed.") {
		t.Errorf("removing the last owner: %d", res.StatusCode)
	}
	if allAudit(t, a) != before || memberRole(t, a, tenantA, owner.email) != "owner" {
		t.Error("a refused change wrote something")
	}

	// An admin cannot make themselves (or anyone) an owner.
	ab := a.newBrowser(t)
	ab.signIn(admin)
	ab.get(membersA)
	if res, _ := ab.post(membersA+"/"+admin.userID+"/role", url.Values{"role": {"owner"}}); res.StatusCode != 409 {
		t.Errorf("admin promoting themselves: %d, want 409", res.StatusCode)
	}
	if res, _ := ab.post(membersA, url.Values{"email": {"friend@africastay.example"}, "role": {"owner"}}); res.StatusCode != 409 {
		t.Errorf("admin inviting an owner: %d, want 409", res.StatusCode)
	}

	// With a second owner, the first may step down; the role change is audited.
	b.get(membersA)
	_, page = b.settle(b.post(membersA+"/"+admin.userID+"/role", url.Values{"role": {"owner"}}))
	wantIn(t, page, "ade@africastay.example is now owner.")
	code, page := b.settle(b.post(membersA+"/"+owner.userID+"/role", url.Values{"role": {"admin"}}))
	if code != 200 || memberRole(t, a, tenantA, owner.email) != "admin" {
		t.Errorf("stepping down with another owner: %d\n%s", code, clip(page))
	}
	if n := auditCount(t, a, tenantA, tenant.ActionMemberRoleChanged); n != 2 {
		t.Errorf("%d member.role_changed events, want 2", n)
	}
}

func TestInvitationsStopAtMaxUsers(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	// One member; room for two more.
	if _, err := a.pool.Exec(context.Background(), `UPDATE tenants SET max_users = 3 WHERE id = $1`, tenantA); err != nil {
		t.Fatal(err)
	}
	b := a.newBrowser(t)
	b.signIn(owner)
	if code, _ := b.invite(tenantA, "one@africastay.example", "member"); code != 200 {
		t.Fatal(code)
	}
	// Two at once for the last seat: exactly one gets it.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	browsers := []*browser{a.newBrowser(t), a.newBrowser(t)}
	for _, br := range browsers {
		br.signIn(owner)
		br.get(membersA)
	}
	for i, br := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _ := br.post(membersA, url.Values{"email": {fmt.Sprintf("race%d@africastay.example", i)}, "role": {"member"}})
			codes[i] = res.StatusCode
		}()
	}
	wg.Wait()
	if !(codes[0] == 303 && codes[1] == 409 || codes[0] == 409 && codes[1] == 303) {
		t.Errorf("two invitations for one seat: %v, want one 303 and one 409", codes)
	}
	b.get(membersA)
	res, page := b.post(membersA, url.Values{"email": {"four@africastay.example"}, "role": {"member"}})
	if res.StatusCode != 409 || !strings.Contains(page, "Africa Stay is full: 3 of 3 users (members and pending invitations).") {
		t.Errorf("inviting into a full tenant: %d\n%s", res.StatusCode, clip(page))
	}
	// What was typed stays in the form.
	wantIn(t, page, `value="four@africastay.example"`)
	var n int
	_ = a.pool.QueryRow(context.Background(), `SELECT count(*) FROM user_invitations WHERE tenant_id = $1 AND status = 'pending'`, tenantA).Scan(&n)
	if n != 2 {
		t.Errorf("%d pending invitations, want 2", n)
	}
	if _, err := a.gotrue.FindUserByEmail(context.Background(), "four@africastay.example"); err == nil {
		t.Error("a refused invitation still made a GoTrue account")
	}
}

func TestConsoleAccessIsForOwnersAndAdmins(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	member := a.createPerson(t, "mo@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberMember})
	b := a.newBrowser(t)
	b.get("/login")
	res, page := b.post("/login", url.Values{"email": {member.email}, "password": {member.password}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(page, auth.MsgNoAccess) {
		t.Errorf("a member signing in: %d\n%s", res.StatusCode, clip(page))
	}
	if auth.MsgNoAccess != "This account has no access to the console." {
		t.Errorf("the no-access message is %q", auth.MsgNoAccess)
	}
}

func TestRemovedMemberIsStoppedAtTheirNextRequest(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	admin := a.createPerson(t, "ade@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberAdmin})
	ab := a.newBrowser(t)
	ab.signIn(admin)
	if res, _ := ab.get("/tenants/" + tenantA); res.StatusCode != 200 {
		t.Fatalf("admin before removal: %d", res.StatusCode)
	}
	ob := a.newBrowser(t)
	ob.signIn(owner)
	ob.get(membersA)
	_, page := ob.settle(ob.post(membersA+"/"+admin.userID+"/remove", confirmYes()))
	wantIn(t, page, "ade@africastay.example was removed.")
	if n := auditCount(t, a, tenantA, tenant.ActionMemberRemoved); n != 1 {
		t.Errorf("%d member.removed events", n)
	}
	// The same session, next click: signed out, told why.
	res, _ := ab.get("/tenants/" + tenantA)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("removed admin's next request: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, login := ab.get(res.Header.Get("Location"))
	wantIn(t, login, auth.MsgNoAccess)
}

func TestOwnersLandOnTheirTenant(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	one := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	two := a.createPerson(t, "duo@example.com", "", map[string]tenant.MemberRole{tenantA: tenant.MemberAdmin, tenantB: tenant.MemberOwner})
	// A plain membership elsewhere does not make a second tenant.
	_, err := a.pool.Exec(context.Background(), `INSERT INTO organization_users (tenant_id, user_id, email, role, created_by)
		VALUES ('tn_006943ff_d8yf', $1, $2, 'member', 'test')`, one.userID, one.email)
	if err != nil {
		t.Fatal(err)
	}

	b := a.newBrowser(t)
	b.get("/login")
	res, _ := b.post("/login", url.Values{"email": {one.email}, "password": {one.password}})
	if res.Header.Get("Location") != "/tenants/"+tenantA {
		t.Errorf("owner of one tenant lands on %q", res.Header.Get("Location"))
	}
	_, page := b.get("/tenants/" + tenantA)
	wantIn(t, page, "Members and invitations")
	if res, _ := b.get("/tenants/tn_006943ff_d8yf"); res.StatusCode != 404 {
		t.Errorf("a plain member's tenant in the console: %d", res.StatusCode)
	}

	b2 := a.newBrowser(t)
	b2.get("/login")
	res, _ = b2.post("/login", url.Values{"email": {two.email}, "password": {two.password}})
	if res.Header.Get("Location") != "/" {
		t.Errorf("person in two tenants lands on %q", res.Header.Get("Location"))
	}
	_, page = b2.get("/")
	wantIn(t, page, "Your organizations", `href="/tenants/`+tenantA+`"`, `href="/tenants/`+tenantB+`"`, "Africa Stay", "Kruger Safaris")
	// one organization: home is its Overview
	if res, _ := b.get("/"); res.Header.Get("Location") != "/tenants/"+tenantA {
		t.Errorf("home of an owner of one organization: %q", res.Header.Get("Location"))
	}

	// An owner's empty list never tells them how staff bring tenants in.
	_, page = b.get("/tenants?status=suspended")
	_, page2 := b.get("/tenants?q=nothing-like-this")
	for _, p := range []string{page, page2} {
		if strings.Contains(p, "Onboard") || strings.Contains(p, "import-yaml") {
			t.Errorf("an owner's empty list offers staff work\n%s", clip(p))
		}
	}
}

func TestInviteFormRefusesOrDisarmsHostileInput(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	b := a.newBrowser(t)
	b.signIn(owner)
	long := strings.Repeat("x", 10000)
	for _, c := range []struct {
		name, email, person, role string
		field, msg                string
	}{
		{"script e-mail", "<script>alert(1)</script>@x.example", "", "admin", "email", "e-mail address"},
		{"attribute break in e-mail", `"><svg onload=alert(1)>@x.example`, "", "admin", "email", "e-mail address"},
		// a too-long address is either "not an address" or "too long": any message beside it
		{"10,000 characters of e-mail", long + "@x.example", "", "admin", "email", ""},
		{"NUL in e-mail", "nul\x00@x.example", "", "admin", "email", "control characters"},
		{"10,000 characters of name", "long@x.example", long, "admin", "name", "at most 200 characters"},
		{"NUL in name", "nul@x.example", "a\x00b", "admin", "name", "control characters"},
		{"unknown role", "role@x.example", "", "root", "role", "Choose owner, admin or member."},
		{"role with script", "role2@x.example", "", "<script>", "role", "Choose owner, admin or member."},
	} {
		t.Run(c.name, func(t *testing.T) {
			b.get(membersA)
			before := allAudit(t, a)
			res, page := b.post(membersA, url.Values{"email": {c.email}, "name": {c.person}, "role": {c.role}})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.StatusCode, clip(page))
			}
			m := regexp.MustCompile(`id="invite-` + c.field + `-error"[^>]*>(.*?)</p>`).FindStringSubmatch(page)
			if m == nil || !strings.Contains(m[1], c.msg) {
				t.Errorf("no message %q beside %s: %v", c.msg, c.field, m)
			}
			if strings.Contains(page, "<script>alert") || strings.Contains(page, "<svg onload") || strings.ContainsRune(page, 0) {
				t.Error("hostile input reached the page as markup")
			}
			if allAudit(t, a) != before {
				t.Error("a refused invitation wrote something")
			}
		})
	}

	// Accepted but inert: markup and right-to-left text with its marks in
	// a name are stored as text and shown escaped, isolated in <bdi> so the
	// direction of the name cannot turn the text around it.
	a.createPerson(t, "rtl@x.example", "", nil)
	b.get(membersA)
	name := "\"><svg onload=alert(1)> שלום\u200F <script>x</script>"
	code, page := b.settle(b.post(membersA, url.Values{"email": {"rtl@x.example"}, "name": {name}, "role": {"admin"}}))
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	if strings.Contains(page, "<svg onload") || strings.Contains(page, "<script>x") {
		t.Error("a stored name reached the page as markup")
	}
	wantIn(t, page, "<bdi>"+html.EscapeString(name)+"</bdi>")

	// A right-to-left override is either refused beside the name or, when
	// kept, shown isolated in <bdi>.
	a.createPerson(t, "rlo@x.example", "", nil)
	b.get(membersA)
	res, page := b.post(membersA, url.Values{"email": {"rlo@x.example"}, "name": {"\u202Egnp.exe"}, "role": {"admin"}})
	switch res.StatusCode {
	case http.StatusUnprocessableEntity:
		wantIn(t, page, `id="invite-name-error"`)
	case http.StatusSeeOther:
		_, page = b.settle(res, page)
		wantIn(t, page, "<bdi>\u202Egnp.exe</bdi>")
	default:
		t.Errorf("a right-to-left override in a name: %d", res.StatusCode)
	}
}

func TestInviteWhileGoTrueIsDownWritesNothing(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{accountsURL: "http://127.0.0.1:1"})
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})
	b := a.newBrowser(t)
	b.signIn(owner)
	b.get(membersA)
	before := allAudit(t, a)
	res, page := b.post(membersA, url.Values{"email": {"nia@africastay.example"}, "role": {"admin"}})
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "Try again shortly") {
		t.Errorf("invite with GoTrue down: %d\n%s", res.StatusCode, clip(page))
	}
	var n int
	_ = a.pool.QueryRow(context.Background(), `SELECT count(*) FROM user_invitations`).Scan(&n)
	if n != 0 || allAudit(t, a) != before {
		t.Errorf("%d invitations written with GoTrue down", n)
	}
}
