package legacy

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/tenant-console/console/internal/tenant"
)

// Tree is what ReadTree found: one Result per folder, sorted by folder name.
type Tree struct {
	Results []Result
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
// cannot be listed. Symbolic links that lead out of dir are not followed.
func ReadTree(dir string) (Tree, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return Tree{}, fmt.Errorf("legacy: read tree: %w", err)
	}
	if !info.IsDir() {
		return Tree{}, fmt.Errorf("legacy: read tree: %s is not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return Tree{}, fmt.Errorf("legacy: read tree: %w", err)
	}
	defer root.Close()
	return ReadFS(root.FS())
}

// ReadFS is ReadTree over a file system whose root is the tree.
func ReadFS(fsys fs.FS) (Tree, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return Tree{}, fmt.Errorf("legacy: read tree: %w", err)
	}
	var t Tree
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !isDir(fsys, name, e) {
			continue // .git, .DS_Store, README files: not tenants
		}
		t.Results = append(t.Results, readFolder(fsys, name))
	}
	slices.SortFunc(t.Results, func(a, b Result) int { return strings.Compare(a.Folder, b.Folder) })
	checkIdentities(t.Results)
	for i, r := range t.Results {
		if r.Client != nil {
			// Only for folders still imported: a skipped folder's prompts
			// would only add noise to its report.
			r.Client.Prompts, t.Results[i].Warnings = readPrompts(fsys, r.Folder, r.Warnings)
		}
		sortIssues(t.Results[i].Warnings)
		sortIssues(t.Results[i].Reasons)
	}
	return t, nil
}

// isDir reports whether the entry at name is a folder, following a symlink.
func isDir(fsys fs.FS, name string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink != 0 {
		info, err := fs.Stat(fsys, name)
		return err == nil && info.IsDir()
	}
	return false
}

func readFolder(fsys fs.FS, folder string) Result {
	res := Result{Folder: folder}
	name, alt := "client.yaml", false
	if !hasEntry(fsys, folder, name) {
		if hasEntry(fsys, folder, "client.yml") {
			name, alt = "client.yml", true
		} else {
			res.Reasons = append(res.Reasons, Issue{Kind: SkipNoClientFile, File: folder,
				Message: fmt.Sprintf("the folder has no client.yaml%s; it was skipped", listing(fsys, folder))})
			return res
		}
	}
	res.File = path.Join(folder, name)
	data, err := readLimited(fsys, res.File)
	if err != nil {
		res.Reasons = append(res.Reasons, Issue{Kind: SkipUnreadable, File: res.File, Message: err.Error()})
		return res
	}
	p := parseClient(res.File, data)
	if alt {
		p.warnings = append(p.warnings, Issue{Kind: WarnAltFileName, File: res.File,
			Message: "the file is named client.yml; it was read as client.yaml (the export writes client.yaml)"})
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

// hasEntry reports whether folder lists name, whatever it is: a link that
// cannot be followed is then reported as unreadable, not as missing.
func hasEntry(fsys fs.FS, folder, name string) bool {
	entries, err := fs.ReadDir(fsys, folder)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == name })
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

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", path.Base(name), unwrapPath(err))
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is %d bytes; a tenant file is a few kilobytes, so this is not one", path.Base(name), info.Size())
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", path.Base(name), unwrapPath(err))
	}
	return data, nil
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
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		warn(WarnPromptIgnored, dir, "the prompts folder cannot be read: %v", unwrapPath(err))
	}
	// A file already named as its prompt (inbound.txt) wins over a variant
	// spelling of it (Inbound.TXT).
	slices.SortStableFunc(entries, func(a, b fs.DirEntry) int {
		return cmp.Compare(canonicalPromptFile(a.Name()), canonicalPromptFile(b.Name()))
	})
	var prompts []tenant.Prompt
	from := map[string]string{} // prompt name → file it came from
	for _, e := range entries {
		file := path.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !strings.EqualFold(path.Ext(e.Name()), ".txt") || isDir(fsys, file, e) {
			warn(WarnPromptIgnored, file, "only .txt files are prompts; this was not imported")
			continue
		}
		name := strings.ToLower(strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
		if !promptNamePattern.MatchString(name) {
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
		data, err := readLimited(fsys, file)
		if err != nil {
			warn(WarnPromptIgnored, file, "%v; the prompt was not imported", err)
			continue
		}
		body, note, _, ok := decodeText(data)
		if !ok {
			warn(WarnPromptIgnored, file, "%s is not a text file (it holds NUL bytes); the prompt was not imported", e.Name())
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
	if _, ok := from["inbound"]; !ok {
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
// report, never guess: a folder whose client.id differs from its name, and
// every folder of an id or short name claimed more than once, is skipped
// with a reason naming the others.
func checkIdentities(results []Result) {
	claims := map[string][]int{}
	for i, r := range results {
		if r.ID == "" {
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
