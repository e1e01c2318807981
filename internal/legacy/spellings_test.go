package legacy

import "testing"

// Values written the way people paste them: read, with a warning.
func TestParseReadsCommonSpellings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, from, to string
		get            func(Client) string
		want           string
		warn           Kind
	}{
		{"support address with a display name", "primary: support@acme.example", `primary: "Acme Support <Support@Acme.example>"`,
			func(c Client) string { return c.Settings.SupportEmail }, "support@acme.example", WarnNormalized},
		{"mailto: link", "from_email: quotes@acme.example", "from_email: mailto:quotes@acme.example",
			func(c Client) string { return c.Settings.EmailFromEmail }, "quotes@acme.example", WarnNormalized},
		{"host with a path", "website: https://www.acme.example", "website: www.acme.example/en",
			func(c Client) string { return c.Settings.Website }, "https://www.acme.example/en", WarnInsecureURL},
		{"protocol-relative", "logo_url: https://cdn.acme.example/logo.png", `logo_url: "//cdn.acme.example/logo.png"`,
			func(c Client) string { return c.Branding.LogoURL }, "https://cdn.acme.example/logo.png", WarnInsecureURL},
		{"relative path is no host", "logo_url: https://cdn.acme.example/logo.png", "logo_url: ../img/logo.png",
			func(c Client) string { return c.Branding.LogoURL }, "", WarnInvalidURL},
		{"phone as a number", "  website: https://www.acme.example\n", "  website: https://www.acme.example\n  support_phone: 27138337686\n",
			func(c Client) string { return c.Settings.SupportPhone }, "27138337686", ""},
		{"phone with words", "  website: https://www.acme.example\n", "  website: https://www.acme.example\n  support_phone: call Mary on 011 000 0000\n",
			func(c Client) string { return c.Settings.SupportPhone }, "", WarnInvalidPhone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, w := mustParse(t, edit(t, tc.from, tc.to))
			if got := tc.get(c); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if tc.warn != "" && !HasKind(w, tc.warn) {
				t.Errorf("no %s warning in %v", tc.warn, w)
			}
		})
	}
}

func TestParseRefusesTwoSupportAddresses(t *testing.T) {
	t.Parallel()
	mustFail(t, edit(t, "primary: support@acme.example", `primary: "a@acme.example, b@acme.example"`), SkipInvalidField,
		`email.primary "a@acme.example, b@acme.example" is not an e-mail address`)
}

// The parser's terse messages come with what they usually mean.
func TestParseSyntaxErrorsSayWhatToCheck(t *testing.T) {
	t.Parallel()
	r := mustFail(t, edit(t, "  currency: ZAR", "    currency: ZAR"), SkipSyntax, "check this line and the one before")
	if r.Line != 4 {
		t.Errorf("reported at line %d: %q", r.Line, r)
	}
	// The parser notices lines later; the report points at the quote.
	if r := mustFail(t, edit(t, `name: "Acme Travel"`, `name: "Acme Travel`), SkipSyntax, "a quote opened on this line is never closed"); r.Line != 3 {
		t.Errorf("reported at line %d: %q", r.Line, r)
	}
}
