package legacy

import (
	"bytes"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// asExported is what a client looks like after an export and a re-read:
// every secret is a reference (its own, or the placeholder), and what
// client.yaml does not carry (line numbers, extra keys, prompts) is gone.
func asExported(c Client) Client {
	c.Lines, c.Extra, c.Prompts = nil, nil, nil
	var secs []Secret
	for _, s := range c.Secrets {
		ref := s.EnvRef
		if ref == "" {
			ref = Placeholder(c.ID, s.Name)
		}
		secs = append(secs, Secret{Name: s.Name, EnvRef: ref})
	}
	c.Secrets = secs
	return c
}

func stripLines(c Client) Client {
	c.Lines = nil
	for i := range c.Secrets {
		c.Secrets[i].Line = 0
	}
	return c
}

var secretLine = regexp.MustCompile(`^(infrastructure:|  (supabase|sendgrid):|    (url|anon_key|service_key|api_key): "\$\{[A-Za-z_][A-Za-z0-9_]*\}")$`)

// roundTrip marshals c, reads it back and checks it is the same client.
func roundTrip(t testing.TB, c Client) {
	t.Helper()
	out, err := Marshal(c)
	if err != nil {
		t.Fatalf("%s: marshal: %v", c.ID, err)
	}
	bare := c
	bare.Secrets = nil
	withoutSecrets, err := Marshal(bare)
	if err != nil {
		t.Fatal(err)
	}
	// The secrets add only section headers and ${ENV} references: no value.
	if !bytes.HasPrefix(out, withoutSecrets) {
		t.Fatalf("%s: secrets changed the rest of the export", c.ID)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(out[len(withoutSecrets):]), "\n"), "\n") {
		if line != "" && !secretLine.MatchString(line) {
			t.Fatalf("%s: the export writes %q for a secret", c.ID, line)
		}
	}
	back, warnings, err := Parse("client.yaml", out)
	if err != nil {
		t.Fatalf("%s: the export does not read back: %v\n%s", c.ID, err, out)
	}
	for _, w := range warnings {
		if w.Kind != WarnMissingSecret {
			t.Errorf("%s: reading the export warns: %s\n%s", c.ID, w, out)
		}
	}
	want := asExported(c)
	if got := stripLines(back); !reflect.DeepEqual(got, stripLines(want)) {
		t.Fatalf("%s: round trip changed the client:\n got %+v\nwant %+v\n%s", c.ID, got, want, out)
	}
	for _, s := range back.Secrets {
		orig, _ := c.Secret(s.Name)
		if (orig.EnvRef == "") != s.IsPlaceholder(c.ID) {
			t.Errorf("%s: %s placeholder not recognised", c.ID, s.Name)
		}
	}
	again, err := Marshal(back)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("%s: exporting the re-read client gives other bytes:\n%s\n---\n%s", c.ID, out, again)
	}
}

func TestMarshalRoundTripsEverySampleClient(t *testing.T) {
	t.Parallel()
	n := 0
	for _, dir := range []string{sampleDir, messyDir} {
		for _, c := range readTree(t, dir).Clients() {
			roundTrip(t, *c)
			n++
		}
	}
	if n < 50+13 {
		t.Fatalf("only %d clients round-tripped", n)
	}
}

func TestMarshalLayout(t *testing.T) {
	t.Parallel()
	c, _ := imported(t, readTree(t, sampleDir), "africastay")
	out, err := Marshal(*c)
	if err != nil {
		t.Fatal(err)
	}
	want := header + `client:
  id: africastay
  name: "Africa Stay"
  short_name: africastay
  currency: ZAR
  timezone: Africa/Johannesburg
  support_phone: "+27 13 833 7686"
  website: https://www.africastay.com
branding:
  company_name: "Africa Stay (Pty) Ltd"
  theme_id: safari_gold
  logo_url: https://cdn.addogetaways.com/logo.png
  primary_color: "#C35D7D"
  secondary_color: "#AC0303"
  accent_color: "#79F74D"
email:
  primary: support@africastay.com
  sendgrid:
    from_name: "Africa Stay"
    from_email: quotes@africastay.com
infrastructure:
  supabase:
    url: "${TENANT_AFRICASTAY_SUPABASE_URL}"
    anon_key: "${TENANT_AFRICASTAY_SUPABASE_ANON_KEY}"
    service_key: "${TENANT_AFRICASTAY_SUPABASE_SERVICE_KEY}"
  sendgrid:
    api_key: "${TENANT_AFRICASTAY_SENDGRID_API_KEY}"
`
	if string(out) != want {
		t.Errorf("export:\n%s\nwant:\n%s", out, want)
	}
}

func TestMarshalKeepsOriginalReferences(t *testing.T) {
	t.Parallel()
	c, _ := imported(t, readTree(t, sampleDir), "tn_d8f595a0_xths")
	out, err := Marshal(*c)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{`url: "${SUPABASE_URL}"`, `anon_key: "${SUPABASE_ANON_KEY}"`, `service_key: "${SUPABASE_SERVICE_KEY}"`, `api_key: "${SENDGRID_API_KEY}"`} {
		if !strings.Contains(string(out), ref) {
			t.Errorf("export lacks %s", ref)
		}
	}
}

func TestMarshalQuotesWhatYAMLWouldMisread(t *testing.T) {
	t.Parallel()
	theme := tenant.DefaultTheme()
	c := Client{
		ID: "0123", Name: "yes", ShortName: "1234",
		Settings: tenant.Settings{
			CompanyName: "No", SupportEmail: "on@example.com", SupportPhone: "+27 13 833 7686",
			Currency: "NOK", Timezone: "Etc/GMT+3", EmailFromName: "", EmailFromEmail: "1@example.com",
			Website: "https://example.com/a:b?c=d&e#frag",
		},
		Branding: tenant.Branding{PresetTheme: theme.ID, ColorPrimary: theme.Primary, ColorSecondary: theme.Secondary, ColorAccent: theme.Accent},
		Secrets: []Secret{
			{Name: secrets.NameSupabaseServiceKey, Value: secrets.NewValue("eyJ.service.value")},
			{Name: secrets.NameSendgridAPIKey}, // from the database: only known to exist
		},
	}
	out, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`id: "0123"`, `name: "yes"`, `short_name: "1234"`, `company_name: "No"`, `from_name: ""`, `from_email: "1@example.com"`,
		`website: "https://example.com/a:b?c=d&e#frag"`, `service_key: "${TENANT_0123_SUPABASE_SERVICE_KEY}"`, `api_key: "${TENANT_0123_SENDGRID_API_KEY}"`} {
		if !strings.Contains(string(out), "  "+line+"\n") {
			t.Errorf("export lacks %s:\n%s", line, out)
		}
	}
	roundTrip(t, c)
}

func TestMarshalRefusesAnInvalidClient(t *testing.T) {
	t.Parallel()
	c, _ := imported(t, readTree(t, sampleDir), "africastay")
	for name, breakIt := range map[string]func(*Client){
		"bad id":          func(c *Client) { c.ID = "Not An Id" },
		"bad colour":      func(c *Client) { c.Branding.ColorAccent = "blue" },
		"bad currency":    func(c *Client) { c.Settings.Currency = "NO" },
		"http website":    func(c *Client) { c.Settings.Website = "http://example.com" },
		"bad env ref":     func(c *Client) { c.Secrets[0] = Secret{Name: c.Secrets[0].Name, EnvRef: "$NOPE"} },
		"unknown secret":  func(c *Client) { c.Secrets = append(c.Secrets, Secret{Name: "openai_key"}) },
		"no company name": func(c *Client) { c.Settings.CompanyName = " " },
	} {
		broken := *c
		broken.Secrets = slices.Clone(c.Secrets)
		breakIt(&broken)
		if _, err := Marshal(broken); err == nil {
			t.Errorf("%s: marshalled", name)
		}
	}
}

func TestPlaceholder(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ id, name, want string }{
		{"tn_1f3a9c0b_k3xq", secrets.NameSupabaseServiceKey, "${TENANT_TN_1F3A9C0B_K3XQ_SUPABASE_SERVICE_KEY}"},
		{"africa-stay", secrets.NameSendgridAPIKey, "${TENANT_AFRICA_STAY_SENDGRID_API_KEY}"},
	} {
		got := Placeholder(c.id, c.name)
		if got != c.want || !secrets.IsEnvRef(got) {
			t.Errorf("Placeholder(%s, %s) = %s, want %s", c.id, c.name, got, c.want)
		}
	}
}
