package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/tenant"
)

// Report is what a full reconcile changed.
type Report struct {
	Dir     string    `json:"dir"`
	Applied []Applied `json:"applied"`
	// Unchanged counts the tenants whose folder was already right.
	Unchanged int                    `json:"unchanged"`
	Failed    []legacy.ExportFailure `json:"failed,omitempty"`
	Duration  time.Duration          `json:"-"`
}

// OK reports whether every tenant's folder was brought in line.
func (r *Report) OK() bool { return len(r.Failed) == 0 }

// Reconcile makes the whole directory what export-yaml writes for the
// database as it is now: a folder for every active tenant, in .removed a
// folder for every suspended or deleted tenant that had one, nothing else
// (a folder that is no tenant's is removed). It creates the directory when
// needed. A tenant that fails is reported and the others go on.
//
// The list of tenants only says which folders to visit: each one is
// brought in line from a fresh read under its lock (SyncTenant), so a
// reconcile may run beside announced changes without undoing one.
func (m *Mirror) Reconcile(ctx context.Context) (*Report, error) {
	start := time.Now()
	if err := os.MkdirAll(m.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	if err := m.clearLeftovers(); err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	statuses, err := m.Store.TenantStatuses(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	rep := &Report{Dir: m.Dir, Applied: []Applied{}}
	known := make(map[string]TenantStatus, len(statuses))
	for i, ts := range statuses {
		known[ts.ID] = ts
		if m.Progress != nil {
			m.Progress(i, len(statuses), ts.ID)
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if ts.Status != tenant.StatusActive && !m.onDisk(ts.ID) {
			rep.Unchanged++ // never live, or left and gone: nothing to write
			continue
		}
		a, err := m.SyncTenant(ctx, ts.ID)
		rep.add(ts.ID, a, err)
	}
	if m.Progress != nil {
		m.Progress(len(statuses), len(statuses), "")
	}
	if err := m.clearUnknown(ctx, known, rep); err != nil {
		return rep, err
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func (r *Report) add(id string, a *Applied, err error) {
	switch {
	case err != nil:
		r.Failed = append(r.Failed, legacy.ExportFailure{TenantID: id, Error: err.Error()})
	case a != nil:
		r.Applied = append(r.Applied, *a)
	default:
		r.Unchanged++
	}
}

func (m *Mirror) onDisk(id string) bool {
	return exists(filepath.Join(m.Dir, id)) || exists(filepath.Join(m.Dir, RemovedDir, id))
}

// clearLeftovers removes what an interrupted write left beside the tenant
// folders (a folder half built, one half removed). No write is in flight
// meanwhile: their hidden names would look like leftovers.
func (m *Mirror) clearLeftovers() error {
	m.tree.Lock()
	defer m.tree.Unlock()
	for _, dir := range []string{m.Dir, filepath.Join(m.Dir, RemovedDir)} {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), tempPrefix) {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// clearUnknown visits what is in the tree and not in the list of tenants
// read at the start: loose files, folders of purged or unknown tenants,
// folders in .removed whose tenant the list says is active. Each is
// checked afresh (a tenant onboarded since the list was read keeps its
// folder). Other hidden entries (.git, say) are left alone.
func (m *Mirror) clearUnknown(ctx context.Context, known map[string]TenantStatus, rep *Report) error {
	visit := func(name string) {
		if tenant.ValidID(name) {
			a, err := m.SyncTenant(ctx, name)
			rep.add(name, a, err)
			return
		}
		a, err := m.drop(name, "no such tenant in the database")
		rep.add(name, a, err)
	}
	entries, err := os.ReadDir(m.Dir)
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
		case !e.IsDir():
			a, err := m.dropFile(m.Dir, name, "a file where the tree holds only tenant folders")
			rep.add(name, a, err)
		default:
			if _, ok := known[name]; !ok {
				visit(name)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	entries, err = os.ReadDir(filepath.Join(m.Dir, RemovedDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		ts, ok := known[name]
		switch {
		case strings.HasPrefix(name, "."):
		case !e.IsDir():
			a, err := m.dropFile(filepath.Join(m.Dir, RemovedDir), name, "a file where .removed holds only tenant folders")
			rep.add(name, a, err)
		case !ok || ts.Status == tenant.StatusActive:
			visit(name)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// WriteSummary writes what a reconcile changed, for a person.
func (r *Report) WriteSummary(w io.Writer) {
	var b strings.Builder
	if len(r.Applied) == 0 {
		fmt.Fprintf(&b, "\n%s already matched the database: %d %s checked, nothing changed (%s).\n",
			r.Dir, r.Unchanged, plural(r.Unchanged, "tenant", "tenants"), r.Duration.Round(time.Millisecond))
	} else {
		fmt.Fprintf(&b, "\nSynced %s: %d %s, %d unchanged, in %s. Secrets are ${ENV} references, never values.\n",
			r.Dir, len(r.Applied), plural(len(r.Applied), "change", "changes"), r.Unchanged, r.Duration.Round(time.Millisecond))
		for _, a := range r.Applied {
			fmt.Fprintf(&b, "  %s\n", a)
		}
	}
	if len(r.Failed) > 0 {
		fmt.Fprintf(&b, "\nFailed (%d):\n", len(r.Failed))
		for _, f := range r.Failed {
			fmt.Fprintf(&b, "  %s: %s\n", f.TenantID, f.Error)
		}
	}
	_, _ = io.WriteString(w, b.String())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
