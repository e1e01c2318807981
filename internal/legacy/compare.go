package legacy

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/secrets"
	"github.com/tenant-console/console/internal/tenant"
)

// FromStored is the client a tenant's rows describe: what an export writes.
// Secrets keep their reference; an encrypted one has neither reference nor
// value, so Marshal writes its Placeholder. Nothing is decrypted.
func FromStored(st Stored) Client {
	r := st.Record
	c := Client{
		ID:        r.Tenant.ID,
		Name:      r.Tenant.Name,
		ShortName: r.Tenant.ShortName,
		Settings:  bareSettings(r.Settings),
		Branding:  bareBranding(r.Branding),
	}
	for _, p := range r.Prompts {
		c.Prompts = append(c.Prompts, tenant.Prompt{Name: p.Name, Body: p.Body})
	}
	for _, name := range secrets.Names {
		if s, ok := st.Secret(name); ok {
			sec := Secret{Name: name}
			if s.Kind == tenant.SecretEnvRef {
				sec.EnvRef = s.EnvRef
			}
			c.Secrets = append(c.Secrets, sec)
		}
	}
	return c
}

// bareSettings keeps the values a client.yaml carries, dropping who and when.
func bareSettings(s tenant.Settings) tenant.Settings {
	s.UpdatedAt, s.UpdatedBy, s.Version = time.Time{}, "", 0
	return s
}

func bareBranding(b tenant.Branding) tenant.Branding {
	b.UpdatedAt, b.UpdatedBy, b.Version = time.Time{}, "", 0
	return b
}

// Change is one difference between a folder and the database. Secret
// values never appear in it: for a secret, Tree and Database say what kind
// of value each side holds.
type Change struct {
	Field    string `json:"field"`    // client.yaml path, or prompts/NAME.txt
	Column   string `json:"column"`   // table.column it fills
	Tree     string `json:"tree"`     // the value in the folder
	Database string `json:"database"` // the value in the database
	Secret   bool   `json:"secret,omitempty"`
	Line     int    `json:"line,omitempty"` // line in client.yaml, when known
}

// String is the change as one report line.
func (c Change) String() string {
	if c.Secret {
		return fmt.Sprintf("%s: differs (tree: %s; database: %s)", c.Field, c.Tree, c.Database)
	}
	return fmt.Sprintf("%s: tree %s, database %s", c.Field, show(c.Tree), show(c.Database))
}

func show(s string) string {
	if s == absent {
		return s
	}
	return quote(s)
}

// absent stands for a value one side does not have at all.
const absent = "(none)"

// diff is how a folder's client differs from the stored tenant.
type diff struct {
	changes []Change // what an update would write
	kept    []Change // only in the database: an import never deletes
	// what an update writes, by part
	tenant, settings, branding bool
	prompts                    []tenant.Prompt
	secrets                    []Secret // the folder's secrets that differ
}

func (d *diff) empty() bool { return len(d.changes) == 0 }

// compare returns how c differs from st. Secrets given as values are
// compared with the stored ciphertext opened in memory; an export's
// placeholder for the tenant's own secret means "keep the stored one".
func compare(c *Client, st Stored, kr Keyring) (*diff, error) {
	d := &diff{}
	db := FromStored(st)
	for _, f := range Fields {
		tree, base := f.Get(c), f.Get(&db)
		if part := strings.SplitN(f.Column, ".", 2)[0]; part == "tenant_settings" && !st.HasSettings ||
			part == "tenant_branding" && !st.HasBranding {
			base = absent
		}
		if tree == base {
			continue
		}
		d.changes = append(d.changes, Change{Field: f.Path, Column: f.Column, Tree: tree, Database: base, Line: c.Lines[f.Path]})
		switch strings.SplitN(f.Column, ".", 2)[0] {
		case "tenants":
			d.tenant = true
		case "tenant_settings":
			d.settings = true
		case "tenant_branding":
			d.branding = true
		}
	}

	for _, p := range c.Prompts {
		field := "prompts/" + p.Name + ".txt"
		stored, ok := st.Prompt(p.Name)
		switch {
		case !ok:
			d.changes = append(d.changes, Change{Field: field, Column: "tenant_prompts.body", Tree: describeText(p.Body), Database: absent})
		case stored.Body != p.Body:
			d.changes = append(d.changes, Change{Field: field, Column: "tenant_prompts.body", Tree: describeText(p.Body), Database: describeText(stored.Body)})
		default:
			continue
		}
		d.prompts = append(d.prompts, p)
	}
	for _, p := range st.Record.Prompts {
		if _, ok := c.Prompt(p.Name); !ok {
			d.kept = append(d.kept, Change{Field: "prompts/" + p.Name + ".txt", Column: "tenant_prompts.body", Tree: absent, Database: describeText(p.Body)})
		}
	}

	for _, s := range c.Secrets {
		stored, ok := st.Secret(s.Name)
		same := false
		if ok {
			var err error
			if same, err = sameSecret(c.ID, s, stored, kr); err != nil {
				return nil, err
			}
		}
		if same || s.IsPlaceholder(c.ID) && ok {
			continue
		}
		dbSide := absent
		if ok {
			dbSide = describeStored(stored)
		}
		d.changes = append(d.changes, Change{Field: SecretPaths[s.Name], Column: "tenant_secrets." + s.Name,
			Tree: describeTree(s), Database: dbSide, Secret: true, Line: s.Line})
		d.secrets = append(d.secrets, s)
	}
	for _, stored := range st.Secrets {
		if _, ok := c.Secret(stored.Name); !ok {
			d.kept = append(d.kept, Change{Field: SecretPaths[stored.Name], Column: "tenant_secrets." + stored.Name,
				Tree: absent, Database: describeStored(stored), Secret: true})
		}
	}
	return d, nil
}

// sameSecret reports whether the folder's secret s is what the database
// holds. A value is compared with the opened ciphertext; the plain text is
// wiped after the comparison.
func sameSecret(tenantID string, s Secret, stored tenant.SealedSecret, kr Keyring) (bool, error) {
	switch {
	case s.EnvRef != "":
		return stored.Kind == tenant.SecretEnvRef && stored.EnvRef == s.EnvRef, nil
	case stored.Kind != tenant.SecretEncrypted:
		return false, nil
	}
	plain, err := kr.Open(stored.Ciphertext, stored.KeyID, secrets.AAD(tenantID, s.Name))
	if err != nil {
		return false, fmt.Errorf("compare %s with the stored one: %w", s.Name, err)
	}
	defer clear(plain)
	return subtle.ConstantTimeCompare(plain, []byte(s.Value.Reveal())) == 1, nil
}

// describeTree says what kind of value the folder gives, never the value.
func describeTree(s Secret) string {
	if s.EnvRef != "" {
		return s.EnvRef
	}
	return "a plain-text value"
}

// describeStored says what kind of value the database holds, never the value.
func describeStored(s tenant.SealedSecret) string {
	if s.Kind == tenant.SecretEnvRef {
		return s.EnvRef
	}
	return "an encrypted value (key " + s.KeyID + ")"
}

// describeText sums up a prompt for a report: its size and first words.
func describeText(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return fmt.Sprintf("%d characters: %s", len([]rune(s)), quote(first))
}

// apply returns the update that makes st what c says, sealing the secrets
// that differ.
func (d *diff) apply(c *Client, st Stored, kr Keyring, by string) (Update, error) {
	rec := st.Record
	u := Update{Tenant: d.tenant, Settings: d.settings, Branding: d.branding, By: by, Prompts: slices.Clone(d.prompts)}
	rec.Tenant.Name, rec.Tenant.ShortName = c.Name, c.ShortName
	s := c.Settings
	s.UpdatedAt, s.UpdatedBy, s.Version = rec.Settings.UpdatedAt, by, rec.Settings.Version
	rec.Settings = s
	b := c.Branding
	b.UpdatedAt, b.UpdatedBy, b.Version = rec.Branding.UpdatedAt, by, rec.Branding.Version
	rec.Branding = b
	u.Record = rec
	for _, sec := range d.secrets {
		sealed, err := sealClientSecret(kr, c.ID, sec)
		if err != nil {
			return Update{}, err
		}
		sealed.UpdatedBy = by
		u.Secrets = append(u.Secrets, sealed)
	}
	return u, nil
}

// sealClientSecret is the row that stores a secret read from a folder.
func sealClientSecret(kr Keyring, tenantID string, s Secret) (tenant.SealedSecret, error) {
	if s.EnvRef != "" {
		return tenant.SealedSecret{Name: s.Name, Kind: tenant.SecretEnvRef, EnvRef: s.EnvRef}, nil
	}
	return tenant.SealSecret(kr, tenantID, s.Name, s.Value)
}

// auditChanges is the before/after of the changed fields, keyed by column
// name (color_primary, prompts.inbound, supabase_service_key). Secrets are
// named with their kind and key id, never valued.
func auditChanges(d *diff, st Stored, u Update) (before, after map[string]any) {
	before, after = map[string]any{}, map[string]any{}
	for _, ch := range d.changes {
		if ch.Secret || strings.HasPrefix(ch.Column, "tenant_prompts.") {
			continue
		}
		key := strings.SplitN(ch.Column, ".", 2)[1]
		if ch.Database == absent {
			before[key] = nil
		} else {
			before[key] = ch.Database
		}
		after[key] = ch.Tree
	}
	for _, p := range u.Prompts {
		key := "prompts." + p.Name
		if old, ok := st.Prompt(p.Name); ok {
			before[key] = old.Body
		} else {
			before[key] = nil
		}
		after[key] = p.Body
	}
	for _, s := range u.Secrets {
		if old, ok := st.Secret(s.Name); ok {
			before[s.Name] = old.AuditValue()
		} else {
			before[s.Name] = nil
		}
		after[s.Name] = s.AuditValue()
	}
	return before, after
}
