package legacy

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// writeTenant writes dir/folder/client.yaml for the tenant id (baseYAML
// with another id and short name).
func writeTenant(t *testing.T, dir, folder, id string) {
	t.Helper()
	data := strings.Replace(strings.Replace(baseYAML, "id: acme", "id: "+id, 1), "short_name: acme-travel", "short_name: "+id, 1)
	if err := os.MkdirAll(filepath.Join(dir, folder), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, folder, "client.yaml"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// An old name kept as a link to a tenant's folder (or to its client.yaml)
// is that tenant again: the link is skipped, the tenant still imported.
func TestReadTreeLinkToAnotherFolderIsNotASecondClaim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTenant(t, dir, "acme", "acme")
	symlink(t, "acme", filepath.Join(dir, "acme-old"))
	if err := os.Mkdir(filepath.Join(dir, "acme-copy"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, "../acme/client.yaml", filepath.Join(dir, "acme-copy", "client.yaml"))
	symlink(t, "/nowhere/at/all", filepath.Join(dir, "gone"))

	tr := readTree(t, dir)
	imported(t, tr, "acme")
	for _, folder := range []string{"acme-old", "acme-copy"} {
		r := result(t, tr, folder)
		if reason := issueOf(t, r.Reasons, SkipLink); len(r.Reasons) != 1 || !strings.Contains(reason.Message, "acme/client.yaml reached through a symbolic link") {
			t.Errorf("%s: reasons %v", folder, r.Reasons)
		}
	}
	// A linked folder that cannot be followed is reported, not left out.
	if r := result(t, tr, "gone"); !strings.Contains(issueOf(t, r.Reasons, SkipUnreadable).Message, `symbolic link to "/nowhere/at/all"`) {
		t.Errorf("gone: %v", r.Reasons)
	}

	// A real copy under another name claims the id too: acme, named as
	// the id, is still the tenant and the copy is reported.
	writeTenant(t, dir, "acme-twin", "acme")
	tr = readTree(t, dir)
	imported(t, tr, "acme")
	if r := result(t, tr, "acme-twin"); !r.Skipped() || !strings.Contains(issueOf(t, r.Reasons, SkipDuplicateID).Message, `belongs to the folder named "acme"`) {
		t.Errorf("acme-twin: %v", r.Reasons)
	}
}

// The layout the old platform wrote is clients/{tenant_id}/: given the
// folder above clients/, the tree is read from clients/.
func TestReadTreeOfTheFolderAboveClients(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	writeTenant(t, filepath.Join(parent, "clients"), "acme", "acme")
	if err := os.WriteFile(filepath.Join(parent, "README.md"), []byte("legacy"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := readTree(t, parent)
	if tr.Root != filepath.Join(parent, "clients") || len(tr.Notes) != 1 || !strings.Contains(tr.Notes[0], "read "+tr.Root) {
		t.Errorf("root %q, notes %q", tr.Root, tr.Notes)
	}
	imported(t, tr, "acme")
}

func TestReadTreeOfOneTenantsFolder(t *testing.T) {
	t.Parallel()
	_, err := ReadTree(filepath.Join(sampleDir, "africastay"))
	if err == nil || !strings.Contains(err.Error(), "holds client.yaml, so it is one tenant's folder; give the folder that holds the tenant folders ("+sampleDir+")") {
		t.Errorf("error %v", err)
	}
}

func TestReadTreeWithoutTenantsSaysSo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A tenant that is a file where its folder should be.
	if err := os.WriteFile(filepath.Join(dir, "acme"), []byte(baseYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := readTree(t, dir)
	if len(tr.Notes) != 2 || !strings.Contains(tr.Notes[0], "files beside them were not read (acme)") ||
		!strings.Contains(tr.Notes[1], "no folder of "+dir+" holds a client.yaml") {
		t.Errorf("notes %q", tr.Notes)
	}
}

// A folder name is printed quoted when it holds a character that would
// break or forge a report line.
func TestIssueStringQuotesOddFileNames(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"café/client.yaml":          "café/client.yaml:3: m",
		"evil\nname/client.yaml":    `"evil\nname/client.yaml":3: m`,
		"red\x1b[31m/client.yaml":   `"red\x1b[31m/client.yaml":3: m`,
		"rtl\u202eelif/client.yaml": `"rtl\u202eelif/client.yaml":3: m`,
	} {
		if got := (Issue{File: file, Line: 3, Message: "m"}).String(); got != want {
			t.Errorf("%q: got %q, want %q", file, got, want)
		}
	}
}

// deniedFS is a tree where one folder cannot be listed (as for a folder
// without read permission, which root would not notice).
type deniedFS struct {
	fstest.MapFS
	denied string
}

func (d deniedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == d.denied {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return d.MapFS.ReadDir(name)
}

func TestReadFSReportsAFolderItCannotList(t *testing.T) {
	t.Parallel()
	tr, err := ReadFS(deniedFS{MapFS: fstest.MapFS{
		"acme/client.yaml":   {Data: []byte(baseYAML)},
		"locked/client.yaml": {Data: []byte(baseYAML)},
	}, denied: "locked"})
	if err != nil {
		t.Fatal(err)
	}
	imported(t, tr, "acme")
	r := result(t, tr, "locked")
	if reason := issueOf(t, r.Reasons, SkipUnreadable); reason.String() != "locked: locked cannot be read: permission denied; it was skipped" {
		t.Errorf("reported as %q", reason)
	}
}

// Two folders claiming one id (testdata/duplicate-ids): the folder named as
// the id is imported and the other reported; when neither is named as it,
// both are skipped.
func TestDuplicateIDsImportTheFolderNamedAsTheID(t *testing.T) {
	t.Parallel()
	tr := readTree(t, "testdata/duplicate-ids")

	c, _ := imported(t, tr, "kruger")
	if c.ID != "kruger" || c.Name != "Kruger Safaris" {
		t.Errorf("kruger imported as %q %q, want the rightful folder's tenant", c.ID, c.Name)
	}
	old := result(t, tr, "kruger-old")
	if !old.Skipped() {
		t.Fatal("kruger-old was imported although kruger holds its id")
	}
	dup := issueOf(t, old.Reasons, SkipDuplicateID)
	if want := `client.id "kruger" belongs to the folder named "kruger" (kruger/client.yaml), which is imported`; !strings.Contains(dup.Message, want) || dup.Line != 2 {
		t.Errorf("kruger-old: %s at line %d, want %q at line 2", dup.Message, dup.Line, want)
	}

	for _, folder := range []string{"karoo-1", "karoo-2"} {
		r := result(t, tr, folder)
		if !r.Skipped() || !strings.Contains(issueOf(t, r.Reasons, SkipDuplicateID).Message, "every claimant is skipped") {
			t.Errorf("%s: %v, want skipped as one of two claimants of karoo", folder, r.Reasons)
		}
	}
	if got := len(tr.Imported()); got != 1 {
		t.Errorf("%d imported, want only kruger", got)
	}
}
