package tenant_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/auth/devgotrue"
	"github.com/tenant-console/console/internal/auth/gotrue"
	"github.com/tenant-console/console/internal/store"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/testdb"
)

// Onboarding against a real Postgres and the GoTrue-compatible dev server,
// which keeps its users in the same test database.

var admin = tenant.Actor{UserID: "5b0f3c1e-0000-4000-8000-000000000001", Email: "ops@platform.example",
	Staff: tenant.RolePlatformAdmin, RequestID: "req-1", RemoteAddr: "192.0.2.10"}

// onboardTables are every table onboarding writes to.
var onboardTables = []string{"tenants", "tenant_settings", "tenant_branding", "tenant_prompts",
	"organization_users", "audit_events", "onboarding_requests"}

type harness struct {
	pool     *pgxpool.Pool
	store    *store.Store
	gotrue   *gotrue.Client
	accounts *countingAccounts
	ob       *tenant.Onboarding
}

// countingAccounts counts the calls that reach GoTrue.
type countingAccounts struct {
	tenant.Accounts
	calls atomic.Int32
}

func (c *countingAccounts) Create(ctx context.Context, email, password, name string) (tenant.Account, error) {
	c.calls.Add(1)
	return c.Accounts.Create(ctx, email, password, name)
}

func (c *countingAccounts) Invite(ctx context.Context, email, name string) (tenant.Account, error) {
	c.calls.Add(1)
	return c.Accounts.Invite(ctx, email, name)
}

func (c *countingAccounts) FindByEmail(ctx context.Context, email string) (tenant.Account, error) {
	c.calls.Add(1)
	return c.Accounts.FindByEmail(ctx, email)
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	pool := testdb.New(t)
	srv, err := devgotrue.New(ctx, pool, devgotrue.Options{Autoconfirm: true, PasswordHashCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	gt := gotrue.New(gotrue.Config{URL: url, AnonKey: srv.AnonKey(), ServiceRoleKey: srv.ServiceRoleKey()})
	return newHarnessWith(t, pool, gt)
}

func newHarnessWith(t *testing.T, pool *pgxpool.Pool, gt *gotrue.Client) *harness {
	st := store.New(pool)
	accounts := &countingAccounts{Accounts: auth.Accounts{Client: gt}}
	return &harness{pool: pool, store: st, gotrue: gt, accounts: accounts, ob: tenant.NewOnboarding(st, accounts)}
}

// form is a complete onboarding form for Kruger Safaris.
func form() tenant.OnboardInput {
	in := tenant.NewOnboardInput()
	in.Name = "Kruger Safaris"
	in.SupportEmail = "Help@KrugerSafaris.example"
	in.SupportPhone = "+27 13 555 0100"
	in.Website = "https://krugersafaris.example"
	in.Timezone = "Africa/Johannesburg"
	in.Currency = "zar"
	in.PresetTheme = "safari_gold"
	in.LogoURL = "https://cdn.krugersafaris.example/logo.svg"
	in.EmailFromName = "Kruger Safaris Bookings"
	in.Plan = "pro"
	in.MaxUsers = "40"
	in.OwnerEmail = "thandi@krugersafaris.example"
	in.OwnerName = "Thandi Nkosi"
	in.OwnerPassword = "lion-kings-2024!"
	return in
}

func (h *harness) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// wantRows checks how many rows each onboarding table holds.
func (h *harness) wantRows(t *testing.T, want int) {
	t.Helper()
	for _, table := range onboardTables {
		if got := h.count(t, table); got != want {
			t.Errorf("%s holds %d rows, want %d", table, got, want)
		}
	}
}

func (h *harness) onboard(t *testing.T, in tenant.OnboardInput) tenant.OnboardResult {
	t.Helper()
	res, err := h.ob.Onboard(context.Background(), admin, in)
	if err != nil {
		t.Fatalf("onboard: %v", err)
	}
	return res
}

func (h *harness) signIn(email, password string) error {
	_, err := h.gotrue.SignIn(context.Background(), email, password)
	return err
}

func validationOf(t *testing.T, err error) *apperr.ValidationError {
	t.Helper()
	verr, ok := apperr.AsValidation(err)
	if !ok {
		t.Fatalf("err = %v, want a validation error", err)
	}
	return verr
}

func TestOnboardNewOwnerWritesExactlyTheExpectedRows(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	in := form()
	res := h.onboard(t, in)

	if !tenant.IsGeneratedID(res.TenantID) || res.TenantName != "Kruger Safaris" || res.ShortName != "kruger-safaris" {
		t.Fatalf("result = %+v", res)
	}
	if res.Outcome != tenant.AccountCreated || res.Replay || res.OwnerEmail != "thandi@krugersafaris.example" {
		t.Fatalf("outcome %s replay %v owner %s", res.Outcome, res.Replay, res.OwnerEmail)
	}
	var tables []string
	for _, c := range res.Created {
		tables = append(tables, c.Table)
	}
	if got := strings.Join(tables, ","); got != "tenants,tenant_settings,tenant_branding,tenant_prompts,organization_users,audit_events" {
		t.Fatalf("created = %s", got)
	}
	if err := h.signIn("thandi@krugersafaris.example", in.OwnerPassword); err != nil {
		t.Fatalf("the new owner cannot sign in with the password set: %v", err)
	}

	h.wantRows(t, 1)
	id := res.TenantID

	var (
		name, short, status, plan, createdBy, source string
		users, quotes, storage                       int
	)
	err := h.pool.QueryRow(ctx, `SELECT name, short_name, status, plan, max_users, max_monthly_quotes,
		max_storage_gb, created_by, source FROM tenants WHERE id = $1`, id).
		Scan(&name, &short, &status, &plan, &users, &quotes, &storage, &createdBy, &source)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Kruger Safaris" || short != "kruger-safaris" || status != "active" || plan != "pro" ||
		users != 40 || quotes != 5000 || storage != 50 || createdBy != admin.Email || source != "onboarding" {
		t.Errorf("tenants row: %s %s %s %s %d/%d/%d by %s from %s", name, short, status, plan, users, quotes,
			storage, createdBy, source)
	}

	var company, support, phone, website, currency, tz, fromName, fromEmail, settingsBy string
	err = h.pool.QueryRow(ctx, `SELECT company_name, support_email, support_phone, website, currency, timezone,
		email_from_name, email_from_email, updated_by FROM tenant_settings WHERE tenant_id = $1`, id).
		Scan(&company, &support, &phone, &website, &currency, &tz, &fromName, &fromEmail, &settingsBy)
	if err != nil {
		t.Fatal(err)
	}
	if company != "Kruger Safaris" || support != "help@krugersafaris.example" || phone != "+27 13 555 0100" ||
		website != "https://krugersafaris.example" || currency != "ZAR" || tz != "Africa/Johannesburg" ||
		fromName != "Kruger Safaris Bookings" || fromEmail != "help@krugersafaris.example" || settingsBy != admin.Email {
		t.Errorf("tenant_settings row: %q %q %q %q %q %q %q %q %q", company, support, phone, website, currency, tz,
			fromName, fromEmail, settingsBy)
	}

	var theme, logo, primary, secondary, accent string
	err = h.pool.QueryRow(ctx, `SELECT preset_theme, logo_url, color_primary, color_secondary, color_accent
		FROM tenant_branding WHERE tenant_id = $1`, id).Scan(&theme, &logo, &primary, &secondary, &accent)
	if err != nil {
		t.Fatal(err)
	}
	if theme != "safari_gold" || logo != "https://cdn.krugersafaris.example/logo.svg" ||
		primary != "#92400E" || secondary != "#44403C" || accent != "#D97706" {
		t.Errorf("tenant_branding row: %s %s %s %s %s", theme, logo, primary, secondary, accent)
	}

	var promptName, body string
	if err := h.pool.QueryRow(ctx, `SELECT name, body FROM tenant_prompts WHERE tenant_id = $1`, id).
		Scan(&promptName, &body); err != nil {
		t.Fatal(err)
	}
	if promptName != "inbound" || !strings.Contains(body, "Kruger Safaris") {
		t.Errorf("tenant_prompts row: %s %q: want the inbound prompt naming the company", promptName, body)
	}

	var userID, email, displayName, role, memberBy string
	if err := h.pool.QueryRow(ctx, `SELECT user_id::text, email, display_name, role, created_by
		FROM organization_users WHERE tenant_id = $1`, id).Scan(&userID, &email, &displayName, &role, &memberBy); err != nil {
		t.Fatal(err)
	}
	acct, err := h.gotrue.FindUserByEmail(ctx, "thandi@krugersafaris.example")
	if err != nil {
		t.Fatal(err)
	}
	if userID != acct.ID || userID != res.OwnerUserID || email != "thandi@krugersafaris.example" ||
		displayName != "Thandi Nkosi" || role != "owner" || memberBy != admin.Email {
		t.Errorf("organization_users row: %s %s %q %s %s (GoTrue id %s)", userID, email, displayName, role, memberBy, acct.ID)
	}

	var action, actorEmail, actorRole, requestID, before, after string
	if err := h.pool.QueryRow(ctx, `SELECT action, actor_email, actor_role, request_id,
		coalesce(before::text, ''), after::text FROM audit_events WHERE tenant_id = $1`, id).
		Scan(&action, &actorEmail, &actorRole, &requestID, &before, &after); err != nil {
		t.Fatal(err)
	}
	if action != "tenant.created" || actorEmail != admin.Email || actorRole != "platform_admin" || requestID != "req-1" {
		t.Errorf("audit_events row: %s by %s (%s) request %s", action, actorEmail, actorRole, requestID)
	}
	if before != "" || !strings.Contains(after, `"short_name": "kruger-safaris"`) || !strings.Contains(after, acct.ID) {
		t.Errorf("audit before %q after %s", before, after)
	}
	var stored string
	if err := h.pool.QueryRow(ctx, `SELECT result::text FROM onboarding_requests WHERE tenant_id = $1`, id).
		Scan(&stored); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{after, stored} {
		if strings.Contains(s, in.OwnerPassword) || strings.Contains(strings.ToLower(s), "password") {
			t.Errorf("a password (or a password field) was stored: %s", s)
		}
	}
}

func TestOnboardLinksAnExistingAccountInAnyCase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	existing, err := h.gotrue.CreateUser(ctx, gotrue.CreateUserParams{
		Email: "thandi@krugersafaris.example", Password: "her own old password", EmailConfirm: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	in := form()
	in.OwnerEmail = "THANDI@KrugerSafaris.EXAMPLE"
	in.OwnerPassword = "a brand new password"
	res := h.onboard(t, in)

	if res.Outcome != tenant.AccountLinked || res.OwnerUserID != existing.ID {
		t.Fatalf("outcome %s user %s, want linked to %s", res.Outcome, res.OwnerUserID, existing.ID)
	}
	want := "An account for thandi@krugersafaris.example already exists; it was made owner of this tenant and signs in with its existing password."
	if got := res.SignInSummary(); got != want {
		t.Fatalf("summary = %q", got)
	}
	if err := h.signIn("thandi@krugersafaris.example", "her own old password"); err != nil {
		t.Fatalf("the old password no longer works: %v", err)
	}
	if err := h.signIn("thandi@krugersafaris.example", in.OwnerPassword); !gotrue.HasCode(err, "invalid_credentials") {
		t.Fatalf("the typed password replaced the old one: sign-in err = %v", err)
	}
	h.wantRows(t, 1)
	var userID string
	if err := h.pool.QueryRow(ctx, `SELECT user_id::text FROM organization_users WHERE role = 'owner'`).Scan(&userID); err != nil || userID != existing.ID {
		t.Fatalf("owner row user %s (%v), want %s", userID, err, existing.ID)
	}
}

func TestOnboardAnOwnerWhoAlreadyOwnsAnotherTenant(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := h.onboard(t, form())

	in := form()
	in.Name = "Kruger Lodges"
	in.IdempotencyKey = tenant.NewIdempotencyKey()
	in.OwnerPassword = "another password here"
	second := h.onboard(t, in)

	if second.TenantID == first.TenantID || second.Outcome != tenant.AccountLinked || second.OwnerUserID != first.OwnerUserID {
		t.Fatalf("first %+v, second %+v", first, second)
	}
	if err := h.signIn("thandi@krugersafaris.example", form().OwnerPassword); err != nil {
		t.Fatalf("the first password stopped working: %v", err)
	}
	var owned int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM organization_users
		WHERE user_id = $1 AND role = 'owner'`, first.OwnerUserID).Scan(&owned); err != nil || owned != 2 {
		t.Fatalf("the owner owns %d tenants (%v), want 2", owned, err)
	}
	h.wantRows(t, 2)
}

func TestOnboardWithAnInvitation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	in := form()
	in.OwnerMode = tenant.OwnerModeInvite
	in.OwnerPassword = ""
	res := h.onboard(t, in)

	if res.Outcome != tenant.AccountInvited || !strings.HasPrefix(res.SignInSummary(), "An invitation e-mail was sent to thandi@krugersafaris.example") {
		t.Fatalf("outcome %s: %s", res.Outcome, res.SignInSummary())
	}
	u, err := h.gotrue.FindUserByEmail(context.Background(), "thandi@krugersafaris.example")
	if err != nil {
		t.Fatal(err)
	}
	if u.InvitedAt == nil || u.ID != res.OwnerUserID {
		t.Fatalf("GoTrue account %+v: want an invited account linked as owner", u)
	}
	h.wantRows(t, 1)
}

func TestOnboardValidationWritesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	in := form()
	in.SupportEmail = "help-at-kruger"
	in.ColorPrimary = "gold"
	in.Timezone = "Africa/Atlantis"
	in.Website = "http://krugersafaris.example"
	in.OwnerPassword = "short"
	_, err := h.ob.Onboard(context.Background(), admin, in)
	verr := validationOf(t, err)
	for field, want := range map[string]string{
		"support_email":  "Enter an e-mail address like name@example.com.",
		"color_primary":  "Use a colour like #1E40AF.",
		"timezone":       "Choose a time zone from the list (e.g. Africa/Johannesburg).",
		"website":        "Use an https:// address.",
		"owner_password": "Use at least 10 characters.",
	} {
		if got := verr.Get(field); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	if len(verr.Fields) != 5 {
		t.Errorf("errors = %v", verr.Fields)
	}
	if n := h.accounts.calls.Load(); n != 0 {
		t.Errorf("GoTrue was called %d times for an invalid form", n)
	}
	h.wantRows(t, 0)
	if _, err := h.gotrue.FindUserByEmail(context.Background(), "thandi@krugersafaris.example"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("an account was made for an invalid form: %v", err)
	}
}

func TestOnboardShortNameMustBeFree(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.onboard(t, form())

	in := form()
	in.IdempotencyKey = tenant.NewIdempotencyKey()
	in.OwnerEmail = "someone.else@example.com"
	_, err := h.ob.Onboard(context.Background(), admin, in)
	want := "The short name made from the name, kruger-safaris, is taken by Kruger Safaris. Enter another short name."
	if got := validationOf(t, err).Get("short_name"); got != want {
		t.Fatalf("derived short name: %q", got)
	}

	in.Name = "Kruger Safaris Two"
	in.ShortName = "Kruger-Safaris"
	_, err = h.ob.Onboard(context.Background(), admin, in)
	if got := validationOf(t, err).Get("short_name"); got != "This short name is taken by Kruger Safaris." {
		t.Fatalf("typed short name: %q", got)
	}
	if _, err := h.gotrue.FindUserByEmail(context.Background(), "someone.else@example.com"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("an account was made although the short name was taken: %v", err)
	}
	h.wantRows(t, 1)
}

func TestOnboardEmailTheSignInServiceRefuses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	in := form()
	// Valid for the console's rules; GoTrue only takes ASCII addresses.
	in.OwnerEmail = "zoë@krugersafaris.example"
	_, err := h.ob.Onboard(context.Background(), admin, in)
	if got := validationOf(t, err).Get("owner_email"); got != "The sign-in service refused this e-mail address." {
		t.Fatalf("owner_email: %q", got)
	}
	h.wantRows(t, 0)
}

func TestOnlyAPlatformAdminOnboards(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, actor := range []tenant.Actor{
		{Email: "help@platform.example", Staff: tenant.RoleSupport},
		{Email: "owner@agency.example", Memberships: []tenant.Membership{{TenantID: "africastay", Role: tenant.MemberOwner}}},
		{},
	} {
		if _, err := h.ob.Onboard(context.Background(), actor, form()); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%+v: err = %v, want forbidden", actor, err)
		}
	}
	if h.accounts.calls.Load() != 0 {
		t.Error("GoTrue was called for a refused actor")
	}
	h.wantRows(t, 0)
}

func TestDoubleSubmitCreatesOneTenant(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	in := form()
	first := h.onboard(t, in)
	calls := h.accounts.calls.Load()

	again := h.onboard(t, in)
	if !again.Replay || again.TenantID != first.TenantID || again.Outcome != first.Outcome ||
		!again.CreatedAt.Equal(first.CreatedAt) || len(again.Created) != len(first.Created) {
		t.Fatalf("second submit = %+v, want a replay of %+v", again, first)
	}
	if h.accounts.calls.Load() != calls {
		t.Error("a replay called GoTrue again")
	}
	h.wantRows(t, 1)

	// The result page behind a redirect reads the same result by its key.
	shown, err := h.ob.Result(context.Background(), admin, in.IdempotencyKey)
	if err != nil || shown.Replay || shown.TenantID != first.TenantID || shown.SignInSummary() != first.SignInSummary() {
		t.Fatalf("Result = %+v, %v", shown, err)
	}
	if _, err := h.ob.Result(context.Background(), admin, tenant.NewIdempotencyKey()); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := h.ob.Result(context.Background(), tenant.Actor{Staff: tenant.RoleSupport}, in.IdempotencyKey); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("support reading a result: %v", err)
	}
}

// blockingAccounts holds every account call until release is closed.
type blockingAccounts struct {
	tenant.Accounts
	release chan struct{}
}

func (b blockingAccounts) Create(ctx context.Context, email, password, name string) (tenant.Account, error) {
	<-b.release
	return b.Accounts.Create(ctx, email, password, name)
}

func (b blockingAccounts) Invite(ctx context.Context, email, name string) (tenant.Account, error) {
	<-b.release
	return b.Accounts.Invite(ctx, email, name)
}

// A double click: the later submits wait for the first (which is still at
// GoTrue) and answer with its result as their own, not as a replay; only a
// submit after it finished is one.
func TestConcurrentSubmitsWithOneKeyCreateOneTenant(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	release := make(chan struct{})
	ob := tenant.NewOnboarding(h.store, blockingAccounts{Accounts: h.accounts, release: release})
	in := form()
	const n = 6
	results := make([]tenant.OnboardResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = ob.Onboard(context.Background(), admin, in) })
	}
	for ob.SameKeyRequests(in.IdempotencyKey) < n {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("submit %d: %v", i, errs[i])
		}
		if results[i].TenantID != results[0].TenantID || results[i].Outcome != tenant.AccountCreated || results[i].Replay {
			t.Errorf("submit %d got %s (%s, replay %t), submit 0 %s", i, results[i].TenantID, results[i].Outcome,
				results[i].Replay, results[0].TenantID)
		}
	}
	if calls := h.accounts.calls.Load(); calls != 1 {
		t.Errorf("%d calls reached GoTrue, want 1: the others waited for the first", calls)
	}
	h.wantRows(t, 1)
	if again := h.onboard(t, in); !again.Replay || again.TenantID != results[0].TenantID {
		t.Errorf("a submit after they finished = %+v, want a replay", again)
	}
}

func TestConcurrentSubmitsForOneShortNameCreateOneTenant(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		in := form()
		in.IdempotencyKey = tenant.NewIdempotencyKey()
		in.OwnerEmail = strings.Replace(in.OwnerEmail, "thandi", "owner"+string(rune('a'+i)), 1)
		wg.Go(func() { _, errs[i] = h.ob.Onboard(context.Background(), admin, in) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		if got := validationOf(t, err).Get("short_name"); !strings.Contains(got, "is taken by Kruger Safaris") {
			t.Errorf("loser's message: %q", got)
		}
	}
	if ok != 1 {
		t.Errorf("%d submits succeeded, want 1", ok)
	}
	h.wantRows(t, 1)
}

func TestGoTrueDownWritesNothing(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	// A port that was just free: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := newHarnessWith(t, pool, gotrue.New(gotrue.Config{URL: "http://" + addr, AnonKey: "anon", ServiceRoleKey: "service"}))

	_, err = h.ob.Onboard(context.Background(), admin, form())
	if !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if got := tenant.OnboardErrorMessage(err); !strings.Contains(got, "sign-in service cannot be reached") {
		t.Errorf("message = %q", got)
	}
	if strings.Contains(err.Error(), form().OwnerPassword) {
		t.Errorf("the error carries the password: %v", err)
	}
	h.wantRows(t, 0)
}

func TestDatabaseFailureAfterTheAccountStepWritesNothingAndARetrySucceeds(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	// A real fault in the last step of the transaction: every row before it
	// has been written when Postgres refuses the owner's membership.
	_, err := h.pool.Exec(ctx, `
		CREATE FUNCTION refuse_members() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'injected failure'; END; $$;
		CREATE TRIGGER refuse_members BEFORE INSERT ON organization_users
			FOR EACH ROW EXECUTE FUNCTION refuse_members();`)
	if err != nil {
		t.Fatal(err)
	}
	in := form()
	_, err = h.ob.Onboard(ctx, admin, in)
	if !errors.Is(err, tenant.ErrOnboardNotSaved) || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("err = %v, want not saved", err)
	}
	if strings.Contains(err.Error(), in.OwnerPassword) {
		t.Errorf("the error carries the password: %v", err)
	}
	h.wantRows(t, 0)
	acct, err := h.gotrue.FindUserByEmail(ctx, "thandi@krugersafaris.example")
	if err != nil {
		t.Fatalf("the account step should have made the account: %v", err)
	}

	if _, err := h.pool.Exec(ctx, `DROP TRIGGER refuse_members ON organization_users`); err != nil {
		t.Fatal(err)
	}
	res := h.onboard(t, in)
	if res.Replay || res.Outcome != tenant.AccountLinked || res.OwnerUserID != acct.ID {
		t.Fatalf("retry = %+v, want the account made by the first attempt linked", res)
	}
	if err := h.signIn("thandi@krugersafaris.example", in.OwnerPassword); err != nil {
		t.Fatalf("the owner cannot sign in: %v", err)
	}
	h.wantRows(t, 1)
}
