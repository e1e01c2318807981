package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/auth"
	"github.com/tenant-console/console/internal/tenant"
)

// expect is the status each kind of person gets from one route. For routes
// about one tenant, ownOwn is the owner of tenant A asking about A and
// ownOther the same owner asking about B.
type expect struct {
	anonymous, support, ownOwn, ownOther, admin int
}

const (
	tenantA = "africastay"       // owned by the test's owner
	tenantB = "tn_1f3a9c0b_k3xq" // someone else's
)

// routeAccess lists every route the console registers. A new route without
// an entry here fails TestEveryRouteChecksWhoAsks: say who may use it.
var routeAccess = map[string]expect{
	"GET /":         {303, 303, 303, 303, 303},
	"GET /healthz":  {200, 200, 200, 200, 200},
	"GET /readyz":   {200, 200, 200, 200, 200},
	"GET /metrics":  {303, 200, 403, 403, 200},
	"GET /static/*": {200, 200, 200, 200, 200},
	"GET /login":    {200, 303, 303, 303, 303},
	"POST /login":   {422, 422, 422, 422, 422}, // empty form: the fields are named
	"POST /logout":  {303, 303, 303, 303, 303},
	// e-mail links: anyone holding one; an empty form or link is refused as incomplete
	"GET /auth/callback":  {200, 200, 200, 200, 200},
	"POST /auth/callback": {400, 400, 400, 400, 400},
	"GET /auth/confirm":   {400, 400, 400, 400, 400},
	// no link followed in this browser: to the sign-in page
	"GET /auth/password":       {303, 303, 303, 303, 303},
	"POST /auth/password":      {303, 303, 303, 303, 303},
	"POST /auth/password/code": {303, 303, 303, 303, 303},
	"GET /auth/forgot":         {200, 200, 200, 200, 200},
	// the second factor (STAFF_MFA optional here): nobody has one, so the
	// code page sends them on; the enrolment page starts one for anyone
	"GET /auth/mfa":        {303, 303, 303, 303, 303},
	"POST /auth/mfa":       {401, 303, 303, 303, 303},
	"GET /auth/mfa/enrol":  {303, 200, 200, 200, 200},
	"POST /auth/mfa/enrol": {401, 303, 303, 303, 303}, // no enrolment started in this browser
	// your account: an empty password form names its fields
	"GET /account":                      {303, 200, 200, 200, 200},
	"POST /account/password":            {401, 422, 422, 422, 422},
	"POST /account/sign-out-everywhere": {401, 303, 303, 303, 303},
	// the literal ":user" is no staff member
	"POST /staff/:user/mfa/reset": {401, 403, 403, 403, 404},
	"POST /auth/forgot":           {422, 422, 422, 422, 422}, // empty form: the e-mail is named
	// the dev GoTrue's mailbox (the harness runs as dev); ":mail" is no message
	"GET /dev/mail":          {200, 200, 200, 200, 200},
	"GET /dev/mail/:mail":    {404, 404, 404, 404, 404},
	"GET /tenants":           {303, 200, 200, 200, 200},
	"GET /tenants/:id":       {303, 200, 200, 404, 200},
	"GET /tenants/new":       {303, 403, 403, 403, 200},
	"GET /tenants/new/theme": {303, 403, 403, 403, 200},
	"POST /tenants":          {401, 403, 403, 403, 422}, // empty form: every field is named
	// the key here is the literal ":key", which matches no onboarding
	"GET /tenants/onboarded/:key": {303, 403, 403, 403, 404},
	// an empty value is refused beside the field; only platform admins get that far
	"POST /tenants/:id/secrets/:name": {401, 403, 403, 403, 422},
	"GET /tenants/:id/members":        {303, 200, 200, 404, 200},
	// an empty invite form: the e-mail is named beside its field
	"POST /tenants/:id/members": {401, 403, 422, 404, 422},
	// the literal ":user" and ":invitation" match nobody: the role is checked first
	"POST /tenants/:id/members/:user/role":             {401, 403, 422, 404, 422},
	"POST /tenants/:id/members/:user/remove":           {401, 403, 404, 404, 404},
	"POST /tenants/:id/invitations/:invitation/resend": {401, 403, 404, 404, 404},
	"POST /tenants/:id/invitations/:invitation/revoke": {401, 403, 404, 404, 404},
	"GET /staff":               {303, 403, 403, 403, 200},
	"POST /staff":              {401, 403, 403, 403, 422},
	"POST /staff/:user/role":   {401, 403, 403, 403, 422},
	"POST /staff/:user/remove": {401, 403, 403, 403, 404},
	// settings and branding: the tenant's owners and admins and platform
	// admins edit (an empty form is refused field by field), support reads
	"GET /tenants/:id/settings":         {303, 200, 200, 404, 200},
	"POST /tenants/:id/settings":        {401, 403, 422, 404, 422},
	"GET /tenants/:id/branding":         {303, 200, 200, 404, 200},
	"POST /tenants/:id/branding":        {401, 403, 422, 404, 422},
	"GET /tenants/:id/branding/preview": {303, 200, 200, 404, 200},
	"GET /tenants/:id/branding/theme":   {303, 200, 200, 404, 200},
	"POST /tenants/:id/plan":            {401, 403, 403, 403, 422},
	// the action here is the literal ":action", which names no action
	"GET /tenants/:id/lifecycle/:action":  {303, 404, 403, 403, 404},
	"POST /tenants/:id/lifecycle/:action": {401, 404, 403, 403, 404},
	"POST /tenants/bulk":                  {401, 422, 403, 403, 422}, // empty form: choose an action
	"GET /tenants/export.csv":             {303, 200, 200, 200, 200},
	"GET /audit":                          {303, 200, 403, 403, 200},
	"GET /audit.csv":                      {303, 200, 403, 403, 200},
	"GET /tenants/:id/audit":              {303, 200, 200, 404, 200},
	"GET /tenants/:id/audit.csv":          {303, 200, 200, 404, 200},
	// API tokens: an empty form names the field; the literal ":token" is no token
	"POST /staff/api-tokens":               {401, 403, 403, 403, 422},
	"POST /staff/api-tokens/:token/revoke": {401, 403, 403, 403, 404},
	// the read API takes bearer tokens only: a signed-in session, even a
	// platform admin's, is no token (api_test.go tries real ones)
	"GET /api/v1/openapi.json": {200, 200, 200, 200, 200},
	"GET /api/v1/tenants":      {401, 401, 401, 401, 401},
	"GET /api/v1/tenants/:id":  {401, 401, 401, 401, 401},
}

func TestEveryRouteChecksWhoAsks(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	support := a.createPerson(t, "sam@console.example", tenant.RoleSupport, nil)
	admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	owner := a.createPerson(t, "olu@africastay.example", "", map[string]tenant.MemberRole{tenantA: tenant.MemberOwner})

	// browserAs returns a fresh browser for the role, so a sign-out in one
	// check does not leak into the next, on a page with a form (the sign-in
	// page) whose CSRF token its POSTs send.
	browserAs := func(t *testing.T, p *person) *browser {
		b := a.newBrowser(t)
		if p == nil {
			b.get("/login")
			return b
		}
		b.signIn(*p)
		return b
	}
	seen := map[string]bool{}
	for _, r := range a.echo.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		want, ok := routeAccess[key]
		if r.Method == http.MethodHead {
			want, ok = routeAccess["GET "+r.Path] // HEAD answers as GET does, without the body
		}
		if !ok {
			t.Errorf("route %s has no entry in routeAccess: say who may use it", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			// GET and HEAD change nothing a later check could notice, so
			// they run side by side once the POSTs, one at a time, are done.
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				t.Parallel()
			}
			for _, c := range []struct {
				who    string
				p      *person
				tenant string
				status int
			}{
				{"anonymous", nil, tenantA, want.anonymous},
				{"support", &support, tenantA, want.support},
				{"owner of A on A", &owner, tenantA, want.ownOwn},
				{"owner of A on B", &owner, tenantB, want.ownOther},
				{"platform admin", &admin, tenantB, want.admin},
			} {
				path := strings.NewReplacer(":id", c.tenant, ":name", "supabase_service_key", "*", "css/app.css").Replace(r.Path)
				b := browserAs(t, c.p)
				var res *http.Response
				var body string
				switch r.Method {
				case http.MethodGet:
					res, body = b.get(path)
				case http.MethodHead:
					res, body = b.do(mustRequest(t, r.Method, b.base+path))
				default:
					res, body = b.post(path, nil)
				}
				if res.StatusCode != c.status {
					t.Errorf("%s %s as %s: status %d, want %d\n%s", r.Method, path, c.who, res.StatusCode, c.status, clip(body))
				}
			}
		})
	}
	for key := range routeAccess {
		if method, path, _ := strings.Cut(key, " "); method == http.MethodGet && !seen["HEAD "+path] {
			t.Errorf("%s has no HEAD", key)
		}
		if !seen[key] {
			t.Errorf("routeAccess lists %s, which the router does not have", key)
		}
	}
}
