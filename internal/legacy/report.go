package legacy

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Status is what an import did with one folder.
type Status string

const (
	StatusCreated   Status = "created"   // a new tenant was written
	StatusUpdated   Status = "updated"   // an existing tenant's changed fields were written (--update)
	StatusUnchanged Status = "unchanged" // the database already says what the folder says
	StatusDiffers   Status = "differs"   // the tenant exists and differs; not written without --update
	StatusSkipped   Status = "skipped"   // deliberately not imported; Reasons say why
	StatusFailed    Status = "failed"    // could not be imported; Error says why
)

// Reasons only the database can give.
const (
	// SkipShortNameTaken: the folder's short name belongs to another
	// tenant in the database.
	SkipShortNameTaken Kind = "short_name_taken"
	// SkipTenantDeleted: the tenant is deleted in the database.
	SkipTenantDeleted Kind = "tenant_deleted"
)

// Report is the outcome of one import run. It never holds a secret value:
// secrets appear by name and kind only.
type Report struct {
	Dir       string         `json:"dir"`
	Notes     []string       `json:"notes,omitempty"` // about the tree as a whole (see Tree.Notes)
	DryRun    bool           `json:"dry_run"`
	Update    bool           `json:"update"`
	StartedAt time.Time      `json:"started_at"`
	Duration  time.Duration  `json:"-"`
	Millis    int64          `json:"duration_ms"`
	Counts    Counts         `json:"counts"`
	Folders   []FolderReport `json:"folders"`
	// Rotate lists the tenants whose folder held credentials in plain
	// text: they were exposed and should be replaced at their provider.
	Rotate []RotateItem `json:"rotate"`
}

// Counts sums a report up by status.
type Counts struct {
	Folders   int `json:"folders"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Differs   int `json:"differs"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	Warnings  int `json:"warnings"`
}

// FolderReport is what became of one folder.
type FolderReport struct {
	Folder   string  `json:"folder"`
	File     string  `json:"file,omitempty"`
	TenantID string  `json:"tenant_id,omitempty"`
	Status   Status  `json:"status"`
	Reasons  []Issue `json:"reasons,omitempty"` // why it was skipped
	Warnings []Issue `json:"warnings,omitempty"`
	// ExtraKeys are keys of client.yaml the console does not import (their
	// values are not kept: they may be secrets).
	ExtraKeys []extraKey `json:"extra_keys,omitempty"`
	// Changes are the differences with the database: written when Status
	// is updated, only reported when it is differs.
	Changes []Change `json:"changes,omitempty"`
	// Kept are prompts and secrets only the database has: an import never
	// deletes them.
	Kept             []Change `json:"kept,omitempty"`
	PlainTextSecrets []string `json:"plain_text_secrets,omitempty"`
	Error            string   `json:"error,omitempty"`
}

type extraKey struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
}

// RotateItem is a tenant whose folder exposed credentials.
type RotateItem struct {
	TenantID string   `json:"tenant_id"`
	File     string   `json:"file"`
	Secrets  []string `json:"secrets"`
}

func (fr FolderReport) failed(err error) FolderReport {
	fr.Status, fr.Error = StatusFailed, err.Error()
	return fr
}

func (fr FolderReport) skipped(reason Issue) FolderReport {
	fr.Status = StatusSkipped
	fr.Reasons = append(fr.Reasons, reason)
	fr.Changes, fr.Kept = nil, nil
	return fr
}

// finish computes the counts and the rotation list.
func (r *Report) finish() {
	r.Millis = r.Duration.Milliseconds()
	c := Counts{Folders: len(r.Folders)}
	r.Rotate = []RotateItem{}
	for _, f := range r.Folders {
		switch f.Status {
		case StatusCreated:
			c.Created++
		case StatusUpdated:
			c.Updated++
		case StatusUnchanged:
			c.Unchanged++
		case StatusDiffers:
			c.Differs++
		case StatusSkipped:
			c.Skipped++
		case StatusFailed:
			c.Failed++
		}
		c.Warnings += len(f.Warnings)
		if len(f.PlainTextSecrets) > 0 {
			r.Rotate = append(r.Rotate, RotateItem{TenantID: f.TenantID, File: f.File, Secrets: f.PlainTextSecrets})
		}
	}
	r.Counts = c
}

// OK reports whether every folder was imported, found unchanged or
// deliberately skipped: no folder failed.
func (r *Report) OK() bool { return r.Counts.Failed == 0 }

// Folder returns the report of one folder.
func (r *Report) Folder(name string) (FolderReport, bool) {
	for _, f := range r.Folders {
		if f.Folder == name {
			return f, true
		}
	}
	return FolderReport{}, false
}

// WriteJSON writes the report as indented JSON to file (0600: it names
// which tenants exposed credentials).
func (r *Report) WriteJSON(file string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if dir := filepath.Dir(file); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := os.WriteFile(file, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteSummary writes the report for a person: the counts, then every
// skipped or failed folder with its reasons (file:line), the differences,
// the warnings and the tenants whose secrets should be rotated.
func (r *Report) WriteSummary(w io.Writer) {
	var b strings.Builder
	c := r.Counts
	verb := func(done, would string) string {
		if r.DryRun {
			return would
		}
		return done
	}
	fmt.Fprintf(&b, "\nImport of %s: %d folders in %s", r.Dir, c.Folders, r.Duration.Round(time.Millisecond))
	if r.DryRun {
		b.WriteString(" (dry run: nothing was written)")
	}
	b.WriteString("\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  Note: %s\n", n)
	}
	fmt.Fprintf(&b, "  %-22s %4d\n", verb("created", "would be created"), c.Created)
	fmt.Fprintf(&b, "  %-22s %4d\n", verb("updated", "would be updated"), c.Updated)
	fmt.Fprintf(&b, "  %-22s %4d\n", "unchanged", c.Unchanged)
	if c.Differs > 0 || !r.Update {
		fmt.Fprintf(&b, "  %-22s %4d", "differ, not updated", c.Differs)
		if c.Differs > 0 {
			b.WriteString("   (run with --update to write them)")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "  %-22s %4d\n", "skipped", c.Skipped)
	fmt.Fprintf(&b, "  %-22s %4d\n", "failed", c.Failed)
	fmt.Fprintf(&b, "  %-22s %4d\n", "warnings", c.Warnings)

	r.section(&b, "Skipped", StatusSkipped, func(f FolderReport) {
		for _, reason := range f.Reasons {
			fmt.Fprintf(&b, "  %s  [%s]\n", reason, reason.Kind)
		}
	})
	r.section(&b, "Failed", StatusFailed, func(f FolderReport) {
		fmt.Fprintf(&b, "  %s: %s\n", where(f), f.Error)
	})
	r.section(&b, "Differ from the database, not written (run with --update)", StatusDiffers, func(f FolderReport) {
		r.changes(&b, f)
	})
	r.section(&b, verb("Updated", "Would be updated"), StatusUpdated, func(f FolderReport) {
		r.changes(&b, f)
	})

	var kept []FolderReport
	for _, f := range r.Folders {
		if len(f.Kept) > 0 {
			kept = append(kept, f)
		}
	}
	if len(kept) > 0 {
		b.WriteString("\nOnly in the database, kept (an import never deletes):\n")
		for _, f := range kept {
			for _, k := range f.Kept {
				fmt.Fprintf(&b, "  %s: %s\n", f.TenantID, k.Field)
			}
		}
	}

	var warned int
	for _, f := range r.Folders {
		for _, w := range f.Warnings {
			if w.Kind == WarnPlainSecret {
				continue // listed under "Rotate" below
			}
			if warned == 0 {
				b.WriteString("\nWarnings (imported, but check these):\n")
			}
			warned++
			fmt.Fprintf(&b, "  %s  [%s]\n", w, w.Kind)
		}
	}

	if len(r.Rotate) > 0 {
		fmt.Fprintf(&b, "\nRotate: %d %s held credentials in plain text. The database stores them encrypted,\n"+
			"but the files exposed them: issue new ones at Supabase/SendGrid and replace them in the console.\n",
			len(r.Rotate), plural(len(r.Rotate), "tenant", "tenants"))
		for _, it := range r.Rotate {
			fmt.Fprintf(&b, "  %s: %s\n", it.TenantID, strings.Join(it.Secrets, ", "))
		}
	}
	if !r.OK() {
		fmt.Fprintf(&b, "\n%d %s failed; fix the cause and run the import again (it only writes what is missing or changed).\n",
			c.Failed, plural(c.Failed, "folder", "folders"))
	}
	_, _ = io.WriteString(w, b.String())
}

func (r *Report) section(b *strings.Builder, title string, status Status, each func(FolderReport)) {
	first := true
	for _, f := range r.Folders {
		if f.Status != status {
			continue
		}
		if first {
			fmt.Fprintf(b, "\n%s:\n", title)
			first = false
		}
		each(f)
	}
}

func (r *Report) changes(b *strings.Builder, f FolderReport) {
	fmt.Fprintf(b, "  %s (%s)\n", f.TenantID, where(f))
	for _, ch := range f.Changes {
		line := ""
		if ch.Line > 0 {
			line = fmt.Sprintf(" (line %d)", ch.Line)
		}
		fmt.Fprintf(b, "    %s%s\n", ch, line)
	}
}

func where(f FolderReport) string {
	if f.File != "" {
		return printable(f.File)
	}
	return printable(f.Folder)
}
