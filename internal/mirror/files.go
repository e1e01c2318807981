package mirror

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tenant-console/console/internal/legacy"
)

// How the mirror changes files so that a reader never sees half of one:
// a file is written aside in its own directory, flushed, renamed over the
// old one, and the directory flushed; a new folder is built whole under a
// hidden name and renamed into place; a folder leaves by one rename.
// Hidden names start with tempPrefix so a reconcile can clear what a crash
// left behind.

const tempPrefix = ".mirror-"

// writeFileAtomic replaces file with data, durably.
func writeFileAtomic(file string, data []byte) error {
	dir := filepath.Dir(file)
	tmp, err := os.CreateTemp(dir, tempPrefix+filepath.Base(file)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	if err := fill(tmp, data); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	return syncDirs(dir)
}

// fill writes data to f, flushes it to disk and closes it.
func fill(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeIfChanged replaces file with data unless it already holds data.
func writeIfChanged(file string, data []byte) (bool, error) {
	old, err := os.ReadFile(file)
	if err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	return true, writeFileAtomic(file, data)
}

// syncDirs flushes directory entries (a rename is durable only once its
// directory is).
func syncDirs(dirs ...string) error {
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// buildFolder writes f as dir/{id}, a folder that does not exist yet: it
// appears whole or not at all.
func buildFolder(dir, id string, f legacy.Folder) error {
	tmp, err := os.MkdirTemp(dir, tempPrefix+"new-"+id+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // after the rename there is nothing left to remove
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	dirs := []string{tmp}
	for _, file := range f.Files {
		p := filepath.Join(tmp, filepath.FromSlash(file.Path))
		sub := filepath.Dir(p)
		if !slices.Contains(dirs, sub) {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
			dirs = append(dirs, sub)
		}
		out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if err := fill(out, file.Data); err != nil {
			return err
		}
	}
	slices.Reverse(dirs) // sub-folders before the folder that holds them
	if err := syncDirs(dirs...); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, id)); err != nil {
		return err
	}
	return syncDirs(dir)
}

// updateFolder makes an existing folder hold exactly f: changed files are
// replaced one by one, files and folders f does not have are removed. It
// returns the paths it wrote or removed.
func updateFolder(folder string, f legacy.Folder) ([]string, error) {
	var changed []string
	want := map[string]bool{}
	hasPrompts := false
	for _, file := range f.Files {
		want[file.Path] = true
		if dir, _ := path.Split(file.Path); dir == legacy.PromptDir+"/" {
			hasPrompts = true
		}
	}
	if hasPrompts {
		if err := os.MkdirAll(filepath.Join(folder, legacy.PromptDir), 0o755); err != nil {
			return nil, err
		}
	}
	for _, file := range f.Files {
		wrote, err := writeIfChanged(filepath.Join(folder, filepath.FromSlash(file.Path)), file.Data)
		if err != nil {
			return changed, err
		}
		if wrote {
			changed = append(changed, file.Path)
		}
	}
	// Anything else is not the tenant's: a prompt it no longer has would be
	// read as one it has.
	var extra []string
	entries, err := os.ReadDir(folder)
	if err != nil {
		return changed, err
	}
	for _, e := range entries {
		name := e.Name()
		if name == legacy.PromptDir && e.IsDir() && hasPrompts {
			prompts, err := os.ReadDir(filepath.Join(folder, name))
			if err != nil {
				return changed, err
			}
			for _, p := range prompts {
				if rel := name + "/" + p.Name(); !want[rel] {
					extra = append(extra, rel)
				}
			}
			continue
		}
		if !want[name] {
			extra = append(extra, name)
		}
	}
	for _, rel := range extra {
		if err := removeAll(filepath.Join(folder, filepath.FromSlash(rel))); err != nil {
			return changed, err
		}
		if !strings.HasPrefix(path.Base(rel), tempPrefix) {
			changed = append(changed, rel)
		}
	}
	return changed, nil
}

// removeAll removes p, a file or a whole folder. A folder first leaves its
// place by one rename to a hidden name, so no reader finds it half removed.
func removeAll(p string) error {
	info, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if !info.IsDir() {
		if err := os.Remove(p); err != nil {
			return err
		}
		return syncDirs(dir)
	}
	aside, err := os.MkdirTemp(dir, tempPrefix+"old-")
	if err != nil {
		return err
	}
	target := filepath.Join(aside, filepath.Base(p))
	if err := os.Rename(p, target); err != nil {
		os.Remove(aside)
		return err
	}
	if err := syncDirs(dir); err != nil {
		return err
	}
	return os.RemoveAll(aside)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// yamlString writes s as a YAML double-quoted scalar (a JSON string is one).
func yamlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
