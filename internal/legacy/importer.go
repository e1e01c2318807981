package legacy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// Importer brings a legacy tree into the registry: one transaction per
// tenant, idempotent, never overwriting an existing tenant unless Update is
// set. A folder that cannot be imported is reported and the others go on.
type Importer struct {
	Store   Store
	Keyring Keyring
	// Actor is who imports: created_by, updated_by and the audit trail.
	// The CLI uses tenant.System("cli:import-yaml").
	Actor tenant.Actor
	// DryRun decides and reports everything but writes nothing.
	DryRun bool
	// Update writes the differences of tenants that already exist.
	Update bool
	// Progress, when set, is called before each folder and once at the end
	// (with done == total and folder "").
	Progress func(done, total int, folder string)
	// Log, when set, gets one line per folder that failed.
	Log *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// ImportDir reads dir (see ReadTree) and imports it. The error is only for
// a dir that cannot be read at all; folder problems are in the report.
func (im *Importer) ImportDir(ctx context.Context, dir string) (*Report, error) {
	tree, err := ReadTree(dir)
	if err != nil {
		return nil, err
	}
	rep := im.Import(ctx, tree)
	rep.Dir = dir
	return rep, nil
}

// Import imports every folder of tree and reports what became of each.
func (im *Importer) Import(ctx context.Context, tree Tree) *Report {
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	start := now()
	rep := &Report{DryRun: im.DryRun, Update: im.Update, StartedAt: start.UTC()}
	total := len(tree.Results)
	for i, r := range tree.Results {
		if im.Progress != nil {
			im.Progress(i, total, r.Folder)
		}
		fr := im.folder(ctx, r)
		if fr.Status == StatusFailed && im.Log != nil {
			im.Log.WarnContext(ctx, "import: folder failed", slog.String("folder", r.Folder), slog.String("error", fr.Error))
		}
		rep.Folders = append(rep.Folders, fr)
	}
	if im.Progress != nil {
		im.Progress(total, total, "")
	}
	rep.Duration = now().Sub(start)
	rep.finish()
	return rep
}

// folder decides and does what one folder asks for.
func (im *Importer) folder(ctx context.Context, r Result) FolderReport {
	fr := FolderReport{Folder: r.Folder, File: r.File, TenantID: r.ID, Warnings: r.Warnings, Reasons: r.Reasons}
	if r.Skipped() {
		fr.Status = StatusSkipped
		return fr
	}
	c := r.Client
	fr.TenantID = c.ID
	fr.PlainTextSecrets = c.PlainTextSecrets()
	for _, x := range c.Extra {
		fr.ExtraKeys = append(fr.ExtraKeys, extraKey(x))
	}
	if err := ctx.Err(); err != nil {
		return fr.failed(fmt.Errorf("not imported: the run was interrupted (%w)", err))
	}

	st, err := im.Store.LoadTenant(ctx, c.ID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return im.create(ctx, fr, r, c)
	case err != nil:
		return fr.failed(err)
	}

	d, err := compare(c, st, im.Keyring)
	if err != nil {
		return fr.failed(err)
	}
	fr.Changes, fr.Kept = d.changes, d.kept
	switch {
	case d.empty():
		fr.Status = StatusUnchanged
		return fr
	case !im.Update:
		fr.Status = StatusDiffers
		return fr
	}
	if d.tenant && c.ShortName != st.Record.Tenant.ShortName {
		if reason, taken, err := im.shortNameTaken(ctx, fr, c); err != nil {
			return fr.failed(err)
		} else if taken {
			return fr.skipped(reason)
		}
	}
	if im.DryRun {
		fr.Status = StatusUpdated
		return fr
	}
	u, err := d.apply(c, st, im.Keyring, im.Actor.Email)
	if err != nil {
		return fr.failed(err)
	}
	ev := tenant.NewAuditEvent(im.Actor, c.ID, tenant.ActionTenantUpdated)
	ev.Before, ev.After = auditChanges(d, st, u)
	err = im.Store.UpdateImported(ctx, u, ev)
	switch {
	case errors.Is(err, tenant.ErrShortNameTaken):
		return fr.skipped(im.takenReason(fr, c, ""))
	case errors.Is(err, apperr.ErrConflict):
		return fr.failed(fmt.Errorf("the tenant changed in the database while it was being imported; run the import again: %w", err))
	case err != nil:
		return fr.failed(err)
	}
	fr.Status = StatusUpdated
	return fr
}

func (im *Importer) create(ctx context.Context, fr FolderReport, r Result, c *Client) FolderReport {
	if reason, taken, err := im.shortNameTaken(ctx, fr, c); err != nil {
		return fr.failed(err)
	} else if taken {
		return fr.skipped(reason)
	}
	if im.DryRun {
		fr.Status = StatusCreated
		return fr
	}
	by := im.Actor.Email
	rec := tenant.Record{
		Tenant: tenant.Tenant{
			ID: c.ID, Name: c.Name, ShortName: c.ShortName, Status: tenant.StatusActive,
			Plan: tenant.PlanLite, Quotas: tenant.DefaultQuotas(tenant.PlanLite),
			CreatedBy: by, Source: tenant.SourceYAMLImport, Version: 1,
		},
		Settings: c.Settings,
		Branding: c.Branding,
		Prompts:  c.Prompts,
	}
	rec.Settings.UpdatedBy, rec.Branding.UpdatedBy = by, by
	var sealed []tenant.SealedSecret
	for _, s := range c.Secrets {
		row, err := sealClientSecret(im.Keyring, c.ID, s)
		if err != nil {
			return fr.failed(err)
		}
		row.UpdatedBy = by
		sealed = append(sealed, row)
	}
	err := im.Store.CreateImported(ctx, rec, sealed, auditImported(im.Actor, rec, sealed, r))
	switch {
	case errors.Is(err, tenant.ErrShortNameTaken):
		return fr.skipped(im.takenReason(fr, c, ""))
	case err != nil:
		return fr.failed(err)
	}
	fr.Status = StatusCreated
	return fr
}

// shortNameTaken reports whether another tenant already holds c's short
// name; the registry keeps short names unique, and the importer does not
// invent another one.
func (im *Importer) shortNameTaken(ctx context.Context, fr FolderReport, c *Client) (Issue, bool, error) {
	holder, err := im.Store.ShortNameHolder(ctx, c.ShortName)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return Issue{}, false, nil
	case err != nil:
		return Issue{}, false, err
	case holder == c.ID:
		return Issue{}, false, nil
	}
	return im.takenReason(fr, c, holder), true, nil
}

func (im *Importer) takenReason(fr FolderReport, c *Client, holder string) Issue {
	who := "another tenant"
	if holder != "" {
		who = fmt.Sprintf("the tenant %q", holder)
	}
	return Issue{Kind: SkipShortNameTaken, File: fr.File, Line: c.Lines["client.short_name"], Field: "client.short_name",
		Message: fmt.Sprintf("short name %q is already used by %s in the database; give this tenant another client.short_name", c.ShortName, who)}
}

// auditImported records what an import created: every field, the prompts
// by name and the secrets by name, kind and key id — never a value.
func auditImported(actor tenant.Actor, rec tenant.Record, sealed []tenant.SealedSecret, r Result) tenant.AuditEvent {
	t, s, b := rec.Tenant, rec.Settings, rec.Branding
	ev := tenant.NewAuditEvent(actor, t.ID, tenant.ActionTenantImported)
	prompts := make([]string, 0, len(rec.Prompts))
	for _, p := range rec.Prompts {
		prompts = append(prompts, p.Name)
	}
	secs := map[string]any{}
	for _, sec := range sealed {
		secs[sec.Name] = sec.AuditValue()
	}
	ev.After = map[string]any{
		"name": t.Name, "short_name": t.ShortName, "status": string(t.Status), "plan": string(t.Plan),
		"max_users": t.Quotas.MaxUsers, "max_monthly_quotes": t.Quotas.MaxMonthlyQuotes,
		"max_storage_gb": t.Quotas.MaxStorageGB, "source": string(t.Source),
		"company_name": s.CompanyName, "support_email": s.SupportEmail, "support_phone": s.SupportPhone,
		"website": s.Website, "currency": s.Currency, "timezone": s.Timezone,
		"email_from_name": s.EmailFromName, "email_from_email": s.EmailFromEmail,
		"preset_theme": b.PresetTheme, "logo_url": b.LogoURL, "color_primary": b.ColorPrimary,
		"color_secondary": b.ColorSecondary, "color_accent": b.ColorAccent,
		"prompts": prompts, "secrets": secs, "source_file": r.File, "warnings": len(r.Warnings),
	}
	return ev
}
