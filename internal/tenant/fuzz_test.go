package tenant_test

// Fuzz targets of what people type: the field rules, the list query and its
// keyset cursor, and the audit log query. `go test` runs their seeds (the
// f.Add calls and testdata/fuzz/FuzzXxx); `make fuzz` explores further.
//
// The properties: nothing panics; a rule's Clean is idempotent; what it
// accepts can be stored (valid UTF-8, no NUL) within its MaxRunes and has
// the rule's shape; what it refuses comes with a message for a person (no Go
// error text); and an accepted value renders through the pages that show it
// as text or an attribute value only — the same elements and attributes as
// an ordinary value, never a new element or event handler.

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
	"golang.org/x/net/html"

	"github.com/tenant-console/console/internal/tenant"
	"github.com/tenant-console/console/views/layout"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

var colorShape = regexp.MustCompile(`^#[0-9A-F]{6}$`)

// goErrorText is what leaks when an error's text reaches a message.
var goErrorText = []string{"strconv.", "invalid syntax", "parsing ", "runtime error", "%!", "<nil>", "panic", "regexp", "unexpected EOF", "net/url", "invalid character"}

func messageProblem(msg string) string {
	if strings.TrimSpace(msg) == "" {
		return "refused without a message"
	}
	for _, s := range goErrorText {
		if strings.Contains(msg, s) {
			return fmt.Sprintf("message %q holds Go error text %q", msg, s)
		}
	}
	return ""
}

func fieldSeeds(f *testing.F) {
	for i, raw := range []string{
		"", " ", "Africa Stay", "  Société  des\tVoyages  ", "e\u0301", "\u200b", "\u200bname\u200b", "a\x00b", "\xff",
		"a\u202eb", "<script>alert(1)</script>", `"><svg onload=alert(1)>`, "javascript:alert(1)", "'; DROP TABLE tenants; --",
		strings.Repeat("x", 300), "שלום עולם", "👩\u200d💻", "owner@africastay.com", "Owner@Example.COM", "a@b@c.d", "a b@c.d",
		"\"john doe\"@x.com", "name@exa\u200bmple.com", "https://example.com/logo.png", "HTTPS://Example.test/X", "http://example.com",
		"https://user:pw@example.com", "https://", "https:///x", "https://ex ample.com", "https://example.com/\"><script>",
		"https://example.com/a?b=c&d=<e>#f", "https://[::1]:8443/x", "#1e40af", "#1E40AF", " #abcdef ", "#12345", "#GGGGGG", "1E40AF",
		"red", "#1E40AF\"onmouseover=x", "tn_1f3a9c0b_k3xq", "africastay", "-bad", "Tn_X", "kruger-safaris", "a--b", "+27 21 555 0100",
		"123", "+1 (555) 010-0000 ext", "zar", "ZAR", "XXX", "Africa/Johannesburg", "africa/johannesburg", "Local", "UTC", "../../etc/passwd",
		"lite", "PRO", "Enterprise", "5,000", "5 000", "5_000", "-1", "1000000001", "99999999999999999999", "0x10", "٣", "owner", "platform_admin",
		"prompt.name", "${OPENAI_KEY}", "${}", "key-12345678", "%", "_", "\\", "'\"", "%_\\'", "default",
	} {
		f.Add(uint8(i), raw)
	}
}

// FuzzFieldClean checks every rule of tenant.Fields on any text.
func FuzzFieldClean(f *testing.F) {
	fieldSeeds(f)
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		field := tenant.Fields[int(which)%len(tenant.Fields)]
		v, msg := field.Clean(raw)
		if msg != "" {
			if v != "" {
				t.Errorf("%s: refused %q with %q but returned %q", field.Label, raw, msg, v)
			}
			if p := messageProblem(msg); p != "" {
				t.Errorf("%s(%q): %s", field.Label, raw, p)
			}
			return
		}
		checkAccepted(t, field, raw, v)
	})
}

func checkAccepted(t *testing.T, field tenant.Field, raw, v string) {
	t.Helper()
	if !tenant.Storable(v) {
		t.Fatalf("%s accepted %q as %q: not storable", field.Label, raw, v)
	}
	if field.MaxRunes > 0 && utf8.RuneCountInString(v) > field.MaxRunes {
		t.Errorf("%s accepted %q as %d runes (max %d)", field.Label, raw, utf8.RuneCountInString(v), field.MaxRunes)
	}
	if v2, msg := field.Clean(v); msg != "" || v2 != v {
		t.Errorf("%s: Clean(%q) = %q, but Clean of that = %q, %q (not idempotent)", field.Label, raw, v, v2, msg)
	}
	if v == "" {
		if !field.Optional {
			t.Errorf("%s (required) accepted %q as empty", field.Label, raw)
		}
		return
	}
	switch field.Label {
	case tenant.FieldColor.Label:
		if !colorShape.MatchString(v) {
			t.Errorf("colour %q accepted as %q, not #RRGGBB", raw, v)
		}
	case tenant.FieldHTTPSURL.Label:
		u, err := url.Parse(v)
		if !strings.HasPrefix(v, "https://") || err != nil || u.Host == "" || u.Hostname() == "" {
			t.Errorf("address %q accepted as %q: not https with a host (%v)", raw, v, err)
		}
	case tenant.FieldTenantID.Label:
		if !tenant.ValidID(v) || !strings.Contains(raw, v) {
			t.Errorf("tenant id %q accepted as %q", raw, v)
		}
	case tenant.FieldEmail.Label:
		if strings.Count(v, "@") != 1 || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' }) {
			t.Errorf("e-mail %q accepted as %q", raw, v)
		}
	case tenant.FieldQuota.Label:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000_000 || strconv.Itoa(n) != v {
			t.Errorf("quota %q accepted as %q", raw, v)
		}
	case tenant.FieldPlan.Label:
		if !tenant.Plan(v).Valid() {
			t.Errorf("plan %q accepted as %q", raw, v)
		}
	case tenant.FieldTimezone.Label:
		if _, err := time.LoadLocation(v); err != nil {
			t.Errorf("time zone %q accepted as %q, which does not load", raw, v)
		}
	}
}

// FuzzFieldRender renders an accepted value through the pages that show
// it: the tenant page, a list row and the branding preview.
func FuzzFieldRender(f *testing.F) {
	fieldSeeds(f)
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		field := tenant.Fields[int(which)%len(tenant.Fields)]
		v, msg := field.Clean(raw)
		if msg != "" {
			return
		}
		sample, ok := renderSamples[field.Label]
		if !ok {
			return // a rule no page shows (a password, a key)
		}
		if v == "" {
			sample = ""
		}
		// The preview warns about white text on a light primary colour:
		// compare a light colour with a light sample.
		if c, ok := tenant.ContrastOn(v); field.Label == tenant.FieldColor.Label && ok && c.White < tenant.WCAGAA {
			sample = "#FDE68A"
		}
		got := renderAll(t, field, v)
		want := renderAll(t, field, sample)
		for name := range got {
			g, w := shape(t, got[name]), shape(t, want[name])
			if g.tags != w.tags {
				t.Fatalf("%s %q (from %q) changed the elements of %s:\n got %s\nwant %s", field.Label, v, raw, name, g.tags, w.tags)
			}
			if g.foreign != "" {
				t.Fatalf("%s %q: %s: %s", field.Label, v, name, g.foreign)
			}
			if v != "" && shownOn[field.Label][name] && !g.holds(v) {
				t.Fatalf("%s %q does not appear as text or attribute value in %s", field.Label, v, name)
			}
		}
	})
}

// shownOn names the pages that show a rule's value as it is stored (a plan
// is shown by its label, a quota as a formatted number).
var shownOn = map[string]map[string]bool{
	tenant.FieldTenantName.Label: {"tenant page": true, "list": true},
	tenant.FieldShortName.Label:  {"tenant page": true, "list": true},
	tenant.FieldTenantID.Label:   {"tenant page": true, "list": true},
	tenant.FieldEmail.Label:      {"tenant page": true, "list": true},
	tenant.FieldHTTPSURL.Label:   {"tenant page": true, "preview": true},
	tenant.FieldColor.Label:      {"tenant page": true, "preview": true},
	tenant.FieldPhone.Label:      {"tenant page": true},
	tenant.FieldCurrency.Label:   {"tenant page": true},
	tenant.FieldTimezone.Label:   {"tenant page": true},
	tenant.FieldSenderName.Label: {"tenant page": true},
	tenant.FieldPersonName.Label: {"tenant page": true},
	tenant.FieldReason.Label:     {"tenant page": true},
	tenant.FieldPromptName.Label: {"tenant page": true},
	tenant.FieldSearch.Label:     {"list": true},
}

// renderSamples are ordinary accepted values of the rules pages show.
var renderSamples = map[string]string{
	tenant.FieldTenantName.Label: "Africa Stay",
	tenant.FieldShortName.Label:  "africa-stay",
	tenant.FieldTenantID.Label:   "tn_1f3a9c0b_k3xq",
	tenant.FieldEmail.Label:      "owner@africastay.com",
	tenant.FieldPhone.Label:      "+27 21 555 0100",
	tenant.FieldHTTPSURL.Label:   "https://africastay.com/logo.png",
	tenant.FieldCurrency.Label:   "ZAR",
	tenant.FieldTimezone.Label:   "Africa/Johannesburg",
	tenant.FieldColor.Label:      "#1E40AF",
	tenant.FieldTheme.Label:      "ocean",
	tenant.FieldSenderName.Label: "Africa Stay Bookings",
	tenant.FieldPersonName.Label: "Thandi Nkosi",
	tenant.FieldReason.Label:     "Unpaid invoices",
	tenant.FieldPlan.Label:       "pro",
	tenant.FieldQuota.Label:      "25",
	tenant.FieldSearch.Label:     "safari",
	tenant.FieldPromptName.Label: "default",
	tenant.FieldMemberRole.Label: "admin",
}

func init() {
	if th := tenant.Themes; len(th) > 0 {
		renderSamples[tenant.FieldTheme.Label] = th[0].ID
	}
}

// renderAll draws the tenant page, a list fragment and the branding
// preview of a tenant holding v in field.
func renderAll(t *testing.T, field tenant.Field, v string) map[string]string {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tn := tenant.Tenant{ID: "tn_1f3a9c0b_k3xq", Name: "Africa Stay", ShortName: "africa-stay", Status: tenant.StatusSuspended,
		Plan: tenant.PlanPro, Quotas: tenant.DefaultQuotas(tenant.PlanPro), CreatedAt: now, UpdatedAt: now, SuspendedAt: &now,
		SuspendedBy: "admin@console.example", SuspendedReason: "Unpaid invoices", Source: tenant.Source("console"), Version: 3}
	st := tenant.Settings{CompanyName: "Africa Stay", SupportEmail: "owner@africastay.com", SupportPhone: "+27 21 555 0100",
		Website: "https://africastay.com", Currency: "ZAR", Timezone: "Africa/Johannesburg", EmailFromName: "Africa Stay",
		EmailFromEmail: "quotes@africastay.com", UpdatedAt: now}
	br := tenant.Branding{PresetTheme: renderSamples[tenant.FieldTheme.Label], LogoURL: "https://africastay.com/logo.png",
		ColorPrimary: "#1E40AF", ColorSecondary: "#0F172A", ColorAccent: "#F59E0B", UpdatedAt: now}
	owner := tenant.Member{TenantID: tn.ID, UserID: "u1", Email: "owner@africastay.com", DisplayName: "Thandi Nkosi", Role: tenant.MemberRole("owner"), CreatedAt: now}
	prompt := tenant.Prompt{Name: "default", Body: "Be helpful.", UpdatedAt: now}
	q := tenant.ListQuery{}
	switch field.Label {
	case tenant.FieldTenantName.Label:
		tn.Name, st.CompanyName = v, v
	case tenant.FieldShortName.Label:
		tn.ShortName = v
	case tenant.FieldTenantID.Label:
		tn.ID, owner.TenantID = v, v
	case tenant.FieldEmail.Label:
		st.SupportEmail, st.EmailFromEmail, owner.Email, tn.SuspendedBy = v, v, v, v
	case tenant.FieldPhone.Label:
		st.SupportPhone = v
	case tenant.FieldHTTPSURL.Label:
		st.Website, br.LogoURL = v, v
	case tenant.FieldCurrency.Label:
		st.Currency = v
	case tenant.FieldTimezone.Label:
		st.Timezone = v
	case tenant.FieldColor.Label:
		br.ColorPrimary, br.ColorSecondary, br.ColorAccent = v, v, v
	case tenant.FieldTheme.Label:
		br.PresetTheme = v
	case tenant.FieldSenderName.Label:
		st.EmailFromName = v
	case tenant.FieldPersonName.Label:
		owner.DisplayName = v
	case tenant.FieldReason.Label:
		tn.SuspendedReason = v
	case tenant.FieldPlan.Label:
		tn.Plan = tenant.Plan(v)
	case tenant.FieldQuota.Label:
		n := tenant.FieldQuota.Int(v)
		tn.Quotas = tenant.Quotas{MaxUsers: n, MaxMonthlyQuotes: n, MaxStorageGB: n}
	case tenant.FieldSearch.Label:
		q.Search = v
	case tenant.FieldPromptName.Label:
		prompt.Name = v
	case tenant.FieldMemberRole.Label:
		owner.Role = tenant.MemberRole(v)
	}
	chrome := layout.Chrome{Title: "Tenant", CSRFToken: "csrf-token", Nav: "tenants"}
	detail := tenant.Detail{Tenant: tn, Settings: &st, Branding: &br, Owners: []tenant.Member{owner}, Prompts: []tenant.Prompt{prompt}}
	item := tenant.ListItem{ID: tn.ID, Name: tn.Name, ShortName: tn.ShortName, Status: tn.Status, Plan: tn.Plan,
		SupportEmail: st.SupportEmail, CreatedAt: now, Source: tn.Source, Version: tn.Version}
	q = q.Normalize()
	res := tenant.ListResult{Query: q, Items: []tenant.ListItem{item}, Total: 1,
		Counts: map[tenant.Status]int{tenant.StatusSuspended: 1}}
	admin := tenant.Actor{UserID: "admin", Email: "admin@console.example", Staff: tenant.RolePlatformAdmin}
	preview := tenant.PreviewOf(tn.Name, tenant.BrandingInputOf(&br), &br)
	out := map[string]string{}
	for name, c := range map[string]templ.Component{
		"tenant page": tenantviews.ShowPage(tenantviews.ShowProps{Chrome: chrome, Detail: detail, IsStaff: true, CanSeeAudit: true}),
		"list":        tenantviews.ListFragment(tenantviews.ListProps{Chrome: chrome, Result: res, CanOnboard: true, Viewer: admin}),
		"preview":     tenantviews.BrandingPreview(preview, false),
	} {
		var b bytes.Buffer
		if err := c.Render(context.Background(), &b); err != nil {
			t.Fatalf("%s %q: %s does not render: %v", field.Label, v, name, err)
		}
		out[name] = b.String()
	}
	return out
}

// rendered is what a page's HTML holds, as the browser's parser reads it.
type rendered struct {
	tags    string   // every element and its attribute names, in order
	values  []string // text and attribute values
	foreign string   // an event handler or javascript: address, when any
}

func (r rendered) holds(v string) bool {
	for _, s := range r.values {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

func shape(t *testing.T, page string) rendered {
	t.Helper()
	var r rendered
	var tags strings.Builder
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			r.tags = tags.String()
			return r
		case html.TextToken:
			r.values = append(r.values, string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			if tt == html.EndTagToken {
				tags.WriteString("</" + tok.Data + ">")
				continue
			}
			tags.WriteString("<" + tok.Data)
			for _, a := range tok.Attr {
				tags.WriteString(" " + a.Key)
				r.values = append(r.values, a.Val)
				if strings.HasPrefix(a.Key, "on") {
					r.foreign = "event handler attribute " + a.Key
				}
				if (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					r.foreign = "javascript: address in " + a.Key
				}
				if strings.Contains(a.Val, "TemplFailedSanitizationURL") {
					r.foreign = "an address templ refused to render: " + a.Val
				}
			}
			tags.WriteString(">")
		}
	}
}

// FuzzListQuery normalises any list URL state and renders the list with it.
func FuzzListQuery(f *testing.F) {
	good := tenant.EncodeCursor(tenant.SortName, tenant.Cursor{Key: "africa stay", ID: "tn_1f3a9c0b_k3xq"})
	goodC := tenant.EncodeCursor(tenant.SortCreated, tenant.Cursor{Key: "1767225600000000", ID: "africastay"})
	for _, s := range [][4]string{
		{"", "", "", ""}, {"safari", "active", "pro", "-created"}, {"%_\\'\"", "deleted", "gold", "name"},
		{"a\x00b", "SUSPENDED", "", "created"}, {"\xff\xfe", "", "", ""}, {strings.Repeat("é", 150), "", "", "-name"},
		{"<script>", "active\"", "lite<", "name;drop"}, {"\u200b", "", "", ""}, {"  two  words ", "suspended", "enterprise", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], 2, 50, good, goodC)
		f.Add(s[0], s[1], s[2], s[3], -1, 7, "bad", good)
	}
	f.Add("x", "", "", "", 9, 100, "", goodC)
	f.Fuzz(func(t *testing.T, search, status, plan, sort string, page, perPage int, after, before string) {
		q := tenant.ListQuery{Search: search, Status: tenant.Status(status), Plan: tenant.Plan(plan), Sort: sort,
			Page: page, PerPage: perPage, After: after, Before: before}.Normalize()
		if q2 := q.Normalize(); q2 != q {
			t.Fatalf("Normalize is not idempotent:\n%+v\n%+v", q, q2)
		}
		if !tenant.Storable(q.Search) || utf8.RuneCountInString(q.Search) > 100 {
			t.Fatalf("search %q normalised to %q", search, q.Search)
		}
		if q.SearchProblem != "" {
			if p := messageProblem(q.SearchProblem); p != "" {
				t.Fatal(p)
			}
		}
		if q.Status != "" && !q.Status.Valid() || q.Plan != "" && !q.Plan.Valid() || q.Page < 1 || q.Offset() < 0 {
			t.Fatalf("normalised to an invalid state %+v", q)
		}
		if q.After != "" && q.Before != "" {
			t.Fatalf("both cursors kept: %+v", q)
		}
		for _, c := range []string{q.After, q.Before} {
			if c == "" {
				continue
			}
			if _, ok := tenant.DecodeCursor(c, q.Sort); !ok {
				t.Fatalf("kept a cursor %q that does not decode for %q", c, q.Sort)
			}
		}
		// The address the list pushes reads back as the same state.
		u, err := url.Parse(tenantviews.ListURL(q))
		if err != nil {
			t.Fatalf("ListURL(%+v): %v", q, err)
		}
		v := u.Query()
		pg, _ := strconv.Atoi(v.Get("page"))
		pp, _ := strconv.Atoi(v.Get("per_page"))
		back := tenant.ListQuery{Search: v.Get("q"), Status: tenant.Status(v.Get("status")), Plan: tenant.Plan(v.Get("plan")),
			Sort: v.Get("sort"), Page: pg, PerPage: pp, After: v.Get("after"), Before: v.Get("before")}.Normalize()
		if q.SearchProblem == "" && q.Page > 1 && back != q || q.SearchProblem == "" && q.Page == 1 && (back.Search != q.Search || back.Sort != q.Sort || back.Status != q.Status || back.Plan != q.Plan || back.PerPage != q.PerPage) {
			t.Fatalf("ListURL does not read back:\n%+v\n%+v", q, back)
		}
		res := tenant.ListResult{Query: q, Counts: map[tenant.Status]int{}, HasNext: true,
			NextAfter: tenant.EncodeCursor(q.Sort, tenant.Cursor{Key: "1", ID: "a1"})}
		var b bytes.Buffer
		props := tenantviews.ListProps{Chrome: layout.Chrome{Title: "Tenants", CSRFToken: "t", Nav: "tenants"}, Result: res, CanOnboard: true}
		if err := tenantviews.ListPage(props).Render(context.Background(), &b); err != nil {
			t.Fatalf("list page for %+v: %v", q, err)
		}
		r := shape(t, b.String())
		if r.foreign != "" {
			t.Fatalf("list page for %+v: %s", q, r.foreign)
		}
		if q.Search != "" && !r.holds(q.Search) {
			t.Fatalf("search %q is not shown", q.Search)
		}
	})
}

// FuzzCursor decodes any string as a cursor of every sort.
func FuzzCursor(f *testing.F) {
	for _, c := range []tenant.Cursor{{Key: "africa stay", ID: "tn_1f3a9c0b_k3xq"}, {Key: "", ID: "a"}, {Key: "1767225600000000", ID: "africastay"},
		{Key: "-5", ID: "x-y_z"}, {Key: "é\u200b<", ID: "a"}} {
		for _, s := range []string{tenant.SortName, tenant.SortCreated} {
			f.Add(tenant.EncodeCursor(s, c), c.Key, c.ID)
		}
	}
	f.Add("bgB4", "a\x00b", "A")
	f.Add("////", "\xff", "tn_1f3a9c0b_k3xq")
	f.Add(strings.Repeat("A", 601), "k", "")
	f.Fuzz(func(t *testing.T, s, key, id string) {
		for _, sort := range []string{tenant.SortName, tenant.SortNameDesc, tenant.SortCreated, tenant.SortCreatedDesc, "nonsense"} {
			c, ok := tenant.DecodeCursor(s, sort)
			if !ok {
				if c != (tenant.Cursor{}) {
					t.Fatalf("refused cursor %q returned %+v", s, c)
				}
			} else {
				if !tenant.Storable(c.Key) || !tenant.Storable(c.ID) || !tenant.ValidID(c.ID) {
					t.Fatalf("cursor %q (%s) decoded to %+v", s, sort, c)
				}
				if sort == tenant.SortCreated || sort == tenant.SortCreatedDesc {
					if _, err := strconv.ParseInt(c.Key, 10, 64); err != nil {
						t.Fatalf("created cursor %q has key %q", s, c.Key)
					}
				}
				if c2, ok := tenant.DecodeCursor(tenant.EncodeCursor(sort, c), sort); !ok || c2 != c {
					t.Fatalf("cursor %+v does not survive encoding: %+v %v", c, c2, ok)
				}
			}
			// What the list makes from a row decodes back to that row.
			in := tenant.Cursor{Key: key, ID: id}
			enc := tenant.EncodeCursor(sort, in)
			got, ok := tenant.DecodeCursor(enc, sort)
			wantOK := tenant.ValidID(id) && utf8.ValidString(key) && !strings.Contains(key, "\x00") && len(enc) <= 600
			if wantOK && (sort == tenant.SortCreated || sort == tenant.SortCreatedDesc) {
				_, err := strconv.ParseInt(key, 10, 64)
				wantOK = err == nil
			}
			if wantOK && (!ok || got != in) {
				t.Fatalf("row cursor %+v (%s) decodes to %+v, %v", in, sort, got, ok)
			}
		}
	})
}

// FuzzAuditQuery normalises any audit log URL state and renders its page.
func FuzzAuditQuery(f *testing.F) {
	cur := tenant.AuditCursor{At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ID: 42}.String()
	f.Add("Admin@Console.example ", "tenant.suspended", "tn_1f3a9c0b_k3xq", "2026-01-01", "2026-01-31", cur, 50)
	f.Add("a\x00b", "tenant.<script>", "../x", "2026-02-30", "yesterday", "bad!", -1)
	f.Add("\xff", ".x", " africastay ", "0000-01-01", "9999-12-31", "MS4x", 9999)
	f.Add(strings.Repeat("a", 400), "tenant.suspended\n", "TN", "2026-1-1", "", "LTEuLTE", 501)
	f.Add("<svg onload=alert(1)>", "a.b", "", "2026-03-29", "2026-03-28", "OTIyMzM3MjAzNjg1NDc3NTgwNy45", 1)
	f.Fuzz(func(t *testing.T, actor, action, tenantID, from, to, after string, limit int) {
		for _, loc := range []*time.Location{time.UTC, mustLoad(t, "Africa/Johannesburg"), mustLoad(t, "America/Santiago")} {
			q := tenant.AuditQuery{Actor: actor, Action: action, TenantID: tenantID, From: from, To: to, After: after, Limit: limit}.Normalize(loc)
			q2 := q.Normalize(loc)
			if fmt.Sprint(q2) != fmt.Sprint(q) {
				t.Fatalf("Normalize is not idempotent:\n%+v\n%+v", q, q2)
			}
			if !tenant.Storable(q.Actor) || !tenant.Storable(q.Action) || q.TenantID != "" && !tenant.ValidID(q.TenantID) {
				t.Fatalf("normalised to unstorable filters %+v", q)
			}
			if q.Limit < 1 || q.Limit > 500 {
				t.Fatalf("limit %d", q.Limit)
			}
			if q.From != "" && q.FromTime.IsZero() || q.To != "" && q.ToTime.IsZero() {
				t.Fatalf("kept a date without its time: %+v", q)
			}
			if q.Cursor != nil {
				if q.Cursor.ID < 0 {
					t.Fatalf("cursor %q has id %d", after, q.Cursor.ID)
				}
				if c, ok := tenant.ParseAuditCursor(q.Cursor.String()); !ok || !c.At.Equal(q.Cursor.At) || c.ID != q.Cursor.ID {
					t.Fatalf("cursor %+v does not survive encoding", *q.Cursor)
				}
			}
			page := tenant.AuditPage{Query: q, Next: cur}
			var b bytes.Buffer
			props := tenantviews.AuditProps{Chrome: layout.Chrome{Title: "Audit log", CSRFToken: "t", Nav: "audit"}, Page: page, Base: "/audit", Location: loc}
			if err := tenantviews.AuditLogPage(props).Render(context.Background(), &b); err != nil {
				t.Fatalf("audit page for %+v: %v", q, err)
			}
			if r := shape(t, b.String()); r.foreign != "" {
				t.Fatalf("audit page for %+v: %s", q, r.foreign)
			}
			u, err := url.Parse(tenantviews.AuditURL("/audit", q, q.After))
			if err != nil {
				t.Fatalf("AuditURL: %v", err)
			}
			v := u.Query()
			back := tenant.AuditQuery{Actor: v.Get("actor"), Action: v.Get("action"), TenantID: v.Get("tenant"), From: v.Get("from"),
				To: v.Get("to"), After: v.Get("after"), Limit: q.Limit}.Normalize(loc)
			if fmt.Sprint(back) != fmt.Sprint(q) {
				t.Fatalf("AuditURL does not read back:\n%+v\n%+v", q, back)
			}
		}
	})
}

func mustLoad(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
