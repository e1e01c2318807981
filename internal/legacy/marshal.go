package legacy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/tenant-console/console/internal/secrets"
)

// header opens every file Marshal writes. No timestamp: exporting an
// unchanged tenant twice must give the same bytes.
const header = `# Written by the tenant console (export-yaml). The database is the source of
# truth: change this tenant in the console, not here. Secrets are ${ENV}
# references; their values are never written to this file.
`

// Marshal writes c as a client.yaml in the legacy layout. It refuses a
// client that breaks the registry's rules (see Validate). Secrets are
// written only as ${ENV} references: the original reference when there was
// one, else Placeholder(c.ID, name); never a value. Extra keys and prompts
// are not part of client.yaml. Parse(Marshal(c)) gives c back, with every
// secret as its reference.
func Marshal(c Client) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("legacy: marshal %s: %w", c.ID, err)
	}
	var b bytes.Buffer
	w := func(indent int, key, value string) {
		fmt.Fprintf(&b, "%s%s: %s\n", strings.Repeat("  ", indent), key, value)
	}
	section := func(indent int, key string) {
		fmt.Fprintf(&b, "%s%s:\n", strings.Repeat("  ", indent), key)
	}
	optional := func(indent int, key, value string) {
		if value != "" {
			w(indent, key, plainOrQuoted(value))
		}
	}
	s, br := c.Settings, c.Branding

	b.WriteString(header)
	section(0, "client")
	w(1, "id", plainOrQuoted(c.ID))
	w(1, "name", quoted(c.Name))
	w(1, "short_name", plainOrQuoted(c.ShortName))
	w(1, "currency", plainOrQuoted(s.Currency))
	w(1, "timezone", plainOrQuoted(s.Timezone))
	if s.SupportPhone != "" {
		w(1, "support_phone", quoted(s.SupportPhone))
	}
	optional(1, "website", s.Website)

	section(0, "branding")
	w(1, "company_name", quoted(s.CompanyName))
	w(1, "theme_id", plainOrQuoted(br.PresetTheme))
	optional(1, "logo_url", br.LogoURL)
	w(1, "primary_color", quoted(br.ColorPrimary))
	w(1, "secondary_color", quoted(br.ColorSecondary))
	w(1, "accent_color", quoted(br.ColorAccent))

	section(0, "email")
	w(1, "primary", plainOrQuoted(s.SupportEmail))
	section(1, "sendgrid")
	w(2, "from_name", quoted(s.EmailFromName))
	w(2, "from_email", plainOrQuoted(s.EmailFromEmail))

	ref := func(name string) (string, bool) {
		sec, ok := c.Secret(name)
		if !ok {
			return "", false
		}
		if sec.EnvRef != "" {
			return quoted(sec.EnvRef), true
		}
		return quoted(Placeholder(c.ID, name)), true
	}
	url, hasURL := ref(secrets.NameSupabaseURL)
	anon, hasAnon := ref(secrets.NameSupabaseAnonKey)
	service, hasService := ref(secrets.NameSupabaseServiceKey)
	sendgrid, hasSendgrid := ref(secrets.NameSendgridAPIKey)
	if hasURL || hasAnon || hasService || hasSendgrid {
		section(0, "infrastructure")
	}
	if hasURL || hasAnon || hasService {
		section(1, "supabase")
		if hasURL {
			w(2, "url", url)
		}
		if hasAnon {
			w(2, "anon_key", anon)
		}
		if hasService {
			w(2, "service_key", service)
		}
	}
	if hasSendgrid {
		section(1, "sendgrid")
		w(2, "api_key", sendgrid)
	}
	return b.Bytes(), nil
}

var (
	plainWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_./@+-]*$`)
	plainURL  = regexp.MustCompile(`^https://[A-Za-z0-9._~/?=&%+:@-]+$`)
	// Words some YAML reader (1.1 or 1.2) takes for a boolean or null.
	yamlKeywords = map[string]bool{
		"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true,
		"true": true, "false": true, "null": true,
	}
)

// plainOrQuoted writes s bare when every YAML reader, old (1.1) or new,
// reads it back as the same string (ids, codes, time zones, addresses),
// and double-quoted otherwise.
func plainOrQuoted(s string) string {
	if (plainWord.MatchString(s) || plainURL.MatchString(s) && !strings.HasSuffix(s, ":")) && !yamlKeywords[strings.ToLower(s)] {
		return s
	}
	return quoted(s)
}

// quoted writes s as a YAML double-quoted scalar. A JSON string is one, with
// the same escapes.
func quoted(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
