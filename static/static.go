// Package static embeds the console's CSS, JavaScript and images, and names
// each file with a content hash so browsers may cache it for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// FS holds the built CSS, the vendored htmx and the console's own script.
//
//go:embed css/app.css vendor js favicon.svg
var FS embed.FS

var versions = func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[path] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return m
}()

// Path returns the URL of an embedded file with its content version, e.g.
// Path("css/app.css") = "/static/css/app.css?v=3f2a…".
func Path(name string) string {
	if v, ok := versions[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

// Version returns the content version of an embedded file ("" if unknown).
func Version(name string) string { return versions[name] }
