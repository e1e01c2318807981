package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
)

// apiTenantShow is GET /api/v1/tenants/:id: one tenant's document, with an
// ETag; a client that sends it back in If-None-Match gets 304 while
// nothing changed.
func (s *server) apiTenantShow(c echo.Context) error {
	id := c.Param("id")
	doc, err := s.Publisher.Tenant(c.Request().Context(), id)
	if apperr.KindOf(err) == apperr.NotFound {
		return apperr.E(apperr.NotFound, "No tenant has the id "+id+".")
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	etag := doc.ETag()
	h.Set("ETag", etag)
	h.Set(echo.HeaderCacheControl, "private, no-cache")
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSON(http.StatusOK, newAPITenant(doc))
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 §13.1.2):
// any listed tag, W/ or not, or *.
func etagMatches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}
