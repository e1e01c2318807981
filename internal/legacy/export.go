package legacy

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Exporter writes the legacy layout from the database, so the old runtime
// can keep reading YAML while the database is the truth. It never decrypts:
// secrets are written as ${ENV} references (see Marshal).
type Exporter struct {
	Store Store
	// Progress, when set, is called before each tenant and once at the end.
	Progress func(done, total int, tenantID string)
	Now      func() time.Time
}

// ExportReport is what an export wrote.
type ExportReport struct {
	Dir      string          `json:"dir"`
	Written  []string        `json:"written"` // tenant ids, sorted
	Failed   []ExportFailure `json:"failed,omitempty"`
	Stale    []string        `json:"stale,omitempty"` // folders of dir that are not active tenants; left alone
	Files    int             `json:"files"`
	Duration time.Duration   `json:"-"`
}

// ExportFailure is a tenant that could not be written.
type ExportFailure struct {
	TenantID string `json:"tenant_id"`
	Error    string `json:"error"`
}

// OK reports whether every active tenant was written.
func (r *ExportReport) OK() bool { return len(r.Failed) == 0 }

// Export writes dir/{id}/client.yaml and dir/{id}/prompts/{name}.txt for
// every active tenant. Files are replaced whole (written aside, then
// renamed); prompt files of prompts the tenant no longer has are removed.
// Folders of dir that are not active tenants are listed, not touched.
func (ex *Exporter) Export(ctx context.Context, dir string) (*ExportReport, error) {
	now := time.Now
	if ex.Now != nil {
		now = ex.Now
	}
	start := now()
	ids, err := ex.Store.ActiveTenantIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	rep := &ExportReport{Dir: dir, Written: []string{}}
	for i, id := range ids {
		if ex.Progress != nil {
			ex.Progress(i, len(ids), id)
		}
		if err := ctx.Err(); err != nil {
			rep.Failed = append(rep.Failed, ExportFailure{TenantID: id, Error: "not written: the run was interrupted"})
			continue
		}
		n, err := ex.tenant(ctx, dir, id)
		if err != nil {
			rep.Failed = append(rep.Failed, ExportFailure{TenantID: id, Error: err.Error()})
			continue
		}
		rep.Written = append(rep.Written, id)
		rep.Files += n
	}
	if ex.Progress != nil {
		ex.Progress(len(ids), len(ids), "")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !slices.Contains(ids, e.Name()) {
			rep.Stale = append(rep.Stale, e.Name())
		}
	}
	rep.Duration = now().Sub(start)
	return rep, nil
}

// Folder is one tenant's folder as export-yaml writes it: client.yaml, then
// prompts/{name}.txt by prompt name, paths relative to the folder. The
// export and the live mirror (internal/mirror) both write what this holds,
// so the two never disagree on a byte.
type Folder struct {
	TenantID string
	Files    []FolderFile
}

// FolderFile is one file of a Folder.
type FolderFile struct {
	Path string // slash-separated, relative to the tenant's folder
	Data []byte
}

// PromptDir is the sub-folder of a tenant's folder that holds its prompts.
const PromptDir = "prompts"

// RenderFolder returns the folder of st. It never decrypts: secrets are
// ${ENV} references (see Marshal). A tenant without a settings or branding
// row cannot be written.
func RenderFolder(st Stored) (Folder, error) {
	id := st.Record.Tenant.ID
	if !st.HasSettings || !st.HasBranding {
		return Folder{}, fmt.Errorf("%s has no settings or branding row; complete it in the console first", id)
	}
	c := FromStored(st)
	data, err := Marshal(c)
	if err != nil {
		return Folder{}, err
	}
	f := Folder{TenantID: id, Files: []FolderFile{{Path: "client.yaml", Data: data}}}
	for _, p := range c.Prompts {
		f.Files = append(f.Files, FolderFile{Path: PromptDir + "/" + p.Name + ".txt", Data: []byte(p.Body)})
	}
	return f, nil
}

// tenant writes one tenant's folder and returns how many files it wrote.
func (ex *Exporter) tenant(ctx context.Context, dir, id string) (int, error) {
	st, err := ex.Store.LoadTenant(ctx, id)
	if err != nil {
		return 0, err
	}
	f, err := RenderFolder(st)
	if err != nil {
		return 0, err
	}
	folder := filepath.Join(dir, id)
	promptDir := filepath.Join(folder, PromptDir)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return 0, err
	}
	if len(f.Files) > 1 {
		if err := os.MkdirAll(promptDir, 0o755); err != nil {
			return 0, err
		}
	}
	keep := map[string]bool{}
	files := 0
	for _, file := range f.Files {
		keep[path.Base(file.Path)] = true
		if err := writeFileAtomic(filepath.Join(folder, filepath.FromSlash(file.Path)), file.Data); err != nil {
			return files, err
		}
		files++
	}
	// A prompt file left from an earlier export (or the old platform) would
	// be read as a prompt the tenant does not have.
	entries, err := os.ReadDir(promptDir)
	if err != nil && !os.IsNotExist(err) {
		return files, err
	}
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".txt") && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(promptDir, e.Name())); err != nil {
				return files, err
			}
		}
	}
	return files, nil
}

// writeFileAtomic replaces file with data: a reader sees the old file or
// the new one, never half of it.
func writeFileAtomic(file string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// WriteSummary writes what the export did, for a person.
func (r *ExportReport) WriteSummary(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nExport to %s: %d %s written (%d files) in %s. Secrets are ${ENV} references, never values.\n",
		r.Dir, len(r.Written), plural(len(r.Written), "tenant", "tenants"), r.Files, r.Duration.Round(time.Millisecond))
	if len(r.Failed) > 0 {
		fmt.Fprintf(&b, "\nFailed (%d):\n", len(r.Failed))
		for _, f := range r.Failed {
			fmt.Fprintf(&b, "  %s: %s\n", f.TenantID, f.Error)
		}
	}
	if len(r.Stale) > 0 {
		fmt.Fprintf(&b, "\nLeft alone: %d %s of %s %s not an active tenant in the database (suspended, deleted or unknown):\n  %s\n",
			len(r.Stale), plural(len(r.Stale), "folder", "folders"), r.Dir, plural(len(r.Stale), "is", "are"), strings.Join(r.Stale, ", "))
	}
	_, _ = io.WriteString(w, b.String())
}
