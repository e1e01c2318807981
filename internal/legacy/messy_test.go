package legacy

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// The messy tree (testdata/messy-clients) holds what the sample lacks:
// encodings, YAML pitfalls, identity conflicts, broken and odd files.
func TestMessyTreeSkipsWithReasons(t *testing.T) {
	t.Parallel()
	tr := readTree(t, messyDir)
	cases := []struct {
		folder string
		kind   Kind
		line   int
		says   string
	}{
		{"currency-no", SkipInvalidField, 6, `client.currency "NO" is not an ISO 4217 currency code`},
		{"empty-file", SkipEmpty, 0, "client.yaml is empty"},
		{"comments-only", SkipEmpty, 0, "only comments"},
		{"list-not-map", SkipNotMapping, 1, "holds a list"},
		{"scalar-file", SkipNotMapping, 1, "holds a single value"},
		{"null-client", SkipNoClientSection, 1, "client: section is empty"},
		{"dup-key-diff", SkipAmbiguousKey, 8, "client.currency appears twice (lines 6 and 8) with different values"},
		{"wrong-folder", SkipFolderMismatch, 3, `client.id "right-id" does not match the folder name "wrong-folder"`},
		{"twin-copy", SkipDuplicateID, 3, `client.id "twin" belongs to the folder named "twin" (twin/client.yaml), which is imported`},
		{"twin-copy", SkipFolderMismatch, 3, `does not match the folder name "twin-copy"`},
		{"Bad Id", SkipInvalidField, 3, `client.id "Bad Id" is not a valid tenant id`},
		{"missing-required", SkipMissingField, 0, "client.name is missing"},
		{"missing-required", SkipMissingField, 0, "email.primary (the support e-mail address) is missing"},
		{"same-name-a", SkipDuplicateShortName, 0, `short name "same-name-safaris" is also used by folder "same-name-b"`},
		{"same-name-b", SkipDuplicateShortName, 0, `also used by folder "same-name-a"`},
		{"multi-doc", SkipMultipleDocs, 30, "2 YAML documents"},
		{"binary", SkipUnreadable, 0, "not a text file"},
		{"tab-later", SkipSyntax, 18, "tab character in the indentation"},
		{"empty-folder", SkipNoClientFile, 0, "no client.yaml (it holds .keep)"},
		{"invisible-name", SkipInvalidField, 4, `client.name "\u200b\u00a0\u200f" has no visible characters`},
		{"quoted-email", SkipInvalidField, 18, `email.primary "\"john doe\"@quoted-email.example.com" is not an e-mail address`},
		{"upper-keys", SkipNoClientSection, 0, "line 2 has Client:, which is another key: keys are case-sensitive, write client:"},
	}
	for _, c := range cases {
		r := result(t, tr, c.folder)
		if !r.Skipped() {
			t.Errorf("%s: imported, want skipped (%s)", c.folder, c.kind)
			continue
		}
		found := false
		for _, reason := range r.Reasons {
			if reason.Kind == c.kind && reason.Line == c.line && strings.Contains(reason.Message, c.says) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: reasons %v, want a %s at line %d saying %q", c.folder, r.Reasons, c.kind, c.line, c.says)
		}
	}

	var folders []string
	for _, r := range tr.Results {
		folders = append(folders, r.Folder)
	}
	for _, notTenant := range []string{".hidden", "README.md"} {
		if slices.Contains(folders, notTenant) {
			t.Errorf("%s was read as a tenant", notTenant)
		}
	}
	// twin holds the id it is named after, so it is imported although
	// twin-copy claims that id too.
	imported(t, tr, "twin")
	if got, want := len(tr.Imported()), 20; got != want {
		t.Errorf("%d imported, want %d", got, want)
	}
}

func TestMessyTreeImportsWithWarnings(t *testing.T) {
	t.Parallel()
	tr := readTree(t, messyDir)

	t.Run("BOM and CRLF", func(t *testing.T) {
		c, r := imported(t, tr, "bom-crlf")
		if c.ID != "bom-crlf" || c.Name != "BOM and CRLF Travel" || c.Settings.Timezone != "Africa/Johannesburg" {
			t.Errorf("%+v", c)
		}
		if p, _ := c.Prompt("inbound"); p.Body != "Line one\nLine two\n" {
			t.Errorf("prompt body %q, want no BOM and LF line ends", p.Body)
		}
		if s, _ := c.Secret(secrets.NameSendgridAPIKey); strings.ContainsAny(s.Value.Reveal(), "\r\n") {
			t.Error("a CR stayed in a value")
		}
		if HasKind(r.Warnings, WarnEncoding) {
			t.Errorf("UTF-8 with BOM reported as an encoding problem: %v", r.Warnings)
		}
	})

	t.Run("numbers and YAML 1.1 booleans keep their text", func(t *testing.T) {
		c, _ := imported(t, tr, "0123")
		got := []string{c.ID, c.Name, c.ShortName, c.Settings.SupportPhone, c.Settings.EmailFromName, c.Settings.Currency, c.Settings.Timezone, c.Settings.Website}
		want := []string{"0123", "yes", "1234", "+27 13 833 7686", "on", "NOK", "Europe/Oslo", "https://www.example.no"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	t.Run("Latin-1 is converted with a warning", func(t *testing.T) {
		c, r := imported(t, tr, "latin1")
		if c.Name != "Café Olé Voyages" || c.ShortName != "cafe-ole-voyages" {
			t.Errorf("name %q, short name %q", c.Name, c.ShortName)
		}
		if p, _ := c.Prompt("inbound"); p.Body != "Bienvenue au Café.\n" {
			t.Errorf("prompt %q", p.Body)
		}
		w := issueOf(t, r.Warnings, WarnEncoding)
		if w.File != "latin1/client.yaml" || w.Line != 4 || !strings.Contains(w.Message, "Latin-1") {
			t.Errorf("encoding warning %q", w)
		}
	})

	t.Run("UTF-16 is converted with a warning", func(t *testing.T) {
		c, r := imported(t, tr, "utf16")
		if c.Name != "São Paulo Trips" {
			t.Errorf("name %q", c.Name)
		}
		issueOf(t, r.Warnings, WarnEncoding)
	})

	t.Run("a duplicate key with one value", func(t *testing.T) {
		c, r := imported(t, tr, "dup-key-same")
		if c.Settings.Currency != "ZAR" {
			t.Errorf("currency %q", c.Settings.Currency)
		}
		if w := issueOf(t, r.Warnings, WarnDuplicateKey); w.Line != 8 {
			t.Errorf("warning %q", w)
		}
	})

	t.Run("http URLs, an unknown theme, missing colours and from address", func(t *testing.T) {
		c, r := imported(t, tr, "http-urls")
		def := tenant.DefaultTheme()
		if c.Settings.Website != "https://www.alesund.example" || c.Branding.LogoURL != "https://cdn.alesund.example/logo.png" {
			t.Errorf("urls %q %q", c.Settings.Website, c.Branding.LogoURL)
		}
		if c.Branding.PresetTheme != def.ID || c.Branding.ColorPrimary != def.Primary || c.Branding.ColorAccent != def.Accent {
			t.Errorf("branding %+v", c.Branding)
		}
		if c.Settings.SupportEmail != "support@alesund.example" || c.Settings.EmailFromEmail != c.Settings.SupportEmail {
			t.Errorf("e-mail %q from %q", c.Settings.SupportEmail, c.Settings.EmailFromEmail)
		}
		if c.ShortName != "alesund-fjord-tours" {
			t.Errorf("short name %q", c.ShortName)
		}
		for _, k := range []Kind{WarnInsecureURL, WarnUnknownTheme, WarnMissingColor, WarnDefaulted, WarnDerived} {
			issueOf(t, r.Warnings, k)
		}
		if w := issueOf(t, r.Warnings, WarnUnknownTheme); !strings.Contains(w.Message, `"Neon-Pink"`) || w.Line != 10 {
			t.Errorf("theme warning %q", w)
		}
	})

	t.Run("colours YAML reads as comments, 3 digits or without #", func(t *testing.T) {
		c, _ := imported(t, tr, "unquoted-colour")
		b := c.Branding
		if b.ColorPrimary != "#C35D7D" || b.ColorSecondary != "#AABBCC" || b.ColorAccent != "#79F74D" {
			t.Errorf("branding %+v", b)
		}
	})

	t.Run("client.yml", func(t *testing.T) {
		_, r := imported(t, tr, "yml-name")
		if r.File != "yml-name/client.yml" {
			t.Errorf("file %q", r.File)
		}
		issueOf(t, r.Warnings, WarnAltFileName)
	})

	t.Run("anchors, aliases and merge keys", func(t *testing.T) {
		c, r := imported(t, tr, "anchors")
		s := c.Settings
		if s.Currency != "KES" || s.Timezone != "Africa/Nairobi" || s.CompanyName != "Anchor Safaris" ||
			s.EmailFromName != "Anchor Safaris" || s.EmailFromEmail != "support@anchors.example.com" {
			t.Errorf("settings %+v", s)
		}
		if c.Extra[0].Path != "defaults" {
			t.Errorf("extra %v", c.Extra)
		}
		if w := issueOf(t, r.Warnings, WarnMissingSecret); !strings.Contains(w.Message, "infrastructure.supabase.anon_key") {
			t.Errorf("missing secrets %q", w)
		}
	})

	t.Run("secret variants", func(t *testing.T) {
		c, r := imported(t, tr, "secret-variants")
		url, _ := c.Secret(secrets.NameSupabaseURL)
		anon, _ := c.Secret(secrets.NameSupabaseAnonKey)
		sg, _ := c.Secret(secrets.NameSendgridAPIKey)
		if url.EnvRef != "${SUPABASE_URL}" || anon.IsEnvRef() || anon.Value.Reveal() != "$SUPABASE_ANON_KEY" {
			t.Errorf("url %+v anon %+v", url, anon)
		}
		if sg.Value.Reveal() != "SG.fake-sendgrid-key.SIGNATURE-SG-0001" {
			t.Error("the standard place did not win the SendGrid conflict")
		}
		if _, ok := c.Secret(secrets.NameSupabaseServiceKey); ok {
			t.Error("a missing service key appeared")
		}
		for _, k := range []Kind{WarnBrokenEnvRef, WarnConflict, WarnMissingSecret, WarnPlainSecret} {
			issueOf(t, r.Warnings, k)
		}
		if got := c.PlainTextSecrets(); !slices.Equal(got, []string{secrets.NameSupabaseAnonKey, secrets.NameSendgridAPIKey}) {
			t.Errorf("plain-text secrets %v", got)
		}
	})

	t.Run("prompt files", func(t *testing.T) {
		c, r := imported(t, tr, "prompt-files")
		var names []string
		for _, p := range c.Prompts {
			names = append(names, p.Name)
		}
		if !slices.Equal(names, []string{"empty", "follow_up", "inbound"}) {
			t.Errorf("prompts %v", names)
		}
		if p, _ := c.Prompt("follow_up"); p.Body != "Follow up.\n" {
			t.Errorf("body %q", p.Body)
		}
		var ignored []string
		for _, w := range r.Warnings {
			if w.Kind == WarnPromptIgnored {
				ignored = append(ignored, w.File)
			}
		}
		if !slices.Equal(ignored, []string{"prompt-files/prompts/notes.md", "prompt-files/prompts/welcome message.txt"}) {
			t.Errorf("ignored %v", ignored)
		}
		issueOf(t, r.Warnings, WarnEmptyPrompt)
		if HasKind(r.Warnings, WarnMissingPrompt) {
			t.Error("Inbound.TXT not taken as the inbound prompt")
		}
	})

	t.Run("wrong shapes are ignored", func(t *testing.T) {
		c, r := imported(t, tr, "wrong-shapes")
		if c.Settings.Timezone != "UTC" || c.Settings.Website != "" || c.Branding.PresetTheme != tenant.DefaultThemeID {
			t.Errorf("%+v %+v", c.Settings, c.Branding)
		}
		issueOf(t, r.Warnings, WarnWrongType)
		issueOf(t, r.Warnings, WarnNoBranding)
	})

	t.Run("a tab inside quotes, then more keys", func(t *testing.T) {
		c, _ := imported(t, tr, "tab-in-quotes")
		if c.Name != "Tab Safaris" || c.Settings.EmailFromName != "Tab Safaris" || c.Settings.Currency != "ZAR" {
			t.Errorf("name %q, from name %q, currency %q", c.Name, c.Settings.EmailFromName, c.Settings.Currency)
		}
	})

	t.Run("control and invisible characters are removed", func(t *testing.T) {
		c, r := imported(t, tr, "control-chars")
		if c.Name != "Control Safaris[31m" || c.Settings.EmailFromName != "Control Safaris" {
			t.Errorf("name %q, from name %q", c.Name, c.Settings.EmailFromName)
		}
		if w := issueOf(t, r.Warnings, WarnNormalized); w.Line != 4 || !strings.Contains(w.Message, `"Control\x00 Safaris\x1b[31m" holds control characters`) {
			t.Errorf("warning %q", w)
		}
	})

	t.Run("values the console's forms refuse", func(t *testing.T) {
		c, r := imported(t, tr, "field-rules")
		s := c.Settings
		if s.SupportPhone != "" || s.Website != "" || s.CompanyName != "Field Rules" || s.EmailFromName != "Field Rules" {
			t.Errorf("settings %+v", s)
		}
		if w := issueOf(t, r.Warnings, WarnInvalidPhone); w.Line != 8 || !strings.Contains(w.Message, "left empty") {
			t.Errorf("phone warning %q", w)
		}
		if w := issueOf(t, r.Warnings, WarnInvalidURL); w.Line != 9 || !strings.Contains(w.Message, "more than the 2000") {
			t.Errorf("website warning %q", w)
		}
		var defaulted []int
		for _, w := range r.Warnings {
			if w.Kind == WarnDefaulted && strings.Contains(w.Message, "more than the 200") {
				defaulted = append(defaulted, w.Line)
			}
		}
		if !slices.Equal(defaulted, []int{11, 20}) {
			t.Errorf("company and from name warnings at lines %v", defaulted)
		}
	})

	t.Run("a boolean is not a credential", func(t *testing.T) {
		c, r := imported(t, tr, "secret-bool")
		if _, ok := c.Secret(secrets.NameSupabaseURL); ok {
			t.Error("url: true was kept as a credential")
		}
		if w := issueOf(t, r.Warnings, WarnWrongType); w.Line != 24 {
			t.Errorf("warning %q", w)
		}
		if slices.Contains(c.PlainTextSecrets(), secrets.NameSupabaseURL) {
			t.Error("url: true is listed for rotation")
		}
	})

	t.Run("a credential with a control character", func(t *testing.T) {
		c, r := imported(t, tr, "secret-control")
		if _, ok := c.Secret(secrets.NameSendgridAPIKey); ok {
			t.Error("a key ending in NUL was kept")
		}
		if w := issueOf(t, r.Warnings, WarnWrongType); w.Line != 28 || strings.Contains(w.Message, "SIGNATURE") {
			t.Errorf("warning %q", w)
		}
	})

	t.Run("Client.yaml", func(t *testing.T) {
		_, r := imported(t, tr, "upper-file-name")
		if w := issueOf(t, r.Warnings, WarnAltFileName); w.File != "upper-file-name/Client.yaml" {
			t.Errorf("warning %q", w)
		}
	})

	for _, c := range tr.Clients() {
		if err := c.Validate(); err != nil {
			t.Errorf("%s breaks the rules: %v", c.ID, err)
		}
	}
}

// Two spellings of one prompt cannot live in testdata (a case-insensitive
// file system would refuse the clone), so this tree is built in memory.
func TestReadFSPrefersTheExactPromptFile(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"acme/client.yaml":         {Data: []byte(baseYAML)},
		"acme/prompts/Inbound.TXT": {Data: []byte("variant")},
		"acme/prompts/inbound.txt": {Data: []byte("exact")},
		"notes.txt":                {Data: []byte("not a tenant")},
	}
	tr, err := ReadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Results) != 1 {
		t.Fatalf("results %v", tr.Results)
	}
	c, r := imported(t, tr, "acme")
	if p, _ := c.Prompt("inbound"); p.Body != "exact" || len(c.Prompts) != 1 {
		t.Errorf("prompts %v", c.Prompts)
	}
	if w := issueOf(t, r.Warnings, WarnPromptIgnored); w.File != "acme/prompts/Inbound.TXT" {
		t.Errorf("warning %q", w)
	}
}
