package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/demo"
	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/internal/web"
)

// apiClient is platform code calling the read API. Every answer it gets is
// validated against the OpenAPI document the console serves, by
// kin-openapi: a status the document does not list, a missing header or a
// body off its schema fails the test.
type apiClient struct {
	t      *testing.T
	base   string
	token  string
	http   *http.Client
	doc    *openapi3.T
	router routers.Router
	// validated counts the answers checked, by status.
	validated map[int]int
}

// apiDocument loads and checks the OpenAPI document a serves.
func (a *app) apiDocument(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	res, err := a.Client().Get(a.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), clip(body))
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(body))
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi.json is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: a.URL}} // where this test's console listens
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

func (a *app) apiClient(t *testing.T, token string) *apiClient {
	t.Helper()
	doc, router := a.apiDocument(t)
	return &apiClient{t: t, base: a.URL, token: token, http: a.Client(), doc: doc, router: router, validated: map[int]int{}}
}

// get asks for path (with the client's token, unless headers set another
// Authorization) and validates the answer.
func (c *apiClient) get(path string, headers ...string) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		c.t.Fatal(err)
	}
	c.validate(req, res, body)
	return res, body
}

func (c *apiClient) validate(req *http.Request, res *http.Response, body []byte) {
	c.t.Helper()
	route, params, err := c.router.FindRoute(req)
	if re := (*routers.RouteError)(nil); errors.As(err, &re) && re.Reason == routers.ErrPathNotFound.Error() {
		// An address the API does not have: its answer is still a problem
		// document as the document defines one.
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			c.t.Errorf("%s %s: %d is not JSON: %v", req.Method, req.URL, res.StatusCode, err)
		} else if err := c.doc.Components.Schemas["Problem"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			c.t.Errorf("%s %s: %d is not a Problem: %v", req.Method, req.URL, res.StatusCode, err)
		}
		c.validated[res.StatusCode]++
		return
	}
	if err != nil {
		c.t.Fatalf("%s %s: the OpenAPI document has no such operation: %v", req.Method, req.URL, err)
	}
	if route.Operation.Responses.Status(res.StatusCode) == nil {
		// kin-openapi passes some statuses (304) without looking: the
		// document must still list every status the API answers.
		c.t.Errorf("%s %s: status %d is not in the OpenAPI document", req.Method, req.URL, res.StatusCode)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		c.t.Errorf("%s %s: %d does not match the OpenAPI document: %v\n%s", req.Method, req.URL, res.StatusCode, err, clip(string(body)))
	}
	c.validated[res.StatusCode]++
}

// problemOf reads a problem document and checks what every one must say.
func problemOf(t *testing.T, res *http.Response, body []byte, status int) map[string]any {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d\n%s", res.StatusCode, status, clip(string(body)))
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	if p["status"] != float64(status) || p["title"] != http.StatusText(status) || p["detail"] == "" {
		t.Errorf("problem %v", p)
	}
	return p
}

type apiTenantDoc struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Status      string     `json:"status"`
	StatusSince *time.Time `json:"status_since"`
	Settings    *struct {
		CompanyName  string `json:"company_name"`
		SupportEmail string `json:"support_email"`
	} `json:"settings"`
	Branding *struct {
		ColorPrimary string `json:"color_primary"`
	} `json:"branding"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

type apiFeedPage struct {
	Tenants    []apiTenantDoc `json:"tenants"`
	NextCursor string         `json:"next_cursor"`
	HasMore    bool           `json:"has_more"`
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode: %v\n%s", err, clip(string(body)))
	}
	return v
}

// makeAPIToken makes a token as the CLI does and returns its value.
func (a *app) makeAPIToken(t *testing.T, name string) (tenant.APIToken, string) {
	t.Helper()
	made, err := tenant.NewAPITokenService(a.store).Create(context.Background(), tenant.System("test"), name)
	if err != nil {
		t.Fatal(err)
	}
	return made.Token, made.Secret
}

var adminActor = tenant.System("test")

// TestAPIRefusesMissingWrongAndRevokedTokens: no token, another scheme, a
// mistyped or made-up token, a revoked one, and a signed-in admin's
// session all get 401 problem documents with a Bearer challenge; a live
// token gets the document.
func TestAPIRefusesMissingWrongAndRevokedTokens(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	tok, secret := a.makeAPIToken(t, "runtime")
	c := a.apiClient(t, secret)

	if res, body := c.get("/api/v1/tenants/africastay"); res.StatusCode != http.StatusOK {
		t.Fatalf("live token: %d\n%s", res.StatusCode, body)
	}
	if res, _ := c.get("/api/v1/tenants/africastay", "Authorization", "bearer "+secret); res.StatusCode != http.StatusOK {
		t.Fatalf("the scheme in lower case: %d", res.StatusCode)
	}
	mistyped := secret[:len(secret)-1] + map[bool]string{true: "A", false: "B"}[!strings.HasSuffix(secret, "A")]
	for _, bad := range []struct{ what, authorization string }{
		{"no Authorization header", ""},
		{"an empty bearer token", "Bearer "},
		{"Basic instead of Bearer", "Basic " + secret},
		{"a mistyped token", "Bearer " + mistyped},
		{"a made-up token", "Bearer tcapi_" + strings.Repeat("x", 43)},
		{"not a token at all", "Bearer hunter2"},
	} {
		for _, path := range []string{"/api/v1/tenants/africastay", "/api/v1/tenants"} {
			res, body := c.get(path, "Authorization", bad.authorization)
			t.Run(bad.what+" "+path, func(t *testing.T) {
				p := problemOf(t, res, body, http.StatusUnauthorized)
				if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
				}
				if strings.Contains(string(body), "Africa") || p["detail"] == nil {
					t.Errorf("a refused request learned something: %s", body)
				}
			})
		}
	}
	// A platform admin's session is not a token: the API ignores cookies.
	admin := a.signedInAdmin(t)
	res, body := admin.get("/api/v1/tenants/africastay")
	c.validate(mustRequest(t, http.MethodGet, a.URL+"/api/v1/tenants/africastay"), res, []byte(body))
	problemOf(t, res, []byte(body), http.StatusUnauthorized)
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("the API touched the session: Set-Cookie %q", res.Header.Get("Set-Cookie"))
	}

	if _, err := tenant.NewAPITokenService(a.store).Revoke(context.Background(), adminActor, tok.ID); err != nil {
		t.Fatal(err)
	}
	res, b := c.get("/api/v1/tenants/africastay")
	problemOf(t, res, b, http.StatusUnauthorized)
	if c.validated[http.StatusUnauthorized] < 13 {
		t.Fatalf("only %d 401s validated", c.validated[http.StatusUnauthorized])
	}
	t.Logf("validated against the OpenAPI document: %v", c.validated)
}

// TestAPITenantDocumentAndETag: a tenant's document with its ETag; the ETag
// sent back gets 304 until the tenant changes, and a settings save moves
// both the ETag and the version. Suspended tenants are answered with their
// status; an unknown id is a 404 problem.
func TestAPITenantDocumentAndETag(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, secret := a.makeAPIToken(t, "runtime")
	c := a.apiClient(t, secret)
	ctx := context.Background()

	res, body := c.get("/api/v1/tenants/africastay")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d\n%s", res.StatusCode, body)
	}
	doc := decode[apiTenantDoc](t, body)
	etag := res.Header.Get("ETag")
	if doc.ID != "africastay" || doc.Status != "active" || doc.Settings == nil || doc.Branding == nil || etag == "" {
		t.Fatalf("document %+v, ETag %q", doc, etag)
	}
	for _, s := range []string{"ciphertext", "supabase", "sendgrid", "secret", "owner", "@africastay.example\","} {
		if strings.Contains(strings.ToLower(string(body)), s) {
			t.Errorf("the document mentions %q: %s", s, body)
		}
	}
	for _, inm := range []string{etag, "W/" + etag, `"nope", ` + etag, "*"} {
		res, body := c.get("/api/v1/tenants/africastay", "If-None-Match", inm)
		if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d %q, ETag %q", inm, res.StatusCode, body, res.Header.Get("ETag"))
		}
	}
	if res, _ := c.get("/api/v1/tenants/africastay", "If-None-Match", `"1.1"`); res.StatusCode != http.StatusOK {
		t.Errorf("a stale ETag: %d", res.StatusCode)
	}

	// A settings save through the use case, as an owner's form does.
	svc := tenant.NewService(a.store)
	page, err := svc.GetSettings(ctx, adminActor, "africastay")
	if err != nil {
		t.Fatal(err)
	}
	in := tenant.SettingsInputOf(page.Settings)
	in.CompanyName = "Africa Stay Renamed"
	if _, err := svc.EditSettings(ctx, adminActor, "africastay", in); err != nil {
		t.Fatal(err)
	}
	res, body = c.get("/api/v1/tenants/africastay", "If-None-Match", etag)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("after a settings save, the old ETag still gets %d", res.StatusCode)
	}
	after := decode[apiTenantDoc](t, body)
	if after.Settings.CompanyName != "Africa Stay Renamed" || after.Version != doc.Version+1 ||
		res.Header.Get("ETag") == etag || !after.UpdatedAt.After(doc.UpdatedAt) {
		t.Fatalf("after a settings save: %+v (before %+v), ETag %q → %q", after, doc, etag, res.Header.Get("ETag"))
	}

	// Suspended: still answered, with its status and since when.
	if _, err := svc.Lifecycle(ctx, adminActor, tenant.LifecycleRequest{TenantID: "africastay", Action: tenant.ActSuspend,
		Reason: "unpaid invoices"}); err != nil {
		t.Fatal(err)
	}
	res, body = c.get("/api/v1/tenants/africastay")
	suspended := decode[apiTenantDoc](t, body)
	if res.StatusCode != http.StatusOK || suspended.Status != "suspended" || suspended.StatusSince == nil ||
		suspended.Version != after.Version+1 {
		t.Fatalf("suspended: %d %+v", res.StatusCode, suspended)
	}

	for _, id := range []string{"no-such-tenant", "UPPER", "x%2F..%2Fstaff"} {
		res, body := c.get("/api/v1/tenants/" + id)
		problemOf(t, res, body, http.StatusNotFound)
	}
	res, body = c.get("/api/v1/no-such-thing")
	problemOf(t, res, body, http.StatusNotFound)
	t.Logf("validated against the OpenAPI document: %v", c.validated)
}

// walkFeed follows next_cursor from start until has_more is false, and
// returns what it saw and where it stopped.
func walkFeed(t *testing.T, c *apiClient, start string, limit int) ([]apiTenantDoc, string, int) {
	t.Helper()
	var all []apiTenantDoc
	path, pages := start, 0
	for {
		res, body := c.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, res.StatusCode, clip(string(body)))
		}
		page := decode[apiFeedPage](t, body)
		pages++
		if len(page.Tenants) > limit {
			t.Fatalf("%s: %d tenants on a page of %d", path, len(page.Tenants), limit)
		}
		all = append(all, page.Tenants...)
		path = fmt.Sprintf("/api/v1/tenants?limit=%d&cursor=%s", limit, url.QueryEscape(page.NextCursor))
		if !page.HasMore {
			return all, page.NextCursor, pages
		}
	}
}

// TestAPIFeedWalksEveryTenantOnce: 5,000 seeded tenants (some suspended,
// some deleted) and the demo agencies are each read exactly once across
// pages; a settings change afterwards brings its tenant back after the
// cursor, once, with its new ETag; updated_since starts at the recent ones.
func TestAPIFeedWalksEveryTenantOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	gen := demo.NewGenerator(17, time.Now())
	for range 5 { // several seeding transactions, so the keyset crosses them
		var recs []tenant.Record
		for range 1000 {
			recs = append(recs, gen.Next())
		}
		if err := a.store.BulkInsert(ctx, recs); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{}
	rows, err := a.pool.Query(ctx, `SELECT id, status FROM tenants`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatal(err)
		}
		want[id] = status
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	_, secret := a.makeAPIToken(t, "runtime")
	c := a.apiClient(t, secret)

	// The feed reaches a change only once every transaction begun before
	// it has ended, in any database of the server: keep polling from the
	// cursor, as a client does, until every tenant has come.
	seen := map[string]int{}
	statuses := map[string]int{}
	cursor, pages := "", 0
	start := "/api/v1/tenants?limit=500"
	deadline := time.Now().Add(time.Minute)
	for len(seen) < len(want) && time.Now().Before(deadline) {
		docs, next, n := walkFeed(t, c, start, 500)
		pages += n
		for _, d := range docs {
			seen[d.ID]++
			statuses[d.Status]++
			if want[d.ID] != d.Status {
				t.Errorf("%s: status %q, want %q", d.ID, d.Status, want[d.ID])
			}
		}
		cursor = next
		start = "/api/v1/tenants?limit=500&cursor=" + url.QueryEscape(cursor)
		if len(seen) < len(want) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s came %d times", id, n)
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("the feed gave %d of %d tenants", len(seen), len(want))
	}
	if statuses["suspended"] == 0 || statuses["deleted"] == 0 {
		t.Fatalf("statuses %v: the seed should hold suspended and deleted tenants", statuses)
	}
	t.Logf("feed: %d tenants in %d pages of up to 500, by status %v", len(seen), pages, statuses)

	// Nothing changed: the cursor answers an empty page, and keeps its place.
	res, body := c.get("/api/v1/tenants?cursor=" + url.QueryEscape(cursor))
	if page := decode[apiFeedPage](t, body); res.StatusCode != http.StatusOK || len(page.Tenants) != 0 || page.HasMore {
		t.Fatalf("an idle feed: %d %s", res.StatusCode, clip(string(body)))
	}

	// A settings change: the tenant comes again after the cursor, once.
	var changed string
	for id, st := range want {
		if st == "active" && strings.HasPrefix(id, "tn_") {
			changed = id
			break
		}
	}
	_, before := c.get("/api/v1/tenants/" + changed)
	oldDoc := decode[apiTenantDoc](t, before)
	resBefore, _ := c.get("/api/v1/tenants/" + changed)
	oldETag := resBefore.Header.Get("ETag")
	svc := tenant.NewService(a.store)
	page, err := svc.GetSettings(ctx, adminActor, changed)
	if err != nil {
		t.Fatal(err)
	}
	in := tenant.SettingsInputOf(page.Settings)
	in.SupportEmail = "new-support@changed.example"
	if _, err := svc.EditSettings(ctx, adminActor, changed, in); err != nil {
		t.Fatal(err)
	}
	var again []apiTenantDoc
	for deadline := time.Now().Add(30 * time.Second); len(again) == 0 && time.Now().Before(deadline); {
		var next string
		again, next, _ = walkFeed(t, c, "/api/v1/tenants?cursor="+url.QueryEscape(cursor), 100)
		if len(again) == 0 {
			cursor = next
			time.Sleep(50 * time.Millisecond)
		}
	}
	if len(again) != 1 || again[0].ID != changed || again[0].Settings.SupportEmail != "new-support@changed.example" ||
		again[0].Version <= oldDoc.Version {
		t.Fatalf("after changing %s's settings the feed gave %+v", changed, again)
	}
	resAfter, _ := c.get("/api/v1/tenants/" + changed)
	if resAfter.Header.Get("ETag") == oldETag {
		t.Fatalf("%s's ETag did not change: %s", changed, oldETag)
	}

	// updated_since a moment ago: the changed tenant, not the 5,000.
	since := again[0].UpdatedAt.Add(-time.Millisecond).Format(time.RFC3339Nano)
	recent, _, _ := walkFeed(t, c, "/api/v1/tenants?updated_since="+url.QueryEscape(since), 100)
	if len(recent) != 1 || recent[0].ID != changed {
		t.Fatalf("updated_since %s: %d tenants", since, len(recent))
	}

	for _, bad := range []string{"cursor=nope!", "limit=0", "limit=1001", "limit=ten", "updated_since=yesterday"} {
		res, body := c.get("/api/v1/tenants?" + bad)
		t.Run(bad, func(t *testing.T) { problemOf(t, res, body, http.StatusUnprocessableEntity) })
	}
	t.Logf("validated against the OpenAPI document: %v", c.validated)
}

// TestAPIRateLimitPerToken: past its burst a token gets 429 with
// Retry-After; another token is not held back by it.
func TestAPIRateLimitPerToken(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{apiRate: web.APIRate{PerSecond: 0.01, Burst: 3}})
	_, busy := a.makeAPIToken(t, "busy")
	_, quiet := a.makeAPIToken(t, "quiet")
	c := a.apiClient(t, busy)
	for i := range 3 {
		if res, body := c.get("/api/v1/tenants/africastay"); res.StatusCode != http.StatusOK {
			t.Fatalf("request %d within the burst: %d\n%s", i+1, res.StatusCode, body)
		}
	}
	res, body := c.get("/api/v1/tenants/africastay")
	problemOf(t, res, body, http.StatusTooManyRequests)
	if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	if res, _ := c.get("/api/v1/tenants/africastay", "Authorization", "Bearer "+quiet); res.StatusCode != http.StatusOK {
		t.Fatalf("another token: %d", res.StatusCode)
	}
	t.Logf("validated against the OpenAPI document: %v", c.validated)
}

// TestStaffPageManagesAPITokens: a platform admin makes a token on /staff
// and sees it once; the list shows when it was last used and revokes it
// with a CSRF-protected form; both are audited without the token; support
// may not see or use any of it.
func TestStaffPageManagesAPITokens(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	admin := a.signedInAdmin(t)
	admin.get("/staff")
	res, page := admin.post("/staff/api-tokens", url.Values{"name": {"Runtime"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %q\n%s", res.StatusCode, res.Header.Get("Cache-Control"), clip(page))
	}
	secret := regexpFind(t, page, `id="api-token-value">(tcapi_[A-Za-z0-9_-]+)<`)
	if !strings.Contains(page, "will not be shown again") {
		t.Error("the page does not say the token is shown once")
	}
	// Shown once: the next visit lists it by its first characters only.
	_, list := admin.get("/staff")
	if strings.Contains(list, secret) || !strings.Contains(list, secret[:10]+"…") || !strings.Contains(list, ">runtime<") {
		t.Fatalf("the list shows the token, or not its name and hint:\n%s", clip(list))
	}
	if !strings.Contains(between(list, `id="api-token-list"`, `</table>`), "Never") {
		t.Error("an unused token is not marked as never used")
	}
	// The same name again is refused beside the field.
	res, page = admin.post("/staff/api-tokens", url.Values{"name": {"runtime"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "already called runtime") {
		t.Fatalf("duplicate name: %d\n%s", res.StatusCode, clip(between(page, `id="api-tokens"`, `</form>`)))
	}

	c := a.apiClient(t, secret)
	if res, _ := c.get("/api/v1/tenants/africastay"); res.StatusCode != http.StatusOK {
		t.Fatalf("the new token: %d", res.StatusCode)
	}
	_, list = admin.get("/staff")
	row := between(list, `id="api-token-list"`, `</table>`)
	if strings.Contains(row, "Never") || !strings.Contains(row, "<time datetime=") {
		t.Fatalf("last used is not shown after a use:\n%s", row)
	}

	// Support: neither the page nor the actions.
	support := a.newBrowser(t)
	support.signIn(a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil))
	if res, _ := support.get("/staff"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("support on /staff: %d", res.StatusCode)
	}
	var id int64
	if err := a.pool.QueryRow(context.Background(), `SELECT id FROM api_tokens WHERE name = 'runtime'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	support.get("/tenants")
	for _, path := range []string{"/staff/api-tokens", fmt.Sprintf("/staff/api-tokens/%d/revoke", id)} {
		if res, _ := support.post(path, url.Values{"name": {"sneaky"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("support POST %s: %d", path, res.StatusCode)
		}
	}
	// Without the form's token, no revoke.
	if res, _ := admin.postRaw(fmt.Sprintf("/staff/api-tokens/%d/revoke", id), url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("revoke without a CSRF token: %d", res.StatusCode)
	}
	if res, _ := c.get("/api/v1/tenants/africastay"); res.StatusCode != http.StatusOK {
		t.Fatal("a refused revoke revoked the token")
	}
	admin.get("/staff")
	revokeForm := fmt.Sprintf(`action="/staff/api-tokens/%d/revoke"`, id)
	if !strings.Contains(admin.page, revokeForm) {
		t.Fatalf("no revoke form for token %d", id)
	}
	res, _ = admin.post(fmt.Sprintf("/staff/api-tokens/%d/revoke", id), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	_, list = admin.get("/staff")
	if !strings.Contains(list, "is revoked") || strings.Contains(list, revokeForm) {
		t.Fatalf("after revoking:\n%s", clip(between(list, `id="api-tokens"`, `</section>`)))
	}
	res, body := c.get("/api/v1/tenants/africastay")
	problemOf(t, res, body, http.StatusUnauthorized)

	// Audited, once each, never with the token.
	var events []string
	rows, err := a.pool.Query(context.Background(), `SELECT action, actor_email, coalesce(before::text, '') || coalesce(after::text, '')
		FROM audit_events WHERE action LIKE 'api_token.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var action, actor, data string
		if err := rows.Scan(&action, &actor, &data); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(data, secret) || strings.Contains(data, secret[10:]) {
			t.Errorf("%s holds the token: %s", action, data)
		}
		if !strings.Contains(data, `"runtime"`) || !strings.HasPrefix(actor, "admin-") {
			t.Errorf("%s by %q: %s", action, actor, data)
		}
		events = append(events, action)
	}
	if strings.Join(events, ",") != "api_token.created,api_token.revoked" {
		t.Fatalf("audit events %v", events)
	}
	var stored []byte
	if err := a.pool.QueryRow(context.Background(), `SELECT token_hash FROM api_tokens WHERE id = $1`, id).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, tenant.HashAPIToken(secret)) {
		t.Fatal("the stored hash is not the token's SHA-256")
	}
}

// regexpFind returns the first group of pattern in s, or fails.
func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in\n%s", pattern, clip(s))
	}
	return m[1]
}
