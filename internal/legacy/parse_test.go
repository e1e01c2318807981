package legacy

import (
	"errors"
	"strings"
	"testing"
)

const baseYAML = `client:
  id: acme
  name: "Acme Travel"
  short_name: acme-travel
  currency: ZAR
  timezone: Africa/Johannesburg
  website: https://www.acme.example
branding:
  company_name: "Acme Travel Ltd"
  theme_id: safari_gold
  logo_url: https://cdn.acme.example/logo.png
  primary_color: "#C35D7D"
  secondary_color: "#AC0303"
  accent_color: "#79F74D"
email:
  primary: support@acme.example
  sendgrid:
    from_name: "Acme"
    from_email: quotes@acme.example
infrastructure:
  supabase:
    url: "${SUPABASE_URL}"
`

// edit replaces old by new in baseYAML, failing when old is not there.
func edit(t *testing.T, pairs ...string) []byte {
	t.Helper()
	s := baseYAML
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("baseYAML has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

func mustParse(t *testing.T, data []byte) (Client, []Issue) {
	t.Helper()
	c, warnings, err := Parse("acme/client.yaml", data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("parsed client breaks the rules: %v", err)
	}
	return c, warnings
}

func mustFail(t *testing.T, data []byte, kind Kind, says string) Issue {
	t.Helper()
	_, _, err := Parse("acme/client.yaml", data)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *ParseError", err)
	}
	for _, r := range pe.Reasons {
		if r.Kind == kind && strings.Contains(r.Message, says) {
			return r
		}
	}
	t.Fatalf("reasons %v, want a %s saying %q", pe.Reasons, kind, says)
	return Issue{}
}

func TestParseBaseIsClean(t *testing.T) {
	t.Parallel()
	_, warnings := mustParse(t, []byte(baseYAML))
	for _, w := range warnings {
		if w.Kind != WarnMissingSecret {
			t.Errorf("unexpected warning %s", w)
		}
	}
}

func TestParseRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data []byte
		kind Kind
		says string
	}{
		{"client is a list", edit(t, "client:\n  id: acme\n", "client:\n  - id: acme\nx:\n"), SkipNoClientSection, "client: holds a list"},
		{"no client section", []byte("branding:\n  theme_id: safari_gold\n"), SkipNoClientSection, "no client: section"},
		{"section twice", []byte(baseYAML + "branding:\n  theme_id: ocean_teal\n"), SkipAmbiguousKey, "the section branding: appears twice"},
		{"name too long", edit(t, `name: "Acme Travel"`, "name: "+strings.Repeat("a", 201)), SkipInvalidField, "201 characters"},
		{"empty name", edit(t, `name: "Acme Travel"`, `name: "   "`), SkipMissingField, "client.name is empty"},
		{"id as a mapping", edit(t, "id: acme", "id: {a: b}"), SkipInvalidField, "client.id holds a mapping"},
		{"upper-case id", edit(t, "id: acme", "id: Acme"), SkipInvalidField, `client.id "Acme" is not a valid tenant id`},
		{"bad support address", edit(t, "primary: support@acme.example", "primary: support"), SkipInvalidField, `email.primary "support" is not an e-mail address`},
		{"no currency", edit(t, "  currency: ZAR\n", ""), SkipMissingField, "client.currency is missing"},
		{"unknown currency", edit(t, "currency: ZAR", "currency: XYZ"), SkipInvalidField, `"XYZ" is not an ISO 4217`},
		{"boolean currency", edit(t, "currency: ZAR", "currency: false"), SkipInvalidField, `"false" is not an ISO 4217`},
		{"huge file", []byte(baseYAML + "# " + strings.Repeat("x", maxFileSize) + "\n"), SkipUnreadable, "bytes"},
		{"unclosed quote", edit(t, `name: "Acme Travel"`, `name: "Acme Travel`), SkipSyntax, "not valid YAML"},
		{"tab as indentation", edit(t, "  currency: ZAR", "\tcurrency: ZAR"), SkipSyntax, "tab character"},
		{"only a document marker", []byte("---\n"), SkipEmpty, "no data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mustFail(t, c.data, c.kind, c.says)
		})
	}
}

func TestParseTabReportsItsLine(t *testing.T) {
	t.Parallel()
	r := mustFail(t, edit(t, "  currency: ZAR", "\tcurrency: ZAR"), SkipSyntax, "tab")
	if r.Line != 5 || r.String() != "acme/client.yaml:5: found a tab character in the indentation; YAML indents with spaces only; fix the file and import again" {
		t.Errorf("reported as %q", r)
	}
}

func TestParseTolerance(t *testing.T) {
	t.Parallel()
	t.Run("theme spelled loosely", func(t *testing.T) {
		c, w := mustParse(t, edit(t, "theme_id: safari_gold", "theme_id: Safari-Gold"))
		if c.Branding.PresetTheme != "safari_gold" || !HasKind(w, WarnNormalized) {
			t.Errorf("theme %q, warnings %v", c.Branding.PresetTheme, w)
		}
	})
	t.Run("missing theme", func(t *testing.T) {
		c, w := mustParse(t, edit(t, "  theme_id: safari_gold\n", ""))
		if c.Branding.PresetTheme != "professional_blue" || c.Branding.ColorPrimary != "#C35D7D" || !HasKind(w, WarnUnknownTheme) {
			t.Errorf("branding %+v, warnings %v", c.Branding, w)
		}
	})
	t.Run("short name with spaces", func(t *testing.T) {
		c, w := mustParse(t, edit(t, "short_name: acme-travel", "short_name: Acme Travel"))
		if c.ShortName != "acme-travel" || !HasKind(w, WarnNormalized) {
			t.Errorf("short name %q, warnings %v", c.ShortName, w)
		}
	})
	t.Run("name without letters derives from the id", func(t *testing.T) {
		c, _ := mustParse(t, edit(t, `name: "Acme Travel"`, `name: "東京"`, "  short_name: acme-travel\n", ""))
		if c.Name != "東京" || c.ShortName != "acme" {
			t.Errorf("name %q short %q", c.Name, c.ShortName)
		}
	})
	t.Run("bare host and broken URL", func(t *testing.T) {
		c, w := mustParse(t, edit(t, "website: https://www.acme.example", "website: www.acme.example", "logo_url: https://cdn.acme.example/logo.png", "logo_url: not a url"))
		if c.Settings.Website != "https://www.acme.example" || c.Branding.LogoURL != "" || !HasKind(w, WarnInsecureURL) || !HasKind(w, WarnInvalidURL) {
			t.Errorf("website %q logo %q warnings %v", c.Settings.Website, c.Branding.LogoURL, w)
		}
	})
	t.Run("HTTPS in capitals", func(t *testing.T) {
		c, _ := mustParse(t, edit(t, "website: https://www.acme.example", "website: HTTPS://www.acme.example"))
		if c.Settings.Website != "https://www.acme.example" {
			t.Errorf("website %q", c.Settings.Website)
		}
	})
	t.Run("explicitly empty from_name stays empty", func(t *testing.T) {
		c, w := mustParse(t, edit(t, `from_name: "Acme"`, `from_name: ""`))
		if c.Settings.EmailFromName != "" || HasKind(w, WarnDefaulted) {
			t.Errorf("from name %q, warnings %v", c.Settings.EmailFromName, w)
		}
	})
	t.Run("absent from_name and invalid from_email", func(t *testing.T) {
		c, w := mustParse(t, edit(t, "    from_name: \"Acme\"\n", "", "from_email: quotes@acme.example", "from_email: quotes"))
		if c.Settings.EmailFromName != "Acme Travel" || c.Settings.EmailFromEmail != "support@acme.example" {
			t.Errorf("%+v", c.Settings)
		}
		if n := len(w); n < 2 || !HasKind(w, WarnDefaulted) {
			t.Errorf("warnings %v", w)
		}
	})
	t.Run("the same SendGrid key in both places", func(t *testing.T) {
		data := edit(t, `    from_email: quotes@acme.example`, "    from_email: quotes@acme.example\n    api_key: \"${SG}\"")
		data = append(data, "  sendgrid:\n    api_key: \"${SG}\"\n"...)
		c, w := mustParse(t, data)
		if s, _ := c.Secret("sendgrid_api_key"); s.EnvRef != "${SG}" || HasKind(w, WarnConflict) {
			t.Errorf("secret %+v warnings %v", s, w)
		}
	})
	t.Run("flat and nested colours disagree", func(t *testing.T) {
		c, w := mustParse(t, edit(t, `  accent_color: "#79F74D"`, "  accent_color: \"#79F74D\"\n  colors:\n    accent: \"#000000\"\n    primary: \"#111111\""))
		if c.Branding.ColorAccent != "#79F74D" || c.Branding.ColorPrimary != "#C35D7D" || !HasKind(w, WarnConflict) {
			t.Errorf("branding %+v warnings %v", c.Branding, w)
		}
	})
	t.Run("comments, quoting styles, block scalars and a document marker", func(t *testing.T) {
		data := edit(t,
			"client:\n", "---\n# header\nclient: # the tenant\n",
			`name: "Acme Travel"`, "name: >-\n    Acme\n    Travel",
			"currency: ZAR", "currency: 'zar' # rand",
		)
		c, _ := mustParse(t, data)
		if c.Name != "Acme Travel" || c.Settings.Currency != "ZAR" {
			t.Errorf("name %q currency %q", c.Name, c.Settings.Currency)
		}
	})
	t.Run("a tag forces text", func(t *testing.T) {
		c, _ := mustParse(t, edit(t, "short_name: acme-travel", "short_name: !!str 007"))
		if c.ShortName != "007" {
			t.Errorf("short name %q", c.ShortName)
		}
	})
	t.Run("an unknown key that differs only by case", func(t *testing.T) {
		_, w := mustParse(t, edit(t, "  website: https://www.acme.example\n", "  Website: https://www.acme.example\n"))
		if u := issueOf(t, w, WarnUnknownKey); !strings.Contains(u.Message, "did you mean client.website?") {
			t.Errorf("warning %q", u)
		}
	})
}

func TestParseNeverPanicsOnOddInput(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "\x00", "\xef\xbb\xbf", "\xff\xfe", "\xff\xfec\x00", "~", "null", "[]", "{}", "- - -", "client: ~", "client: [1, 2]",
		"client: {id: x}", "a: &a [*a]", "client: &c\n  id: x\n  <<: *c\n", "client:\n  <<: [*nope]\n", "? [a]\n: b\n",
		"client:\n  ? id\n  : acme\n", "\t", "client:\n  id: !!binary aGVsbG8=\n", "%YAML 1.1\n---\nclient: {}\n",
		"client: {<<: {<<: {<<: {id: x}}}}", strings.Repeat("[", 10000), strings.Repeat("a: ", 1000),
	} {
		_, _, _ = Parse("x/client.yaml", []byte(in))
	}
}

func TestParseErrorListsEveryReasonAndNoSecret(t *testing.T) {
	t.Parallel()
	const key = "eyJhbGciOiJIUzI1NiJ9.a-service-key.SIGNATURE"
	data := edit(t, "currency: ZAR", "currency: NO", "primary: support@acme.example", "primary: nobody",
		`url: "${SUPABASE_URL}"`, `url: "${SUPABASE_URL}"`+"\n    service_key: "+key)
	_, warnings, err := Parse("acme/client.yaml", data)
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{`acme/client.yaml:5: client.currency "NO"`, `acme/client.yaml:16: email.primary "nobody"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if !HasKind(warnings, WarnPlainSecret) {
		t.Errorf("a refused file's plain-text secrets are not reported: %v", warnings)
	}
	for _, s := range append([]string{msg}, func() (out []string) {
		for _, w := range warnings {
			out = append(out, w.String())
		}
		return out
	}()...) {
		if strings.Contains(s, "a-service-key") {
			t.Fatalf("secret in %q", s)
		}
	}
}
