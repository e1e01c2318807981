// Package mirror keeps a directory equal to what export-yaml writes from the
// database: the live legacy tree the old runtime reads. Sync makes it equal
// once; a Follower keeps it equal as changes commit (docs/design.md §11).
package mirror

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/legacy"
	"github.com/tenant-console/console/internal/tenant"
)

// Store is what the mirror reads; internal/store implements it.
type Store interface {
	// LoadTenant returns a tenant as its folder describes it (see
	// legacy.Store); apperr.ErrNotFound once it is purged.
	LoadTenant(ctx context.Context, id string) (legacy.Stored, error)
	// TenantStatuses lists every tenant, of any status, sorted by id.
	TenantStatuses(ctx context.Context) ([]TenantStatus, error)
}

// TenantStatus is where a tenant's folder belongs: the live tree when
// active, .removed otherwise, with when and why it left.
type TenantStatus struct {
	ID     string
	Status tenant.Status
	Since  time.Time // when it was suspended or deleted; zero when active
	Reason string
}

// StatusOf returns the status part of t.
func StatusOf(t tenant.Tenant) TenantStatus {
	ts := TenantStatus{ID: t.ID, Status: t.Status}
	switch {
	case t.Status == tenant.StatusDeleted && t.DeletedAt != nil:
		ts.Since, ts.Reason = *t.DeletedAt, t.DeletedReason
	case t.Status == tenant.StatusSuspended && t.SuspendedAt != nil:
		ts.Since, ts.Reason = *t.SuspendedAt, t.SuspendedReason
	}
	return ts
}

// RemovedDir is the folder of DIR that holds the folders of tenants that
// left the live tree. Its leading dot hides it from the importer, drift and
// the old runtime, which skip hidden entries.
const RemovedDir = ".removed"

// RemovedNote is the file beside a removed tenant's files that says when
// and why it left.
const RemovedNote = "removed.yaml"

// Mirror writes one directory. Its methods may run at once (a reconcile
// beside announced changes): each holds its tenant's lock across reading
// the database and writing the folder, so whichever comes second read the
// newer state and a stale write never lands after a fresh one. One process
// writes a directory at a time (see Follower).
type Mirror struct {
	Dir   string
	Store Store
	// Log receives one line per change applied (never a secret); nil: none.
	Log *slog.Logger
	// Progress, when set, is called before each tenant of a full reconcile
	// and once at the end.
	Progress func(done, total int, tenantID string)

	// tree is held shared by every change to a tenant's folder and alone
	// by the clearing of what an interrupted write left behind, which must
	// not take a write in flight for a leftover.
	tree    sync.RWMutex
	tenants [64]sync.Mutex // by hash of the tenant id
}

// lock holds the lock of the folder name until the returned func is called.
func (m *Mirror) lock(name string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	mu := &m.tenants[h.Sum32()%uint32(len(m.tenants))]
	m.tree.RLock()
	mu.Lock()
	return func() {
		mu.Unlock()
		m.tree.RUnlock()
	}
}

// Action is what the mirror did to one tenant's folder.
type Action string

const (
	Created   Action = "created"    // a new folder in the live tree
	Restored  Action = "restored"   // back in the live tree from .removed
	Updated   Action = "updated"    // files of a live folder rewritten or removed
	Removed   Action = "removed"    // moved from the live tree to .removed
	NoteSaved Action = "note saved" // the note of a folder in .removed rewritten
	Deleted   Action = "deleted"    // gone: purged, or never a tenant
)

// Applied is one change made to the tree.
type Applied struct {
	TenantID string `json:"tenant_id"`
	Action   Action `json:"action"`
	// Files are the paths written or removed, relative to the folder.
	Files []string `json:"files,omitempty"`
	// Why, for Removed and Deleted: the status and its reason.
	Why string `json:"why,omitempty"`
}

func (a Applied) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", a.TenantID, a.Action)
	if len(a.Files) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(a.Files, ", "))
	}
	if a.Why != "" {
		fmt.Fprintf(&b, ": %s", a.Why)
	}
	return b.String()
}

// SyncTenant brings the folder of one tenant in line with the database:
// what a notification of a change to it asks for. changed is nil when the
// folder was already right.
func (m *Mirror) SyncTenant(ctx context.Context, id string) (*Applied, error) {
	if !tenant.ValidID(id) {
		return nil, fmt.Errorf("mirror: %q is not a tenant id", id)
	}
	defer m.lock(id)()
	st, err := m.Store.LoadTenant(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return m.gone(id, "no such tenant in the database (purged, or never imported)")
	}
	if err != nil {
		return nil, err
	}
	if st.Record.Tenant.Status == tenant.StatusActive {
		return m.live(st)
	}
	return m.remove(StatusOf(st.Record.Tenant))
}

// live writes an active tenant's folder: a new folder appears whole (built
// under a hidden name, then renamed); in a folder that exists each file is
// replaced whole, and only when its bytes differ.
func (m *Mirror) live(st legacy.Stored) (*Applied, error) {
	f, err := legacy.RenderFolder(st)
	if err != nil {
		return nil, err
	}
	id := f.TenantID
	folder := filepath.Join(m.Dir, id)
	removed := filepath.Join(m.Dir, RemovedDir, id)
	info, err := os.Lstat(folder)
	if err == nil && !info.IsDir() {
		if err := os.Remove(folder); err != nil {
			return nil, err
		}
		err = os.ErrNotExist
	}
	if errors.Is(err, os.ErrNotExist) {
		if err := buildFolder(m.Dir, id, f); err != nil {
			return nil, err
		}
		a := &Applied{TenantID: id, Action: Created}
		if exists(removed) {
			a.Action = Restored
			if err := removeAll(removed); err != nil {
				return a, err
			}
		}
		return m.logged(a), nil
	}
	if err != nil {
		return nil, err
	}
	files, err := updateFolder(folder, f)
	if err != nil {
		return nil, err
	}
	// A copy left in .removed by an interrupted move would come back as a
	// stale folder: the live one is the truth.
	if exists(removed) {
		if err := removeAll(removed); err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, nil
	}
	return m.logged(&Applied{TenantID: id, Action: Updated, Files: files}), nil
}

// remove moves a suspended or deleted tenant's folder out of the live tree
// to .removed/{id}/ with a note of when and why; the folder of a tenant
// that was never live is not made.
func (m *Mirror) remove(ts TenantStatus) (*Applied, error) {
	folder := filepath.Join(m.Dir, ts.ID)
	parent := filepath.Join(m.Dir, RemovedDir)
	removed := filepath.Join(parent, ts.ID)
	note := removedNote(ts)
	why := string(ts.Status)
	if ts.Reason != "" {
		why += ": " + ts.Reason
	}
	if exists(folder) {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return nil, err
		}
		if exists(removed) {
			if err := removeAll(removed); err != nil {
				return nil, err
			}
		}
		// One rename: the live folder is gone whole in one step.
		if err := os.Rename(folder, removed); err != nil {
			return nil, err
		}
		if err := syncDirs(m.Dir, parent); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(filepath.Join(removed, RemovedNote), note); err != nil {
			return nil, err
		}
		return m.logged(&Applied{TenantID: ts.ID, Action: Removed, Why: why}), nil
	}
	if !exists(removed) {
		return nil, nil
	}
	wrote, err := writeIfChanged(filepath.Join(removed, RemovedNote), note)
	if err != nil || !wrote {
		return nil, err
	}
	return m.logged(&Applied{TenantID: ts.ID, Action: NoteSaved, Why: why}), nil
}

// drop is gone for a name no tenant may have (a loose file, say).
func (m *Mirror) drop(name, why string) (*Applied, error) {
	defer m.lock(name)()
	return m.gone(name, why)
}

// dropFile removes the file dir/name, which no reader takes for a folder.
func (m *Mirror) dropFile(dir, name, why string) (*Applied, error) {
	defer m.lock(name)()
	if err := removeAll(filepath.Join(dir, name)); err != nil {
		return nil, err
	}
	return m.logged(&Applied{TenantID: name, Action: Deleted, Why: why}), nil
}

// gone removes every trace of a folder name: a purged tenant, or a folder
// that never was a tenant.
func (m *Mirror) gone(name, why string) (*Applied, error) {
	var did bool
	for _, p := range []string{filepath.Join(m.Dir, name), filepath.Join(m.Dir, RemovedDir, name)} {
		if _, err := os.Lstat(p); err == nil {
			if err := removeAll(p); err != nil {
				return nil, err
			}
			did = true
		}
	}
	if !did {
		return nil, nil
	}
	return m.logged(&Applied{TenantID: name, Action: Deleted, Why: why}), nil
}

func (m *Mirror) logged(a *Applied) *Applied {
	if m.Log != nil {
		attrs := []any{slog.String("tenant_id", a.TenantID), slog.String("action", string(a.Action))}
		if len(a.Files) > 0 {
			attrs = append(attrs, slog.Any("files", a.Files))
		}
		if a.Why != "" {
			attrs = append(attrs, slog.String("why", a.Why))
		}
		m.Log.Info("mirror: applied", attrs...)
	}
	return a
}

// removedNote is the note of a folder in .removed. It holds only the
// status, its time and the reason staff typed: no timestamp of its own, so
// that a reconcile rewrites it only when the status changes.
func removedNote(ts TenantStatus) []byte {
	var b strings.Builder
	b.WriteString("# Written by the tenant console (sync-yaml): this tenant left the live tree.\n")
	fmt.Fprintf(&b, "tenant_id: %s\n", ts.ID)
	fmt.Fprintf(&b, "status: %s\n", ts.Status)
	if !ts.Since.IsZero() {
		fmt.Fprintf(&b, "since: %s\n", ts.Since.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "reason: %s\n", yamlString(ts.Reason))
	return []byte(b.String())
}
