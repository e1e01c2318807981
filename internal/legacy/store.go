package legacy

import (
	"context"

	"github.com/tenant-console/console/internal/tenant"
)

// Store is the persistence import, export and drift need; internal/store
// implements it over Postgres. Reads of a missing tenant return
// apperr.ErrNotFound.
type Store interface {
	// LoadTenant returns everything of a tenant that a client.yaml and its
	// prompts describe, with its secret rows (ciphertext, never a value).
	LoadTenant(ctx context.Context, id string) (Stored, error)
	// ShortNameHolder returns the id of the tenant (of any status) whose
	// short name is shortName, or apperr.ErrNotFound when it is free.
	ShortNameHolder(ctx context.Context, shortName string) (string, error)
	// Existing returns which of ids are tenants and which of shortNames
	// tenants hold (of any status), in one read: what lets an import write
	// a folder that is clearly new without reading it first.
	Existing(ctx context.Context, ids, shortNames []string) (Existing, error)
	// CreateImported writes a new tenant with its settings, branding,
	// prompts and secrets, and ev, in one transaction. A short name already
	// used gives an error matching tenant.ErrShortNameTaken, an id already
	// used one matching apperr.ErrConflict.
	CreateImported(ctx context.Context, rec tenant.Record, secrets []tenant.SealedSecret, ev tenant.AuditEvent) error
	// UpdateImported writes u and ev in one transaction. A row changed since
	// it was loaded (its version moved) gives apperr.ErrConflict and writes
	// nothing.
	UpdateImported(ctx context.Context, u Update, ev tenant.AuditEvent) error
	// ActiveTenantIDs lists the ids of the active tenants, sorted.
	ActiveTenantIDs(ctx context.Context) ([]string, error)
}

// Existing is what the database held of a tree's ids and short names when
// the import began. It is a hint, never a decision: a tenant created or a
// short name taken since then is refused by the database's constraints when
// the folder is written, and the folder is decided again.
type Existing struct {
	IDs        map[string]bool // tenant ids found; never nil when read
	ShortNames map[string]bool // short names some tenant holds
}

// clearlyNew reports whether neither c's id nor its short name was found.
// A zero Existing (the read failed) finds nothing clearly new.
func (e Existing) clearlyNew(c *Client) bool {
	return e.IDs != nil && !e.IDs[c.ID] && !e.ShortNames[c.ShortName]
}

// Stored is a tenant as the database holds it, in the terms of a legacy
// folder: the registry row, settings, branding, prompts and secret rows.
type Stored struct {
	Record      tenant.Record
	HasSettings bool // false when the tenant has no tenant_settings row
	HasBranding bool // false when the tenant has no tenant_branding row
	Secrets     []tenant.SealedSecret
}

// Secret returns the stored row of the credential called name.
func (s Stored) Secret(name string) (tenant.SealedSecret, bool) {
	for _, sec := range s.Secrets {
		if sec.Name == name {
			return sec, true
		}
	}
	return tenant.SealedSecret{}, false
}

// Prompt returns the stored prompt called name.
func (s Stored) Prompt(name string) (tenant.Prompt, bool) {
	for _, p := range s.Record.Prompts {
		if p.Name == name {
			return p, true
		}
	}
	return tenant.Prompt{}, false
}

// Update is what an import with --update writes for an existing tenant: the
// rows that changed, whole, with the versions they were loaded at.
type Update struct {
	// Record is the tenant as it should be. Its Tenant.Version,
	// Settings.Version and Branding.Version are those loaded, so that a
	// concurrent change is detected instead of overwritten.
	Record tenant.Record
	// Which one-row parts to write.
	Tenant, Settings, Branding bool
	// Prompts to insert or replace (others are left alone).
	Prompts []tenant.Prompt
	// Secrets to insert or replace (others are left alone).
	Secrets []tenant.SealedSecret
	// By is who makes the change (updated_by).
	By string
}

// Empty reports whether u writes nothing.
func (u Update) Empty() bool {
	return !u.Tenant && !u.Settings && !u.Branding && len(u.Prompts) == 0 && len(u.Secrets) == 0
}

// Keyring seals new secret values and opens stored ones to compare them;
// *secrets.Keyring is one.
type Keyring interface {
	tenant.Sealer
	Open(ciphertext []byte, keyID string, aad []byte) ([]byte, error)
}
