package legacy

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

const (
	sampleDir = "testdata/legacy-clients"
	messyDir  = "testdata/messy-clients"
)

func readTree(t *testing.T, dir string) Tree {
	t.Helper()
	tr, err := ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func result(t *testing.T, tr Tree, folder string) Result {
	t.Helper()
	r, ok := tr.Result(folder)
	if !ok {
		t.Fatalf("no result for folder %s", folder)
	}
	return r
}

func imported(t *testing.T, tr Tree, folder string) (*Client, Result) {
	t.Helper()
	r := result(t, tr, folder)
	if r.Skipped() {
		t.Fatalf("%s was skipped: %v", folder, r.Reasons)
	}
	return r.Client, r
}

func kinds(issues []Issue) []Kind {
	var out []Kind
	for _, i := range issues {
		out = append(out, i.Kind)
	}
	return out
}

func issueOf(t *testing.T, issues []Issue, k Kind) Issue {
	t.Helper()
	for _, i := range issues {
		if i.Kind == k {
			return i
		}
	}
	t.Fatalf("no %s issue in %v", k, issues)
	return Issue{}
}

func TestSampleTreeImportsFiftyAndReportsTwo(t *testing.T) {
	t.Parallel()
	tr := readTree(t, sampleDir)
	if len(tr.Results) != 52 {
		t.Fatalf("%d results, want one per folder (52)", len(tr.Results))
	}
	if !slices.IsSortedFunc(tr.Results, func(a, b Result) int { return strings.Compare(a.Folder, b.Folder) }) {
		t.Error("results are not sorted by folder")
	}
	if got := len(tr.Imported()); got != 50 {
		t.Errorf("%d imported, want 50", got)
	}
	var skipped []string
	for _, r := range tr.Skipped() {
		skipped = append(skipped, r.Folder)
	}
	if want := []string{"tn_313a21de_xqsi", "tn_f0eaec1b_dpi5"}; !slices.Equal(skipped, want) {
		t.Fatalf("skipped %v, want %v", skipped, want)
	}

	tab := result(t, tr, "tn_f0eaec1b_dpi5")
	reason := issueOf(t, tab.Reasons, SkipSyntax)
	if reason.File != "tn_f0eaec1b_dpi5/client.yaml" || reason.Line != 6 || !strings.Contains(reason.Message, "tab") {
		t.Errorf("tab file reported as %q", reason)
	}
	if !strings.HasPrefix(reason.String(), "tn_f0eaec1b_dpi5/client.yaml:6: ") {
		t.Errorf("report line %q does not start with file:line", reason)
	}

	none := result(t, tr, "tn_313a21de_xqsi")
	reason = issueOf(t, none.Reasons, SkipNoClientFile)
	if reason.File != "tn_313a21de_xqsi" || !strings.Contains(reason.Message, "no client.yaml") {
		t.Errorf("missing client.yaml reported as %q", reason)
	}

	for _, r := range tr.Imported() {
		if len(r.Reasons) > 0 {
			t.Errorf("%s is imported but has reasons %v", r.Folder, r.Reasons)
		}
		if err := r.Client.Validate(); err != nil {
			t.Errorf("%s: imported client breaks the rules: %v", r.Folder, err)
		}
		if r.Client.ID != r.Folder || r.ID != r.Folder {
			t.Errorf("%s: id %q", r.Folder, r.Client.ID)
		}
	}
}

func TestAfricastayEveryField(t *testing.T) {
	t.Parallel()
	c, r := imported(t, readTree(t, sampleDir), "africastay")
	want := Client{
		ID: "africastay", Name: "Africa Stay", ShortName: "africastay",
		Settings: tenant.Settings{
			CompanyName: "Africa Stay (Pty) Ltd", SupportEmail: "support@africastay.com", SupportPhone: "+27 13 833 7686",
			Website: "https://www.africastay.com", Currency: "ZAR", Timezone: "Africa/Johannesburg",
			EmailFromName: "Africa Stay", EmailFromEmail: "quotes@africastay.com",
		},
		Branding: tenant.Branding{
			PresetTheme: "safari_gold", LogoURL: "https://cdn.addogetaways.com/logo.png",
			ColorPrimary: "#C35D7D", ColorSecondary: "#AC0303", ColorAccent: "#79F74D",
		},
		Prompts: []tenant.Prompt{{Name: "inbound", Body: "You are the travel assistant for Africa Stay.\n" +
			"Answer inbound enquiries in a friendly tone, quote prices in ZAR,\n" +
			"and always offer to connect the customer with support@africastay.com.\n"}},
	}
	got := *c
	got.Secrets, got.Lines, got.Extra = nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("africastay:\n got %+v\nwant %+v", got, want)
	}

	wantSecrets := map[string]string{
		secrets.NameSupabaseURL:        "https://hgyggsquvh8rtzzd.supabase.co",
		secrets.NameSupabaseAnonKey:    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImhneWdnc3F1dmg4cnR6emQiLCJyb2xlIjoiYW5vbiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ.umDTbqrxd3g6fjkannJqi91rON8_XbY3h2EV6E_kyQ8",
		secrets.NameSupabaseServiceKey: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImhneWdnc3F1dmg4cnR6emQiLCJyb2xlIjoic2VydmljZV9yb2xlIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjIwMDAwMDAwMDB9.iDcZbAK-BryObZiqkzTL8kCz0W18-DfsbFo-Kc3T1Gw",
		secrets.NameSendgridAPIKey:     "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",
	}
	wantLines := map[string]int{secrets.NameSupabaseURL: 24, secrets.NameSupabaseAnonKey: 25, secrets.NameSupabaseServiceKey: 26, secrets.NameSendgridAPIKey: 28}
	if len(c.Secrets) != 4 {
		t.Fatalf("%d secrets, want 4", len(c.Secrets))
	}
	for i, s := range c.Secrets {
		if s.Name != secrets.Names[i] {
			t.Errorf("secret %d is %s, want %s (secrets.Names order)", i, s.Name, secrets.Names[i])
		}
		if s.IsEnvRef() || s.Value.Reveal() != wantSecrets[s.Name] || s.Line != wantLines[s.Name] {
			t.Errorf("secret %s: env ref %q, line %d, value matches: %v", s.Name, s.EnvRef, s.Line, s.Value.Reveal() == wantSecrets[s.Name])
		}
	}
	if plain := c.PlainTextSecrets(); !slices.Equal(plain, secrets.Names) {
		t.Errorf("plain-text secrets %v", plain)
	}

	wantFieldLines := map[string]int{
		"client.id": 3, "client.name": 4, "client.short_name": 5, "client.currency": 6, "client.timezone": 7,
		"client.support_phone": 8, "client.website": 9, "branding.company_name": 11, "branding.theme_id": 12,
		"branding.logo_url": 13, "branding.primary_color": 14, "branding.secondary_color": 15, "branding.accent_color": 16,
		"email.primary": 18, "email.sendgrid.from_name": 20, "email.sendgrid.from_email": 21,
		"infrastructure.supabase.url": 24, "infrastructure.supabase.anon_key": 25,
		"infrastructure.supabase.service_key": 26, "infrastructure.sendgrid.api_key": 28,
	}
	if !reflect.DeepEqual(c.Lines, wantFieldLines) {
		t.Errorf("lines:\n got %v\nwant %v", c.Lines, wantFieldLines)
	}
	for _, f := range Fields {
		if c.Lines[f.Path] == 0 {
			t.Errorf("no line for %s", f.Path)
		}
	}
	// A clean file: the only thing to tell is that its secrets were exposed.
	if got := kinds(r.Warnings); !slices.Equal(got, []Kind{WarnPlainSecret}) {
		t.Errorf("warnings %v, want only the plain-text secret one", r.Warnings)
	}
}

func TestSampleVariants(t *testing.T) {
	t.Parallel()
	tr := readTree(t, sampleDir)

	t.Run("secrets as environment references", func(t *testing.T) {
		c, r := imported(t, tr, "tn_d8f595a0_xths")
		want := map[string]string{
			secrets.NameSupabaseURL: "${SUPABASE_URL}", secrets.NameSupabaseAnonKey: "${SUPABASE_ANON_KEY}",
			secrets.NameSupabaseServiceKey: "${SUPABASE_SERVICE_KEY}", secrets.NameSendgridAPIKey: "${SENDGRID_API_KEY}",
		}
		for name, ref := range want {
			s, ok := c.Secret(name)
			if !ok || s.EnvRef != ref || !s.Value.IsZero() {
				t.Errorf("%s: %+v, want the reference %s", name, s, ref)
			}
		}
		if c.HasPlainTextSecrets() || HasKind(r.Warnings, WarnPlainSecret) {
			t.Error("references reported as plain-text secrets")
		}
	})

	t.Run("no branding section", func(t *testing.T) {
		c, r := imported(t, tr, "tn_227731a0_jjma")
		def := tenant.DefaultTheme()
		b := c.Branding
		if b.PresetTheme != def.ID || b.ColorPrimary != def.Primary || b.ColorSecondary != def.Secondary || b.ColorAccent != def.Accent || b.LogoURL != "" {
			t.Errorf("branding %+v, want the default theme", b)
		}
		if c.Settings.CompanyName != "Victoria Falls Adventures" {
			t.Errorf("company name %q, want the client name", c.Settings.CompanyName)
		}
		issueOf(t, r.Warnings, WarnNoBranding)
		if HasKind(r.Warnings, WarnMissingColor) || HasKind(r.Warnings, WarnUnknownTheme) {
			t.Errorf("one missing section gave several warnings: %v", r.Warnings)
		}
	})

	t.Run("nested colours", func(t *testing.T) {
		c, r := imported(t, tr, "tn_bebd0d16_w7hj")
		b := c.Branding
		if b.ColorPrimary != "#9FA44D" || b.ColorSecondary != "#CE53CC" || b.ColorAccent != "#3232FB" || b.PresetTheme != "sunset_orange" {
			t.Errorf("branding %+v", b)
		}
		if c.Lines["branding.primary_color"] != 15 || c.Lines["branding.accent_color"] != 17 {
			t.Errorf("colour lines %v", c.Lines)
		}
		if n := len(slices.DeleteFunc(kinds(r.Warnings), func(k Kind) bool { return k != WarnLayout })); n != 1 {
			t.Errorf("%d layout warnings, want one: %v", n, r.Warnings)
		}
	})

	t.Run("invalid colours", func(t *testing.T) {
		c, r := imported(t, tr, "tn_c8928038_4dxg")
		teal, _ := tenant.ThemeByID("ocean_teal")
		b := c.Branding
		if b.ColorPrimary != teal.Primary || b.ColorSecondary != "#EFEE2C" || b.ColorAccent != teal.Accent {
			t.Errorf("branding %+v", b)
		}
		var msgs []string
		for _, w := range r.Warnings {
			if w.Kind == WarnInvalidColor {
				msgs = append(msgs, w.String())
			}
		}
		want := []string{
			`tn_c8928038_4dxg/client.yaml:14: branding.primary_color "blue" is not #RRGGBB; used ocean_teal's #0F766E instead`,
			`tn_c8928038_4dxg/client.yaml:16: branding.accent_color "#GG1122" is not #RRGGBB; used ocean_teal's #06B6D4 instead`,
		}
		if !slices.Equal(msgs, want) {
			t.Errorf("colour warnings:\n%s\nwant\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("non-ASCII name", func(t *testing.T) {
		c, _ := imported(t, tr, "tn_b5e97803_zpnc")
		if c.Name != "Société des Voyages Øresund" || c.Settings.CompanyName != "Société des Voyages Øresund SARL" ||
			c.Settings.EmailFromName != "Société des Voyages" || c.ShortName != "oresund" {
			t.Errorf("%+v", c)
		}
		if p, _ := c.Prompt("inbound"); !strings.Contains(p.Body, "Société des Voyages Øresund") {
			t.Errorf("prompt %q", p.Body)
		}
	})

	t.Run("unknown timezone", func(t *testing.T) {
		c, r := imported(t, tr, "tn_9e29e7bd_5egd")
		if c.Settings.Timezone != "UTC" {
			t.Errorf("timezone %q", c.Settings.Timezone)
		}
		w := issueOf(t, r.Warnings, WarnUnknownTimezone)
		if w.Line != 7 || !strings.Contains(w.Message, `"Mars/Olympus_Mons"`) || !strings.Contains(w.Message, "UTC") {
			t.Errorf("warning %q", w)
		}
	})

	t.Run("lower-case currency", func(t *testing.T) {
		c, _ := imported(t, tr, "tn_3e5c90fb_mepp")
		if c.Settings.Currency != "USD" {
			t.Errorf("currency %q", c.Settings.Currency)
		}
	})

	t.Run("two tenants share a support e-mail", func(t *testing.T) {
		a, _ := imported(t, tr, "tn_7e47eddb_srje")
		b, _ := imported(t, tr, "tn_8144c696_2h9q")
		if a.Settings.SupportEmail != "support@tsavoholidays.co.za" || a.Settings.SupportEmail != b.Settings.SupportEmail {
			t.Errorf("%q and %q", a.Settings.SupportEmail, b.Settings.SupportEmail)
		}
	})

	t.Run("extra keys", func(t *testing.T) {
		c, r := imported(t, tr, "tn_784bf130_vu4t")
		want := []ExtraKey{{"client.legacy_crm_id", 10}, {"client.beta_features", 11}, {"features", 30}}
		if !reflect.DeepEqual(c.Extra, want) {
			t.Errorf("extra %v, want %v", c.Extra, want)
		}
		var unknown []string
		for _, w := range r.Warnings {
			if w.Kind == WarnUnknownKey {
				unknown = append(unknown, w.Field)
			}
		}
		if !slices.Equal(unknown, []string{"client.legacy_crm_id", "client.beta_features", "features"}) {
			t.Errorf("unknown-key warnings %v", unknown)
		}
		for _, w := range r.Warnings {
			if strings.Contains(w.Message, "48213") || strings.Contains(w.Message, "quotes_v2") {
				t.Errorf("an extra key's value is in the report: %q", w)
			}
		}
	})

	t.Run("SendGrid key under email.sendgrid", func(t *testing.T) {
		c, r := imported(t, tr, "tn_ef79a19a_xejq")
		s, ok := c.Secret(secrets.NameSendgridAPIKey)
		if !ok || s.Value.Reveal() != "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" || s.Line != 22 {
			t.Errorf("sendgrid key %+v", s)
		}
		if c.Lines["infrastructure.sendgrid.api_key"] != 22 {
			t.Errorf("line %d", c.Lines["infrastructure.sendgrid.api_key"])
		}
		issueOf(t, r.Warnings, WarnLayout)
		if HasKind(r.Warnings, WarnMissingSecret) {
			t.Errorf("the moved key is reported missing: %v", r.Warnings)
		}
	})

	t.Run("no short_name", func(t *testing.T) {
		c, r := imported(t, tr, "tn_550b877b_dtwa")
		if c.ShortName != "skeleton-coast-holidays" {
			t.Errorf("short name %q", c.ShortName)
		}
		issueOf(t, r.Warnings, WarnDerived)
	})

	t.Run("no inbound prompt", func(t *testing.T) {
		c, r := imported(t, tr, "tn_c20c20e5_f5ab")
		if len(c.Prompts) != 0 {
			t.Errorf("prompts %v", c.Prompts)
		}
		issueOf(t, r.Warnings, WarnMissingPrompt)
	})
}

func TestPlainTextSecretTenants(t *testing.T) {
	t.Parallel()
	tr := readTree(t, sampleDir)
	ids := tr.PlainTextSecretTenants()
	if len(ids) != 49 || slices.Contains(ids, "tn_d8f595a0_xths") || !slices.Contains(ids, "africastay") {
		t.Errorf("%d tenants with plain-text secrets: %v", len(ids), ids)
	}
}

// secretValues collects every plain-text credential written in the files
// of dir, straight from the bytes, to check that none reaches a report.
func secretValues(t *testing.T, dir string) []string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s+(?:url|anon_key|service_key|api_key):\s*"?([^"\r\n]+?)"?\s*$`)
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "client.y") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if !secrets.IsEnvRef(m[1]) && len(m[1]) >= 12 {
				out = append(out, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("found only %d secrets in %s; the pattern is wrong", len(out), dir)
	}
	return out
}

func TestNoSecretValueInAnyReport(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{sampleDir, messyDir} {
		values := secretValues(t, dir)
		tr := readTree(t, dir)
		var report strings.Builder
		for _, r := range tr.Results {
			for _, i := range append(slices.Clone(r.Warnings), r.Reasons...) {
				report.WriteString(i.String() + "\n")
			}
			if r.Client != nil {
				report.WriteString(strings.Join([]string{r.Client.ID, r.Client.Name}, " "))
				if out, err := Marshal(*r.Client); err == nil {
					report.Write(out)
				} else {
					t.Errorf("%s: marshal: %v", r.Folder, err)
				}
			}
		}
		for _, v := range values {
			if strings.Contains(report.String(), v) {
				t.Fatalf("%s: a secret value appears in the report or an export", dir)
			}
		}
	}
}

func TestReadTreeOfMissingDirectory(t *testing.T) {
	t.Parallel()
	if _, err := ReadTree("testdata/does-not-exist"); err == nil {
		t.Error("no error for a missing directory")
	}
	if _, err := ReadTree("testdata/legacy-clients/africastay/client.yaml"); err == nil {
		t.Error("no error for a file")
	}
}

func TestReadTreeDoesNotFollowLinksOutOfTheTree(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := filepath.Join(outside, "client.yaml")
	if err := os.WriteFile(secret, []byte(baseYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "acme", "client.yaml")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	tr := readTree(t, dir)
	r := result(t, tr, "acme")
	if !r.Skipped() {
		t.Fatal("a client.yaml outside the tree was read")
	}
	if reason := issueOf(t, r.Reasons, SkipUnreadable); !strings.HasPrefix(reason.String(), "acme/client.yaml: client.yaml cannot be read") {
		t.Errorf("reported as %q", reason)
	}
}
