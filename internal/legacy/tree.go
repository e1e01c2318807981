package legacy

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tenant-console/console/internal/tenant"
)

// Tree is what ReadTree found: one Result per folder, sorted by folder name.
type Tree struct {
	Root    string // the directory read (ReadTree); "" for ReadFS
	Results []Result
	// Notes are about the tree as a whole, for the top of a report: the
	// folder actually read, or that no folder holds a tenant file.
	Notes []string
}

// Result is the outcome for one folder: a Client to import (with warnings),
// or the reasons it is skipped.
type Result struct {
	Folder   string  // the folder's name, e.g. "africastay"
	File     string  // the client file read, relative to the tree ("africastay/client.yaml"); "" when none
	ID       string  // client.id when it could be read and is valid, even if the folder is skipped
	Client   *Client // nil when the folder is skipped
	Warnings []Issue
	Reasons  []Issue // why the folder is skipped; empty when it is imported

	lines map[string]int // the client's field lines, kept when it is skipped
	info  fs.FileInfo    // the client file's, to recognise one reached through a link
	alias bool           // the folder reaches another folder's file: not a claim of its own
}

// Skipped reports whether nothing of the folder is imported.
func (r Result) Skipped() bool { return r.Client == nil }

// Imported returns the results with a client, in folder order.
func (t Tree) Imported() []Result {
	var out []Result
	for _, r := range t.Results {
		if !r.Skipped() {
			out = append(out, r)
		}
	}
	return out
}

// Skipped returns the results without a client, in folder order.
func (t Tree) Skipped() []Result {
	var out []Result
	for _, r := range t.Results {
		if r.Skipped() {
			out = append(out, r)
		}
	}
	return out
}

// Clients returns the importable clients, in folder order.
func (t Tree) Clients() []*Client {
	var out []*Client
	for _, r := range t.Results {
		if r.Client != nil {
			out = append(out, r.Client)
		}
	}
	return out
}

// Result returns the result of folder.
func (t Tree) Result(folder string) (Result, bool) {
	i := slices.IndexFunc(t.Results, func(r Result) bool { return r.Folder == folder })
	if i < 0 {
		return Result{}, false
	}
	return t.Results[i], true
}

// PlainTextSecretTenants lists the ids of importable tenants whose file held
// secrets in plain text: those secrets should be rotated.
func (t Tree) PlainTextSecretTenants() []string {
	var ids []string
	for _, c := range t.Clients() {
		if c.HasPlainTextSecrets() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// ReadTree reads every dir/{folder}/client.yaml and its prompts/*.txt. One
// bad folder never stops the others; the error is only for a dir that
// cannot be listed, or that is one tenant's folder instead of the tree.
// Symbolic links that lead out of dir are not followed. A dir holding no
// tenant folder but a clients/ folder (the old platform's layout, one level
// up) is read from dir/clients, and the tree's Notes say so.
func ReadTree(dir string) (Tree, error) {
	if err := CheckTreeDir(dir); err != nil {
		return Tree{}, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return Tree{}, fmt.Errorf("legacy: read tree: %w", err)
	}
	defer root.Close()
	t, err := ReadFS(root.FS())
	if err != nil {
		return Tree{}, err
	}
	t.Root = dir
	if t.hasClientFile() {
		return t, nil
	}
	if info, err := os.Stat(filepath.Join(dir, "clients")); err == nil && info.IsDir() {
		sub, err := ReadTree(filepath.Join(dir, "clients"))
		if err != nil {
			return Tree{}, err
		}
		sub.Notes = append([]string{fmt.Sprintf("%s holds no tenant folder but a clients/ folder, as the old platform laid the tree out: read %s instead",
			dir, sub.Root)}, sub.Notes...)
		return sub, nil
	}
	for _, name := range []string{"client.yaml", "client.yml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return Tree{}, fmt.Errorf("legacy: read tree: %s holds %s, so it is one tenant's folder; give the folder that holds the tenant folders (%s)",
				dir, name, filepath.Dir(filepath.Clean(dir)))
		}
	}
	t.Notes = append(t.Notes, fmt.Sprintf("no folder of %s holds a client.yaml: give the folder whose sub-folders are the tenants ({tenant_id}/client.yaml)", dir))
	return t, nil
}

// CheckTreeDir returns a plain error when dir cannot be a tree: it does not
// exist or is not a directory. The CLI calls it before connecting to the
// database, so a mistyped path costs nothing.
func CheckTreeDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("legacy: read tree: %s: no such file or directory; give the folder that holds the tenant folders ({tenant_id}/client.yaml)", dir)
	case err != nil:
		return fmt.Errorf("legacy: read tree: %w", err)
	case !info.IsDir():
		return fmt.Errorf("legacy: read tree: %s is not a directory; give the folder that holds the tenant folders ({tenant_id}/client.yaml)", dir)
	}
	return nil
}

// hasClientFile reports whether some folder holds a client file.
func (t Tree) hasClientFile() bool {
	return slices.ContainsFunc(t.Results, func(r Result) bool { return r.File != "" })
}

// ReadFS is ReadTree over a file system whose root is the tree.
func ReadFS(fsys fs.FS) (Tree, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return Tree{}, fmt.Errorf("legacy: read tree: %w", err)
	}
	var t Tree
	var files []string   // beside the folders: not read, but named in a note
	var folders []string // read below, a few at a time
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // .git, .DS_Store: not tenants
		}
		if dir, err := isDir(fsys, name, e); err != nil {
			// A folder reached through a link that cannot be followed: say
			// so rather than leave a tenant out without a word.
			t.Results = append(t.Results, Result{Folder: name, Reasons: []Issue{{Kind: SkipUnreadable, File: name,
				Message: unreadable(fsys, name, err).Error() + "; it was skipped"}}})
			continue
		} else if !dir {
			files = append(files, printable(name))
			continue
		}
		folders = append(folders, name)
	}
	read := make([]Result, len(folders))
	inParallel(len(folders), func(i int) { read[i] = readFolder(fsys, folders[i]) })
	t.Results = append(t.Results, read...)
	if len(files) > 0 {
		if len(files) > 5 {
			files = append(files[:5], "…")
		}
		t.Notes = append(t.Notes, fmt.Sprintf("only folders are tenants; the files beside them were not read (%s)", strings.Join(files, ", ")))
	}
	slices.SortFunc(t.Results, func(a, b Result) int { return strings.Compare(a.Folder, b.Folder) })
	checkIdentities(t.Results)
	inParallel(len(t.Results), func(i int) {
		r := &t.Results[i]
		if r.Client != nil {
			// Only for folders still imported: a skipped folder's prompts
			// would only add noise to its report.
			r.Client.Prompts, r.Warnings = readPrompts(fsys, r.Folder, r.Warnings)
		}
		sortIssues(r.Warnings)
		sortIssues(r.Reasons)
	})
	return t, nil
}

// inParallel calls fn(i) for every i in [0, n), on as many goroutines as
// there are processors: folders are read and parsed independently, and a
// large tree's reading would otherwise keep the import waiting on one core.
func inParallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// isDir reports whether the entry at name is a folder, following a
// symbolic link; the error is for a link that cannot be followed.
func isDir(fsys fs.FS, name string, e fs.DirEntry) (bool, error) {
	if e.IsDir() {
		return true, nil
	}
	if e.Type()&fs.ModeSymlink != 0 {
		info, err := fs.Stat(fsys, name)
		if err != nil {
			return false, err
		}
		return info.IsDir(), nil
	}
	return false, nil
}

func readFolder(fsys fs.FS, folder string) Result {
	res := Result{Folder: folder}
	name, ok, err := clientFile(fsys, folder)
	if err != nil {
		res.Reasons = append(res.Reasons, Issue{Kind: SkipUnreadable, File: folder, Message: unreadable(fsys, folder, err).Error() + "; it was skipped"})
		return res
	}
	if !ok {
		res.Reasons = append(res.Reasons, Issue{Kind: SkipNoClientFile, File: folder,
			Message: fmt.Sprintf("the folder has no client.yaml%s; it was skipped (add the file, or move the folder out of the tree)", listing(fsys, folder))})
		return res
	}
	res.File = path.Join(folder, name)
	data, info, err := readLimited(fsys, res.File)
	if err != nil {
		res.Reasons = append(res.Reasons, Issue{Kind: SkipUnreadable, File: res.File, Message: err.Error() + "; the folder was skipped"})
		return res
	}
	res.info = info
	p := parseClient(res.File, data)
	if name != "client.yaml" {
		p.warnings = append(p.warnings, Issue{Kind: WarnAltFileName, File: res.File,
			Message: fmt.Sprintf("the file is named %s; it was read as client.yaml (the export writes client.yaml)", name)})
	} else if isFile(fsys, path.Join(folder, "client.yml")) {
		p.warnings = append(p.warnings, Issue{Kind: WarnAltFileName, File: path.Join(folder, "client.yml"),
			Message: "client.yml was ignored: client.yaml beside it is the tenant file"})
	}
	res.ID = p.id
	res.lines = p.client.Lines
	res.Warnings = p.warnings
	res.Reasons = p.problems
	if len(p.problems) == 0 {
		c := p.client
		res.Client = &c
	}
	return res
}

// clientFile returns the name of folder's tenant file: client.yaml, else
// client.yml, else one of those spelled in another case (Client.yaml: the
// old platform also ran on disks that ignore case). Any entry of that name
// counts, whatever it is: a link that cannot be followed is then reported
// as unreadable, not as missing.
func clientFile(fsys fs.FS, folder string) (string, bool, error) {
	entries, err := fs.ReadDir(fsys, folder)
	if err != nil {
		return "", false, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, want := range []string{"client.yaml", "client.yml"} {
		if slices.Contains(names, want) {
			return want, true, nil
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, "client.yaml") || strings.EqualFold(n, "client.yml") {
			return n, true, nil
		}
	}
	return "", false, nil
}

// readFolderEntries lists a folder, refusing anything else without opening
// it: listing a named pipe would block.
func readFolderEntries(fsys fs.FS, name string) ([]fs.DirEntry, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return fs.ReadDir(fsys, name)
}

func isLink(fsys fs.FS, name string) bool {
	info, err := fs.Lstat(fsys, name)
	return err == nil && info.Mode()&fs.ModeSymlink != 0
}

func isFile(fsys fs.FS, name string) bool {
	info, err := fs.Stat(fsys, name)
	return err == nil && !info.IsDir()
}

// listing names what a folder without client.yaml holds, to help spot a
// misnamed file.
func listing(fsys fs.FS, folder string) string {
	entries, err := fs.ReadDir(fsys, folder)
	if err != nil || len(entries) == 0 {
		return " (it is empty)"
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
		if len(names) == 5 {
			names = append(names, "…")
			break
		}
	}
	return " (it holds " + strings.Join(names, ", ") + ")"
}

// readLimited reads a file of the tree. Its error is a sentence about the
// file, named by its base name. Only a regular file is read: opening a
// named pipe would block the whole run until someone writes to it.
func readLimited(fsys fs.FS, name string) ([]byte, fs.FileInfo, error) {
	base := path.Base(name)
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, nil, unreadable(fsys, name, err)
	}
	switch {
	case info.IsDir():
		return nil, nil, fmt.Errorf("%s is a folder, not a file", base)
	case !info.Mode().IsRegular():
		return nil, nil, fmt.Errorf("%s is not a regular file (a named pipe, socket or device), so it was not read", base)
	case info.Size() > maxFileSize:
		return nil, nil, fmt.Errorf("%s is %d bytes, over the limit of %d: a tenant file or prompt is a few kilobytes", base, info.Size(), maxFileSize)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, nil, unreadable(fsys, name, err)
	}
	return data, info, nil
}

// unreadable says why name could not be read, in the terms of the tree: a
// symbolic link that leads nowhere or out of the tree, or the system's
// reason.
func unreadable(fsys fs.FS, name string, err error) error {
	base := path.Base(name)
	if target, lerr := fs.ReadLink(fsys, name); lerr == nil {
		dest := path.Join(path.Dir(name), target)
		switch {
		case path.IsAbs(target) || dest == ".." || strings.HasPrefix(dest, "../"):
			return fmt.Errorf("%s cannot be read: it is a symbolic link to %s, outside the tree, and links are only followed inside it (copy the file here instead)", base, strconv.Quote(target))
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%s cannot be read: it is a symbolic link to %s, which does not exist", base, strconv.Quote(target))
		}
	}
	return fmt.Errorf("%s cannot be read: %w", base, unwrapPath(err))
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readPrompts reads folder/prompts/*.txt, sorted by name.
func readPrompts(fsys fs.FS, folder string, warnings []Issue) ([]tenant.Prompt, []Issue) {
	dir := path.Join(folder, "prompts")
	warn := func(kind Kind, file, format string, args ...any) {
		warnings = append(warnings, Issue{Kind: kind, File: file, Message: fmt.Sprintf(format, args...)})
	}
	entries, err := readFolderEntries(fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) || err != nil && isLink(fsys, dir) {
		warn(WarnPromptIgnored, dir, "%v; no prompt was imported", unreadable(fsys, dir, err))
	}
	// A file already named as its prompt (inbound.txt) wins over a variant
	// spelling of it (Inbound.TXT).
	slices.SortStableFunc(entries, func(a, b fs.DirEntry) int {
		return cmp.Compare(canonicalPromptFile(a.Name()), canonicalPromptFile(b.Name()))
	})
	var prompts []tenant.Prompt
	from := map[string]string{}  // prompt name → file it came from
	refused := map[string]bool{} // prompt names whose file could not be read
	for _, e := range entries {
		file := path.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if sub, _ := isDir(fsys, file, e); sub {
			warn(WarnPromptIgnored, file, "is a folder; only the .txt files directly in prompts/ are imported")
			continue
		}
		if !strings.EqualFold(path.Ext(e.Name()), ".txt") {
			warn(WarnPromptIgnored, file, "only .txt files are prompts; this was not imported")
			continue
		}
		name := strings.ToLower(strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
		if _, ok := tenant.FieldPromptName.OK(name); !ok {
			warn(WarnPromptIgnored, file, "%s is not a usable prompt name (lower-case letters, digits, ., _ and -); the prompt was not imported", quote(name))
			continue
		}
		if other, dup := from[name]; dup {
			warn(WarnPromptIgnored, file, "another file, %s, already gives the prompt %q; this one was not imported", path.Base(other), name)
			continue
		}
		if base := strings.TrimSuffix(e.Name(), path.Ext(e.Name())); base != name || path.Ext(e.Name()) != ".txt" {
			warn(WarnNormalized, file, "%s was imported as the prompt %q (%s.txt)", e.Name(), name, name)
		}
		data, _, err := readLimited(fsys, file)
		if err != nil {
			warn(WarnPromptIgnored, file, "%v; the prompt was not imported", err)
			refused[name] = true
			continue
		}
		body, note, _, ok := decodeText(data)
		if !ok {
			warn(WarnPromptIgnored, file, "%s is not a text file (it holds NUL bytes); the prompt was not imported", e.Name())
			refused[name] = true
			continue
		}
		if note != "" {
			warn(WarnEncoding, file, "%s %s", e.Name(), note)
		}
		if strings.TrimSpace(body) == "" {
			warn(WarnEmptyPrompt, file, "%s is empty; it was imported as an empty prompt", e.Name())
		}
		from[name] = file
		prompts = append(prompts, tenant.Prompt{Name: name, Body: body})
	}
	switch _, ok := from["inbound"]; {
	case ok:
	case refused["inbound"]:
		warn(WarnMissingPrompt, folder, "prompts/inbound.txt could not be imported (see its warning); the tenant is imported without an inbound prompt")
	default:
		warn(WarnMissingPrompt, folder, "there is no prompts/inbound.txt; the tenant is imported without an inbound prompt")
	}
	slices.SortFunc(prompts, func(a, b tenant.Prompt) int { return strings.Compare(a.Name, b.Name) })
	return prompts, warnings
}

// canonicalPromptFile is 0 for a lower-case name ending in .txt, else 1.
func canonicalPromptFile(name string) int {
	if strings.HasSuffix(name, ".txt") && name == strings.ToLower(name) {
		return 0
	}
	return 1
}

// checkIdentities applies the rules that need every folder at once. They
// report, never guess: a folder whose client.id differs from its name is
// skipped; of the folders claiming one id, the one named as it is imported
// and the others are reported, and when no folder or several are named as
// it, every claimant is skipped with a reason naming the others. Every
// folder of a short name claimed more than once is skipped.
func checkIdentities(results []Result) {
	markAliases(results)
	claims := map[string][]int{}
	for i, r := range results {
		if r.ID == "" || r.alias {
			continue
		}
		claims[r.ID] = append(claims[r.ID], i)
		if r.ID != r.Folder {
			skip(&results[i], Issue{Kind: SkipFolderMismatch, File: r.File, Line: r.lines["client.id"], Field: "client.id",
				Message: fmt.Sprintf("client.id %q does not match the folder name %q; rename the folder or fix the id, the importer does not guess which is right", r.ID, r.Folder)})
		}
	}
	for id, idx := range claims {
		if len(idx) < 2 {
			continue
		}
		// The one folder named as the id is the tenant; the others (already
		// skipped for their name) are reported as its impostors. Without
		// exactly one such folder nobody is the rightful claimant.
		var named []int
		for _, i := range idx {
			if results[i].Folder == id {
				named = append(named, i)
			}
		}
		if len(named) == 1 {
			owner := results[named[0]]
			for _, i := range idx {
				if i != named[0] {
					skip(&results[i], Issue{Kind: SkipDuplicateID, File: results[i].File, Line: results[i].lines["client.id"], Field: "client.id",
						Message: fmt.Sprintf("client.id %q belongs to the folder named %q (%s), which is imported; this folder claims it too and was skipped: fix its client.id", id, owner.Folder, owner.File)})
				}
			}
			continue
		}
		for _, i := range idx {
			skip(&results[i], Issue{Kind: SkipDuplicateID, File: results[i].File, Line: results[i].lines["client.id"], Field: "client.id",
				Message: fmt.Sprintf("client.id %q is also claimed by %s; every claimant is skipped until one folder holds this id", id, others(results, idx, i, "client.id"))})
		}
	}

	shorts := map[string][]int{}
	for i, r := range results {
		if r.Client != nil {
			shorts[r.Client.ShortName] = append(shorts[r.Client.ShortName], i)
		}
	}
	for short, idx := range shorts {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			r := &results[i]
			skip(r, Issue{Kind: SkipDuplicateShortName, File: r.File, Line: r.Client.Lines["client.short_name"], Field: "client.short_name",
				Message: fmt.Sprintf("short name %q is also used by %s; short names are unique, give all but one another client.short_name", short, others(results, idx, i, "client.short_name"))})
		}
	}
}

// markAliases skips the folders that reach the tenant file of the folder
// named as its id through a symbolic link (an old name kept as a link to
// the tenant's folder, or to its client.yaml): they are that tenant again,
// not a second claim on its id, so the tenant itself is still imported.
func markAliases(results []Result) {
	folders := map[string]int{}
	for i, r := range results {
		folders[r.Folder] = i
	}
	for i := range results {
		r := &results[i]
		j, ok := folders[r.ID]
		if r.ID == "" || r.ID == r.Folder || !ok || r.info == nil || results[j].info == nil || !os.SameFile(r.info, results[j].info) {
			continue
		}
		r.alias = true
		skip(r, Issue{Kind: SkipLink, File: r.File,
			Message: fmt.Sprintf("this is %s reached through a symbolic link; the tenant %q is imported from its own folder, so this one was skipped (remove the link to silence this)", results[j].File, r.ID)})
	}
}

func skip(r *Result, reason Issue) {
	r.Reasons = append(r.Reasons, reason)
	r.Client = nil
}

// others names the folders in idx other than self, with file:line.
func others(results []Result, idx []int, self int, field string) string {
	var names []string
	for _, i := range idx {
		if i == self {
			continue
		}
		r := results[i]
		where := r.File
		if r.lines[field] > 0 {
			where = fmt.Sprintf("%s:%d", r.File, r.lines[field])
		}
		names = append(names, fmt.Sprintf("folder %q (%s)", r.Folder, where))
	}
	return strings.Join(names, " and ")
}
