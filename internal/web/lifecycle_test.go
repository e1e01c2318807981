package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// tenantState is a tenant's row and audit trail as the database has them.
type tenantState struct {
	status  tenant.Status
	version int
	events  int
}

func (a *app) state(t *testing.T, id string) tenantState {
	t.Helper()
	var s tenantState
	err := a.pool.QueryRow(context.Background(), `SELECT status, version,
		(SELECT count(*) FROM audit_events WHERE tenant_id = $1) FROM tenants WHERE id = $1`, id).
		Scan(&s.status, &s.version, &s.events)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lastEvent is the newest audit event of a tenant.
type lastEvent struct {
	action, actorEmail, actorRole, requestID, remoteAddr string
	before, after                                        map[string]any
}

func (a *app) lastEvent(t *testing.T, id string) lastEvent {
	t.Helper()
	var ev lastEvent
	var before, after []byte
	err := a.pool.QueryRow(context.Background(), `SELECT action, actor_email, actor_role, request_id, remote_addr,
		coalesce(before, '{}'), coalesce(after, '{}') FROM audit_events WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1`, id).
		Scan(&ev.action, &ev.actorEmail, &ev.actorRole, &ev.requestID, &ev.remoteAddr, &before, &after)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(before, &ev.before)
	_ = json.Unmarshal(after, &ev.after)
	return ev
}

// putInStatus moves a tenant to status as a system admin (fixture).
func (a *app) putInStatus(t *testing.T, id string, to tenant.Status) {
	t.Helper()
	svc := tenant.NewService(a.store)
	for i := 0; i < 3 && a.state(t, id).status != to; i++ {
		from := a.state(t, id).status
		act := map[[2]tenant.Status]tenant.LifecycleAction{
			{tenant.StatusActive, tenant.StatusSuspended}:  tenant.ActSuspend,
			{tenant.StatusActive, tenant.StatusDeleted}:    tenant.ActDelete,
			{tenant.StatusSuspended, tenant.StatusActive}:  tenant.ActReactivate,
			{tenant.StatusSuspended, tenant.StatusDeleted}: tenant.ActDelete,
			{tenant.StatusDeleted, tenant.StatusActive}:    tenant.ActRestore,
			{tenant.StatusDeleted, tenant.StatusSuspended}: tenant.ActRestore,
		}[[2]tenant.Status{from, to}]
		if _, err := svc.Lifecycle(context.Background(), tenant.System("test"), tenant.LifecycleRequest{
			TenantID: id, Action: act, Reason: "fixture", ConfirmID: id}); err != nil {
			t.Fatalf("put %s in %s: %v", id, to, err)
		}
	}
	if s := a.state(t, id).status; s != to {
		t.Fatalf("%s is %s, want %s", id, s, to)
	}
}

// Every transition × role through the real router: allowed ones change the
// status and write one audit event with the expected before/after; refused
// ones change nothing and answer 403 (the role may not ask) or 409 (the
// status does not allow it).
func TestLifecycleEveryTransitionAndRole(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	const id = "tn_1f3a9c0b_k3xq" // Kruger Safaris, active
	people := map[string]person{
		"support": a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil),
		"admin":   a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil),
		// also in an active tenant, so the session outlives Kruger's suspension
		"owner": a.createPerson(t, "olu@kruger.example", "", map[string]tenant.MemberRole{id: tenant.MemberOwner, "africastay": tenant.MemberOwner}),
	}
	browsers := map[string]*browser{}
	for who, p := range people {
		browsers[who] = a.newBrowser(t)
		browsers[who].signIn(p)
	}
	type cell struct {
		from   tenant.Status
		action tenant.LifecycleAction
		who    string
		want   int
	}
	var cells []cell
	for _, from := range tenant.Statuses {
		for _, act := range tenant.LifecycleActions {
			for _, who := range []string{"support", "admin", "owner"} {
				c := cell{from: from, action: act, who: who, want: http.StatusConflict}
				allowedFrom := false
				for _, tr := range tenant.Transitions {
					allowedFrom = allowedFrom || (tr.Action == act && tr.From == from)
				}
				switch {
				case who == "owner", who == "support" && (act == tenant.ActDelete || act == tenant.ActRestore):
					c.want = http.StatusForbidden
				case allowedFrom:
					c.want = http.StatusSeeOther
				}
				cells = append(cells, c)
			}
		}
	}
	for _, c := range cells {
		name := fmt.Sprintf("%s %s by %s", c.from, c.action, c.who)
		t.Run(name, func(t *testing.T) {
			a.putInStatus(t, id, c.from)
			before := a.state(t, id)
			b := browsers[c.who]
			b.get("/tenants") // a page with a CSRF token (the owner's list is scoped)
			res, body := b.post("/tenants/"+id+"/lifecycle/"+string(c.action), url.Values{
				"version": {strconv.Itoa(before.version)}, "reason": {"case " + name}, "confirm_id": {id},
				"return": {"/tenants?status=" + string(c.from)}})
			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, c.want, clip(body))
			}
			after := a.state(t, id)
			if c.want != http.StatusSeeOther {
				if after != before {
					t.Fatalf("refused, yet the tenant changed: %+v → %+v", before, after)
				}
				if c.want == http.StatusConflict && !strings.Contains(body, "Nothing was changed") && !strings.Contains(body, "already") {
					t.Errorf("the refusal does not say why:\n%s", clip(body))
				}
				return
			}
			if loc := res.Header.Get("Location"); loc != "/tenants?status="+string(c.from) {
				t.Errorf("redirected to %q, want back to the list", loc)
			}
			if after.status != c.action.Target() || after.version != before.version+1 || after.events != before.events+1 {
				t.Fatalf("after: %+v (before %+v)", after, before)
			}
			ev := a.lastEvent(t, id)
			if ev.action != "tenant."+map[tenant.LifecycleAction]string{tenant.ActSuspend: "suspended",
				tenant.ActReactivate: "reactivated", tenant.ActDelete: "deleted", tenant.ActRestore: "restored"}[c.action] {
				t.Errorf("audit action %q", ev.action)
			}
			if ev.before["status"] != string(c.from) || ev.after["status"] != string(c.action.Target()) ||
				ev.after["reason"] != "case "+name {
				t.Errorf("audit before %v after %v", ev.before, ev.after)
			}
			if ev.actorEmail != people[c.who].email || ev.actorRole != map[string]string{"support": "support", "admin": "platform_admin"}[c.who] ||
				ev.requestID == "" || ev.remoteAddr == "" {
				t.Errorf("audit actor %+v", ev)
			}
		})
	}
}

// From a list row with htmx: the row comes back in place with its new
// status, and the status tabs are recounted out of band.
func TestLifecycleFromListRow(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.newBrowser(t)
	b.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	_, page := b.get("/tenants?q=kruger")
	row := between(page, `<tr id="tenant-row-tn_1f3a9c0b_k3xq"`, "</tr>")
	if !strings.Contains(row, `href="/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend?return=%2Ftenants%3Fq%3Dkruger"`) ||
		strings.Contains(row, "/lifecycle/delete") {
		t.Fatalf("support's actions menu should offer suspend and not delete:\n%s", clip(row))
	}
	if strings.Count(row, "<details") != 1 || strings.Contains(page, "btn-danger") {
		t.Errorf("a row should carry one Actions menu and no red button:\n%s", clip(row))
	}
	hx := []string{"HX-Request", "true"}
	// the menu item loads the form into the dialog
	res, body := b.get("/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend?return=%2Ftenants%3Fq%3Dkruger", hx...)
	if res.StatusCode != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, "Suspend Kruger Safaris?") ||
		!strings.Contains(body, `hx-post="/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend"`) || !strings.Contains(body, "data-dialog-close") {
		t.Fatalf("dialog content: %d\n%s", res.StatusCode, clip(body))
	}
	// without JavaScript the same link is a page with the form
	res, body = b.get("/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend?return=%2Ftenants%3Fq%3Dkruger")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<html") || !strings.Contains(body, `action="/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend"`) ||
		!strings.Contains(body, `name="return" value="/tenants?q=kruger"`) {
		t.Fatalf("form page: %d\n%s", res.StatusCode, clip(body))
	}
	v := a.state(t, "tn_1f3a9c0b_k3xq").version
	res, body = b.post("/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend", url.Values{"version": {strconv.Itoa(v)},
		"reason": {""}, "q": {"kruger"}}, hx...)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter the reason") ||
		res.Header.Get("HX-Retarget") != "#action-dialog-body" || strings.Contains(body, "<tr") {
		t.Fatalf("no reason: the form should come back into the dialog: status %d %v\n%s", res.StatusCode, res.Header, clip(body))
	}
	res, body = b.post("/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend", url.Values{"version": {strconv.Itoa(v)},
		"reason": {"unpaid invoices"}, "q": {"kruger"}}, hx...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", res.StatusCode, clip(body))
	}
	for _, want := range []string{`<tr id="tenant-row-tn_1f3a9c0b_k3xq" data-status="suspended"`, `id="status-tabs"`, `hx-swap-oob="true"`,
		"/lifecycle/reactivate", "Kruger Safaris is suspended."} {
		if !strings.Contains(body, want) {
			t.Errorf("answer lacks %q\n%s", want, clip(body))
		}
	}
	if strings.Contains(body, "<html") {
		t.Error("a row action got a whole page")
	}
	// the Suspended tab now counts Kruger (the search matches one tenant)
	if tab := tabHTML(body, "suspended"); !strings.Contains(tab, `<span class="tab-count">1</span>`) {
		t.Errorf("the suspended count did not move:\n%s", clip(body))
	}
	if !strings.Contains(res.Header.Get("HX-Trigger"), "toast") {
		t.Error("no toast")
	}
	// the same form again: stale version, told who did what
	b.get("/tenants?q=kruger")
	res, body = b.post("/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend", url.Values{"version": {strconv.Itoa(v)},
		"reason": {"again"}}, hx...)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "sam@console.example") || !strings.Contains(body, "suspended") {
		t.Fatalf("stale: status %d\n%s", res.StatusCode, clip(body))
	}
	// a menu item that no longer applies says why instead of a form
	_, body = b.get("/tenants/tn_1f3a9c0b_k3xq/lifecycle/suspend", hx...)
	if !strings.Contains(body, "Kruger Safaris is suspended now, so it cannot be asked to suspend.") || strings.Contains(body, "<form") {
		t.Errorf("unavailable action:\n%s", clip(body))
	}
}

// between is the part of s from the first start up to the next end.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}

// Plain forms without JavaScript: a wrong field or a refusal comes back as
// a page with the form and what was typed; delete needs the id typed.
func TestLifecyclePlainFormErrors(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	_, page := b.get("/tenants/africastay")
	for _, want := range []string{`id="lifecycle-card"`, `action="/tenants/africastay/lifecycle/suspend"`, `action="/tenants/africastay/lifecycle/delete"`, `href="/tenants/africastay/audit"`} {
		if !strings.Contains(page, want) {
			t.Errorf("tenant page lacks %q", want)
		}
	}
	v := strconv.Itoa(a.state(t, "africastay").version)
	res, body := b.post("/tenants/africastay/lifecycle/delete", url.Values{"version": {v}, "reason": {"closing <down>"}, "confirm_id": {"africa"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Type the tenant&#39;s id, africastay, to confirm.") ||
		!strings.Contains(body, `value="closing &lt;down&gt;"`) {
		t.Fatalf("status %d\n%s", res.StatusCode, clip(body))
	}
	if a.state(t, "africastay").status != tenant.StatusActive {
		t.Fatal("deleted without the id typed")
	}
	res, _ = b.post("/tenants/africastay/lifecycle/delete", url.Values{"version": {v}, "reason": {"closing"}, "confirm_id": {"africastay"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants/africastay" {
		t.Fatalf("delete: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = b.get("/tenants/africastay")
	if !strings.Contains(body, "Africa Stay is deleted.") || !strings.Contains(body, "Its data is purged on") {
		t.Errorf("tenant page after delete:\n%s", clip(body))
	}
	_, body = b.get("/tenants?status=deleted")
	if !strings.Contains(body, "Africa Stay") || !strings.Contains(body, "Purge date") {
		t.Errorf("deleted tab:\n%s", clip(body))
	}
	_, body = b.get("/tenants")
	if strings.Contains(body, "Africa Stay") {
		t.Error("a deleted tenant is still in the default list")
	}
	// restoring an active tenant: a refusal, as a page with the form
	res, body = b.post("/tenants/tn_1f3a9c0b_k3xq/lifecycle/restore", url.Values{"version": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already active; nothing was changed") {
		t.Fatalf("restore active: %d\n%s", res.StatusCode, clip(body))
	}
}

// Two people send the same form with the same version at once: exactly one
// gets 409, and one audit event is written.
func TestLifecycleConcurrentFormsOneConflict(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin, support := a.signedInAdmin(t), a.newBrowser(t)
	support.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	admin.get("/tenants")
	support.get("/tenants")
	before := a.state(t, "africastay")
	v := strconv.Itoa(before.version)
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, send := range []func() int{
		func() int {
			res, _ := support.post("/tenants/africastay/lifecycle/suspend", url.Values{"version": {v}, "reason": {"fraud check"}})
			return res.StatusCode
		},
		func() int {
			res, _ := admin.post("/tenants/africastay/lifecycle/delete", url.Values{"version": {v}, "reason": {"closed"}, "confirm_id": {"africastay"}})
			return res.StatusCode
		},
	} {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i] = send() }()
	}
	wg.Wait()
	conflicts, wins := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusConflict:
			conflicts++
		case http.StatusSeeOther:
			wins++
		}
	}
	after := a.state(t, "africastay")
	if conflicts != 1 || wins != 1 || after.version != before.version+1 || after.events != before.events+1 {
		t.Fatalf("codes %v; %+v → %+v", codes, before, after)
	}
}

// Bulk: a mix of rows; each tenant is its own transaction and the answer
// says per tenant what happened.
func TestLifecycleBulkMixed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.newBrowser(t)
	b.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	_, page := b.get("/tenants")
	if !strings.Contains(page, `id="bulk-form"`) || !strings.Contains(page, "data-select-all") {
		t.Fatal("no bulk form for support")
	}
	const suspended, deleted = "tn_4d1f2b33_x9ke", "tn_9c6e7a88_f7rh"
	ids := []string{"africastay", "tn_1f3a9c0b_k3xq", suspended, deleted, "tn_00000000_none"}
	form := url.Values{"ids": ids, "action": {"suspend"}, "reason": {"chargebacks"}}
	res, body := b.post("/tenants/bulk", form, "HX-Request", "true")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", res.StatusCode, clip(body))
	}
	for _, want := range []string{"2 done, 1 already in that state, 2 not allowed, 0 failed.", `data-outcome="done"`,
		`data-outcome="already"`, `data-outcome="not_allowed"`, `hx-swap-oob="true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("answer lacks %q\n%s", want, clip(body))
		}
	}
	for id, want := range map[string]tenant.Status{"africastay": tenant.StatusSuspended, "tn_1f3a9c0b_k3xq": tenant.StatusSuspended,
		suspended: tenant.StatusSuspended, deleted: tenant.StatusDeleted} {
		if s := a.state(t, id).status; s != want {
			t.Errorf("%s is %s, want %s", id, s, want)
		}
	}
	// without JavaScript: post/redirect/get, the summary on the list
	res, _ = b.post("/tenants/bulk", url.Values{"ids": {"africastay"}, "action": {"reactivate"}, "return": {"/tenants?status=suspended"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tenants?status=suspended" {
		t.Fatalf("plain bulk: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = b.get("/tenants?status=suspended")
	if !strings.Contains(body, "1 done, 0 already") {
		t.Errorf("no summary after the redirect\n%s", clip(body))
	}
	res, body = b.post("/tenants/bulk", url.Values{"action": {"suspend"}, "reason": {"x"}}, "HX-Request", "true")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Select at least one tenant.") {
		t.Fatalf("nothing selected: %d\n%s", res.StatusCode, clip(body))
	}
}

// Effects: a suspended (or deleted) tenant's owner is stopped at the next
// request with the suspension message and refused at sign-in; reactivation
// (or restore) lets them back in. A membership in another active tenant
// keeps working meanwhile.
func TestLifecycleEffectsOnPeople(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	const other = "tn_006943ff_d8yf"
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberOwner})
	both := a.createPerson(t, "bea@both.example", "", map[string]tenant.MemberRole{"africastay": tenant.MemberAdmin, other: tenant.MemberOwner})
	admin := a.signedInAdmin(t)

	for _, tc := range []struct{ stop, resume tenant.LifecycleAction }{
		{tenant.ActSuspend, tenant.ActReactivate}, {tenant.ActDelete, tenant.ActRestore},
	} {
		t.Run(string(tc.stop), func(t *testing.T) {
			ob, bb := a.newBrowser(t), a.newBrowser(t)
			ob.signIn(owner)
			bb.signIn(both)
			if res, _ := ob.get("/tenants/africastay"); res.StatusCode != 200 {
				t.Fatalf("owner before: %d", res.StatusCode)
			}
			admin.get("/tenants")
			res, body := admin.post("/tenants/africastay/lifecycle/"+string(tc.stop), url.Values{
				"version": {strconv.Itoa(a.state(t, "africastay").version)}, "reason": {"test"}, "confirm_id": {"africastay"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%s", tc.stop, res.StatusCode, clip(body))
			}
			res, _ = ob.get("/tenants/africastay")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Fatalf("owner's next request: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			if _, body := ob.get("/login"); !strings.Contains(body, html.EscapeString(auth.MsgSuspended)) {
				t.Errorf("the sign-in page does not say why\n%s", clip(body))
			}
			res, body = ob.post("/login", url.Values{"email": {owner.email}, "password": {owner.password}})
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, html.EscapeString(auth.MsgSuspended)) {
				t.Fatalf("sign-in while stopped: %d\n%s", res.StatusCode, clip(body))
			}
			// the person in two tenants keeps the other one
			if res, _ := bb.get("/tenants/" + other); res.StatusCode != 200 {
				t.Errorf("other tenant: %d", res.StatusCode)
			}
			if res, _ := bb.get("/tenants/africastay"); res.StatusCode != http.StatusNotFound {
				t.Errorf("stopped tenant for the two-tenant person: %d", res.StatusCode)
			}
			admin.get("/tenants")
			res, _ = admin.post("/tenants/africastay/lifecycle/"+string(tc.resume), url.Values{
				"version": {strconv.Itoa(a.state(t, "africastay").version)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", tc.resume, res.StatusCode)
			}
			ob.signIn(owner)
			if res, _ := ob.get("/tenants/africastay"); res.StatusCode != 200 {
				t.Fatalf("owner after %s: %d", tc.resume, res.StatusCode)
			}
		})
	}
}

// tabHTML is the status tab link for status in an answer ("" when absent).
func tabHTML(body, status string) string {
	_, rest, ok := strings.Cut(body, `href="/tenants?q=kruger&amp;status=`+status+`"`)
	if !ok {
		_, rest, ok = strings.Cut(body, `status=`+status+`"`)
	}
	if !ok {
		return ""
	}
	tab, _, _ := strings.Cut(rest, "</a>")
	return tab
}
