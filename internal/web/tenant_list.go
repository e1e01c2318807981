package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tenant-console/console/internal/tenant"
	tenantviews "github.com/tenant-console/console/views/tenants"
)

// listQueryFrom reads the list state from the URL; nonsense falls back to
// defaults (tenant.ListQuery.Normalize) rather than an error page.
func listQueryFrom(c echo.Context) tenant.ListQuery {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	perPage, _ := strconv.Atoi(c.QueryParam("per_page"))
	return tenant.ListQuery{
		Search:  c.QueryParam("q"),
		Status:  tenant.Status(c.QueryParam("status")),
		Plan:    tenant.Plan(c.QueryParam("plan")),
		Sort:    c.QueryParam("sort"),
		Page:    page,
		PerPage: perPage,
		After:   c.QueryParam("after"),
		Before:  c.QueryParam("before"),
	}.Normalize()
}

// tenantList is GET /tenants: the whole page, or for htmx just the results.
func (s *server) tenantList(c echo.Context) error {
	actor := s.actor(c)
	res, err := s.Tenants.List(c.Request().Context(), actor, listQueryFrom(c))
	if err != nil {
		return err
	}
	props := s.listProps(c, actor, res)
	props.BulkResults = s.popBulkSummary(c)
	if !htmxOf(c).wantsFragment() {
		// what a plain (no-JavaScript) action from a row just did
		props.Notice = s.Sessions.PopString(c.Request().Context(), sessTenantNotice)
	}
	if htmxOf(c).wantsFragment() {
		// The form sends every field; the address bar gets the short,
		// canonical form of the same state.
		c.Response().Header().Set("HX-Push-Url", tenantviews.ListURL(res.Query))
	}
	return renderPageOrFragment(c, 200, tenantviews.ListPage(props), tenantviews.ListFragment(props))
}
