// Package legacy reads the tenant tree the old platform wrote
// (clients/{tenant_id}/client.yaml and prompts/*.txt) into normalised
// clients, and writes a client back in that layout. Reading is tolerant and
// reports everything it had to fix or skip; writing is strict and never
// writes a secret's value. Importer, Exporter and Drifter move clients
// between a tree and the registry through the Store this package defines
// (internal/store implements it); the package itself opens no database.
package legacy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// Client is one tenant as read from its folder, normalised to the rules of
// the registry: every value in it can be written to Postgres as it is.
type Client struct {
	ID        string // tenants.id
	Name      string // tenants.name
	ShortName string // tenants.short_name

	// Settings and Branding carry the row values; their UpdatedAt, UpdatedBy
	// and Version are left zero for the writer to fill.
	Settings tenant.Settings
	Branding tenant.Branding

	// Prompts are prompts/*.txt: Name is the file name without .txt, Body
	// the text without BOM and with LF line ends. Sorted by name.
	Prompts []tenant.Prompt

	// Secrets holds the credentials present in the file, in secrets.Names
	// order, at most one per name.
	Secrets []Secret

	// Extra lists the keys the console does not know (features:,
	// legacy_crm_id, …). Their values are not kept: they may be secrets.
	Extra []ExtraKey

	// Lines maps a field's path in the standard layout (see Fields and
	// SecretPaths) to its line in client.yaml, for fields read from the
	// file. A value read from a variant place (branding.colors.primary) is
	// listed under the standard path with the line it was read from.
	Lines map[string]int
}

// Secret is one credential: either a reference to an environment variable
// (EnvRef, kept as it is) or a value that was in the file in plain text
// (Value, to be encrypted). A Secret built from the database for an export
// may have neither: Marshal writes a placeholder for it.
type Secret struct {
	Name   string        // one of secrets.Names
	EnvRef string        // "${NAME}" when the file held a reference
	Value  secrets.Value // the plain-text value otherwise
	Line   int           // line in client.yaml; 0 when not read from a file
}

// IsEnvRef reports whether s is kept as an environment reference.
func (s Secret) IsEnvRef() bool { return s.EnvRef != "" }

// IsPlainText reports whether the file held the secret's value itself.
func (s Secret) IsPlainText() bool { return s.EnvRef == "" && !s.Value.IsZero() }

// ExtraKey is a key of client.yaml the console does not import.
type ExtraKey struct {
	Path string // e.g. "client.legacy_crm_id", "features"
	Line int
}

// Secret returns the credential called name.
func (c *Client) Secret(name string) (Secret, bool) {
	i := slices.IndexFunc(c.Secrets, func(s Secret) bool { return s.Name == name })
	if i < 0 {
		return Secret{}, false
	}
	return c.Secrets[i], true
}

// PlainTextSecrets lists the names of the secrets the file held in plain
// text: they are exposed and should be rotated.
func (c *Client) PlainTextSecrets() []string {
	var names []string
	for _, s := range c.Secrets {
		if s.IsPlainText() {
			names = append(names, s.Name)
		}
	}
	return names
}

// HasPlainTextSecrets reports whether any secret was in plain text.
func (c *Client) HasPlainTextSecrets() bool { return len(c.PlainTextSecrets()) > 0 }

// Prompt returns the prompt called name.
func (c *Client) Prompt(name string) (tenant.Prompt, bool) {
	i := slices.IndexFunc(c.Prompts, func(p tenant.Prompt) bool { return p.Name == name })
	if i < 0 {
		return tenant.Prompt{}, false
	}
	return c.Prompts[i], true
}

// SecretPaths maps each credential to its path in the standard layout.
var SecretPaths = map[string]string{
	secrets.NameSupabaseURL:        "infrastructure.supabase.url",
	secrets.NameSupabaseAnonKey:    "infrastructure.supabase.anon_key",
	secrets.NameSupabaseServiceKey: "infrastructure.supabase.service_key",
	secrets.NameSendgridAPIKey:     "infrastructure.sendgrid.api_key",
}

// Placeholder is the ${ENV} reference Marshal writes for a secret that was
// not a reference: ${TENANT_<ID>_<NAME>}, e.g.
// ${TENANT_TN_1F3A9C0B_K3XQ_SUPABASE_SERVICE_KEY}. It is stable, so an
// export written twice is identical and an importer can recognise its own
// placeholders (see IsPlaceholder).
func Placeholder(tenantID, name string) string {
	var b strings.Builder
	b.WriteString("${TENANT_")
	for _, r := range strings.ToUpper(tenantID + "_" + name) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	b.WriteString("}")
	return b.String()
}

// IsPlaceholder reports whether s is the placeholder an export wrote for
// the tenant's secret: re-importing an exported file must keep the stored
// value instead of replacing it by this reference.
func (s Secret) IsPlaceholder(tenantID string) bool {
	return s.EnvRef != "" && s.EnvRef == Placeholder(tenantID, s.Name)
}

// Field is one imported value: where it lives in client.yaml and which
// column it fills. Drift and reports compare clients field by field with it.
type Field struct {
	Path   string // standard layout path, e.g. "branding.primary_color"
	Column string // table.column, e.g. "tenant_branding.color_primary"
	Get    func(*Client) string
}

// Fields lists every non-secret value of a client, in file order.
var Fields = []Field{
	{"client.id", "tenants.id", func(c *Client) string { return c.ID }},
	{"client.name", "tenants.name", func(c *Client) string { return c.Name }},
	{"client.short_name", "tenants.short_name", func(c *Client) string { return c.ShortName }},
	{"client.currency", "tenant_settings.currency", func(c *Client) string { return c.Settings.Currency }},
	{"client.timezone", "tenant_settings.timezone", func(c *Client) string { return c.Settings.Timezone }},
	{"client.support_phone", "tenant_settings.support_phone", func(c *Client) string { return c.Settings.SupportPhone }},
	{"client.website", "tenant_settings.website", func(c *Client) string { return c.Settings.Website }},
	{"branding.company_name", "tenant_settings.company_name", func(c *Client) string { return c.Settings.CompanyName }},
	{"branding.theme_id", "tenant_branding.preset_theme", func(c *Client) string { return c.Branding.PresetTheme }},
	{"branding.logo_url", "tenant_branding.logo_url", func(c *Client) string { return c.Branding.LogoURL }},
	{"branding.primary_color", "tenant_branding.color_primary", func(c *Client) string { return c.Branding.ColorPrimary }},
	{"branding.secondary_color", "tenant_branding.color_secondary", func(c *Client) string { return c.Branding.ColorSecondary }},
	{"branding.accent_color", "tenant_branding.color_accent", func(c *Client) string { return c.Branding.ColorAccent }},
	{"email.primary", "tenant_settings.support_email", func(c *Client) string { return c.Settings.SupportEmail }},
	{"email.sendgrid.from_name", "tenant_settings.email_from_name", func(c *Client) string { return c.Settings.EmailFromName }},
	{"email.sendgrid.from_email", "tenant_settings.email_from_email", func(c *Client) string { return c.Settings.EmailFromEmail }},
}

// maxNameLen is the registry's limit on tenants.name (a CHECK), for the
// importer's own messages; tenant.FieldTenantName enforces it.
const maxNameLen = 200

// Validate checks c against the rules of the registry — for every value,
// the field rule of its column (tenant.FieldForColumn), which must accept
// it unchanged: what Parse returns always passes, and Marshal and the
// importer refuse a client that does not. The errors name fields and
// quote values, never a secret's.
func (c *Client) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	for _, f := range Fields {
		rule, ok := tenant.FieldForColumn(f.Column)
		if !ok {
			bad(f.Path, "has no field rule for %s", f.Column)
			continue
		}
		v := f.Get(c)
		switch clean, msg := rule.Clean(v); {
		case msg != "":
			bad(f.Path, "%s is refused: %s", quote(v), msg)
		case clean != v:
			bad(f.Path, "%s is not in its normal form %s", quote(v), quote(clean))
		}
	}
	seen := map[string]bool{}
	for _, p := range c.Prompts {
		if name, ok := tenant.FieldPromptName.OK(p.Name); !ok || name != p.Name || seen[p.Name] {
			bad("prompts", "%q is not a valid or unique prompt name", p.Name)
		}
		if !tenant.Storable(p.Body) {
			bad("prompts", "%s.txt holds a NUL character or invalid UTF-8, which the database cannot store", p.Name)
		}
		seen[p.Name] = true
	}
	seen = map[string]bool{}
	for _, sec := range c.Secrets {
		switch {
		case !slices.Contains(secrets.Names, sec.Name) || seen[sec.Name]:
			bad("secrets", "%q is not a known or unique secret name", sec.Name)
		case sec.EnvRef != "" && !validEnvRef(sec.EnvRef):
			bad(SecretPaths[sec.Name], "the reference is not of the form ${NAME}")
		case sec.EnvRef != "" && !sec.Value.IsZero():
			bad(SecretPaths[sec.Name], "holds both a reference and a value")
		case strings.ContainsFunc(sec.Value.Reveal(), unicode.IsControl) || !utf8.ValidString(sec.Value.Reveal()):
			bad(SecretPaths[sec.Name], "the value holds control characters or invalid UTF-8")
		}
		seen[sec.Name] = true
	}
	return errors.Join(errs...)
}

func httpsPrefixed(s string) bool { return s == "" || strings.HasPrefix(s, "https://") }

func validEnvRef(ref string) bool {
	v, ok := tenant.FieldEnvRef.OK(ref)
	return ok && v == ref
}
