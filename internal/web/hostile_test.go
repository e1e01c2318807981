package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"golang.org/x/net/html"

	"github.com/tenant-console/console/internal/auth"
	bt "github.com/tenant-console/console/internal/browsertest"
	"github.com/tenant-console/console/internal/tenant"
)

// hostileStrings are what an import could bring in from the legacy tree or
// a careless (or malicious) person could type. The last ones are shaped to
// pass the database's e-mail, URL and colour CHECKs, so they reach the
// columns those guard.
var hostileStrings = []string{
	`<script>alert(1)</script>`,
	`<script>window.__xss=1</script>`,
	`"><svg onload=alert(1)>`,
	`'><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`'); DROP TABLE tenants;--`,
	strings.Repeat("Long name ", 30), // 300 characters
	"Safari Tours \u202Efdp.exe",     // right-to-left override
	"Zero\u200bWidth\u200c\u200dSafaris\ufeff",
	`</textarea></title></style><script>alert(1)</script>`,
	`{{ .Secret }} ${alert(1)} {{constructor.constructor('alert(1)')()}}`,
	`<script>alert(1)</script>@evil.example`,
	`"><svg/onload=alert(1)>@evil.example`,
	`javascript:alert(1)//@evil.example`,
	`https://evil.example/"><script>alert(1)</script>`,
	`https://evil.example/' onerror='alert(1)`,
	`#"><svg onload=alert(1)>`,
	`#FFF;background:url(javascript:alert(1))`,
}

// hostileColumns are the columns a page about a tenant shows.
var hostileColumns = []struct{ table, column string }{
	{"tenants", "name"}, {"tenants", "created_by"},
	{"tenant_settings", "company_name"}, {"tenant_settings", "support_email"}, {"tenant_settings", "support_phone"},
	{"tenant_settings", "website"}, {"tenant_settings", "timezone"}, {"tenant_settings", "email_from_name"},
	{"tenant_settings", "email_from_email"},
	{"tenant_branding", "logo_url"}, {"tenant_branding", "color_primary"}, {"tenant_branding", "color_secondary"},
	{"tenant_branding", "color_accent"}, {"tenant_branding", "preset_theme"},
}

// storeHostile writes s into every column of a new tenant id (and a
// member, a prompt and an audit event) that the database accepts, as an
// import would, and returns how many columns took it.
func storeHostile(t *testing.T, a *app, id, s string) (stored, refused int) {
	t.Helper()
	ctx := context.Background()
	insertTenant(t, a, id, "Hostile "+id)
	for _, c := range hostileColumns {
		key := "tenant_id"
		if c.table == "tenants" {
			key = "id"
		}
		// Each UPDATE is its own statement: a CHECK that refuses the value
		// leaves the column as it was (the database's last line held).
		if _, err := a.pool.Exec(ctx, fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE %s = $2`, c.table, c.column, key), s, id); err != nil {
			refused++
			continue
		}
		stored++
	}
	email := s
	if _, err := a.pool.Exec(ctx, `INSERT INTO organization_users (tenant_id, user_id, email, display_name, role, created_by)
		VALUES ($1, $2, $3, $4, 'admin', $4)`, id, uuid.NewString(), email, s); err != nil {
		refused++
		email = "member@" + id + ".example"
		if _, err := a.pool.Exec(ctx, `INSERT INTO organization_users (tenant_id, user_id, email, display_name, role, created_by)
			VALUES ($1, $2, $3, $4, 'admin', $4)`, id, uuid.NewString(), email, s); err != nil {
			t.Fatal(err)
		}
	}
	stored += 2
	if _, err := a.pool.Exec(ctx, `INSERT INTO tenant_prompts (tenant_id, name, body, updated_by) VALUES ($1, 'welcome', $2, $2)`, id, s); err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(ctx, `INSERT INTO audit_events (actor_id, actor_email, actor_role, tenant_id, action, before, after)
		VALUES ($1, $1, $1, $2, 'tenant.imported', jsonb_build_object('name', $1::text), jsonb_build_object($1::text, $1::text))`, s, id); err != nil {
		t.Fatal(err)
	}
	stored += 3
	return stored, refused
}

// hostileQuery sets the query parameters pages read (list state, form
// fields a preview echoes) to s.
func hostileQuery(s string) string {
	q := url.Values{}
	for _, name := range []string{"q", "status", "plan", "sort", "page", "per_page", "next", "tab", "name", "company_name",
		"support_email", "support_phone", "website", "timezone", "currency", "email_from_name", "email_from_email",
		"preset_theme", "logo_url", "color_primary", "color_secondary", "color_accent", "version", "reason"} {
		q.Set(name, s)
	}
	return q.Encode()
}

// injection is one way a page lets data act as markup.
type injection struct{ where, what string }

// dangerousSchemes are URL schemes that run code when followed or loaded.
var dangerousSchemes = []string{"javascript:", "vbscript:", "data:text/html"}

// urlAttributes hold addresses a browser follows, loads or requests.
var urlAttributes = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true,
	"poster": true, "data": true, "background": true, "srcset": true,
	"hx-get": true, "hx-post": true, "hx-put": true, "hx-patch": true, "hx-delete": true, "hx-push-url": true}

// injections parses page as a browser would and lists every place where
// data could run: a <script> that is not the console's own file, any on*
// handler, a javascript:/data: address, an element that loads or frames
// another document, inline style (the CSP forbids it, so the console has
// none), a meta refresh.
func injections(page string) []injection {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []injection{{"document", err.Error()}}
	}
	var out []injection
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			tag := n.Data
			switch tag {
			case "script":
				src := attr(n, "src")
				if !strings.HasPrefix(src, "/static/") || (n.FirstChild != nil && strings.TrimSpace(n.FirstChild.Data) != "") {
					out = append(out, injection{"<script>", renderNode(n)})
				}
			case "iframe", "frame", "object", "embed", "applet", "base", "style", "template", "noscript":
				out = append(out, injection{"<" + tag + ">", renderNode(n)})
			case "meta":
				if strings.EqualFold(attr(n, "http-equiv"), "refresh") {
					out = append(out, injection{"<meta refresh>", renderNode(n)})
				}
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					out = append(out, injection{"<" + tag + " " + key + ">", a.Val})
				case key == "style":
					out = append(out, injection{"<" + tag + " style>", a.Val})
				case urlAttributes[key] || strings.HasSuffix(key, ":href"):
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' || r == 0x7f {
							return -1 // browsers ignore these inside a scheme
						}
						return r
					}, a.Val))
					for _, scheme := range dangerousSchemes {
						if strings.HasPrefix(v, scheme) {
							out = append(out, injection{"<" + tag + " " + key + ">", a.Val})
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func renderNode(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	return clip(b.String())
}

// shownText is every text node and attribute value of page, decoded: what
// a person can read (or a script could find) after the browser parsed it.
func shownText(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte('\n')
		}
		for _, a := range n.Attr {
			b.WriteString(a.Val)
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

// The checker itself finds what it must, or the sweep could pass by
// seeing nothing.
func TestInjectionCheckerFindsInjections(t *testing.T) {
	t.Parallel()
	clean := `<html><head><script src="/static/js/console.js" defer></script></head><body>` +
		`<a href="/tenants/x">&lt;script&gt;alert(1)&lt;/script&gt;</a><img src="https://cdn.example/logo.png" alt="">` +
		`<svg viewBox="0 0 1 1"><rect class="fill-x" width="1" height="1"></rect></svg></body></html>`
	if got := injections(clean); len(got) != 0 {
		t.Fatalf("a clean page is flagged: %v", got)
	}
	for _, bad := range []string{
		`<td><script>alert(1)</script></td>`,
		`<td>"><svg onload=alert(1)></td>`,
		`<input value=""><img src=x onerror=alert(1)>">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" java&#09;script:alert(1)">x</a>`,
		`<img src="data:text/html,x">`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<meta http-equiv="refresh" content="0;url=https://evil.example">`,
		`<title></title><script>alert(1)</script><title></title>`,
	} {
		if got := injections("<html><body>" + bad + "</body></html>"); len(got) == 0 {
			t.Errorf("not flagged: %s", bad)
		}
	}
}

// TestSweepHostileStringsAreInertOnEveryPage stores each hostile string in
// every column of its own tenant that the database accepts, then reads every
// page that shows that tenant — the list (page and htmx fragment, whole and
// searched for the string), and every GET route of the router that takes a
// tenant id (page and fragment) — as a platform admin and as an owner who
// belongs to all of them (the tenant switcher shows their names). No page
// may let the data act as markup, and the tenant page must show it as text.
func TestSweepHostileStringsAreInertOnEveryPage(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, appOptions{limits: auth.Limits{PerEmail: 1000, PerIP: 1000, WindowSeconds: 60}})
	ids := make([]string, len(hostileStrings))
	memberships := map[string]tenant.MemberRole{}
	stored, refused := 0, 0
	for i, s := range hostileStrings {
		ids[i] = fmt.Sprintf("hostile-%02d", i)
		st, rf := storeHostile(t, a, ids[i], s)
		stored, refused = stored+st, refused+rf
		memberships[ids[i]] = tenant.MemberOwner
	}
	admin := a.signedInAdmin(t)
	ownerP := a.createPerson(t, "owner@hostile.example", "", memberships)
	owner := a.newBrowser(t)
	owner.signIn(ownerP)

	var getRoutes []string
	for _, r := range tenantRoutes(a.echo) {
		if r.Method == http.MethodGet {
			getRoutes = append(getRoutes, r.Path)
		}
	}
	pairs := 0
	look := func(b *browser, who, path string, fragment bool, want string) {
		t.Helper()
		var headers []string
		if fragment {
			headers = []string{"HX-Request", "true"}
		}
		res, body := b.get(path, headers...)
		what := fmt.Sprintf("%s: GET %s (fragment %v)", who, path, fragment)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d\n%s", what, res.StatusCode, clip(body))
			return
		}
		// A download (CSV) is not rendered by a browser: its cells are
		// checked for formula injection by the export tests instead.
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			return
		}
		for _, inj := range injections(body) {
			t.Errorf("%s: data acts as markup: %s %s", what, inj.where, inj.what)
		}
		if want != "" && !strings.Contains(shownText(body), want) {
			t.Errorf("%s: the page does not show %q as text", what, want)
		}
		pairs++
	}
	for i, s := range hostileStrings {
		t.Run(ids[i], func(t *testing.T) {
			var name string
			if err := a.pool.QueryRow(context.Background(), `SELECT name FROM tenants WHERE id = $1`, ids[i]).Scan(&name); err != nil {
				t.Fatal(err)
			}
			for _, fragment := range []bool{false, true} {
				look(admin, "admin", "/tenants?per_page=100", fragment, name)
				look(admin, "admin", "/tenants?per_page=100&q="+url.QueryEscape(s), fragment, "")
				look(owner, "owner", "/tenants?per_page=100", fragment, name)
				for _, p := range getRoutes {
					// The tenant page shows every stored field; other pages
					// (forms, previews) show what they show, inert.
					want := ""
					if p == "/tenants/:id" {
						want = s
					}
					path := fillPath(p, ids[i])
					look(admin, "admin", path, fragment, want)
					if !staffOnlyPages[p] {
						look(owner, "owner", path, fragment, want)
					}
					// The same string arriving in the query (a preview, a
					// stale link, a crafted URL) is as inert.
					look(admin, "admin", path+"?"+hostileQuery(s), fragment, "")
				}
			}
		})
	}
	t.Logf("hostile strings: %d strings stored in %d columns (%d refused by a CHECK); %d string × page renderings checked over %d tenant routes",
		len(hostileStrings), stored, refused, pairs, len(getRoutes))
	if slices.Contains(getRoutes, "/tenants/:id") == false {
		t.Fatal("the tenant page was not among the routes swept")
	}
}

// staffOnlyPages are tenant pages an owner is refused (routes_test.go
// checks that); the sweep renders them for the admin only.
var staffOnlyPages = map[string]bool{"/tenants/:id/lifecycle/:action": true}

// TestBrowserHostileNamesRunNoScript: in Chromium, tenants whose stored
// names, e-mails and member names are markup that would set a window
// variable run nothing on the list, a search swapped in by htmx, or the
// tenant page; the names show as text.
func TestBrowserHostileNamesRunNoScript(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.createPerson(t, "ada@console.example", tenant.RolePlatformAdmin, nil)
	payloads := []string{
		`<img src=x onerror="window.__xss=1">`,
		`<script>window.__xss=2</script>`,
		`"><svg onload="window.__xss=3">`,
		`</title><script>window.__xss=4</script>`,
	}
	for i, p := range payloads {
		storeHostile(t, a, fmt.Sprintf("xss-%d", i), p)
	}
	ctx := bt.New(t)
	bt.Do(t, ctx, "sign in", chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), admin.email),
		chromedp.SendKeys(chromedp.CSS("#password"), admin.password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#tenant-search")))
	noScriptRan := func(where string) {
		t.Helper()
		if v := bt.Eval[string](t, ctx, `String(window.__xss)`); v != "undefined" {
			t.Fatalf("%s: a stored payload ran (window.__xss = %s)", where, v)
		}
	}
	bt.Do(t, ctx, "the whole list", chromedp.Navigate(a.URL+"/tenants?per_page=100"), chromedp.WaitVisible(chromedp.CSS("#tenant-results")))
	bt.WaitTrue(t, ctx, "the hostile names as text", `document.querySelector("#tenant-row-xss-0").textContent.includes('<img src=x onerror="window.__xss=1">')`)
	noScriptRan("the list")

	bt.WaitTrue(t, ctx, "htmx to load", `typeof htmx !== "undefined"`)
	bt.Do(t, ctx, "search for a payload", chromedp.SendKeys(chromedp.CSS("#tenant-search"), `<svg onload`))
	bt.WaitTrue(t, ctx, "the search swapped in", `location.search.includes("q=") &&
		document.querySelectorAll("#tenant-results tbody tr").length === 1`)
	bt.WaitHTMXIdle(t, ctx)
	noScriptRan("the searched list")

	for i, p := range payloads {
		id := fmt.Sprintf("xss-%d", i)
		bt.Do(t, ctx, "the tenant page of "+id, chromedp.Navigate(a.URL+"/tenants/"+id), chromedp.WaitVisible(chromedp.CSS("h1")))
		if got := bt.Eval[string](t, ctx, `document.querySelector("h1").textContent.trim()`); got != p {
			t.Errorf("%s: the heading shows %q, want the stored name as text %q", id, got, p)
		}
		noScriptRan("the tenant page of " + id)
	}
}
