package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/apperr"
	"github.com/tenant-console/console/internal/tenant"
)

// apiFeed is the body of GET /api/v1/tenants.
type apiFeed struct {
	Tenants    []apiTenant `json:"tenants"`
	NextCursor string      `json:"next_cursor"`
	HasMore    bool        `json:"has_more"`
}

// apiTenantFeed is GET /api/v1/tenants?updated_since=…&cursor=…&limit=…:
// the tenants whose documents changed, oldest change first, every status
// included. A client walks it with next_cursor until has_more is false,
// then keeps polling with the last next_cursor.
func (s *server) apiTenantFeed(c echo.Context) error {
	var q tenant.FeedQuery
	if raw := c.QueryParam("cursor"); raw != "" {
		cur, ok := tenant.ParseChangeCursor(raw)
		if !ok {
			return apperr.E(apperr.Invalid, "cursor: use a next_cursor this API returned.")
		}
		q.Cursor = &cur
	}
	if raw := c.QueryParam("updated_since"); raw != "" {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return apperr.E(apperr.Invalid, "updated_since: use an RFC 3339 time such as 2025-01-31T12:00:00Z.")
		}
		q.Since = &t
	}
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > tenant.FeedMaxLimit {
			return apperr.E(apperr.Invalid, "limit: use a whole number from 1 to "+strconv.Itoa(tenant.FeedMaxLimit)+".")
		}
		q.Limit = n
	}
	page, err := s.Publisher.Feed(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := apiFeed{Tenants: make([]apiTenant, len(page.Tenants)), NextCursor: page.Next.String(), HasMore: page.HasMore}
	for i, d := range page.Tenants {
		out.Tenants[i] = newAPITenant(d)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, out)
}
