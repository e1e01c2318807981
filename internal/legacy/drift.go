package legacy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tenant-console/console/internal/apperr"
)

// Drifter compares a legacy tree with the database, field by field, without
// writing anything.
type Drifter struct {
	Store   Store
	Keyring Keyring
	// Progress, when set, is called before each folder and once at the end.
	Progress func(done, total int, folder string)
}

// DriftReport lists every difference between a tree and the database.
// Secret values never appear: a secret that differs says so and what kind
// of value each side holds.
type DriftReport struct {
	Dir   string   `json:"dir"`
	Notes []string `json:"notes,omitempty"` // about the tree as a whole (see Tree.Notes)
	// Differences, by tenant then field in file order.
	Differences []Drift `json:"differences"`
	// NotCompared are the folders the importer would skip, with why.
	NotCompared []FolderReport `json:"not_compared,omitempty"`
	// Errors are tenants that could not be compared.
	Errors []ExportFailure `json:"errors,omitempty"`
}

// Drift is one field that differs for one tenant.
type Drift struct {
	TenantID string `json:"tenant_id"`
	File     string `json:"file,omitempty"`
	Change
}

// FieldTenant is the Field of a difference about a whole tenant that only
// one side has.
const FieldTenant = "(tenant)"

// Empty reports whether the tree and the database agree on everything
// that was compared.
func (r *DriftReport) Empty() bool { return len(r.Differences) == 0 }

// Tenants returns the ids of the tenants with differences, in order.
func (r *DriftReport) Tenants() []string {
	var ids []string
	for _, d := range r.Differences {
		if !slices.Contains(ids, d.TenantID) {
			ids = append(ids, d.TenantID)
		}
	}
	return ids
}

// DriftDir compares the tree at dir with the database.
func (dr *Drifter) DriftDir(ctx context.Context, dir string) (*DriftReport, error) {
	tree, err := ReadTree(dir)
	if err != nil {
		return nil, err
	}
	return dr.Drift(ctx, tree)
}

// Drift compares tree with the database: every importable folder with its
// tenant, and every active tenant that has no folder.
func (dr *Drifter) Drift(ctx context.Context, tree Tree) (*DriftReport, error) {
	rep := &DriftReport{Dir: tree.Root, Notes: tree.Notes, Differences: []Drift{}}
	seen := map[string]bool{}
	total := len(tree.Results)
	for i, r := range tree.Results {
		if dr.Progress != nil {
			dr.Progress(i, total, printable(r.Folder))
		}
		if r.ID != "" {
			seen[r.ID] = true
		}
		seen[r.Folder] = true
		if r.Skipped() {
			rep.NotCompared = append(rep.NotCompared, FolderReport{Folder: r.Folder, File: r.File, TenantID: r.ID,
				Status: StatusSkipped, Reasons: r.Reasons})
			continue
		}
		c := r.Client
		st, err := dr.Store.LoadTenant(ctx, c.ID)
		if errors.Is(err, apperr.ErrNotFound) {
			rep.Differences = append(rep.Differences, Drift{TenantID: c.ID, File: r.File,
				Change: Change{Field: FieldTenant, Column: "tenants", Tree: "folder " + r.Folder, Database: absent}})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("drift: %w", err)
		}
		d, err := compare(c, st, dr.Keyring)
		if err != nil {
			rep.Errors = append(rep.Errors, ExportFailure{TenantID: c.ID, Error: err.Error()})
			continue
		}
		for _, ch := range append(d.changes, d.kept...) {
			rep.Differences = append(rep.Differences, Drift{TenantID: c.ID, File: r.File, Change: ch})
		}
	}
	if dr.Progress != nil {
		dr.Progress(total, total, "")
	}
	ids, err := dr.Store.ActiveTenantIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("drift: %w", err)
	}
	for _, id := range ids {
		if !seen[id] {
			rep.Differences = append(rep.Differences, Drift{TenantID: id,
				Change: Change{Field: FieldTenant, Column: "tenants", Tree: absent, Database: "active tenant " + id}})
		}
	}
	return rep, nil
}

// WriteSummary writes the differences for a person, one line per field.
func (r *DriftReport) WriteSummary(w io.Writer) {
	var b strings.Builder
	tenants := r.Tenants()
	if r.Empty() {
		fmt.Fprintf(&b, "No drift: %s and the database agree on every tenant compared.\n", r.Dir)
	} else {
		fmt.Fprintf(&b, "Drift between %s and the database: %d %s in %d %s.\n", r.Dir,
			len(r.Differences), plural(len(r.Differences), "difference", "differences"),
			len(tenants), plural(len(tenants), "tenant", "tenants"))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  Note: %s\n", n)
	}
	current := ""
	for _, d := range r.Differences {
		if d.TenantID != current {
			current = d.TenantID
			fmt.Fprintf(&b, "\n%s\n", d.TenantID)
		}
		switch {
		case d.Field == FieldTenant && d.Database == absent:
			fmt.Fprintf(&b, "  only in the tree (%s); not in the database\n", printable(d.File))
		case d.Field == FieldTenant:
			b.WriteString("  only in the database (active); no folder in the tree\n")
		default:
			fmt.Fprintf(&b, "  %s\n", d.Change)
		}
	}
	if len(r.Errors) > 0 {
		b.WriteString("\nNot compared (error):\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "  %s: %s\n", e.TenantID, e.Error)
		}
	}
	if len(r.NotCompared) > 0 {
		b.WriteString("\nNot compared (the import would skip these folders):\n")
		for _, f := range r.NotCompared {
			for _, reason := range f.Reasons {
				fmt.Fprintf(&b, "  %s  [%s]\n", reason, reason.Kind)
			}
		}
	}
	_, _ = io.WriteString(w, b.String())
}
