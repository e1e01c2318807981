package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/tenant"
)

// conflictView is the page a stale form gets, as a person sees it.
type conflictView struct {
	form url.Values // what saving the page as shown sends
	rows map[string]conflictRow
	asks bool // the page says some fields need a choice
}

type conflictRow struct {
	resolution    string
	theirs, yours map[string]string // the radios' attributes
}

var (
	inputTag       = regexp.MustCompile(`<input\b[^>]*>`)
	tagAttr        = regexp.MustCompile(`([a-zA-Z_:-]+)(?:="([^"]*)")?`)
	conflictRowTag = regexp.MustCompile(`<tr data-field="([a-z_]+)" data-resolution="([a-z]+)"`)
)

func attrsOf(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range tagAttr.FindAllStringSubmatch(strings.TrimSuffix(strings.TrimPrefix(tag, "<input"), ">"), -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

func conflictOf(t *testing.T, body string) conflictView {
	t.Helper()
	start := strings.Index(body, `<form id="conflict-form"`)
	if start < 0 {
		t.Fatalf("no conflict form:\n%s", clip(body))
	}
	end := strings.Index(body[start:], "</form>")
	form := body[start : start+end]
	v := conflictView{form: url.Values{}, rows: map[string]conflictRow{}, asks: strings.Contains(body, `id="conflict-asks"`)}
	for _, m := range conflictRowTag.FindAllStringSubmatch(form, -1) {
		v.rows[m[1]] = conflictRow{resolution: m[2]}
	}
	for _, tag := range inputTag.FindAllString(form, -1) {
		a := attrsOf(tag)
		switch a["type"] {
		case "hidden":
			v.form.Set(a["name"], a["value"])
		case "radio":
			r := v.rows[a["name"]]
			if strings.HasSuffix(a["id"], "-theirs") {
				r.theirs = a
			} else {
				r.yours = a
			}
			v.rows[a["name"]] = r
			if _, checked := a["checked"]; checked {
				v.form.Set(a["name"], a["value"])
			}
		}
	}
	return v
}

// wantChosen checks the page keeps side ("theirs" or "yours") for key,
// chosen already, holding value.
func (v conflictView) wantChosen(t *testing.T, key, side, value string) {
	t.Helper()
	r, ok := v.rows[key]
	if !ok {
		t.Errorf("%s is not on the page", key)
		return
	}
	chosen, other := r.theirs, r.yours
	if side == "yours" {
		chosen, other = r.yours, r.theirs
	}
	if _, ok := chosen["checked"]; !ok || chosen["value"] != value || r.resolution != side {
		t.Errorf("%s: want %s (%q) chosen; resolution %s, %s radio %v", key, side, value, r.resolution, side, chosen)
	}
	if _, ok := other["checked"]; ok {
		t.Errorf("%s: both values chosen", key)
	}
}

// wantAsked checks the page asks for key between theirs and yours, with
// neither chosen and a choice required.
func (v conflictView) wantAsked(t *testing.T, key, theirs, yours string) {
	t.Helper()
	r, ok := v.rows[key]
	if !ok {
		t.Errorf("%s is not on the page", key)
		return
	}
	if r.resolution != "ask" || r.theirs["value"] != theirs || r.yours["value"] != yours {
		t.Errorf("%s: resolution %s, theirs %q, yours %q; want ask between %q and %q", key, r.resolution, r.theirs["value"], r.yours["value"], theirs, yours)
	}
	for _, radio := range []map[string]string{r.theirs, r.yours} {
		if _, checked := radio["checked"]; checked {
			t.Errorf("%s: %s is chosen for the person", key, radio["id"])
		}
		if _, required := radio["required"]; !required {
			t.Errorf("%s: %s does not require a choice", key, radio["id"])
		}
	}
	if !v.asks {
		t.Error("the page does not say a choice is needed")
	}
}

func settingsRow(t *testing.T, a *app, id string) map[string]string {
	t.Helper()
	v := savedSettings(t, a, id)
	out := map[string]string{}
	for _, k := range append(tenant.SettingsFields, "version") {
		out[k] = v.Get(k)
	}
	return out
}

// A saves the support phone; B, from the same version, the name and the
// website: B's page keeps A's phone and B's name and website, and saving it
// as shown stores all three.
func TestStaleSettingsMergeKeepsTheOtherPersonsChange(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	personA, personB := a.signedInAs(t, e.owner), a.signedInAs(t, e.admin)
	_, pageA := personA.get("/tenants/" + tenantA + "/settings")
	personB.get("/tenants/" + tenantA + "/settings")
	read := savedSettings(t, a, tenantA)
	if !strings.Contains(pageA, `name="orig_support_phone" value="`+html.EscapeString(read.Get("support_phone"))+`"`) {
		t.Fatal("the settings form does not carry the values it was read with")
	}

	res, _ := personA.post("/tenants/"+tenantA+"/settings", with(read, "support_phone", "+27 21 555 0199"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("A's save: %d", res.StatusCode)
	}
	afterA := settingsRow(t, a, tenantA)
	res, body := personB.post("/tenants/"+tenantA+"/settings", with(read,
		"company_name", "Africa Stay Holdings", "website", "https://holdings.africastay.example"))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("B's stale save: %d, want 409\n%s", res.StatusCode, clip(body))
	}
	page := conflictOf(t, body)
	page.wantChosen(t, "support_phone", "theirs", afterA["support_phone"])
	page.wantChosen(t, "company_name", "yours", "Africa Stay Holdings")
	page.wantChosen(t, "website", "yours", "https://holdings.africastay.example")
	if page.asks || len(page.rows) != 3 {
		t.Errorf("nothing needs a choice, yet the page asks (%v) or shows %d rows", page.asks, len(page.rows))
	}
	if got := settingsRow(t, a, tenantA); got["company_name"] != afterA["company_name"] {
		t.Fatal("the stale form was written before B confirmed")
	}

	res, body = personB.post("/tenants/"+tenantA+"/settings", page.form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the page as shown: %d\n%s", res.StatusCode, clip(body))
	}
	got := settingsRow(t, a, tenantA)
	if got["support_phone"] != afterA["support_phone"] || got["company_name"] != "Africa Stay Holdings" ||
		got["website"] != "https://holdings.africastay.example" || got["version"] != "3" {
		t.Fatalf("stored after the merge: %v", got)
	}
	ev := auditOf(t, a, tenantA, tenant.ActionSettingsUpdated)
	if len(ev) != 2 {
		t.Fatalf("%d audit events, want 2", len(ev))
	}
	if _, reverted := ev[1].after["support_phone"]; reverted || len(ev[1].after) != 2 ||
		ev[1].after["company_name"] != "Africa Stay Holdings" || ev[1].before["company_name"] != read.Get("company_name") {
		t.Fatalf("B's audit event: before %v after %v", ev[1].before, ev[1].after)
	}
	if _, body := personB.follow(res); !strings.Contains(body, "Settings saved: Company name, Website.") {
		t.Errorf("the notice after the merge:\n%s", clip(body))
	}
}

// The same on the branding: A's accent colour survives B's primary colour.
func TestStaleBrandingMergeKeepsTheOtherPersonsChange(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	personA, personB := a.signedInAs(t, e.owner), a.signedInAs(t, e.admin)
	personA.get("/tenants/" + tenantA + "/branding")
	personB.get("/tenants/" + tenantA + "/branding")
	read := savedBranding(t, a, tenantA)

	if res, _ := personA.post("/tenants/"+tenantA+"/branding", with(read, "color_accent", "#0ea5e9")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("A's save: %d", res.StatusCode)
	}
	res, body := personB.post("/tenants/"+tenantA+"/branding", with(read, "color_primary", "#0F766E"))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("B's stale save: %d, want 409", res.StatusCode)
	}
	page := conflictOf(t, body)
	page.wantChosen(t, "color_accent", "theirs", "#0EA5E9")
	page.wantChosen(t, "color_primary", "yours", "#0F766E")
	assertInert(t, "branding conflict page", body)

	if res, body := personB.post("/tenants/"+tenantA+"/branding", page.form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the page as shown: %d\n%s", res.StatusCode, clip(body))
	}
	got := savedBranding(t, a, tenantA)
	if got.Get("color_accent") != "#0EA5E9" || got.Get("color_primary") != "#0F766E" || got.Get("color_secondary") != read.Get("color_secondary") {
		t.Fatalf("stored after the merge: %v", got)
	}
	ev := auditOf(t, a, tenantA, tenant.ActionBrandingUpdated)
	if len(ev) != 2 || len(ev[1].after) != 1 || ev[1].after["color_primary"] != "#0F766E" {
		t.Fatalf("audit: %+v", ev)
	}

	// Values "read with" that fail their rule count as unknown, and never
	// reach the page.
	hostile := with(read, "orig_color_accent", "red;background:url(https://evil.example/x)", "orig_logo_url", "javascript:alert(1)")
	res, body = personB.post("/tenants/"+tenantA+"/branding", hostile)
	if res.StatusCode != http.StatusConflict || strings.Contains(body, "evil.example") || strings.Contains(body, "javascript:") {
		t.Fatalf("hostile originals: %d", res.StatusCode)
	}
	assertInert(t, "branding conflict page with hostile originals", body)
	conflictOf(t, body).wantAsked(t, "color_accent", "#0EA5E9", read.Get("color_accent"))
}

// Both change the phone differently: the page asks, chooses for no one, and
// will not save until a value is chosen; the chosen one is stored.
func TestStaleFormAsksWhenBothChangedAField(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	personA, personB := a.signedInAs(t, e.owner), a.signedInAs(t, e.admin)
	personA.get("/tenants/" + tenantA + "/settings")
	personB.get("/tenants/" + tenantA + "/settings")
	read := savedSettings(t, a, tenantA)

	if res, _ := personA.post("/tenants/"+tenantA+"/settings", with(read, "support_phone", "+27 21 555 0111")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("A's save: %d", res.StatusCode)
	}
	phoneA := settingsRow(t, a, tenantA)["support_phone"]
	// B changes the phone too, and (to the same value as A) nothing else.
	res, body := personB.post("/tenants/"+tenantA+"/settings", with(read, "support_phone", "+27 21 555 0222", "timezone", read.Get("timezone")))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("B's stale save: %d, want 409", res.StatusCode)
	}
	page := conflictOf(t, body)
	page.wantAsked(t, "support_phone", phoneA, "+27 21 555 0222")
	if len(page.rows) != 1 {
		t.Errorf("%d rows, want only the phone", len(page.rows))
	}
	if !strings.Contains(body, "You both changed one field") || !strings.Contains(body, `data-original`) {
		t.Errorf("the page does not explain the choice:\n%s", clip(body))
	}

	// Sent as shown (a browser would not let it): refused, nothing written.
	res, body = personB.post("/tenants/"+tenantA+"/settings", page.form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose which value to keep") {
		t.Fatalf("an unchosen field: %d, want 422 with a message\n%s", res.StatusCode, clip(body))
	}
	if got := settingsRow(t, a, tenantA); got["support_phone"] != phoneA || got["version"] != "2" {
		t.Fatalf("an unchosen field changed the row: %v", got)
	}

	res, body = personB.post("/tenants/"+tenantA+"/settings", with(page.form, "support_phone", page.rows["support_phone"].yours["value"]))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the choice: %d\n%s", res.StatusCode, clip(body))
	}
	if got := settingsRow(t, a, tenantA); got["support_phone"] != "+27 21 555 0222" || got["version"] != "3" {
		t.Fatalf("the chosen phone is not stored: %v", got)
	}
	if ev := auditOf(t, a, tenantA, tenant.ActionSettingsUpdated); len(ev) != 2 || ev[1].before["support_phone"] != phoneA {
		t.Fatalf("audit: %+v", ev)
	}
}

// A form without the values it was read with (an old page still open)
// cannot tell whose change a difference is: every difference is asked.
func TestStaleFormWithoutOriginalsAsksEveryDifference(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	e := newEditors(t, a)
	personA, personB := a.signedInAs(t, e.owner), a.signedInAs(t, e.admin)
	personA.get("/tenants/" + tenantA + "/settings")
	personB.get("/tenants/" + tenantA + "/settings")
	read := savedSettings(t, a, tenantA)
	if res, _ := personA.post("/tenants/"+tenantA+"/settings", with(read, "support_phone", "+27 21 555 0199")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("A's save: %d", res.StatusCode)
	}
	phoneA := settingsRow(t, a, tenantA)["support_phone"]
	res, body := personB.post("/tenants/"+tenantA+"/settings", withoutOriginals(with(read, "company_name", "Africa Stay Holdings")))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("old stale form: %d, want 409", res.StatusCode)
	}
	page := conflictOf(t, body)
	page.wantAsked(t, "support_phone", phoneA, read.Get("support_phone"))
	page.wantAsked(t, "company_name", read.Get("company_name"), "Africa Stay Holdings")
	// The page it answers with carries them, so the next save merges.
	if page.form.Get("orig_support_phone") != phoneA {
		t.Errorf("the conflict form's orig_support_phone is %q, want what is saved now", page.form.Get("orig_support_phone"))
	}
}
