package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tenant-console/console/internal/tenant"
)

// heldGoTrue sits in front of the dev GoTrue: once armed, the calls match
// selects wait until open is called, each announced on arrived first. It
// plays a GoTrue that is slow to answer, with the test deciding when.
type heldGoTrue struct {
	match   func(*http.Request) bool
	armed   atomic.Bool
	calls   atomic.Int32
	arrived chan struct{}
	release chan struct{}
	opened  sync.Once
}

func newHeldGoTrue(match func(*http.Request) bool) *heldGoTrue {
	return &heldGoTrue{match: match, arrived: make(chan struct{}, 64), release: make(chan struct{})}
}

func (h *heldGoTrue) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.armed.Load() && h.match(r) {
			h.calls.Add(1)
			h.arrived <- struct{}{}
			<-h.release
		}
		next.ServeHTTP(w, r)
	})
}

// open lets every held call (and all later ones) through.
func (h *heldGoTrue) open() { h.opened.Do(func() { close(h.release) }) }

// newHeldApp is the console over a held GoTrue. The calls are let through
// before the app closes, which waits for its requests.
func newHeldApp(t *testing.T, match func(*http.Request) bool) (*app, *heldGoTrue) {
	t.Helper()
	held := newHeldGoTrue(match)
	a := newAppWith(t, appOptions{wrapGoTrue: held.wrap})
	t.Cleanup(held.open)
	return a, held
}

func post(path string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == path }
}

// formKey is the idempotency key of the first form on the last page.
func formKey(t *testing.T, page string) string {
	t.Helper()
	m := idempotencyField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the form carries no idempotency key\n%s", clip(page))
	}
	return m[1]
}

type answer struct {
	status   int
	location string
	body     string
}

// clicks posts form to path n times at once, as tabs of one browser.
func (b *browser) clicks(n int, path string, form url.Values) <-chan answer {
	answers := make(chan answer, n)
	for range n {
		tab := *b
		go func() {
			res, body := tab.post(path, cloneValues(form))
			answers <- answer{res.StatusCode, res.Header.Get("Location"), body}
		}()
	}
	return answers
}

func TestOnboardFourClicksAllShowTheFirstOnesResult(t *testing.T) {
	t.Parallel()
	a, held := newHeldApp(t, post("/admin/users"))
	b := a.signedInAdmin(t)
	form := onboardForm(t, b, "zambezi-canoe", "chanda@zambezicanoe.example")
	before := a.tableCounts(t)

	held.armed.Store(true)
	answers := b.clicks(4, "/tenants", form)
	<-held.arrived // the first click is making the owner's account
	held.open()

	want := "/tenants/onboarded/" + form.Get("idempotency_key")
	ids := map[string]bool{}
	for range 4 {
		got := <-answers
		loc, err := url.Parse(got.location)
		if got.status != http.StatusSeeOther || err != nil || loc.Path != want {
			t.Fatalf("a click answered %d to %q, want 303 to %s\n%s", got.status, got.location, want, clip(got.body))
		}
		_, page := b.get(got.location)
		m := resultTenantID.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s shows no tenant\n%s", got.location, clip(page))
		}
		ids[m[1]] = true
	}
	if len(ids) != 1 {
		t.Fatalf("the clicks show %d tenants: %v", len(ids), ids)
	}
	if n := held.calls.Load(); n != 1 {
		t.Errorf("%d clicks asked GoTrue for the owner's account, want only the first", n)
	}
	after := a.tableCounts(t)
	for table, n := range after {
		if n-before[table] != 1 {
			t.Errorf("%s: %d → %d rows, want one more", table, before[table], n)
		}
	}
	for id := range ids {
		if n := auditCount(t, a, id, tenant.ActionTenantCreated); n != 1 {
			t.Errorf("%d %s events, want 1", n, tenant.ActionTenantCreated)
		}
	}
}

func TestStaffAddTwiceWithOneKeyAddsOnceAndSaysWhatItDid(t *testing.T) {
	t.Parallel()
	a, held := newHeldApp(t, post("/invite"))
	b := a.signedInAdmin(t)
	_, page := b.get("/staff")
	const email = "lindiwe@console.example"
	form := url.Values{"email": {email}, "role": {"support"}, "idempotency_key": {formKey(t, page)}}
	staffAdded := auditCount(t, a, "", tenant.ActionStaffAdded)

	held.armed.Store(true)
	answers := b.clicks(2, "/staff", form)
	<-held.arrived
	held.open()
	for range 2 {
		if got := <-answers; got.status != http.StatusSeeOther || got.location != "/staff" {
			t.Fatalf("a click answered %d to %q\n%s", got.status, got.location, clip(got.body))
		}
	}
	var rows int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM staff WHERE email = $1`, email).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || auditCount(t, a, "", tenant.ActionStaffAdded)-staffAdded != 1 {
		t.Fatalf("%d staff rows, %d new staff.added events; want 1 and 1", rows, auditCount(t, a, "", tenant.ActionStaffAdded)-staffAdded)
	}
	_, page = b.get("/staff")
	wantIn(t, page, "An invitation was sent to "+email+". It is now support.")
	if strings.Contains(page, "nothing changed") {
		t.Error("the second click's answer replaced what the first one did")
	}
	if n := held.calls.Load(); n != 1 {
		t.Errorf("%d invitations sent, want 1", n)
	}

	// A new form is a new request: the same person again is "nothing changed".
	form.Set("idempotency_key", formKey(t, page))
	res, _ := b.post("/staff", form)
	if _, page = b.settle(res, ""); !strings.Contains(page, "It already was support; nothing changed.") {
		t.Errorf("a new form replayed the old answer\n%s", clip(page))
	}
}

func TestInviteTwiceWithOneKeyInvitesOnce(t *testing.T) {
	t.Parallel()
	a, held := newHeldApp(t, post("/invite"))
	b := a.signedInAdmin(t)
	_, page := b.get(membersA)
	const email = "sipho@africastay.example"
	form := url.Values{"email": {email}, "role": {"member"}, "idempotency_key": {formKey(t, page)}}

	held.armed.Store(true)
	answers := b.clicks(2, membersA, form)
	<-held.arrived
	held.open()
	for range 2 {
		if got := <-answers; got.status != http.StatusSeeOther {
			t.Fatalf("a click answered %d\n%s", got.status, clip(got.body))
		}
	}
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM user_invitations WHERE tenant_id = $1 AND email = $2`,
		tenantA, email).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 || auditCount(t, a, tenantA, tenant.ActionMemberInvited) != 1 || held.calls.Load() != 1 {
		t.Fatalf("%d invitations, %d member.invited events, %d e-mails; want 1 each",
			n, auditCount(t, a, tenantA, tenant.ActionMemberInvited), held.calls.Load())
	}
	_, page = b.get(membersA)
	wantIn(t, page, "Invitation sent to "+email+" as member")
}

// GoTrue can take seconds to send an invitation. Meanwhile the tenant's
// other changes go through: the invitation holds no lock on the tenant
// while it waits.
func TestInvitationWaitingOnGoTrueLetsTheTenantBeSaved(t *testing.T) {
	t.Parallel()
	a, held := newHeldApp(t, post("/invite"))
	admin := a.signedInAdmin(t)
	owner := a.signedInAs(t, a.createPerson(t, "naledi@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner}))
	_, page := admin.get(membersA)
	owner.get("/tenants/" + tenantA + "/settings")

	held.armed.Store(true)
	const email = "thabo@africastay.example"
	invited := admin.clicks(1, membersA, url.Values{"email": {email}, "role": {"member"}, "idempotency_key": {formKey(t, page)}})
	<-held.arrived // the invitation is at GoTrue, which does not answer yet

	res, body := owner.post("/tenants/"+tenantA+"/settings", with(savedSettings(t, a, tenantA), "company_name", "Africa Stay Holdings"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the settings: %d\n%s", res.StatusCode, clip(body))
	}
	select {
	case got := <-invited:
		t.Fatalf("the settings were saved only once the invitation had ended (%d)", got.status)
	default:
	}

	held.open()
	if got := <-invited; got.status != http.StatusSeeOther {
		t.Fatalf("the invitation: %d\n%s", got.status, clip(got.body))
	}
	if _, status, _ := invitationState(t, a, tenantA, email); status != "pending" {
		t.Errorf("invitation %s, want pending", status)
	}
}

// The rules are checked again once GoTrue has answered: a tenant that
// filled up meanwhile refuses, and the inviter is told the e-mail is out.
func TestInvitationRefusedAfterGoTrueSentItSaysSo(t *testing.T) {
	t.Parallel()
	a, held := newHeldApp(t, post("/invite"))
	admin := a.signedInAdmin(t)
	ctx := context.Background()
	var seats int
	if err := a.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM organization_users WHERE tenant_id = $1) +
		(SELECT count(*) FROM user_invitations WHERE tenant_id = $1 AND status = 'pending' AND expires_at > now())`,
		tenantA).Scan(&seats); err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(ctx, `UPDATE tenants SET max_users = $2 WHERE id = $1`, tenantA, seats+1); err != nil {
		t.Fatal(err)
	}
	_, page := admin.get(membersA)

	held.armed.Store(true)
	const email = "zola@africastay.example"
	invited := admin.clicks(1, membersA, url.Values{"email": {email}, "role": {"member"}, "idempotency_key": {formKey(t, page)}})
	<-held.arrived
	// Someone takes the last seat while GoTrue sends the e-mail.
	if _, err := a.pool.Exec(ctx, `INSERT INTO organization_users (tenant_id, user_id, email, role, created_by)
		VALUES ($1, $2, 'late@africastay.example', 'member', 'test')`, tenantA, uuid.New()); err != nil {
		t.Fatal(err)
	}
	held.open()
	got := <-invited
	if got.status != http.StatusConflict {
		t.Fatalf("status %d, want 409\n%s", got.status, clip(got.body))
	}
	wantIn(t, got.body, "is full", "already e-mailed "+email+" an invitation")
	var n int
	if err := a.pool.QueryRow(ctx, `SELECT count(*) FROM user_invitations WHERE email = $1`, email).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d invitations recorded (%v), want none", n, err)
	}
}

// Two requests for one new address at once: GoTrue's second insert fails
// on its unique index and it answers 500 with the Postgres error. The
// onboarding reads that as "the account exists" and links it.
func TestOnboardOwnerAddressTakenByAConcurrentRequest(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	b := a.signedInAdmin(t)
	const email = "chanda@zambezicanoe.example"
	form := onboardForm(t, b, "zambezi-canoe", email)
	ctx := t.Context()

	// The concurrent request's account, not committed yet: the dev GoTrue
	// (on this database) finds the address free, then its insert waits.
	other, err := a.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback(context.Background()) }()
	accountID := uuid.New()
	if _, err := other.Exec(ctx, `INSERT INTO devgotrue.users (id, email, email_confirmed_at, created_at, updated_at)
		VALUES ($1, $2, now(), now(), now())`, accountID, email); err != nil {
		t.Fatal(err)
	}
	answers := b.clicks(1, "/tenants", form)
	waitForLockWaiter(t, a.pool, other)
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got := <-answers
	if got.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", got.status, clip(got.body))
	}
	_, page := b.get(got.location)
	wantIn(t, page, "An account for "+email+" already exists")
	var owner string
	if err := a.pool.QueryRow(ctx, `SELECT user_id::text FROM organization_users o JOIN tenants t ON t.id = o.tenant_id
		WHERE t.short_name = 'zambezi-canoe' AND o.role = 'owner'`).Scan(&owner); err != nil || owner != accountID.String() {
		t.Fatalf("owner %q (%v), want the account made by the concurrent request %s", owner, err, accountID)
	}
}

// waitForLockWaiter returns once a session waits on a lock tx holds.
func waitForLockWaiter(t *testing.T, pool *pgxpool.Pool, tx pgx.Tx) {
	t.Helper()
	var holder int
	if err := tx.QueryRow(t.Context(), `SELECT pg_backend_pid()`).Scan(&holder); err != nil {
		t.Fatal(err)
	}
	for {
		var waiting bool
		if err := pool.QueryRow(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE $1 = ANY (pg_blocking_pids(pid)))`, holder).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		select {
		case <-t.Context().Done():
			t.Fatal("nothing came to wait on the lock")
		case <-time.After(5 * time.Millisecond):
		}
	}
}
