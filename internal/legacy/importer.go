package legacy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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
	return im.Import(ctx, tree), nil
}

// Import imports every folder of tree and reports what became of each.
func (im *Importer) Import(ctx context.Context, tree Tree) *Report {
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	start := now()
	rep := &Report{Dir: tree.Root, Notes: tree.Notes, DryRun: im.DryRun, Update: im.Update, StartedAt: start.UTC()}
	total := len(tree.Results)
	// A few folders at a time, each still its own transaction: the
	// workers' waits for the database overlap. Folders that race (the same
	// id or short name) are decided again like a race with another run.
	rep.Folders = make([]FolderReport, total)
	existing := im.existing(ctx, tree)
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range importWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				if i < total && im.Progress != nil {
					im.Progress(i, total, printable(tree.Results[i].Folder))
				}
				mu.Unlock()
				if i >= total {
					return
				}
				r := tree.Results[i]
				fr := im.folder(ctx, r, existing)
				if fr.Status == StatusFailed && im.Log != nil {
					im.Log.WarnContext(ctx, "import: folder failed", slog.String("folder", r.Folder), slog.String("error", fr.Error))
				}
				rep.Folders[i] = fr
			}
		}()
	}
	wg.Wait()
	if im.Progress != nil {
		im.Progress(total, total, "")
	}
	rep.Duration = now().Sub(start)
	rep.finish()
	return rep
}

// existing reads which of the tree's ids and short names the database
// already has, in one query. When that read fails, every folder is read
// before it is written, as if none were clearly new.
func (im *Importer) existing(ctx context.Context, tree Tree) Existing {
	var ids, shortNames []string
	for _, r := range tree.Results {
		if !r.Skipped() {
			ids, shortNames = append(ids, r.Client.ID), append(shortNames, r.Client.ShortName)
		}
	}
	if len(ids) == 0 {
		return Existing{}
	}
	e, err := im.Store.Existing(ctx, ids, shortNames)
	if err != nil {
		if im.Log != nil {
			im.Log.WarnContext(ctx, "import: could not read which tenants exist; reading each folder's tenant first", slog.String("error", err.Error()))
		}
		return Existing{}
	}
	return e
}

// importWorkers is how many folders are imported at a time.
const importWorkers = 4

// attempts bounds how often a folder is decided again after a write lost a
// race with another writer (a second import-yaml run, the console).
const attempts = 3

// folder decides and does what one folder asks for. A write that finds the
// tenant created or changed meanwhile is decided again from what the
// database now holds: two runs at once end with one creating the tenant
// and the other finding it unchanged, not failing.
func (im *Importer) folder(ctx context.Context, r Result, existing Existing) FolderReport {
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
	// Parse only returns clients that pass; this keeps a database error
	// from ever being the way a bad value is reported.
	if err := c.Validate(); err != nil {
		return fr.skipped(Issue{Kind: SkipInvalidField, File: r.File,
			Message: fmt.Sprintf("the registry would refuse this tenant (%v); fix the file and import again", err)})
	}
	var out FolderReport
	for i := range attempts {
		if err := ctx.Err(); err != nil {
			return fr.failed(fmt.Errorf("not imported: the run was interrupted (%w)", err))
		}
		var retry bool
		if i == 0 && existing.clearlyNew(c) {
			// Neither its id nor its short name was in the database when
			// the run began: written without reading first. A tenant or
			// short name that came since makes the write fail on the
			// database's constraints, and the folder is decided again.
			out, retry = im.create(ctx, fr, r, c)
		} else {
			out, retry = im.decide(ctx, fr, r, c)
		}
		if !retry {
			break
		}
	}
	return out
}

// decide compares one client with the database and writes what differs.
// retry is true when the write lost a race and the folder should be
// decided again.
func (im *Importer) decide(ctx context.Context, fr FolderReport, r Result, c *Client) (out FolderReport, retry bool) {
	st, err := im.Store.LoadTenant(ctx, c.ID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		if reason, taken, err := im.shortNameTaken(ctx, fr, c); err != nil {
			return fr.failed(err), false
		} else if taken {
			return fr.skipped(reason), false
		}
		return im.create(ctx, fr, r, c)
	case err != nil:
		return fr.failed(err), false
	}
	if t := st.Record.Tenant; t.Status == tenant.StatusDeleted {
		// A deleted tenant waits for its purge: an import neither revives
		// nor edits it behind the console's back.
		return fr.skipped(Issue{Kind: SkipTenantDeleted, File: fr.File, Line: c.Lines["client.id"], Field: "client.id",
			Message: fmt.Sprintf("the tenant %q is deleted in the database; an import does not change it (restore it in the console first if this folder is still wanted)", c.ID)}), false
	}

	d, err := compare(c, st, im.Keyring)
	if err != nil {
		return fr.failed(err), false
	}
	fr.Changes, fr.Kept = d.changes, d.kept
	switch {
	case d.empty():
		fr.Status = StatusUnchanged
		return fr, false
	case !im.Update:
		fr.Status = StatusDiffers
		return fr, false
	}
	if d.tenant && c.ShortName != st.Record.Tenant.ShortName {
		if reason, taken, err := im.shortNameTaken(ctx, fr, c); err != nil {
			return fr.failed(err), false
		} else if taken {
			return fr.skipped(reason), false
		}
	}
	if im.DryRun {
		fr.Status = StatusUpdated
		return fr, false
	}
	u, err := d.apply(c, st, im.Keyring, im.Actor.Email)
	if err != nil {
		return fr.failed(err), false
	}
	ev := tenant.NewAuditEvent(im.Actor, c.ID, tenant.ActionTenantUpdated)
	ev.Before, ev.After = auditChanges(d, st, u)
	err = im.Store.UpdateImported(ctx, u, ev)
	switch {
	case errors.Is(err, tenant.ErrShortNameTaken):
		return fr.skipped(im.takenReason(fr, c, "")), false
	case errors.Is(err, apperr.ErrConflict):
		return fr.failed(fmt.Errorf("the tenant changed in the database while it was being imported; run the import again: %w", err)), true
	case err != nil:
		return fr.failed(err), false
	}
	fr.Status = StatusUpdated
	return fr, false
}

// create writes c as a new tenant; the database refuses it when its id or
// short name is taken, and retry then says to decide again.
func (im *Importer) create(ctx context.Context, fr FolderReport, r Result, c *Client) (FolderReport, bool) {
	if im.DryRun {
		fr.Status = StatusCreated
		return fr, false
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
			return fr.failed(err), false
		}
		row.UpdatedBy = by
		sealed = append(sealed, row)
	}
	err := im.Store.CreateImported(ctx, rec, sealed, auditImported(im.Actor, rec, sealed, r))
	switch {
	case errors.Is(err, tenant.ErrShortNameTaken):
		// Taken meanwhile, by another tenant or by this very one created by
		// another run: deciding again tells which.
		return fr.skipped(im.takenReason(fr, c, "")), true
	case errors.Is(err, apperr.ErrConflict):
		return fr.failed(fmt.Errorf("the tenant was created in the database while it was being imported; run the import again: %w", err)), true
	case err != nil:
		return fr.failed(err), false
	}
	fr.Status = StatusCreated
	return fr, false
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
	ev := tenant.NewAuditEvent(actor, rec.Tenant.ID, tenant.ActionTenantImported)
	prompts := make([]string, 0, len(rec.Prompts))
	for _, p := range rec.Prompts {
		prompts = append(prompts, p.Name)
	}
	secs := map[string]any{}
	for _, sec := range sealed {
		secs[sec.Name] = sec.AuditValue()
	}
	ev.After = rec.AuditFields()
	ev.After["prompts"], ev.After["secrets"] = prompts, secs
	ev.After["source_file"], ev.After["warnings"] = r.File, len(r.Warnings)
	return ev
}
