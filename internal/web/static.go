package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/static"
)

var staticFiles = http.StripPrefix("/static/", http.FileServerFS(static.FS))

// static serves the embedded files. A URL carrying the file's content
// version (static.Path) may be cached for a year; others briefly.
func (s *server) static(c echo.Context) error {
	name := strings.TrimPrefix(c.Request().URL.Path, "/static/")
	if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "/") || name == "" {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	if v := static.Version(name); v != "" && c.QueryParam("v") == v {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	staticFiles.ServeHTTP(c.Response(), c.Request())
	return nil
}
